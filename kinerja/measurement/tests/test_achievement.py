from __future__ import annotations

from collections.abc import Mapping
from decimal import Context, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.measurement.achievement import (
    NEGATIVE_TARGET,
    NO_TARGET,
    NOT_REPORTED_YET,
    YEAR_NOT_COMPLETE,
    ZERO_TARGET,
    Measure,
    Status,
    TargetValue,
    aggregate,
    measure,
    score,
)
from kinerja.planning.choices import Aggregation, Polarity

D = Decimal
T10 = TargetValue(D(10))
RANGE_8_12 = TargetValue(D(8), D(12))
T100 = TargetValue(D(100))

pytestmark = pytest.mark.usefixtures("english")


def exact(numerator: int, denominator: int) -> Decimal:
    with localcontext(Context(prec=34)):
        return D(numerator) / D(denominator)


def quarters(*values: str | None) -> dict[int, Decimal | None]:
    return {quarter: (None if value is None else D(value)) for quarter, value in enumerate(values, start=1)}


def targets(*values: str | None) -> dict[int, TargetValue]:
    return {quarter: TargetValue(D(value)) for quarter, value in enumerate(values, start=1) if value is not None}


# --- score: the formulas -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "target", "realized", "expected"),
    [
        (Polarity.HIGHER, T10, "5", D(50)),
        (Polarity.HIGHER, T10, "10", D(100)),
        (Polarity.HIGHER, T10, "12", D(120)),
        (Polarity.HIGHER, T10, "20", D(200)),
        (Polarity.HIGHER, T10, "0", D(0)),
        (Polarity.HIGHER, T10, "-5", D(-50)),  # a negative result is a real result
        (Polarity.LOWER, T10, "5", D(150)),
        (Polarity.LOWER, T10, "10", D(100)),
        (Polarity.LOWER, T10, "12", D(80)),  # not T/R = 83.33
        (Polarity.LOWER, T10, "20", D(0)),
        (Polarity.LOWER, T10, "0", D(200)),  # not capped above
        (Polarity.LOWER, T10, "25", D(0)),  # floored, never negative
        (Polarity.RANGE, RANGE_8_12, "5", D("62.5")),
        (Polarity.RANGE, RANGE_8_12, "8", D(100)),
        (Polarity.RANGE, RANGE_8_12, "10", D(100)),
        (Polarity.RANGE, RANGE_8_12, "12", D(100)),
        (Polarity.RANGE, RANGE_8_12, "20", exact(400, 12)),  # (24 − 20) / 12 × 100
        (Polarity.RANGE, RANGE_8_12, "30", D(0)),
        (Polarity.RANGE, RANGE_8_12, "0", D(0)),
        (Polarity.RANGE, TargetValue(D(0), D(5)), "0", D(100)),  # a zero bound not needed is fine
        (Polarity.RANGE, TargetValue(D(-2), D(2)), "1", D(100)),
        (Polarity.RANGE, TargetValue(D(5), D(5)), "5", D(100)),
        (Polarity.HIGHER, TargetValue(D(3)), "1", exact(100, 3)),
    ],
)
def test_score_formulas(polarity: str, target: TargetValue, realized: str, expected: Decimal) -> None:
    assert score(polarity=polarity, target=target, realized=D(realized)) == (expected, "")


def test_score_is_not_rounded() -> None:
    percent, _reason = score(polarity=Polarity.HIGHER, target=TargetValue(D(3)), realized=D(1))
    assert percent == exact(100, 3)
    assert len(percent.as_tuple().digits) == 34
    assert percent != D("33.33")


def test_lower_is_not_the_inverse_ratio() -> None:
    percent, _reason = score(polarity=Polarity.LOWER, target=T10, realized=D(12))
    assert percent == D(80)


