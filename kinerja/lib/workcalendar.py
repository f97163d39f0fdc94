"""Working-time calendar: office windows, holidays and Ramadan hours, as pure functions.

An SOP's Mutu Baku "Waktu" is a time standard in *working* time (menit/jam inside office hours; "1 hari" is one
working day of 450 minutes under Perpres 21/2023). To say when a task is due, or how long it really took, the
application must count only minutes that fall inside the office windows of working days. This module does that
arithmetic and nothing else: it reads no database, so the holiday table and the instansi's settings are passed in.

All arithmetic is done on aware datetimes in the calendar's zone (WIB/WITA/WIT). Indonesia has no daylight saving
time, so wall-clock and elapsed time agree inside a zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import holidays as holidays_package

__all__ = [
    "NORMAL_HOURS",
    "RAMADAN_HOURS",
    "TIME_ZONES",
    "WorkCalendar",
    "WorkingHours",
    "calendar_with_national_holidays",
    "indonesian_holidays",
]

Window = tuple[time, time]

ONE_MINUTE = timedelta(minutes=1)
ONE_DAY = timedelta(days=1)
# A run of this many consecutive days without a single window can only come from a misconfigured holiday table
# (or a calendar with no hours); stop instead of scanning towards year 9999.
MAX_DAYS_WITHOUT_WORK = 366 * 2

TIME_ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def _minutes_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True)
class WorkingHours:
    """Office windows for each weekday (index 0 = Monday ... 6 = Sunday).

    Each day holds a tuple of `(start, end)` times, sorted and non-overlapping, so that a break (istirahat) is the
    gap between two windows. Each Pemda (PPK) sets its own windows, hence a value rather than constants in code.
    Times must be whole minutes because the time standards are expressed in minutes.
    """

    windows: tuple[tuple[Window, ...], ...]

    def __post_init__(self) -> None:
        windows = tuple(tuple((start, end) for start, end in day) for day in self.windows)
        if len(windows) != 7:
            raise ValueError(f"working hours need windows for 7 weekdays (Monday to Sunday), got {len(windows)}")
        for weekday, day in enumerate(windows):
            previous_end: time | None = None
            for start, end in day:
                for moment in (start, end):
                    if moment.tzinfo is not None:
                        raise ValueError("window times must be naive: the calendar's zone gives them meaning")
                    if moment.second or moment.microsecond:
                        raise ValueError(f"window times must be whole minutes, got {moment.isoformat()}")
                if not start < end:
                    raise ValueError(f"weekday {weekday}: window {start:%H:%M}-{end:%H:%M} must end after it starts")
                if previous_end is not None and start < previous_end:
                    raise ValueError(f"weekday {weekday}: windows must be sorted and must not overlap")
                previous_end = end
        object.__setattr__(self, "windows", windows)

    def minutes_on(self, weekday: int) -> int:
        """Working minutes on an ordinary `weekday` (0 = Monday), before holidays are considered."""
        return sum(_minutes_of(end) - _minutes_of(start) for start, end in self.windows[weekday])

    def minutes_per_week(self) -> int:
        """Working minutes in an ordinary week, to check a profile against the Perpres weekly total."""
        return sum(self.minutes_on(weekday) for weekday in range(7))


def _hours(monday_to_thursday: tuple[Window, ...], friday: tuple[Window, ...]) -> WorkingHours:
    return WorkingHours(windows=(monday_to_thursday,) * 4 + (friday, (), ()))


# Perpres 21/2023: 37.5 hours a week from 07:30, a 60-minute break (90 minutes on Friday for Friday prayers).
NORMAL_HOURS = _hours(
    ((time(7, 30), time(12, 0)), (time(13, 0), time(16, 0))),
    ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30))),
)

# Ramadan: 32.5 hours a week from 08:00, a 30-minute break (60 minutes on Friday); 6.5 hours every day.
RAMADAN_HOURS = _hours(
    ((time(8, 0), time(12, 0)), (time(12, 30), time(15, 0))),
    ((time(8, 0), time(11, 30)), (time(12, 30), time(15, 30))),
)


def indonesian_holidays(years: Iterable[int]) -> dict[date, str]:
    """National holidays and ASN cuti bersama for `years`, named in Indonesian.

    Taken from the `holidays` package (country "ID"): category PUBLIC holds the national holidays and GOVERNMENT
    holds cuti bersama. Both stop government offices, so both stop the working-time clock. Islamic dates the
    package only estimates carry its "(perkiraan)" mark, so an admin can see what still needs confirming.
    """
    table = holidays_package.country_holidays(
        "ID",
        years=sorted(set(years)),
        categories=(holidays_package.PUBLIC, holidays_package.GOVERNMENT),
        language="id",
    )
    return dict(sorted(table.items()))


def _whole_minutes(value: Decimal | int, what: str) -> int:
    """`value` rounded half up to an int, refusing floats (binary fractions would make due times drift)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{what} must be an int or a Decimal, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} cannot be negative, got {value}")
    return int(Decimal(value).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class WorkCalendar:
    """The working time of one instansi: its zone, office hours, Ramadan period and holidays.

    `holidays` are whole days without work (national holidays, cuti bersama, local holidays); `ramadan` lists
    inclusive date ranges on which `ramadan_hours` replace `hours`. `minutes_per_day` is what "1 hari" means.
    """

    zone: str = "WITA"
    hours: WorkingHours = NORMAL_HOURS
    ramadan_hours: WorkingHours = RAMADAN_HOURS
    ramadan: tuple[tuple[date, date], ...] = ()
    holidays: frozenset[date] = frozenset()
    minutes_per_day: int = 450
    _zone_info: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.zone not in TIME_ZONES:
            raise ValueError(f"unknown zone {self.zone!r}: use one of {', '.join(TIME_ZONES)}")
        if not any(self.hours.windows):
            # Without any window on any weekday no deadline could ever be reached.
            raise ValueError("the working hours have no window on any weekday, so no working time can be counted")
        if isinstance(self.minutes_per_day, bool) or not isinstance(self.minutes_per_day, int):
            raise TypeError("minutes_per_day must be an int")
        if self.minutes_per_day <= 0:
            raise ValueError(f"minutes_per_day must be positive, got {self.minutes_per_day}")
        ranges = tuple((first, last) for first, last in self.ramadan)
        for first, last in ranges:
            if last < first:
                raise ValueError(f"Ramadan range {first}..{last} ends before it starts")
        # Accept any iterable from callers but keep the dataclass hashable and immutable.
        object.__setattr__(self, "ramadan", ranges)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_zone_info", ZoneInfo(TIME_ZONES[self.zone]))

    # -- days and windows ---------------------------------------------------------------------------------------

    def tzinfo(self) -> ZoneInfo:
        """The IANA zone of the calendar (WIB = Asia/Jakarta, WITA = Asia/Makassar, WIT = Asia/Jayapura)."""
        return self._zone_info

    def hours_on(self, day: date) -> WorkingHours:
        """The profile in force on `day`: Ramadan hours inside a Ramadan range, else the normal hours."""
        if any(first <= day <= last for first, last in self.ramadan):
            return self.ramadan_hours
        return self.hours

    def windows_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The office windows of `day` as aware datetimes in the calendar's zone; () on weekends and holidays."""
        if day in self.holidays:
            return ()
        zone = self._zone_info
        return tuple(
            (datetime.combine(day, start, zone), datetime.combine(day, end, zone))
            for start, end in self.hours_on(day).windows[day.weekday()]
        )

    def is_working_day(self, day: date) -> bool:
        """Whether `day` has any office window (not a weekend, not a holiday)."""
        return bool(self.windows_on(day))

    def _local(self, moment: datetime) -> datetime:
        """`moment` in the calendar's zone; a naive moment is taken to be local wall-clock time already."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self._zone_info)
        return moment.astimezone(self._zone_info)

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Windows that end after `moment`, day by day, clipped to start no earlier than `moment`.

        Endless by design (callers stop when they have counted enough) but guarded: a long run of days without
        any window means the calendar can never supply working time, which is reported instead of looping.
        """
        day = moment.date()
        days_without_work = 0
        while True:
            windows = self.windows_on(day)
            for start, end in windows:
                if end > moment:
                    yield max(start, moment), end
            days_without_work = 0 if windows else days_without_work + 1
            if days_without_work > MAX_DAYS_WITHOUT_WORK:
                raise ValueError(
                    f"no working window in the {MAX_DAYS_WITHOUT_WORK} days before {day}: "
                    "check the holidays and working hours of this calendar"
                )
            day += ONE_DAY

    # -- arithmetic ----------------------------------------------------------------------------------------------

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when it falls inside a window, else the start of the next window (in the local zone).

        Windows are half-open: the instant a window ends is already outside it, which is when the break starts.
        """
        local = self._local(moment)
        start, _end = next(self._windows_from(local))
        return start

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment the `minutes`-th working minute after `start` ends, in the calendar's zone.

        Counting starts at the next window when `start` is outside one (a task opened after hours starts counting
        the next morning). A count that runs out exactly at a window's end returns that end, not the next window's
        start, because the work is finished before the break. Zero minutes returns `start` unchanged. The loop
        runs over windows, never over single minutes, so spans of a year or more stay cheap.
        """
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise TypeError(f"minutes must be an int, got {type(minutes).__name__}")
        if minutes < 0:
            raise ValueError(f"minutes cannot be negative, got {minutes}")
        if minutes == 0:
            return start
        remaining = timedelta(minutes=minutes)
        for begin, end in self._windows_from(self._local(start)):
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: the window generator never ends")  # pragma: no cover

    def add_working_days(self, start: datetime, days: Decimal | int) -> datetime:
        """`days` working days of `minutes_per_day` minutes each after `start` (rounded half up to whole minutes).

        A fractional day such as Decimal("0.5") is allowed because SOPs write "½ hari".
        """
        if isinstance(days, bool) or not isinstance(days, int | Decimal):
            raise TypeError(f"days must be an int or a Decimal, got {type(days).__name__}")
        return self.add_working_minutes(start, _whole_minutes(days * self.minutes_per_day, "days"))

    def add_calendar_days(self, start: datetime, days: Decimal | int) -> datetime:
        """`start` plus `days` calendar days (hari kalender), ignoring office hours, weekends and holidays.

        A fraction of a day is rounded half up to whole minutes; the result is in the calendar's zone.
        """
        if isinstance(days, bool) or not isinstance(days, int | Decimal):
            raise TypeError(f"days must be an int or a Decimal, got {type(days).__name__}")
        minutes = _whole_minutes(days * 24 * 60, "days")
        return self._local(start) + timedelta(minutes=minutes)

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole working minutes inside windows between `start` and `end`; 0 when `end` is not after `start`.

        This measures the actual working time a task took, the counterpart of `add_working_minutes`.
        """
        local_start, local_end = self._local(start), self._local(end)
        if local_end <= local_start:
            return 0
        total = timedelta()
        day = local_start.date()
        while day <= local_end.date():
            for window_start, window_end in self.windows_on(day):
                overlap = min(window_end, local_end) - max(window_start, local_start)
                if overlap > timedelta():
                    total += overlap
            day += ONE_DAY
        return total // ONE_MINUTE


def calendar_with_national_holidays(
    *,
    zone: str = "WITA",
    years: Iterable[int],
    local_holidays: Iterable[date] = (),
    ramadan: Iterable[tuple[date, date]] = (),
    minutes_per_day: int = 450,
    hours: WorkingHours = NORMAL_HOURS,
    ramadan_hours: WorkingHours = RAMADAN_HOURS,
) -> WorkCalendar:
    """A calendar whose holidays are the national holidays and cuti bersama of `years` plus `local_holidays`.

    `years` must cover every year a deadline may reach; a year left out silently counts its holidays as working
    days, so pass the current and the next year at least.
    """
    national = indonesian_holidays(years)
    return WorkCalendar(
        zone=zone,
        hours=hours,
        ramadan_hours=ramadan_hours,
        ramadan=tuple((first, last) for first, last in ramadan),
        holidays=frozenset(national) | frozenset(local_holidays),
        minutes_per_day=minutes_per_day,
    )
