"""The quarterly report, the monev report, the Perjanjian Kinerja and the LKjIP: built from the demo, written as
PDF, DOCX and XLSX, and read back to check that every format shows the figures the database holds.

The expected figures are worked out here from the database rows (and the pure achievement functions), not taken
from the builders. Each kind also builds for a year or an agency without any data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook
from pypdf import PdfReader

from kinerja.accounts.models import User
from kinerja.collection.demo import load_collection_demo
from kinerja.collection.models import DataRequest, ReportingPeriod, Submission
from kinerja.documents import render
from kinerja.documents.builders import build
from kinerja.documents.builders.common import data_state, letterhead
from kinerja.documents.content import MONEY, PERCENT, TEXT, Content, tables
from kinerja.documents.models import Document, Kind
from kinerja.lib.numbers import round_half_up
from kinerja.measurement.achievement import TargetValue, aggregate, score
from kinerja.measurement.models import Realization
from kinerja.measurement.selectors import bands_of, compute, figures
from kinerja.org.models import Agency, Unit
from kinerja.org.selectors import descendant_ids
from kinerja.planning.models import (
    Aggregation,
    AgreementTarget,
    BudgetLine,
    Indicator,
    PerformanceAgreement,
    Polarity,
    StrategicPlan,
)

pytestmark = pytest.mark.django_db

YEAR = 2026
HEAD_NAME = "Ir. Bambang Sutrisno, M.T."


# Building, rendering and reading back


def make(
    agency: Agency, kind: str, *, year: int = YEAR, quarter: int | None = None, unit: Unit | None = None,
    agreement: PerformanceAgreement | None = None, texts: dict[str, str] | None = None,
) -> Document:  # fmt: skip
    return Document.objects.create(
        agency=agency, kind=kind, title=f"{kind} {year}", year=year, quarter=quarter, unit=unit, agreement=agreement,
        texts=texts or {}, created_by=User.objects.get(username="perencanaan"),
    )  # fmt: skip


@dataclass
class Rendered:
    content: dict[str, Any]
    pdf_text: str
    word: Any
    book: Any

    def sheet(self, name: str) -> tuple[list[Any], list[tuple[Any, ...]]]:
        """The header (row 3) and the data rows (from row 4) of a table's sheet."""
        sheet = self.book[name]
        header = [c.value for c in sheet[3]]
        return header, [tuple(row) for row in sheet.iter_rows(min_row=4, values_only=True)]

    def table(self, sheet: str) -> dict[str, Any]:
        return next(t for t in tables(self.content) if t["sheet"] == sheet)

    def rows_by_code(self, sheet: str, column: int) -> dict[str, tuple[Any, ...]]:
        """The data rows of a sheet keyed by the indicator code that starts the text in `column`."""
        _header, rows = self.sheet(sheet)
        return {str(row[column]).split()[0]: row for row in rows if row[column]}


def render_all(content: Content, agency: Agency, *, pdf: bool = True) -> Rendered:
    data = content.as_dict()
    frame = render.Frame(letterhead=letterhead(agency), number="", draft=True)
    text = ""
    if pdf:
        reader = PdfReader(BytesIO(render.render_pdf(data, frame)))
        text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    word = WordDocument(BytesIO(render.render_docx(data, frame)))
    book = load_workbook(BytesIO(render.render_xlsx(data, frame, generated_at=timezone.now())))
    rendered = Rendered(data, text, word, book)
    check_formats_agree(rendered)
    return rendered


def close(cell: Any, expected: Decimal | int | None) -> bool:
    """A spreadsheet number (written from a 28-digit Decimal, read back as a float) against the exact figure."""
    if expected is None or cell is None:
        return expected is None and cell is None
    expected = Decimal(expected)
    return abs(Decimal(str(cell)) - expected) <= Decimal("1e-9") * max(Decimal(1), abs(expected))


def data_tables(word: Any) -> list[Any]:
    """The DOCX tables of the content (ruled), not the letter head or signature grids."""
    return [t for t in word.tables if t.style is not None and t.style.name == "Table Grid"]


