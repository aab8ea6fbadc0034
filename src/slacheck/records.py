"""Streaming record readers: JSON lines in, coerced records or rejections with line numbers out.

Money stays exact whatever parses the JSON: orjson turns a JSON number into a float, so a
line whose number fields arrive as floats is read again, exactly, from its own text. Input
written to hurt is bounded before it can: lines have a length limit, values a supported
range, a key written twice rejects its line, and every rejection names what it rejects.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import linecache
import math
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import chain, zip_longest
from typing import IO, TYPE_CHECKING, Any, NoReturn, Protocol, cast

import orjson

from slacheck._ids import SeenIds
from slacheck._typed import clears, compile_typed, misread
from slacheck._zstd_frames import Frames
from slacheck.diagnostics import DataError
from slacheck.mapping import Combiner, Conflict, Map, Problem, compile_mapping
from slacheck.types import FieldSpec, Kind, RecordSchema

if TYPE_CHECKING:
    from slacheck.plausibility import Clearance

_NUMBER_TOKEN = rb"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A line that did not become a record, and why; `text` is kept for a quarantine file."""

    source: str
    line: int
    field: str | None
    reason: str
    text: bytes | None = None
    more: tuple[tuple[str | None, str], ...] = ()
    """The line's other problems, each with its field: a line is rejected with all of them."""
    header: bytes | None = None
    """The header line of the CSV file the line is from, for a quarantine file."""
    causes: tuple[str, ...] = ()
    """What each problem is, without the value or the position that differ from line to line
    (`not a valid date/time`), in the order of `problems`: the key of the rejection summary."""

    @property
    def problems(self) -> tuple[tuple[str | None, str], ...]:
        return ((self.field, self.reason), *self.more)

    @property
    def kinds(self) -> tuple[tuple[str | None, str], ...]:
        """Each problem as (field, cause); a reason stands for a cause not given."""
        causes = self.causes + tuple(reason for _, reason in self.problems[len(self.causes):])
        return tuple((field, cause) for (field, _), cause in zip(self.problems, causes,
                                                                 strict=True))

    @property
    def message(self) -> str:
        return "; ".join(f"{field}: {reason}" if field else reason
                         for field, reason in self.problems)


@dataclass(frozen=True, slots=True)
class Records:
    """Records given from Python (dicts) rather than read from a file, checked by the same
    rules (see `Reader.objects`); `name` stands for a file's path in rejections and reports."""

    items: Iterable[Any]
    name: str = "<records>"


class _RejectedError(Exception):
    """Why a line is rejected; `value`, when given, is named in the reason (see `shown`).

    `cause` is the reason less what differs from line to line (the value, a column, a
    count); it defaults to `reason` as given, before the value and `after` are added.
    """

    def __init__(self, field: str | None, reason: str, *value: Any, after: str = "",
                 cause: str | None = None) -> None:
        self.cause = reason if cause is None else cause
        if value:
            reason = f"{reason}: {shown(value[0])}"
        super().__init__(reason)
        self.field = field
        self.reason = reason + after
        self.more: tuple[tuple[str | None, str], ...] = ()
        """Further problems of the same line."""
        self.more_causes: tuple[str, ...] = ()
        """The cause of each of `more`."""

    def join(self, rest: list[_RejectedError]) -> _RejectedError:
        """This problem with `rest`, the line's other problems, after it."""
        self.more = tuple((problem.field, problem.reason) for problem in rest)
        self.more_causes = tuple(problem.cause for problem in rest)
        return self

    @property
    def causes(self) -> tuple[str, ...]:
        return (self.cause, *self.more_causes)


Row = tuple[int, "dict[str, Any] | _RejectedError", bytes | None]
"""A row of a table: its line number, its values by column (or why it has none), its text."""

SHOWN_LENGTH = 40


def shown(value: Any) -> str:
    """A value as JSON writes it, for a message: cut to 40 characters, with control and
    invisible characters escaped, so that a hostile value can neither flood nor fool a terminal.
    """
    if type(value) is Decimal or type(value) is float:
        text = str(value)
    elif type(value) is str:
        text = json.dumps(value[: SHOWN_LENGTH + 1], ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return _printable(text)


def _printable(text: str) -> str:
    head = text[: SHOWN_LENGTH + 1]
    text = "".join(char if char.isprintable() else _escape(char) for char in head)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 3] + "..."


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


Coercer = Callable[[Any], Any]
"""Checks and converts one field's value on the slow path, raising `_RejectedError`."""

# The supported ranges, so that no arithmetic of the engine can fail on a record's value:
# numbers and money below 10^18 in size (then an amount rounded to the contract's decimals,
# or a sum of a billion of them, stays within the 28 digits of Decimal's default context),
# durations within 36,500 days either way and times within the years 1900 to 9000, so that
# a deadline added to a time cannot overflow.
MAX_DIGITS = 18
_BIG = 10**MAX_DIGITS
MAX_DURATION_SECONDS = 36_500 * 86_400
FIRST_YEAR, LAST_YEAR = 1900, 9000
_YEARS = f"years {FIRST_YEAR} to {LAST_YEAR} are supported"

# plain decimals in ASCII digits; those of the fast path also fit the range
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MONEY_FAST = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]+)?")
_NUMBER_FAST = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]+)?")
_WHOLE_FAST = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")


def _number(field: str, what: str, *, signed: bool, integral: bool = False,
            bounded: bool = True) -> Coercer:
    """The slow path of a number or amount: every value the inlined checks did not take,
    accepted (leading zeros, -0, a decimal from an exact re-read) or rejected with why."""

    def coerce(value: Any) -> Decimal:
        kind = type(value)
        if kind is str:
            if _DECIMAL_TEXT.fullmatch(value) is None:
                ascii_only = not any(char.isdigit() and not char.isascii() for char in value)
                raise _RejectedError(field, what, value,
                                     after="" if ascii_only else " (ASCII digits only)")
            number = Decimal(value)
        elif kind is int:
            number = Decimal(value)
        elif kind is Decimal and value.is_finite():
            number = value
        else:
            raise _RejectedError(field, what, value)
        if bounded and not -_BIG < number < _BIG:
            raise _RejectedError(field, "too large", value,
                                 after=f"; at most {MAX_DIGITS} digits before the decimal point")
        if integral and number != number.to_integral_value():
            raise _RejectedError(field, "not a whole number", value)
        if number.is_signed() and not signed:
            if number:
                raise _RejectedError(field, "negative", value, after="; money is at least 0")
            number = number.copy_abs()
        return number

    return coerce


