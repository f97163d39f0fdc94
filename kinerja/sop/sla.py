"""The SLA of SOP cases (sop-format.md §4.4) and the SOP monitoring form (§1.9, PermenPAN-RB 35/2012).

The statistics are pure functions over `TaskRecord`s (one done task each) and `CaseRecord`s, so they are
tested on plain lists; `records_for`, `cases_for` and `procedures_in_force` at the end read them from the
database.

Definitions:

- ratio = actual working minutes / standard working minutes (Decimal). A task is *on time* when the ratio
  is at most 100 %, *late* above 100 % up to 200 %, *very late* above 200 %; a task whose step has no
  standard in working minutes (none written, or calendar days) is *no standard* and left out of every
  figure built on the standard. A standard of 0 minutes (a hand-over) has no ratio: the task is on time
  when it took 0 minutes, very late otherwise.
- compliance index (indeks kepatuhan SOP) = on-time tasks / tasks with a standard × 100.
- median: the middle value of the sorted list, the mean of the two middle values for an even count.
- p90: nearest rank: the value at rank ⌈0.9 × n⌉ (1-based) of the ascending list, always one of the values.
- rework: tasks of iteration > 1 (the step was done again after a Tidak).
- waiting: the hand-over wait, working minutes from the task's start to its first opening by the performer.
- bottlenecks: steps ranked by the total minutes spent over their standard, then by median ratio.
- a step's standard looks unrealistic when at least 3 of its tasks have a ratio and the median ratio is
  above 150 % (too tight) or below 25 % (too loose).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kinerja.lib.numbers import format_decimal, format_number, round_half_up
from kinerja.lib.workcalendar import WorkCalendar
from kinerja.org.models import Agency
from kinerja.sop.engine import CAUGHT_UP, calendar_of_case
from kinerja.sop.models import Case, ProcedureVersion, Task

HUNDRED = Decimal(100)
COMPLIANCE_GOOD = Decimal(80)  # the monitoring form's "berjalan baik" needs at least this share on time
TOO_TIGHT = Decimal("1.5")
TOO_LOOSE = Decimal("0.25")
UNREALISTIC_MIN_TASKS = 3
QUARTER_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}


class Punctuality(models.TextChoices):
    ON_TIME = "on_time", gettext_lazy("On time")
    LATE = "late", gettext_lazy("Late")
    VERY_LATE = "very_late", gettext_lazy("Very late")
    NO_STANDARD = "no_standard", gettext_lazy("No time standard")


class Judgement(models.TextChoices):
    """The three ratings of the PermenPAN-RB 35/2012 monitoring form."""

    GOOD = "good", gettext_lazy("Running well")
    POOR = "poor", gettext_lazy("Running poorly")
    NOT_RUNNING = "not_running", gettext_lazy("Not running")


class Grouping(models.TextChoices):
    STEP = "step", gettext_lazy("Step")
    POSITION = "position", gettext_lazy("Position")
    PERSON = "person", gettext_lazy("Person")
    UNIT = "unit", gettext_lazy("Unit")
    PERIOD = "period", gettext_lazy("Period")
    SOP = "sop", gettext_lazy("SOP")


class StandardFlag(models.TextChoices):
    NONE = "", ""
    TOO_TIGHT = "tight", gettext_lazy("Standard looks too tight")
    TOO_LOOSE = "loose", gettext_lazy("Standard looks too loose")


# Records


@dataclass(frozen=True, kw_only=True)
class TaskRecord:
    """One done task, as the report reads it. Minutes are working minutes."""

    sop_title: str
    procedure_id: int
    step_number: int
    step_text: str = ""
    position_title: str = ""
    person_name: str = ""
    unit_name: str = ""
    period_label: str = ""
    standard_minutes: int | None
    actual_minutes: int
    waiting_minutes: int | None = None
    paused_minutes: int = 0
    iteration: int = 1
    due_at: datetime | None = None
    done_at: datetime | None = None
    year: int = 0  # the case's period, for ordering the period groups
    quarter: int | None = None
    case_id: int | None = None
    case_label: str = ""
    task_id: int | None = None
    lane_label: str = ""

    @property
    def ratio(self) -> Decimal | None:
        """actual / standard, None without a standard (or with a standard of 0 minutes)."""
        if not self.standard_minutes:
            return None
        return Decimal(self.actual_minutes) / Decimal(self.standard_minutes)

    @property
    def ratio_percent(self) -> Decimal | None:
        ratio = self.ratio
        return None if ratio is None else ratio * HUNDRED

    @property
    def punctuality(self) -> Punctuality:
        standard, actual = self.standard_minutes, self.actual_minutes
        if standard is None:
            return Punctuality.NO_STANDARD
        if actual <= standard:  # ratio ≤ 100 %, compared in whole minutes: no rounding at the boundary
            return Punctuality.ON_TIME
        if standard and actual <= 2 * standard:
            return Punctuality.LATE
        return Punctuality.VERY_LATE

    @property
    def deviation(self) -> int | None:
        """actual − standard in minutes (negative: faster than the standard)."""
        return None if self.standard_minutes is None else self.actual_minutes - self.standard_minutes

    @property
    def minutes_over(self) -> int:
        deviation = self.deviation
        return deviation if deviation is not None and deviation > 0 else 0

    @property
    def is_rework(self) -> bool:
        return self.iteration > 1


@dataclass(frozen=True, kw_only=True)
class CaseRecord:
    """A case of the report's range: its SOP, status, and whether it runs past the due time of a task."""

    procedure_id: int
    status: str  # a Case.Status value
    overdue: bool = False


