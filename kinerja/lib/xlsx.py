"""Any table of the application as an Excel file: every row, streamed through openpyxl's write-only mode."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@")


def _cell(sheet: Any, value: Any) -> Any:
    # Text that a spreadsheet would run as a formula is written as plain text.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, Decimal | int | float | date) or value is None:
        return value
    return str(value)


def table_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx holding one sheet per (title, header, rows)."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31])
        sheet.freeze_panes = "A2"
        bold = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> HttpResponse:
    response = HttpResponse(table_workbook(sheets), content_type=XLSX)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "kinerja"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response
