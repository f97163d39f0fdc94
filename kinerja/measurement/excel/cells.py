"""One cell at a time: what a cell of the workbook means, and what to write for a value.

Every number is a Decimal. openpyxl reads a numeric cell as a float, which is exact for what a
person types (12.3456 reads back as 12.3456 through its shortest repr); a figure that a float
cannot hold exactly is written as text, which parse_decimal reads back to the last digit.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from kinerja.lib.numbers import NumberFormatError, parse_decimal
from kinerja.measurement.excel.sheets import ROMAN, Column, Kind, accepted_words, listed_labels, normalize
from kinerja.planning.services import TargetInput

FIGURE_PLACES, MONEY_PLACES = 4, 2
FIGURE_DIGITS, MONEY_DIGITS = 20, 18  # the model fields' max_digits
TARGET_TEXT_LENGTH = 200
MIN_YEAR, MAX_YEAR = 1900, 2200
_FLOAT_EXACT = 2**53
_RANGE_WORD = re.compile(r"(?P<low>.+?)\s*(?:s\.?\s*d\.?|s/d|sampai\s+dengan|sampai|–|—)\s*(?P<high>.+)", re.IGNORECASE)
# A hyphen is a range only between two non-negative numbers: "-5-10" is left to fail as a number.
_RANGE_HYPHEN = re.compile(r"(?P<low>\d[\d.,]*\s*%?)\s*-\s*(?P<high>\d[\d.,]*\s*%?)")
_QUARTER_PREFIX = re.compile(r"^(?:tw|triwulan|q)\s*", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class CellError(Exception):
    """What is wrong with one cell, as a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Reading


