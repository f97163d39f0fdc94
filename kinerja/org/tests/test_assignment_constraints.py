"""The database keeps the assignment rules even when the service is bypassed (a script, a shell, a race)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from kinerja.org.models import Agency, Assignment, Employee
from kinerja.org.tests import records

pytestmark = pytest.mark.django_db

DEFINITIVE, ACTING = Assignment.Kind.DEFINITIVE, Assignment.Kind.ACTING


@pytest.fixture
def newcomer(dishub: Agency) -> Employee:
    return Employee.objects.create(agency=dishub, name="Budi Santoso", nip=records.NEW_NIP)


def _refused(**fields: object) -> None:
    count = Assignment.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(**fields)
    assert Assignment.objects.count() == count


def test_database_refuses_a_second_definitive_holder(newcomer: Employee) -> None:
    _refused(
        employee=newcomer, position=records.position("Analis Lalu Lintas"), kind=DEFINITIVE,
        start_date=date(2026, 12, 1),
    )  # fmt: skip


def test_database_refuses_a_second_definitive_holder_with_bounded_dates(newcomer: Employee) -> None:
    _refused(
        employee=newcomer, position=records.position("Analis Lalu Lintas"), kind=DEFINITIVE,
        start_date=date(2024, 6, 1), end_date=date(2025, 1, 2),
    )  # fmt: skip


def test_database_refuses_a_second_acting_holder() -> None:
    _refused(
        employee=records.employee("Lukman Hakim"), position=records.position("Kepala Bidang Sarana dan Prasarana"),
        kind=ACTING, acting_title="Plh.", start_date=date(2026, 10, 1), end_date=date(2026, 10, 5),
    )  # fmt: skip


def test_database_refuses_two_definitive_positions_for_one_employee() -> None:
    _refused(
        employee=records.employee("Rudi Hartono"), position=records.position("Kepala Bidang Sarana dan Prasarana"),
        kind=DEFINITIVE, start_date=date(2026, 12, 1),
    )  # fmt: skip


def test_database_refuses_an_end_before_the_start(newcomer: Employee) -> None:
    _refused(
        employee=newcomer, position=records.position("Kepala Bidang Sarana dan Prasarana"), kind=DEFINITIVE,
        start_date=date(2026, 12, 1), end_date=date(2026, 11, 1),
    )  # fmt: skip


@pytest.mark.parametrize(("kind", "acting_title"), [(DEFINITIVE, "Plt."), (ACTING, ""), (ACTING, "Pj.")])
def test_database_refuses_an_acting_title_that_does_not_match_the_kind(
    newcomer: Employee, kind: str, acting_title: str
) -> None:
    _refused(
        employee=newcomer, position=records.position("Kepala Bidang Sarana dan Prasarana"), kind=kind,
        acting_title=acting_title, start_date=date(2026, 12, 1),
    )  # fmt: skip


def test_database_refuses_an_update_into_an_overlap() -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=assignment.pk).update(position=records.position("Kepala Bidang Lalu Lintas"))
    assert Assignment.objects.get(pk=assignment.pk).position.title == "Analis Lalu Lintas"


def test_database_accepts_consecutive_holders(newcomer: Employee) -> None:
    analyst = records.position("Analis Lalu Lintas")
    Assignment.objects.filter(position=analyst).update(end_date=date(2025, 12, 31))
    Assignment.objects.create(employee=newcomer, position=analyst, kind=DEFINITIVE, start_date=date(2026, 1, 1))
    assert Assignment.objects.filter(position=analyst).count() == 2


def test_database_accepts_a_plt_alongside_the_definitive_holder() -> None:
    Assignment.objects.create(
        employee=records.employee("Lukman Hakim"), position=records.position("Kepala Bidang Angkutan"), kind=ACTING,
        acting_title="Plt.", start_date=date(2026, 10, 1),
    )  # fmt: skip
    assert Assignment.objects.filter(position=records.position("Kepala Bidang Angkutan")).count() == 2


def test_database_accepts_changes_to_an_assignment_that_overlaps_only_itself() -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    Assignment.objects.filter(pk=assignment.pk).update(start_date=date(2024, 1, 1), end_date=date(2030, 1, 1))
    assert Assignment.objects.get(pk=assignment.pk).start_date == date(2024, 1, 1)
