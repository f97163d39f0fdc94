"""Lookups of demo records by the names a reader knows them by, and a picture of the organisation
tables to check that a refused request saved nothing."""

from __future__ import annotations

from typing import Any

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.org.models import Agency, Assignment, Employee, Position, Unit

# Valid NIPs that no demo employee has.
NEW_NIP = "197306101994021003"
NEW_NIP_TYPED = "19730610 199402 1 003"
OTHER_NEW_NIP = "198501012010011001"


def agency(short_name: str = "Dishub") -> Agency:
    return Agency.objects.get(short_name=short_name)


def unit(name: str, short_name: str = "Dishub") -> Unit:
    return Unit.objects.get(agency__short_name=short_name, name=name)


def position(title: str, short_name: str = "Dishub") -> Position:
    return Position.objects.get(agency__short_name=short_name, title=title)


def employee(name_start: str) -> Employee:
    return Employee.objects.get(name__startswith=name_start)


def org_tables() -> dict[str, Any]:
    """Every organisation row, every login and the number of audit events: equal before and after means nothing was saved.

    Take it after logging the client in: a login is an audit event too.
    """
    tables: dict[str, Any] = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Agency, Unit, Position, Employee, Assignment)
    }
    tables["User"] = list(User.objects.order_by("pk").values("pk", "username", "password", "is_active"))
    tables["evaluated_agencies"] = list(Position.evaluated_agencies.through.objects.order_by("pk").values())
    tables["AuditEvent"] = AuditEvent.objects.count()
    return tables