def _exact_number(field: str) -> Callable[[float, bytes | None], Decimal]:
    """A number field's value that JSON parsing read as a float, read exactly from the line's
    own text, as `Reader._exact` reads it: the one `"field": number` of a line without a
    backslash, if it is the float read. Anything less certain raises `_InexactError`, and
    the whole line is read again."""
    pattern = re.compile(b'"%s"' % re.escape(field.encode()) + _NUMBER_TOKEN)

    def exact(value: float, text: bytes | None) -> Decimal:
        # `find` rather than `in`: see `_typed.misread`
        if text is None or text.find(b"\\") >= 0:
            raise _InexactError
        found = pattern.findall(text)
        if len(found) != 1 or float(found[0]) != value:
            raise _InexactError
        return Decimal(found[0].decode())

    return exact


def _checked_number(spec: FieldSpec) -> Coercer:
    """The coercer's slow path of a number field (`_number`), which also checks a value
    read exactly as a `Decimal` (for `_typed`)."""
    money = spec.type.kind is Kind.MONEY
    return _number(spec.name, "not an amount" if money else "not a number",
                   signed=not money or spec.negative, integral=spec.integral)


def _duration(field: str) -> Coercer:
    seconds_of = _number(field, "not a number of seconds", signed=True, bounded=False)

    def coerce(value: Any) -> timedelta:
        seconds = seconds_of(value)
        if abs(seconds) > MAX_DURATION_SECONDS:
            raise _RejectedError(field, "not a supported duration", value,
                                 after=f"; at most {MAX_DURATION_SECONDS} seconds (36,500 "
                                       f"days) either way")
        return timedelta(microseconds=int(seconds * 1_000_000))

    return coerce


MAX_LIST = 100_000
"""The most values a list field holds: a reading a minute for over two months."""


def _list(spec: FieldSpec) -> Coercer:
    """A list field: a JSON array (or, with a `separator`, a text cell) of values of one type,
    each read as a field of that type would be, into a tuple. A float asks for the line to be
    read again exactly; an absent value inside the list rejects the line."""
    field, of = spec.name, spec.type.of
    assert of is not None
    if of.kind is Kind.DURATION:
        element = _duration(field)
    else:
        money = of.kind is Kind.MONEY
        element = _number(field, "not an amount" if money else "not a number",
                          signed=not money or spec.negative, integral=spec.integral)
    separator = spec.separator

    def coerce(value: Any) -> tuple[Any, ...]:
        if type(value) is str and separator is not None:
            value = [item.strip() for item in value.split(separator)] if value.strip() else []
        if type(value) is not list:
            raise _RejectedError(field, "not a list", value)
        if len(value) > MAX_LIST:
            raise _RejectedError(field, "too long a list", after=f"; at most {MAX_LIST:,} values")
        if any(type(item) is float for item in value):
            raise _InexactError
        return tuple(element(item) for item in value)

    return coerce


def _date(field: str) -> Coercer:
    def coerce(value: Any) -> date:
        if type(value) is not str:
            raise _RejectedError(field, "not a valid date", value)
        try:
            day = date.fromisoformat(value)
        except ValueError as error:
            raise _RejectedError(field, "not a valid date", value,
                                 after=_detail(error)) from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise _RejectedError(field, "out of range", value, after=f"; {_YEARS}")
        return day

    return coerce


def _detail(error: ValueError) -> str:
    return "" if str(error).startswith("Invalid isoformat") else f" ({error})"


# a date alone, possibly with an offset (which Python 3.11 reads as a naive midnight)
_DATE_ONLY = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}(?::?[0-9]{2}){0,2})?")


def _bad_timestamp(field: str, value: Any) -> NoReturn:
    """Why `value` is not a supported timestamp, with a hint that is itself accepted."""
    if type(value) is not str:
        raise _RejectedError(field, "not a valid date/time", value)
    date_only = _DATE_ONLY.fullmatch(value)
    if date_only is not None:
        day, offset = date_only.groups()
        _date(field)(day)
        if offset:
            after = f"; the field is a timestamp: write {day}T00:00:00{offset}"
        else:
            after = f"; the field is a timestamp with a time and UTC offset: for midnight UTC " \
                    f"write {day}T00:00:00Z"
        raise _RejectedError(field, "a date without a time of day", value, after=after)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise _RejectedError(field, "not a valid date/time", value,
                             after=_detail(error)) from None
    if moment.tzinfo is None:
        raise _RejectedError(field, "has no UTC offset", value,
                             after=f"; add the offset where it was recorded, or for UTC "
                                   f"write {value}Z")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise _RejectedError(field, "out of range", value, after=f"; {_YEARS}")
    raise _RejectedError(field, "not a valid date/time", value)


_WALL_ORIGIN = datetime(2000, 1, 1)


def _offset_origins() -> dict[str, datetime]:
    """`_WALL_ORIGIN` in each UTC offset of whole quarter hours, by its RFC 3339 text
    (`+08:00`), with the time zone object `datetime.fromisoformat` makes for it: one object
    per offset for every timestamp read."""
    origins = {}
    for quarters in range(-95, 96):
        hours, minutes = divmod(abs(quarters) * 15, 60)
        text = f"{'-' if quarters < 0 else '+'}{hours:02d}:{minutes:02d}"
        zone = datetime.fromisoformat(f"2000-01-01T00:00:00{text}").tzinfo
        origins[text] = _WALL_ORIGIN.replace(tzinfo=zone)
    origins["-00:00"] = origins["+00:00"]
    return origins


_OFFSET_ORIGINS = _offset_origins()
"""Timestamps that share their offset's time zone object compare and subtract several times
faster than those with one each (as `fromisoformat` makes them): a time zone of its own makes
Python ask both for their offsets. So a timestamp ending with a common offset is read as its
wall time (its text less the offset, by `fromisoformat`) added to that offset's origin.

That reads the same value as `fromisoformat` of the whole text, or fails, whenever the 11th
character is `T`: `fromisoformat` finds where the date ends from the characters before it
(and the text's length, which is over 10 either way), and where an offset begins at the first
`+`, `-` or `Z` after it, of which the wall time, read without an offset, has none."""


_TIMESTAMP_NAMES: dict[str, Any] = {
    "_fromisoformat": datetime.fromisoformat,
    "_origin": _OFFSET_ORIGINS.get,
    "_WALL_ORIGIN": _WALL_ORIGIN,
    "_bad_timestamp": _bad_timestamp,
    "_FIRST": f"{FIRST_YEAR:04d}",
    "_AFTER_LAST": f"{LAST_YEAR + 1:04d}",
}
"""What the coercer's lines reading a timestamp (`_check`) use, by name."""


def _timestamp(field: str) -> Coercer:
    """A timestamp's exact reading: the value `fromisoformat` gives, or why it is not one."""

    def coerce(value: str) -> datetime:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            _bad_timestamp(field, value)
        if moment.tzinfo is None:
            _bad_timestamp(field, value)
        return moment

    return coerce


class Hash(Protocol):
    """What `open_data` needs of a hashlib object."""

    def update(self, data: bytes, /) -> None: ...


