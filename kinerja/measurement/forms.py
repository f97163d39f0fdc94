from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.planning.models import StrategicPlan
from kinerja.planning.selectors import default_period, last_closed_quarter

__all__ = ["PeriodForm", "default_period", "last_closed_quarter"]

QUARTER_CHOICES = [(1, _("Quarter I")), (2, _("Quarter II")), (3, _("Quarter III")), (4, _("Quarter IV"))]


class PeriodForm(forms.Form):
    """The year and quarter a dashboard shows."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Up to"), coerce=int, choices=QUARTER_CHOICES)

    def __init__(self, *args: Any, plan: StrategicPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in plan.years]