@pytest.mark.parametrize(
    ("polarity", "target", "realized", "reason"),
    [
        (Polarity.HIGHER, TargetValue(D(0)), "5", ZERO_TARGET),
        (Polarity.HIGHER, TargetValue(D(0)), "0", ZERO_TARGET),
        (Polarity.LOWER, TargetValue(D(0)), "5", ZERO_TARGET),
        (Polarity.LOWER, TargetValue(D("0.00")), "0", ZERO_TARGET),
        (Polarity.RANGE, TargetValue(D(0), D(0)), "1", ZERO_TARGET),
        (Polarity.RANGE, TargetValue(D(0), D(5)), "-1", ZERO_TARGET),
        (Polarity.RANGE, TargetValue(D(-5), D(0)), "1", ZERO_TARGET),
        (Polarity.HIGHER, TargetValue(D(-10)), "5", NEGATIVE_TARGET),
        (Polarity.LOWER, TargetValue(D(-10)), "5", NEGATIVE_TARGET),
        (Polarity.RANGE, TargetValue(D(-5), D(-1)), "-10", NEGATIVE_TARGET),
        (Polarity.HIGHER, None, "5", NO_TARGET),
        (Polarity.HIGHER, TargetValue(None), "5", NO_TARGET),
        (Polarity.RANGE, TargetValue(None, D(12)), "5", NO_TARGET),
    ],
)
def test_score_not_computable(polarity: str, target: TargetValue | None, realized: str, reason: str) -> None:
    assert score(polarity=polarity, target=target, realized=D(realized)) == (None, reason)


@pytest.mark.parametrize("target", [TargetValue(D(8)), TargetValue(D(8), None)])
def test_range_without_upper_bound(target: TargetValue) -> None:
    percent, reason = score(polarity=Polarity.RANGE, target=target, realized=D(10))
    assert percent is None
    assert "both" in str(reason)


def test_range_bounds_swapped() -> None:
    percent, reason = score(polarity=Polarity.RANGE, target=TargetValue(D(12), D(8)), realized=D(10))
    assert percent is None
    assert "above" in str(reason)


def test_unknown_polarity() -> None:
    with pytest.raises(ValueError):
        score(polarity="bigger", target=T10, realized=D(1))


# --- aggregate ----------------------------------------------------------------------------------------------

BLANKS = quarters("5", None, "0")  # blank is not zero


@pytest.mark.parametrize(
    ("aggregation", "realizations", "upto", "expected"),
    [
        (Aggregation.CUMULATIVE, BLANKS, 3, D(5)),
        (Aggregation.LAST, BLANKS, 3, D(0)),
        (Aggregation.AVERAGE, BLANKS, 3, D("2.5")),
        (Aggregation.LAST, BLANKS, 2, D(5)),  # Q2 is blank: the latest reported is Q1
        (Aggregation.CUMULATIVE, quarters("1", "2", "3", "4"), 2, D(3)),  # later quarters ignored
        (Aggregation.CUMULATIVE, quarters("1", "2", "3", "4"), 4, D(10)),
        (Aggregation.LAST, quarters("80", "85", "90", "95"), 3, D(90)),  # a stock is never summed
        (Aggregation.AVERAGE, quarters("1", "1", "2"), 3, exact(4, 3)),
        (Aggregation.CUMULATIVE, {}, 4, None),
        (Aggregation.LAST, quarters(None, None), 4, None),
        (Aggregation.AVERAGE, {4: D(7)}, 3, None),
    ],
)
def test_aggregate(
    aggregation: str, realizations: Mapping[int, Decimal | None], upto: int, expected: Decimal | None
) -> None:
    assert aggregate(aggregation=aggregation, realizations=realizations, upto=upto) == expected


@pytest.mark.parametrize("upto", [0, 5, -1])
def test_quarter_out_of_range(upto: int) -> None:
    with pytest.raises(ValueError):
        aggregate(aggregation=Aggregation.CUMULATIVE, realizations={}, upto=upto)
    with pytest.raises(ValueError):
        measure(
            polarity=Polarity.HIGHER,
            aggregation=Aggregation.CUMULATIVE,
            annual=T10,
            quarterly={},
            realizations={},
            upto=upto,
        )


def test_unknown_aggregation() -> None:
    with pytest.raises(ValueError):
        aggregate(aggregation="sum", realizations={}, upto=1)


# --- measure ------------------------------------------------------------------------------------------------


def run(
    *,
    aggregation: str,
    realizations: Mapping[int, Decimal | None],
    upto: int,
    annual: TargetValue | None = T100,
    quarterly: Mapping[int, TargetValue] | None = None,
    polarity: str = Polarity.HIGHER,
) -> Measure:
    return measure(
        polarity=polarity,
        aggregation=aggregation,
        annual=annual,
        quarterly=targets("10", "20", "30", "40") if quarterly is None else quarterly,
        realizations=realizations,
        upto=upto,
    )


