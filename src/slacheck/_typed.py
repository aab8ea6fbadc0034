"""A typed decoding of JSON lines (msgspec) for the lines it reads exactly as the reader does.

Parsing a line into an untyped dict and then checking and converting each field in Python
costs several times the parse. msgspec decodes a line straight into the record's types
(strings, allowed values, booleans, aware timestamps, amounts as text or numbers) in C; an
amount's text is then matched against the coercer's fast pattern. It is a fast path only:
a line it takes becomes the very record the general path (`records.Reader._parsed`) makes
of it; every other line, and every line it cannot vouch for, returns None and goes to the
general path, which alone rejects and says why. So a rejection, and its reason, never
depends on whether msgspec is installed.

What it must not take, since the general path reads it otherwise:
- a key written twice (msgspec keeps the last), a key the contract does not declare, a
  nested object: the line's quotes are counted, two for each key and each value given as
  text, as in `Reader._parsed` (`records._repeated_keys` says why that is exact);
- a timestamp that ends with a lowercase `z`, or whose fraction of a second has more than six
  digits, which msgspec reads (as UTC; rounded) and `datetime.fromisoformat` does not (it
  refuses the `z`; it cuts the digits): a line with `z"` or seven digits after a dot is
  decoded again with its timestamps as text, which the coercer's own lines read (a `z`
  fails there, and goes to the general path). Every other text msgspec reads as an aware
  timestamp, `fromisoformat` reads as the same instant with the same offset
  (tests/test_typed_lines.py holds generated texts to this);
- a value out of the supported range (a year outside 1900 to 9000, an integer amount of 19
  digits), or outside a field's `min`, `max` or `pattern`;
- given the built-in plausibility warnings' `Clearance`, a timestamp whose day number is not
  where it clears them: the record the fast path takes then needs no check for them, and
  the rare record that might warn is the general path's, which checks it.

Contracts with fields of other kinds (dates, durations, lists), or records mapped by
`records.read`, are read by the general path alone.
"""

from __future__ import annotations

import hashlib
import linecache
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, Required, TypedDict

from slacheck.types import FieldSpec, Kind, RecordSchema

if TYPE_CHECKING:
    from slacheck.plausibility import Clearance

try:
    import msgspec
except ImportError:  # the `fast` extra: without it every line takes the general path
    msgspec = None  # type: ignore[assignment]


class Typed(Protocol):
    """A line's record, or None for the general path to read it. A line `screened` has
    been found free of what msgspec misreads (`misread`), by its reader, a chunk at a time."""

    def __call__(self, text: bytes, screened: bool = False) -> dict[str, Any] | None: ...


Bounded = Callable[[FieldSpec, int, dict[str, Any]], list[str]]
"""`records._bounded`: the lines checking a converted `v` against a field's bounds."""

Matcher = Callable[[str], Any]
"""A compiled pattern's `fullmatch`."""

Times = Callable[[FieldSpec, int, dict[str, Any]], list[str]]
"""`records._timestamp_lines`: the coercer's lines reading a timestamp's text `v` into an
aware `datetime` in `v`, raising what it cannot read."""

Checked = Callable[[FieldSpec], Callable[[Decimal], Decimal]]
"""For a number field, the coercer's check of a value JSON gave as a number with a fraction
or an exponent (`records._number`), which msgspec reads as `Decimal(text)` of its own text,
exactly as the coercer reads it again from the line (`records._exact_number`)."""

_UNREAD = re.compile(rb"\.[0-9]{7}").search
"""Seven digits after a dot: perhaps a fraction of a second msgspec would round."""


def misread(text: bytes) -> bool:
    """Whether `text` may hold a timestamp msgspec reads otherwise than the general path:
    one ending with `z`, or with a fraction of a second of more than six digits.

    It costs as much per call as per byte, so a reader asks it of a whole chunk of lines
    at once, and of each line only in a chunk where it finds one (`records.split_lines`).
    """
    # `find` rather than `in`: `bytes in bytes` first tries its operand as an integer, and
    # makes and clears a TypeError, on every call
    return (text.find(b"z") >= 0 and text.find(b'z"') >= 0) or _UNREAD(text) is not None


_KINDS = (Kind.STRING, Kind.ENUM, Kind.BOOL, Kind.TIMESTAMP, Kind.MONEY, Kind.NUMBER)

