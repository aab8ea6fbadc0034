"""Measures and objectives, by hand: each figure exact, each verdict at its boundary."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from slacheck.measures import (
    Count,
    Extreme,
    Mean,
    Measure,
    Percentile,
    Rate,
    RatioOfSums,
    Sum,
    Unit,
)
from slacheck.objectives import Objective, Status


def _measured(measure: Measure, values: list[Any], split: int | None = None) -> Any:
    """Feed `values` (in two parts merged, when `split` says where) and return the state."""
    first, second = measure.start(), measure.start()
    cut = len(values) if split is None else split
    for value in values[:cut]:
        measure.add(first, value)
    for value in values[cut:]:
        measure.add(second, value)
    measure.merge(first, second)
    return first


def test_rate_is_passed_over_passed_and_breached() -> None:
    assert Rate().value(None, 219, 15) == Fraction(219, 234)
    assert Rate().sample(None, 219, 15) == 234
    assert Rate().value(None, 0, 0) is None  # nothing evaluated: not 0%, not 100%


def test_percentile_is_nearest_rank() -> None:
    # 20 transit times of 1..20 hours: p95 is the ceil(0.95 * 20) = 19th smallest = 19 h
    values = [Fraction(hours * 3600) for hours in range(20, 0, -1)]
    p95 = Percentile("p95(transit)", Unit.SECONDS, Fraction(95, 100))
    state = _measured(p95, values, split=7)
    assert p95.value(state, 0, 0) == Fraction(19 * 3600)
    assert p95.sample(state, 0, 0) == 20
    # p50 of 1..20: ceil(10) = 10th
    p50 = Percentile("p50(transit)", Unit.SECONDS, Fraction(1, 2))
    assert p50.value(_measured(p50, values), 0, 0) == Fraction(10 * 3600)
    # p95 of 21 values: ceil(19.95) = 20th smallest
    values21 = [Fraction(n) for n in range(1, 22)]
    assert p95.value(_measured(p95, values21), 0, 0) == Fraction(20)
    assert p95.value(p95.start(), 0, 0) is None


def test_ratio_of_sums_is_not_a_mean_of_ratios() -> None:
    # sla-domain 4.C, June: compliant 500 + 230 + 0 + 249 + 0 of 500 + 230 + 10 + 250 + 10
    pairs = [(Fraction(a), Fraction(b))
             for a, b in ((500, 500), (230, 230), (0, 10), (249, 250), (0, 10))]
    ratio = RatioOfSums("sum(compliant_cases) / sum(cases_ordered)")
    state = _measured(ratio, pairs, split=2)
    assert ratio.value(state, 0, 0) == Fraction(979, 1000)
    assert ratio.sample(state, 0, 0) == 5
    empty = _measured(ratio, [(Fraction(0), Fraction(0))])
    assert ratio.value(empty, 0, 0) is None  # a zero denominator is no figure


def test_count_sum_mean_min_max() -> None:
    values = [Fraction(3), Fraction(1, 2), Fraction(7)]
    count = Count("count(late)")
    assert count.value(_measured(count, [Fraction(1), Fraction(0), Fraction(1)]), 0, 0) == 2
    total = Sum("sum(weight)", Unit.NUMBER)
    assert total.value(_measured(total, values, split=1), 0, 0) == Fraction(21, 2)
    assert total.value(total.start(), 0, 0) is None
    mean = Mean("mean(weight)", Unit.NUMBER)
    assert mean.value(_measured(mean, values), 0, 0) == Fraction(7, 2)  # 10.5 / 3
    low = Extreme("min(weight)", Unit.NUMBER, largest=False)
    high = Extreme("max(weight)", Unit.NUMBER, largest=True)
    assert low.value(_measured(low, values, split=1), 0, 0) == Fraction(1, 2)
    assert high.value(_measured(high, values, split=2), 0, 0) == Fraction(7)
    assert high.sample(_measured(high, values, split=2), 0, 0) == 3


@pytest.mark.parametrize(("value", "sample", "expected"), [
    (Fraction(97, 100), 20, Status.WARNED),        # exactly the target: met, but below 99%
    (Fraction(99, 100), 20, Status.MET),           # exactly the warning line: not warned
    (Fraction(9699, 10000), 20, Status.MISSED),
    (Fraction(1), 19, Status.NOT_EVALUATED),       # one short of the minimum sample
    (None, 20, Status.NOT_EVALUATED),
])
def test_an_objective_with_a_minimum_sample_and_a_warning_band(
    value: Fraction | None, sample: int, expected: Status
) -> None:
    objective = Objective(Rate(), ">=", Fraction(97, 100), minimum=20, warn=Fraction(99, 100))
    assert objective.judge(value, sample, None) is expected


def test_targets_per_group_and_no_commitment() -> None:
    targets = {"key": Fraction(99, 100), "general": Fraction(95, 100)}
    objective = Objective(Rate(), ">=", targets=targets)
    assert objective.judge(Fraction(9, 10), 10, "key") is Status.MISSED
    assert objective.judge(Fraction(96, 100), 10, "general") is Status.MET
    assert objective.judge(Fraction(0), 10, "harmful") is Status.NO_COMMITMENT


def test_an_upper_bound_objective() -> None:
    objective = Objective(Percentile("p95(transit)", Unit.SECONDS, Fraction(95, 100)), "<=",
                          Fraction(72 * 3600), warn=Fraction(60 * 3600))
    assert objective.judge(Fraction(72 * 3600), 5, None) is Status.WARNED
    assert objective.judge(Fraction(72 * 3600 + 1), 5, None) is Status.MISSED
    assert objective.judge(Fraction(60 * 3600), 5, None) is Status.MET
