from __future__ import annotations

from datetime import date

from kinerja.org.models import Agency
from kinerja.org.selectors import today
from kinerja.planning.models import StrategicPlan


def last_closed_quarter(on: date) -> tuple[int, int]:
    """The (year, quarter) of the last quarter that has ended by `on`."""
    quarter = (on.month - 1) // 3  # the quarters fully behind us this year
    return (on.year, quarter) if quarter else (on.year - 1, 4)


def default_period(plan: StrategicPlan) -> tuple[int, int]:
    """The quarter a page opens on: the last one ended, within the plan's years."""
    year, quarter = last_closed_quarter(today())
    if year > plan.end_year:
        return plan.end_year, 4
    if year < plan.start_year:
        return plan.start_year, 1
    return year, quarter


def requested_year(text: str | None) -> int | None:
    """A four-digit year from a query or form value, or None."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else None


def plan_for(agency: Agency, year: int | None = None) -> StrategicPlan | None:
    """The strategic plan a page works on: the one covering `year` when one does, else the one in force
    today, else the last one that has started, else the first one to come. One query.

    An agency holds several plans over time (the Renstra ending and the next one drafted), and a page that
    always took the newest would hide this year's plan as soon as the next one is entered."""
    return choose_plan(list(StrategicPlan.objects.filter(agency=agency).order_by("start_year")), year)


def choose_plan(plans: list[StrategicPlan], year: int | None) -> StrategicPlan | None:
    """`plan_for`'s choice among one agency's plans, ordered by first year: for callers that load the plans
    of many agencies at once."""
    if not plans:
        return None
    for wanted in (year, today().year):
        if wanted is not None:
            covering = next((p for p in plans if p.covers(wanted)), None)
            if covering is not None:
                return covering
    started = [p for p in plans if p.start_year <= today().year]
    return started[-1] if started else plans[0]


def plan_years(agency: Agency) -> list[int]:
    """Every year of every plan of the agency, in order: the years a period can be chosen from."""
    years: set[int] = set()
    for start, end in StrategicPlan.objects.filter(agency=agency).values_list("start_year", "end_year"):
        years.update(range(start, end + 1))
    return sorted(years)
