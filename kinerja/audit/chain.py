"""The hash chain of audit events: how a row's hash is computed and how the chain is checked."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from kinerja.audit.models import AuditEvent

GENESIS_HASH = "0" * 64


def canonical(event: AuditEvent) -> str:
    """The event's fields as one canonical JSON text (sorted keys, UTC time, no spaces)."""
    fields: dict[str, Any] = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "position_id": event.position_id,
        "position_label": event.position_label,
        "agency_id": event.agency_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walks every event in order and returns where the chain first breaks, if it does."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(checked, event.seq, event.pk, f"expected sequence {expected_seq}, found {event.seq}")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq, event.pk, "previous hash does not match the row before")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.seq, event.pk, "content does not match its hash")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    return ChainReport(checked)
