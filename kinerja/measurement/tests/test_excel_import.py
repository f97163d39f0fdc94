from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.measurement.excel.importer import ImportResult, run_import
from kinerja.measurement.excel.sheets import label_of, listed_labels
from kinerja.measurement.models import Realization
from kinerja.measurement.tests import excel_records as records
from kinerja.measurement.tests.excel_records import indicator_row, plan_workbook, table, workbook
from kinerja.org.models import Agency
from kinerja.planning.models import (
    AgreementTarget,
    Indicator,
    PerformanceAgreement,
    PlanTarget,
    Polarity,
    Scale,
    StrategicPlan,
    TargetRevision,
)

pytestmark = pytest.mark.django_db

D = Decimal
AGREEMENT_HEADER = [
    "Tahun",
    "Tingkat",
    "Pihak Pertama",
    "Pihak Kedua",
    "Pihak Kedua Luar",
    "Induk",
    "Status",
    "Tanggal Tanda Tangan",
]
TARGET_HEADER = [
    "Tahun",
    "Pihak Pertama",
    "Kode Indikator",
    "Indikator",
    "Target Tahunan",
    "TW I",
    "TW II",
    "TW III",
    "TW IV",
    "Alasan Revisi",
]
REALIZATION_HEADER = ["Tahun", "Triwulan", "Kode Indikator", "Realisasi", "Tidak Ada Data (alasan)", "Faktor Pendukung"]
BUDGET_HEADER = ["Tahun", "Kode", "Nama", "Jenis", "Pagu", "Realisasi TW I", "Realisasi TW II", "Kode Indikator"]


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages in English, the language they are written in; enum cells still take the Indonesian labels."""
    with translation.override("en"):
        yield


@pytest.fixture
def fresh(dishub: Agency) -> tuple[Agency, User]:
    """An agency shaped like the demo's Dishub, without any plan, and its planning head."""
    return records.clone_organisation(dishub, name="Dinas Uji", username="uji", nip="198601012010011002")


def _import(data: bytes, fresh: tuple[Agency, User], *, commit: bool = True, confirmed: bool = False) -> ImportResult:
    agency, user = fresh
    return run_import(data=data, agency=agency, by=user, commit=commit, warnings_confirmed=confirmed)


def _errors(result: ImportResult) -> list[str]:
    return [str(issue) for issue in result.errors]


def _counts(result: ImportResult) -> dict[str, tuple[int, int, int, int]]:
    return {s.label: (s.created, s.changed, s.removed, s.unchanged) for s in result.summaries}


def _agreement_sheets(*, status: str = "", signed_on: date | None = None, targets: list[dict] | None = None) -> dict:
    return {
        "Perjanjian Kinerja": table(
            AGREEMENT_HEADER,
            [
                {
                    "Tahun": 2025,
                    "Tingkat": "agency",
                    "Pihak Pertama": records.KADIS,
                    "Pihak Kedua Luar": "Bupati Sukamaju",
                    "Status": status,
                    "Tanggal Tanda Tangan": signed_on,
                },
            ],
        ),  # fmt: skip
        "Target": table(
            TARGET_HEADER,
            targets
            or [
                {
                    "Tahun": 2025,
                    "Pihak Pertama": records.KADIS,
                    "Kode Indikator": "A.1",
                    "Target Tahunan": 10,
                    "TW I": 2,
                },
            ],
        ),  # fmt: skip
    }


# What a valid workbook does


def test_a_small_plan_is_created_in_an_agency_without_one(fresh: tuple[Agency, User]) -> None:
    result = _import(plan_workbook(), fresh)
    assert result.errors == [] and result.warnings == []
    assert result.applied
    assert _counts(result)["Indicators"] == (2, 0, 0, 0)
    assert _counts(result)["Renstra targets"] == (4, 0, 0, 0)
    indicator = Indicator.objects.get(agency=fresh[0], code="A.2")
    assert (indicator.scale, indicator.unit_of_measure, indicator.sort_order) == ("percent", "%", 2)
    assert list(indicator.plan_targets.values_list("year", "value")) == [(2025, D(10)), (2026, D(12))]


