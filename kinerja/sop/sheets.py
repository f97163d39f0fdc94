"""An SOP AP as a spreadsheet, in the table layout agencies already use, and back.

Most SOPs exist as Excel or Word tables long before anyone types them into an application, so the import
reads the layouts found in practice: the identity block as label/value rows, then the table (No, Uraian
Kegiatan, one column per pelaksana, Mutu Baku: Kelengkapan, Waktu, Output, and Keterangan) with a one- or
two-row header. The export writes the same layout, so a workbook round-trips to an equal `ProcedureSpec`.

The workbook is untrusted. It is checked by `check_upload` before openpyxl opens it (read-only, no formula
evaluated), every cell is converted to text, and everything that would change the SOP silently (an
unknown performer, a formula, a wrong number, a decision to nowhere) is refused with its row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kinerja.lib.uploads import MB, UploadRefused, check_upload
from kinerja.sop.spec import (
    DurationError,
    Identity,
    Lane,
    ProcedureSpec,
    Step,
    Symbol,
    durations_text,
    flow_targets,
    parse_durations,
    problems,
)

MAX_UPLOAD_BYTES = 5 * MB
MAX_STEPS = 200
MAX_ROWS = 3_000  # rows read from the sheet: the identity block, a 200-step table and what follows it
MAX_COLUMNS = 60
SHEET_TITLE = "SOP"
GUIDE_TITLE = "Petunjuk"
MARK = "X"
ARROW = "→"
END_WORD = "Selesai"
# The values of org.Role (kept here so that this module stays free of models; a test keeps them equal).
ROLES = (
    "head",
    "secretary",
    "division_head",
    "planning_head",
    "section_head",
    "staff",
    "evaluator",
    "regional",
    "admin",
)
# Sheet titles that say nothing about the SOP, so they cannot stand in for a missing "Nama SOP".
_PLACEHOLDER_TITLES = {"sop", "sheet", "sheet1", "sheet 1", "lembar1", "lembar 1", "sop ap"}


@dataclass(frozen=True)
class SheetError:
    """A problem located in the sheet: `row` is the Excel row (0 for the sheet as a whole), `column` a letter."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        place = {"row": self.row, "column": self.column, "message": self.message}
        if self.row and self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % place
        if self.row:
            return _("Row %(row)s: %(message)s") % place
        if self.column:
            return _("Column %(column)s: %(message)s") % place
        return self.message


