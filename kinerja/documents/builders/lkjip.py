"""Laporan Kinerja Instansi Pemerintah (LKjIP) of a year, in the structure of PermenPAN-RB 53/2014: foreword,
executive summary, BAB I introduction, BAB II performance planning (Renstra and the year's Perjanjian Kinerja),
BAB III accountability (achievement against the target, past years and the Renstra end target, its causes and the
efficiency of the budget; the budget realised), BAB IV closing, and the appendices (the PK targets and the Form
Pengukuran Kinerja). Signed by the head.

Every figure comes from `plan_figures` and `budget_figures`, which load any number of indicators in a fixed
number of queries; nothing here queries per indicator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from kinerja.documents.builders.agreement import TARGET_COLUMNS, target_note, target_rows
from kinerja.documents.builders.common import (
    letterhead,
    place_date,
    plan_figures,
    realized,
    signer_position,
    target_of,
    year_state,
)
from kinerja.documents.builders.measurement import BUDGET_COLUMNS, PERFORMANCE_COLUMNS, budget_rows, performance_rows
from kinerja.documents.builders.quarterly import (
    ANALYSIS_COLUMNS,
    analysis_rows,
    joined,
    percent_text,
    summarize,
    summary_sentence,
    text_of,
    top_level,
)
from kinerja.documents.chains import party
from kinerja.documents.content import MONEY, NUMBER, PERCENT, TEXT, Column, Content
from kinerja.documents.models import Document
from kinerja.documents.render import format_cell
from kinerja.measurement.achievement import Measure, Status, TargetValue, score
from kinerja.measurement.predicates import EFFICIENT, FAIRLY_EFFICIENT, INEFFICIENT
from kinerja.measurement.selectors import BudgetFigures, IndicatorFigures, budget_figures
from kinerja.org.models import Agency, Position, Role
from kinerja.org.selectors import unit_tree
from kinerja.planning.models import (
    Aggregation,
    AgreementTarget,
    Indicator,
    PerformanceAgreement,
    Polarity,
    StrategicPlan,
)

TEXTS = {
    "foreword": _("Foreword (Kata Pengantar)"),
    "summary": _("Executive summary (optional: replaces the generated one)"),
    "background": _("Background (Latar Belakang)"),
    "analysis": _("Analysis of achievement"),
    "closing": _("Closing (Penutup)"),
}
EFFICIENCY = {EFFICIENT: "Efisien", FAIRLY_EFFICIENT: "Cukup Efisien", INEFFICIENT: "Tidak Efisien"}

YEAR_COLUMNS = [
    Column("No", TEXT, 4), Column("Sasaran Strategis", TEXT, 18), Column("Indikator Kinerja", TEXT, 24),
    Column("Satuan", TEXT, 8), Column("Target", NUMBER, 9), Column("Realisasi", NUMBER, 9),
    Column("Capaian (%)", PERCENT, 8), Column("Predikat", TEXT, 9), Column("Keterangan", TEXT, 11),
]  # fmt: skip
RENSTRA_COLUMNS = [
    Column("No", TEXT, 4), Column("Tujuan", TEXT, 20), Column("Sasaran Strategis", TEXT, 20),
    Column("Indikator Kinerja", TEXT, 24), Column("Satuan", TEXT, 8), Column("Kondisi Awal", NUMBER, 8),
    Column("Target Akhir Renstra", NUMBER, 8), Column("Keterangan", TEXT, 8),
]  # fmt: skip
EFFICIENCY_COLUMNS = [
    Column("No", TEXT, 4), Column("Program / Kegiatan", TEXT, 36), Column("Anggaran (Rp)", MONEY, 13),
    Column("Realisasi (Rp)", MONEY, 13), Column("Serapan (%)", PERCENT, 8), Column("Capaian Kinerja (%)", PERCENT, 8),
    Column("Selisih Capaian – Serapan (poin)", NUMBER, 9), Column("Kategori", TEXT, 9),
]  # fmt: skip


def note_of(row: IndicatorFigures) -> str:
    """What the numeric cells of a year's row cannot say: a qualitative result, a missing or unmeasurable one."""
    if row.is_qualitative:
        reported = [r for q, r in sorted(row.realizations.items()) if q <= row.upto and r.text]
        parts = [target_note(row.annual), f"Realisasi: {reported[-1].text}" if reported else "Belum dilaporkan"]
        return "; ".join(p for p in parts if p)
    parts = [target_note(row.annual)]
    current = row.current
    if current is not None and current.no_data:
        parts.append("Data triwulan terakhir tidak dapat diperoleh")
    measure = row.measure
    if measure is not None and measure.annual.status == Status.NOT_REPORTED:
        parts.append("Belum dilaporkan")
    elif measure is not None and measure.annual.status == Status.NOT_COMPUTABLE:
        parts.append(
            "Dibandingkan dengan target tahunan setelah realisasi Triwulan IV dilaporkan"
            if year_incomplete(row)
            else "Capaian belum dapat dihitung"
        )
    return "; ".join(p for p in parts if p)


