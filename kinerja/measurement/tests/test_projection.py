"""Year-end projections: tables of quarters reported, the year-end value, its range and the at-risk flag."""

from __future__ import annotations

from decimal import Context, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.measurement.achievement import NO_TARGET, NOT_REPORTED_YET, ZERO_TARGET, TargetValue
from kinerja.measurement.projection import TOO_FEW_FOR_TREND, Method, Standing, project
from kinerja.planning.choices import Aggregation, Polarity

D = Decimal
pytestmark = pytest.mark.usefixtures("english")

EVEN_25 = {q: TargetValue(D(25)) for q in (1, 2, 3, 4)}
RISING = {1: TargetValue(D(10)), 2: TargetValue(D(20)), 3: TargetValue(D(30)), 4: TargetValue(D(40))}
CEILING_10 = {q: TargetValue(D(10)) for q in (1, 2, 3, 4)}


def quarters(*values: str | None) -> dict[int, Decimal | None]:
    return {quarter: (None if value is None else D(value)) for quarter, value in enumerate(values, start=1)}


def exact(expression: str) -> Decimal:
    """`expression` worked out at the projection's precision."""
    with localcontext(Context(prec=34)):
        return eval(expression, {"D": D})  # noqa: S307 - fixed literals of this file


def close(value: Decimal | None, expected: str) -> bool:
    return value is not None and abs(value - D(expected)) < D("1e-20")


# polarity, aggregation, annual, quarterly, realisations, upto -> method, value, low, high, percent, low %, high %, at risk
TABLE = [
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", EVEN_25, ("25", "25"), 2,
                 Method.PACE, "100", "100", "100", "100", "100", "100", False, id="count-on-track"),
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", EVEN_25, ("10", "20"), 2,
                 Method.PACE, "60", "50", "70", "60", "50", "70", True, id="count-behind"),
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", EVEN_25, ("30", "35"), 2,
                 Method.PACE, "130", "125", "135", "130", "125", "135", False, id="count-ahead"),
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", RISING, ("5",), 1,
                 Method.PACE, "50", "50", "50", "50", "50", "50", True, id="count-single-quarter-rising-targets"),
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", {}, ("20",), 1,
                 Method.EVEN, "80", "80", "80", "80", "80", "80", True, id="count-single-quarter-no-quarterly-targets"),
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", EVEN_25, ("20", None, "30"), 3,
                 Method.PACE, "100", "90", "110", "100", "90", "110", False, id="count-blank-quarter"),
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", EVEN_25, ("20", "20", "20", "20"), 4,
                 Method.ACTUAL, "80", "80", "80", "80", "80", "80", True, id="count-year-complete"),
    pytest.param(Polarity.HIGHER, Aggregation.CUMULATIVE, "100", EVEN_25, ("25", "25", "25", "90"), 3,
                 Method.PACE, "100", "100", "100", "100", "100", "100", False, id="count-later-quarter-not-asked"),
    pytest.param(Polarity.LOWER, Aggregation.CUMULATIVE, "40", CEILING_10, ("12", "8"), 2,
                 Method.PACE, "40", "36", "44", "100", "90", "110", False, id="accidents-on-track"),
    pytest.param(Polarity.LOWER, Aggregation.CUMULATIVE, "40", CEILING_10, ("10", "20"), 2,
                 Method.PACE, "60", "50", "70", "50", "25", "75", True, id="accidents-behind"),
    pytest.param(Polarity.LOWER, Aggregation.CUMULATIVE, "40", CEILING_10, ("5", "5"), 2,
                 Method.PACE, "20", "20", "20", "150", "150", "150", False, id="accidents-ahead"),
    pytest.param(Polarity.HIGHER, Aggregation.LAST, "80", {}, ("60", "70"), 2,
                 Method.TREND, "90", "90", "90", "112.5", "112.5", "112.5", False, id="rate-ahead"),
    pytest.param(Polarity.HIGHER, Aggregation.LAST, "80", {}, ("80", "80", "80"), 3,
                 Method.TREND, "80", "80", "80", "100", "100", "100", False, id="rate-on-track"),
    pytest.param(Polarity.HIGHER, Aggregation.LAST, "80", {}, ("70", "66", "62"), 3,
                 Method.TREND, "58", "58", "58", "72.5", "72.5", "72.5", True, id="rate-behind"),
    pytest.param(Polarity.HIGHER, Aggregation.LAST, "80", {}, ("60", None, "70"), 3,
                 Method.TREND, "75", "75", "75", "93.75", "93.75", "93.75", False, id="rate-blank-quarter"),
    pytest.param(Polarity.LOWER, Aggregation.LAST, "30", {}, ("40", "35"), 2,
                 Method.TREND, "25", "25", "25", exact("D(35) * 100 / 30"), exact("D(35) * 100 / 30"),
                 exact("D(35) * 100 / 30"), False, id="waiting-time-lower-is-better"),
    pytest.param(Polarity.RANGE, Aggregation.LAST, "8", {}, ("6", "8"), 2,
                 Method.TREND, "12", "12", "12", "100", "100", "100", False, id="range-reached"),
    pytest.param(Polarity.HIGHER, Aggregation.LAST, "80", {}, ("60", "70", "70", "75"), 4,
                 Method.ACTUAL, "75", "75", "75", "93.75", "93.75", "93.75", False, id="rate-year-complete"),
    pytest.param(Polarity.HIGHER, Aggregation.AVERAGE, "90", {}, ("80", "90"), 2,
                 Method.MEAN, "85", "82.5", "87.5", exact("D(85) * 100 / 90"), exact("D(82.5) * 100 / 90"),
                 exact("D(87.5) * 100 / 90"), False, id="average-on-track"),
    pytest.param(Polarity.HIGHER, Aggregation.AVERAGE, "90", {}, ("60",), 1,
                 Method.MEAN, "60", "60", "60", exact("D(60) * 100 / 90"), exact("D(60) * 100 / 90"),
                 exact("D(60) * 100 / 90"), True, id="average-single-quarter-behind"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("polarity", "aggregation", "annual", "quarterly", "reals", "upto", "method", "value", "low", "high", "percent",
     "percent_low", "percent_high", "at_risk"),
    TABLE,
)  # fmt: skip
def test_projection_table(
    polarity, aggregation, annual, quarterly, reals, upto, method, value, low, high, percent, percent_low,
    percent_high, at_risk,
) -> None:  # fmt: skip
    upper = D(12) if polarity == Polarity.RANGE else None
    result = project(
        polarity=polarity, aggregation=aggregation, annual=TargetValue(D(annual), upper), quarterly=quarterly,
        realizations=quarters(*reals), upto=upto,
    )  # fmt: skip
    assert result.standing == Standing.PROJECTED
    assert result.method == method
    assert (close(result.value, value), close(result.low, low), close(result.high, high)) == (True, True, True)
    assert close(result.percent, str(percent)), result.percent
    assert close(result.percent_low, str(percent_low)), result.percent_low
    assert close(result.percent_high, str(percent_high)), result.percent_high
    assert result.at_risk is at_risk
    assert result.reported == tuple(q for q, v in enumerate(reals[:upto], start=1) if v is not None)


