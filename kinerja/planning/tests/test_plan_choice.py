"""An agency holds several strategic plans over time: pages open on the one in force and reach the others."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from kinerja.planning.models import PerformanceAgreement, StrategicPlan
from kinerja.planning.selectors import plan_for, plan_years, requested_year
from kinerja.planning.tests.records import fresh_plan

pytestmark = pytest.mark.django_db


def _on(day: date):  # type: ignore[no-untyped-def]
    return mock.patch("kinerja.planning.selectors.today", return_value=day)


@pytest.fixture
def plans(dishub, perencanaan) -> tuple[StrategicPlan, StrategicPlan]:  # type: ignore[no-untyped-def]
    """The demo's Renstra 2022–2026 and the next one, 2030–2034, drafted ahead."""
    return StrategicPlan.objects.get(agency=dishub, start_year=2022), fresh_plan(dishub, perencanaan, start_year=2030)


@pytest.mark.parametrize(
    ("day", "year", "start"),
    [
        (date(2026, 11, 21), None, 2022),  # in force today, though a later plan exists
        (date(2026, 11, 21), 2031, 2030),  # the year asked for
        (date(2026, 11, 21), 2028, 2022),  # no plan covers 2028: the one in force
        (date(2028, 5, 1), None, 2022),  # between plans: the last one that started
        (date(2035, 1, 1), None, 2030),
        (date(2020, 1, 1), None, 2022),  # before any plan: the first one to come
    ],
)
def test_the_plan_of_a_page(dishub, plans, day: date, year: int | None, start: int) -> None:  # type: ignore[no-untyped-def]
    with _on(day):
        chosen = plan_for(dishub, year)
    assert chosen is not None and chosen.start_year == start


def test_an_agency_without_a_plan_has_none(kominfo) -> None:  # type: ignore[no-untyped-def]
    assert plan_for(kominfo, 2026) is None and plan_years(kominfo) == []


@pytest.mark.parametrize(("text", "year"), [("2030", 2030), (" 2030 ", 2030), ("20x0", None), ("", None),
                                            (None, None), ("999", None), ("12345", None)])  # fmt: skip
def test_a_requested_year_is_four_digits(text: str | None, year: int | None) -> None:
    assert requested_year(text) == year


def test_the_dashboard_opens_on_the_plan_in_force_and_offers_every_plans_years(role_client, dishub, plans) -> None:  # type: ignore[no-untyped-def]
    client = role_client("head")
    url = reverse("measurement-dashboard", args=[dishub.pk])
    response = client.get(url)
    assert response.context["plan"] == plans[0]
    choices = [value for value, _label in response.context["form"].fields["year"].choices]
    assert choices == [*range(2022, 2027), *range(2030, 2035)]
    response = client.get(url, {"year": "2031", "quarter": "2"})
    assert response.context["plan"] == plans[1]
    assert (response.context["year"], response.context["upto"]) == (2031, 2)


def test_agreements_of_either_plan_are_listed_and_created(role_client, dishub, plans) -> None:  # type: ignore[no-untyped-def]
    client = role_client("planning_head")
    url = reverse("planning-agreements", args=[dishub.pk])
    response = client.get(url)
    assert response.context["plan"] == plans[0] and response.context["year"] == 2026
    assert 'href="?year=2030"' in response.content.decode()
    assert client.get(url, {"year": "2030"}).context["plan"] == plans[1]
    kadis_position = PerformanceAgreement.objects.filter(agency=dishub, year=2026, level="agency").get().party_one
    form = {"year": "2030", "level": "agency", "party_one": kadis_position.pk, "party_two_title": "Bupati Sukamaju"}
    response = client.post(reverse("planning-agreement-create", args=[dishub.pk]), form)
    assert response.status_code == 302
    created = PerformanceAgreement.objects.get(agency=dishub, year=2030)
    assert created.plan == plans[1]


def test_the_budget_of_the_next_plan_is_reached_by_its_year(role_client, dishub, plans) -> None:  # type: ignore[no-untyped-def]
    client = role_client("planning_head")
    response = client.get(reverse("planning-budget", args=[dishub.pk]), {"year": "2032"})
    assert response.context["plan"] == plans[1] and response.context["year"] == 2032
