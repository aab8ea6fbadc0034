"""Objectives: a target on a measure, judged once per window in stage 3.

One function says whether a window met its objective, whatever the measure: it compares
exact fractions, leaves a window below its minimum sample not evaluated (never met or
missed), flags a met window inside its warning band, and knows groups the contract made
no commitment to.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

from slacheck.measures import Measure, Rate


class Status(Enum):
    MET = "met"
    WARNED = "warned"
    """Met, but inside the warning band: at risk."""
    MISSED = "missed"
    NOT_EVALUATED = "not evaluated"
    """Nothing to measure, or fewer records than the minimum sample."""
    NO_COMMITMENT = "no commitment"
    """A group the contract sets no target for."""


_OPS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
}


@dataclass(frozen=True, slots=True)
class Objective:
    """`measure op target` per window, e.g. rate >= 97%, p95(transit) <= 72h."""

    measure: Measure = field(default_factory=Rate)
    op: str = ">="
    target: Fraction | None = None
    targets: Mapping[str, Fraction] = field(default_factory=dict)
    """Per group value (of the one grouping field): customer tiers. A group missing here
    has no commitment."""
    minimum: int | None = None
    warn: Fraction | None = None
    """A met figure on the wrong side of this is flagged (`warn below 99%`)."""

    def target_for(self, group: str | None) -> Fraction | None:
        if self.targets:
            return self.targets.get(group or "")
        return self.target

    def judge(self, value: Fraction | None, sample: int, group: str | None) -> Status:
        goal = self.target_for(group)
        if goal is None:
            return Status.NO_COMMITMENT
        if value is None or (self.minimum is not None and sample < self.minimum):
            return Status.NOT_EVALUATED
        if not _OPS[self.op](value, goal):
            return Status.MISSED
        if self.warn is not None and not _OPS[self.op](value, self.warn):
            return Status.WARNED
        return Status.MET
