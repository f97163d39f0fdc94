"""Achievement (capaian) of an indicator: its realisation compared with its target, in percent.

Pure functions, no database. All arithmetic is Decimal with 34 significant digits and nothing is rounded here:
rounding is for display only (kinerja.lib.numbers.format_decimal), so that sums of achievements stay exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kinerja.planning.choices import Aggregation, Polarity

# Bound once: `.values` rebuilds its list on every access and reaching a member through its enum class is a
# descriptor call, which made up a third of measuring a regency's indicators.
_POLARITIES = frozenset(Polarity.values)
_AGGREGATIONS = frozenset(Aggregation.values)
_HIGHER, _LOWER = Polarity.HIGHER, Polarity.LOWER
_CUMULATIVE, _LAST, _AVERAGE = Aggregation.CUMULATIVE, Aggregation.LAST, Aggregation.AVERAGE

QUARTERS = (1, 2, 3, 4)
HUNDRED = Decimal(100)
ZERO = Decimal(0)

# Traps on, so a mistake raises instead of producing NaN or Infinity.
_CONTEXT = Context(prec=34, traps=[InvalidOperation, DivisionByZero, Overflow])

NO_TARGET = _("No target has been set.")
ZERO_TARGET = _("The target is zero, so achievement cannot be calculated.")
NEGATIVE_TARGET = _("A negative target cannot be measured as a percentage.")
INCOMPLETE_RANGE = _("A range target needs both a lower and an upper bound.")
SWAPPED_RANGE = _("The lower bound of the range is above its upper bound.")
NOT_REPORTED_YET = _("Not reported yet.")
YEAR_NOT_COMPLETE = _(
    "A total that should stay low or within a range is compared with the annual target once the fourth quarter "
    "is reported."
)


@dataclass(frozen=True)
class TargetValue:
    """A target: one value, or for a RANGE polarity the lower (`value`) and upper bounds."""

    value: Decimal | None
    upper: Decimal | None = None


class Status(StrEnum):
    """Whether an achievement could be worked out."""

    COMPUTED = "computed"
    NOT_REPORTED = "not_reported"
    NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class Outcome:
    """One comparison of a realisation with a target."""

    status: Status
    realized: Decimal | None  # the aggregated realisation; None when nothing was reported
    target: TargetValue | None  # the target compared with; None when there was none to compare with
    percent: Decimal | None  # full precision; None unless COMPUTED
    reason: str | Promise = ""  # why it is not COMPUTED, fit to show to the user


@dataclass(frozen=True)
class Measure:
    """Achievement of an indicator up to a quarter, both against the target to date and the annual target."""

    upto: int  # the quarter asked for, 1 to 4
    reported: tuple[int, ...]  # quarters up to `upto` with a realisation, ascending
    last_quarter: int | None  # the latest of `reported`
    to_date: Outcome
    annual: Outcome  # what the annual report (LKjIP) shows at upto = 4


def _check_quarter(upto: int) -> None:
    if upto not in QUARTERS:
        raise ValueError(f"upto must be a quarter from 1 to 4, not {upto!r}.")


def _check_polarity(polarity: str) -> None:
    if polarity not in _POLARITIES:
        raise ValueError(f"Unknown polarity {polarity!r}.")


def _check_aggregation(aggregation: str) -> None:
    if aggregation not in _AGGREGATIONS:
        raise ValueError(f"Unknown aggregation {aggregation!r}.")


def _unusable(base: Decimal) -> str | Promise | None:
    """Why `base` cannot be divided by, or None when it can."""
    if base.is_zero():
        return ZERO_TARGET
    if base < 0:
        return NEGATIVE_TARGET
    return None


def _ratio(numerator: Decimal, base: Decimal) -> Decimal:
    # One division, so the only inexactness is the last of 34 digits of a non-terminating quotient.
    with localcontext(_CONTEXT):
        return numerator * HUNDRED / base


def _higher(target: Decimal, realized: Decimal) -> tuple[Decimal | None, str | Promise]:
    if problem := _unusable(target):
        return None, problem
    return _ratio(realized, target), ""


def _lower(target: Decimal, realized: Decimal) -> tuple[Decimal | None, str | Promise]:
    # (2T − R) / T, never T / R: the inverse is not linear and is undefined at R = 0.
    if problem := _unusable(target):
        return None, problem
    with localcontext(_CONTEXT):
        return max(ZERO, _ratio(2 * target - realized, target)), ""


def _range(low: Decimal | None, high: Decimal | None, realized: Decimal) -> tuple[Decimal | None, str | Promise]:
    if low is None or high is None:
        return None, INCOMPLETE_RANGE
    if low > high:
        return None, SWAPPED_RANGE
    if realized < low:
        return _higher(low, realized)
    if realized > high:
        return _lower(high, realized)
    return HUNDRED, ""


def score(*, polarity: str, target: TargetValue | None, realized: Decimal) -> tuple[Decimal | None, str | Promise]:
    """Achievement of `realized` against `target` in percent and "", or None and the reason it cannot be computed."""
    _check_polarity(polarity)
    if target is None or target.value is None:
        return None, NO_TARGET
    if polarity == _HIGHER:
        return _higher(target.value, realized)
    if polarity == _LOWER:
        return _lower(target.value, realized)
    return _range(target.value, target.upper, realized)


def _reported(realizations: Mapping[int, Decimal | None], upto: int) -> list[tuple[int, Decimal]]:
    """The (quarter, value) pairs up to `upto` that have a value: a blank quarter is unreported, not zero."""
    return [(quarter, value) for quarter in QUARTERS[:upto] if (value := realizations.get(quarter)) is not None]


def _mean(values: Sequence[Decimal]) -> Decimal:
    with localcontext(_CONTEXT):
        return sum(values, ZERO) / len(values)


def aggregate(*, aggregation: str, realizations: Mapping[int, Decimal | None], upto: int) -> Decimal | None:
    """The realisation up to quarter `upto`: the sum, the latest value or the mean of the reported quarters
    (later quarters ignored); None when none is reported."""
    _check_aggregation(aggregation)
    _check_quarter(upto)
    reported = _reported(realizations, upto)
    if not reported:
        return None
    values = [value for _quarter, value in reported]
    if aggregation == _LAST:
        # A stock (e.g. a rate, a count of facilities) is its latest value; summing it would double count.
        return values[-1]
    if aggregation == _AVERAGE:
        return _mean(values)
    with localcontext(_CONTEXT):
        return sum(values, ZERO)


def _combine(targets: Sequence[TargetValue], how: str) -> TargetValue:
    """Sum or mean of targets, bound by bound; an upper bound only when every target has one."""
    lows = [target.value for target in targets if target.value is not None]
    highs = [target.upper for target in targets if target.upper is not None]
    if how == "mean":
        return TargetValue(_mean(lows), _mean(highs) if len(highs) == len(targets) else None)
    with localcontext(_CONTEXT):
        return TargetValue(sum(lows, ZERO), sum(highs, ZERO) if len(highs) == len(targets) else None)


def _missing(quarterly: Mapping[int, TargetValue], quarters: Sequence[int]) -> list[int]:
    return [quarter for quarter in quarters if (target := quarterly.get(quarter)) is None or target.value is None]


def _to_date_target(
    *,
    aggregation: str,
    annual: TargetValue | None,
    quarterly: Mapping[int, TargetValue],
    reported: Sequence[int],
    upto: int,
) -> tuple[TargetValue | None, str | Promise]:
    """The target the realisation up to `upto` is held to, or None and why there is none."""
    if aggregation == _CUMULATIVE:
        # Held to the targets of the quarters reported, not of every quarter up to `upto`: an
        # unreported quarter is blank, and counting its target would treat it as a zero.
        if not (missing := _missing(quarterly, reported)):
            return _combine([quarterly[quarter] for quarter in reported], "sum"), ""
        if tuple(reported) == QUARTERS:
            return annual, ""  # the quarters of a full year add up to the annual target
        listed = ", ".join(str(quarter) for quarter in missing)
        return None, format_lazy(_("Quarterly targets are missing for quarter(s) {quarters}."), quarters=listed)
    if aggregation == _LAST:
        return (annual if _missing(quarterly, reported[-1:]) else quarterly[reported[-1]]), ""
    if _missing(quarterly, reported):
        return annual, ""
    return _combine([quarterly[quarter] for quarter in reported], "mean"), ""


def _outcome(*, polarity: str, target: TargetValue | None, realized: Decimal) -> Outcome:
    percent, reason = score(polarity=polarity, target=target, realized=realized)
    status = Status.COMPUTED if percent is not None else Status.NOT_COMPUTABLE
    return Outcome(status=status, realized=realized, target=target, percent=percent, reason=reason)


def measure(
    *,
    polarity: str,
    aggregation: str,
    annual: TargetValue | None,
    quarterly: Mapping[int, TargetValue],
    realizations: Mapping[int, Decimal | None],
    upto: int,
) -> Measure:
    """Achievement up to quarter `upto`, against the target to date and against the annual target."""
    _check_polarity(polarity)
    _check_aggregation(aggregation)
    _check_quarter(upto)
    reported = tuple(quarter for quarter, _value in _reported(realizations, upto))
    realized = aggregate(aggregation=aggregation, realizations=realizations, upto=upto)
    if realized is None:
        return Measure(
            upto=upto,
            reported=(),
            last_quarter=None,
            to_date=Outcome(
                status=Status.NOT_REPORTED, realized=None, target=None, percent=None, reason=NOT_REPORTED_YET
            ),
            annual=Outcome(
                status=Status.NOT_REPORTED, realized=None, target=annual, percent=None, reason=NOT_REPORTED_YET
            ),
        )
    target, problem = _to_date_target(
        aggregation=aggregation, annual=annual, quarterly=quarterly, reported=reported, upto=upto
    )
    if problem:
        to_date = Outcome(status=Status.NOT_COMPUTABLE, realized=realized, target=None, percent=None, reason=problem)
    else:
        to_date = _outcome(polarity=polarity, target=target, realized=realized)
    if aggregation == _CUMULATIVE and polarity != _HIGHER and 4 not in reported:
        # Part of a year's accidents set against the whole year's ceiling reads as a great success in any
        # quarter; the total is only judged against the annual target when the year is in.
        annual_outcome = Outcome(
            status=Status.NOT_COMPUTABLE, realized=realized, target=annual, percent=None, reason=YEAR_NOT_COMPLETE
        )
    else:
        annual_outcome = _outcome(polarity=polarity, target=annual, realized=realized)
    return Measure(upto=upto, reported=reported, last_quarter=reported[-1], to_date=to_date, annual=annual_outcome)
