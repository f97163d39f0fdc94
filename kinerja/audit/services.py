from __future__ import annotations

import json
from typing import Any, Protocol

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from kinerja.accounts.models import User
from kinerja.audit import context
from kinerja.audit.chain import GENESIS_HASH, compute_hash
from kinerja.audit.models import AuditEvent

# Any constant will do; it only has to be the same in every process that writes events.
_CHAIN_LOCK_KEY = 4_617_315_517


class ActingAs(Protocol):
    """What the audit trail needs of the position an actor acted in (an org Assignment)."""

    position_id: int

    @property
    def label(self) -> str: ...


def _plain(value: Any) -> Any:
    """Dates, decimals and the like as the JSON text the database will hand back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _lock_chain() -> None:
    # SQLite runs IMMEDIATE transactions one at a time, so the chain head cannot move under us.
    # PostgreSQL needs an explicit lock; without it two writers could read the same head and the
    # unique sequence would make one of them fail.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def record_event(
    *,
    action: str,
    actor: User | None,
    acting_as: ActingAs | None = None,
    agency: models.Model | None = None,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends one event to the chain. Must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must be called inside the transaction of the change it records")
    _lock_chain()
    head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    event = AuditEvent(
        seq=(head["seq"] + 1) if head else 1,
        prev_hash=head["hash"] if head else GENESIS_HASH,
        created_at=timezone.now(),
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "",
        position_id=acting_as.position_id if acting_as is not None else None,
        position_label=acting_as.label[:300] if acting_as is not None else "",
        agency_id=agency.pk if agency is not None else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_label=str(target)[:300] if target is not None else "",
        before=_plain(before),
        after=_plain(after),
        client_address=context.client_address.get(),
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of a model instance, foreign keys by id, for before/after summaries."""
    data: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(obj.pk for obj in getattr(instance, name).all()) if instance.pk else []
        elif field.is_relation:
            data[name] = getattr(instance, field.attname)
        else:
            data[name] = getattr(instance, name)
    return _plain(data)
