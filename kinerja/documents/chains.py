"""Who reviews and who signs each kind of document, and the signature block of a position.

The defaults follow the seeds: the Dokumen Pengukuran Kinerja (seeds 003 and 004), the reports (seed 002) and
the LKjIP go through the secretary to the head; letters are signed by the head. An agency changes a kind's chain
on its document settings. A division's own quarterly report is signed by its division head, and a Perjanjian
Kinerja by its party one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kinerja.documents.models import Document, DocumentSettings, Kind
from kinerja.org.models import Agency, Assignment, Position, Role, Unit
from kinerja.org.selectors import holder_of_position

SIGNER_ROLES = (Role.HEAD, Role.SECRETARY)
REVIEW_ROLES = (Role.SECRETARY, Role.PLANNING_HEAD)
DEFAULT_CHAINS: dict[str, dict[str, Any]] = {
    Kind.REQUEST_LETTER: {"review": [], "signer": Role.HEAD},
    Kind.LETTER: {"review": [], "signer": Role.HEAD},
    Kind.QUARTERLY_REPORT: {"review": [Role.SECRETARY], "signer": Role.HEAD},
    Kind.MEASUREMENT: {"review": [Role.SECRETARY], "signer": Role.HEAD},
    Kind.MONEV_REPORT: {"review": [Role.SECRETARY], "signer": Role.HEAD},
    Kind.AGREEMENT: {"review": [Role.SECRETARY], "signer": Role.HEAD},
    Kind.LKJIP: {"review": [Role.SECRETARY], "signer": Role.HEAD},
}


@dataclass(frozen=True)
class ChainStep:
    role: str
    position: Position
    signs: bool


def chain_setting(settings: DocumentSettings | None, kind: str) -> dict[str, Any]:
    configured = (settings.chains if settings else {}).get(kind) or {}
    default = DEFAULT_CHAINS[kind]
    return {
        "review": configured.get("review", default["review"]),
        "signer": configured.get("signer", default["signer"]),
    }


def _position_with_role(agency: Agency, role: str, unit: Unit | None = None) -> Position | None:
    positions = Position.objects.filter(agency=agency, role=role, is_active=True).select_related("unit")
    if unit is not None:
        positions = positions.filter(unit=unit)
    return positions.order_by("pk").first()


def chain_of(document: Document, settings: DocumentSettings | None) -> list[ChainStep]:
    """The reviews, then the signature, of this document; a role nobody holds in the agency is skipped, the
    signer never is (the caller refuses a chain without one)."""
    setting = chain_setting(settings, document.kind)
    signer: Position | None
    if document.kind == Kind.AGREEMENT and document.agreement_id:
        signer = document.agreement.party_one
    elif document.kind == Kind.QUARTERLY_REPORT and document.unit_id:
        signer = _position_with_role(document.agency, Role.DIVISION_HEAD, document.unit) or _position_with_role(
            document.agency, Role.SECRETARY, document.unit
        )
    else:
        signer = _position_with_role(document.agency, setting["signer"])
    steps = []
    for role in setting["review"]:
        position = _position_with_role(document.agency, role)
        if position is not None and (signer is None or position.pk != signer.pk):
            steps.append(ChainStep(role=role, position=position, signs=False))
    if signer is not None:
        steps.append(ChainStep(role=signer.role, position=signer, signs=True))
    return steps


def position_label(position: Position, assignment: Assignment | None) -> str:
    """The position as signed: "Plt. Kepala Dinas Perhubungan" when the holder is acting."""
    if assignment is not None and assignment.kind == Assignment.Kind.ACTING:
        return f"{assignment.acting_title or 'Plt.'} {position.title}"
    return position.title


def party(position: Position | None, *, signs: bool, heading: list[str] | None = None, on: date | None = None,
          place_date: str = "") -> dict[str, Any]:  # fmt: skip
    """A signature block for the holder of `position` today (the acting holder first)."""
    if position is None:
        return {"heading": heading or [], "prefix": "", "name": "", "rank": "", "nip": "", "position_id": None,
                "signs": signs, "place_date": place_date}  # fmt: skip
    holder = holder_of_position(position, on=on)
    employee = holder.employee if holder else None
    prefix = (holder.acting_title or "Plt.") if holder and holder.kind == Assignment.Kind.ACTING else ""
    return {
        "heading": heading or [position.title.upper()], "prefix": prefix, "name": employee.name if employee else "",
        "rank": employee.get_rank_display() if employee and employee.rank else "",
        "nip": employee.nip if employee else "", "position_id": position.pk, "signs": signs, "place_date": place_date,
    }  # fmt: skip
