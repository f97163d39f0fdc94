"""What record_event and snapshot put in an event; the chain itself is tested in test_hash_chain.py."""

from __future__ import annotations

import pytest
from django.db import transaction

from kinerja.accounts.models import User
from kinerja.audit.chain import verify_chain
from kinerja.audit.models import AuditEvent
from kinerja.audit.services import record_event, snapshot
from kinerja.org import permissions, services
from kinerja.org.models import Agency, Unit

pytestmark = pytest.mark.django_db


def test_record_event_names_the_actor_the_position_and_the_object(org_admin: User, dishub: Agency) -> None:
    unit = Unit.objects.get(agency=dishub, name="Sekretariat")
    acting = permissions.org_admin_assignment(org_admin, dishub)
    with transaction.atomic():
        event = record_event(
            action="test.touched", actor=org_admin, acting_as=acting, agency=dishub, target=unit, after={"a": 1}
        )
    event.refresh_from_db()
    assert (event.actor, event.actor_label) == (org_admin, "admin")
    assert (event.position_id, event.position_label) == (acting.position_id, "Pengelola Sistem Informasi")
    assert (event.agency_id, event.object_type, event.object_id, event.object_label) == (
        dishub.pk,
        "org.unit",
        str(unit.pk),
        "Sekretariat",
    )
    assert (event.before, event.after) == (None, {"a": 1})


def test_record_event_labels_an_acting_position_with_its_title(kabid: User, dishub: Agency) -> None:
    plt = next(a for a in permissions.current_assignments(kabid) if a.kind == "acting")
    with transaction.atomic():
        event = record_event(action="test.signed", actor=kabid, acting_as=plt, agency=dishub)
    assert event.position_label == "Plt. Kepala Bidang Sarana dan Prasarana"


def test_chain_stays_intact_after_changes_through_services(org_admin: User, dishub: Agency) -> None:
    unit = services.create_unit(agency=dishub, parent=None, name="Bidang Baru", kind=Unit.Kind.DIVISION, by=org_admin)
    services.update_unit(
        unit=unit, version=unit.version, parent=None, name="Bidang Baru Sekali", kind=unit.kind, code="", sort_order=0,
        by=org_admin,
    )  # fmt: skip
    report = verify_chain()
    assert report.ok, report.reason
    assert report.checked == AuditEvent.objects.count()


def test_snapshot_keeps_foreign_keys_as_ids_and_dates_as_text(dishub: Agency) -> None:
    unit = Unit.objects.get(agency=dishub, name="Subbagian Keuangan")
    assert snapshot(unit, ["parent", "name", "sort_order"]) == {
        "parent": unit.parent_id,
        "name": "Subbagian Keuangan",
        "sort_order": 4,
    }
    assignment = unit.positions.get().assignments.get()
    assert snapshot(assignment, ["start_date", "end_date"]) == {"start_date": "2025-01-02", "end_date": None}


def test_snapshot_lists_many_to_many_ids_sorted(dishub: Agency) -> None:
    evaluator = dishub.evaluator_positions.get()
    assert snapshot(evaluator, ["title", "evaluated_agencies"]) == {
        "title": "Auditor Ahli Madya",
        "evaluated_agencies": [dishub.pk],
    }