def year_rows(rows: list[IndicatorFigures]) -> list[list[Any]]:
    table, objective_seen = [], None
    for index, row in enumerate(rows, start=1):
        objective = row.indicator.objective
        label = objective.statement if objective and objective.pk != objective_seen else ""
        objective_seen = objective.pk if objective else None
        band = row.annual_band.label if row.annual_band else "—"
        table.append([
            str(index), label, f"{row.indicator.code} {row.indicator.name}", row.indicator.unit_of_measure,
            target_of(row, None), realized(row), row.annual_percent, band, note_of(row),
        ])  # fmt: skip
    return table


def history_columns(years: tuple[int, ...]) -> list[Column]:
    columns = [Column("No", TEXT, 4), Column("Indikator Kinerja", TEXT, 26), Column("Satuan", TEXT, 8)]
    for year in years:
        columns += [Column(f"Realisasi {year}", NUMBER, 10), Column(f"Capaian {year} (%)", PERCENT, 10)]
    return columns


def history_rows(rows: list[IndicatorFigures], years: tuple[int, ...], year: int) -> list[list[Any]]:
    table = []
    for index, row in enumerate(rows, start=1):
        cells: list[Any] = []
        for past in years:
            measure: Measure | None = row.measure if past == year else row.history.get(past)
            cells += [measure.annual.realized, measure.annual.percent] if measure else [None, None]
        table.append([str(index), f"{row.indicator.code} {row.indicator.name}", row.indicator.unit_of_measure, *cells])
    return table


def end_target_note(indicator: Indicator) -> str:
    """A qualitative Renstra end target, or the bounds of a range one."""
    if indicator.end_target_text:
        return f"Target: {indicator.end_target_text}"
    if indicator.end_target_upper is not None:
        return (
            f"Rentang {format_cell(indicator.end_target, NUMBER)} – {format_cell(indicator.end_target_upper, NUMBER)}"
        )
    return ""


def year_incomplete(row: IndicatorFigures) -> bool:
    """A running total that should stay low (or within a range) is only compared with a whole year's target once
    the fourth quarter is in, as the annual achievement is."""
    indicator = row.indicator
    return (
        indicator.aggregation == Aggregation.CUMULATIVE and indicator.polarity != Polarity.HIGHER
        and (row.measure is None or 4 not in row.measure.reported)
    )  # fmt: skip


def end_target_percent(row: IndicatorFigures) -> Decimal | None:
    """The year's realisation measured against the Renstra end target, by the indicator's own rule."""
    indicator, value = row.indicator, realized(row)
    if row.is_qualitative or indicator.end_target is None or value is None or year_incomplete(row):
        return None
    percent, _reason = score(
        polarity=indicator.polarity, target=TargetValue(indicator.end_target, indicator.end_target_upper),
        realized=value,
    )  # fmt: skip
    return percent


def renstra_end_columns(plan: StrategicPlan | None, year: int) -> list[Column]:
    end = f" ({plan.end_year})" if plan else ""
    return [
        Column("No", TEXT, 4), Column("Indikator Kinerja", TEXT, 30), Column("Satuan", TEXT, 8),
        Column(f"Target Akhir Renstra{end}", NUMBER, 11), Column(f"Realisasi {year}", NUMBER, 11),
        Column("Capaian thd. Target Akhir Renstra (%)", PERCENT, 12), Column("Keterangan", TEXT, 14),
    ]  # fmt: skip


