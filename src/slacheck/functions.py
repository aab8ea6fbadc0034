"""The functions of expressions, `min`, `max`, `floor`, `ceil`, `round` and `abs`: how each
is typed and how it is computed, side by side, so that the typer and the compiler agree.

`min(a, b, ...)` and `max(a, b, ...)` take two or more values of one type (numbers,
amounts of the contract's currency, durations, timestamps, or dates); `min(x)` of a
single value is refused, since in a target `min(x)` measures a window instead.
`floor`, `ceil` and `round` take a number or an amount; `round(x, 2)` keeps two decimals
and rounds as the contract rounds money (`rounding:`, half up unless it says otherwise).
`abs` takes a number, an amount or a duration.

A record's list (`{type: list, of: decimal}`) has functions of its own: `max(readings)` and
`min(readings)` its extremes, `sum(readings)`, `mean(readings)`, `count(readings)` its length
and `count(readings, each > 8)` the values for which a condition holds (`each` names the
value). Of an empty list, `count` and `sum` are 0, `min`, `max` and `mean` have no value
(absent, so a comparison with them is pending); of an absent list, every one is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
)
from typing import TYPE_CHECKING, Any

from slacheck import ast
from slacheck.types import MAX_DECIMALS, Kind, Scale, Type

if TYPE_CHECKING:
    from slacheck.typer import Typer

_ORDERED = (Kind.NUMBER, Kind.MONEY, Kind.DURATION, Kind.TIMESTAMP, Kind.DATE)
_ROUNDED = (Kind.NUMBER, Kind.MONEY)
_EXTREME = {"min": ("smaller", "smallest"), "max": ("larger", "largest")}

ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN,
            "up": ROUND_UP}
"""The contract's `rounding` as a `decimal` rounding mode: of money, and of `round`."""

_WIDE = Context(prec=120)
"""Wide enough to quantize any number a contract or record may hold (below 10^15, at most
18 decimals) without an `InvalidOperation`, and a window total's decimal form of 120 digits
(`plan`), however large the total."""


def call_type(typer: Typer, expr: ast.Call) -> Type:
    """The type of a call; reports what is wrong with it and raises `UntypedError`."""
    name, args = expr.function, expr.args
    if name in LIST_FUNCTIONS:
        return _list_type(typer, expr)
    if name in _EXTREME:
        return _extreme_type(typer, expr)
    most = 2 if name == "round" else 1
    if not 1 <= len(args) <= most:
        usage = ("`round(x)` or `round(x, 2)`: a value, then the decimals to keep"
                 if name == "round" else f"`{name}(x)`: one value")
        typer.refuse(expr, f"`{name}` takes {'one or two' if most == 2 else 'one'} "
                     f"argument{'s' if most == 2 else ''}, not {len(args)}", (usage,))
    found = typer.infer(args[0])
    allowed = (*_ROUNDED, Kind.DURATION) if name == "abs" else _ROUNDED
    if found.kind not in allowed:
        hint = (f"divide by a unit first: `{name}(transit / 1h)` is in hours"
                if found.kind is Kind.DURATION else f"`{name}` rounds a number or an amount")
        what = "a number, an amount or a duration" if name == "abs" else "a number or an amount"
        typer.refuse(args[0], f"`{name}` takes {what}, not {found}", (hint,))
    if len(args) == 2:
        places = args[1]
        typer.infer(places)
        if not (isinstance(places, ast.Number) and places.value == places.value.to_integral_value()
                and 0 <= places.value <= MAX_DECIMALS):
            typer.refuse(places, "the decimals to keep are a whole number written in the "
                         f"clause, from 0 to {MAX_DECIMALS}", ("write `round(x, 2)`",))
    return found


