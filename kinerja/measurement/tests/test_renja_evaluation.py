"""The Renja evaluation form (Permendagri 86/2017) as an Excel download: its layout, that every figure is the one
the measurement rules give, and who may download it."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.accounts.models import User
from kinerja.lib.numbers import round_half_up
from kinerja.measurement.excel.renja import FIRST_DATA_ROW, HEADER_ROW, renja_workbook
from kinerja.measurement.excel.renja_table import RP, column
from kinerja.measurement.predicates import classify
from kinerja.measurement.selectors import IndicatorFigures, bands_of, figures
from kinerja.org.models import Agency, Unit
from kinerja.planning import services
from kinerja.planning.models import Indicator, StrategicPlan
from kinerja.planning.services import TargetInput
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator, realize, set_targets

pytestmark = pytest.mark.django_db

D = Decimal
YEAR, QUARTER = 2031, 2


@pytest.fixture
def plan(dishub: Agency, perencanaan: User) -> StrategicPlan:
    """A 2030–2034 Renstra with three indicators measured in 2030 and 2031, and a programme with one activity.

    K.1 adds up its quarters, K.2 is a count that should stay low, K.3 is a level (the last value counts). 2031 is
    reported up to the third quarter, so that a form up to the second shows what it must leave out."""
    plan = fresh_plan(dishub, perencanaan)
    bidang = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    kir = indicator(plan, perencanaan, "K.1", name="Kendaraan diuji", responsible_unit=bidang, baseline=D(900))
    laka = indicator(plan, perencanaan, "K.2", name="Kecelakaan", polarity="lower")
    rambu = indicator(
        plan, perencanaan, "K.3", name="Rambu terpasang sesuai kebutuhan", unit_of_measure="%", scale="percent",
        aggregation="last",
    )  # fmt: skip
    renstra = {kir: ("1000", "1100", "1200", "1300", "1400"), laka: ("40", "38", "36", "34", "30")}
    renstra[rambu] = ("70", "74", "78", "82", "86")
    for ind, values in renstra.items():
        targets = {2030 + i: TargetInput(value=D(v)) for i, v in enumerate(values)}
        services.set_plan_targets(indicator=ind, targets=targets, by=perencanaan)
    past = head_agreement(plan, perencanaan, 2030)
    set_targets(past, perencanaan, kir, "1000", "250", "250", "250", "250")
    for quarter, value in enumerate(("240", "260", "250", "270"), start=1):
        realize(kir, perencanaan, 2030, quarter, value)
    realize(rambu, perencanaan, 2030, 4, "69.5")
    agreement = head_agreement(plan, perencanaan, YEAR)
    set_targets(agreement, perencanaan, kir, "1100", "275", "275", "275", "275")
    set_targets(agreement, perencanaan, laka, "38", "10", "10", "9", "9")
    set_targets(agreement, perencanaan, rambu, "74", "71", "72", "73", "74")
    for quarter, value in ((1, "300"), (2, "250"), (3, "280")):
        realize(kir, perencanaan, YEAR, quarter, value)
    for quarter, value in ((1, "12"), (2, "9"), (3, "11")):
        realize(laka, perencanaan, YEAR, quarter, value)
    for quarter, value in ((1, "70.5"), (2, "73.25"), (3, "75")):
        realize(rambu, perencanaan, YEAR, quarter, value)
    budget = {
        2030: [("9.1", "Program Lalu Lintas", 900_000, (100_000, 200_000, 250_000, 300_000), [kir, laka])],
        YEAR: [
            ("9.1", "Program Lalu Lintas", 1_000_000, (100_000, 150_000, 200_000, None), [kir, laka]),
            ("9.1.01", "Kegiatan Rambu", 400_000, (50_000, 60_000, None, None), [rambu, kir]),
        ],
    }
    for year, lines in budget.items():
        for code, name, ceiling, spent, supported in lines:
            values: dict[str, Any] = {"kind": "program", "code": code, "name": name, "ceiling": D(ceiling)}
            values.update({f"spent_q{q}": D(v) if v is not None else None for q, v in enumerate(spent, start=1)})
            services.save_budget_line(agency=dishub, year=year, values=values, indicators=supported, by=perencanaan)
    return plan


def _sheet(data: bytes) -> Any:
    return load_workbook(BytesIO(data)).active


def _rows(sheet: Any) -> dict[str, int]:
    """The sheet row of each indicator (by code) and budget line (by code), from columns 4 and 3."""
    found: dict[str, int] = {}
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        indicator_text = sheet.cell(row, column(4)).value or ""
        line_text = sheet.cell(row, column(3)).value or ""
        if indicator_text.startswith("K."):
            found[indicator_text.split()[0]] = row
        elif line_text.startswith("9."):
            found[line_text.split()[0]] = row
    return found


def _figures(agency: Agency, plan: StrategicPlan) -> dict[str, IndicatorFigures]:
    indicators = Indicator.objects.filter(plan=plan)
    rows = figures(agency, year=YEAR, upto=QUARTER, indicators=indicators)
    return {row.indicator.code: row for row in rows}


def _pct(value: Decimal | None) -> float | None:
    return float(round_half_up(value)) if value is not None else None


def test_the_form_has_the_official_header_with_numbered_k_and_rp_columns(dishub, plan):
    sheet = _sheet(renja_workbook(dishub, YEAR, QUARTER))
    assert sheet.title == "Evaluasi Renja"
    assert sheet["A1"].value == f"EVALUASI TERHADAP HASIL RENJA PERANGKAT DAERAH {dishub.name.upper()}"
    assert sheet["A2"].value == f"PERIODE PELAKSANAAN: TAHUN {YEAR}"
    assert sheet["A3"].value == "TRIWULAN II"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:AD1", "A6:A7", "B6:B7", "C6:C7", "D6:D7", "E6:F6", "Q6:R6", "AA6:AB6", "AC6:AC7", "AD6:AD7"} <= merged
    top, sub, numbers = HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2
    assert [sheet.cell(numbers, column(n)).value for n in range(1, 19)] == list(range(1, 19))
    assert {f"{sheet.cell(numbers, column(n)).coordinate}:{sheet.cell(numbers, column(n, RP)).coordinate}"
            for n in range(5, 17)} <= merged  # fmt: skip
    for number in range(5, 17):
        assert (sheet.cell(sub, column(number)).value, sheet.cell(sub, column(number, RP)).value) == ("K", "Rp")
    assert sheet.cell(top, column(2)).value == "Sasaran"
    assert sheet.cell(top, column(9)).value == "Realisasi kinerja pada triwulan I"
    assert sheet.cell(top, column(12)).value == "Realisasi kinerja pada triwulan IV"
    assert sheet.cell(top, column(17)).value.startswith("Unit") and sheet.cell(top, column(18)).value == "Keterangan"
    # Where the application has no data, the header says so.
    assert "tidak tersedia" in sheet.cell(top, column(6)).value
    assert "tidak tersedia" in sheet.cell(top, column(16)).value
    assert sheet.freeze_panes == f"E{FIRST_DATA_ROW}"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1


def test_k_columns_are_the_figures_of_the_measurement_rules(dishub, plan):
    sheet = _sheet(renja_workbook(dishub, YEAR, QUARTER))
    rows, expected = _rows(sheet), _figures(dishub, plan)
    for code in ("K.1", "K.3"):  # cumulative, last value
        row, m = rows[code], expected[code].measure
        assert sheet.cell(row, column(13)).value == float(m.to_date.realized)
        assert sheet.cell(row, column(14)).value == _pct(m.to_date.percent)
        assert sheet.cell(row, column(8)).value == float(expected[code].annual.value)
    kir, rambu = rows["K.1"], rows["K.3"]
    assert sheet.cell(kir, column(13)).value == 550 and sheet.cell(kir, column(14)).value == 100  # 550 / 550
    assert sheet.cell(rambu, column(13)).value == 73.25  # the latest quarter, not a sum
    assert sheet.cell(rambu, column(14)).value == _pct(D("73.25") * 100 / 72)
    assert [sheet.cell(kir, column(q)).value for q in (9, 10)] == [300, 250]
    assert sheet.cell(kir, column(5)).value == 900  # baseline
    assert sheet.cell(kir, column(6)).value == 1400  # the Renstra target of 2034, the plan's last year
    assert sheet.cell(kir, column(7)).value == 1020  # 2030's four quarters added up, as the indicator says
    assert sheet.cell(rambu, column(7)).value == 69.5
    # Column 15 is this year's figure to date, and column 16 measures it against the Renstra end target.
    assert sheet.cell(kir, column(15)).value == 550 and sheet.cell(kir, column(16)).value == _pct(D(550) * 100 / 1400)
    assert sheet.cell(kir, column(3)).value == "9.1, 9.1.01"
    assert sheet.cell(kir, column(17)).value == "Bidang Lalu Lintas"


def test_lower_is_better_is_measured_as_measure_gives_it(dishub, plan):
    sheet = _sheet(renja_workbook(dishub, YEAR, QUARTER))
    row, m = _rows(sheet)["K.2"], _figures(dishub, plan)["K.2"].measure
    assert m.to_date.percent == D(95)  # (2 × 20 − 21) / 20
    assert sheet.cell(row, column(13)).value == 21 and sheet.cell(row, column(14)).value == 95
    # A running total that should stay low waits for the fourth quarter before it meets the end target.
    assert sheet.cell(row, column(16)).value is None
    assert "Kolom 16" in sheet.cell(row, column(18)).value


def test_quarters_after_the_one_chosen_are_empty(dishub, plan):
    sheet = _sheet(renja_workbook(dishub, YEAR, QUARTER))
    rows = _rows(sheet)
    for code in ("K.1", "K.2", "K.3", "9.1", "9.1.01"):
        for number in (11, 12):
            assert sheet.cell(rows[code], column(number)).value is None
            assert sheet.cell(rows[code], column(number, RP)).value is None
    later = _sheet(renja_workbook(dishub, YEAR, 3))
    assert later.cell(_rows(later)["K.1"], column(11)).value == 280


def test_budget_columns_are_the_budget_lines(dishub, plan):
    sheet = _sheet(renja_workbook(dishub, YEAR, QUARTER))
    rows = _rows(sheet)
    program, activity = rows["9.1"], rows["9.1.01"]
    assert sheet.cell(program, column(8, RP)).value == 1_000_000
    assert [sheet.cell(program, column(q, RP)).value for q in (9, 10)] == [100_000, 150_000]
    assert sheet.cell(program, column(13, RP)).value == 250_000
    assert sheet.cell(program, column(14, RP)).value == 25  # 250,000 / 1,000,000
    assert sheet.cell(program, column(7, RP)).value == 850_000  # what code 9.1 spent in 2030
    assert sheet.cell(program, column(15, RP)).value == 1_100_000  # 7 + 13
    for number in (5, 6, 16):  # no Renstra budget in the application: left empty
        assert sheet.cell(program, column(number, RP)).value is None
    assert sheet.cell(program, column(13)).value is None  # a budget line has no K
    assert sheet.cell(activity, column(13, RP)).value == 110_000
    assert sheet.cell(activity, column(7, RP)).value is None  # the activity did not exist in 2030
    assert sheet.cell(activity, column(4)).value == "Mendukung indikator: K.1, K.3"
    assert sheet.cell(program, column(17)).value is None


def test_totals_averages_and_predicate_use_the_agency_scale(dishub, plan):
    sheet = _sheet(renja_workbook(dishub, YEAR, QUARTER))
    labels = {sheet.cell(r, 1).value: r for r in range(FIRST_DATA_ROW, sheet.max_row + 1)}
    total = labels["Jumlah anggaran (program/kegiatan tingkat teratas)"]
    assert sheet.cell(total, column(8, RP)).value == 1_000_000  # the programme, its activity not counted twice
    assert sheet.cell(total, column(13, RP)).value == 250_000
    expected = _figures(dishub, plan)
    average = sum(r.percent for r in expected.values()) / 3
    row = labels["Rata-rata capaian kinerja dan realisasi anggaran (%)"]
    assert sheet.cell(row, column(14)).value == _pct(average)
    assert sheet.cell(row, column(14, RP)).value == 25
    predicate = labels["Predikat kinerja"]
    bands = bands_of(dishub)
    assert sheet.cell(predicate, column(14)).value == classify(average, bands).label == "Sangat Tinggi"
    assert sheet.cell(predicate, column(14, RP)).value == classify(D(25), bands).label == "Sangat Rendah"
    for label in ("Faktor pendorong keberhasilan pencapaian", "Faktor penghambat pencapaian kinerja"):
        assert label in labels and sheet.cell(labels[label], column(5)).value is None


def test_the_head_of_agency_signs(dishub, plan):
    sheet = _sheet(renja_workbook(dishub, YEAR, QUARTER))
    texts = {cell.value for row in sheet.iter_rows(min_row=FIRST_DATA_ROW) for cell in row if cell.value}
    assert "KEPALA DINAS PERHUBUNGAN" in texts and "Ir. Bambang Sutrisno, M.T." in texts
    assert any(str(t).startswith("NIP. 19680312") for t in texts)
    assert any(str(t).startswith("Sukamaju, ") for t in texts)


def test_the_demo_year_builds_with_every_kind_of_indicator(dishub, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):  # a fixed number of queries, whatever the number of indicators
        data = renja_workbook(dishub, 2026, 3)
    sheet = _sheet(data)
    codes = [str(sheet.cell(r, column(4)).value).split()[0] for r in range(FIRST_DATA_ROW, sheet.max_row + 1)]
    assert {"IKU.1", "IKU.5", "IKK.ANG.1", "IKI.3"} <= set(codes)
    iku5 = codes.index("IKU.5") + FIRST_DATA_ROW
    assert sheet.cell(iku5, column(13)).value == "BB" and sheet.cell(iku5, column(14)).value is None


# The download


def _url(agency: Agency, **query: Any) -> str:
    url = reverse("measurement-renja-evaluation", args=[agency.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("role", ["planning_head", "head", "secretary", "evaluator", "admin"])
def test_whoever_reads_the_agency_dashboard_downloads_the_form(role_client, dishub, plan, role):
    response = role_client(role).get(_url(dishub, year=YEAR, quarter=QUARTER))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="evaluasi-renja-dishub-{YEAR}-tw{QUARTER}.xlsx"' in response["Content-Disposition"]
    assert _sheet(b"".join(response)).cell(HEADER_ROW + 2, 1).value == 1


@pytest.mark.parametrize("role", ["division_head", "section_head", "staff"])
def test_a_user_of_some_units_only_is_refused(role_client, dishub, plan, role):
    assert role_client(role).get(_url(dishub, year=YEAR, quarter=QUARTER)).status_code == 403


def test_another_agency_gets_not_found(login, dishub, plan):
    assert login("kadis.kominfo").get(_url(dishub, year=YEAR, quarter=QUARTER)).status_code == 404
    assert login("admin.kominfo").get(_url(dishub)).status_code == 404


def test_anonymous_is_sent_to_login(client, dishub):
    response = client.get(_url(dishub, year=YEAR, quarter=QUARTER))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_without_a_period_the_form_is_shown(role_client, dishub, plan):
    response = role_client("planning_head").get(_url(dishub))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert f'<option value="{YEAR}"' in response.content.decode()


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "20x1", "quarter": "2"}, "Choose a year of one of the agency&#x27;s strategic plans."),
        ({"year": "2099", "quarter": "2"}, "Choose a year of one of the agency&#x27;s strategic plans."),
        ({"year": "2031", "quarter": "5"}, "Choose a quarter from I to IV."),
        ({"year": "2031", "quarter": "IV"}, "Choose a quarter from I to IV."),
        ({"quarter": "2"}, "Choose the year to evaluate."),
        ({"year": "2031"}, "Choose the quarter to evaluate."),
    ],
)
def test_a_bad_period_gets_a_message_not_an_error(role_client, dishub, plan, query, message):
    response = _english(role_client("planning_head")).get(_url(dishub, **query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_bad_period_in_indonesian_is_still_a_page(role_client, dishub, plan):
    response = role_client("head").get(_url(dishub, year="abcd", quarter="9"))
    assert response.status_code == 400 and response["Content-Language"] == "id"


def test_post_is_not_allowed(role_client, dishub, plan):
    assert role_client("planning_head").post(_url(dishub)).status_code == 405


def test_the_agency_dashboard_links_to_the_form(role_client, dishub, plan):
    page = role_client("planning_head").get(reverse("measurement-dashboard", args=[dishub.pk]) + "?year=2031&quarter=2")
    assert f"{_url(dishub)}?year=2031&amp;quarter=2" in page.content.decode()


def test_an_agency_without_a_plan_has_nothing_to_evaluate(login, kominfo):
    client = _english(login("kadis.kominfo"))
    page = client.get(_url(kominfo))
    assert page.status_code == 200 and "no strategic plan yet" in page.content.decode()
    assert client.get(_url(kominfo, year=2026, quarter=1)).status_code == 400
