"""Judgements on achievement figures: the band (predikat) an achievement falls in, and budget efficiency.

Pure functions, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kinerja.lib.numbers import round_half_up

COLOURS = ("green", "lime", "yellow", "orange", "red", "grey")
BAND_MINIMUM_LIMITS = (Decimal(0), Decimal(1000))
_CONTEXT = Context(prec=34)


@dataclass(frozen=True)
class Band:
    """A band of achievement percentages: from `minimum` (inclusive) up to the next band's minimum.
    The band whose minimum is None catches everything below the lowest minimum."""

    minimum: Decimal | None
    label: str
    colour: str  # one of COLOURS


# Permendagri 86/2017. The labels are regulatory names, so they stay Indonesian in every language.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band(Decimal(91), "Sangat Tinggi", "green"),
    Band(Decimal(76), "Tinggi", "lime"),
    Band(Decimal(66), "Sedang", "yellow"),
    Band(Decimal(51), "Rendah", "orange"),
    Band(None, "Sangat Rendah", "red"),
)


def classify(percent: Decimal | None, bands: Sequence[Band]) -> Band | None:
    """The band `percent` falls in; None for None, or when no band fits (invalid bands)."""
    if percent is None:
        return None
    # Round as displayed first, so a percent shown as 91,00 is never labelled below 91.
    shown = round_half_up(percent, 2)
    floors = [band for band in bands if band.minimum is not None and band.minimum <= shown]
    if floors:
        return max(floors, key=lambda band: band.minimum or 0)
    return next((band for band in bands if band.minimum is None), None)


def validate_bands(bands: Sequence[Band]) -> list[str | Promise]:
    """What is wrong with a set of bands, as messages fit to show to the user; empty when they are usable."""
    if not bands:
        return [_("Define at least one band.")]
    errors: list[str | Promise] = []
    minimums = Counter(band.minimum for band in bands)
    catch_alls = minimums.pop(None, 0)
    if catch_alls > 1:
        errors.append(_("Only one band may have no minimum."))
    elif not catch_alls:
        errors.append(_("One band must have no minimum, to take every percentage below the other bands."))
    errors += [
        format_lazy(_("Two bands have the same minimum, {minimum}."), minimum=str(minimum))
        for minimum, count in minimums.items()
        if count > 1
    ]
    low, high = BAND_MINIMUM_LIMITS
    if any(not low <= minimum <= high for minimum in minimums if minimum is not None):
        errors.append(format_lazy(_("A band minimum must be between {low} and {high}."), low=low, high=high))
    if any(not str(band.label).strip() for band in bands):
        errors.append(_("Every band needs a label."))
    errors += [
        format_lazy(_("Unknown colour “{colour}”."), colour=colour)
        for colour in dict.fromkeys(band.colour for band in bands)
        if colour not in COLOURS
    ]
    return errors


EFFICIENT = "efficient"
FAIRLY_EFFICIENT = "fairly_efficient"
INEFFICIENT = "inefficient"
EFFICIENCY_LABELS: dict[str, str | Promise] = {
    EFFICIENT: _("Efficient"),
    FAIRLY_EFFICIENT: _("Fairly efficient"),
    INEFFICIENT: _("Not efficient"),
}
EFFICIENCY_MARGIN = Decimal(5)  # percentage points either side of "achievement matches spending"


def absorption(*, ceiling: Decimal, spent: Decimal) -> Decimal | None:
    """Budget absorption (serapan) in percent, spent / ceiling × 100, full precision; None without a ceiling."""
    if ceiling <= 0:
        return None
    with localcontext(_CONTEXT):
        return spent * 100 / ceiling


def efficiency(*, achievement: Decimal | None, absorption: Decimal | None) -> tuple[Decimal | None, str]:
    """Achievement minus absorption in percentage points, and its category: EFFICIENT above +5,
    INEFFICIENT below −5, FAIRLY_EFFICIENT between (inclusive); (None, "") when either is unknown."""
    if achievement is None or absorption is None:
        return None, ""
    with localcontext(_CONTEXT):
        difference = achievement - absorption
    # Judge the difference as displayed, as classify does, so a shown 5,00 is never called efficient.
    shown = round_half_up(difference, 2)
    if shown > EFFICIENCY_MARGIN:
        return difference, EFFICIENT
    if shown < -EFFICIENCY_MARGIN:
        return difference, INEFFICIENT
    return difference, FAIRLY_EFFICIENT
