"""The clause language's value types and the declared record schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any

from slacheck._source import Span


class Kind(Enum):
    BOOL = "bool"
    NUMBER = "number"
    MONEY = "money"
    DURATION = "duration"
    CALENDAR = "calendar duration"
    """Months or years (`9 months`): a calendar length, not a fixed number of seconds."""
    TIMESTAMP = "timestamp"
    DATE = "date"
    STRING = "string"
    ENUM = "enum"
    LIST = "list"
    """A record's list of values of one type (`of`): a temperature log."""


class Scale(Enum):
    """What a number measures. `99.8%` is the fraction 0.998, so comparing it with a level
    recorded as `99.7` would pass: a ratio and a plain number do not mix."""

    ANY = "any"
    """A number written in the contract (`24`, a parameter `limit: 24`): fits either."""
    PLAIN = "number"
    """A quantity: an `int` or `decimal` field, and arithmetic on it."""
    RATIO = "ratio"
    """A fraction: `97%`, `shipped / ordered`, a `ratio` field."""


@dataclass(frozen=True, slots=True)
class Type:
    """A value type; money carries its currency, an enum its allowed values, a number its
    scale."""

    kind: Kind
    currency: str | None = None
    values: tuple[str, ...] = ()
    scale: Scale = Scale.ANY
    of: Type | None = None
    """The type of a list's elements."""

    def __str__(self) -> str:
        if self.kind is Kind.LIST and self.of is not None:
            return f"list of {self.of}"
        if self.kind is Kind.MONEY and self.currency:
            return f"money[{self.currency}]"
        if self.kind is Kind.ENUM:
            return "enum[" + ", ".join(self.values) + "]"
        if self.kind is Kind.NUMBER and self.scale is Scale.RATIO:
            return "ratio"
        return str(self.kind.value)

    @property
    def is_text(self) -> bool:
        return self.kind in (Kind.STRING, Kind.ENUM)


BOOL = Type(Kind.BOOL)
NUMBER = Type(Kind.NUMBER)
PLAIN = Type(Kind.NUMBER, scale=Scale.PLAIN)
RATIO = Type(Kind.NUMBER, scale=Scale.RATIO)
DURATION = Type(Kind.DURATION)
TIMESTAMP = Type(Kind.TIMESTAMP)
DATE = Type(Kind.DATE)
CALENDAR = Type(Kind.CALENDAR)
STRING = Type(Kind.STRING)


def money(currency: str | None) -> Type:
    return Type(Kind.MONEY, currency=currency)


def enum(values: tuple[str, ...]) -> Type:
    return Type(Kind.ENUM, values=values)


# Limits of what a contract may write or compute, so that evaluating it cannot fail: at
# 28 digits of decimal precision, amounts below 10^15 with up to 6 decimals stay exact
# through sums of millions of them; a duration of 100 years added to any contract date
# (1900 to 2999) stays far from the ends of the calendar.
LIMIT_NUMBER = Decimal(10) ** 15
"""Numbers and amounts are less than this in size."""
MAX_DECIMALS = 18
"""Numbers and amounts written in a contract have at most this many decimal places."""
LIMIT_DURATION = 36525 * 86_400_000_000
"""Durations are at most this many microseconds: 100 years."""
LIMIT_MONTHS = 1200
"""Calendar durations (`9 months`) are at most this many months: 100 years."""
LIMIT_COUNT = 1_000_000
"""Counts in rules (`after 3 breaches ...`) are at most this."""
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2999, 12, 31)
"""The range of dates a contract may give."""


# Names a record field may be declared with; `int`, `decimal` and `ratio` are numbers.
FIELD_TYPES: dict[str, Kind] = {
    "string": Kind.STRING,
    "int": Kind.NUMBER,
    "decimal": Kind.NUMBER,
    "ratio": Kind.NUMBER,
    "money": Kind.MONEY,
    "bool": Kind.BOOL,
    "timestamp": Kind.TIMESTAMP,
    "date": Kind.DATE,
    "duration": Kind.DURATION,
    "enum": Kind.ENUM,
    "list": Kind.LIST,
}

LIST_ELEMENTS = ("int", "decimal", "ratio", "money", "duration")
"""What a list field may hold (`{type: list, of: decimal}`): values with a sum and an order."""


