"""The monev's own records in the monev report (Laporan Monev, seed 001): the visits held, the findings with
their recommendations, and how the recommendations of earlier monev were followed up. Registered with the
report's builder by the app's configuration."""

from __future__ import annotations

from kinerja.documents.content import TEXT, Column, Content
from kinerja.monev.forms import person_label
from kinerja.monev.models import EvaluationPlan, Finding, Recommendation
from kinerja.monev.services import open_recommendations
from kinerja.org.models import Agency

VISIT_COLUMNS = [
    Column("No", TEXT, 5), Column("Unit Kerja", TEXT, 30), Column("Jadwal", TEXT, 12),
    Column("Tim Monev", TEXT, 30), Column("Pelaksanaan", TEXT, 14), Column("Jumlah Temuan", TEXT, 9),
]  # fmt: skip
FINDING_COLUMNS = [
    Column("No", TEXT, 4), Column("Unit Kerja", TEXT, 14), Column("Indikator", TEXT, 16), Column("Temuan", TEXT, 20),
    Column("Penyebab", TEXT, 14), Column("Rekomendasi", TEXT, 20), Column("Penanggung Jawab", TEXT, 13),
    Column("Batas Waktu", TEXT, 9), Column("Status Tindak Lanjut", TEXT, 10),
]  # fmt: skip
CARRIED_COLUMNS = [
    Column("No", TEXT, 4), Column("Monev", TEXT, 12), Column("Rekomendasi", TEXT, 34),
    Column("Penanggung Jawab", TEXT, 18), Column("Batas Waktu", TEXT, 10), Column("Status", TEXT, 14),
]  # fmt: skip
STATUS = {
    Recommendation.Status.OPEN: "Belum ditindaklanjuti",
    Recommendation.Status.ANSWERED: "Ditindaklanjuti, menunggu reviu",
    Recommendation.Status.CLOSED: "Selesai",
}
CAUSE = {
    Finding.Cause.DATA: "Data belum tersedia atau terlambat",
    Finding.Cause.TARGET: "Target kurang realistis",
    Finding.Cause.BUDGET: "Anggaran tidak tersedia atau dipotong",
    Finding.Cause.ACTIVITY: "Kegiatan tertunda atau tidak terlaksana",
    Finding.Cause.STAFF: "Kekurangan SDM atau kompetensi",
    Finding.Cause.COORDINATION: "Koordinasi dengan pihak lain",
    Finding.Cause.EXTERNAL: "Faktor eksternal",
    Finding.Cause.OTHER: "Lainnya",
}


def _day(value) -> str:  # type: ignore[no-untyped-def]
    return value.strftime("%d-%m-%Y") if value else "-"


def _recommendation_status(recommendation: Recommendation) -> str:
    return STATUS[recommendation.status]  # type: ignore[index]


def add_sections(content: Content, agency: Agency, year: int, quarter: int) -> None:
    plan = EvaluationPlan.objects.filter(agency=agency, year=year, quarter=quarter).first()
    content.heading("D.1 Pelaksanaan Monitoring dan Evaluasi", 2)
    if plan is None:
        content.paragraph("Rencana monitoring dan evaluasi triwulan ini belum disusun dalam aplikasi.")
    else:
        visits = list(plan.visits.select_related("unit").prefetch_related("evaluators__employee", "findings"))
        content.paragraph(
            f"Monitoring dan evaluasi mencakup {plan.items.count()} indikator yang memerlukan perhatian, dengan "
            f"ambang capaian {plan.threshold.normalize():f}%, pada {len(visits)} unit kerja."
        )
        content.table(
            title="Tabel 4. Jadwal dan Pelaksanaan Monitoring dan Evaluasi per Unit Kerja", sheet="Kunjungan Monev",
            columns=VISIT_COLUMNS,
            rows=[
                [str(n), v.unit.name, _day(v.scheduled_on),
                 ", ".join(person_label(u) for u in v.evaluators.all()),
                 _day(v.held_on) if v.held_on else "Belum dilaksanakan", str(len(v.findings.all()))]
                for n, v in enumerate(visits, start=1)
            ],
        )  # fmt: skip
        findings = (
            Finding.objects.filter(visit__plan=plan)
            .select_related("visit__unit", "indicator")
            .prefetch_related("recommendations__responsible")
            .order_by("visit__unit__name", "pk")
        )
        rows = []
        for finding in findings:
            recommendations = list(finding.recommendations.all()) or [None]
            for recommendation in recommendations:
                rows.append([
                    str(len(rows) + 1), finding.visit.unit.name,
                    f"{finding.indicator.code} {finding.indicator.name}" if finding.indicator else "Unit kerja",
                    finding.text, CAUSE[finding.cause] + (f": {finding.cause_note}" if finding.cause_note else ""),
                    recommendation.text if recommendation else "-",
                    recommendation.responsible.title if recommendation else "-",
                    _day(recommendation.due_on) if recommendation else "-",
                    _recommendation_status(recommendation) if recommendation else "-",
                ])  # fmt: skip
        content.table(
            title="Tabel 5. Temuan dan Rekomendasi Monitoring dan Evaluasi", sheet="Temuan", columns=FINDING_COLUMNS,
            rows=rows,
        )  # fmt: skip
    earlier = open_recommendations(agency, before=plan) if plan else open_recommendations(agency)
    if plan is None:
        earlier = earlier.exclude(finding__visit__plan__year=year, finding__visit__plan__quarter__gte=quarter)
        earlier = earlier.exclude(finding__visit__plan__year__gt=year)
    carried = list(earlier.select_related("finding__visit__plan"))
    content.heading("D.2 Tindak Lanjut Rekomendasi Monitoring dan Evaluasi Sebelumnya", 2)
    if not carried:
        content.paragraph("Tidak ada rekomendasi monitoring dan evaluasi sebelumnya yang belum selesai.")
        return
    content.table(
        title="Tabel 6. Rekomendasi Sebelumnya yang Belum Selesai", sheet="Tindak Lanjut", columns=CARRIED_COLUMNS,
        rows=[
            [str(n), f"TW {r.finding.visit.plan.quarter} {r.finding.visit.plan.year}", r.text, r.responsible.title,
             _day(r.due_on), _recommendation_status(r)]
            for n, r in enumerate(carried, start=1)
        ],
    )  # fmt: skip