def check_formats_agree(rendered: Rendered) -> None:
    """Every table, in the XLSX and the DOCX, holds exactly the content's cells as each format shows them."""
    blocks = tables(rendered.content)
    assert len({t["sheet"] for t in blocks}) == len(blocks), "each table has its own sheet"
    for index, block in enumerate(blocks):
        columns = block["columns"]
        expected_rows = [*block["rows"], *([block["total"]] if block["total"] else [])]
        header, rows = rendered.sheet(block["sheet"])
        assert header == [c["label"] for c in columns]
        assert len(rows) == len(expected_rows)
        for row, expected in zip(rows, expected_rows, strict=True):
            for cell, value, column in zip(row, expected, columns, strict=True):
                if column["type"] == TEXT:
                    assert (cell or "") == (value or "")
                else:
                    assert close(cell, None if value is None else Decimal(value)), (block["sheet"], cell, value)
        word_table = data_tables(rendered.word)[index]
        assert [c.text for c in word_table.rows[0].cells] == [c["label"] for c in columns]
        assert len(word_table.rows) == len(expected_rows) + 1
        for word_row, expected in zip(word_table.rows[1:], expected_rows, strict=True):
            assert [c.text for c in word_row.cells] == [
                render.format_cell(v, c["type"]) for v, c in zip(expected, columns, strict=True)
            ]


def word_cells(rendered: Rendered, sheet: str) -> list[list[str]]:
    index = [t["sheet"] for t in tables(rendered.content)].index(sheet)
    return [[c.text for c in row.cells] for row in data_tables(rendered.word)[index].rows[1:]]


def texts_of(content: Content) -> list[str]:
    return [b["text"] for b in content.blocks if b["type"] in ("paragraph", "heading")]


# What the database says, worked out independently of the builders


def plan_indicators(agency: Agency, unit: Unit | None = None) -> list[Indicator]:
    indicators = Indicator.objects.filter(plan__agency=agency, plan__start_year__lte=YEAR, plan__end_year__gte=YEAR)
    if unit is not None:
        indicators = indicators.filter(responsible_unit_id__in=descendant_ids(unit))
    return list(indicators.select_related("objective__goal", "responsible_unit"))


def realized_in_db(indicator: Indicator, year: int, upto: int) -> Decimal | None:
    values = {
        r.quarter: r.value for r in Realization.objects.filter(indicator=indicator, year=year) if not r.no_data
    }  # fmt: skip
    return aggregate(aggregation=indicator.aggregation, realizations=values, upto=upto)


def annual_target_in_db(indicator: Indicator, year: int) -> Decimal | None:
    target = AgreementTarget.objects.filter(indicator=indicator, year=year, quarter=AgreementTarget.ANNUAL).first()
    return target.value if target else None


def spent_in_db(line: BudgetLine, upto: int) -> Decimal:
    return sum((getattr(line, f"spent_q{q}") or Decimal(0) for q in range(1, upto + 1)), Decimal(0))


def percent_of(amount: Decimal, ceiling: Decimal) -> Decimal:
    return amount * 100 / ceiling


def normalised(text: str) -> str:
    return " ".join(text.split())


# Laporan Kinerja Triwulan


