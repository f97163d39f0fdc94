"""Every change to the organisation: validated, permission-checked, atomic and audited."""

from __future__ import annotations

import secrets
from datetime import date

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.audit.services import record_event, snapshot
from kinerja.lib.nip import normalize_nip, validate_nip
from kinerja.lib.versioning import save_if_unchanged
from kinerja.org.models import (
    AGENCY_WIDE_ROLES,
    OUTSIDE_READER_ROLES,
    Agency,
    Assignment,
    Employee,
    Position,
    Role,
    Unit,
)
from kinerja.org.permissions import forget_assignments, require_org_admin
from kinerja.org.selectors import descendant_ids

UNIT_FIELDS = ["parent", "name", "kind", "code", "sort_order"]
POSITION_FIELDS = ["unit", "title", "role", "superior", "is_active"]
EMPLOYEE_FIELDS = ["name", "nip", "rank"]
ASSIGNMENT_FIELDS = ["employee", "position", "kind", "acting_title", "start_date", "end_date", "decree"]


# Units


def _validate_unit(unit: Unit) -> None:
    if unit.parent is not None:
        if unit.parent.agency_id != unit.agency_id:
            raise ValidationError({"parent": _("The parent unit must belong to the same agency.")})
        if unit.pk is not None and unit.parent.pk in descendant_ids(unit):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or under one of its own units.")})
    siblings = Unit.objects.filter(agency_id=unit.agency_id, parent=unit.parent, name__iexact=unit.name)
    if unit.pk is not None:
        siblings = siblings.exclude(pk=unit.pk)
    if siblings.exists():
        raise ValidationError({"name": _("Another unit with this name already sits under the same parent.")})


@transaction.atomic
def create_unit(
    *, agency: Agency, parent: Unit | None, name: str, kind: str, code: str = "", sort_order: int = 0, by: User
) -> Unit:
    acting = require_org_admin(by, agency)
    unit = Unit(agency=agency, parent=parent, name=name.strip(), kind=kind, code=code.strip(), sort_order=sort_order)
    _validate_unit(unit)
    unit.save()
    record_event(
        action="org.unit.created", actor=by, acting_as=acting, agency=agency, target=unit,
        after=snapshot(unit, UNIT_FIELDS),
    )  # fmt: skip
    return unit


@transaction.atomic
def update_unit(
    *, unit: Unit, version: int, parent: Unit | None, name: str, kind: str, code: str, sort_order: int, by: User
) -> Unit:
    acting = require_org_admin(by, unit.agency)
    before = snapshot(unit, UNIT_FIELDS)
    unit.parent, unit.name, unit.kind, unit.code, unit.sort_order = parent, name.strip(), kind, code.strip(), sort_order
    _validate_unit(unit)
    save_if_unchanged(unit, version=version, fields=UNIT_FIELDS)
    record_event(
        action="org.unit.updated", actor=by, acting_as=acting, agency=unit.agency, target=unit,
        before=before, after=snapshot(unit, UNIT_FIELDS),
    )  # fmt: skip
    return unit


# Positions


def _validate_position(position: Position, evaluated: list[Agency]) -> None:
    errors: dict[str, str] = {}
    if position.unit is not None and position.unit.agency_id != position.agency_id:
        errors["unit"] = _("The unit must belong to the same agency.")
    if position.unit is None and position.role not in AGENCY_WIDE_ROLES | OUTSIDE_READER_ROLES:
        errors["unit"] = _("A position with this role must belong to a unit.")
    if position.superior is not None:
        if position.superior.agency_id != position.agency_id:
            errors["superior"] = _("The superior position must belong to the same agency.")
        else:
            seen = {position.pk} if position.pk else set()
            step: Position | None = position.superior
            while step is not None:
                if step.pk in seen:
                    errors["superior"] = _("A position cannot report to itself, directly or through others.")
                    break
                seen.add(step.pk)
                step = step.superior
    if evaluated and position.role != Role.EVALUATOR:
        errors["evaluated_agencies"] = _("Only evaluator positions can be given agencies to evaluate.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_position(
    *,
    agency: Agency,
    unit: Unit | None,
    title: str,
    role: str,
    superior: Position | None,
    evaluated_agencies: list[Agency] | None = None,
    is_active: bool = True,
    by: User,
) -> Position:
    acting = require_org_admin(by, agency)
    evaluated = list(evaluated_agencies or [])
    position = Position(
        agency=agency, unit=unit, title=title.strip(), role=role, superior=superior, is_active=is_active
    )
    _validate_position(position, evaluated)
    position.save()
    position.evaluated_agencies.set(evaluated)
    record_event(
        action="org.position.created", actor=by, acting_as=acting, agency=agency, target=position,
        after=snapshot(position, [*POSITION_FIELDS, "evaluated_agencies"]),
    )  # fmt: skip
    return position


