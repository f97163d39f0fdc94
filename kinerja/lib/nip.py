"""NIP, the 18-digit civil-servant number: birth date (8), appointment month (6), sex (1), serial (3)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-]")


def normalize_nip(raw: str) -> str:
    """The digits of a NIP typed with the usual spaces, dots or dashes between its groups."""
    return _SEPARATORS.sub("", raw or "")


def validate_nip(value: str) -> None:
    if not re.fullmatch(r"[0-9]{18}", value or ""):
        raise ValidationError(_("A NIP has exactly 18 digits."), code="nip_length")
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValidationError(
            _("The first 8 digits of a NIP must be a valid birth date (YYYYMMDD)."), code="nip_birth"
        ) from None
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        raise ValidationError(_("Digits 9 to 14 of a NIP must be a valid appointment month (YYYYMM)."), code="nip_tmt")
    if (year, month) <= (birth.year, birth.month) or year - birth.year < 15:
        raise ValidationError(
            _("The appointment month in a NIP must come well after the birth date."), code="nip_order"
        )
    if value[14] not in "12":
        raise ValidationError(_("Digit 15 of a NIP must be 1 (male) or 2 (female)."), code="nip_sex")
    if value[15:18] == "000":
        raise ValidationError(_("The last 3 digits of a NIP cannot be 000."), code="nip_serial")


def format_nip(value: str) -> str:
    """'197306101994021003' as '19730610 199402 1 003'; anything else unchanged."""
    if not re.fullmatch(r"[0-9]{18}", value or ""):
        return value
    return f"{value[0:8]} {value[8:14]} {value[14]} {value[15:18]}"
