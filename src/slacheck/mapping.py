"""From an export's rows to records: columns renamed, text read in its declared formats,
placeholders read as absent, and line items of one id combined into one record.

What the contract's `records.read` declares (see `readspec`) is compiled here once into
one function per row; the record it gives goes to the coercer like a JSON line.
"""

from __future__ import annotations

import functools
import hashlib
import linecache
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slacheck.readspec import directives, has_time
from slacheck.types import FieldRead, FieldSpec, Kind, ReadSpec, RecordSchema

Problem = tuple[str, str, Any, str]
"""A field that could not be read: the field, what it is not, the value, and a hint."""
Map = Callable[[dict[str, Any], list[Problem]], dict[str, Any]]
Convert = Callable[[str], Any]

_DATE_ALONE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CACHED = 4096
"""Distinct texts remembered per date field: exports repeat their dates, and strptime is slow."""


class _UnreadError(Exception):
    """A text that is not in its field's declared form: (what, value, hint)."""


def compile_mapping(schema: RecordSchema, *, text: bool) -> Map | None:
    """One function from a row (column name to value) to a record (field name to value).

    `text` is for formats whose every value is text (CSV): there an empty cell is absent,
    spaces around a value that is not a string are dropped, and `true`/`false` are read
    as booleans. None when a JSON record needs nothing beyond the coercer's checks.
    Generated per schema and unrolled per field, like the coercer (`records`).
    """
    read = schema.read
    if not text and not read.changes_values:
        return None
    namespace: dict[str, Any] = {"_absent": frozenset(read.absent), "_Unread": _UnreadError,
                                 "_MISSING": _MISSING, "str": str}
    used = set()
    lines = ["def mapped(row, problems):",
             "    record = {key: value for key, value in row.items() if key not in _used}"]
    for index, spec in enumerate(schema.fields):
        how = read.field(spec.name)
        column = how.column or spec.name
        used |= {spec.name, column}
        convert = _converter(spec, how, read, text)
        scale = None if how.factor is None else _scaled(how.factor, spec.integral)
        if scale is not None:
            convert = scale if convert is None else _then(convert, scale)
            namespace[f"_scale_{index}"] = scale
        namespace[f"_convert_{index}"] = convert
        name = repr(spec.name)
        if convert is None:
            kept = [f"record[{name}] = v"]
        else:
            kept = ["try:", f"    record[{name}] = _convert_{index}(v)",
                    "except _Unread as unread:", f"    problems.append(({name}, *unread.args))"]
        tests = (["v"] if text else []) + (["v not in _absent"] if read.absent else [])
        if tests:  # an empty cell, or a placeholder, is absent
            kept = [f"if {' and '.join(tests)}:", *("    " + line for line in kept)]
        strip = text and spec.type.kind not in (Kind.STRING, Kind.ENUM)
        lines += [
            f"    v = row.get({column!r}, _MISSING)",
            "    if v.__class__ is str:",
            *(["        v = v.strip()"] if strip else []),
            *("        " + line for line in kept),
            "    elif v is not _MISSING:",
            *([f"        record[{name}] = v"] if scale is None else [
                "        try:", f"            record[{name}] = _scale_{index}(v)",
                "        except _Unread as unread:",
                f"            problems.append(({name}, *unread.args))"]),
        ]
    for index, (column, label) in enumerate(read.currency_columns):
        used.add(column)
        namespace[f"_other_currency_{index}"] = _other_currency(read)
        lines += [
            f"    c = row.get({column!r})",
            f"    if _other_currency_{index}(c):",
            f"        problems.append(({label!r}, _NOT_CURRENCY, c, _CONVERT))",
        ]
    namespace["_NOT_CURRENCY"] = f"not the contract's currency, {read.currency}"
    namespace["_CONVERT"] = "; convert the amounts, or check the export"
    namespace["_used"] = frozenset(used)
    lines.append("    return record")
    source = "\n".join(lines) + "\n"
    filename = f"<slacheck mapping {hashlib.sha1(source.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # generated from the schema above
    function: Map = namespace["mapped"]
    return function


_MISSING = object()
"""Stands for a column a row does not have (a field that is missing, not null)."""


