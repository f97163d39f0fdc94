"""The Renja evaluation form of Permendagri 86/2017 as an Excel download, for a year and quarter chosen in a form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kinerja.lib.xlsx import XLSX
from kinerja.measurement.excel.renja import renja_workbook
from kinerja.measurement.forms import QUARTER_CHOICES
from kinerja.org.models import Agency
from kinerja.org.permissions import get_agency_for_user
from kinerja.planning.permissions import reads_whole_agency
from kinerja.planning.selectors import default_period, plan_for, plan_years


class RenjaPeriodForm(forms.Form):
    """The year (one of the agency's Renstra years) and the quarter the evaluation runs to."""

    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int,
        error_messages={
            "required": _("Choose the year to evaluate."),
            "invalid_choice": _("Choose a year of one of the agency's strategic plans."),
        },
    )  # fmt: skip
    quarter = forms.TypedChoiceField(
        label=_("Up to"), coerce=int, choices=QUARTER_CHOICES,
        error_messages={
            "required": _("Choose the quarter to evaluate."),
            "invalid_choice": _("Choose a quarter from I to IV."),
        },
    )  # fmt: skip

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


def _agency(request: HttpRequest, agency_id: int) -> Agency:
    """The agency, for whoever may read its dashboard: 404 for another agency's user, 403 for a user who reads only
    some of its units (the form is the whole agency's, as the agency dashboard is)."""
    agency = get_agency_for_user(request.user, agency_id)
    if not reads_whole_agency(request.user, agency):
        raise PermissionDenied
    return agency


def filename(agency: Agency, year: int, quarter: int) -> str:
    return f"evaluasi-renja-{slugify(agency.short_name) or agency.pk}-{year}-tw{quarter}.xlsx"


def renja_evaluation(request: HttpRequest, agency_id: int) -> HttpResponse:
    """The form to choose the period; with a valid year and quarter, the workbook itself."""
    agency = _agency(request, agency_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    years = plan_years(agency)
    plan = plan_for(agency)
    initial = dict(zip(("year", "quarter"), default_period(plan), strict=True)) if plan else {}
    asked = "year" in request.GET or "quarter" in request.GET
    form = RenjaPeriodForm(request.GET if asked else None, years=years, initial=initial)
    if asked and form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        response = HttpResponse(renja_workbook(agency, year, quarter), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename(agency, year, quarter)}"'
        return response
    context = {"agency": agency, "form": form, "has_plan": bool(years)}
    return render(request, "measurement/renja_evaluation.html", context, status=400 if asked else 200)
