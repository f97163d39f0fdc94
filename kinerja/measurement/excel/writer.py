"""Writing the workbook: the agency's export and the templates to fill in.

openpyxl's write-only mode streams the rows into the file, so an export of every row of a large
agency never holds a worksheet of cell objects in memory. Enum cells get the Indonesian label
whatever the reader's language, since the sheets are the users' Indonesian vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from io import BytesIO
from itertools import chain
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from kinerja.lib.xlsx import write_cell
from kinerja.measurement.excel import sheets as s
from kinerja.measurement.excel.cells import number_cell, target_cell
from kinerja.measurement.models import Realization
from kinerja.org.models import Agency, Unit
from kinerja.planning.models import (
    AgreementTarget,
    BudgetLine,
    Indicator,
    Objective,
    PerformanceAgreement,
    StrategicPlan,
)
from kinerja.planning.services import PLAN_YEARS

TEMPLATE_KINDS = ("plan", "targets", "realizations", "budget")
_LEVEL_ORDER = {code: index for index, code in enumerate(PerformanceAgreement.Level.values)}
Row = dict[str, Any]
# Indicators in the order of the Renstra sheet, goal by goal and objective by objective, in every sheet: an
# import numbers new indicators in row order, so the copy of an agency exports its rows in the same order.
IN_PLAN_ORDER = (
    "objective__goal__sort_order", "objective__goal__code", "objective__sort_order", "objective__code", "sort_order",
    "code",
)  # fmt: skip


class Book:
    def __init__(self) -> None:
        self.book = Workbook(write_only=True)

    def add(self, name: str, columns: list[s.Column], rows: Iterable[Row]) -> None:
        sheet = self.book.create_sheet(name)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([write_cell(sheet, column.header, bold=True) for column in columns])
        for row in rows:
            sheet.append([write_cell(sheet, row.get(column.header)) for column in columns])

    def save(self) -> bytes:
        out = BytesIO()
        self.book.save(out)
        return out.getvalue()


def _unit_label(unit: Unit | None) -> str | None:
    return (unit.code or unit.name) if unit else None


def plan_for(agency: Agency, year: int | None) -> StrategicPlan | None:
    """The plan a workbook holds: the one covering `year`, or else the newest."""
    plans = StrategicPlan.objects.filter(agency=agency).order_by("-start_year")
    if year is not None:
        return plans.filter(start_year__lte=year, end_year__gte=year).first()
    return plans.first()


# Rows of each sheet


def _plan_rows(plan: StrategicPlan | None) -> list[Row]:
    if plan is None:
        return []
    return [{s.PLAN_NAME: plan.name, s.START_YEAR: plan.start_year, s.END_YEAR: plan.end_year}]


def _indicator_row(indicator: Indicator, years: list[int]) -> Row:
    targets = {t.year: t for t in indicator.plan_targets.all()}
    row: Row = {
        s.INDICATOR_CODE: indicator.code, s.INDICATOR: indicator.name,
        s.KIND: s.label_of(Indicator.Kind, indicator.kind),
        s.PARENT: indicator.parent.code if indicator.parent else None,
        s.UNIT_OF_MEASURE: indicator.unit_of_measure, s.SCALE: s.label_of(s.Scale, indicator.scale),
        s.POLARITY: s.label_of(s.Polarity, indicator.polarity),
        s.AGGREGATION: s.label_of(s.Aggregation, indicator.aggregation), s.DEFINITION: indicator.definition,
        s.FORMULA: indicator.formula, s.DATA_SOURCE: indicator.data_source, s.BASELINE: number_cell(indicator.baseline),
        s.BASELINE_YEAR: indicator.baseline_year,
        s.END_TARGET: target_cell(indicator.end_target, indicator.end_target_upper, indicator.end_target_text),
        s.RESPONSIBLE_UNIT: _unit_label(indicator.responsible_unit),
        s.RESPONSIBLE_POSITION: indicator.responsible_position.title if indicator.responsible_position else None,
    }  # fmt: skip
    for year in years:
        target = targets.get(year)
        row[f"Target {year}"] = target_cell(target.value, target.upper, target.text) if target else None
    return row


def _renstra_rows(plan: StrategicPlan | None) -> Iterator[Row]:
    """Goal by goal, objective by objective; a goal or objective without indicators gets a row of its own."""
    if plan is None:
        return
    indicators = (
        Indicator.objects.filter(plan=plan)
        .select_related("parent", "responsible_unit", "responsible_position")
        .prefetch_related("plan_targets")
        .order_by(*IN_PLAN_ORDER)
    )
    by_objective: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_objective.setdefault(indicator.objective_id, []).append(indicator)
    goals = plan.goals.prefetch_related(Prefetch("objectives", Objective.objects.order_by("sort_order", "code")))
    for goal in goals.order_by("sort_order", "code"):
        goal_cells = {s.GOAL_CODE: goal.code, s.GOAL: goal.statement}
        objectives = list(goal.objectives.all())
        if not objectives:
            yield goal_cells
        for objective in objectives:
            objective_cells = {**goal_cells, s.OBJECTIVE_CODE: objective.code, s.OBJECTIVE: objective.statement}
            members = by_objective.get(objective.pk, [])
            if not members:
                yield objective_cells
            for indicator in members:
                yield {**objective_cells, **_indicator_row(indicator, plan.years)}


def _agreements(plan: StrategicPlan | None, years: list[int]) -> list[PerformanceAgreement]:
    if plan is None:
        return []
    rows = PerformanceAgreement.objects.filter(plan=plan, year__in=years).select_related(
        "party_one", "party_two", "parent__party_one"
    )
    return sorted(rows, key=lambda a: (a.year, _LEVEL_ORDER.get(a.level, 9), a.party_one.title, a.pk))


def _agreement_rows(agreements: list[PerformanceAgreement]) -> Iterator[Row]:
    for agreement in agreements:
        yield {
            s.YEAR: agreement.year, s.LEVEL: s.label_of(PerformanceAgreement.Level, agreement.level),
            s.PARTY_ONE: agreement.party_one.title,
            s.PARTY_TWO: agreement.party_two.title if agreement.party_two else None,
            s.PARTY_TWO_OUTSIDE: agreement.party_two_title,
            s.PARENT: agreement.parent.party_one.title if agreement.parent else None,
            s.STATUS: s.label_of(PerformanceAgreement.Status, agreement.status), s.SIGNED_ON: agreement.signed_on,
        }  # fmt: skip


def _target_cells(targets: dict[int, AgreementTarget]) -> Row:
    headers = (s.ANNUAL_TARGET, *s.QUARTER_TARGETS)
    return {
        header: target_cell(t.value, t.upper, t.text) if (t := targets.get(quarter)) else None
        for quarter, header in enumerate(headers)
    }


def _target_rows(agreements: list[PerformanceAgreement]) -> Iterator[Row]:
    """Each agreement's indicators with their targets."""
    targets = AgreementTarget.objects.filter(agreement__in=agreements).select_related("indicator")
    grouped: dict[int, dict[int, dict[int, AgreementTarget]]] = {}
    indicators: dict[int, Indicator] = {}
    plans = {a.plan_id for a in agreements}
    rank = {
        pk: index
        for index, pk in enumerate(
            Indicator.objects.filter(plan__in=plans).order_by(*IN_PLAN_ORDER).values_list("pk", flat=True)
        )
    }
    for target in targets:
        grouped.setdefault(target.agreement_id, {}).setdefault(target.indicator_id, {})[target.quarter] = target
        indicators[target.indicator_id] = target.indicator
    for agreement in agreements:
        members = sorted(grouped.get(agreement.pk, {}).items(), key=lambda item: rank.get(item[0], 0))
        for indicator_id, by_quarter in members:
            indicator = indicators[indicator_id]
            yield {
                s.YEAR: agreement.year, s.PARTY_ONE: agreement.party_one.title, s.INDICATOR_CODE: indicator.code,
                s.INDICATOR: indicator.name, **_target_cells(by_quarter),
            }  # fmt: skip


