"""The stream engine: stages 1 and 2 in pure Python, one pass, memory bounded by windows.

Per record, one generated function evaluates every standard: window keys computed once,
the plan's compiled closures called directly, counters bumped in place. Breaches, rare by
nature, go to a closure per standard that records their evidence and money.
"""

from __future__ import annotations

import hashlib
import linecache
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any

from slacheck._money import add
from slacheck.compiler import BREACH, OVERDUE, PENDING, ClauseEvaluationError
from slacheck.engine.state import PenaltySum, StandardState, State, Tally
from slacheck.findings import EvaluationError, RecordRef, RejectedLine
from slacheck.plan import Plan, StandardPlan
from slacheck.readers import Input, expand, read_input
from slacheck.records import MAX_LINE_BYTES, Reader, Records, Rejection, open_data
from slacheck.windows import KEY_SOURCE

Progress = Callable[[int], None]
Quarantine = Callable[[Rejection], None]
Evaluate = Callable[[dict[str, Any], datetime, datetime], None]
Read = Callable[[Callable[[Rejection], None]], Iterator[dict[str, Any]]]


def run_stream(
    plan: Plan,
    inputs: Iterable[str | Records],
    *,
    quarantine: Quarantine | None = None,
    progress: Progress | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    format_in: str | None = None,
) -> State:
    """Read every record of `inputs` (paths, or records from Python) once and count it into a
    fresh `State`.

    A path may name a folder or a glob pattern; its files are read in the format of their
    extension, or `format_in`. Records held to be combined (`duplicates: last` or
    `combine`) are counted once every input is read.
    """
    state = State.empty(plan)
    reader = Reader(plan.schema, keep_text=quarantine is not None,
                    max_line_bytes=max_line_bytes, currency=plan.money.currency)
    state.undeclared = reader.undeclared
    sources: list[Records | Input] = []
    for given in inputs:  # every path named is found before any is read
        sources.extend([given] if isinstance(given, Records) else expand(given, format_in))
    for source in sources:
        if isinstance(source, Records):
            read = partial(reader.objects, source.items, source.name)
            _run_one(plan, state, read, source.name, quarantine, progress)
            state.inputs.append((source.name, None))
            continue
        digest = hashlib.sha256()
        stream = open_data(source.path, digest)
        try:
            read = partial(read_input, reader, source, stream)
            _run_one(plan, state, read, source.path, quarantine, progress)
        finally:
            stream.close()
        state.inputs.append((source.path, digest.hexdigest()))
    for path, held in groupby(reader.finished(), key=itemgetter(0)):
        _run_one(plan, state, partial(reader.held, items=held), path, quarantine, progress)
    state.read += reader.merged
    state.accepted += reader.merged
    return state


def _run_one(plan: Plan, state: State, read: Read, path: str,
             quarantine: Quarantine | None, progress: Progress | None) -> None:
    limit = plan.evidence_limit
    zone = plan.zone
    time_field = plan.schema.time_field
    start, end = plan.period_start, plan.period_end
    evaluate = compile_evaluator(plan, state, path)

    def reject(item: Rejection) -> None:
        state.rejected += 1
        if len(state.rejections) < limit:
            reason = item.reason + "".join(f"; {field}: {more}" if field else f"; {more}"
                                           for field, more in item.more)
            state.rejections.append(RejectedLine(item.source, item.line, item.field, reason))
        if quarantine is not None:
            quarantine(item)

    rejected_before = state.rejected
    accepted = outside = 0
    for record in read(reject):
        accepted += 1
        if progress is not None and not accepted & 0xFFFF:
            progress(accepted + state.rejected - rejected_before)
        moment = record[time_field]
        if (start is not None and moment < start) or (end is not None and moment >= end):
            outside += 1
            continue
        evaluate(record, moment, moment.astimezone(zone))
    state.read += accepted + state.rejected - rejected_before
    state.accepted += accepted
    state.outside += outside


def compile_evaluator(plan: Plan, state: State, path: str) -> Evaluate:
    """Generate the per-record function of stages 1 and 2 for every standard of the plan.

    The source holds no text of the contract but field names, which the contract schema
    restricts to identifiers and which are written with `repr`; every value (limits, sets,
    closures) is bound in the namespace, never written into the code.
    """
    namespace: dict[str, Any] = {"_Tally": Tally, "_Failed": FAILURES, "_no_time": timedelta(0),
                                 **plan.constants}
    periods = list(dict.fromkeys(sp.period for sp in plan.standards))
    lines = ["def evaluate(r, moment, l):"]
    lines.extend(f"    k_{period.value} = {KEY_SOURCE[period]}" for period in periods)
    for sp in plan.standards:
        lines.extend(_standard_source(sp, state.standards[sp.index], namespace, plan, path))
    lines.append("    return None")
    source = "\n".join(lines) + "\n"
    filename = f"<slacheck plan {hashlib.sha1(source.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # generated from the plan above
    function: Evaluate = namespace["evaluate"]
    return function


