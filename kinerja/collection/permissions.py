"""Who does what in the quarterly collection.

- Preparers: for a division's request, the staff and section heads of the division's units (not its head);
  for an individual request, whoever holds the employee's position.
- Reviewer: whoever holds the position the submission waits for (the division head, or for an individual
  request each superior up the line in turn), definitive or acting.
- The planning head opens periods, verifies, returns approved data and reopens verified data.
- Readers: whoever reads the request's unit (org and planning rules: agency-wide roles, evaluators, and
  the division's own people).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinerja.accounts.models import User
from kinerja.collection.models import DataRequest, Evidence, ReportingPeriod, Submission, SubmissionLine
from kinerja.org.models import Assignment, Position, Role
from kinerja.org.permissions import current_assignments, readable_agency_ids
from kinerja.org.selectors import descendant_ids
from kinerja.planning.permissions import can_plan, can_read_unit, planner_assignment, reads_whole_agency

# The planning head prepares the figures of his own subdivision (e.g. the SAKIP predicate) like any
# subdivision head; the secretary reviews them before he verifies.
PREPARER_ROLES = frozenset({Role.STAFF, Role.SECTION_HEAD, Role.PLANNING_HEAD})
HEAD_ROLES = frozenset({Role.DIVISION_HEAD, Role.SECRETARY})


def preparer_roles(request: DataRequest) -> frozenset[str]:
    """The roles that prepare a division's request. A division whose head is its only seat (a small UPT) has
    no reviewer: the head prepares it and it goes straight to the planning head."""
    if request.reviewer_id is None:
        return PREPARER_ROLES | HEAD_ROLES
    return PREPARER_ROLES


def preparer_assignment(user: User, request: DataRequest) -> Assignment | None:
    """The user's assignment that lets them fill in the request, if any."""
    units: set[int] | None = None
    roles = preparer_roles(request)
    for assignment in current_assignments(user):
        position = assignment.position
        if position.agency_id != request.period.agency_id:
            continue
        if request.kind == DataRequest.Kind.INDIVIDUAL:
            if position.pk == request.position_id:
                return assignment
            continue
        if position.role not in roles or position.pk == request.reviewer_id or position.unit_id is None:
            continue
        if units is None:
            units = descendant_ids(request.unit)
        if position.unit_id in units:
            return assignment
    return None


def holds(user: User, position_id: int | None) -> Assignment | None:
    if position_id is None:
        return None
    return next((a for a in current_assignments(user) if a.position_id == position_id), None)


def can_read_submission(user: User, submission: Submission) -> bool:
    request = submission.request
    agency = request.period.agency
    if can_read_unit(user, agency, request.unit_id):
        return True
    # An employee always reads their own individual request, and each reviewer reads what waits for them.
    return preparer_assignment(user, request) is not None or holds(user, submission.awaiting_id) is not None


def get_period_for_user(user: User, pk: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_related("agency__local_government").filter(pk=pk).first()
    if period is None or period.agency_id not in readable_agency_ids(user):
        raise Http404
    return period


def require_board_reader(user: User, period: ReportingPeriod) -> None:
    """The period board shows every division: for those who read the whole agency."""
    if not reads_whole_agency(user, period.agency):
        raise PermissionDenied


def get_submission_for_user(user: User, pk: int) -> Submission:
    """The submission, when the user may read it: 404 outside their agencies, 403 inside."""
    submission = (
        Submission.objects.select_related(
            "request__period__agency__local_government", "request__unit", "request__position", "request__reviewer",
            "awaiting",
        )
        .filter(pk=pk)
        .first()
    )  # fmt: skip
    if submission is None:
        raise Http404
    agency_id = submission.request.period.agency_id
    if agency_id not in readable_agency_ids(user) and holds(user, submission.awaiting_id) is None:
        raise Http404
    if not can_read_submission(user, submission):
        raise PermissionDenied
    return submission


def get_line_for_user(user: User, pk: int) -> SubmissionLine:
    line = SubmissionLine.objects.select_related("indicator").filter(pk=pk).first()
    if line is None:
        raise Http404
    line.submission = get_submission_for_user(user, line.submission_id)
    return line


def get_evidence_for_user(user: User, pk: int) -> Evidence:
    evidence = Evidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404
    evidence.line = get_line_for_user(user, evidence.line_id)
    return evidence


def review_chain(position: Position) -> list[Position]:
    """The superiors who review an individual request in turn: up the line of positions to the division's
    head (a division head or the secretary), never the head of the agency."""
    chain: list[Position] = []
    current = position.superior
    seen: set[int] = set()
    while current is not None and current.pk not in seen and current.role != Role.HEAD:
        seen.add(current.pk)
        chain.append(current)
        if current.role in HEAD_ROLES:
            break
        current = current.superior
    return chain


__all__ = [
    "can_plan",
    "can_read_submission",
    "get_evidence_for_user",
    "get_line_for_user",
    "get_period_for_user",
    "get_submission_for_user",
    "holds",
    "planner_assignment",
    "preparer_assignment",
    "require_board_reader",
    "review_chain",
]
