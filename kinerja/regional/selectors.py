"""The regional dashboard's figures: every agency of a local government in one period, read in a fixed number
of queries whatever the number of agencies and indicators.

Each figure is the agency's own, computed by the same functions as the agency's pages, so the regional
dashboard never disagrees with them:

- achievement: `measurement.selectors.figures` per indicator, averaged per objective and per agency as the
  agency dashboard averages it (the mean of the computed achievements to date), named with the agency's own
  predicate scale;
- completeness: indicators whose quarter is filled (a figure or an explained absence), as on the agency
  dashboard;
- lateness: working days late of each submission of the agency's reporting period of that quarter, as on
  the period board;
- SOP compliance: tasks of the quarter's cases done within their Mutu Baku time over the tasks with a
  standard, as in the SLA report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q

from kinerja.collection.models import ReportingPeriod, Submission
from kinerja.collection.selectors import days_late_of
from kinerja.measurement.models import PredicateBand, Realization
from kinerja.measurement.predicates import DEFAULT_BANDS, Band, classify
from kinerja.measurement.selectors import IndicatorRule, achievements
from kinerja.org.models import Agency, Holiday, LocalGovernment
from kinerja.org.selectors import today
from kinerja.planning.models import Indicator, Objective, StrategicPlan
from kinerja.planning.selectors import choose_plan
from kinerja.sop.engine import CAUGHT_UP
from kinerja.sop.models import Case, Task
from kinerja.sop.sla import percent


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


@dataclass
class ObjectiveFigures:
    objective: Objective
    indicators: int = 0
    computed: list[Decimal] = field(default_factory=list)
    band: Band | None = None

    @property
    def average(self) -> Decimal | None:
        return _mean(self.computed)


@dataclass
class AgencyFigures:
    """One agency in the period shown."""

    agency: Agency
    plan: StrategicPlan | None
    bands: list[Band]
    objectives: list[ObjectiveFigures] = field(default_factory=list)
    indicators: int = 0
    filled: int = 0
    computed: list[Decimal] = field(default_factory=list)
    band: Band | None = None
    period: ReportingPeriod | None = None
    submissions: int = 0
    submitted: int = 0  # left the division: submitted, approved or verified
    verified: int = 0
    late: int = 0
    days_late: int = 0
    tasks_measured: int = 0
    tasks_on_time: int = 0
    rank: int | None = None

    @property
    def average(self) -> Decimal | None:
        return _mean(self.computed)

    @property
    def percent_filled(self) -> Decimal | None:
        return percent(self.filled, self.indicators)

    @property
    def compliance(self) -> Decimal | None:
        return percent(self.tasks_on_time, self.tasks_measured)


@dataclass
class Overview:
    government: LocalGovernment
    year: int
    quarter: int
    agencies: list[AgencyFigures]

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.agencies)

    @property
    def indicators(self) -> int:
        return self.total("indicators")

    @property
    def filled(self) -> int:
        return self.total("filled")

    @property
    def submissions(self) -> int:
        return self.total("submissions")

    @property
    def late(self) -> int:
        return self.total("late")

    @property
    def average(self) -> Decimal | None:
        """The mean of the agencies' averages: each agency weighs the same, whatever its number of indicators."""
        return _mean([a for row in self.agencies if (a := row.average) is not None])

    @property
    def percent_filled(self) -> Decimal | None:
        return percent(self.total("filled"), self.total("indicators"))

    @property
    def compliance(self) -> Decimal | None:
        return percent(self.total("tasks_on_time"), self.total("tasks_measured"))


def plan_years(government: LocalGovernment) -> list[int]:
    """Every year covered by a plan of one of the government's agencies."""
    years: set[int] = set()
    rows = StrategicPlan.objects.filter(agency__local_government=government).values_list("start_year", "end_year")
    for start, end in rows.distinct():
        years.update(range(start, end + 1))
    return sorted(years)


def overview(government: LocalGovernment, *, year: int, quarter: int, on: date | None = None) -> Overview:
    """Every agency of `government` in `year` up to `quarter`, ranked by average achievement (highest first;
    agencies without a computed achievement last, unranked)."""
    on = on or today()
    agencies = list(Agency.objects.filter(local_government=government).order_by("name"))
    ids = [a.pk for a in agencies]
    plans: dict[int, list[StrategicPlan]] = defaultdict(list)
    for plan in StrategicPlan.objects.filter(agency_id__in=ids).order_by("start_year", "pk"):
        plans[plan.agency_id].append(plan)
    bands: dict[int, list[Band]] = defaultdict(list)
    for row in PredicateBand.objects.filter(agency_id__in=ids):
        bands[row.agency_id].append(Band(minimum=row.minimum, label=row.label, colour=row.colour))
    rows: dict[int, AgencyFigures] = {}
    for agency in agencies:
        plan = choose_plan(plans[agency.pk], year)
        rows[agency.pk] = AgencyFigures(
            agency=agency, plan=plan if plan is not None and plan.covers(year) else None,
            bands=bands[agency.pk] or list(DEFAULT_BANDS),
        )  # fmt: skip
    _achievement(rows, year=year, quarter=quarter)
    _lateness(rows, government, year=year, quarter=quarter, on=on)
    _compliance(rows, year=year, quarter=quarter)
    ranked = sorted((r for r in rows.values() if r.average is not None), key=lambda r: (-r.average, r.agency.name))  # type: ignore[operator]
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    return Overview(government=government, year=year, quarter=quarter, agencies=list(rows.values()))


