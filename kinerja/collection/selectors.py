"""Reads of the collection: the rows of a submission's form with their live achievement, the inbox, the
period board."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.collection.models import DataRequest, Evidence, ReportingPeriod, Review, Submission, SubmissionLine
from kinerja.collection.permissions import preparer_assignment
from kinerja.lib.workdays import working_days_between
from kinerja.measurement import selectors as measurement
from kinerja.measurement.achievement import Measure
from kinerja.measurement.models import Realization
from kinerja.measurement.predicates import Band, classify
from kinerja.org.models import Unit
from kinerja.org.permissions import current_assignments
from kinerja.org.selectors import today

S = Submission.Status


@dataclass
class FormRow:
    line: SubmissionLine
    figures: measurement.IndicatorFigures
    measure: Measure | None
    band: Band | None
    previous: Realization | None
    evidence: list[Evidence] = field(default_factory=list)
    removed: list[Evidence] = field(default_factory=list)

    @property
    def target(self):  # type: ignore[no-untyped-def]
        return self.figures.targets.get(self.figures.upto)


def with_line(figures: measurement.IndicatorFigures, line: SubmissionLine) -> dict[int, Realization]:
    """The year's realisations with this quarter's replaced by what the line holds now."""
    realizations = dict(figures.realizations)
    if line.value is not None or line.no_data or line.text:
        realizations[figures.upto] = Realization(
            indicator=line.indicator, year=figures.year, quarter=figures.upto, value=line.value, text=line.text,
            no_data=line.no_data,
        )  # fmt: skip
    else:
        realizations.pop(figures.upto, None)
    return realizations


def live_measure(
    figures: measurement.IndicatorFigures, line: SubmissionLine, bands: list[Band]
) -> tuple[Measure | None, Band | None]:
    measure = measurement.compute(
        line.indicator, targets=figures.targets, realizations=with_line(figures, line), upto=figures.upto
    )
    return measure, classify(measure.to_date.percent, bands) if measure else None


def form_rows(submission: Submission) -> list[FormRow]:
    period = submission.request.period
    lines = list(submission.lines.select_related("indicator__plan", "indicator__objective"))
    bands = measurement.bands_of(period.agency)
    figures = {
        f.indicator.pk: f
        for f in measurement.figures(
            period.agency, year=period.year, upto=period.quarter, indicators=[line.indicator for line in lines],
            bands=bands,
        )
    }  # fmt: skip
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    removed: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(line__submission=submission).select_related("uploaded_by"):
        (evidence if item.removed_at is None else removed)[item.line_id].append(item)
    previous_year, previous_quarter = (period.year, period.quarter - 1) if period.quarter > 1 else (period.year - 1, 4)
    previous = {
        r.indicator_id: r
        for r in Realization.objects.filter(
            indicator_id__in=[line.indicator_id for line in lines], year=previous_year, quarter=previous_quarter
        )
    }
    rows = []
    for line in lines:
        f = figures[line.indicator_id]
        measure, band = live_measure(f, line, bands)
        rows.append(
            FormRow(
                line=line, figures=f, measure=measure, band=band, previous=previous.get(line.indicator_id),
                evidence=evidence[line.pk], removed=removed[line.pk],
            )
        )  # fmt: skip
    return rows


def history(submission: Submission) -> list[Review]:
    return list(submission.reviews.select_related("by").prefetch_related("remarks__indicator").order_by("at", "pk"))


# Inbox


def waiting_for(user: User) -> list[Submission]:
    """Submissions that wait for this user: to fill in or correct, to review, or to verify."""
    assignments = current_assignments(user)
    if not assignments:
        return []
    position_ids = [a.position_id for a in assignments]
    agency_ids = {a.position.agency_id for a in assignments}
    open_rows = Submission.objects.filter(request__period__status=ReportingPeriod.Status.OPEN).select_related(
        "request__period__agency", "request__unit", "request__position", "request__reviewer", "awaiting"
    )
    found: dict[int, Submission] = {}
    for submission in open_rows.filter(status=S.SUBMITTED, awaiting_id__in=position_ids):
        submission.waiting_reason = "review"
        found[submission.pk] = submission
    planner_agencies = [a for a in agency_ids if any(
        x.position.agency_id == a and x.position.role == "planning_head" for x in assignments)]  # fmt: skip
    for submission in open_rows.filter(status=S.APPROVED, request__period__agency_id__in=planner_agencies):
        submission.waiting_reason = "verify"
        found[submission.pk] = submission
    editable = open_rows.filter(status__in=Submission.EDITABLE, request__period__agency_id__in=agency_ids)
    # Only the requests of the divisions the user sits in can be theirs to prepare: this runs on every page
    # (the inbox count), so the candidates are narrowed before each one's preparers are worked out.
    units = {u.pk: u for u in Unit.objects.filter(agency_id__in=agency_ids)}
    own_divisions = {
        _top(units, a.position.unit_id) for a in assignments if a.position.unit_id in units
    }  # fmt: skip
    for submission in editable.filter(
        Q(request__kind=DataRequest.Kind.DIVISION, request__unit_id__in=own_divisions)
        | Q(request__position_id__in=position_ids)
    ):
        if preparer_assignment(user, submission.request) is not None:
            submission.waiting_reason = "prepare"
            found[submission.pk] = submission
    return sorted(found.values(), key=lambda s: (s.request.period.due_on, s.pk))


def _top(units: dict, unit_id: int) -> int:  # type: ignore[type-arg]
    """The top-level unit (division) a unit belongs to."""
    seen: set[int] = set()
    while units[unit_id].parent_id in units and unit_id not in seen:
        seen.add(unit_id)
        unit_id = units[unit_id].parent_id
    return unit_id


# Period board


@dataclass
class BoardRow:
    submission: Submission
    holder: str
    days_late: int
    answered: int
    total: int


def board(period: ReportingPeriod, holidays: set[date]) -> list[BoardRow]:
    submissions = (
        Submission.objects.filter(request__period=period)
        .select_related("request__unit", "request__position", "request__reviewer", "awaiting", "submitted_by")
        .order_by("request__kind", "request__unit__sort_order", "request__unit__name", "request__position__title")
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line in SubmissionLine.objects.filter(submission__request__period=period).only(
        "submission_id", "value", "text", "no_data", "no_data_reason"
    ):
        counts[line.submission_id][1] += 1
        if line.answered:
            counts[line.submission_id][0] += 1
    planning = planner_label(period)
    rows = []
    on = today()
    for submission in submissions:
        if submission.status in Submission.EDITABLE:
            holder = str(
                submission.request.position.title if submission.request.position_id else submission.request.unit.name
            )
        elif submission.status == S.SUBMITTED:
            holder = submission.awaiting.title if submission.awaiting else ""
        elif submission.status == S.APPROVED:
            holder = planning
        else:
            holder = ""
        days_late = days_late_of(submission.status, submission.submitted_at, period.due_on, on, holidays)
        answered, total = counts[submission.pk]
        rows.append(BoardRow(submission=submission, holder=holder, days_late=days_late, answered=answered, total=total))
    return rows


def days_late_of(status: str, submitted_at: datetime | None, due_on: date, on: date, holidays: set[date]) -> int:
    """Working days a submission is late on `on`: until today while the division still holds it, until it
    was last submitted once it has left the division; 0 when it was in time."""
    late_until = on if status in Submission.EDITABLE else (timezone_date(submitted_at) or on)
    return working_days_between(due_on, late_until, holidays) if late_until > due_on else 0


def timezone_date(moment):  # type: ignore[no-untyped-def]
    return timezone.localtime(moment).date() if moment else None


def planner_label(period: ReportingPeriod) -> str:
    return _("Planning head")
