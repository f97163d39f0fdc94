"""Early warning on the pages: the year-end projection of each indicator in the figures, on the indicator page
and as an at-risk flag on the dashboards, at the agency's threshold."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja.measurement import selectors, services
from kinerja.measurement.achievement import TargetValue
from kinerja.measurement.projection import DEFAULT_THRESHOLD, TOO_FEW_FOR_TREND, Method, Standing, project
from kinerja.org.models import Unit
from kinerja.planning.models import AgreementTarget
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator, realize, set_targets

D = Decimal
LL = "Bidang Lalu Lintas"
QUERY = "?year=2030&quarter=2"


@pytest.fixture
def plan(dishub, perencanaan):
    """Up to quarter 2 of 2030: an inspection count on track, one behind, accidents over their ceiling, a rate
    with one quarter reported, and a qualitative indicator."""
    plan = fresh_plan(dishub, perencanaan)
    bidang = Unit.objects.get(agency=dishub, name=LL)
    agreement = head_agreement(plan, perencanaan, 2030)
    on_track = indicator(plan, perencanaan, "K.1", name="Kendaraan diuji", responsible_unit=bidang)
    behind = indicator(plan, perencanaan, "K.2", name="Rambu dipasang", responsible_unit=bidang)
    accidents = indicator(plan, perencanaan, "K.3", name="Kecelakaan", polarity="lower")
    rate = indicator(plan, perencanaan, "K.4", name="Kepuasan", scale="percent", aggregation="last")
    indicator(plan, perencanaan, "K.5", name="Opini", scale="qualitative", aggregation="last")
    set_targets(agreement, perencanaan, on_track, "1000", "250", "250", "250", "250")
    set_targets(agreement, perencanaan, behind, "100", "25", "25", "25", "25")
    set_targets(agreement, perencanaan, accidents, "40", "10", "10", "10", "10")
    set_targets(agreement, perencanaan, rate, "80")
    for quarter, value in ((1, "300"), (2, "250")):
        realize(on_track, perencanaan, 2030, quarter, value)
    for quarter, value in ((1, "10"), (2, "20")):
        realize(behind, perencanaan, 2030, quarter, value)
    realize(accidents, perencanaan, 2030, 1, "12")  # quarter 2 blank: projected like the quarters to come
    realize(rate, perencanaan, 2030, 1, "60")
    return plan


def _english(client):  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    return client


def _rows(rows):  # type: ignore[no-untyped-def]
    return {row.indicator.code: row for row in rows}


# The figures


def test_the_projection_is_project_of_the_same_figures(dishub, plan):
    indicators = list(selectors.indicators_of(dishub, plan))
    for threshold in (None, D(75)):
        for row in selectors.figures(dishub, year=2030, upto=2, indicators=indicators, threshold=threshold):
            if row.is_qualitative:
                assert row.projection is None and row.projection_band is None and not row.at_risk
                continue
            targets = {
                q: TargetValue(t.value, t.upper) for q, t in row.targets.items() if t.value is not None or t.upper is not None
            }  # fmt: skip
            expected = project(
                polarity=row.indicator.polarity, aggregation=row.indicator.aggregation,
                annual=targets.get(AgreementTarget.ANNUAL),
                quarterly={q: t for q, t in targets.items() if q != AgreementTarget.ANNUAL},
                realizations={q: r.value for q, r in row.realizations.items() if not r.no_data}, upto=2,
                threshold=threshold if threshold is not None else DEFAULT_THRESHOLD,
            )  # fmt: skip
            assert row.projection == expected, row.indicator.code


def test_figures_project_at_the_threshold_given(dishub, plan):
    indicators = list(selectors.indicators_of(dishub, plan))
    at_default = _rows(selectors.figures(dishub, year=2030, upto=2, indicators=indicators))
    at_75 = _rows(selectors.figures(dishub, year=2030, upto=2, indicators=indicators, threshold=D(75)))
    # K.2: 60 % (50-70); K.3: 12 accidents in a quarter against 10 -> 48 against 40 -> 80 %.
    assert {code for code, row in at_default.items() if row.at_risk} == {"K.2", "K.3"}
    assert {code for code, row in at_75.items() if row.at_risk} == {"K.2"}
    assert at_default["K.2"].projection_band.label == "Rendah"  # 60 %
    assert at_default["K.3"].projection.percent == D(80)


def test_figures_keep_their_number_of_queries(dishub, plan, django_assert_num_queries):
    indicators = list(selectors.indicators_of(dishub, plan))
    bands = selectors.bands_of(dishub)
    with django_assert_num_queries(4):
        selectors.figures(dishub, year=2030, upto=2, indicators=indicators, history_years=[2031], threshold=D(80))
    with django_assert_num_queries(3):
        selectors.figures(dishub, year=2030, upto=2, indicators=indicators, bands=bands)


# The indicator page


def test_a_cumulative_indicator_behind_shows_at_risk_with_its_range(role_client, plan):
    behind = plan.indicators.get(code="K.2")
    response = _english(role_client("division_head")).get(reverse("measurement-indicator", args=[behind.pk]) + QUERY)
    assert response.status_code == 200
    projection = response.context["projection"]
    assert (projection.method, projection.value, projection.low, projection.high) == (Method.PACE, 60, 50, 70)
    assert projection.at_risk
    page = response.content.decode()
    assert "Projected at the pace of the quarterly targets, the year ends at 60 (between 50 and 70)." in page
    assert "Projected achievement against the annual target: 60.00 % (between 50.00 % and 70.00 %)." in page
    assert '<span class="band band-orange">Rendah</span>' in page and ">at risk<" in page
    assert "threshold of 90 %" in page
    chart = json.loads(page.split('id="indicator-data" type="application/json">')[1].split("</script>")[0])
    assert (chart["projection"]["value"], chart["projection"]["low"], chart["projection"]["high"]) == (60, 50, 70)
    assert chart["targets"] == [25, 50, 75, 100] and chart["values"] == [10, 30, None, None]  # totals to date


def test_an_indicator_on_track_is_not_at_risk(role_client, plan):
    on_track = plan.indicators.get(code="K.1")
    response = _english(role_client("head")).get(reverse("measurement-indicator", args=[on_track.pk]) + QUERY)
    assert response.context["projection"].percent == D(110)
    assert ">at risk<" not in response.content.decode()


def test_a_last_value_with_one_quarter_says_why_it_is_not_projected(role_client, plan):
    rate = plan.indicators.get(code="K.4")
    response = _english(role_client("head")).get(reverse("measurement-indicator", args=[rate.pk]) + QUERY)
    assert response.context["projection"].standing == Standing.TOO_FEW
    page = response.content.decode()
    assert f"No projection: {TOO_FEW_FOR_TREND}" in page
    assert ">at risk<" not in page and "the year ends at" not in page
    chart = json.loads(page.split('id="indicator-data" type="application/json">')[1].split("</script>")[0])
    assert chart["projection"] is None


def test_a_qualitative_indicator_is_not_projected(role_client, plan):
    opinion = plan.indicators.get(code="K.5")
    response = _english(role_client("head")).get(reverse("measurement-indicator", args=[opinion.pk]) + QUERY)
    assert response.context["projection"] is None
    assert "its year-end is not projected" in response.content.decode()


def test_the_indicator_page_uses_the_agencys_threshold(role_client, dishub, perencanaan, plan):
    services.set_warning_threshold(agency=dishub, threshold=D(50), by=perencanaan)
    behind = plan.indicators.get(code="K.2")
    response = _english(role_client("head")).get(reverse("measurement-indicator", args=[behind.pk]) + QUERY)
    assert response.context["projection"].at_risk is False
    assert ">at risk<" not in response.content.decode()


# The dashboards


def test_the_agency_dashboard_flags_and_counts_the_indicators_at_risk(role_client, dishub, plan):
    response = _english(role_client("planning_head")).get(reverse("measurement-dashboard", args=[dishub.pk]) + QUERY)
    assert response.status_code == 200
    assert response.context["at_risk"] == 2
    assert {row.indicator.code for row in response.context["rows"] if row.at_risk} == {"K.2", "K.3"}
    page = response.content.decode()
    assert page.count('class="band band-red risk"') == 2 and page.count(">at risk<") == 2
    summary = page.split('<ul class="summary">')[1].split("</ul>")[0]
    assert "At risk" in summary and '<span class="band band-red">2</span>' in summary


def test_the_dashboard_flags_at_the_agencys_threshold(role_client, dishub, perencanaan, plan):
    services.set_warning_threshold(agency=dishub, threshold=D(75), by=perencanaan)
    response = role_client("head").get(reverse("measurement-dashboard", args=[dishub.pk]) + QUERY)
    assert response.context["at_risk"] == 1
    assert [row.indicator.code for row in response.context["rows"] if row.at_risk] == ["K.2"]


def test_the_division_dashboard_counts_its_own_indicators_at_risk(role_client, dishub, plan):
    bidang = Unit.objects.get(agency=dishub, name=LL)
    response = role_client("division_head").get(reverse("measurement-division", args=[bidang.pk]) + QUERY)
    assert response.status_code == 200
    assert response.context["at_risk"] == 1  # K.2; the accidents (K.3) are not this division's
    assert "band band-red risk" in response.content.decode()


@pytest.mark.parametrize("page", ["dashboard", "division", "indicator"])
def test_the_pages_query_count_does_not_grow_with_indicators_at_risk(
    role_client, dishub, perencanaan, plan, page
):  # fmt: skip
    bidang = Unit.objects.get(agency=dishub, name=LL)
    url = {
        "dashboard": reverse("measurement-dashboard", args=[dishub.pk]),
        "division": reverse("measurement-division", args=[bidang.pk]),
        "indicator": reverse("measurement-indicator", args=[plan.indicators.get(code="K.2").pk]),
    }[page] + QUERY
    client = role_client("planning_head")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    agreement = plan.agreements.get(year=2030)
    for n in range(6, 16):
        behind = indicator(plan, perencanaan, f"K.{n}", responsible_unit=bidang)
        set_targets(agreement, perencanaan, behind, "100", "25", "25", "25", "25")
        realize(behind, perencanaan, 2030, 1, "5")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    if page != "indicator":
        assert response.context["at_risk"] >= 11
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
