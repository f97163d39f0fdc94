from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kinerja.lib.numbers import NumberFormatError, input_number, parse_decimal
from kinerja.org.models import Position, Unit
from kinerja.planning.models import BudgetLine, Goal, Indicator, Objective, PerformanceAgreement, StrategicPlan
from kinerja.planning.services import TargetInput

MAX_NUMBER_LENGTH = 40


class NumberField(forms.CharField):
    """A number typed the Indonesian way (`12,5`) or the English way (`12.5`); empty is None, never 0."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        # No max_length: its validator would measure the parsed Decimal. Length is checked while parsing.
        self.widget.attrs.update(inputmode="decimal", maxlength=MAX_NUMBER_LENGTH)

    def prepare_value(self, value: Any) -> Any:
        return input_number(value) if isinstance(value, Decimal | int) else value

    def to_python(self, value: Any) -> Decimal | None:
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > MAX_NUMBER_LENGTH:
            raise ValidationError(_("A number has at most %(max)s characters.") % {"max": MAX_NUMBER_LENGTH})
        try:
            return parse_decimal(text)
        except NumberFormatError as exc:
            raise ValidationError(exc.message, code="invalid") from exc


# "60 s.d. 80", "60 s/d 80", "60–80", "60 - 80", "60-80"; bounds are not negative.
_RANGE = re.compile(r"^(?P<low>\d[\d.,]*)\s*(?:s\.d\.|s/d|sampai|–|-)\s*(?P<high>\d[\d.,]*)\s*%?$", re.IGNORECASE)


def parse_target(text: str, *, qualitative: bool = False) -> TargetInput:
    """A target cell: a number, a range written “60 s.d. 80” or “60–80”, or for a qualitative
    indicator a text. Raises NumberFormatError when a numeric target is not a number."""
    text = text.strip()
    if not text:
        return TargetInput()
    if qualitative:
        return TargetInput(text=text)
    if match := _RANGE.match(text):
        return TargetInput(value=parse_decimal(match["low"]), upper=parse_decimal(match["high"]))
    return TargetInput(value=parse_decimal(text))


def target_text(value: Decimal | None, upper: Decimal | None, text: str) -> str:
    if text:
        return text
    if value is None:
        return ""
    return f"{input_number(value)} s.d. {input_number(upper)}" if upper is not None else input_number(value)


class PlanForm(forms.ModelForm):
    class Meta:
        model = StrategicPlan
        fields = ["name", "start_year", "end_year"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end_year"].required = False
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update(min=2000, max=2100)

    def clean_start_year(self) -> int:
        year = self.cleaned_data["start_year"]
        if not 2000 <= year <= 2100:
            raise ValidationError(_("Enter a year between 2000 and 2100."))
        return year


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["code", "statement", "sort_order"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2})}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["goal", "code", "statement", "sort_order"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: StrategicPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = plan.goals.all()


class IndicatorForm(forms.ModelForm):
    """An indicator with its Renstra targets, one field per year of the plan."""

    baseline = NumberField(label=_("baseline"))
    end_target = NumberField(label=_("Renstra end target"), help_text=_("For a range, the lower bound."))
    end_target_upper = NumberField(label=_("Renstra end target, upper bound"))
    confirm_warnings = forms.BooleanField(
        label=_("I have read the warnings above and want to save anyway."), required=False
    )

    class Meta:
        model = Indicator
        fields = [
            "objective", "parent", "kind", "code", "name", "unit_of_measure", "scale", "polarity", "aggregation",
            "definition", "formula", "data_source", "baseline", "baseline_year", "end_target", "end_target_upper",
            "end_target_text", "responsible_unit", "responsible_position", "sort_order",
        ]  # fmt: skip
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "definition": forms.Textarea(attrs={"rows": 3}),
            "formula": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, plan: StrategicPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["objective"].queryset = Objective.objects.filter(goal__plan=plan).select_related("goal")
        parents = Indicator.objects.filter(plan=plan)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["responsible_unit"].queryset = Unit.objects.filter(agency=plan.agency)
        self.fields["responsible_position"].queryset = Position.objects.filter(agency=plan.agency, is_active=True)
        existing = {t.year: t for t in self.instance.plan_targets.all()} if self.instance.pk else {}
        for year in plan.years:
            row = existing.get(year)
            self.fields[f"target_{year}"] = forms.CharField(
                label=_("Target %(year)s") % {"year": year}, required=False, max_length=200,
                initial=target_text(row.value, row.upper, row.text) if row else "",
                help_text=_("A number, a range such as 60 s.d. 80, or a text for a qualitative indicator."),
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        qualitative = data.get("scale") == "qualitative"
        self.targets: dict[int, TargetInput] = {}
        for year in self.plan.years:
            try:
                self.targets[year] = parse_target(data.get(f"target_{year}", ""), qualitative=qualitative)
            except NumberFormatError as exc:
                self.add_error(f"target_{year}", exc.message)
        return data

    def plan_targets(self) -> dict[int, TargetInput]:
        return self.targets

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AgreementForm(forms.ModelForm):
    class Meta:
        model = PerformanceAgreement
        fields = ["year", "level", "party_one", "party_two", "party_two_title", "parent"]

    def __init__(self, *args: Any, plan: StrategicPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        positions = Position.objects.filter(agency=plan.agency, is_active=True).select_related("unit")
        self.fields["party_one"].queryset = positions
        self.fields["party_two"].queryset = positions
        self.fields["parent"].queryset = PerformanceAgreement.objects.filter(agency=plan.agency).select_related(
            "party_one"
        )
        self.fields["year"] = forms.TypedChoiceField(
            label=_("year"), coerce=int, choices=[(y, str(y)) for y in plan.years]
        )


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class BudgetLineForm(forms.ModelForm):
    ceiling = NumberField(label=_("budget ceiling (pagu)"), required=True)
    spent_q1 = NumberField(label=_("spent in quarter I"))
    spent_q2 = NumberField(label=_("spent in quarter II"))
    spent_q3 = NumberField(label=_("spent in quarter III"))
    spent_q4 = NumberField(label=_("spent in quarter IV"))

    class Meta:
        model = BudgetLine
        fields = [
            "kind",
            "code",
            "name",
            "unit",
            "ceiling",
            "spent_q1",
            "spent_q2",
            "spent_q3",
            "spent_q4",
            "indicators",
        ]

    def __init__(self, *args: Any, plan: StrategicPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(agency=plan.agency)
        self.fields["indicators"].queryset = Indicator.objects.filter(plan=plan)
        self.fields["indicators"].required = False

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "indicators"}
