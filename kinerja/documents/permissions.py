"""Who may read, write, approve and sign documents.

- The planning head, the secretary and the administrator of an agency compose its documents: create them, write
  their texts, generate them, send them for approval and ask for corrections. They also keep its letterhead,
  chains and numbering series.
- A review or a signature is given by whoever holds the position of that step today (a Plt. included).
- Readers: those who act across the agency (head, secretary, planning head, admin) and its evaluators read every
  document; everyone else of the agency reads the signed documents of the whole agency and every document about
  or addressed to their own units, and a document waiting for them.
- Nobody reads another agency's documents: the same 404 for "missing" and "not yours".
- The public verification page needs no login and shows only what the signed PDF itself prints.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinerja.accounts.models import User
from kinerja.collection.permissions import holds
from kinerja.documents.models import Approval, Disposition, Document, DocumentVersion
from kinerja.org.models import Agency, Assignment, Role
from kinerja.org.permissions import assignment_with_role, current_assignments, readable_agency_ids, unit_scope

COMPOSER_ROLES = frozenset({Role.PLANNING_HEAD, Role.SECRETARY, Role.ADMIN})
# Who writes a disposition: anyone who leads someone (a disposition goes down the hierarchy).
LEADER_ROLES = frozenset({Role.HEAD, Role.SECRETARY, Role.DIVISION_HEAD, Role.PLANNING_HEAD, Role.SECTION_HEAD})


def composer_assignment(user: User, agency: Agency) -> Assignment | None:
    return assignment_with_role(user, agency, COMPOSER_ROLES)


def can_compose(user: User, agency: Agency) -> bool:
    return composer_assignment(user, agency) is not None


def require_composer(user: User, agency: Agency) -> Assignment:
    assignment = composer_assignment(user, agency)
    if assignment is None:
        raise PermissionDenied
    return assignment


def composer_agencies(user: User) -> list[Agency]:
    seen: dict[int, Agency] = {}
    for assignment in current_assignments(user):
        if assignment.position.role in COMPOSER_ROLES:
            seen.setdefault(assignment.position.agency_id, assignment.position.agency)
    return list(seen.values())


def waits_for(user: User, document: Document) -> bool:
    """Whether a review or the signature of the document waits for a position the user holds."""
    pending = [a.position_id for a in document.approvals.all() if a.decision == Approval.Decision.PENDING]
    return any(holds(user, pk) for pk in pending)


def can_read(user: User, document: Document) -> bool:
    if document.agency_id not in readable_agency_ids(user):
        return False
    scope = unit_scope(user, document.agency)
    if scope is None:
        return True
    if document.unit_id is not None and document.unit_id in scope:
        return True
    if document.unit_id is None and document.is_signed:
        return True
    if waits_for(user, document):
        return True
    return Disposition.objects.filter(document=document, to_position__in=_position_ids(user)).exists()


def _position_ids(user: User) -> list[int]:
    return [a.position_id for a in current_assignments(user)]


def get_document_for_user(user: User, pk: int) -> Document:
    document = Document.objects.select_related("agency__local_government", "unit", "period", "supersedes").filter(
        pk=pk
    ).first()  # fmt: skip
    if document is None or not can_read(user, document):
        raise Http404
    return document


def get_version_for_user(user: User, pk: int) -> DocumentVersion:
    version = DocumentVersion.objects.select_related("document__agency").filter(pk=pk).first()
    if version is None or not can_read(user, version.document):
        raise Http404
    if not version.signed and not (can_compose(user, version.document.agency) or waits_for(user, version.document)):
        # A draft file is for those who write it and those who must approve it.
        scope = unit_scope(user, version.document.agency)
        if scope is not None:
            raise Http404
    return version


def get_disposition_for_user(user: User, pk: int) -> Disposition:
    disposition = Disposition.objects.select_related("document", "task", "to_position", "from_position").filter(
        pk=pk
    ).first()  # fmt: skip
    if disposition is None:
        raise Http404
    mine = set(_position_ids(user))
    if disposition.to_position_id in mine or disposition.from_position_id in mine:
        return disposition
    if disposition.agency_id in readable_agency_ids(user) and unit_scope(user, disposition.agency) is None:
        return disposition
    raise Http404
