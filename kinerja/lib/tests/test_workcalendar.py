from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.lib.workcalendar import (
    NORMAL_HOURS,
    RAMADAN_HOURS,
    TIME_ZONES,
    WorkCalendar,
    WorkingHours,
    calendar_with_national_holidays,
    indonesian_holidays,
)

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
RAMADAN_2025 = ((date(2025, 3, 1), date(2025, 3, 30)),)

# Built once: the holiday table is the slow part and every value here is immutable.
CALENDAR_2025 = calendar_with_national_holidays(years=[2025, 2026])
PLAIN = WorkCalendar()  # weekends only, no holidays, no Ramadan


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


# -- the profiles ---------------------------------------------------------------------------------------------------


def test_the_normal_profile_gives_seven_and_a_half_hours_every_weekday() -> None:
    assert [NORMAL_HOURS.minutes_on(weekday) for weekday in range(7)] == [450, 450, 450, 450, 450, 0, 0]
    assert NORMAL_HOURS.minutes_per_week() == 37 * 60 + 30


def test_the_ramadan_profile_gives_six_and_a_half_hours_every_weekday() -> None:
    assert [RAMADAN_HOURS.minutes_on(weekday) for weekday in range(7)] == [390, 390, 390, 390, 390, 0, 0]
    assert RAMADAN_HOURS.minutes_per_week() == 32 * 60 + 30


def test_friday_has_a_longer_break() -> None:
    friday = NORMAL_HOURS.windows[4]
    assert friday == ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))
    assert RAMADAN_HOURS.windows[4] == ((time(8, 0), time(11, 30)), (time(12, 30), time(15, 30)))


@pytest.mark.parametrize(
    "windows",
    [
        ((),) * 6,  # six days only
        (((time(12, 0), time(8, 0)),),) + ((),) * 6,  # ends before it starts
        (((time(8, 0), time(12, 0)), (time(11, 0), time(14, 0))),) + ((),) * 6,  # overlapping
        (((time(13, 0), time(15, 0)), (time(8, 0), time(12, 0))),) + ((),) * 6,  # not sorted
        (((time(8, 0, 30), time(12, 0)),),) + ((),) * 6,  # not a whole minute
    ],
)
def test_malformed_working_hours_are_refused(windows: tuple) -> None:
    with pytest.raises(ValueError):
        WorkingHours(windows=windows)


def test_a_calendar_without_any_window_is_refused_rather_than_looping() -> None:
    with pytest.raises(ValueError, match="no window"):
        WorkCalendar(hours=WorkingHours(windows=((),) * 7))


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="WIB, WITA, WIT"):
        WorkCalendar(zone="UTC")


def test_a_run_of_holidays_too_long_to_be_real_is_reported_not_looped() -> None:
    start = date(2025, 1, 1)
    endless = WorkCalendar(holidays=frozenset(start + timedelta(days=n) for n in range(3 * 366)))
    with pytest.raises(ValueError, match="no working window"):
        endless.add_working_minutes(wita(2025, 1, 1, 8), 60)


# -- holidays from the package -------------------------------------------------------------------------------------

CUTI_BERSAMA_2025 = {
    date(2025, 1, 28),
    date(2025, 3, 28),
    date(2025, 4, 2),
    date(2025, 4, 3),
    date(2025, 4, 4),
    date(2025, 4, 7),
    date(2025, 5, 13),
    date(2025, 5, 30),
    date(2025, 6, 9),
    date(2025, 8, 18),
    date(2025, 12, 26),
}


def test_2025_holidays_include_cuti_bersama_nyepi_and_idul_fitri() -> None:
    table = indonesian_holidays([2025])
    assert {day for day, name in table.items() if name.startswith("Cuti Bersama")} == CUTI_BERSAMA_2025
    assert table[date(2025, 3, 29)] == "Hari Suci Nyepi"
    assert table[date(2025, 3, 31)] == "Hari Raya Idul Fitri"
    assert "Idul Fitri" in table[date(2025, 4, 1)]
    assert "Waisak" in table[date(2025, 5, 12)]
    assert len(table) == 28  # 17 national holidays and 11 cuti bersama


