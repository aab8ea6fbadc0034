"""Number and time formats shared by reporters: exact values, rounded only for display."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from slacheck._words import plural

__all__ = ["fraction", "moment", "percent", "plural", "target"]


def percent(rate: Fraction | None) -> str | None:
    """A rate in percent with two decimals, rounded half up: 219/234 -> "93.59"."""
    if rate is None:
        return None
    hundredths = (rate.numerator * 20000 + rate.denominator) // (2 * rate.denominator)
    return str(Decimal(hundredths).scaleb(-2))


def target(rate: Fraction | None) -> str | None:
    """A target in percent as written, without trailing zeros: 97/100 -> "97"."""
    if rate is None:
        return None
    value = Decimal(rate.numerator) * 100 / Decimal(rate.denominator)
    return format(value.normalize(), "f")


def fraction(rate: Fraction | None) -> str | None:
    if rate is None:
        return None
    return f"{rate.numerator}/{rate.denominator}"


def moment(value: datetime) -> str:
    return value.isoformat()

