"""The planning head's main flow in a real browser: the next Renstra, its agreement and two quarters of
realisations come in from one Excel workbook, and the dashboard shows what they achieve."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja.measurement.models import Realization
from kinerja.measurement.tests.excel_records import table, workbook
from kinerja.org.demo import DEMO_PASSWORD
from kinerja.planning.models import AgreementTarget, Indicator, PerformanceAgreement, StrategicPlan
from kinerja.web.tests.browser import needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN_NAME = "Renstra Dinas Perhubungan 2030–2034"
RENSTRA = [
    "Kode Tujuan", "Tujuan", "Kode Sasaran", "Sasaran", "Kode Indikator", "Indikator", "Satuan", "Skala",
    "Polaritas", "Agregasi", "Target Akhir", "Target 2030", "Unit Penanggung Jawab",
]  # fmt: skip
GOAL = {"Kode Tujuan": "T1", "Tujuan": "Meningkatnya keselamatan lalu lintas", "Kode Sasaran": "S1.1",
        "Sasaran": "Menurunnya fatalitas kecelakaan"}  # fmt: skip


def _workbook(*, accidents_q2: object) -> bytes:
    """The Renstra 2030–2034 with two indicators, the head's 2030 agreement and the first two quarters."""
    renstra = [
        {**GOAL, "Kode Indikator": "IKU.1", "Indikator": "Persentase ruas jalan berambu lengkap", "Satuan": "%",
         "Skala": "persentase", "Polaritas": "Semakin tinggi semakin baik", "Agregasi": "nilai akhir",
         "Target Akhir": 95, "Target 2030": 80, "Unit Penanggung Jawab": "Bidang Lalu Lintas"},
        {**GOAL, "Kode Indikator": "IKU.2", "Indikator": "Jumlah kecelakaan lalu lintas", "Satuan": "kejadian",
         "Skala": "count", "Polaritas": "lower", "Agregasi": "cumulative", "Target Akhir": 60, "Target 2030": 100,
         "Unit Penanggung Jawab": "Bidang Lalu Lintas"},
    ]  # fmt: skip
    agreement = [{"Tahun": 2030, "Tingkat": "agency", "Pihak Pertama": "Kepala Dinas Perhubungan",
                  "Pihak Kedua Luar": "Bupati Sukamaju"}]  # fmt: skip
    target_header = ["Tahun", "Pihak Pertama", "Kode Indikator", "Target Tahunan", "TW I", "TW II", "TW III", "TW IV"]
    targets = [
        {"Tahun": 2030, "Pihak Pertama": "Kepala Dinas Perhubungan", "Kode Indikator": "IKU.1", "Target Tahunan": 80,
         "TW I": 70, "TW II": 75, "TW III": 78, "TW IV": 80},
        {"Tahun": 2030, "Pihak Pertama": "Kepala Dinas Perhubungan", "Kode Indikator": "IKU.2", "Target Tahunan": 100,
         "TW I": 25, "TW II": 25, "TW III": 25, "TW IV": 25},
    ]  # fmt: skip
    realization_header = ["Tahun", "Triwulan", "Kode Indikator", "Realisasi", "Faktor Penghambat"]
    realizations = [
        {"Tahun": 2030, "Triwulan": "I", "Kode Indikator": "IKU.1", "Realisasi": 68},
        {"Tahun": 2030, "Triwulan": "II", "Kode Indikator": "IKU.1", "Realisasi": "72,0"},
        {"Tahun": 2030, "Triwulan": "I", "Kode Indikator": "IKU.2", "Realisasi": 30},
        {"Tahun": 2030, "Triwulan": "II", "Kode Indikator": "IKU.2", "Realisasi": accidents_q2,
         "Faktor Penghambat": "Musim hujan"},
    ]  # fmt: skip
    return workbook({
        "Rencana Strategis": [["Nama", "Tahun Awal", "Tahun Akhir"], [PLAN_NAME, 2030, 2034]],
        "Renstra": table(RENSTRA, renstra),
        "Perjanjian Kinerja": table(["Tahun", "Tingkat", "Pihak Pertama", "Pihak Kedua Luar"], agreement),
        "Target": table(target_header, targets),
        "Realisasi": table(realization_header, realizations),
    })  # fmt: skip


