"""The money and the rulings of a standard, each with its arithmetic and its records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypeVar

from slacheck._words import ordinal
from slacheck.explain._wording import clock, ref_text, rule_matches
from slacheck.explain.reading import Bucket, Reading
from slacheck.findings import Escalation, PenaltyWindow, StandardResult, StrikeFee
from slacheck.plan import AnyBreach, BreachesWithin, ConsecutiveMissed
from slacheck.reporters._format import printable
from slacheck.windows import window

_Reached = TypeVar("_Reached", StrikeFee, Escalation)


class Consequences(Reading):
    """Penalties, credits, rewards, fees, payments and disqualification, as the run found them."""

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

    def _consequences(self, found: StandardResult, selected: list[Bucket] | None) -> list[str]:
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
            out += self._reached(
                [item for item in found.escalations if item.rule == step.text], labels,
                lambda each, refs: f"  reached at {each.at.isoformat()}, when {each.window} "
                                   f"closed: {printable(each.step)}; missed "
                                   f"{', '.join(each.windows)}; records: {refs}")
        for rule in sp.consequences.disqualify:
            out.append("")
            match rule:
                case ConsecutiveMissed(count=count):
                    words = f"after {count} consecutive missed windows of one group"
                case BreachesWithin(count=count, length=length):
                    words = f"after {count} breaches less than {clock(length)} apart"
                case AnyBreach():
                    words = "on any breach"
            run = (f"; the longest run of missed windows is {found.longest_missed_run}"
                   if isinstance(rule, ConsecutiveMissed) else "")
            out.append(f"disqualify {words}{run}")
            hits = [item for item in found.disqualifications
                    if rule_matches(rule, item.rule)]
            if not hits:
                out.append("  not met: no disqualification under this rule")
            for hit in hits:
                windows = f" after {', '.join(hit.windows)}" if hit.windows else ""
                refs = ", ".join(ref_text(ref) for ref in hit.records[:self.limit])
                out.append(f"  disqualified at {hit.at.isoformat()}{windows}: {hit.rule}; "
                           f"records: {refs}")
        return out

    def _reached(self, items: Iterable[_Reached], labels: set[str] | None,
                 line: Callable[[_Reached, str], str]) -> list[str]:
        """A line per item (a fee at an Nth breach, an escalation step) of a window in
        `labels` (all when None), given the first records it used; or that none was reached."""
        shown = [item for item in items if labels is None or item.window in labels]
        if not shown:
            return ["  not reached" + (" in this window" if labels else "")]
        return [line(item, ", ".join(ref_text(ref) for ref in item.records[:self.limit]))
                for item in shown]

    def _strikes_and_payments(self, found: StandardResult,
                              labels: set[str] | None) -> list[str]:
        """The amounts due at every Nth breach, each with the breaches it used, and what the
        customer owes for the records, per window."""
        out: list[str] = []
        currency = self.currency
        if self.sp.consequences.strike is not None:
            out += ["", f"penalty: {self._penalty_clause('strike')}"]
            out += self._reached(
                found.strikes, labels,
                lambda fee, used: f"  {fee.window}: due at {fee.at.isoformat()}, the "
                                  f"{ordinal(len(fee.records))} breach: {fee.amount} "
                                  f"{currency}; breaches {used}")
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
