"""The `records.read` section of a contract: how an export's columns and formats become fields.

The JSON Schema checks its shape; this checks what the shape cannot say (a format is a date
format, a rule fits its field's type, a zone exists) and builds the `ReadSpec`.
"""

from __future__ import annotations

import codecs
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slacheck.types import FieldRead, Kind, ReadSpec, RecordSchema, Scale

_ORDERED = (Kind.NUMBER, Kind.MONEY, Kind.DURATION, Kind.TIMESTAMP, Kind.DATE)
RULE_KINDS: dict[str, tuple[Kind, ...]] = {
    "sum": (Kind.NUMBER, Kind.MONEY, Kind.DURATION),
    "min": _ORDERED,
    "max": _ORDERED,
    "latest": _ORDERED,
    "all": (Kind.BOOL,),
    "any": (Kind.BOOL,),
}
"""The field types each combining rule takes; `same`, `first` and `last` take any."""

UNITS: dict[str, tuple[str, Decimal]] = {
    # mass, read into kilograms
    "g": ("mass", Decimal("0.001")), "kg": ("mass", Decimal(1)), "t": ("mass", Decimal(1000)),
    "lb": ("mass", Decimal("0.45359237")), "oz": ("mass", Decimal("0.028349523125")),
    # length, read into metres
    "mm": ("length", Decimal("0.001")), "cm": ("length", Decimal("0.01")),
    "m": ("length", Decimal(1)), "km": ("length", Decimal(1000)),
    "in": ("length", Decimal("0.0254")), "ft": ("length", Decimal("0.3048")),
    "yd": ("length", Decimal("0.9144")), "mi": ("length", Decimal("1609.344")),
    # volume, read into cubic metres
    "l": ("volume", Decimal("0.001")), "m3": ("volume", Decimal(1)),
    "ft3": ("volume", Decimal("0.028316846592")),
    # time, read into a duration's seconds
    "ms": ("time", Decimal("0.001")), "s": ("time", Decimal(1)), "min": ("time", Decimal(60)),
    "h": ("time", Decimal(3600)), "d": ("time", Decimal(86400)),
}
"""`unit`: what a column's unit is, and the exact factor into the field's unit: kilograms,
metres, cubic metres (int and decimal fields) or seconds (duration fields). The factors
are the definitions (1 lb = 0.45359237 kg exactly, 1 in = 0.0254 m)."""
_SCALED = (Kind.NUMBER, Kind.MONEY, Kind.DURATION)

_SAMPLE = datetime(2006, 6, 2, 13, 4, 5, tzinfo=UTC)
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%p", "%X", "%c", "%T", "%R", "%f")


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """What is wrong in `records.read`, where (a path below it), and a hint."""

    message: str
    path: tuple[str | int, ...]
    hint: str | None = None
    unknown_name: str | None = None
    """The field name not declared, for a "did you mean"."""


def directives(text: str) -> str:
    """A format without its `%%` (a literal percent sign), so directives can be looked for."""
    return text.replace("%%", "")


def has_time(text: str) -> bool:
    """Whether a strptime format reads a time of day."""
    bare = directives(text)
    return any(item in bare for item in _TIME_DIRECTIVES)


def build_read(tree: dict[str, Any] | None, schema: RecordSchema,
               currency: str | None = None) -> tuple[ReadSpec, list[ReadProblem]]:
    """The `ReadSpec` of a schema-valid `records.read` tree, and every problem found in it;
    `currency` is the contract's, which currency columns must hold."""
    if tree is None:
        return ReadSpec(), []
    problems: list[ReadProblem] = []
    zone = tree.get("assume_timezone")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(ReadProblem(f"unknown time zone `{zone}`", ("assume_timezone",),
                                        "use an IANA name such as `Asia/Shanghai` or `UTC`"))
    decimal, thousands = tree.get("decimal", "."), tree.get("thousands", "")
    if decimal == thousands:
        problems.append(ReadProblem(f"`{decimal}` cannot separate both thousands and decimals",
                                    ("thousands",)))
    duplicates = tree.get("duplicates", "reject")
    csv = tree.get("csv", {})
    encoding = csv.get("encoding", "utf-8")
    if not _ascii_compatible(encoding):
        problems.append(ReadProblem(
            f"`{encoding}` is not an encoding slacheck reads CSV in", ("csv", "encoding"),
            "an encoding that writes ASCII as ASCII: utf-8, gb18030, cp1252, latin-1, ..."))
    delimiter, quote = csv.get("delimiter"), csv.get("quote", '"')
    if delimiter is not None and (delimiter in "\r\n" or delimiter == quote):
        problems.append(ReadProblem(f"`{delimiter!r}` cannot be the delimiter",
                                    ("csv", "delimiter")))
    fields = []
    for name, given in tree.get("fields", {}).items():
        body = {"column": given} if isinstance(given, str) else given
        read = _field_read(name, body, schema, tree, zone, duplicates, problems)
        if read is not None:
            fields.append((name, read))
    spec = ReadSpec(
        fields=tuple(fields),
        assume_timezone=zone,
        absent=tuple(tree.get("absent", ())),
        two_digit_years_from=tree.get("two_digit_years_from"),
        decimal=decimal,
        thousands=thousands,
        duplicates=duplicates,
        delimiter=delimiter,
        quote=quote,
        encoding=encoding,
        currency_column=tree.get("currency_column"),
        currency=currency,
    )
    return spec, problems


