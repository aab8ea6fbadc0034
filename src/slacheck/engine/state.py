"""Stage 2 state: counters and bounded evidence per (standard, window, group), mergeable.

Adding the states of two parts of the data gives the state of the whole, so the work can
be split across processes or machines and merged before the consequences are drawn. A
part is merged into the state of the parts before it, so evidence stays in input order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from slacheck._money import add
from slacheck.findings import EvaluationError, RecordRef, RejectedLine
from slacheck.measures import Measure, Rate
from slacheck.plan import Plan
from slacheck.records import FIRST_PLACES, Flagged, UndeclaredField

GroupKey = Any
"""A group's field values: one value, a tuple of values, or None when not grouped."""


@dataclass(slots=True)
class Tally:
    """The counts of one (window, group) of one standard, with a sample of its breaches."""

    passed: int = 0
    breached: int = 0
    pending: int = 0
    excluded: int = 0
    breaches: list[RecordRef] = field(default_factory=list)
    exclusions: dict[str, int] = field(default_factory=dict)
    measured: Any = None
    """The window's state of the standard's measure, when it needs values."""
    totals: list[Any] = field(default_factory=list)
    """The window's state of each total its consequences use (`StandardPlan.totals`)."""

    def merge(self, other: Tally, limit: int, measure: Measure,
              totals: tuple[Measure, ...] = ()) -> None:
        if self.measured is not None:
            measure.merge(self.measured, other.measured)
        for total, mine, theirs in zip(totals, self.totals, other.totals, strict=True):
            total.merge(mine, theirs)
        self.passed += other.passed
        self.breached += other.breached
        self.pending += other.pending
        self.excluded += other.excluded
        self.breaches = (self.breaches + other.breaches)[:limit]
        for reason, count in other.exclusions.items():
            self.exclusions[reason] = self.exclusions.get(reason, 0) + count


@dataclass(slots=True)
class PenaltySum:
    gross: Decimal = Decimal(0)
    breaches: int = 0


@dataclass(slots=True)
class StandardState:
    measure: Measure = field(default_factory=Rate)
    totals: tuple[Measure, ...] = ()
    tallies: dict[tuple[int, GroupKey], Tally] = field(default_factory=dict)
    penalties: dict[Any, PenaltySum] = field(default_factory=dict)
    """Per cap window (its key), or per (key, value) when each value of a field is capped."""
    record_penalties: list[tuple[RecordRef, Decimal]] = field(default_factory=list)
    record_penalties_total: int = 0
    unpriced: list[RecordRef] = field(default_factory=list)
    """Breaches whose penalty needs a field the record lacks: owed, but of unknown amount."""
    unpriced_total: int = 0
    overdue: list[RecordRef] = field(default_factory=list)
    overdue_total: int = 0
    deferred: list[tuple[RecordRef, Decimal]] = field(default_factory=list)
    """Overdue breaches of open records whose penalty is `deferred while open`."""
    deferred_total: int = 0
    deferred_gross: Decimal = Decimal(0)
    breach_times: list[tuple[datetime, RecordRef]] = field(default_factory=list)
    undetermined: list[RecordRef] = field(default_factory=list)
    """Records whose scope or exclusion is unknown: they need a field they lack."""
    undetermined_total: int = 0
    errors: list[EvaluationError] = field(default_factory=list)
    errors_total: int = 0
    implausible: dict[str, list[RecordRef]] = field(default_factory=dict)
    """Per check (`X before Y`), passed records whose event precedes its own start."""
    implausible_totals: dict[str, int] = field(default_factory=dict)

    def merge(self, other: StandardState, limit: int) -> None:
        for key, tally in other.tallies.items():
            into = self.tallies.get(key)
            if into is None:
                into = self.tallies[key] = Tally(measured=self.measure.start(),
                                                 totals=[total.start() for total in self.totals])
            into.merge(tally, limit, self.measure, self.totals)
        for bucket, amount in other.penalties.items():
            mine = self.penalties.setdefault(bucket, PenaltySum())
            mine.gross = add(mine.gross, amount.gross)
            mine.breaches += amount.breaches
        self.record_penalties = (self.record_penalties + other.record_penalties)[:limit]
        self.record_penalties_total += other.record_penalties_total
        self.unpriced = (self.unpriced + other.unpriced)[:limit]
        self.unpriced_total += other.unpriced_total
        self.overdue = (self.overdue + other.overdue)[:limit]
        self.overdue_total += other.overdue_total
        self.deferred = (self.deferred + other.deferred)[:limit]
        self.deferred_total += other.deferred_total
        self.deferred_gross = add(self.deferred_gross, other.deferred_gross)
        self.breach_times = self.breach_times + other.breach_times
        self.undetermined = (self.undetermined + other.undetermined)[:limit]
        self.undetermined_total += other.undetermined_total
        self.errors = (self.errors + other.errors)[:limit]
        self.errors_total += other.errors_total
        for label, refs in other.implausible.items():
            self.implausible[label] = (self.implausible.get(label, []) + refs)[:limit]
        for label, count in other.implausible_totals.items():
            self.implausible_totals[label] = self.implausible_totals.get(label, 0) + count


