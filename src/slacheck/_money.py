"""Exact money arithmetic: sums that never round, whatever the number of records.

Python's default decimal context keeps 28 significant digits and rounds silently beyond
them, so three amounts of 99999999999999999999999999.99 would total 3.0E+26. Every sum
and rounding of money goes through `EXACT`, wide enough for any total slacheck can reach
(amounts are limited at the record), and trapping what would lose a digit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow, Rounded

EXACT = Context(prec=120, Emax=999_999, Emin=-999_999,
                traps=[InvalidOperation, Overflow, Inexact, Rounded])
"""Additions in this context are exact or raise; nothing is rounded without a word."""


def add(left: Decimal, right: Decimal) -> Decimal:
    return EXACT.add(left, right)


def total(amounts: Iterable[Decimal], zero: Decimal) -> Decimal:
    """The exact sum of `amounts`, in the contract's format when there are none."""
    result = zero
    for amount in amounts:
        result = EXACT.add(result, amount)
    return result