@dataclass
class ImportResult:
    """The spec read from the workbook, or None when any error was found; warnings never block."""

    spec: ProcedureSpec | None = None
    errors: list[SheetError] = field(default_factory=list)
    warnings: list[SheetError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors


# The identity block ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One identity row: its label in the export, the Identity attribute it fills (or "trigger", "roles"
    for the spec's trigger and the performers' roles), whether it is a list, and the labels also read."""

    label: str
    attr: str
    many: bool = False
    aliases: tuple[str, ...] = ()


_FIELDS = (
    _Field("Pemerintah", "government", aliases=("pemerintah daerah", "pemda")),
    _Field("Instansi", "agency", aliases=("nama instansi", "skpd", "opd", "perangkat daerah", "satuan kerja")),
    _Field("Unit Kerja", "unit", aliases=("unit", "unit organisasi")),
    _Field("Nama SOP", "title", aliases=("judul sop", "nama sop ap", "judul sop ap", "judul", "nama prosedur")),
    _Field("Nomor SOP", "number", aliases=("nomor sop ap", "no sop", "no sop ap")),
    _Field("Tanggal Pembuatan", "made_on", aliases=("tgl pembuatan", "tanggal dibuat")),
    _Field("Tanggal Revisi", "revised_on", aliases=("tgl revisi",)),
    _Field("Tanggal Efektif", "effective_on", aliases=("tgl efektif", "tanggal pengesahan", "tgl pengesahan")),
    _Field("Disahkan oleh (jabatan)", "approver_title", aliases=("disahkan oleh", "jabatan pengesah", "jabatan")),
    _Field("Nama pengesah", "approver_name", aliases=("nama", "nama pejabat", "nama pejabat pengesah")),
    _Field("Pangkat", "approver_rank", aliases=("pangkat/golongan", "pangkat/gol", "pangkat golongan")),
    _Field("NIP", "approver_nip", aliases=("nip pengesah",)),
    _Field("Dasar Hukum", "legal_basis", many=True),
    _Field("Kualifikasi Pelaksana", "qualifications", many=True, aliases=("kualitas pelaksana",)),
    _Field("Keterkaitan", "related", many=True, aliases=("keterkaitan sop",)),
    _Field(
        "Peralatan/Perlengkapan",
        "equipment",
        many=True,
        aliases=("peralatan", "perlengkapan", "perlengkapan/peralatan", "peralatan dan perlengkapan"),
    ),
    _Field("Peringatan", "warnings", many=True),
    _Field(
        "Pencatatan dan Pendataan",
        "records",
        many=True,
        aliases=("pencatatan", "pencatatan/pendataan", "pencatatan pendataan"),
    ),
    _Field("Pemicu", "trigger", aliases=("pemicu pelaksanaan", "waktu pelaksanaan")),
    _Field("Peran Pelaksana", "roles", many=True, aliases=("peran",)),
)


def _norm(text: str) -> str:
    """A header or label as compared: lower case, "&" as "dan", punctuation as spaces, "a / b" as "a/b"."""
    text = text.lower().replace("&", " dan ")
    text = re.sub(r"[^a-z0-9/]+", " ", text)
    return re.sub(r"\s*/\s*", "/", " ".join(text.split()))


_FIELDS_BY_LABEL = {_norm(name): f for f in _FIELDS for name in (f.label, *f.aliases)}


# The table header ------------------------------------------------------------------------------------------

_NUMBER_HEADERS = {"no", "nomor", "no urut", "nomor urut", "no kegiatan"}
_TEXT_HEADERS = {"uraian kegiatan", "uraian", "kegiatan", "uraian prosedur", "uraian aktivitas", "aktivitas"}
_GROUP_HEADERS = {"pelaksana", "mutu baku"}


def _column_kind(header: str) -> str:
    """What a header after the performer columns holds: inputs, time, outputs, notes, decision, or ""."""
    n = _norm(header)
    if "kelengkapan" in n or n.startswith("persyaratan") or n in ("sumber data", "input"):
        return "inputs"
    if n.startswith("waktu"):
        return "time"
    if n.startswith("output") or n == "keluaran":
        return "outputs"
    if n in ("ket", "keterangan") or n.startswith("keterangan"):
        return "notes"
    if n.startswith("keputusan"):
        return "decision"
    return ""


# Performer labels as agencies write them, in the order they are tried: a "Kasubbag Program" is the planning
# head before any "kasubbag" is a section head, and "perencanaan" alone names planning only when nothing else did.
_KASUBBAG = r"(?:kasubb?ag|kasub bag|kepala sub ?bag(?:ian)?|kepala subbagian)"
_ROLE_PATTERNS = (
    ("planning_head", rf"\b{_KASUBBAG}\b.*\b(?:perencanaan|program|p dan p|pek dan k|pekk|pep)\b"),
    ("section_head", rf"\b(?:kasubb?id|kasie|kasi|kepala seksi|kepala sub ?bidang|kepala subbid|{_KASUBBAG})\b"),
    ("head", r"\b(?:kepala dinas|kadis|kepala skpd|kepala badan|kepala opd)\b"),
    ("secretary", r"\b(?:sekretaris|sekertaris|sekdis)\b"),
    ("division_head", r"\b(?:kepala bidang|kabid)\b"),
    (
        "staff",
        r"\b(?:staf|staff|analis|pengolah|fungsional|pelaksana|penyusun|operator|tim|bendahara|pengadministrasi)\b",
    ),
    ("planning_head", r"\bperencanaan\b"),
)
_ROLE_RES = tuple((role, re.compile(pattern)) for role, pattern in _ROLE_PATTERNS)


def builtin_role(label: str) -> str:
    """The role a performer header names by the usual Indonesian titles, or "" when it names none."""
    n = _norm(label)
    return next((role for role, pattern in _ROLE_RES if pattern.search(n)), "")


# Keterangan: decision rules and explicit flow ------------------------------------------------------------

_GOES = r"(?:→|-+>|=>|⇒|:|=|\bke\b)"


def _branch(i: str) -> str:
    return (
        rf"(?<!\w)(?P<kind{i}>ya|tidak|tdk)(?:\s*\((?P<label{i}>[^()\n]{{1,40}})\))?\s*{_GOES}\s*"
        rf"(?:langkah\s*|no\.?\s*)?(?P<n{i}>\d+)(?!\d)"
    )


_RULE_RE = re.compile(_branch("1") + r"\s*(?:[/;,|]|\bdan\b|\batau\b)?\s*" + _branch("2"), re.IGNORECASE)
_LONE_BRANCH_RE = re.compile(r"\s*" + _branch("1") + r"\s*\.?\s*", re.IGNORECASE)
_NEXT_RE = re.compile(
    r"(?:(?:lanjut|kembali)(?:\s+ke)?(?:\s+langkah)?\s*(?:→|-+>|=>|:)?|→|-+>|=>)\s*(?:langkah\s+)?"
    r"(?P<target>\d+|selesai)\s*\.?",
    re.IGNORECASE,
)
_LIST_MARK_RE = re.compile(r"^(?:\d{1,2}[.)]|[a-z][.)]|[-•*▪·])\s+")
_COLUMN_NUMBER_RE = re.compile(r"\(?\s*\d{1,2}\s*\)?")
_STEP_NUMBER_RE = re.compile(r"(\d{1,4})\s*\.?")


@dataclass
class _Rule:
    yes: int
    no: int
    yes_label: str = "Ya"
    no_label: str = "Tidak"
    question: str = ""


@dataclass
class _Remarks:
    """A Keterangan (or Keputusan) cell taken apart: the notes left, a decision rule, a "Lanjut → n"."""

    notes: str = ""
    rule: _Rule | None = None
    next: int | str | None = None  # a step number, or END_WORD
    problems: list[str] = field(default_factory=list)


def _rule_from(match: re.Match[str]) -> _Rule | None:
    kinds = [match.group(f"kind{i}").lower() for i in ("1", "2")]
    if (kinds[0] == "ya") == (kinds[1] == "ya"):
        return None
    first_yes = kinds[0] == "ya"
    yes, no = ("1", "2") if first_yes else ("2", "1")
    return _Rule(
        yes=int(match.group(f"n{yes}")),
        no=int(match.group(f"n{no}")),
        yes_label=(match.group(f"label{yes}") or "Ya").strip(),
        no_label=(match.group(f"label{no}") or "Tidak").strip(),
    )


def read_remarks(text: str) -> _Remarks:
    """The Keterangan as written, with a decision rule ("Ya → 6 / Tidak → 4", "Ya -> 6; Tidak -> 4",
    "Ya: 6, Tidak: 4", optionally after its question) and a "Lanjut → n" line taken out of the notes."""
    found = _Remarks()
    kept: list[str] = []
    for line in text.split("\n"):
        if next_match := _NEXT_RE.fullmatch(line.strip()):
            if found.next is not None:
                found.problems.append(_("The row gives more than one “Lanjut →”."))
            target = next_match.group("target")
            found.next = int(target) if target.isdigit() else END_WORD
            continue
        rule_match = _RULE_RE.search(line)
        if rule_match is None:
            if _LONE_BRANCH_RE.fullmatch(line):
                found.problems.append(_("A decision needs both a Ya and a Tidak exit."))
            kept.append(line.rstrip())
            continue
        rule = _rule_from(rule_match)
        if rule is None:
            found.problems.append(_("A decision rule needs one Ya and one Tidak exit, e.g. “Ya → 6 / Tidak → 4”."))
            continue
        if found.rule is not None:
            found.problems.append(_("The row gives more than one decision rule."))
            continue
        question = line[: rule_match.start()].strip().rstrip(":-–").strip()
        rule.question = "" if _norm(question) in ("keputusan", "jika", "bila") else question
        rest = line[rule_match.end() :].strip().lstrip(".").strip()
        if rest:
            kept.append(rest)
        found.rule = rule
    found.notes = "\n".join(kept).strip()
    return found


def rule_text(step: Step) -> str:
    """The decision rule as the export writes it: "Ya → 6 / Tidak → 4", after the question if there is one."""
    parts = []
    for kind, label, target in (("Ya", step.yes_label, step.yes), ("Tidak", step.no_label, step.no)):
        if target is None:
            continue
        named = kind if not label or label == kind else f"{kind} ({label})"
        parts.append(f"{named} {ARROW} {target}")
    text = " / ".join(parts)
    return f"{step.question} {text}".strip() if step.question and text else text


def remarks_text(spec: ProcedureSpec, step: Step) -> str:
    """The Keterangan cell: the notes, then on its own line the decision rule or a flow that is not the next row."""
    lines = [step.notes] if step.notes else []
    last = step.number == len(spec.steps)
    if step.symbol == Symbol.DECISION:
        if rule := rule_text(step):
            lines.append(rule)
    elif step.next is not None and (step.next != step.number + 1 or last):
        lines.append(f"Lanjut {ARROW} {step.next}")
    elif step.next is None and not last and not flow_targets(spec, step):
        lines.append(f"Lanjut {ARROW} {END_WORD}")
    return "\n".join(lines)


# Export ----------------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
_TOP_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="top")
_WIDTHS = {"number": 5, "text": 45, "lane": 14, "inputs": 28, "time": 14, "outputs": 28, "notes": 30}
_LINE_HEIGHT = 15


@dataclass(frozen=True)
class _Columns:
    """Where each part of the table sits (1-based column numbers)."""

    lanes: int

    @property
    def first_lane(self) -> int:
        return 3

    @property
    def inputs(self) -> int:
        return 3 + max(self.lanes, 1)

    @property
    def time(self) -> int:
        return self.inputs + 1

    @property
    def outputs(self) -> int:
        return self.inputs + 2

    @property
    def notes(self) -> int:
        return self.inputs + 3


def _put(sheet: Any, row: int, column: int, value: Any, *, bold: bool = False, align: Alignment = _WRAP) -> Any:
    """Write `value` as a value, never as a formula, without the characters Excel refuses."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value:
            value = None
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    cell.alignment = align
    if bold:
        cell.font = _BOLD
    return cell


