"""Who does what in the quarterly monev.

- The planning head (Kasubbag Perencanaan) plans the monev, schedules visits, records findings and
  recommendations, and closes or reopens recommendations once answered.
- An evaluator (Inspektorat) of the agency reads everything and records findings and recommendations on the
  visits it takes part in; it edits only its own findings, and changes no data.
- The people of the division a recommendation is addressed to (its head, section heads and staff, and whoever
  holds the responsible position) answer it with follow-ups.
- Whoever reads a unit's figures reads its visits, findings and recommendations.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinerja.accounts.models import User
from kinerja.monev.models import EvaluationPlan, Finding, Recommendation, Visit
from kinerja.org.models import Agency, Assignment, Role, Unit
from kinerja.org.permissions import current_assignments, evaluated_agency_ids, readable_agency_ids, unit_scope
from kinerja.planning.permissions import can_read_unit, planner_assignment

ANSWERING_ROLES = frozenset({Role.DIVISION_HEAD, Role.SECTION_HEAD, Role.STAFF, Role.SECRETARY})


def monev_runner(user: User, agency: Agency) -> Assignment | None:
    """The planning head's assignment that runs `agency`'s monev, if the user has one."""
    return planner_assignment(user, agency)


def require_runner(user: User, agency: Agency) -> Assignment:
    assignment = monev_runner(user, agency)
    if assignment is None:
        raise PermissionDenied
    return assignment


def evaluator_assignment(user: User, agency: Agency) -> Assignment | None:
    """The user's evaluator (Inspektorat) assignment that evaluates `agency`, if any."""
    for assignment in current_assignments(user):
        position = assignment.position
        if position.role == Role.EVALUATOR and agency.pk in evaluated_agency_ids(user):
            if position.evaluated_agencies.filter(pk=agency.pk).exists():
                return assignment
    return None


def finding_recorder(user: User, visit: Visit) -> Assignment | None:
    """Who may record findings on `visit`: the planning head, or an evaluator of the agency on the visit's team."""
    agency = visit.plan.agency
    if (assignment := monev_runner(user, agency)) is not None:
        return assignment
    assignment = evaluator_assignment(user, agency)
    if assignment is not None and visit.evaluators.filter(pk=user.pk).exists():
        return assignment
    return None


def may_edit_finding(user: User, finding: Finding) -> Assignment | None:
    """The planning head edits every finding; an evaluator only its own."""
    agency = finding.visit.plan.agency
    if (assignment := monev_runner(user, agency)) is not None:
        return assignment
    if finding.created_by_id == user.pk:
        return finding_recorder(user, finding.visit)
    return None


Reach = tuple[dict[int, Assignment], dict[int, Assignment]]


def answering_reach(user: User) -> Reach:
    """What the user answers for: the positions they hold, and the units whose recommendations they answer, which
    are, for each position of an answering role, its unit with the units below and above it; each with the
    assignment that gives it. One query per agency, whatever the number of recommendations it is then used for."""
    held: dict[int, Assignment] = {}
    units: dict[int, Assignment] = {}
    trees: dict[int, dict[int, int | None]] = {}
    for assignment in current_assignments(user):
        position = assignment.position
        held.setdefault(position.pk, assignment)
        if position.role not in ANSWERING_ROLES or position.unit_id is None:
            continue
        tree = trees.get(position.agency_id)
        if tree is None:
            rows = Unit.objects.filter(agency_id=position.agency_id).values_list("pk", "parent_id")
            tree = trees[position.agency_id] = dict(rows)
        below = {position.unit_id}
        grew = True
        while grew:
            grew = False
            for pk, parent_id in tree.items():
                if parent_id in below and pk not in below:
                    below.add(pk)
                    grew = True
        above = tree.get(position.unit_id)
        while above is not None:
            below.add(above)
            above = tree.get(above)
        for pk in below:
            units.setdefault(pk, assignment)
    return held, units


def answers(reach: Reach, recommendation: Recommendation) -> Assignment | None:
    """The assignment by which a user of `reach` answers `recommendation`, if any."""
    held, units = reach
    position = recommendation.responsible
    if position.pk in held:
        return held[position.pk]
    return units.get(position.unit_id) if position.unit_id is not None else None


def answerer(user: User, recommendation: Recommendation) -> Assignment | None:
    """The user's assignment that answers `recommendation`: the responsible position, or a head, section head or
    staff member of the division it is addressed to (its unit, a unit above or one below)."""
    return answers(answering_reach(user), recommendation)


def get_agency_for_monev(user: User, pk: int) -> Agency:
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None or agency.pk not in readable_agency_ids(user):
        raise Http404
    return agency


def get_plan_for_user(user: User, pk: int) -> EvaluationPlan:
    """A plan the user reads: the whole agency's readers (unit-scoped users read visits, not plans)."""
    plan = EvaluationPlan.objects.select_related("agency").filter(pk=pk).first()
    if plan is None or plan.agency_id not in readable_agency_ids(user):
        raise Http404
    if unit_scope(user, plan.agency) is not None:
        raise PermissionDenied
    return plan


def get_visit_for_user(user: User, pk: int) -> Visit:
    visit = Visit.objects.select_related("plan__agency", "unit").filter(pk=pk).first()
    if visit is None or visit.plan.agency_id not in readable_agency_ids(user):
        raise Http404
    if not can_read_unit(user, visit.plan.agency, visit.unit_id):
        raise PermissionDenied
    return visit


def get_recommendation_for_user(user: User, pk: int) -> Recommendation:
    recommendation = (
        Recommendation.objects.select_related(
            "finding__visit__plan__agency", "finding__visit__unit", "finding__indicator", "responsible__unit"
        )
        .filter(pk=pk)
        .first()
    )
    if recommendation is None:
        raise Http404
    visit = recommendation.finding.visit
    agency = visit.plan.agency
    if agency.pk not in readable_agency_ids(user):
        raise Http404
    if not can_read_unit(user, agency, visit.unit_id) and answerer(user, recommendation) is None:
        raise PermissionDenied
    return recommendation
