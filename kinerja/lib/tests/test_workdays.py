from __future__ import annotations

from datetime import date

import pytest

from kinerja.lib.workdays import is_working_day, on_or_after_working_day, quarter_due_date, working_days_between


@pytest.mark.parametrize(
    ("year", "quarter", "holidays", "due"),
    [
        (2026, 3, set(), date(2026, 10, 12)),  # 10 October 2026 is a Saturday
        (2026, 1, set(), date(2026, 4, 10)),  # a Friday: kept
        (2026, 1, {date(2026, 4, 10)}, date(2026, 4, 13)),  # a holiday Friday moves past the weekend
        (2026, 4, set(), date(2027, 1, 11)),  # the fourth quarter is due in January of the next year
        (2026, 2, {date(2026, 7, 10), date(2026, 7, 13)}, date(2026, 7, 14)),
    ],
)
def test_a_quarter_is_due_on_the_tenth_or_the_next_working_day(
    year: int, quarter: int, holidays: set[date], due: date
) -> None:
    assert quarter_due_date(year, quarter, 10, holidays) == due


def test_a_quarter_outside_one_to_four_is_refused() -> None:
    with pytest.raises(ValueError):
        quarter_due_date(2026, 5, 10, set())


def test_working_days() -> None:
    assert not is_working_day(date(2026, 11, 21), set())  # Saturday
    assert is_working_day(date(2026, 11, 23), set())
    assert on_or_after_working_day(date(2026, 11, 21), set()) == date(2026, 11, 23)
    # From Monday 12 October to Monday 19 October 2026: five working days, one of them a holiday.
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 19), {date(2026, 10, 14)}) == 4
    assert working_days_between(date(2026, 10, 19), date(2026, 10, 12), set()) == 0