@transaction.atomic
def update_position(
    *,
    position: Position,
    version: int,
    unit: Unit | None,
    title: str,
    role: str,
    superior: Position | None,
    is_active: bool,
    evaluated_agencies: list[Agency] | None = None,
    by: User,
) -> Position:
    acting = require_org_admin(by, position.agency)
    fields = [*POSITION_FIELDS, "evaluated_agencies"]
    before = snapshot(position, fields)
    evaluated = list(evaluated_agencies or [])
    position.unit, position.title, position.role = unit, title.strip(), role
    position.superior, position.is_active = superior, is_active
    _validate_position(position, evaluated)
    save_if_unchanged(position, version=version, fields=POSITION_FIELDS)
    position.evaluated_agencies.set(evaluated)
    forget_assignments(by)
    record_event(
        action="org.position.updated", actor=by, acting_as=acting, agency=position.agency, target=position,
        before=before, after=snapshot(position, fields),
    )  # fmt: skip
    return position


# Employees


def _clean_nip(raw: str, *, exclude_pk: int | None = None) -> str:
    nip = normalize_nip(raw)
    try:
        validate_nip(nip)
    except ValidationError as exc:
        raise ValidationError({"nip": exc.messages}) from exc
    taken = Employee.objects.filter(nip=nip)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"nip": _("This NIP is already registered to another employee.")})
    return nip


@transaction.atomic
def create_employee(*, agency: Agency, name: str, nip: str, rank: str = "", by: User) -> Employee:
    acting = require_org_admin(by, agency)
    employee = Employee(agency=agency, name=name.strip(), nip=_clean_nip(nip), rank=rank)
    employee.save()
    record_event(
        action="org.employee.created", actor=by, acting_as=acting, agency=agency, target=employee,
        after=snapshot(employee, EMPLOYEE_FIELDS),
    )  # fmt: skip
    return employee


@transaction.atomic
def update_employee(*, employee: Employee, version: int, name: str, nip: str, rank: str, by: User) -> Employee:
    acting = require_org_admin(by, employee.agency)
    before = snapshot(employee, EMPLOYEE_FIELDS)
    employee.name, employee.nip, employee.rank = name.strip(), _clean_nip(nip, exclude_pk=employee.pk), rank
    save_if_unchanged(employee, version=version, fields=EMPLOYEE_FIELDS)
    record_event(
        action="org.employee.updated", actor=by, acting_as=acting, agency=employee.agency, target=employee,
        before=before, after=snapshot(employee, EMPLOYEE_FIELDS),
    )  # fmt: skip
    return employee


# Assignments


def _period(start: date, end: date | None) -> str:
    if end is None:
        return _("from %(start)s onwards") % {"start": date_format(start, "j F Y")}
    return _("from %(start)s to %(end)s") % {"start": date_format(start, "j F Y"), "end": date_format(end, "j F Y")}


def _overlapping(assignment: Assignment) -> Q:
    far = date.max
    return Q(start_date__lte=assignment.end_date or far) & (
        Q(end_date__isnull=True) | Q(end_date__gte=assignment.start_date)
    )


def _validate_assignment(assignment: Assignment) -> None:
    employee, position = assignment.employee, assignment.position
    if position.agency_id != employee.agency_id:
        raise ValidationError({"position": _("The position must belong to the employee's agency.")})
    if assignment.kind == Assignment.Kind.ACTING and assignment.acting_title not in Assignment.ActingTitle.values:
        raise ValidationError({"kind": _("An acting assignment must be either Plt. or Plh.")})
    if assignment.end_date is not None and assignment.end_date < assignment.start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    others = Assignment.objects.exclude(pk=assignment.pk) if assignment.pk else Assignment.objects.all()
    clash = (
        others.filter(_overlapping(assignment), position=position, kind=assignment.kind)
        .select_related("employee")
        .first()
    )
    if clash is not None:
        if assignment.kind == Assignment.Kind.DEFINITIVE:
            message = _("%(position)s already has a definitive holder, %(name)s, %(period)s.")
        else:
            message = _("%(position)s already has an acting holder, %(name)s, %(period)s.")
        raise ValidationError(
            {
                "start_date": message
                % {
                    "position": position.title,
                    "name": clash.employee.name,
                    "period": _period(clash.start_date, clash.end_date),
                }
            }
        )
    if assignment.kind == Assignment.Kind.DEFINITIVE:
        clash = (
            others.filter(_overlapping(assignment), employee=employee, kind=Assignment.Kind.DEFINITIVE)
            .select_related("position")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "start_date": _("%(name)s already holds %(position)s definitively %(period)s.")
                    % {
                        "name": employee.name,
                        "position": clash.position.title,
                        "period": _period(clash.start_date, clash.end_date),
                    }
                }
            )


