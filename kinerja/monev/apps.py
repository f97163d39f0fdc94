from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonevConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kinerja.monev"
    verbose_name = _("Monitoring and evaluation")

    def ready(self) -> None:
        from kinerja.documents.builders import monev
        from kinerja.monev.report import add_sections

        if add_sections not in monev.SECTIONS:
            monev.SECTIONS.append(add_sections)
