from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kinerja.measurement.models import EarlyWarningSetting
from kinerja.planning.forms import NumberField
from kinerja.planning.models import StrategicPlan
from kinerja.planning.selectors import default_period, plan_years

QUARTER_CHOICES = [(1, _("Quarter I")), (2, _("Quarter II")), (3, _("Quarter III")), (4, _("Quarter IV"))]


class PeriodForm(forms.Form):
    """The year and quarter a dashboard shows."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Up to"), coerce=int, choices=QUARTER_CHOICES)

    def __init__(self, *args: Any, plan: StrategicPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every plan's years, so that the next Renstra and the last one are a choice away.
        self.fields["year"].choices = [(y, str(y)) for y in plan_years(plan.agency)]


def period_from_request(request: HttpRequest, plan: StrategicPlan) -> tuple[int, int, PeriodForm]:
    """The year and quarter a page shows: those asked for when valid, else the last quarter ended.
    `plan` is the plan chosen for the year asked for (`plan_for`), so a valid year lies in it."""
    year, quarter = default_period(plan)
    form = PeriodForm(request.GET or None, plan=plan, initial={"year": year, "quarter": quarter})
    if request.GET and form.is_valid() and plan.covers(form.cleaned_data["year"]):
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    return year, quarter, form


class ThresholdForm(forms.Form):
    """The agency's early-warning threshold, on the predicate-scale page."""

    # The model's own checks (0 to 200, at most two decimals), so a bad value is a message beside the field.
    threshold = NumberField(
        label=_("At-risk threshold (%)"), required=True,
        validators=EarlyWarningSetting._meta.get_field("threshold").validators,
        help_text=_("An indicator whose projected year-end achievement is below this percentage is at risk."),
    )  # fmt: skip
