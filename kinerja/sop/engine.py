"""Running a published SOP version as a case.

The engine walks the flow: a case starts at step 1; every step it reaches becomes one task per performer
(a joint step, several), assigned to whoever holds the performer's position on that day (the acting
holder when there is one; the nearest superior's holder when the position is vacant) and due after the
step's Waktu counted in working time on the agency's calendar. When every task of a step is done the flow
follows `next`, or `yes`/`no` for a decision (Tidak loops back and the step is done again as the next
iteration); a step with no exit ends the case. A step bound to an application action is completed when
the action is done. Every transition is one transaction with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.audit.services import record_event
from kinerja.collection import notify
from kinerja.collection.models import DataRequest, Notification, ReportingPeriod
from kinerja.lib.actions import ActionDone
from kinerja.lib.errors import ConflictError
from kinerja.lib.uploads import UploadRefused, check_upload
from kinerja.lib.workcalendar import WorkCalendar
from kinerja.org.models import Agency, Assignment, Position, Unit
from kinerja.org.selectors import descendant_ids, holder_of_position
from kinerja.sop.models import Action, Case, ProcedureVersion, Schedule, Step, Task, TaskOutput, TaskPause
from kinerja.sop.permissions import require_runner, task_holder
from kinerja.sop.selectors import calendar_for
from kinerja.sop.spec import Duration, TimeUnit, flow_targets, parse_durations
from kinerja.sop.spec import Symbol as SpecSymbol

CAUGHT_UP = "caught-up"  # done_by_action of a task completed because a later step's action came first
MAX_ITERATIONS = 20  # a loop that comes round this often is a fault, not rework
OUTPUT_MAX_BYTES = 20 * 1024 * 1024

SUBJECT_PERIOD = "collection.period"
SUBJECT_REQUEST = "collection.request"
SUBJECT_QUARTER = "collection.quarter"  # year * 10 + quarter: a case that exists before its period is opened

# An announced action and the step action it completes, with the decision it stands for.
_ACTIONS = {
    "collection.open_period": (Action.OPEN_PERIOD, ""),
    "collection.submit": (Action.SUBMIT, ""),
    "collection.approve": (Action.REVIEW, Task.Outcome.YES),
    "collection.return": (Action.REVIEW, Task.Outcome.NO),
    "collection.verify": (Action.VERIFY, ""),
    "documents.sign": (Action.SIGN, ""),
    "monev.plan": (Action.MONEV_PLAN, ""),
    "monev.schedule": (Action.MONEV_SCHEDULE, ""),
    "monev.visit": (Action.MONEV_VISIT, ""),
}


def quarter_label(year: int, quarter: int) -> str:
    """The subject of a quarter's case as the agency's documents write it: "Triwulan III 2026"."""
    return f"Triwulan {('I', 'II', 'III', 'IV')[quarter - 1]} {year}"


def calendar_of_case(case: Case) -> WorkCalendar:
    year = case.started_at.year
    return calendar_for(case.agency, range(year - 1, year + 3))


# Assignment


@dataclass(frozen=True)
class Performer:
    position: Position | None
    holder: Assignment | None
    note: str


def resolve_lane(lane, case: Case, *, on=None) -> Performer:  # noqa: ANN001 - a sop.Lane
    """Who does a lane's tasks in a case: the position chosen for the lane, or the position with the lane's
    role in the case's unit (then in the agency); its acting holder, else its holder; when it is vacant,
    the nearest superior with a holder."""
    on = on or timezone.localdate()
    position = lane.position
    if position is None and lane.role:
        candidates = list(
            Position.objects.filter(agency=case.agency, role=lane.role, is_active=True).select_related("unit")
        )
        if case.unit_id is not None:
            inside = descendant_ids(case.unit)
            preferred = [p for p in candidates if p.unit_id in inside]
            candidates = preferred or candidates
        position = min(candidates, key=lambda p: (p.unit_id or 0, p.pk), default=None)
    if position is None:
        return Performer(None, None, _("No position has this role in the agency."))
    seen: set[int] = set()
    current: Position | None = position
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        holder = holder_of_position(current, on=on)
        if holder is not None:
            if current.pk != position.pk:
                note = _("%(position)s is vacant: given to the superior, %(superior)s.") % {
                    "position": position.title, "superior": current.title}  # fmt: skip
            elif holder.kind == Assignment.Kind.ACTING:
                note = _("Acting holder (%(title)s).") % {"title": holder.acting_title or _("acting")}
            else:
                note = ""
            return Performer(position, holder, note)
        current = current.superior
    return Performer(position, None, _("The position and its superiors are vacant."))


# Time standards


def chosen_duration(step: Step, variant: str) -> Duration | None:
    """The step's time standard for the case's variant (seed 002 step 6: 1 day for a quarterly report,
    15 for the annual one); the first when the variant names none of them."""
    durations = parse_durations(step.time_text)
    if not durations:
        return None
    wanted = variant.strip().casefold()
    if wanted:
        for duration in durations:
            condition = duration.condition.casefold()
            if condition and (wanted in condition or condition in wanted):
                return duration
    return durations[0]


def due_time(calendar: WorkCalendar, start: datetime, duration: Duration | None) -> tuple[datetime | None, int | None]:
    """When a task started at `start` is due, and its standard in working minutes (None for calendar days)."""
    if duration is None:
        return None, None
    if duration.calendar and duration.unit in (TimeUnit.DAY, TimeUnit.WEEK):
        days = duration.amount * (7 if duration.unit == TimeUnit.WEEK else 1)
        return calendar.add_calendar_days(start, days), None
    minutes = duration.working_minutes(calendar.minutes_per_day)
    if minutes is None:  # minutes or hours "kalender" are the same minutes on the clock
        minutes = int(duration.amount * (60 if duration.unit == TimeUnit.HOUR else 1))
        return start + timedelta(minutes=minutes), None
    return calendar.add_working_minutes(start, minutes), minutes


# Starting


def variants_of(version: ProcedureVersion) -> list[str]:
    """The conditions of the version's time variants (\"laporan triwulan\"), in step order."""
    found: list[str] = []
    for time_text in version.steps.values_list("time_text", flat=True):
        for duration in parse_durations(time_text):
            if duration.condition and duration.condition not in found:
                found.append(duration.condition)
    return found