def raw_value(cell: Any) -> Any:
    """The cell's value, refusing formulas and error values; blank text is None."""
    data_type = getattr(cell, "data_type", None)
    value = cell.value
    if data_type == "f":
        raise CellError(_("formulas are not accepted; paste the values (Paste Special → Values) instead."))
    if data_type == "e":
        raise CellError(_("the cell shows the error %(error)s; enter a value.") % {"error": value})
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read(cell: Any, column: Column) -> Any:
    """The cell converted for `column`, or None when blank; raises CellError."""
    value = raw_value(cell)
    if value is None or column.kind == Kind.IGNORED:
        return None
    readers = {
        Kind.TEXT: _text, Kind.YEAR: _year, Kind.DECIMAL: _figure, Kind.MONEY: _money, Kind.TARGET: _target,
        Kind.DATE: _date, Kind.QUARTER: _quarter, Kind.CODES: _codes,
    }  # fmt: skip
    if column.kind == Kind.ENUM:
        assert column.choices is not None
        result: Any = enum(value, column.choices)
    else:
        result = readers[column.kind](value)
    if column.max_length and isinstance(result, str) and len(result) > column.max_length:
        raise CellError(
            _("the text is %(length)s characters long; at most %(limit)s fit.")
            % {"length": len(result), "limit": column.max_length}
        )
    return result


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        # A code typed as 1.1 is stored as a number; it reads back as it was typed.
        return format(_number(value).normalize(), "f") if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _number(value: Any) -> Decimal:
    """A numeric cell as the Decimal a person typed."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(_("the cell does not hold a usable number."))
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, datetime | date):
        raise CellError(_("a date is not a number; format the cell as a number."))
    try:
        return parse_decimal(str(value))
    except NumberFormatError as exc:
        raise CellError(str(exc.message)) from exc


def decimal(value: Any, *, places: int = FIGURE_PLACES, digits: int = FIGURE_DIGITS) -> Decimal:
    number = _number(value)
    if not number.is_finite():
        raise CellError(_("the cell does not hold a usable number."))
    if not number.is_zero() and number.copy_abs().adjusted() >= digits - places:
        raise CellError(_("%(value)s is too large.") % {"value": plain_number(number)})
    try:
        rounded = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation as exc:
        raise CellError(_("the cell does not hold a usable number.")) from exc
    if rounded != number:
        raise CellError(
            _("%(value)s has more than %(places)s decimals; round it.")
            % {"value": plain_number(number), "places": places}
        )
    return number.copy_abs() if number.is_zero() else number


def _figure(value: Any) -> Decimal:
    return decimal(value)


def _money(value: Any) -> Decimal:
    return decimal(value, places=MONEY_PLACES, digits=MONEY_DIGITS)


def _target(value: Any) -> Decimal | str:
    """Kept raw: whether "60-80" is a range or a text depends on the indicator."""
    if isinstance(value, str):
        return value
    return decimal(value)


def _year(value: Any) -> int:
    number = _number(value)
    if number != number.to_integral_value() or not MIN_YEAR <= number <= MAX_YEAR:
        raise CellError(_("“%(value)s” is not a year.") % {"value": _text(value)})
    return int(number)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, TypeError) as exc:
            raise CellError(_("“%(value)s” is not a date.") % {"value": value}) from exc
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(str(value), pattern).date()  # noqa: DTZ007 - a calendar day, no time zone
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date; write it as a date, e.g. 15/01/2025.") % {"value": value})


def _quarter(value: Any) -> int:
    text = _QUARTER_PREFIX.sub("", _text(value)).strip().upper()
    if text in ROMAN:
        return ROMAN.index(text) + 1
    if text in ("1", "2", "3", "4"):
        return int(text)
    raise CellError(_("“%(value)s” is not a quarter: write 1 to 4, or I to IV.") % {"value": _text(value)})


def _codes(value: Any) -> list[str]:
    return [code.strip() for code in re.split(r"[,;\n]", _text(value)) if code.strip()]


def enum(value: Any, choices: type[TextChoices]) -> str:
    code = accepted_words(choices).get(normalize(_text(value)))
    if code is None:
        raise CellError(
            _("“%(value)s” is not one of: %(choices)s.") % {"value": _text(value), "choices": listed_labels(choices)}
        )
    return code


def target_input(raw: Decimal | str | None, *, qualitative: bool) -> TargetInput:
    """A target cell read for an indicator: text when qualitative, else a number or a range."""
    if raw is None:
        return TargetInput()
    if qualitative:
        text = plain_number(raw) if isinstance(raw, Decimal) else raw
        if len(text) > TARGET_TEXT_LENGTH:
            raise CellError(
                _("the text is %(length)s characters long; at most %(limit)s fit.")
                % {"length": len(text), "limit": TARGET_TEXT_LENGTH}
            )
        return TargetInput(text=text)
    if isinstance(raw, Decimal):
        return TargetInput(value=raw)
    match = _RANGE_WORD.fullmatch(raw) or _RANGE_HYPHEN.fullmatch(raw)
    if match:
        return TargetInput(value=decimal(match.group("low")), upper=decimal(match.group("high")))
    try:
        return TargetInput(value=decimal(raw))
    except CellError as exc:
        raise CellError(
            _("%(problem)s Write a number, or a range as “60 s.d. 80”.") % {"problem": _sentence(exc.message)}
        ) from exc


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith((".", "!", "?")) else f"{message}."


# Writing


def plain_number(value: Decimal) -> str:
    """`value` as Indonesians type it and parse_decimal reads it: a comma for decimals, no grouping."""
    if value.is_zero():
        return "0"
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def number_cell(value: Decimal | None) -> int | float | str | None:
    """What to write for a figure: a number when the spreadsheet holds it exactly, else the text."""
    if value is None:
        return None
    if value.is_zero():
        return 0
    if value == value.to_integral_value() and abs(value) < _FLOAT_EXACT:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return plain_number(value)


def target_cell(value: Decimal | None, upper: Decimal | None, text: str) -> int | float | str | None:
    """What to write for a target: its text, its range "60 s.d. 80", or its number."""
    if upper is not None:
        low = plain_number(value) if value is not None else ""
        return f"{low} s.d. {plain_number(upper)}"
    if value is not None:
        return number_cell(value)
    return text or None
