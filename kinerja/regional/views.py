"""The regional dashboard: every agency of a local government side by side, for its regional readers."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kinerja.lib.numbers import round_half_up
from kinerja.lib.xlsx import xlsx_stream
from kinerja.org.selectors import today
from kinerja.planning.selectors import last_closed_quarter
from kinerja.regional import selectors
from kinerja.regional.forms import RegionalPeriodForm
from kinerja.regional.permissions import get_government_for_user, regional_governments
from kinerja.regional.selectors import AgencyFigures, Overview


def index(request: HttpRequest) -> HttpResponse:
    governments = regional_governments(request.user)
    if not governments:
        raise Http404
    if len(governments) == 1:
        return redirect("regional-dashboard", governments[0].pk)
    return render(request, "regional/index.html", {"governments": governments})


def _period(request: HttpRequest, years: list[int]) -> tuple[int, int, str, RegionalPeriodForm]:
    year, quarter = last_closed_quarter(today())
    if years and year > years[-1]:
        year, quarter = years[-1], 4
    elif years and year < years[0]:
        year, quarter = years[0], 1
    form = RegionalPeriodForm(request.GET or None, years=years, initial={"year": year, "quarter": quarter})
    sort = "rank"
    if request.GET and form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        sort = form.cleaned_data["sort"] or "rank"
    return year, quarter, sort, form


def _none_last(value: Decimal | None, *, descending: bool = True) -> tuple[int, Decimal]:
    if value is None:
        return (1, Decimal(0))
    return (0, -value if descending else value)


_ORDERS: dict[str, Any] = {
    "rank": lambda r: (r.rank is None, r.rank or 0, r.agency.name),
    "name": lambda r: r.agency.name,
    "filled": lambda r: (_none_last(r.percent_filled), r.agency.name),
    "late": lambda r: (-r.late, -r.days_late, r.agency.name),
    "compliance": lambda r: (_none_last(r.compliance), r.agency.name),
}


def dashboard(request: HttpRequest, government_id: int) -> HttpResponse:
    government = get_government_for_user(request.user, government_id)
    years = selectors.plan_years(government)
    year, quarter, sort, form = _period(request, years)
    data = selectors.overview(government, year=year, quarter=quarter)
    rows = sorted(data.agencies, key=_ORDERS[sort])
    if request.GET.get("export") == "xlsx":
        return _export(data, rows)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("sort", None)
    context = {
        "government": government, "form": form, "year": year, "quarter": quarter, "sort": sort, "rows": rows,
        "overview": data, "query": query.urlencode(),
    }  # fmt: skip
    return render(request, "regional/dashboard.html", context)


def _pct(value: Decimal | None) -> Decimal | None:
    return round_half_up(value) if value is not None else None


def _agency_rows(rows: list[AgencyFigures]) -> Iterator[list[Any]]:
    for row in rows:
        yield [
            row.rank, row.agency.name, row.plan.name if row.plan else "", row.indicators, _pct(row.average),
            row.band.label if row.band else "", row.filled, _pct(row.percent_filled), row.submissions,
            row.submitted, row.verified, row.late, row.days_late, row.tasks_measured, row.tasks_on_time,
            _pct(row.compliance),
        ]  # fmt: skip


def _objective_rows(rows: list[AgencyFigures]) -> Iterator[list[Any]]:
    for row in rows:
        for objective in row.objectives:
            yield [
                row.agency.name, objective.objective.code, objective.objective.statement, objective.indicators,
                len(objective.computed), _pct(objective.average), objective.band.label if objective.band else "",
            ]  # fmt: skip


def _export(data: Overview, rows: list[AgencyFigures]) -> HttpResponse:
    agencies = [
        _("Rank"), _("Agency"), _("Strategic plan"), _("Indicators"), _("Average achievement (%)"), _("Predicate"),
        _("Filled"), _("Filled (%)"), _("Submissions"), _("Submitted"), _("Verified"), _("Late submissions"),
        _("Working days late"), _("SOP tasks with a standard"), _("SOP tasks on time"), _("SOP compliance (%)"),
    ]  # fmt: skip
    objectives = [
        _("Agency"), _("Code"), _("Objective"), _("Indicators"), _("With achievement"), _("Average achievement (%)"),
        _("Predicate"),
    ]  # fmt: skip
    name = f"regional-{data.government.name}-{data.year}-TW{data.quarter}"
    return xlsx_stream(
        name, [(_("Agencies"), agencies, _agency_rows(rows)), (_("Objectives"), objectives, _objective_rows(rows))]
    )
