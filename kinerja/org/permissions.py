"""Who may see and change what, decided from the positions a user holds today.

Rules (DESIGN.md): a user acts within the units of the positions they hold; the head, the
secretary, the planning head and the admin across their agency; the evaluator reads the agencies
assigned to their position; the regional reader reads every agency of its local government; nobody crosses into another agency. Organisation records are read by
every member and evaluator of the agency and changed only by its admin.

The `get_<object>_for_user` doors answer the same 404 for "missing" and "not yours"; a record
the user may read but not change answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinerja.accounts.models import User
from kinerja.org.models import AGENCY_WIDE_ROLES, Agency, Assignment, Employee, Position, Role, Unit
from kinerja.org.selectors import assignments_of_user, descendant_ids

_CACHE_ATTR = "_kinerja_assignments"
_OUTSIDE_ATTR = "_kinerja_outside_agencies"


def current_assignments(user: User) -> list[Assignment]:
    """The user's assignments today, kept on the user object for the rest of the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = assignments_of_user(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_assignments(user: User) -> None:
    for attr in (_CACHE_ATTR, _OUTSIDE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def member_agency_ids(user: User) -> set[int]:
    return {a.position.agency_id for a in current_assignments(user)}


def evaluated_agency_ids(user: User) -> set[int]:
    """The agencies the user reads from outside, as their evaluator or as a regional reader; kept on the
    user object for the rest of the request."""
    cached = getattr(user, _OUTSIDE_ATTR, None)
    if cached is not None:
        return cached
    ids: set[int] = set()
    for assignment in current_assignments(user):
        if assignment.position.role == Role.EVALUATOR:
            ids.update(assignment.position.evaluated_agencies.values_list("pk", flat=True))
    ids |= set(
        Agency.objects.filter(local_government_id__in=regional_government_ids(user)).values_list("pk", flat=True)
    )
    setattr(user, _OUTSIDE_ATTR, ids)
    return ids


def regional_government_ids(user: User) -> set[int]:
    """The local governments whose every agency the user reads as a regional reader."""
    return {
        a.position.agency.local_government_id for a in current_assignments(user) if a.position.role == Role.REGIONAL
    }


def readable_agency_ids(user: User) -> set[int]:
    return member_agency_ids(user) | evaluated_agency_ids(user)


def readable_agencies(user: User) -> list[Agency]:
    return list(Agency.objects.filter(pk__in=readable_agency_ids(user)).order_by("name"))


def assignment_with_role(user: User, agency: Agency, roles: set[str] | frozenset[str]) -> Assignment | None:
    """The user's assignment in `agency` whose role is one of `roles`, if any."""
    for assignment in current_assignments(user):
        if assignment.position.agency_id == agency.pk and assignment.position.role in roles:
            return assignment
    return None


def org_admin_assignment(user: User, agency: Agency) -> Assignment | None:
    return assignment_with_role(user, agency, {Role.ADMIN})


def require_org_admin(user: User, agency: Agency) -> Assignment:
    """The admin assignment that allows `user` to change `agency`'s organisation, or PermissionDenied."""
    assignment = org_admin_assignment(user, agency)
    if assignment is None:
        raise PermissionDenied
    return assignment


def can_manage_org(user: User, agency: Agency) -> bool:
    return org_admin_assignment(user, agency) is not None


def can_read_audit(user: User, agency: Agency) -> bool:
    if org_admin_assignment(user, agency) is not None:
        return True
    return agency.pk in evaluated_agency_ids(user)


def unit_scope(user: User, agency: Agency) -> set[int] | None:
    """The units of `agency` the user acts in: None for all of them, else a set of unit ids.

    An evaluator or regional reader of the agency reads all of it; a head, secretary, planning head or admin acts
    across it; everyone else acts in the units of their positions and the units below them.
    """
    if agency.pk in evaluated_agency_ids(user):
        return None
    scope: set[int] = set()
    for assignment in current_assignments(user):
        position = assignment.position
        if position.agency_id != agency.pk:
            continue
        if position.role in AGENCY_WIDE_ROLES or position.unit_id is None:
            return None
        scope |= descendant_ids(position.unit)
    return scope


def _check_agency(user: User, agency_id: int, *, write: bool) -> None:
    if agency_id not in readable_agency_ids(user):
        raise Http404
    if write and not any(
        a.position.agency_id == agency_id and a.position.role == Role.ADMIN for a in current_assignments(user)
    ):
        raise PermissionDenied


def get_agency_for_user(user: User, pk: int, *, write: bool = False) -> Agency:
    agency = Agency.objects.select_related("local_government").filter(pk=pk).first()
    if agency is None:
        raise Http404
    _check_agency(user, agency.pk, write=write)
    return agency


def get_unit_for_user(user: User, pk: int, *, write: bool = False) -> Unit:
    unit = Unit.objects.select_related("agency", "parent").filter(pk=pk).first()
    if unit is None:
        raise Http404
    _check_agency(user, unit.agency_id, write=write)
    return unit


def get_position_for_user(user: User, pk: int, *, write: bool = False) -> Position:
    position = Position.objects.select_related("agency", "unit", "superior").filter(pk=pk).first()
    if position is None:
        raise Http404
    _check_agency(user, position.agency_id, write=write)
    return position


def get_employee_for_user(user: User, pk: int, *, write: bool = False) -> Employee:
    employee = Employee.objects.select_related("agency", "user").filter(pk=pk).first()
    if employee is None:
        raise Http404
    _check_agency(user, employee.agency_id, write=write)
    return employee


def get_assignment_for_user(user: User, pk: int, *, write: bool = False) -> Assignment:
    assignment = (
        Assignment.objects.select_related("employee__agency", "position__agency", "position__unit")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    _check_agency(user, assignment.employee.agency_id, write=write)
    return assignment
