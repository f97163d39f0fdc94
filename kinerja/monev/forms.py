"""Forms of the monev pages. Services check the rules again; forms give the user the message first."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.accounts.models import User
from kinerja.monev.models import Attachment, Finding
from kinerja.org.models import Agency, Position, Role, Unit
from kinerja.planning.models import Indicator

# Who in the agency can be on a visit's team: the planning unit and the people who work with it.
EVALUATING = [Role.PLANNING_HEAD, Role.STAFF, Role.SECTION_HEAD, Role.SECRETARY]
QUARTER_CHOICES = [(1, "I"), (2, "II"), (3, "III"), (4, "IV")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTER_CHOICES, coerce=int)
    threshold = forms.DecimalField(
        label=_("Threshold (%)"), required=False, min_value=0, max_value=200, max_digits=5, decimal_places=2,
        help_text=_("Leave empty for the agency's early-warning threshold."),
    )  # fmt: skip


class ScopeForm(VersionForm):
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators in scope"), queryset=Indicator.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, indicators: QuerySet[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = indicators  # type: ignore[attr-defined]


def monev_people(agency: Agency) -> QuerySet[User]:
    """Who can be named an evaluator: the agency's planning unit and staff, and its Inspektorat evaluators."""
    today = timezone.localdate()
    current = Q(employee__assignments__start_date__lte=today) & (
        Q(employee__assignments__end_date__isnull=True) | Q(employee__assignments__end_date__gte=today)
    )
    where = Q(employee__assignments__position__agency=agency, employee__assignments__position__role__in=EVALUATING) | Q(
        employee__assignments__position__role=Role.EVALUATOR,
        employee__assignments__position__evaluated_agencies=agency,
    )
    return (
        User.objects.filter(current & where, is_active=True).select_related("employee").distinct().order_by("username")
    )


def person_label(user: User) -> str:
    """A login as the people of the agency know it: the employee's name and title, then the login."""
    employee = getattr(user, "employee", None)
    return f"{employee.name} ({user.username})" if employee is not None else user.username


class VisitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Division"), queryset=Unit.objects.none())
    scheduled_on = forms.DateField(label=_("Date"), widget=DATE)
    evaluators = forms.ModelMultipleChoiceField(
        label=_("Evaluators"), queryset=User.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6})
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency).order_by("name")  # type: ignore[attr-defined]
        self.fields["evaluators"].queryset = monev_people(agency)  # type: ignore[attr-defined]
        self.fields["evaluators"].label_from_instance = person_label  # type: ignore[attr-defined]


class HeldForm(VersionForm):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("File"))


def _positions(agency: Agency) -> QuerySet[Position]:
    return Position.objects.filter(agency=agency, is_active=True).select_related("unit").order_by("unit__name", "title")


class RecommendationForm(forms.Form):
    recommendation = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.ModelChoiceField(label=_("Person responsible"), queryset=Position.objects.none())
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = _positions(agency)  # type: ignore[attr-defined]


class FindingForm(RecommendationForm):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.none(), required=False,
        empty_label=_("The division as a whole"),
    )  # fmt: skip
    finding = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.ChoiceField(label=_("Cause"), choices=Finding.Cause.choices)
    cause_note = forms.CharField(label=_("Cause, explained"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["indicator", "finding", "cause", "cause_note", "recommendation", "responsible", "due_on"]

    def __init__(self, *args: Any, agency: Agency, indicators: QuerySet[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, agency=agency, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]
        self.fields["indicator"].label_from_instance = lambda i: f"{i.code} {i.name}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("cause") == Finding.Cause.OTHER and not (data.get("cause_note") or "").strip():
            self.add_error("cause_note", _("Explain the cause when it is not in the list."))
        return data


class FindingEditForm(forms.Form):
    finding = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.ChoiceField(label=_("Cause"), choices=Finding.Cause.choices)
    cause_note = forms.CharField(label=_("Cause, explained"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(VersionForm):
    done = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Evidence"), required=False)


class DecisionForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("close", _("Close: the follow-up is enough")), ("reopen", _("Reopen"))]
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reopen" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the recommendation is reopened."))
        return data
