"""The bulk selector `achievements` gives exactly what `figures` and `compute` give, on every kind of figure."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from kinerja.accounts.models import User
from kinerja.measurement import selectors
from kinerja.measurement.achievement import Measure, Outcome
from kinerja.measurement.models import Realization
from kinerja.org.models import Agency
from kinerja.planning.choices import Aggregation, Polarity
from kinerja.planning.models import AgreementTarget, Indicator, StrategicPlan
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator

D = Decimal
pytestmark = pytest.mark.usefixtures("english")

# Figures a target or a realisation can hold: ordinary ones, zero (with and without decimals), negative ones,
# the smallest step, and one with more digits than SQLite keeps exactly (20 digits, 4 of them decimals).
AMOUNTS = ["100", "25", "12.5", "33.3333", "0", "0.0000", "-5", "0.0001", "97.75", "1234567890123456.1234", "7"]


def _same_outcome(bulk: Outcome, expected: Outcome) -> None:
    assert bulk.status == expected.status
    assert repr(bulk.realized) == repr(expected.realized)  # the same digits, not only an equal number
    assert repr(bulk.target) == repr(expected.target)
    assert repr(bulk.percent) == repr(expected.percent)
    assert str(bulk.reason) == str(expected.reason)


def _same(bulk: Measure | None, expected: Measure | None) -> None:
    if expected is None:
        assert bulk is None
        return
    assert bulk is not None
    assert (bulk.upto, bulk.reported, bulk.last_quarter) == (expected.upto, expected.reported, expected.last_quarter)
    _same_outcome(bulk.to_date, expected.to_date)
    _same_outcome(bulk.annual, expected.annual)


def _target(rng: random.Random, polarity: str) -> tuple[Decimal | None, Decimal | None] | None:
    """A target row's value and upper bound, or None for no row at all."""
    draw = rng.random()
    if draw < 0.1:
        return None
    if draw < 0.15:
        return None, None  # a row with nothing in it
    if draw < 0.2:
        return None, D(rng.choice(AMOUNTS))  # an upper bound without a value
    low = D(rng.choice(AMOUNTS))
    if polarity == Polarity.RANGE or draw < 0.25:
        if rng.random() < 0.1:
            return low, None  # a range without its upper bound
        return low, low + D(rng.choice(["0", "10", "0.5", "-3"]))  # "-3": the bounds swapped
    return low, None


def _plan(dishub: Agency, perencanaan: User, count: int = 120, seed: int = 86) -> tuple[StrategicPlan, list[Indicator]]:
    """A plan whose indicators cover every polarity and aggregation, over three years of odd figures."""
    rng = random.Random(seed)
    plan = fresh_plan(dishub, perencanaan)
    first = indicator(plan, perencanaan, "B.0")
    rules = [(p, a) for p in Polarity.values for a in Aggregation.values]
    Indicator.objects.bulk_create(
        [
            Indicator(
                agency=dishub, plan=plan, objective=first.objective, code=f"B.{n}", name=f"Indikator {n}",
                unit_of_measure="unit", polarity=rules[n % len(rules)][0], aggregation=rules[n % len(rules)][1],
                scale="qualitative" if n % 17 == 0 else "count",
            )
            for n in range(1, count)
        ]
    )  # fmt: skip
    indicators = list(Indicator.objects.filter(plan=plan).order_by("pk"))
    targets, reals = [], []
    for year in plan.years[:3]:
        agreement = head_agreement(plan, perencanaan, year)
        for ind in indicators:
            for quarter in range(5):
                if (pair := _target(rng, ind.polarity)) is not None:
                    targets.append(AgreementTarget(agreement=agreement, indicator=ind, year=year, quarter=quarter,
                                                   value=pair[0], upper=pair[1], text="Baik" if ind.scale == "qualitative" else ""))  # fmt: skip
            for quarter in range(1, 5):
                draw = rng.random()
                if draw < 0.15:
                    continue  # no row: not reported yet
                if draw < 0.2:
                    fields = {"no_data": True, "no_data_reason": "BPS belum terbit"}
                elif draw < 0.25:
                    fields = {"text": "Tercapai"}  # words, no figure
                elif draw < 0.3:
                    fields = {}  # a row with nothing in it
                else:
                    fields = {"value": D(rng.choice(AMOUNTS)) * rng.choice([1, 2, -1])}
                reals.append(Realization(indicator=ind, year=year, quarter=quarter, updated_by=perencanaan, **fields))
    AgreementTarget.objects.bulk_create(targets)
    Realization.objects.bulk_create(reals)
    return plan, indicators


