"""The offline form of a submission: the draft as a workbook to fill in, and the filled workbook read back.

The workbook is made and read with the measurement import's pieces: its Petunjuk sheet and column model,
its safety checks on an untrusted file (size, zip bomb, rows) and its cell reading (a decimal comma, an
ambiguous "1.234" or a formula refused). What is read is merged into the draft only through
services.save_lines, so every rule of the web form applies; each row carries the version of its line, so
a line saved by someone else after the download is never overwritten.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from kinerja.collection import selectors, services
from kinerja.collection.models import Submission, SubmissionLine
from kinerja.lib.numbers import format_number
from kinerja.lib.xlsx import write_cell
from kinerja.measurement.excel import sheets as s
from kinerja.measurement.excel.cells import CellError, decimal, number_cell, raw_value, read, target_cell, target_input
from kinerja.measurement.excel.reader import MAX_UPLOAD_BYTES, Issue, check_file
from kinerja.measurement.excel.writer import Book, instructions
from kinerja.measurement.services import realization_errors
from kinerja.planning.models import Scale

logger = logging.getLogger(__name__)

SHEET_FORM = s.SHEET_REALIZATIONS  # "Realisasi"
SHEET_IDENTITY = "Identitas"
QUARTER_TARGET, LAST_QUARTER, VERSION = "Target Triwulan", "Realisasi Triwulan Lalu", "Versi"
SUBMISSION_ID = "ID Pengajuan"

_READ_ONLY = gettext_lazy("Shown for reading only; the import ignores it.")
_EDITABLE = {column.header: column for column in s.REALIZATIONS.columns}
COLUMNS: tuple[s.Column, ...] = (
    s.Column(s.INDICATOR_CODE, s.Kind.TEXT, gettext_lazy("The indicator's code."), required=True, max_length=30,
             width=14),
    s.Column(s.INDICATOR, s.Kind.IGNORED, _READ_ONLY, width=45),
    s.Column(s.UNIT_OF_MEASURE, s.Kind.IGNORED, _READ_ONLY, width=12),
    s.Column(QUARTER_TARGET, s.Kind.IGNORED, _READ_ONLY, width=14),
    s.Column(s.ANNUAL_TARGET, s.Kind.IGNORED, _READ_ONLY, width=14),
    s.Column(LAST_QUARTER, s.Kind.IGNORED, _READ_ONLY, width=16),
    *(
        s.Column(header, _EDITABLE[header].kind, _EDITABLE[header].help, required=True, width=_EDITABLE[header].width)
        for header in (s.REALIZATION, s.NO_DATA, s.FACTORS_HELPED, s.FACTORS_HINDERED, s.FOLLOW_UP)
    ),
    s.Column(VERSION, s.Kind.DECIMAL, gettext_lazy("Do not change this column: it detects lines saved by someone "
                                                   "else after the download."), required=True, width=8),
)  # fmt: skip
BY_HEADER = {s.normalize(column.header): column for column in COLUMNS}
FORM_SHEET = s.Sheet(
    SHEET_FORM,
    gettext_lazy(
        "One row per indicator of this submission. Fill in the realisation of this quarter; an empty "
        "realisation is not reported (not zero). A row you delete leaves its indicator as it is."
    ),
    COLUMNS,
)
IDENTITY_SHEET = s.Sheet(
    SHEET_IDENTITY,
    gettext_lazy("Which submission this workbook belongs to. Do not change it."),
    (
        s.Column("Kunci", s.Kind.IGNORED, "", width=20),
        s.Column("Nilai", s.Kind.IGNORED, "", width=50),
    ),
)
# Which column a problem of save_lines (by field) is shown on.
FIELD_COLUMN = {
    "value": s.REALIZATION, "text": s.REALIZATION, "no_data": s.NO_DATA, "no_data_reason": s.NO_DATA,
    "factors_helped": s.FACTORS_HELPED, "factors_hindered": s.FACTORS_HINDERED, "follow_up": s.FOLLOW_UP,
}  # fmt: skip
NOTE_COLUMNS = (("factors_helped", s.FACTORS_HELPED), ("factors_hindered", s.FACTORS_HINDERED),
                ("follow_up", s.FOLLOW_UP))  # fmt: skip


@dataclass(frozen=True)
class Change:
    indicator: Any  # planning.Indicator
    field: str  # the column header
    old: str
    new: str


@dataclass
class FormUpload:
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs: list[services.LineInput] = field(default_factory=list)


# Writing


def _target(target: Any) -> Any:
    return target_cell(target.value, target.upper, target.text) if target is not None else None


def _realization(value: Decimal | None, text: str, no_data: bool) -> Any:
    if no_data:
        return None
    return number_cell(value) if value is not None else (text or None)


def _identity(submission: Submission) -> list[tuple[str, Any]]:
    request = submission.request
    period = request.period
    return [
        (SUBMISSION_ID, submission.pk), ("Instansi", period.agency.name), ("Unit", request.unit.name),
        ("Jabatan", request.position.title if request.position_id else None), ("Tahun", period.year),
        ("Triwulan", period.quarter),
    ]  # fmt: skip


def form_workbook(submission: Submission) -> bytes:
    """The draft as a workbook: a Petunjuk sheet, the Realisasi sheet (one row per line) and the Identitas sheet."""
    book = Book()
    instructions(book, [(FORM_SHEET, list(COLUMNS)), (IDENTITY_SHEET, list(IDENTITY_SHEET.columns))])
    sheet = book.book.create_sheet(SHEET_FORM)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.column_dimensions[get_column_letter(len(COLUMNS))].hidden = True
    sheet.freeze_panes = "C2"
    sheet.append([write_cell(sheet, column.header, bold=True) for column in COLUMNS])
    for row in selectors.form_rows(submission):
        line, indicator, previous = row.line, row.line.indicator, row.previous
        cells = {
            s.INDICATOR_CODE: indicator.code, s.INDICATOR: indicator.name, s.UNIT_OF_MEASURE: indicator.unit_of_measure,
            QUARTER_TARGET: _target(row.target), s.ANNUAL_TARGET: _target(row.figures.annual),
            LAST_QUARTER: _realization(previous.value, previous.text, previous.no_data) if previous else None,
            s.REALIZATION: _realization(line.value, line.text, line.no_data),
            s.NO_DATA: line.no_data_reason if line.no_data else None, s.FACTORS_HELPED: line.factors_helped,
            s.FACTORS_HINDERED: line.factors_hindered, s.FOLLOW_UP: line.follow_up, VERSION: line.version,
        }  # fmt: skip
        sheet.append([write_cell(sheet, cells.get(column.header)) for column in COLUMNS])
    identity = book.book.create_sheet(SHEET_IDENTITY)
    identity.column_dimensions["A"].width, identity.column_dimensions["B"].width = 20, 50
    identity.append([write_cell(identity, "Kunci", bold=True), write_cell(identity, "Nilai", bold=True)])
    for key, value in _identity(submission):
        identity.append([write_cell(identity, key, bold=True), write_cell(identity, value)])
    return book.save()


# Reading


class _Refused(Exception):
    """The workbook cannot be read as this submission's form at all; `args` are the messages."""


