"""Stage 3, shared by every engine: targets, penalties and caps, credits, disqualification."""

from __future__ import annotations

import difflib
import math
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slacheck._money import add
from slacheck._money import total as money_total
from slacheck._source import Span
from slacheck._version import __version__
from slacheck._words import ordinal, plural
from slacheck.engine.rolling import rolled
from slacheck.engine.state import StandardState, State, Tally
from slacheck.findings import (
    Credit,
    Disqualification,
    Escalation,
    Implausible,
    Input,
    Lines,
    Payment,
    PenaltyWindow,
    PoolCap,
    RecordPenalty,
    RecordRef,
    RecordWarning,
    RejectionCause,
    Result,
    Reward,
    StandardResult,
    StrikeFee,
    Undeclared,
    WindowOutcome,
)
from slacheck.measures import Measure, Unit
from slacheck.model import Standard
from slacheck.plan import (
    AnyBreach,
    BreachesWithin,
    ConsecutiveMissed,
    CreditRule,
    EscalationRule,
    Plan,
    PoolPlan,
    StandardPlan,
    WindowAmount,
)
from slacheck.windows import key_function, window


def conclude(plan: Plan, state: State) -> Result:
    """Turn the merged stage-2 state into the `Result` reporters see."""
    standards = tuple(
        _standard(plan, sp, state.standards[sp.index]) for sp in plan.standards
    )
    found = [s.disqualification for s in standards if s.disqualification is not None]
    pools = tuple(cap for pool in plan.pools for cap in _pool(pool, standards))
    disqualification = min(found, key=lambda item: item.at) if found else None
    """The earliest of every standard's earliest; the others stay listed per standard."""
    contract = plan.contract
    _accounted(state)
    return Result(
        contract_id=contract.id,
        contract_title=contract.title,
        contract_path=contract.path,
        contract_sha256=contract.sha256,
        provider=contract.provider,
        customer=contract.customer,
        currency=plan.money.currency,
        timezone=plan.zone.key,
        as_of=plan.as_of,
        tool_version=__version__,
        inputs=tuple(Input(path, digest) for path, digest in state.inputs),
        lines=Lines(
            read=state.read,
            accepted=state.accepted,
            rejected=state.rejected,
            rejections=tuple(state.rejections),
            outside=state.outside,
            undeclared=_undeclared(plan, state),
            merged=state.merged,
            causes=_causes(state),
            warnings=tuple(RecordWarning(message, flagged.records, tuple(flagged.first))
                           for message in dict.fromkeys(_warning_messages(plan))
                           if (flagged := state.warnings.get(message)) is not None),
        ),
        standards=standards,
        disqualification=disqualification,
        pools=pools,
        evidence_limit=plan.evidence_limit,
        zero=plan.money.zero,
        total_rounding=plan.money.rounding if plan.money.round_at == "total" else None,
        rates=plan.rates,
        rounding=contract.rounding,
        round_at=plan.money.round_at,
    )


def _accounted(state: State) -> None:
    """Every line read is exactly one of accepted, rejected or merged, and every rejected
    line is under at least one cause: anything else is a bug (exit code 70), never a figure
    to report. Every run checks it, so every input of the test suite does too."""
    total = state.accepted + state.rejected + state.merged
    summed = sum(tally.lines for tally in state.causes.values())
    if state.read != total or not state.rejected <= summed <= len(state.causes) * max(
            state.rejected, 1):
        raise RuntimeError(f"lines not accounted for: {state.read} read, {state.accepted} "
                           f"accepted, {state.rejected} rejected, {state.merged} merged, "
                           f"{summed} under the causes of rejection")


def _causes(state: State) -> tuple[RejectionCause, ...]:
    """The causes of rejection, the commonest first; of as many, the one met first (the
    causes are kept in the order they were met, and the sort is stable)."""
    items = sorted(state.causes.items(), key=lambda item: -item[1].lines)
    return tuple(RejectionCause(field, cause, tally.lines, tuple(tally.first))
                 for (field, cause), tally in items)


