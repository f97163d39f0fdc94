"""Every change to plans, agreements, targets and budgets: validated, permission-checked, atomic, audited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.audit.services import record_event, snapshot
from kinerja.lib.errors import ConfirmationRequired
from kinerja.lib.versioning import save_if_unchanged
from kinerja.org.models import Agency, Position, Role
from kinerja.planning.models import (
    Aggregation,
    AgreementTarget,
    BudgetLine,
    Goal,
    Indicator,
    Objective,
    PerformanceAgreement,
    PlanTarget,
    Polarity,
    Scale,
    StrategicPlan,
    TargetRevision,
)
from kinerja.planning.permissions import require_planner

PLAN_FIELDS = ["name", "start_year", "end_year"]
GOAL_FIELDS = ["code", "statement", "sort_order"]
OBJECTIVE_FIELDS = ["goal", "code", "statement", "sort_order"]
INDICATOR_FIELDS = [
    "objective", "parent", "kind", "code", "name", "unit_of_measure", "scale", "polarity", "aggregation",
    "definition", "formula", "data_source", "baseline", "baseline_year", "end_target", "end_target_upper",
    "end_target_text", "responsible_unit", "responsible_position", "sort_order",
]  # fmt: skip
AGREEMENT_FIELDS = ["level", "party_one", "party_two", "party_two_title", "parent", "status", "signed_on"]
BUDGET_FIELDS = ["kind", "code", "name", "unit", "ceiling", "spent_q1", "spent_q2", "spent_q3", "spent_q4"]
PLAN_YEARS = 5


@dataclass(frozen=True)
class TargetInput:
    """A target as typed: a number (the lower bound for a range), an upper bound, or a text."""

    value: Decimal | None = None
    upper: Decimal | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.upper is None and not self.text.strip()


# Rules shared by the forms, the services and the Excel import


def target_errors(indicator: Indicator, target: TargetInput) -> list[str]:
    """What is wrong with `target` for `indicator`, as messages for the user."""
    if target.is_empty:
        return []
    if indicator.scale == Scale.QUALITATIVE:
        if target.value is not None or target.upper is not None:
            return [_("A qualitative indicator takes a text target, not a number.")]
        return []
    errors: list[str] = []
    if target.text.strip() and target.value is None:
        errors.append(_("This indicator is measured in numbers; write the target as a number."))
    if indicator.polarity == Polarity.RANGE:
        if target.value is None or target.upper is None:
            errors.append(_("A target within a range needs both a lower and an upper bound."))
        elif target.value > target.upper:
            errors.append(
                _("The lower bound (%(lower)s) is greater than the upper bound (%(upper)s); the bounds are swapped.")
                % {"lower": target.value, "upper": target.upper}
            )
    elif target.upper is not None:
        errors.append(_("Only an indicator measured within a range has an upper bound."))
    if indicator.scale in (Scale.COUNT, Scale.PERCENT):
        for bound in (target.value, target.upper):
            if bound is not None and bound < 0:
                errors.append(
                    _("A count or a percentage cannot have a negative target (%(value)s).") % {"value": bound}
                )
                break
    return errors


def indicator_errors(indicator: Indicator) -> dict[str, str]:
    errors: dict[str, str] = {}
    if indicator.objective.goal.plan_id != indicator.plan_id:
        errors["objective"] = _("The objective must belong to the same strategic plan.")
    if indicator.parent is not None:
        if indicator.parent.plan_id != indicator.plan_id:
            errors["parent"] = _("An indicator can only cascade from an indicator of the same plan.")
        else:
            step: Indicator | None = indicator.parent
            seen = {indicator.pk} if indicator.pk else set()
            while step is not None:
                if step.pk in seen:
                    errors["parent"] = _("An indicator cannot cascade from itself, directly or through others.")
                    break
                seen.add(step.pk)
                step = step.parent
    if indicator.responsible_unit is not None and indicator.responsible_unit.agency_id != indicator.agency_id:
        errors["responsible_unit"] = _("The responsible unit must belong to the same agency.")
    position = indicator.responsible_position
    if position is not None and position.agency_id != indicator.agency_id:
        errors["responsible_position"] = _("The responsible position must belong to the same agency.")
    if indicator.kind == Indicator.Kind.INDIVIDUAL and position is None:
        errors["responsible_position"] = _("An individual indicator needs the position whose holder it measures.")
    if indicator.scale == Scale.QUALITATIVE and indicator.aggregation != Aggregation.LAST:
        errors["aggregation"] = _("A qualitative indicator can only take the last value of the year.")
    end = TargetInput(indicator.end_target, indicator.end_target_upper, indicator.end_target_text)
    if messages := target_errors(indicator, end):
        errors["end_target"] = " ".join(messages)
    if indicator.baseline is not None and indicator.scale in (Scale.COUNT, Scale.PERCENT) and indicator.baseline < 0:
        errors["baseline"] = _("A count or a percentage cannot have a negative baseline.")
    return errors


def indicator_warnings(indicator: Indicator) -> list[str]:
    """Choices that are allowed but usually a mistake; the user confirms them."""
    warnings: list[str] = []
    if indicator.aggregation == Aggregation.CUMULATIVE and indicator.scale in (Scale.PERCENT, Scale.INDEX):
        warnings.append(
            _(
                "Adding up quarters of a percentage, index or ratio rarely makes sense: such indicators usually "
                "take the last value or the average. Confirm that this indicator is really cumulative."
            )
        )
    if indicator.scale == Scale.PERCENT and indicator.unit_of_measure.strip() not in ("%", "persen", "percent"):
        warnings.append(_("The scale is a percentage but the unit of measure is not “%”."))
    return warnings


def _raise(errors: dict[str, str] | list[str]) -> None:
    if errors:
        raise ValidationError(errors)


# Strategic plans, goals, objectives


def _validate_plan(plan: StrategicPlan) -> None:
    errors: dict[str, str] = {}
    if plan.end_year < plan.start_year:
        errors["end_year"] = _("The last year cannot come before the first year.")
    elif plan.end_year - plan.start_year + 1 > 6:
        errors["end_year"] = _("A strategic plan covers at most six years.")
    overlapping = StrategicPlan.objects.filter(
        agency_id=plan.agency_id, start_year__lte=plan.end_year, end_year__gte=plan.start_year
    )
    if plan.pk:
        overlapping = overlapping.exclude(pk=plan.pk)
    if overlapping.exists():
        errors["start_year"] = _("Another strategic plan of this agency already covers some of these years.")
    _raise(errors)


@transaction.atomic
def create_plan(*, agency: Agency, name: str, start_year: int, end_year: int | None = None, by: User) -> StrategicPlan:
    acting = require_planner(by, agency)
    plan = StrategicPlan(
        agency=agency, name=name.strip(), start_year=start_year, end_year=end_year or start_year + PLAN_YEARS - 1
    )
    _validate_plan(plan)
    plan.save()
    record_event(
        action="planning.plan.created", actor=by, acting_as=acting, agency=agency, target=plan,
        after=snapshot(plan, PLAN_FIELDS),
    )  # fmt: skip
    return plan


@transaction.atomic
def update_plan(*, plan: StrategicPlan, version: int, name: str, start_year: int, end_year: int, by: User) -> None:
    acting = require_planner(by, plan.agency)
    before = snapshot(plan, PLAN_FIELDS)
    plan.name, plan.start_year, plan.end_year = name.strip(), start_year, end_year
    _validate_plan(plan)
    save_if_unchanged(plan, version=version, fields=PLAN_FIELDS)
    record_event(
        action="planning.plan.updated", actor=by, acting_as=acting, agency=plan.agency, target=plan,
        before=before, after=snapshot(plan, PLAN_FIELDS),
    )  # fmt: skip


@transaction.atomic
def save_goal(
    *, plan: StrategicPlan, goal: Goal | None = None, code: str, statement: str, sort_order: int = 0, by: User
) -> Goal:
    """Creates a goal of `plan`, or changes `goal`."""
    acting = require_planner(by, plan.agency)
    before = snapshot(goal, GOAL_FIELDS) if goal else None
    goal = goal or Goal(plan=plan)
    goal.code, goal.statement, goal.sort_order = code.strip(), statement.strip(), sort_order
    clash = Goal.objects.filter(plan=plan, code=goal.code).exclude(pk=goal.pk).exists()
    _raise(
        {"code": _("Another goal of this plan already has the code %(code)s.") % {"code": goal.code}} if clash else {}
    )
    goal.save()
    record_event(
        action="planning.goal.updated" if before else "planning.goal.created", actor=by, acting_as=acting,
        agency=plan.agency, target=goal, before=before, after=snapshot(goal, GOAL_FIELDS),
    )  # fmt: skip
    return goal


@transaction.atomic
def save_objective(
    *, goal: Goal, objective: Objective | None = None, code: str, statement: str, sort_order: int = 0, by: User
) -> Objective:
    """Creates an objective under `goal`, or changes (and possibly moves) `objective`."""
    acting = require_planner(by, goal.plan.agency)
    before = snapshot(objective, OBJECTIVE_FIELDS) if objective else None
    if objective is not None and objective.goal.plan_id != goal.plan_id:
        raise ValidationError({"goal": _("The goal must belong to the same strategic plan.")})
    objective = objective or Objective(goal=goal)
    objective.goal, objective.code, objective.statement, objective.sort_order = (
        goal, code.strip(), statement.strip(), sort_order,
    )  # fmt: skip
    clash = Objective.objects.filter(goal__plan_id=goal.plan_id, code=objective.code).exclude(pk=objective.pk)
    if clash.exists():
        raise ValidationError({"code": _("Another objective of this plan already has the code %(code)s.") % {"code": objective.code}})  # fmt: skip
    objective.save()
    record_event(
        action="planning.objective.updated" if before else "planning.objective.created", actor=by, acting_as=acting,
        agency=goal.plan.agency, target=objective, before=before, after=snapshot(objective, OBJECTIVE_FIELDS),
    )  # fmt: skip
    return objective


# Indicators


@transaction.atomic
def save_indicator(
    *,
    plan: StrategicPlan,
    indicator: Indicator | None = None,
    version: int | None = None,
    values: dict,
    confirmed_warnings: bool = False,
    by: User,
) -> Indicator:
    """Creates an indicator of `plan` from `values` (INDICATOR_FIELDS), or changes `indicator`.

    Warnings (indicator_warnings) are raised as ConfirmationRequired (a ValidationError whose
    code is "warning") until the user confirms them.
    """
    acting = require_planner(by, plan.agency)
    before = snapshot(indicator, INDICATOR_FIELDS) if indicator else None
    indicator = indicator or Indicator(plan=plan, agency=plan.agency)
    for name in INDICATOR_FIELDS:
        if name in values:
            setattr(indicator, name, values[name].strip() if isinstance(values[name], str) else values[name])
    errors = indicator_errors(indicator)
    clash = Indicator.objects.filter(plan=plan, code=indicator.code).exclude(pk=indicator.pk).exists()
    if clash:
        errors["code"] = _("Another indicator of this plan already has the code %(code)s.") % {"code": indicator.code}
    _raise(errors)
    if not confirmed_warnings and (warnings := indicator_warnings(indicator)):
        raise ConfirmationRequired(warnings)
    if before is None:
        indicator.save()
    else:
        save_if_unchanged(
            indicator, version=version if version is not None else indicator.version, fields=INDICATOR_FIELDS
        )
    record_event(
        action="planning.indicator.updated" if before else "planning.indicator.created", actor=by, acting_as=acting,
        agency=plan.agency, target=indicator, before=before, after=snapshot(indicator, INDICATOR_FIELDS),
    )  # fmt: skip
    return indicator


@transaction.atomic
def set_plan_targets(*, indicator: Indicator, targets: dict[int, TargetInput], by: User) -> None:
    """Sets the Renstra's yearly targets of `indicator`; an empty input removes that year's target."""
    plan = indicator.plan
    acting = require_planner(by, plan.agency)
    errors: list[str] = []
    for year, target in sorted(targets.items()):
        if not plan.covers(year):
            errors.append(_("%(year)s is outside the plan's years.") % {"year": year})
        errors += [f"{year}: {message}" for message in target_errors(indicator, target)]
    _raise(errors)
    existing = {t.year: t for t in indicator.plan_targets.all()}
    before = {str(y): [t.value, t.upper, t.text] for y, t in existing.items()}
    for year, target in targets.items():
        row = existing.get(year)
        if target.is_empty:
            if row is not None:
                row.delete()
            continue
        row = row or PlanTarget(indicator=indicator, year=year)
        row.value, row.upper, row.text = target.value, target.upper, target.text.strip()
        row.save()
    after = {str(t.year): [t.value, t.upper, t.text] for t in indicator.plan_targets.all()}
    if before != after:
        record_event(
            action="planning.plan_targets.set", actor=by, acting_as=acting, agency=plan.agency, target=indicator,
            before=before, after=after,
        )  # fmt: skip


# Performance agreements


def _agreement_errors(agreement: PerformanceAgreement) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not agreement.plan.covers(agreement.year):
        errors["year"] = _("The year is outside the strategic plan's years.")
    one, two = agreement.party_one, agreement.party_two
    if one.agency_id != agreement.agency_id:
        errors["party_one"] = _("Party one must be a position of this agency.")
    if two is not None and two.agency_id != agreement.agency_id:
        errors["party_two"] = _("Party two must be a position of this agency.")
    if two is not None and two.pk == one.pk:
        errors["party_two"] = _("The two parties must be different positions.")
    if agreement.level == PerformanceAgreement.Level.AGENCY:
        if one.role != Role.HEAD:
            errors["party_one"] = _("The agency's agreement is made by the head of agency.")
        if not agreement.party_two_title.strip() and two is None:
            errors["party_two_title"] = _("Name the regional head who is party two.")
    elif two is None:
        errors["party_two"] = _("Choose the superior position that is party two.")
    if agreement.parent is not None and (
        agreement.parent.year != agreement.year or agreement.parent.agency_id != agreement.agency_id
    ):
        errors["parent"] = _("An agreement can only cascade from an agreement of the same agency and year.")
    clash = PerformanceAgreement.objects.filter(party_one=one, year=agreement.year).exclude(pk=agreement.pk)
    if clash.exists():
        errors["party_one"] = _("This position already has an agreement for %(year)s.") % {"year": agreement.year}
    return errors


@transaction.atomic
def create_agreement(
    *,
    plan: StrategicPlan,
    year: int,
    level: str,
    party_one: Position,
    party_two: Position | None,
    party_two_title: str = "",
    parent: PerformanceAgreement | None = None,
    by: User,
) -> PerformanceAgreement:
    acting = require_planner(by, plan.agency)
    agreement = PerformanceAgreement(
        agency=plan.agency, plan=plan, year=year, level=level, party_one=party_one, party_two=party_two,
        party_two_title=party_two_title.strip(), parent=parent,
    )  # fmt: skip
    _raise(_agreement_errors(agreement))
    agreement.save()
    record_event(
        action="planning.agreement.created", actor=by, acting_as=acting, agency=plan.agency, target=agreement,
        after=snapshot(agreement, AGREEMENT_FIELDS),
    )  # fmt: skip
    return agreement


def _target_row(target: AgreementTarget | None) -> list:
    return [target.value, target.upper, target.text] if target else [None, None, ""]


@transaction.atomic
def set_agreement_targets(
    *,
    agreement: PerformanceAgreement,
    targets: dict[tuple[int, int], TargetInput],
    reason: str = "",
    by: User,
) -> int:
    """Sets targets keyed by (indicator id, quarter; 0 = annual). Returns how many changed.

    A draft agreement's targets change freely. A signed agreement's targets change only as a
    revision: the reason is required and every old value is kept in a TargetRevision.
    """
    acting = require_planner(by, agreement.agency)
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={k[0] for k in targets}, agency=agreement.agency)}
    errors: list[str] = []
    for (indicator_id, quarter), target in sorted(targets.items()):
        indicator = indicators.get(indicator_id)
        if indicator is None:
            errors.append(_("An indicator of another agency cannot be added to this agreement."))
            continue
        if quarter not in range(5):
            errors.append(_("A quarter is between 1 and 4 (0 for the annual target)."))
            continue
        errors += [f"{indicator.code}: {message}" for message in target_errors(indicator, target)]
    taken = AgreementTarget.objects.filter(indicator_id__in=indicators, year=agreement.year).exclude(
        agreement=agreement
    )
    for code in sorted(set(taken.values_list("indicator__code", flat=True))):
        errors.append(_("%(code)s already has targets in another agreement of %(year)s.") % {"code": code, "year": agreement.year})  # fmt: skip
    if agreement.is_signed and not reason.strip():
        errors.append(_("The agreement is signed: give the reason for revising its targets."))
    _raise(errors)

    existing = {(t.indicator_id, t.quarter): t for t in agreement.targets.all()}
    changed = 0
    before: dict[str, list] = {}
    after: dict[str, list] = {}
    for key, target in sorted(targets.items()):
        row = existing.get(key)
        old, new = _target_row(row), [target.value, target.upper, target.text.strip()]
        if old == new or (row is None and target.is_empty):
            continue
        label = f"{indicators[key[0]].code}/{key[1]}"
        before[label], after[label] = old, new
        changed += 1
        if agreement.is_signed:
            if row is None:
                row = AgreementTarget(agreement=agreement, indicator_id=key[0], year=agreement.year, quarter=key[1])
            TargetRevision.objects.create(
                target=row if row.pk else _saved(row), old_value=old[0], old_upper=old[1], old_text=old[2],
                new_value=new[0], new_upper=new[1], new_text=new[2], reason=reason.strip(), revised_by=by,
            )  # fmt: skip
        if row is None:
            row = AgreementTarget(agreement=agreement, indicator_id=key[0], year=agreement.year, quarter=key[1])
        row.value, row.upper, row.text = new
        row.version += 1 if row.pk else 0
        row.save()
    if changed:
        record_event(
            action="planning.targets.revised" if agreement.is_signed else "planning.targets.set", actor=by,
            acting_as=acting, agency=agreement.agency, target=agreement, before=before,
            after={**after, "reason": reason.strip()} if agreement.is_signed else after,
        )  # fmt: skip
    return changed


def _saved(row: AgreementTarget) -> AgreementTarget:
    row.save()
    return row


@transaction.atomic
def remove_agreement_indicator(*, agreement: PerformanceAgreement, indicator: Indicator, by: User) -> None:
    """Takes an indicator out of a draft agreement, with all its targets."""
    acting = require_planner(by, agreement.agency)
    if agreement.is_signed:
        raise ValidationError(_("A signed agreement keeps its indicators; revise the targets instead."))
    rows = agreement.targets.filter(indicator=indicator)
    before = {f"{indicator.code}/{t.quarter}": _target_row(t) for t in rows}
    rows.delete()
    record_event(
        action="planning.targets.removed", actor=by, acting_as=acting, agency=agreement.agency, target=agreement,
        before=before,
    )  # fmt: skip


@transaction.atomic
def sign_agreement(*, agreement: PerformanceAgreement, version: int, signed_on: date, by: User) -> None:
    """Records that the agreement was signed on paper on `signed_on`; its targets are then frozen."""
    acting = require_planner(by, agreement.agency)
    if agreement.is_signed:
        raise ValidationError(_("This agreement is already signed."))
    if not agreement.targets.filter(quarter=AgreementTarget.ANNUAL).exists():
        raise ValidationError(_("An agreement without annual targets cannot be signed."))
    before = snapshot(agreement, AGREEMENT_FIELDS)
    agreement.status, agreement.signed_on = PerformanceAgreement.Status.SIGNED, signed_on
    save_if_unchanged(agreement, version=version, fields=["status", "signed_on"])
    record_event(
        action="planning.agreement.signed", actor=by, acting_as=acting, agency=agreement.agency, target=agreement,
        before=before, after=snapshot(agreement, AGREEMENT_FIELDS),
    )  # fmt: skip


@transaction.atomic
def copy_agreements_from_year(*, plan: StrategicPlan, year: int, by: User) -> list[PerformanceAgreement]:
    """Drafts `year`'s agreements from the previous year's: same parties and indicators.

    Annual targets come from the Renstra's target for `year` where there is one, else they stay
    empty for the planning head to fill; quarterly targets are not carried over, since last
    year's quarterly plan rarely fits a new year. Parties that already have an agreement for
    `year` are skipped.
    """
    acting = require_planner(by, plan.agency)
    source = list(
        PerformanceAgreement.objects.filter(agency=plan.agency, year=year - 1)
        .select_related("party_one", "party_two", "parent", "plan")
        .order_by("level", "pk")
    )
    if not source:
        raise ValidationError(_("There is no agreement of %(year)s to copy from.") % {"year": year - 1})
    if not plan.covers(year):
        raise ValidationError(_("The year is outside the strategic plan's years."))
    taken = set(PerformanceAgreement.objects.filter(agency=plan.agency, year=year).values_list("party_one", flat=True))
    renstra = {t.indicator_id: t for t in PlanTarget.objects.filter(indicator__plan=plan, year=year)}
    # Indicators each source agreement held, and those that already have a target this year.
    indicators_of: dict[int, set[int]] = defaultdict(set)
    for agreement_id, indicator_id in AgreementTarget.objects.filter(
        agreement__in=source, indicator__plan=plan
    ).values_list("agreement_id", "indicator_id"):
        indicators_of[agreement_id].add(indicator_id)
    targeted = set(
        AgreementTarget.objects.filter(indicator__plan=plan, year=year).values_list("indicator_id", flat=True)
    )
    created: dict[int, PerformanceAgreement] = {}
    for old in source:
        if old.party_one_id in taken or not old.party_one.is_active:
            continue
        new = PerformanceAgreement(
            agency=plan.agency, plan=plan, year=year, level=old.level, party_one=old.party_one,
            party_two=old.party_two, party_two_title=old.party_two_title,
            parent=created.get(old.parent_id) if old.parent_id else None,
        )  # fmt: skip
        new.save()
        created[old.pk] = new
        rows = []
        for indicator_id in sorted(indicators_of[old.pk] - targeted):
            source_target = renstra.get(indicator_id)
            rows.append(AgreementTarget(
                agreement=new, indicator_id=indicator_id, year=year, quarter=AgreementTarget.ANNUAL,
                value=source_target.value if source_target else None,
                upper=source_target.upper if source_target else None,
                text=source_target.text if source_target else "",
            ))  # fmt: skip
            targeted.add(indicator_id)
        AgreementTarget.objects.bulk_create(rows)
        record_event(
            action="planning.agreement.copied", actor=by, acting_as=acting, agency=plan.agency, target=new,
            after={**snapshot(new, AGREEMENT_FIELDS), "copied_from": old.pk},
        )  # fmt: skip
    return list(created.values())


# Budget


def _budget_errors(line: BudgetLine) -> dict[str, str]:
    errors: dict[str, str] = {}
    if line.ceiling is None or line.ceiling < 0:
        errors["ceiling"] = _("The budget ceiling cannot be negative.")
    spent = [v for v in line.spent(4) if v is not None]
    if any(v < 0 for v in spent):
        errors["spent_q1"] = _("Spending cannot be negative.")
    elif line.ceiling is not None and sum(spent, Decimal(0)) > line.ceiling:
        errors["spent_q4"] = _("The total spent (%(spent)s) is more than the ceiling (%(ceiling)s).") % {
            "spent": sum(spent, Decimal(0)), "ceiling": line.ceiling,
        }  # fmt: skip
    if line.unit is not None and line.unit.agency_id != line.agency_id:
        errors["unit"] = _("The responsible unit must belong to the same agency.")
    clash = BudgetLine.objects.filter(agency_id=line.agency_id, year=line.year, code=line.code).exclude(pk=line.pk)
    if clash.exists():
        errors["code"] = _("Another budget line of %(year)s already has the code %(code)s.") % {
            "year": line.year, "code": line.code,
        }  # fmt: skip
    return errors


@transaction.atomic
def save_budget_line(
    *,
    agency: Agency,
    year: int,
    line: BudgetLine | None = None,
    version: int | None = None,
    values: dict,
    indicators: list[Indicator] | None = None,
    by: User,
) -> BudgetLine:
    """Creates or changes a budget line of `year`; `values` holds BUDGET_FIELDS."""
    acting = require_planner(by, agency)
    before = snapshot(line, BUDGET_FIELDS + ["indicators"]) if line else None
    line = line or BudgetLine(agency=agency, year=year)
    for name in BUDGET_FIELDS:
        if name in values:
            setattr(line, name, values[name].strip() if isinstance(values[name], str) else values[name])
    errors = _budget_errors(line)
    if indicators and any(i.agency_id != agency.pk for i in indicators):
        errors["indicators"] = _("Only this agency's indicators can be linked.")
    _raise(errors)
    if before is None:
        line.save()
    else:
        save_if_unchanged(line, version=version if version is not None else line.version, fields=BUDGET_FIELDS)
    if indicators is not None:
        line.indicators.set(indicators)
    record_event(
        action="planning.budget.updated" if before else "planning.budget.created", actor=by, acting_as=acting,
        agency=agency, target=line, before=before, after=snapshot(line, BUDGET_FIELDS + ["indicators"]),
    )  # fmt: skip
    return line
