"""Reading numbers as Indonesian users type them, and showing them in the reader's language.

Everything is Decimal: a float would turn a typed 0,1 into 0.1000000000000000055...
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

MAX_DIGITS = 20
# str.strip() would also do, but the spaces that office software and web pages paste are named here on purpose.
_SURROUNDING_SPACE = " \t\r\n\u00a0\u202f\u2007\u2009"
_BODY = re.compile(r"[0-9.,]+")


class NumberFormatError(ValueError):
    """A typed number that cannot be read safely; `message` is translatable and fit to show to the user."""

    def __init__(self, message: str | Promise, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def _error(template: str | Promise, *, code: str, **values: str) -> NumberFormatError:
    # format_lazy keeps the message lazy, so it is translated in whatever language it is finally shown in.
    return NumberFormatError(format_lazy(template, **values), code=code)


def _is_grouped(groups: list[str]) -> bool:
    """Whether the parts between thousands separators form 1-3 digits, then groups of exactly 3."""
    head, tail = groups[0], groups[1:]
    return 1 <= len(head) <= 3 and not head.startswith("0") and all(len(group) == 3 for group in tail)


def _split(body: str, text: str) -> tuple[str, str]:
    """The integer digits and the fraction digits of an unsigned number with its separators."""
    if "" in re.split(r"[.,]", body):
        raise _error(_("“{text}” needs digits on both sides of every comma or dot."), code="separator", text=text)
    commas, dots = body.count(","), body.count(".")
    if not commas and not dots:
        return body, ""
    if commas and dots:
        decimal_mark = "," if body.rindex(",") > body.rindex(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _sep, fraction = body.rpartition(decimal_mark)
        if decimal_mark in whole or not _is_grouped(whole.split(thousands)):
            raise _error(
                _("“{text}” has misplaced thousands separators: the groups after the first must have three digits."),
                code="grouping",
                text=text,
            )
        return whole.replace(thousands, ""), fraction
    if commas:
        if commas > 1:
            # The comma is the Indonesian decimal mark, so 1,234,567 is not a number there.
            raise _error(
                _("“{text}” has more than one comma: use one comma for decimals and no thousands separators."),
                code="commas",
                text=text,
            )
        whole, _sep, fraction = body.partition(",")
        return whole, fraction
    groups = body.split(".")
    if len(groups) > 2:
        if not _is_grouped(groups):
            raise _error(
                _("“{text}” has misplaced thousands separators: the groups after the first must have three digits."),
                code="grouping",
                text=text,
            )
        return "".join(groups), ""
    whole, fraction = groups
    # 1.234 means 1234 to an Indonesian and 1.234 to a spreadsheet; guessing would silently change a value 1000-fold.
    # A leading 0 cannot start a thousands group, so 0.250 is unambiguous.
    if len(fraction) == 3 and whole.lstrip("0"):
        raise _error(
            _(
                "“{text}” is ambiguous: write the number without thousands separators, "
                "and use a comma for decimals ({whole} or {decimal})."
            ),
            code="ambiguous",
            text=text,
            whole=whole + fraction,
            decimal=f"{whole},{fraction}",
        )
    return whole, fraction


def parse_decimal(text: str) -> Decimal:
    """The exact value of a number typed the Indonesian way (12,5 or 1.234.567 or 1.234,5), tolerating
    the English way where it cannot be misread; raises NumberFormatError when it cannot be read safely."""
    stripped = (text or "").strip(_SURROUNDING_SPACE)
    if not stripped:
        raise _error(_("Enter a number."), code="empty")
    body = stripped[:-1].rstrip(_SURROUNDING_SPACE) if stripped.endswith("%") else stripped
    sign = ""
    if body[:1] in ("-", "+"):
        sign, body = body[0].replace("+", ""), body[1:]
    if not _BODY.fullmatch(body):
        raise _error(
            _("“{text}” is not a number: use only digits, a comma for decimals, and dots between thousands."),
            code="invalid",
            text=stripped,
        )
    whole, fraction = _split(body, stripped)
    if len(whole) + len(fraction) > MAX_DIGITS:
        raise _error(
            _("“{text}” has too many digits (at most {limit})."), code="too_long", text=stripped, limit=str(MAX_DIGITS)
        )
    value = Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    return value.copy_abs() if value.is_zero() else value


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (2,345 → 2,35), as people round by hand."""
    with localcontext() as context:
        # Enough precision that quantize never fails on a large value.
        context.prec = max(34, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _as_decimal(value: Decimal | int) -> Decimal:
    result = value if isinstance(value, Decimal) else Decimal(int(value))
    if not result.is_finite():
        raise ValueError(f"Cannot format {value!r}.")
    return result


def _localized(value: Decimal, places: int) -> str:
    rounded = round_half_up(value, places)
    if rounded.is_zero():
        rounded = rounded.copy_abs()  # a tiny negative must not show as "-0,00"
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_decimal(value: Decimal | int | None, places: int = 2) -> str:
    """`value` with exactly `places` decimals and thousands grouping in the active language
    (1.234,50 in Indonesian, 1,234.50 in English); "" for None."""
    if value is None:
        return ""
    return _localized(_as_decimal(value), places)


def format_number(value: Decimal | int | None) -> str:
    """`value` with only the decimals it needs, at most 4 (12 → "12", 12,50 → "12,5"), grouped in the active
    language; "" for None."""
    if value is None:
        return ""
    rounded = round_half_up(_as_decimal(value), 4)
    with localcontext() as context:
        context.prec = max(34, rounded.adjusted() + 6)  # normalize rounds to the context precision
        exponent = int(rounded.normalize().as_tuple().exponent)
    return _localized(rounded, 0 if rounded.is_zero() else max(0, -exponent))


def input_number(value: Decimal | int | None) -> str:
    """`value` as it is put back into a form field: no grouping, a comma for decimals, only the decimals it
    needs (1463 → "1463", 1,463 → "1,463", 12,50 → "12,5"), in any language. parse_decimal reads it back to
    the same value: a grouped "1.463" would be refused as ambiguous, and an English "1,463" misread."""
    if value is None:
        return ""
    exact = _as_decimal(value)
    with localcontext() as context:
        context.prec = max(34, exact.adjusted() + 6)
        text = format(exact.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text).replace(".", ",")
