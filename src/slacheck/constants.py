"""Constant expressions computed at check time, the way the compiler will compute them, so
that a contract that checks never meets a division by zero or a value out of range when
it is compiled or run (`monthly_fee: 100 CNY / 0`, `24h * 100000000`).

Values: numbers and amounts as `Decimal`, durations as whole microseconds. The results are
only checked here; the compiler still computes the contract's constants itself.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Final

from slacheck import ast
from slacheck._source import Span
from slacheck.diagnostics import DIVISION_BY_ZERO, OUT_OF_RANGE, Code
from slacheck.types import LIMIT_DURATION, LIMIT_NUMBER, Kind, Type

Value = Decimal | int
"""A number or an amount (`Decimal`), or a duration in microseconds (`int`)."""

FAILED: Final = object()
"""The value of an expression whose own problem is already reported."""

Report = Callable[[Code, str, Span | None, tuple[str, ...]], None]


class Constants:
    """Computes the constant parts of typed expressions and reports what cannot be."""

    def __init__(self, types: dict[int, Type], report: Report) -> None:
        self.types = types
        self.report = report
        self.values: dict[str, Value | object] = {}
        """The value of each parameter and constant derived field, or `FAILED`."""

    def check(self, expr: ast.Expr) -> Value | object | None:
        """The value of `expr` if it is a constant number, amount or duration, `FAILED` if
        part of it cannot be computed (and is reported), else None. Every constant part of
        an expression that depends on the record is checked too (`value / 0`)."""
        match expr:
            case ast.Number(value=value) | ast.Percent(value=value) | ast.Money(amount=value):
                return value
            case ast.Duration(microseconds=microseconds):
                return microseconds
            case ast.Ref(name=name):
                return self.values.get(name)
            case ast.Neg(operand=operand):
                found = self.check(operand)
                return -found if isinstance(found, Decimal | int) else found
            case ast.Binary():
                return self._binary(expr)
            case ast.PercentOf(percent=percent, operand=operand):
                found = self.check(operand)
                if not isinstance(found, Decimal | int):
                    return found
                return self._sized(expr, _times(found, percent.value))
        for child in ast.children(expr):  # comparisons and logic: no value, constant parts
            self.check(child)  # type: ignore[arg-type]
        return None

    def _binary(self, expr: ast.Binary) -> Value | object | None:
        left, right = self.check(expr.left), self.check(expr.right)
        if expr.op is ast.BinOp.DIV and isinstance(right, Decimal | int) and right == 0:
            self.report(DIVISION_BY_ZERO, "division by zero", expr.right.span,
                        (f"`{_text(expr.right)}` is always zero",))
            return FAILED
        if FAILED in (left, right):
            return FAILED
        if not isinstance(left, Decimal | int) or not isinstance(right, Decimal | int):
            return None
        durations = (self._kind(expr.left) is Kind.DURATION,
                     self._kind(expr.right) is Kind.DURATION)
        # no traps: a result too large to hold is infinite, and reported as out of range
        with localcontext(Context(traps=[])):
            match expr.op, durations:
                case ast.BinOp.ADD, _:
                    result: Value = left + right
                case ast.BinOp.SUB, _:
                    result = left - right
                case ast.BinOp.MUL, (True, False):
                    result = _times(left, Decimal(right))
                case ast.BinOp.MUL, (False, True):
                    result = _times(right, Decimal(left))
                case ast.BinOp.MUL, _:
                    result = Decimal(left) * Decimal(right)
                case ast.BinOp.DIV, (True, False):
                    result = _times(left, 1 / Decimal(right))
                case _:  # numbers, amounts, and the ratio of two durations
                    result = Decimal(left) / Decimal(right)
            return self._sized(expr, result)

    def _kind(self, expr: ast.Expr) -> Kind:
        found = self.types.get(id(expr))
        return found.kind if found is not None else Kind.NUMBER

    def _sized(self, expr: ast.Expr, value: Value) -> Value | object:
        """`value`, or `FAILED` when it is too large to compute with safely."""
        if isinstance(value, int):  # a duration
            if abs(value) <= LIMIT_DURATION:
                return value
            hint = f"a duration is at most 100 years ({LIMIT_DURATION // 86_400_000_000}d)"
        elif value.is_finite() and value.copy_abs() < LIMIT_NUMBER:
            return value
        else:
            hint = "numbers and amounts must be less than 10^15 in size"
        self.report(OUT_OF_RANGE, f"`{_text(expr)}` is out of range", expr.span, (hint,))
        return FAILED


def _times(microseconds: int | Decimal, factor: Decimal) -> int | Decimal:
    """A duration scaled as the compiler scales it (to whole microseconds, half even); a
    number simply multiplied."""
    if isinstance(microseconds, Decimal):
        return microseconds * factor
    scaled = Decimal(microseconds) * factor
    if not scaled.is_finite() or abs(scaled) > LIMIT_DURATION:
        return LIMIT_DURATION + 1  # out of range, whatever its size
    return int(scaled.to_integral_value(ROUND_HALF_EVEN))


def _text(expr: ast.Expr) -> str:
    return " ".join(expr.span.text.split()) if expr.span is not None else "this"
