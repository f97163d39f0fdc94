from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasurementConfig(AppConfig):
    name = "kinerja.measurement"
    label = "measurement"
    verbose_name = _("Performance measurement")