def _pool(pool: PoolPlan, standards: tuple[StandardResult, ...]) -> list[PoolCap]:
    """The pool's credits per window, in window order; every window with a credit listed,
    whether or not the limit takes anything off."""
    held = [standard for standard in standards if standard.id in pool.standards]
    windows: dict[str, Decimal] = {}
    for standard in held:
        for credit in standard.credits:
            windows[credit.window] = add(windows.get(credit.window, Decimal(0)), credit.amount)
    return [PoolCap(pool.id, window, pool.standards, gross, pool.limit)
            for window, gross in sorted(windows.items())]


def _warning_messages(plan: Plan) -> list[str]:
    """Every warning a record may get, declared ones first, in the contract's order."""
    builtin = plan.plausible.messages if plan.plausible is not None else ()
    return [rule.message for rule in plan.rules if not rule.rejects] + list(builtin)


def _undeclared(plan: Plan, state: State) -> tuple[Undeclared, ...]:
    declared = plan.schema.names
    lowered = {name.lower(): name for name in declared}
    out = []
    for key, found in sorted(state.undeclared.items()):
        near = lowered.get(key.lower()) or next(
            iter(difflib.get_close_matches(key, declared, n=1, cutoff=0.75)), None)
        out.append(Undeclared(key, found.count, found.source, found.line, near))
    return tuple(out)


def _group(sp: StandardPlan, key: Any) -> tuple[tuple[str, str], ...]:
    if not sp.window.group_fields:
        return ()
    fields = sp.window.group_fields
    values = key if len(fields) > 1 else (key,)
    return tuple((name, _text(value)) for name, value in zip(fields, values, strict=True))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _order(item: tuple[tuple[int, Any], Tally]) -> tuple[int, tuple[str, ...]]:
    """Windows in time order, then groups by their values as text."""
    (window_key, group), _ = item
    values = group if isinstance(group, tuple) else (group,)
    return (window_key, tuple(_text(value) for value in values))


def _standard(plan: Plan, sp: StandardPlan, st: StandardState) -> StandardResult:
    outcomes: list[tuple[int, Any, WindowOutcome]] = []
    totals: list[list[Fraction | None]] = []
    measure = sp.measure
    tallies = st.tallies if sp.window.rolling is None else rolled(plan, sp, st.tallies)
    for (key, group), tally in sorted(tallies.items(), key=_order):
        totals.append([total.value(state, tally.passed, tally.breached) for (total, _), state
                       in zip(sp.consequences.totals, tally.totals, strict=True)])
        bounds = window(sp.window.period, key, plan.zone, sp.window.rolling)
        value = measure.value(tally.measured, tally.passed, tally.breached)
        sample = measure.sample(tally.measured, tally.passed, tally.breached)
        objective = sp.objective
        shown = _group(sp, group)
        target = status = None
        if objective is not None:
            one_group = shown[0][1] if len(shown) == 1 else None
            target = objective.target_for(one_group)
            status = objective.judge(value, sample, one_group).value
        outcome = WindowOutcome(
            label=bounds.label,
            start=bounds.start,
            end=bounds.end,
            closed=_closes(plan, bounds.end) <= plan.as_of,
            group=_group(sp, group),
            passed=tally.passed,
            breached=tally.breached,
            pending=tally.pending,
            excluded=tally.excluded,
            target=target,
            breaches=tuple(tally.breaches),
            exclusions=tuple(sorted(tally.exclusions.items())),
            measure=measure.label,
            unit=measure.unit.value,
            value=value,
            sample=sample,
            status=status or "no target",
            op=objective.op if objective is not None else ">=",
            warn=objective.warn if objective is not None and target is not None else None,
            minimum=objective.minimum if objective is not None else None,
        )
        outcomes.append((key, outcome.group, outcome))
    missed = [(key, group, o) for key, group, o in outcomes if o.closed and o.met is False]
    owed = _WindowAmounts(plan, sp)
    for (_, _, outcome), values in zip(outcomes, totals, strict=True):
        owed.add(outcome, values)
    strikes = _strikes(plan, sp, st)
    penalty_windows = (_penalty_windows(plan, sp, st) + tuple(owed.penalties)
                       + _strike_lines(strikes))
    run = _longest_run(missed, None, plan)[0]
    found: list[Disqualification] = []
    for rule in sp.consequences.disqualify:
        match rule:
            case ConsecutiveMissed(count=count):
                hit = _longest_run(missed, count, plan)[1]
            case BreachesWithin(count=count, length=length):
                hit = _breaches_within(plan, st, count, length)
            case AnyBreach():
                hit = _any_breach(plan, st)
        if hit is not None:
            found.append(hit)
    found.sort(key=lambda item: item.at)  # stable: rules that fall due together keep their order
    escalations = _escalations(plan, sp, outcomes)
    disqualifications = tuple(_with_standard(hit, sp) for hit in found)
    return StandardResult(
        id=sp.id,
        title=sp.title,
        clauses=sp.clauses,
        windows=tuple(o for _, _, o in outcomes),
        penalty_windows=penalty_windows,
        record_penalties=tuple(RecordPenalty(ref, amount) for ref, amount in st.record_penalties),
        record_penalties_total=st.record_penalties_total,
        unpriced=tuple(st.unpriced),
        unpriced_total=st.unpriced_total,
        penalties=money_total((item.net for item in penalty_windows), plan.money.zero),
        credits=tuple(owed.credits),
        rewards=tuple(owed.rewards),
        payments=tuple(owed.payments),
        unpriced_windows=tuple(owed.unpriced),
        missed_windows=tuple(dict.fromkeys(o.label for _, _, o in missed)),
        longest_missed_run=run,
        overdue_open=tuple(st.overdue),
        overdue_open_total=st.overdue_total,
        strikes=strikes,
        deferred=tuple(RecordPenalty(ref, amount) for ref, amount in st.deferred),
        deferred_total=st.deferred_total,
        deferred_amount=_deferred(plan, st),
        rates=tuple(rate for rate in plan.rates if rate.currency in sp.consequences.currencies),
        disqualifications=disqualifications,
        escalations=escalations,
        scope_undetermined=tuple(st.undetermined),
        scope_undetermined_total=st.undetermined_total,
        evaluation_errors=tuple(st.errors),
        evaluation_errors_total=st.errors_total,
        implausible=tuple(Implausible(label, st.implausible_totals[label], tuple(refs))
                          for label, refs in sorted(st.implausible.items())),
        zero=plan.money.zero,
        clause_lines=_clause_lines(plan.contract.standard(sp.id)),
        records=None if sp.window.rolling is None else _counts(st),
    )


