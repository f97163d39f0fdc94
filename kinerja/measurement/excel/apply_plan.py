"""Applying the Rencana Strategis and Renstra sheets: the plan, its goals, objectives, indicators
(parents before children, whatever the row order) and the Renstra's yearly targets.

Records are matched by code within the plan. A record the sheet does not change is not saved
again, so re-importing a file leaves no trace in the audit trail. New records take their order
from the rows; existing ones keep theirs.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from kinerja.lib.errors import ConfirmationRequired
from kinerja.measurement.excel import sheets as s
from kinerja.measurement.excel.cells import CellError, target_input
from kinerja.measurement.excel.context import Action, Run, parents_first, same_target
from kinerja.measurement.excel.reader import Issue, SheetRow
from kinerja.planning.models import Goal, Indicator, Objective, PlanTarget, Scale, StrategicPlan
from kinerja.planning.services import (
    PLAN_YEARS,
    TargetInput,
    create_plan,
    save_goal,
    save_indicator,
    save_objective,
    set_plan_targets,
    target_errors,
    update_plan,
)

PLAN_COLUMNS = {"name": s.PLAN_NAME, "start_year": s.START_YEAR, "end_year": s.END_YEAR}
GOAL_COLUMNS = {"code": s.GOAL_CODE, "statement": s.GOAL}
OBJECTIVE_COLUMNS = {"goal": s.GOAL_CODE, "code": s.OBJECTIVE_CODE, "statement": s.OBJECTIVE}
INDICATOR_COLUMNS = {
    "objective": s.OBJECTIVE_CODE, "parent": s.PARENT, "kind": s.KIND, "code": s.INDICATOR_CODE, "name": s.INDICATOR,
    "unit_of_measure": s.UNIT_OF_MEASURE, "scale": s.SCALE, "polarity": s.POLARITY, "aggregation": s.AGGREGATION,
    "definition": s.DEFINITION, "formula": s.FORMULA, "data_source": s.DATA_SOURCE, "baseline": s.BASELINE,
    "baseline_year": s.BASELINE_YEAR, "end_target": s.END_TARGET, "end_target_upper": s.END_TARGET,
    "end_target_text": s.END_TARGET, "responsible_unit": s.RESPONSIBLE_UNIT,
    "responsible_position": s.RESPONSIBLE_POSITION,
}  # fmt: skip
_ENUMS = {s.KIND: "kind", s.SCALE: "scale", s.POLARITY: "polarity", s.AGGREGATION: "aggregation"}
_TEXTS = {
    s.UNIT_OF_MEASURE: "unit_of_measure", s.DEFINITION: "definition", s.FORMULA: "formula",
    s.DATA_SOURCE: "data_source",
}  # fmt: skip
_NUMBERS = {s.BASELINE: "baseline", s.BASELINE_YEAR: "baseline_year"}
FAILED_PLAN = ("plan",)


def _labels() -> dict[str, str]:
    return {
        "plan": _("Strategic plan"), "goal": _("Goals"), "objective": _("Objectives"), "indicator": _("Indicators"),
        "target": _("Renstra targets"),
    }  # fmt: skip


def apply_plan(run: Run) -> None:
    """The one row of the Rencana Strategis sheet: the plan with that first year, created or updated."""
    if not run.book.has_sheet(s.SHEET_PLAN):
        return
    rows = run.book.sheet_rows(s.SHEET_PLAN)
    if not rows:
        run.sheet_error(s.SHEET_PLAN, _("the sheet has no plan; fill in row 2."))
        run.failed.add(FAILED_PLAN)
        return
    for extra in rows[1:]:
        run.error(extra, "", _("a workbook holds one strategic plan; remove this row."))
    row = rows[0]
    if row.broken or len(rows) > 1:
        run.failed.add(FAILED_PLAN)
        return
    name, start = row.text(s.PLAN_NAME), row.get(s.START_YEAR)
    end = row.get(s.END_YEAR) or start + PLAN_YEARS - 1
    plan = StrategicPlan.objects.filter(agency=run.agency, start_year=start).first()
    if plan is None:
        plan, ok = run.attempt(
            row, partial(create_plan, agency=run.agency, name=name, start_year=start, end_year=end, by=run.by),
            PLAN_COLUMNS,
        )  # fmt: skip
        action = Action.CREATED
    elif (plan.name, plan.end_year) != (name, end):
        _result, ok = run.attempt(
            row,
            partial(update_plan, plan=plan, version=plan.version, name=name, start_year=start, end_year=end, by=run.by),
            PLAN_COLUMNS,
        )
        action = Action.CHANGED
    else:
        ok, action = True, Action.UNCHANGED
    if not ok or plan is None:
        run.failed.add(FAILED_PLAN)
        return
    run.sheet_plan = plan
    run.forget_plans()
    run.count(s.SHEET_PLAN, _labels()["plan"], row, action, plan.name)


def _renstra_plan(run: Run) -> StrategicPlan | None:
    if FAILED_PLAN in run.failed:
        return None
    if run.sheet_plan is not None:
        return run.sheet_plan
    plans = StrategicPlan.objects.filter(agency=run.agency).order_by("-start_year")
    if years := run.book.target_years():
        plan = plans.filter(start_year__lte=min(years), end_year__gte=max(years)).first()
    else:
        plan = plans.first()
    if plan is None:
        run.sheet_error(
            s.SHEET_RENSTRA,
            _("no strategic plan of this agency covers these indicators; add the sheet %(sheet)s with the plan.")
            % {"sheet": s.SHEET_PLAN},
        )
    return plan


def apply_renstra(run: Run) -> None:
    if not run.book.has_sheet(s.SHEET_RENSTRA):
        return
    rows = run.book.sheet_rows(s.SHEET_RENSTRA)
    plan = _renstra_plan(run)
    if plan is None:
        run.failed.update(("indicator", row.text(s.INDICATOR_CODE)) for row in rows)
        return
    years = _target_years(run, plan, rows)
    goals = _apply_goals(run, plan, rows)
    objectives = _apply_objectives(run, plan, rows, goals)
    _apply_indicators(run, plan, rows, objectives, years)
    run.forget_indicators()


def _target_years(run: Run, plan: StrategicPlan, rows: list[SheetRow]) -> list[int]:
    """The "Target <year>" columns to apply; one error for each filled column outside the plan's years."""
    years = []
    for year in run.book.target_years():
        header = s.target_year_column(year).header
        if plan.covers(year):
            years.append(year)
        elif any(row.get(header) is not None for row in rows):
            message = _("%(year)s is outside the plan's years (%(start)s–%(end)s).")
            run.sheet_error(
                s.SHEET_RENSTRA, message % {"year": year, "start": plan.start_year, "end": plan.end_year}, header
            )
    return years