def field_type(name: str, values: tuple[str, ...] = (), of: str | None = None) -> Type:
    """The type of a field declared as `name` (a key of `FIELD_TYPES`); a list's elements
    are of the type named `of`."""
    kind = FIELD_TYPES[name]
    if kind is Kind.LIST:
        return Type(Kind.LIST, of=field_type(of or "decimal"))
    if kind is Kind.NUMBER:
        return RATIO if name == "ratio" else PLAIN
    return Type(kind, values=values if kind is Kind.ENUM else ())


@dataclass(frozen=True, slots=True)
class Bound:
    """A field's `min` or `max`: the value records are compared with, and the contract's
    text of it, which rejections quote (`72h` rather than a count of seconds)."""

    value: Any
    text: str


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One declared record field; `integral` marks `int` fields among numbers."""

    name: str
    type: Type
    required: bool = True
    default: Any = None
    integral: bool = False
    span: Span | None = None
    negative: bool = False
    """Money may be below zero (a refund, a credit note); by default it may not."""
    separator: str | None = None
    """A list field read from a text cell (CSV): what separates its values."""
    minimum: Bound | None = None
    maximum: Bound | None = None
    pattern: str | None = None
    """A regular expression a string field's whole value matches."""


COMBINE_RULES = ("same", "first", "last", "sum", "min", "max", "latest", "all", "any")
"""How the lines of one id give a field's value (`records.read.fields.X.combine`)."""


@dataclass(frozen=True, slots=True)
class FieldRead:
    """How one field is read from an export (`records.read.fields`)."""

    column: str | None = None
    """The export's name for the field; by default the field's own name."""
    format: str | None = None
    """A `strptime` format of a date or timestamp written otherwise than ISO 8601."""
    time_of_day: time = time()
    """The time a date alone stands for in a timestamp field: midnight by default."""
    combine: str = "same"
    """With `duplicates: combine`, how the lines of one id give the field's value."""
    factor: Decimal | None = None
    """What the column's numbers are multiplied by (`multiply`, or the factor of `unit`)."""
    unit: str | None = None
    """The unit the column is written in (`lb`), when the factor comes from one."""
    currency_column: str | None = None
    """A money field: the column holding the currency its amounts are written in."""


NO_READ = FieldRead()


@dataclass(frozen=True, slots=True)
class ReadSpec:
    """How an export's columns and formats become record fields (`records.read`)."""

    fields: tuple[tuple[str, FieldRead], ...] = ()
    assume_timezone: str | None = None
    """The zone of timestamps written without an offset; without it they are rejected."""
    absent: tuple[str, ...] = ()
    """Placeholder texts read as an absent value."""
    two_digit_years_from: int | None = None
    """A two-digit year is read as the year from this one to 99 years later."""
    decimal: str = "."
    thousands: str = ""
    duplicates: str = "reject"
    """`reject`, `first`, `last` or `combine`."""
    delimiter: str | None = None
    """CSV: the delimiter, detected from the header when not given."""
    quote: str = '"'
    encoding: str = "utf-8"
    currency_column: str | None = None
    """The column holding the currency each row's amounts are written in."""
    currency: str | None = None
    """The contract's currency, which every currency column must hold."""

    def field(self, name: str) -> FieldRead:
        for key, read in self.fields:
            if key == name:
                return read
        return NO_READ

    @property
    def changes_values(self) -> bool:
        """Whether reading a JSON record takes more than the coercer's checks."""
        return bool(self.fields or self.assume_timezone or self.absent
                    or self.decimal != "." or self.thousands or self.currency_column)

    @property
    def currency_columns(self) -> tuple[tuple[str, str], ...]:
        """Each column holding a currency, with the field its rejection names: `currency`
        for `currency_column`, the money field for its own."""
        found = [(self.currency_column, "currency")] if self.currency_column else []
        found += [(read.currency_column, name) for name, read in self.fields
                  if read.currency_column]
        return tuple(found)


@dataclass(frozen=True, slots=True)
class RecordSchema:
    """The declared fields of a record, its id field and the field that places it in time."""

    fields: tuple[FieldSpec, ...]
    id_field: str
    time_field: str
    strict: bool = False
    """A record with a field the contract does not declare is rejected, not read."""
    read: ReadSpec = ReadSpec()
    """How an export's columns and formats become these fields."""

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)
