"""Reads of SOPs: a stored version as a spec, the agency's working-time calendar, inboxes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from django.db.models import Prefetch, Q, QuerySet

from kinerja.accounts.models import User
from kinerja.lib.workcalendar import WorkCalendar, calendar_with_national_holidays
from kinerja.org.models import Agency, Holiday
from kinerja.org.permissions import current_assignments
from kinerja.sop.models import Case, Procedure, ProcedureVersion, RamadanPeriod, SopSettings, Step, Task
from kinerja.sop.spec import Identity, Lane, ProcedureSpec, Symbol, parse_durations
from kinerja.sop.spec import Step as SpecStep


def settings_of(agency: Agency) -> SopSettings:
    found = SopSettings.objects.filter(agency=agency).first()
    return found if found is not None else SopSettings(agency=agency)


def version_spec(version: ProcedureVersion) -> ProcedureSpec:
    """The stored version as a spec (what the renderer, the exports and the checks read)."""
    lanes = list(version.lanes.all())
    keys = {lane.pk: lane.key for lane in lanes}
    steps = version.steps.prefetch_related("lanes").order_by("number")
    identity = Identity(
        title=version.title, government=version.government, agency=version.agency_name, unit=version.unit_name,
        number=version.doc_number, made_on=version.made_on, revised_on=version.revised_on,
        effective_on=version.effective_on, approver_title=version.approver_title, approver_name=version.approver_name,
        approver_rank=version.approver_rank, approver_nip=version.approver_nip,
        legal_basis=list(version.legal_basis), qualifications=list(version.qualifications),
        related=list(version.related), equipment=list(version.equipment), warnings=list(version.warnings),
        records=list(version.records),
    )  # fmt: skip
    return ProcedureSpec(
        identity=identity,
        lanes=[Lane(key=lane.key, label=lane.label, role=lane.role) for lane in lanes],
        steps=[_spec_step(step, keys) for step in steps],
        trigger=version.trigger,
    )


def _spec_step(step: Step, keys: dict[int, str]) -> SpecStep:
    return SpecStep(
        number=step.number, text=step.text, symbol=Symbol(step.symbol),
        lanes=[keys[lane.pk] for lane in sorted(step.lanes.all(), key=lambda lane: lane.order)],
        inputs=list(step.inputs), durations=parse_durations(step.time_text), outputs=list(step.outputs),
        notes=step.notes, next=step.next_number, yes=step.yes_number, no=step.no_number,
        yes_label=step.yes_label, no_label=step.no_label, question=step.question, action=step.action,
        performer_inferred=step.performer_inferred, performer_confidence=step.performer_confidence,
        performer_reason=step.performer_reason,
    )  # fmt: skip


def calendar_for(agency: Agency, years: Iterable[int]) -> WorkCalendar:
    """The agency's working-time calendar over `years`: its zone, the national holidays and cuti bersama,
    the holidays the administrators added (national, and local to its government), Ramadan hours."""
    years = sorted(set(years))
    config = settings_of(agency)
    start, end = date(years[0], 1, 1), date(years[-1], 12, 31)
    local = Holiday.objects.filter(day__range=(start, end)).filter(
        Q(local_government__isnull=True) | Q(local_government_id=agency.local_government_id)
    )
    ramadan = RamadanPeriod.objects.filter(end__gte=start, start__lte=end)
    return _calendar(
        config.time_zone, tuple(years), frozenset(h.day for h in local),
        tuple((r.start, r.end) for r in ramadan), config.minutes_per_day,
    )  # fmt: skip


@lru_cache(maxsize=64)
def _calendar(
    zone: str, years: tuple[int, ...], local: frozenset[date], ramadan: tuple[tuple[date, date], ...], per_day: int
) -> WorkCalendar:
    return calendar_with_national_holidays(
        zone=zone, years=years, local_holidays=local, ramadan=ramadan, minutes_per_day=per_day
    )


def library(agency_ids: Iterable[int]) -> QuerySet[Procedure]:
    """The templates and the SOPs of the given agencies, with their versions."""
    return (
        Procedure.objects.filter(Q(agency__isnull=True) | Q(agency_id__in=list(agency_ids)))
        .select_related("agency", "template")
        .prefetch_related(Prefetch("versions", queryset=ProcedureVersion.objects.order_by("-number")))
    )


def current_version(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.filter(status=ProcedureVersion.Status.PUBLISHED).first()


def draft_version(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.filter(status=ProcedureVersion.Status.DRAFT).first()


def task_inbox(user: User) -> QuerySet[Task]:
    """The open and paused tasks the user is to do: assigned to them, to a position they now hold (a new
    holder, a Plt.), or escalated to one."""
    position_ids = [a.position_id for a in current_assignments(user)]
    return (
        Task.objects.filter(status__in=Task.ACTIVE)
        .filter(Q(assignee_user=user) | Q(position_id__in=position_ids) | Q(escalated_to_id__in=position_ids))
        .select_related("case__procedure_version", "step", "lane", "position")
        .order_by("due_at", "pk")
    )


def cases_of(agency: Agency) -> QuerySet[Case]:
    return Case.objects.filter(agency=agency).select_related("procedure_version__procedure", "unit")