def _achievement(rows: dict[int, AgencyFigures], *, year: int, quarter: int) -> None:
    """Achievement of every indicator by `measurement.selectors.achievements`, the bulk form of what the agency
    dashboard computes, from rules read as plain values: a thousand indicators make no model instances. The
    quarter counts as filled by the rule of `IndicatorFigures.filled` (a value, a text, or an explained absence)."""
    plan_ids = [r.plan.pk for r in rows.values() if r.plan is not None]
    indicators = list(
        Indicator.objects.filter(plan_id__in=plan_ids)
        .order_by("agency_id", "objective__goal__sort_order", "objective__sort_order", "sort_order", "code")
        .values_list("pk", "agency_id", "objective_id", "scale", "polarity", "aggregation")
    )
    objective_rows = {o.pk: o for o in Objective.objects.filter(goal__plan_id__in=plan_ids).order_by()}
    # The indicators as a subquery: a thousand ids in IN lists cost more to prepare than to look up.
    among = Indicator.objects.filter(plan_id__in=plan_ids).values("pk")
    measured = achievements(
        [IndicatorRule(pk, scale, polarity, aggregation) for pk, _a, _o, scale, polarity, aggregation in indicators],
        years=[year], upto=quarter, among=among,
    )  # fmt: skip
    filled = set(
        Realization.objects.filter(indicator_id__in=among, year=year, quarter=quarter)
        .filter(Q(value__isnull=False) | ~Q(text="") | Q(no_data=True))
        .order_by()
        .values_list("indicator_id", flat=True)
    )
    objectives: dict[int, ObjectiveFigures] = {}
    for pk, agency_id, objective_id, *_rule in indicators:
        agency = rows[agency_id]
        agency.indicators += 1
        agency.filled += pk in filled
        objective = objectives.get(objective_id)
        if objective is None:
            objective = objectives[objective_id] = ObjectiveFigures(objective_rows[objective_id])
            agency.objectives.append(objective)
        objective.indicators += 1
        result = measured[(pk, year)]
        if result is None:  # qualitative
            continue
        percent = result.to_date.percent
        if percent is not None:
            agency.computed.append(percent)
            objective.computed.append(percent)
    for agency in rows.values():
        agency.band = classify(agency.average, agency.bands)
        for objective in agency.objectives:
            objective.band = classify(objective.average, agency.bands)


def _lateness(
    rows: dict[int, AgencyFigures], government: LocalGovernment, *, year: int, quarter: int, on: date
) -> None:
    periods = {p.agency_id: p for p in ReportingPeriod.objects.filter(agency_id__in=rows, year=year, quarter=quarter)}
    if not periods:
        return
    first = min(p.due_on for p in periods.values())
    holidays = set(
        Holiday.objects.filter(
            Q(local_government__isnull=True) | Q(local_government=government), day__gte=first, day__lte=max(on, first)
        ).values_list("day", flat=True)
    )
    submissions = Submission.objects.filter(request__period__in=periods.values()).values_list(
        "request__period__agency_id", "status", "submitted_at"
    )
    for agency_id, status, submitted_at in submissions:
        row = rows[agency_id]
        period = periods[agency_id]
        row.submissions += 1
        row.submitted += status not in Submission.EDITABLE
        row.verified += status == Submission.Status.VERIFIED
        late = days_late_of(status, submitted_at, period.due_on, on, holidays)
        row.late += late > 0
        row.days_late += late
    for agency_id, period in periods.items():
        rows[agency_id].period = period


def _compliance(rows: dict[int, AgencyFigures], *, year: int, quarter: int) -> None:
    """The SLA report's rule (sla.records_for, stats_of) counted by the database. The tasks are found through
    the quarter's cases of these agencies only; the task conditions sit in the counts, so that the database does
    not start from the status index, which holds the done tasks of every agency of the installation."""
    cases = list(
        Case.objects.filter(agency_id__in=rows, year=year, quarter=quarter).order_by().values_list("pk", flat=True)
    )
    if not cases:
        return
    done = Q(status=Task.Status.DONE, actual_minutes__isnull=False) & ~Q(done_by_action=CAUGHT_UP)
    measured = done & Q(standard_minutes__isnull=False)
    counts = (
        Task.objects.filter(case_id__in=cases)
        .values("case__agency_id")
        .annotate(
            measured=Count("pk", filter=measured),
            on_time=Count("pk", filter=measured & Q(actual_minutes__lte=F("standard_minutes"))),
        )
        .order_by()
    )
    for row in counts:
        agency = rows[row["case__agency_id"]]
        agency.tasks_measured = row["measured"]
        agency.tasks_on_time = row["on_time"]