def test_quarterly_report_shows_the_quarters_figures_in_every_format(dishub: Agency) -> None:
    texts = {"analysis": "Capaian triwulan ini dipengaruhi lelang rambu yang gagal.", "closing": "  "}
    content = build(make(dishub, Kind.QUARTERLY_REPORT, quarter=2, texts=texts))
    assert content.landscape and content.title == "Laporan Kinerja Triwulan II Tahun 2026"
    assert content.warning == data_state(dishub, YEAR, 2).warning
    rendered = render_all(content, dishub)

    indicators = plan_indicators(dishub)
    measured = {
        r.indicator.code: r
        for r in figures(dishub, year=YEAR, upto=2, indicators=indicators, bands=bands_of(dishub))
    }  # fmt: skip
    header, _rows = rendered.sheet("Capaian Kinerja")
    assert header[4:9] == ["Target Tahunan", "Target s.d. Triwulan", "Realisasi s.d. Triwulan",
                           "Capaian s.d. Triwulan (%)", "Capaian thd. Target Tahunan (%)"]  # fmt: skip
    rows = rendered.rows_by_code("Capaian Kinerja", 2)
    assert set(rows) == {i.code for i in indicators}
    for indicator in indicators:
        row = rows[indicator.code]
        assert close(row[4], annual_target_in_db(indicator, YEAR))
        assert close(row[6], realized_in_db(indicator, YEAR, 2))
        assert close(row[7], measured[indicator.code].percent)
    # IKU.1 (fewer accidents is better): 159 accidents against 167 to date is (2 × 167 − 159) / 167.
    iku1 = next(i for i in indicators if i.code == "IKU.1")
    expected_iku1 = (2 * Decimal(167) - realized_in_db(iku1, YEAR, 2)) * 100 / 167
    assert close(rows["IKU.1"][7], expected_iku1)

    # The analysis is what the divisions wrote with their second-quarter figures.
    analysis = rendered.rows_by_code("Analisis", 1)
    second = Realization.objects.filter(indicator__in=indicators, year=YEAR, quarter=2).select_related("indicator")
    written = [r for r in second if r.factors_helped or r.factors_hindered or r.follow_up]
    assert written and set(analysis) == {r.indicator.code for r in written}
    for real in written:
        assert analysis[real.indicator.code][2:] == (real.factors_helped, real.factors_hindered, real.follow_up)

    # The budget: the programmes (their activities are part of them), spent in the first two quarters.
    programmes = list(BudgetLine.objects.filter(agency=dishub, year=YEAR, kind=BudgetLine.Kind.PROGRAM))
    _header, budget = rendered.sheet("Anggaran")
    by_code = {str(r[1]).split()[0]: r for r in budget[:-1]}
    assert set(by_code) == {line.code for line in programmes}
    for line in programmes:
        assert close(by_code[line.code][2], line.ceiling)
        assert close(by_code[line.code][3], spent_in_db(line, 2))
        assert close(by_code[line.code][4], percent_of(spent_in_db(line, 2), line.ceiling))
    ceiling = sum((line.ceiling for line in programmes), Decimal(0))
    spent = sum((spent_in_db(line, 2) for line in programmes), Decimal(0))
    assert budget[-1][1] == "Jumlah" and close(budget[-1][2], ceiling) and close(budget[-1][3], spent)
    assert word_cells(rendered, "Anggaran")[-1][2:5] == [
        render.format_cell(ceiling, MONEY), render.format_cell(spent, MONEY),
        render.format_cell(percent_of(spent, ceiling), PERCENT),
    ]  # fmt: skip

    # The user's analysis is printed; a blank closing falls back to the standard sentence.
    assert texts["analysis"] in texts_of(content)
    assert any(t.startswith("Demikian Laporan Kinerja Triwulan II Tahun 2026") for t in texts_of(content))
    assert content.signatures[0]["name"] == HEAD_NAME and content.signatures[0]["signs"]

    pdf = rendered.pdf_text
    for shown in ("LAPORAN KINERJA TRIWULAN II TAHUN 2026", "C. Analisis Capaian Kinerja", "DRAF", texts["analysis"],
                  render.format_cell(ceiling, MONEY), render.format_cell(spent, MONEY),
                  render.format_cell(expected_iku1, PERCENT), "Ir. Bambang Sutrisno, M.T."):  # fmt: skip
        assert shown in pdf, shown


def test_a_divisions_quarterly_report_covers_only_its_indicators_and_budget(dishub: Agency) -> None:
    division = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    content = build(make(dishub, Kind.QUARTERLY_REPORT, quarter=2, unit=division))
    rendered = render_all(content, dishub, pdf=False)
    assert content.subtitle.startswith("Bidang Lalu Lintas")
    expected = {i.code for i in plan_indicators(dishub, division)}
    assert set(rendered.rows_by_code("Capaian Kinerja", 2)) == expected
    assert set(rendered.rows_by_code("Analisis", 1)) <= expected
    lines = list(BudgetLine.objects.filter(agency=dishub, year=YEAR, unit_id__in=descendant_ids(division)))
    _header, budget = rendered.sheet("Anggaran")
    assert [str(r[1]).split()[0] for r in budget[:-1]] == [line.code for line in lines]
    assert close(budget[-1][2], sum((line.ceiling for line in lines), Decimal(0)))
    # Signed by the head of the division.
    assert content.signatures[0]["heading"] == ["KEPALA BIDANG LALU LINTAS"]
    assert content.signatures[0]["name"] == "Agus Setiawan, S.T., M.T."