def _apply_goals(run: Run, plan: StrategicPlan, rows: list[SheetRow]) -> dict[str, Goal]:
    existing = {g.code: g for g in plan.goals.all()}
    next_order = max((g.sort_order for g in existing.values()), default=0)
    first: dict[str, SheetRow] = {}
    saved: dict[str, Goal] = {}
    for row in rows:
        code, statement = row.text(s.GOAL_CODE), row.text(s.GOAL)
        if not code or not statement:
            continue
        if code in first:
            if first[code].text(s.GOAL) != statement:
                message = _("goal %(code)s has another statement in row %(row)s; a goal has one statement.")
                run.error(row, s.GOAL, message % {"code": code, "row": first[code].number})
                run.failed.add(("goal", code))
            continue
        first[code] = row
        goal = existing.get(code)
        if goal is None:
            next_order += 1
            order = next_order
            goal, ok = run.attempt(
                row, partial(save_goal, plan=plan, code=code, statement=statement, sort_order=order, by=run.by),
                GOAL_COLUMNS,
            )  # fmt: skip
            action = Action.CREATED
        elif goal.statement != statement:
            goal, ok = run.attempt(
                row,
                partial(
                    save_goal,
                    plan=plan,
                    goal=goal,
                    code=code,
                    statement=statement,
                    sort_order=goal.sort_order,
                    by=run.by,
                ),
                GOAL_COLUMNS,
            )
            action = Action.CHANGED
        else:
            ok, action = True, Action.UNCHANGED
        if ok and goal is not None:
            saved[code] = goal
            run.count(s.SHEET_RENSTRA, _labels()["goal"], row, action, f"{code} {statement}")
        else:
            run.failed.add(("goal", code))
    return {code: goal for code, goal in saved.items() if ("goal", code) not in run.failed}


