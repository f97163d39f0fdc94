"""Who may read and change plans, agreements and targets.

Reading follows the organisation's rules (org.permissions): the agency-wide roles and the
agency's evaluators read everything; a division head, section head or staff member reads the
indicators of their own units. Only the planning head (Kasubbag Perencanaan) changes plans,
agreements, targets, budgets and, until the collection workflow exists, realisations.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinerja.accounts.models import User
from kinerja.org.models import Agency, Assignment, Role
from kinerja.org.permissions import assignment_with_role, readable_agency_ids, unit_scope
from kinerja.planning.models import BudgetLine, Indicator, PerformanceAgreement, StrategicPlan

PLANNER_ROLES = frozenset({Role.PLANNING_HEAD})


def planner_assignment(user: User, agency: Agency) -> Assignment | None:
    return assignment_with_role(user, agency, PLANNER_ROLES)


def can_plan(user: User, agency: Agency) -> bool:
    return planner_assignment(user, agency) is not None


def require_planner(user: User, agency: Agency) -> Assignment:
    """The planning-head assignment that allows `user` to change `agency`'s plans, or PermissionDenied."""
    assignment = planner_assignment(user, agency)
    if assignment is None:
        raise PermissionDenied
    return assignment


def reads_whole_agency(user: User, agency: Agency) -> bool:
    """Whether the user reads every division's figures (agency dashboard, whole plan)."""
    return agency.pk in readable_agency_ids(user) and unit_scope(user, agency) is None


def can_read_unit(user: User, agency: Agency, unit_id: int | None) -> bool:
    if agency.pk not in readable_agency_ids(user):
        return False
    scope = unit_scope(user, agency)
    return scope is None or (unit_id is not None and unit_id in scope)


def _check(user: User, agency: Agency, *, write: bool, unit_id: int | None = None, whole: bool = False) -> None:
    if agency.pk not in readable_agency_ids(user):
        raise Http404
    if write:
        require_planner(user, agency)
        return
    if whole and not reads_whole_agency(user, agency):
        raise PermissionDenied
    if not whole and not can_read_unit(user, agency, unit_id):
        raise PermissionDenied


def get_plan_for_user(user: User, pk: int, *, write: bool = False) -> StrategicPlan:
    plan = StrategicPlan.objects.select_related("agency").filter(pk=pk).first()
    if plan is None:
        raise Http404
    _check(user, plan.agency, write=write, whole=True)
    return plan


def get_indicator_for_user(user: User, pk: int, *, write: bool = False) -> Indicator:
    indicator = (
        Indicator.objects.select_related("agency", "plan", "objective__goal", "parent", "responsible_unit")
        .filter(pk=pk)
        .first()
    )
    if indicator is None:
        raise Http404
    _check(user, indicator.agency, write=write, unit_id=indicator.responsible_unit_id)
    return indicator


def get_agreement_for_user(user: User, pk: int, *, write: bool = False) -> PerformanceAgreement:
    agreement = (
        PerformanceAgreement.objects.select_related("agency", "plan", "party_one__unit", "party_two", "parent")
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        raise Http404
    _check(user, agreement.agency, write=write, unit_id=agreement.party_one.unit_id)
    return agreement


def get_budget_line_for_user(user: User, pk: int, *, write: bool = False) -> BudgetLine:
    line = BudgetLine.objects.select_related("agency", "unit").filter(pk=pk).first()
    if line is None:
        raise Http404
    _check(user, line.agency, write=write, unit_id=line.unit_id)
    return line
