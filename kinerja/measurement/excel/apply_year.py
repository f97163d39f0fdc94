"""Applying the year-bound sheets: agreements (parents first), their targets, then the signing of
the agreements marked ditandatangani, the realisations and the budget.

An agreement is matched by year and party one, a target by agreement and indicator, a
realisation by indicator, year and quarter, a budget line by year and code. The indicator codes
are those of the strategic plan that covers the row's year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja.measurement.excel import sheets as s
from kinerja.measurement.excel.cells import CellError, decimal, target_input
from kinerja.measurement.excel.context import Action, Run, parents_first, same_target
from kinerja.measurement.excel.reader import SheetRow
from kinerja.measurement.models import Realization
from kinerja.measurement.services import NEW, record_realization
from kinerja.planning.models import AgreementTarget, BudgetLine, Indicator, PerformanceAgreement, Scale, StrategicPlan
from kinerja.planning.services import (
    TargetInput,
    create_agreement,
    save_budget_line,
    set_agreement_targets,
    sign_agreement,
    target_errors,
)

AGREEMENT_COLUMNS = {
    "year": s.YEAR, "level": s.LEVEL, "party_one": s.PARTY_ONE, "party_two": s.PARTY_TWO,
    "party_two_title": s.PARTY_TWO_OUTSIDE, "parent": s.PARENT, "status": s.STATUS, "signed_on": s.SIGNED_ON,
}  # fmt: skip
REALIZATION_COLUMNS = {
    "year": s.YEAR, "quarter": s.QUARTER, "value": s.REALIZATION, "no_data": s.NO_DATA, "no_data_reason": s.NO_DATA,
}  # fmt: skip
BUDGET_COLUMNS = {
    "code": s.BUDGET_CODE, "name": s.BUDGET_NAME, "kind": s.KIND, "unit": s.RESPONSIBLE_UNIT, "ceiling": s.CEILING,
    "spent_q1": s.SPENT[0], "spent_q2": s.SPENT[1], "spent_q3": s.SPENT[2], "spent_q4": s.SPENT[3],
    "indicators": s.INDICATOR_CODE,
}  # fmt: skip
TARGET_HEADERS = ((AgreementTarget.ANNUAL, s.ANNUAL_TARGET), *enumerate(s.QUARTER_TARGETS, start=1))
AgreementKey = tuple[int, str]  # year, normalized title of party one


@dataclass(frozen=True)
class Signing:
    row: SheetRow
    agreement: PerformanceAgreement


def _plan(run: Run, row: SheetRow) -> StrategicPlan | None:
    year = row.get(s.YEAR)
    plan = run.plan_for(year)
    if plan is None:
        run.error(row, s.YEAR, _("no strategic plan of this agency covers %(year)s.") % {"year": year})
    return plan


def _indicator(run: Run, row: SheetRow, plan: StrategicPlan, code: str, column: str) -> Indicator | None:
    indicator = run.indicators(plan).get(code)
    if indicator is None:
        message = _("no indicator of the strategic plan %(plan)s has the code %(code)s.")
        run.error(row, column, message % {"plan": plan.name, "code": code})
    return indicator


def _agreement_of(
    run: Run, row: SheetRow, column: str, year: int, known: dict[AgreementKey, PerformanceAgreement]
) -> PerformanceAgreement | None:
    """The agreement of `year` whose party one has the title in `column`: from this import or saved before."""
    title = row.text(column)
    if (agreement := known.get((year, s.normalize(title)))) is not None:
        return agreement
    position, found = run.position(row, column)
    if not found or position is None:
        return None
    agreement = PerformanceAgreement.objects.filter(agency=run.agency, year=year, party_one=position).first()
    if agreement is None:
        message = _("there is no agreement of %(year)s with “%(title)s” as party one; add it on the sheet %(sheet)s.")
        run.error(row, column, message % {"year": year, "title": title, "sheet": s.SHEET_AGREEMENTS})
    return agreement


# Agreements


def apply_agreements(run: Run) -> tuple[dict[AgreementKey, PerformanceAgreement], list[Signing]]:
    keyed: dict[AgreementKey, SheetRow] = {}
    for row in run.book.sheet_rows(s.SHEET_AGREEMENTS):
        year, title = row.get(s.YEAR), row.text(s.PARTY_ONE)
        if not year or not title:
            continue
        key = (year, s.normalize(title))
        if key in keyed:
            message = _("“%(title)s” already has an agreement of %(year)s in row %(row)s.")
            run.error(row, s.PARTY_ONE, message % {"title": title, "year": year, "row": keyed[key].number})
            run.failed.add(("agreement", *key))
            continue
        keyed[key] = row
        if row.broken:
            run.failed.add(("agreement", *key))
    ordered, looped = parents_first(
        keyed, lambda row: (row.get(s.YEAR), s.normalize(row.text(s.PARENT))) if row.text(s.PARENT) else None
    )
    for key in looped:
        run.error(keyed[key], s.PARENT, _("the agreement cascades from itself, directly or through others."))
        run.failed.add(("agreement", *key))
    agreements: dict[AgreementKey, PerformanceAgreement] = {}
    signings: list[Signing] = []
    for key in ordered:
        if ("agreement", *key) in run.failed:
            continue
        agreement = _apply_agreement(run, keyed[key], agreements)
        if agreement is None:
            run.failed.add(("agreement", *key))
            continue
        agreements[key] = agreement
        signings.append(Signing(keyed[key], agreement))
    return agreements, signings


def _apply_agreement(
    run: Run, row: SheetRow, agreements: dict[AgreementKey, PerformanceAgreement]
) -> PerformanceAgreement | None:
    year = row.get(s.YEAR)
    plan = _plan(run, row)
    party_one, found_one = run.position(row, s.PARTY_ONE)
    party_two, found_two = run.position(row, s.PARTY_TWO)
    parent = None
    if parent_title := row.text(s.PARENT):
        if ("agreement", year, s.normalize(parent_title)) in run.failed:
            return None
        parent = _agreement_of(run, row, s.PARENT, year, agreements)
    if plan is None or party_one is None or not found_two or (parent_title and parent is None) or not found_one:
        return None
    outside = row.text(s.PARTY_TWO_OUTSIDE)
    label = f"{year} {party_one.title}"
    current = (
        PerformanceAgreement.objects.filter(agency=run.agency, year=year, party_one=party_one)
        .select_related("party_two", "parent")
        .first()
    )
    if current is None:
        agreement, ok = run.attempt(
            row,
            partial(
                create_agreement, plan=plan, year=year, level=row.get(s.LEVEL), party_one=party_one,
                party_two=party_two, party_two_title=outside, parent=parent, by=run.by,
            ),
            AGREEMENT_COLUMNS,
        )  # fmt: skip
        if ok:
            run.count(s.SHEET_AGREEMENTS, _("Agreements"), row, Action.CREATED, label)
        return agreement
    differences = [
        (s.LEVEL, current.level != row.get(s.LEVEL)),
        (s.PARTY_TWO, row.has(s.PARTY_TWO) and current.party_two_id != (party_two.pk if party_two else None)),
        (s.PARTY_TWO_OUTSIDE, row.has(s.PARTY_TWO_OUTSIDE) and current.party_two_title != outside),
        (s.PARENT, row.has(s.PARENT) and current.parent_id != (parent.pk if parent else None)),
    ]
    changed = [column for column, differs in differences if differs]
    for column in changed:
        message = _(
            "the agreement already exists with another value here; the import does not change an existing "
            "agreement's level, parties or parent. Change it in the application, or correct this cell."
        )
        run.error(row, column, message)
    if changed:
        return None
    run.count(s.SHEET_AGREEMENTS, _("Agreements"), row, Action.UNCHANGED, label)
    return current


def apply_signing(run: Run, signings: list[Signing]) -> None:
    """After the targets are in: signs the agreements marked ditandatangani that are not signed yet."""
    for signing in signings:
        row, agreement = signing.row, signing.agreement
        status = row.get(s.STATUS)  # blank: a draft stays a draft, a signed agreement stays signed
        signed_on: date | None = row.get(s.SIGNED_ON)
        if status != PerformanceAgreement.Status.SIGNED:
            if agreement.is_signed and status == PerformanceAgreement.Status.DRAFT:
                run.error(
                    row, s.STATUS, _("the agreement is already signed; a signed agreement does not go back to draft.")
                )
            elif signed_on is not None and not agreement.is_signed:
                run.error(
                    row, s.SIGNED_ON, _("a draft has no signing date; set Status to ditandatangani or clear this cell.")
                )
            continue
        if signed_on is None:
            run.error(row, s.SIGNED_ON, _("a signed agreement needs the day it was signed."))
            continue
        if agreement.is_signed:
            if agreement.signed_on != signed_on:
                message = _("the agreement was signed on %(date)s; the import does not change the signing date.")
                run.error(row, s.SIGNED_ON, message % {"date": date_format(agreement.signed_on, "j F Y")})
            continue
        _result, ok = run.attempt(
            row,
            partial(sign_agreement, agreement=agreement, version=agreement.version, signed_on=signed_on, by=run.by),
            {"__all__": s.STATUS},
        )
        if ok:
            run.count(
                s.SHEET_AGREEMENTS, _("Signed"), row, Action.CHANGED, f"{agreement.year} {agreement.party_one.title}"
            )


# Targets


def apply_targets(run: Run, agreements: dict[AgreementKey, PerformanceAgreement]) -> None:
    rows = [row for row in run.book.sheet_rows(s.SHEET_TARGETS) if not row.broken]
    years = {row.get(s.YEAR) for row in rows}
    current: dict[tuple[int, int], dict[int, AgreementTarget]] = {}
    for target in AgreementTarget.objects.filter(agreement__agency=run.agency, year__in=years):
        current.setdefault((target.agreement_id, target.indicator_id), {})[target.quarter] = target
    seen: dict[tuple[int, str, str], SheetRow] = {}
    for row in rows:
        year, party, code = row.get(s.YEAR), row.text(s.PARTY_ONE), row.text(s.INDICATOR_CODE)
        if not party:
            if any(row.get(header) is not None for _quarter, header in TARGET_HEADERS):
                run.error(row, s.PARTY_ONE, _("this cell must be filled in."))
            continue  # a template's row for an indicator that no agreement takes yet
        key = (year, s.normalize(party), code)
        if key in seen:
            message = _("this indicator's targets in this agreement are already in row %(row)s.")
            run.error(row, s.INDICATOR_CODE, message % {"row": seen[key].number})
            continue
        seen[key] = row
        if ("agreement", year, s.normalize(party)) in run.failed or ("indicator", code) in run.failed:
            continue
        plan = _plan(run, row)
        agreement = _agreement_of(run, row, s.PARTY_ONE, year, agreements) if plan else None
        indicator = _indicator(run, row, plan, code, s.INDICATOR_CODE) if plan else None
        if agreement is None or indicator is None:
            continue
        _apply_target_row(run, row, agreement, indicator, current.get((agreement.pk, indicator.pk), {}))


def _apply_target_row(
    run: Run, row: SheetRow, agreement: PerformanceAgreement, indicator: Indicator, current: dict[int, AgreementTarget]
) -> None:
    inputs: dict[int, TargetInput] = {}
    for quarter, header in TARGET_HEADERS:
        if not row.has(header):
            continue
        try:
            target = target_input(row.get(header), qualitative=indicator.scale == Scale.QUALITATIVE)
        except CellError as exc:
            run.error(row, header, exc.message)
            continue
        for message in target_errors(indicator, target):
            run.error(row, header, message)
        inputs[quarter] = target
    if len(inputs) < sum(1 for _q, header in TARGET_HEADERS if row.has(header)):
        return
    changes = {
        quarter: target
        for quarter, target in inputs.items()
        if not (same_target(current[quarter], target) if quarter in current else target.is_empty)
    }
    label = f"{agreement.party_one.title} · {indicator.code}"
    if not changes:
        run.count(s.SHEET_TARGETS, _("Targets"), row, Action.UNCHANGED, label)
        return
    reason = row.text(s.REVISION_REASON)
    if agreement.is_signed and not reason:
        message = _("the agreement of %(year)s is signed, so its targets change only as a revision: say why here.")
        run.error(row, s.REVISION_REASON, message % {"year": agreement.year})
        return
    _result, ok = run.attempt(
        row,
        partial(
            set_agreement_targets, agreement=agreement, targets={(indicator.pk, q): t for q, t in changes.items()},
            reason=reason, by=run.by,
        ),
        {},
    )  # fmt: skip
    if ok:
        run.count(s.SHEET_TARGETS, _("Targets"), row, Action.CHANGED if current else Action.CREATED, label)


# Realisations


def apply_realizations(run: Run) -> None:
    rows = [row for row in run.book.sheet_rows(s.SHEET_REALIZATIONS) if not row.broken]
    years = {row.get(s.YEAR) for row in rows}
    current = {
        (r.indicator_id, r.year, r.quarter): r
        for r in Realization.objects.filter(indicator__agency=run.agency, year__in=years)
    }
    seen: dict[tuple[int, int, str], SheetRow] = {}
    for row in rows:
        year, quarter, code = row.get(s.YEAR), row.get(s.QUARTER), row.text(s.INDICATOR_CODE)
        key = (year, quarter, code)
        if key in seen:
            message = _("this indicator's realisation of quarter %(quarter)s of %(year)s is already in row %(row)s.")
            run.error(row, s.INDICATOR_CODE, message % {"quarter": quarter, "year": year, "row": seen[key].number})
            continue
        seen[key] = row
        if ("indicator", code) in run.failed:
            continue
        plan = _plan(run, row)
        indicator = _indicator(run, row, plan, code, s.INDICATOR_CODE) if plan else None
        if indicator is not None:
            _apply_realization(run, row, indicator, current.get((indicator.pk, year, quarter)))


def _realization_value(run: Run, row: SheetRow, indicator: Indicator) -> tuple[Decimal | None, str] | None:
    raw = row.get(s.REALIZATION)
    try:
        if indicator.scale == Scale.QUALITATIVE:
            return None, target_input(raw, qualitative=True).text
        return (raw if isinstance(raw, Decimal) or raw is None else decimal(raw)), ""
    except CellError as exc:
        run.error(row, s.REALIZATION, exc.message)
        return None


def _apply_realization(run: Run, row: SheetRow, indicator: Indicator, current: Realization | None) -> None:
    figure = _realization_value(run, row, indicator)
    if figure is None:
        return
    value, text = figure

    def cell(header: str, field: str) -> str:
        # A column the sheet leaves out keeps what was stored.
        return row.text(header) if row.has(header) else (getattr(current, field) if current else "")

    reason = cell(s.NO_DATA, "no_data_reason")
    wanted: dict[str, Any] = {
        "value": value, "text": text, "no_data": bool(reason), "no_data_reason": reason,
        "factors_helped": cell(s.FACTORS_HELPED, "factors_helped"),
        "factors_hindered": cell(s.FACTORS_HINDERED, "factors_hindered"), "follow_up": cell(s.FOLLOW_UP, "follow_up"),
    }  # fmt: skip
    empty = value is None and not text and not reason
    label = f"{indicator.code} {row.get(s.YEAR)} {s.ROMAN[row.get(s.QUARTER) - 1]}"
    if current is None and empty:
        return
    if current is not None and all(getattr(current, name) == new for name, new in wanted.items()):
        run.count(s.SHEET_REALIZATIONS, _("Realisations"), row, Action.UNCHANGED, label)
        return
    _result, ok = run.attempt(
        row,
        partial(
            record_realization, indicator=indicator, year=row.get(s.YEAR), quarter=row.get(s.QUARTER),
            version=current.version if current else NEW, by=run.by, **wanted,
        ),
        REALIZATION_COLUMNS,
    )  # fmt: skip
    if ok:
        action = Action.CREATED if current is None else Action.REMOVED if empty else Action.CHANGED
        run.count(s.SHEET_REALIZATIONS, _("Realisations"), row, action, label)


# Budget


def apply_budget(run: Run) -> None:
    rows = [row for row in run.book.sheet_rows(s.SHEET_BUDGET) if not row.broken]
    years = {row.get(s.YEAR) for row in rows}
    current = {
        (line.year, line.code): line
        for line in BudgetLine.objects.filter(agency=run.agency, year__in=years)
        .select_related("unit")
        .prefetch_related("indicators")
    }
    seen: dict[tuple[int, str], SheetRow] = {}
    for row in rows:
        key = (row.get(s.YEAR), row.text(s.BUDGET_CODE))
        if key in seen:
            message = _("the code %(code)s is already used in %(year)s in row %(row)s.")
            run.error(row, s.BUDGET_CODE, message % {"code": key[1], "year": key[0], "row": seen[key].number})
            continue
        seen[key] = row
        _apply_budget_line(run, row, current.get(key))


def _budget_indicators(run: Run, row: SheetRow) -> tuple[list[Indicator] | None, bool]:
    codes: list[str] = row.get(s.INDICATOR_CODE) or []
    if not row.has(s.INDICATOR_CODE):
        return None, True
    if not codes:
        return [], True
    if any(("indicator", code) in run.failed for code in codes):
        return None, False
    plan = _plan(run, row)
    if plan is None:
        return None, False
    found = [_indicator(run, row, plan, code, s.INDICATOR_CODE) for code in codes]
    indicators = [indicator for indicator in found if indicator is not None]
    return indicators, len(indicators) == len(found)


def _apply_budget_line(run: Run, row: SheetRow, current: BudgetLine | None) -> None:
    year, code = row.get(s.YEAR), row.text(s.BUDGET_CODE)
    values: dict[str, Any] = {"code": code, "name": row.text(s.BUDGET_NAME), "ceiling": row.get(s.CEILING)}
    if row.get(s.KIND) is not None:
        values["kind"] = row.get(s.KIND)
    for quarter, header in enumerate(s.SPENT, start=1):
        if row.has(header):
            values[f"spent_q{quarter}"] = row.get(header)
    found_unit = True
    if row.has(s.RESPONSIBLE_UNIT):
        values["unit"], found_unit = run.unit(row, s.RESPONSIBLE_UNIT)
    indicators, found_indicators = _budget_indicators(run, row)
    if not (found_unit and found_indicators):
        return
    label = f"{year} {code} {values['name']}"
    if current is not None and all(getattr(current, name) == new for name, new in values.items()):
        if indicators is None or {i.pk for i in indicators} == {i.pk for i in current.indicators.all()}:
            run.count(s.SHEET_BUDGET, _("Budget lines"), row, Action.UNCHANGED, label)
            return
    _result, ok = run.attempt(
        row,
        partial(
            save_budget_line, agency=run.agency, year=year, line=current,
            version=current.version if current else None, values=values, indicators=indicators, by=run.by,
        ),
        BUDGET_COLUMNS,
    )  # fmt: skip
    if ok:
        run.count(s.SHEET_BUDGET, _("Budget lines"), row, Action.CHANGED if current else Action.CREATED, label)
