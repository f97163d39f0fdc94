"""Writing a document's content as PDF (HTML through WeasyPrint), DOCX (python-docx) and XLSX (openpyxl).

All three read the same stored content; figures are shown the Indonesian way (1.234,56) in the PDF and the DOCX
and kept as numbers in the XLSX. Official documents are in Indonesian whatever language the user reads.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import segno
from django.template.loader import render_to_string
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kinerja.documents.content import MONEY, NUMBER, PERCENT, TEXT, as_decimal, tables
from kinerja.lib.numbers import round_half_up

PAGE_MM = {"A4": (210, 297), "F4": (215, 330)}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")  # fmt: skip
PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Stamp:
    """What a signed document carries: who signed, when, and where anyone can check it."""

    signer_name: str
    position_label: str
    rank: str
    nip: str
    signed_at: datetime
    verify_url: str
    method_label: str = "Kinerja"


@dataclass(frozen=True)
class Frame:
    """What surrounds the content: the agency's letterhead and page, the number, draft or signed."""

    letterhead: dict[str, str]
    page_size: str = "A4"
    number: str = ""
    draft: bool = True
    stamp: Stamp | None = None
    supersedes: str = ""  # "nomor … tanggal …" of the document this one corrects


def long_date(day: Any) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_cell(value: Any, kind: str) -> str:
    """A cell as printed: 1.234,5 for numbers, 95,25% for percentages, 1.250.000 for money; — when empty."""
    if kind == TEXT:
        return "" if value is None else str(value)
    figure = as_decimal(value)
    if figure is None:
        return "—"
    if kind == MONEY:
        return _grouped(round_half_up(figure, 0), 0)
    if kind == PERCENT:
        return _grouped(round_half_up(figure, 2), 2) + "%"
    exponent = figure.normalize().as_tuple().exponent
    places = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    return _grouped(round_half_up(figure, places), places)


def _grouped(value: Decimal, places: int) -> str:
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = f"{abs(value):.{places}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if places else "")


def qr_svg_data_uri(url: str) -> str:
    buffer = BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=1, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def qr_png(url: str) -> bytes:
    buffer = BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=1)
    return buffer.getvalue()


# PDF


def _html_context(content: dict[str, Any], frame: Frame) -> dict[str, Any]:
    width, height = PAGE_MM.get(frame.page_size, PAGE_MM["A4"])
    if content.get("landscape"):
        width, height = height, width
    blocks = []
    for block in content["blocks"]:
        if block["type"] == "table":
            columns = block["columns"]
            block = {
                **block,
                "printed": [[(format_cell(v, c["type"]), c["type"]) for v, c in zip(row, columns, strict=True)]
                            for row in block["rows"]],
                "printed_total": [(format_cell(v, c["type"]), c["type"]) for v, c in zip(block["total"], columns,
                                                                                          strict=True)]
                if block.get("total") else None,
            }  # fmt: skip
        blocks.append(block)
    return {
        "c": content, "blocks": blocks, "frame": frame, "page_width": width, "page_height": height,
        "number": frame.number or "……/……/……",
        "qr": qr_svg_data_uri(frame.stamp.verify_url) if frame.stamp else "",
        "signed_on": long_date(frame.stamp.signed_at) if frame.stamp else "",
        "signatures_placed": any(b["type"] == "signatures" for b in content["blocks"]),
    }  # fmt: skip


def render_html(content: dict[str, Any], frame: Frame) -> str:
    return render_to_string("documents/pdf.html", _html_context(content, frame))


def render_pdf(content: dict[str, Any], frame: Frame) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - loads Pango; kept out of every request that does not print

    return HTML(string=render_html(content, frame)).write_pdf()


# DOCX


def _paragraph(doc: Any, text: str, *, bold: bool = False, size: float = 11, align: Any = None, space: float = 4):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space)
    return paragraph


