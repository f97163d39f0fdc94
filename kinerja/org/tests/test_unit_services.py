from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.lib.errors import ConflictError
from kinerja.org import services
from kinerja.org.models import Agency, Unit
from kinerja.org.tests import records

pytestmark = pytest.mark.django_db


def _update(unit: Unit, by: User, **changes: object) -> Unit:
    fields = {
        "version": unit.version,
        "parent": unit.parent,
        "name": unit.name,
        "kind": unit.kind,
        "code": unit.code,
        "sort_order": unit.sort_order,
    }
    fields.update(changes)
    return services.update_unit(unit=unit, by=by, **fields)  # type: ignore[arg-type]


def test_create_unit_saves_and_records_one_event(org_admin: User, dishub: Agency) -> None:
    parent = records.unit("Bidang Angkutan")
    before = AuditEvent.objects.count()
    unit = services.create_unit(
        agency=dishub, parent=parent, name="  Seksi Angkutan Sungai ", kind=Unit.Kind.SECTION, code="ANG.3",
        sort_order=11, by=org_admin,
    )  # fmt: skip
    unit.refresh_from_db()
    assert (unit.agency, unit.parent, unit.name, unit.code) == (dishub, parent, "Seksi Angkutan Sungai", "ANG.3")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.unit.created"
    assert event.actor == org_admin
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert (event.object_type, event.object_id) == ("org.unit", str(unit.pk))
    assert event.after["name"] == "Seksi Angkutan Sungai"
    assert event.after["parent"] == parent.pk


def test_update_unit_saves_bumps_version_and_records_before_and_after(org_admin: User, dishub: Agency) -> None:
    unit = records.unit("Bidang Lalu Lintas")
    before = AuditEvent.objects.count()
    _update(unit, org_admin, name="Bidang Lalu Lintas Jalan", code="LLAJ")
    unit.refresh_from_db()
    assert (unit.name, unit.code, unit.version) == ("Bidang Lalu Lintas Jalan", "LLAJ", 2)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "org.unit.updated"
    assert event.position_label == "Pengelola Sistem Informasi"
    assert event.agency_id == dishub.pk
    assert event.before["name"] == "Bidang Lalu Lintas"
    assert event.after["name"] == "Bidang Lalu Lintas Jalan"


def test_update_unit_moves_it_under_another_unit(org_admin: User) -> None:
    upt = records.unit("UPT Pengujian Kendaraan Bermotor")
    angkutan = records.unit("Bidang Angkutan")
    _update(upt, org_admin, parent=angkutan)
    upt.refresh_from_db()
    assert upt.parent == angkutan


def test_update_unit_under_itself_is_refused(org_admin: User) -> None:
    unit = records.unit("Bidang Lalu Lintas")
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        _update(unit, org_admin, parent=records.unit("Bidang Lalu Lintas"))
    assert "parent" in refused.value.message_dict
    assert records.org_tables() == before


@pytest.mark.parametrize(
    ("name", "below"),
    [
        ("Bidang Lalu Lintas", "Seksi Manajemen dan Rekayasa Lalu Lintas"),
        ("Sekretariat", "Subbagian Keuangan"),
    ],
)
def test_update_unit_under_its_own_descendant_is_refused(org_admin: User, name: str, below: str) -> None:
    unit = records.unit(name)
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        _update(unit, org_admin, parent=records.unit(below))
    assert "parent" in refused.value.message_dict
    assert records.org_tables() == before


def test_update_unit_under_a_grandchild_is_refused(org_admin: User, dishub: Agency) -> None:
    seksi = records.unit("Seksi Angkutan Orang")
    grandchild = services.create_unit(
        agency=dishub, parent=seksi, name="Pos Terminal", kind=Unit.Kind.OTHER, by=org_admin
    )
    angkutan = records.unit("Bidang Angkutan")
    with pytest.raises(ValidationError) as refused:
        _update(angkutan, org_admin, parent=grandchild)
    assert "parent" in refused.value.message_dict
    angkutan.refresh_from_db()
    assert angkutan.parent is None


def test_create_unit_with_a_sibling_name_is_refused(org_admin: User, dishub: Agency) -> None:
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        services.create_unit(
            agency=dishub, parent=records.unit("Sekretariat"), name="subbagian keuangan",
            kind=Unit.Kind.SUBDIVISION, by=org_admin,
        )  # fmt: skip
    assert "name" in refused.value.message_dict
    assert records.org_tables() == before


def test_create_top_unit_with_a_sibling_name_is_refused(org_admin: User, dishub: Agency) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_unit(agency=dishub, parent=None, name="Bidang Angkutan", kind=Unit.Kind.DIVISION, by=org_admin)
    assert "name" in refused.value.message_dict


def test_create_unit_with_a_name_used_under_another_parent_is_allowed(org_admin: User, dishub: Agency) -> None:
    unit = services.create_unit(
        agency=dishub, parent=records.unit("Bidang Angkutan"), name="Seksi Sarana Perhubungan",
        kind=Unit.Kind.SECTION, by=org_admin,
    )  # fmt: skip
    assert Unit.objects.filter(agency=dishub, name="Seksi Sarana Perhubungan").count() == 2
    assert unit.pk is not None


def test_rename_unit_to_a_sibling_name_is_refused(org_admin: User) -> None:
    unit = records.unit("Bidang Angkutan")
    with pytest.raises(ValidationError) as refused:
        _update(unit, org_admin, name="Bidang Lalu Lintas")
    assert "name" in refused.value.message_dict


def test_create_unit_under_a_unit_of_another_agency_is_refused(org_admin: User, dishub: Agency) -> None:
    before = records.org_tables()
    with pytest.raises(ValidationError) as refused:
        services.create_unit(
            agency=dishub, parent=records.unit("Sekretariat", "Diskominfo"), name="Seksi Baru",
            kind=Unit.Kind.SECTION, by=org_admin,
        )  # fmt: skip
    assert "parent" in refused.value.message_dict
    assert records.org_tables() == before


@pytest.mark.parametrize("username", ["kadis", "sekretaris", "staf", "inspektorat", "admin.kominfo"])
def test_create_unit_by_anyone_but_the_agency_admin_is_refused(username: str, dishub: Agency) -> None:
    before = records.org_tables()
    with pytest.raises(PermissionDenied):
        services.create_unit(
            agency=dishub, parent=None, name="Bidang Baru", kind=Unit.Kind.DIVISION,
            by=User.objects.get(username=username),
        )  # fmt: skip
    assert records.org_tables() == before


def test_update_unit_by_another_agency_admin_is_refused(other_admin: User) -> None:
    unit = records.unit("Bidang Lalu Lintas")
    with pytest.raises(PermissionDenied):
        _update(unit, other_admin, name="Diambil Alih")
    unit.refresh_from_db()
    assert unit.name == "Bidang Lalu Lintas"


def test_update_unit_with_a_stale_version_is_refused_and_keeps_the_first_change(org_admin: User) -> None:
    first = records.unit("Bidang Lalu Lintas")
    second = records.unit("Bidang Lalu Lintas")
    _update(first, org_admin, code="LL-1")
    events = AuditEvent.objects.count()
    with pytest.raises(ConflictError):
        _update(second, org_admin, version=1, code="LL-2")
    stored = records.unit("Bidang Lalu Lintas")
    assert (stored.code, stored.version) == ("LL-1", 2)
    assert AuditEvent.objects.count() == events