def test_the_preview_writes_nothing(fresh: tuple[Agency, User]) -> None:
    events = AuditEvent.objects.count()
    result = _import(plan_workbook(), fresh, commit=False)
    assert not result.applied and result.changes > 0
    assert not Indicator.objects.filter(agency=fresh[0]).exists()
    assert AuditEvent.objects.count() == events


def test_an_indicator_comes_after_its_parent_whatever_the_row_order(fresh: tuple[Agency, User]) -> None:
    rows = [indicator_row("C.1", Induk="B.1", Jenis="individual", **{"Jabatan Penanggung Jawab": records.ANALIS}),
            indicator_row("B.1", Induk="A.1", Jenis="Division indicator"), indicator_row("A.1")]  # fmt: skip
    result = _import(plan_workbook(*rows), fresh)
    assert result.applied, _errors(result)
    child = Indicator.objects.select_related("parent__parent", "responsible_position").get(agency=fresh[0], code="C.1")
    assert (child.parent.code, child.parent.parent.code, child.responsible_position.title) == (
        "B.1",
        "A.1",
        records.ANALIS,
    )
    assert [i.code for i in Indicator.objects.filter(agency=fresh[0]).order_by("sort_order")] == ["C.1", "B.1", "A.1"]


def test_enum_cells_take_the_code_or_a_label_in_any_case(fresh: tuple[Agency, User]) -> None:
    indonesian = label_of(Polarity, "lower").upper()
    rows = [
        indicator_row("A.1", Skala="PERCENTAGE", Polaritas=indonesian, Agregasi="Average", Satuan="%"),
        indicator_row(
            "A.2",
            Jenis="iku",
            Skala="index",
            Polaritas="Within a range",
            **{"Target 2025": "1 s.d. 2", "Target 2026": None},
        ),
    ]
    result = _import(plan_workbook(*rows), fresh)
    assert result.applied, _errors(result)
    values = Indicator.objects.filter(agency=fresh[0]).order_by("code").values_list("scale", "polarity", "aggregation")
    assert list(values) == [("percent", "lower", "average"), ("index", "range", "last")]


@pytest.mark.parametrize("typed", ["60 s.d. 80", "60 – 80", "60-80", "60 sd 80", "60,0 s/d 80"])
def test_a_range_target_is_read_in_the_usual_spellings(fresh: tuple[Agency, User], typed: str) -> None:
    row = indicator_row("A.1", Skala="index", Polaritas="range", **{"Target 2025": typed, "Target 2026": None})
    result = _import(plan_workbook(row), fresh)
    assert result.applied, _errors(result)
    assert PlanTarget.objects.filter(indicator__agency=fresh[0]).values_list("value", "upper").get() == (D(60), D(80))


def test_comma_decimals_typed_as_text_are_read_exactly(fresh: tuple[Agency, User]) -> None:
    row = indicator_row("A.1", Baseline="12,3456", **{"Target 2025": "1500000,5", "Target 2026": 0.1})
    result = _import(plan_workbook(row), fresh)
    assert result.applied, _errors(result)
    indicator = Indicator.objects.get(agency=fresh[0], code="A.1")
    assert indicator.baseline == D("12.3456")
    assert list(indicator.plan_targets.values_list("value", flat=True)) == [D("1500000.5"), D("0.1")]


def test_a_qualitative_indicator_takes_text_targets(fresh: tuple[Agency, User]) -> None:
    row = indicator_row(
        "Q.1", Skala="qualitative", **{"Target 2025": "Baik", "Target 2026": "60-80", "Target Akhir": "Sangat Baik"}
    )
    result = _import(plan_workbook(row), fresh)
    assert result.applied, _errors(result)
    assert list(PlanTarget.objects.filter(indicator__code="Q.1").values_list("text", flat=True)) == ["Baik", "60-80"]


