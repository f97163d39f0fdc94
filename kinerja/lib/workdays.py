"""Working days: Monday to Friday, less the holidays given. Pure functions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def on_or_after_working_day(day: date, holidays: Collection[date]) -> date:
    """`day` itself when it is a working day, else the next working day."""
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def quarter_due_date(year: int, quarter: int, due_day: int, holidays: Collection[date]) -> date:
    """The due date of a quarter's data: day `due_day` of the month after the quarter ends, moved to the
    next working day when it falls on a weekend or a holiday."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1 to 4")
    month = quarter * 3 + 1
    if month > 12:
        year, month = year + 1, 1
    return on_or_after_working_day(date(year, month, due_day), holidays)


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count