@dataclass(frozen=True, kw_only=True)
class SopRef:
    """An SOP in force: the procedure and the title and number of its published version."""

    procedure_id: int
    title: str
    doc_number: str = ""
    version: int | None = None


# Statistics


def _decimals(values: Iterable[Decimal | int]) -> list[Decimal]:
    return sorted(v if isinstance(v, Decimal) else Decimal(v) for v in values)


def median(values: Iterable[Decimal | int]) -> Decimal | None:
    """The middle of the sorted values; the mean of the two middle ones for an even count; None when empty."""
    ordered = _decimals(values)
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    if n % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Iterable[Decimal | int], p: int) -> Decimal | None:
    """The nearest-rank p-th percentile: the value at rank ⌈p/100 × n⌉ (1-based) of the ascending list, i.e. the
    smallest value with at least p % of the values at or below it. None when empty."""
    if not 0 < p <= 100:
        raise ValueError("p must be in 1..100")
    ordered = _decimals(values)
    n = len(ordered)
    if not n:
        return None
    rank = -(-p * n // 100)  # ceiling in integers: no float rounding
    return ordered[rank - 1]


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole × 100, exact (round it half up only to show it); None when whole is 0."""
    return None if not whole else Decimal(part) * HUNDRED / Decimal(whole)


def duration_text(minutes: Decimal | int | None) -> str:
    """Working minutes as hours and minutes ("2 h 15 min"), rounded half up to the whole minute."""
    if minutes is None:
        return "—"
    total = int(round_half_up(Decimal(minutes), 0))
    sign, total = ("−", -total) if total < 0 else ("", total)
    hours, rest = divmod(total, 60)
    if not hours:
        text = _("%(minutes)s min") % {"minutes": rest}
    elif not rest:
        text = _("%(hours)s h") % {"hours": format_number(hours)}
    else:
        text = _("%(hours)s h %(minutes)s min") % {"hours": format_number(hours), "minutes": rest}
    return sign + text


@dataclass(kw_only=True)
class GroupStats:
    """The figures of one group of tasks (a step, a position, a person, a unit, a period, an SOP)."""

    key: tuple
    label: str
    detail: str = ""  # for a step, its SOP's title
    order: tuple = ()
    count: int = 0
    measured: int = 0  # tasks with a standard
    on_time: int = 0
    late: int = 0
    very_late: int = 0
    no_standard: int = 0
    rework: int = 0
    compliance: Decimal | None = None  # percent
    median_actual: Decimal | None = None
    p90_actual: Decimal | None = None
    median_ratio: Decimal | None = None  # a fraction: 1 = the standard
    p90_ratio: Decimal | None = None
    median_standard: Decimal | None = None
    total_actual: int = 0
    total_standard: int = 0  # of the tasks with a standard
    minutes_over: int = 0  # summed over the tasks that took longer than their standard
    mean_waiting: Decimal | None = None
    paused: int = 0
    ratio_count: int = 0  # tasks with a ratio: the median ratio is over these

    @property
    def late_total(self) -> int:
        return self.late + self.very_late

    @property
    def median_ratio_percent(self) -> Decimal | None:
        return None if self.median_ratio is None else self.median_ratio * HUNDRED

    @property
    def p90_ratio_percent(self) -> Decimal | None:
        return None if self.p90_ratio is None else self.p90_ratio * HUNDRED

    @property
    def standard_flag(self) -> StandardFlag:
        """Whether the standard looks unrealistic: median ratio > 150 % or < 25 % over at least 3 tasks."""
        if self.median_ratio is None or self.ratio_count < UNREALISTIC_MIN_TASKS:
            return StandardFlag.NONE
        if self.median_ratio > TOO_TIGHT:
            return StandardFlag.TOO_TIGHT
        if self.median_ratio < TOO_LOOSE:
            return StandardFlag.TOO_LOOSE
        return StandardFlag.NONE

    # Readable forms for the templates.

    @property
    def median_actual_text(self) -> str:
        return duration_text(self.median_actual)

    @property
    def p90_actual_text(self) -> str:
        return duration_text(self.p90_actual)

    @property
    def median_standard_text(self) -> str:
        return duration_text(self.median_standard)

    @property
    def mean_waiting_text(self) -> str:
        return duration_text(self.mean_waiting)

    @property
    def minutes_over_text(self) -> str:
        return duration_text(self.minutes_over)


def stats_of(records: Sequence[TaskRecord], *, key: tuple = (), label: str = "", detail: str = "",
             order: tuple = ()) -> GroupStats:  # fmt: skip
    """The figures of a list of tasks."""
    group = GroupStats(key=key, label=label, detail=detail, order=order, count=len(records))
    ratios: list[Decimal] = []
    standards: list[int] = []
    waits: list[int] = []
    for record in records:
        status = record.punctuality
        if status == Punctuality.ON_TIME:
            group.on_time += 1
        elif status == Punctuality.LATE:
            group.late += 1
        elif status == Punctuality.VERY_LATE:
            group.very_late += 1
        else:
            group.no_standard += 1
        if record.standard_minutes is not None:
            standards.append(record.standard_minutes)
            group.total_standard += record.standard_minutes
        ratio = record.ratio
        if ratio is not None:
            ratios.append(ratio)
        if record.waiting_minutes is not None:
            waits.append(record.waiting_minutes)
        group.rework += record.is_rework
        group.total_actual += record.actual_minutes
        group.minutes_over += record.minutes_over
        group.paused += record.paused_minutes
    group.measured = len(standards)
    group.compliance = percent(group.on_time, group.measured)
    actuals = [r.actual_minutes for r in records]
    group.median_actual, group.p90_actual = median(actuals), percentile(actuals, 90)
    group.median_ratio, group.p90_ratio = median(ratios), percentile(ratios, 90)
    group.median_standard = median(standards)
    group.mean_waiting = Decimal(sum(waits)) / len(waits) if waits else None
    group.ratio_count = len(ratios)
    return group


def _key_step(r: TaskRecord) -> tuple:
    return (r.procedure_id, r.step_number)


_KEYS: dict[str, Callable[[TaskRecord], tuple]] = {
    Grouping.STEP: _key_step,
    Grouping.POSITION: lambda r: (r.position_title,),
    Grouping.PERSON: lambda r: (r.person_name,),
    Grouping.UNIT: lambda r: (r.unit_name,),
    Grouping.PERIOD: lambda r: (r.year, r.quarter or 0, r.period_label),
    Grouping.SOP: lambda r: (r.procedure_id,),
}


def _describe(grouping: str, members: list[TaskRecord]) -> tuple[str, str, tuple]:
    """A group's label, detail and sort order. A step's text is the one of its latest task (a revision of the
    SOP may have reworded it)."""
    latest = max(members, key=lambda r: r.done_at.timestamp() if r.done_at is not None else float("-inf"))
    if grouping == Grouping.STEP:
        return f"{latest.step_number}. {latest.step_text}", latest.sop_title, (
            latest.sop_title.casefold(), latest.procedure_id, latest.step_number)  # fmt: skip
    if grouping == Grouping.SOP:
        return latest.sop_title, "", (latest.sop_title.casefold(), latest.procedure_id)
    if grouping == Grouping.PERIOD:
        return latest.period_label or "—", "", (latest.year, latest.quarter or 0)
    value = {Grouping.POSITION: latest.position_title, Grouping.PERSON: latest.person_name,
             Grouping.UNIT: latest.unit_name}[grouping]  # fmt: skip
    return value or "—", "", (not value, value.casefold())


def aggregate(records: Iterable[TaskRecord], grouping: str) -> list[GroupStats]:
    """The figures per group, in a readable order (SOP then step number, periods in time, names A-Z)."""
    key_of = _KEYS[Grouping(grouping)]
    groups: dict[tuple, list[TaskRecord]] = defaultdict(list)
    for record in records:
        groups[key_of(record)].append(record)
    result = []
    for key, members in groups.items():
        label, detail, order = _describe(grouping, members)
        result.append(stats_of(members, key=key, label=label, detail=detail, order=order))
    return sorted(result, key=lambda g: g.order)


def bottlenecks(step_groups: Iterable[GroupStats]) -> list[GroupStats]:
    """The steps that took longer than their standard, worst first: by the total minutes over the standard,
    then by the median ratio."""
    found = [g for g in step_groups if g.minutes_over > 0]
    return sorted(found, key=lambda g: (-g.minutes_over, -(g.median_ratio or Decimal(0)), g.order))


# The monitoring form


@dataclass(kw_only=True)
class Monitoring:
    """One SOP's line of the monitoring form: the judgement, why, and the evidence from its cases."""

    procedure_id: int
    title: str
    doc_number: str = ""
    judgement: Judgement
    reasons: list[str] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)
    cases_started: int = 0  # cancelled cases included
    cases_finished: int = 0
    cases_running: int = 0
    cases_overdue: int = 0
    cases_cancelled: int = 0
    tasks: int = 0
    measured: int = 0
    on_time: int = 0
    late: int = 0
    very_late: int = 0
    rework: int = 0
    compliance: Decimal | None = None
    unrealistic_steps: list[int] = field(default_factory=list)

    @property
    def late_tasks(self) -> int:
        return self.late + self.very_late