def test_reimporting_the_same_file_changes_nothing_and_audits_nothing(fresh: tuple[Agency, User]) -> None:
    _import(plan_workbook(), fresh)
    events = AuditEvent.objects.count()
    result = _import(plan_workbook(), fresh)
    assert result.applied and result.changes == 0
    assert _counts(result)["Indicators"] == (0, 0, 0, 2)
    assert AuditEvent.objects.count() == events


def test_an_existing_plan_is_updated_by_code(fresh: tuple[Agency, User]) -> None:
    _import(plan_workbook(), fresh)
    rows = [indicator_row("A.1", Indikator="Nama baru", **{"Target 2026": None}), indicator_row("A.3")]
    result = _import(plan_workbook(*rows), fresh)
    assert result.applied, _errors(result)
    assert _counts(result)["Indicators"] == (1, 1, 0, 0)
    assert _counts(result)["Renstra targets"] == (2, 0, 1, 1)
    assert Indicator.objects.get(agency=fresh[0], code="A.1").name == "Nama baru"
    assert set(Indicator.objects.filter(agency=fresh[0]).values_list("code", flat=True)) == {"A.1", "A.2", "A.3"}
    assert not PlanTarget.objects.filter(indicator__code="A.1", year=2026, indicator__agency=fresh[0]).exists()


# Agreements, targets, realisations, budget


def test_an_agreement_marked_signed_is_signed_once_its_targets_are_in(fresh: tuple[Agency, User]) -> None:
    data = plan_workbook(extra=_agreement_sheets(status="ditandatangani", signed_on=date(2025, 2, 3)))
    result = _import(data, fresh)
    assert result.applied, _errors(result)
    agreement = PerformanceAgreement.objects.get(agency=fresh[0])
    assert (agreement.status, agreement.signed_on) == ("signed", date(2025, 2, 3))
    assert list(agreement.targets.order_by("quarter").values_list("quarter", "value")) == [(0, D(10)), (1, D(2))]


def test_an_agreement_without_annual_targets_cannot_be_marked_signed(fresh: tuple[Agency, User]) -> None:
    targets = [{"Tahun": 2025, "Pihak Pertama": records.KADIS, "Kode Indikator": "A.1", "TW I": 2}]
    sheets = _agreement_sheets(status="ditandatangani", signed_on=date(2025, 2, 3), targets=targets)
    result = _import(plan_workbook(extra=sheets), fresh)
    assert _errors(result) == [
        "Sheet Perjanjian Kinerja, row 2, column Status: An agreement without annual targets cannot be signed."
    ]


def test_a_signed_agreements_targets_change_only_with_a_reason(fresh: tuple[Agency, User]) -> None:
    _import(plan_workbook(extra=_agreement_sheets(status="ditandatangani", signed_on=date(2025, 2, 3))), fresh)
    changed = [
        {"Tahun": 2025, "Pihak Pertama": records.KADIS, "Kode Indikator": "A.1", "Target Tahunan": 11, "TW I": 2}
    ]
    result = _import(
        plan_workbook(extra=_agreement_sheets(status="ditandatangani", signed_on=date(2025, 2, 3), targets=changed)),
        fresh,
    )
    assert _errors(result) == [
        "Sheet Target, row 2, column Alasan Revisi: the agreement of 2025 is signed, so its targets change only as a "
        "revision: say why here."
    ]
    changed[0]["Alasan Revisi"] = "Refocusing anggaran"
    result = _import(
        plan_workbook(extra=_agreement_sheets(status="ditandatangani", signed_on=date(2025, 2, 3), targets=changed)),
        fresh,
    )
    assert result.applied, _errors(result)
    revision = TargetRevision.objects.get(target__agreement__agency=fresh[0])
    assert (revision.old_value, revision.new_value, revision.reason) == (D(10), D(11), "Refocusing anggaran")