def test_a_quarter_is_a_draft_until_all_its_data_is_verified(dishub: Agency) -> None:
    planner = User.objects.get(username="perencanaan")
    period = ReportingPeriod.objects.create(agency=dishub, year=2025, quarter=1, due_on=date(2025, 4, 10),
                                            opened_by=planner)  # fmt: skip
    submissions = [
        Submission.objects.create(request=DataRequest.objects.create(
            period=period, kind=DataRequest.Kind.DIVISION, unit=Unit.objects.get(agency=dishub, name=name)
        ), status=status)
        for name, status in (("Sekretariat", Submission.Status.VERIFIED),
                             ("Bidang Angkutan", Submission.Status.SUBMITTED))
    ]  # fmt: skip
    document = make(dishub, Kind.QUARTERLY_REPORT, year=2025, quarter=1)
    assert build(document).warning.startswith("DRAF: sebagian data periode ini belum diverifikasi (1 dari 2")
    Submission.objects.filter(pk=submissions[1].pk).update(status=Submission.Status.VERIFIED)
    assert build(document).warning == ""


def test_quarterly_report_of_an_agency_without_data(kominfo: Agency) -> None:
    content = build(make(kominfo, Kind.QUARTERLY_REPORT, quarter=1))
    rendered = render_all(content, kominfo)
    assert content.warning.startswith("DRAF")
    for sheet in ("Capaian Kinerja", "Analisis", "Anggaran"):
        assert rendered.sheet(sheet)[1] == []
    assert "Belum terdapat indikator kinerja" in rendered.pdf_text and "Tidak ada data." in rendered.pdf_text


# Laporan Monitoring dan Evaluasi


def test_monev_report_shows_divisions_collection_and_indicators_needing_attention(
    dishub: Agency, settings: Any, tmp_path: Any
) -> None:
    settings.EVIDENCE_ROOT = tmp_path
    load_collection_demo()  # the third quarter of 2026, each division at a different step
    texts = {"recommendations": "Percepat lelang ulang rambu dan perbaikan alat uji rem."}
    content = build(make(dishub, Kind.MONEV_REPORT, quarter=3, texts=texts))
    assert content.warning.startswith("DRAF: sebagian data periode ini belum diverifikasi")
    rendered = render_all(content, dishub)

    # Per division: indicators, those filled for the third quarter, and the average achievement to date.
    indicators = plan_indicators(dishub)
    units = {u.pk: u for u in Unit.objects.filter(agency=dishub)}

    def top(unit_id: int) -> str:
        while units[unit_id].parent_id:
            unit_id = units[unit_id].parent_id
        return units[unit_id].name

    third = {r.indicator_id: r for r in Realization.objects.filter(indicator__in=indicators, year=YEAR, quarter=3)}
    measured = {r.indicator.pk: r for r in figures(dishub, year=YEAR, upto=3, indicators=indicators)}
    expected: dict[str, list[Any]] = {}
    for indicator in indicators:
        entry = expected.setdefault(top(indicator.responsible_unit_id), [0, 0, []])
        entry[0] += 1
        real = third.get(indicator.pk)
        entry[1] += bool(real and (real.value is not None or real.text or real.no_data))
        if (percent := measured[indicator.pk].percent) is not None:
            entry[2].append(percent)
    _header, divisions = rendered.sheet("Unit Kerja")
    assert {row[1] for row in divisions[:-1]} == set(expected)
    for row in divisions[:-1]:
        total, filled, percents = expected[row[1]]
        assert close(row[2], total) and close(row[3], filled)
        assert close(row[4], Decimal(filled * 100) / total)
        assert close(row[5], sum(percents, Decimal(0)) / len(percents))
    assert divisions[-1][1] == "Jumlah" and close(divisions[-1][2], len(indicators))
    assert close(divisions[-1][3], sum(e[1] for e in expected.values()))
    assert expected["Bidang Sarana dan Prasarana"][1] == expected["Bidang Sarana dan Prasarana"][0] - 1

    # The collection: every request of the period, its status in Indonesian and how often it was returned.
    period = ReportingPeriod.objects.get(agency=dishub, year=YEAR, quarter=3)
    requests = list(DataRequest.objects.filter(period=period).select_related("unit", "submission"))
    _header, collection = rendered.sheet("Pengumpulan Data")
    assert len(collection) == len(requests)
    status = {row[1]: row[4] for row in collection}
    assert status["Sekretariat"] == "Diverifikasi"
    assert status["Bidang Angkutan"] == "Disetujui, menunggu verifikasi"
    assert status["Bidang Sarana dan Prasarana"] == "Disampaikan, menunggu persetujuan"
    assert status["Bidang Lalu Lintas"] == "Draf, belum disampaikan"
    divisions_requests = {r.unit.name: r for r in requests if r.kind == DataRequest.Kind.DIVISION}
    for row in collection:
        if row[1] in divisions_requests:
            request = divisions_requests[row[1]]
            assert close(row[3], request.indicators.count()) and close(row[6], request.submission.returns)
            assert (row[5] != "-") == (request.submission.submitted_at is not None)

    # Needing attention: achievement to date below 100 % as printed, not reported, or not measurable.
    attention = rendered.rows_by_code("Perlu Perhatian", 1)
    needing = set()
    for indicator in indicators:
        figure, real = measured[indicator.pk], third.get(indicator.pk)
        below = figure.percent is not None and round_half_up(figure.percent, 2) < 100
        missing = real is None or not (real.value is not None or real.text or real.no_data)
        if below or missing or (real and real.no_data):
            needing.add(indicator.code)
    assert set(attention) == needing and "IKK.SP.1" in needing and "IKU.5" not in needing
    assert "belum dilaporkan" in attention["IKK.SP.1"][7]
    for code, row in attention.items():
        indicator = next(i for i in indicators if i.code == code)
        assert close(row[5], realized_in_db(indicator, YEAR, 3))
        assert close(row[6], measured[indicator.pk].percent)

    assert texts["recommendations"] in texts_of(content)
    assert "(Belum diisi.)" in texts_of(content)  # the conclusion was not written
    pdf = rendered.pdf_text
    filled = sum(e[1] for e in expected.values())
    for shown in ("LAPORAN MONITORING DAN EVALUASI CAPAIAN KINERJA", "D. Indikator yang Memerlukan Perhatian",
                  "Diverifikasi", render.format_cell(Decimal(filled * 100) / len(indicators), PERCENT),
                  texts["recommendations"]):  # fmt: skip
        assert shown in pdf, shown