def _pct_text(value: Decimal) -> str:
    return format_decimal(value, 2)


def judge(sop: SopRef, cases: Iterable[CaseRecord], records: Iterable[TaskRecord]) -> Monitoring:
    """The monitoring judgement of one SOP over the report's range.

    - Not running (tidak berjalan): no case other than cancelled ones.
    - Running well (berjalan baik): at least one finished case, at least 80 % of the tasks with a standard on time
      (no task with a standard does not count against it), and no running case past the due time of a task.
    - Running poorly (kurang baik): every other SOP with cases: compliance under 80 %, a case running past its
      due time, or no case finished yet.
    """
    cases = [c for c in cases if c.procedure_id == sop.procedure_id]
    records = [r for r in records if r.procedure_id == sop.procedure_id]
    stats = stats_of(records)
    steps = aggregate(records, Grouping.STEP)
    line = Monitoring(
        procedure_id=sop.procedure_id, title=sop.title, doc_number=sop.doc_number, judgement=Judgement.NOT_RUNNING,
        cases_started=len(cases),
        cases_finished=sum(c.status == Case.Status.FINISHED for c in cases),
        cases_running=sum(c.status == Case.Status.RUNNING for c in cases),
        cases_overdue=sum(c.status == Case.Status.RUNNING and c.overdue for c in cases),
        cases_cancelled=sum(c.status == Case.Status.CANCELLED for c in cases),
        tasks=stats.count, measured=stats.measured, on_time=stats.on_time, late=stats.late,
        very_late=stats.very_late, rework=stats.rework, compliance=stats.compliance,
        unrealistic_steps=[g.key[1] for g in steps if g.standard_flag],
    )  # fmt: skip
    if line.cases_started == line.cases_cancelled:
        line.reasons.append(_("No case of this SOP was run in the period."))
        line.follow_up.append(_("Find out why the SOP is not used; revise or withdraw it if it is no longer needed."))
        return line
    poor = False
    if line.compliance is not None and line.compliance < COMPLIANCE_GOOD:
        poor = True
        line.reasons.append(
            _("Only %(pct)s %% of the tasks were on time (at least %(limit)s %% is needed).")
            % {"pct": _pct_text(line.compliance), "limit": format_number(COMPLIANCE_GOOD)}
        )
        line.follow_up.append(_("Look at the bottleneck steps and the late tasks with their performers."))
    if line.cases_overdue:
        poor = True
        line.reasons.append(
            ngettext(
                "%(n)s case is still running past the due time of a step.",
                "%(n)s cases are still running past the due time of a step.",
                line.cases_overdue,
            )
            % {"n": line.cases_overdue}
        )
        line.follow_up.append(_("Remind the performers of the overdue steps or escalate them."))
    if not line.cases_finished:
        poor = True
        line.reasons.append(_("No case of this SOP has finished yet."))
    if line.unrealistic_steps:
        line.follow_up.append(
            _("Review the time standard (Mutu Baku) of step(s) %(steps)s: the actual times are far from it.")
            % {"steps": ", ".join(str(n) for n in line.unrealistic_steps)}
        )
    if poor:
        line.judgement = Judgement.POOR
        return line
    line.judgement = Judgement.GOOD
    if line.compliance is None:
        line.reasons.append(_("Cases finished; no step has a time standard in working minutes to check."))
    else:
        line.reasons.append(
            _("Cases finished and %(pct)s %% of the tasks were on time.") % {"pct": _pct_text(line.compliance)}
        )
    return line