def _deferred(plan: Plan, st: StandardState) -> Decimal:
    """The deferred amounts' sum, rounded as the penalties they will become would be."""
    if plan.money.round_at == "window":
        return plan.money.round(st.deferred_gross)
    return money_total([st.deferred_gross], plan.money.zero)


def _counts(st: StandardState) -> tuple[int, int, int, int]:
    """A standard's counts over its day tallies, for windows that overlap (rolling)."""
    tallies = st.tallies.values()
    return (sum(t.passed for t in tallies), sum(t.breached for t in tallies),
            sum(t.pending for t in tallies), sum(t.excluded for t in tallies))


def _clause_lines(standard: Standard | None) -> tuple[tuple[str, int], ...]:
    """Where the standard and each of its clauses stand in the contract file."""
    if standard is None:
        return ()
    spans: list[tuple[str, Span | None]] = [("standard", standard.span)]
    spans.extend((kind, clause.span) for kind, clause, _ in standard.in_order())
    return tuple((kind, span.line) for kind, span in spans if span is not None)


def _label(outcome: WindowOutcome) -> str:
    if not outcome.group:
        return outcome.label
    return outcome.label + " " + ", ".join(f"{name}={value}" for name, value in outcome.group)


class _WindowAmounts:
    """The amounts due per closed window: a penalty or a credit when it missed its target,
    a reward when it met it; each computed exactly from the window's totals and rounded
    once, with its arithmetic."""

    def __init__(self, plan: Plan, sp: StandardPlan) -> None:
        self.plan, self.sp = plan, sp
        self.penalties: list[PenaltyWindow] = []
        self.credits: list[Credit] = []
        self.rewards: list[Reward] = []
        self.payments: list[Payment] = []
        self.unpriced: list[str] = []

    def add(self, outcome: WindowOutcome, values: list[Fraction | None]) -> None:
        sp, label = self.sp, _label(outcome)
        shown = "; ".join(f"{total.label} = {self._show(value, total)}"
                          for (total, _), value in zip(sp.consequences.totals, values, strict=True))
        if sp.consequences.payment is not None:  # every window, met or not, open or closed
            self._payment(sp.consequences.payment, outcome, values, label)
        if not outcome.closed or outcome.met is None:
            return
        if outcome.met is False and sp.consequences.window_penalty is not None:
            found = self._amount(sp.consequences.window_penalty, values, label)
            if found is not None:
                amount, said = found
                self.penalties.append(PenaltyWindow(
                    label, amount, amount, None, outcome.breached,
                    _joined(shown, f"{sp.consequences.window_penalty.text} = {said}")))
        if outcome.met is False and sp.consequences.credit is not None:
            before = len(self.credits)
            self._credit(sp.consequences.credit, outcome, values, label, shown)
            self.credits[before:] = [replace(item, window=outcome.label)
                                     for item in self.credits[before:]]
        if outcome.met is True and sp.consequences.reward is not None:
            found = self._amount(sp.consequences.reward, values, label)
            if found is not None:
                amount, said = found
                self.rewards.append(Reward(label, amount, _joined(
                    shown, f"{sp.consequences.reward.text} = {said}")))

    def _payment(self, rule: WindowAmount, outcome: WindowOutcome,
                 values: list[Fraction | None], label: str) -> None:
        """The window's payments: nothing when no record of it had a known amount."""
        exact = rule.evaluate(values)
        if exact is None:
            return
        amount = self.plan.money.round_exact(exact)
        self.payments.append(Payment(label, amount, outcome.closed,
                                     f"{rule.text}, summed over the window's records = "
                                     f"{amount}"))

    def _credit(self, rule: CreditRule, outcome: WindowOutcome, values: list[Fraction | None],
                label: str, shown: str) -> None:
        if rule.bands:
            self._band(rule, outcome, values, label, shown)
            return
        assert rule.amount is not None
        exact = rule.amount.evaluate(values)
        if exact is None:
            self.unpriced.append(label)
            return
        if not rule.per_point:
            amount = self.plan.money.round_exact(exact)
            self.credits.append(Credit(label, amount,
                                       _joined(shown, f"{rule.amount.text} = "
                                                      f"{self._said(exact, amount)}")
                                       if shown else ""))
            return
        assert outcome.value is not None  # a missed window was measured against a target
        assert outcome.target is not None
        points = math.floor((Fraction(outcome.target) - outcome.value) * 100)
        gross = exact * points
        how = (f"{points} full {plural(points, 'point')} below {_percent(outcome.target)} "
               f"x {rule.amount.text} ({self.plan.money.round_exact(exact)})")
        if rule.cap is not None:
            cap = rule.cap.evaluate(values)
            if cap is None:
                self.unpriced.append(label)
                return
            if gross > cap:
                how += f" = {self.plan.money.round_exact(gross)}, at most {rule.cap.text}"
                gross = cap
        amount = self.plan.money.round_exact(gross)
        self.credits.append(Credit(label, amount, _joined(
            shown, f"{how} = {self._said(Fraction(gross), amount)}")))

    def _band(self, rule: CreditRule, outcome: WindowOutcome, values: list[Fraction | None],
              label: str, shown: str) -> None:
        """The credit of the band that holds the window's figure; none when no band does."""
        value = outcome.value
        band = next((band for band in rule.bands if value is not None and band.holds(value)),
                    None)
        if band is None:
            return
        found = self._amount(band.amount, values, label)
        if found is not None:
            amount, said = found
            figure = _percent(value) if outcome.unit == "share" else str(value)
            self.credits.append(Credit(label, amount, _joined(
                shown, f"{figure} is in the band {band.text} = {said}")))

    def _amount(self, rule: WindowAmount, values: list[Fraction | None],
                label: str) -> tuple[Decimal, str] | None:
        """The amount, rounded, and how its arithmetic ends; None when it is unpriced."""
        exact = rule.evaluate(values)
        if exact is None:
            self.unpriced.append(label)
            return None
        amount = self.plan.money.round_exact(exact)
        return amount, self._said(exact, amount)

    def _said(self, exact: Fraction, amount: Decimal) -> str:
        """`10.065, rounded half up to 10.07` when rounding changed the amount, else the
        amount alone."""
        if Fraction(amount) == exact:
            return str(amount)
        mode = self.plan.contract.rounding.replace("_", " ")
        return f"{_decimal(exact)}, rounded {mode} to {amount}"

    def _show(self, value: Fraction | None, total: Measure) -> str:
        if value is None:
            return "none"
        if total.unit is Unit.MONEY:
            return str(self.plan.money.round_exact(value))
        return str(value) if value.denominator == 1 else str(float(value))


