"""What every measure is: a factory of per-window states, and how to read them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum
from fractions import Fraction
from typing import Any


class Unit(Enum):
    """What a measure's figure is in, for comparing with a target and for display."""

    SHARE = "share"        # a rate or a ratio: 0.97 shows as 97.00%
    NUMBER = "number"
    MONEY = "money"        # in the contract's currency
    SECONDS = "seconds"    # a duration


class Measure(ABC):
    """One figure per window. `label` names it as the contract wrote it."""

    label: str
    unit: Unit
    needs_values: bool = True
    """False when the figure comes from the window's passed and breached counts alone."""

    @abstractmethod
    def start(self) -> Any:
        """A fresh state for one window (None when the counts suffice)."""

    def add(self, state: Any, value: Any) -> None:
        """Count one record's value (already an exact Fraction, or a tuple of them)."""
        raise NotImplementedError(f"{type(self).__name__} takes no values")

    def merge(self, state: Any, other: Any) -> None:  # noqa: B027  (no state: no work)
        """Add `other`, a state of a later part of the data, into `state`."""

    @abstractmethod
    def value(self, state: Any, passed: int, breached: int) -> Fraction | None:
        """The figure, or None when there is nothing to measure."""

    @abstractmethod
    def sample(self, state: Any, passed: int, breached: int) -> int:
        """How many records the figure rests on (for a minimum sample)."""
