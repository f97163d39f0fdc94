"""Private file folders named by a setting (evidence, generated documents), never one the web server maps."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class SettingFolderStorage(FileSystemStorage):
    """Files under the folder named by `setting_name`, read from the settings at each use rather than once at
    import, so that a deployment (and a test) can move it without rebuilding the model field."""

    setting_name = ""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(getattr(settings, self.setting_name))

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)
