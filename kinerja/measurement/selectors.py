"""Reads for the dashboards: an agency's indicators with their targets, realisations and achievement.

Everything a dashboard shows is loaded in a fixed number of queries, whatever the number of
indicators, and computed in Python by the pure functions of `achievement` and `predicates`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from django.db.models import Prefetch, QuerySet

from kinerja.measurement.achievement import Measure, Status, TargetValue, measure
from kinerja.measurement.models import EarlyWarningSetting, PredicateBand, Realization
from kinerja.measurement.predicates import DEFAULT_BANDS, Band, absorption, classify, efficiency
from kinerja.measurement.projection import DEFAULT_THRESHOLD, Projection, project
from kinerja.org.models import Agency, Unit
from kinerja.org.selectors import descendant_ids
from kinerja.planning.models import AgreementTarget, BudgetLine, Indicator, PlanTarget, Scale, StrategicPlan

QUARTERS = (1, 2, 3, 4)


def bands_of(agency: Agency) -> list[Band]:
    """The agency's predicate scale, or the Permendagri 86/2017 scale when it has none of its own."""
    rows = list(PredicateBand.objects.filter(agency=agency))
    if not rows:
        return list(DEFAULT_BANDS)
    return [Band(minimum=r.minimum, label=r.label, colour=r.colour) for r in rows]


def threshold_of(agency: Agency) -> Decimal:
    """The projected achievement (%) below which the agency's indicators are at risk: its own, or the default."""
    threshold = EarlyWarningSetting.objects.filter(agency=agency).values_list("threshold", flat=True).first()
    return DEFAULT_THRESHOLD if threshold is None else threshold


@dataclass
class IndicatorFigures:
    """One indicator in one year, up to one quarter: what was promised, reported and achieved."""

    indicator: Indicator
    year: int
    upto: int
    targets: dict[int, AgreementTarget]
    realizations: dict[int, Realization]
    renstra: PlanTarget | None
    measure: Measure | None
    band: Band | None
    annual_band: Band | None
    history: dict[int, Measure | None] = field(default_factory=dict)
    projection: Projection | None = None  # the year-end projection from the quarters up to `upto`
    projection_band: Band | None = None  # the band of the projected achievement

    @property
    def at_risk(self) -> bool:
        return self.projection is not None and self.projection.at_risk

    @property
    def is_qualitative(self) -> bool:
        return self.indicator.scale == Scale.QUALITATIVE

    @property
    def annual(self) -> AgreementTarget | None:
        return self.targets.get(AgreementTarget.ANNUAL)

    @property
    def current(self) -> Realization | None:
        return self.realizations.get(self.upto)

    @property
    def filled(self) -> bool:
        """Whether the quarter asked for has a figure or an explained absence of one."""
        row = self.current
        return row is not None and (row.is_reported or row.no_data)

    @property
    def percent(self) -> Decimal | None:
        return self.measure.to_date.percent if self.measure else None

    @property
    def annual_percent(self) -> Decimal | None:
        return self.measure.annual.percent if self.measure else None

    def quarter_values(self) -> list[Realization | None]:
        return [self.realizations.get(q) for q in QUARTERS]

    def quarter_targets(self) -> list[AgreementTarget | None]:
        return [self.targets.get(q) for q in QUARTERS]


def _target_value(row: AgreementTarget | None) -> TargetValue | None:
    if row is None or (row.value is None and row.upper is None):
        return None
    return TargetValue(value=row.value, upper=row.upper)


def _inputs(
    targets: dict[int, AgreementTarget], realizations: dict[int, Realization]
) -> tuple[TargetValue | None, dict[int, TargetValue], dict[int, Decimal | None]]:
    """The annual target, quarterly targets and realisations that `measure` and `project` take from an
    indicator's rows: a quarter with no data has no figure."""
    annual = _target_value(targets.get(AgreementTarget.ANNUAL))
    quarterly = {q: tv for q in QUARTERS if (tv := _target_value(targets.get(q))) is not None}
    values = {q: r.value for q, r in realizations.items() if not r.no_data}
    return annual, quarterly, values