def _field_read(name: str, body: dict[str, Any], schema: RecordSchema, tree: dict[str, Any],
                zone: str | None, duplicates: str,
                problems: list[ReadProblem]) -> FieldRead | None:
    path: tuple[str | int, ...] = ("fields", name)
    spec = schema.field(name)
    if spec is None:
        problems.append(ReadProblem(f"`{name}` is not a declared field", path,
                                    unknown_name=name))
        return None
    kind = spec.type.kind
    found = len(problems)
    text_format = body.get("format")
    if text_format is not None:
        _check_format(name, kind, text_format, tree, zone, (*path, "format"), problems)
    time_of_day = time()
    if "time_of_day" in body:
        try:
            time_of_day = time.fromisoformat(body["time_of_day"])
        except ValueError:
            problems.append(ReadProblem(f"`{body['time_of_day']}` is not a time of day",
                                        (*path, "time_of_day"), "write it as HH:MM or HH:MM:SS"))
        if kind is not Kind.TIMESTAMP:
            problems.append(ReadProblem(f"`time_of_day` is only for timestamp fields, `{name}` "
                                        f"is {spec.type}", (*path, "time_of_day")))
    rule = body.get("combine", "same")
    if "combine" in body and duplicates != "combine":
        problems.append(ReadProblem("`combine` applies when a repeated id is combined",
                                    (*path, "combine"), "add `duplicates: combine` to `read`"))
    kinds = RULE_KINDS.get(rule)
    if kinds is not None and kind not in kinds:
        wanted = ", ".join(item.value for item in kinds)
        problems.append(ReadProblem(f"`{rule}` cannot combine `{name}`, a {spec.type} field",
                                    (*path, "combine"), f"`{rule}` takes {wanted} fields"))
    declared = str(spec.type) if kind is not Kind.NUMBER else (
        "int" if spec.integral else "ratio" if spec.type.scale is Scale.RATIO else "decimal")
    factor = _factor(name, kind, declared, body, path, problems)
    if "currency" in body and kind is not Kind.MONEY:
        problems.append(ReadProblem(f"`currency` is only for money fields, `{name}` is "
                                    f"{declared}", (*path, "currency"),
                                    "name the column of a money field's currency"))
    if len(problems) > found:
        return None
    return FieldRead(column=body.get("column"), format=text_format, time_of_day=time_of_day,
                     combine=rule, factor=factor, unit=body.get("unit"),
                     currency_column=body.get("currency"))


def _factor(name: str, kind: Kind, type_name: str, body: dict[str, Any],
            path: tuple[str | int, ...], problems: list[ReadProblem]) -> Decimal | None:
    """The factor of `unit` or `multiply`, if either is given and fits the field."""
    unit, multiply = body.get("unit"), body.get("multiply")
    if unit is not None and multiply is not None:
        problems.append(ReadProblem("give `unit` or `multiply`, not both", (*path, "multiply"),
                                    "`unit: lb` is `multiply: 0.45359237`"))
        return None
    if unit is not None:
        dimension, factor = UNITS[unit]  # the JSON Schema lists the units
        fits = (kind is Kind.DURATION) if dimension == "time" else (
            kind is Kind.NUMBER and type_name in ("int", "decimal"))
        if not fits:
            problems.append(ReadProblem(
                f"`{unit}` is a unit of {dimension}, and `{name}` is {type_name}",
                (*path, "unit"), "units of time are for duration fields (read into seconds); "
                "of mass, length and volume for int and decimal fields (kg, m, m3)"))
            return None
        return factor
    if multiply is None:
        return None
    if kind not in _SCALED:
        problems.append(ReadProblem(f"`multiply` is only for int, decimal, ratio, money and "
                                    f"duration fields, `{name}` is {type_name}",
                                    (*path, "multiply"), "convert dates with `format`"))
        return None
    given: Decimal | None = None
    with contextlib.suppress(InvalidOperation):
        given = Decimal(str(multiply)) if not isinstance(multiply, bool) else None
    if given is None or not given.is_finite() or given <= 0:
        problems.append(ReadProblem(f"`multiply` of `{name}` is not a number above 0: "
                                    f"{multiply}", (*path, "multiply"),
                                    "write the factor into the field's unit, e.g. 0.45359237"))
        return None
    return given


def _check_format(name: str, kind: Kind, text_format: str, tree: dict[str, Any],
                  zone: str | None, path: tuple[str | int, ...],
                  problems: list[ReadProblem]) -> None:
    if kind not in (Kind.TIMESTAMP, Kind.DATE):
        problems.append(ReadProblem(f"`format` is only for date and timestamp fields, `{name}` "
                                    f"is {kind.value}", path))
        return
    try:
        datetime.strptime(_SAMPLE.strftime(text_format), text_format)
    except ValueError as error:
        problems.append(ReadProblem(f"`{text_format}` is not a date format ({error})", path,
                                    "write it as strptime does: %d-%b-%y reads 2-Jun-06"))
        return
    bare = directives(text_format)
    if "%y" in bare and "two_digit_years_from" not in tree:
        problems.append(ReadProblem(
            f"`{text_format}` reads a two-digit year, but the contract does not say its century",
            path, "add `two_digit_years_from: 1950` to `read` (06 is then 2006, 75 is 1975)"))
    if kind is Kind.TIMESTAMP and "%z" not in bare and zone is None:
        problems.append(ReadProblem(
            f"`{text_format}` gives no UTC offset, and the contract does not say the time zone "
            "of such times", path, "add `assume_timezone: ZONE` to `read`, e.g. `UTC`"))


def _ascii_compatible(encoding: str) -> bool:
    """Whether `encoding` exists and writes the characters CSV is split on as ASCII does, so
    that lines and cells are found in its bytes (not so UTF-16 or UTF-32)."""
    try:
        codecs.lookup(encoding)
        sample = "\r\n,;\t|\"' az09"
        return sample.encode(encoding).removeprefix(codecs.BOM_UTF8) == sample.encode("ascii")
    except (LookupError, UnicodeError):
        return False