def _apply_objectives(
    run: Run, plan: StrategicPlan, rows: list[SheetRow], goals: dict[str, Goal]
) -> dict[str, Objective]:
    existing = {o.code: o for o in Objective.objects.filter(goal__plan=plan).select_related("goal")}
    next_order: dict[int, int] = {}
    for objective in existing.values():
        next_order[objective.goal_id] = max(next_order.get(objective.goal_id, 0), objective.sort_order)
    first: dict[str, SheetRow] = {}
    saved: dict[str, Objective] = {}
    for row in rows:
        goal_code, code, statement = row.text(s.GOAL_CODE), row.text(s.OBJECTIVE_CODE), row.text(s.OBJECTIVE)
        if not code:
            if statement or row.text(s.INDICATOR_CODE):
                run.error(row, s.OBJECTIVE_CODE, _("this cell must be filled in."))
            continue
        if not statement:
            run.error(row, s.OBJECTIVE, _("this cell must be filled in."))
            run.failed.add(("objective", code))
            continue
        if code in first:
            earlier = first[code]
            if earlier.text(s.OBJECTIVE) != statement or earlier.text(s.GOAL_CODE) != goal_code:
                message = _("objective %(code)s has another statement or goal in row %(row)s.")
                run.error(row, s.OBJECTIVE, message % {"code": code, "row": earlier.number})
                run.failed.add(("objective", code))
            continue
        first[code] = row
        goal = goals.get(goal_code)
        if goal is None:
            run.failed.add(("objective", code))
            continue
        objective = existing.get(code)
        if objective is None:
            next_order[goal.pk] = order = next_order.get(goal.pk, 0) + 1
            objective, ok = run.attempt(
                row,
                partial(save_objective, goal=goal, code=code, statement=statement, sort_order=order, by=run.by),
                OBJECTIVE_COLUMNS,
            )
            action = Action.CREATED
        elif objective.statement != statement or objective.goal_id != goal.pk:
            objective, ok = run.attempt(
                row,
                partial(
                    save_objective, goal=goal, objective=objective, code=code, statement=statement,
                    sort_order=objective.sort_order, by=run.by,
                ),
                OBJECTIVE_COLUMNS,
            )  # fmt: skip
            action = Action.CHANGED
        else:
            ok, action = True, Action.UNCHANGED
        if ok and objective is not None:
            saved[code] = objective
            run.count(s.SHEET_RENSTRA, _labels()["objective"], row, action, f"{code} {statement}")
        else:
            run.failed.add(("objective", code))
    return {code: objective for code, objective in saved.items() if ("objective", code) not in run.failed}


def _indicator_rows(run: Run, rows: list[SheetRow]) -> dict[str, SheetRow]:
    """The rows with an indicator code, one per code; duplicates and unreadable rows are marked failed."""
    by_code: dict[str, SheetRow] = {}
    for row in rows:
        code = row.text(s.INDICATOR_CODE)
        if not code:
            if row.text(s.INDICATOR):
                run.error(row, s.INDICATOR_CODE, _("this cell must be filled in."))
            continue
        if code in by_code:
            message = _("the indicator code %(code)s is already used in row %(row)s; codes must be unique.")
            run.error(row, s.INDICATOR_CODE, message % {"code": code, "row": by_code[code].number})
            run.failed.add(("indicator", code))
            continue
        by_code[code] = row
        if row.broken:
            run.failed.add(("indicator", code))
        elif not row.text(s.INDICATOR):
            run.error(row, s.INDICATOR, _("this cell must be filled in."))
            run.failed.add(("indicator", code))
    return by_code


def _parents_first(run: Run, by_code: dict[str, SheetRow]) -> list[str]:
    ordered, looped = parents_first(by_code, lambda row: row.text(s.PARENT) or None)
    for code in looped:
        message = _("%(code)s cascades from itself, directly or through the indicators in its Induk column.")
        run.error(by_code[code], s.PARENT, message % {"code": code})
        run.failed.add(("indicator", code))
    return ordered


def _apply_indicators(
    run: Run, plan: StrategicPlan, rows: list[SheetRow], objectives: dict[str, Objective], years: list[int]
) -> None:
    existing = {
        i.code: i
        for i in Indicator.objects.filter(plan=plan).select_related(
            "plan", "agency", "objective__goal", "parent", "responsible_unit", "responsible_position"
        )
    }
    by_code = _indicator_rows(run, rows)
    next_order = max((i.sort_order for i in existing.values()), default=0)
    new_order: dict[str, int] = {}
    for code in by_code:
        if code not in existing:
            next_order += 1
            new_order[code] = next_order
    saved: dict[str, Indicator] = {}
    for code in _parents_first(run, by_code):
        if ("indicator", code) in run.failed:
            continue
        row = by_code[code]
        indicator = _apply_indicator(
            run, plan, row, existing.get(code), objectives, saved, existing, new_order.get(code)
        )
        if indicator is None:
            run.failed.add(("indicator", code))
            continue
        saved[code] = indicator
        _apply_plan_targets(run, row, indicator, years)