def open_data(path: str, digest: Hash | None = None) -> IO[bytes]:
    """A binary stream for `path`: `-` is standard input, `.gz` and `.zst` are decompressed.

    `digest`, if given, is fed the bytes as the file holds them (compressed for `.gz`),
    every one of them by the time the stream ends: what `sha256sum` of the file prints, so
    that an audit can check the report against the file it names.
    """
    try:
        if path == "-":
            return cast(IO[bytes], _Hashing(sys.stdin.buffer, digest, owned=False))
        source = _Hashing(open(path, "rb"), digest, owned=True)  # noqa: SIM115 (it closes it)
        if path.endswith(".zst"):
            return cast(IO[bytes], _zstd(source, path))
        return cast(IO[bytes], _Gzipped(source) if path.endswith(".gz") else source)
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None


class _Hashing(io.RawIOBase):
    """A file's bytes, hashed as they are read."""

    def __init__(self, raw: IO[bytes], digest: Hash | None, *, owned: bool) -> None:
        super().__init__()
        self._raw, self._digest, self._owned = raw, digest, owned
        self.consumed = 0
        self.observer: Callable[[bytes], None] | None = None
        """Also fed every byte read (the zstd frame walker)."""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw.read(-1 if size is None else size)
        self.consumed += len(data)
        if self._digest is not None:
            self._digest.update(data)
        if self.observer is not None:
            self.observer(data)
        return data

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if self._owned:
            self._raw.close()
        super().close()


class _Gzipped(gzip.GzipFile):
    """A `.gz` file decompressed; at the end the rest of the file is read, so all is hashed."""

    def __init__(self, source: _Hashing) -> None:
        super().__init__(fileobj=source, mode="rb")
        self._source = source

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data and size:
            while self._source.read(1 << 20):
                pass
        return data

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._source.close()


def _zstd(source: _Hashing, path: str) -> _Zstd:
    try:
        import zstandard
    except ImportError:
        source.close()
        raise DataError(f"cannot read {path}: reading zstd needs the zstandard package, which "
                        "is not installed (pip install 'slacheck[zstd]')") from None
    return _Zstd(source, zstandard)


class _Zstd(io.RawIOBase):
    """A `.zst` file decompressed (every frame); at the end the rest of the file is read, so
    all is hashed. A damaged file is an `OSError`, as a damaged `.gz` is."""

    def __init__(self, source: _Hashing, zstandard: Any) -> None:
        super().__init__()
        self._source = source
        self._error = zstandard.ZstdError
        self._frames = Frames()
        source.observer = self._frames.feed
        self._reader = zstandard.ZstdDecompressor().stream_reader(
            source, read_across_frames=True, closefd=False)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            data: bytes = self._reader.read(-1 if size is None else size)
        except self._error as error:
            raise OSError(f"not a valid zstd file ({error})") from None
        if not data and size:
            while self._source.read(1 << 20):
                pass
            if not self._frames.complete:  # the decompressor takes a cut file as ended
                raise OSError("not a valid zstd file (it ends inside a frame: cut short?)")
        return data

    def close(self) -> None:
        try:
            self._reader.close()
        finally:
            self._source.close()
            super().close()


class _InexactError(Exception):
    """A number field arrived as a float; the line is parsed again with exact decimals."""


class Coerce(Protocol):
    """The generated coercer (`compile_coercer`)."""

    def __call__(self, record: dict[str, Any], text: bytes | None = None, /) -> int: ...


def compile_coercer(schema: RecordSchema) -> Coerce:
    """Generate one function that checks every field of a parsed line and converts it in place.

    Unrolled per field with the common checks inlined, it runs several times faster than a
    loop over per-field closures; whatever the inlined checks do not take goes to a slow
    path that accepts it or says why not. The source is registered with `linecache` so
    tracebacks and debuggers show it. It returns how many of the declared fields it read
    were given as text (JSON strings).
    """
    return _compile_fields(schema)[0]


Problems = Callable[[dict[str, Any], list["_RejectedError"]], None]
"""Checks every field of a parsed line as the coercer does, collecting each field's problem."""


def _compile_fields(schema: RecordSchema) -> tuple[Coerce, Problems]:
    """The coercer (`compile_coercer`), and beside it the same checks with every field's
    problem collected rather than the first raised: for a rejected line, so that its
    rejection names every field that failed."""
    namespace: dict[str, Any] = {
        "_R": _RejectedError,
        "_Inexact": _InexactError,
        "_Decimal": Decimal,
        "_BIG": _BIG,
        "_money_text": _MONEY_FAST.fullmatch,
        "_number_text": _NUMBER_FAST.fullmatch,
        "_whole_text": _WHOLE_FAST.fullmatch,
        **_TIMESTAMP_NAMES,
        "str": str,
        "float": float,
        "int": int,
    }
    # `q` counts the values given as text, which `Reader._parsed` needs (see `_repeated_keys`)
    # `text`, when given, is the line `r` was parsed from: a number read as a float is read
    # again from it (`_exact_number`), else the whole line is (`_InexactError`)
    lines = ["def coerce(r, text=None):", "    get = r.get", "    q = 0"]
    every = ["def problems(r, found, text=None):", "    get = r.get", "    q = 0"]
    for index, spec in enumerate(schema.fields):
        block = _field_block(spec, index, namespace)
        lines.extend("    " + line for line in block)
        every.extend(["    try:", *("        " + line for line in block),
                      "    except _R as problem:", "        found.append(problem)"])
    lines.append("    return q")
    source = "\n".join(lines) + "\n\n" + "\n".join(every) + "\n"
    filename = f"<slacheck coercer {hashlib.sha1(source.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # generated from the schema above
    return namespace["coerce"], namespace["problems"]


def _timestamp_lines(spec: FieldSpec, index: int, namespace: dict[str, Any]) -> list[str]:
    """The coercer's own lines reading a timestamp's text `v` (for `_typed`), and what they
    need in `namespace`; they raise what they cannot read."""
    namespace.update(_TIMESTAMP_NAMES)
    return _check(spec, index, namespace)


def _field_block(spec: FieldSpec, index: int, namespace: dict[str, Any]) -> list[str]:
    """Lines that check one field of the record `r` and convert it in place."""
    name = repr(spec.name)
    namespace[f"_default_{index}"] = spec.default
    lines = [f"v = get({name})", "if v is None:"]
    if spec.required:
        lines.append(f"    raise _R({name}, 'missing (null)' if {name} in r else 'missing')")
    else:
        lines.append(f"    r[{name}] = _default_{index}")
    lines.append("else:")
    if spec.type.kind in (Kind.STRING, Kind.ENUM, Kind.TIMESTAMP):  # text, or rejected
        lines.append("    q += 1")
    lines.extend("    " + line for line in _check(spec, index, namespace))
    lines.extend("    " + line for line in _bounded(spec, index, namespace))
    if spec.type.kind not in (Kind.STRING, Kind.ENUM, Kind.BOOL):
        lines.append(f"    r[{name}] = v")
    return lines


