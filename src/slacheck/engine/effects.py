"""What a rare event of one record does to a standard's state: a breach (evidence, money,
its time), an evaluation error, a scope that cannot be decided, an implausible record.

The generated per-record code (`codegen`) calls these closures, one set per standard, only
on those rare paths; the common path only bumps counters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from slacheck._money import add
from slacheck.compiler import OVERDUE, ClauseEvaluationError
from slacheck.engine.state import PenaltySum, StandardState, Tally
from slacheck.findings import EvaluationError, RecordRef
from slacheck.plan import Plan, StandardPlan

FAILURES = (ArithmeticError, ValueError)
"""What evaluating a clause on one record may raise (a division by zero, a date out of
range): that record is an evaluation error of that standard, and the run goes on."""


def _ref(plan: Plan, record: dict[str, Any], path: str) -> RecordRef:
    return RecordRef(str(record[plan.schema.id_field]), record["_line"], path)


def on_undetermined(st: StandardState, plan: Plan,
                     path: str) -> Callable[[dict[str, Any]], None]:
    """A record whose `for` or `except` needs a field it lacks: counted and shown, since
    whether the standard applies to it is unknown."""
    limit = plan.evidence_limit

    def undetermined(record: dict[str, Any]) -> None:
        st.undetermined_total += 1
        if len(st.undetermined) < limit:
            st.undetermined.append(_ref(plan, record, path))

    return undetermined


def on_implausible(sp: StandardPlan, st: StandardState, plan: Plan,
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


def on_failure(sp: StandardPlan, st: StandardState, plan: Plan,
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


def _exact(amount: Decimal) -> Decimal:
    return amount


def on_breach(sp: StandardPlan, st: StandardState, plan: Plan,
               path: str) -> Callable[[dict[str, Any], Tally, int, datetime, datetime, int], None]:
    """What a breach records: its evidence, its money, and its time for disqualification."""
    limit = plan.evidence_limit
    id_field = plan.schema.id_field
    round_money: Callable[[Decimal], Decimal] = plan.money.round
    if plan.money.round_at != "record":  # each amount exact: the window or total rounds
        round_money = _exact
    rule, penalties = sp.consequences.penalty, st.penalties
    penalty = rule.amount if rule is not None else None
    cap_key = rule.cap_key if rule is not None else None
    cap_group = rule.cap_group if rule is not None else None
    deferred = rule is not None and rule.deferred
    keep_times = sp.consequences.keeps_breach_times
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
        if deferred and outcome == OVERDUE:  # owed once the record closes, not before
            st.deferred_total += 1
            st.deferred_gross = add(st.deferred_gross, amount)
            if len(st.deferred) < limit:
                st.deferred.append((ref, amount))
            return
        bucket: Any = cap_key(local) if cap_key is not None else window
        if cap_group is not None:  # each value of the field capped apart
            bucket = (bucket, cap_group(record))
        total = penalties.get(bucket)
        if total is None:
            total = penalties[bucket] = PenaltySum()
        total.gross = add(total.gross, amount)
        total.breaches += 1
        st.record_penalties_total += 1
        if len(st.record_penalties) < limit:
            st.record_penalties.append((ref, amount))

    return breach


