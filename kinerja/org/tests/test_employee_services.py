from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.lib.errors import ConflictError
from kinerja.org import services
from kinerja.org.models import Agency, Employee
from kinerja.org.tests import records

pytestmark = pytest.mark.django_db

INVALID_NIPS = {
    "too short": "19730610199402100",
    "too long": "1973061019940210033",
    "letters": "19730610199402100A",
    "impossible birth date": "197302301994021003",
    "birth month 13": "197313101994021003",
    "appointment month 13": "197306101994131003",
    "appointed before birth": "197306101970021003",
    "sex digit 3": "197306101994023003",
    "serial 000": "197306101994021000",
}


def test_create_employee_saves_and_records_one_event(org_admin: User, dishub: Agency) -> None:
    before = AuditEvent.objects.count()
    employee = services.create_employee(
        agency=dishub, name=" Budi Santoso, S.T. ", nip=records.NEW_NIP, rank="III/a", by=org_admin
    )
    employee.refresh_from_db()
    assert (employee.name, employee.nip, employee.rank, employee.agency) == (
        "Budi Santoso, S.T.",
        records.NEW_NIP,
        "III/a",
        dishub,
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.employee.created"
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert event.after["nip"] == records.NEW_NIP


@pytest.mark.parametrize("typed", ["19730610 199402 1 003", "19730610.199402.1.003", "19730610-199402-1-003"])
def test_create_employee_accepts_a_nip_typed_with_separators_and_stores_the_digits(
    org_admin: User, dishub: Agency, typed: str
) -> None:
    employee = services.create_employee(agency=dishub, name="Budi Santoso", nip=typed, by=org_admin)
    employee.refresh_from_db()
    assert employee.nip == "197306101994021003"
    assert employee.nip_display == "19730610 199402 1 003"


@pytest.mark.parametrize("nip", INVALID_NIPS.values(), ids=INVALID_NIPS.keys())
def test_create_employee_with_an_invalid_nip_is_refused(org_admin: User, dishub: Agency, nip: str) -> None:
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        services.create_employee(agency=dishub, name="Budi Santoso", nip=nip, by=org_admin)
    assert list(refused.value.message_dict) == ["nip"]
    assert records.org_tables() == before


def _in_other_digits(nip: str, zero: str) -> str:
    """The NIP written with the digits of another script; digit 15 stays ASCII, as only "1" or "2" pass there."""
    return "".join(d if i == 14 else chr(ord(zero) + int(d)) for i, d in enumerate(nip))


@pytest.mark.parametrize("zero", ["\uff10", "\u0660"], ids=["full-width", "arabic-indic"])
def test_create_employee_with_a_nip_in_other_digits_is_refused(org_admin: User, dishub: Agency, zero: str) -> None:
    rudis_nip = _in_other_digits("199203052019031006", zero)
    with pytest.raises(ValidationError) as refused:
        services.create_employee(agency=dishub, name="Rudi Kembar", nip=rudis_nip, by=org_admin)
    assert "nip" in refused.value.message_dict


def test_create_employee_with_a_registered_nip_is_refused(org_admin: User, dishub: Agency) -> None:
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        services.create_employee(agency=dishub, name="Rudi Kembar", nip="19920305 201903 1 006", by=org_admin)
    assert "nip" in refused.value.message_dict
    assert records.org_tables() == before


def test_create_employee_with_a_nip_registered_in_another_agency_is_refused(org_admin: User, dishub: Agency) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_employee(agency=dishub, name="Tika", nip="199402142019032004", by=org_admin)
    assert "nip" in refused.value.message_dict


def test_update_employee_keeps_its_own_nip_and_records_one_event(org_admin: User, dishub: Agency) -> None:
    employee = records.employee("Rudi Hartono")
    before = AuditEvent.objects.count()
    services.update_employee(
        employee=employee, version=employee.version, name="Rudi Hartono, S.T.", nip=employee.nip_display,
        rank="III/a", by=org_admin,
    )  # fmt: skip
    employee.refresh_from_db()
    assert (employee.name, employee.nip, employee.rank, employee.version) == (
        "Rudi Hartono, S.T.",
        "199203052019031006",
        "III/a",
        2,
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.employee.updated"
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert (event.before["rank"], event.after["rank"]) == ("II/d", "III/a")


def test_update_employee_to_another_employees_nip_is_refused(org_admin: User) -> None:
    employee = records.employee("Rudi Hartono")
    with pytest.raises(ValidationError) as refused:
        services.update_employee(
            employee=employee, version=1, name=employee.name, nip="198306112009011007", rank="", by=org_admin
        )
    assert "nip" in refused.value.message_dict
    assert records.employee("Rudi Hartono").nip == "199203052019031006"


@pytest.mark.parametrize("username", ["kadis", "staf", "inspektorat", "admin.kominfo"])
def test_create_employee_by_anyone_but_the_agency_admin_is_refused(username: str, dishub: Agency) -> None:
    with pytest.raises(PermissionDenied):
        services.create_employee(
            agency=dishub, name="Budi", nip=records.NEW_NIP, by=User.objects.get(username=username)
        )
    assert not Employee.objects.filter(nip=records.NEW_NIP).exists()


def test_update_employee_with_a_stale_version_is_refused_and_keeps_the_first_change(org_admin: User) -> None:
    first = records.employee("Rudi Hartono")
    second = records.employee("Rudi Hartono")
    services.update_employee(employee=first, version=1, name="Rudi Hartono, S.T.", nip=first.nip, rank="", by=org_admin)
    with pytest.raises(ConflictError):
        services.update_employee(
            employee=second, version=1, name="Rudi Hartono, A.Md.T.", nip=second.nip, rank="", by=org_admin
        )
    stored = Employee.objects.get(pk=first.pk)
    assert (stored.name, stored.version) == ("Rudi Hartono, S.T.", 2)
