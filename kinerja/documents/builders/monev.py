"""Laporan Monitoring dan Evaluasi Capaian Kinerja (seed 001): for one quarter, how far each division has
filled its data and how it is doing, where the quarter's data collection stands, and the indicators that need
attention, followed by the planning unit's findings, recommendations and conclusion. Signed by the head."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.collection.models import DataRequest, ReportingPeriod, Submission
from kinerja.documents.builders.common import (
    ROMAN_QUARTERS,
    data_state,
    document_year_quarter,
    letterhead,
    place_date,
    plan_figures,
    quarter_label,
    realized,
    signer_position,
)
from kinerja.documents.builders.quarterly import HUNDRED, joined, percent_text, text_of
from kinerja.documents.chains import party
from kinerja.documents.content import NUMBER, PERCENT, TEXT, Column, Content
from kinerja.documents.models import Document
from kinerja.documents.render import long_date
from kinerja.lib.numbers import round_half_up
from kinerja.measurement.achievement import Status
from kinerja.measurement.selectors import IndicatorFigures, division_status
from kinerja.org.models import Agency, Unit

TEXTS = {
    "findings": _("Findings (optional: replaces the generated ones)"),
    "recommendations": _("Recommendations"),
    "conclusion": _("Conclusion"),
}
NO_UNIT = "Tanpa unit penanggung jawab"
SUBMISSION_STATUS = {
    Submission.Status.DRAFT: "Draf, belum disampaikan",
    Submission.Status.SUBMITTED: "Disampaikan, menunggu persetujuan",
    Submission.Status.RETURNED: "Dikembalikan untuk diperbaiki",
    Submission.Status.APPROVED: "Disetujui, menunggu verifikasi",
    Submission.Status.VERIFIED: "Diverifikasi",
}
NOT_STARTED = "Belum dibuat"

# Sections added by the app that records the monev itself (its plan, visits, findings, recommendations and
# follow-ups). That app comes after documents in the dependency order, so it registers here from its AppConfig
# instead of being imported: each function gets the content being built, the agency, the year and the quarter.
SECTIONS: list[Callable[[Content, Agency, int, int], None]] = []
REQUEST_KIND = {DataRequest.Kind.DIVISION: "Unit kerja", DataRequest.Kind.INDIVIDUAL: "Individu (IKI)"}

DIVISION_COLUMNS = [
    Column("No", TEXT, 5), Column("Unit Kerja", TEXT, 35), Column("Jumlah Indikator", NUMBER, 12),
    Column("Indikator Terisi", NUMBER, 12), Column("Keterisian (%)", PERCENT, 12),
    Column("Rata-rata Capaian (%)", PERCENT, 14),
]  # fmt: skip
COLLECTION_COLUMNS = [
    Column("No", TEXT, 5), Column("Unit Kerja / Jabatan", TEXT, 32), Column("Jenis", TEXT, 11),
    Column("Jumlah Indikator", NUMBER, 9), Column("Status", TEXT, 20), Column("Tanggal Disampaikan", TEXT, 13),
    Column("Dikembalikan (kali)", NUMBER, 10),
]  # fmt: skip
ATTENTION_COLUMNS = [
    Column("No", TEXT, 4), Column("Indikator Kinerja", TEXT, 24), Column("Unit Penanggung Jawab", TEXT, 13),
    Column("Satuan", TEXT, 7), Column("Target s.d. Triwulan", NUMBER, 8), Column("Realisasi s.d. Triwulan", NUMBER, 8),
    Column("Capaian (%)", PERCENT, 7), Column("Keterangan", TEXT, 14), Column("Tindak Lanjut", TEXT, 15),
]  # fmt: skip


def period_of(document: Document, year: int, quarter: int) -> ReportingPeriod | None:
    if document.period_id:
        return document.period
    return ReportingPeriod.objects.filter(agency=document.agency, year=year, quarter=quarter).first()


def division_rows(rows: list[IndicatorFigures], units: list[Unit]) -> tuple[list[list[Any]], list[Any] | None]:
    statuses = division_status(rows, units)
    table = [
        [str(i), s.unit.name if s.unit else NO_UNIT, s.total, s.filled, s.percent_filled, s.average]
        for i, s in enumerate(statuses, start=1)
    ]
    if not statuses:
        return table, None
    total = sum(s.total for s in statuses)
    filled = sum(s.filled for s in statuses)
    computed = [p for s in statuses for p in s.computed]
    average = sum(computed, Decimal(0)) / len(computed) if computed else None
    return table, ["", "Jumlah", total, filled, Decimal(filled * 100) / total if total else None, average]


def collection_rows(period: ReportingPeriod | None) -> list[list[Any]]:
    if period is None:
        return []
    requests = (
        DataRequest.objects.filter(period=period).select_related("unit", "position", "submission")
        .annotate(indicator_count=Count("indicators"))
    )  # fmt: skip
    table = []
    for index, request in enumerate(requests, start=1):
        submission = getattr(request, "submission", None)
        who = f"{request.position.title} ({request.unit.name})" if request.position_id else request.unit.name
        submitted = (
            long_date(timezone.localtime(submission.submitted_at)) if submission and submission.submitted_at else "-"
        )
        table.append([
            str(index), who, REQUEST_KIND.get(request.kind, request.kind), request.indicator_count,
            SUBMISSION_STATUS.get(submission.status, submission.status) if submission else NOT_STARTED, submitted,
            submission.returns if submission else None,
        ])  # fmt: skip
    return table


def attention_reasons(row: IndicatorFigures) -> list[str]:
    """Why an indicator needs attention this quarter; empty when it does not."""
    reasons = []
    current = row.current
    if row.percent is not None and round_half_up(row.percent, 2) < HUNDRED:
        reasons.append("Capaian di bawah target")
    if current is None or not (current.is_reported or current.no_data):
        reasons.append(f"Realisasi Triwulan {ROMAN_QUARTERS[row.upto]} belum dilaporkan")
    elif current.no_data:
        reasons.append(f"Data tidak dapat diperoleh: {current.no_data_reason.strip()}".strip())
    if row.measure is not None and row.measure.to_date.status == Status.NOT_COMPUTABLE:
        reasons.append("Capaian tidak dapat dihitung")
    return reasons


def attention_rows(rows: list[IndicatorFigures]) -> list[list[Any]]:
    table = []
    for row in rows:
        reasons = attention_reasons(row)
        if not reasons:
            continue
        measure = row.measure
        target = measure.to_date.target.value if measure and measure.to_date.target else None
        unit = row.indicator.responsible_unit
        table.append([
            str(len(table) + 1), f"{row.indicator.code} {row.indicator.name}", unit.name if unit else "-",
            row.indicator.unit_of_measure, target, realized(row), row.percent, "; ".join(reasons),
            (row.current.follow_up.strip() if row.current else "") or "-",
        ])  # fmt: skip
    return table


def build(document: Document) -> Content:
    agency = document.agency
    year, quarter = document_year_quarter(document)
    head = letterhead(agency)
    label = quarter_label(quarter, year)
    roman = ROMAN_QUARTERS[quarter]
    _plan, rows = plan_figures(agency, year, quarter)
    units = list(Unit.objects.filter(agency=agency))
    period = period_of(document, year, quarter)
    content = Content(
        kind=document.kind, title="Laporan Monitoring dan Evaluasi Capaian Kinerja",
        subtitle=f"{head['agency_name']} — {label}", landscape=True, warning=data_state(agency, year, quarter).warning,
    )  # fmt: skip

    content.heading("A. Pendahuluan", 2)
    content.paragraph(
        f"Monitoring dan evaluasi capaian kinerja {label} dilaksanakan untuk memantau kemajuan pencapaian target "
        f"Perjanjian Kinerja Tahun {year} {head['agency_name']}, menilai kelengkapan data yang disampaikan setiap "
        f"unit kerja, serta mengenali indikator yang memerlukan tindak lanjut sebelum akhir tahun."
    )

    content.heading("B. Keterisian Data dan Capaian per Unit Kerja", 2)
    divisions, division_total = division_rows(rows, units)
    content.table(
        title=f"Tabel 1. Keterisian Data dan Rata-rata Capaian per Unit Kerja s.d. {label}", sheet="Unit Kerja",
        columns=DIVISION_COLUMNS, rows=divisions, total=division_total,
    )  # fmt: skip

    content.heading("C. Pengumpulan Data", 2)
    collection = collection_rows(period)
    if period is None:
        content.paragraph(f"Periode pelaporan {label} belum dibuka, sehingga belum ada permintaan data.")
    content.table(
        title=f"Tabel 2. Status Permintaan Data Kinerja {label}", sheet="Pengumpulan Data",
        columns=COLLECTION_COLUMNS, rows=collection,
    )  # fmt: skip

    content.heading("D. Indikator yang Memerlukan Perhatian", 2)
    content.paragraph(
        f"Indikator berikut capaiannya s.d. Triwulan {roman} berada di bawah 100%, realisasinya belum dilaporkan, "
        f"atau capaiannya tidak dapat dihitung."
    )
    attention = attention_rows(rows)
    content.table(
        title=f"Tabel 3. Indikator yang Memerlukan Perhatian {label}", sheet="Perlu Perhatian",
        columns=ATTENTION_COLUMNS, rows=attention,
    )  # fmt: skip

    for section in SECTIONS:
        section(content, agency, year, quarter)

    content.heading("E. Temuan", 2)
    content.paragraph(text_of(document, "findings", findings(rows, units, attention, collection, label)))
    content.heading("F. Rekomendasi", 2)
    content.paragraph(text_of(document, "recommendations"))
    content.heading("G. Kesimpulan", 2)
    content.paragraph(text_of(document, "conclusion"))
    content.signatures = [party(signer_position(document), signs=True, place_date=place_date(agency))]
    return content


def findings(
    rows: list[IndicatorFigures], units: list[Unit], attention: list[list[Any]], collection: list[list[Any]],
    label: str,
) -> str:  # fmt: skip
    """The findings the figures show, as a default for the planning unit to edit."""
    if not rows:
        return f"Belum terdapat indikator kinerja dengan target yang dapat dipantau pada {label}."
    filled = sum(1 for r in rows if r.filled)
    sentences = [
        f"Pada {label}, data {filled} dari {len(rows)} indikator kinerja telah diisi "
        f"({percent_text(Decimal(filled * 100) / len(rows))}).",
        f"Sebanyak {len(attention)} indikator memerlukan perhatian karena capaiannya di bawah 100%, realisasinya "
        f"belum dilaporkan, atau capaiannya tidak dapat dihitung (Tabel 3).",
    ]
    averaged = [s for s in division_status(rows, units) if s.average is not None]
    if averaged:
        lowest = min(averaged, key=lambda s: s.average or 0)
        sentences.append(
            f"Rata-rata capaian terendah terdapat pada {lowest.unit.name if lowest.unit else NO_UNIT} "
            f"({percent_text(lowest.average)})."
        )
    if collection:
        verified = sum(1 for r in collection if r[4] == SUBMISSION_STATUS[Submission.Status.VERIFIED])
        pending = [r[1] for r in collection if r[4] != SUBMISSION_STATUS[Submission.Status.VERIFIED]]
        sentences.append(f"Dari {len(collection)} permintaan data, {verified} telah diverifikasi.")
        if pending:
            sentences.append(f"Data yang belum diverifikasi: {joined(pending)}.")
    return " ".join(sentences)