def test_monev_report_of_an_agency_without_data(kominfo: Agency) -> None:
    content = build(make(kominfo, Kind.MONEV_REPORT, quarter=1))
    rendered = render_all(content, kominfo)
    assert content.warning.startswith("DRAF")
    for sheet in ("Unit Kerja", "Pengumpulan Data", "Perlu Perhatian"):
        assert rendered.sheet(sheet)[1] == []
    assert "belum dibuka" in rendered.pdf_text


# Perjanjian Kinerja


def test_agreement_shows_the_statement_targets_budget_and_both_parties(dishub: Agency) -> None:
    agreement = PerformanceAgreement.objects.get(agency=dishub, year=YEAR, level=PerformanceAgreement.Level.AGENCY)
    content = build(make(dishub, Kind.AGREEMENT, agreement=agreement))
    assert content.warning == "" and content.title == "Perjanjian Kinerja Tahun 2026"
    assert {"type": "page_break"} in content.blocks
    rendered = render_all(content, dishub)

    targets: dict[str, dict[int, AgreementTarget]] = {}
    for target in AgreementTarget.objects.filter(agreement=agreement).select_related("indicator"):
        targets.setdefault(target.indicator.code, {})[target.quarter] = target
    rows = rendered.rows_by_code("Target Kinerja", 2)
    assert set(rows) == set(targets) == {"IKU.1", "IKU.2", "IKU.3", "IKU.4", "IKU.5"}
    for code, by_quarter in targets.items():
        for column, quarter in enumerate((0, 1, 2, 3, 4), start=4):
            target = by_quarter.get(quarter)
            assert close(rows[code][column], target.value if target else None)
    assert rows["IKU.5"][9] == "Target: BB"  # a qualitative target has no number

    # The head's programmes: those that support the agreement's indicators.
    programmes = list(BudgetLine.objects.filter(
        agency=dishub, year=YEAR, kind=BudgetLine.Kind.PROGRAM, indicators__agreement_targets__agreement=agreement
    ).distinct().order_by("code"))  # fmt: skip
    _header, budget = rendered.sheet("Anggaran")
    assert [str(r[1]).split()[0] for r in budget[:-1]] == [line.code for line in programmes]
    ceiling = sum((line.ceiling for line in programmes), Decimal(0))
    assert close(budget[-1][2], ceiling)
    assert word_cells(rendered, "Anggaran")[-1] == ["", "Jumlah", render.format_cell(ceiling, MONEY)]

    # Party two (the regent, outside the agency) on the left; party one, who signs, on the right.
    two, one = content.signatures
    assert two["heading"] == ["PIHAK KEDUA,", "BUPATI SUKAMAJU"] and not two["signs"]
    assert one["heading"] == ["PIHAK PERTAMA,", "KEPALA DINAS PERHUBUNGAN"] and one["signs"]
    assert one["name"] == HEAD_NAME and one["place_date"] == "Sukamaju, 31 Januari 2026"
    statement = " ".join(texts_of(content))
    assert f"Nama: {HEAD_NAME}" in statement and "Jabatan: Bupati Sukamaju" in statement
    assert "PIHAK PERTAMA berjanji akan mewujudkan target kinerja Tahun 2026" in statement

    pdf = rendered.pdf_text
    for shown in ("PERJANJIAN KINERJA TAHUN 2026", "PIHAK PERTAMA", "BUPATI SUKAMAJU", HEAD_NAME,
                  "Lampiran Perjanjian Kinerja Tahun 2026", render.format_cell(ceiling, MONEY)):  # fmt: skip
        assert shown in pdf, shown