def start_case(
    *, version: ProcedureVersion, unit: Unit | None, subject_kind: str = "", subject_id: int | None = None,
    subject_label: str, year: int, quarter: int | None = None, variant: str = "", by: User | None,
    at: datetime | None = None, key: str | None = None,
) -> Case:  # fmt: skip
    """Starts a case of a version in force. `by` None is the schedule (the periodic command)."""
    agency = version.procedure.agency
    acting = require_runner(by, agency) if by is not None else None
    if agency is None:
        raise ValidationError(_("A library template cannot run; adopt it first."))
    if version.status != ProcedureVersion.Status.PUBLISHED:
        raise ValidationError(_("Only the version in force of an SOP can be started."))
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": _("Choose a unit of this agency.")})
    if not subject_label.strip():
        raise ValidationError({"subject": _("Say what the case is about, e.g. “Triwulan III 2026”.")})
    variants = variants_of(version)
    if variant and variant not in variants:
        raise ValidationError({"variant": _("Choose one of the SOP's time variants.")})
    at = at or timezone.now()
    first = version.steps.filter(number=1).first()
    if first is None:
        raise ValidationError(_("The SOP has no steps."))
    try:
        with transaction.atomic():
            case = Case.objects.create(
                agency=agency, procedure_version=version, unit=unit, subject_kind=subject_kind,
                subject_id=subject_id, subject_label=subject_label.strip()[:300], variant=variant or
                (variants[0] if variants else ""), year=year, quarter=quarter, started_at=at, started_by=by, key=key,
            )  # fmt: skip
            record_event(
                action="sop.case.started", actor=by, acting_as=acting, agency=agency, target=case,
                after={"sop": version.title, "version": version.number, "subject": case.subject_label,
                       "variant": case.variant, "scheduled": by is None},
            )  # fmt: skip
            _activate(case, first, at=at, by=by)
    except IntegrityError as exc:
        raise ValidationError(_("This case has already been started.")) from exc
    return case


