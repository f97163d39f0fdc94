"""Reading an uploaded workbook into plain rows: every cell converted, every problem located.

The file is untrusted. It is measured before openpyxl sees it: its size, whether it is a zip at
all, and what its zip directory says it unpacks to (a zip bomb unpacks a few kilobytes into
gigabytes). Only then is it opened, read-only and without evaluating anything.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kinerja.measurement.excel.cells import CellError, read
from kinerja.measurement.excel.sheets import (
    MAX_COLUMNS,
    MAX_ROWS,
    SHEETS,
    SHEETS_BY_NAME,
    Column,
    Kind,
    Sheet,
    normalize,
    target_year,
)

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls format (and other Office 97 files)


@dataclass(frozen=True)
class Issue:
    """An error or a warning, located as precisely as it can be: sheet, Excel row number, column."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        place = {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}
        if self.sheet and self.row and self.column:
            return _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % place
        if self.sheet and self.row:
            return _("Sheet %(sheet)s, row %(row)s: %(message)s") % place
        if self.sheet and self.column:
            return _("Sheet %(sheet)s, column %(column)s: %(message)s") % place
        if self.sheet:
            return _("Sheet %(sheet)s: %(message)s") % place
        return self.message


@dataclass(frozen=True)
class SheetRow:
    """One filled row: the converted value of each column the sheet has (None when blank).

    A row with a cell that could not be read is `broken`: the importer does not apply it, but
    still learns which record it was about, so that rows depending on it are not reported twice.
    """

    sheet: str
    number: int
    cells: dict[str, Any]
    broken: bool = False

    def has(self, header: str) -> bool:
        return header in self.cells

    def get(self, header: str) -> Any:
        return self.cells.get(header)

    def text(self, header: str) -> str:
        value = self.cells.get(header)
        return value if isinstance(value, str) else ""


@dataclass
class Workbook:
    """What was read: the rows of each known sheet present, and the problems found."""

    rows: dict[str, list[SheetRow]] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    fatal: bool = False  # nothing can be imported: not a workbook, no known sheet, a missing column…

    def has_sheet(self, name: str) -> bool:
        return name in self.rows

    def sheet_rows(self, name: str) -> list[SheetRow]:
        return self.rows.get(name, [])

    def target_years(self) -> list[int]:
        """The years of the Renstra sheet's "Target <year>" columns."""
        return sorted(year for h in self.headers.get("Renstra", []) if (year := target_year(h)) is not None)


def check_file(data: bytes) -> str | None:
    """Why `data` cannot be an .xlsx this import reads, or None. Cheap: nothing is unpacked."""
    if len(data) > MAX_UPLOAD_BYTES:
        return _("The file is larger than %(limit)s MB. Split it, or remove what is not imported.") % {
            "limit": MAX_UPLOAD_BYTES // (1024 * 1024)
        }
    if data.startswith(_OLE2_MAGIC):
        # Excel also wraps a password-protected .xlsx in this older container.
        return _(
            "This is an old Excel file (.xls) or a workbook protected by a password. Remove the password, and save "
            "it as an Excel Workbook (.xlsx)."
        )
    if not zipfile.is_zipfile(BytesIO(data)):
        return _("This file is not an Excel workbook (.xlsx). Save it from Excel or LibreOffice as .xlsx.")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError, ValueError):
        return _("This file is not an Excel workbook (.xlsx). Save it from Excel or LibreOffice as .xlsx.")
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        return _("The workbook unpacks to more than %(limit)s MB, far more than a table of figures needs.") % {
            "limit": MAX_UNPACKED_BYTES // (1024 * 1024)
        }
    if "xl/workbook.xml" not in names:
        return _("This file is not an Excel workbook (.xlsx). Save it from Excel or LibreOffice as .xlsx.")
    return None


