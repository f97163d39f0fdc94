"""The rows of the Renja evaluation form (Permendagri 86/2017), cell by cell: what each column of the form holds
for an indicator (K, kinerja) and for a budget line (Rp, anggaran), read from the measurement selectors.

Indicator rows carry the performance and budget-line rows the money, each budget line once, so that no rupiah is
counted under two indicators. Every realisation and achievement comes from `selectors.figures`, `selectors.compute`
and `selectors.budget_figures`; a column the application keeps no data for is left empty (None), never zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kinerja.lib.numbers import round_half_up
from kinerja.measurement.achievement import Outcome, Status
from kinerja.measurement.predicates import Band, absorption
from kinerja.measurement.selectors import (
    BudgetFigures,
    IndicatorFigures,
    bands_of,
    budget_figures,
    compute,
    figures,
    indicators_of,
)
from kinerja.org.models import Agency, Unit
from kinerja.planning.models import AgreementTarget, BudgetLine, Objective, PlanTarget, StrategicPlan

ROMAN = ("I", "II", "III", "IV")
# Sheet columns: form columns 1–4 one each, 5–16 a K and an Rp column each, 17–18 one each.
PAIRED = range(5, 17)
LAST_COLUMN = 30
K, RP = "K", "Rp"


def column(number: int, part: str = K) -> int:
    """The sheet column (1-based) of form column `number`; for columns 5–16, of its K or its Rp half."""
    if number <= 4:
        return number
    if number <= 16:
        return 5 + (number - 5) * 2 + (1 if part == RP else 0)
    return 29 + (number - 17)


# Values as the sheet shows them


def figure(value: Decimal | None, places: int) -> int | float | None:
    """A figure rounded for display: Excel keeps a float, and the database's 34 digits mean nothing on paper."""
    if value is None:
        return None
    rounded = round_half_up(value, places)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def _target(value: Decimal | None, upper: Decimal | None, text: str) -> int | float | str | None:
    """A target as written on the form: its number, its range "60 s.d. 80", or its words."""
    if upper is not None:
        low = figure(value, 4)
        return f"{_plain(low)} s.d. {_plain(figure(upper, 4))}"
    if value is not None:
        return figure(value, 4)
    return text or None


def _plain(value: int | float | None) -> str:
    return "" if value is None else str(value).replace(".", ",")


def percent(value: Decimal | None) -> int | float | None:
    return figure(value, 2)


def money(value: Decimal | None) -> int | float | None:
    return figure(value, 2)