def test_the_helper_adds_local_holidays_to_the_national_ones() -> None:
    anniversary = date(2025, 4, 9)  # an invented regional anniversary on a Wednesday
    calendar = calendar_with_national_holidays(years=[2025], local_holidays=[anniversary])
    assert not calendar.is_working_day(anniversary)
    assert not calendar.is_working_day(date(2025, 4, 7))  # cuti bersama still there
    assert calendar.is_working_day(date(2025, 4, 10))
    assert calendar.add_working_minutes(wita(2025, 4, 8, 15, 0), 120) == wita(2025, 4, 10, 8, 30)


# -- the worked examples -------------------------------------------------------------------------------------------


def test_a_two_day_step_opened_before_lebaran_is_due_after_it() -> None:
    """Balangan step 2: 420 minutes left on Wed 26 March, 450 on Thu 27, then 28 March to 7 April are closed."""
    opened = wita(2025, 3, 26, 8, 0)
    assert CALENDAR_2025.add_working_days(opened, 2) == wita(2025, 4, 8, 8, 0)
    assert CALENDAR_2025.add_working_minutes(opened, 900) == wita(2025, 4, 8, 8, 0)
    assert all(not CALENDAR_2025.is_working_day(date(2025, 3, 28) + timedelta(days=n)) for n in range(11))


def test_the_jeneponto_demo_gives_the_due_times_of_the_reference() -> None:
    start = wita(2025, 4, 10, 8, 0)  # a Thursday
    expected = [
        wita(2025, 4, 10, 8, 15),
        wita(2025, 4, 10, 8, 30),
        wita(2025, 4, 11, 8, 30),
        wita(2025, 4, 14, 8, 30),
        wita(2025, 4, 14, 9, 30),
        wita(2025, 4, 15, 9, 30),
    ]
    due, elapsed = [], 0
    for minutes in (15, 15, 450, 450, 60, 450):
        elapsed += minutes
        due.append(CALENDAR_2025.add_working_minutes(start, elapsed))
    assert due == expected
    assert elapsed == 1440


def test_the_balangan_standard_ends_on_friday_23_may_passing_waisak() -> None:
    """870 minutes before Lebaran, then 29 full days and 240 minutes, which end exactly at Friday's noon break."""
    opened = wita(2025, 3, 26, 8, 0)
    due = CALENDAR_2025.add_working_minutes(opened, 14160)
    assert due == wita(2025, 5, 23, 11, 30)
    assert CALENDAR_2025.working_minutes_between(opened, due) == 14160
    # Without the holidays the same standard would end weeks earlier.
    assert PLAIN.add_working_minutes(opened, 14160) == wita(2025, 5, 8, 11, 30)


# -- starting and ending at the edges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (wita(2025, 4, 12, 10, 0), wita(2025, 4, 14, 8, 30)),  # Saturday: counts from Monday 07:30
        (wita(2025, 4, 14, 18, 0), wita(2025, 4, 15, 8, 30)),  # evening: counts from the next morning
        (wita(2025, 4, 14, 6, 0), wita(2025, 4, 14, 8, 30)),  # before the office opens
        (wita(2025, 4, 14, 12, 15), wita(2025, 4, 14, 14, 0)),  # lunch break: counts from 13:00
        (wita(2025, 4, 14, 11, 30), wita(2025, 4, 14, 13, 30)),  # 30 minutes before the break, 30 after
    ],
)
def test_counting_starts_at_the_next_window(start: datetime, due: datetime) -> None:
    assert PLAIN.add_working_minutes(start, 60) == due


def test_a_count_ending_at_a_window_end_returns_that_end() -> None:
    assert PLAIN.add_working_minutes(wita(2025, 4, 14, 7, 30), 270) == wita(2025, 4, 14, 12, 0)
    assert PLAIN.add_working_minutes(wita(2025, 4, 14, 7, 30), 450) == wita(2025, 4, 14, 16, 0)
    assert PLAIN.add_working_minutes(wita(2025, 4, 14, 7, 30), 451) == wita(2025, 4, 15, 7, 31)