def monitoring(sops: Iterable[SopRef], cases: Sequence[CaseRecord], records: Sequence[TaskRecord]) -> list[Monitoring]:
    return [judge(sop, cases, records) for sop in sops]


# The whole report


@dataclass(kw_only=True)
class Report:
    overall: GroupStats
    groups: dict[str, list[GroupStats]]  # by Grouping value
    bottlenecks: list[GroupStats]
    monitoring: list[Monitoring]
    records: list[TaskRecord]


def summarise(records: Sequence[TaskRecord], cases: Sequence[CaseRecord], sops: Iterable[SopRef]) -> Report:
    records = list(records)
    groups = {grouping.value: aggregate(records, grouping) for grouping in Grouping}
    return Report(
        overall=stats_of(records, label=_("All tasks")),
        groups=groups,
        bottlenecks=bottlenecks(groups[Grouping.STEP]),
        monitoring=monitoring(sops, cases, records),
        records=records,
    )


# Reading the records


def period_label(year: int, quarter: int | None) -> str:
    """The label "2026 TW III" for a quarter's case, "2026" for a case of a year."""
    return f"{year} TW {QUARTER_NAMES[quarter]}" if quarter in QUARTER_NAMES else str(year)


def _case_filters(prefix: str, year: int | None, quarter: int | None, procedure_id: int | None) -> dict:
    filters: dict = {}
    if year is not None:
        filters[f"{prefix}year"] = year
    if quarter is not None:
        filters[f"{prefix}quarter"] = quarter
    if procedure_id is not None:
        filters[f"{prefix}procedure_version__procedure_id"] = procedure_id
    return filters


