"""Reads of the documents app."""

from __future__ import annotations

from kinerja.accounts.models import User
from kinerja.documents.models import Approval, Document
from kinerja.org.permissions import current_assignments


def approvals_waiting(user: User) -> list[Approval]:
    """The reviews and signatures whose turn it is and that wait for a position the user holds."""
    mine = [a.position_id for a in current_assignments(user)]
    if not mine:
        return []
    candidates = list(
        Approval.objects.filter(
            position_id__in=mine, decision=Approval.Decision.PENDING,
            document__status__in=[Document.Status.IN_REVIEW, Document.Status.READY],
        ).select_related("document", "position").order_by("document__created_at")[:100]
    )  # fmt: skip
    if not candidates:
        return []
    first_pending: dict[int, tuple[int, int]] = {}
    for doc_id, round_, order in Approval.objects.filter(
        document_id__in={a.document_id for a in candidates}, decision=Approval.Decision.PENDING
    ).values_list("document_id", "round", "order"):
        key = (-round_, order)
        if doc_id not in first_pending or key < first_pending[doc_id]:
            first_pending[doc_id] = key
    return [a for a in candidates if first_pending.get(a.document_id) == (-a.round, a.order)]
