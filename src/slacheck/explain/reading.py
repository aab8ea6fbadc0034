"""What every explanation shares: the records read again, and where the engine put each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slacheck import ast
from slacheck.checker import CheckedContract
from slacheck.compiler import OVERDUE, PASS, PENDING, Compiler
from slacheck.explain._wording import FAILURES, Unreadable, group_value, reason_of
from slacheck.findings import PoolCap
from slacheck.measures import Measure, Rate
from slacheck.model import Standard
from slacheck.plan import Plan, StandardPlan
from slacheck.records import Reader, Rejection, open_data
from slacheck.reporters._format import figure, printable
from slacheck.windows import Window, key_function, window


class ExplainError(Exception):
    """The standard, window, group or record asked for is not in the run."""


@dataclass
class Kept:
    """Records of one kind: how many, and the first ones (up to the evidence limit)."""

    total: int = 0
    refs: list[str] = field(default_factory=list)

    def add(self, text: str, limit: int) -> None:
        self.total += 1
        if len(self.refs) < limit:
            self.refs.append(text)


@dataclass
class Bucket:
    """One window and group of the standard, as this second reading sees it."""

    key: int
    group: Any
    kinds: dict[str, Kept] = field(default_factory=dict)
    exclusions: dict[str, Kept] = field(default_factory=dict)
    measured: Any = None
    values: list[tuple[Any, str]] = field(default_factory=list)
    """(value, record) of the first records measured, for the arithmetic."""
    best: tuple[Any, str] | None = None
    amounts: list[tuple[str, Decimal | None]] = field(default_factory=list)
    """(record, penalty amount or None when unpriced) of the first breaches."""
    penalty_buckets: set[int] = field(default_factory=set)

    def kept(self, kind: str) -> Kept:
        return self.kinds.setdefault(kind, Kept())

    def merge(self, other: Bucket, limit: int, measure: Measure) -> None:
        """Add a later bucket's records (a day of a rolling window), keeping time order."""
        for into, found in ((self.kinds, other.kinds), (self.exclusions, other.exclusions)):
            for kind, kept in found.items():
                mine = into.setdefault(kind, Kept())
                mine.total += kept.total
                mine.refs = (mine.refs + kept.refs)[:limit]
        measure.merge(self.measured, other.measured)
        self.values = (self.values + other.values)[:limit]
        if other.best is not None and (self.best is None or (
                other.best[0] > self.best[0] if getattr(measure, "largest", False)
                else other.best[0] < self.best[0])):
            self.best = other.best
        self.amounts = (self.amounts + other.amounts)[:limit]
        self.penalty_buckets |= other.penalty_buckets


class Reading:
    """One standard of a run, and the records it is explained from."""

    def __init__(self, checked: CheckedContract, plan: Plan, sp: StandardPlan, model: Standard,
                 shown: dict[str, str]) -> None:
        self.checked = checked
        self.plan = plan
        self.sp = sp
        self.model = model
        self.shown = shown
        self.compiler = Compiler(checked, plan.as_of,
                                 {item.currency: item.rate for item in plan.rates})
        self.derived: dict[str, ast.Expr] = {
            named.name: named.clause.node for named in checked.contract.derived
        }
        self.key = key_function(sp.window.period)
        self.limit = plan.evidence_limit
        self.currency = plan.money.currency
        self.pools: tuple[PoolCap, ...] = ()
        """The run's pools (per window) that hold this standard's credits."""

    def _records(self, paths: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        reader = Reader(self.plan.schema)

        def reject(item: Rejection) -> None:
            return None

        for path in paths:
            stream = open_data(path)
            try:
                for found in reader.records(stream, path, reject):
                    yield path, found
            finally:
                stream.close()

    def _name(self, path: str, found: dict[str, Any]) -> str:
        return f"{printable(str(found[self.plan.schema.id_field]))} (line {found['_line']})"

    def _group_text(self, value: Any) -> str:
        fields = self.sp.window.group_fields
        if not fields:
            return ""
        values = value if len(fields) > 1 else (value,)
        return ", ".join(f"{name}={group_value(item)}" for name, item in zip(fields, values,
                                                                         strict=True))

    def _classify(self, found: dict[str, Any]) -> tuple[str, str | None]:
        """Where the engine counts a record, with the reason for an exclusion or error:
        the same steps, in the same order, as `engine.stream`'s generated function."""
        sp = self.sp
        try:
            if sp.scope is not None:
                scoped = sp.scope(found)
                if scoped == PENDING:
                    return "scope undetermined", None
                if scoped != PASS:
                    return "not in scope", None
            for test, reason in sp.exclusions:
                excluded = test(found)
                if excluded == PASS:
                    return "excluded", reason
                if excluded == PENDING:
                    return "scope undetermined", None
            return "measured", None
        except FAILURES as error:
            return "evaluation error", reason_of(error)

    def _outcome(self, found: dict[str, Any]) -> tuple[str, str | None]:
        try:
            outcome = self.sp.requirement(found)
        except FAILURES as error:
            return "evaluation error", reason_of(error)
        if outcome == PASS:
            return "passed", None
        if outcome == PENDING:
            return "pending", None
        return "breached", "overdue" if outcome == OVERDUE else None

    def _place(self, found: dict[str, Any]) -> tuple[int, Any] | None:
        moment: datetime = found[self.plan.schema.time_field]
        start, end = self.plan.period_start, self.plan.period_end
        if (start is not None and moment < start) or (end is not None and moment >= end):
            return None
        try:  # a derived grouping field can fail, `customer_tier[customer_id]`
            keyed = self.sp.window.group_key
            group = keyed(found) if keyed is not None else None
        except FAILURES as error:
            group = Unreadable(reason_of(error))
        return self.key(moment.astimezone(self.plan.zone)), group

    def _bounds(self, key: int) -> Window:
        """The window of `key`: a calendar period, or the rolling days ending with day `key`."""
        return window(self.sp.window.period, key, self.plan.zone, self.sp.window.rolling)

    def _label(self, bucket: Bucket) -> str:
        return self._bounds(bucket.key).label

    def _measure_name(self) -> str:
        return "rate" if isinstance(self.sp.measure, Rate) else printable(self.sp.measure.label)

    def _plain(self, value: Any, unit: str) -> str:
        if isinstance(value, Fraction):
            return figure(value, unit) or "-"
        return str(value)

    def _penalty_clause(self, kind: str) -> str:
        """The text of the standard's penalty of one kind (`penalty` per breach,
        `window_penalty`, `strike`), as the contract wrote it."""
        clause = {"penalty": self.model.penalty, "window_penalty": self.model.window_penalty,
                  "strike": self.model.strike}[kind]
        return printable(clause.text) if clause is not None else ""

    def _clause(self, kind: str) -> str:
        text = next((text for name, text in self.sp.clauses if name == kind), "")
        return printable(text)
