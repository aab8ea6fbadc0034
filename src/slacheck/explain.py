"""`slacheck explain CONTRACT DATA --standard ID`: how one figure of a run was computed.

The run is made as `verify` makes it, for its `Result`; then the data is read again and
each record is taken through the standard's compiled closures (`slacheck.plan`), so that
the explanation says where every record of a window went (outside the contract period,
not in scope, scope undetermined, excluded and why, evaluation error, pending, passed,
breached), the figure's arithmetic, the comparison with the target and the status, and
each consequence with its arithmetic. Every count, figure and status is checked against
the run's `Result`, and any difference is said. With a record id, each clause is
evaluated on that record alone (`slacheck.compiler.Compiler`) with the values it reads.
"""

from __future__ import annotations

import math
import operator
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

from slacheck import ast
from slacheck._words import ordinal
from slacheck.api import Rates, compile_plan, verify
from slacheck.checker import CheckedContract
from slacheck.compiler import BREACH, OVERDUE, PASS, PENDING, Compiler
from slacheck.diagnostics import did_you_mean
from slacheck.engine.rolling import window_ends
from slacheck.findings import (
    PenaltyWindow,
    PoolCap,
    RecordRef,
    StandardResult,
    WindowOutcome,
)
from slacheck.measures import (
    Count,
    Extreme,
    Mean,
    Measure,
    Percentile,
    Rate,
    RatioOfSums,
    Sum,
)
from slacheck.model import Standard
from slacheck.objectives import Status
from slacheck.plan import AnyBreach, BreachesWithin, ConsecutiveMissed, Plan, StandardPlan
from slacheck.records import Reader, Rejection, open_data
from slacheck.reporters._format import duration, figure, fraction, goal, number, printable
from slacheck.windows import Window, key_function, window

_ROUNDING = Context(prec=120)
"""Enough digits for any exact amount shown (the engine's own context holds as many)."""

FAILURES = (ArithmeticError, ValueError)
"""What evaluating a clause on one record may raise; the engine's evaluation errors."""

_OUTCOME = {PASS: "pass", BREACH: "breach", PENDING: "pending",
            OVERDUE: "breach (overdue: the event is still absent)"}
_TRUTH = {PASS: "true", BREACH: "false", PENDING: "unknown (a field it needs is absent)",
          OVERDUE: "false"}
_OPS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_LITERALS = (ast.Number, ast.Percent, ast.Money, ast.Duration, ast.String, ast.Bool)


class ExplainError(Exception):
    """The standard, window, group or record asked for is not in the run."""


@dataclass
class _Kept:
    """Records of one kind: how many, and the first ones (up to the evidence limit)."""

    total: int = 0
    refs: list[str] = field(default_factory=list)

    def add(self, text: str, limit: int) -> None:
        self.total += 1
        if len(self.refs) < limit:
            self.refs.append(text)


@dataclass
class _Bucket:
    """One window and group of the standard, as this second reading sees it."""

    key: int
    group: Any
    kinds: dict[str, _Kept] = field(default_factory=dict)
    exclusions: dict[str, _Kept] = field(default_factory=dict)
    measured: Any = None
    values: list[tuple[Any, str]] = field(default_factory=list)
    """(value, record) of the first records measured, for the arithmetic."""
    best: tuple[Any, str] | None = None
    amounts: list[tuple[str, Decimal | None]] = field(default_factory=list)
    """(record, penalty amount or None when unpriced) of the first breaches."""
    penalty_buckets: set[int] = field(default_factory=set)

    def kept(self, kind: str) -> _Kept:
        return self.kinds.setdefault(kind, _Kept())

    def merge(self, other: _Bucket, limit: int, measure: Measure) -> None:
        """Add a later bucket's records (a day of a rolling window), keeping time order."""
        for into, found in ((self.kinds, other.kinds), (self.exclusions, other.exclusions)):
            for kind, kept in found.items():
                mine = into.setdefault(kind, _Kept())
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


def explain(checked: CheckedContract, data: Sequence[str], *, as_of: datetime | date,
            standard: str, window_label: str | None = None, group: str | None = None,
            record: str | None = None, evidence_limit: int = 100,
            rates: Rates = None) -> str:
    """The explanation, as text: one figure of `standard` (a window, a group), the
    standard's windows in short, or one record's clauses."""
    with _replayable(data) as paths:
        plan = compile_plan(checked, as_of, evidence_limit, rates)
        sp = next((item for item in plan.standards if item.id == standard), None)
        if sp is None:
            ids = [item.id for item in plan.standards]
            hint = did_you_mean(standard, ids)
            raise ExplainError(f"no standard `{standard}` in the contract"
                               + (f"; {hint[0]}" if hint else f"; it has {', '.join(ids)}"))
        model = next(item for item in checked.contract.standards if item.id == standard)
        shown = {path: ("-" if original == "-" else path)
                 for path, original in zip(paths, data, strict=True)}
        explainer = _Explainer(checked, plan, sp, model, shown)
        if record is not None:
            return explainer.record(paths, record)
        result = verify(checked, list(paths), as_of=plan.as_of, evidence_limit=evidence_limit,
                        rates=[(item.currency, item.rate, item.given) for item in plan.rates])
        found = next(item for item in result.standards if item.id == standard)
        explainer.pools = tuple(pool for pool in result.pools if standard in pool.standards)
        return explainer.figures(paths, found, window_label, group)


@contextmanager
def _replayable(data: Sequence[str]) -> Iterator[list[str]]:
    """The data paths, with standard input (`-`) kept in a temporary file: it is read twice."""
    if "-" not in data:
        yield list(data)
        return
    with tempfile.NamedTemporaryFile(prefix="slacheck-explain-", suffix=".jsonl") as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy)
        copy.flush()
        yield [copy.name if path == "-" else path for path in data]


