"""The inbox lists the indicators projected to miss the year: a division head those of his division, the
agency's leaders every one, for the reporting period open (or the latest one)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja.collection.models import ReportingPeriod
from kinerja.measurement import services
from kinerja.org.models import Unit
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator, realize, set_targets

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(dishub, perencanaan):
    """2030, quarter 2 open: one indicator behind in each of two divisions, one on track."""
    plan = fresh_plan(dishub, perencanaan)
    agreement = head_agreement(plan, perencanaan, 2030)
    for code, division, second in (("L.1", "Bidang Lalu Lintas", "20"), ("L.2", "Bidang Lalu Lintas", "25"),
                                   ("A.1", "Bidang Angkutan", "15")):  # fmt: skip
        unit = Unit.objects.get(agency=dishub, name=division)
        ind = indicator(plan, perencanaan, code, name=f"Indikator {code}", responsible_unit=unit)
        set_targets(agreement, perencanaan, ind, "100", "25", "25", "25", "25")
        realize(ind, perencanaan, 2030, 1, "10" if code != "L.2" else "25")
        realize(ind, perencanaan, 2030, 2, second)
    ReportingPeriod.objects.create(agency=dishub, year=2030, quarter=2, due_on=date(2030, 7, 10), opened_by=perencanaan)
    return plan


def _listed(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {w.agency.short_name: [row.indicator.code for row in w.rows] for w in response.context["at_risk"]}


def test_a_division_head_sees_his_divisions_indicators_at_risk(login, plan):
    response = login("kabid").get(reverse("collection-inbox"))
    assert response.status_code == 200
    assert _listed(response) == {"Dishub": ["L.1"]}  # L.2 is on track, A.1 is another division's
    (watch,) = response.context["at_risk"]
    assert (watch.year, watch.quarter) == (2030, 2)
    page = response.content.decode()
    link = reverse("measurement-indicator", args=[plan.indicators.get(code="L.1").pk])
    assert f'href="{link}?year=2030&amp;quarter=2#projection"' in page
    assert "Indikator A.1" not in page


def test_another_division_head_sees_only_his(login, plan):
    assert _listed(login("kabid.angkutan").get(reverse("collection-inbox"))) == {"Dishub": ["A.1"]}


@pytest.mark.parametrize("username", ["perencanaan", "kadis", "sekretaris"])
def test_the_agencys_leaders_see_every_indicator_at_risk(login, plan, username):
    assert _listed(login(username).get(reverse("collection-inbox"))) == {"Dishub": ["A.1", "L.1"]}  # in plan order


@pytest.mark.parametrize("username", ["staf", "admin", "inspektorat", "admin.kominfo"])
def test_others_have_no_list(login, plan, username):
    response = login(username).get(reverse("collection-inbox"))
    assert response.status_code == 200
    assert "Dishub" not in _listed(response)


def test_the_open_period_is_watched_before_a_later_closed_one(login, dishub, perencanaan, plan):
    ReportingPeriod.objects.create(
        agency=dishub, year=2030, quarter=3, due_on=date(2030, 10, 10), opened_by=perencanaan,
        status=ReportingPeriod.Status.CLOSED,
    )  # fmt: skip
    (watch,) = login("kabid").get(reverse("collection-inbox")).context["at_risk"]
    assert (watch.year, watch.quarter) == (2030, 2)
    ReportingPeriod.objects.filter(agency=dishub, year=2030, quarter=2).update(status=ReportingPeriod.Status.CLOSED)
    (watch,) = login("kabid").get(reverse("collection-inbox")).context["at_risk"]
    assert (watch.year, watch.quarter) == (2030, 3)  # none open: the latest


def test_the_list_follows_the_agencys_threshold(login, dishub, perencanaan, plan):
    # L.1 and A.1 are projected at 60 % and 50 %.
    services.set_warning_threshold(agency=dishub, threshold=D(55), by=perencanaan)
    assert _listed(login("perencanaan").get(reverse("collection-inbox"))) == {"Dishub": ["A.1"]}


def test_the_inbox_query_count_does_not_grow_with_indicators(login, dishub, perencanaan, plan):
    client = login("kabid")
    url = reverse("collection-inbox")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    agreement = plan.agreements.get(year=2030)
    bidang = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    for n in range(3, 13):
        ind = indicator(plan, perencanaan, f"L.{n}", responsible_unit=bidang)
        set_targets(agreement, perencanaan, ind, "100", "25", "25", "25", "25")
        realize(ind, perencanaan, 2030, 1, "5")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(_listed(response)["Dishub"]) == 11
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
