"""Laporan Kinerja Triwulan: the agency's (or one division's) indicators to the end of a quarter, the analysis the
divisions wrote with their data, the budget spent, and the texts the planning unit adds. Signed by the head, or
by the division head for a division's own report.

The small helpers at the top (texts, summaries, the analysis table, the top budget lines) are shared by the
monev report and the LKjIP."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _

from kinerja.documents.builders.common import (
    ROMAN_QUARTERS,
    data_state,
    document_year_quarter,
    letterhead,
    place_date,
    plan_figures,
    quarter_label,
    signer_position,
)
from kinerja.documents.builders.measurement import BUDGET_COLUMNS, PERFORMANCE_COLUMNS, budget_rows, performance_rows
from kinerja.documents.chains import party
from kinerja.documents.content import PERCENT, TEXT, Column, Content
from kinerja.documents.models import Document
from kinerja.documents.render import format_cell
from kinerja.lib.numbers import round_half_up
from kinerja.measurement.models import Realization
from kinerja.measurement.selectors import IndicatorFigures, budget_figures

TEXTS = {
    "introduction": _("Introduction (optional: replaces the generated one)"),
    "analysis": _("Analysis of achievement"),
    "closing": _("Closing"),
}
PLACEHOLDER = "(Belum diisi.)"
HUNDRED = Decimal(100)
NO_ANALYSIS = "-"
ANALYSIS_COLUMNS = [
    Column("No", TEXT, 4), Column("Indikator Kinerja", TEXT, 24), Column("Faktor Pendukung", TEXT, 24),
    Column("Faktor Penghambat", TEXT, 24), Column("Tindak Lanjut", TEXT, 24),
]  # fmt: skip

T = TypeVar("T")


# Shared helpers


def text_of(document: Document, key: str, default: str = PLACEHOLDER) -> str:
    """A text the user wrote for the document, or `default` when it is missing or blank."""
    value = (document.texts or {}).get(key)
    value = str(value).strip() if value is not None else ""
    return value or default


def percent_text(value: Decimal | None) -> str:
    """A percentage as the tables print it (95,25%), for use in a sentence."""
    return format_cell(value, PERCENT)


def joined(names: Sequence[str]) -> str:
    """ "a, b, dan c" the Indonesian way."""
    names = [n for n in names if n]
    if len(names) <= 2:
        return " dan ".join(names)
    return ", ".join(names[:-1]) + ", dan " + names[-1]


@dataclass(frozen=True)
class Summary:
    """How a set of indicators did: how many were reported, achieved their target, fell short."""

    total: int
    reported: int
    measured: int
    achieved: int
    below: int
    average: Decimal | None


def summarize(rows: list[IndicatorFigures], *, annual: bool = False) -> Summary:
    """Counts over the achievement to date (or against the annual target with `annual`), judged as printed."""
    percents = [p for r in rows if (p := r.annual_percent if annual else r.percent) is not None]
    achieved = sum(1 for p in percents if round_half_up(p, 2) >= HUNDRED)
    reported = sum(
        1 for r in rows if any(q <= r.upto and real.is_reported for q, real in r.realizations.items())
    )  # fmt: skip
    return Summary(
        total=len(rows), reported=reported, measured=len(percents), achieved=achieved,
        below=len(percents) - achieved, average=sum(percents, Decimal(0)) / len(percents) if percents else None,
    )  # fmt: skip


def summary_sentence(summary: Summary, *, against: str) -> str:
    """One sentence on a Summary: `against` says which target ("target s.d. triwulan ini", "target tahunan")."""
    if not summary.total:
        return "Belum terdapat indikator kinerja yang dapat diukur pada periode ini."
    sentence = (
        f"Dari {summary.total} indikator kinerja, {summary.reported} indikator telah dilaporkan realisasinya; "
        f"{summary.achieved} indikator mencapai atau melampaui {against} (capaian ≥ 100%) dan {summary.below} "
        f"indikator belum mencapainya"
    )
    if summary.measured < summary.total:
        sentence += f", sedangkan {summary.total - summary.measured} indikator belum dapat dihitung capaiannya"
    if summary.average is not None:
        sentence += f". Rata-rata capaian indikator yang dapat dihitung sebesar {percent_text(summary.average)}"
    return sentence + "."


def quarters_text(quarters: Iterable[int]) -> str:
    return "TW " + ", ".join(ROMAN_QUARTERS[q] for q in quarters)


def _notes(found: list[Realization], attribute: str, *, labelled: bool) -> str:
    """The distinct texts the divisions wrote in `attribute` over the quarters found, each with its quarters."""
    texts: dict[str, list[int]] = {}
    for real in found:
        text = (getattr(real, attribute) or "").strip()
        if attribute == "factors_hindered" and real.no_data and real.no_data_reason.strip():
            reason = f"Data tidak dapat diperoleh: {real.no_data_reason.strip()}"
            text = f"{text}\n{reason}" if text else reason
        if text:
            texts.setdefault(text, []).append(real.quarter)
    if not labelled:
        return "\n".join(texts)
    return "\n".join(f"{quarters_text(quarters)}: {text}" for text, quarters in texts.items())


def analysis_rows(rows: list[IndicatorFigures], quarters: Sequence[int]) -> list[list[Any]]:
    """Per indicator, what helped, what hindered and the follow-up the divisions wrote with their realisations
    of `quarters` (labelled by quarter when there are several); indicators without any such text are left out."""
    table: list[list[Any]] = []
    labelled = len(quarters) > 1
    for row in rows:
        found = [row.realizations[q] for q in quarters if q in row.realizations]
        cells = [_notes(found, a, labelled=labelled) for a in ("factors_helped", "factors_hindered", "follow_up")]
        if any(cells):
            table.append([
                str(len(table) + 1), f"{row.indicator.code} {row.indicator.name}", *(c or NO_ANALYSIS for c in cells)
            ])  # fmt: skip
    return table


def top_level(items: list[T], code: Callable[[T], str]) -> list[T]:
    """The items whose code has no parent code among the others: the programmes over their activities, so that
    a total does not count an activity twice; an activity whose programme is not listed stays."""
    codes = {code(item) for item in items}

    def has_parent(value: str) -> bool:
        parts = value.split(".")
        return any(".".join(parts[:i]) in codes for i in range(1, len(parts)))

    return [item for item in items if not has_parent(code(item))]


# The report


def build(document: Document) -> Content:
    agency, unit = document.agency, document.unit
    year, quarter = document_year_quarter(document)
    head = letterhead(agency)
    label = quarter_label(quarter, year)
    subject = f"{unit.name} {head['agency_name']}" if unit else head["agency_name"]
    _plan, rows = plan_figures(agency, year, quarter, unit=unit)
    content = Content(
        kind=document.kind, title=f"Laporan Kinerja {label}",
        subtitle=f"{unit.name} — {head['agency_name']}" if unit else head["agency_name"], landscape=True,
        warning=data_state(agency, year, quarter).warning,
    )  # fmt: skip

    content.heading("A. Pendahuluan", 2)
    introduction = (
        f"Laporan Kinerja {label} ini disusun sebagai bentuk pertanggungjawaban pelaksanaan tugas dan fungsi "
        f"{subject} serta sebagai bahan pemantauan pencapaian target Perjanjian Kinerja Tahun {year}. Capaian "
        f"diukur dengan membandingkan realisasi sampai dengan akhir Triwulan {ROMAN_QUARTERS[quarter]} dengan "
        f"target pada periode yang sama."
    )
    content.paragraph(text_of(document, "introduction", introduction))
    content.paragraph(summary_sentence(summarize(rows), against=f"target s.d. Triwulan {ROMAN_QUARTERS[quarter]}"))

    content.heading("B. Capaian Kinerja", 2)
    content.table(
        title=f"Tabel 1. Capaian Indikator Kinerja s.d. {label}", sheet="Capaian Kinerja",
        columns=PERFORMANCE_COLUMNS, rows=performance_rows(rows, quarter),
    )  # fmt: skip

    content.heading("C. Analisis Capaian Kinerja", 2)
    content.table(
        title=f"Tabel 2. Faktor Pendukung, Faktor Penghambat, dan Tindak Lanjut {label}", sheet="Analisis",
        columns=ANALYSIS_COLUMNS, rows=analysis_rows(rows, [quarter]),
    )  # fmt: skip
    content.paragraph(text_of(document, "analysis"))

    content.heading("D. Realisasi Anggaran", 2)
    budget = top_level(budget_figures(agency, year=year, upto=quarter, rows=rows, unit=unit), lambda b: b.line.code)
    lines, total = budget_rows(budget)
    content.table(
        title=f"Tabel 3. Anggaran dan Realisasi s.d. {label}", sheet="Anggaran", columns=BUDGET_COLUMNS,
        rows=lines, total=total if lines else None,
    )  # fmt: skip

    content.heading("E. Penutup", 2)
    closing = (
        f"Demikian Laporan Kinerja {label} {subject} ini disusun sebagai bahan evaluasi dan pengambilan "
        f"keputusan pimpinan dalam upaya mencapai target kinerja Tahun {year}."
    )
    content.paragraph(text_of(document, "closing", closing))
    content.signatures = [party(signer_position(document), signs=True, place_date=place_date(agency))]
    return content