FAILURES = (ArithmeticError, ValueError)
"""What evaluating a clause on one record may raise (a division by zero, a date out of
range): that record is an evaluation error of that standard, and the run goes on."""


def _standard_source(sp: StandardPlan, st: StandardState, namespace: dict[str, Any],
                     plan: Plan, path: str) -> list[str]:
    i = sp.index
    namespace.update({
        f"scope_{i}": sp.scope,
        f"require_{i}": sp.requirement,
        f"group_{i}": sp.group_key,
        f"tallies_{i}": st.tallies,
        f"breach_{i}": _on_breach(sp, st, plan, path),
        f"undetermined_{i}": _on_undetermined(st, plan, path),
        f"failed_{i}": _on_failure(sp, st, plan, path),
        f"order_{i}": _on_implausible(sp, st, plan, path),
        f"start_{i}": sp.measure.start,
        f"add_{i}": sp.measure.add,
        f"value_{i}": sp.measure_value,
    })
    body = [f"# {sp.id}"]
    group = f"group_{i}(r)" if sp.group_key is not None else "None"
    body += [
        f"key = (k_{sp.period.value}, {group})",
        f"t = tallies_{i}.get(key)",
        "if t is None:",
        f"    t = tallies_{i}[key] = _Tally(measured=start_{i}())",
    ]
    nested = _outcome_source(sp, f"breach_{i}(r, t, {{}}, moment, l, k_{sp.period.value})",
                             f"order_{i}(r)")
    if sp.measure_value is not None:  # every record in scope and not excluded is measured
        nested = [f"v = value_{i}(r)", "if v is not None:", f"    add_{i}(t.measured, v)",
                  *nested]
    for j, (excluded, reason) in reversed(list(enumerate(sp.exclusions))):
        namespace[f"except_{i}_{j}"] = excluded
        namespace[f"reason_{i}_{j}"] = reason
        source = sp.exclusion_sources[j]
        nested = [
            f"x = {source}" if source else f"x = except_{i}_{j}(r)",
            "if x == 1:",
            "    t.excluded += 1",
            f"    t.exclusions[reason_{i}_{j}] = t.exclusions.get(reason_{i}_{j}, 0) + 1",
            *([] if source else [f"elif x == {PENDING}:", f"    undetermined_{i}(r)"]),
            "else:",
            *("    " + line for line in nested),
        ]
    body += nested
    if sp.scope is not None:
        if sp.scope_source:
            body = [f"if {sp.scope_source}:", *("    " + line for line in body)]
        else:
            body = [f"x = scope_{i}(r)", "if x == 1:", *("    " + line for line in body),
                    f"elif x == {PENDING}:", f"    undetermined_{i}(r)"]
    body = ["try:", *("    " + line for line in body),
            "except _Failed as error:", f"    failed_{i}(r, error)"]
    return ["    " + line for line in body]


def _outcome_source(sp: StandardPlan, breach: str, order: str) -> list[str]:
    """Stage 1's verdict on the requirement, counted into the tally `t`; a passed deadline
    is checked for an event recorded before its own start (`order`)."""
    if sp.deadline_source is not None:
        event, start, limit = sp.deadline_source
        # `e <= s + limit` as `e - s <= limit`: one aware subtraction, then cheap duration
        # comparisons, so checking the event is not before its start costs nearly nothing
        return [
            f"s = {start}",
            "if s is None:",
            "    t.pending += 1",
            "else:",
            f"    e = {event}",
            "    if e is None:",
            f"        if _as_of - s > {limit}:",
            f"            {breach.format(OVERDUE)}",
            "        else:",
            "            t.pending += 1",
            "    else:",
            "        w = e - s",
            f"        if w <= {limit}:",
            "            t.passed += 1",
            "            if w < _no_time:",
            f"                {order}",
            "        else:",
            f"            {breach.format(BREACH)}",
        ]
    if sp.requirement_source is not None:
        return [
            f"if {sp.requirement_source}:",
            "    t.passed += 1",
            "else:",
            f"    {breach.format(BREACH)}",
        ]
    return [
        f"o = require_{sp.index}(r)",
        "if o == 1:",
        "    t.passed += 1",
        *([f"    {order}"] if sp.event_orders else []),
        "elif o == 2:",
        "    t.pending += 1",
        "else:",
        f"    {breach.format('o')}",
    ]