def _activate(case: Case, step: Step, *, at: datetime, by: User | None) -> list[Task]:
    previous = Task.objects.filter(case=case, step=step).aggregate(n=Max("iteration"))["n"] or 0
    iteration = previous + 1
    if iteration > MAX_ITERATIONS:
        raise ValidationError(
            _("Step %(n)s has come round %(times)s times; the case is stopped so that someone looks at it.")
            % {"n": step.number, "times": MAX_ITERATIONS}
        )
    calendar = calendar_of_case(case)
    duration = chosen_duration(step, case.variant)
    due, standard = due_time(calendar, at, duration)
    tasks = []
    for lane in step.lanes.select_related("position").order_by("order"):
        performer = resolve_lane(lane, case, on=timezone.localtime(at).date())
        employee = performer.holder.employee if performer.holder else None
        task = Task.objects.create(
            case=case, step=step, lane=lane, iteration=iteration, position=performer.position,
            assignee=employee, assignee_user=employee.user if employee else None,
            assigned_note=performer.note[:300], started_at=at, due_at=due, standard_minutes=standard,
        )  # fmt: skip
        tasks.append(task)
        record_event(
            action="sop.task.assigned", actor=by, agency=case.agency, target=task,
            after={"step": step.number, "lane": lane.label, "iteration": iteration,
                   "assignee": employee.name if employee else None, "due": due, "note": performer.note},
        )  # fmt: skip
        if task.assignee_user is not None and not step.action:
            notify.post(
                [task.assignee_user], kind=Notification.Kind.ASSIGNED, key=f"sop-task-{task.pk}",
                title=_("SOP step: %(text)s") % {"text": step.text[:180]},
                body=_("%(sop)s — %(subject)s, step %(n)s.") % {
                    "sop": case.procedure_version.title, "subject": case.subject_label, "n": step.number},
                submission=None, url=reverse("sop-task", args=[task.pk]),
            )  # fmt: skip
    return tasks


# Doing tasks


def mark_opened(task: Task, user: User) -> None:
    """The first time the performer opens the task: the end of the hand-over wait."""
    if task.opened_at is None and task.is_active and task_holder(user, task) is not None:
        Task.objects.filter(pk=task.pk, opened_at__isnull=True).update(opened_at=timezone.now())


def add_output(*, task: Task, name: str, reference: str = "", data: bytes | None = None, filename: str = "",
               by: User) -> TaskOutput:  # fmt: skip
    """Attaches an output of the step: a file (checked by content) or a reference such as a letter number."""
    acting = task_holder(by, task)
    if acting is None:
        raise ValidationError(_("Only the performer of this task can attach its outputs."))
    if not task.is_active:
        raise ValidationError(_("The task is done; its outputs can no longer change."))
    name, reference = name.strip()[:300], reference.strip()[:300]
    if not name:
        raise ValidationError({"name": _("Say which output this is.")})
    if not data and not reference:
        raise ValidationError({"file": _("Attach the file, or write a reference such as the letter number.")})
    fields: dict = {}
    if data:
        try:
            checked = check_upload(data, filename, max_bytes=OUTPUT_MAX_BYTES)
        except UploadRefused as exc:
            raise ValidationError({"file": exc.message}) from exc
        fields = {"file_name": checked.safe_name[:120], "mime": checked.kind.mime, "size": checked.size,
                  "sha256": checked.sha256}  # fmt: skip
    with transaction.atomic():
        output = TaskOutput(task=task, name=name, reference=reference, by=by, **fields)
        if data:
            output.file.save("output", ContentFile(data), save=False)
        output.save()
        record_event(
            action="sop.task.output", actor=by, acting_as=acting, agency=task.case.agency, target=task,
            after={"output": name, "reference": reference, "file": fields.get("file_name"), "sha256": fields.get("sha256")},
        )  # fmt: skip
    return output


