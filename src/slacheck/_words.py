"""English for counts, shared by every stage that words a finding."""

from __future__ import annotations

_PLURALS = {"breach": "breaches", "day": "days", "hour": "hours", "line": "lines",
            "record": "records"}


def plural(count: int, noun: str) -> str:
    """`noun` as it reads after `count`: 1 breach, 2 breaches."""
    return noun if count == 1 else _PLURALS.get(noun, noun + "s")
