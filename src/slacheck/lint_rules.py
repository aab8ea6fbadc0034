"""The lint rules: warnings about contracts that check but may not mean what their author
thinks (a target of 0.97%, a cap below one penalty, a parameter nothing uses).

They read the loaded contract only, never records, and never stop `verify`: `slacheck
lint` reports them (and fails on them with `--strict`). The checker's own warnings
(SLA301, SLA302) need the types it computes and stay there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, DivisionByZero, InvalidOperation

from slacheck import ast
from slacheck._source import Span
from slacheck.diagnostics import (
    CAP_BELOW_PENALTY,
    NO_CONSEQUENCE,
    PERCENT_SCALE,
    TIER_NEVER_MATCHES,
    UNUSED_DERIVED,
    UNUSED_FIELD,
    UNUSED_PARAMETER,
    WARNING_NEVER,
    WINDOW_LONGER_THAN_CONTRACT,
    Code,
    Diagnostic,
    order,
)
from slacheck.model import Clause, Contract, Standard
from slacheck.types import Kind, Scale


def advise(contract: Contract, *, complete: bool = True) -> list[Diagnostic]:
    """Every lint warning of `contract`. With `complete` false (parts of the contract did
    not load or check), what is declared and unused is not reported: the clause that uses
    it may be the one that is broken."""
    rules = _Rules(contract)
    if complete:
        rules.unused()
    for standard in contract.standards:
        rules.standard(standard)
    return sorted(rules.found, key=order)


@dataclass(frozen=True, slots=True)
class _Literal:
    """A constant's value and unit: `Decimal` amounts, numbers and fractions; durations
    in microseconds (as `Decimal` too). `unit` is the kind, with the currency for money."""

    value: Decimal
    unit: str


def _clauses(standard: Standard) -> Iterator[Clause[ast.Node]]:
    yield standard.require
    if standard.scope is not None:
        yield standard.scope
    for exclusion in standard.exclusions:
        yield exclusion.when
    yield from standard.penalties
    for clause in (standard.target, standard.credit, standard.reward, standard.payment):
        if clause is not None:
            yield clause
    for band in standard.credit_bands:
        yield from (clause for clause in (band.low, band.high, band.amount) if clause is not None)
    yield from standard.disqualify


class _Rules:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.found: list[Diagnostic] = []
        self.parameters = {named.name: named for named in contract.parameters}
        self.constants: dict[str, _Literal | None] = {}
        """Parameter values computed so far; None while one is computed (a cycle) or
        when it is no constant of literals."""
        self.fields = {spec.name: spec for spec in contract.schema.fields}

    def _warn(self, code: Code, message: str, span: Span | None, hint: str) -> None:
        self.found.append(Diagnostic(code, message, span, (hint,), file=self.contract.path))

    # declared and unused
    def unused(self) -> None:
        used: set[str] = {self.contract.schema.id_field, self.contract.schema.time_field}
        contract = self.contract
        nodes: list[ast.Node] = [named.clause.node for named in
                                 (*contract.parameters, *contract.derived)]
        nodes += [rule.when.node for rule in (*contract.reject, *contract.warn)]
        nodes += [pool.limit.node for pool in contract.pools]
        for standard in self.contract.standards:
            nodes += [clause.node for clause in _clauses(standard)]
            nodes.append(standard.window)
            if standard.breach_time is not None:
                used.add(standard.breach_time)
        used.update(ref.name for node in nodes for ref in ast.refs(node))
        for named in self.contract.parameters:
            if named.name not in used:
                self._warn(UNUSED_PARAMETER, f"the parameter `{named.name}` is never used",
                           named.span, "use it in a clause, or remove it")
        for named in self.contract.derived:
            if named.name not in used:
                self._warn(UNUSED_DERIVED, f"the derived field `{named.name}` is never used",
                           named.span, "use it in a clause, or remove it")
        for spec in self.contract.schema.fields:
            if spec.name not in used:
                self._warn(UNUSED_FIELD, f"the field `{spec.name}` is read by no clause",
                           spec.span, "use it in a clause, or remove it if the data need "
                           "not have it (a declared field is still checked in every record)")

    # one standard
    def standard(self, standard: Standard) -> None:
        if (standard.target is None and not standard.penalties and standard.credit is None
                and not standard.credit_bands and standard.reward is None
                and standard.payment is None
                and not standard.disqualify):
            self._warn(NO_CONSEQUENCE, f"the standard `{standard.id}` has no target and no "
                       "consequence: its breaches change no verdict", standard.span,
                       "add a target (`target: 97% per month`) or a consequence (`penalty`, "
                       "`credit`, `disqualify`), or keep it as a standard that only reports")
        for clause in _clauses(standard):
            self._ratio_scale(clause.node)
        if standard.target is not None:
            self._target(standard, standard.target.node)
        penalty = standard.penalty.node if standard.penalty is not None else None
        if penalty is not None and penalty.cap is not None:
            self._cap(penalty, penalty.cap)
        self._window_fits(standard)

    def _target(self, standard: Standard, target: ast.Target) -> None:
        rates: list[tuple[ast.Percent, ast.Tier | None]] = (
            [(target.rate, None)] if target.rate is not None else [])
        rates += [(tier.rate, tier) for tier in target.tiers]
        for rate, _ in rates:
            if 0 < rate.value < Decimal("0.01"):
                shown = _percent(rate.value)
                meant = _percent(rate.value * 100)
                self._warn(PERCENT_SCALE, f"a target of {shown} is met by nearly any window",
                           rate.span, f"a percentage is out of 100: write `{meant}` if "
                           f"{meant} was meant")
        if target.measure is not None and target.goal is not None:
            self._measure_scale(target.measure, target.goal)
        if target.warn is not None:
            self._warning_line(target, rates)
        if target.tiers and standard.window.by:
            self._tiers(standard, target.tiers, standard.window.by[0].name)

    def _warning_line(self, target: ast.Target,
                      rates: list[tuple[ast.Percent, ast.Tier | None]]) -> None:
        assert target.warn is not None
        warn = self._value(target.warn)
        if warn is None:
            return
        if target.measure is None:
            never = [tier for rate, tier in rates if warn.value <= rate.value]
            if never and len(never) == len(rates):
                line = _percent(warn.value)
                self._warn(WARNING_NEVER, f"the warning line {line} is at or below the target, "
                           "so no met window can be warned", target.warn.span,
                           "put the line above the target: `97% per month, warn below 99%`")
            elif never:
                groups = ", ".join(f"`{tier.group}`" for tier in never if tier is not None)
                self._warn(WARNING_NEVER, f"the warning line is at or below the target of "
                           f"{groups}, so those groups are never warned", target.warn.span,
                           "put the line above every group's target")
            return
        goal = self._value(target.goal) if target.goal is not None else None
        if goal is None or goal.unit != warn.unit:
            return
        upward = target.op in (ast.CmpOp.GE, ast.CmpOp.GT)
        if (upward and warn.value <= goal.value) or (not upward and warn.value >= goal.value):
            side, other = ("below", "above") if upward else ("above", "below")
            self._warn(WARNING_NEVER, f"the warning line is not {other} the target, so no "
                       "met window can be warned", target.warn.span,
                       f"`warn {side}` a line on the met side of the target: "
                       f"{'above' if upward else 'below'} it")

    def _tiers(self, standard: Standard, tiers: tuple[ast.Tier, ...], grouping: str) -> None:
        allowed: set[str] | None = None
        refused: set[str] = set()
        if standard.scope is not None:
            for term in _conjuncts(standard.scope.node, ast.BoolOp.AND):
                values, negated = _values_of(term, grouping)
                if values is None:
                    continue
                if negated:
                    refused |= values
                else:
                    allowed = values if allowed is None else allowed & values
        for exclusion in standard.exclusions:
            for term in _conjuncts(exclusion.when.node, ast.BoolOp.OR):
                values, negated = _values_of(term, grouping)
                if values is not None and not negated:
                    refused |= values
        for tier in tiers:
            if (allowed is not None and tier.group not in allowed) or tier.group in refused:
                self._warn(TIER_NEVER_MATCHES, f"no record of `{tier.group}` is ever counted: "
                           f"the standard's `for` or `except` leaves it out", tier.span,
                           f"remove this target, or let `{tier.group}` into the scope")

    def _ratio_scale(self, node: ast.Node) -> None:
        """A ratio (a fraction) compared with a number above 1: `fill_rate >= 97`."""
        for item in ast.walk(node):
            if not isinstance(item, ast.Compare):
                continue
            for side, other in ((item.left, item.right), (item.right, item.left)):
                if (isinstance(side, ast.Ref) and self._is_ratio(side.name)
                        and isinstance(other, ast.Number) and other.value > 1):
                    self._warn(PERCENT_SCALE, f"`{side.name}` is a ratio (a fraction: 97% is "
                               f"0.97), compared with {other.value}", other.span,
                               f"write `{other.value}%` if {other.value} percent was meant")

    def _is_ratio(self, name: str) -> bool:
        spec = self.fields.get(name)
        return (spec is not None and spec.type.kind is Kind.NUMBER
                and spec.type.scale is Scale.RATIO)

    def _measure_scale(self, measure: ast.Measure, goal: ast.Expr) -> None:
        if isinstance(measure, ast.Ratio) and isinstance(goal, ast.Number) and goal.value > 1:
            self._warn(PERCENT_SCALE, f"a ratio of sums is a fraction (97% is 0.97), compared "
                       f"with {goal.value}", goal.span,
                       f"write `{goal.value}%` if {goal.value} percent was meant")

    def _cap(self, penalty: ast.Penalty, cap_expr: ast.Expr) -> None:
        amount, cap = self._value(penalty.amount), self._value(cap_expr)
        if amount is None or cap is None or amount.unit != cap.unit:
            return
        if cap.value < amount.value:
            self._warn(CAP_BELOW_PENALTY, f"the cap ({_amount(cap)}) is below the penalty for "
                       f"one breach ({_amount(amount)}): every breach after the first in a "
                       "period costs nothing", cap_expr.span,
                       "check both amounts: a cap is usually several breaches' worth")

    def _window_fits(self, standard: Standard) -> None:
        start, end = self.contract.effective_from, self.contract.effective_to
        if start is None or end is None or end < start:
            return
        period = standard.window.period
        first = _first_start(start, period)
        if _next_start(first, period) - timedelta(days=1) <= end:
            return
        self._warn(WINDOW_LONGER_THAN_CONTRACT, f"no whole {period.value} lies between the "
                   f"contract's start ({start}) and end ({end})", standard.window.span,
                   "choose a shorter period, or check the effective dates: windows are "
                   "calendar periods, cut at the contract's end")

    # constants
    def _value(self, expr: ast.Expr, depth: int = 0) -> _Literal | None:
        """The value of a constant made of literals and parameters, or None. Each
        parameter is computed once, so that parameters built on parameters cost no more
        than their text."""
        if depth > 100:
            return None
        try:
            return self._compute(expr, depth)
        except (InvalidOperation, DivisionByZero, ArithmeticError):
            return None

    def _parameter(self, name: str, depth: int) -> _Literal | None:
        if name not in self.constants:
            self.constants[name] = None  # while it is computed: a cycle reads None
            node = self.parameters[name].clause.node
            self.constants[name] = (self._value(node, depth + 1)
                                    if _is_expr(node) else None)
        return self.constants[name]

    def _compute(self, expr: ast.Expr, depth: int) -> _Literal | None:
        match expr:
            case ast.Money(amount=amount, currency=currency):
                return _Literal(amount, f"money {currency}")
            case ast.Number(value=value) | ast.Percent(value=value):
                return _Literal(value, "number")
            case ast.Duration(microseconds=microseconds):
                return _Literal(Decimal(microseconds), "duration")
            case ast.Ref(name=name) if name in self.parameters:
                return self._parameter(name, depth)
            case ast.Neg(operand=operand):
                found = self._value(operand, depth + 1)
                return _Literal(-found.value, found.unit) if found else None
            case ast.PercentOf(percent=percent, operand=operand):
                found = self._value(operand, depth + 1)
                return _Literal(found.value * percent.value, found.unit) if found else None
            case ast.Binary(op=op, left=left, right=right):
                a, b = self._value(left, depth + 1), self._value(right, depth + 1)
                if a is None or b is None:
                    return None
                return _binary(op, a, b)
        return None


def _is_expr(node: ast.Node) -> bool:
    return not isinstance(node, ast.Window | ast.Target | ast.Penalty | ast.Credit)


def _binary(op: ast.BinOp, a: _Literal, b: _Literal) -> _Literal | None:
    if op in (ast.BinOp.ADD, ast.BinOp.SUB):
        if a.unit != b.unit:
            return None
        value = a.value + b.value if op is ast.BinOp.ADD else a.value - b.value
        return _Literal(value, a.unit)
    if op is ast.BinOp.MUL:
        if a.unit == "number":
            return _Literal(a.value * b.value, b.unit)
        return _Literal(a.value * b.value, a.unit) if b.unit == "number" else None
    if b.unit == "number" and b.value != 0:
        return _Literal(a.value / b.value, a.unit)
    return None


def _conjuncts(node: ast.Node, op: ast.BoolOp) -> Iterator[ast.Node]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Logical) and item.op is op:
            stack += [item.right, item.left]
        else:
            yield item


def _name(node: ast.Node) -> str | None:
    if isinstance(node, ast.Ref):
        return node.name
    if isinstance(node, ast.String):
        return node.value
    return None


def _values_of(term: ast.Node, field: str) -> tuple[set[str] | None, bool]:
    """The values of `field` a term lets through (`field == X`, `field in [...]`), or
    rules out (`!=`, `not in`): (values, negated); (None, False) for any other term."""
    if isinstance(term, ast.Compare) and term.op in (ast.CmpOp.EQ, ast.CmpOp.NE):
        for side, other in ((term.left, term.right), (term.right, term.left)):
            value = _name(other)
            if isinstance(side, ast.Ref) and side.name == field and value is not None:
                return {value}, term.op is ast.CmpOp.NE
    if isinstance(term, ast.In) and isinstance(term.operand, ast.Ref) \
            and term.operand.name == field:
        values = {_name(item) for item in term.items}
        if None not in values:
            return {value for value in values if value is not None}, term.negated
    return None, False


def _percent(value: Decimal) -> str:
    text = format((value * 100).normalize(), "f")
    return f"{text}%"


def _amount(literal: _Literal) -> str:
    if literal.unit.startswith("money "):
        return f"{literal.value} {literal.unit.removeprefix('money ')}"
    return str(literal.value)


def _first_start(day: date, period: ast.Period) -> date:
    """The first day of the first whole `period` that starts on or after `day`."""
    match period:
        case ast.Period.DAY:
            return day
        case ast.Period.WEEK:
            return day + timedelta(days=(7 - day.weekday()) % 7)
        case ast.Period.MONTH:
            return day if day.day == 1 else _next_start(day.replace(day=1), period)
        case ast.Period.QUARTER:
            start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
            return day if start == day else _next_start(start, period)
    start = day.replace(month=1, day=1)
    return day if start == day else _next_start(start, period)


def _next_start(start: date, period: ast.Period) -> date:
    """The first day of the period after the one starting on `start`."""
    match period:
        case ast.Period.DAY:
            return start + timedelta(days=1)
        case ast.Period.WEEK:
            return start + timedelta(days=7)
        case ast.Period.MONTH | ast.Period.QUARTER:
            months = start.month - 1 + (1 if period is ast.Period.MONTH else 3)
            return date(start.year + months // 12, months % 12 + 1, 1)
    return date(start.year + 1, 1, 1)