def _check(spec: FieldSpec, index: int, namespace: dict[str, Any]) -> list[str]:
    """Lines that check `v` for one field and leave the coerced value in `v`."""
    name, kind = repr(spec.name), spec.type.kind
    slow = f"_slow_{index}"
    if kind is Kind.STRING:
        return [f"if v.__class__ is not str: raise _R({name}, 'not a string', v)"]
    if kind is Kind.ENUM:
        namespace[f"_allowed_{index}"] = frozenset(spec.type.values)
        return [f"if v.__class__ is not str or v not in _allowed_{index}: "
                f"raise _R({name}, 'not one of the allowed values', v)"]
    if kind is Kind.BOOL:
        return [f"if v is not True and v is not False: raise _R({name}, 'not true or false', v)"]
    if kind is Kind.TIMESTAMP:
        # the year is a timestamp's first four characters: its range is checked on the text
        # one time zone object per offset (see `_OFFSET_ORIGINS`), else the exact reading
        namespace[slow] = _timestamp(spec.name)
        return [
            f"if v.__class__ is not str or not _FIRST <= v < _AFTER_LAST: "
            f"_bad_timestamp({name}, v)",
            "o = _origin(v[-6:])",
            "if o is None:",
            "    try: v = _fromisoformat(v)",
            f"    except ValueError: _bad_timestamp({name}, v)",
            f"    if v.tzinfo is None: _bad_timestamp({name}, r[{name}])",
            "else:",
            f"    try: v = o + (_fromisoformat(v[:-6]) - _WALL_ORIGIN) if v[10] == 'T' "
            f"else {slow}(v)",
            f"    except (ValueError, TypeError, IndexError): v = {slow}(v)",
        ]
    if kind is Kind.MONEY or kind is Kind.NUMBER:
        money = kind is Kind.MONEY
        signed = not money or spec.negative
        namespace[slow] = _checked_number(spec)
        namespace[f"_exact_{index}"] = _exact_number(spec.name)
        text = "_money_text" if money else "_whole_text" if spec.integral else "_number_text"
        return [
            "c = v.__class__",
            f"if c is str: q += 1; v = _Decimal(v) if {text}(v) is not None else {slow}(v)",
            f"elif c is int and {'-_BIG <' if signed else '0 <='} v < _BIG: v = _Decimal(v)",
            f"elif c is float: v = {slow}(_exact_{index}(v, text))",
            f"else: v = {slow}(v)",
        ]
    if kind is Kind.LIST:
        namespace[slow] = _list(spec)
        return ["if v.__class__ is str: q += 1", f"v = {slow}(v)"]
    namespace[slow] = _duration(spec.name) if kind is Kind.DURATION else _date(spec.name)
    return [
        "if v.__class__ is float: raise _Inexact",
        "if v.__class__ is str: q += 1",
        f"v = {slow}(v)",
    ]


def _bounded(spec: FieldSpec, index: int, namespace: dict[str, Any]) -> list[str]:
    """Lines that check the coerced `v` against the field's `min`, `max` and `pattern`; a
    rejection quotes the bound as the contract writes it and the value as the record does."""
    name = repr(spec.name)
    lines = []
    for bound, test, words in ((spec.minimum, "<", "below the minimum of"),
                               (spec.maximum, ">", "above the maximum of")):
        if bound is not None:
            key = f"_{'min' if test == '<' else 'max'}_{index}"
            namespace[key] = bound.value
            lines.append(f"if v {test} {key}: raise _R({name}, {f'{words} {bound.text}'!r}, "
                         f"r[{name}])")
    if spec.pattern is not None:
        namespace[f"_pattern_{index}"] = re.compile(spec.pattern).fullmatch
        lines.append(f"if _pattern_{index}(v) is None: raise _R({name}, "
                     f"{f'does not match the pattern {spec.pattern}'!r}, v)")
    return lines


MAX_LINE_BYTES = 1 << 20
"""The longest line read by default (1 MiB, without its newline): a longer one is rejected, so
that a line without end (a gzip of zeros) costs neither memory nor time beyond its reading."""

_READ_SIZE = 1 << 20

_MISSES_TRIED = 256
"""Lines the typed fast path may miss before it is given up, when it has missed one line in
four since its first miss (amounts written as floats, say): those lines are parsed twice."""

_ROWS_TO_SIZE = 4096
"""The records of a table after which its id table is sized for the whole file."""


class _LongLine(bytes):
    """The first `limit` bytes of a line longer than that, for its rejection and quarantine."""

    limit: int


class _Flagged(bytes):
    """A line `split_lines`' screen found something in: read by the general path alone."""


class _Unwritten(bytes):
    """Stands for what cannot be read as a JSON text: a Python value that is not a JSON
    object (from `Reader.objects`), the rest of a broken JSON array."""

    field: str | None
    reason: str
    cause: str


def unwritten(field: str | None, reason: str, cause: str | None = None) -> _Unwritten:
    """A marker that rejects its line with `reason`: what a reader found in place of a line."""
    marker = _Unwritten()
    marker.field, marker.reason = field, reason
    marker.cause = reason if cause is None else cause
    return marker


def _json_lines(items: Iterable[Any], limit: int) -> Iterator[bytes]:
    """Each of `items` as a JSON line, or a marker saying why it cannot be one."""
    dumps = orjson.dumps
    for item in items:
        if isinstance(item, Mapping) and type(item) is not dict:
            item = dict(item)
        try:
            text = dumps(item, default=_json_default)
        except TypeError:  # also an integer beyond 64 bits, which the stdlib writes
            problem = _why_unwritten(item)
            if problem is not None:
                yield problem
                continue
            text = json.dumps(item, default=_json_default).encode()
            not_finite = True
        else:
            not_finite = b"null" in text  # orjson writes NaN and infinity as null
        if not_finite and type(item) is dict:
            for key, value in item.items():
                if type(value) is float and not math.isfinite(value):
                    text = unwritten(key, f"not a JSON number: {value!r} (NaN or Infinity)",
                                    "not a JSON number (NaN or Infinity)")
                    break
        yield text if len(text) <= limit else _ended([text], False, limit)


def _json_default(value: Any) -> Any:
    """A Python value JSON has no type for, as text the reader takes for it."""
    if type(value) is Decimal:
        return str(value)
    if type(value) is timedelta:
        return f"{Decimal(value // timedelta(microseconds=1)).scaleb(-6):f}"
    if isinstance(value, date | time):  # for the stdlib; orjson writes these itself
        return value.isoformat()
    raise TypeError