def _indicator_values(
    run: Run, row: SheetRow, current: Indicator | None, objectives: dict[str, Objective], known: dict[str, Indicator]
) -> dict[str, Any] | None:
    """The fields the row sets (only those of the columns the sheet has); None after an error."""
    objective = objectives.get(row.text(s.OBJECTIVE_CODE))
    if objective is None:
        return None  # its objective's row failed and was reported
    values: dict[str, Any] = {"objective": objective, "code": row.text(s.INDICATOR_CODE), "name": row.text(s.INDICATOR)}
    ok = True
    if row.has(s.PARENT):
        parent_code = row.text(s.PARENT)
        values["parent"] = known.get(parent_code) if parent_code else None
        if parent_code and ("indicator", parent_code) in run.failed:
            return None
        if parent_code and values["parent"] is None:
            run.error(row, s.PARENT, _("no indicator of this plan has the code %(code)s.") % {"code": parent_code})
            ok = False
    for header, name in _ENUMS.items():
        if row.get(header) is not None:
            values[name] = row.get(header)
    for header, name in _TEXTS.items():
        if row.has(header):
            values[name] = row.text(header)
    for header, name in _NUMBERS.items():
        if row.has(header):
            values[name] = row.get(header)
    if row.has(s.RESPONSIBLE_UNIT):
        values["responsible_unit"], found = run.unit(row, s.RESPONSIBLE_UNIT)
        ok = ok and found
    if row.has(s.RESPONSIBLE_POSITION):
        values["responsible_position"], found = run.position(row, s.RESPONSIBLE_POSITION)
        ok = ok and found
    if row.has(s.END_TARGET):
        scale = values.get("scale") or (current.scale if current else Scale.COUNT)
        try:
            end = target_input(row.get(s.END_TARGET), qualitative=scale == Scale.QUALITATIVE)
        except CellError as exc:
            run.error(row, s.END_TARGET, exc.message)
            return None
        values.update(end_target=end.value, end_target_upper=end.upper, end_target_text=end.text)
    return values if ok else None


def _apply_indicator(
    run: Run,
    plan: StrategicPlan,
    row: SheetRow,
    current: Indicator | None,
    objectives: dict[str, Objective],
    saved: dict[str, Indicator],
    existing: dict[str, Indicator],
    order: int | None,
) -> Indicator | None:
    values = _indicator_values(run, row, current, objectives, {**existing, **saved})
    if values is None:
        return None
    label = f"{values['code']} {values['name']}"
    if current is not None and all(getattr(current, name) == value for name, value in values.items()):
        run.count(s.SHEET_RENSTRA, _labels()["indicator"], row, Action.UNCHANGED, label)
        return current
    if current is None:
        values["sort_order"] = order or 0

    def save(confirmed: bool) -> Indicator:
        return save_indicator(
            plan=plan, indicator=current, version=current.version if current else None, values=values,
            confirmed_warnings=confirmed, by=run.by,
        )  # fmt: skip

    try:
        indicator = save(False)
    except ValidationError as exc:
        if not isinstance(exc, ConfirmationRequired):
            run.service_errors(row, exc, INDICATOR_COLUMNS)
            return None
        run.warnings += [Issue(message, sheet=row.sheet, row=row.number) for message in exc.messages]
        indicator, ok = run.attempt(row, lambda: save(True), INDICATOR_COLUMNS)
        if not ok:
            return None
    except IntegrityError:
        run.error(row, "", _("This row clashes with a record saved at the same moment; try the import again."))
        return None
    run.count(s.SHEET_RENSTRA, _labels()["indicator"], row, Action.CHANGED if current else Action.CREATED, label)
    return indicator


def _plan_target_action(current: PlanTarget | None, target: TargetInput) -> Action:
    if current is None:
        return Action.UNCHANGED if target.is_empty else Action.CREATED
    if target.is_empty:
        return Action.REMOVED
    return Action.UNCHANGED if same_target(current, target) else Action.CHANGED


def _apply_plan_targets(run: Run, row: SheetRow, indicator: Indicator, years: list[int]) -> None:
    inputs: dict[int, TargetInput] = {}
    for year in years:
        header = s.target_year_column(year).header
        if not row.has(header):
            continue
        try:
            target = target_input(row.get(header), qualitative=indicator.scale == Scale.QUALITATIVE)
        except CellError as exc:
            run.error(row, header, exc.message)
            continue
        if problems := target_errors(indicator, target):
            for message in problems:
                run.error(row, header, message)
            continue
        inputs[year] = target
    current = {t.year: t for t in indicator.plan_targets.all()}
    actions = {year: _plan_target_action(current.get(year), target) for year, target in inputs.items()}
    changes = {year: inputs[year] for year, action in actions.items() if action != Action.UNCHANGED}
    if changes:
        _result, ok = run.attempt(
            row, partial(set_plan_targets, indicator=indicator, targets=changes, by=run.by), INDICATOR_COLUMNS
        )
        if not ok:
            return
    for year, action in actions.items():
        run.count(s.SHEET_RENSTRA, _labels()["target"], row, action, f"{indicator.code} {year}")