def test_a_division_agreement_lists_its_activities_and_its_own_statement(dishub: Agency) -> None:
    agreement = PerformanceAgreement.objects.get(agency=dishub, year=YEAR, party_one__title="Kepala Bidang Angkutan")
    texts = {"statement": "Kami berjanji mencapai target dalam lampiran."}
    content = build(make(dishub, Kind.AGREEMENT, agreement=agreement, texts=texts))
    rendered = render_all(content, dishub, pdf=False)
    linked = BudgetLine.objects.filter(agency=dishub, year=YEAR, indicators__agreement_targets__agreement=agreement)
    codes = sorted(set(linked.values_list("code", flat=True)))
    _header, budget = rendered.sheet("Anggaran")
    assert [str(r[1]).split()[0] for r in budget[:-1]] == codes == ["2.15.02.2.09"]
    assert rendered.rows_by_code("Target Kinerja", 2)["IKK.ANG.1"][9] == "Rentang 60 – 80"
    assert texts["statement"] in texts_of(content)
    assert not any("berjanji akan mewujudkan" in t for t in texts_of(content))
    two, one = content.signatures
    assert two["name"] == HEAD_NAME and one["name"] == "Muhammad Ikhsan, S.E., M.Si."


def test_an_agreement_without_targets_and_a_document_without_agreement(dishub: Agency) -> None:
    plan = StrategicPlan.objects.get(agency=dishub)
    head_agreement = PerformanceAgreement.objects.filter(agency=dishub, level=PerformanceAgreement.Level.AGENCY).first()
    empty = PerformanceAgreement.objects.create(
        agency=dishub, plan=plan, year=2031, level=PerformanceAgreement.Level.AGENCY,
        party_one=head_agreement.party_one, party_two_title="Bupati Sukamaju",
    )  # fmt: skip
    content = build(make(dishub, Kind.AGREEMENT, year=2031, agreement=empty))
    rendered = render_all(content, dishub)
    assert content.warning == ""
    assert rendered.sheet("Target Kinerja")[1] == [] and rendered.sheet("Anggaran")[1] == []
    assert "PERJANJIAN KINERJA TAHUN 2031" in rendered.pdf_text
    missing = build(make(dishub, Kind.AGREEMENT))
    render_all(missing, dishub, pdf=False)
    assert "belum dipilih" in " ".join(texts_of(missing))


# LKjIP