FIRST_LINES = 5
"""The lines each cause of rejection names, the first of them in input order."""


@dataclass(slots=True)
class CauseTally:
    """The lines one (field, cause) of rejection rejected: how many, and the first few."""

    lines: int = 0
    first: list[tuple[str, int]] = field(default_factory=list)

    def add(self, source: str, line: int) -> None:
        self.lines += 1
        if len(self.first) < FIRST_LINES:
            self.first.append((source, line))


@dataclass(slots=True)
class State:
    """Everything stage 2 keeps: line accounting and one `StandardState` per standard."""

    limit: int
    standards: list[StandardState]
    read: int = 0
    accepted: int = 0
    outside: int = 0
    rejected: int = 0
    rejections: list[RejectedLine] = field(default_factory=list)
    inputs: list[tuple[str, str | None]] = field(default_factory=list)
    undeclared: dict[str, UndeclaredField] = field(default_factory=dict)
    """Fields found in the records that the contract does not declare."""
    merged: int = 0
    """Lines merged into the record of an earlier line of the same id."""
    causes: dict[tuple[str | None, str], CauseTally] = field(default_factory=dict)
    """The rejections per field and cause."""
    warnings: dict[str, Flagged] = field(default_factory=dict)
    """Per `records.warn` message, the accepted records it applied to."""

    @classmethod
    def empty(cls, plan: Plan) -> State:
        return cls(plan.evidence_limit, [
            StandardState(sp.measure, tuple(total for total, _ in sp.consequences.totals))
            for sp in plan.standards])

    def merge(self, other: State) -> None:
        """Add another part's state to this one."""
        self.read += other.read
        self.accepted += other.accepted
        self.outside += other.outside
        self.rejected += other.rejected
        self.merged += other.merged
        for cause, tally in other.causes.items():
            kept = self.causes.setdefault(cause, CauseTally())
            kept.lines += tally.lines
            kept.first = (kept.first + tally.first)[:FIRST_LINES]
        self.rejections = (self.rejections + other.rejections)[: self.limit]
        for message, flagged in other.warnings.items():
            warned = self.warnings.setdefault(message, Flagged())
            warned.records += flagged.records
            warned.first = (warned.first + flagged.first)[:FIRST_PLACES]
        self.inputs.extend(other.inputs)
        for key, found in other.undeclared.items():
            have = self.undeclared.get(key)
            if have is None:
                self.undeclared[key] = UndeclaredField(key, found.count, found.source, found.line)
            else:
                have.count += found.count
        for mine, theirs in zip(self.standards, other.standards, strict=True):
            mine.merge(theirs, self.limit)
