"""Streaming record readers: JSON lines in, coerced records or rejections with line numbers out.

Money stays exact whatever parses the JSON: orjson turns a JSON number into a float, so a
line whose number fields arrive as floats is parsed again with `Decimal` for every number.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

import orjson

from slacheck.diagnostics import DataError
from slacheck.types import FieldSpec, Kind, RecordSchema

_DECIMAL_TEXT = re.compile(r"-?\d+(\.\d+)?")
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Rejection:
    """A line that did not become a record, and why; `text` is kept for a quarantine file."""

    source: str
    line: int
    field: str | None
    reason: str
    text: bytes | None = None

    @property
    def message(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class _RejectedError(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


Coercer = Callable[[Any], Any]


def _string(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("not a string")
    return value


def _bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise ValueError("not true or false")


def _decimal(reason: str, integral: bool) -> Coercer:
    def coerce(value: Any) -> Decimal:
        kind = type(value)
        if kind is str:
            if not _DECIMAL_TEXT.fullmatch(value):
                raise ValueError(reason)
            result = Decimal(value)
        elif kind is Decimal:
            result = value
            if not result.is_finite():
                raise ValueError(reason)
        elif kind is int:
            result = Decimal(value)
        else:
            raise ValueError(reason)
        if integral and result != result.to_integral_value():
            raise ValueError("not a whole number")
        return result

    return coerce


def _timestamp(value: Any) -> datetime:
    if type(value) is not str:
        raise ValueError("not a valid date/time")
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not a valid date/time") from None
    if result.tzinfo is None:
        raise ValueError("has no UTC offset (add Z or +hh:mm)")
    return result


def _date(value: Any) -> date:
    if type(value) is not str:
        raise ValueError("not a valid date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a valid date") from None


def _duration(value: Any) -> timedelta:
    seconds = _decimal("not a number of seconds", integral=False)(value)
    return timedelta(microseconds=int(seconds * 1_000_000))


def _enum(values: tuple[str, ...]) -> Coercer:
    allowed = frozenset(values)

    def coerce(value: Any) -> str:
        if type(value) is not str or value not in allowed:
            raise ValueError("not one of the allowed values")
        return value

    return coerce


def coercer(spec: FieldSpec) -> Coercer:
    """The function that checks and converts one field's JSON value."""
    kind = spec.type.kind
    if kind is Kind.ENUM:
        return _enum(spec.type.values)
    if kind is Kind.MONEY:
        return _decimal("not an amount", integral=False)
    if kind is Kind.NUMBER:
        return _decimal("not a number", integral=spec.integral)
    table: dict[Kind, Coercer] = {
        Kind.STRING: _string,
        Kind.BOOL: _bool,
        Kind.TIMESTAMP: _timestamp,
        Kind.DATE: _date,
        Kind.DURATION: _duration,
    }
    return table[kind]


class SeenIds:
    """Exact-enough set of record ids in 8 bytes each, so memory stays small at any volume.

    Ids are kept as 64-bit BLAKE2b digests in an open-addressing table; two different ids
    would have to share a digest to be taken for a duplicate (about 1 in 10^7 for a
    billion records).
    """

    def __init__(self) -> None:
        self._table = array("Q", bytes(8 * 1024))
        self._mask = 1023
        self._count = 0

    def add(self, identifier: str) -> bool:
        """Record `identifier`; False if it was seen before."""
        digest = hashlib.blake2b(identifier.encode("utf-8", "surrogatepass"), digest_size=8)
        key = int.from_bytes(digest.digest(), "little") | 1
        table, mask = self._table, self._mask
        slot = key & mask
        while True:
            found = table[slot]
            if found == 0:
                break
            if found == key:
                return False
            slot = (slot + 1) & mask
        table[slot] = key
        self._count += 1
        if self._count * 2 > mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._table
        self._mask = mask = len(old) * 2 - 1
        self._table = table = array("Q", bytes(8 * (mask + 1)))
        for key in old:
            if key:
                slot = key & mask
                while table[slot]:
                    slot = (slot + 1) & mask
                table[slot] = key


def open_data(path: str) -> IO[bytes]:
    """A binary stream for `path`: `-` is standard input, `.gz` is decompressed."""
    try:
        if path == "-":
            return sys.stdin.buffer
        if path.endswith(".gz"):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None


class Reader:
    """Reads JSON lines against a record schema, yielding records and rejections in order."""

    def __init__(self, schema: RecordSchema, *, keep_text: bool = False) -> None:
        self.schema = schema
        self.keep_text = keep_text
        self.fields = tuple((spec.name, spec.required, spec.default, coercer(spec))
                            for spec in schema.fields)
        self.exact = frozenset(
            spec.name for spec in schema.fields if spec.type.kind in (Kind.MONEY, Kind.NUMBER)
        )
        self.id_field = schema.id_field
        self.seen = SeenIds()

    def read(
        self, stream: IO[bytes], name: str, digest: Any = None
    ) -> Iterator[dict[str, Any] | Rejection]:
        """Each line becomes a record dict (with `_line`) or a `Rejection`.

        `digest` (a hashlib object), if given, is fed every byte read, for the audit trail.
        """
        fields, exact, seen, id_field = self.fields, self.exact, self.seen, self.id_field
        loads = orjson.loads
        try:
            for number, text in enumerate(_lines(stream, digest), start=1):
                try:
                    raw = loads(text)
                    if type(raw) is not dict:
                        raise _RejectedError(None, "not a JSON object")
                    if exact and any(type(raw.get(key)) is float for key in exact):
                        raw = json.loads(text, parse_float=Decimal)
                    record: dict[str, Any] = {"_line": number}
                    for field, required, default, coerce in fields:
                        value = raw.get(field)
                        if value is None:
                            if required:
                                raise _RejectedError(field, "missing")
                            record[field] = default
                            continue
                        try:
                            record[field] = coerce(value)
                        except ValueError as error:
                            raise _RejectedError(field, str(error)) from None
                    if not seen.add(str(record[id_field])):
                        raise _RejectedError(id_field, "duplicate")
                    yield record
                except orjson.JSONDecodeError:
                    reason = "empty line" if not text.strip() else "not valid JSON"
                    yield Rejection(name, number, None, reason, text if self.keep_text else None)
                except _RejectedError as rejected:
                    yield Rejection(name, number, rejected.field, rejected.reason,
                                    text if self.keep_text else None)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise DataError(f"cannot read {name}: {error}") from None


def _lines(stream: IO[bytes], digest: Any) -> Iterator[bytes]:
    """Lines of a binary stream read in large chunks, hashing each chunk once."""
    carry = b""
    while chunk := stream.read(1 << 20):
        if digest is not None:
            digest.update(chunk)
        lines = chunk.split(b"\n")
        lines[0] = carry + lines[0]
        carry = lines.pop()
        yield from lines
    if carry:
        yield carry