def _lines(items: list[str]) -> str:
    return "\n".join(items)


def _identity_value(spec: ProcedureSpec, item: _Field) -> str:
    if item.attr == "trigger":
        return spec.trigger
    if item.attr == "roles":
        return _lines([f"{lane.label} = {lane.role}" for lane in spec.lanes if lane.role])
    value = getattr(spec.identity, item.attr)
    return _lines(value) if item.many else value


def _row_height(sheet: Any, row: int, texts: dict[int, str], widths: dict[int, float]) -> None:
    """Excel does not grow a row for wrapped text in merged cells, so the height is estimated from the text."""
    lines = 1
    for column, text in texts.items():
        width = max(widths.get(column, 10), 4)
        count = sum(max(1, math.ceil(len(line) / (width * 1.1))) for line in (text or "").split("\n"))
        lines = max(lines, count)
    sheet.row_dimensions[row].height = min(409, lines * _LINE_HEIGHT)


def _write_identity(sheet: Any, spec: ProcedureSpec, last_column: int, widths: dict[int, float]) -> int:
    """The label/value rows; returns the next free row."""
    row = 1
    value_width = sum(widths.get(c, 10) for c in range(3, last_column + 1))
    for item in _FIELDS:
        value = _identity_value(spec, item)
        _put(sheet, row, 1, item.label, bold=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        _put(sheet, row, 3, value)
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=last_column)
        _row_height(sheet, row, {3: value}, {3: value_width})
        row += 1
    return row


def _header_cell(sheet: Any, row: int, column: int, text: str) -> None:
    cell = _put(sheet, row, column, text, bold=True, align=_CENTER)
    cell.fill = _HEADER_FILL