def test_lkjip_reports_the_year_against_targets_past_years_and_the_renstra(dishub: Agency) -> None:
    texts = {"analysis": "Kegagalan lelang rambu menjadi penyebab utama capaian rendah."}
    content = build(make(dishub, Kind.LKJIP, texts=texts))
    assert content.cover and content.warning.startswith("DRAF")
    rendered = render_all(content, dishub)
    indicators = plan_indicators(dishub)
    codes = {i.code for i in indicators}
    measured = {r.indicator.code: r for r in figures(dishub, year=YEAR, upto=4, indicators=indicators)}

    # 1. Target, realisation and achievement against the annual target.
    year_rows = rendered.rows_by_code("Capaian 2026", 2)
    assert set(year_rows) == codes
    for indicator in indicators:
        row = year_rows[indicator.code]
        assert close(row[4], annual_target_in_db(indicator, YEAR))
        assert close(row[5], realized_in_db(indicator, YEAR, 4))
        assert close(row[6], measured[indicator.code].annual_percent)
    # IKS.SP.1 reported 3, 1 and 2 points against 30 for the year: 20 %.
    assert close(year_rows["IKS.SP.1"][6], Decimal(20))

    # 2. Against the two years before, each year's annual result as the database gives it.
    header, _rows = rendered.sheet("Perbandingan Tahun")
    assert header[3:] == ["Realisasi 2024", "Capaian 2024 (%)", "Realisasi 2025", "Capaian 2025 (%)",
                          "Realisasi 2026", "Capaian 2026 (%)"]  # fmt: skip
    history = rendered.rows_by_code("Perbandingan Tahun", 1)
    for indicator in indicators:
        for offset, year in enumerate((2024, 2025)):
            targets = {t.quarter: t for t in AgreementTarget.objects.filter(indicator=indicator, year=year)}
            reals = {r.quarter: r for r in Realization.objects.filter(indicator=indicator, year=year)}
            past = compute(indicator, targets=targets, realizations=reals, upto=4)
            assert close(history[indicator.code][3 + 2 * offset], realized_in_db(indicator, year, 4))
            assert close(history[indicator.code][4 + 2 * offset], past.annual.percent if past else None)
    assert close(history["IKK.SP.1"][3], realized_in_db(Indicator.objects.get(code="IKK.SP.1"), 2024, 4))

    # 3. Against the Renstra end target, by each indicator's own rule.
    renstra = rendered.rows_by_code("Target Akhir Renstra", 1)
    for indicator in indicators:
        value = realized_in_db(indicator, YEAR, 4)
        expected = None
        running_low = indicator.aggregation == Aggregation.CUMULATIVE and indicator.polarity != Polarity.HIGHER
        year_in = Realization.objects.filter(indicator=indicator, year=YEAR, quarter=4).exists()
        if indicator.end_target is not None and value is not None and (year_in or not running_low):
            expected, _reason = score(polarity=indicator.polarity, realized=value,
                                      target=TargetValue(indicator.end_target, indicator.end_target_upper))  # fmt: skip
        assert close(renstra[indicator.code][3], indicator.end_target)
        assert close(renstra[indicator.code][5], expected)
    assert close(renstra["IKU.2"][5], realized_in_db(Indicator.objects.get(code="IKU.2"), YEAR, 4) * 100 / 78)
    # The accidents of three quarters are not set against a whole year's ceiling.
    assert renstra["IKU.1"][5] is None and "Triwulan IV" in renstra["IKU.1"][6]

    # 4. The causes: every distinct text the divisions wrote over the year, with its quarters.
    analysis = rendered.rows_by_code("Analisis", 1)
    for real in Realization.objects.filter(indicator__in=indicators, year=YEAR).select_related("indicator"):
        for column, text in ((2, real.factors_helped), (3, real.factors_hindered), (4, real.follow_up)):
            if text:
                assert text in analysis[real.indicator.code][column]
    assert analysis["IKU.1"][2].startswith("TW I, II, III: ")
    assert texts["analysis"] in texts_of(content)

    # 5. Efficiency of every budget line, and B. the programmes' budget with its total.
    lines = list(BudgetLine.objects.filter(agency=dishub, year=YEAR).order_by("code"))
    _header, efficiency = rendered.sheet("Efisiensi")
    assert [str(r[1]).split()[0] for r in efficiency] == [line.code for line in lines]
    for row, line in zip(efficiency, lines, strict=True):
        assert close(row[2], line.ceiling) and close(row[3], spent_in_db(line, 4))
        assert close(row[4], percent_of(spent_in_db(line, 4), line.ceiling))
        assert close(row[6], Decimal(str(row[5])) - Decimal(str(row[4])))
    programmes = [line for line in lines if line.kind == BudgetLine.Kind.PROGRAM]
    _header, budget = rendered.sheet("Realisasi Anggaran")
    ceiling = sum((line.ceiling for line in programmes), Decimal(0))
    spent = sum((spent_in_db(line, 4) for line in programmes), Decimal(0))
    assert [str(r[1]).split()[0] for r in budget[:-1]] == [line.code for line in programmes]
    assert close(budget[-1][2], ceiling) and close(budget[-1][3], spent)
    assert close(budget[-1][4], percent_of(spent, ceiling))
    assert word_cells(rendered, "Realisasi Anggaran")[-1][2:4] == [
        render.format_cell(ceiling, MONEY), render.format_cell(spent, MONEY)
    ]  # fmt: skip

    # BAB II and the appendix: the head's Perjanjian Kinerja, and the Form Pengukuran Kinerja of every indicator.
    head_agreement = PerformanceAgreement.objects.get(agency=dishub, year=YEAR, level=PerformanceAgreement.Level.AGENCY)
    agreed = {
        t.indicator.code: t for t in AgreementTarget.objects.filter(agreement=head_agreement).select_related("indicator")
        if t.quarter == AgreementTarget.ANNUAL
    }  # fmt: skip
    pk = rendered.rows_by_code("PK 2026", 2)
    assert set(pk) == set(agreed) == set(rendered.rows_by_code("Lampiran PK", 2))
    for code, target in agreed.items():
        assert close(pk[code][4], target.value)
    assert set(rendered.rows_by_code("Form Pengukuran Kinerja", 2)) == codes
    assert set(rendered.rows_by_code("Renstra", 3)) == codes

    summary = next(b["text"] for b in content.blocks if b["type"] == "paragraph" and "mengukur" in b["text"])
    assert f"mengukur {len(indicators)} indikator kinerja" in summary
    assert f"Rp {render.format_cell(spent, MONEY)} dari pagu Rp {render.format_cell(ceiling, MONEY)}" in summary
    units = next(b["items"] for b in content.blocks if b["type"] == "list")
    assert units[0] == "Kepala Dinas Perhubungan" and units[-1] == "UPT Pengujian Kendaraan Bermotor"
    assert any(item.startswith("Bidang Angkutan, membawahkan Seksi Angkutan Orang") for item in units)

    pdf = rendered.pdf_text
    for shown in ("KATA PENGANTAR", "IKHTISAR EKSEKUTIF", "BAB I PENDAHULUAN", "BAB II PERENCANAAN KINERJA",
                  "BAB III AKUNTABILITAS KINERJA", "BAB IV PENUTUP", "LAMPIRAN", render.format_cell(ceiling, MONEY),
                  render.format_cell(spent, MONEY), render.format_cell(Decimal(20), PERCENT), HEAD_NAME):  # fmt: skip
        assert shown in pdf, shown


