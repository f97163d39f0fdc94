from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.measurement.forms import QUARTER_CHOICES

SORTS = ("rank", "name", "filled", "late", "compliance")


class RegionalPeriodForm(forms.Form):
    """The year and quarter the regional dashboard shows, and the order of its agencies."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Up to"), coerce=int, choices=QUARTER_CHOICES)
    sort = forms.ChoiceField(
        label=_("Order"), required=False,
        choices=[("rank", _("Ranking")), ("name", _("Name")), ("filled", _("Data filled")),
                 ("late", _("Lateness")), ("compliance", _("SOP compliance"))],
    )  # fmt: skip

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