def _why_unwritten(item: Any) -> _Unwritten | None:
    """What makes `item` no JSON object, if anything does (else orjson refused a large int)."""
    if type(item) is not dict:
        return unwritten(None, f"not a JSON object: a {type(item).__name__}",
                         "not a JSON object")
    for key, value in item.items():
        if type(key) is not str:
            return unwritten(None, f"not a JSON object: key {key!r} is not a string",
                             "not a JSON object (a key that is not a string)")
        try:
            json.dumps(value, default=_json_default)
        except (TypeError, ValueError):
            return unwritten(key, f"not a JSON value: a {type(value).__name__}",
                             "not a JSON value")
    return None


class Rule(Protocol):
    """A `records.reject` or `records.warn` rule, compiled (see `plan.RecordRule`)."""

    @property
    def rejects(self) -> bool: ...

    @property
    def message(self) -> str: ...

    def applies(self, record: Mapping[str, Any], /) -> bool: ...


FIRST_PLACES = 5
"""The lines a warning names, the first in input order."""


@dataclass(slots=True)
class Flagged:
    """Records a `records.warn` rule applied to: how many, and the first few lines."""

    records: int = 0
    first: list[tuple[str, int]] = field(default_factory=list)

    def add(self, source: str, line: int) -> None:
        self.records += 1
        if len(self.first) < FIRST_PLACES:
            self.first.append((source, line))


@dataclass(slots=True)
class UndeclaredField:
    """A field the records hold and the contract does not declare: how often, and where first."""

    field: str
    count: int
    source: str
    line: int


_NOT_DECLARED = "not declared in the contract (records are strict)"
_DECLARE = "; declare the field, or remove it from the data"


def _same_currency(value: Any, currency: str) -> None:
    if value is not None and value != currency:
        raise _RejectedError("currency", f"in {shown(value)}, but the contract's amounts are "
                             f"in {currency}", after="; convert the amounts, or check the export",
                             cause=f"not the contract's currency, {currency}")