def compute(
    indicator: Indicator,
    *,
    targets: dict[int, AgreementTarget],
    realizations: dict[int, Realization],
    upto: int,
) -> Measure | None:
    """The achievement of a numeric indicator up to `upto`; None for a qualitative one."""
    if indicator.scale == Scale.QUALITATIVE:
        return None
    annual, quarterly, values = _inputs(targets, realizations)
    return measure(
        polarity=indicator.polarity,
        aggregation=indicator.aggregation,
        annual=annual,
        quarterly=quarterly,
        realizations=values,
        upto=upto,
    )


def projection_of(
    indicator: Indicator,
    *,
    targets: dict[int, AgreementTarget],
    realizations: dict[int, Realization],
    upto: int,
    threshold: Decimal = DEFAULT_THRESHOLD,
) -> Projection | None:
    """The year-end projection of a numeric indicator from its quarters up to `upto`, fed exactly as `compute`
    feeds `measure`; None for a qualitative one."""
    if indicator.scale == Scale.QUALITATIVE:
        return None
    annual, quarterly, values = _inputs(targets, realizations)
    return project(
        polarity=indicator.polarity,
        aggregation=indicator.aggregation,
        annual=annual,
        quarterly=quarterly,
        realizations=values,
        upto=upto,
        threshold=threshold,
    )


class Rule(Protocol):
    """What the achievement of an indicator depends on besides its figures: an Indicator, or an IndicatorRule."""

    pk: int
    scale: str
    polarity: str
    aggregation: str


class IndicatorRule(NamedTuple):
    """An indicator's rule read as plain values, for pages that measure thousands of indicators."""

    pk: int
    scale: str
    polarity: str
    aggregation: str


# Indicator ids per query: well below SQLite's 32,766 parameters in a statement (Django does not split an IN list).
ACHIEVEMENT_BATCH = 5_000


def achievements(
    indicators: Iterable[Rule], *, years: Iterable[int], upto: int, among: QuerySet[Any] | None = None
) -> dict[tuple[int, int], Measure | None]:
    """The achievement of each of `indicators` in each of `years` up to quarter `upto`, keyed by (indicator id,
    year): what `compute` gives for the same rows, None for a qualitative indicator.

    For many indicators and years at once (a regional overview, the benchmarks): targets and realisations are
    read as plain values, without model instances, in two queries per ACHIEVEMENT_BATCH indicators, and fed to
    the pure `measure` exactly as `compute` feeds it. A caller that can say which indicators these are in SQL passes
    `among`, a query of their ids (it may hold more): it goes to the database as one subquery instead of lists of
    ids, which Django prepares one value at a time.
    """
    if upto not in QUARTERS:
        raise ValueError(f"upto must be a quarter from 1 to 4, not {upto!r}.")
    indicators = list(indicators)
    wanted = sorted(set(years))
    numeric = sorted({i.pk for i in indicators if i.scale != Scale.QUALITATIVE})
    targets: dict[tuple[int, int], dict[int, TargetValue]] = defaultdict(dict)
    values: dict[tuple[int, int], dict[int, Decimal | None]] = defaultdict(dict)
    if wanted:
        # Years as a range, not an IN list, so that the (indicator, year, quarter) index is the one read; no ORDER
        # BY, since the rows go into dicts (the model's (year, quarter) ordering would walk every agency's rows).
        span = {"year__gte": wanted[0], "year__lte": wanted[-1]}
        batches = [among] if among is not None else [
            numeric[start : start + ACHIEVEMENT_BATCH] for start in range(0, len(numeric), ACHIEVEMENT_BATCH)
        ]  # fmt: skip
        for ids in batches:
            for pk, year, quarter, value, upper in (
                AgreementTarget.objects.filter(indicator_id__in=ids, **span)
                .order_by()
                .values_list("indicator_id", "year", "quarter", "value", "upper")
            ):
                if value is not None or upper is not None:  # as `_target_value`: an empty row is no target
                    targets[(pk, year)][quarter] = TargetValue(value=value, upper=upper)
            for pk, year, quarter, value in (
                Realization.objects.filter(indicator_id__in=ids, quarter__lte=upto, no_data=False, **span)
                .order_by()
                .values_list("indicator_id", "year", "quarter", "value")
            ):
                values[(pk, year)][quarter] = value
    result: dict[tuple[int, int], Measure | None] = {}
    for indicator in indicators:
        for year in wanted:
            key = (indicator.pk, year)
            if indicator.scale == Scale.QUALITATIVE:
                result[key] = None
                continue
            own = targets.get(key, {})
            result[key] = measure(
                polarity=indicator.polarity, aggregation=indicator.aggregation,
                annual=own.get(AgreementTarget.ANNUAL),
                quarterly={q: target for q, target in own.items() if q != AgreementTarget.ANNUAL},
                realizations=values.get(key, {}), upto=upto,
            )  # fmt: skip
    return result


