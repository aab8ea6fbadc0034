"""Field constraints of the record schema: `min`, `max` and `pattern`.

A bound is written as the clause language writes a value of the field's type (`1`, `0.5`,
`10000.00 USD`, `72h`) or, for dates and timestamps, in ISO 8601; it is read once here, so
that a record's value is compared with a ready value of its own type (see `records`). What
cannot hold (a minimum above the maximum, a bound of another type, a pattern that is no
regular expression, a default outside) is a problem at the key that says it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from slacheck import ast
from slacheck.types import Bound, Kind

BOUNDED = (Kind.NUMBER, Kind.MONEY, Kind.DURATION, Kind.DATE, Kind.TIMESTAMP)
"""The kinds of field that take `min` and `max`."""
WRITTEN_AS_CLAUSES = (Kind.NUMBER, Kind.MONEY, Kind.DURATION)
"""The kinds whose bounds are read as clause literals (`72h`, `5 USD`), not ISO text."""


@dataclass(frozen=True, slots=True)
class BoundProblem:
    """What is wrong with a field's constraint, the key it is at, and how to fix it."""

    message: str
    key: str
    hint: str


@dataclass(frozen=True, slots=True)
class Bounds:
    minimum: Bound | None = None
    maximum: Bound | None = None
    pattern: str | None = None


Literal = Callable[[str], "ast.Node | None"]
"""The clause literal written at a key of the field (None if it does not parse, which the
loader reports itself)."""

_UNPARSED = object()


def read_bounds(name: str, body: dict[str, Any], kind: Kind, currency: str,
                literal: Literal, default: Any = None) -> tuple[Bounds, list[BoundProblem]]:
    """The constraints of the field `name` declared by `body`, and every problem in them."""
    type_name = body["type"]
    problems: list[BoundProblem] = []
    found: dict[str, Bound] = {}
    for key in ("min", "max"):
        if key not in body:
            continue
        if kind not in BOUNDED:
            problems.append(BoundProblem(
                f"`{key}` is only for int, decimal, ratio, money, duration, date and timestamp "
                f"fields, `{name}` is {type_name}", key,
                "check the values of a string field with `pattern`"))
            continue
        node = literal(key) if kind in WRITTEN_AS_CLAUSES else None
        if kind in WRITTEN_AS_CLAUSES and node is None:
            continue  # it did not parse, and the loader says so
        value = _value(name, type_name, kind, key, body[key], node, currency, problems)
        if value is not _UNPARSED:
            found[key] = Bound(value, str(body[key]))
    low, high = found.get("min"), found.get("max")
    if low is not None and high is not None and low.value > high.value:
        problems.append(BoundProblem(
            f"the minimum {low.text} of `{name}` is above its maximum {high.text}", "max",
            "swap them, or correct the one that is wrong"))
    pattern = body.get("pattern")
    if pattern is not None:
        _check_pattern(name, kind, type_name, pattern, problems)
    if default is not None:
        _check_default(name, default, body.get("default"), low, high,
                       pattern if not problems else None, problems)
    return Bounds(low, high, pattern), problems


def _value(name: str, type_name: str, kind: Kind, key: str, raw: Any, node: ast.Node | None,
           currency: str, problems: list[BoundProblem]) -> Any:
    """The bound at `key` as a value of the field's type, or `_UNPARSED` with its problem."""
    where = f"`{key}` of `{name}`"
    negated = isinstance(node, ast.Neg)
    if isinstance(node, ast.Neg):
        node = node.operand
    sign = -1 if negated else 1
    if kind is Kind.NUMBER:
        if isinstance(node, ast.Number) or (type_name == "ratio"
                                            and isinstance(node, ast.Percent)):
            number = sign * node.value
            if type_name == "int" and number != number.to_integral_value():
                problems.append(BoundProblem(f"{where}, an int field, is not a whole number: "
                                             f"{raw}", key, "write a whole number, e.g. 1"))
                return _UNPARSED
            return number
        problems.append(BoundProblem(f"{where} is not a number: {raw}", key,
                                     "write a number, e.g. 0 or 0.5"))
        return _UNPARSED
    if kind is Kind.MONEY:
        if isinstance(node, ast.Number):
            return sign * node.value
        if isinstance(node, ast.Money):
            if node.currency != currency:
                problems.append(BoundProblem(
                    f"{where} is in {node.currency}, but the contract's amounts are in "
                    f"{currency}", key, f"write it in {currency}, or as a plain number"))
                return _UNPARSED
            return sign * node.amount
        problems.append(BoundProblem(f"{where} is not an amount: {raw}", key,
                                     f"write an amount, e.g. 0 or 10000.00 {currency}"))
        return _UNPARSED
    if kind is Kind.DURATION:
        if isinstance(node, ast.Duration):
            return sign * timedelta(microseconds=node.microseconds)
        problems.append(BoundProblem(f"{where} is not a duration: {raw}", key,
                                     "write it with its unit: 0s, 90m, 72h, 30d"))
        return _UNPARSED
    text = str(raw)
    if kind is Kind.DATE:
        try:
            return date.fromisoformat(text)
        except ValueError:
            problems.append(BoundProblem(f"{where} is not a date: {text}", key,
                                         "write it as YYYY-MM-DD, e.g. '2025-01-01'"))
            return _UNPARSED
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problems.append(BoundProblem(
            f"{where} is not a timestamp with a UTC offset: {text}", key,
            "write it in ISO 8601 with its offset, e.g. '2025-01-01T00:00:00+08:00'"))
        return _UNPARSED
    return moment


def _check_pattern(name: str, kind: Kind, type_name: str, pattern: str,
                   problems: list[BoundProblem]) -> None:
    if kind is not Kind.STRING:
        problems.append(BoundProblem(
            f"`pattern` is only for string fields, `{name}` is {type_name}", "pattern",
            "bound numbers, amounts, durations and dates with `min` and `max`"))
        return
    try:
        re.compile(pattern)
    except re.error as error:
        problems.append(BoundProblem(
            f"`pattern` of `{name}` is not a regular expression ({error})", "pattern",
            "write it as Python's `re` reads it; it matches the whole value: '[A-Z]{3}'"))


def _check_default(name: str, default: Any, text: Any, low: Bound | None, high: Bound | None,
                   pattern: str | None, problems: list[BoundProblem]) -> None:
    """A default is a value of the field: it keeps to the field's constraints."""
    hint = "give a default within the constraints, or none"
    if low is not None and _comparable(default, low.value) and default < low.value:
        problems.append(BoundProblem(f"the default {text} of `{name}` is below its minimum "
                                     f"{low.text}", "default", hint))
    if high is not None and _comparable(default, high.value) and default > high.value:
        problems.append(BoundProblem(f"the default {text} of `{name}` is above its maximum "
                                     f"{high.text}", "default", hint))
    if pattern is not None and isinstance(default, str) and not re.fullmatch(pattern, default):
        problems.append(BoundProblem(f"the default {text} of `{name}` does not match its "
                                     f"pattern {pattern}", "default", hint))


def _comparable(value: Any, bound: Any) -> bool:
    return isinstance(value, Decimal | date | timedelta) and type(value) is type(bound)