def _write_header(sheet: Any, spec: ProcedureSpec, row: int, cols: _Columns) -> None:
    """The two-row header: No, Uraian Kegiatan and Keterangan span both rows; Pelaksana and Mutu Baku
    span their sub-columns."""
    for column, text in ((1, "No"), (2, "Uraian Kegiatan"), (cols.notes, "Keterangan")):
        _header_cell(sheet, row, column, text)
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column)
    _header_cell(sheet, row, cols.first_lane, "Pelaksana")
    sheet.merge_cells(start_row=row, start_column=cols.first_lane, end_row=row, end_column=cols.inputs - 1)
    _header_cell(sheet, row, cols.inputs, "Mutu Baku")
    sheet.merge_cells(start_row=row, start_column=cols.inputs, end_row=row, end_column=cols.outputs)
    for index, lane in enumerate(spec.lanes):
        _header_cell(sheet, row + 1, cols.first_lane + index, lane.label)
    for column, text in ((cols.inputs, "Kelengkapan"), (cols.time, "Waktu"), (cols.outputs, "Output")):
        _header_cell(sheet, row + 1, column, text)
    for r in (row, row + 1):
        for c in range(1, cols.notes + 1):
            sheet.cell(row=r, column=c).border = _BORDER
            sheet.cell(row=r, column=c).fill = _HEADER_FILL


def step_marks(spec: ProcedureSpec, step: Step) -> dict[str, str]:
    """The mark in each performer column of the step: "X", or, when a joint step names its performers in another
    order than the columns (the first leads), their order 1, 2, 3 … so that the order survives the sheet."""
    columns = [lane.key for lane in spec.lanes if lane.key in step.lanes]
    if columns == list(step.lanes):
        return dict.fromkeys(step.lanes, MARK)
    return {key: str(position) for position, key in enumerate(step.lanes, start=1)}


def _write_step(sheet: Any, spec: ProcedureSpec, step: Step, row: int, cols: _Columns, widths: dict) -> None:
    texts = {
        2: step.text,
        cols.inputs: _lines(step.inputs),
        cols.time: durations_text(step.durations),
        cols.outputs: _lines(step.outputs),
        cols.notes: remarks_text(spec, step),
    }
    _put(sheet, row, 1, step.number, align=_TOP_CENTER)
    for column, text in texts.items():
        _put(sheet, row, column, text)
    marks = step_marks(spec, step)
    for index, lane in enumerate(spec.lanes):
        _put(sheet, row, cols.first_lane + index, marks.get(lane.key), align=_TOP_CENTER)
    for column in range(1, cols.notes + 1):
        sheet.cell(row=row, column=column).border = _BORDER
    _row_height(sheet, row, texts, widths)


def _widths(cols: _Columns) -> dict[int, float]:
    widths = {1: _WIDTHS["number"], 2: _WIDTHS["text"]}
    for column in range(cols.first_lane, cols.inputs):
        widths[column] = _WIDTHS["lane"]
    widths.update(
        {cols.inputs: _WIDTHS["inputs"], cols.time: _WIDTHS["time"], cols.outputs: _WIDTHS["outputs"]}
        | {cols.notes: _WIDTHS["notes"]}
    )
    return widths


_GUIDE = (
    "Petunjuk pengisian lembar SOP",
    "",
    "1. Bagian identitas ada di baris paling atas: nama isian di kolom A, isinya di kolom C. Isian berupa daftar "
    "(Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan, Peralatan/Perlengkapan, Peringatan, Pencatatan dan "
    "Pendataan) ditulis satu butir per baris di dalam sel (Alt+Enter untuk baris baru).",
    "2. Tabel langkah dimulai pada baris judul kolom: No | Uraian Kegiatan | Pelaksana (satu kolom per pelaksana) "
    "| Mutu Baku: Kelengkapan, Waktu, Output | Keterangan. Judul kolom boleh satu baris saja "
    "(No | Uraian | nama-nama pelaksana | Kelengkapan | Waktu | Output | Keterangan).",
    "3. Satu baris untuk satu langkah, bernomor 1, 2, 3 … berurutan tanpa lompatan; paling banyak 200 langkah.",
    "4. Tandai pelaksana langkah dengan “X” di kolomnya (tanda lain seperti √ atau “Mulai” juga dibaca). Langkah "
    "yang dikerjakan bersama diberi tanda di beberapa kolom. Setiap langkah harus punya pelaksana.",
    "5. Nama kolom pelaksana harus berupa jabatan yang dikenal (mis. Kepala Dinas, Sekretaris, Kepala Bidang, "
    "Kasubbag Perencanaan, Kepala Seksi, Staf, Analis, Fungsional) atau dicantumkan pada isian “Peran Pelaksana” "
    "dengan bentuk “Nama kolom = peran”. Peran: head (Kepala Dinas/Badan), secretary (Sekretaris), division_head "
    "(Kepala Bidang), planning_head (Kasubbag Perencanaan/Program), section_head (Kepala Seksi, Kasubbid, "
    "Kasubbag lain), staff (Staf, Analis, Fungsional, Operator, Tim).",
    "6. Kelengkapan dan Output: satu butir per baris di dalam sel.",
    "7. Waktu: angka dan satuan, mis. “15 Menit”, “2 Jam”, “1 Hari”, “1 – 3 Hari Kerja”, “3 Hari Kalender”. Bila "
    "waktunya berbeda menurut kasus: “1 Hari untuk laporan triwulan dan 15 Hari untuk laporan tahunan”. Hari dan "
    "minggu dihitung sebagai hari kerja (1 minggu = 5 hari kerja) kecuali ditulis “Kalender”.",
    "8. Keputusan (belah ketupat): tulis di Keterangan, pada baris tersendiri, “Ya → 6 / Tidak → 4”, boleh "
    "didahului pertanyaannya: “Laporan disetujui? Ya → 6 / Tidak → 4”. Bentuk “Ya -> 6; Tidak -> 4” dan "
    "“Ya: 6, Tidak: 4” juga dibaca.",
    "9. Langkah pertama dan terakhir digambar sebagai kapsul (mulai dan selesai); langkah lain sebagai kotak, "
    "kecuali keputusan. Alur berjalan ke baris berikutnya; bila tidak, tulis di Keterangan “Lanjut → n”, atau "
    "“Lanjut → Selesai” untuk langkah yang mengakhiri alur sebelum baris terakhir.",
    "10. Jangan memakai rumus (formula): salin lalu tempel sebagai nilai (Paste Special → Values).",
)