def renstra_end_rows(rows: list[IndicatorFigures]) -> list[list[Any]]:
    table = []
    for index, row in enumerate(rows, start=1):
        indicator = row.indicator
        note = end_target_note(indicator)
        if year_incomplete(row) and realized(row) is not None:
            note = "; ".join(filter(None, [note, "Dibandingkan setelah realisasi Triwulan IV dilaporkan"]))
        table.append([
            str(index), f"{indicator.code} {indicator.name}", indicator.unit_of_measure, indicator.end_target,
            realized(row), end_target_percent(row), note,
        ])  # fmt: skip
    return table


def renstra_rows(rows: list[IndicatorFigures]) -> list[list[Any]]:
    table, goal_seen, objective_seen = [], None, None
    for index, row in enumerate(rows, start=1):
        indicator = row.indicator
        objective = indicator.objective
        goal = objective.goal if objective else None
        goal_label = f"{goal.code} {goal.statement}" if goal and goal.pk != goal_seen else ""
        objective_label = (
            f"{objective.code} {objective.statement}" if objective and objective.pk != objective_seen else ""
        )
        goal_seen, objective_seen = (goal.pk if goal else None), (objective.pk if objective else None)
        table.append([
            str(index), goal_label, objective_label, f"{indicator.code} {indicator.name}", indicator.unit_of_measure,
            indicator.baseline, indicator.end_target, end_target_note(indicator),
        ])  # fmt: skip
    return table


def efficiency_rows(budget: list[BudgetFigures]) -> list[list[Any]]:
    return [
        [str(i), f"{b.line.code} {b.line.name}", b.line.ceiling, b.spent, b.absorption, b.achievement, b.efficiency,
         EFFICIENCY.get(b.efficiency_category, "-")]
        for i, b in enumerate(budget, start=1)
    ]  # fmt: skip


def agreement_items(
    agency: Agency, year: int, rows: list[IndicatorFigures]
) -> list[tuple[Indicator, dict[int, AgreementTarget]]]:
    """The indicators and targets of the head's Perjanjian Kinerja of the year, from the figures already loaded;
    every indicator with a target when the agency has no agreement at that level."""
    head_agreement = (
        PerformanceAgreement.objects.filter(agency=agency, year=year, level=PerformanceAgreement.Level.AGENCY)
        .order_by("pk").values_list("pk", flat=True).first()
    )  # fmt: skip
    agreed = [
        (r.indicator, r.targets) for r in rows
        if head_agreement is not None and any(t.agreement_id == head_agreement for t in r.targets.values())
    ]  # fmt: skip
    return agreed or [(r.indicator, r.targets) for r in rows if r.targets]


def organisation(agency: Agency) -> list[str]:
    """The head, then each top unit with the units under it."""
    head = Position.objects.filter(agency=agency, role=Role.HEAD, is_active=True).order_by("pk").first()
    items = [head.title] if head else []
    tree = unit_tree(agency)
    for index, node in enumerate(tree):
        if node.depth:
            continue
        children = []
        for later in tree[index + 1 :]:
            if later.depth == 0:
                break
            if later.depth == 1:
                children.append(later.unit.name)
        items.append(f"{node.unit.name}, membawahkan {joined(children)}" if children else node.unit.name)
    return items