class _Explainer:
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

    # -- reading ------------------------------------------------------------------------

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
        return ", ".join(f"{name}={_text(item)}" for name, item in zip(fields, values,
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
            return "evaluation error", _reason(error)

    def _outcome(self, found: dict[str, Any]) -> tuple[str, str | None]:
        try:
            outcome = self.sp.requirement(found)
        except FAILURES as error:
            return "evaluation error", _reason(error)
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
            group = _Unreadable(_reason(error))
        return self.key(moment.astimezone(self.plan.zone)), group

    # -- figures ------------------------------------------------------------------------

    def figures(self, paths: list[str], found: StandardResult, window_label: str | None,
                group: str | None) -> str:
        sp = self.sp
        outcomes = {(w.label, self._group_of(w)): w for w in found.windows}
        labels = list(dict.fromkeys(w.label for w in found.windows))
        if (window_label is not None and window_label not in labels
                and sp.window.rolling is not None):
            # a rolling window by its last day: `2024-03-03` for 2024-03-01/2024-03-03
            window_label = next((label for label in labels
                                 if label.endswith("/" + window_label)), window_label)
        if window_label is not None and window_label not in labels:
            raise ExplainError(f"no window `{window_label}` under {sp.id}; its windows: "
                               + (", ".join(labels) or "none (no record in scope)"))
        groups = list(dict.fromkeys(self._group_of(w) for w in found.windows))
        if group is not None:
            wanted = _normal(group)
            matching = [g for g in groups if _normal(g) == wanted
                        or _normal(",".join(part.partition("=")[2]
                                            for part in g.split(", "))) == wanted]
            if not matching:
                raise ExplainError(f"no group `{group}` under {sp.id}; its groups: "
                                   + (", ".join(groups) if any(groups) else "none (not "
                                      "grouped)"))
            group = matching[0]
        buckets: dict[tuple[int, Any], _Bucket] = {}
        outside = 0
        for path, item in self._records(paths):
            place = self._place(item)
            if place is None:
                outside += 1
                continue
            key, value = place
            if isinstance(value, _Unreadable):
                continue  # an evaluation error of this standard: in no window
            bucket = buckets.get(place)
            if bucket is None:
                bucket = buckets[place] = _Bucket(key, value, measured=sp.measure.start())
            self._count(bucket, path, item)
        if sp.window.rolling is not None:
            buckets = self._rolled(buckets, sp.window.rolling)
        out = [self._header(found)]
        selected = [
            bucket for bucket in sorted(buckets.values(), key=self._order)
            if (window_label is None or self._label(bucket) == window_label)
            and (group is None or self._group_text(bucket.group) == group)
        ]
        if window_label is None and group is None:
            out.append(f"{len(found.windows)} {'window' if len(found.windows) == 1 else 'windows'}"
                       f" (records outside the contract period: {outside}); "
                       "--window W for the records behind one:")
            for bucket in selected:
                out.extend(self._brief(bucket, outcomes))
        else:
            for bucket in selected:
                out.extend(self._window(bucket, outcomes))
        out.extend(self._consequences(found, selected if window_label or group else None))
        return "\n".join(out) + "\n"

    def _rolled(self, days: dict[tuple[int, Any], _Bucket],
                length: int) -> dict[tuple[int, Any], _Bucket]:
        """Each rolling window's bucket, keyed by its last day: the buckets of its `length`
        days merged, for the windows the engine keeps (`engine.rolling.window_ends`)."""
        per_group: dict[Any, dict[int, _Bucket]] = {}
        for (day, group), bucket in days.items():
            per_group.setdefault(group, {})[day] = bucket
        out: dict[tuple[int, Any], _Bucket] = {}
        for group, found in per_group.items():
            for end in window_ends(self.plan, length, found):
                merged = _Bucket(end, group, measured=self.sp.measure.start())
                for day in range(end - length + 1, end + 1):
                    part = found.get(day)
                    if part is not None:
                        merged.merge(part, self.limit, self.sp.measure)
                out[end, group] = merged
        return out

    def _bounds(self, key: int) -> Window:
        """The window of `key`: a calendar period, or the rolling days ending with day `key`."""
        return window(self.sp.window.period, key, self.plan.zone, self.sp.window.rolling)

    def _group_of(self, outcome: WindowOutcome) -> str:
        return ", ".join(f"{name}={value}" for name, value in outcome.group)

    def _order(self, bucket: _Bucket) -> tuple[int, str]:
        return bucket.key, self._group_text(bucket.group)

    def _label(self, bucket: _Bucket) -> str:
        return self._bounds(bucket.key).label

    def _count(self, bucket: _Bucket, path: str, item: dict[str, Any]) -> None:
        sp, limit = self.sp, self.limit
        name = self._name(path, item)
        kind, reason = self._classify(item)
        if kind == "excluded":
            bucket.kept("excluded").add(name, limit)
            bucket.exclusions.setdefault(reason or "", _Kept()).add(name, limit)
            return
        if kind == "evaluation error":
            bucket.kept(kind).add(f"{name}: {reason}", limit)
            return
        if kind != "measured":
            bucket.kept(kind).add(name, limit)
            return
        if sp.measure_value is not None:
            try:
                value = sp.measure_value(item)
            except FAILURES as error:
                bucket.kept("evaluation error").add(f"{name}: {_reason(error)}", limit)
                return
            if value is not None:
                sp.measure.add(bucket.measured, value)
                if len(bucket.values) < limit:
                    bucket.values.append((value, name))
                if isinstance(sp.measure, Extreme):
                    best = bucket.best
                    if best is None or (value > best[0] if sp.measure.largest
                                        else value < best[0]):
                        bucket.best = (value, name)
                if isinstance(sp.measure, Count) and not isinstance(sp.measure, Sum) \
                        and value:
                    bucket.kept("counted").add(name, limit)
        outcome, overdue = self._outcome(item)
        if outcome == "evaluation error":
            bucket.kept(outcome).add(f"{name}: {overdue}", limit)
            return
        bucket.kept(outcome).add(name + (" (overdue)" if overdue else ""), limit)
        if outcome == "breached" and sp.consequences.penalty is not None:
            try:
                amount = sp.consequences.penalty.amount(item)
                amount = None if amount is None else self.plan.money.round(amount)
            except FAILURES:
                amount = None
            if len(bucket.amounts) < limit:
                bucket.amounts.append((name, amount))
            moment: datetime = item[self.plan.schema.time_field]
            local = moment.astimezone(self.plan.zone)
            cap_key = sp.consequences.penalty.cap_key
            bucket.penalty_buckets.add(cap_key(local) if cap_key is not None else bucket.key)

    def _header(self, found: StandardResult) -> str:
        title = f": {printable(found.title)}" if found.title and found.title != found.id else ""
        lines = dict(reversed(found.clause_lines))
        where = f" (contract line {lines['standard']})" if "standard" in lines else ""
        clauses = [f"standard {found.id}{title}{where}"]
        seen: dict[str, int] = {}
        for kind, text in found.clauses:
            index = seen.get(kind, 0)
            seen[kind] = index + 1
            matching = [line for name, line in found.clause_lines if name == kind]
            line = f" (line {matching[index]})" if index < len(matching) else ""
            clauses.append(f"  {kind}: {printable(text)}{line}")
        return "\n".join(clauses)

    def _counts(self, bucket: _Bucket) -> dict[str, int]:
        return {kind: kept.total for kind, kept in bucket.kinds.items()}

    def _figure(self, bucket: _Bucket) -> tuple[Fraction | None, int]:
        counts = self._counts(bucket)
        passed, breached = counts.get("passed", 0), counts.get("breached", 0)
        measure = self.sp.measure
        return (measure.value(bucket.measured, passed, breached),
                measure.sample(bucket.measured, passed, breached))

    def _brief(self, bucket: _Bucket, outcomes: dict[tuple[str, str], WindowOutcome]) -> list[str]:
        label, group = self._label(bucket), self._group_text(bucket.group)
        counts = self._counts(bucket)
        value, sample = self._figure(bucket)
        status = self._status(bucket, value, sample)
        parts = [f"{kind} {counts[kind]}" for kind in
                 ("passed", "breached", "pending", "excluded") if counts.get(kind)]
        counted = ", ".join(parts) or "no record in scope"
        line = (f"  {label}{' ' + group if group else ''}: {counted}; "
                f"{self._measure_name()} {self._show(value) or '-'}; {status}")
        check = self._check(bucket, outcomes.get((label, group)), value, sample, status)
        return [line, *("    " + item for item in check)]

    def _window(self, bucket: _Bucket, outcomes: dict[tuple[str, str], WindowOutcome]) -> list[str]:
        sp, limit = self.sp, self.limit
        label, group = self._label(bucket), self._group_text(bucket.group)
        bounds = self._bounds(bucket.key)
        out = ["", f"window {label}{', ' + group if group else ''}: records with "
               f"{self.plan.schema.time_field} from {bounds.start.isoformat()} to "
               f"{bounds.end.isoformat()} (end exclusive)"]
        if sp.window.rolling is not None:
            last = bounds.end.date() - timedelta(1)
            out.append(f"  the {sp.window.rolling} local days ending {last}"
                       f" in {self.plan.zone.key}; a record counts in every window that holds "
                       "its day")
        counts = self._counts(bucket)
        total = sum(counts.get(kind, 0) for kind in (
            "not in scope", "scope undetermined", "excluded", "evaluation error", "pending",
            "passed", "breached"))
        out.append(f"  {total} {'record' if total == 1 else 'records'} in the window")
        for kind, why in (("not in scope", "the `for` clause is false"),
                          ("scope undetermined", "a field `for` or `except` needs is absent"),
                          ("excluded", ""), ("evaluation error", "left out of the counts"),
                          ("pending", "outside both counts"), ("passed", ""),
                          ("breached", "")):
            kept = bucket.kinds.get(kind)
            if kept is None or not kept.total:
                continue
            note = f" ({why})" if why else ""
            out.append(f"  {kind}: {kept.total}{note}")
            if kind == "excluded":
                for reason, each in sorted(bucket.exclusions.items()):
                    out.append(f"    {printable(reason)}: {each.total}: {_listed(each, limit)}")
            elif kind != "not in scope":
                out.append(f"    {_listed(kept, limit)}")
        value, sample = self._figure(bucket)
        out.extend("  " + line for line in self._arithmetic(bucket, value, sample))
        status = self._status(bucket, value, sample)
        out.extend("  " + line for line in self._judgement(bucket, value, sample, status))
        check = self._check(bucket, outcomes.get((label, group)), value, sample, status)
        out.extend("  " + line for line in check or [
            "the run's result agrees: the same counts, figure, sample and status"])
        return out

    def _measure_name(self) -> str:
        return "rate" if isinstance(self.sp.measure, Rate) else printable(self.sp.measure.label)

    def _show(self, value: Fraction | None) -> str | None:
        shown = figure(value, self.sp.measure.unit.value)
        if shown is not None and self.sp.measure.unit.value == "money":
            shown += f" {self.currency}"
        return shown

    def _arithmetic(self, bucket: _Bucket, value: Fraction | None, sample: int) -> list[str]:
        measure = self.sp.measure
        counts = self._counts(bucket)
        passed, breached = counts.get("passed", 0), counts.get("breached", 0)
        unit = measure.unit.value
        name = self._measure_name()
        if isinstance(measure, Rate):
            if not passed + breached:
                return ["rate = passed / (passed + breached): nothing counted (every record "
                        "pending or excluded), so no figure"]
            return [f"rate = passed / (passed + breached) = {passed} / ({passed} + {breached})"
                    f" = {fraction(value)} = {self._show(value)} (pending and excluded records "
                    "are outside both)"]
        values = bucket.values
        listed = ", ".join(f"{ref} {self._plain(v, unit)}" for v, ref in values)
        more = f", and {sample - len(values)} more" if sample > len(values) else ""
        if isinstance(measure, RatioOfSums):
            top = sum((v[0] for v, _ in values), Fraction(0))
            bottom = sum((v[1] for v, _ in values), Fraction(0))
            sums = f" = {number(top)} / {number(bottom)}" if sample <= len(values) else ""
            over = f"{sample} {'record' if sample == 1 else 'records'}"
            if value is None:
                return [f"{name} over {over} with both values known{sums}: the "
                        "denominator adds up to 0, so no figure"]
            return [f"{name} over {over} with both values known{sums} = "
                    f"{fraction(value)} = {self._show(value)}"]
        if sample == 0:
            return [f"{name}: no record with a known value, so no figure"]
        if isinstance(measure, Percentile):
            rank = max(1, math.ceil(measure.rank * sample))
            ordered = sorted(bucket.measured.values)
            near = ", ".join(f"#{index + 1} {self._plain(ordered[index], unit)}"
                             for index in range(max(0, rank - 2), min(sample, rank + 1)))
            return [f"{name}: nearest rank, the ceil({number(measure.rank)} x {sample}) = "
                    f"{rank}th smallest of {sample} values = {self._show(value)}",
                    f"the values ranked around it: {near}"]
        if isinstance(measure, Extreme):
            which = "largest" if measure.largest else "smallest"
            best = f" ({bucket.best[1]})" if bucket.best is not None else ""
            return [f"{name}: the {which} of {sample} values = {self._show(value)}{best}"]
        if isinstance(measure, Mean):
            total = measure.value(bucket.measured, passed, breached)
            whole = (total or Fraction(0)) * sample
            return [f"{name} = sum / count = {self._plain(whole, unit)} / {sample} = "
                    f"{self._show(value)}", f"values: {listed}{more}"]
        if isinstance(measure, Sum):
            return [f"{name}: the sum of {sample} values = {self._show(value)}",
                    f"values: {listed}{more}"]
        counted = bucket.kinds.get("counted", _Kept())
        return [f"{name}: {number(value or Fraction(0))} of the {sample} records with a known "
                "value" + (f": {_listed(counted, self.limit)}" if counted.total else "")]

    def _plain(self, value: Any, unit: str) -> str:
        if isinstance(value, Fraction):
            return figure(value, unit) or "-"
        return str(value)

    def _status(self, bucket: _Bucket, value: Fraction | None, sample: int) -> str:
        objective = self.sp.objective
        if objective is None:
            return "no target"
        one = self._group_text(bucket.group).partition("=")[2] \
            if len(self.sp.window.group_fields) == 1 else None
        return objective.judge(value, sample, one).value

    def _judgement(self, bucket: _Bucket, value: Fraction | None, sample: int,
                   status: str) -> list[str]:
        objective = self.sp.objective
        if objective is None:
            return ["no target: the standard counts breaches, and its consequences follow "
                    "from them"]
        unit = objective.measure.unit.value
        one = self._group_text(bucket.group).partition("=")[2] \
            if len(self.sp.window.group_fields) == 1 else None
        wanted = objective.target_for(one)
        if wanted is None:
            return [f"target: none for {self._group_text(bucket.group)}: no commitment"]
        goal_text = goal(wanted, unit) or ""
        out = [f"target: {self._measure_name()} {objective.op} {goal_text}"]
        if objective.minimum is not None:
            enough = "enough" if sample >= objective.minimum else "too few: not evaluated"
            out.append(f"at least {objective.minimum} records: {sample} measured, {enough}")
        if value is not None:
            holds = _OPS[objective.op](value, wanted)
            out.append(f"{self._show(value)} {objective.op} {goal_text}: "
                       f"{'holds' if holds else 'does not hold'}")
            if objective.warn is not None and holds:
                line = goal(objective.warn, unit)
                side = "below" if objective.op in (">=", ">") else "above"
                inside = status == Status.WARNED.value
                out.append(f"warn {side} {line}: {self._show(value)} is "
                           f"{'inside the warning band' if inside else 'clear of it'}")
        bounds = self._bounds(bucket.key)
        closes = bounds.end if self.plan.period_end is None else min(bounds.end,
                                                                     self.plan.period_end)
        open_note = "" if closes <= self.plan.as_of else (
            f" (the window is open until {closes.isoformat()}: not final)")
        out.append(f"status: {status}{open_note}")
        return out

    def _check(self, bucket: _Bucket, outcome: WindowOutcome | None, value: Fraction | None,
               sample: int, status: str) -> list[str]:
        """Differences between this reading and the run's result, if any (none expected)."""
        if outcome is None:
            return ["the run has no such window: this reading differs from it"]
        counts = self._counts(bucket)
        mine = (counts.get("passed", 0), counts.get("breached", 0), counts.get("pending", 0),
                counts.get("excluded", 0), value, sample, status)
        theirs = (outcome.passed, outcome.breached, outcome.pending, outcome.excluded,
                  outcome.value, outcome.sample, outcome.status)
        if mine == theirs:
            return []
        return [f"differs from the run's result: {mine} here, {theirs} in the run"]

    # -- consequences -------------------------------------------------------------------

    def _per_window(self, found: StandardResult, labels: set[str] | None) -> list[str]:
        """A penalty due per missed window and a reward per met one, with their arithmetic."""
        out: list[str] = []
        currency = self.currency
        for kind, clause, items in (
                ("penalty", self.sp.consequences.window_penalty, found.penalty_windows),
                ("reward", self.sp.consequences.reward, found.rewards)):
            if clause is None:
                continue
            shown = [item for item in items
                     if (labels is None or item.label.split(" ")[0] in labels)
                     and (not isinstance(item, PenaltyWindow)  # a reward
                          or (item.arithmetic and not item.records))]
            out += ["", f"{kind}: {self._penalty_clause('window_penalty')}" if kind == "penalty"
                    else f"{kind}: {self._clause(kind)}"]
            if not shown:
                out.append(f"  no {'missed' if kind == 'penalty' else 'met'} window, no {kind}")
            for item in shown:
                amount = item.net if isinstance(item, PenaltyWindow) else item.amount
                out.append(f"  {item.label}: {amount} {currency}")
                out.append(f"    {item.arithmetic}")
            total = found.penalties if kind == "penalty" else found.reward_total
            out.append(f"  total: {total} {currency}")
        return out

    def _consequences(self, found: StandardResult, selected: list[_Bucket] | None) -> list[str]:
        sp, currency = self.sp, self.currency
        out: list[str] = []
        labels = None if selected is None else {self._label(bucket) for bucket in selected}
        if sp.consequences.penalty is not None:
            out.append("")
            out.append(f"penalty: {self._penalty_clause('penalty')}")
            per_breach = sp.consequences.penalty
            period, named = per_breach.cap_period or sp.window.period, per_breach.cap_label
            buckets = None if selected is None else {
                named(key) if named is not None else window(period, key, self.plan.zone).label
                for bucket in selected for key in bucket.penalty_buckets}
            shown = [item for item in found.penalty_windows  # a label may name a group too
                     if not item.arithmetic  # per breach: not per window, not at an Nth breach
                     and (buckets is None or item.label.split(" ")[0] in buckets)]
            if not shown:
                out.append("  no breach, nothing owed" + (" in this window" if selected else ""))
            for item in shown:
                if item.cap is not None and item.net != item.gross:
                    cap = (f"capped at {item.cap} {currency}: {item.net - item.gross} -> net "
                           f"{item.net} {currency}")
                else:
                    cap = f"net {item.net} {currency}" + (
                        f" (within the cap of {item.cap} {currency})" if item.cap is not None
                        else "")
                out.append(f"  {item.label}: {item.breaches} priced "
                           f"{'breach' if item.breaches == 1 else 'breaches'}, gross "
                           f"{item.gross} {currency}; {cap}")
            if selected:
                amounts = [(ref, amount) for bucket in selected for ref, amount in bucket.amounts]
                priced = [amount for _, amount in amounts if amount is not None]
                if amounts:
                    breaches = sum(bucket.kept("breached").total for bucket in selected)
                    more = (f", and {breaches - len(amounts)} more" if breaches > len(amounts)
                            else "")
                    out.append("  per breach: " + ", ".join(
                        f"{ref} {amount if amount is not None else 'unpriced'}"
                        for ref, amount in amounts) + more)
                if priced and all(len(bucket.amounts) == bucket.kept("breached").total
                                  for bucket in selected):
                    total = sum(priced, Decimal(0))
                    out.append(f"  these breaches add up to {self.plan.money.round(total)} "
                               f"{currency}")
            if found.unpriced_total:
                out.append(f"  owed, amount unknown (a field the penalty needs is absent): "
                           f"{found.unpriced_total}")
            out.append(f"  total owed under {sp.id}: {found.penalties} {currency}")
        if sp.consequences.credit is not None:
            out.append("")
            out.append(f"service credit: {self._clause('credit')}")
            credits = [item for item in found.credits
                       if labels is None or item.label.split(" ")[0] in labels]
            if not credits:
                out.append("  no missed window, no credit" + (" here" if selected else ""))
            for credit in credits:
                out.append(f"  {credit.label} missed: {credit.amount} {currency}")
                if credit.arithmetic:
                    out.append(f"    {credit.arithmetic}")
            out.append(f"  total: {found.credit_total} {currency}")
            for pool in self.pools:
                if labels is not None and pool.window not in labels:
                    continue
                others = [name for name in pool.standards if name != sp.id]
                with_ = f" (with {', '.join(others)})" if others else ""
                cut = (f"{pool.adjustment} {currency} taken off the pool's credits"
                       if pool.adjustment else "within it, nothing taken off")
                out.append(f"  pool {printable(pool.pool)}{with_}, {pool.window}: credits "
                           f"{pool.gross} {currency} in all, at most {pool.limit} {currency}: "
                           f"{cut}; owed {pool.net} {currency}")
        out.extend(self._per_window(found, labels))
        out.extend(self._strikes_and_payments(found, labels))
        rules = sp.consequences
        if (rules.penalty is None and rules.window_penalty is None and rules.credit is None
                and rules.reward is None and rules.strike is None and rules.payment is None
                and not rules.disqualify and not rules.escalations):
            out.extend(["", f"consequences: none (no penalty, service credit, disqualify or "
                            f"escalate clause under {sp.id})"])
        group = " of one group" if sp.window.group_fields else ""
        for step in sp.consequences.escalations:
            span = (f"{step.count} missed {'window' if step.count == 1 else 'windows'}{group} "
                    f"within {step.within} windows, the last one included"
                    if step.within is not None
                    else f"{step.count} missed windows{group} in a row")
            out += ["", f"escalate: {printable(step.text)} (reached after {span})"]
            reached = [item for item in found.escalations if item.rule == step.text
                       and (labels is None or item.window in labels)]
            if not reached:
                out.append("  not reached" + (" in this window" if selected else ""))
            for each in reached:
                refs = ", ".join(_ref(ref) for ref in each.records[:self.limit])
                out.append(f"  reached at {each.at.isoformat()}, when {each.window} closed: "
                           f"{printable(each.step)}; missed {', '.join(each.windows)}; "
                           f"records: {refs}")
        for rule in sp.consequences.disqualify:
            out.append("")
            match rule:
                case ConsecutiveMissed(count=count):
                    words = f"after {count} consecutive missed windows of one group"
                case BreachesWithin(count=count, length=length):
                    words = f"after {count} breaches less than {_duration(length)} apart"
                case AnyBreach():
                    words = "on any breach"
            run = (f"; the longest run of missed windows is {found.longest_missed_run}"
                   if isinstance(rule, ConsecutiveMissed) else "")
            out.append(f"disqualify {words}{run}")
            hits = [item for item in found.disqualifications
                    if _rule_matches(rule, item.rule)]
            if not hits:
                out.append("  not met: no disqualification under this rule")
            for hit in hits:
                windows = f" after {', '.join(hit.windows)}" if hit.windows else ""
                refs = ", ".join(_ref(ref) for ref in hit.records[:self.limit])
                out.append(f"  disqualified at {hit.at.isoformat()}{windows}: {hit.rule}; "
                           f"records: {refs}")
        return out

    def _strikes_and_payments(self, found: StandardResult,
                              labels: set[str] | None) -> list[str]:
        """The amounts due at every Nth breach, each with the breaches it used, and what the
        customer owes for the records, per window."""
        out: list[str] = []
        currency = self.currency
        if self.sp.consequences.strike is not None:
            out += ["", f"penalty: {self._penalty_clause('strike')}"]
            fees = [fee for fee in found.strikes if labels is None or fee.window in labels]
            if not fees:
                out.append("  not reached" + (" in this window" if labels else ""))
            for fee in fees:
                used = ", ".join(_ref(ref) for ref in fee.records[:self.limit])
                out.append(f"  {fee.window}: due at {fee.at.isoformat()}, the "
                           f"{ordinal(len(fee.records))} breach: {fee.amount} {currency}; "
                           f"breaches {used}")
        if self.sp.consequences.payment is not None:
            out += ["", f"payment: {self._clause('payment')}"]
            payments = [item for item in found.payments
                        if labels is None or item.label.split(" ")[0] in labels]
            for item in payments:
                so_far = "" if item.closed else " so far (the window is open)"
                out.append(f"  {item.label}: {item.amount} {currency}{so_far}, owed by the "
                           "customer")
                out.append(f"    {item.arithmetic}")
            out.append(f"  total: {found.payment_total} {currency}")
        return out

    def _penalty_clause(self, kind: str) -> str:
        """The text of the standard's penalty of one kind (`penalty` per breach,
        `window_penalty`, `strike`), as the contract wrote it."""
        clause = {"penalty": self.model.penalty, "window_penalty": self.model.window_penalty,
                  "strike": self.model.strike}[kind]
        return printable(clause.text) if clause is not None else ""

    def _clause(self, kind: str) -> str:
        text = next((text for name, text in self.sp.clauses if name == kind), "")
        return printable(text)

    # -- one record ---------------------------------------------------------------------

    def record(self, paths: list[str], wanted: str) -> str:
        plan = self.plan
        id_field = plan.schema.id_field
        for path, item in self._records(paths):
            if str(item[id_field]) == wanted:
                return self._one(path, item)
        raise ExplainError(f"no accepted record with {id_field} `{wanted}` in the data "
                           "(a rejected line is not a record: see `verify`'s rejected lines)")

    def _one(self, path: str, item: dict[str, Any]) -> str:
        sp, plan = self.sp, self.plan
        schema = plan.schema
        out = [f"record {printable(str(item[schema.id_field]))}: {self.shown.get(path, path)} "
               f"line {item['_line']}, under standard {sp.id}"]
        fields = ", ".join(f"{name} {_value(item.get(name))}" for name in schema.names
                           if name != schema.id_field)
        out.append(f"  fields: {printable(fields)}")
        moment: datetime = item[schema.time_field]
        place = self._place(item)
        if place is None:
            out.append(f"  {schema.time_field} {moment.isoformat()} is outside the contract "
                       "period: the record is in no window")
            return "\n".join(out) + "\n"
        key, group = place
        if isinstance(group, _Unreadable):
            out.append(f"  its group {group}: an evaluation error of this standard, "
                       "counted in no window")
            return "\n".join(out) + "\n"
        label = window(sp.window.period, key, plan.zone).label
        if sp.window.rolling is not None:  # every window that holds its day
            label = ", ".join(self._bounds(end).label
                              for end in window_ends(plan, sp.window.rolling, [key])) or (
                f"none (day {label}: no window of it is judged yet, or they start before "
                "the contract)")
        grouped = self._group_text(group)
        day = window(sp.window.period, key, plan.zone).label
        rolling = "" if sp.window.rolling is None else f" (day {day})"
        out.append(f"  {schema.time_field} {moment.isoformat()}{rolling}: "
                   f"{'windows' if sp.window.rolling is not None else 'window'} {label}"
                   + (f", group {grouped}" if grouped else ""))
        model = self.model
        steps: list[tuple[str, ast.Expr, dict[int, str]]] = []
        if model.scope is not None:
            steps.append(("for", model.scope.node, _TRUTH))
        for each in model.exclusions:
            steps.append((f"except ({printable(each.reason)})", each.when.node,
                          _TRUTH))
        written = model.require.span is not None
        if written:
            steps.append(("require", model.require.node, _OUTCOME))
        for name, node, words in steps:
            try:
                outcome = self.compiler.truth(node)(item)
            except FAILURES as error:
                out.append(f"  {name}: cannot be evaluated: {_reason(error)}: an evaluation "
                           "error, left out of the counts")
                break
            lines = self._clause_lines(node, item, words)
            out.append(f"  {name}: `{printable(_source(node))}`: {lines[0]}")
            out.extend("    " + line for line in lines[1:])
            if name == "for" and outcome != PASS:
                break
            if name.startswith("except") and outcome in (PASS, PENDING):
                break
        if not written:
            out.append("  require: none written (the target is on a measure): every record "
                       "in scope and not excluded passes")
        kind, reason = self._classify(item)
        if kind == "measured":
            kind, reason = self._outcome(item)
        said = {"excluded": f"excluded ({reason})", "breached": "breached"
                + (" (overdue)" if reason == "overdue" else ""),
                "evaluation error": f"an evaluation error: {reason}"}.get(kind, kind)
        out.append(f"  counted as: {said}, in {label}" + (f" {grouped}" if grouped else ""))
        if sp.measure_value is not None and kind in ("passed", "breached", "pending"):
            out.extend("  " + line for line in self._measured(item))
        if kind == "breached" and sp.consequences.penalty is not None:
            try:
                text = self._penalty(item)
                if reason == "overdue" and sp.consequences.penalty.deferred and not text.startswith(
                        "unpriced"):
                    text += ", deferred: owed once the record closes, not in the totals"
            except FAILURES as error:
                text = f"cannot be evaluated: {_reason(error)}"
            out.append(f"  penalty: {self._clause('penalty')}: {text}")
        return "\n".join(out) + "\n"

    def _penalty(self, item: dict[str, Any]) -> str:
        """One breach's amount and its arithmetic, step by step as `plan._penalty` computes
        it (the amount, the delay, its periods, the cap per breach, the rounding), checked
        against the run's own function."""
        if self.model.penalty is None:
            return "-"
        node = self.model.penalty.node
        money, currency, value = self.plan.money, self.currency, self.compiler.value
        places = -int(money.quantum.as_tuple().exponent)

        def shown(amount: Any) -> str:
            return _exact(Fraction(amount), places)

        unpriced = "unpriced: a field the penalty needs is absent"
        base = value(node.amount)(item)
        if base is None:
            return unpriced
        steps = [] if isinstance(node.amount, ast.Money) else [
            f"{_source(node.amount)} = {shown(base)} {currency}"]
        owed = Fraction(base)
        if node.delay is not None and node.per is not None:
            late = value(node.delay)(item)
            if not isinstance(late, timedelta):
                return unpriced + " (the delay is not known yet)"
            micros = max(late // timedelta(microseconds=1), 0)
            source = _source(node.delay)
            said = f"delay{'' if source == 'delay' else ' ' + source} = {_duration(late)}"
            if node.rounded is not None:
                direction, unit = node.rounded
                size = unit.microseconds
                micros = (-(-micros // size) if direction == "up" else micros // size) * size
                said += (f", rounded {direction} to {_duration(timedelta(microseconds=size))}: "
                         f"{_duration(timedelta(microseconds=micros))}")
            periods = Fraction(micros, node.per.microseconds)
            per = _duration(timedelta(microseconds=node.per.microseconds))
            if node.counting in ("completed", "started"):
                periods = Fraction(math.floor(periods) if node.counting == "completed"
                                   else math.ceil(periods))
                said += (f": {periods} {node.counting} "
                         f"{'period' if periods == 1 else 'periods'} of {per}")
            elif periods.denominator == 1:
                said += (f": {periods} {'period' if periods == 1 else 'periods'} of {per} "
                         "(pro rata)")
            else:
                said += f": {fraction(periods)} of a period of {per} (pro rata)"
            owed = periods * Fraction(base)
            times = number(periods) if periods.denominator == 1 else fraction(periods)
            steps += [said, f"{times} x {shown(base)} = {shown(owed)} {currency}"]
        if node.record_cap is not None:
            cap = value(node.record_cap)(item)
            if cap is None:
                return unpriced
            if owed > Fraction(cap):
                steps.append(f"at most {_source(node.record_cap)} = {shown(cap)} {currency} "
                             "per breach")
                owed = Fraction(cap)
        if money.round_at != "record":
            result = f"{shown(owed)} {currency}, kept exact (the contract rounds " + (
                "each window's sum)" if money.round_at == "window" else "the totals)")
        else:
            rounded = money.round(_ROUNDING.divide(Decimal(owed.numerator),
                                                   Decimal(owed.denominator)))
            result = f"{rounded} {currency}"
            if Fraction(rounded) != owed:
                mode = self.checked.contract.rounding.replace("_", " ")
                result = f"{shown(owed)}, rounded {mode} to {result}"
        rule = self.sp.consequences.penalty
        found = rule.amount(item) if rule is not None else None
        if found is None or Fraction(found) != owed:
            result += f" (the run computes {found}: this reading differs from it)"
        return "; ".join([*steps, result])

    def _measured(self, item: dict[str, Any]) -> list[str]:
        """What the record adds to the standard's measure, and why."""
        target = self.model.target.node if self.model.target is not None else None
        measure = target.measure if isinstance(target, ast.Target) else None
        name = self._measure_name()
        value = self.sp.measure_value(item) if self.sp.measure_value is not None else None
        if value is None:
            return [f"adds nothing to {name}: a value it needs is absent"]
        match measure:
            case ast.Aggregate(function="count", operand=None):
                return [f"adds 1 to {name}"]
            case ast.Aggregate(function="count", operand=operand) if operand is not None:
                lines = self._clause_lines(operand, item, _TRUTH)
                return [f"adds {number(value)} to {name}: {lines[0]}", *lines[1:]]
            case ast.Aggregate(operand=operand) if operand is not None:
                return [f"adds {self._plain(value, self.sp.measure.unit.value)} to {name}: "
                        f"{self._reading(operand, item)}"]
            case ast.Ratio(numerator=top, denominator=bottom):
                parts = [self._reading(part.operand, item) for part in (top, bottom)
                         if part.operand is not None]
                return [f"adds {number(value[0])} / {number(value[1])} to {name}: "
                        + "; ".join(parts)]
        return [f"adds to {name}"]

    def _reading(self, node: ast.Expr, item: dict[str, Any]) -> str:
        """`transit 19h`, or for a derived field, `transit 19h (delivered_at - picked_up_at)`."""
        said = self._side(node, self._read(node, item))
        if isinstance(node, ast.Ref) and node.name in self.derived:
            said += f" (`{printable(_source(self.derived[node.name]))}`)"
        return said

    def _clause_lines(self, node: ast.Expr, item: dict[str, Any],
                      words: dict[int, str]) -> list[str]:
        """The first line says what the clause found; the lines after it, for `and`, `or`
        and `not`, what each part found."""
        outcome = self.compiler.truth(node)(item)
        verdict = words.get(outcome, str(outcome))
        match node:
            case ast.Logical(op=op, left=left, right=right):
                parts = []
                for side in (left, right):
                    lines = self._clause_lines(side, item, _TRUTH)
                    parts.append(f"`{printable(_source(side))}`: {lines[0]}")
                    parts.extend("  " + line for line in lines[1:])
                return [f"{op.value} of two parts: {verdict}", *parts]
            case ast.Not(operand=operand):
                lines = self._clause_lines(operand, item, _TRUTH)
                return [f"not of `{printable(_source(operand))}` ({lines[0]}): {verdict}",
                        *lines[1:]]
            case ast.Ref(name=name) if name in self.derived:
                derived = self.derived[name]
                lines = self._clause_lines(derived, item, words)
                return [f"{name} is `{printable(_source(derived))}`: {lines[0]}", *lines[1:]]
        said = self._found(node, item)
        if isinstance(node, ast.Compare | ast.In):
            said += f", so `{printable(_source(node))}` is {_TRUTH[outcome]}"
            if words is _TRUTH:
                return [said]
        elif isinstance(node, ast.Ref) and words is _TRUTH:
            return [said]  # a yes-or-no field: its value is its truth
        return [f"{said}: {verdict}"]

    def _found(self, node: ast.Expr, item: dict[str, Any]) -> str:
        """What a condition reads on a record, in words."""
        value = self._read
        match node:
            case ast.Within(event=event, limit=limit, start=start):
                happened, allowed, started = value(event, item), value(limit, item), \
                    value(start, item)
                if started is None:
                    return f"{_source(start)} is absent: the clock has not started"
                if allowed is None:
                    return f"the limit {_source(limit)} is unknown"
                due = started + allowed
                if happened is None:
                    late = self.plan.as_of > due
                    return (f"{_source(event)} is absent; it was due by {_value(due)} "
                            f"({_value(allowed)} after {_source(start)} {_value(started)}), and "
                            + (f"as of {self.plan.as_of.isoformat()} it is overdue" if late
                               else f"that is after {self.plan.as_of.isoformat()}, the "
                                    "evaluation time"))
                return (f"{_source(event)} {_value(happened)} is "
                        f"{_apart(happened, started)} {_source(start)} {_value(started)}; "
                        f"limit {_value(allowed)}")
            case ast.Compare(left=left, right=right):
                a, b = value(left, item), value(right, item)
                read = [self._side(side, found) for side, found in ((left, a), (right, b))
                        if not self._literal(side)]
                both = ", ".join(read) or "constants only"
                if isinstance(a, datetime) and isinstance(b, datetime):
                    both = (f"{_source(left)} {_value(a)} is {_apart(a, b)} {_source(right)} "
                            f"{_value(b)}")
                return both
            case ast.In(operand=operand, items=items, negated=negated):
                a = value(operand, item)
                listed = ", ".join(_source(each) for each in items)
                del listed, negated  # the clause, quoted beside it, lists them
                return self._side(operand, a)
        return self._side(node, value(node, item))

    def _literal(self, node: ast.Expr) -> bool:
        return isinstance(node, _LITERALS) or (isinstance(node, ast.Ref)
                                               and id(node) in self.checked.enum_values)

    def _side(self, node: ast.Expr, found: Any) -> str:
        if self._literal(node):
            return _source(node)
        return f"{_source(node)} {_value(found)}"

    def _read(self, node: ast.Expr, item: dict[str, Any]) -> Any:
        try:
            return self.compiler.value(node)(item)
        except FAILURES as error:
            return _Unreadable(_reason(error))


@dataclass(frozen=True, slots=True)
class _Unreadable:
    reason: str

    def __str__(self) -> str:
        return f"(cannot be evaluated: {self.reason})"


def _source(node: ast.Node) -> str:
    if node.span is not None:
        return " ".join(node.span.text.split())
    match node:
        case ast.Ref(name=name):
            return name
        case ast.Bool(value=value):
            return "true" if value else "false"
    return type(node).__name__.lower()


def _value(found: Any) -> str:
    """A value as a reader of the data writes it."""
    if found is None:
        return "absent"
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, datetime | date):
        return found.isoformat()
    if isinstance(found, timedelta):
        return _duration(found)
    if isinstance(found, Fraction):
        return number(found)
    return printable(str(found))


def _duration(length: timedelta) -> str:
    """A duration as a clock reads it: `24h`, `90d`, else `31h 11min 47.694031s`."""
    seconds = Fraction(length // timedelta(microseconds=1), 1_000_000)
    if seconds % 60 == 0 or abs(seconds) < 60:
        return duration(seconds)
    sign, rest = ("-" if seconds < 0 else ""), abs(seconds)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    parts.append(f"{minutes}min")
    parts.append(f"{number(rest)}s")
    return sign + " ".join(parts)


def _apart(later: datetime, earlier: datetime) -> str:
    """`26h after`, `2h before`, `at the same time as`."""
    gap = later - earlier
    if not gap:
        return "at the same time as"
    return f"{_duration(abs(gap))} {'after' if gap > timedelta(0) else 'before'}"


def _terminates(value: Fraction) -> bool:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _exact(value: Fraction, places: int = 0) -> str:
    """An exact amount in decimals, at least `places` of them: all of them when they end
    (`187.682578125`), else twelve and an ellipsis."""
    if _terminates(value):
        digits = places
        while (value * 10 ** digits).denominator != 1:
            digits += 1
        exact = _ROUNDING.divide(Decimal(value.numerator), Decimal(value.denominator))
        return f"{exact:.{digits}f}"
    return f"{float(value):.12f}..."


def _text(value: Any) -> str:
    """A group value as the result names it (see `engine.consequences`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _normal(text: str) -> str:
    return "".join(text.split()).lower()


def _listed(kept: _Kept, limit: int) -> str:
    more = kept.total - len(kept.refs)
    text = ", ".join(kept.refs)
    if more > 0:
        text += f", and {more} more (--evidence-limit {kept.total} lists them all)"
    return text


def _ref(ref: RecordRef) -> str:
    return f"{printable(ref.id)} (line {ref.line})"


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__


def _rule_matches(rule: Any, said: str) -> bool:
    """Whether a disqualification the run found (worded by stage 3) is under `rule`."""
    match rule:
        case ConsecutiveMissed(count=count):
            return f"in {count} consecutive windows" in said
        case BreachesWithin(count=count):
            return said.startswith(f"{count} breaches within")
        case AnyBreach():
            return said == "a critical breach"
    return False

