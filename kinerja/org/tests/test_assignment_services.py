"""Assignments through the service: who may hold which position when, checked before the database does."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.lib.errors import ConflictError
from kinerja.org import services
from kinerja.org.models import Agency, Assignment, Employee
from kinerja.org.tests import records

pytestmark = pytest.mark.django_db

DEFINITIVE, ACTING = Assignment.Kind.DEFINITIVE, Assignment.Kind.ACTING


@pytest.fixture
def newcomer(org_admin: User, dishub: Agency) -> Employee:
    """A Dishub employee without any assignment yet."""
    return services.create_employee(agency=dishub, name="Budi Santoso, S.T.", nip=records.NEW_NIP, by=org_admin)


def _refused_on(field: str, **kwargs: object) -> ValidationError:
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        services.create_assignment(**kwargs)  # type: ignore[arg-type]
    assert field in refused.value.message_dict, refused.value.message_dict
    assert records.org_tables() == before
    return refused.value


def _end(assignment: Assignment, end: date, by: User) -> Assignment:
    return services.update_assignment(
        assignment=assignment, version=assignment.version, position=assignment.position, kind=assignment.kind,
        acting_title=assignment.acting_title, start_date=assignment.start_date, end_date=end,
        decree=assignment.decree, by=by,
    )  # fmt: skip


def test_create_assignment_saves_and_records_one_event(org_admin: User, dishub: Agency, newcomer: Employee) -> None:
    position = records.position("Kepala Bidang Sarana dan Prasarana")
    before = AuditEvent.objects.count()
    assignment = services.create_assignment(
        employee=newcomer, position=position, kind=DEFINITIVE, start_date=date(2026, 12, 1),
        decree=" 800/123/BKPSDM/2026 ", by=org_admin,
    )  # fmt: skip
    assignment.refresh_from_db()
    assert (assignment.kind, assignment.acting_title, assignment.start_date, assignment.end_date) == (
        DEFINITIVE,
        "",
        date(2026, 12, 1),
        None,
    )
    assert assignment.decree == "800/123/BKPSDM/2026"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.assignment.created"
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert event.after["start_date"] == "2026-12-01"
    assert event.after["position"] == position.pk


def test_definitive_holder_alongside_the_acting_one_is_allowed(org_admin: User, newcomer: Employee) -> None:
    """The vacant Kepala Bidang Sarana dan Prasarana has a Plt.; a definitive holder may still be appointed."""
    assignment = services.create_assignment(
        employee=newcomer, position=records.position("Kepala Bidang Sarana dan Prasarana"), kind=DEFINITIVE,
        start_date=date(2026, 10, 1), by=org_admin,
    )  # fmt: skip
    assert assignment.pk is not None


def test_plt_alongside_a_definitive_holder_is_allowed(org_admin: User) -> None:
    lukman = records.employee("Lukman Hakim")
    assignment = services.create_assignment(
        employee=lukman, position=records.position("Kepala Bidang Angkutan"), kind=ACTING,
        acting_title=Assignment.ActingTitle.PLT, start_date=date(2026, 10, 1), by=org_admin,
    )  # fmt: skip
    assert assignment.label == "Plt. Kepala Bidang Angkutan"


def test_second_definitive_holder_at_overlapping_dates_is_refused(org_admin: User, newcomer: Employee) -> None:
    error = _refused_on(
        "start_date", employee=newcomer, position=records.position("Analis Lalu Lintas"), kind=DEFINITIVE,
        start_date=date(2026, 12, 1), by=org_admin,
    )  # fmt: skip
    assert "Rudi Hartono" in error.message_dict["start_date"][0]


def test_second_definitive_holder_with_an_end_date_inside_the_first_is_refused(
    org_admin: User, newcomer: Employee
) -> None:
    _refused_on(
        "start_date", employee=newcomer, position=records.position("Analis Lalu Lintas"), kind=DEFINITIVE,
        start_date=date(2024, 1, 1), end_date=date(2025, 1, 2), by=org_admin,
    )  # fmt: skip


@pytest.mark.parametrize("title", [Assignment.ActingTitle.PLT, Assignment.ActingTitle.PLH])
def test_second_acting_holder_at_overlapping_dates_is_refused(org_admin: User, title: str) -> None:
    error = _refused_on(
        "start_date", employee=records.employee("Lukman Hakim"),
        position=records.position("Kepala Bidang Sarana dan Prasarana"), kind=ACTING, acting_title=title,
        start_date=date(2026, 8, 1), end_date=date(2026, 9, 1), by=org_admin,
    )  # fmt: skip
    assert "Agus Setiawan" in error.message_dict["start_date"][0]


def test_acting_holder_before_the_current_one_starts_is_allowed(org_admin: User) -> None:
    assignment = services.create_assignment(
        employee=records.employee("Lukman Hakim"), position=records.position("Kepala Bidang Sarana dan Prasarana"),
        kind=ACTING, acting_title=Assignment.ActingTitle.PLH, start_date=date(2026, 8, 1),
        end_date=date(2026, 8, 31), by=org_admin,
    )  # fmt: skip
    assert assignment.label == "Plh. Kepala Bidang Sarana dan Prasarana"


def test_employee_holding_two_definitive_positions_at_overlapping_dates_is_refused(org_admin: User) -> None:
    error = _refused_on(
        "start_date", employee=records.employee("Rudi Hartono"),
        position=records.position("Kepala Bidang Sarana dan Prasarana"), kind=DEFINITIVE,
        start_date=date(2026, 12, 1), by=org_admin,
    )  # fmt: skip
    assert "Analis Lalu Lintas" in error.message_dict["start_date"][0]


def test_employee_may_act_for_a_position_while_holding_another_definitively(org_admin: User) -> None:
    assignment = services.create_assignment(
        employee=records.employee("Rudi Hartono"), position=records.position("Kepala Seksi Angkutan Barang"),
        kind=ACTING, acting_title=Assignment.ActingTitle.PLH, start_date=date(2026, 12, 1), by=org_admin,
    )  # fmt: skip
    assert assignment.pk is not None


def test_consecutive_holders_of_a_position_are_allowed(org_admin: User, newcomer: Employee) -> None:
    rudi = records.employee("Rudi Hartono")
    analyst = records.position("Analis Lalu Lintas")
    _end(rudi.assignments.get(), date(2025, 12, 31), org_admin)
    successor = services.create_assignment(
        employee=newcomer, position=analyst, kind=DEFINITIVE, start_date=date(2026, 1, 1), by=org_admin
    )
    # And Rudi moves on to a vacant position the next day.
    promotion = services.create_assignment(
        employee=rudi, position=records.position("Kepala Bidang Sarana dan Prasarana"), kind=DEFINITIVE,
        start_date=date(2026, 1, 1), by=org_admin,
    )  # fmt: skip
    assert successor.pk is not None and promotion.pk is not None
    assert Assignment.objects.filter(position=analyst).count() == 2


def test_successor_starting_on_the_last_day_of_the_predecessor_is_refused(org_admin: User, newcomer: Employee) -> None:
    _end(records.employee("Rudi Hartono").assignments.get(), date(2025, 12, 31), org_admin)
    _refused_on(
        "start_date", employee=newcomer, position=records.position("Analis Lalu Lintas"), kind=DEFINITIVE,
        start_date=date(2025, 12, 31), by=org_admin,
    )  # fmt: skip


def test_end_before_start_is_refused(org_admin: User, newcomer: Employee) -> None:
    _refused_on(
        "end_date", employee=newcomer, position=records.position("Kepala Bidang Sarana dan Prasarana"),
        kind=DEFINITIVE, start_date=date(2026, 12, 1), end_date=date(2026, 11, 30), by=org_admin,
    )  # fmt: skip


def test_position_of_another_agency_is_refused(org_admin: User, newcomer: Employee) -> None:
    _refused_on(
        "position", employee=newcomer,
        position=records.position("Kepala Bidang Aplikasi Informatika", "Diskominfo"), kind=DEFINITIVE,
        start_date=date(2026, 12, 1), by=org_admin,
    )  # fmt: skip


def test_acting_without_plt_or_plh_is_refused(org_admin: User) -> None:
    _refused_on(
        "kind", employee=records.employee("Lukman Hakim"), position=records.position("Kepala Bidang Angkutan"),
        kind=ACTING, acting_title="", start_date=date(2026, 12, 1), by=org_admin,
    )  # fmt: skip


@pytest.mark.parametrize("username", ["kadis", "kabid", "inspektorat", "admin.kominfo"])
def test_create_assignment_by_anyone_but_the_agency_admin_is_refused(username: str, newcomer: Employee) -> None:
    with pytest.raises(PermissionDenied):
        services.create_assignment(
            employee=newcomer, position=records.position("Kepala Bidang Sarana dan Prasarana"), kind=DEFINITIVE,
            start_date=date(2026, 12, 1), by=User.objects.get(username=username),
        )  # fmt: skip
    assert not newcomer.assignments.exists()


def test_update_assignment_saves_and_records_one_event(org_admin: User, dishub: Agency) -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    before = AuditEvent.objects.count()
    _end(assignment, date(2026, 12, 31), org_admin)
    assignment.refresh_from_db()
    assert (assignment.end_date, assignment.version) == (date(2026, 12, 31), 2)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.assignment.updated"
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert (event.before["end_date"], event.after["end_date"]) == (None, "2026-12-31")


def test_update_assignment_into_an_occupied_position_is_refused(org_admin: User) -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        services.update_assignment(
            assignment=assignment, version=assignment.version, position=records.position("Kepala Bidang Lalu Lintas"),
            kind=DEFINITIVE, acting_title="", start_date=assignment.start_date, end_date=None, decree="", by=org_admin,
        )  # fmt: skip
    assert "start_date" in refused.value.message_dict
    assert records.org_tables() == before


def test_update_assignment_with_a_stale_version_is_refused_and_keeps_the_first_change(org_admin: User) -> None:
    first = records.employee("Rudi Hartono").assignments.get()
    second = Assignment.objects.get(pk=first.pk)
    _end(first, date(2026, 12, 31), org_admin)
    with pytest.raises(ConflictError):
        _end(second, date(2027, 6, 30), org_admin)
    stored = Assignment.objects.get(pk=first.pk)
    assert (stored.end_date, stored.version) == (date(2026, 12, 31), 2)