class Reader:
    """Reads records against a record schema, yielding records and rejections in order: JSON
    lines (`records`), rows of other formats (`rows`), or Python values (`objects`)."""

    def __init__(self, schema: RecordSchema, *, keep_text: bool = False,
                 max_line_bytes: int = MAX_LINE_BYTES, currency: str | None = None,
                 rules: Iterable[Rule] = (),
                 plausible: Callable[[Mapping[str, Any]], tuple[str, ...]] | None = None,
                 clearance: Clearance | None = None) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be at least 1")
        self.schema = schema
        self.declared = frozenset(schema.names)
        self.currency = currency
        """The contract's currency: a record's own `currency` field, if any, must match."""
        self.undeclared: dict[str, UndeclaredField] = {}
        """Fields the contract does not declare, as found in the records."""
        self.keep_text = keep_text
        self.max_line_bytes = max_line_bytes
        self.coerce, self.problems = _compile_fields(schema)
        self.mapping = compile_mapping(schema, text=False)
        """What JSON records need beyond the coercer (`records.read`), if anything."""
        self.text_mapping = compile_mapping(schema, text=True)
        clearance = clearance if plausible is not None else None
        self.typed = None if self.mapping is not None else compile_typed(
            schema, {"money": _MONEY_FAST.fullmatch, "number": _NUMBER_FAST.fullmatch,
                     "whole": _WHOLE_FAST.fullmatch}, _bounded, _checked_number,
            _timestamp_lines, clearance)
        """The typed fast path of JSON lines (`_typed`), if msgspec is installed."""
        self.typed_clears = self.typed is not None and clears(schema, clearance)
        """Whether a record the typed fast path takes is cleared of the built-in plausibility
        warnings (`plausible`), whose `clearance` it checked."""
        columns = {spec.name: schema.read.field(spec.name).column or spec.name
                   for spec in schema.fields}
        self.number_text = {
            columns[spec.name]: re.compile(b'"%s"' % re.escape(columns[spec.name].encode())
                                           + _NUMBER_TOKEN)
            for spec in schema.fields
            if spec.type.kind in (Kind.MONEY, Kind.NUMBER, Kind.DURATION)
        }
        self.list_fields = tuple(columns[spec.name] for spec in schema.fields
                                 if spec.type.kind is Kind.LIST)
        """Lists of numbers are read exactly by parsing their line again (`_exact`)."""
        self.id_field = schema.id_field
        self.order: dict[str | None, int] = {name: index
                                             for index, name in enumerate(schema.names)}
        """Problems of a line are listed in the order of the fields."""
        self.seen = SeenIds()
        duplicates = schema.read.duplicates
        self.keep_first = duplicates == "first"
        self.combiner = (Combiner(schema, keep_text=keep_text, show=shown)
                         if duplicates in ("last", "combine") else None)
        """Holds the records of `duplicates: last` or `combine` until the input ends."""
        self.dropped = 0
        """Lines of `duplicates: first` left for the first line of their id."""
        rules = tuple(rules)
        self.reject_rules = tuple(rule for rule in rules if rule.rejects)
        self.warn_rules = tuple(rule for rule in rules if not rule.rejects)
        self.plausible = plausible
        """The built-in plausibility warnings, in one function giving those that apply."""
        self.ruled = bool(rules) or plausible is not None
        self.rejecting = bool(self.reject_rules)
        """Whether any rule rejects: most contracts only warn (every one has the built-in
        plausibility warnings), and a record need not be offered to no rule."""
        self.warnings: dict[str, Flagged] = {}
        """Per `records.warn` message, the records it applied to."""

    @property
    def merged(self) -> int:
        """Lines that went into the record of an earlier line of the same id."""
        return self.dropped + (self.combiner.merged if self.combiner is not None else 0)

    def read(self, stream: IO[bytes], name: str) -> Iterator[dict[str, Any] | Rejection]:
        """Each line becomes a record dict or a `Rejection`, in the order of the lines (records
        held to be combined come at the end)."""
        rejected: list[Rejection] = []
        for record in chain(self.records(stream, name, rejected.append),
                            self.held(rejected.append)):
            yield from rejected
            rejected.clear()
            yield record
        yield from rejected

    def records(
        self, stream: IO[bytes], name: str, reject: Callable[[Rejection], object], *,
        first_line: int = 1, cr_only: bool | None = None
    ) -> Iterator[dict[str, Any]]:
        """The records of a stream of JSON lines; each line that is not one goes to `reject`
        as it is read.

        A record is the parsed object with its declared fields converted (fields it does
        not declare are left as they are) and `_line`, its line number. A stream that is a
        part of a file (`engine.parallel`) gives the number of its first line, and how the
        whole file ends its lines (`cr_only`, else told by the stream's first chunk).
        """
        screen = misread if self.typed is not None else None
        lines = split_lines(stream, name, self.max_line_bytes, self.seen, cr_only, screen=screen)
        return self._parsed(enumerate(lines, start=first_line), name, reject,
                            screened=screen is not None)

    def lines(
        self, numbered: Iterable[tuple[int, bytes]], name: str,
        reject: Callable[[Rejection], object]
    ) -> Iterator[dict[str, Any]]:
        """Records from JSON texts each with its line number (the elements of a JSON array)."""
        return self._parsed(numbered, name, reject)

    def objects(
        self, items: Iterable[Any], name: str, reject: Callable[[Rejection], object]
    ) -> Iterator[dict[str, Any]]:
        """Records given as Python values (from the API), the n-th as line n.

        Each is written as a JSON line and read as one, so that the same rules, and the same
        rejections, apply to a dict as to a line; `Decimal` is written as its text, a date
        or time in ISO 8601, a `timedelta` as its seconds. The caller's dicts are left as
        they are.
        """
        return self._parsed(enumerate(_json_lines(items, self.max_line_bytes), start=1), name,
                            reject)

    def _parsed(
        self, numbered: Iterable[tuple[int, bytes]], name: str,
        reject: Callable[[Rejection], object], *, screened: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Records of numbered lines. With `screened`, the lines come from `split_lines`
        with its screen: those it left plain bytes hold nothing the typed path misreads."""
        coerce, seen, id_field, keep = self.coerce, self.seen, self.id_field, self.keep_text
        mapping, combiner = self.mapping, self.combiner
        loads = orjson.loads
        # the coercer sets every declared field, so a record holds more keys only when it
        # has undeclared ones: one length comparison finds them
        declared = len(self.declared)
        currency = self.currency if "currency" in self.declared else None
        plausible, warn_rules, rejecting = self.plausible, self.warn_rules, self.rejecting
        typed, missed, since = self.typed, 0, 0
        cleared = self.typed_clears  # records of the typed path need no plausibility check
        for number, text in numbered:
            try:
                # the typed fast path takes most lines; the rest, and every rejection, are
                # the general path's: parsed, then each field checked and converted
                if typed is None:
                    raw = None
                elif text.__class__ is bytes:
                    raw = typed(text, screened)
                else:  # a line the screen flagged is screened again, alone; none other
                    raw = typed(text) if text.__class__ is _Flagged else None
                checked = cleared
                if raw is None:
                    checked = False
                    if typed is not None:
                        if not missed:
                            since = number - 1
                        missed += 1
                        if missed > _MISSES_TRIED and missed * 4 > number - since:
                            typed = None  # most lines need the general path: parse once
                    try:
                        raw = loads(text)
                    except orjson.JSONDecodeError:
                        raw = _strict_loads(text)
                    if type(raw) is not dict:
                        raise _RejectedError(None, "not a JSON object", raw)
                    keys = len(raw)
                    if mapping is None:
                        failed: Exception | None = None
                        try:
                            texts = coerce(raw, text)
                        except (_RejectedError, _InexactError) as error:
                            failed, texts = error, -1
                        # a key written twice is found before any problem of its values
                        if text.count(b'"') != 2 * (keys + texts) and _key_colons(text) != keys:
                            _repeated_keys(text)
                        if failed is not None:
                            raw = self._coerced(raw, text, failed)
                    else:
                        if _key_colons(text) != keys:
                            _repeated_keys(text)
                        raw = self._coerced(self._mapped(raw, text), text)
                if len(raw) != declared:
                    self._undeclared(raw, name, number)
                elif currency is not None:
                    _same_currency(raw.get("currency"), currency)
                if rejecting:
                    self._rejected_by_rules(raw)
                raw["_line"] = number
                if combiner is not None:
                    self._warned(raw, name, number)
                    combiner.add(raw, name, text if keep else None)
                    continue
                identifier = raw[id_field]
                if not seen.add(identifier if identifier.__class__ is str else str(identifier)):
                    if self.keep_first:
                        self.dropped += 1
                        continue
                    raise _RejectedError(id_field, "duplicate", raw[id_field])
                if plausible is not None and not checked:  # `_warned`, inline
                    found = plausible(raw)
                    if found:
                        for message in found:
                            self._flag(message, name, number)
                if warn_rules:
                    self._warned_by_rules(raw, name, number)
                yield raw
            except _RejectedError as rejected:
                if number == 1 and rejected.field is None and _looks_like_csv(text):
                    rejected.reason += _CSV_HINT
                reject(Rejection(name, number, rejected.field, rejected.reason,
                                 text if keep else None, rejected.more,
                                 causes=rejected.causes))

    def _coerced(self, raw: dict[str, Any], text: bytes,
                 failed: Exception | None = None) -> dict[str, Any]:
        """A parsed line (mapped, if `records.read` maps) coerced, else rejected with all its
        problems, the line read again for them; `failed` is how coercing `raw` failed already.
        A number that came as a float has the line read again, exactly."""
        try:
            try:
                if failed is not None:
                    raise failed
                self.coerce(raw)
            except _InexactError:
                raw = self._exact(orjson.loads(text), text)
                if self.mapping is not None:
                    raw = self._mapped(raw, text)
                self.coerce(raw)
        except _RejectedError as first:
            raise self._every_problem(first, _exactly(text), self.mapping) from None
        return raw

    def rows(
        self, rows: Iterable[Row], name: str, reject: Callable[[Rejection], object], *,
        text: bool, stream: IO[bytes] | None = None, header: list[bytes] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Records from the rows of a table (CSV, Parquet): each row is its line number,
        its values by column (or why it has none) and its text for a quarantine file.

        `text` says every value is text, as in CSV (see `mapping.compile_mapping`). With
        the `stream` the rows are read from, the id table is sized once for the ids the
        first rows project over the file, as for JSON lines (see `split_lines`). `header`, once
        the first row is read, holds the file's header line, which rejections carry.
        """
        mapping = self.text_mapping if text else self.mapping
        coerce = self.coerce
        share = _read_share(stream) if stream is not None else None
        before = len(self.seen)
        for number, values, raw_text in rows:
            if share is not None and len(self.seen) - before >= _ROWS_TO_SIZE:
                self.seen.reserve(before + int((len(self.seen) - before) / share() * 1.02) + 1)
                share = None
            try:
                if isinstance(values, _RejectedError):
                    raise values
                problems: list[Problem] = []
                # the coercer converts in place: the row stays as read, to say all its problems
                record = dict(values) if mapping is None else mapping(values, problems)
                if problems:
                    raise self._every_problem(None, values, mapping)
                try:
                    coerce(record)
                except _RejectedError as first:
                    raise self._every_problem(first, values, mapping) from None
                if self._admitted(record, name, number, raw_text):
                    yield record
            except _RejectedError as rejected:
                reject(Rejection(name, number, rejected.field, rejected.reason,
                                 raw_text if self.keep_text else None, rejected.more,
                                 header[0] if header else None, rejected.causes))

    def _admitted(self, record: dict[str, Any], name: str, number: int,
                  text: bytes | None) -> bool:
        """What follows the coercion of a record (`_parsed` has it inline): undeclared fields,
        the currency, its line, its id. False when the record is held to be combined, or
        merged into the first of its id."""
        if len(record) != len(self.declared):
            self._undeclared(record, name, number)
        elif self.currency is not None and "currency" in self.declared:
            _same_currency(record.get("currency"), self.currency)
        if self.rejecting:
            self._rejected_by_rules(record)
        record["_line"] = number
        if self.combiner is not None:
            self._warned(record, name, number)
            self.combiner.add(record, name, text if self.keep_text else None)
            return False
        if not self.seen.add(str(record[self.id_field])):
            if self.keep_first:
                self.dropped += 1
                return False
            raise _RejectedError(self.id_field, "duplicate", record[self.id_field])
        if self.ruled:
            self._warned(record, name, number)
        return True

    def _rejected_by_rules(self, record: dict[str, Any]) -> None:
        """Reject a record that a `records.reject` rule applies to, with every such rule's
        message."""
        broken = [_RejectedError(None, rule.message) for rule in self.reject_rules
                  if rule.applies(record)]
        if broken:
            head, *rest = broken
            raise head.join(rest)

    def _warned(self, record: dict[str, Any], name: str, number: int) -> None:
        """Count a record under each `records.warn` rule that applies to it; it stays."""
        if self.plausible is not None:
            for message in self.plausible(record):
                self._flag(message, name, number)
        self._warned_by_rules(record, name, number)

    def _warned_by_rules(self, record: dict[str, Any], name: str, number: int) -> None:
        """Count a record under each declared `records.warn` rule that applies to it."""
        for rule in self.warn_rules:
            if rule.applies(record):
                self._flag(rule.message, name, number)

    def _flag(self, message: str, name: str, number: int) -> None:
        flagged = self.warnings.get(message)
        if flagged is None:
            flagged = self.warnings[message] = Flagged()
        flagged.add(name, number)

    def held(self, reject: Callable[[Rejection], object],
             items: Iterable[tuple[str, dict[str, Any] | Conflict]] | None = None
             ) -> Iterator[dict[str, Any]]:
        """The records held to be combined (`duplicates: last` or `combine`), once every line
        is read (or those of `items`, a part of `finished`); each line of an id whose lines
        cannot be combined is rejected."""
        for _, item in self.finished() if items is None else items:
            if isinstance(item, Conflict):
                (field, reason), *more = item.problems
                causes = tuple(f"differs between the lines of one {self.id_field}"
                               for _ in item.problems)
                for (path, line), text in zip_longest(item.lines, item.texts):
                    reject(Rejection(path, line, field, reason, text, tuple(more),
                                     causes=causes))
                continue
            yield item

    def finished(self) -> Iterator[tuple[str, dict[str, Any] | Conflict]]:
        """What `held` gives, each with the source of its id's first line."""
        return iter(()) if self.combiner is None else self.combiner.finish()

    def _mapped(self, raw: dict[str, Any], text: bytes) -> dict[str, Any]:
        """A JSON record mapped by `records.read`; a value it cannot read rejects the line."""
        assert self.mapping is not None
        problems: list[Problem] = []
        record = self.mapping(raw, problems)
        if problems:
            raise self._every_problem(None, _exactly(text), self.mapping)
        return record

    def _every_problem(self, first: _RejectedError | None, values: Any,
                       mapping: Map | None) -> _RejectedError:
        """The rejection of a record with every problem it has: its `values` (a row, or the
        line parsed again) read from the start, each field checked whatever the others do."""
        if not isinstance(values, dict):
            return first or _RejectedError(None, "not a JSON object")
        problems: list[Problem] = []
        record = dict(values) if mapping is None else mapping(values, problems)
        found = [_RejectedError(field, what, value, after=after)
                 for field, what, value, after in problems]
        unread = {problem.field for problem in found}
        checked: list[_RejectedError] = []
        self.problems(record, checked)
        found.extend(problem for problem in checked if problem.field not in unread)
        found.sort(key=lambda problem: self.order.get(problem.field, len(self.order)))
        extra = [key for key in record if key not in self.declared]
        if extra and self.schema.strict:
            found.append(_RejectedError(extra[0], _NOT_DECLARED, after=_DECLARE))
        if self.currency is not None and "currency" in record:
            try:
                _same_currency(record["currency"], self.currency)
            except _RejectedError as other:
                found.append(other)
        if not found:
            return first or _RejectedError(None, "not a record")
        head, *rest = found
        return head.join(rest)

    def _undeclared(self, raw: dict[str, Any], name: str, number: int) -> None:
        """Fields the contract does not declare: rejected when it is strict, else counted
        (a misspelt `Lost` must not pass in silence); a `currency` must be the contract's."""
        extra = [key for key in raw if key not in self.declared]
        if self.schema.strict:
            raise _RejectedError(extra[0], _NOT_DECLARED, after=_DECLARE)
        if self.currency is not None and "currency" in raw:
            _same_currency(raw["currency"], self.currency)
        for key in extra:
            found = self.undeclared.get(key)
            if found is None:
                self.undeclared[key] = UndeclaredField(key, 1, name, number)
            else:
                found.count += 1

    def _exact(self, raw: dict[str, Any], text: bytes) -> dict[str, Any]:
        """The line's number fields as exact decimals, read from the line's own text.

        On a line without a backslash every key is spelt as it reads and no string holds a
        quote, so a key found once by its plain spelling is the top-level key, and its number
        is the one orjson read. A backslash (an escaped quote, a key spelt `\\u0076alue`)
        or anything less certain parses the whole line again with `Decimal`.
        """
        if b"\\" in text or any(type(raw.get(name)) is list for name in self.list_fields):
            return json.loads(text, parse_float=Decimal)  # type: ignore[no-any-return]
        for name, pattern in self.number_text.items():
            value = raw.get(name)
            if type(value) is not float:
                continue
            found = pattern.findall(text)
            if len(found) != 1 or float(found[0]) != value:
                return json.loads(text, parse_float=Decimal)  # type: ignore[no-any-return]
            raw[name] = Decimal(found[0].decode())
        return raw



def _read_share(stream: IO[bytes]) -> Callable[[], float] | None:
    """A function giving the share of the file behind `stream` read so far, if it is known
    (a regular file, compressed or not)."""
    source = stream._source if isinstance(stream, _Gzipped | _Zstd) else stream
    if not isinstance(source, _Hashing):
        return None
    try:
        status = os.fstat(source.fileno())
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(status.st_mode) or not status.st_size:
        return None
    size = status.st_size
    return lambda: source.consumed / size


def _key_colons(text: bytes) -> int:
    """At least the number of keys of a JSON text, at any depth: with the spaces, tabs and
    returns taken out, every key's closing quote is followed by its colon. A line whose
    object has as many keys repeats none (see `_repeated_keys`)."""
    return text.translate(None, b" \t\r\n").count(b'":')


def _repeated_keys(text: bytes) -> None:
    """Reject a line whose objects repeat a key, which JSON parsers settle silently (the last
    value wins): the exact check, for the lines the cheap one in `Reader._parsed` cannot clear.

    The cheap ones: `_key_colons`, and before it the count of quotes. Every key and every
    value given as text is two quotes, and so is a key written again, a nested key or text,
    and an escaped quote one more: a line with exactly two quotes for each key of its object
    and each of its values given as text (as the coercer counts them) repeats no key.
    """
    found: list[tuple[int, str]] = []
    objects = 0

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal objects
        objects += 1
        result = dict(items)
        if len(result) != len(items):
            keys: set[str] = set()
            for key, _ in items:
                if key in keys:
                    found.append((objects, key))
                    break
                keys.add(key)
        return result

    try:
        json.loads(text, object_pairs_hook=pairs)
    except RecursionError:
        raise _RejectedError(None, "nested too deeply to check its keys",
                             after=f": {_line_shown(text)}") from None
    except ValueError:
        raise _RejectedError(None, "not valid JSON", after=f": {_line_shown(text)}") from None
    if found:
        top = [key for number, key in found if number == objects]
        key = top[0] if top else found[0][1]
        where = "the record" if top else "a nested object"
        raise _RejectedError(key if top else None, f"key {shown(key)} appears more than once in "
                             f"{where}", cause=f"a key appears more than once in {where}")


def _strict_loads(text: bytes) -> Any:
    """The stdlib's reading of a line orjson refused (it also takes integers beyond 64 bits)."""
    if type(text) is _Unwritten:
        raise _RejectedError(text.field, text.reason, cause=text.cause)
    if type(text) is _LongLine:
        raise _RejectedError(None, f"longer than the line limit of {text.limit} bytes",
                             after=f": {_line_shown(text)}")
    if not text.strip():
        raise _RejectedError(None, "empty line")
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise _RejectedError(None, f"not valid UTF-8 (byte {error.start + 1})",
                             cause="not valid UTF-8",
                             after=f": {_line_shown(text)}") from None
    except json.JSONDecodeError as error:
        raise _RejectedError(None, f"not valid JSON ({error.msg.lower()} at column "
                                   f"{error.colno})", after=f": {_line_shown(text)}",
                             cause="not valid JSON") from None
    except ArithmeticError:  # a number Decimal cannot hold: 1e1000000000000000000
        raise _RejectedError(None, "a number out of range",
                             after=f": {_line_shown(text)}") from None
    except (ValueError, RecursionError):
        raise _RejectedError(None, "not valid JSON", after=f": {_line_shown(text)}") from None


def _exactly(text: bytes) -> Any:
    """A line parsed again with exact decimals, to find all its problems; None if it cannot."""
    try:
        return json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError, ArithmeticError):
        return None


