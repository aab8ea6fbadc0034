"""Calendar arithmetic: months added in local wall time, and business-day deadlines.

Both are done on the contract's local calendar, never on elapsed seconds: a month is not
a fixed length, and a business day is a day on a wall calendar, whatever the clocks did.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The names of `weekend:` days, Monday first as `date.weekday()` counts."""

MAX_BUSINESS_DAYS = 1000
"""Business days a deadline may count; a calendar with no business day in a long run of
days is refused rather than searched for ever."""


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, the day of the month clamped to the end of a
    shorter month, as `dateutil.relativedelta` does.

    >>> add_months(date(2024, 1, 31), 1), add_months(date(2023, 1, 31), 1)
    (datetime.date(2024, 2, 29), datetime.date(2023, 2, 28))
    >>> add_months(date(2024, 3, 31), -1), add_months(date(2024, 2, 29), 12)
    (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28))
    """
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


@dataclass(frozen=True, slots=True)
class Months:
    """A calendar duration bound to the contract's zone, usable with `+` and `-` on dates
    and timestamps (`picked_up_at + Months(9, zone)`) wherever a duration would be.

    A timestamp is moved in local wall time, then given the offset the zone has at the
    new wall time: 2024-03-15 12:00 in Berlin (+01:00) plus a month is 2024-04-15 12:00
    (+02:00), 30 days and 23 hours later. A wall time skipped by a clock change is read
    as before the change, one that occurs twice as its first occurrence (`fold=0`).
    """

    months: int
    zone: ZoneInfo

    def __add__(self, other: Any) -> Any:
        return self._shift(other, self.months)

    def __radd__(self, other: Any) -> Any:
        return self._shift(other, self.months)

    def __rsub__(self, other: Any) -> Any:
        return self._shift(other, -self.months)

    def _shift(self, other: Any, months: int) -> Any:
        if isinstance(other, datetime):
            local = other.astimezone(self.zone)
            moved = datetime.combine(add_months(local.date(), months), local.timetz())
            offset = moved.utcoffset()
            assert offset is not None
            return moved.replace(tzinfo=timezone(offset))  # no wall-time arithmetic later
        if isinstance(other, date):
            return add_months(other, months)
        return NotImplemented

    def __str__(self) -> str:
        count, unit = (self.months // 12, "year") if self.months % 12 == 0 else (
            self.months, "month")
        return f"{count} {unit}{'s' if count != 1 else ''}"


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Working days: every day but the `weekend` days and `holidays`, plus the `workdays`
    (a weekend day worked in exchange for a holiday, as China's adjusted days are)."""

    name: str
    weekend: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def is_business_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first business day after `day`."""
        for _ in range(MAX_BUSINESS_DAYS):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError(f"calendar `{self.name}` has no business day for "
                         f"{MAX_BUSINESS_DAYS} days after {day}")

    def due_day(self, start: date, days: int, counts_next: bool = False) -> date:
        """The day a start on `start` is due by, `days` business days on: a start on a day
        off, or one that `counts_next` (at or after the cut-off), counts for the next
        business day."""
        if counts_next or not self.is_business_day(start):
            start = self.next_business_day(start)
        for _ in range(days):
            start = self.next_business_day(start)
        return start


class BusinessDeadline:
    """The deadline of `within N business days of START using CALENDAR [with cutoff T]`:
    the end of the due day, as the first moment after it in the contract's zone, kept per
    start day so each day's counting is done once."""

    __slots__ = ("_cache", "calendar", "cutoff", "days", "zone")

    def __init__(self, calendar: BusinessCalendar, days: int, cutoff: time | None,
                 zone: ZoneInfo) -> None:
        self.calendar = calendar
        self.days = days
        self.cutoff = cutoff
        self.zone = zone
        self._cache: dict[tuple[date, bool], tuple[date, datetime]] = {}

    def due(self, start: date | datetime) -> tuple[date, datetime]:
        """(due day, the moment it ends) for a start that is a date or a timestamp."""
        if isinstance(start, datetime):
            local = start.astimezone(self.zone)
            day = local.date()
            late = self.cutoff is not None and local.time() >= self.cutoff
        else:
            day, late = start, False
        found = self._cache.get((day, late))
        if found is None:
            due = self.calendar.due_day(day, self.days, late)
            following = due + timedelta(days=1)
            end = datetime(following.year, following.month, following.day, tzinfo=self.zone)
            found = self._cache[(day, late)] = (due, end)
        return found