def read_form(submission: Submission, data: bytes) -> FormUpload:
    """What the filled workbook would change in the draft, or every problem found in it. Saves nothing."""
    result = FormUpload()
    if problem := check_file(data):
        result.errors.append(problem)
        return result
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a damaged file
        logger.info("Offline form: the workbook could not be opened", exc_info=True)
        result.errors.append(_("The workbook could not be read; it may be damaged. Save it again as .xlsx."))
        return result
    try:
        titles = {s.normalize(title): title for title in book.sheetnames}
        for name in (SHEET_IDENTITY, SHEET_FORM):
            if s.normalize(name) not in titles:
                raise _Refused(Issue(_("this sheet is missing from the workbook."), sheet=name))
        _check_identity(book[titles[s.normalize(SHEET_IDENTITY)]], submission)
        rows = _read_rows(book[titles[s.normalize(SHEET_FORM)]], result)
    except _Refused as exc:
        result.errors.extend(str(message) for message in exc.args)
        return result
    except Exception:
        logger.info("Offline form: a sheet could not be read", exc_info=True)
        result.errors.append(_("The workbook could not be read; it may be damaged. Save it again as .xlsx."))
        return result
    finally:
        book.close()
    _merge(submission, rows, result)
    return result


def _check_identity(worksheet: Any, submission: Submission) -> None:
    found: dict[str, Any] = {}
    for cells in worksheet.iter_rows(max_col=2, max_row=50):
        if len(cells) == 2 and isinstance(cells[0].value, str):
            try:
                found[s.normalize(cells[0].value)] = raw_value(cells[1])
            except CellError:
                continue
    period = submission.request.period
    expected = {SUBMISSION_ID: submission.pk, "Tahun": period.year, "Triwulan": period.quarter}
    for key, value in expected.items():
        try:
            same = decimal(found.get(s.normalize(key))) == value
        except (CellError, TypeError):
            same = False
        if not same:
            raise _Refused(
                _("This workbook is the form of another submission or period. Download the form of this one.")
            )


