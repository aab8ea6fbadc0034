"""Calendar windows in the contract's time zone: a record's window key, and a key's bounds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
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


Place = tuple[datetime, datetime, "tuple[int, ...] | None"]
"""The times [low, high), in a record time's own time zone object, that share one local day:
the keys of their windows (one per period, in the order given), or None when they lie outside
the contract period."""

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
MISSES_KEPT = 8
"""Places are kept while at most one record in this many misses them (times mostly in order)."""


class Placement:
    """Where records' times fall: inside the contract period or not, and in which windows.

    Each time's place is found exactly once per local day: the time converted to the
    contract's zone, compared with the period's bounds, keyed by each period. The day's
    bounds, in the time's own zone object, are then kept for that zone object, so that the
    next records of the day are placed by two comparisons of times in one zone, which Python
    makes without asking the zone for its offset. A day is kept only when the contract zone's
    offset is the same at its first and last instant, so that its local date is the same
    throughout: the zone changes its offset at most once in any such day, since tzdata's
    changes lie days apart (tests/test_windows.py checks every zone), and a day in which it
    does, such as a change to or from summer time, is placed record by record.
    """

    def __init__(self, zone: ZoneInfo, periods: Sequence[Period], start: datetime | None,
                 end: datetime | None) -> None:
        self.zone = zone
        self.keys = tuple(key_function(period) for period in periods)
        self.start, self.end = start, end
        self.days: dict[tzinfo | None, Place] = {}
        """The day last found for each time zone object (equal offsets find it too)."""
        self.misses = 0

    def find(self, moment: datetime, seen: int) -> Place:
        """The place of `moment` (one of the `seen` records so far), kept for its zone object."""
        zone, start, end = self.zone, self.start, self.end
        local = moment.astimezone(zone)
        inside = (start is None or moment >= start) and (end is None or moment < end)
        keys = tuple(key(local) for key in self.keys) if inside else None
        self.misses += 1
        if type(moment.tzinfo) is not timezone or self.misses * MISSES_KEPT > seen + 1024:
            return moment, moment, keys  # not kept: no time lies in [moment, moment)
        offset = local.utcoffset()
        # with one offset all day, the wall time since midnight is the time since the day began
        low = moment - (local - local.replace(hour=0, minute=0, second=0, microsecond=0))
        high = low + _DAY
        if (low.astimezone(zone).utcoffset() != offset
                or (high - _TICK).astimezone(zone).utcoffset() != offset):
            return moment, moment, keys
        for bound in (start, end):  # the period may begin or end inside the day
            if bound is not None and low < bound < high:
                if moment < bound:
                    high = bound
                else:
                    low = bound
        place = self.days[moment.tzinfo] = (low, high, keys)
        return place


SPAN_DAYS = 3_660
"""The longest span `offsets` follows a zone through, about ten years: a day's step each."""


@lru_cache(maxsize=32)  # asked once for each standard's window key of one plan
def offsets(zone: tzinfo, start: datetime,
            end: datetime) -> tuple[tuple[datetime, timedelta], ...] | None:
    """The zone's UTC offsets over [start, end): each from the instant it takes effect (the
    first from `start`), so that a time's local wall time there is the time plus its offset,
    as `datetime.astimezone` gives it; None for a span of more than `SPAN_DAYS` days.

    tzdata changes a zone's offset at most once in any two days (tests/test_windows.py
    checks every zone), so the offset is sampled once a day, and a day whose two ends
    differ holds one change, found to the microsecond by halving."""
    # in UTC: Python adds to an aware time in its own zone by the wall clock
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end - start > timedelta(days=SPAN_DAYS):
        return None
    found = [(start, start.astimezone(zone).utcoffset() or timedelta(0))]
    at = start
    while at < end:
        following = min(at + _DAY, end)
        after = following.astimezone(zone).utcoffset() or timedelta(0)
        if after != found[-1][1]:
            low, high = at, following  # the offset at `low` is the last found; at `high`, not
            while high - low > _TICK:
                middle = low + (high - low) // 2
                if (middle.astimezone(zone).utcoffset() or timedelta(0)) == after:
                    high = middle
                else:
                    low = middle
            found.append((high, after))
        at = following
    return tuple(found)