def read_workbook(data: bytes) -> Workbook:
    """Every known sheet of the workbook in `data`, read row by row."""
    result = Workbook()
    if problem := check_file(data):
        return _fatal(result, Issue(problem))
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a damaged file
        logger.info("Excel import: the workbook could not be opened", exc_info=True)
        return _fatal(result, Issue(_("The workbook could not be read; it may be damaged. Save it again as .xlsx.")))
    try:
        known = [
            (title, SHEETS_BY_NAME[normalize(title)]) for title in book.sheetnames if normalize(title) in SHEETS_BY_NAME
        ]
        if not known:
            names = ", ".join(sheet.name for sheet in SHEETS)
            return _fatal(
                result, Issue(_("The workbook has none of the sheets this import reads: %(names)s.") % {"names": names})
            )
        for title, sheet in known:
            if sheet.name in result.rows:
                result.errors.append(Issue(_("The workbook has this sheet twice."), sheet=sheet.name))
                result.fatal = True
                continue
            _read_sheet(book[title], sheet, result)
    except Exception:
        logger.info("Excel import: a sheet could not be read", exc_info=True)
        return _fatal(result, Issue(_("The workbook could not be read; it may be damaged. Save it again as .xlsx.")))
    finally:
        book.close()
    return result


def _fatal(result: Workbook, issue: Issue) -> Workbook:
    result.errors.append(issue)
    result.fatal = True
    return result


def _read_sheet(worksheet: Any, sheet: Sheet, result: Workbook) -> None:
    rows = worksheet.iter_rows(max_col=MAX_COLUMNS)
    header_cells = next(rows, ())
    columns = _header(header_cells, sheet, result)
    if columns is None:
        return
    result.headers[sheet.name] = [column.header for _index, column in columns]
    parsed: list[SheetRow] = []
    for number, cells in enumerate(rows, start=2):
        row = _read_row(cells, columns, sheet, number, result)
        if row is None:
            continue
        if number > MAX_ROWS + 1:
            result.errors.append(
                Issue(
                    _("it has more than %(limit)s rows; split it into several files.") % {"limit": f"{MAX_ROWS:,}"},
                    sheet=sheet.name,
                )
            )
            result.fatal = True
            return
        parsed.append(row)
    result.rows[sheet.name] = parsed


def _header(cells: Any, sheet: Sheet, result: Workbook) -> list[tuple[int, Column]] | None:
    """The known columns of the sheet with their positions; None when a required one is missing."""
    columns: list[tuple[int, Column]] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        value = cell.value
        if not isinstance(value, str) or not value.strip():
            continue
        column = sheet.column(value)
        if column is None or column.header in seen:
            continue
        seen.add(column.header)
        columns.append((index, column))
    missing = [column.header for column in sheet.columns if column.required and column.header not in seen]
    for header in missing:
        result.errors.append(
            Issue(
                _("the column “%(column)s” is missing from the header row (row 1).") % {"column": header},
                sheet=sheet.name,
            )
        )
    if missing:
        result.fatal = True
        return None
    return columns


def _read_row(
    cells: tuple, columns: list[tuple[int, Column]], sheet: Sheet, number: int, result: Workbook
) -> SheetRow | None:
    """The row's converted cells, None for a row with nothing in the sheet's columns."""
    values: dict[str, Any] = {}
    unreadable: set[str] = set()
    for index, column in columns:
        cell = cells[index] if index < len(cells) else None
        values[column.header] = None
        if cell is None or cell.value is None:
            continue
        try:
            values[column.header] = read(cell, column)
        except CellError as exc:
            result.errors.append(Issue(exc.message, sheet=sheet.name, row=number, column=column.header))
            unreadable.add(column.header)
    if not unreadable and all(values[c.header] is None or c.kind == Kind.IGNORED for _i, c in columns):
        return None
    for _index, column in columns:
        if not column.allow_blank and values[column.header] is None and column.header not in unreadable:
            result.errors.append(
                Issue(_("this cell must be filled in."), sheet=sheet.name, row=number, column=column.header)
            )
            unreadable.add(column.header)
    return SheetRow(sheet=sheet.name, number=number, cells=values, broken=bool(unreadable))


def rows_of(workbook: Workbook, name: str, *, broken: bool = False) -> Iterator[SheetRow]:
    """The sheet's rows that can be applied (or, with broken=True, every row)."""
    return (row for row in workbook.sheet_rows(name) if broken or not row.broken)
