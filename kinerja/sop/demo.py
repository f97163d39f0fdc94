"""The SOP demo: the library of seed templates; Dinas Perhubungan adopts "Pengumpulan Data Kinerja" (seed 002,
with its decision and Tidak loop), binds its steps to the collection's actions and schedules it at every
period; the second quarter of 2026 was run through it step by step (times as they were worked, one report
returned once), so the SLA report has something to show. The third quarter's cases start when the
collection demo opens that period, and their collection steps complete as the data moves."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from kinerja.accounts.models import User
from kinerja.measurement.demo import AGENCY_NAME, REGENCY
from kinerja.org.models import Agency, Unit
from kinerja.sop import engine, services
from kinerja.sop.models import Action, Case, Procedure, ProcedureVersion, Step, Task
from kinerja.sop.selectors import version_spec

SEED_SLUG = "jeneponto-dishub-2020-pengumpulan-data-kinerja"
LANE_ROLES = {"kabid": "division_head", "kasubid_kasubag": "section_head", "analis_data": "staff",
              "kasubag_perencanaan": "planning_head"}  # fmt: skip
BINDINGS = {4: Action.SUBMIT, 5: Action.REVIEW, 6: Action.VERIFY}
VARIANT = "laporan triwulan"
WITA = ZoneInfo("Asia/Makassar")
# How long each division took per step, as a share of the standard: some on time, some late, one very late.
PACE = {
    "Bidang Lalu Lintas": [0.8, 1.0, 1.6, 0.9, 0.5, 1.0, 0.7],
    "Bidang Angkutan": [1.0, 2.6, 1.2, 1.4, 3.0, 0.8, 1.1],
    "Bidang Sarana dan Prasarana": [0.6, 0.7, 0.9, 1.0, 1.0, 0.9, 0.6],
}
RETURNED_ONCE = "Bidang Angkutan"


def load_sop_demo() -> bool:
    """Loads the library and Dinas Perhubungan's demo SOP with its history once; False when it is there already."""
    services.load_library()
    agency = Agency.objects.filter(local_government__name=REGENCY, name=AGENCY_NAME).first()
    if agency is None:
        return False
    if Procedure.objects.filter(agency=agency, template__slug=SEED_SLUG).exists():
        return False
    planner = User.objects.get(username="perencanaan")
    template = Procedure.objects.get(agency__isnull=True, slug=SEED_SLUG)
    with transaction.atomic():
        procedure = services.adopt(template=template, agency=agency, by=planner)
        draft = procedure.versions.get()
        _bind(draft, planner)
        draft.refresh_from_db()
        version = services.publish(
            version=draft, changelog="", expected=draft.version, by=planner
        )  # the first version needs no changelog
        services.save_schedule(
            procedure=procedure, by=planner,
            values={"kind": "period_opened", "day": 10, "per_division": True, "variant": VARIANT},
        )  # fmt: skip
        _second_quarter(version, agency, planner)
    return True


def _bind(draft: ProcedureVersion, planner: User) -> None:
    """Confirms the performers (by role in the division the case is about) and binds the collection steps."""
    spec = version_spec(draft)
    for lane in spec.lanes:
        lane.role = LANE_ROLES.get(lane.key, lane.role)
    for step in spec.steps:
        step.performer_inferred = False
        if step.number in BINDINGS:
            step.action = BINDINGS[step.number].value
    spec.identity.number = "050/014/SOP/Dishub/2026"
    positions = {lane.key: None for lane in spec.lanes}
    services.save_draft(version=draft, spec=spec, positions=positions, expected=draft.version, by=planner)


def _second_quarter(version: ProcedureVersion, agency: Agency, planner: User) -> None:
    """Runs the quarter-2 cases with the times they took: each task done after its pace × its standard."""
    start = datetime(2026, 4, 10, 8, 0, tzinfo=WITA)
    for offset, (unit_name, pace) in enumerate(PACE.items()):
        unit = Unit.objects.filter(agency=agency, name=unit_name).first()
        if unit is None:
            continue
        at = start + timedelta(minutes=20 * offset)
        case = engine.start_case(
            version=version, unit=unit, subject_label=f"Triwulan II 2026 — {unit_name}", year=2026, quarter=2,
            variant=VARIANT, by=planner, at=at,
        )  # fmt: skip
        _work_through(case, pace, unit_name == RETURNED_ONCE)


def _work_through(case: Case, pace: list[float], return_once: bool) -> None:
    calendar = engine.calendar_of_case(case)
    returned = False
    for n in range(20):
        task = Task.objects.filter(case=case, status__in=Task.ACTIVE).select_related("step", "case__agency").first()
        if task is None:
            return
        share = pace[n % len(pace)]
        standard = task.standard_minutes or 60
        at = calendar.add_working_minutes(task.started_at, max(int(standard * share), 1))
        # the performer opens the task in the first working hour
        opened = calendar.add_working_minutes(task.started_at, min(30, max(int(standard * share) // 4, 1)))
        Task.objects.filter(pk=task.pk).update(opened_at=opened)
        outcome, note = "", ""
        if task.step.symbol == Step.Symbol.DECISION:
            if return_once and not returned:
                outcome, note, returned = "no", "Capaian IKU 2 belum dilengkapi bukti dukung; mohon diperbaiki.", True
            else:
                outcome = "yes"
        by = task.assignee_user or User.objects.get(username="perencanaan")
        engine._complete(task, expected=task.version, outcome=outcome, note=note, by=by, acting=None,
                         action="", at=at)  # fmt: skip