def _converter(spec: FieldSpec, how: FieldRead, read: ReadSpec, text: bool) -> Convert | None:
    """What turns a field's text into what the coercer takes, if anything needs to."""
    kind = spec.type.kind
    zone = ZoneInfo(read.assume_timezone) if read.assume_timezone else None
    if kind in (Kind.TIMESTAMP, Kind.DATE) and how.format is not None:
        return functools.lru_cache(maxsize=_CACHED)(_formatted(kind, how, read, zone))
    if kind is Kind.TIMESTAMP and zone is not None:
        return functools.lru_cache(maxsize=_CACHED)(_zoned(how, zone))
    if kind in (Kind.NUMBER, Kind.MONEY, Kind.DURATION) and (read.decimal != "."
                                                             or read.thousands):
        return _separated(read.decimal, read.thousands)
    if kind is Kind.BOOL and text:
        return _boolean
    return None


def _formatted(kind: Kind, how: FieldRead, read: ReadSpec, zone: ZoneInfo | None) -> Convert:
    text_format = how.format or ""
    two_digits = "%y" in directives(text_format)
    start = read.two_digit_years_from or 0
    timed = has_time(text_format)
    what = f"not a {'date' if kind is Kind.DATE else 'date/time'} in the format {text_format}"

    def convert(value: str) -> str:
        try:
            moment = datetime.strptime(value, text_format)
            if two_digits:
                year = start - start % 100 + moment.year % 100
                moment = moment.replace(year=year if year >= start else year + 100)
        except ValueError:
            raise _UnreadError(what, value, "") from None
        if kind is Kind.DATE:
            return moment.date().isoformat()
        if not timed:
            moment = datetime.combine(moment.date(), how.time_of_day)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)  # the loader requires a zone without %z
        return moment.isoformat()

    return convert


