"""Number and time formats shared by reporters: exact values, rounded only for display."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from slacheck._words import plural

__all__ = ["duration", "figure", "fraction", "goal", "moment", "number", "percent", "plural",
           "printable", "target"]

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with control characters, line separators and lone surrogates escaped, so that
    a value from the data can neither start a line, move the cursor, nor fail to encode."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    char = found[0]
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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


def figure(value: Fraction | None, unit: str) -> str | None:
    """A measure's figure as a reader writes it in its unit: a share in percent with two
    decimals (half up), a duration in the largest exact unit, a number or amount with at
    most 6 decimals (exact figures are also given as fractions)."""
    if value is None:
        return None
    if unit == "share":
        return f"{percent(value)}%"
    if unit == "seconds":
        return duration(value)
    return number(value)


def goal(value: Fraction | None, unit: str) -> str | None:
    """A target as written: 97% (no trailing zeros), 72h, 20."""
    if value is None:
        return None
    if unit == "share":
        return f"{target(value)}%"
    return figure(value, unit)


def number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(exact) == value:
        return format(exact.normalize(), "f")
    sixths = (value.numerator * 2_000_000 + value.denominator) // (2 * value.denominator)
    return format((Decimal(sixths).scaleb(-6)).normalize(), "f")


def duration(seconds: Fraction) -> str:
    """90d (whole days from two days up), 24h, 1.5h, 15min, 2.5s."""
    if abs(seconds) >= 2 * 86400 and (seconds / 86400).denominator == 1:
        return f"{number(seconds / 86400)}d"
    for unit, size in (("h", 3600), ("min", 60)):
        count = seconds / size
        if abs(seconds) >= size and (count * 10).denominator == 1:
            return f"{number(count)}{unit}"
    return f"{number(seconds)}s"


def fraction(rate: Fraction | None) -> str | None:
    if rate is None:
        return None
    return f"{rate.numerator}/{rate.denominator}"


def moment(value: datetime) -> str:
    return value.isoformat()

