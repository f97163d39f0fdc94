from __future__ import annotations

from django.db import transaction

from kinerja.accounts.models import User
from kinerja.audit.services import record_event
from kinerja.org.selectors import assignments_of_user


def _agency_of(user: User):  # type: ignore[no-untyped-def]
    employee = getattr(user, "employee", None) if user.pk else None
    return employee.agency if employee is not None else None


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_event(action="auth.password_changed", actor=user, agency=_agency_of(user), target=user)


@transaction.atomic
def record_login(*, user: User) -> None:
    assignments = assignments_of_user(user)
    record_event(
        action="auth.login",
        actor=user,
        acting_as=assignments[0] if assignments else None,
        agency=_agency_of(user),
        target=user,
    )


@transaction.atomic
def record_logout(*, user: User) -> None:
    record_event(action="auth.logout", actor=user, agency=_agency_of(user), target=user)


@transaction.atomic
def record_login_failure(*, username: str, locked: bool = False) -> None:
    user = User.objects.filter(username=username).select_related("employee__agency").first() if username else None
    record_event(
        action="auth.lockout" if locked else "auth.login_failed",
        actor=None,
        agency=_agency_of(user) if user is not None else None,
        target=user,
        after={"username": username[:150]},
    )