def test_cumulative_against_cumulative_and_annual_target() -> None:
    result = run(aggregation=Aggregation.CUMULATIVE, realizations=quarters("10", "15", "99"), upto=2)
    assert result.reported == (1, 2)
    assert result.last_quarter == 2
    assert result.to_date.status == Status.COMPUTED
    assert result.to_date.realized == D(25)  # Q3 is after upto and ignored
    assert result.to_date.target == TargetValue(D(30))
    assert result.to_date.percent == exact(250, 3)
    assert result.annual.target == TargetValue(D(100))
    assert result.annual.percent == D(25)


def test_cumulative_missing_quarterly_targets() -> None:
    result = run(
        aggregation=Aggregation.CUMULATIVE,
        realizations=quarters("10", "15"),
        quarterly=targets("10", None, "30"),
        upto=2,
    )
    assert result.to_date.status == Status.NOT_COMPUTABLE
    assert result.to_date.percent is None
    assert result.to_date.realized == D(25)
    assert str(result.to_date.reason) == "Quarterly targets are missing for quarter(s) 2."
    assert result.annual.status == Status.COMPUTED
    assert result.annual.percent == D(25)


def test_cumulative_missing_quarterly_targets_at_year_end_uses_annual() -> None:
    result = run(
        aggregation=Aggregation.CUMULATIVE,
        realizations=quarters("10", "20", "30", "30"),
        quarterly=targets("10", None),
        upto=4,
    )
    assert result.to_date.target == TargetValue(D(100))
    assert result.to_date.percent == D(90)
    assert result.annual.percent == D(90)


def test_cumulative_counts_a_quarter_with_a_blank_target_as_missing() -> None:
    result = run(
        aggregation=Aggregation.CUMULATIVE,
        realizations=quarters("1"),
        quarterly={1: TargetValue(None)},
        upto=1,
    )
    assert result.to_date.status == Status.NOT_COMPUTABLE
    assert "1" in str(result.to_date.reason)


def test_cumulative_range_sums_bounds_separately() -> None:
    result = run(
        polarity=Polarity.RANGE,
        aggregation=Aggregation.CUMULATIVE,
        realizations=quarters("5", "5"),
        quarterly={1: TargetValue(D(2), D(4)), 2: TargetValue(D(3), D(5))},
        annual=TargetValue(D(10), D(20)),
        upto=2,
    )
    assert result.to_date.target == TargetValue(D(5), D(9))
    assert result.to_date.percent == exact(800, 9)  # (18 − 10) / 9 × 100
    # Half a year's total inside the whole year's range says nothing yet about the year.
    assert result.annual.status == Status.NOT_COMPUTABLE and result.annual.reason == YEAR_NOT_COMPLETE
    assert result.annual.realized == D(10) and result.annual.target == TargetValue(D(10), D(20))


@pytest.mark.parametrize(
    ("values", "upto", "percent"),
    [
        (("30", "35"), 2, None),  # 65 accidents by mid-year against 100 for the year: not a 135 % success
        (("30", "35", "20"), 4, None),  # the fourth quarter is not in yet
        (("30", "35", "20", "25"), 4, D(90)),  # (2 × 100 − 110) / 100
        (("30", "35", "20", "0"), 4, D(115)),  # a quiet fourth quarter is a reported zero, not a blank
    ],
)
def test_a_lower_is_better_total_meets_the_annual_target_only_at_year_end(
    values: tuple[str, ...], upto: int, percent: Decimal | None
) -> None:
    result = run(
        polarity=Polarity.LOWER, aggregation=Aggregation.CUMULATIVE, realizations=quarters(*values),
        quarterly=targets("25", "25", "25", "25"), upto=upto,
    )  # fmt: skip
    assert result.annual.percent == percent
    assert result.to_date.status == Status.COMPUTED
    if percent is None:
        assert result.annual.reason == YEAR_NOT_COMPLETE


def test_a_higher_is_better_total_is_progress_towards_the_year_in_any_quarter() -> None:
    result = run(aggregation=Aggregation.CUMULATIVE, realizations=quarters("30", "35"), upto=2)
    assert result.annual.percent == D(65)