def _save_guarded(save: object) -> None:
    """Runs a save; a database rule that still refuses it (a concurrent writer) becomes a form error."""
    try:
        with transaction.atomic():
            save()  # type: ignore[operator]
    except IntegrityError as exc:
        raise ValidationError(
            _("This assignment overlaps another one that was saved a moment ago. Reload the page and check the dates.")
        ) from exc


@transaction.atomic
def create_assignment(
    *,
    employee: Employee,
    position: Position,
    kind: str,
    acting_title: str = "",
    start_date: date,
    end_date: date | None = None,
    decree: str = "",
    by: User,
) -> Assignment:
    acting = require_org_admin(by, employee.agency)
    assignment = Assignment(
        employee=employee, position=position, kind=kind, acting_title=acting_title if kind == "acting" else "",
        start_date=start_date, end_date=end_date, decree=decree.strip(),
    )  # fmt: skip
    _validate_assignment(assignment)
    _save_guarded(assignment.save)
    forget_assignments(by)
    record_event(
        action="org.assignment.created", actor=by, acting_as=acting, agency=employee.agency, target=assignment,
        after=snapshot(assignment, ASSIGNMENT_FIELDS),
    )  # fmt: skip
    return assignment


@transaction.atomic
def update_assignment(
    *,
    assignment: Assignment,
    version: int,
    position: Position,
    kind: str,
    acting_title: str,
    start_date: date,
    end_date: date | None,
    decree: str,
    by: User,
) -> Assignment:
    acting = require_org_admin(by, assignment.employee.agency)
    before = snapshot(assignment, ASSIGNMENT_FIELDS)
    assignment.position, assignment.kind = position, kind
    assignment.acting_title = acting_title if kind == "acting" else ""
    assignment.start_date, assignment.end_date, assignment.decree = start_date, end_date, decree.strip()
    _validate_assignment(assignment)
    _save_guarded(lambda: save_if_unchanged(assignment, version=version, fields=ASSIGNMENT_FIELDS))
    forget_assignments(by)
    record_event(
        action="org.assignment.updated", actor=by, acting_as=acting, agency=assignment.employee.agency,
        target=assignment, before=before, after=snapshot(assignment, ASSIGNMENT_FIELDS),
    )  # fmt: skip
    return assignment


# Logins


def _temporary_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def create_login(*, employee: Employee, username: str, by: User) -> tuple[User, str]:
    """Gives an employee a login with a random one-time password, returned for the admin to hand over."""
    acting = require_org_admin(by, employee.agency)
    if employee.user_id is not None:
        raise ValidationError(_("This employee already has a login."))
    username = username.strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    password = _temporary_password()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password)
    except IntegrityError as exc:
        # Another admin took the name between the check above and this insert.
        raise ValidationError({"username": _("This username is already taken.")}) from exc
    employee.user = user
    employee.save(update_fields=["user"])
    record_event(
        action="org.employee.login_created", actor=by, acting_as=acting, agency=employee.agency, target=employee,
        after={"username": username},
    )  # fmt: skip
    return user, password


@transaction.atomic
def reset_login_password(*, employee: Employee, by: User) -> str:
    """A new random one-time password; every open session of that login ends."""
    acting = require_org_admin(by, employee.agency)
    if employee.user is None:
        raise ValidationError(_("This employee has no login."))
    password = _temporary_password()
    employee.user.set_password(password)
    employee.user.save(update_fields=["password"])
    record_event(
        action="org.employee.password_reset", actor=by, acting_as=acting, agency=employee.agency, target=employee,
        after={"username": employee.user.username},
    )  # fmt: skip
    return password


@transaction.atomic
def set_login_active(*, employee: Employee, active: bool, by: User) -> None:
    """Blocks or reopens an employee's login; a blocked login's sessions stop working at once."""
    acting = require_org_admin(by, employee.agency)
    if employee.user is None:
        raise ValidationError(_("This employee has no login."))
    if employee.user_id == by.pk and not active:
        raise ValidationError(_("You cannot block your own login."))
    before = {"username": employee.user.username, "is_active": employee.user.is_active}
    employee.user.is_active = active
    employee.user.save(update_fields=["is_active"])
    record_event(
        action="org.employee.login_activated" if active else "org.employee.login_blocked", actor=by,
        acting_as=acting, agency=employee.agency, target=employee, before=before,
        after={"username": employee.user.username, "is_active": active},
    )  # fmt: skip
