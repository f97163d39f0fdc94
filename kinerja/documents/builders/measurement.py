"""Dokumen (Form) Pengukuran Kinerja: per strategic objective, each indicator's target and realisation to the end of
the quarter and the achievement, then the programmes' budget and what was spent (PermenPAN-RB 53/2014, seeds 003
and 004). Signed by the head."""

from __future__ import annotations

from kinerja.documents.builders.common import (
    data_state,
    letterhead,
    place_date,
    plan_figures,
    quarter_label,
    realized,
    signer_position,
    target_of,
)
from kinerja.documents.chains import party
from kinerja.documents.content import MONEY, NUMBER, PERCENT, TEXT, Column, Content
from kinerja.documents.models import Document
from kinerja.measurement.selectors import budget_figures
from kinerja.planning.models import BudgetLine


def performance_rows(rows: list, quarter: int) -> list[list]:
    table, objective_seen = [], None
    for index, row in enumerate(rows, start=1):
        objective = row.indicator.objective
        label = objective.statement if objective and objective.pk != objective_seen else ""
        objective_seen = objective.pk if objective else None
        table.append([
            str(index), label, f"{row.indicator.code} {row.indicator.name}", row.indicator.unit_of_measure,
            target_of(row, None), row.measure.to_date.target.value if row.measure and row.measure.to_date.target
            else target_of(row, quarter), realized(row), row.percent, row.annual_percent,
            row.band.label if row.band else "—",
        ])  # fmt: skip
    return table


PERFORMANCE_COLUMNS = [
    Column("No", TEXT, 4), Column("Sasaran Strategis", TEXT, 20), Column("Indikator Kinerja", TEXT, 24),
    Column("Satuan", TEXT, 8), Column("Target Tahunan", NUMBER, 8), Column("Target s.d. Triwulan", NUMBER, 8),
    Column("Realisasi s.d. Triwulan", NUMBER, 8), Column("Capaian s.d. Triwulan (%)", PERCENT, 7),
    Column("Capaian thd. Target Tahunan (%)", PERCENT, 7), Column("Predikat", TEXT, 8),
]  # fmt: skip
BUDGET_COLUMNS = [
    Column("No", TEXT, 4), Column("Program / Kegiatan", TEXT, 46), Column("Anggaran (Rp)", MONEY, 16),
    Column("Realisasi (Rp)", MONEY, 16), Column("Serapan (%)", PERCENT, 9), Column("Capaian Kinerja (%)", PERCENT, 9),
]  # fmt: skip


def budget_rows(budget: list) -> tuple[list[list], list]:
    rows = [
        [str(i), f"{b.line.code} {b.line.name}", b.line.ceiling, b.spent, b.absorption, b.achievement]
        for i, b in enumerate(budget, start=1)
    ]
    ceiling = sum((b.line.ceiling for b in budget), start=0)
    spent = sum((b.spent for b in budget), start=0)
    absorbed = (spent * 100 / ceiling) if ceiling else None
    return rows, ["", "Jumlah", ceiling, spent, absorbed, None]


def build(document: Document) -> Content:
    agency, year, quarter = document.agency, document.year, document.quarter or 4
    head = letterhead(agency)
    label = quarter_label(quarter, year)
    state = data_state(agency, year, quarter)
    _plan, rows = plan_figures(agency, year, quarter)
    content = Content(
        kind=document.kind, title="Dokumen Pengukuran Kinerja", subtitle=f"{head['agency_name']} — {label}",
        landscape=True, warning=state.warning,
    )  # fmt: skip
    content.table(
        title=f"A. Capaian Indikator Kinerja s.d. {label}", sheet="Pengukuran Kinerja",
        columns=PERFORMANCE_COLUMNS, rows=performance_rows(rows, quarter),
    )  # fmt: skip
    budget = budget_figures(agency, year=year, upto=quarter, rows=rows)
    lines, total = budget_rows([b for b in budget if b.line.kind == BudgetLine.Kind.PROGRAM] or budget)
    content.table(title=f"B. Anggaran dan Realisasi s.d. {label}", sheet="Anggaran", columns=BUDGET_COLUMNS,
                  rows=lines, total=total if lines else None)  # fmt: skip
    if note := (document.texts or {}).get("note", "").strip():
        content.heading("Catatan", 3)
        content.paragraph(note)
    content.signatures = [party(signer_position(document), signs=True, place_date=place_date(agency))]
    return content