def test_last_value_uses_that_quarters_target() -> None:
    result = run(
        aggregation=Aggregation.LAST,
        realizations=quarters("8", "18", None, "99"),
        quarterly=targets("10", "20", "30", "40"),
        upto=3,
    )
    assert result.reported == (1, 2)
    assert result.last_quarter == 2
    assert result.to_date.realized == D(18)  # not 26: a stock is not summed
    assert result.to_date.target == TargetValue(D(20))
    assert result.to_date.percent == D(90)
    assert result.annual.percent == D(18)


def test_last_value_falls_back_to_annual_target() -> None:
    result = run(
        aggregation=Aggregation.LAST,
        realizations=quarters("8", "18"),
        quarterly=targets("10"),
        upto=2,
    )
    assert result.to_date.target == TargetValue(D(100))
    assert result.to_date.percent == D(18)


def test_average_against_mean_of_reported_quarter_targets() -> None:
    result = run(
        aggregation=Aggregation.AVERAGE,
        realizations=quarters("10", None, "20"),
        quarterly=targets("10", "20", "30"),
        upto=4,
    )
    assert result.reported == (1, 3)
    assert result.to_date.realized == D(15)
    assert result.to_date.target == TargetValue(D(20))  # the mean of Q1 and Q3 targets, not Q2
    assert result.to_date.percent == D(75)
    assert result.annual.percent == D(15)


def test_average_falls_back_to_annual_target() -> None:
    result = run(
        aggregation=Aggregation.AVERAGE,
        realizations=quarters("10", "20"),
        quarterly=targets("10"),
        upto=2,
    )
    assert result.to_date.target == TargetValue(D(100))
    assert result.to_date.percent == D(15)


def test_average_of_range_targets_averages_bounds() -> None:
    result = run(
        polarity=Polarity.RANGE,
        aggregation=Aggregation.AVERAGE,
        realizations=quarters("9", "11"),
        quarterly={1: TargetValue(D(8), D(10)), 2: TargetValue(D(9), D(13))},
        annual=TargetValue(D(8), D(12)),
        upto=2,
    )
    assert result.to_date.target == TargetValue(D("8.5"), D("11.5"))
    assert result.to_date.percent == D(100)


@pytest.mark.parametrize("aggregation", list(Aggregation.values))
def test_nothing_reported(aggregation: str) -> None:
    result = run(aggregation=aggregation, realizations=quarters(None, None, "5"), upto=2)
    assert result.reported == ()
    assert result.last_quarter is None
    for outcome in (result.to_date, result.annual):
        assert outcome.status == Status.NOT_REPORTED
        assert outcome.realized is None
        assert outcome.percent is None
        assert outcome.reason == NOT_REPORTED_YET
    assert result.annual.target == TargetValue(D(100))


def test_zero_quarter_is_reported() -> None:
    result = run(aggregation=Aggregation.CUMULATIVE, realizations=quarters("0"), upto=1)
    assert result.reported == (1,)
    assert result.to_date.status == Status.COMPUTED
    assert result.to_date.percent == D(0)


@pytest.mark.parametrize(
    ("annual", "reason"),
    [(None, NO_TARGET), (TargetValue(D(0)), ZERO_TARGET), (TargetValue(D(-1)), NEGATIVE_TARGET)],
)
def test_annual_not_computable(annual: TargetValue | None, reason: str) -> None:
    result = run(aggregation=Aggregation.CUMULATIVE, realizations=quarters("5"), annual=annual, upto=1)
    assert result.to_date.status == Status.COMPUTED
    assert result.annual.status == Status.NOT_COMPUTABLE
    assert result.annual.realized == D(5)
    assert result.annual.percent is None
    assert result.annual.reason == reason


def test_zero_quarterly_target_is_not_computable_without_error() -> None:
    result = run(
        polarity=Polarity.LOWER,
        aggregation=Aggregation.LAST,
        realizations=quarters("3"),
        quarterly=targets("0"),
        upto=1,
    )
    assert result.to_date.status == Status.NOT_COMPUTABLE
    assert result.to_date.reason == ZERO_TARGET
    assert result.annual.status == Status.COMPUTED