def missing_outputs(task: Task) -> list[str]:
    attached = {o.name.casefold() for o in task.outputs.all()}
    return [name for name in task.step.outputs if name.casefold() not in attached]


def complete_task(
    *, task: Task, expected: int, outcome: str = "", note: str = "", by: User, at: datetime | None = None
) -> Task:
    """The performer completes a task from the inbox: with every output of the step attached, and for a
    decision Ya or Tidak (Tidak with a note saying what to correct)."""
    acting = task_holder(by, task)
    if acting is None:
        raise ValidationError(_("This task is not yours to complete."))
    if task.step.action and task.case.subject_id is not None:
        raise ValidationError(
            _("This step completes by itself when “%(action)s” is done in the application.")
            % {"action": task.step.get_action_display()}
        )
    missing = missing_outputs(task)
    if missing:
        raise ValidationError({"outputs": _("Attach the outputs first: %(names)s.") % {"names": ", ".join(missing)}})
    if at is not None and (at < task.started_at or at > timezone.now()):
        raise ValidationError(_("A task is done between its start and now."))
    return _complete(task, expected=expected, outcome=outcome, note=note, by=by, acting=acting, action="", at=at)


def _complete(
    task: Task, *, expected: int, outcome: str, note: str, by: User | None, acting: Assignment | None, action: str,
    at: datetime | None = None,
) -> Task:  # fmt: skip
    step = task.step
    note = note.strip()
    if step.symbol == Step.Symbol.DECISION:
        if outcome not in (Task.Outcome.YES, Task.Outcome.NO):
            raise ValidationError(
                {"outcome": _("Choose %(yes)s or %(no)s.") % {"yes": step.yes_label, "no": step.no_label}}
            )
        if outcome == Task.Outcome.NO and not note:
            raise ValidationError({"note": _("Write what has to be corrected.")})
    else:
        outcome = Task.Outcome.DONE
    at = at or timezone.now()
    calendar = calendar_of_case(task.case)
    with transaction.atomic():
        paused = _close_pause(task, calendar, at)
        worked = max(calendar.working_minutes_between(task.started_at, at) - task.paused_minutes - paused, 0)
        updated = Task.objects.filter(pk=task.pk, version=expected, status__in=Task.ACTIVE).update(
            status=Task.Status.DONE, outcome=outcome, note=note, done_at=at, done_by=by, done_by_action=action,
            actual_minutes=worked, paused_minutes=task.paused_minutes + paused, version=expected + 1,
        )  # fmt: skip
        if updated != 1:
            raise ConflictError()
        task.refresh_from_db()
        record_event(
            action="sop.task.done", actor=by, acting_as=acting, agency=task.case.agency, target=task,
            after={"step": step.number, "iteration": task.iteration, "outcome": outcome, "note": note,
                   "by_action": action, "actual_minutes": worked, "standard_minutes": task.standard_minutes},
        )  # fmt: skip
        Notification.objects.filter(key=f"sop-task-{task.pk}", read_at__isnull=True).update(read_at=at)
        _advance(task, at=at, by=by)
    return task


def _close_pause(task: Task, calendar: WorkCalendar, at: datetime) -> int:
    pause = task.pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        return 0
    TaskPause.objects.filter(pk=pause.pk).update(ended_at=at)
    return calendar.working_minutes_between(pause.started_at, at)