def build(document: Document) -> Content:
    agency, year = document.agency, document.year
    head = letterhead(agency)
    name = head["agency_name"]
    past_years = (year - 2, year - 1)
    plan, rows = plan_figures(agency, year, 4, history_years=past_years)
    budget = budget_figures(agency, year=year, upto=4, rows=rows)
    top_budget = top_level(budget, lambda b: b.line.code)
    lines, total = budget_rows(top_budget)
    summary = summarize(rows, annual=True)
    content = Content(
        kind=document.kind, title="Laporan Kinerja Instansi Pemerintah (LKjIP)", subtitle=f"{name} Tahun {year}",
        cover=True, warning=year_state(agency, year).warning,
    )  # fmt: skip

    content.heading("KATA PENGANTAR", 1)
    content.paragraph(text_of(document, "foreword", (
        f"Puji syukur kita panjatkan ke hadirat Tuhan Yang Maha Esa, karena atas rahmat-Nya Laporan Kinerja Instansi "
        f"Pemerintah (LKjIP) {name} Tahun {year} dapat diselesaikan. Laporan ini disusun sebagai wujud "
        f"pertanggungjawaban atas pelaksanaan tugas dan fungsi serta pencapaian sasaran strategis yang ditetapkan "
        f"dalam Rencana Strategis dan Perjanjian Kinerja Tahun {year}, sesuai dengan Peraturan Presiden Nomor 29 "
        f"Tahun 2014 tentang Sistem Akuntabilitas Kinerja Instansi Pemerintah dan Peraturan Menteri Pendayagunaan "
        f"Aparatur Negara dan Reformasi Birokrasi Nomor 53 Tahun 2014.\n\n"
        f"Semoga laporan ini bermanfaat sebagai bahan evaluasi dan perbaikan kinerja pada tahun-tahun berikutnya."
    )))  # fmt: skip
    content.page_break()

    content.heading("IKHTISAR EKSEKUTIF", 1)
    generated = f"Pada Tahun {year}, {name} mengukur {summary.total} indikator kinerja. " + summary_sentence(
        summary, against="target tahunan"
    )
    if top_budget:
        generated += (
            f" Realisasi anggaran mencapai Rp {format_cell(total[3], MONEY)} dari pagu Rp "
            f"{format_cell(total[2], MONEY)} ({percent_text(total[4])})."
        )
    content.paragraph(text_of(document, "summary", generated))
    content.page_break()

    content.heading("BAB I PENDAHULUAN", 1)
    content.heading("A. Latar Belakang", 2)
    content.paragraph(text_of(document, "background", (
        f"Sistem Akuntabilitas Kinerja Instansi Pemerintah (SAKIP) mewajibkan setiap instansi pemerintah menyusun "
        f"laporan kinerja sebagai pertanggungjawaban atas pencapaian sasaran yang telah ditetapkan. Laporan Kinerja "
        f"{name} Tahun {year} menyajikan capaian kinerja yang diperjanjikan dalam Perjanjian Kinerja Tahun {year} "
        f"dan membandingkannya dengan target, dengan realisasi tahun-tahun sebelumnya, serta dengan target akhir "
        f"Rencana Strategis."
    )))  # fmt: skip
    content.heading("B. Struktur Organisasi", 2)
    units = organisation(agency)
    if units:
        content.paragraph(f"Susunan organisasi {name} terdiri atas:")
        content.items(units)
    else:
        content.paragraph("Susunan organisasi belum dicatat dalam aplikasi.")
    content.heading("C. Sistematika Penyajian", 2)
    content.items([
        "Bab I Pendahuluan: latar belakang, struktur organisasi, dan sistematika penyajian.",
        "Bab II Perencanaan Kinerja: Rencana Strategis dan Perjanjian Kinerja tahun berjalan.",
        "Bab III Akuntabilitas Kinerja: capaian kinerja organisasi dan realisasi anggaran.",
        "Bab IV Penutup: simpulan atas capaian kinerja dan langkah perbaikan ke depan.",
        "Lampiran: Perjanjian Kinerja dan Form Pengukuran Kinerja.",
    ])  # fmt: skip
    content.page_break()

    content.heading("BAB II PERENCANAAN KINERJA", 1)
    content.heading("A. Rencana Strategis", 2)
    if plan is None:
        content.paragraph("Rencana Strategis belum dicatat dalam aplikasi.")
    else:
        content.paragraph(
            f"Perencanaan kinerja {name} berpedoman pada {plan.name} untuk periode {plan.start_year}–"
            f"{plan.end_year}, yang menetapkan tujuan, sasaran strategis, dan indikator kinerja berikut beserta "
            f"target akhirnya."
        )
        if not plan.covers(year):
            content.paragraph(
                f"Tahun {year} berada di luar periode Rencana Strategis tersebut; Rencana Strategis yang mencakup "
                f"Tahun {year} belum dicatat dalam aplikasi."
            )
    content.table(
        title="Tabel 2.1 Tujuan, Sasaran Strategis, dan Indikator Kinerja Rencana Strategis", sheet="Renstra",
        columns=RENSTRA_COLUMNS, rows=renstra_rows(rows),
    )  # fmt: skip
    content.heading(f"B. Perjanjian Kinerja Tahun {year}", 2)
    agreed = agreement_items(agency, year, rows)
    annual_targets = [[r[0], r[1], r[2], r[3], r[4], r[9]] for r in target_rows(agreed)]
    content.table(
        title=f"Tabel 2.2 Target Kinerja dalam Perjanjian Kinerja Tahun {year}", sheet=f"PK {year}",
        columns=[*TARGET_COLUMNS[:5], TARGET_COLUMNS[9]], rows=annual_targets,
    )  # fmt: skip
    content.page_break()

    content.heading("BAB III AKUNTABILITAS KINERJA", 1)
    content.heading("A. Capaian Kinerja Organisasi", 2)
    content.paragraph(
        "Capaian kinerja diukur dengan membandingkan realisasi setiap indikator dengan targetnya. Untuk indikator "
        "yang semakin kecil semakin baik, capaian dihitung dengan rumus (2 × target − realisasi) ÷ target × 100%."
    )
    content.heading(f"1. Perbandingan Target dan Realisasi Kinerja Tahun {year}", 3)
    content.paragraph(summary_sentence(summary, against="target tahunan"))
    content.table(
        title=f"Tabel 3.1 Target, Realisasi, dan Capaian Kinerja Tahun {year}", sheet=f"Capaian {year}",
        columns=YEAR_COLUMNS, rows=year_rows(rows),
    )  # fmt: skip
    years = (*past_years, year)
    content.heading("2. Perbandingan Realisasi dan Capaian dengan Tahun Sebelumnya", 3)
    content.table(
        title=f"Tabel 3.2 Realisasi dan Capaian Kinerja Tahun {years[0]}–{year}", sheet="Perbandingan Tahun",
        columns=history_columns(years), rows=history_rows(rows, years, year),
    )  # fmt: skip
    content.heading("3. Perbandingan Realisasi dengan Target Akhir Rencana Strategis", 3)
    content.table(
        title="Tabel 3.3 Realisasi terhadap Target Akhir Rencana Strategis", sheet="Target Akhir Renstra",
        columns=renstra_end_columns(plan, year), rows=renstra_end_rows(rows),
    )  # fmt: skip
    content.heading("4. Analisis Penyebab Keberhasilan dan Kegagalan", 3)
    content.table(
        title=f"Tabel 3.4 Faktor Pendukung, Faktor Penghambat, dan Tindak Lanjut Tahun {year}", sheet="Analisis",
        columns=ANALYSIS_COLUMNS, rows=analysis_rows(rows, (1, 2, 3, 4)),
    )  # fmt: skip
    content.paragraph(text_of(document, "analysis"))
    content.heading("5. Analisis Efisiensi Penggunaan Sumber Daya", 3)
    content.paragraph(
        "Efisiensi dinilai dari selisih antara rata-rata capaian indikator yang didukung setiap program/kegiatan "
        "dan persentase serapan anggarannya: lebih dari 5 poin tergolong efisien, kurang dari −5 poin tidak "
        "efisien, dan di antaranya cukup efisien."
    )
    content.table(
        title=f"Tabel 3.5 Efisiensi Penggunaan Anggaran Tahun {year}", sheet="Efisiensi", columns=EFFICIENCY_COLUMNS,
        rows=efficiency_rows(budget),
    )  # fmt: skip
    content.heading("B. Realisasi Anggaran", 2)
    content.table(
        title=f"Tabel 3.6 Anggaran dan Realisasi Tahun {year}", sheet="Realisasi Anggaran", columns=BUDGET_COLUMNS,
        rows=lines, total=total if lines else None,
    )  # fmt: skip
    content.page_break()

    content.heading("BAB IV PENUTUP", 1)
    content.paragraph(text_of(document, "closing", (
        f"Laporan Kinerja {name} Tahun {year} ini menggambarkan capaian kinerja atas target yang telah "
        f"diperjanjikan. Indikator yang belum mencapai target akan menjadi perhatian dalam perencanaan, "
        f"penganggaran, dan pelaksanaan program tahun berikutnya, sedangkan capaian yang baik akan dipertahankan."
    )))  # fmt: skip
    content.signature_place()

    content.page_break()
    content.heading("LAMPIRAN", 1)
    content.table(
        title=f"Lampiran 1. Perjanjian Kinerja Tahun {year}: Target Tahunan dan Triwulanan", sheet="Lampiran PK",
        columns=TARGET_COLUMNS, rows=target_rows(agreed),
    )  # fmt: skip
    content.table(
        title=f"Lampiran 2. Form Pengukuran Kinerja Tahun {year}", sheet="Form Pengukuran Kinerja",
        columns=PERFORMANCE_COLUMNS, rows=performance_rows(rows, 4),
    )  # fmt: skip
    content.signatures = [party(signer_position(document), signs=True, place_date=place_date(agency))]
    return content