def _decimal(value: Fraction) -> str:
    """An exact amount in decimals: all of them when they end (`10.065`), else six and
    an ellipsis (`3.333333...`)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        digits = 0
        while (value * 10 ** digits).denominator != 1:
            digits += 1
        return f"{Decimal(value.numerator) / Decimal(value.denominator):.{digits}f}"
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.6f}..."


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _percent(value: Any) -> str:
    shown = Decimal(value.numerator) / Decimal(value.denominator) * 100 \
        if isinstance(value, Fraction) else Decimal(value) * 100
    return f"{shown.normalize():f}%"


def _penalty_windows(plan: Plan, sp: StandardPlan, st: StandardState) -> tuple[PenaltyWindow, ...]:
    rule = sp.consequences.penalty
    if rule is None:
        return ()
    period = rule.cap_period or sp.window.period
    out = []
    for bucket, total in sorted(st.penalties.items(), key=_bucket_order):
        gross = plan.money.round(total.gross) if plan.money.round_at == "window" else total.gross
        net = min(gross, rule.cap) if rule.cap is not None else gross
        key, group = bucket if isinstance(bucket, tuple) else (bucket, None)
        label = rule.cap_label(key) if rule.cap_label is not None else \
            window(period, key, plan.zone).label
        if isinstance(bucket, tuple):  # capped per value of a field
            label += f" {rule.cap_field}={_text(group)}"
        out.append(PenaltyWindow(label, gross, net, rule.cap, total.breaches,
                                 exact=total.gross if total.gross != gross else None))
    return tuple(out)


def _strikes(plan: Plan, sp: StandardPlan, st: StandardState) -> tuple[StrikeFee, ...]:
    """The amounts due at every Nth breach within a period, in time order. A breach counts
    towards one amount only: once N breaches fall within (t - period, t], the amount is due
    at t and the count starts again from the next breach."""
    rule = sp.consequences.strike
    if rule is None:
        return ()
    times = sorted(st.breach_times, key=lambda item: (item[0], item[1].source, item[1].line))
    counted: list[tuple[datetime, RecordRef]] = []
    out = []
    for at, ref in times:
        counted = [item for item in counted if at - item[0] < rule.within]
        counted.append((at, ref))
        if len(counted) == rule.count:
            local = at.astimezone(plan.zone)
            label = window(sp.window.period, key_function(sp.window.period)(local), plan.zone).label
            out.append(StrikeFee(rule.text, local, label, rule.amount,
                                 tuple(item for _, item in counted)))
            counted = []
    return tuple(out)


def _strike_lines(strikes: tuple[StrikeFee, ...]) -> tuple[PenaltyWindow, ...]:
    """Each amount due at an Nth breach as a line of the ledger, with how it fell due (the
    breaches it used up are its N)."""
    return tuple(PenaltyWindow(fee.window, fee.amount, fee.amount, None, len(fee.records),
                               f"{fee.rule}: the {ordinal(len(fee.records))} breach at "
                               f"{fee.at.isoformat()} = {fee.amount}", fee.records)
                 for fee in strikes)


def _bucket_order(item: tuple[Any, Any]) -> tuple[int, str]:
    bucket = item[0]
    if isinstance(bucket, tuple):
        return bucket[0], _text(bucket[1])
    return bucket, ""


def _closes(plan: Plan, end: Any) -> Any:
    """A window closes at its end or at the contract's end, whichever is first."""
    return end if plan.period_end is None else min(end, plan.period_end)