def _advance(task: Task, *, at: datetime, by: User | None) -> None:
    """After a task: when the whole step (every performer of a joint step) is done, the flow moves on."""
    case, step = task.case, task.step
    siblings = Task.objects.filter(case=case, step=step, iteration=task.iteration)
    if siblings.filter(status__in=Task.ACTIVE).exists():
        return
    if step.symbol == Step.Symbol.DECISION:
        said_no = siblings.filter(outcome=Task.Outcome.NO).exists()
        targets = [step.no_number if said_no else step.yes_number]
    else:
        numbers = list(case.procedure_version.steps.values_list("number", flat=True))
        targets = flow_targets(_FlowView(numbers), _FlowStep(step))
    steps = {s.number: s for s in case.procedure_version.steps.filter(number__in=[t for t in targets if t])}
    for number in targets:
        _activate(case, steps[number], at=at, by=by)
    if not targets and not Task.objects.filter(case=case, status__in=Task.ACTIVE).exists():
        Case.objects.filter(pk=case.pk, status=Case.Status.RUNNING).update(
            status=Case.Status.FINISHED, finished_at=at, version=case.version + 1
        )
        record_event(
            action="sop.case.finished", actor=by, agency=case.agency, target=case,
            after={"finished_at": at, "last_step": step.number},
        )  # fmt: skip


class _FlowStep:
    """A stored step seen as a spec step, for `flow_targets`."""

    def __init__(self, step: Step) -> None:
        self.number, self.next, self.yes, self.no = step.number, step.next_number, step.yes_number, step.no_number
        self.symbol = SpecSymbol(step.symbol)

    def exits(self) -> list[int]:
        if self.symbol == SpecSymbol.DECISION:
            return [n for n in (self.yes, self.no) if n is not None]
        return [self.next] if self.next is not None else []


class _FlowView:
    """A stored version seen as a spec, for `flow_targets`: it only needs the step count."""

    def __init__(self, numbers: list[int]) -> None:
        self.steps = numbers

    @classmethod
    def of(cls, steps: dict[int, Step]) -> _FlowView:
        return cls(sorted(steps))


