"""Who prepares a division's data when the division is unusual: a unit whose head is its only seat, and the
Sekretariat, where the planning head prepares his subdivision's figures."""

from __future__ import annotations

from datetime import date

import pytest

from kinerja.accounts.models import User
from kinerja.collection import services
from kinerja.collection.models import Submission
from kinerja.collection.permissions import preparer_assignment
from kinerja.collection.tests.helpers import open_period
from kinerja.org.models import Assignment, Employee, Position, Role, Unit
from kinerja.planning.models import StrategicPlan
from kinerja.planning.tests.records import indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def terminal(dishub, perencanaan) -> User:  # type: ignore[no-untyped-def]
    """A UPT whose head is its only seat, responsible for one indicator of the demo plan."""
    unit = Unit.objects.create(agency=dishub, name="UPT Terminal Penumpang", kind=Unit.Kind.TECHNICAL)
    kadis = Position.objects.get(agency=dishub, role=Role.HEAD)
    seat = Position.objects.create(
        agency=dishub, unit=unit, title="Kepala UPT Terminal", role=Role.SECTION_HEAD, superior=kadis
    )
    user = User.objects.create_user(username="kaupt.terminal", password="not-used-in-tests-1234")
    employee = Employee.objects.create(agency=dishub, name="Kepala Terminal", nip="198001012005011001", user=user)
    Assignment.objects.create(employee=employee, position=seat, start_date=date(2020, 1, 1))
    plan = StrategicPlan.objects.get(agency=dishub, start_year=2022)
    indicator(plan, perencanaan, "UPT.T1", responsible_unit=unit, aggregation="last")
    return user


def test_a_unit_with_only_its_head_is_prepared_by_the_head_and_goes_to_the_planning_head(  # type: ignore[no-untyped-def]
    dishub, perencanaan, terminal, settings, tmp_path
) -> None:
    settings.EVIDENCE_ROOT = tmp_path
    opened = open_period(dishub, perencanaan)
    request = next(r for r in opened.requests if r.unit.name == "UPT Terminal Penumpang")
    assert request.reviewer is None
    submission = request.submission
    assert preparer_assignment(terminal, request) is not None
    line = submission.lines.get()
    services.save_lines(
        submission=submission, by=terminal,
        lines=[services.LineInput(indicator_id=line.indicator_id, version=line.version, no_data=True,
                                  no_data_reason="Terminal sedang direnovasi")],
    )  # fmt: skip
    submission.refresh_from_db()
    services.submit(submission=submission, version=submission.version, by=terminal)
    assert submission.status == Submission.Status.APPROVED and submission.awaiting is None


def test_the_planning_head_prepares_the_sekretariat_and_the_secretary_reviews(dishub, perencanaan) -> None:  # type: ignore[no-untyped-def]
    opened = open_period(dishub, perencanaan)
    request = next(r for r in opened.requests if r.kind == "division" and r.unit.name == "Sekretariat")
    assert request.reviewer.role == Role.SECRETARY
    assert preparer_assignment(perencanaan, request) is not None
    sekretaris = User.objects.get(username="sekretaris")
    assert preparer_assignment(sekretaris, request) is None


def test_the_planning_head_moves_the_due_date_and_closes_the_period(dishub, perencanaan, kadis) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    from kinerja.audit.models import AuditEvent
    from kinerja.collection.models import ReportingPeriod
    from kinerja.lib.errors import ConflictError

    period = open_period(dishub, perencanaan).period
    with pytest.raises(PermissionDenied):
        services.set_due_date(period=period, due_on=date(2027, 1, 20), version=period.version, by=kadis)
    services.set_due_date(period=period, due_on=date(2027, 1, 20), version=period.version, by=perencanaan)
    with pytest.raises(ConflictError):  # a form read before the change
        services.close_period(period=period, version=period.version - 1, by=perencanaan)
    with pytest.raises(PermissionDenied):
        services.close_period(period=period, version=period.version, by=kadis)
    services.close_period(period=period, version=period.version, by=perencanaan)
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.CLOSED and period.due_on == date(2027, 1, 20)
    assert AuditEvent.objects.filter(action="collection.period.closed").count() == 1
    staf = User.objects.get(username="staf")
    from kinerja.collection.selectors import waiting_for

    assert waiting_for(staf) == []


def test_holidays_are_added_by_the_planning_head_and_national_ones_are_not_his_to_remove(
    dishub, perencanaan, kadis
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    from django.core.exceptions import PermissionDenied, ValidationError

    from kinerja.org.models import Holiday

    with pytest.raises(PermissionDenied):
        services.add_holiday(agency=dishub, day=date(2026, 10, 15), name="Hari jadi", by=kadis)
    local = services.add_holiday(agency=dishub, day=date(2026, 10, 15), name="Hari jadi", by=perencanaan)
    with pytest.raises(ValidationError):
        services.add_holiday(agency=dishub, day=date(2026, 10, 15), name="Lagi", by=perencanaan)
    national = Holiday.objects.create(day=date(2026, 8, 17), name="Hari Kemerdekaan")
    with pytest.raises(PermissionDenied):
        services.remove_holiday(agency=dishub, holiday=national, by=perencanaan)
    services.remove_holiday(agency=dishub, holiday=local, by=perencanaan)
    assert list(Holiday.objects.values_list("name", flat=True)) == ["Hari Kemerdekaan"]
