from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from kinerja.audit.chain import GENESIS_HASH, compute_hash, verify_chain
from kinerja.audit.models import AuditEvent
from kinerja.audit.services import record_event

pytestmark = pytest.mark.django_db

APPEND_ONLY_TRIGGERS = {
    "sqlite": (
        ["DROP TRIGGER audit_auditevent_no_update"],
        [
            "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        ],
    ),
    "postgresql": (
        ["ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"],
        ["ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only"],
    ),
}


def _tamper(event: AuditEvent, sql: str, params: list[object]) -> None:
    """Changes a row the way someone with direct database access would: triggers off, write, triggers on."""
    off, on = APPEND_ONLY_TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        for statement in off:
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in on:
            cursor.execute(statement)


def _some_event(seq_from_end: int = 3) -> AuditEvent:
    return AuditEvent.objects.order_by("-seq")[seq_from_end]


def test_the_demo_and_new_events_form_an_intact_chain(staf) -> None:
    with transaction.atomic():
        record_event(action="test.event", actor=staf, after={"value": "1,5", "n": 3})
    report = verify_chain()
    assert report.ok
    assert report.checked == AuditEvent.objects.count()
    first = AuditEvent.objects.order_by("seq").first()
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH


def test_each_event_carries_the_hash_of_the_one_before(staf) -> None:
    with transaction.atomic():
        a = record_event(action="test.a", actor=staf)
        b = record_event(action="test.b", actor=staf)
    assert b.seq == a.seq + 1
    assert b.prev_hash == a.hash
    assert a.hash == compute_hash(AuditEvent.objects.get(pk=a.pk))


def test_events_are_written_only_inside_a_transaction(staf) -> None:
    with pytest.raises(RuntimeError):
        # pytest-django wraps the test in a transaction; leave it to check the guard.
        with transaction.atomic():
            pass
        connection.in_atomic_block = False
        try:
            record_event(action="test.outside", actor=staf)
        finally:
            connection.in_atomic_block = True


def test_database_refuses_update_of_an_event() -> None:
    event = _some_event()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["tampered", event.pk])


def test_database_refuses_delete_of_an_event() -> None:
    event = _some_event()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_audit_verify_reports_a_clean_chain(capsys) -> None:
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out


def test_audit_verify_names_the_altered_row() -> None:
    event = _some_event()
    _tamper(event, "UPDATE audit_auditevent SET object_label = %s WHERE id = %s", ["someone else", event.pk])
    with pytest.raises(CommandError, match=f"seq={event.seq} \\(id={event.pk}\\)"):
        call_command("audit_verify")


def test_audit_verify_detects_a_row_rewritten_with_a_fresh_hash() -> None:
    # Recomputing the altered row's own hash is not enough: the next row still points to the old one.
    event = _some_event()
    event.object_label = "someone else"
    _tamper(
        event,
        "UPDATE audit_auditevent SET object_label = %s, hash = %s WHERE id = %s",
        [event.object_label, compute_hash(event), event.pk],
    )
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == event.seq + 1


def test_audit_verify_detects_a_deleted_row() -> None:
    event = _some_event()
    off, on = APPEND_ONLY_TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
        else:
            cursor.execute(off[0])
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    report = verify_chain()
    assert report.broken_seq == event.seq + 1