def test_lkjip_reads_the_same_number_of_queries_whatever_the_number_of_indicators(dishub: Agency) -> None:
    document = make(dishub, Kind.LKJIP)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build(document)
        return len(captured.captured_queries)

    queries()  # the agency's local government is read once and kept
    before = queries()
    sample = Indicator.objects.get(code="IKU.2")
    added = Indicator.objects.bulk_create([
        Indicator(agency=dishub, plan=sample.plan, objective=sample.objective, code=f"X.{n}", name=f"Indikator {n}",
                  unit_of_measure="%", end_target=Decimal(90), sort_order=1000 + n)
        for n in range(80)
    ])  # fmt: skip
    agreement = PerformanceAgreement.objects.get(agency=dishub, year=YEAR, level=PerformanceAgreement.Level.AGENCY)
    AgreementTarget.objects.bulk_create([
        AgreementTarget(agreement=agreement, indicator=i, year=YEAR, quarter=q, value=Decimal(80 + q))
        for i in added for q in range(5)
    ])  # fmt: skip
    assert queries() == before < 40


def test_lkjip_of_an_agency_without_data_and_of_a_year_after_the_renstra(dishub: Agency, kominfo: Agency) -> None:
    content = build(make(kominfo, Kind.LKJIP))
    rendered = render_all(content, kominfo)
    assert content.warning.startswith("DRAF")
    for block in tables(content.as_dict()):
        assert rendered.sheet(block["sheet"])[1] == []
    assert "BAB III AKUNTABILITAS KINERJA" in rendered.pdf_text
    later = build(make(dishub, Kind.LKJIP, year=2031))
    rendered = render_all(later, dishub, pdf=False)
    assert later.warning.startswith("DRAF")
    assert rendered.sheet("Realisasi Anggaran")[1] == [] and rendered.sheet("PK 2031")[1] == []
    assert any("di luar periode Rencana Strategis" in t for t in texts_of(later))