@pytest.fixture
def built(dishub: Agency, perencanaan: User) -> tuple[Agency, StrategicPlan, list[Indicator]]:
    plan, indicators = _plan(dishub, perencanaan)
    return dishub, plan, indicators


@pytest.mark.parametrize("upto", [1, 2, 3, 4])
def test_the_bulk_selector_gives_what_figures_gives(built, upto: int) -> None:
    agency, plan, indicators = built
    years = plan.years[:3]
    bulk = selectors.achievements(indicators, years=plan.years, upto=upto)
    assert set(bulk) == {(ind.pk, year) for ind in indicators for year in plan.years}
    kinds = set()
    for year in years:
        rows = selectors.figures(agency, year=year, upto=upto, indicators=indicators)
        for row in rows:
            _same(bulk[(row.indicator.pk, year)], row.measure)
            if row.measure is not None:
                kinds.add((row.indicator.polarity, row.indicator.aggregation, row.measure.to_date.status))
    # Every rule met a computed achievement and one that could not be computed.
    assert len({kind for kind in kinds if kind[2] == "computed"}) == 9
    assert len({kind for kind in kinds if kind[2] == "not_computable"}) == 9


def test_the_bulk_selector_gives_what_the_dashboard_history_gives(built) -> None:
    agency, plan, indicators = built
    bulk = selectors.achievements(indicators, years=plan.years, upto=4)
    rows = selectors.figures(agency, year=plan.years[-1], upto=4, indicators=indicators, history_years=plan.years)
    for row in rows:
        _same(bulk[(row.indicator.pk, plan.years[-1])], row.measure)
        for year, past in row.history.items():
            _same(bulk[(row.indicator.pk, year)], past)


def test_qualitative_indicators_have_no_achievement(built) -> None:
    _agency, plan, indicators = built
    bulk = selectors.achievements(indicators, years=plan.years[:1], upto=4)
    qualitative = [ind for ind in indicators if ind.scale == "qualitative"]
    assert qualitative and all(bulk[(ind.pk, plan.start_year)] is None for ind in qualitative)


def test_two_queries_whatever_the_number_of_indicators_and_years(built, django_assert_num_queries) -> None:
    _agency, plan, indicators = built
    with django_assert_num_queries(2):
        selectors.achievements(indicators, years=plan.years, upto=4)
    with django_assert_num_queries(0):
        assert selectors.achievements([], years=plan.years, upto=4) == {}
        assert selectors.achievements(indicators, years=[], upto=4) == {}


def test_scattered_ids_and_small_batches_change_nothing(built, monkeypatch, django_assert_num_queries) -> None:
    agency, plan, indicators = built
    year = plan.start_year
    expected = {
        row.indicator.pk: row.measure for row in selectors.figures(agency, year=year, upto=4, indicators=indicators)
    }
    scattered = indicators[::3] + indicators[1:40:7]  # runs broken up, some ids given twice
    monkeypatch.setattr(selectors, "ACHIEVEMENT_BATCH", 30)
    numeric = {ind.pk for ind in scattered if ind.scale != "qualitative"}
    with django_assert_num_queries(2 * -(-len(numeric) // 30)):
        bulk = selectors.achievements(scattered, years=[year], upto=4)
    assert set(bulk) == {(ind.pk, year) for ind in scattered}
    for ind in scattered:
        _same(bulk[(ind.pk, year)], expected[ind.pk])


def test_rules_read_as_plain_values_give_the_same(built) -> None:
    _agency, plan, indicators = built
    rules = [selectors.IndicatorRule(i.pk, i.scale, i.polarity, i.aggregation) for i in indicators]
    by_rule = selectors.achievements(rules, years=plan.years[:2], upto=3)
    by_model = selectors.achievements(indicators, years=plan.years[:2], upto=3)
    assert by_rule.keys() == by_model.keys()
    for key, expected in by_model.items():
        _same(by_rule[key], expected)


def test_upto_is_a_quarter(built) -> None:
    _agency, plan, indicators = built
    with pytest.raises(ValueError):
        selectors.achievements(indicators, years=plan.years, upto=5)


def test_indicators_named_by_a_subquery_give_the_same(built, django_assert_num_queries) -> None:
    _agency, plan, indicators = built
    by_ids = selectors.achievements(indicators, years=plan.years, upto=3)
    among = Indicator.objects.filter(plan=plan).values("pk")
    with django_assert_num_queries(2):
        by_query = selectors.achievements(indicators, years=plan.years, upto=3, among=among)
    assert by_query.keys() == by_ids.keys()
    for key, expected in by_ids.items():
        _same(by_query[key], expected)
