"""Who may read, write and run SOPs.

- Everyone who reads an agency (its staff, its evaluators) reads its SOPs in force and their documents.
- The planning head and the administrator of the agency keep its SOPs: adopt templates from the library,
  edit drafts, publish, revise, import, set schedules; the planning head starts cases.
- A task is done by the person it is assigned to, or whoever now holds its position (a new holder, a
  Plt.), or the holder of the position it was escalated to.
- The SLA report is read by those who read the whole agency (head, secretary, planning head, evaluators).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinerja.accounts.models import User
from kinerja.org.models import Agency, Assignment, Role
from kinerja.org.permissions import assignment_with_role, current_assignments, readable_agency_ids
from kinerja.planning.permissions import reads_whole_agency
from kinerja.sop.models import Case, Procedure, ProcedureVersion, Task

KEEPER_ROLES = frozenset({Role.PLANNING_HEAD, Role.ADMIN})
RUNNER_ROLES = frozenset({Role.PLANNING_HEAD, Role.ADMIN})


def keeper_assignment(user: User, agency: Agency) -> Assignment | None:
    return assignment_with_role(user, agency, KEEPER_ROLES)


def can_keep(user: User, agency: Agency) -> bool:
    return keeper_assignment(user, agency) is not None


def require_keeper(user: User, agency: Agency) -> Assignment:
    assignment = keeper_assignment(user, agency)
    if assignment is None:
        raise PermissionDenied
    return assignment


def require_runner(user: User, agency: Agency) -> Assignment:
    assignment = assignment_with_role(user, agency, RUNNER_ROLES)
    if assignment is None:
        raise PermissionDenied
    return assignment


def keeper_agencies(user: User) -> list[Agency]:
    """The agencies whose SOPs the user keeps: the library is open to them."""
    seen: dict[int, Agency] = {}
    for assignment in current_assignments(user):
        if assignment.position.role in KEEPER_ROLES:
            seen.setdefault(assignment.position.agency_id, assignment.position.agency)
    return list(seen.values())


def can_read_library(user: User) -> bool:
    return bool(keeper_agencies(user))


def can_read_sla(user: User, agency: Agency) -> bool:
    return reads_whole_agency(user, agency)


def get_procedure_for_user(user: User, pk: int, *, write: bool = False) -> Procedure:
    procedure = Procedure.objects.select_related("agency").filter(pk=pk).first()
    if procedure is None:
        raise Http404
    if procedure.agency is None:
        if write or not can_read_library(user):
            raise Http404
        return procedure
    if procedure.agency_id not in readable_agency_ids(user):
        raise Http404
    if write:
        require_keeper(user, procedure.agency)
    return procedure


def get_version_for_user(user: User, pk: int, *, write: bool = False) -> ProcedureVersion:
    version = ProcedureVersion.objects.select_related("procedure__agency").filter(pk=pk).first()
    if version is None:
        raise Http404
    procedure = get_procedure_for_user(user, version.procedure_id, write=write)
    version.procedure = procedure
    # A draft is work in progress: only its keepers see it.
    if version.is_draft and procedure.agency is not None and not can_keep(user, procedure.agency):
        raise Http404
    return version


def get_case_for_user(user: User, pk: int) -> Case:
    case = Case.objects.select_related("agency", "procedure_version__procedure", "unit").filter(pk=pk).first()
    if case is None or case.agency_id not in readable_agency_ids(user):
        raise Http404
    return case


def task_holder(user: User, task: Task) -> Assignment | None:
    """The assignment in which `user` may do `task`, if any."""
    assignments = current_assignments(user)
    for position_id in (task.position_id, task.escalated_to_id):
        found = next((a for a in assignments if position_id is not None and a.position_id == position_id), None)
        if found is not None:
            return found
    if task.assignee_user_id == user.pk and assignments and assignments[0].position.agency_id == task.case.agency_id:
        return assignments[0]  # the assignee moved to another seat of the agency: they still finish their task
    return None


def get_task_for_user(user: User, pk: int, *, write: bool = False) -> Task:
    task = (
        Task.objects.select_related("case__agency", "case__procedure_version", "step", "lane", "position", "assignee")
        .filter(pk=pk)
        .first()
    )
    if task is None or task.case.agency_id not in readable_agency_ids(user):
        raise Http404
    if write and task_holder(user, task) is None:
        raise PermissionDenied
    return task