def pause_task(*, task: Task, expected: int, reason: str, by: User) -> Task:
    """Stops the clock while the task waits for a missing input (menunggu kelengkapan)."""
    acting = task_holder(by, task)
    if acting is None:
        raise ValidationError(_("This task is not yours to pause."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say which input the task is waiting for.")})
    at = timezone.now()
    with transaction.atomic():
        updated = Task.objects.filter(pk=task.pk, version=expected, status=Task.Status.OPEN).update(
            status=Task.Status.PAUSED, version=expected + 1
        )
        if updated != 1:
            raise ConflictError()
        TaskPause.objects.create(task=task, reason=reason, started_at=at, by=by)
        task.refresh_from_db()
        record_event(
            action="sop.task.paused", actor=by, acting_as=acting, agency=task.case.agency, target=task,
            after={"reason": reason},
        )  # fmt: skip
    return task


def resume_task(*, task: Task, expected: int, by: User) -> Task:
    """Restarts the clock: the due time moves by the working time the task was paused."""
    acting = task_holder(by, task)
    if acting is None:
        raise ValidationError(_("This task is not yours to resume."))
    at = timezone.now()
    calendar = calendar_of_case(task.case)
    with transaction.atomic():
        paused = _close_pause(task, calendar, at)
        due = calendar.add_working_minutes(task.due_at, paused) if task.due_at and paused else task.due_at
        updated = Task.objects.filter(pk=task.pk, version=expected, status=Task.Status.PAUSED).update(
            status=Task.Status.OPEN, paused_minutes=task.paused_minutes + paused, due_at=due, version=expected + 1
        )
        if updated != 1:
            raise ConflictError()
        task.refresh_from_db()
        record_event(
            action="sop.task.resumed", actor=by, acting_as=acting, agency=task.case.agency, target=task,
            after={"paused_minutes": paused, "due": due},
        )  # fmt: skip
    return task


def cancel_case(*, case: Case, reason: str, by: User) -> Case:
    acting = require_runner(by, case.agency)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is cancelled.")})
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, status=Case.Status.RUNNING).update(
            status=Case.Status.CANCELLED, finished_at=timezone.now(), version=case.version + 1
        )
        if updated != 1:
            raise ValidationError(_("Only a running case can be cancelled."))
        Task.objects.filter(case=case, status__in=Task.ACTIVE).update(status=Task.Status.CANCELLED)
        record_event(
            action="sop.case.cancelled", actor=by, acting_as=acting, agency=case.agency, target=case,
            after={"reason": reason},
        )  # fmt: skip
    case.refresh_from_db()
    return case


# Application actions


def on_action(event: ActionDone) -> None:
    """Completes the open task of every running case whose step is bound to the action just done about
    the same subject. Runs inside the action's transaction."""
    mapped = _ACTIONS.get(event.name)
    if mapped is None or not event.subjects:
        return
    if event.name == "collection.open_period":
        # the period's own cases start with it, not minutes later at the next run of the periodic command
        run_schedules(now=event.at, agency_id=event.agency_id)
    step_action, outcome = mapped
    subject, case_subject = Q(), Q()
    for kind, pk in event.subjects:
        subject |= Q(case__subject_kind=kind, case__subject_id=pk)
        case_subject |= Q(subject_kind=kind, subject_id=pk)
    tasks = (
        Task.objects.filter(subject, status__in=Task.ACTIVE, case__status=Case.Status.RUNNING,
                            case__agency_id=event.agency_id, step__action=step_action)
        .select_related("case__agency", "case__procedure_version", "step")
        .order_by("pk")
    )  # fmt: skip
    for task in tasks:
        note = event.note or _("Done in the application: %(action)s.") % {"action": task.step.get_action_display()}
        _complete(
            task, expected=task.version, outcome=outcome, note=note, by=event.by, acting=None, action=event.name,
            at=event.at,
        )  # fmt: skip
    done_cases = {t.case_id for t in tasks}
    behind = (
        Case.objects.filter(case_subject, status=Case.Status.RUNNING, agency_id=event.agency_id)
        .filter(procedure_version__steps__action=step_action)
        .exclude(pk__in=done_cases)
        .distinct()
    )
    for case in behind:
        _catch_up(case, step_action, event, outcome)


def _catch_up(case: Case, step_action: str, event: ActionDone, outcome: str) -> None:
    """The data moved ahead of the case: the action of a later step was done while earlier steps were still
    open (the division submitted before anyone marked the assignment steps done). The open steps on the way
    are completed as caught up (on the Ya path of decisions) and the bound step is completed by the action.
    Nothing happens when the bound step cannot be reached forward from where the case stands."""
    version = case.procedure_version
    steps = {s.number: s for s in version.steps.all()}
    for _round in range(len(steps) + 1):
        active = list(Task.objects.filter(case=case, status__in=Task.ACTIVE).select_related("case__agency", "step"))
        if not active:
            return
        bound = [t for t in active if t.step.action == step_action]
        if bound:
            for task in bound:
                note = event.note or _("Done in the application: %(action)s.") % {
                    "action": task.step.get_action_display()}  # fmt: skip
                _complete(task, expected=task.version, outcome=outcome, note=note, by=event.by, acting=None,
                          action=event.name, at=event.at)  # fmt: skip
            return
        if not any(_reaches(steps, t.step.number, step_action) for t in active):
            return
        for task in active:
            _complete(
                task, expected=task.version,
                outcome=Task.Outcome.YES if task.step.symbol == Step.Symbol.DECISION else "",
                note=_("Caught up: the application moved on to a later step."), by=event.by, acting=None,
                action=CAUGHT_UP, at=event.at,
            )  # fmt: skip


def _reaches(steps: dict[int, Step], start: int, step_action: str) -> bool:
    """Whether going forward from `start` (the Ya exit of decisions) meets a step bound to the action."""
    view = _FlowView.of(steps)
    seen, number = set(), start
    while number is not None and number not in seen:
        seen.add(number)
        step = steps[number]
        if step.action == step_action:
            return True
        targets = [step.yes_number] if step.symbol == Step.Symbol.DECISION else flow_targets(view, _FlowStep(step))
        number = targets[0] if targets else None
    return False


# The periodic command


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Tells the superior of each performer whose task is past due, once per task."""
    now = now or timezone.now()
    count = 0
    overdue = Task.objects.filter(
        status__in=Task.ACTIVE, due_at__lt=now, escalated_at__isnull=True, case__status=Case.Status.RUNNING
    ).select_related("case__agency", "case__procedure_version", "step", "position__superior")
    for task in overdue:
        superior = task.position.superior if task.position else None
        with transaction.atomic():
            if (
                Task.objects.filter(pk=task.pk, escalated_at__isnull=True).update(
                    escalated_at=now, escalated_to=superior
                )
                != 1
            ):
                continue  # another run took it
            record_event(
                action="sop.task.escalated", actor=None, agency=task.case.agency, target=task,
                after={"due": task.due_at, "to": superior.title if superior else None},
            )  # fmt: skip
            users = notify.holders([superior]) if superior else notify.planners(task.case.agency_id)
            if task.assignee_user is not None:
                users.append(task.assignee_user)
            notify.post(
                users, kind=Notification.Kind.OVERDUE, key=f"sop-overdue-{task.pk}",
                title=_("Overdue SOP step: %(text)s") % {"text": task.step.text[:170]},
                body=_("%(sop)s — %(subject)s, step %(n)s, was due %(due)s.") % {
                    "sop": task.case.procedure_version.title, "subject": task.case.subject_label,
                    "n": task.step.number, "due": timezone.localtime(task.due_at).strftime("%d-%m-%Y %H:%M")},
                submission=None, url=reverse("sop-task", args=[task.pk]),
            )  # fmt: skip
        count += 1
    return count


def run_schedules(*, now: datetime | None = None, agency_id: int | None = None) -> list[Case]:
    """Starts the cases schedules call for and that do not exist yet (each has a unique key)."""
    now = now or timezone.now()
    started: list[Case] = []
    schedules = Schedule.objects.filter(active=True, procedure__agency__isnull=False).select_related(
        "procedure__agency"
    )
    if agency_id is not None:
        schedules = schedules.filter(procedure__agency_id=agency_id)
    for schedule in schedules:
        version = schedule.procedure.versions.filter(status=ProcedureVersion.Status.PUBLISHED).first()
        if version is None:
            continue
        for spec in _due_starts(schedule, now):
            if Case.objects.filter(key=spec["key"]).exists():
                continue
            try:
                started.append(start_case(version=version, by=None, at=now, variant=schedule.variant, **spec))
            except ValidationError:
                continue  # started meanwhile by another run, or the SOP cannot run: the audit shows why not
    return started


def _due_starts(schedule: Schedule, now: datetime) -> list[dict]:
    agency: Agency = schedule.procedure.agency
    prefix = f"s{schedule.pk}"
    if schedule.kind == Schedule.Kind.QUARTERLY:
        local = timezone.localtime(now).date()
        quarter = (local.month - 1) // 3 + 1
        if local.month != quarter * 3 - 2 or local.day < schedule.day:
            return []
        label = quarter_label(local.year, quarter)
        return [{"unit": None, "subject_kind": SUBJECT_QUARTER, "subject_id": local.year * 10 + quarter,
                 "subject_label": label, "year": local.year, "quarter": quarter,
                 "key": f"{prefix}-{local.year}-q{quarter}"}]  # fmt: skip
    starts = []
    periods = ReportingPeriod.objects.filter(agency=agency, status=ReportingPeriod.Status.OPEN)
    for period in periods:
        label = quarter_label(period.year, period.quarter)
        if not schedule.per_division:
            starts.append({"unit": None, "subject_kind": SUBJECT_PERIOD, "subject_id": period.pk,
                           "subject_label": label, "year": period.year, "quarter": period.quarter,
                           "key": f"{prefix}-p{period.pk}"})  # fmt: skip
            continue
        requests = DataRequest.objects.filter(period=period, kind=DataRequest.Kind.DIVISION).select_related("unit")
        for request in requests:
            starts.append({"unit": request.unit, "subject_kind": SUBJECT_REQUEST, "subject_id": request.pk,
                           "subject_label": f"{label} — {request.unit.name}", "year": period.year,
                           "quarter": period.quarter, "key": f"{prefix}-r{request.pk}"})  # fmt: skip
    return starts