def test_realisations_are_recorded_cleared_and_marked_without_data(fresh: tuple[Agency, User]) -> None:
    rows = [
        {"Tahun": 2025, "Triwulan": "I", "Kode Indikator": "A.1", "Realisasi": "12,5", "Faktor Pendukung": "Cuaca"},
        {"Tahun": 2025, "Triwulan": "TW II", "Kode Indikator": "A.1", "Tidak Ada Data (alasan)": "Belum dilaporkan"},
        {"Tahun": 2025, "Triwulan": 3, "Kode Indikator": "A.1", "Realisasi": 7},
    ]  # fmt: skip
    result = _import(plan_workbook(extra={"Realisasi": table(REALIZATION_HEADER, rows)}), fresh)
    assert result.applied, _errors(result)
    stored = Realization.objects.filter(indicator__agency=fresh[0]).order_by("quarter")
    assert [(r.quarter, r.value, r.no_data, r.factors_helped) for r in stored] == [
        (1, D("12.5"), False, "Cuaca"), (2, None, True, ""), (3, D(7), False, ""),
    ]  # fmt: skip
    rows[2] = {"Tahun": 2025, "Triwulan": 3, "Kode Indikator": "A.1"}  # blank again: not reported
    result = _import(plan_workbook(extra={"Realisasi": table(REALIZATION_HEADER, rows)}), fresh)
    assert result.applied and _counts(result)["Realisations"] == (0, 0, 1, 2)
    assert list(Realization.objects.filter(indicator__agency=fresh[0]).values_list("quarter", flat=True)) == [1, 2]


def test_budget_lines_link_indicators_by_code(fresh: tuple[Agency, User]) -> None:
    rows = [
        {
            "Tahun": 2025,
            "Kode": "1.01",
            "Nama": "Program",
            "Pagu": 1000000,
            "Realisasi TW I": "250000,50",
            "Kode Indikator": "A.1, A.2",
        }
    ]
    result = _import(plan_workbook(extra={"Anggaran": table(BUDGET_HEADER, rows)}), fresh)
    assert result.applied, _errors(result)
    line = fresh[0].budget_lines.get()
    assert (line.kind, line.ceiling, line.spent_q1) == ("program", D(1000000), D("250000.50"))
    assert sorted(line.indicators.values_list("code", flat=True)) == ["A.1", "A.2"]


# What is refused, and how it is said


def test_a_workbook_without_a_known_sheet_names_the_expected_ones(fresh: tuple[Agency, User]) -> None:
    result = _import(workbook({"Sheet1": [["Nama"], ["x"]]}), fresh)
    assert _errors(result) == [
        "The workbook has none of the sheets this import reads: Rencana Strategis, Renstra, Perjanjian Kinerja, "
        "Target, Realisasi, Anggaran."
    ]


def test_a_missing_required_column_is_named(fresh: tuple[Agency, User]) -> None:
    header = [h for h in records.RENSTRA_HEADER if h != "Kode Indikator"]
    result = _import(workbook({"Renstra": table(header, [indicator_row("A.1")])}), fresh)
    assert _errors(result) == ["Sheet Renstra: the column “Kode Indikator” is missing from the header row (row 1)."]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("abc", "“abc” is not a number"),
        ("1.234", "“1.234” is ambiguous"),
        ("12,34567", "12,34567 has more than 4 decimals; round it."),
    ],
)
def test_text_that_is_no_exact_number_is_refused(fresh: tuple[Agency, User], typed: str, problem: str) -> None:
    result = _import(plan_workbook(indicator_row("A.1", Baseline=typed)), fresh)
    assert len(result.errors) == 1
    assert _errors(result)[0].startswith(f"Sheet Renstra, row 2, column Baseline: {problem}")
    assert not result.applied


def test_a_formula_is_refused(fresh: tuple[Agency, User]) -> None:
    result = _import(plan_workbook(indicator_row("A.1", **{"Target 2025": "=SUM(4,6)"})), fresh)
    assert _errors(result) == [
        "Sheet Renstra, row 2, column Target 2025: formulas are not accepted; paste the values (Paste Special → "
        "Values) instead."
    ]


