"""The dashboards: agency, division, one indicator, and the cascading tree (pohon kinerja)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kinerja.audit.models import AuditEvent
from kinerja.lib.numbers import format_number, round_half_up
from kinerja.lib.xlsx import xlsx_response
from kinerja.measurement import selectors
from kinerja.measurement.achievement import Status
from kinerja.measurement.forms import period_from_request
from kinerja.measurement.predicates import EFFICIENCY_LABELS
from kinerja.measurement.projection import Projection
from kinerja.measurement.selectors import IndicatorFigures
from kinerja.org.models import Agency, Unit
from kinerja.org.permissions import can_read_audit, get_agency_for_user, readable_agencies, unit_scope
from kinerja.planning.choices import Aggregation
from kinerja.planning.models import Indicator, StrategicPlan
from kinerja.planning.permissions import can_plan, get_indicator_for_user, reads_whole_agency
from kinerja.planning.selectors import plan_for, requested_year

HISTORY_YEARS = 4


def _plan(agency: Agency, request: HttpRequest) -> StrategicPlan | None:
    return plan_for(agency, requested_year(request.GET.get("year")))


def _chart(rows: list[IndicatorFigures]) -> dict[str, Any]:
    """Data for the bar chart of achievement per indicator, coloured by predicate."""
    shown = [r for r in rows if r.percent is not None]
    return {
        "labels": [r.indicator.code for r in shown],
        "values": [float(round_half_up(r.percent)) for r in shown],
        "colours": [r.band.colour if r.band else "grey" for r in shown],
        "titles": [r.indicator.name[:80] for r in shown],
    }


def _average(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _trend(rows: list[IndicatorFigures], year: int, upto: int) -> dict[str, Any]:
    """Average achievement to date at each quarter of the year, and the annual average of past years."""
    per_quarter: dict[int, list[Decimal]] = defaultdict(list)
    for row in rows:
        for quarter, percent in enumerate(selectors.quarterly_trend(row), start=1):
            if percent is not None:
                per_quarter[quarter].append(percent)
    per_year: dict[int, list[Decimal]] = defaultdict(list)
    for row in rows:
        for past, m in row.history.items():
            if m is not None and m.annual.status == Status.COMPUTED:
                per_year[past].append(m.annual.percent)
    quarters = [_average(per_quarter[q]) for q in range(1, upto + 1)]
    years = sorted(per_year)
    return {
        "quarters": {
            "labels": [f"TW {'I II III IV'.split()[q - 1]}" for q in range(1, upto + 1)],
            "values": [float(round_half_up(v)) if v is not None else None for v in quarters],
        },
        "years": {
            "labels": [str(y) for y in years],
            "values": [float(round_half_up(_average(per_year[y]))) for y in years],
        },
    }


def _groups(rows: list[IndicatorFigures]) -> list[tuple[Any, list[tuple[Any, list[IndicatorFigures]]]]]:
    """Rows grouped by goal, then objective, in plan order."""
    goals: dict[int, tuple[Any, dict[int, tuple[Any, list[IndicatorFigures]]]]] = {}
    for row in rows:
        objective = row.indicator.objective
        goal = objective.goal
        entry = goals.setdefault(goal.pk, (goal, {}))
        entry[1].setdefault(objective.pk, (objective, []))[1].append(row)
    return [(goal, list(objectives.values())) for goal, objectives in goals.values()]


def _indicator_table(rows: list[IndicatorFigures]) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Objective"), _("Code"), _("Indicator"), _("Unit of measure"), _("Polarity"), _("Aggregation"),
        _("Responsible unit"), _("Annual target"), _("Target to date"), _("Realisation to date"),
        _("Achievement to date (%)"), _("Achievement against annual target (%)"), _("Predicate"), _("Note"),
    ]  # fmt: skip
    body = []
    for row in rows:
        ind, m = row.indicator, row.measure
        annual = row.annual
        note = ""
        if m is not None and m.to_date.status != Status.COMPUTED:
            note = str(m.to_date.reason)
        elif row.is_qualitative:
            note = _("Qualitative indicator: compared in words, no percentage.")
        target_to_date = m.to_date.target.value if m and m.to_date.target else None
        body.append([
            ind.objective.code, ind.code, ind.name, ind.unit_of_measure, ind.get_polarity_display(),
            ind.get_aggregation_display(), str(ind.responsible_unit or ""),
            (annual.text or annual.value) if annual else None, target_to_date,
            m.to_date.realized if m else (row.current.text if row.current else None),
            round_half_up(m.to_date.percent) if m and m.to_date.percent is not None else None,
            round_half_up(m.annual.percent) if m and m.annual.percent is not None else None,
            row.band.label if row.band else "", note,
        ])  # fmt: skip
    return header, body


def _dashboard(
    request: HttpRequest, agency: Agency, *, unit: Unit | None, template: str, extra: dict[str, Any]
) -> HttpResponse:
    plan = _plan(agency, request)
    if plan is None:
        return render(request, template, {"agency": agency, "unit": unit, "plan": None, "can_plan": can_plan(request.user, agency), **extra})  # fmt: skip
    year, upto, form = period_from_request(request, plan)
    indicators = selectors.indicators_of(agency, plan, unit=unit)
    past = [y for y in range(year - HISTORY_YEARS, year) if plan.covers(y)]
    bands = selectors.bands_of(agency)
    threshold = selectors.threshold_of(agency)
    rows = selectors.figures(
        agency, year=year, upto=upto, indicators=indicators, history_years=past, bands=bands, threshold=threshold
    )
    units = list(Unit.objects.filter(agency=agency))
    divisions = selectors.division_status(rows, units)
    budget = selectors.budget_figures(agency, year=year, upto=upto, rows=rows, unit=unit)
    export = request.GET.get("export")
    if export:
        return _export(export, agency=agency, unit=unit, year=year, upto=upto, rows=rows, divisions=divisions, budget=budget)  # fmt: skip
    computed = [r.percent for r in rows if r.percent is not None]
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.band is not None:
            counts[row.band.label] += 1
    context = {
        "agency": agency, "unit": unit, "plan": plan, "form": form, "year": year, "upto": upto,
        "groups": _groups(rows), "rows": rows, "divisions": divisions, "budget": budget,
        "bands": bands, "band_counts": dict(counts),
        "at_risk": sum(1 for r in rows if r.at_risk), "threshold": threshold,
        "average": _average(computed), "filled": sum(1 for r in rows if r.filled), "total": len(rows),
        "chart": _chart(rows), "trend": _trend(rows, year, upto), "efficiency_labels": EFFICIENCY_LABELS,
        "can_plan": can_plan(request.user, agency), "query": request.GET.urlencode(), **extra,
    }  # fmt: skip
    return render(request, template, context)


def _export(
    kind: str, *, agency: Agency, unit: Unit | None, year: int, upto: int, rows, divisions, budget
) -> HttpResponse:  # noqa: ANN001
    name = f"{agency.short_name or agency.pk}-{unit.code if unit else 'dinas'}-{year}-TW{upto}"
    if kind == "indicators":
        header, body = _indicator_table(rows)
        return xlsx_response(f"capaian-{name}", [(_("Achievement"), header, body)])
    if kind == "divisions":
        header = [_("Unit"), _("Indicators"), _("Filled"), _("Filled (%)"), _("Average achievement (%)")]
        body = [
            [str(d.unit or _("No unit")), d.total, d.filled, round_half_up(d.percent_filled),
             round_half_up(d.average) if d.average is not None else None]
            for d in divisions
        ]  # fmt: skip
        return xlsx_response(f"pengisian-{name}", [(_("Data filled"), header, body)])
    if kind == "budget":
        header = [
            _("Code"), _("Programme / activity"), _("Responsible unit"), _("Budget ceiling"), _("Spent to date"),
            _("Absorption (%)"), _("Achievement (%)"), _("Efficiency (points)"), _("Efficiency"),
        ]  # fmt: skip
        body = [
            [b.line.code, b.line.name, str(b.line.unit or ""), b.line.ceiling, b.spent,
             round_half_up(b.absorption) if b.absorption is not None else None,
             round_half_up(b.achievement) if b.achievement is not None else None,
             round_half_up(b.efficiency) if b.efficiency is not None else None,
             str(EFFICIENCY_LABELS.get(b.efficiency_category, ""))]
            for b in budget
        ]  # fmt: skip
        return xlsx_response(f"anggaran-{name}", [(_("Budget"), header, body)])
    raise Http404


def index(request: HttpRequest) -> HttpResponse:
    """Sends the user to the dashboard their positions allow: the agency's, or their division's."""
    agencies = readable_agencies(request.user)
    whole = [a for a in agencies if reads_whole_agency(request.user, a)]
    if len(whole) == 1 and len(agencies) == 1:
        return redirect("measurement-dashboard", agency_id=whole[0].pk)
    if not whole and len(agencies) == 1:
        units = _own_divisions(request, agencies[0])
        if len(units) == 1:
            return redirect("measurement-division", unit_id=units[0].pk)
    entries = [(a, reads_whole_agency(request.user, a), _own_divisions(request, a)) for a in agencies]
    return render(request, "measurement/index.html", {"entries": entries})


def _own_divisions(request: HttpRequest, agency: Agency) -> list[Unit]:
    """The top-most units of the agency within the user's scope."""
    scope = unit_scope(request.user, agency)
    units = Unit.objects.filter(agency=agency).order_by("sort_order", "name")
    if scope is None:
        return list(units.filter(parent__isnull=True))
    return [u for u in units if u.pk in scope and (u.parent_id is None or u.parent_id not in scope)]


