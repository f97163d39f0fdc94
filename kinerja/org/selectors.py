from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from kinerja.accounts.models import User
from kinerja.org.models import Agency, Assignment, Employee, Position, Unit


def today() -> date:
    return timezone.localdate()


def _current(on: date) -> Q:
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def assignments_of_user(user: User, *, on: date | None = None) -> list[Assignment]:
    """The positions a user holds on a day (today by default): definitive ones first."""
    if not user.is_authenticated or not user.is_active:
        return []
    on = on or today()
    qs = (
        Assignment.objects.filter(_current(on), employee__user=user, position__is_active=True)
        .select_related("position__unit", "position__agency__local_government", "employee")
        .order_by("-kind", "position__title")
    )
    return list(qs)


def holders_of_position(position: Position, *, on: date | None = None) -> list[Assignment]:
    """Everyone holding a position on a day: the acting holder first, then the definitive one."""
    on = on or today()
    qs = Assignment.objects.filter(_current(on), position=position).select_related("employee", "position")
    return sorted(qs, key=lambda a: 0 if a.kind == Assignment.Kind.ACTING else 1)


def holder_of_position(position: Position, *, on: date | None = None) -> Assignment | None:
    """Who acts for the position on a day: the acting holder when there is one, else the definitive one."""
    holders = holders_of_position(position, on=on)
    return holders[0] if holders else None


@dataclass(frozen=True)
class TreeRow:
    unit: Unit
    depth: int


def unit_tree(agency: Agency) -> list[TreeRow]:
    """The agency's units in tree order (parents before their children), with their depth."""
    units = list(Unit.objects.filter(agency=agency).order_by("sort_order", "name"))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    rows: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            rows.append(TreeRow(unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return rows


def descendant_ids(unit: Unit) -> set[int]:
    """The unit and every unit below it."""
    parent_of = dict(Unit.objects.filter(agency_id=unit.agency_id).values_list("pk", "parent_id"))
    found = {unit.pk}
    changed = True
    while changed:
        changed = False
        for pk, parent_id in parent_of.items():
            if parent_id in found and pk not in found:
                found.add(pk)
                changed = True
    return found


def positions_of_agency(agency: Agency) -> QuerySet[Position]:
    return (
        Position.objects.filter(agency=agency).select_related("unit", "superior").order_by("unit__sort_order", "title")
    )


def current_holders(positions: list[Position], *, on: date | None = None) -> dict[int, list[Assignment]]:
    """Holders of many positions at once, keyed by position id (one query)."""
    on = on or today()
    result: dict[int, list[Assignment]] = {p.pk: [] for p in positions}
    qs = Assignment.objects.filter(_current(on), position__in=positions).select_related("employee", "position")
    for assignment in qs.order_by("kind"):
        result[assignment.position_id].append(assignment)
    return result


def employees_of_agency(agency: Agency, *, search: str = "") -> QuerySet[Employee]:
    qs = Employee.objects.filter(agency=agency).select_related("user")
    if search:
        digits = search.replace(" ", "")
        qs = qs.filter(Q(name__icontains=search) | Q(nip__contains=digits))
    return qs.order_by("name")