def render_docx(content: dict[str, Any], frame: Frame) -> bytes:
    doc = WordDocument()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    section = doc.sections[0]
    width, height = PAGE_MM.get(frame.page_size, PAGE_MM["A4"])
    if content.get("landscape"):
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin, section.bottom_margin = Mm(15), Mm(20)
    center = WD_ALIGN_PARAGRAPH.CENTER
    head = frame.letterhead
    for line, size in ((head.get("government", ""), 12), (head.get("agency_name", ""), 14)):
        if line:
            _paragraph(doc, line.upper(), bold=True, size=size, align=center, space=0)
    for line in (head.get("address", ""), head.get("contact", "")):
        if line:
            _paragraph(doc, line, size=9, align=center, space=0)
    _paragraph(doc, "_" * 86, size=8, align=center, space=8)
    if frame.draft:
        _paragraph(doc, "DRAF — BELUM DITANDATANGANI", bold=True, size=10, align=center)
    if content.get("warning"):
        _paragraph(doc, content["warning"], bold=True, size=10)
    letter = content.get("letter")
    if letter:
        _docx_letter_head(doc, letter, frame)
    else:
        _paragraph(doc, content["title"], bold=True, size=14, align=center, space=2)
        if content.get("subtitle"):
            _paragraph(doc, content["subtitle"], bold=True, size=12, align=center, space=2)
        if frame.number:
            _paragraph(doc, f"Nomor: {frame.number}", size=11, align=center, space=10)
    if frame.supersedes:
        _paragraph(doc, f"Dokumen ini menggantikan {frame.supersedes}.", size=10)
    for block in content["blocks"]:
        if block["type"] == "signatures":
            _docx_signatures(doc, content, frame)
        else:
            _docx_block(doc, block)
    if not any(block["type"] == "signatures" for block in content["blocks"]):
        _docx_signatures(doc, content, frame)
    if letter and letter.get("copies"):
        _paragraph(doc, "Tembusan:", size=10, space=0)
        for index, copy in enumerate(letter["copies"], start=1):
            _paragraph(doc, f"{index}. {copy}", size=10, space=0)
    if frame.stamp:
        footer = section.footer.paragraphs[0]
        footer.text = (f"Ditandatangani secara elektronik oleh {frame.stamp.signer_name}. Keaslian dokumen PDF ini "
                       f"dapat diperiksa di {frame.stamp.verify_url}")  # fmt: skip
        footer.runs[0].font.size = Pt(8)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_letter_head(doc: Any, letter: dict[str, Any], frame: Frame) -> None:
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, letter.get("place_date", ""), align=right)
    grid = doc.add_table(rows=0, cols=3)
    rows = (("Nomor", frame.number or "……/……"), ("Sifat", letter.get("nature", "")),
            ("Lampiran", letter.get("attachment", "")), ("Hal", letter.get("subject", "")))  # fmt: skip
    for label, value in rows:
        cells = grid.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", value
    _paragraph(doc, "", space=2)
    _paragraph(doc, "Kepada Yth.", space=0)
    for line in letter.get("to", []):
        _paragraph(doc, line, bold=True, space=0)
    _paragraph(doc, "di –", space=0)
    _paragraph(doc, "      Tempat", space=10)


def _docx_block(doc: Any, block: dict[str, Any]) -> None:
    kind = block["type"]
    if kind == "heading":
        level = block.get("level", 1)
        align = WD_ALIGN_PARAGRAPH.CENTER if level == 1 else None
        _paragraph(doc, block["text"], bold=True, size=13 if level == 1 else 11, align=align, space=6)
    elif kind == "paragraph":
        align = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}.get(
            block.get("align", ""), WD_ALIGN_PARAGRAPH.JUSTIFY
        )
        _paragraph(doc, block["text"], align=align, space=6)
    elif kind == "list":
        for index, item in enumerate(block["items"], start=1):
            _paragraph(doc, f"{index}. {item}", space=2)
    elif kind == "page_break":
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    elif kind == "table":
        _docx_table(doc, block)


def _docx_table(doc: Any, block: dict[str, Any]) -> None:
    if block.get("title"):
        _paragraph(doc, block["title"], bold=True, size=10, space=2)
    columns = block["columns"]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.text = column["label"]
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(8)
    for row in [*block["rows"], *([block["total"]] if block.get("total") else [])]:
        cells = table.add_row().cells
        for cell, value, column in zip(cells, row, columns, strict=True):
            cell.text = format_cell(value, column["type"])
            paragraph = cell.paragraphs[0]
            if column["type"] in (NUMBER, PERCENT, MONEY):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in paragraph.runs:
                run.font.size = Pt(8)
    _paragraph(doc, "", space=4)


