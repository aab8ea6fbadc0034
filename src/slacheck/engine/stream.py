"""The stream engine: stages 1 and 2 in pure Python, one pass, memory bounded by windows."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from decimal import Decimal

from slacheck.compiler import OVERDUE, PASS, PENDING
from slacheck.engine.state import PenaltySum, StandardState, State, Tally
from slacheck.findings import RecordRef, RejectedLine
from slacheck.plan import Plan, StandardPlan
from slacheck.records import Reader, Rejection, open_data

Progress = Callable[[int], None]
Quarantine = Callable[[Rejection], None]


def run_stream(
    plan: Plan,
    paths: Iterable[str],
    *,
    quarantine: Quarantine | None = None,
    progress: Progress | None = None,
) -> State:
    """Read every record of `paths` once and count it into a fresh `State`."""
    state = State.empty(plan)
    reader = Reader(plan.schema, keep_text=quarantine is not None)
    for path in paths:
        digest = hashlib.sha256()
        stream = open_data(path)
        try:
            _run_one(plan, state, reader, stream, path, digest, quarantine, progress)
        finally:
            if path != "-":
                stream.close()
        state.inputs.append((path, digest.hexdigest() if path != "-" else None))
    return state


def _run_one(plan, state, reader, stream, path, digest, quarantine, progress) -> None:  # type: ignore[no-untyped-def]
    limit = plan.evidence_limit
    zone = plan.zone
    time_field = plan.schema.time_field
    id_field = plan.schema.id_field
    start, end = plan.period_start, plan.period_end
    round_money = plan.money.round
    key_functions = list(dict.fromkeys(sp.window_key for sp in plan.standards))
    prepared = [
        (sp, state.standards[sp.index], key_functions.index(sp.window_key))
        for sp in plan.standards
    ]
    steps = [_step(sp, st, slot, limit, round_money, path, id_field) for sp, st, slot in prepared]
    read = accepted = outside = 0
    for item in reader.read(stream, path, digest):
        read += 1
        if progress is not None and not read & 0xFFFF:
            progress(read)
        if type(item) is Rejection:
            state.rejected += 1
            if len(state.rejections) < limit:
                state.rejections.append(
                    RejectedLine(item.source, item.line, item.field, item.reason)
                )
            if quarantine is not None:
                quarantine(item)
            continue
        accepted += 1
        moment = item[time_field]
        if (start is not None and moment < start) or (end is not None and moment >= end):
            outside += 1
            continue
        local = moment.astimezone(zone)
        keys = [function(local) for function in key_functions]
        for step in steps:
            step(item, keys, moment, local)
    state.read += read
    state.accepted += accepted
    state.outside += outside


def _step(sp: StandardPlan, st: StandardState, slot: int, limit: int,
          round_money: Callable[[Decimal], Decimal], path: str,
          id_field: str) -> Callable[[dict[str, object], list[int], object, object], None]:
    """Stage 1 and 2 of one standard for one record, as one closure."""
    scope, exclusions, requirement = sp.scope, sp.exclusions, sp.requirement
    group_key, penalty, cap_key = sp.group_key, sp.penalty, sp.cap_key
    tallies, penalties = st.tallies, st.penalties
    keep_times = sp.keeps_breach_times

    def step(record: dict[str, object], keys: list[int], moment: object, local: object) -> None:
        if scope is not None and scope(record) != PASS:
            return
        window = keys[slot]
        key = (window, group_key(record) if group_key is not None else None)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally()
        for excluded, reason in exclusions:
            if excluded(record) == PASS:
                tally.excluded += 1
                tally.exclusions[reason] = tally.exclusions.get(reason, 0) + 1
                return
        outcome = requirement(record)
        if outcome == PASS:
            tally.passed += 1
            return
        if outcome == PENDING:
            tally.pending += 1
            return
        tally.breached += 1
        ref = RecordRef(str(record[id_field]), record["_line"], path)  # type: ignore[arg-type]
        if len(tally.breaches) < limit:
            tally.breaches.append(ref)
        if outcome == OVERDUE:
            st.overdue_total += 1
            if len(st.overdue) < limit:
                st.overdue.append(ref)
        if keep_times:
            st.breach_times.append((moment, ref))  # type: ignore[arg-type]
        if penalty is not None:
            amount = penalty(record)
            if amount is None:
                return
            amount = round_money(amount)
            bucket = cap_key(local) if cap_key is not None else window  # type: ignore[arg-type]
            total = penalties.get(bucket)
            if total is None:
                total = penalties[bucket] = PenaltySum()
            total.gross += amount
            total.breaches += 1
            st.record_penalties_total += 1
            if len(st.record_penalties) < limit:
                st.record_penalties.append((ref, amount))

    return step