def _write_guide(sheet: Any) -> None:
    sheet.column_dimensions["A"].width = 120
    for row, text in enumerate(_GUIDE, start=1):
        cell = _put(sheet, row, 1, text, bold=row == 1)
        cell.alignment = _WRAP
        _row_height(sheet, row, {1: text}, {1: 120})


def export_workbook(spec: ProcedureSpec) -> bytes:
    """The SOP as an .xlsx: sheet "SOP" with the identity rows and the table, sheet "Petunjuk" on how to fill it."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    cols = _Columns(lanes=len(spec.lanes))
    widths = _widths(cols)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    header = _write_identity(sheet, spec, cols.notes, widths) + 1
    _write_header(sheet, spec, header, cols)
    for offset, step in enumerate(spec.steps):
        _write_step(sheet, spec, step, header + 2 + offset, cols, widths)
    sheet.freeze_panes = sheet.cell(row=header + 2, column=3)
    sheet.print_title_rows = f"{header}:{header + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _write_guide(book.create_sheet(GUIDE_TITLE))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# Import: reading the cells ---------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A cell as the text a person typed: numbers without ".0", dates as dd/mm/yyyy, lines kept."""
    if value is None:
        return ""
    if isinstance(value, str):
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(line.rstrip() for line in lines).strip()
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if not value.time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _list(text: str) -> list[str]:
    """A cell holding one item per line; numbering or bullets a person put in front are dropped."""
    return [_LIST_MARK_RE.sub("", line.strip()) for line in text.split("\n") if line.strip()]


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Grid:
    """The sheet's cells as text, by 0-based row and column; `title` is the sheet's name."""

    title: str
    rows: list[list[str]]

    def cell(self, row: int, column: int) -> str:
        if row >= len(self.rows) or column < 0 or column >= len(self.rows[row]):
            return ""
        return self.rows[row][column]

    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def _read_grid(worksheet: Any, errors: list[SheetError]) -> _Grid:
    """Every cell as text; a formula or an error value is refused where it is."""
    rows: list[list[str]] = []
    for number, cells in enumerate(worksheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS), start=1):
        values = []
        for index, cell in enumerate(cells):
            data_type = getattr(cell, "data_type", None)
            if cell.value is not None and data_type == "f":
                errors.append(
                    SheetError(
                        number,
                        get_column_letter(index + 1),
                        _("formulas are not accepted; paste the values (Paste Special → Values) instead."),
                    )
                )
                values.append("")
            elif data_type == "e":
                errors.append(
                    SheetError(
                        number,
                        get_column_letter(index + 1),
                        _("the cell shows the error %(error)s; enter a value.") % {"error": cell.value},
                    )
                )
                values.append("")
            else:
                values.append(_cell_text(cell.value))
        while values and not values[-1]:
            values.pop()
        rows.append(values)
    while rows and not rows[-1]:
        rows.pop()
    return _Grid(title=worksheet.title, rows=rows)


def _header_row(grid: _Grid) -> int | None:
    """The 0-based row holding both a "No" and an "Uraian Kegiatan" header."""
    for index, row in enumerate(grid.rows):
        names = {_norm(value) for value in row if value}
        if names & _NUMBER_HEADERS and names & _TEXT_HEADERS:
            return index
    return None


def _pick_sheet(book: Any, errors: list[SheetError], warnings: list[SheetError]) -> _Grid | None:
    """The sheet named "SOP", else the first other sheet with a table header (never the Petunjuk)."""
    titles = [t for t in book.sheetnames if _norm(t) != _norm(GUIDE_TITLE)]
    titles.sort(key=lambda t: _norm(t) != _norm(SHEET_TITLE))
    first: _Grid | None = None
    for title in titles:
        sheet_errors: list[SheetError] = []
        grid = _read_grid(book[title], sheet_errors)
        first = first or grid
        if _header_row(grid) is not None:
            errors.extend(sheet_errors)
            if book[title].max_row and book[title].max_row > MAX_ROWS:
                warnings.append(
                    SheetError(
                        MAX_ROWS, "", _("Only the first %(limit)s rows of the sheet are read.") % {"limit": MAX_ROWS}
                    )
                )
            return grid
    return first


# Import: the table ---------------------------------------------------------------------------------------


@dataclass
class _Performer:
    column: int
    label: str
    role: str = ""
    key: str = ""


@dataclass
class _Table:
    """Where the header says each part is (0-based columns); `first_row` is the first step row."""

    header: int  # 0-based
    label_row: int  # 1-based: the row with the performer names
    first_row: int  # 0-based
    number: int
    text: int
    performers: list[_Performer]
    unnamed: list[int]
    kinds: dict[str, int]


@dataclass
class _RawStep:
    row: int  # 1-based sheet row
    number: int
    text: str
    lanes: list[str]
    inputs: list[str]
    outputs: list[str]
    durations: tuple = ()
    remarks: _Remarks = field(default_factory=_Remarks)
    rule_column: str = ""
    next_column: str = ""


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


