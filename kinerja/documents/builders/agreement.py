"""Perjanjian Kinerja (PermenPAN-RB 53/2014): the statement by which party one promises party two the year's
targets, and its appendix with the objectives, indicators and targets (annual and per quarter) and the
programmes' budget. Party two signs on the left, party one (who signs it in Kinerja) on the right.

A PK is a plan, not a report of figures: it carries no draft warning."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from kinerja.documents.builders.common import letterhead, place_date
from kinerja.documents.builders.quarterly import text_of, top_level
from kinerja.documents.chains import party
from kinerja.documents.content import MONEY, NUMBER, TEXT, Column, Content
from kinerja.documents.models import Document
from kinerja.documents.render import format_cell
from kinerja.org.selectors import descendant_ids
from kinerja.planning.models import AgreementTarget, BudgetLine, Indicator, PerformanceAgreement

TEXTS = {"statement": _("Statement (optional: replaces the standard commitment paragraphs)")}
BLANK_NAME = "……………………………………"

TARGET_COLUMNS = [
    Column("No", TEXT, 4), Column("Sasaran", TEXT, 18), Column("Indikator Kinerja", TEXT, 24),
    Column("Satuan", TEXT, 8), Column("Target Tahunan", NUMBER, 8), Column("TW I", NUMBER, 6),
    Column("TW II", NUMBER, 6), Column("TW III", NUMBER, 6), Column("TW IV", NUMBER, 6),
    Column("Keterangan", TEXT, 14),
]  # fmt: skip
PROGRAMME_COLUMNS = [Column("No", TEXT, 5), Column("Program / Kegiatan", TEXT, 70), Column("Anggaran (Rp)", MONEY, 25)]


def target_note(target: AgreementTarget | None) -> str:
    """What a numeric cell cannot show: a qualitative target, or the bounds of a range."""
    if target is None:
        return ""
    if target.text:
        return f"Target: {target.text}"
    if target.upper is not None:
        return f"Rentang {format_cell(target.value, NUMBER)} – {format_cell(target.upper, NUMBER)}"
    return ""


def target_rows(items: Iterable[tuple[Indicator, dict[int, AgreementTarget]]]) -> list[list[Any]]:
    """One row per indicator: its objective (once per objective), the annual target and the four quarters'."""
    table, objective_seen = [], None
    for indicator, targets in items:
        objective = indicator.objective
        label = objective.statement if objective and objective.pk != objective_seen else ""
        objective_seen = objective.pk if objective else None
        annual = targets.get(AgreementTarget.ANNUAL)
        quarters = [t.value if (t := targets.get(q)) is not None else None for q in (1, 2, 3, 4)]
        table.append([
            str(len(table) + 1), label, f"{indicator.code} {indicator.name}", indicator.unit_of_measure,
            annual.value if annual else None, *quarters, target_note(annual),
        ])  # fmt: skip
    return table


def agreement_targets(agreement: PerformanceAgreement) -> list[tuple[Indicator, dict[int, AgreementTarget]]]:
    """The agreement's targets grouped by indicator, in the plan's order (one query)."""
    grouped: dict[int, tuple[Indicator, dict[int, AgreementTarget]]] = {}
    targets = (
        AgreementTarget.objects.filter(agreement=agreement).select_related("indicator__objective__goal")
        .order_by("indicator__objective__goal__sort_order", "indicator__objective__sort_order",
                  "indicator__sort_order", "indicator__code", "quarter")
    )  # fmt: skip
    for target in targets:
        grouped.setdefault(target.indicator_id, (target.indicator, {}))[1][target.quarter] = target
    return list(grouped.values())


def programme_lines(agreement: PerformanceAgreement, indicator_ids: list[int]) -> list[BudgetLine]:
    """The year's budget lines that support the agreement's indicators, else those of party one's unit; only the
    top ones (a programme, not also its activities)."""
    lines = BudgetLine.objects.filter(agency_id=agreement.agency_id, year=agreement.year)
    found = list(lines.filter(indicators__in=indicator_ids).distinct().order_by("code")) if indicator_ids else []
    unit = agreement.party_one.unit
    if not found and unit is not None:
        found = list(lines.filter(unit_id__in=descendant_ids(unit)).order_by("code"))
    return top_level(found, lambda line: line.code)


