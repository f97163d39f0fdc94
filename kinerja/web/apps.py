from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kinerja.web"
    label = "web"
    verbose_name = _("Pages")

    def ready(self) -> None:
        from kinerja.web import receivers  # noqa: F401