def agency_dashboard(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    if not reads_whole_agency(request.user, agency):
        raise PermissionDenied
    return _dashboard(request, agency, unit=None, template="measurement/dashboard.html", extra={})


def division_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = Unit.objects.select_related("agency").filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    agency = get_agency_for_user(request.user, unit.agency_id)
    scope = unit_scope(request.user, agency)
    if scope is not None and unit.pk not in scope:
        raise PermissionDenied
    return _dashboard(
        request, agency, unit=unit, template="measurement/dashboard.html",
        extra={"whole_agency": reads_whole_agency(request.user, agency)},
    )  # fmt: skip


def _quarter_series(row: IndicatorFigures) -> dict[str, Any]:
    """The quarter chart's target and realisation lines. A cumulative indicator's year-end projection is a
    total, so its lines are the totals to date, on the same scale as the projected year-end and the annual
    target; the others show each quarter's own figure."""
    targets = [t.value if t is not None else None for t in row.quarter_targets()]
    values = [r.value if r is not None and not r.no_data else None for r in row.quarter_values()]
    cumulative = row.indicator.aggregation == Aggregation.CUMULATIVE
    if cumulative:
        # A target to date needs every quarter's target so far; a realisation to date is drawn at reported quarters.
        targets = [_total(targets[: q + 1]) if None not in targets[: q + 1] else None for q in range(4)]
        values = [_total(values[: q + 1]) if values[q] is not None else None for q in range(4)]
    annual = row.annual
    if targets[3] is None and annual is not None and annual.value is not None:
        targets[3] = annual.value  # the year's end is held to the annual target when the quarter has none
    return {
        "target_label": _("Target to date") if cumulative else _("Target"),
        "value_label": _("Realisation to date") if cumulative else _("Realisation"),
        "targets": [float(t) if t is not None else None for t in targets],
        "values": [float(v) if v is not None else None for v in values],
    }


def _total(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def _rounded(projection: Projection | None) -> dict[str, Decimal] | None:
    """The projected value and its range rounded for display (a projection is not exact to many places)."""
    if projection is None or projection.value is None:
        return None
    return {name: round_half_up(getattr(projection, name)) for name in ("value", "low", "high")}


def _projection_marker(projection: Projection | None) -> dict[str, Any] | None:
    """The projected year-end and its range, drawn at TW IV of the quarter chart."""
    shown = _rounded(projection)
    if shown is None:
        return None
    return {
        "label": _("Projected year-end"), "range_label": _("Projected range"),
        "value": float(shown["value"]), "low": float(shown["low"]), "high": float(shown["high"]),
        "text": format_number(shown["value"]),
        "range_text": f"{format_number(shown['low'])} – {format_number(shown['high'])}",
    }  # fmt: skip


def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_indicator_for_user(request.user, pk)
    plan, agency = indicator.plan, indicator.agency
    year, upto, form = period_from_request(request, plan)
    threshold = selectors.threshold_of(agency)
    (row,) = selectors.figures(
        agency, year=year, upto=upto, indicators=[indicator], history_years=plan.years, threshold=threshold
    )
    history = []
    for past in plan.years:
        if past == year:
            continue
        m = row.history.get(past)
        history.append((past, m))
    chart = {
        "labels": [f"TW {n}" for n in ("I", "II", "III", "IV")],
        **_quarter_series(row),
        "trend": [float(round_half_up(p)) if p is not None else None for p in selectors.quarterly_trend(row)],
        "years": [str(y) for y, _m in history],
        "year_values": [float(round_half_up(m.annual.percent)) if m and m.annual.percent is not None else None for _y, m in history],
        "projection": _projection_marker(row.projection),
    }  # fmt: skip
    events = []
    realization_ids = indicator.realizations.values_list("pk", flat=True)
    if can_read_audit(request.user, agency) or can_plan(request.user, agency):
        events = list(
            AuditEvent.objects.filter(agency_id=agency.pk)
            .filter(
                Q(object_type="planning.indicator", object_id=str(indicator.pk))
                | Q(object_type="measurement.realization", object_id__in=[str(pk) for pk in realization_ids])
            )
            .order_by("-seq")[:50]
        )
    context = {
        "agency": agency, "indicator": indicator, "row": row, "form": form, "year": year, "upto": upto,
        "projection": row.projection, "projected": _rounded(row.projection), "threshold": threshold,
        "history": history, "chart": chart, "quarters": list(zip(row.quarter_targets(), row.quarter_values(), strict=True)), "events": events, "children": indicator.children.all(),
        "can_plan": can_plan(request.user, agency), "plan_targets": indicator.plan_targets.all(),
    }  # fmt: skip
    return render(request, "measurement/indicator.html", context)


def performance_tree(request: HttpRequest, agency_id: int) -> HttpResponse:
    """The pohon kinerja: goals → objectives → agency indicators → the indicators that cascade from them."""
    agency = get_agency_for_user(request.user, agency_id)
    plan = _plan(agency, request)
    if plan is None:
        return render(request, "measurement/tree.html", {"agency": agency, "plan": None})
    year, upto, form = period_from_request(request, plan)
    scope = unit_scope(request.user, agency)
    indicators = list(selectors.indicators_of(agency, plan))
    rows = {r.indicator.pk: r for r in selectors.figures(agency, year=year, upto=upto, indicators=indicators)}
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        children[indicator.parent_id].append(indicator)

    def visible(indicator: Indicator) -> bool:
        return scope is None or indicator.responsible_unit_id in scope

    def branch(indicator: Indicator, depth: int) -> list[tuple[int, IndicatorFigures, bool]]:
        out = [(depth, rows[indicator.pk], visible(indicator))]
        for child in children[indicator.pk]:
            out += branch(child, depth + 1)
        return out

    goals = []
    for goal, objectives in _groups([rows[i.pk] for i in children[None]]):
        goals.append((goal, [(objective, [line for r in members for line in branch(r.indicator, 0)]) for objective, members in objectives]))  # fmt: skip
    context = {"agency": agency, "plan": plan, "form": form, "year": year, "upto": upto, "goals": goals}
    return render(request, "measurement/tree.html", context)