def records_for(
    agency: Agency, *, year: int | None = None, quarter: int | None = None, procedure_id: int | None = None
) -> list[TaskRecord]:
    """The done tasks of the agency's cases of the period (the case's year and quarter), in one query, plus the
    working-time calendar for the hand-over wait once per case start year (the case calendar is the agency's
    calendar around the year the case started, see engine.calendar_of_case)."""
    tasks = (
        Task.objects.filter(case__agency=agency, status=Task.Status.DONE, actual_minutes__isnull=False)
        .exclude(done_by_action=CAUGHT_UP)  # done at once when a later step's action came first: not measured
        .filter(**_case_filters("case__", year, quarter, procedure_id))
        .select_related(
            "case__procedure_version__procedure", "case__unit", "step", "lane", "position__unit", "assignee"
        )  # fmt: skip
        .order_by("case__started_at", "case_id", "started_at", "step__number", "pk")
    )
    calendars: dict[int, WorkCalendar] = {}
    records = []
    for task in tasks:
        case = task.case
        case.agency = agency  # the calendar reads it: no query per case
        waiting = None
        if task.opened_at is not None:
            year_started = case.started_at.year
            if year_started not in calendars:
                calendars[year_started] = calendar_of_case(case)
            waiting = calendars[year_started].working_minutes_between(task.started_at, task.opened_at)
        position = task.position
        unit = position.unit if position is not None and position.unit_id else case.unit
        records.append(
            TaskRecord(
                sop_title=case.procedure_version.procedure.title, procedure_id=case.procedure_version.procedure_id,
                step_number=task.step.number, step_text=task.step.text,
                position_title=position.title if position is not None else "",
                person_name=task.assignee.name if task.assignee is not None else "",
                unit_name=unit.name if unit is not None else "",
                period_label=period_label(case.year, case.quarter),
                standard_minutes=task.standard_minutes, actual_minutes=task.actual_minutes, waiting_minutes=waiting,
                paused_minutes=task.paused_minutes, iteration=task.iteration, due_at=task.due_at,
                done_at=task.done_at, year=case.year, quarter=case.quarter, case_id=case.pk,
                case_label=case.subject_label, task_id=task.pk, lane_label=task.lane.label,
            )
        )  # fmt: skip
    return records