_CSV_HINT = ("; this looks like the header of a CSV file: name the file .csv (or .tsv), or "
             "give the format (--format-in csv)")


def _looks_like_csv(text: bytes) -> bool:
    """Whether a first line that is not JSON reads as the header of a CSV or TSV file."""
    head = text.lstrip(b"\xef\xbb\xbf \t")
    return head[:1] not in b'{["' and any(sep in head for sep in (b",", b"\t", b";"))


def _line_shown(text: bytes) -> str:
    return _printable(text[: 4 * SHOWN_LENGTH].rstrip(b"\r").decode(errors="replace"))


def _no_constant(name: str) -> Any:
    raise _RejectedError(None, f"not valid JSON ({name} is not a JSON number)",
                         cause="not valid JSON")


def split_lines(stream: IO[bytes], name: str, limit: int, seen: SeenIds | None = None,
                cr_only: bool | None = None, *,
                screen: Callable[[bytes], bool] | None = None) -> Iterator[bytes]:
    """Lines of a binary stream read in large chunks, each piece copied once (linear time).

    A line longer than `limit` bytes comes out as a `_LongLine` of its first `limit` bytes,
    the rest skipped as it is read, so memory stays within the limit and a chunk. Chunks
    are no longer than the limit, so only a line that spans chunks needs its length checked.

    Once a chunk has given records, `seen` is sized for the ids they project over the
    whole file, rather than grown and copied as the ids arrive; it grows by doubling from
    there. Only records count: blank or rejected lines reserve nothing.

    Given `screen`, a test that costs more per call than per byte (`_typed.misread`), each
    chunk is screened whole, and only a chunk it flags has its lines screened one by one; a
    line that spans chunks is screened alone. A line flagged comes out as `_Flagged`.
    """
    share = _read_share(stream) if seen is not None else None
    before = len(seen) if seen is not None else 0
    size = min(_READ_SIZE, limit)
    start: list[bytes] = []  # the start of a line no chunk has ended yet
    held = 0  # its length
    cut = False  # that line is longer than `limit`; `start` holds its first `limit` bytes
    # cr_only: lines end with CR alone (old Mac style), told by chunk 1 unless given
    while True:
        if share is not None and seen is not None and len(seen) > before:
            seen.reserve(before + int((len(seen) - before) / share() * 1.02) + 1)
            share = None
        try:
            chunk = stream.read(size)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"cannot read {name}: {error}") from None
        if not chunk:
            break
        if cr_only is None:
            cr_only = b"\n" not in chunk and b"\r" in chunk
        if cr_only:
            chunk = chunk.replace(b"\r", b"\n")
        lines = chunk.split(b"\n")
        rest = lines.pop()
        if lines:
            spanned = bool(start or cut)
            if spanned:
                if not cut:
                    start.append(lines[0])
                lines[0] = _ended(start, cut, limit)
                start, held, cut = [], 0, False
            if screen is not None:
                if screen(chunk):
                    lines = [_flagged(line, screen) for line in lines]
                elif spanned:
                    lines[0] = _flagged(lines[0], screen)
            yield from lines
        if rest and not cut:
            held += len(rest)
            if held > limit:
                rest, cut = rest[: len(rest) - (held - limit)], True
            start.append(rest)
    if start or cut:
        last = _ended(start, cut, limit)
        yield last if screen is None else _flagged(last, screen)


def _flagged(line: bytes, screen: Callable[[bytes], bool]) -> bytes:
    """`line`, or a `_Flagged` copy if `screen` finds something in it; a cut line as it is."""
    return _Flagged(line) if line.__class__ is bytes and screen(line) else line


def _ended(parts: list[bytes], cut: bool, limit: int) -> bytes:
    """A line from its parts, or a `_LongLine` if it is longer than `limit`."""
    text = b"".join(parts)
    if not cut and len(text) <= limit:
        return text
    long_line = _LongLine(text[:limit])
    long_line.limit = limit
    return long_line
