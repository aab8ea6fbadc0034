"""English for counts, shared by every stage that words a finding."""

from __future__ import annotations

_PLURALS = {"breach": "breaches", "day": "days", "hour": "hours", "line": "lines",
            "record": "records"}


def plural(count: int, noun: str) -> str:
    """`noun` as it reads after `count`: 1 breach, 2 breaches."""
    return noun if count == 1 else _PLURALS.get(noun, noun + "s")


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"
