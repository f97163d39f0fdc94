"""The printable SOP AP: identity page and flowchart pages as HTML, PDF (WeasyPrint) and DOCX (python-docx),
and the SOP book (cover, table of contents, every SOP) as one PDF.

The flowchart pages are HTML tables whose body rows have exactly the heights of the layout's rows, with the
page's SVG laid over the Pelaksana columns in one cell spanning every row: row i of the drawing is row i of
the table. The Word version stays editable instead: one table row per step and the symbol as a character in
the performer's cell, the branches written out in Keterangan.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from django.template import Context, Engine

from kinerja.sop.render.layout import (
    CAPTION_HEIGHT,
    DECISION,
    FIRST_PAGE_HEADING,
    HEADER_HEIGHTS,
    TERMINATOR,
    Columns,
    Layout,
    LayoutOptions,
    Page,
    flow_edges,
    layout,
    symbol_kind,
)
from kinerja.sop.render.svg import page_svg
from kinerja.sop.spec import ProcedureSpec, Step, durations_text

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE = "sop/document.html"
BORDER = 0.2  # mm, the table rules; subtracted from each cell so the row pitch is the layout's row height

# The paired sections under the identity block, in the order every real SOP AP prints them.
SECTION_PAIRS = (
    (("Dasar Hukum", "legal_basis"), ("Kualifikasi Pelaksana", "qualifications")),
    (("Keterkaitan", "related"), ("Peralatan/Perlengkapan", "equipment")),
    (("Peringatan", "warnings"), ("Pencatatan dan Pendataan", "records")),
)
SYMBOL_MARKS = {TERMINATOR: "⬭", DECISION: "◇"}
PROCESS_MARK = "▭"
FONT_SIZES = (6.8, 6.2, 5.6, 5.0)  # pt, tried in turn until the text of a cell fits its row
PT = 0.3528  # mm per point
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def document_html(
    spec: ProcedureSpec,
    *,
    options: LayoutOptions | None = None,
    version_label: str,
    revised_on: str | date | None,
    logo_url: str | None = None,
) -> str:
    """One SOP as a standalone printable HTML page (identity page, then the flowchart pages)."""
    options = options or LayoutOptions()
    document = _document_context(spec, options, version_label, revised_on, logo_url, anchor="sop-1")
    return _render({"page": _page_context(options), "documents": [document], "book": None})


def document_pdf(
    spec: ProcedureSpec,
    *,
    options: LayoutOptions | None = None,
    version_label: str,
    revised_on: str | date | None,
    logo_url: str | None = None,
) -> bytes:
    html = document_html(spec, options=options, version_label=version_label, revised_on=revised_on, logo_url=logo_url)
    return _pdf(html)


def book_html(
    entries: Sequence[tuple[ProcedureSpec, str, str | date | None]],
    *,
    title: str,
    agency_name: str,
    year: int | str,
    options: LayoutOptions | None = None,
) -> str:
    """The SOP book: cover, table of contents (page numbers filled in by the PDF engine), every SOP."""
    options = options or LayoutOptions()
    documents = [
        _document_context(spec, options, version_label, revised_on, None, anchor=f"sop-{i}")
        for i, (spec, version_label, revised_on) in enumerate(entries, start=1)
    ]
    book = {"title": title, "agency_name": agency_name, "year": str(year)}  # str: no "2.025" in a thousands locale
    return _render({"page": _page_context(options), "documents": documents, "book": book})


def book_pdf(
    entries: Sequence[tuple[ProcedureSpec, str, str | date | None]],
    *,
    title: str,
    agency_name: str,
    year: int | str,
    options: LayoutOptions | None = None,
) -> bytes:
    return _pdf(book_html(entries, title=title, agency_name=agency_name, year=year, options=options))


# HTML


@cache
def _engine() -> Engine:
    """A template engine of our own: the document needs no context processors or request, and it renders
    the same whether or not the app's templates folder is on the site's template path."""
    return Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)


def _render(context: dict[str, Any]) -> str:
    return _engine().get_template(TEMPLATE).render(Context(context))


def _pdf(html: str) -> bytes:
    progress = logging.getLogger("weasyprint.progress")
    if progress.level == logging.NOTSET:  # its INFO lines ("Step 5 - Creating layout") would flood the log
        progress.setLevel(logging.WARNING)
    from weasyprint import HTML  # imported late: loading it parses stylesheets, which takes a while
    from weasyprint.urls import URLFetcher

    # Only embedded (data:) and local (file:) resources: a logo URL must not make the server fetch the web.
    fetcher = URLFetcher(allowed_protocols=("data", "file"))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def _date_text(value: str | date | None) -> str:
    """Tanggal Revisi as printed: text stays as written ("Januari 2018"), a date is spelt out in Indonesian."""
    if isinstance(value, date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return (value or "").strip()


def _mm(value: float) -> str:
    """A CSS length; formatted here because the template would print decimals with the locale's comma."""
    return f"{value:.2f}mm"


