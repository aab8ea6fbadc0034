"""The measures: rate, count, sum, mean, min and max, percentile, ratio of sums."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from slacheck.measures.base import Measure, Unit


class Rate(Measure):
    """passed / (passed + breached): the share of evaluated records that met `require`."""

    label = "rate"
    unit = Unit.SHARE
    needs_values = False

    def start(self) -> None:
        return None

    def value(self, state: Any, passed: int, breached: int) -> Fraction | None:
        counted = passed + breached
        return Fraction(passed, counted) if counted else None

    def sample(self, state: Any, passed: int, breached: int) -> int:
        return passed + breached


@dataclass(slots=True)
class _Totals:
    count: int = 0
    total: Fraction = Fraction(0)


class Count(Measure):
    """`count()`: records in scope and not excluded; `count(p)`: those for which p holds.
    The values are 1 or 0, so a count is a sum of them."""

    unit = Unit.NUMBER

    def __init__(self, label: str) -> None:
        self.label = label

    def start(self) -> _Totals:
        return _Totals()

    def add(self, state: _Totals, value: Any) -> None:
        state.count += 1
        state.total += value

    def merge(self, state: _Totals, other: _Totals) -> None:
        state.count += other.count
        state.total += other.total

    def value(self, state: _Totals, passed: int, breached: int) -> Fraction | None:
        return state.total

    def sample(self, state: _Totals, passed: int, breached: int) -> int:
        return state.count


class Sum(Count):
    """`sum(x)`: the exact sum of the known values; with no value there is no sum."""

    def __init__(self, label: str, unit: Unit) -> None:
        super().__init__(label)
        self.unit = unit

    def value(self, state: _Totals, passed: int, breached: int) -> Fraction | None:
        return state.total if state.count else None


class Mean(Sum):
    """`mean(x)`: the sum over the count, exact (a fraction, never a float)."""

    def value(self, state: _Totals, passed: int, breached: int) -> Fraction | None:
        return state.total / state.count if state.count else None


@dataclass(slots=True)
class _Extreme:
    count: int = 0
    best: Fraction | None = None


class Extreme(Measure):
    """`min(x)` or `max(x)`."""

    def __init__(self, label: str, unit: Unit, largest: bool) -> None:
        self.label = label
        self.unit = unit
        self.largest = largest

    def start(self) -> _Extreme:
        return _Extreme()

    def add(self, state: _Extreme, value: Fraction) -> None:
        state.count += 1
        if state.best is None or (value > state.best if self.largest else value < state.best):
            state.best = value

    def merge(self, state: _Extreme, other: _Extreme) -> None:
        if other.best is not None:
            state.count += other.count - 1
            self.add(state, other.best)

    def value(self, state: _Extreme, passed: int, breached: int) -> Fraction | None:
        return state.best

    def sample(self, state: _Extreme, passed: int, breached: int) -> int:
        return state.count


@dataclass(slots=True)
class _Values:
    values: list[Fraction] = field(default_factory=list)


class Percentile(Measure):
    """`p95(x)`, nearest rank: the smallest value with at least 95% of the values at or
    below it, i.e. the ceil(0.95 n)-th smallest. Keeps every value of its window, so its
    memory grows with the window's records (8 bytes and a fraction per value)."""

    def __init__(self, label: str, unit: Unit, rank: Fraction) -> None:
        self.label = label
        self.unit = unit
        self.rank = rank
        """Between 0 and 1: 95/100 for p95."""

    def start(self) -> _Values:
        return _Values()

    def add(self, state: _Values, value: Fraction) -> None:
        state.values.append(value)

    def merge(self, state: _Values, other: _Values) -> None:
        state.values.extend(other.values)

    def value(self, state: _Values, passed: int, breached: int) -> Fraction | None:
        if not state.values:
            return None
        ordered = sorted(state.values)
        position = max(1, math.ceil(self.rank * len(ordered)))
        return ordered[position - 1]

    def sample(self, state: _Values, passed: int, breached: int) -> int:
        return len(state.values)


@dataclass(slots=True)
class _Ratio:
    count: int = 0
    numerator: Fraction = Fraction(0)
    denominator: Fraction = Fraction(0)


class RatioOfSums(Measure):
    """`sum(a) / sum(b)`: the ratio of the window's sums, never a mean of per-record
    ratios. A zero denominator gives no figure (not 0%, not 100%)."""

    unit = Unit.SHARE

    def __init__(self, label: str) -> None:
        self.label = label

    def start(self) -> _Ratio:
        return _Ratio()

    def add(self, state: _Ratio, value: tuple[Fraction, Fraction]) -> None:
        state.count += 1
        state.numerator += value[0]
        state.denominator += value[1]

    def merge(self, state: _Ratio, other: _Ratio) -> None:
        state.count += other.count
        state.numerator += other.numerator
        state.denominator += other.denominator

    def value(self, state: _Ratio, passed: int, breached: int) -> Fraction | None:
        return state.numerator / state.denominator if state.denominator else None

    def sample(self, state: _Ratio, passed: int, breached: int) -> int:
        return state.count