def _docx_signatures(doc: Any, content: dict[str, Any], frame: Frame) -> None:
    signatures = content.get("signatures") or []
    if not signatures:
        return
    _paragraph(doc, "", space=6)
    grid = doc.add_table(rows=1, cols=2)
    for index, party in enumerate(signatures[:2]):
        cell = grid.rows[0].cells[1 if len(signatures) == 1 else index]
        lines = [*([party["place_date"]] if party.get("place_date") else []), *_heading_lines(party)]
        cell.text = "\n".join(lines)
        if frame.stamp and party.get("signs"):
            cell.add_paragraph("Ditandatangani secara elektronik")
            cell.add_paragraph().add_run().add_picture(BytesIO(qr_png(frame.stamp.verify_url)), width=Mm(22))
        else:
            cell.add_paragraph("\n\n")
        name = frame.stamp.signer_name if frame.stamp and party.get("signs") else party.get("name", "")
        run = cell.add_paragraph().add_run(name)
        run.bold = True
        run.underline = True
        rank = frame.stamp.rank if frame.stamp and party.get("signs") else party.get("rank", "")
        nip = frame.stamp.nip if frame.stamp and party.get("signs") else party.get("nip", "")
        if rank:
            cell.add_paragraph(rank)
        if nip:
            cell.add_paragraph(f"NIP. {nip}")


def _heading_lines(party: dict[str, Any]) -> list[str]:
    lines = list(party.get("heading") or [])
    if party.get("prefix") and lines:
        lines[0] = f"{party['prefix']} {lines[0]}"
    return lines


# XLSX


def render_xlsx(content: dict[str, Any], frame: Frame, *, generated_at: datetime) -> bytes:
    """The document's tables, one sheet each, after a sheet that says what the file is."""
    book = Workbook()
    info = book.active
    info.title = "Dokumen"
    bold = Font(bold=True)
    rows = [
        ("Judul", content["title"]), ("Keterangan", content.get("subtitle", "")),
        ("Instansi", frame.letterhead.get("agency_name", "")), ("Nomor", frame.number or "-"),
        ("Status", "Ditandatangani" if frame.stamp else "Draf"),
        ("Dibuat", generated_at.strftime("%Y-%m-%d %H:%M")),
    ]  # fmt: skip
    if content.get("warning"):
        rows.append(("Peringatan", content["warning"]))
    for label, value in rows:
        info.append([label, value])
        info.cell(row=info.max_row, column=1).font = bold
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 90
    used: set[str] = {"Dokumen"}
    for table in tables(content):
        sheet = book.create_sheet(_sheet_name(table["sheet"] or table["title"], used))
        columns = table["columns"]
        sheet.append([table["title"]])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=12)
        sheet.append([])
        sheet.append([c["label"] for c in columns])
        for cell in sheet[3]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in [*table["rows"], *([table["total"]] if table.get("total") else [])]:
            sheet.append([_xlsx_value(v, c["type"]) for v, c in zip(row, columns, strict=True)])
            for cell, column in zip(sheet[sheet.max_row], columns, strict=True):
                cell.number_format = {MONEY: "#,##0", PERCENT: "0.00", NUMBER: "#,##0.##"}.get(column["type"], "@")
                cell.alignment = Alignment(wrap_text=column["type"] == TEXT, vertical="top")
        for index, column in enumerate(columns, start=1):
            width = column.get("width") or 14
            sheet.column_dimensions[get_column_letter(index)].width = max(6, min(70, width * 1.2))
        sheet.freeze_panes = "A4"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any, kind: str) -> Any:
    if kind == TEXT:
        return "" if value is None else str(value)
    return as_decimal(value)


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = "".join("-" if ch in "[]:*?/\\" else ch for ch in wanted)[:28] or "Tabel"
    name, counter = base, 2
    while name in used:
        name = f"{base[:27]} {counter}"
        counter += 1
    used.add(name)
    return name