def _longest_run(
    missed: list[tuple[int, Any, WindowOutcome]], needed: int | None, plan: Plan
) -> tuple[int, Disqualification | None]:
    """The longest run of consecutive missed windows of one group, and the disqualification
    it causes, effective when the window that completes `needed` misses closes."""
    runs: dict[Any, tuple[int, int, list[WindowOutcome]]] = {}
    longest = 0
    found: Disqualification | None = None
    for key, group, outcome in missed:
        last_key, length, chain = runs.get(group, (key - 2, 0, []))
        if key == last_key + 1:
            length, chain = length + 1, [*chain, outcome]
        else:
            length, chain = 1, [outcome]
        runs[group] = (key, length, chain)
        longest = max(longest, length)
        if needed is not None and length == needed:
            candidate = Disqualification(
                standard="",
                rule=f"target missed in {needed} consecutive windows",
                at=_closes(plan, outcome.end),
                records=tuple(ref for item in chain for ref in item.breaches),
                windows=tuple(_label(item) for item in chain),
            )
            if found is None or candidate.at < found.at:
                found = candidate
    return longest, found


def _escalations(plan: Plan, sp: StandardPlan,
                 outcomes: list[tuple[int, Any, WindowOutcome]]) -> tuple[Escalation, ...]:
    """The ladder's step reached at each missed closed window of each group: of the rules
    with a look-back, the highest whose count the misses within it reach (windows before
    the data, or the contract, count as no miss); a rule of misses in a row when the run
    reaches its count."""
    if not sp.consequences.escalations:
        return ()
    missed: dict[Any, dict[int, WindowOutcome]] = {}
    for key, group, outcome in outcomes:
        if outcome.closed and outcome.met is False:
            missed.setdefault(group, {})[key] = outcome
    found: list[Escalation] = []
    for misses in missed.values():
        for key, outcome in sorted(misses.items()):
            reached: list[tuple[EscalationRule, list[WindowOutcome]]] = []
            for rule in sp.consequences.escalations:
                if rule.within is not None:
                    counted = [misses[k] for k in range(key - rule.within + 1, key + 1)
                               if k in misses]
                else:
                    run = key
                    while run - 1 in misses:
                        run -= 1
                    counted = [misses[k] for k in range(run, key + 1)]
                    if len(counted) != rule.count:
                        continue
                if len(counted) >= rule.count:
                    reached.append((rule, counted))
            ladder = [item for item in reached if item[0].within is not None]
            if ladder:  # the highest step of the look-back ladder, the later-listed on a tie
                reached = [max(reversed(ladder), key=lambda item: item[0].count),
                           *(item for item in reached if item[0].within is None)]
            for rule, counted in reached:
                found.append(Escalation(
                    rule.text, rule.step, _label(outcome), _closes(plan, outcome.end),
                    tuple(_label(item) for item in counted),
                    tuple(ref for item in counted for ref in item.breaches)))
    found.sort(key=lambda item: item.at)
    return tuple(found)