_YEARS = (datetime(1900, 1, 1).toordinal(), datetime(9001, 1, 1).toordinal())
"""The years 1900 to 9000 the coercer supports, in day numbers (`toordinal`)."""


class _MissError(Exception):
    """The record needs the general path (a bound, a range)."""


def compile_typed(schema: RecordSchema, patterns: dict[str, Matcher], bounded: Bounded,
                  checked: Checked, times: Times,
                  clearance: Clearance | None = None) -> Typed | None:
    """The fast path for lines of `schema`, or None when msgspec is not installed or the
    schema has a field of a kind it does not read. `patterns` match the reader's fast
    patterns of amounts and numbers (`money`, `number`, `whole`) whole. Given the
    plausibility warnings' `clearance` (see `clears`), a record it takes has been cleared
    of them.

    A line that may hold a timestamp msgspec misreads (`misread`: seven digits of a second,
    as .NET writes them) is decoded with its timestamps as text, which `times` reads as the
    coercer does."""
    if msgspec is None or not all(spec.type.kind in _KINDS for spec in schema.fields):
        return None
    if any(spec.type.kind is Kind.ENUM and not all(type(value) is str
                                                   for value in spec.type.values)
           for spec in schema.fields):
        return None
    clearance = clearance if clears(schema, clearance) else None
    texts_of = _texts(schema, patterns)
    timed = _compile(schema, _decoder(schema, timed=True), texts_of, bounded, checked,
                     clearance, times=times)
    return _compile(schema, _decoder(schema, timed=False), texts_of, bounded, checked,
                    clearance, misread_path=timed)


def _decoder(schema: RecordSchema, *, timed: bool) -> Callable[[bytes], Any]:
    """msgspec's decoding of a line into the record's types; `timed`, its timestamps as
    text."""
    fields: dict[str, Any] = {}
    for spec in schema.fields:
        of = str if timed and spec.type.kind is Kind.TIMESTAMP else _type(spec)
        fields[spec.name] = Required[of] if spec.required else of | None
    shape = TypedDict("shape", fields, total=False)  # type: ignore[misc]
    # amounts are untyped (`_type`), so their numbers with a fraction or an exponent come to
    # `float_hook` as their own text
    decode: Callable[[bytes], Any] = msgspec.json.Decoder(shape, float_hook=Decimal).decode
    return decode


def clears(schema: RecordSchema, clearance: Clearance | None) -> bool:
    """Whether the fast path of `schema` (if any) clears the warnings of `clearance`: those
    of timestamps alone, the record's time a required timestamp."""
    if clearance is None or clearance.time_field != schema.time_field:
        return False
    kinds = {spec.name: spec for spec in schema.fields}
    time = kinds.get(schema.time_field)
    return (time is not None and time.required and time.type.kind is Kind.TIMESTAMP
            and all(name in kinds and kinds[name].type.kind is Kind.TIMESTAMP
                    for name in clearance.fields))


def _type(spec: FieldSpec) -> Any:
    kind = spec.type.kind
    if kind is Kind.STRING:
        return str
    if kind is Kind.ENUM:
        return Literal[tuple(spec.type.values)]
    if kind is Kind.BOOL:
        return bool
    if kind is Kind.TIMESTAMP:
        return Annotated[datetime, msgspec.Meta(tz=True)]
    # an amount is a string, an integer, or (`float_hook`) a Decimal of a number's text, and
    # anything else the general path's. Its text is matched in Python (`_texts`): msgspec,
    # given the pattern, calls Python's `re` from C, which cost 0.67 us a line where the
    # whole decoding costs 0.9
    return Any


def _texts(schema: RecordSchema, patterns: dict[str, Matcher]) -> dict[str, Matcher]:
    """For each amount or number, a match of the texts the coercer reads as `Decimal(text)`
    unchecked, or checked and unchanged: an amount by the money pattern; one that may be
    negative (not whole) or a number by the number pattern, whole numbers by theirs."""
    found: dict[str, Matcher] = {}
    for spec in schema.fields:
        kind = spec.type.kind
        if kind not in (Kind.MONEY, Kind.NUMBER):
            continue
        if kind is Kind.MONEY and not (spec.negative and not spec.integral):
            found[spec.name] = patterns["money"]
        else:
            found[spec.name] = patterns["whole" if spec.integral else "number"]
    return found