def test_swapped_range_is_not_computable() -> None:
    result = run(
        polarity=Polarity.RANGE,
        aggregation=Aggregation.LAST,
        realizations=quarters("10"),
        quarterly={},
        annual=TargetValue(D(12), D(8)),
        upto=1,
    )
    assert result.to_date.status == Status.NOT_COMPUTABLE
    assert result.annual.status == Status.NOT_COMPUTABLE


# --- properties ---------------------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
POSITIVE = st.decimals(min_value=D("0.001"), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
FACTORS = st.decimals(min_value=D("0.01"), max_value=1000, places=2, allow_nan=False, allow_infinity=False)
PROPERTY = settings(max_examples=200, deadline=None)


def percent_of(polarity: str, target: TargetValue, realized: Decimal) -> Decimal:
    percent, reason = score(polarity=polarity, target=target, realized=realized)
    assert percent is not None, reason
    return percent


@PROPERTY
@given(target=POSITIVE, first=AMOUNTS, second=AMOUNTS)
def test_higher_is_non_decreasing_and_lower_non_increasing(target: Decimal, first: Decimal, second: Decimal) -> None:
    low, high = sorted((first, second))
    goal = TargetValue(target)
    assert percent_of(Polarity.HIGHER, goal, low) <= percent_of(Polarity.HIGHER, goal, high)
    assert percent_of(Polarity.LOWER, goal, low) >= percent_of(Polarity.LOWER, goal, high)


@PROPERTY
@given(target=POSITIVE, realized=AMOUNTS)
def test_lower_is_never_negative(target: Decimal, realized: Decimal) -> None:
    assert percent_of(Polarity.LOWER, TargetValue(target), realized) >= 0


@PROPERTY
@given(target=POSITIVE)
def test_meeting_the_target_is_exactly_100(target: Decimal) -> None:
    assert percent_of(Polarity.HIGHER, TargetValue(target), target) == 100
    assert percent_of(Polarity.LOWER, TargetValue(target), target) == 100


@PROPERTY
@given(bounds=st.tuples(POSITIVE, POSITIVE), realized=AMOUNTS, factor=FACTORS)
def test_scaling_target_and_realisation_changes_nothing(
    bounds: tuple[Decimal, Decimal], realized: Decimal, factor: Decimal
) -> None:
    low, high = sorted(bounds)
    scaled = TargetValue(low * factor, high * factor)
    for polarity, target, bigger in [
        (Polarity.HIGHER, TargetValue(low), TargetValue(low * factor)),
        (Polarity.LOWER, TargetValue(low), TargetValue(low * factor)),
        (Polarity.RANGE, TargetValue(low, high), scaled),
    ]:
        assert percent_of(polarity, target, realized) == percent_of(polarity, bigger, realized * factor)


@PROPERTY
@given(
    polarity=st.sampled_from(list(Polarity.values)),
    bounds=st.tuples(POSITIVE, POSITIVE),
    realized=AMOUNTS,
)
def test_cumulative_over_one_quarter_is_that_quarter(
    polarity: str, bounds: tuple[Decimal, Decimal], realized: Decimal
) -> None:
    low, high = sorted(bounds)
    target = TargetValue(low, high) if polarity == Polarity.RANGE else TargetValue(low)
    result = measure(
        polarity=polarity,
        aggregation=Aggregation.CUMULATIVE,
        annual=target,
        quarterly={1: target},
        realizations={1: realized, 2: realized + 1},
        upto=1,
    )
    expected = percent_of(polarity, target, realized)
    assert result.to_date.realized == realized
    assert result.to_date.percent == expected
    # Only a higher-is-better total is progress towards the year before the year is in.
    assert result.annual.percent == (expected if polarity == Polarity.HIGHER else None)


def test_cumulative_holds_a_blank_quarter_to_no_target() -> None:
    # Quarter 2 is not reported: the realisation to date is compared with quarter 1's target only,
    # since counting quarter 2's target would treat the blank as zero.
    quarterly = {q: TargetValue(Decimal(25)) for q in (1, 2, 3, 4)}
    result = measure(
        polarity="higher", aggregation="cumulative", annual=TargetValue(Decimal(100)), quarterly=quarterly,
        realizations={1: Decimal(30), 2: None}, upto=2,
    )  # fmt: skip
    assert result.to_date.target == TargetValue(Decimal(25))
    assert result.to_date.percent == Decimal(120)
    assert result.annual.percent == Decimal(30)