def test_friday_windows_are_used_on_friday() -> None:
    friday = wita(2025, 4, 11, 7, 30)
    assert PLAIN.add_working_minutes(friday, 240) == wita(2025, 4, 11, 11, 30)
    assert PLAIN.add_working_minutes(friday, 241) == wita(2025, 4, 11, 13, 1)
    assert PLAIN.add_working_minutes(friday, 450) == wita(2025, 4, 11, 16, 30)
    assert PLAIN.add_working_minutes(wita(2025, 4, 11, 16, 0), 60) == wita(2025, 4, 14, 8, 0)


def test_zero_minutes_returns_the_start_unchanged() -> None:
    saturday = wita(2025, 4, 12, 10, 0)
    assert PLAIN.add_working_minutes(saturday, 0) is saturday


@pytest.mark.parametrize("minutes", [-1, 1.5, True])
def test_bad_minute_counts_are_refused(minutes: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        PLAIN.add_working_minutes(wita(2025, 4, 14, 8), minutes)  # type: ignore[arg-type]


def test_next_working_moment() -> None:
    inside = wita(2025, 4, 14, 9, 17)
    assert PLAIN.next_working_moment(inside) == inside
    assert PLAIN.next_working_moment(wita(2025, 4, 14, 12, 0)) == wita(2025, 4, 14, 13, 0)  # an end is outside
    assert PLAIN.next_working_moment(wita(2025, 4, 11, 17, 0)) == wita(2025, 4, 14, 7, 30)
    assert CALENDAR_2025.next_working_moment(wita(2025, 3, 27, 16, 0)) == wita(2025, 4, 8, 7, 30)


def test_windows_on_gives_aware_local_windows_and_nothing_on_closed_days() -> None:
    assert PLAIN.windows_on(date(2025, 4, 14)) == (
        (wita(2025, 4, 14, 7, 30), wita(2025, 4, 14, 12, 0)),
        (wita(2025, 4, 14, 13, 0), wita(2025, 4, 14, 16, 0)),
    )
    assert PLAIN.windows_on(date(2025, 4, 13)) == ()  # Sunday
    assert CALENDAR_2025.windows_on(date(2025, 4, 18)) == ()  # Good Friday
    assert PLAIN.tzinfo() == WITA


# -- Ramadan ------------------------------------------------------------------------------------------------------


def test_ramadan_days_have_six_and_a_half_hours_from_eight() -> None:
    calendar = WorkCalendar(ramadan=RAMADAN_2025)
    monday = wita(2025, 3, 10, 8, 0)
    assert calendar.next_working_moment(wita(2025, 3, 10, 7, 45)) == monday
    assert calendar.working_minutes_between(wita(2025, 3, 10), wita(2025, 3, 11)) == 390
    assert calendar.add_working_minutes(monday, 390) == wita(2025, 3, 10, 15, 0)
    assert calendar.add_working_minutes(monday, 240 + 15) == wita(2025, 3, 10, 12, 45)  # 30-minute break
    assert calendar.add_working_days(monday, 1) == wita(2025, 3, 11, 9, 0)  # 450 minutes are more than a day
    # The range is inclusive: 30 March is a Sunday, 31 March (Idul Fitri, here not a holiday) has normal hours.
    assert calendar.hours_on(date(2025, 3, 30)) is RAMADAN_HOURS
    assert calendar.hours_on(date(2025, 3, 31)) is NORMAL_HOURS


def test_ramadan_and_holidays_together_shift_the_lebaran_example() -> None:
    calendar = calendar_with_national_holidays(years=[2025], ramadan=RAMADAN_2025)
    # 390 on Wed 26 and Thu 27 March, 120 more from 07:30 on Tue 8 April.
    assert calendar.add_working_minutes(wita(2025, 3, 26, 8, 0), 900) == wita(2025, 4, 8, 9, 30)


# -- time zones ----------------------------------------------------------------------------------------------------


def test_a_wib_start_is_converted_to_the_calendar_zone() -> None:
    start = datetime(2025, 4, 14, 7, 0, tzinfo=WIB)  # 08:00 WITA
    due = PLAIN.add_working_minutes(start, 60)
    assert due == wita(2025, 4, 14, 9, 0)
    assert due.tzinfo == WITA


def test_a_naive_start_is_read_as_local_time() -> None:
    assert PLAIN.add_working_minutes(datetime(2025, 4, 14, 8, 0), 60) == wita(2025, 4, 14, 9, 0)  # noqa: DTZ001


def test_a_wib_calendar_keeps_its_own_wall_clock() -> None:
    calendar = WorkCalendar(zone="WIB")
    start = datetime(2025, 4, 14, 0, 30, tzinfo=UTC)  # 07:30 WIB
    assert calendar.add_working_minutes(start, 30) == datetime(2025, 4, 14, 8, 0, tzinfo=WIB)
    assert calendar.tzinfo() == ZoneInfo(TIME_ZONES["WIB"])


# -- calendar days and fractions of a day --------------------------------------------------------------------------


def test_calendar_days_ignore_office_hours_and_holidays() -> None:
    start = wita(2025, 3, 27, 15, 0)
    assert CALENDAR_2025.add_calendar_days(start, 7) == wita(2025, 4, 3, 15, 0)
    assert CALENDAR_2025.add_calendar_days(start, Decimal("0.5")) == wita(2025, 3, 28, 3, 0)
    assert CALENDAR_2025.add_calendar_days(datetime(2025, 3, 27, 7, 0, tzinfo=WIB), 1) == wita(2025, 3, 28, 8, 0)


def test_fractional_working_days_round_to_whole_minutes() -> None:
    monday = wita(2025, 4, 14, 7, 30)
    assert PLAIN.add_working_days(monday, Decimal("0.5")) == wita(2025, 4, 14, 11, 15)  # 225 minutes
    assert PLAIN.add_working_days(monday, Decimal("0.001")) == monday  # 0.45 minutes round to 0
    assert PLAIN.add_working_days(monday, Decimal("0.003")) == wita(2025, 4, 14, 7, 31)  # 1.35 rounds to 1
    with pytest.raises(TypeError):
        PLAIN.add_working_days(monday, 0.5)  # type: ignore[arg-type]


def test_minutes_per_day_is_configurable() -> None:
    calendar = WorkCalendar(minutes_per_day=420)
    assert calendar.add_working_days(wita(2025, 4, 14, 7, 30), 1) == wita(2025, 4, 14, 15, 30)


# -- measuring -----------------------------------------------------------------------------------------------------


def test_working_minutes_between_counts_only_windows() -> None:
    assert PLAIN.working_minutes_between(wita(2025, 4, 11, 15, 0), wita(2025, 4, 14, 8, 0)) == 90 + 30
    assert PLAIN.working_minutes_between(wita(2025, 4, 14, 11, 0), wita(2025, 4, 14, 14, 0)) == 120
    assert PLAIN.working_minutes_between(wita(2025, 4, 12), wita(2025, 4, 13, 23, 59)) == 0
    assert PLAIN.working_minutes_between(wita(2025, 4, 14, 9), wita(2025, 4, 14, 8)) == 0
    assert PLAIN.working_minutes_between(wita(2025, 4, 14, 9), wita(2025, 4, 14, 9)) == 0


def test_a_span_of_a_year_crosses_into_the_next() -> None:
    start = wita(2025, 1, 2, 8, 0)
    due = CALENDAR_2025.add_working_minutes(start, 450 * 240)
    assert CALENDAR_2025.working_minutes_between(start, due) == 450 * 240
    assert due.year == 2026


starts = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([WITA, WIB, ZoneInfo("Asia/Jayapura"), UTC]),
)


@settings(max_examples=300, deadline=None)
@given(start=starts, minutes=st.integers(min_value=0, max_value=450 * 30))
def test_measuring_undoes_adding(start: datetime, minutes: int) -> None:
    due = CALENDAR_2025.add_working_minutes(start, minutes)
    assert CALENDAR_2025.working_minutes_between(start, due) == minutes
    if minutes:
        assert due > start
        # The due moment is inside a window or at its end, never in a break or on a closed day.
        assert any(begin < due <= end for begin, end in CALENDAR_2025.windows_on(due.date()))


@settings(max_examples=100, deadline=None)
@given(start=starts, minutes=st.integers(min_value=1, max_value=450 * 10))
def test_ramadan_measuring_undoes_adding(start: datetime, minutes: int) -> None:
    calendar = WorkCalendar(ramadan=RAMADAN_2025, holidays=CALENDAR_2025.holidays)
    assert calendar.working_minutes_between(start, calendar.add_working_minutes(start, minutes)) == minutes
