"""Early warning: where an indicator's year is heading, projected from the quarters reported so far.

Pure functions, like `achievement`: the quarters' realisations and targets in, the projected year-end
realisation, its range and its achievement against the annual target out. How a year is projected follows
the indicator's aggregation:

- a cumulative total (a count of inspections) goes on at the pace of the quarters reported against their own
  quarterly targets, or, without quarterly targets, at the size of an average reported quarter;
- a last value (a percentage, a stock) follows the straight line fitted through the reported quarters, and
  needs two of them;
- an average takes the unreported quarters at the mean of the reported ones.

The range is what the same method gives at the slowest and at the fastest pace seen in a single quarter (the
steepest and flattest slope for a trend). A projection is never made from fewer quarters than its method needs:
it says so instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kinerja.measurement.achievement import _CONTEXT as CONTEXT
from kinerja.measurement.achievement import (
    NO_TARGET,
    NOT_REPORTED_YET,
    QUARTERS,
    TargetValue,
    _check_aggregation,
    _check_polarity,
    _check_quarter,
    score,
)
from kinerja.planning.choices import Aggregation, Polarity

ZERO = Decimal(0)
# Below this projected achievement (in percent) an indicator is at risk, unless the agency sets its own.
DEFAULT_THRESHOLD = Decimal(90)

TOO_FEW_FOR_TREND = _("A trend needs at least two reported quarters.")


class Method(TextChoices):
    """How the year-end value was worked out."""

    ACTUAL = "actual", _("the year is complete")
    PACE = "pace", _("at the pace of the quarterly targets")
    EVEN = "even", _("at the size of an average quarter")
    TREND = "trend", _("along the trend of the reported quarters")
    MEAN = "mean", _("at the mean of the reported quarters")


class Standing(StrEnum):
    """Whether a projection could be made."""

    PROJECTED = "projected"  # value, range and achievement
    NOT_COMPUTABLE = "not_computable"  # value and range, but no achievement (no usable annual target)
    TOO_FEW = "too_few"  # fewer reported quarters than the method needs
    NOT_REPORTED = "not_reported"  # nothing reported yet


@dataclass(frozen=True)
class Projection:
    """The projected year-end realisation of an indicator and its achievement against the annual target."""

    standing: Standing
    method: Method | None
    reported: tuple[int, ...]  # the quarters projected from
    value: Decimal | None  # the projected year-end realisation
    low: Decimal | None  # the range of the projected realisation, low <= value <= high
    high: Decimal | None
    target: TargetValue | None  # the annual target
    percent: Decimal | None  # achievement of `value` against `target`
    percent_low: Decimal | None  # the worst and best achievement within the range
    percent_high: Decimal | None
    at_risk: bool  # achievement projected below the threshold
    reason: str | Promise = ""


def _empty(standing: Standing, method: Method | None, reported: tuple[int, ...], annual: TargetValue | None,
           reason: str | Promise) -> Projection:  # fmt: skip
    return Projection(
        standing=standing, method=method, reported=reported, value=None, low=None, high=None, target=annual,
        percent=None, percent_low=None, percent_high=None, at_risk=False, reason=reason,
    )  # fmt: skip


def _cumulative(
    values: dict[int, Decimal], quarterly: Mapping[int, TargetValue]
) -> tuple[Method, Decimal, Decimal, Decimal]:
    total = sum(values.values(), ZERO)
    unreported = [quarter for quarter in QUARTERS if quarter not in values]
    if not unreported:
        return Method.ACTUAL, total, total, total
    targets = {quarter: target.value for quarter in QUARTERS if (target := quarterly.get(quarter)) is not None}
    reported_targets = [targets.get(quarter) for quarter in values]
    complete = len(targets) == len(QUARTERS) and all(t is not None and t >= 0 for t in targets.values())
    if complete and all(t is not None and t > 0 for t in reported_targets):
        # Each unreported quarter achieves its own target at the pace of the reported ones.
        pace = total / sum(reported_targets, ZERO)  # type: ignore[arg-type]
        paces = [value / targets[quarter] for quarter, value in values.items()]  # type: ignore[operator]
        rest = sum((targets[quarter] for quarter in unreported), ZERO)  # type: ignore[misc]
        return Method.PACE, total + pace * rest, total + min(paces) * rest, total + max(paces) * rest
    count = len(unreported)
    mean = total / len(values)
    return Method.EVEN, total + mean * count, total + min(values.values()) * count, total + max(values.values()) * count


def _trend(values: dict[int, Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """The least-squares line through (quarter, value) at the fourth quarter, and the range given by the
    slopes between consecutive reported quarters continued from the last one."""
    points = sorted(values.items())
    n = Decimal(len(points))
    mean_x = sum((Decimal(q) for q, _v in points), ZERO) / n
    mean_y = sum((v for _q, v in points), ZERO) / n
    spread = sum(((q - mean_x) ** 2 for q, _v in points), ZERO)
    slope = sum(((q - mean_x) * (v - mean_y) for q, v in points), ZERO) / spread
    value = mean_y + slope * (4 - mean_x)
    last_quarter, last_value = points[-1]
    slopes = [(v2 - v1) / (q2 - q1) for (q1, v1), (q2, v2) in zip(points, points[1:], strict=False)]
    ahead = 4 - last_quarter
    low = min(value, last_value + min(slopes) * ahead)
    high = max(value, last_value + max(slopes) * ahead)
    return value, low, high


def _mean(values: dict[int, Decimal]) -> tuple[Method, Decimal, Decimal, Decimal]:
    total = sum(values.values(), ZERO)
    count = Decimal(len(values))
    if len(values) == len(QUARTERS):
        return Method.ACTUAL, total / count, total / count, total / count
    rest = len(QUARTERS) - len(values)
    return (
        Method.MEAN,
        total / count,
        (total + min(values.values()) * rest) / len(QUARTERS),
        (total + max(values.values()) * rest) / len(QUARTERS),
    )


def _percent_range(
    polarity: str, annual: TargetValue, low: Decimal, high: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    ends = [percent for value in (low, high) if (percent := score(polarity=polarity, target=annual, realized=value)[0]) is not None]  # fmt: skip
    if len(ends) < 2:
        return None, None
    worst, best = min(ends), max(ends)
    if polarity == Polarity.RANGE and annual.value is not None and annual.upper is not None:
        # Within a range target the achievement peaks inside the range, not at an end of the projection.
        if low <= annual.upper and high >= annual.value:
            best = max(best, Decimal(100))
    return worst, best


def project(
    *,
    polarity: str,
    aggregation: str,
    annual: TargetValue | None,
    quarterly: Mapping[int, TargetValue],
    realizations: Mapping[int, Decimal | None],
    upto: int,
    threshold: Decimal = DEFAULT_THRESHOLD,
) -> Projection:
    """The year-end projection of an indicator from its realisations up to quarter `upto`.

    `realizations` holds what `measure` is given: a quarter without a figure (blank, or no data) is unreported,
    and is projected like the quarters still to come."""
    _check_polarity(polarity)
    _check_aggregation(aggregation)
    _check_quarter(upto)
    values = {q: v for q in QUARTERS[:upto] if (v := realizations.get(q)) is not None}
    reported = tuple(values)
    if not values:
        return _empty(Standing.NOT_REPORTED, None, reported, annual, NOT_REPORTED_YET)
    with localcontext(CONTEXT):
        if aggregation == Aggregation.CUMULATIVE:
            method, value, low, high = _cumulative(values, quarterly)
        elif aggregation == Aggregation.AVERAGE:
            method, value, low, high = _mean(values)
        elif 4 in values:
            method, value, low, high = Method.ACTUAL, values[4], values[4], values[4]
        elif len(values) < 2:
            return _empty(Standing.TOO_FEW, Method.TREND, reported, annual, TOO_FEW_FOR_TREND)
        else:
            method = Method.TREND
            value, low, high = _trend(values)
        if annual is None or annual.value is None:
            percent, reason = None, NO_TARGET
        else:
            percent, reason = score(polarity=polarity, target=annual, realized=value)
        percent_low = percent_high = None
        if percent is not None:
            percent_low, percent_high = _percent_range(polarity, annual, low, high)  # type: ignore[arg-type]
    return Projection(
        standing=Standing.PROJECTED if percent is not None else Standing.NOT_COMPUTABLE, method=method,
        reported=reported, value=value, low=low, high=high, target=annual, percent=percent,
        percent_low=percent_low, percent_high=percent_high,
        at_risk=percent is not None and percent < threshold, reason=reason,
    )  # fmt: skip
