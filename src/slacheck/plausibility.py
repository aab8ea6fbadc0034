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

import re
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class _Rule:
    """One built-in warning, described once: a condition on `v` (the field's value, not
    None) and `t` (the record's time), with the constants it names. `plausibility_rules`
    compiles each alone; `compile_checks` all of a contract's into one function."""

    field: str
    condition: str
    constants: dict[str, Any]
    message: str
    days: tuple[int, int] | None = None
    """For a timestamp's rule: the day numbers (`v.toordinal()`) within which, from `days[0]`
    and before `days[1]`, it cannot apply (see `Clearance`)."""
    near: int | None = None
    """For a timestamp's rule: it cannot apply when `v`'s day number is less than `near`
    days from the record time's (`t.toordinal()`)."""


def plausibility_rules(schema: RecordSchema, zone: ZoneInfo, start: date | None,
                       end: date | None) -> list[tuple[Check, str]]:
    """Each built-in warning of `schema` as (check, message), fields in their declared order;
    `start` and `end` are the contract's `effective` dates, when it has them."""
    return [(_compile([rule], schema.time_field, single=True), rule.message)
            for rule in _rules(schema, zone, start, end)]


@dataclass(frozen=True, slots=True)
class Checks:
    """A contract's built-in warnings: `run` gives the messages of those that apply to a
    record (most records: none); `messages` lists them all, in the rules' order."""

    run: Callable[[Record], tuple[str, ...]]
    messages: tuple[str, ...]
    clearance: Clearance | None = None
    """When every rule is a timestamp's: where none can apply, for the typed fast path."""


@dataclass(frozen=True, slots=True)
class Clearance:
    """Where no built-in warning can apply, in day numbers a reader computes anyway: a typed
    reading of a line (`_typed`) that finds each timestamp within them need not run the
    checks, and one that does not leaves the line to the general path, which runs them.

    Per timestamp field: the day numbers (`v.toordinal()`, its own calendar day) from `low`
    and before `high` that clear its rule against the contract period, and `near`, the days
    from the record time's day within which its rule against that time cannot apply (None
    for the time field itself, or when it has no such rule).
    """

    time_field: str
    fields: dict[str, tuple[int, int, int | None]]


def compile_checks(schema: RecordSchema, zone: ZoneInfo, start: date | None,
                   end: date | None) -> Checks | None:
    """Every built-in warning of `schema` in one generated function."""
    rules = _rules(schema, zone, start, end)
    if not rules:
        return None
    return Checks(_compile(rules, schema.time_field, single=False),
                  tuple(rule.message for rule in rules), _clearance(schema, rules))


def _clearance(schema: RecordSchema, rules: list[_Rule]) -> Clearance | None:
    """The rules' clearance, when each is a timestamp's and says where it cannot apply."""
    fields: dict[str, tuple[int, int, int | None]] = {}
    for rule in rules:
        if rule.days is None and rule.near is None:
            return None
        low, high, near = fields.get(rule.field, (_ANY_DAY[0], _ANY_DAY[1], None))
        if rule.days is not None:
            low, high = max(low, rule.days[0]), min(high, rule.days[1])
        fields[rule.field] = (low, high, rule.near if rule.near is not None else near)
    return Clearance(schema.time_field, fields)


_ANY_DAY = (date(FIRST_YEAR, 1, 1).toordinal(), date(LAST_YEAR, 12, 31).toordinal() + 1)


def _rules(schema: RecordSchema, zone: ZoneInfo, start: date | None,
           end: date | None) -> list[_Rule]:
    rules: list[_Rule] = []
    time_field = schema.time_field
    for spec in schema.fields:
        kind = spec.type.kind
        if kind in _TIMED and (start is not None or end is not None):
            period = f"{start or '...'} to {end or '...'}"
            rules.append(_outside(spec.name, kind, zone, start, end,
                                  f"`{spec.name}` more than a year outside the contract period "
                                  f"({period}): a year typed wrong?"))
        if kind in _TIMED and spec.name != time_field:
            rules.append(_far_from(spec.name, kind, zone,
                                   f"`{spec.name}` more than {RECORD_MARGIN.days} days from "
                                   f"`{time_field}`: a year typed wrong?"))
        if kind is Kind.DURATION and not spec.negative:
            rules.append(_Rule(spec.name, "v < zero", {"zero": timedelta(0)},
                               f"`{spec.name}` negative, and the field does not say "
                               "`negative: true`"))
    return rules


def _outside(name: str, kind: Kind, zone: ZoneInfo, start: date | None, end: date | None,
             message: str) -> _Rule:
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
    outside = " or ".join(test for test, bound in (("v < low", low), ("v > high", high))
                          if bound is not None)
    # a timestamp's own day (`v.toordinal()`) is within a day of its UTC day, an offset being
    # less than a day: two days after the UTC day of `low` it is not before `low`, two days
    # before that of `high` not after it (days that hold the years between too)
    days = (_ANY_DAY[0] if low is None else low.toordinal() + 2,
            _ANY_DAY[1] if high is None else high.toordinal() - 1)
    return _Rule(name, f"not ({low_year} < v.year < {high_year}) and ({outside})",
                 {"low": low, "high": high}, message,
                 days=days if kind is Kind.TIMESTAMP else None)


def _far_from(name: str, kind: Kind, zone: ZoneInfo, message: str) -> _Rule:
    # days apart as written, without offsets or zones, are cheap: fewer than the margin less
    # two (an offset and a time of day move a time by less than a day each) clear a record
    near = RECORD_MARGIN.days - 2
    other = "t.astimezone(zone).date()" if kind is Kind.DATE else "t"  # a date: the day
    return _Rule(name, f"not (-{near} < v.toordinal() - d < {near}) "
                 f"and abs(v - {other}) > margin", {"zone": zone, "margin": RECORD_MARGIN},
                 message, near=near if kind is Kind.TIMESTAMP else None)


def _compile(rules: list[_Rule], time_field: str, *, single: bool) -> Any:
    """One function for `rules`: for a single rule PASS when it applies, else 0; for several,
    the messages of those that apply. Each rule's constants are bound under its own names;
    each field is read once for its rules (which `_rules` gives together), and `d` is the
    day number of the record's time `t`."""
    namespace: dict[str, Any] = {"PASS": PASS}
    lines = ["def check(r):", f"    t = r[{time_field!r}]"]
    if any(re.search(r"\bd\b", rule.condition) for rule in rules):
        lines.append("    d = t.toordinal()")
    if not single:
        lines.append("    found = ()")
    field = None
    for index, rule in enumerate(rules):
        condition = rule.condition
        for name, value in rule.constants.items():
            namespace[f"{name}_{index}"] = value
            condition = re.sub(rf"\b{name}\b", f"{name}_{index}", condition)
        namespace[f"message_{index}"] = rule.message
        if rule.field != field:
            field = rule.field
            lines += [f"    v = r.get({field!r})", "    if v is not None:"]
        then = "return PASS" if single else f"found += (message_{index},)"
        lines += [f"        if {condition}:", f"            {then}"]
    lines.append("    return 0" if single else "    return found")
    exec(compile("\n".join(lines) + "\n", "<slacheck plausibility>", "exec"), namespace)
    return namespace["check"]