@dataclass
class _Row:
    number: int
    code: str
    version: int | None
    cells: dict[str, Any]
    broken: bool


def _read_rows(worksheet: Any, result: FormUpload) -> list[_Row]:
    rows = worksheet.iter_rows(max_col=s.MAX_COLUMNS)
    columns: list[tuple[int, s.Column]] = []
    seen: set[str] = set()
    for index, cell in enumerate(next(rows, ())):
        column = BY_HEADER.get(s.normalize(cell.value)) if isinstance(cell.value, str) else None
        if column is not None and column.header not in seen:
            seen.add(column.header)
            columns.append((index, column))
    missing = [column.header for column in COLUMNS if column.required and column.header not in seen]
    if missing:
        raise _Refused(*(
            Issue(_("the column “%(column)s” is missing from the header row (row 1).") % {"column": header},
                  sheet=SHEET_FORM)
            for header in missing
        ))  # fmt: skip
    found: list[_Row] = []
    for number, cells in enumerate(rows, start=2):
        if number > s.MAX_ROWS + 1:
            raise _Refused(Issue(
                _("it has more than %(limit)s rows; split it into several files.") % {"limit": f"{s.MAX_ROWS:,}"},
                sheet=SHEET_FORM,
            ))  # fmt: skip
        values: dict[str, Any] = {}
        broken = False
        for index, column in columns:
            cell = cells[index] if index < len(cells) else None
            values[column.header] = None
            if cell is None or cell.value is None or column.kind == s.Kind.IGNORED:
                continue
            try:
                values[column.header] = read(cell, column)
            except CellError as exc:
                result.errors.append(str(Issue(exc.message, sheet=SHEET_FORM, row=number, column=column.header)))
                broken = True
        if not broken and all(value is None for value in values.values()):
            continue
        version = values.get(VERSION)
        found.append(
            _Row(
                number=number, code=values.get(s.INDICATOR_CODE) or "", cells=values, broken=broken,
                version=int(version) if isinstance(version, Decimal) and version == int(version) else None,
            )
        )  # fmt: skip
    return found


def _error(result: FormUpload, row: _Row, column: str, message: str) -> None:
    result.errors.append(str(Issue(message, sheet=SHEET_FORM, row=row.number, column=column)))


def _shown(value: Decimal | None, text: str) -> str:
    return format_number(value) if value is not None else text