def _breaches_within(plan: Plan, st: StandardState, count: int,
                     length: Any) -> Disqualification | None:
    """The first time `count` breaches fall within any period of the given length.

    A period is half-open: breaches exactly the length apart are not within it.
    """
    times = sorted(st.breach_times, key=lambda item: (item[0], item[1].source, item[1].line))
    for last in range(count - 1, len(times)):
        first = last - count + 1
        if times[last][0] - times[first][0] < length:
            return Disqualification(
                standard="",
                rule=f"{count} breaches within {_days(length)}",
                at=times[last][0].astimezone(plan.zone),
                records=tuple(ref for _, ref in times[first : last + 1]),
            )
    return None


def _any_breach(plan: Plan, st: StandardState) -> Disqualification | None:
    if not st.breach_times:
        return None
    at, ref = min(st.breach_times, key=lambda item: (item[0], item[1].source, item[1].line))
    return Disqualification("", "a critical breach", at.astimezone(plan.zone), (ref,))


def _days(length: Any) -> str:
    seconds = int(length.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} {plural(seconds // 86400, 'day')}"
    hours = seconds / 3600
    return f"{hours:g} {'hour' if hours == 1 else 'hours'}"  # 1.5 hours


def _with_standard(found: Disqualification, sp: StandardPlan) -> Disqualification:
    return Disqualification(sp.id, found.rule, found.at, found.records, found.windows)

