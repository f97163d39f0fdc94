"""The six SOPs of the shared seeds, kept as YAML files in `kinerja/sop/seeds/`, read into specs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kinerja.sop.spec import Identity, Lane, ProcedureSpec, Step, Symbol, parse_durations

SEED_DIR = Path(__file__).parent / "seeds"


@dataclass(frozen=True)
class SeedSop:
    slug: str
    spec: ProcedureSpec
    source_file: str
    quality_issues: tuple[str, ...]
    lane_source_labels: dict[str, str]


def spec_from_data(data: dict[str, Any]) -> ProcedureSpec:
    ident = data.get("identity") or {}
    approver = ident.get("approver") or {}
    identity = Identity(
        title=ident.get("title") or "",
        government=ident.get("government") or "",
        agency=ident.get("agency") or "",
        unit=ident.get("unit") or "",
        number=ident.get("number") or "",
        made_on=ident.get("made_on") or "",
        revised_on=ident.get("revised_on") or "",
        effective_on=ident.get("effective_on") or "",
        approver_title=approver.get("title") or "",
        approver_name=approver.get("name") or "",
        approver_rank=approver.get("rank") or "",
        approver_nip=approver.get("nip") or "",
        legal_basis=list(ident.get("legal_basis") or []),
        qualifications=list(ident.get("qualifications") or []),
        related=list(ident.get("related") or []),
        equipment=list(ident.get("equipment") or []),
        warnings=list(ident.get("warnings") or []),
        records=list(ident.get("records") or []),
    )
    lanes = [Lane(key=lane["key"], label=lane["label"], role=lane.get("role") or "") for lane in data["lanes"]]
    steps = []
    for raw in data["steps"]:
        performer = raw.get("performer") or {}
        notes = raw.get("notes") or ""
        steps.append(
            Step(
                number=int(raw["number"]),
                text=raw["text"],
                symbol=Symbol(raw.get("symbol") or "process"),
                lanes=list(raw.get("lanes") or []),
                inputs=list(raw.get("inputs") or []),
                durations=parse_durations(raw.get("time")),
                outputs=list(raw.get("outputs") or []),
                notes=notes,
                next=raw.get("next"),
                yes=raw.get("yes"),
                no=raw.get("no"),
                question=raw.get("question") or "",
                action=raw.get("action") or "",
                performer_inferred=performer.get("marker") == "disimpulkan",
                performer_confidence=performer.get("confidence") or "",
                performer_reason=performer.get("reason") or "",
            )
        )
    return ProcedureSpec(identity=identity, lanes=lanes, steps=steps, trigger=data.get("trigger") or "")


@cache
def _read(path: Path) -> SeedSop:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return SeedSop(
        slug=data["slug"],
        spec=spec_from_data(data),
        source_file=(data.get("source") or {}).get("file") or "",
        quality_issues=tuple(data.get("quality_issues") or ()),
        lane_source_labels={lane["key"]: lane.get("source_label") or "" for lane in data["lanes"]},
    )


def seed_sops() -> list[SeedSop]:
    """The seed SOPs in file order. Specs are shared: copy before changing one."""
    return [_read(path) for path in sorted(SEED_DIR.glob("*.yaml"))]