def _page_context(options: LayoutOptions) -> dict[str, str]:
    head1, head2, head3 = HEADER_HEIGHTS
    return {
        "size": f"{options.page_width:.0f}mm {options.page_height:.0f}mm",
        "margin": _mm(options.margin),
        "caption": _mm(CAPTION_HEIGHT),
        "heading": _mm(FIRST_PAGE_HEADING),
        "border": _mm(BORDER),
        "head1": _mm(head1 - BORDER),
        "head2": _mm(head2 - BORDER),
        "head12": _mm(head1 + head2 - BORDER),
        "head3": _mm(head3 - BORDER),
    }


def _document_context(
    spec: ProcedureSpec,
    options: LayoutOptions,
    version_label: str,
    revised_on: str | date | None,
    logo_url: str | None,
    *,
    anchor: str,
) -> dict[str, Any]:
    identity = spec.identity
    drawing = layout(spec, options)
    kop = [line.upper() for line in (identity.government, identity.agency, identity.unit) if line.strip()]
    return {
        "anchor": anchor,
        "title": identity.title,
        "number": identity.number or "-",
        "made_on": identity.made_on or "-",
        "revised_on": _date_text(revised_on) or identity.revised_on or "-",
        "effective_on": identity.effective_on or "-",
        "approver": {
            "title": identity.approver_title,
            "name": identity.approver_name,
            "rank": identity.approver_rank,
            "nip": identity.approver_nip,
        },
        "version_label": version_label,
        "logo_url": logo_url,
        "kop": kop,
        "kop_line": " · ".join(line.title() if line.isupper() else line for line in kop),
        "has_unit": bool(identity.unit.strip()),
        "sections": [
            [{"title": title, "items": list(getattr(identity, field))} for title, field in pair]
            for pair in SECTION_PAIRS
        ],
        "flow": _flow_columns(drawing),
        "pages": [_flow_page(spec, drawing, page) for page in drawing.pages],
    }


def _flow_columns(drawing: Layout) -> dict[str, Any]:
    columns = drawing.columns
    widths = [columns.no, columns.uraian, *(lane.width for lane in columns.lanes)]
    widths += [columns.kelengkapan, columns.waktu, columns.output, columns.keterangan]
    return {
        "width": _mm(columns.total),
        "col_widths": [_mm(width) for width in widths],
        "lanes": [{"key": lane.key, "label": lane.label} for lane in columns.lanes],
        "numbers": list(range(1, len(widths) + 1)),
    }


def _flow_page(spec: ProcedureSpec, drawing: Layout, page: Page) -> dict[str, Any]:
    columns = drawing.columns
    body: list[dict[str, Any]] = []
    if page.top_band:
        body.append({"kind": "band", "height": _mm(page.top_band - BORDER), "step": None})
    for row in page.rows:
        step = _step_context(spec.step(row.step), columns, row.h)
        body.append({"kind": "step", "height": _mm(row.h - BORDER), "step": step})
    if page.bottom_band:
        body.append({"kind": "band", "height": _mm(page.bottom_band - BORDER), "step": None})
    svg = page_svg(drawing, page)
    return {
        "index": page.index,
        "total": len(drawing.pages),
        "first": page.index == 1,
        "body": body,
        "svg_uri": "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
        "svg_width": _mm(page.width - BORDER),
        "svg_height": _mm(page.height - BORDER),
    }