class _Reader:
    """One import: the grid in, the spec and the located problems out."""

    def __init__(self, grid: _Grid, known: Mapping[str, str] | None, result: ImportResult) -> None:
        self.grid = grid
        self.known = {_norm(label): role for label, role in (known or {}).items()}
        self.result = result

    def error(self, row: int, column: str, message: str) -> None:
        self.result.errors.append(SheetError(row, column, message))

    def warn(self, row: int, column: str, message: str) -> None:
        self.result.warnings.append(SheetError(row, column, message))

    # the header

    def table(self) -> _Table | None:
        header = _header_row(self.grid)
        if header is None:
            self.error(
                0,
                "",
                _(
                    "No table header was found: the sheet needs a row with “No”, “Uraian Kegiatan”, one column per "
                    "performer, “Kelengkapan”, “Waktu”, “Output” and “Keterangan”."
                ),
            )
            return None
        top = self.grid.rows[header]
        number = next(i for i, v in enumerate(top) if _norm(v) in _NUMBER_HEADERS)
        text = next(i for i, v in enumerate(top) if _norm(v) in _TEXT_HEADERS)
        two_rows = any(_norm(v) in _GROUP_HEADERS for v in top) and not self.grid.cell(header + 1, number)
        below = header + (2 if two_rows else 1)  # 0-based first step row, and 1-based row of the performer names
        table = _Table(
            header=header, label_row=below, first_row=below, number=number, text=text, performers=[], unnamed=[],
            kinds={},
        )  # fmt: skip
        label_row = table.label_row
        for column in range(text + 1, self.grid.width()):
            sub = self.grid.cell(header + 1, column) if two_rows else ""
            above = self.grid.cell(header, column)
            name = sub or ("" if _norm(above) in _GROUP_HEADERS else above)
            kind = _column_kind(name)
            if kind or table.kinds:
                self._other_column(table, column, name, kind)
            elif name:
                table.performers.append(_Performer(column, _one_line(name)))
            else:
                table.unnamed.append(column)
        if not table.performers:
            self.error(
                label_row,
                "",
                _("The header has no performer (pelaksana) columns between “Uraian Kegiatan” and “Kelengkapan”."),
            )
            return None
        for kind, title in (("inputs", "Kelengkapan"), ("time", "Waktu"), ("outputs", "Output")):
            if kind not in table.kinds:
                self.warn(label_row, "", _("The table has no “%(column)s” column.") % {"column": title})
        return table

    def _other_column(self, table: _Table, column: int, name: str, kind: str) -> None:
        if kind and kind not in table.kinds:
            table.kinds[kind] = column
        elif name:
            self.warn(
                table.label_row,
                _letter(column),
                _("The column “%(header)s” is not read.") % {"header": _one_line(name)},
            )

    # the identity block

    def identity(self, header: int) -> tuple[Identity, str, dict[str, tuple[str, str]]]:
        """The identity rows above the table; the trigger and the "Peran Pelaksana" lines come out apart."""
        values: dict[str, Any] = {}
        last: tuple[_Field, int] | None = None
        for index in range(header):
            row = self.grid.rows[index]
            filled = [(c, v) for c, v in enumerate(row) if v]
            if not filled:
                last = None
                continue
            column, label = filled[0]
            if last is not None and last[0].many and column > last[1]:
                values[last[0].attr].extend(_list("\n".join(v for _c, v in filled)))
                continue
            item = _FIELDS_BY_LABEL.get(_norm(label))
            if item is None and ":" in label:  # "Nama SOP : Pengukuran Kinerja" in one cell
                label, _colon, rest = label.partition(":")
                item = _FIELDS_BY_LABEL.get(_norm(label))
                filled = [(column, label), (column, rest.strip()), *filled[1:]]
            if item is None:
                self.warn(
                    index + 1,
                    _letter(column),
                    _("“%(label)s” is not an identity field and is ignored.") % {"label": _one_line(label)[:60]},
                )
                last = None
                continue
            if item.attr in values:
                self.warn(index + 1, _letter(column), _("This identity field is given twice; the first is used."))
                last = None
                continue
            value = next((v for _c, v in filled[1:] if v.strip() != ":"), "")
            values[item.attr] = _list(value) if item.many else _one_line(value)
            last = (item, column)
        trigger = values.pop("trigger", "")
        roles = values.pop("roles", [])
        return Identity(**values), trigger, self._roles(roles, header)

    def _roles(self, lines: list[str], header: int) -> dict[str, tuple[str, str]]:
        """The "Peran Pelaksana" lines as {normalised label: (label, role)}."""
        found: dict[str, tuple[str, str]] = {}
        for line in lines:
            label, sep, role = line.rpartition("=")
            role = role.strip().lower()
            if not sep or not label.strip():
                self.error(
                    self._field_row("roles", header),
                    "",
                    _("Write each performer as “Name = role”, e.g. “Kepala Dinas = head”."),
                )
            elif role not in ROLES:
                self.error(
                    self._field_row("roles", header),
                    "",
                    _("“%(role)s” is not a role. Use one of: %(roles)s.") % {"role": role, "roles": ", ".join(ROLES)},
                )
            else:
                found[_norm(label)] = (label.strip(), role)
        return found

    def _field_row(self, attr: str, header: int) -> int:
        for index in range(header):
            labels = [v for v in self.grid.rows[index] if v]
            if labels and (item := _FIELDS_BY_LABEL.get(_norm(labels[0]))) and item.attr == attr:
                return index + 1
        return 0

    # the performers

    def performers(self, table: _Table, roles: dict[str, tuple[str, str]]) -> list[Lane]:
        label_row = table.label_row
        lanes: list[Lane] = []
        keys: set[str] = set()
        seen: dict[str, int] = {}
        for performer in table.performers:
            normal = _norm(performer.label)
            if normal in seen:
                self.error(label_row, _letter(performer.column), _("Two performer columns have the same name."))
                continue
            seen[normal] = performer.column
            performer.role = self.known.get(normal) or roles.get(normal, ("", ""))[1] or builtin_role(performer.label)
            if not performer.role:
                self.error(
                    label_row,
                    _letter(performer.column),
                    _(
                        "The performer “%(label)s” in column %(column)s is not known. Use the title of a position "
                        "(e.g. “Kepala Dinas”, “Sekretaris”, “Kepala Bidang”, “Kasubbag Perencanaan”, “Kepala Seksi”, "
                        "“Staf”), or give its role in the row “Peran Pelaksana”."
                    )
                    % {"column": _letter(performer.column), "label": performer.label},
                )
            performer.key = _unique_key(performer.label, keys)
            lanes.append(Lane(key=performer.key, label=performer.label, role=performer.role))
        for normal, (label, _role) in roles.items():
            if normal not in seen:
                self.warn(
                    self._field_row("roles", table.header),
                    "",
                    _("“%(label)s” in “Peran Pelaksana” is not a performer column.") % {"label": label},
                )
        return lanes

    # the steps

    def steps(self, table: _Table) -> list[_RawStep]:
        steps: list[_RawStep] = []
        previous = 0
        below = False  # past an empty row after the steps: a signature block or notes may follow
        start = table.first_row
        if self._column_numbers(start, table):
            start += 1
        for index in range(start, len(self.grid.rows)):
            row = index + 1
            number_text = self.grid.cell(index, table.number)
            text = self.grid.cell(index, table.text)
            if not any(self.grid.rows[index]):
                below = bool(steps)
                continue
            if not number_text:
                if below:
                    self.warn(row, "", _("The row is below the table and is ignored."))
                elif text:
                    self.error(row, _letter(table.number), _("The row has an activity but no step number."))
                else:
                    self.warn(row, "", _("The row has no step number and no activity; it is ignored."))
                continue
            match = _STEP_NUMBER_RE.fullmatch(number_text)
            if match is None:
                self.error(row, _letter(table.number), _("“%(value)s” is not a step number.") % {"value": number_text})
                continue
            number = int(match.group(1))
            if number != previous + 1:
                self.error(
                    row,
                    _letter(table.number),
                    _(
                        "The step is numbered %(found)s, but %(expected)s comes next: number the steps 1, 2, 3 … in order."
                    )
                    % {"found": number, "expected": previous + 1},
                )
            previous = number
            if len(steps) == MAX_STEPS:
                self.error(
                    row,
                    "",
                    _("The SOP has more than %(limit)s steps; split it into several SOPs.") % {"limit": MAX_STEPS},
                )
                break
            steps.append(self._step(table, index, len(steps) + 1, text))
        return steps

    def _column_numbers(self, index: int, table: _Table) -> bool:
        """The row "(1) (2) (3) …" many SOPs put under the header."""
        values = [v for v in (self.grid.rows[index] if index < len(self.grid.rows) else []) if v]
        return (
            len(values) >= 2
            and all(_COLUMN_NUMBER_RE.fullmatch(v) for v in values)
            and bool(self.grid.cell(index, table.text))
        )

    def _step(self, table: _Table, index: int, number: int, text: str) -> _RawStep:
        row = index + 1
        cell = self.grid.cell
        lanes = _marked([(p.key, cell(index, p.column)) for p in table.performers if p.key and cell(index, p.column)])
        for column in table.unnamed:
            if cell(index, column):
                self.error(row, _letter(column), _("The cell is in a column with no performer name in the header."))
        if not lanes and not any(cell(index, p.column) for p in table.performers):
            self.error(
                row,
                _letter(table.performers[0].column),
                _("The step has no performer: put an “X” in the column of whoever carries it out."),
            )
        if not text:
            self.error(row, _letter(table.text), _("The step has no text."))
        step = _RawStep(
            row=row,
            number=number,
            text=text,
            lanes=lanes,
            inputs=_list(cell(index, table.kinds["inputs"])) if "inputs" in table.kinds else [],
            outputs=_list(cell(index, table.kinds["outputs"])) if "outputs" in table.kinds else [],
        )
        if "time" in table.kinds:
            try:
                # one case per line reads as one case per "; "
                step.durations = parse_durations("; ".join(_list(cell(index, table.kinds["time"]))))
            except DurationError as exc:
                self.error(row, _letter(table.kinds["time"]), str(exc))
        self._remarks(table, index, step)
        return step

    def _remarks(self, table: _Table, index: int, step: _RawStep) -> None:
        row = index + 1
        notes_column = table.kinds.get("notes")
        remarks = read_remarks(self.grid.cell(index, notes_column)) if notes_column is not None else _Remarks()
        for problem in remarks.problems:
            self.error(row, _letter(notes_column), problem)
        step.rule_column = _letter(notes_column) if remarks.rule and notes_column is not None else ""
        step.next_column = _letter(notes_column) if notes_column is not None else ""
        decision_column = table.kinds.get("decision")
        if decision_column is not None and self.grid.cell(index, decision_column):
            own = read_remarks(self.grid.cell(index, decision_column))
            for problem in own.problems:
                self.error(row, _letter(decision_column), problem)
            if own.rule and remarks.rule:
                self.error(row, _letter(decision_column), _("The row gives more than one decision rule."))
            elif own.rule:
                remarks.rule = own.rule
                if own.notes and not own.rule.question:
                    own.rule.question = _one_line(own.notes)
                step.rule_column = _letter(decision_column)
        if remarks.rule and remarks.next is not None:
            self.error(
                row,
                step.next_column,
                _("A decision goes on by its Ya and Tidak exits; remove “Lanjut → %(n)s”.") % {"n": remarks.next},
            )
        step.remarks = remarks


