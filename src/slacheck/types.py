"""The clause language's value types and the declared record schema."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from slacheck._source import Span


class Kind(Enum):
    BOOL = "bool"
    NUMBER = "number"
    MONEY = "money"
    DURATION = "duration"
    TIMESTAMP = "timestamp"
    DATE = "date"
    STRING = "string"
    ENUM = "enum"


@dataclass(frozen=True, slots=True)
class Type:
    """A value type; money carries its currency, an enum its allowed values."""

    kind: Kind
    currency: str | None = None
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind is Kind.MONEY and self.currency:
            return f"money[{self.currency}]"
        if self.kind is Kind.ENUM:
            return "enum[" + ", ".join(self.values) + "]"
        return str(self.kind.value)

    @property
    def is_text(self) -> bool:
        return self.kind in (Kind.STRING, Kind.ENUM)


BOOL = Type(Kind.BOOL)
NUMBER = Type(Kind.NUMBER)
DURATION = Type(Kind.DURATION)
TIMESTAMP = Type(Kind.TIMESTAMP)
DATE = Type(Kind.DATE)
STRING = Type(Kind.STRING)


def money(currency: str | None) -> Type:
    return Type(Kind.MONEY, currency=currency)


def enum(values: tuple[str, ...]) -> Type:
    return Type(Kind.ENUM, values=values)


# Names a record field may be declared with; `int` and `decimal` are both numbers.
FIELD_TYPES: dict[str, Kind] = {
    "string": Kind.STRING,
    "int": Kind.NUMBER,
    "decimal": Kind.NUMBER,
    "money": Kind.MONEY,
    "bool": Kind.BOOL,
    "timestamp": Kind.TIMESTAMP,
    "date": Kind.DATE,
    "duration": Kind.DURATION,
    "enum": Kind.ENUM,
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One declared record field; `integral` marks `int` fields among numbers."""

    name: str
    type: Type
    required: bool = True
    default: Any = None
    integral: bool = False
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class RecordSchema:
    """The declared fields of a record, its id field and the field that places it in time."""

    fields: tuple[FieldSpec, ...]
    id_field: str
    time_field: str

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)
