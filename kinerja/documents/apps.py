from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "kinerja.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # When a reporting period opens, the request letters to its divisions are drafted (seed 000 step 4).
        from kinerja.documents import services
        from kinerja.lib import actions

        actions.listen(services.on_action)
