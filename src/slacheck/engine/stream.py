"""The stream engine: stages 1 and 2 in pure Python, one pass, memory bounded by windows.

Per record, one generated function evaluates every standard: window keys computed once,
the plan's compiled closures called directly, counters bumped in place. Breaches, rare by
nature, go to a closure per standard that records their evidence and money.
"""

from __future__ import annotations

import hashlib
import linecache
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from slacheck.compiler import BREACH, OVERDUE
from slacheck.engine.state import PenaltySum, StandardState, State, Tally
from slacheck.findings import RecordRef, RejectedLine
from slacheck.plan import Plan, StandardPlan
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
) -> State:
    """Read every record of `inputs` (paths, or records from Python) once and count it into a
    fresh `State`."""
    state = State.empty(plan)
    reader = Reader(plan.schema, keep_text=quarantine is not None,
                    max_line_bytes=max_line_bytes)
    for source in inputs:
        if isinstance(source, Records):
            read = partial(reader.objects, source.items, source.name)
            _run_one(plan, state, read, source.name, quarantine, progress)
            state.inputs.append((source.name, None))
            continue
        digest = hashlib.sha256()
        stream = open_data(source, digest)
        try:
            read = partial(reader.records, stream, source)
            _run_one(plan, state, read, source, quarantine, progress)
        finally:
            stream.close()
        state.inputs.append((source, digest.hexdigest()))
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
            state.rejections.append(RejectedLine(item.source, item.line, item.field, item.reason))
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
    namespace: dict[str, Any] = {"_Tally": Tally, **plan.constants}
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


def _standard_source(sp: StandardPlan, st: StandardState, namespace: dict[str, Any],
                     plan: Plan, path: str) -> list[str]:
    i = sp.index
    namespace.update({
        f"scope_{i}": sp.scope,
        f"require_{i}": sp.requirement,
        f"group_{i}": sp.group_key,
        f"tallies_{i}": st.tallies,
        f"breach_{i}": _on_breach(sp, st, plan, path),
    })
    body = [f"# {sp.id}"]
    group = f"group_{i}(r)" if sp.group_key is not None else "None"
    body += [
        f"key = (k_{sp.period.value}, {group})",
        f"t = tallies_{i}.get(key)",
        "if t is None:",
        f"    t = tallies_{i}[key] = _Tally()",
    ]
    nested = _outcome_source(sp, f"breach_{i}(r, t, {{}}, moment, l, k_{sp.period.value})")
    for j, (excluded, reason) in reversed(list(enumerate(sp.exclusions))):
        namespace[f"except_{i}_{j}"] = excluded
        namespace[f"reason_{i}_{j}"] = reason
        test = sp.exclusion_sources[j] or f"except_{i}_{j}(r) == 1"
        nested = [
            f"if {test}:",
            "    t.excluded += 1",
            f"    t.exclusions[reason_{i}_{j}] = t.exclusions.get(reason_{i}_{j}, 0) + 1",
            "else:",
            *("    " + line for line in nested),
        ]
    body += nested
    if sp.scope is not None:
        test = sp.scope_source or f"scope_{i}(r) == 1"
        body = [f"if {test}:", *("    " + line for line in body)]
    return ["    " + line for line in body]


def _outcome_source(sp: StandardPlan, breach: str) -> list[str]:
    """Stage 1's verdict on the requirement, counted into the tally `t`."""
    if sp.deadline_source is not None:
        event, start, limit = sp.deadline_source
        return [
            f"s = {start}",
            "if s is None:",
            "    t.pending += 1",
            "else:",
            f"    d = s + {limit}",
            f"    e = {event}",
            "    if e is None:",
            "        if _as_of > d:",
            f"            {breach.format(OVERDUE)}",
            "        else:",
            "            t.pending += 1",
            "    elif e <= d:",
            "        t.passed += 1",
            "    else:",
            f"        {breach.format(BREACH)}",
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
        "elif o == 2:",
        "    t.pending += 1",
        "else:",
        f"    {breach.format('o')}",
    ]


def _on_breach(sp: StandardPlan, st: StandardState, plan: Plan,
               path: str) -> Callable[[dict[str, Any], Tally, int, datetime, datetime, int], None]:
    """What a breach records: its evidence, its money, and its time for disqualification."""
    limit = plan.evidence_limit
    id_field = plan.schema.id_field
    round_money: Callable[[Decimal], Decimal] = plan.money.round
    penalty, cap_key, penalties = sp.penalty, sp.cap_key, st.penalties
    keep_times = sp.keeps_breach_times

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
            st.breach_times.append((moment, ref))
        if penalty is None:
            return
        amount = penalty(record)
        if amount is None:
            st.unpriced_total += 1
            if len(st.unpriced) < limit:
                st.unpriced.append(ref)
            return
        amount = round_money(amount)
        bucket = cap_key(local) if cap_key is not None else window
        total = penalties.get(bucket)
        if total is None:
            total = penalties[bucket] = PenaltySum()
        total.gross += amount
        total.breaches += 1
        st.record_penalties_total += 1
        if len(st.record_penalties) < limit:
            st.record_penalties.append((ref, amount))

    return breach


