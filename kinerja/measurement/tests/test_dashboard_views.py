from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja.org.models import Unit
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator, realize, set_targets

D = Decimal


@pytest.fixture
def plan(dishub, perencanaan):
    """One cumulative count and one lower-is-better count with figures worked out by hand."""
    plan = fresh_plan(dishub, perencanaan)
    bidang = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    kir = indicator(plan, perencanaan, "K.1", name="Kendaraan diuji", responsible_unit=bidang)
    laka = indicator(plan, perencanaan, "K.2", name="Kecelakaan", polarity="lower")
    agreement = head_agreement(plan, perencanaan, 2030)
    set_targets(agreement, perencanaan, kir, "1000", "250", "250", "250", "250")
    set_targets(agreement, perencanaan, laka, "40", "10", "10", "10", "10")
    for quarter, value in ((1, "300"), (2, "250")):
        realize(kir, perencanaan, 2030, quarter, value)
    realize(laka, perencanaan, 2030, 1, "12")  # quarter 2 not reported: blank, not zero
    return plan


def _rows(response):
    return {row.indicator.code: row for row in response.context["rows"]}


def test_agency_dashboard_shows_exact_achievement(role_client, dishub, plan):
    url = reverse("measurement-dashboard", args=[dishub.pk]) + "?year=2030&quarter=2"
    response = role_client("planning_head").get(url)
    assert response.status_code == 200
    rows = _rows(response)
    kir, laka = rows["K.1"], rows["K.2"]
    assert kir.measure.to_date.realized == D(550) and kir.percent == D(110)  # 550 / 500
    assert kir.annual_percent == D(55)  # 550 / 1000
    assert kir.band.label == "Sangat Tinggi"
    assert laka.measure.to_date.realized == D(12)  # the blank quarter is skipped
    assert laka.percent == D(80)  # (2*10 - 12) / 10 at quarter 1's target… cumulative to quarter 2 is 20
    page = response.content.decode()
    assert "110,00" in page and "Sangat Tinggi" in page


def test_dashboard_in_english_uses_english_number_format(role_client, dishub, plan):
    client = role_client("planning_head")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("measurement-dashboard", args=[dishub.pk]) + "?year=2030&quarter=2").content.decode()
    assert "110.00" in page


def test_division_dashboard_shows_only_its_indicators(role_client, dishub, plan):
    bidang = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    response = role_client("division_head").get(
        reverse("measurement-division", args=[bidang.pk]) + "?year=2030&quarter=2"
    )
    assert response.status_code == 200
    assert set(_rows(response)) == {"K.1"}


def test_query_count_does_not_grow_with_indicators(role_client, dishub, perencanaan, plan):
    client = role_client("planning_head")
    url = reverse("measurement-dashboard", args=[dishub.pk]) + "?year=2030&quarter=2"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    agreement = plan.agreements.get(year=2030)
    for n in range(3, 13):
        ind = indicator(plan, perencanaan, f"K.{n}")
        set_targets(agreement, perencanaan, ind, "100", "25", "25", "25", "25")
        realize(ind, perencanaan, 2030, 1, "20")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("export", ["indicators", "divisions", "budget"])
def test_every_table_exports_all_rows_to_excel(role_client, dishub, plan, export):
    from io import BytesIO

    from openpyxl import load_workbook

    url = reverse("measurement-dashboard", args=[dishub.pk]) + f"?year=2030&quarter=2&export={export}"
    response = role_client("evaluator").get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    if export == "indicators":
        assert [r[1] for r in rows[1:]] == ["K.1", "K.2"]
        assert rows[1][10] == 110


def test_indicator_page_shows_quarters_and_history(role_client, plan):
    kir = plan.indicators.get(code="K.1")
    response = role_client("division_head").get(
        reverse("measurement-indicator", args=[kir.pk]) + "?year=2030&quarter=2"
    )
    assert response.status_code == 200
    assert response.context["row"].percent == D(110)
    assert "not reported" in response.content.decode() or "belum dilaporkan" in response.content.decode()


def test_tree_shows_cascade(role_client, dishub, perencanaan, plan):
    parent = plan.indicators.get(code="K.1")
    indicator(plan, perencanaan, "K.1.1", name="Turunan", parent=parent, kind="division")
    response = role_client("head").get(reverse("measurement-tree", args=[dishub.pk]) + "?year=2030&quarter=2")
    assert response.status_code == 200
    lines = response.context["goals"][0][1][0][1]
    assert [(depth, row.indicator.code) for depth, row, _visible in lines][:2] == [(0, "K.1"), (1, "K.1.1")]


def test_no_plan_shows_an_empty_dashboard(login, kominfo):
    from kinerja.accounts.models import User

    response = login(User.objects.get(username="kadis.kominfo")).get(
        reverse("measurement-dashboard", args=[kominfo.pk])
    )
    assert response.status_code == 200
    assert response.context["plan"] is None


def test_a_bad_year_keeps_the_default_and_shows_the_error(role_client, dishub, plan):
    response = role_client("head").get(reverse("measurement-dashboard", args=[dishub.pk]) + "?year=1999&quarter=9")
    assert response.status_code == 200
    assert response.context["form"].errors