def test_a_trend_is_not_drawn_through_one_quarter() -> None:
    result = project(
        polarity=Polarity.HIGHER, aggregation=Aggregation.LAST, annual=TargetValue(D(80)), quarterly={},
        realizations=quarters("60"), upto=1,
    )  # fmt: skip
    assert result.standing == Standing.TOO_FEW
    assert (result.value, result.percent, result.at_risk) == (None, None, False)
    assert str(result.reason) == str(TOO_FEW_FOR_TREND)


def test_nothing_reported_projects_nothing() -> None:
    result = project(
        polarity=Polarity.HIGHER, aggregation=Aggregation.CUMULATIVE, annual=TargetValue(D(80)), quarterly=EVEN_25,
        realizations=quarters(None, None), upto=2,
    )  # fmt: skip
    assert result.standing == Standing.NOT_REPORTED
    assert str(result.reason) == str(NOT_REPORTED_YET)
    assert result.at_risk is False


@pytest.mark.parametrize(("annual", "reason"), [(None, NO_TARGET), (TargetValue(None), NO_TARGET),
                                                (TargetValue(D(0)), ZERO_TARGET)])  # fmt: skip
def test_a_projection_without_a_usable_target_has_no_achievement(annual, reason) -> None:
    result = project(
        polarity=Polarity.HIGHER, aggregation=Aggregation.CUMULATIVE, annual=annual, quarterly={},
        realizations=quarters("20"), upto=1,
    )  # fmt: skip
    assert result.standing == Standing.NOT_COMPUTABLE
    assert result.value == D(80)
    assert result.percent is None and result.at_risk is False
    assert str(result.reason) == str(reason)


def test_the_threshold_is_the_agencys() -> None:
    arguments = {
        "polarity": Polarity.HIGHER, "aggregation": Aggregation.CUMULATIVE, "annual": TargetValue(D(100)),
        "quarterly": EVEN_25, "realizations": quarters("20", "20"), "upto": 2,
    }  # fmt: skip
    assert project(**arguments).at_risk is True  # 80 % below the default 90
    assert project(**arguments, threshold=D(75)).at_risk is False
    assert project(**arguments, threshold=D(80)).at_risk is False  # at the threshold is not below it


def test_a_range_straddling_the_target_range_reaches_full_achievement() -> None:
    result = project(
        polarity=Polarity.RANGE, aggregation=Aggregation.CUMULATIVE, annual=TargetValue(D(95), D(105)),
        quarterly=EVEN_25, realizations=quarters("10", "40"), upto=2,
    )  # fmt: skip
    assert result.low < D(95) and result.high > D(105)  # paces 0.4 and 1.6: 70 to 130
    assert result.percent_high == D(100)


def test_bad_rules_are_refused() -> None:
    base = {"annual": None, "quarterly": {}, "realizations": {}}
    with pytest.raises(ValueError):
        project(polarity="bigger", aggregation=Aggregation.LAST, upto=1, **base)
    with pytest.raises(ValueError):
        project(polarity=Polarity.HIGHER, aggregation="sum", upto=1, **base)
    with pytest.raises(ValueError):
        project(polarity=Polarity.HIGHER, aggregation=Aggregation.LAST, upto=5, **base)


AMOUNT = st.decimals(min_value=-50, max_value=500, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    polarity=st.sampled_from(list(Polarity.values)),
    aggregation=st.sampled_from(list(Aggregation.values)),
    upto=st.integers(min_value=1, max_value=4),
    annual=st.decimals(min_value=1, max_value=500, places=2),
    quarterly=st.lists(st.one_of(st.none(), AMOUNT), min_size=4, max_size=4),
    values=st.lists(st.one_of(st.none(), AMOUNT), min_size=4, max_size=4),
)
def test_the_value_lies_within_its_range(polarity, aggregation, upto, annual, quarterly, values) -> None:
    result = project(
        polarity=polarity, aggregation=aggregation, annual=TargetValue(annual, annual + 10),
        quarterly={q: TargetValue(t) for q, t in enumerate(quarterly, start=1) if t is not None},
        realizations=dict(enumerate(values, start=1)), upto=upto,
    )  # fmt: skip
    if result.value is not None:
        assert result.low <= result.value <= result.high
    if result.percent is not None:
        assert result.percent_low <= result.percent <= result.percent_high
        assert result.at_risk is (result.percent < 90)
