"""The SOP engine on a real database: every seed SOP run to its end (both Tidak loops included), joint steps,
working-time deadlines, assignment to acting holders and superiors, pauses, escalation, and the collection's
actions completing their steps."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.collection import services as collection
from kinerja.collection.tests.helpers import complete, division_submission, fresh, open_period
from kinerja.org.models import Agency, Position, Role, Unit
from kinerja.sop import engine, services
from kinerja.sop.models import Action, Case, Procedure, ProcedureVersion, Step, Task
from kinerja.sop.seedfiles import seed_sops
from kinerja.sop.selectors import version_spec

WITA = ZoneInfo("Asia/Makassar")
LL = "Bidang Lalu Lintas"
pytestmark = pytest.mark.django_db


def adopt_and_publish(slug: str, agency: Agency, by: User, *, bind: dict[int, str] | None = None) -> ProcedureVersion:
    template = Procedure.objects.get(agency__isnull=True, slug=slug)
    procedure = services.adopt(template=template, agency=agency, by=by)
    draft = procedure.versions.get()
    if bind:
        spec = version_spec(draft)
        for step in spec.steps:
            step.action = bind.get(step.number, step.action)
        services.save_draft(version=draft, spec=spec, positions={}, expected=draft.version, by=by)
        draft.refresh_from_db()
    return services.publish(version=draft, changelog="", expected=draft.version, by=by)


def active(case: Case) -> list[Task]:
    return list(Task.objects.filter(case=case, status__in=Task.ACTIVE).select_related("step", "case__agency"))


def run_to_end(case: Case, start: datetime, *, say_no_once: bool = True) -> list[Task]:
    """Completes the open tasks in turn, 30 working minutes each; the first decision says Tidak once."""
    calendar = engine.calendar_of_case(case)
    said_no: set[int] = set()
    at = start
    for _ in range(100):
        tasks = active(case)
        if not tasks:
            break
        for task in tasks:
            at = calendar.add_working_minutes(max(at, task.started_at), 30)
            outcome, note = "", ""
            if task.step.symbol == Step.Symbol.DECISION:
                if say_no_once and task.step.number not in said_no:
                    outcome, note = "no", "Perbaiki tabel capaian."
                    said_no.add(task.step.number)
                else:
                    outcome = "yes"
            engine._complete(task, expected=task.version, outcome=outcome, note=note, by=None, acting=None,
                             action="", at=at)  # fmt: skip
    return list(Task.objects.filter(case=case).select_related("step"))


@pytest.mark.parametrize("seed", [s.slug for s in seed_sops()])
def test_every_seed_sop_runs_to_its_end(seed: str, dishub: Agency, perencanaan: User) -> None:
    version = adopt_and_publish(seed, dishub, perencanaan)
    start = datetime(2026, 7, 13, 8, 0, tzinfo=WITA)
    unit = Unit.objects.get(agency=dishub, name=LL)
    case = engine.start_case(version=version, unit=unit, subject_label="Uji", year=2026, by=perencanaan, at=start)
    tasks = run_to_end(case, start)
    case.refresh_from_db()
    assert case.status == Case.Status.FINISHED
    steps = {s.number: s for s in version.steps.all()}
    done_steps = {t.step.number for t in tasks}
    decisions = [s for s in steps.values() if s.symbol == Step.Symbol.DECISION]
    # every step on the Ya path is reached; each decision's Tidak target was done a second time
    assert done_steps == set(steps)
    for decision in decisions:
        again = [t for t in tasks if t.step.number == decision.no_number and t.iteration == 2]
        assert again, f"step {decision.no_number} was not redone after Tidak at step {decision.number}"
        assert [t.outcome for t in tasks if t.step_id == decision.pk] == ["no", "yes"]
    # one task per performer of each pass through a step
    for task in tasks:
        assert task.status == Task.Status.DONE
        assert task.lane in task.step.lanes.all()
    assert AuditEvent.objects.filter(action="sop.case.finished", object_id=str(case.pk)).exists()


def test_the_two_tidak_loops_go_where_the_seeds_say(dishub: Agency, perencanaan: User) -> None:
    loops = {}
    for slug in ("jeneponto-dishub-2020-pengumpulan-data-kinerja", "gowa-dishub-pengukuran-kinerja-pegawai"):
        version = adopt_and_publish(slug, dishub, perencanaan)
        start = datetime(2026, 7, 13, 8, 0, tzinfo=WITA)
        case = engine.start_case(version=version, unit=None, subject_label="Uji", year=2026, by=perencanaan,
                                 at=start)  # fmt: skip
        tasks = run_to_end(case, start)
        loops[slug] = [t.step.number for t in sorted(tasks, key=lambda t: (t.started_at, t.pk))]
    assert loops["jeneponto-dishub-2020-pengumpulan-data-kinerja"] == [1, 2, 3, 4, 5, 4, 5, 6]
    assert loops["gowa-dishub-pengukuran-kinerja-pegawai"] == [1, 2, 3, 4, 5, 6, 7, 8, 6, 7, 8, 9, 10]


def test_a_joint_step_is_done_when_every_performer_is(dishub: Agency, perencanaan: User) -> None:
    version = adopt_and_publish("balangan-dishub-2023-monev-internal-capaian-kinerja", dishub, perencanaan)
    start = datetime(2026, 7, 13, 8, 0, tzinfo=WITA)
    case = engine.start_case(version=version, unit=Unit.objects.get(agency=dishub, name=LL), subject_label="Uji",
                             year=2026, by=perencanaan, at=start)  # fmt: skip
    calendar = engine.calendar_of_case(case)
    at = start
    while True:
        tasks = active(case)
        if tasks[0].step.number == 5:
            break
        at = calendar.add_working_minutes(at, 10)
        engine._complete(tasks[0], expected=tasks[0].version, outcome="", note="", by=None, acting=None, action="",
                         at=at)  # fmt: skip
    joint = active(case)
    assert sorted(t.lane.key for t in joint) == ["kabid", "kasie", "kasubbag_program"]
    for task in joint[:2]:
        at = calendar.add_working_minutes(at, 10)
        engine._complete(task, expected=task.version, outcome="", note="", by=None, acting=None, action="", at=at)
        assert all(t.step.number == 5 for t in active(case))
    last = joint[2]
    engine._complete(last, expected=last.version, outcome="", note="", by=None, acting=None, action="",
                     at=calendar.add_working_minutes(at, 10))  # fmt: skip
    assert [t.step.number for t in active(case)] == [6]


def test_deadline_counts_working_time_over_nyepi_idul_fitri_and_cuti_bersama(dishub: Agency, perencanaan: User) -> None:
    version = adopt_and_publish("balangan-dishub-2023-monev-internal-capaian-kinerja", dishub, perencanaan)
    opened = datetime(2025, 3, 26, 7, 45, tzinfo=WITA)  # Wednesday
    case = engine.start_case(version=version, unit=None, subject_label="TW I 2025", year=2025, by=perencanaan,
                             at=opened)  # fmt: skip
    first = active(case)[0]
    assert first.due_at == datetime(2025, 3, 26, 8, 0, tzinfo=WITA)  # "15 Menit"
    engine._complete(first, expected=first.version, outcome="", note="", by=None, acting=None, action="",
                     at=first.due_at)  # fmt: skip
    second = active(case)[0]
    assert second.step.time_text == "2 Hari"
    assert second.standard_minutes == 900
    assert second.due_at == datetime(2025, 4, 8, 8, 0, tzinfo=WITA)  # Tuesday after Nyepi, Idul Fitri, cuti bersama
    # done on Friday 11 April 09:00: 420 + 450 (26, 27 March) + 450 × 3 (8, 9, 10 April) + 90 working minutes
    engine._complete(second, expected=second.version, outcome="", note="", by=None, acting=None, action="",
                     at=datetime(2025, 4, 11, 9, 0, tzinfo=WITA))  # fmt: skip
    second.refresh_from_db()
    assert second.actual_minutes == 420 + 450 + 450 * 3 + 90


def test_time_variant_of_the_case_chooses_the_standard(dishub: Agency, perencanaan: User) -> None:
    version = adopt_and_publish("jeneponto-dishub-2020-pengumpulan-data-kinerja", dishub, perencanaan)
    step = version.steps.get(number=6)
    assert engine.chosen_duration(step, "laporan triwulan").amount == 1
    assert engine.chosen_duration(step, "laporan tahunan").amount == 15
    with pytest.raises(ValidationError):
        engine.start_case(version=version, unit=None, subject_label="x", year=2026, variant="sebulan", by=perencanaan)


def test_tasks_go_to_the_acting_holder_and_to_the_superior_of_a_vacant_post(dishub: Agency, perencanaan: User) -> None:
    version = adopt_and_publish("jeneponto-dishub-2020-pengumpulan-data-kinerja", dishub, perencanaan)
    sarpras = Unit.objects.get(agency=dishub, name="Bidang Sarana dan Prasarana")
    case = engine.start_case(version=version, unit=sarpras, subject_label="Uji", year=2026, by=perencanaan)
    first = active(case)[0]
    assert first.position.unit == sarpras and first.position.role == Role.DIVISION_HEAD
    assert first.assignee_user.username == "kabid"  # Plt. Kepala Bidang Sarana dan Prasarana
    assert "Plt." in first.assigned_note
    kadis_post = Position.objects.get(agency=dishub, role=Role.HEAD)
    vacant = Position.objects.create(agency=dishub, unit=sarpras, title="Analis Data Sarpras", role=Role.STAFF,
                                     superior=kadis_post)  # fmt: skip
    lane = version.lanes.get(key="analis_data")
    performer = engine.resolve_lane(type(lane)(position=vacant, role="", key="x", label="x"), case)
    assert performer.position == vacant
    assert performer.holder.employee.user.username == "kadis"
    assert "vacant" in performer.note or "kosong" in performer.note


def test_only_the_performer_completes_and_tidak_needs_a_note(
    dishub: Agency, perencanaan: User, staf: User, kabid: User
) -> None:
    version = adopt_and_publish("jeneponto-dishub-2020-pengumpulan-data-kinerja", dishub, perencanaan)
    case = engine.start_case(version=version, unit=Unit.objects.get(agency=dishub, name=LL), subject_label="Uji",
                             year=2026, by=perencanaan)  # fmt: skip
    task = active(case)[0]
    assert task.assignee_user == kabid
    with pytest.raises(ValidationError):
        engine.complete_task(task=task, expected=task.version, by=staf)
    with pytest.raises(ValidationError, match="output|Attach|keluaran|Lampirkan"):
        engine.complete_task(task=task, expected=task.version, by=kabid)
    engine.add_output(task=task, name="Disposisi", reference="Disposisi 12/VII", by=kabid)
    engine.complete_task(task=task, expected=task.version, by=kabid)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.done_by == kabid
    with pytest.raises(ValidationError):  # twice is a conflict, never a second completion
        engine.complete_task(task=task, expected=task.version - 1, by=kabid)
    decision = Step.objects.get(procedure_version=version, number=5)
    fake = Task(case=case, step=decision, lane=decision.lanes.first(), started_at=task.started_at)
    with pytest.raises(ValidationError):
        engine._complete(fake, expected=1, outcome="no", note="", by=kabid, acting=None, action="")


def test_pause_stops_the_clock_and_moves_the_due_time(dishub: Agency, perencanaan: User, kabid: User) -> None:
    version = adopt_and_publish("balangan-dishub-2023-monev-internal-capaian-kinerja", dishub, perencanaan)
    case = engine.start_case(version=version, unit=Unit.objects.get(agency=dishub, name=LL), subject_label="Uji",
                             year=2026, by=perencanaan)  # fmt: skip
    task = active(case)[0]
    with pytest.raises(ValidationError):
        engine.pause_task(task=task, expected=task.version, reason="  ", by=task.assignee_user)
    holder = task.assignee_user
    task = engine.pause_task(task=task, expected=task.version, reason="Menunggu data LAKIP", by=holder)
    assert task.status == Task.Status.PAUSED
    task = engine.resume_task(task=task, expected=task.version, by=holder)
    assert task.status == Task.Status.OPEN and task.pauses.get().ended_at is not None


def test_overdue_tasks_are_escalated_once_to_the_superior(dishub: Agency, perencanaan: User) -> None:
    version = adopt_and_publish("jeneponto-dishub-2020-pengumpulan-data-kinerja", dishub, perencanaan)
    start = datetime(2026, 7, 13, 8, 0, tzinfo=WITA)
    case = engine.start_case(version=version, unit=Unit.objects.get(agency=dishub, name=LL), subject_label="Uji",
                             year=2026, by=perencanaan, at=start)  # fmt: skip
    task = active(case)[0]
    later = task.due_at + timedelta(hours=1)
    assert engine.escalate_overdue(now=later) == 1
    assert engine.escalate_overdue(now=later + timedelta(hours=1)) == 0
    task.refresh_from_db()
    assert task.escalated_to == task.position.superior
    assert AuditEvent.objects.filter(action="sop.task.escalated").count() == 1


def test_collection_actions_complete_their_steps(
    settings, tmp_path, dishub: Agency, perencanaan: User, kabid: User, kasie: User
) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    version = adopt_and_publish(
        "jeneponto-dishub-2020-pengumpulan-data-kinerja", dishub, perencanaan,
        bind={4: Action.SUBMIT, 5: Action.REVIEW, 6: Action.VERIFY},
    )  # fmt: skip
    services.save_schedule(
        procedure=version.procedure,
        by=perencanaan,
        values={"kind": "period_opened", "per_division": True, "variant": "laporan triwulan"},
    )
    opened = open_period(dishub, perencanaan, year=2026, quarter=4)
    cases = Case.objects.filter(procedure_version=version)
    assert cases.count() == len([r for r in opened.requests if r.kind == "division"])  # started with the period
    submission = division_submission(opened)
    case = cases.get(subject_id=submission.request_id)
    assert [t.step.number for t in active(case)] == [1]
    submission = complete(submission, kasie)
    collection.submit(submission=submission, version=submission.version, by=kasie)
    assert [t.step.number for t in active(case)] == [5]  # steps 1–3 caught up, step 4 done by submitting
    step4 = Task.objects.get(case=case, step__number=4)
    assert step4.done_by_action == "collection.submit" and step4.done_by == kasie
    submission = fresh(submission)
    collection.return_submission(submission=submission, version=submission.version, by=kabid, note="Lengkapi IKU 2")
    assert [(t.step.number, t.iteration) for t in active(case)] == [(4, 2)]
    submission = fresh(submission)
    collection.submit(submission=submission, version=submission.version, by=kasie)
    submission = fresh(submission)
    collection.approve(submission=submission, version=submission.version, by=kabid)
    assert [t.step.number for t in active(case)] == [6]
    submission = fresh(submission)
    collection.verify(submission=submission, version=submission.version, by=perencanaan)
    case.refresh_from_db()
    assert case.status == Case.Status.FINISHED
    outcomes = [(t.step.number, t.outcome) for t in Task.objects.filter(case=case, step__number=5).order_by("pk")]
    assert outcomes == [(5, "no"), (5, "yes")]
    # a step bound to an action is not completed by hand
    other = cases.exclude(pk=case.pk).first()
    while (task := active(other)[0]).step.number < 4:
        engine._complete(task, expected=task.version, outcome="", note="", by=None, acting=None, action="")
    bound = active(other)[0]
    with pytest.raises(ValidationError, match="by itself|dengan sendirinya|sendiri"):
        engine.complete_task(task=bound, expected=bound.version, by=bound.assignee_user)


def test_a_published_version_never_changes_and_a_revision_is_a_new_version(dishub: Agency, perencanaan: User) -> None:
    version = adopt_and_publish("gowa-dishub-pengukuran-kinerja-pegawai", dishub, perencanaan)
    spec = version_spec(version)
    with pytest.raises(ValidationError):
        services.save_draft(version=version, spec=spec, positions={}, expected=version.version, by=perencanaan)
    revision = services.start_revision(procedure=version.procedure, by=perencanaan)
    assert revision.number == 2 and revision.is_draft
    spec.steps[0].durations = ()
    services.save_draft(version=revision, spec=spec, positions={}, expected=revision.version, by=perencanaan)
    revision.refresh_from_db()
    with pytest.raises(ValidationError):  # a revision needs its changelog
        services.publish(version=revision, changelog=" ", expected=revision.version, by=perencanaan)
    services.publish(version=revision, changelog="Waktu langkah 1 dihapus", expected=revision.version, by=perencanaan)
    version.refresh_from_db()
    revision.refresh_from_db()
    assert version.status == ProcedureVersion.Status.SUPERSEDED
    assert revision.status == ProcedureVersion.Status.PUBLISHED and revision.revised_on
    assert version.steps.get(number=1).time_text == "5 Menit"


def test_calendar_weeks_and_hours_count_on_the_clock() -> None:
    from decimal import Decimal

    from kinerja.lib.workcalendar import WorkCalendar
    from kinerja.sop.spec import parse_durations

    calendar = WorkCalendar()
    start = datetime(2026, 7, 13, 8, 0, tzinfo=WITA)
    (weeks,) = parse_durations("2 minggu kalender")
    assert engine.due_time(calendar, start, weeks) == (datetime(2026, 7, 27, 8, 0, tzinfo=WITA), None)
    (hours,) = parse_durations("3 jam kalender")
    assert engine.due_time(calendar, start, hours) == (datetime(2026, 7, 13, 11, 0, tzinfo=WITA), None)
    (days,) = parse_durations("1,5 hari")
    assert engine.due_time(calendar, start, days)[1] == int(Decimal("1.5") * 450)