def indicators_of(agency: Agency, plan: StrategicPlan, *, unit: Unit | None = None) -> QuerySet[Indicator]:
    indicators = Indicator.objects.filter(plan=plan).select_related(
        "objective__goal", "responsible_unit", "responsible_position", "parent"
    )
    if unit is not None:
        indicators = indicators.filter(responsible_unit_id__in=descendant_ids(unit))
    return indicators.order_by("objective__goal__sort_order", "objective__sort_order", "sort_order", "code")


def figures(
    agency: Agency,
    *,
    year: int,
    upto: int,
    indicators: Iterable[Indicator],
    history_years: Iterable[int] = (),
    bands: list[Band] | None = None,
    threshold: Decimal | None = None,
) -> list[IndicatorFigures]:
    """The figures of `indicators` for `year` up to quarter `upto`, their year-end projection (at risk below
    `threshold`, by default DEFAULT_THRESHOLD: callers that know the agency pass `threshold_of(agency)`), and
    their annual results of `history_years`, in four queries whatever the number of indicators (three when the
    caller already holds the agency's `bands`)."""
    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    indicators = list(indicators)
    ids = [i.pk for i in indicators]
    years = sorted({year, *history_years})
    targets: dict[tuple[int, int], dict[int, AgreementTarget]] = defaultdict(dict)
    # No ORDER BY: the rows go into dicts, and the model ordering (year, quarter) would make SQLite walk the
    # (year, quarter) index through every agency's rows instead of looking up these indicators.
    for row in AgreementTarget.objects.filter(indicator_id__in=ids, year__in=years).order_by():
        targets[(row.indicator_id, row.year)][row.quarter] = row
    reals: dict[tuple[int, int], dict[int, Realization]] = defaultdict(dict)
    for row in Realization.objects.filter(indicator_id__in=ids, year__in=years).order_by():
        reals[(row.indicator_id, row.year)][row.quarter] = row
    renstra = {row.indicator_id: row for row in PlanTarget.objects.filter(indicator_id__in=ids, year=year).order_by()}
    if bands is None:
        bands = bands_of(agency)
    result: list[IndicatorFigures] = []
    for indicator in indicators:
        own_targets = targets[(indicator.pk, year)]
        own_reals = reals[(indicator.pk, year)]
        current = compute(indicator, targets=own_targets, realizations=own_reals, upto=upto)
        projection = projection_of(
            indicator, targets=own_targets, realizations=own_reals, upto=upto, threshold=threshold
        )
        history = {
            past: compute(indicator, targets=targets[(indicator.pk, past)], realizations=reals[(indicator.pk, past)], upto=4)
            for past in years
            if past != year
        }  # fmt: skip
        result.append(
            IndicatorFigures(
                indicator=indicator, year=year, upto=upto, targets=own_targets, realizations=own_reals,
                renstra=renstra.get(indicator.pk), measure=current,
                band=classify(current.to_date.percent, bands) if current else None,
                annual_band=classify(current.annual.percent, bands) if current else None, history=history,
                projection=projection,
                projection_band=classify(projection.percent, bands) if projection else None,
            )
        )  # fmt: skip
    return result


