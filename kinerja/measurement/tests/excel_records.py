"""Test data for the Excel round trip: a demo-like plan built through the services, a copy of an
agency's organisation, workbooks built cell by cell, and pictures of what an agency has stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook

from kinerja.accounts.models import User
from kinerja.measurement.models import Realization
from kinerja.measurement.services import NEW, record_realization
from kinerja.org.models import Agency, Assignment, Employee, Position, Unit
from kinerja.planning.models import (
    AgreementTarget,
    BudgetLine,
    Goal,
    Indicator,
    Objective,
    PerformanceAgreement,
    PlanTarget,
    StrategicPlan,
)
from kinerja.planning.services import (
    TargetInput,
    create_agreement,
    create_plan,
    save_budget_line,
    save_goal,
    save_indicator,
    save_objective,
    set_agreement_targets,
    set_plan_targets,
    sign_agreement,
)

D = Decimal
KADIS = "Kepala Dinas Perhubungan"
KABID_LL = "Kepala Bidang Lalu Lintas"
ANALIS = "Analis Lalu Lintas"
YEARS = [2025, 2026, 2027, 2028, 2029]


def planner(agency: Agency) -> User:
    return User.objects.get(
        employee__assignments__position__agency=agency, employee__assignments__position__role="planning_head"
    )


def position(agency: Agency, title: str) -> Position:
    return Position.objects.get(agency=agency, title=title)


def unit(agency: Agency, name: str) -> Unit:
    return Unit.objects.get(agency=agency, name=name)


def build_plan(agency: Agency, by: User) -> StrategicPlan:
    """A plan with two goals, four objectives (one without indicators) and five indicators that cover every
    polarity, aggregation and scale; two levels of agreements for 2025, one signed; realisations; a budget."""
    plan = create_plan(agency=agency, name="Renstra Dinas Perhubungan 2025–2029", start_year=2025, by=by)
    t1 = save_goal(plan=plan, code="T1", statement="Meningkatnya keselamatan lalu lintas", sort_order=1, by=by)
    t2 = save_goal(plan=plan, code="T2", statement="Meningkatnya kualitas pelayanan angkutan", sort_order=2, by=by)
    s11 = save_objective(goal=t1, code="S1.1", statement="Menurunnya angka kecelakaan", sort_order=1, by=by)
    s12 = save_objective(goal=t1, code="S1.2", statement="Tertibnya lalu lintas", sort_order=2, by=by)
    s21 = save_objective(goal=t2, code="S2.1", statement="Meningkatnya kepuasan pengguna angkutan", sort_order=1, by=by)
    save_objective(goal=t2, code="S2.2", statement="Sasaran tanpa indikator", sort_order=2, by=by)
    ll = unit(agency, "Bidang Lalu Lintas")
    common = {"definition": "", "formula": "", "data_source": "", "baseline": None, "baseline_year": None}

    def indicator(values: dict[str, Any], confirmed: bool = False) -> Indicator:
        return save_indicator(plan=plan, values={**common, **values}, confirmed_warnings=confirmed, by=by)

    iku1 = indicator({
        "objective": s11, "code": "IKU.1", "name": "Persentase jalan dengan rambu lengkap", "unit_of_measure": "%",
        "scale": "percent", "polarity": "higher", "aggregation": "last", "baseline": D("12.3456"),
        "baseline_year": 2024, "end_target": D("90"), "definition": "Ruas jalan kabupaten yang rambunya lengkap.",
        "formula": "ruas lengkap / seluruh ruas × 100", "data_source": "Survei Bidang LL",
        "responsible_unit": ll, "sort_order": 1,
    })  # fmt: skip
    iku2 = indicator({
        "objective": s11, "code": "IKU.2", "name": "Jumlah kecelakaan lalu lintas", "unit_of_measure": "kejadian",
        "scale": "count", "polarity": "lower", "aggregation": "cumulative", "baseline": D("140"), "end_target": D("90"),
        "sort_order": 2,
    })  # fmt: skip
    ikk1 = indicator({
        "objective": s12, "code": "IKK.1", "name": "Indeks ketertiban lalu lintas", "unit_of_measure": "indeks",
        "scale": "index", "polarity": "range", "aggregation": "average", "end_target": D("60"),
        "end_target_upper": D("80.5"), "parent": iku1, "kind": "division", "responsible_unit": ll, "sort_order": 3,
    })  # fmt: skip
    iku3 = indicator({
        "objective": s21, "code": "IKU.3", "name": "Predikat pelayanan terminal", "unit_of_measure": "predikat",
        "scale": "qualitative", "polarity": "higher", "aggregation": "last", "end_target_text": "Sangat Baik",
        "sort_order": 5,
    })  # fmt: skip
    iki1 = indicator({
        "objective": s12, "code": "IKI.1", "name": "Jumlah kajian rekayasa lalu lintas", "unit_of_measure": "dokumen",
        "scale": "count", "polarity": "higher", "aggregation": "cumulative", "end_target": D("12"), "parent": ikk1,
        "kind": "individual", "responsible_position": position(agency, ANALIS), "responsible_unit": ll,
        "sort_order": 4,
    })  # fmt: skip
    set_plan_targets(indicator=iku1, targets={y: TargetInput(D(70 + 4 * i)) for i, y in enumerate(YEARS)}, by=by)
    set_plan_targets(indicator=iku2, targets={2025: TargetInput(D("130.5")), 2026: TargetInput(D(120))}, by=by)
    set_plan_targets(indicator=ikk1, targets={2025: TargetInput(D(60), D("80.25"))}, by=by)
    set_plan_targets(
        indicator=iku3, targets={2025: TargetInput(text="Baik"), 2029: TargetInput(text="Sangat Baik")}, by=by
    )
    set_plan_targets(indicator=iki1, targets={2025: TargetInput(D(4))}, by=by)

    head = create_agreement(
        plan=plan, year=2025, level="agency", party_one=position(agency, KADIS), party_two=None,
        party_two_title="Bupati Sukamaju", by=by,
    )  # fmt: skip
    division = create_agreement(
        plan=plan, year=2025, level="division", party_one=position(agency, KABID_LL), party_two=position(agency, KADIS),
        parent=head, by=by,
    )  # fmt: skip
    set_agreement_targets(agreement=head, targets={
        (iku1.pk, 0): TargetInput(D(70)), (iku2.pk, 0): TargetInput(D("130.5")),
        (iku2.pk, 1): TargetInput(D(30)), (iku2.pk, 2): TargetInput(D(35)), (iku2.pk, 3): TargetInput(D(35)),
        (iku2.pk, 4): TargetInput(D("30.5")), (iku3.pk, 0): TargetInput(text="Baik"),
    }, by=by)  # fmt: skip
    set_agreement_targets(agreement=division, targets={
        (ikk1.pk, 0): TargetInput(D(60), D("80.25")), (ikk1.pk, 2): TargetInput(D(55), D(75)),
        (iki1.pk, 0): TargetInput(D(4)), (iki1.pk, 1): TargetInput(D(1)),
    }, by=by)  # fmt: skip
    sign_agreement(agreement=head, version=head.version, signed_on=date(2025, 2, 14), by=by)

    def realize(ind: Indicator, quarter: int, **values: Any) -> None:
        record_realization(indicator=ind, year=2025, quarter=quarter, version=NEW, by=by, **values)

    realize(iku1, 1, value=D("65.125"), factors_helped="Anggaran rambu cair tepat waktu")
    realize(iku1, 2, value=D("68"), factors_hindered="Cuaca", follow_up="Percepat pemasangan")
    realize(iku2, 1, value=D("29"))
    realize(iku2, 2, no_data=True, no_data_reason="Data kepolisian belum diterima")
    # iku2 quarter 3 is left blank: not reported yet.
    realize(ikk1, 1, value=D("71.5"))
    realize(iku3, 1, text="Baik")
    realize(iki1, 1, value=D("1"))

    save_budget_line(
        agency=agency, year=2025, values={
            "kind": "program", "code": "1.15.02", "name": "Program Penyelenggaraan Lalu Lintas", "unit": ll,
            "ceiling": D("1500000000.00"), "spent_q1": D("250000000.50"), "spent_q2": D("300000000"),
        }, indicators=[iku1, iku2], by=by,
    )  # fmt: skip
    save_budget_line(
        agency=agency, year=2025, values={
            "kind": "activity", "code": "1.15.02.2.01", "name": "Kegiatan Rekayasa Lalu Lintas",
            "ceiling": D("250000000"),
        }, by=by,
    )  # fmt: skip
    return plan


def clone_organisation(source: Agency, *, name: str, username: str, nip: str) -> tuple[Agency, User]:
    """A new agency with the same units and positions as `source`, and a planning head who logs in as `username`."""
    agency = Agency.objects.create(local_government=source.local_government, name=name, short_name=username.title())
    units: dict[int, Unit] = {}
    for old in Unit.objects.filter(agency=source).order_by("pk"):
        units[old.pk] = Unit.objects.create(
            agency=agency, parent=units.get(old.parent_id), name=old.name, kind=old.kind, code=old.code,
            sort_order=old.sort_order,
        )  # fmt: skip
    positions: dict[int, Position] = {}
    for old in Position.objects.filter(agency=source).order_by("pk"):
        positions[old.pk] = Position.objects.create(
            agency=agency, unit=units.get(old.unit_id), title=old.title, role=old.role,
            superior=positions.get(old.superior_id), is_active=old.is_active,
        )  # fmt: skip
    user = User.objects.create_user(username=username, password="not-used-in-tests-1234")
    employee = Employee.objects.create(agency=agency, name=f"Perencana {username}", nip=nip, user=user)
    planning = Position.objects.get(agency=agency, role="planning_head")
    Assignment.objects.create(employee=employee, position=planning, start_date=date(2020, 1, 1))
    return agency, user


# Workbooks


def workbook(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    """An .xlsx whose sheets hold the given rows (the first row is the header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def cell_values(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values, row by row."""
    book = load_workbook(BytesIO(data), read_only=True)
    try:
        return {name: [tuple(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    finally:
        book.close()


def sheet_dicts(data: bytes, name: str) -> list[dict[str, Any]]:
    rows = cell_values(data)[name]
    header = rows[0]
    # A write-only workbook has no dimension, so a row ends at its last filled cell.
    return [dict(zip(header, [*row, *[None] * len(header)], strict=False)) for row in rows[1:]]


# What an agency has stored, by the codes and titles a workbook uses


def _title(position: Position | None) -> str | None:
    return position.title if position else None


def _values(rows: Iterable[Any], fields: Sequence[str]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(row, name) for name in fields) for row in rows]


def _sorted(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)


def stored(agency: Agency, *, with_order: bool = True) -> dict[str, Any]:
    """Every stored field of the agency's planning records; `with_order=False` leaves out the indicators'
    sort_order, which an import takes from the row order."""
    plans = StrategicPlan.objects.filter(agency=agency)
    indicators = Indicator.objects.filter(agency=agency).select_related(
        "objective", "parent", "responsible_unit", "responsible_position"
    )
    return {
        "plans": _values(plans, ["name", "start_year", "end_year"]),
        "goals": _sorted(_values(Goal.objects.filter(plan__agency=agency), ["code", "statement", "sort_order"])),
        "objectives": _sorted(
            (o.goal.code, o.code, o.statement, o.sort_order)
            for o in Objective.objects.filter(goal__plan__agency=agency).select_related("goal")
        ),
        "indicators": _sorted(
            (
                i.objective.code,
                i.parent.code if i.parent else None,
                i.kind,
                i.code,
                i.name,
                i.unit_of_measure,
                i.scale,
                i.polarity,
                i.aggregation,
                i.definition,
                i.formula,
                i.data_source,
                i.baseline,
                i.baseline_year,
                i.end_target,
                i.end_target_upper,
                i.end_target_text,
                i.responsible_unit.name if i.responsible_unit else None,
                _title(i.responsible_position),
                i.sort_order if with_order else None,
            )
            for i in indicators
        ),  # fmt: skip
        "plan_targets": _sorted(
            (t.indicator.code, t.year, t.value, t.upper, t.text)
            for t in PlanTarget.objects.filter(indicator__agency=agency).select_related("indicator")
        ),
        "agreements": _sorted(
            (
                a.year,
                a.level,
                a.party_one.title,
                _title(a.party_two),
                a.party_two_title,
                _title(a.parent.party_one) if a.parent else None,
                a.status,
                a.signed_on,
            )
            for a in PerformanceAgreement.objects.filter(agency=agency).select_related(
                "party_one", "party_two", "parent__party_one"
            )
        ),  # fmt: skip
        "targets": _sorted(
            (t.agreement.party_one.title, t.indicator.code, t.year, t.quarter, t.value, t.upper, t.text)
            for t in AgreementTarget.objects.filter(agreement__agency=agency).select_related(
                "agreement__party_one", "indicator"
            )
        ),  # fmt: skip
        "realizations": _sorted(
            (
                r.indicator.code,
                r.year,
                r.quarter,
                r.value,
                r.text,
                r.no_data,
                r.no_data_reason,
                r.factors_helped,
                r.factors_hindered,
                r.follow_up,
            )
            for r in Realization.objects.filter(indicator__agency=agency).select_related("indicator")
        ),  # fmt: skip
        "budget": _sorted(
            (
                b.year,
                b.kind,
                b.code,
                b.name,
                b.unit.name if b.unit else None,
                b.ceiling,
                b.spent_q1,
                b.spent_q2,
                b.spent_q3,
                b.spent_q4,
                tuple(sorted(i.code for i in b.indicators.all())),
            )
            for b in BudgetLine.objects.filter(agency=agency).select_related("unit").prefetch_related("indicators")
        ),  # fmt: skip
    }


# Small workbooks for the import's checks

RENSTRA_HEADER = [
    "Kode Tujuan", "Tujuan", "Kode Sasaran", "Sasaran", "Kode Indikator", "Indikator", "Jenis", "Induk", "Satuan",
    "Skala", "Polaritas", "Agregasi", "Baseline", "Target Akhir", "Target 2025", "Target 2026",
    "Unit Penanggung Jawab", "Jabatan Penanggung Jawab",
]  # fmt: skip
PLAN_SHEET = [["Nama", "Tahun Awal", "Tahun Akhir"], ["Renstra Uji 2025–2029", 2025, 2029]]


def table(header: Sequence[str], rows: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """A sheet's rows from dicts keyed by header (missing keys are blank cells)."""
    return [list(header), *([row.get(name) for name in header] for row in rows)]


def indicator_row(code: str, **cells: Any) -> dict[str, Any]:
    row = {
        "Kode Tujuan": "T1", "Tujuan": "Tujuan satu", "Kode Sasaran": "S1", "Sasaran": "Sasaran satu",
        "Kode Indikator": code, "Indikator": f"Indikator {code}", "Satuan": "dokumen", "Skala": "count",
        "Polaritas": "higher", "Agregasi": "last", "Target 2025": 10, "Target 2026": 12,
    }  # fmt: skip
    row.update(cells)
    return row


def plan_workbook(*rows: dict[str, Any], extra: dict[str, list[list[Any]]] | None = None) -> bytes:
    """A workbook with the plan sheet, a Renstra sheet of `rows` (two plain indicators by default), and `extra`."""
    renstra = rows or (indicator_row("A.1"), indicator_row("A.2", **{"Satuan": "%", "Skala": "percent"}))
    return workbook({"Rencana Strategis": PLAN_SHEET, "Renstra": table(RENSTRA_HEADER, renstra), **(extra or {})})
