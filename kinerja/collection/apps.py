from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "kinerja.collection"
    label = "collection"
    verbose_name = _("Data collection")
