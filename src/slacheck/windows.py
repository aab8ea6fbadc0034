"""Calendar windows in the contract's time zone: a record's window key, and a key's bounds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slacheck.ast import Period

# A window key is an int that counts periods since year 0, so windows sort and
# consecutive windows differ by one.
KeyFunction = Callable[[datetime], int]


KEY_SOURCE = {
    Period.DAY: "l.toordinal()",
    Period.WEEK: "(l.toordinal() - 1) // 7",  # ordinal 1 is a Monday
    Period.MONTH: "l.year * 12 + l.month - 1",
    Period.QUARTER: "l.year * 4 + (l.month - 1) // 3",
    Period.YEAR: "l.year",
}
"""Each period's key of the local datetime `l`, as source: the engine inlines it."""


def key_function(period: Period) -> KeyFunction:
    """The function from a local (contract time zone) datetime to its window key."""
    function: KeyFunction = eval(f"lambda l: {KEY_SOURCE[period]}")  # a constant above
    return function


def _first_day(period: Period, key: int) -> date:
    if period is Period.DAY:
        return date.fromordinal(key)
    if period is Period.WEEK:
        return date.fromordinal(key * 7 + 1)
    if period is Period.MONTH:
        return date(key // 12, key % 12 + 1, 1)
    if period is Period.QUARTER:
        return date(key // 4, (key % 4) * 3 + 1, 1)
    return date(key, 1, 1)


@dataclass(frozen=True, slots=True)
class Window:
    """One calendar window: its label and its bounds [start, end) in the contract's zone."""

    period: Period
    key: int
    label: str
    start: datetime
    end: datetime


def window(period: Period, key: int, zone: ZoneInfo, rolling: int | None = None) -> Window:
    """The window of `key`; with `rolling`, the `rolling` days ending with day `key`."""
    if rolling is not None:
        first = date.fromordinal(key - rolling + 1)
        following = date.fromordinal(key + 1)
        text = f"{first.isoformat()}/{date.fromordinal(key).isoformat()}"
    else:
        first = _first_day(period, key)
        following = _first_day(period, key + 1)
        text = label(period, key)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return Window(period, key, text, start, end)


def label(period: Period, key: int) -> str:
    """`2025-03-14`, `2025-W11`, `2025-03`, `2025-Q1`, `2025`."""
    if period is Period.DAY:
        return date.fromordinal(key).isoformat()
    if period is Period.WEEK:
        year, week, _ = date.fromordinal(key * 7 + 1).isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.MONTH:
        return f"{key // 12:04d}-{key % 12 + 1:02d}"
    if period is Period.QUARTER:
        return f"{key // 4:04d}-Q{key % 4 + 1}"
    return f"{key:04d}"
