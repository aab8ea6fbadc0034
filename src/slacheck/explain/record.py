"""One record under one standard: each clause evaluated on it, with the values it reads."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slacheck import ast
from slacheck.compiler import PASS, PENDING
from slacheck.engine.rolling import window_ends
from slacheck.explain._wording import (
    FAILURES,
    LITERALS,
    OUTCOME_WORDS,
    ROUNDING,
    TRUTH_WORDS,
    Unreadable,
    apart,
    clock,
    exact_text,
    reason_of,
    source_text,
    value_text,
)
from slacheck.explain.reading import ExplainError, Reading
from slacheck.reporters._format import fraction, number, printable
from slacheck.windows import window


class RecordTrace(Reading):
    """Each clause of a standard on one record, and the amount it owes."""

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
        fields = ", ".join(f"{name} {value_text(item.get(name))}" for name in schema.names
                           if name != schema.id_field)
        out.append(f"  fields: {printable(fields)}")
        moment: datetime = item[schema.time_field]
        place = self._place(item)
        if place is None:
            out.append(f"  {schema.time_field} {moment.isoformat()} is outside the contract "
                       "period: the record is in no window")
            return "\n".join(out) + "\n"
        key, group = place
        if isinstance(group, Unreadable):
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
            steps.append(("for", model.scope.node, TRUTH_WORDS))
        for each in model.exclusions:
            steps.append((f"except ({printable(each.reason)})", each.when.node,
                          TRUTH_WORDS))
        written = model.require.span is not None
        if written:
            steps.append(("require", model.require.node, OUTCOME_WORDS))
        for name, node, words in steps:
            try:
                outcome = self.compiler.truth(node)(item)
            except FAILURES as error:
                out.append(f"  {name}: cannot be evaluated: {reason_of(error)}: an evaluation "
                           "error, left out of the counts")
                break
            lines = self._clause_lines(node, item, words)
            out.append(f"  {name}: `{printable(source_text(node))}`: {lines[0]}")
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
                text = f"cannot be evaluated: {reason_of(error)}"
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
            return exact_text(Fraction(amount), places)

        unpriced = "unpriced: a field the penalty needs is absent"
        base = value(node.amount)(item)
        if base is None:
            return unpriced
        steps = [] if isinstance(node.amount, ast.Money) else [
            f"{source_text(node.amount)} = {shown(base)} {currency}"]
        owed = Fraction(base)
        if node.delay is not None and node.per is not None:
            late = value(node.delay)(item)
            if not isinstance(late, timedelta):
                return unpriced + " (the delay is not known yet)"
            micros = max(late // timedelta(microseconds=1), 0)
            source = source_text(node.delay)
            said = f"delay{'' if source == 'delay' else ' ' + source} = {clock(late)}"
            if node.rounded is not None:
                direction, unit = node.rounded
                size = unit.microseconds
                micros = (-(-micros // size) if direction == "up" else micros // size) * size
                said += (f", rounded {direction} to {clock(timedelta(microseconds=size))}: "
                         f"{clock(timedelta(microseconds=micros))}")
            periods = Fraction(micros, node.per.microseconds)
            per = clock(timedelta(microseconds=node.per.microseconds))
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
                steps.append(f"at most {source_text(node.record_cap)} = {shown(cap)} {currency} "
                             "per breach")
                owed = Fraction(cap)
        if money.round_at != "record":
            result = f"{shown(owed)} {currency}, kept exact (the contract rounds " + (
                "each window's sum)" if money.round_at == "window" else "the totals)")
        else:
            rounded = money.round(ROUNDING.divide(Decimal(owed.numerator),
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
                lines = self._clause_lines(operand, item, TRUTH_WORDS)
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
            said += f" (`{printable(source_text(self.derived[node.name]))}`)"
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
                    lines = self._clause_lines(side, item, TRUTH_WORDS)
                    parts.append(f"`{printable(source_text(side))}`: {lines[0]}")
                    parts.extend("  " + line for line in lines[1:])
                return [f"{op.value} of two parts: {verdict}", *parts]
            case ast.Not(operand=operand):
                lines = self._clause_lines(operand, item, TRUTH_WORDS)
                return [f"not of `{printable(source_text(operand))}` ({lines[0]}): {verdict}",
                        *lines[1:]]
            case ast.Ref(name=name) if name in self.derived:
                derived = self.derived[name]
                lines = self._clause_lines(derived, item, words)
                return [f"{name} is `{printable(source_text(derived))}`: {lines[0]}", *lines[1:]]
        said = self._found(node, item)
        if isinstance(node, ast.Compare | ast.In):
            said += f", so `{printable(source_text(node))}` is {TRUTH_WORDS[outcome]}"
            if words is TRUTH_WORDS:
                return [said]
        elif isinstance(node, ast.Ref) and words is TRUTH_WORDS:
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
                    return f"{source_text(start)} is absent: the clock has not started"
                if allowed is None:
                    return f"the limit {source_text(limit)} is unknown"
                due = started + allowed
                if happened is None:
                    late = self.plan.as_of > due
                    return (f"{source_text(event)} is absent; it was due by {value_text(due)} "
                            f"({value_text(allowed)} after {source_text(start)} "
                            f"{value_text(started)}), and "
                            + (f"as of {self.plan.as_of.isoformat()} it is overdue" if late
                               else f"that is after {self.plan.as_of.isoformat()}, the "
                                    "evaluation time"))
                return (f"{source_text(event)} {value_text(happened)} is "
                        f"{apart(happened, started)} {source_text(start)} {value_text(started)}; "
                        f"limit {value_text(allowed)}")
            case ast.Compare(left=left, right=right):
                a, b = value(left, item), value(right, item)
                read = [self._side(side, found) for side, found in ((left, a), (right, b))
                        if not self._literal(side)]
                both = ", ".join(read) or "constants only"
                if isinstance(a, datetime) and isinstance(b, datetime):
                    both = (f"{source_text(left)} {value_text(a)} is {apart(a, b)} "
                            f"{source_text(right)} {value_text(b)}")
                return both
            case ast.In(operand=operand, items=items, negated=negated):
                a = value(operand, item)
                listed = ", ".join(source_text(each) for each in items)
                del listed, negated  # the clause, quoted beside it, lists them
                return self._side(operand, a)
        return self._side(node, value(node, item))

    def _literal(self, node: ast.Expr) -> bool:
        return isinstance(node, LITERALS) or (isinstance(node, ast.Ref)
                                               and id(node) in self.checked.enum_values)

    def _side(self, node: ast.Expr, found: Any) -> str:
        if self._literal(node):
            return source_text(node)
        return f"{source_text(node)} {value_text(found)}"

    def _read(self, node: ast.Expr, item: dict[str, Any]) -> Any:
        try:
            return self.compiler.value(node)(item)
        except FAILURES as error:
            return Unreadable(reason_of(error))