def _merge(submission: Submission, rows: list[_Row], result: FormUpload) -> None:
    """Compares each row with its line: the changes, the inputs for save_lines, and what is wrong."""
    lines = {line.indicator.code: line for line in submission.lines.select_related("indicator__plan", "updated_by")}
    period = submission.request.period
    seen: set[str] = set()
    changed: list[tuple[SubmissionLine, services.LineInput]] = []
    for row in rows:
        line = lines.get(row.code)
        if not row.code:
            _error(result, row, s.INDICATOR_CODE, _("this cell must be filled in."))
            continue
        if line is None:
            _error(result, row, s.INDICATOR_CODE, _("“%(code)s” is not an indicator of this submission.") % {
                "code": row.code})  # fmt: skip
            continue
        if row.code in seen:
            _error(result, row, s.INDICATOR_CODE, _("this indicator is in the workbook twice."))
            continue
        seen.add(row.code)
        if row.version is None:
            _error(result, row, VERSION, _("the version was changed; download the form again."))
            continue
        if row.broken:
            continue
        item = _line_input(result, row, line)
        if item is None:
            continue
        values = item.values()
        if all(getattr(line, name) == values[name] for name in services.LINE_FIELDS):
            continue
        problems = realization_errors(
            line.indicator, year=period.year, quarter=period.quarter, value=item.value, text=item.text,
            no_data=item.no_data, reason=item.no_data_reason,
        )  # fmt: skip
        for name in ("factors_helped", "factors_hindered", "follow_up", "no_data_reason"):
            if len(values[name]) > services.TEXT_LIMIT:
                problems[name] = _("At most %(limit)s characters.") % {"limit": services.TEXT_LIMIT}
        for name, message in problems.items():
            _error(result, row, FIELD_COLUMN.get(name, s.REALIZATION), message)
        if problems:
            continue
        if row.version != line.version:
            who = line.updated_by.get_username() if line.updated_by else "?"
            _error(result, row, s.INDICATOR_CODE, _(
                "%(code)s was saved by %(who)s after this workbook was downloaded. Download the form again."
            ) % {"code": line.indicator.code, "who": who})  # fmt: skip
            continue
        changed.append((line, item))
        result.inputs.append(item)
        _changes(result, line, values)
    history = services.value_history(submission, [line.indicator_id for line, _item in changed])
    for line, item in changed:
        value = item.values()["value"]
        if value is not None and (warning := services.unusual_value(line.indicator, value, history[line.indicator_id])):
            result.warnings.append(warning)


def _line_input(result: FormUpload, row: _Row, line: SubmissionLine) -> services.LineInput | None:
    raw = row.cells.get(s.REALIZATION)
    value, text = None, ""
    try:
        if line.indicator.scale == Scale.QUALITATIVE:
            text = target_input(raw, qualitative=True).text
        elif raw is not None:
            value = raw if isinstance(raw, Decimal) else decimal(raw)
    except CellError as exc:
        _error(result, row, s.REALIZATION, exc.message)
        return None
    reason = row.cells.get(s.NO_DATA) or ""
    return services.LineInput(
        indicator_id=line.indicator_id, version=row.version or 0, value=value, text=text, no_data=bool(reason),
        no_data_reason=reason, factors_helped=row.cells.get(s.FACTORS_HELPED) or "",
        factors_hindered=row.cells.get(s.FACTORS_HINDERED) or "", follow_up=row.cells.get(s.FOLLOW_UP) or "",
    )  # fmt: skip


def _changes(result: FormUpload, line: SubmissionLine, values: dict[str, Any]) -> None:
    indicator = line.indicator
    before = _shown(line.value, line.text) if not line.no_data else ""
    after = _shown(values["value"], values["text"]) if not values["no_data"] else ""
    if before != after or line.no_data != values["no_data"]:
        result.changes.append(Change(indicator, s.REALIZATION, before, after))
    if line.no_data_reason != values["no_data_reason"]:
        result.changes.append(Change(indicator, s.NO_DATA, line.no_data_reason, values["no_data_reason"]))
    for name, header in NOTE_COLUMNS:
        if getattr(line, name) != values[name]:
            result.changes.append(Change(indicator, header, getattr(line, name), values[name]))


__all__ = ["MAX_UPLOAD_BYTES", "Change", "FormUpload", "form_workbook", "read_form"]
