from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.org.models import Agency, Assignment, Employee, Position, Role, Unit
from kinerja.org.selectors import unit_tree


class VersionedForm(forms.Form):
    """Carries the version of the record the form was opened at, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def _tree_choices(agency: Agency) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(row.unit.pk), f"{'— ' * row.depth}{row.unit.name}") for row in unit_tree(agency)]


class UnitForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=Unit.objects.none(), required=False)
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=0)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.filter(agency=agency)
        self.fields["parent"].widget.choices = _tree_choices(agency)


class PositionForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Leave empty for a position that leads the whole agency."),
    )
    superior = forms.ModelChoiceField(label=_("Superior position"), queryset=Position.objects.none(), required=False)
    evaluated_agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies evaluated"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("For evaluator positions: the agencies whose data this position may read."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency)
        self.fields["unit"].widget.choices = _tree_choices(agency)
        self.fields["superior"].queryset = Position.objects.filter(agency=agency).order_by("title")
        self.fields["evaluated_agencies"].queryset = Agency.objects.filter(
            local_government_id=agency.local_government_id
        ).exclude(pk=agency.pk)


class EmployeeForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("Full name with academic titles."))
    nip = forms.CharField(
        label=_("NIP"), max_length=30, help_text=_("18 digits; spaces between the groups are allowed.")
    )
    rank = forms.ChoiceField(label=_("Rank/grade"), choices=[("", "—"), *Employee.Rank.choices], required=False)


ASSIGNMENT_KIND_CHOICES = [
    ("definitive", _("Definitive")),
    ("Plt.", _("Plt. (pelaksana tugas)")),
    ("Plh.", _("Plh. (pelaksana harian)")),
]


class AssignmentForm(VersionedForm):
    position = forms.ModelChoiceField(label=_("Position"), queryset=Position.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ASSIGNMENT_KIND_CHOICES)
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty while it lasts."),
    )
    decree = forms.CharField(label=_("Decree number"), max_length=200, required=False)

    def __init__(self, *args: Any, agency: Agency, keep_position: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inactive positions take no new holders, but an existing assignment keeps its own.
        offered = Q(is_active=True) | Q(pk=keep_position) if keep_position else Q(is_active=True)
        self.fields["position"].queryset = (
            Position.objects.filter(offered, agency=agency).select_related("unit").order_by("title")
        )
        self.fields["position"].label_from_instance = lambda p: f"{p.title} ({p.unit.name})" if p.unit_id else p.title

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data

    def service_kind(self) -> tuple[str, str]:
        """The form's single choice as the model's (kind, acting_title)."""
        choice = self.cleaned_data["kind"]
        if choice == "definitive":
            return Assignment.Kind.DEFINITIVE, ""
        return Assignment.Kind.ACTING, choice

    @staticmethod
    def initial_kind(assignment: Assignment) -> str:
        return "definitive" if assignment.kind == Assignment.Kind.DEFINITIVE else assignment.acting_title


class LoginCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, help_text=_("Letters, digits and @ . + - _ only; for example the NIP.")
    )


class EmployeeSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or NIP"), max_length=100, required=False)
