"""Counterfactual figures behind the plain-language sentences, exact on fractions.

All three answer "how many records would change the outcome" for a window with `passed`
and `breached` records and a target rate `target` (0 <= target <= 1); the rate is
`passed / (passed + breached)` and is met when it is at or above the target.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

__all__ = ["budget", "period_rate", "recovery", "shortfall"]


def shortfall(passed: int, breached: int, target: Fraction) -> int:
    """How far a window fell short, in records: the number of its breaches that would have
    had to pass instead for the rate to reach the target, the count of records unchanged.

    The smallest k with (passed + k) / (passed + breached) >= target; 0 when the target is
    met. It is never more than `breached`, since turning every breach into a pass gives 100%.

    >>> shortfall(216, 11, Fraction(97, 100))   # 216/227 = 95.15%; 221/227 = 97.36%
    5
    >>> shortfall(220, 7, Fraction(97, 100))    # 220/227 = 96.92%, one short
    1
    >>> shortfall(221, 6, Fraction(97, 100))    # met
    0
    """
    counted = passed + breached
    if counted == 0:
        return 0
    return max(0, ceil(target * counted) - passed)


def budget(passed: int, breached: int, target: Fraction) -> int | None:
    """The error budget of an open window: how many more breaches, and no more passes, the
    window can take and still meet the target, given the counts so far.

    For a window with something counted, the largest x >= 0 with
    passed / (passed + breached + x) >= target, that is
    floor(passed / target) - passed - breached; None when the target is 0 (no number of
    breaches can miss it); negative when the window is already below its target (then
    `recovery` says how many passes would bring it back).

    >>> budget(244, 2, Fraction(97, 100))       # 244/251 = 97.21%, 244/252 = 96.83%
    5
    >>> budget(97, 3, Fraction(97, 100))        # exactly 97%: no breach to spare
    0
    >>> budget(90, 10, Fraction(97, 100))
    -8
    """
    if target == 0:
        return None
    return floor(Fraction(passed) / target) - passed - breached


def recovery(passed: int, breached: int, target: Fraction) -> int | None:
    """How many more passes, with no further breach, would bring an open window up to its
    target: the smallest y >= 0 with (passed + y) / (passed + breached + y) >= target, that
    is ceil((target * (passed + breached) - passed) / (1 - target)). None when no number
    can (a 100% target after a breach).

    >>> recovery(90, 10, Fraction(97, 100))      # 90 + 234 = 324 of 334 = 97.01%
    234
    >>> recovery(90, 10, Fraction(1))
    >>> recovery(99, 1, Fraction(97, 100))
    0
    """
    missing = target * (passed + breached) - passed
    if missing <= 0:
        return 0
    if target >= 1:
        return None
    return ceil(missing / (1 - target))


def period_rate(counts: list[tuple[int, int]]) -> tuple[int, int, Fraction | None]:
    """The figure over a whole period from its windows' (passed, breached): the sums, and
    their rate as an exact fraction (None when nothing was counted).

    >>> period_rate([(247, 13), (216, 11), (273, 2)])
    (736, 26, Fraction(368, 381))
    """
    passed = sum(item[0] for item in counts)
    breached = sum(item[1] for item in counts)
    counted = passed + breached
    return passed, breached, Fraction(passed, counted) if counted else None