def _average(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    return sum(values, Decimal(0)) / len(values) if values else None


def top_level(lines: Sequence[BudgetLine]) -> list[BudgetLine]:
    """The lines whose code has no parent code among the others: a programme over its activities, so that a
    total does not count an activity twice; an activity whose programme is not listed stays."""
    codes = {line.code for line in lines}

    def has_parent(code: str) -> bool:
        parts = code.split(".")
        return any(".".join(parts[:i]) in codes for i in range(1, len(parts)))

    return [line for line in lines if not has_parent(line.code)]


# The rows of the table


@dataclass
class Row:
    """One row of the table: cells by sheet column, and whether it is an indicator's (K) or a budget line's (Rp)."""

    cells: dict[int, Any]
    kind: str  # "indicator", "budget", "total" or "empty"
    renstra_percent: Decimal | None = None  # column 16 K at full precision, for the average


@dataclass
class Block:
    """An objective (sasaran) and the rows listed under it; the objective is None for budget lines tied to none."""

    objective: Objective | None
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    average_k: Decimal | None  # column 14 K, over the indicators whose achievement could be computed
    average_rp: Decimal | None  # column 14 Rp, over the top-level budget lines with a ceiling
    average_renstra: Decimal | None  # column 16 K
    bands: list[Band]


def _latest_text(row: IndicatorFigures | None, upto: int) -> str | None:
    """A qualitative indicator's realisation to date: the words of the latest quarter reported."""
    if row is None:
        return None
    for quarter in range(upto, 0, -1):
        realization = row.realizations.get(quarter)
        if realization is not None and realization.text:
            return realization.text
    return None


def _end_target(row: IndicatorFigures, end: PlanTarget | None) -> tuple[Decimal | None, Decimal | None, str]:
    """The Renstra target of the plan's last year; the indicator's own end target when that year has none."""
    if end is not None and (end.value is not None or end.upper is not None or end.text):
        return end.value, end.upper, end.text
    indicator = row.indicator
    return indicator.end_target, indicator.end_target_upper, indicator.end_target_text


def _renstra_outcome(row: IndicatorFigures, value: Decimal | None, upper: Decimal | None) -> Outcome | None:
    """This year's realisation to date against the Renstra end target, by the indicator's own rule: `compute` with
    the end target in the place of the annual one, so polarity, aggregation and the wait for the fourth quarter
    of a total that should stay low are exactly those of every other achievement."""
    if value is None and upper is None:
        return None
    target = AgreementTarget(quarter=AgreementTarget.ANNUAL, value=value, upper=upper)
    measure = compute(
        row.indicator, targets={AgreementTarget.ANNUAL: target}, realizations=row.realizations, upto=row.upto
    )
    return measure.annual if measure is not None else None


def _indicator_notes(row: IndicatorFigures, renstra: Outcome | None) -> str:
    notes: list[str] = []
    if row.is_qualitative:
        notes.append("Indikator kualitatif: capaian dibandingkan secara deskriptif, tanpa persentase.")
    for quarter in range(1, row.upto + 1):
        realization = row.realizations.get(quarter)
        if realization is not None and realization.no_data:
            notes.append(f"TW {ROMAN[quarter - 1]} tidak ada data: {realization.no_data_reason}")
        elif realization is None or not realization.is_reported:
            notes.append(f"Realisasi TW {ROMAN[quarter - 1]} belum dilaporkan.")
    m = row.measure
    if m is not None and m.to_date.status == Status.NOT_COMPUTABLE:
        notes.append(f"Kolom 14: {m.to_date.reason}")
    if renstra is not None and renstra.status == Status.NOT_COMPUTABLE and renstra.realized is not None:
        notes.append(f"Kolom 16: {renstra.reason}")
    return "\n".join(notes)


def _unit_name(row: IndicatorFigures) -> str:
    indicator = row.indicator
    if indicator.responsible_unit is not None:
        return indicator.responsible_unit.name
    return indicator.responsible_position.title if indicator.responsible_position is not None else ""


def indicator_row(
    row: IndicatorFigures, previous: IndicatorFigures | None, end: PlanTarget | None, line_codes: list[str]
) -> Row:
    """The K half of the form for one indicator, from its figures of this year and of last year."""
    indicator, m, upto = row.indicator, row.measure, row.upto
    qualitative = row.is_qualitative
    end_value, end_upper, end_text = _end_target(row, end)
    renstra = _renstra_outcome(row, end_value, end_upper) if not qualitative else None
    annual = row.annual
    cells: dict[int, Any] = {
        column(3): ", ".join(line_codes) or None,
        column(4): f"{indicator.code} {indicator.name} ({indicator.unit_of_measure})",
        column(5): figure(indicator.baseline, 4),
        column(6): _target(end_value, end_upper, end_text),
        column(8): _target(annual.value, annual.upper, annual.text) if annual is not None else None,
        column(17): _unit_name(row),
        column(18): _indicator_notes(row, renstra) or None,
    }
    if previous is not None:
        last = previous.measure
        cells[column(7)] = (
            _latest_text(previous, 4) if qualitative else figure(last.annual.realized if last else None, 4)
        )
    for quarter in range(1, upto + 1):
        realization = row.realizations.get(quarter)
        if realization is not None and not realization.no_data:
            cells[column(8 + quarter)] = (realization.text or None) if qualitative else figure(realization.value, 4)
    if qualitative:
        cells[column(13)] = cells[column(15)] = _latest_text(row, upto)
    elif m is not None:
        cells[column(13)] = figure(m.to_date.realized, 4)
        cells[column(14)] = percent(m.to_date.percent)
        cells[column(15)] = figure(renstra.realized if renstra else m.to_date.realized, 4)
        cells[column(16)] = percent(renstra.percent) if renstra else None
    return Row(cells, "indicator", renstra.percent if renstra else None)


def budget_row(item: BudgetFigures, upto: int, past: Decimal | None, supported: list[str], unit: Unit | None) -> Row:
    """The Rp half of the form for one budget line: its ceiling, what it spent each quarter and to date, and what
    its code spent in the plan's earlier years."""
    line = item.line
    cells: dict[int, Any] = {
        column(3): f"{line.code} {line.name}",
        column(4): f"Mendukung indikator: {', '.join(supported)}" if supported else None,
        column(7, RP): money(past),
        column(8, RP): money(line.ceiling),
        column(13, RP): money(item.spent),
        column(14, RP): percent(item.absorption),
        column(15, RP): money((past or Decimal(0)) + item.spent),
        column(17): unit.name if unit is not None else "",
    }
    for quarter in range(1, upto + 1):
        cells[column(8 + quarter, RP)] = money(getattr(line, f"spent_q{quarter}"))
    return Row(cells, "budget")


def _past_spending(agency: Agency, plan: StrategicPlan, year: int) -> dict[str, Decimal]:
    """What each budget code spent in the plan's years before `year`; a code with no quarter reported is absent."""
    spent: dict[str, list[Decimal]] = defaultdict(list)
    rows = BudgetLine.objects.filter(agency=agency, year__gte=plan.start_year, year__lt=year).values_list(
        "code", "spent_q1", "spent_q2", "spent_q3", "spent_q4"
    )
    for code, *quarters in rows:
        spent[code] += [value for value in quarters if value is not None]
    return {code: sum(values, Decimal(0)) for code, values in spent.items() if values}


@dataclass
class Table:
    blocks: list[Block]
    totals: Row
    summary: Summary


def table(agency: Agency, plan: StrategicPlan | None, year: int, quarter: int) -> Table:
    """Every row of the form for `year` up to `quarter`, grouped by objective in plan order."""
    bands = bands_of(agency)
    if plan is None:
        return Table([], Row({}, "total"), Summary(None, None, None, bands))
    indicators = list(indicators_of(agency, plan))
    rows = figures(agency, year=year, upto=quarter, indicators=indicators, bands=bands)
    previous: dict[int, IndicatorFigures] = {}
    if plan.covers(year - 1):
        previous = {
            r.indicator.pk: r for r in figures(agency, year=year - 1, upto=4, indicators=indicators, bands=bands)
        }
    ends = {t.indicator_id: t for t in PlanTarget.objects.filter(indicator__plan=plan, year=plan.end_year)}
    budget = budget_figures(agency, year=year, upto=quarter, rows=rows)
    past = _past_spending(agency, plan, year)
    units = {u.pk: u for u in Unit.objects.filter(agency=agency)}
    codes = {r.indicator.pk: r.indicator.code for r in rows}
    lines_of: dict[int, list[str]] = defaultdict(list)
    supported: dict[int, list[str]] = {}
    for item in budget:
        ids = [i.pk for i in item.line.indicators.all() if i.pk in codes]
        supported[item.line.pk] = [codes[pk] for pk in ids]
        for pk in ids:
            lines_of[pk].append(item.line.code)

    objectives = Objective.objects.filter(goal__plan=plan).select_related("goal")
    blocks = {o.pk: Block(o) for o in objectives.order_by("goal__sort_order", "goal__code", "sort_order", "code")}
    for row in rows:
        pk = row.indicator.pk
        blocks[row.indicator.objective_id].rows.append(indicator_row(row, previous.get(pk), ends.get(pk), lines_of[pk]))
    # A budget line is listed once, under the first objective (in plan order) of an indicator it supports.
    objective_of = {r.indicator.pk: r.indicator.objective_id for r in rows}
    rank = {objective_id: index for index, objective_id in enumerate(blocks)}
    unplaced = Block(None)
    for item in budget:
        line = item.line
        candidates = {objective_of[i.pk] for i in line.indicators.all() if i.pk in objective_of}
        block = blocks[min(candidates, key=rank.__getitem__)] if candidates else unplaced
        block.rows.append(budget_row(item, quarter, past.get(line.code), supported[line.pk], units.get(line.unit_id)))
    ordered = [*blocks.values(), *([unplaced] if unplaced.rows else [])]

    tops = top_level([item.line for item in budget])
    top_ids = {line.pk for line in tops}
    top_items = [item for item in budget if item.line.pk in top_ids]
    summary = Summary(
        average_k=_average(r.percent for r in rows if r.percent is not None),
        average_rp=_average(item.absorption for item in top_items if item.absorption is not None),
        average_renstra=_average(
            r.renstra_percent for block in ordered for r in block.rows if r.renstra_percent is not None
        ),
        bands=bands,
    )
    return Table(ordered, _totals(top_items, quarter, past), summary)


def _totals(items: list[BudgetFigures], upto: int, past: dict[str, Decimal]) -> Row:
    """The Rp of the top-level lines added up."""
    if not items:
        return Row({}, "total")
    ceiling = sum((item.line.ceiling for item in items), Decimal(0))
    spent = sum((item.spent for item in items), Decimal(0))
    earlier = [past[item.line.code] for item in items if item.line.code in past]
    before = sum(earlier, Decimal(0)) if earlier else None
    cells: dict[int, Any] = {
        column(7, RP): money(before), column(8, RP): money(ceiling), column(13, RP): money(spent),
        column(14, RP): percent(absorption(ceiling=ceiling, spent=spent)),
        column(15, RP): money((before or Decimal(0)) + spent),
    }  # fmt: skip
    for quarter in range(1, upto + 1):
        values = [v for item in items if (v := getattr(item.line, f"spent_q{quarter}")) is not None]
        cells[column(8 + quarter, RP)] = money(sum(values, Decimal(0))) if values else None
    return Row(cells, "total")