@needs_chromium
def test_the_planning_head_imports_the_next_renstra_and_reads_its_dashboard(  # type: ignore[no-untyped-def]
    demo_for_browser: None, page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    bad, good = tmp_path / "renstra-salah.xlsx", tmp_path / "renstra-2030.xlsx"
    bad.write_bytes(_workbook(accidents_q2="35 kejadian"))
    good.write_bytes(_workbook(accidents_q2=35))

    page.goto("/login/")
    page.get_by_label("Nama pengguna").fill("perencanaan")
    page.get_by_label("Sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/")
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Perencanaan").click()
    page.get_by_role("link", name="Impor Excel").click()
    assert page.get_by_role("heading", name="Impor dari Excel").is_visible()

    # A workbook with one bad cell is refused whole, with the cell named, and nothing is saved.
    page.get_by_label("Buku kerja Excel (.xlsx)").set_input_files(bad)
    page.get_by_role("button", name="Periksa buku kerja").click()
    errors = page.locator("#import-errors")
    assert "Realisasi" in errors.inner_text() and "35 kejadian" in errors.inner_text()
    assert page.get_by_role("button", name="Impor", exact=True).count() == 0
    assert not StrategicPlan.objects.filter(start_year=2030).exists()

    # The corrected workbook is previewed, then applied on confirmation.
    page.get_by_role("link", name="Unggah buku kerja lain").click()
    page.get_by_label("Buku kerja Excel (.xlsx)").set_input_files(good)
    page.get_by_role("button", name="Periksa buku kerja").click()
    assert page.get_by_role("heading", name="Periksa impor").is_visible()
    assert not StrategicPlan.objects.filter(start_year=2030).exists()  # the preview writes nothing
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_url("**/performance/excel/*/import/")
    assert page.locator(".messages, [role=status]").first.is_visible()

    plan = StrategicPlan.objects.get(start_year=2030)
    assert plan.name == PLAN_NAME and plan.end_year == 2034
    assert set(Indicator.objects.filter(plan=plan).values_list("code", flat=True)) == {"IKU.1", "IKU.2"}
    agreement = PerformanceAgreement.objects.get(plan=plan, year=2030)
    assert agreement.party_two_title == "Bupati Sukamaju"
    assert AgreementTarget.objects.filter(agreement=agreement).count() == 10
    assert Realization.objects.filter(indicator__plan=plan).count() == 4

    # The dashboard still opens on the plan in force; the new plan's years are a choice in the period form.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Kinerja").click()
    assert page.get_by_role("heading", name="Kinerja Perangkat Daerah").is_visible()
    in_force = StrategicPlan.objects.get(agency=plan.agency, start_year=2022).name
    assert page.get_by_text(in_force).first.is_visible()
    page.get_by_label("Tahun", exact=True).select_option("2030")
    page.get_by_label("Sampai dengan").select_option("2")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url("**year=2030**")
    assert page.get_by_text(PLAN_NAME).first.is_visible()

    # Last value against the second quarter's target: 72 / 75 = 96,00 %, Sangat Tinggi.
    signs = page.locator("tr", has=page.get_by_role("link", name="IKU.1"))
    assert "96,00" in signs.inner_text() and "Sangat Tinggi" in signs.inner_text()
    # Fewer accidents is better, counted over the two quarters: (2 × 50 − 65) / 50 = 70,00 %, Sedang.
    accidents = page.locator("tr", has=page.get_by_role("link", name="IKU.2"))
    assert "65" in accidents.inner_text() and "70,00" in accidents.inner_text()
    assert "Sedang" in accidents.inner_text()
    assert page.locator("canvas[data-chart=bars]").is_visible()

    # The indicator's page shows the factor the workbook reported.
    page.get_by_role("link", name="IKU.2").click()
    assert page.get_by_text("Musim hujan").first.is_visible()
    # Half a year's accidents are not set against the whole year's ceiling as if the year were over.
    assert page.get_by_text("dibandingkan dengan target tahunan setelah triwulan IV").is_visible()