def _extreme_type(typer: Typer, expr: ast.Call) -> Type:
    from slacheck.typer import UntypedError, unite

    name, args = expr.function, expr.args
    smaller, smallest = _EXTREME[name]
    if len(args) == 1 and typer.infer(args[0]).kind is Kind.LIST:
        return _list_type(typer, expr)
    if len(args) < 2:
        typer.refuse(expr, f"`{name}` of one value is that value" if args
                     else f"`{name}` needs two or more values",
                     (f"`{name}(a, b)` is the {smaller} of two or more values; the "
                      f"{smallest} over a window is a target: `{name}(transit) <= 72h per month`",))
    found: list[tuple[ast.Expr, Type]] = []
    failed = False
    for arg in args:  # each argument checked, so that every wrong one is reported
        try:
            found.append((arg, typer.infer(arg)))
        except UntypedError:
            failed = True
    if failed:
        raise UntypedError
    result = found[0][1]
    for arg, other in found[1:]:
        merged = unite(result, other)
        if merged is None:
            typer.refuse(arg, f"`{name}` compares values of one type, not {result} and {other}")
            raise UntypedError  # pragma: no cover
        result = merged
    if result.kind not in _ORDERED:
        typer.refuse(expr, f"`{name}` needs numbers, amounts, durations, timestamps or dates, "
                     f"not {result}", ("compare text with `==` or `in [...]`",))
    return result


LIST_FUNCTIONS = ("count", "sum", "mean")
"""Functions of a list field only; `min` and `max` take one too."""


def _list_type(typer: Typer, expr: ast.Call) -> Type:
    name, args = expr.function, expr.args
    most = 2 if name == "count" else 1
    usage = (f"`{name}(readings)` of a list field (`{{type: list, of: decimal}}`)"
             + (", or `count(readings, each > 8)`" if name == "count" else "")
             + f"; over a window, `{name}(x)` is a target: `{name}(x) <= 10 per month`")
    if not 1 <= len(args) <= most:
        typer.refuse(expr, f"`{name}` in an expression takes a list field"
                     + (" and a condition" if name == "count" else ""), (usage,))
    found = typer.infer(args[0])
    if found.kind is not Kind.LIST or found.of is None:
        typer.refuse(args[0], f"`{name}` in an expression takes a list field, not {found}",
                     (usage,))
    if len(args) == 2:
        typer.each_value(found.of, args[1])
    if name == "count":
        return Type(Kind.NUMBER, scale=Scale.PLAIN)
    return found.of


def list_implementation(expr: ast.Call, of: Type) -> Callable[[tuple[Any, ...]], Any]:
    """The function of a call over a list's values (the list known), whose elements are of
    type `of`: see the module's docstring for an empty list."""
    zero = timedelta(0) if of.kind is Kind.DURATION else _ZERO
    match expr.function:
        case "count":
            return lambda values: Decimal(len(values))
        case "sum":
            return lambda values: _sum(values, zero)
        case "mean":
            return lambda values: _sum(values, zero) / len(values) if values else None
        case "min":
            return lambda values: min(values) if values else None
    assert expr.function == "max"
    return lambda values: max(values) if values else None


def _sum(values: tuple[Any, ...], zero: Any) -> Any:
    if not values:
        return zero
    total = values[0]
    for value in values[1:]:
        total += value
    return total


def implementation(expr: ast.Call, rounding: str) -> Callable[..., Any]:
    """The Python function of a call, taking its values once none is absent."""
    match expr.function:
        case "min":
            return min
        case "max":
            return max
        case "floor":
            return lambda value: _integral(value, ROUND_FLOOR)
        case "ceil":
            return lambda value: _integral(value, ROUND_CEILING)
        case "abs":
            return abs
    assert expr.function == "round"
    places = Decimal(0)
    if len(expr.args) == 2:
        written = expr.args[1]
        assert isinstance(written, ast.Number)  # the typer took only a whole number literal
        places = written.value
    exponent = Decimal(1).scaleb(-int(places))
    mode = ROUNDING[rounding]
    return lambda value: _WIDE.add(_ZERO, value.quantize(exponent, rounding=mode, context=_WIDE))


_ZERO = Decimal(0)
"""Added to a result so that it is never `-0` (`ceil(-0.5)`)."""


def _integral(value: Decimal, mode: str) -> Decimal:
    return _WIDE.add(_ZERO, value.to_integral_value(rounding=mode))
