"""The counterfactual figures of the reports, by hand and against their definitions."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from slacheck.reporters._figures import budget, period_rate, recovery, shortfall

NINETY_SEVEN = Fraction(97, 100)

targets = st.fractions(min_value=0, max_value=1, max_denominator=1000)
counts = st.integers(min_value=0, max_value=400)


def test_shortfall_by_hand() -> None:
    # the acceptance case's missed windows, worked out on paper: the smallest k with
    # (passed + k) / counted >= 97%, i.e. passed + k >= ceil(0.97 * counted)
    assert shortfall(216, 11, NINETY_SEVEN) == 5    # 0.97 * 227 = 220.19 -> 221 - 216
    assert shortfall(247, 13, NINETY_SEVEN) == 6    # 0.97 * 260 = 252.2  -> 253 - 247
    assert shortfall(219, 15, NINETY_SEVEN) == 8    # 0.97 * 234 = 226.98 -> 227 - 219
    assert shortfall(192, 19, NINETY_SEVEN) == 13   # 0.97 * 211 = 204.67 -> 205 - 192
    assert shortfall(422, 24, NINETY_SEVEN) == 11   # 0.97 * 446 = 432.62 -> 433 - 422
    # a target met exactly needs nothing; 100% needs every breach
    assert shortfall(97, 3, NINETY_SEVEN) == 0
    assert shortfall(9, 1, Fraction(1)) == 1
    assert shortfall(0, 0, NINETY_SEVEN) == 0


def test_budget_and_recovery_by_hand() -> None:
    assert budget(244, 2, NINETY_SEVEN) == 5        # 244/251 = 97.21%; 244/252 = 96.83%
    assert budget(18, 2, Fraction(9, 10)) == 0      # exactly 90%: nothing to spare
    assert budget(17, 3, Fraction(9, 10)) == -2
    assert recovery(17, 3, Fraction(9, 10)) == 10   # 27/30 = 90%; 26/29 = 89.66%
    assert recovery(17, 3, Fraction(1)) is None
    assert budget(5, 0, Fraction(0)) is None


@given(counts, counts, targets)
def test_shortfall_is_the_smallest_number_of_breaches_turned_to_passes(
        passed: int, breached: int, target: Fraction) -> None:
    counted = passed + breached
    k = shortfall(passed, breached, target)
    if counted == 0:
        assert k == 0
        return
    assert 0 <= k <= breached
    assert Fraction(passed + k, counted) >= target
    if k:
        assert Fraction(passed + k - 1, counted) < target


@given(counts, counts, targets.filter(lambda t: t > 0))
def test_budget_is_the_most_breaches_that_still_meet_the_target(
        passed: int, breached: int, target: Fraction) -> None:
    assume(passed + breached > 0)  # a window with nothing counted has no rate, no budget
    x = budget(passed, breached, target)
    assert x is not None

    def meets(extra: int) -> bool:
        total = passed + breached + extra
        return total > 0 and Fraction(passed, total) >= target

    if x >= 0:
        assert meets(x)
        assert not meets(x + 1)
    else:
        assert not meets(0)


@given(counts, counts, targets)
def test_recovery_is_the_fewest_passes_that_reach_the_target(
        passed: int, breached: int, target: Fraction) -> None:
    y = recovery(passed, breached, target)

    def meets(extra: int) -> bool:
        total = passed + breached + extra
        return total > 0 and Fraction(passed + extra, total) >= target

    if y is None:
        assert target == 1
        assert breached > 0
        return
    assert y >= 0
    if passed + breached + y > 0:
        assert meets(y)
    if y > 0:
        assert not meets(y - 1)


def test_period_rate_adds_the_windows_up() -> None:
    assert period_rate([(247, 13), (216, 11), (273, 2)]) == (736, 26, Fraction(736, 762))
    assert period_rate([]) == (0, 0, None)