def _signature(block: dict[str, Any], role: str) -> dict[str, Any]:
    """A signature block headed "PIHAK PERTAMA," over the position, with Plt./Plh. before the position."""
    title = " ".join(part for part in (block["prefix"], *block["heading"]) if part)
    return {**block, "heading": [f"{role},", title], "prefix": ""}


def build(document: Document) -> Content:
    agreement = document.agreement
    head = letterhead(document.agency)
    if agreement is None:
        content = Content(kind=document.kind, title=f"Perjanjian Kinerja Tahun {document.year}",
                          subtitle=head["agency_name"])  # fmt: skip
        content.paragraph("Perjanjian Kinerja yang menjadi dasar dokumen ini belum dipilih.")
        return content
    year, on = agreement.year, agreement.signed_on
    one = party(agreement.party_one, signs=True, on=on)
    if agreement.party_two_id:
        two = party(agreement.party_two, signs=False, on=on)
    else:
        two = party(None, signs=False, heading=[agreement.party_two_title.upper()])
    one_title = f"{one['prefix']} {agreement.party_one.title}".strip()
    two_title = f"{two['prefix']} {agreement.party_two_label}".strip()
    content = Content(
        kind=document.kind, title=f"Perjanjian Kinerja Tahun {year}",
        subtitle=f"{agreement.party_one.title} — {head['agency_name']}", warning="",
    )  # fmt: skip

    content.paragraph(
        "Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan, dan akuntabel serta berorientasi "
        "pada hasil, kami yang bertanda tangan di bawah ini:"
    )
    content.paragraph(f"Nama: {one['name'] or BLANK_NAME}\n\nJabatan: {one_title}")
    content.paragraph("selanjutnya disebut PIHAK PERTAMA,")
    content.paragraph(f"Nama: {two['name'] or BLANK_NAME}\n\nJabatan: {two_title}")
    content.paragraph("selaku atasan PIHAK PERTAMA, selanjutnya disebut PIHAK KEDUA.")
    statement = (
        f"PIHAK PERTAMA berjanji akan mewujudkan target kinerja Tahun {year} sebagaimana tercantum dalam lampiran "
        f"perjanjian ini, dalam rangka mencapai target kinerja jangka menengah yang telah ditetapkan dalam dokumen "
        f"perencanaan. Keberhasilan dan kegagalan pencapaian target kinerja tersebut menjadi tanggung jawab PIHAK "
        f"PERTAMA.\n\n"
        f"PIHAK KEDUA akan melakukan supervisi yang diperlukan serta evaluasi terhadap capaian kinerja dari "
        f"perjanjian ini, dan mengambil tindakan yang diperlukan dalam rangka pemberian penghargaan dan sanksi."
    )
    content.paragraph(text_of(document, "statement", statement))

    content.signature_place()
    content.page_break()
    content.heading(f"Lampiran Perjanjian Kinerja Tahun {year}", 1)
    content.paragraph(f"{one_title} — {head['agency_name']}", align="center")
    items = agreement_targets(agreement)
    content.table(
        title="A. Sasaran, Indikator Kinerja, dan Target", sheet="Target Kinerja", columns=TARGET_COLUMNS,
        rows=target_rows(items),
    )  # fmt: skip
    lines = programme_lines(agreement, [indicator.pk for indicator, _targets in items])
    ceiling = sum((line.ceiling for line in lines), Decimal(0))
    content.table(
        title="B. Program / Kegiatan dan Anggaran", sheet="Anggaran", columns=PROGRAMME_COLUMNS,
        rows=[[str(i), f"{line.code} {line.name}", line.ceiling] for i, line in enumerate(lines, start=1)],
        total=["", "Jumlah", ceiling] if lines else None,
    )  # fmt: skip
    content.signatures = [
        _signature(two, "PIHAK KEDUA"),
        {**_signature(one, "PIHAK PERTAMA"), "place_date": place_date(document.agency, on)},
    ]
    return content