def _ref(plan: Plan, record: dict[str, Any], path: str) -> RecordRef:
    return RecordRef(str(record[plan.schema.id_field]), record["_line"], path)


def _on_undetermined(st: StandardState, plan: Plan,
                     path: str) -> Callable[[dict[str, Any]], None]:
    """A record whose `for` or `except` needs a field it lacks: counted and shown, since
    whether the standard applies to it is unknown."""
    limit = plan.evidence_limit

    def undetermined(record: dict[str, Any]) -> None:
        st.undetermined_total += 1
        if len(st.undetermined) < limit:
            st.undetermined.append(_ref(plan, record, path))

    return undetermined


def _on_implausible(sp: StandardPlan, st: StandardState, plan: Plan,
                    path: str) -> Callable[[dict[str, Any]], None]:
    """Counts a passed record whose recorded event precedes its own start (a delivery
    before its pickup): on time by the clause, but most likely wrong data."""
    limit = plan.evidence_limit
    orders = sp.event_orders

    def implausible(record: dict[str, Any]) -> None:
        for label, event, start in orders:
            happened, started = event(record), start(record)
            if happened is None or started is None or not happened < started:
                continue
            st.implausible_totals[label] = st.implausible_totals.get(label, 0) + 1
            kept = st.implausible.setdefault(label, [])
            if len(kept) < limit:
                kept.append(_ref(plan, record, path))

    return implausible


def _on_failure(sp: StandardPlan, st: StandardState, plan: Plan,
                path: str) -> Callable[[dict[str, Any], Exception], None]:
    """A record a clause could not be evaluated on; finds which clause, on this rare path,
    by evaluating them one by one."""
    limit = plan.evidence_limit
    clauses: list[tuple[str, Callable[[dict[str, Any]], Any]]] = []
    if sp.scope is not None:
        clauses.append(("for", sp.scope))
    clauses.extend(("except", test) for test, _ in sp.exclusions)
    clauses.append(("require", sp.requirement))

    def failed(record: dict[str, Any], error: Exception) -> None:
        clause = "require"
        for name, function in clauses:
            try:
                function(record)
            except FAILURES:
                clause = name
                break
        record_failure(st, limit, EvaluationError(_ref(plan, record, path), sp.id, clause,
                                                  _reason(error)))

    return failed


def record_failure(st: StandardState, limit: int, error: EvaluationError) -> None:
    st.errors_total += 1
    if len(st.errors) < limit:
        st.errors.append(error)


def _reason(error: Exception) -> str:
    if isinstance(error, ClauseEvaluationError):
        return str(error)
    if isinstance(error, OverflowError):
        return f"a date or duration out of range ({error})"
    if isinstance(error, ArithmeticError):
        return f"a number out of range ({type(error).__name__})"
    return f"cannot be evaluated: {error}"


def _on_breach(sp: StandardPlan, st: StandardState, plan: Plan,
               path: str) -> Callable[[dict[str, Any], Tally, int, datetime, datetime, int], None]:
    """What a breach records: its evidence, its money, and its time for disqualification."""
    limit = plan.evidence_limit
    id_field = plan.schema.id_field
    round_money: Callable[[Decimal], Decimal] = plan.money.round
    penalty, cap_key, penalties = sp.penalty, sp.cap_key, st.penalties
    keep_times = sp.keeps_breach_times
    dated = sp.breach_time

    def breach(record: dict[str, Any], tally: Tally, outcome: int, moment: datetime,
               local: datetime, window: int) -> None:
        tally.breached += 1
        ref = RecordRef(str(record[id_field]), record["_line"], path)
        if len(tally.breaches) < limit:
            tally.breaches.append(ref)
        if outcome == OVERDUE:
            st.overdue_total += 1
            if len(st.overdue) < limit:
                st.overdue.append(ref)
        if keep_times:
            when = dated(record) if dated is not None else None
            st.breach_times.append((moment if when is None else when, ref))
        if penalty is None:
            return
        try:
            amount = penalty(record)
            if amount is not None:
                amount = round_money(amount)
        except FAILURES as error:
            record_failure(st, limit, EvaluationError(ref, sp.id, "penalty", _reason(error)))
            amount = None
        if amount is None:
            st.unpriced_total += 1
            if len(st.unpriced) < limit:
                st.unpriced.append(ref)
            return
        bucket = cap_key(local) if cap_key is not None else window
        total = penalties.get(bucket)
        if total is None:
            total = penalties[bucket] = PenaltySum()
        total.gross = add(total.gross, amount)
        total.breaches += 1
        st.record_penalties_total += 1
        if len(st.record_penalties) < limit:
            st.record_penalties.append((ref, amount))

    return breach


