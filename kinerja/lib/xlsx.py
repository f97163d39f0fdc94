"""Any table of the application as an Excel file: every row, streamed through openpyxl's write-only mode."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import IO, Any

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@")
_BOLD = Font(bold=True)


def write_cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    """`value` ready for a write-only sheet: characters Excel refuses removed, text that a spreadsheet
    would run as a formula kept as text, dates formatted, other values passed as they are."""
    if value == "":
        return None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif not (isinstance(value, Decimal | int | float | date) or value is None):
        value = str(value)
    is_date = isinstance(value, date)
    formula_like = isinstance(value, str) and value.startswith(_FORMULA_START)
    if not (bold or is_date or formula_like):
        return value  # a plain value costs less than a cell object, which matters in a large export
    cell = WriteOnlyCell(sheet, value=value)
    if formula_like:
        cell.data_type = "s"
    if bold:
        cell.font = _BOLD
    if is_date:
        cell.number_format = "DD/MM/YYYY"
    return cell


Sheets = Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]


def write_workbook(sheets: Sheets, out: IO[bytes]) -> None:
    """Writes an .xlsx holding one sheet per (title, header, rows) to `out`. Rows may be a generator: openpyxl's
    write-only mode keeps each sheet in a temporary file, so memory stays flat however many rows there are."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31])
        sheet.freeze_panes = "A2"
        sheet.append([write_cell(sheet, str(text), bold=True) for text in header])
        for row in rows:
            sheet.append([write_cell(sheet, value) for value in row])
    book.save(out)


def table_workbook(sheets: Sheets) -> bytes:
    """An .xlsx holding one sheet per (title, header, rows), in memory: for small tables."""
    out = BytesIO()
    write_workbook(sheets, out)
    return out.getvalue()


def _filename(filename: str) -> str:
    return (re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "kinerja") + ".xlsx"


def xlsx_response(filename: str, sheets: Sheets) -> HttpResponse:
    response = HttpResponse(table_workbook(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename)}"'
    return response


def xlsx_stream(filename: str, sheets: Sheets) -> FileResponse:
    """The workbook written to a temporary file and streamed from it in chunks: for exports of any size, in
    constant memory. The file is removed when the response is closed."""
    out = tempfile.TemporaryFile(prefix="kinerja-export-")
    write_workbook(sheets, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=_filename(filename), content_type=XLSX)
