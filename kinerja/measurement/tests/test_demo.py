"""The performance demo, as loaded once per session by conftest: complete enough to show every screen."""

from __future__ import annotations

from django.db.models import Q, Sum

from kinerja.audit.models import AuditEvent
from kinerja.measurement.demo import NO_DATA, NOT_REPORTED, load_performance_demo
from kinerja.measurement.models import Realization
from kinerja.org.models import Agency
from kinerja.planning.models import (
    Aggregation,
    AgreementTarget,
    BudgetLine,
    Indicator,
    PerformanceAgreement,
    PlanTarget,
    Polarity,
    Scale,
    StrategicPlan,
    TargetRevision,
)

YEARS = [2022, 2023, 2024, 2025, 2026]


def test_the_plan_covers_five_years_with_every_kind_of_indicator(dishub: Agency) -> None:
    plan = StrategicPlan.objects.get(agency=dishub)
    assert plan.years == YEARS
    indicators = Indicator.objects.filter(plan=plan)
    assert indicators.count() >= 15
    assert set(indicators.values_list("polarity", flat=True)) == set(Polarity.values)
    assert set(indicators.values_list("aggregation", flat=True)) == set(Aggregation.values)
    assert set(indicators.values_list("kind", flat=True)) >= {
        Indicator.Kind.IKU, Indicator.Kind.DIVISION, Indicator.Kind.ACTIVITY, Indicator.Kind.INDIVIDUAL,
    }  # fmt: skip
    assert indicators.filter(scale=Scale.QUALITATIVE, aggregation=Aggregation.LAST).exists()
    assert indicators.filter(polarity=Polarity.RANGE, end_target_upper__isnull=False).exists()
    assert not indicators.exclude(kind=Indicator.Kind.IKU).filter(parent__isnull=True).exists()
    assert not indicators.filter(kind=Indicator.Kind.INDIVIDUAL, responsible_position__isnull=True).exists()
    for indicator in indicators:
        assert sorted(PlanTarget.objects.filter(indicator=indicator).values_list("year", flat=True)) == YEARS


def test_2026_has_agreements_of_every_level_and_a_revised_target(dishub: Agency) -> None:
    agreements = PerformanceAgreement.objects.filter(agency=dishub, year=2026)
    assert set(agreements.values_list("level", flat=True)) == set(PerformanceAgreement.Level.values)
    draft = agreements.filter(status=PerformanceAgreement.Status.DRAFT)
    assert [a.level for a in draft] == [PerformanceAgreement.Level.INDIVIDUAL]
    assert agreements.get(level=PerformanceAgreement.Level.AGENCY).party_two_title == "Bupati Sukamaju"
    revision = TargetRevision.objects.get(target__year=2026, target__quarter=AgreementTarget.ANNUAL)
    assert revision.target.agreement.level == PerformanceAgreement.Level.DIVISION
    assert revision.reason and revision.old_value != revision.new_value
    assert revision.target.value == revision.new_value


def test_cumulative_quarter_targets_add_up_to_the_annual_target(dishub: Agency) -> None:
    for indicator in Indicator.objects.filter(agency=dishub, aggregation=Aggregation.CUMULATIVE):
        for year in YEARS:
            targets = AgreementTarget.objects.filter(indicator=indicator, year=year)
            quarters = targets.exclude(quarter=AgreementTarget.ANNUAL).aggregate(total=Sum("value"))["total"]
            assert quarters == targets.get(quarter=AgreementTarget.ANNUAL).value, (indicator.code, year)


def test_2026_realisations_have_exactly_the_intended_gaps(dishub: Agency) -> None:
    indicators = list(Indicator.objects.filter(agency=dishub))
    rows = Realization.objects.filter(indicator__agency=dishub, year=2026)
    reported = {(r.indicator.code, r.quarter) for r in rows}
    expected = {(i.code, q) for i in indicators for q in (1, 2, 3)}
    assert expected - reported == {(NOT_REPORTED[0], NOT_REPORTED[2])}
    assert not rows.filter(quarter=4).exists()
    no_data = rows.filter(no_data=True)
    assert [(r.indicator.code, r.quarter) for r in no_data] == [(NO_DATA[0], NO_DATA[2])]
    assert no_data.get().no_data_reason
    assert not rows.filter(no_data=False, value__isnull=True, text="").exists()
    assert not rows.filter(no_data=False).filter(Q(factors_helped="") | Q(factors_hindered="")).exists()
    assert not rows.filter(follow_up="").exists()


def test_past_years_are_fully_reported_and_accidents_fall(dishub: Agency) -> None:
    indicators = Indicator.objects.filter(agency=dishub).count()
    for year in YEARS[:-1]:
        assert Realization.objects.filter(indicator__agency=dishub, year=year).count() == indicators * 4
    accidents = Indicator.objects.get(agency=dishub, name="Jumlah kecelakaan lalu lintas")
    assert (accidents.polarity, accidents.aggregation, accidents.unit_of_measure) == (
        Polarity.LOWER, Aggregation.CUMULATIVE, "kejadian",
    )  # fmt: skip
    totals = [
        Realization.objects.filter(indicator=accidents, year=year).aggregate(total=Sum("value"))["total"]
        for year in YEARS[:-1]
    ]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == len(totals)


def test_budget_lines_every_year_with_the_last_quarter_of_2026_open(dishub: Agency) -> None:
    for year in YEARS:
        lines = BudgetLine.objects.filter(agency=dishub, year=year)
        assert 4 <= lines.count() <= 6
        assert not lines.filter(indicators__isnull=True).exists()
        for line in lines:
            spent = [v for v in line.spent(4) if v is not None]
            assert sum(spent) <= line.ceiling
            assert len(spent) == (3 if year == 2026 else 4)


def test_loading_again_changes_nothing(dishub: Agency) -> None:
    counts = [model.objects.count() for model in (AuditEvent, Indicator, AgreementTarget, Realization, BudgetLine)]
    assert load_performance_demo() is False
    assert [m.objects.count() for m in (AuditEvent, Indicator, AgreementTarget, Realization, BudgetLine)] == counts
