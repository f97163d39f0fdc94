from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.lib.errors import ConflictError
from kinerja.org import services
from kinerja.org.models import Agency, Position, Role
from kinerja.org.tests import records

pytestmark = pytest.mark.django_db


def _update(position: Position, by: User, **changes: object) -> Position:
    fields = {
        "version": position.version,
        "unit": position.unit,
        "title": position.title,
        "role": position.role,
        "superior": position.superior,
        "is_active": position.is_active,
        "evaluated_agencies": list(position.evaluated_agencies.all()),
    }
    fields.update(changes)
    return services.update_position(position=position, by=by, **fields)  # type: ignore[arg-type]


def test_create_position_saves_and_records_one_event(org_admin: User, dishub: Agency) -> None:
    seksi = records.unit("Seksi Angkutan Orang")
    head = records.position("Kepala Seksi Angkutan Orang")
    before = AuditEvent.objects.count()
    position = services.create_position(
        agency=dishub, unit=seksi, title=" Analis Angkutan ", role=Role.STAFF, superior=head, by=org_admin
    )
    position.refresh_from_db()
    assert (position.title, position.unit, position.superior, position.is_active) == (
        "Analis Angkutan",
        seksi,
        head,
        True,
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.position.created"
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert event.after["superior"] == head.pk


def test_update_position_saves_and_records_one_event(org_admin: User, dishub: Agency) -> None:
    position = records.position("Analis Lalu Lintas")
    before = AuditEvent.objects.count()
    _update(position, org_admin, title="Analis Lalu Lintas Ahli Pertama", is_active=False)
    position.refresh_from_db()
    assert (position.title, position.is_active, position.version) == ("Analis Lalu Lintas Ahli Pertama", False, 2)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.position.updated"
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)


def test_create_evaluator_position_with_agencies_to_evaluate(org_admin: User, dishub: Agency) -> None:
    kominfo = records.agency("Diskominfo")
    position = services.create_position(
        agency=dishub, unit=None, title="Auditor Internal", role=Role.EVALUATOR, superior=None,
        evaluated_agencies=[kominfo], by=org_admin,
    )  # fmt: skip
    assert list(position.evaluated_agencies.all()) == [kominfo]
    assert AuditEvent.objects.order_by("-seq").first().after["evaluated_agencies"] == [kominfo.pk]


def test_create_position_in_a_unit_of_another_agency_is_refused(org_admin: User, dishub: Agency) -> None:
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        services.create_position(
            agency=dishub, unit=records.unit("Sekretariat", "Diskominfo"), title="Analis", role=Role.STAFF,
            superior=None, by=org_admin,
        )  # fmt: skip
    assert "unit" in refused.value.message_dict
    assert records.org_tables() == before


def test_create_staff_position_without_a_unit_is_refused(org_admin: User, dishub: Agency) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_position(agency=dishub, unit=None, title="Analis", role=Role.STAFF, superior=None, by=org_admin)
    assert "unit" in refused.value.message_dict


def test_create_position_reporting_to_another_agency_is_refused(org_admin: User, dishub: Agency) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_position(
            agency=dishub, unit=records.unit("Sekretariat"), title="Analis", role=Role.STAFF,
            superior=records.position("Kepala Dinas Komunikasi dan Informatika", "Diskominfo"), by=org_admin,
        )  # fmt: skip
    assert "superior" in refused.value.message_dict


def test_create_non_evaluator_with_agencies_to_evaluate_is_refused(org_admin: User, dishub: Agency) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_position(
            agency=dishub, unit=records.unit("Sekretariat"), title="Analis", role=Role.STAFF, superior=None,
            evaluated_agencies=[records.agency("Diskominfo")], by=org_admin,
        )  # fmt: skip
    assert "evaluated_agencies" in refused.value.message_dict


def test_position_reporting_to_its_own_subordinate_is_refused(org_admin: User) -> None:
    kadis = records.position("Kepala Dinas Perhubungan")
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        _update(kadis, org_admin, superior=records.position("Analis Lalu Lintas"))
    assert "superior" in refused.value.message_dict
    assert records.org_tables() == before


def test_position_reporting_to_itself_is_refused(org_admin: User) -> None:
    position = records.position("Analis Lalu Lintas")
    with pytest.raises(ValidationError) as refused:
        _update(position, org_admin, superior=records.position("Analis Lalu Lintas"))
    assert "superior" in refused.value.message_dict


@pytest.mark.parametrize("username", ["kadis", "inspektorat", "admin.kominfo"])
def test_create_position_by_anyone_but_the_agency_admin_is_refused(username: str, dishub: Agency) -> None:
    before = records.org_tables()
    with pytest.raises(PermissionDenied):
        services.create_position(
            agency=dishub, unit=records.unit("Sekretariat"), title="Analis", role=Role.STAFF, superior=None,
            by=User.objects.get(username=username),
        )  # fmt: skip
    assert records.org_tables() == before


def test_update_position_with_a_stale_version_is_refused_and_keeps_the_first_change(org_admin: User) -> None:
    first = records.position("Analis Lalu Lintas")
    second = records.position("Analis Lalu Lintas")
    _update(first, org_admin, title="Analis Lalu Lintas Ahli Pertama")
    with pytest.raises(ConflictError):
        _update(second, org_admin, version=1, title="Analis Lalu Lintas Terampil")
    stored = Position.objects.get(pk=first.pk)
    assert (stored.title, stored.version) == ("Analis Lalu Lintas Ahli Pertama", 2)
