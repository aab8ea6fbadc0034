"""How `explain` words what it found: values as the data writes them, durations as a
clock reads them, exact amounts, and the words of each outcome."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

from slacheck import ast
from slacheck.compiler import BREACH, OVERDUE, PASS, PENDING
from slacheck.findings import RecordRef
from slacheck.plan import AnyBreach, BreachesWithin, ConsecutiveMissed
from slacheck.reporters._format import duration, number, printable

ROUNDING = Context(prec=120)
"""Enough digits for any exact amount shown (the engine's own context holds as many)."""

FAILURES = (ArithmeticError, ValueError)
"""What evaluating a clause on one record may raise; the engine's evaluation errors."""

OUTCOME_WORDS = {PASS: "pass", BREACH: "breach", PENDING: "pending",
            OVERDUE: "breach (overdue: the event is still absent)"}
TRUTH_WORDS = {PASS: "true", BREACH: "false", PENDING: "unknown (a field it needs is absent)",
          OVERDUE: "false"}
COMPARE: dict[str, Callable[[Fraction, Fraction], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
LITERALS = (ast.Number, ast.Percent, ast.Money, ast.Duration, ast.String, ast.Bool)


@dataclass(frozen=True, slots=True)
class Unreadable:
    reason: str

    def __str__(self) -> str:
        return f"(cannot be evaluated: {self.reason})"


def source_text(node: ast.Node) -> str:
    if node.span is not None:
        return " ".join(node.span.text.split())
    match node:
        case ast.Ref(name=name):
            return name
        case ast.Bool(value=value):
            return "true" if value else "false"
    return type(node).__name__.lower()


def value_text(found: Any) -> str:
    """A value as a reader of the data writes it."""
    if found is None:
        return "absent"
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, datetime | date):
        return found.isoformat()
    if isinstance(found, timedelta):
        return clock(found)
    if isinstance(found, Fraction):
        return number(found)
    return printable(str(found))


def clock(length: timedelta) -> str:
    """A duration as a clock reads it: `24h`, `90d`, else `31h 11min 47.694031s`."""
    seconds = Fraction(length // timedelta(microseconds=1), 1_000_000)
    if seconds % 60 == 0 or abs(seconds) < 60:
        return duration(seconds)
    sign, rest = ("-" if seconds < 0 else ""), abs(seconds)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    parts.append(f"{minutes}min")
    parts.append(f"{number(rest)}s")
    return sign + " ".join(parts)


def apart(later: datetime, earlier: datetime) -> str:
    """`26h after`, `2h before`, `at the same time as`."""
    gap = later - earlier
    if not gap:
        return "at the same time as"
    return f"{clock(abs(gap))} {'after' if gap > timedelta(0) else 'before'}"


def terminates(value: Fraction) -> bool:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def exact_text(value: Fraction, places: int = 0) -> str:
    """An exact amount in decimals, at least `places` of them: all of them when they end
    (`187.682578125`), else twelve and an ellipsis."""
    if terminates(value):
        digits = places
        while (value * 10 ** digits).denominator != 1:
            digits += 1
        exact = ROUNDING.divide(Decimal(value.numerator), Decimal(value.denominator))
        return f"{exact:.{digits}f}"
    return f"{float(value):.12f}..."


def group_value(value: Any) -> str:
    """A group value as the result names it (see `engine.consequences`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def normal(text: str) -> str:
    return "".join(text.split()).lower()




def ref_text(ref: RecordRef) -> str:
    return f"{printable(ref.id)} (line {ref.line})"


def reason_of(error: Exception) -> str:
    return str(error) or type(error).__name__


def rule_matches(rule: Any, said: str) -> bool:
    """Whether a disqualification the run found (worded by stage 3) is under `rule`."""
    match rule:
        case ConsecutiveMissed(count=count):
            return f"in {count} consecutive windows" in said
        case BreachesWithin(count=count):
            return said.startswith(f"{count} breaches within")
        case AnyBreach():
            return said == "a critical breach"
    return False