def test_duplicate_codes_are_refused(fresh: tuple[Agency, User]) -> None:
    rows = [indicator_row("A.1"), indicator_row("A.1"), indicator_row("B.1", Tujuan="Tujuan lain")]
    result = _import(plan_workbook(*rows), fresh)
    assert _errors(result) == [
        "Sheet Renstra, row 3, column Kode Indikator: the indicator code A.1 is already used in row 2; codes must "
        "be unique.",
        "Sheet Renstra, row 4, column Tujuan: goal T1 has another statement in row 2; a goal has one statement.",
    ]


def test_unknown_parents_units_positions_and_codes_are_named(fresh: tuple[Agency, User]) -> None:
    row = indicator_row("A.1", Induk="X.9", **{"Unit Penanggung Jawab": "NOPE", "Jabatan Penanggung Jawab": "Raja"})
    realisations = table(REALIZATION_HEADER, [{"Tahun": 2025, "Triwulan": 1, "Kode Indikator": "Z.1", "Realisasi": 1}])
    result = _import(plan_workbook(row, indicator_row("A.2"), extra={"Realisasi": realisations}), fresh)
    assert _errors(result) == [
        "Sheet Renstra, row 2, column Induk: no indicator of this plan has the code X.9.",
        "Sheet Renstra, row 2, column Unit Penanggung Jawab: no unit of this agency has the code or name “NOPE”.",
        "Sheet Renstra, row 2, column Jabatan Penanggung Jawab: no position of this agency has the title “Raja”.",
        "Sheet Realisasi, row 2, column Kode Indikator: no indicator of the strategic plan Renstra Uji 2025–2029 "
        "has the code Z.1.",
    ]


def test_a_negative_target_for_a_count_is_refused(fresh: tuple[Agency, User]) -> None:
    result = _import(plan_workbook(indicator_row("A.1", **{"Target 2026": -3})), fresh)
    assert _errors(result) == [
        "Sheet Renstra, row 2, column Target 2026: A count or a percentage cannot have a negative target (-3)."
    ]


def test_a_range_with_swapped_bounds_is_refused(fresh: tuple[Agency, User]) -> None:
    row = indicator_row("A.1", Skala="index", Polaritas="range", **{"Target 2025": "80 s.d. 60", "Target 2026": None})
    result = _import(plan_workbook(row), fresh)
    assert _errors(result) == [
        "Sheet Renstra, row 2, column Target 2025: The lower bound (80) is greater than the upper bound (60); the "
        "bounds are swapped."
    ]


def test_an_unknown_enum_word_lists_the_accepted_ones(fresh: tuple[Agency, User]) -> None:
    result = _import(plan_workbook(indicator_row("A.1", Polaritas="naik")), fresh)
    # The accepted words are listed as the sheet writes them: the Indonesian labels, with their codes.
    assert _errors(result) == [
        f"Sheet Renstra, row 2, column Polaritas: “naik” is not one of: {listed_labels(Polarity)}."
    ]
    assert f"{label_of(Polarity, 'higher')} (higher)" in listed_labels(Polarity)
    with translation.override("id"):
        assert label_of(Scale, "percent") == str(Scale.PERCENT.label)


def test_a_cumulative_percentage_is_a_warning_to_confirm(fresh: tuple[Agency, User]) -> None:
    data = plan_workbook(indicator_row("A.1", Skala="percent", Satuan="%", Agregasi="cumulative"))
    result = _import(data, fresh)
    assert result.errors == []
    assert [(w.sheet, w.row) for w in result.warnings] == [("Renstra", 2)]
    assert "Confirm that this indicator is really cumulative" in str(result.warnings[0])
    assert not result.applied and not Indicator.objects.filter(agency=fresh[0]).exists()
    assert _import(data, fresh, confirmed=True).applied
    assert Indicator.objects.get(agency=fresh[0]).aggregation == "cumulative"


