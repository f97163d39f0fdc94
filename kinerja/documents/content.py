"""The content of a document as plain JSON: what the PDF, the DOCX and the XLSX are all written from.

A builder (`builders/`) reads the database once and returns a Content; the content is stored with the version,
so the signed PDF shows exactly the figures that were approved, and the three formats cannot disagree.
Numbers are kept as decimal strings ("1234.50"), never floats; each table column says how to show them.

    {"kind": ..., "title": ..., "subtitle": ..., "landscape": false, "cover": false, "warning": "",
     "letter": null | {"place_date", "nature", "attachment", "subject", "to": [...], "opening", "copies": [...]},
     "blocks": [{"type": "heading", "text", "level"}, {"type": "paragraph", "text", "align"},
                {"type": "list", "items": [...]}, {"type": "page_break"}, {"type": "signatures"},
                {"type": "table", "title", "sheet", "columns": [{"label", "type", "width"}], "rows": [[...]],
                 "total": null | [...]}],
     "signatures": [{"heading": [...], "prefix", "name", "rank", "nip", "position_id", "signs"}]}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kinerja.lib.numbers import round_half_up

TEXT, NUMBER, PERCENT, MONEY = "text", "number", "percent", "money"
COLUMN_TYPES = (TEXT, NUMBER, PERCENT, MONEY)


def number(value: Decimal | int | None, places: int | None = None) -> str | None:
    """A figure for a table cell: a decimal string, or None for "no figure"."""
    if value is None:
        return None
    value = Decimal(value)
    if places is not None:
        value = round_half_up(value, places)
    return format(value.normalize() if places is None else value, "f")


def as_decimal(cell: Any) -> Decimal | None:
    return None if cell is None or cell == "" else Decimal(str(cell))


@dataclass
class Column:
    label: str
    type: str = TEXT
    width: float = 0  # relative; 0 shares what is left

    def as_dict(self) -> dict[str, Any]:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {self.type}")
        return {"label": self.label, "type": self.type, "width": self.width}


@dataclass
class Content:
    kind: str
    title: str
    subtitle: str = ""
    landscape: bool = False
    cover: bool = False
    warning: str = ""
    letter: dict[str, Any] | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)

    def heading(self, text: str, level: int = 1) -> None:
        self.blocks.append({"type": "heading", "text": text, "level": level})

    def paragraph(self, text: str, align: str = "justify") -> None:
        for part in [p.strip() for p in str(text).split("\n\n")]:
            if part:
                self.blocks.append({"type": "paragraph", "text": part, "align": align})

    def items(self, items: list[str]) -> None:
        self.blocks.append({"type": "list", "items": [str(i) for i in items]})

    def page_break(self) -> None:
        self.blocks.append({"type": "page_break"})

    def signature_place(self) -> None:
        """Where the signature blocks stand when not at the end (the LKjIP before its appendices)."""
        self.blocks.append({"type": "signatures"})

    def table(
        self,
        *,
        title: str,
        sheet: str,
        columns: list[Column],
        rows: list[list[Any]],
        total: list[Any] | None = None,
    ) -> None:
        width = len(columns)
        for row in [*rows, *([total] if total else [])]:
            if len(row) != width:
                raise ValueError(f"table {sheet!r}: a row has {len(row)} cells for {width} columns")
        self.blocks.append({
            "type": "table", "title": title, "sheet": sheet[:28], "columns": [c.as_dict() for c in columns],
            "rows": [[_cell(v) for v in row] for row in rows], "total": [_cell(v) for v in total] if total else None,
        })  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "title": self.title, "subtitle": self.subtitle, "landscape": self.landscape,
            "cover": self.cover, "warning": self.warning, "letter": self.letter, "blocks": self.blocks,
            "signatures": self.signatures,
        }  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a table cell cannot be a bool")
    if isinstance(value, (int, Decimal)):
        return number(value)
    raise TypeError(f"a table cell cannot be {type(value).__name__}: pass str or Decimal")


def fingerprint(content: dict[str, Any]) -> str:
    """The same content gives the same fingerprint: generating twice without a change yields one version."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def tables(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in content["blocks"] if b["type"] == "table"]