def _unassigned_rows(plan: StrategicPlan | None, year: int) -> Iterator[Row]:
    """The plan's indicators without a target in `year`, with the party left for the planner to choose."""
    if plan is None:
        return
    taken = AgreementTarget.objects.filter(indicator__plan=plan, year=year).values("indicator_id")
    for indicator in Indicator.objects.filter(plan=plan).exclude(pk__in=taken).order_by(*IN_PLAN_ORDER):
        yield {s.YEAR: year, s.INDICATOR_CODE: indicator.code, s.INDICATOR: indicator.name}


def _realization_rows(plan: StrategicPlan | None, years: list[int], *, every_quarter: bool) -> Iterator[Row]:
    """The stored realisations; with `every_quarter`, one row per indicator and quarter, blank where none."""
    if plan is None:
        return
    indicators = list(Indicator.objects.filter(plan=plan).order_by(*IN_PLAN_ORDER))
    stored = {
        (r.indicator_id, r.year, r.quarter): r for r in Realization.objects.filter(indicator__plan=plan, year__in=years)
    }
    for year in years:
        for indicator in indicators:
            for quarter in range(1, 5):
                realization = stored.get((indicator.pk, year, quarter))
                if realization is None and not every_quarter:
                    continue
                row: Row = {
                    s.YEAR: year,
                    s.QUARTER: quarter,
                    s.INDICATOR_CODE: indicator.code,
                    s.INDICATOR: indicator.name,
                }
                if realization is not None:
                    row.update({
                        s.REALIZATION: (
                            number_cell(realization.value) if realization.value is not None else realization.text
                        ),
                        s.NO_DATA: realization.no_data_reason if realization.no_data else None,
                        s.FACTORS_HELPED: realization.factors_helped, s.FACTORS_HINDERED: realization.factors_hindered,
                        s.FOLLOW_UP: realization.follow_up,
                    })  # fmt: skip
                yield row