def _marked(marks: list[tuple[str, str]]) -> list[str]:
    """The performers of a row in column order, or in the order their marks give when they are 1, 2, 3 …"""
    positions = [int(mark) if mark.isdigit() else 0 for _key, mark in marks]
    if len(marks) > 1 and sorted(positions) == list(range(1, len(marks) + 1)):
        return [key for _position, key in sorted(zip(positions, (k for k, _m in marks), strict=True))]
    return [key for key, _mark in marks]


def _unique_key(label: str, keys: set[str]) -> str:
    base = slugify(label).replace("-", "_")[:40].strip("_") or "pelaksana"
    key, count = base, 2
    while key in keys:
        key, count = f"{base}_{count}", count + 1
    keys.add(key)
    return key


def _build(raw: list[_RawStep]) -> list[Step]:
    """Steps with their symbols and flow: decisions where a rule is given, capsules first and last and where the
    flow ends early, and `next` set on every step the flow leaves to another (the next row unless told)."""
    steps = []
    last = len(raw)
    for item in raw:
        rule, target = item.remarks.rule, item.remarks.next
        step = Step(
            number=item.number,
            text=item.text,
            lanes=item.lanes,
            inputs=item.inputs,
            durations=item.durations,
            outputs=item.outputs,
            notes=item.remarks.notes,
        )
        if rule is not None:
            step.symbol = Symbol.DECISION
            step.yes, step.no = rule.yes, rule.no
            step.yes_label, step.no_label, step.question = rule.yes_label, rule.no_label, rule.question
        else:
            ends = target == END_WORD
            step.symbol = Symbol.TERMINATOR if item.number in (1, last) or ends else Symbol.PROCESS
            if isinstance(target, int):
                step.next = target
            elif not ends and item.number != last:
                step.next = item.number + 1
        steps.append(step)
    return steps


