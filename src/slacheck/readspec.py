"""The `records.read` section of a contract: how an export's columns and formats become fields.

The JSON Schema checks its shape; this checks what the shape cannot say (a format is a date
format, a rule fits its field's type, a zone exists) and builds the `ReadSpec`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slacheck.types import FieldRead, Kind, ReadSpec, RecordSchema

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


def build_read(tree: dict[str, Any] | None,
               schema: RecordSchema) -> tuple[ReadSpec, list[ReadProblem]]:
    """The `ReadSpec` of a schema-valid `records.read` tree, and every problem found in it."""
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
    if len(problems) > found:
        return None
    return FieldRead(column=body.get("column"), format=text_format, time_of_day=time_of_day,
                     combine=rule)


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