def at_risk(
    agency: Agency, plan: StrategicPlan, *, year: int, upto: int, units: set[int] | None = None
) -> list[IndicatorFigures]:
    """The indicators of `plan` (those of `units` only, when given) whose year-end, projected from the quarters up
    to `upto`, falls below the agency's threshold: in six queries whatever the number of indicators."""
    indicators = indicators_of(agency, plan)
    if units is not None:
        indicators = indicators.filter(responsible_unit_id__in=units)
    rows = figures(agency, year=year, upto=upto, indicators=indicators, threshold=threshold_of(agency))
    return [row for row in rows if row.at_risk]


def quarterly_trend(row: IndicatorFigures) -> list[Decimal | None]:
    """Achievement to date at the end of each quarter up to the one shown."""
    trend: list[Decimal | None] = []
    for quarter in QUARTERS:
        if quarter > row.upto:
            trend.append(None)
            continue
        m = compute(row.indicator, targets=row.targets, realizations=row.realizations, upto=quarter)
        trend.append(m.to_date.percent if m and m.to_date.status == Status.COMPUTED else None)
    return trend


@dataclass(frozen=True)
class DivisionStatus:
    """How far a division has filled the quarter's data."""

    unit: Unit | None
    total: int
    filled: int
    computed: list[Decimal]

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.filled == self.total

    @property
    def percent_filled(self) -> Decimal:
        return Decimal(self.filled * 100) / self.total if self.total else Decimal(0)

    @property
    def average(self) -> Decimal | None:
        return sum(self.computed, Decimal(0)) / len(self.computed) if self.computed else None


def division_status(rows: list[IndicatorFigures], units: list[Unit]) -> list[DivisionStatus]:
    """Per top-level unit (Bidang, Sekretariat, UPT): indicators filled for the quarter shown."""
    parent_of = {u.pk: u.parent_id for u in units}
    by_id = {u.pk: u for u in units}

    def top(unit_id: int | None) -> int | None:
        while unit_id is not None and parent_of.get(unit_id) is not None:
            unit_id = parent_of[unit_id]
        return unit_id

    groups: dict[int | None, list[IndicatorFigures]] = defaultdict(list)
    for row in rows:
        groups[top(row.indicator.responsible_unit_id)].append(row)
    statuses = []
    for unit_id, members in groups.items():
        computed = [r.percent for r in members if r.percent is not None]
        statuses.append(
            DivisionStatus(
                unit=by_id.get(unit_id) if unit_id else None, total=len(members),
                filled=sum(1 for r in members if r.filled), computed=computed,
            )
        )  # fmt: skip
    return sorted(statuses, key=lambda s: (s.unit is None, s.unit.sort_order if s.unit else 0, str(s.unit)))


@dataclass(frozen=True)
class BudgetFigures:
    line: BudgetLine
    spent: Decimal
    absorption: Decimal | None
    achievement: Decimal | None
    efficiency: Decimal | None
    efficiency_category: str


def budget_figures(
    agency: Agency, *, year: int, upto: int, rows: list[IndicatorFigures], unit: Unit | None = None
) -> list[BudgetFigures]:
    """Budget lines of the year with absorption to the quarter and efficiency against the
    average achievement of the indicators each line supports."""
    by_indicator = {r.indicator.pk: r for r in rows}
    lines = BudgetLine.objects.filter(agency=agency, year=year).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.only("pk"))
    )
    if unit is not None:
        lines = lines.filter(unit_id__in=descendant_ids(unit))
    result = []
    for line in lines.order_by("code"):
        spent = sum((v for v in line.spent(upto) if v is not None), Decimal(0))
        absorbed = absorption(ceiling=line.ceiling, spent=spent)
        percents = [
            p
            for i in line.indicators.all()
            if (r := by_indicator.get(i.pk)) is not None and (p := r.percent) is not None
        ]
        achieved = sum(percents, Decimal(0)) / len(percents) if percents else None
        difference, category = efficiency(achievement=achieved, absorption=absorbed)
        result.append(BudgetFigures(line, spent, absorbed, achieved, difference, category))
    return result