def _zoned(how: FieldRead, zone: ZoneInfo) -> Convert:
    """ISO 8601 timestamps without an offset read in the declared zone; a date alone at
    the field's time of day. Anything else is left for the coercer to take or explain."""

    def convert(value: str) -> str:
        if _DATE_ALONE.fullmatch(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return value
            return datetime.combine(day, how.time_of_day, zone).isoformat()
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.replace(tzinfo=zone).isoformat() if moment.tzinfo is None else value

    return convert


def _separated(decimal: str, thousands: str) -> Convert:
    point = re.escape(decimal)
    whole = rf"[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+|[0-9]+" if thousands else "[0-9]+"
    form = re.compile(rf"-?(?:{whole})(?:{point}[0-9]+)?")
    example = f"1{thousands}234{decimal}5"
    what = f"not a number written as {example}"

    def convert(value: str) -> str:
        if form.fullmatch(value) is None:
            raise _UnreadError(what, value, "")
        if thousands:
            value = value.replace(thousands, "")
        return value.replace(decimal, ".")

    return convert


_NUMBER_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _scaled(factor: Decimal, integral: bool) -> Callable[[Any], Any]:
    """A column's number multiplied by `factor` into the field's unit, exactly: the product
    is computed with as many digits as both have, so nothing is rounded here (amounts are
    rounded where they are used, as always). What is not a number in ASCII digits, or is a
    float (which the reader reads again exactly first), is left for the coercer; an int
    field whose product is not whole is rejected with the value as the export wrote it."""
    factor_digits = len(factor.as_tuple().digits)
    fraction = f"not a whole number once multiplied by {factor}"

    def scale(value: Any) -> Any:
        kind = value.__class__
        if kind is str:
            if _NUMBER_TEXT.fullmatch(value) is None:
                return value
            number = Decimal(value)
        elif kind is int or (kind is Decimal and value.is_finite()):
            number = Decimal(value)
        else:
            return value
        digits = len(number.as_tuple().digits) + factor_digits
        product = Context(prec=digits).multiply(number, factor)
        if integral and product != product.to_integral_value():
            raise _UnreadError(fraction, value, "")
        return product

    return scale


def _then(first: Convert, second: Callable[[Any], Any]) -> Convert:
    return lambda value: second(first(value))


def _other_currency(read: ReadSpec) -> Callable[[Any], bool]:
    """Whether a currency cell names another currency than the contract's (an empty cell,
    or a placeholder of `absent`, names none; the case of the code does not matter)."""
    currency, absent = read.currency, frozenset(read.absent)

    def other(value: Any) -> bool:
        if value is None:
            return False
        if value.__class__ is not str:
            return True
        text = value.strip()
        return bool(text) and text not in absent and text.upper() != currency

    return other


def _boolean(value: str) -> Any:
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return value


# line items of one id


@dataclass(slots=True)
class _Group:
    record: dict[str, Any]
    source: str
    lines: list[tuple[str, int]]
    texts: list[bytes | None]
    conflicts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Lines of one id that cannot be combined: every one of them, and why."""

    lines: tuple[tuple[str, int], ...]
    texts: tuple[bytes | None, ...]
    problems: tuple[tuple[str, str], ...]


def _absent_wins(keep: Any, new: Any, pick: Callable[[Any, Any], Any]) -> Any:
    return None if keep is None or new is None else pick(keep, new)


def _present(keep: Any, new: Any, pick: Callable[[Any, Any], Any]) -> Any:
    if keep is None:
        return new
    return keep if new is None else pick(keep, new)


_RULES: dict[str, Callable[[Any, Any], Any]] = {
    "first": lambda keep, new: keep,
    "last": lambda keep, new: new,
    "sum": lambda keep, new: _present(keep, new, lambda a, b: a + b),
    "min": lambda keep, new: _present(keep, new, min),
    "max": lambda keep, new: _present(keep, new, max),
    "latest": lambda keep, new: _absent_wins(keep, new, max),
    "all": lambda keep, new: _absent_wins(keep, new, lambda a, b: a and b),
    "any": lambda keep, new: _absent_wins(keep, new, lambda a, b: a or b),
}
"""How a field's value so far (`keep`) takes the next line's; `same` is checked apart."""


class Combiner:
    """Records of one id, possibly from lines far apart, combined into one once all are read.

    `duplicates: last` keeps the last line's values; `combine` applies each field's rule.
    Every record is held until the input ends: memory grows with the number of ids.
    """

    def __init__(self, schema: RecordSchema, *, keep_text: bool,
                 show: Callable[[Any], str]) -> None:
        mode = schema.read.duplicates
        self.show = show
        self.id_field = schema.id_field
        self.keep_text = keep_text
        self.rules = [
            (spec.name, "last" if mode == "last" else schema.read.field(spec.name).combine)
            for spec in schema.fields if spec.name != schema.id_field
        ]
        self.groups: dict[str, _Group] = {}
        self.merged = 0
        """Lines combined into the record of an earlier line (in groups without conflict)."""

    def add(self, record: dict[str, Any], source: str, text: bytes | None) -> None:
        key = str(record[self.id_field])
        line = (source, record["_line"])
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = _Group(record, source, [line],
                                      [text] if self.keep_text else [])
            return
        group.lines.append(line)
        if self.keep_text:
            group.texts.append(text)
        held = group.record
        for name, rule in self.rules:
            keep, new = held[name], record[name]
            if rule == "same":
                if keep != new and name not in group.conflicts:
                    group.conflicts[name] = (
                        f"differs between the lines of {self.id_field} "
                        f"{self.show(record[self.id_field])}: {self.show(keep)} (line "
                        f"{group.lines[0][1]}) and {self.show(new)} (line {line[1]}); say "
                        "how to combine it with `combine`")
            else:
                held[name] = _RULES[rule](keep, new)

    def finish(self) -> Iterator[tuple[str, dict[str, Any] | Conflict]]:
        """Each id's record (or its conflict), with the source of its first line, in the
        order the ids first appeared; forgets them as it goes."""
        groups, self.groups = self.groups, {}
        for group in groups.values():
            if group.conflicts:
                yield group.source, Conflict(tuple(group.lines), tuple(group.texts),
                                             tuple(group.conflicts.items()))
                continue
            self.merged += len(group.lines) - 1
            group.record["_lines"] = tuple(group.lines)
            yield group.source, group.record

