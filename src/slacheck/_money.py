"""Exact money arithmetic: sums that never round, whatever the number of records.

Python's default decimal context keeps 28 significant digits and rounds silently beyond
them, so three amounts of 99999999999999999999999999.99 would total 3.0E+26. Every sum
and rounding of money goes through `EXACT`, wide enough for any total slacheck can reach
(amounts are limited at the record), and trapping what would lose a digit. The rate a
run converts another currency at is recorded here too (`RateUsed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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

@dataclass(frozen=True, slots=True)
class RateUsed:
    """One currency's rate as a run used it: `1 SDR = 1.35 USD`, taken at `date`. It lives
    here rather than in `rates`, which reads and checks the rates given, so that the plan
    and the result can record it without importing the model or YAML."""

    currency: str
    rate: Decimal
    into: str
    date: date | None = None
    given: str = "--rate"
    """Where the rate came from: `--rate`, a rates file's name, or `api`."""

    @property
    def text(self) -> str:
        when = f" at {self.date.isoformat()}" if self.date is not None else ""
        return f"1 {self.currency} = {self.rate} {self.into}{when}"