def _budget_rows(agency: Agency, years: list[int] | None) -> Iterator[Row]:
    lines = BudgetLine.objects.filter(agency=agency).select_related("unit").prefetch_related("indicators")
    if years is not None:
        lines = lines.filter(year__in=years)
    for line in lines.order_by("year", "code"):
        codes = sorted(indicator.code for indicator in line.indicators.all())
        row: Row = {
            s.YEAR: line.year, s.BUDGET_CODE: line.code, s.BUDGET_NAME: line.name,
            s.KIND: s.label_of(BudgetLine.Kind, line.kind), s.RESPONSIBLE_UNIT: _unit_label(line.unit),
            s.CEILING: number_cell(line.ceiling), s.INDICATOR_CODE: ", ".join(codes) or None,
        }  # fmt: skip
        for quarter, header in enumerate(s.SPENT, start=1):
            row[header] = number_cell(getattr(line, f"spent_q{quarter}"))
        yield row


# Workbooks


def export_workbook(agency: Agency, year: int | None = None) -> bytes:
    """The agency's plan and, for its years (or only `year`), its agreements, targets, realisations and budget."""
    plan = plan_for(agency, year)
    years = [year] if year is not None else (plan.years if plan else None)
    agreements = _agreements(plan, years or [])
    book = Book()
    book.add(s.SHEET_PLAN, list(s.PLAN.columns), _plan_rows(plan))
    book.add(s.SHEET_RENSTRA, s.renstra_columns(plan.years if plan else []), _renstra_rows(plan))
    book.add(s.SHEET_AGREEMENTS, list(s.AGREEMENTS.columns), _agreement_rows(agreements))
    book.add(s.SHEET_TARGETS, list(s.TARGETS.columns), _target_rows(agreements))
    book.add(
        s.SHEET_REALIZATIONS, list(s.REALIZATIONS.columns), _realization_rows(plan, years or [], every_quarter=False)
    )
    book.add(s.SHEET_BUDGET, list(s.BUDGET.columns), _budget_rows(agency, years))
    return book.save()


def template_workbook(agency: Agency, kind: str, year: int) -> bytes:
    """A workbook to fill in: its instructions first, then the sheets of `kind`, filled with what exists."""
    plan = plan_for(agency, year)
    book = Book()
    if kind == "plan":
        years = plan.years if plan else list(range(year, year + PLAN_YEARS))
        renstra = s.renstra_columns(years)
        instructions(book, [(s.PLAN, list(s.PLAN.columns)), (s.RENSTRA, renstra)])
        book.add(s.SHEET_PLAN, list(s.PLAN.columns), _plan_rows(plan))
        book.add(s.SHEET_RENSTRA, renstra, _renstra_rows(plan))
    elif kind == "targets":
        agreements = _agreements(plan, [year])
        instructions(book, [(s.AGREEMENTS, list(s.AGREEMENTS.columns)), (s.TARGETS, list(s.TARGETS.columns))])
        book.add(s.SHEET_AGREEMENTS, list(s.AGREEMENTS.columns), _agreement_rows(agreements))
        rows = chain(_target_rows(agreements), _unassigned_rows(plan, year))
        book.add(s.SHEET_TARGETS, list(s.TARGETS.columns), rows)
    elif kind == "realizations":
        instructions(book, [(s.REALIZATIONS, list(s.REALIZATIONS.columns))])
        book.add(
            s.SHEET_REALIZATIONS, list(s.REALIZATIONS.columns), _realization_rows(plan, [year], every_quarter=True)
        )
    elif kind == "budget":
        instructions(book, [(s.BUDGET, list(s.BUDGET.columns))])
        book.add(s.SHEET_BUDGET, list(s.BUDGET.columns), _budget_rows(agency, [year]))
    else:
        raise ValueError(f"Unknown template {kind!r}")
    return book.save()


_HELP_COLUMNS = [
    s.Column("Lembar", s.Kind.TEXT, "", width=20),
    s.Column("Kolom", s.Kind.TEXT, "", width=26),
    s.Column("Wajib", s.Kind.TEXT, "", width=8),
    s.Column("Keterangan", s.Kind.TEXT, "", width=70),
    s.Column("Nilai yang diterima", s.Kind.TEXT, "", width=70),
]


def instructions(book: Book, parts: list[tuple[s.Sheet, list[s.Column]]]) -> None:
    """The Petunjuk sheet: how to fill in the workbook, column by column. The import ignores it."""
    general = [
        _("Row 1 of each sheet holds the column headers: keep them as they are. Data starts in row 2."),
        _("Numbers: a comma for decimals and no thousands separators (12,5 or 1500000), or a number cell."),
        _("Formulas are not accepted: copy the cells and paste only their values."),
        _("The import is all or nothing: if one row has an error, nothing is saved, and every error is listed."),
    ]
    rows: list[Row] = [{"Keterangan": text} for text in general]
    for sheet, columns in parts:
        rows.append({"Lembar": sheet.name, "Keterangan": str(sheet.help)})
        for column in columns:
            accepted = s.listed_labels(column.choices) if column.choices else ""
            rows.append({
                "Lembar": sheet.name, "Kolom": column.header, "Wajib": _("yes") if column.required else "",
                "Keterangan": str(column.help), "Nilai yang diterima": accepted,
            })  # fmt: skip
    book.add(s.SHEET_HELP, _HELP_COLUMNS, rows)
