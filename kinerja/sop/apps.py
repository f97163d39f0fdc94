from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SopConfig(AppConfig):
    name = "kinerja.sop"
    label = "sop"
    verbose_name = _("SOPs")

    def ready(self) -> None:
        # Steps bound to an application action complete when the action is done (DESIGN: Step.action).
        # The apps that do those actions sit to the left of this one and cannot call it: they announce.
        from kinerja.lib import actions
        from kinerja.sop import engine

        actions.listen(engine.on_action)
