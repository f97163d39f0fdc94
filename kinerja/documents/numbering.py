"""Letter number formats, such as `050/{seq:03}/{unit}/{month:roman}/{year}` or `{seq:03}/SOP/Dishub-BLG/{year}`.

A format is checked when it is saved: an unknown placeholder, a bad width or a format without `{seq}` is
refused with its reason, so a number can never fail to print when a document is signed. Pure functions.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
PLACEHOLDERS = {
    "seq": _("the running number within the year"),
    "unit": _("the code of the issuing unit"),
    "agency": _("the agency's short name"),
    "day": _("the day of the month"),
    "month": _("the month (write {month:roman} for I–XII)"),
    "year": _("the year"),
}
_WIDTH = re.compile(r"0?[1-9]")


class FormatRefused(ValueError):
    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NumberParts:
    seq: int
    on: date
    unit: str = ""
    agency: str = ""


def _parse(fmt: str) -> list[tuple[str, str | None, str]]:
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError:
        raise FormatRefused(_("A brace is not closed or not opened: write placeholders as {seq}.")) from None
    return [(literal, name, spec or "") for literal, name, spec, _conversion in parsed]


def check_format(fmt: str) -> None:
    """Refuses a format that could not produce a number; returns None when it can."""
    if not fmt.strip():
        raise FormatRefused(_("Write the number format, for example 050/{seq:03}/{unit}/{month:roman}/{year}."))
    if len(fmt) > 120:
        raise FormatRefused(_("The number format is longer than 120 characters."))
    names = []
    for _literal, name, spec in _parse(fmt):
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
            raise FormatRefused(
                format_lazy(_("Unknown placeholder {{{name}}}. Known placeholders: {known}."), name=name, known=known)
            )
        if (
            spec
            and not (name == "month" and spec == "roman")
            and not (name in ("seq", "day", "month", "year") and _WIDTH.fullmatch(spec))
        ):
            raise FormatRefused(
                format_lazy(_("The placeholder {{{name}:{spec}}} is not understood: write a width such as "
                              "{{seq:03}}, or {{month:roman}}."), name=name, spec=spec)
            )  # fmt: skip
        names.append(name)
    if "seq" not in names:
        raise FormatRefused(_("The format must contain {seq}, the running number."))
    if names.count("seq") > 1:
        raise FormatRefused(_("The format may contain {seq} only once."))


def _value(name: str, spec: str, parts: NumberParts) -> str:
    if name == "unit":
        return parts.unit
    if name == "agency":
        return parts.agency
    if name == "month" and spec == "roman":
        return ROMAN_MONTHS[parts.on.month - 1]
    number = {"seq": parts.seq, "day": parts.on.day, "month": parts.on.month, "year": parts.on.year}[name]
    return format(number, spec) if spec else str(number)


def render_number(fmt: str, parts: NumberParts) -> str:
    """The number printed on a document; the format must have passed `check_format`."""
    out = []
    for literal, name, spec in _parse(fmt):
        out.append(literal)
        if name is not None:
            out.append(_value(name, spec, parts))
    return "".join(out)