def _step_context(step: Step, columns: Columns, height: float) -> dict[str, Any]:
    time = durations_text(step.durations)
    return {
        "number": step.number,
        "text": step.text,
        "inputs": step.inputs,
        "time": time,
        "outputs": step.outputs,
        "notes": step.notes,
        "sizes": {
            "text": _font_size([step.text], columns.uraian, height),
            "inputs": _font_size(step.inputs, columns.kelengkapan, height),
            "time": _font_size([time], columns.waktu, height),
            "outputs": _font_size(step.outputs, columns.output, height),
            "notes": _font_size([step.notes], columns.keterangan, height),
        },
    }


def _font_size(items: Sequence[str], width: float, height: float) -> str:
    """The largest type at which the text should fit its fixed-height cell: a cell that grew would push its
    row off the drawing's row. The estimate is generous (condensed type, whole words wrapping)."""
    bullet = 2 if len(items) > 1 else 0
    for size in FONT_SIZES:
        em = size * PT
        per_line = max(int((width - 2.2) / (em * 0.5)), 1)
        lines = int((height - 1.2) / (em * 1.15))
        needed = sum(max(1, -(-int(len(item) * 1.12 + bullet) // per_line)) for item in items)
        if needed <= lines:
            return f"{size}pt"
    return f"{FONT_SIZES[-1]}pt"


# DOCX


def document_docx(
    spec: ProcedureSpec,
    *,
    options: LayoutOptions | None = None,
    version_label: str,
    revised_on: str | date | None,
) -> bytes:
    """The SOP as an editable Word file: identity table, the paired sections, then the flowchart table with
    one row per step, on a landscape page of the chosen size."""
    from docx import Document
    from docx.shared import Pt

    options = options or LayoutOptions()
    columns = layout(spec, options).columns
    word = Document()
    _docx_page_setup(word.sections[0], options)
    normal = word.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(8)
    normal.paragraph_format.space_after = Pt(0)
    _docx_identity(word, spec, options, version_label, revised_on)
    _docx_sections(word, spec, options)
    word.add_page_break()
    _docx_flow(word, spec, options, columns)
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _docx_page_setup(section: Any, options: LayoutOptions) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = Mm(options.page_width)
    section.page_height = Mm(options.page_height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(options.margin))


def _docx_table(word: Any, rows: int, widths: list[float]) -> Any:
    from docx.shared import Mm

    table = word.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
    return table


def _docx_write(
    cell: Any, lines: Sequence[str], *, bold: bool = False, size: float | None = None, center: bool = False
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.text = ""
    for i, line in enumerate(lines or [""]):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold = bold
        if size:
            run.font.size = Pt(size)


def _docx_identity(
    word: Any, spec: ProcedureSpec, options: LayoutOptions, version_label: str, revised_on: str | date | None
) -> None:
    identity = spec.identity
    width = options.printable_width
    table = _docx_table(word, 6, [width * 0.42, 38.0, width * 0.58 - 38.0])
    kop = table.cell(0, 0).merge(table.cell(5, 0))
    lines = [line.upper() for line in (identity.government, identity.agency, identity.unit) if line.strip()]
    _docx_write(kop, lines or ["-"], bold=True, size=11, center=True)
    approver = [identity.approver_title or "-", "", "", identity.approver_name or "-"]
    if identity.approver_rank:
        approver.append(identity.approver_rank)
    if identity.approver_nip:
        approver.append(f"NIP. {identity.approver_nip}")
    rows = [
        ("Nomor SOP", [identity.number or "-"]),
        ("Tanggal Pembuatan", [identity.made_on or "-"]),
        ("Tanggal Revisi", [_date_text(revised_on) or identity.revised_on or "-"]),
        ("Tanggal Efektif", [identity.effective_on or "-"]),
        ("Disahkan oleh", approver),
        ("Nama SOP", [identity.title.upper()]),
    ]
    for i, (label, value) in enumerate(rows):
        _docx_write(table.cell(i, 1), [label])
        _docx_write(table.cell(i, 2), value, bold=label == "Nama SOP")
    word.add_paragraph(f"Versi: {version_label}")


def _docx_sections(word: Any, spec: ProcedureSpec, options: LayoutOptions) -> None:
    half = options.printable_width / 2
    table = _docx_table(word, 2 * len(SECTION_PAIRS), [half, half])
    for i, pair in enumerate(SECTION_PAIRS):
        for j, (title, field) in enumerate(pair):
            items = list(getattr(spec.identity, field))
            _docx_write(table.cell(2 * i, j), [f"{title}:"], bold=True)
            _docx_write(table.cell(2 * i + 1, j), [f"{n}. {item}" for n, item in enumerate(items, 1)] or ["-"])


def _docx_flow(word: Any, spec: ProcedureSpec, options: LayoutOptions, columns: Any) -> None:
    lanes = list(columns.lanes)
    widths = [columns.no, columns.uraian, *(lane.width for lane in lanes)]
    widths += [columns.kelengkapan, columns.waktu, columns.output, columns.keterangan]
    first_mutu = 2 + len(lanes)
    table = _docx_table(word, 3 + len(spec.steps), widths)
    header = table.rows[0].cells
    for i in (0, 1, len(widths) - 1):
        merged = header[i].merge(table.cell(1, i))
        _docx_write(merged, [("No", "Uraian Kegiatan")[i] if i < 2 else "Keterangan"], bold=True, center=True)
    _docx_write(header[2].merge(header[first_mutu - 1]), ["Pelaksana"], bold=True, center=True)
    _docx_write(header[first_mutu].merge(header[first_mutu + 2]), ["Mutu Baku"], bold=True, center=True)
    second = table.rows[1].cells
    for i, lane in enumerate(lanes):
        _docx_write(second[2 + i], [lane.label], bold=True, size=7, center=True)
    for i, title in enumerate(("Kelengkapan", "Waktu", "Output")):
        _docx_write(second[first_mutu + i], [title], bold=True, center=True)
    for i, cell in enumerate(table.rows[2].cells):
        _docx_write(cell, [f"({i + 1})"], size=6, center=True)
    for row in table.rows[:3]:
        _docx_repeat_header(row)
    flow = _flow_notes(spec)
    for step, row in zip(spec.steps, table.rows[3:], strict=True):
        cells = row.cells
        _docx_write(cells[0], [str(step.number)], center=True)
        _docx_write(cells[1], [step.text])
        mark = SYMBOL_MARKS.get(symbol_kind(spec, step), PROCESS_MARK)
        for i, lane in enumerate(lanes):
            if lane.key in step.lanes:
                _docx_write(cells[2 + i], [mark], size=16, center=True)
        _docx_write(cells[first_mutu], step.inputs)
        _docx_write(cells[first_mutu + 1], [durations_text(step.durations)])
        _docx_write(cells[first_mutu + 2], step.outputs)
        notes = [line for line in (step.notes, flow.get(step.number, "")) if line]
        _docx_write(cells[-1], notes)


def _docx_repeat_header(row: Any) -> None:
    """Word repeats the table header on every page only when each header row says so."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _flow_notes(spec: ProcedureSpec) -> dict[int, str]:
    """What the arrows say, in words: "Ya → 6; Tidak → 4" for a decision, "→ 9" for a jump."""
    notes: dict[int, list[str]] = {}
    for edge in flow_edges(spec):
        if edge.label:
            notes.setdefault(edge.source, []).append(f"{edge.label} → {edge.target}")
        elif edge.target != edge.source + 1:
            notes.setdefault(edge.source, []).append(f"→ {edge.target}")
    return {number: "; ".join(parts) for number, parts in notes.items()}
