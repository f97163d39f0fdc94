from __future__ import annotations

from datetime import date

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
