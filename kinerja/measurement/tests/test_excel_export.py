from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.measurement.excel.cells import number_cell, plain_number, target_cell
from kinerja.measurement.excel.importer import run_import
from kinerja.measurement.excel.writer import export_workbook, template_workbook
from kinerja.measurement.models import Realization
from kinerja.measurement.tests import excel_records as records
from kinerja.org.models import Agency
from kinerja.planning.models import Goal, Indicator

pytestmark = pytest.mark.django_db

D = Decimal
SHEETS = ["Rencana Strategis", "Renstra", "Perjanjian Kinerja", "Target", "Realisasi", "Anggaran"]


@pytest.fixture
def source(dishub: Agency) -> tuple[Agency, User]:
    """An agency shaped like Dishub with the plan of excel_records.build_plan, built through the services."""
    agency, user = records.clone_organisation(dishub, name="Dinas Sumber", username="sumber", nip="198501012010011001")
    records.build_plan(agency, user)
    return agency, user


@pytest.fixture
def copy(dishub: Agency) -> tuple[Agency, User]:
    """An agency with the same units and positions and no plan."""
    return records.clone_organisation(dishub, name="Dinas Salinan", username="salinan", nip="198601012010011002")


def _book(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(BytesIO(data))


def test_an_agency_exported_and_imported_elsewhere_stores_the_same(source: tuple, copy: tuple) -> None:
    exported = export_workbook(source[0])
    result = run_import(data=exported, agency=copy[0], by=copy[1], commit=True)
    assert result.errors == [] and result.warnings == [] and result.applied
    original, imported = records.stored(source[0]), records.stored(copy[0])
    assert original["realizations"] and original["budget"] and len(original["indicators"]) == 5
    for part in original:
        assert imported[part] == original[part], part
    assert records.cell_values(export_workbook(copy[0])) == records.cell_values(exported)
    events = AuditEvent.objects.count()
    again = run_import(data=exported, agency=copy[0], by=copy[1], commit=True)
    assert again.applied and again.changes == 0 and AuditEvent.objects.count() == events


def test_the_demo_agency_survives_the_round_trip(dishub: Agency, copy: tuple) -> None:
    exported = export_workbook(dishub)
    result = run_import(data=exported, agency=copy[0], by=copy[1], commit=True)
    assert result.errors == [] and result.applied
    original, imported = records.stored(dishub, with_order=False), records.stored(copy[0], with_order=False)
    assert len(original["realizations"]) > 300
    for part in original:
        assert imported[part] == original[part], part
    assert records.cell_values(export_workbook(copy[0])) == records.cell_values(exported)


def test_the_export_has_every_row_with_bold_frozen_headers_and_typed_cells(source: tuple) -> None:
    book = _book(export_workbook(source[0]))
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.column_dimensions["A"].width >= 8
    renstra = records.sheet_dicts(export_workbook(source[0]), "Renstra")
    iku1 = next(row for row in renstra if row["Kode Indikator"] == "IKU.1")
    assert iku1["Baseline"] == 12.3456 and iku1["Target 2025"] == 70 and iku1["Unit Penanggung Jawab"] == "LL"
    assert next(row for row in renstra if row["Kode Indikator"] == "IKK.1")["Target Akhir"] == "60 s.d. 80,5"
    assert any(row["Kode Sasaran"] == "S2.2" and row["Kode Indikator"] is None for row in renstra)
    signed = book["Perjanjian Kinerja"]["H2"]
    assert signed.value == datetime(2025, 2, 14) and signed.is_date  # noqa: DTZ001 - a spreadsheet date has no zone
    assert book["Perjanjian Kinerja"]["G2"].value == "ditandatangani"
    assert book["Realisasi"].max_row - 1 == Realization.objects.filter(indicator__agency=source[0]).count()


def test_the_year_limits_the_year_bound_sheets_only(dishub: Agency) -> None:
    data = export_workbook(dishub, 2024)
    assert {row["Tahun"] for row in records.sheet_dicts(data, "Realisasi")} == {2024}
    assert {row["Tahun"] for row in records.sheet_dicts(data, "Perjanjian Kinerja")} == {2024}
    assert len(records.sheet_dicts(data, "Renstra")) >= Indicator.objects.filter(agency=dishub).count()


def test_enum_cells_are_written_in_indonesian_whatever_the_language(source: tuple) -> None:
    with translation.override("en"):
        english = records.cell_values(export_workbook(source[0]))
    with translation.override("id"):
        indonesian = records.cell_values(export_workbook(source[0]))
    assert english == indonesian


def test_text_that_looks_like_a_formula_is_written_and_read_back_as_text(source: tuple, copy: tuple) -> None:
    Goal.objects.filter(plan__agency=source[0], code="T2").update(statement='=HYPERLINK("x")')
    data = export_workbook(source[0])
    cell = next(row for row in _book(data)["Renstra"].iter_rows(min_row=2) if row[0].value == "T2")[1]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")
    assert run_import(data=data, agency=copy[0], by=copy[1], commit=True).applied
    assert Goal.objects.get(plan__agency=copy[0], code="T2").statement == '=HYPERLINK("x")'


@pytest.mark.parametrize(
    ("value", "cell"),
    [(D("12.3456"), 12.3456), (D("60.0000"), 60), (D("0.0000"), 0), (D("-0.5"), -0.5),
     (D("1234567890123456.7891"), "1234567890123456,7891"), (None, None)],
)  # fmt: skip
def test_a_figure_is_written_as_a_number_only_when_the_spreadsheet_holds_it_exactly(value, cell) -> None:  # type: ignore[no-untyped-def]
    assert number_cell(value) == cell
    assert type(number_cell(value)) is type(cell)


def test_targets_are_written_as_the_import_reads_them() -> None:
    assert target_cell(D("60.0000"), D("80.2500"), "") == "60 s.d. 80,25"
    assert target_cell(None, None, "Baik") == "Baik"
    assert target_cell(D("7.5"), None, "") == 7.5
    assert plain_number(D("1E+3")) == "1000"


def test_the_plan_template_explains_every_column(dishub: Agency) -> None:
    book = _book(template_workbook(dishub, "plan", 2024))
    assert book.sheetnames == ["Petunjuk", "Rencana Strategis", "Renstra"]
    explained = {(row[0], row[1]) for row in book["Petunjuk"].iter_rows(min_row=2, values_only=True)}
    header = [cell.value for cell in book["Renstra"][1]]
    assert {("Renstra", column) for column in header} <= explained
    assert header[18:23] == ["Target 2022", "Target 2023", "Target 2024", "Target 2025", "Target 2026"]
    assert book["Rencana Strategis"]["B2"].value == 2022


def test_a_plan_template_for_an_agency_without_plan_has_headers_only(copy: tuple) -> None:
    book = _book(template_workbook(copy[0], "plan", 2027))
    assert book["Renstra"].max_row == 1
    assert [cell.value for cell in book["Renstra"][1]][18:23] == [f"Target {y}" for y in range(2027, 2032)]


def test_the_targets_template_lists_agreements_and_the_indicators_without_one(source: tuple) -> None:
    data = template_workbook(source[0], "targets", 2025)
    assert records.cell_values(data).keys() == {"Petunjuk", "Perjanjian Kinerja", "Target"}
    rows = records.sheet_dicts(data, "Target")
    assert [(r["Pihak Pertama"], r["Kode Indikator"]) for r in rows] == [
        (records.KADIS, "IKU.1"), (records.KADIS, "IKU.2"), (records.KADIS, "IKU.3"),
        (records.KABID_LL, "IKK.1"), (records.KABID_LL, "IKI.1"),
    ]  # fmt: skip
    later = records.sheet_dicts(template_workbook(source[0], "targets", 2026), "Target")
    assert [(r["Pihak Pertama"], r["Target Tahunan"]) for r in later] == [(None, None)] * 5


def test_the_realisations_template_has_a_row_per_indicator_and_quarter(source: tuple, copy: tuple) -> None:
    data = template_workbook(source[0], "realizations", 2025)
    rows = records.sheet_dicts(data, "Realisasi")
    assert len(rows) == 5 * 4
    assert next(r for r in rows if r["Kode Indikator"] == "IKU.2" and r["Triwulan"] == 2)["Tidak Ada Data (alasan)"]
    # Imported as it is, the template changes nothing.
    result = run_import(data=data, agency=source[0], by=source[1], commit=False)
    assert result.errors == [] and result.changes == 0


def test_the_budget_template_holds_the_years_lines(source: tuple) -> None:
    rows = records.sheet_dicts(template_workbook(source[0], "budget", 2025), "Anggaran")
    assert [(r["Kode"], r["Pagu"], r["Kode Indikator"]) for r in rows] == [
        ("1.15.02", 1500000000, "IKU.1, IKU.2"), ("1.15.02.2.01", 250000000, None),
    ]  # fmt: skip