def _check_targets(raw: list[_RawStep], steps: list[Step], errors: list[SheetError]) -> None:
    """Exits that lead nowhere, located in the cell that gives them (the same messages as `problems`)."""
    count = len(steps)
    for item, step in zip(raw, steps, strict=True):
        column = item.rule_column if step.symbol == Symbol.DECISION else item.next_column
        explicit = [step.yes, step.no] if step.symbol == Symbol.DECISION else [item.remarks.next]
        for target in explicit:
            if not isinstance(target, int):
                continue
            if not 1 <= target <= count:
                errors.append(
                    SheetError(item.row, column, _("It points to step %(n)s, which does not exist.") % {"n": target})
                )
            elif target == step.number:
                errors.append(SheetError(item.row, column, _("The step points to itself.")))
        if step.symbol == Symbol.DECISION and step.yes == step.no:
            errors.append(SheetError(item.row, column, _("The Ya and Tidak exits go to the same step.")))


def _title(identity: Identity, grid: _Grid) -> str:
    if identity.title:
        return identity.title
    if _norm(grid.title) not in _PLACEHOLDER_TITLES:
        return grid.title.strip()
    return ""


def _read(grid: _Grid, known: Mapping[str, str] | None, result: ImportResult) -> None:
    reader = _Reader(grid, known, result)
    table = reader.table()
    if table is None:
        return
    identity, trigger, roles = reader.identity(table.header)
    identity.title = _title(identity, grid)
    if not identity.title:
        reader.error(0, "", _("The SOP has no title: add a row “Nama SOP” with its title above the table."))
    lanes = reader.performers(table, roles)
    raw = reader.steps(table)
    if not raw:
        reader.error(table.first_row + 1, "", _("The SOP has no steps."))
        return
    steps = _build(raw)
    _check_targets(raw, steps, result.errors)
    if result.errors:
        return
    spec = ProcedureSpec(identity=identity, lanes=lanes, steps=steps, trigger=trigger)
    rows = {item.number: item.row for item in raw}
    for problem in problems(spec):
        reader.error(rows.get(problem.step, 0), "", problem.message)
    if not result.errors:
        result.spec = spec


def import_workbook(data: bytes, filename: str, *, known_performers: Mapping[str, str] | None = None) -> ImportResult:
    """The SOP in the workbook `data`, or the located reasons it is refused.

    `known_performers` maps performer labels as the agency writes them to org roles; it is tried before the
    workbook's own "Peran Pelaksana" row and the built-in titles (see `builtin_role`). Nothing is stored here.
    """
    result = ImportResult()
    try:
        checked = check_upload(data, filename, max_bytes=MAX_UPLOAD_BYTES)
    except UploadRefused as exc:
        result.errors.append(SheetError(0, "", exc.message))
        return result
    if checked.kind.key != "xlsx":
        result.errors.append(
            SheetError(
                0, "", _("This file is not an Excel workbook (.xlsx). Save it from Excel or LibreOffice as .xlsx.")
            )
        )
        return result
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a damaged file
        result.errors.append(
            SheetError(0, "", _("The workbook could not be read; it may be damaged. Save it again as .xlsx."))
        )
        return result
    try:
        grid = _pick_sheet(book, result.errors, result.warnings)
    except Exception:
        result.errors.append(
            SheetError(0, "", _("The workbook could not be read; it may be damaged. Save it again as .xlsx."))
        )
        return result
    finally:
        book.close()
    if grid is None:
        result.errors.append(SheetError(0, "", _("The workbook has no sheet.")))
        return result
    _read(grid, known_performers, result)
    if result.errors:
        result.spec = None
    result.errors.sort(key=lambda e: (e.row, e.column))
    result.warnings.sort(key=lambda e: (e.row, e.column))
    return result