def cases_for(
    agency: Agency, *, year: int | None = None, quarter: int | None = None, procedure_id: int | None = None,
    now: datetime | None = None,
) -> list[CaseRecord]:  # fmt: skip
    """The agency's cases of the period, each with whether it is running past the due time of an open task."""
    now = now or timezone.now()
    late = Task.objects.filter(case=OuterRef("pk"), status__in=Task.ACTIVE, due_at__lt=now)
    rows = (
        Case.objects.filter(agency=agency)
        .filter(**_case_filters("", year, quarter, procedure_id))
        .annotate(overdue=Exists(late))
        .values_list("procedure_version__procedure_id", "status", "overdue")
    )
    return [
        CaseRecord(procedure_id=procedure_id, status=status, overdue=bool(overdue) and status == Case.Status.RUNNING)
        for procedure_id, status, overdue in rows
    ]


def procedures_in_force(agency: Agency, *, procedure_id: int | None = None) -> list[SopRef]:
    """The agency's SOPs with a published version, by title."""
    versions = ProcedureVersion.objects.filter(procedure__agency=agency, status=ProcedureVersion.Status.PUBLISHED)
    if procedure_id is not None:
        versions = versions.filter(procedure_id=procedure_id)
    return [
        SopRef(procedure_id=v.procedure_id, title=v.title, doc_number=v.doc_number, version=v.number)
        for v in versions.order_by("title", "procedure_id")
    ]