def _compile(schema: RecordSchema, decode: Callable[[bytes], Any],
             texts_of: dict[str, Matcher], bounded: Bounded, checked: Checked,
             clearance: Clearance | None, *, times: Times | None = None,
             misread_path: Typed | None = None) -> Typed:
    """One generated function: the checks before msgspec is trusted, its decoding, then the
    record finished as the coercer does (missing fields found, defaults set, amounts made
    `Decimal`, ranges and bounds checked, any failure leaving the line to the general path),
    and the quotes counted, two for each key and each value given as text.

    With a `clearance`, each timestamp's day number `o` is checked at once against the years
    supported and the days that clear its warnings (and, but for the record's time, against
    `d`, that time's day number, which is why the time field is finished first: it is
    required, so no key is added and the record's keys keep their order).

    With `times`, msgspec gives each timestamp as text and the coercer's own lines read it,
    so nothing is misread; without, a line `misread` is handed to `misread_path`."""
    namespace: dict[str, Any] = {"_R": _MissError, "_Decimal": Decimal, "_BIG": 10**18,
                                 "_misread": misread, "_decode": decode,
                                 "_failed": (msgspec.DecodeError, msgspec.ValidationError),
                                 "_misread_path": misread_path}
    body = ["get = r.get", "q = _TEXTS"]
    texts = 0  # the required fields msgspec took as text: counted once, here
    fields = list(enumerate(schema.fields))
    if clearance is not None:
        fields.sort(key=lambda field: field[1].name != schema.time_field)
    for index, spec in fields:
        name, kind = repr(spec.name), spec.type.kind
        namespace[f"_default_{index}"] = spec.default
        block: list[str] = []
        if kind in (Kind.STRING, Kind.ENUM, Kind.TIMESTAMP):
            if spec.required:
                texts += 1
            else:
                block.append("q += 1")
        if kind is Kind.TIMESTAMP and times is not None:  # the text, read as the coercer does
            block += [*times(spec, index, namespace), f"r[{name}] = v"]
        if kind is Kind.TIMESTAMP and clearance is None:  # as the coercer checks the year
            block.append("if not 1900 <= v.year <= 9000: raise _R")
        elif kind is Kind.TIMESTAMP and clearance is not None:
            first, end, near = clearance.fields.get(spec.name, (*_YEARS, None))
            block += ["o = v.toordinal()",
                      f"if not {max(first, _YEARS[0])} <= o < {min(end, _YEARS[1])}: raise _R"]
            if spec.name == schema.time_field:
                block.append("d = o")
            elif near is not None:
                block.append(f"if not -{near} < o - d < {near}: raise _R")
        if kind in (Kind.MONEY, Kind.NUMBER):
            low = "-_BIG <" if kind is Kind.NUMBER or spec.negative else "0 <="
            namespace[f"_checked_{index}"] = checked(spec)
            namespace[f"_text_{index}"] = texts_of[spec.name]
            block += ["c = v.__class__",
                      "if c is str:",
                      f"    if _text_{index}(v) is None: raise _R",
                      "    q += 1; v = _Decimal(v)",
                      f"elif c is int and {low} v < _BIG: v = _Decimal(v)",
                      f"elif c is _Decimal: v = _checked_{index}(v)",
                      "else: raise _R",
                      f"r[{name}] = v"]
        block += bounded(spec, index, namespace)
        if spec.required:  # msgspec found it, and not null (an amount: see its class)
            body += [f"v = r[{name}]", *block] if block else []
        else:
            body += [f"v = get({name})", "if v is None:", f"    r[{name}] = _default_{index}"]
            if block:
                body += ["else:", *("    " + line for line in block)]
    namespace["_TEXTS"] = texts
    lines = [
        "def typed(text, screened=False):",
        # the line with its times as text needs no screen
        *(["    if not screened and _misread(text):",
           "        return _misread_path(text)"] if times is None else []),
        "    try:",
        "        r = _decode(text)",
        "    except _failed:",
        "        return None",
        "    keys = len(r)",
        "    try:",
        *("        " + line for line in body),
        "    except Exception:",  # whatever it is, the general path says it
        "        return None",
        "    if text.count(b'\"') != 2 * (keys + q):",
        "        return None",
        "    return r",
    ]
    source = "\n".join(lines) + "\n"
    filename = f"<slacheck typed {hashlib.sha1(source.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # generated from the schema above
    typed: Typed = namespace["typed"]
    return typed