def test_a_service_refusal_is_located_at_its_row_and_column(fresh: tuple[Agency, User]) -> None:
    agreements = table(
        AGREEMENT_HEADER,
        [{"Tahun": 2025, "Tingkat": "agency", "Pihak Pertama": records.KABID_LL, "Pihak Kedua Luar": "Bupati"}],
    )
    budget = table(
        BUDGET_HEADER,
        [{"Tahun": 2025, "Kode": "1", "Nama": "P", "Pagu": 100, "Realisasi TW I": 60, "Realisasi TW II": 50}],
    )
    result = _import(plan_workbook(extra={"Perjanjian Kinerja": agreements, "Anggaran": budget}), fresh)
    assert _errors(result) == [
        "Sheet Perjanjian Kinerja, row 2, column Pihak Pertama: The agency's agreement is made by the head of agency.",
        "Sheet Anggaran, row 2: The total spent (110) is more than the ceiling (100).",
    ]


def test_one_bad_row_saves_nothing_at_all(fresh: tuple[Agency, User]) -> None:
    events = AuditEvent.objects.count()
    realisations = table(REALIZATION_HEADER, [{"Tahun": 2025, "Triwulan": 1, "Kode Indikator": "A.1", "Realisasi": -1}])
    result = _import(plan_workbook(extra={"Realisasi": realisations}), fresh)
    assert _errors(result) == ["Sheet Realisasi, row 2, column Realisasi: A count or a percentage cannot be negative."]
    assert not result.applied
    assert not fresh[0].plans.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"Kode;Nama\n1;Program\n", "This file is not an Excel workbook (.xlsx)."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "This is an old Excel file (.xls) or a workbook protected by a password.",
        ),
    ],
)
def test_a_file_that_is_no_xlsx_is_refused(fresh: tuple[Agency, User], data: bytes, problem: str) -> None:
    assert _errors(_import(data, fresh))[0].startswith(problem)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(fresh: tuple[Agency, User]) -> None:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(60 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    assert _errors(_import(out.getvalue(), fresh)) == [
        "The workbook unpacks to more than 50 MB, far more than a table of figures needs."
    ]


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10 if n > 1 else b"&lol;" * 10) for n in range(1, 10)
    )
    + b"]>"
)


def test_openpyxl_parses_with_defusedxml() -> None:
    # Pinned in requirements.txt: entity declarations are refused outright, not merely bounded by expat.
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet2.xml"])
def test_an_xml_entity_bomb_is_refused_not_expanded(fresh: tuple[Agency, User], part: str) -> None:
    source = zipfile.ZipFile(BytesIO(plan_workbook()))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == part:
                data = LAUGHS + data.replace(b"</", b"&lol9;</", 1)
            archive.writestr(entry, data)
    assert part in source.namelist()
    errors = _errors(_import(out.getvalue(), fresh))
    assert errors == ["The workbook could not be read; it may be damaged. Save it again as .xlsx."]
    assert not StrategicPlan.objects.filter(agency=fresh[0]).exists()


def test_a_sheet_of_more_than_20000_rows_is_refused(fresh: tuple[Agency, User]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Realisasi")
    sheet.append(REALIZATION_HEADER)
    for number in range(20_001):
        sheet.append([2025, 1 + number % 4, f"A.{number}", 1])
    out = BytesIO()
    book.save(out)
    assert _errors(_import(out.getvalue(), fresh)) == [
        "Sheet Realisasi: it has more than 20,000 rows; split it into several files."
    ]


def test_a_signed_agreement_does_not_go_back_to_draft(fresh: tuple[Agency, User]) -> None:
    _import(plan_workbook(extra=_agreement_sheets(status="ditandatangani", signed_on=date(2025, 2, 3))), fresh)
    result = _import(plan_workbook(extra=_agreement_sheets(status="draft")), fresh)
    assert _errors(result) == [
        "Sheet Perjanjian Kinerja, row 2, column Status: the agreement is already signed; a signed agreement does not "
        "go back to draft."
    ]
    assert AgreementTarget.objects.filter(agreement__agency=fresh[0]).count() == 2
    assert _import(plan_workbook(extra=_agreement_sheets(status="")), fresh).applied  # blank: stays signed
    assert PerformanceAgreement.objects.get(agency=fresh[0]).is_signed
