"""Plausibility warnings every contract gets, beside the `records.warn` rules it declares.

They keep the record (a warning never changes a figure) and are counted and listed with the
declared warnings. The rules, chosen so that a year typed wrong is caught and ordinary data
is not flagged:

- a date or timestamp more than a year (365 days) before the contract's `effective.from` or
  after its `effective.to` (each end the contract gives);
- a date or timestamp field more than 180 days from the record's own time field (a date
  compared with that time's day in the contract's zone): a year typed wrong moves a date
  about 365 days, and logistics events of one record lie weeks apart, not half a year;
- a negative duration in a field that does not say `negative: true`.

Negative money is already a rejection unless its field says `negative: true`; negative
numbers are left to a field's `min`, since a number may be a difference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slacheck.compiler import PASS, Record
from slacheck.types import Kind, RecordSchema

FIRST_YEAR, LAST_YEAR = 1, 9999
"""Stand for an end the contract period does not have."""

PERIOD_MARGIN = timedelta(days=365)
"""How far outside the contract period a date may lie before it is implausible."""
RECORD_MARGIN = timedelta(days=180)
"""How far from its record's time a date may lie before it is implausible."""

Check = Callable[[Record], int]
_NO = 0
_DAY = timedelta(days=1)
_TIMED = (Kind.DATE, Kind.TIMESTAMP)


def plausibility_rules(schema: RecordSchema, zone: ZoneInfo, start: date | None,
                       end: date | None) -> list[tuple[Check, str]]:
    """Each built-in warning of `schema` as (check, message), fields in their declared order;
    `start` and `end` are the contract's `effective` dates, when it has them."""
    rules: list[tuple[Check, str]] = []
    time_field = schema.time_field
    for spec in schema.fields:
        kind = spec.type.kind
        if kind in _TIMED and (start is not None or end is not None):
            period = f"{start or '...'} to {end or '...'}"
            rules.append((_outside(spec.name, kind, zone, start, end),
                          f"`{spec.name}` more than a year outside the contract period "
                          f"({period}): a year typed wrong?"))
        if kind in _TIMED and spec.name != time_field:
            rules.append((_far_from(spec.name, kind, time_field, zone),
                          f"`{spec.name}` more than {RECORD_MARGIN.days} days from "
                          f"`{time_field}`: a year typed wrong?"))
        if kind is Kind.DURATION and not spec.negative:
            rules.append((_negative(spec.name),
                          f"`{spec.name}` negative, and the field does not say "
                          "`negative: true`"))
    return rules


def _outside(name: str, kind: Kind, zone: ZoneInfo, start: date | None,
             end: date | None) -> Check:
    low: Any = None if start is None else start - PERIOD_MARGIN
    high: Any = None if end is None else end + PERIOD_MARGIN
    if kind is Kind.TIMESTAMP:  # the period ends at the midnight after its last day
        # in UTC: a record's time compares with a fixed offset several times faster than
        # with a zone whose offset must be looked up
        low = None if low is None else datetime.combine(
            low, datetime.min.time(), zone).astimezone(UTC)
        high = None if high is None else datetime.combine(
            high + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)

    # most values lie in a year strictly between the bounds' years: an integer comparison
    # clears them, and only the others are compared as times
    # (a day inside each bound, since an offset moves a time's year by less than that)
    low_year = FIRST_YEAR if low is None else (low + _DAY).year
    high_year = LAST_YEAR if high is None else (high - _DAY).year

    def check(record: Record) -> int:
        value = record.get(name)
        if value is None or low_year < value.year < high_year:
            return _NO
        if (low is not None and value < low) or (high is not None and value > high):
            return PASS
        return _NO

    return check


def _far_from(name: str, kind: Kind, time_field: str, zone: ZoneInfo) -> Check:
    # days apart as written, without offsets or zones, are cheap: fewer than the margin less
    # two (an offset and a time of day move a time by less than a day each) clear a record
    near = RECORD_MARGIN.days - 2
    dated = kind is Kind.DATE  # a date compares with the day of the record's time

    def check_time(record: Record) -> int:
        value = record.get(name)
        if value is None:
            return _NO
        time = record[time_field]
        if -near < value.toordinal() - time.toordinal() < near:
            return _NO
        other = time.astimezone(zone).date() if dated else time
        return PASS if abs(value - other) > RECORD_MARGIN else _NO

    return check_time


def _negative(name: str) -> Check:
    zero = timedelta(0)

    def check(record: Record) -> int:
        value = record.get(name)
        return PASS if value is not None and value < zero else _NO

    return check
