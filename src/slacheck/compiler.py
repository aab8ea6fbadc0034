"""Clauses compiled once into closures: field access resolved, constants folded, no dispatch.

A value closure takes a record (a dict of coerced field values) and returns a value or
None when an optional field it needs is absent. A truth closure returns one of the
`Truth` values below; `True == PASS` and `False == BREACH`, so a bool field is its own truth.

An absent optional timestamp is an event that has not happened by the evaluation time, so
it is not unknown: it lies at or after `as_of`. Its value is an `Open` bound, arithmetic
carries the bound along, and a comparison decides whenever the bound suffices. So
`delivered_at <= promised_at` is an overdue breach once `as_of` is past `promised_at`,
exactly as `delivered_at within 0h of promised_at` is.
"""

from __future__ import annotations

import dataclasses
import operator
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slacheck import ast, functions
from slacheck._money import EXACT
from slacheck.calendars import BusinessDeadline, Months
from slacheck.checker import CheckedContract
from slacheck.typer import AS_OF
from slacheck.types import Kind, Type

Record = Mapping[str, Any]
_EACH_KEY = "\x00each"
"""Where `count(list, condition)` puts the value `each` names, in a copy of the record: no
field can be named so."""
Value = Callable[[Record], Any]
Truth = Callable[[Record], int]

BREACH: Final = 0
PASS: Final = 1
PENDING: Final = 2
OVERDUE: Final = 3
"""A breach of a deadline whose event has still not happened at the evaluation time."""
_PASS_OPEN: Final = 4
"""A pass decided by an event's absence; inside the compiler only, so that `not` of it is
an overdue breach. `truth()` hands it out as PASS."""


class ClauseEvaluationError(ArithmeticError):
    """A record on which a clause cannot be evaluated (a division by zero); the engine
    reports it with the record's line and goes on."""


class Open:
    """A value not recorded yet, known only to be at least (`after`) or at most `bound`."""

    __slots__ = ("after", "bound")

    def __init__(self, bound: Any, after: bool) -> None:
        self.bound = bound
        self.after = after

    def __repr__(self) -> str:
        return f"{'>=' if self.after else '<='}{self.bound!r}"


_FLIPPED = {
    ast.CmpOp.LT: ast.CmpOp.GT, ast.CmpOp.GT: ast.CmpOp.LT,
    ast.CmpOp.LE: ast.CmpOp.GE, ast.CmpOp.GE: ast.CmpOp.LE,
    ast.CmpOp.EQ: ast.CmpOp.EQ, ast.CmpOp.NE: ast.CmpOp.NE,
}


def _open_compare(op: ast.CmpOp, left: Any, right: Any) -> int:
    """A comparison with an open side: decided when the bound decides it, else pending."""
    if isinstance(right, Open):
        if isinstance(left, Open):
            return PENDING
        op, left, right = _FLIPPED[op], right, left
    x, y = left.bound, right
    if left.after:  # the value lies in [x, oo)
        decided = {
            ast.CmpOp.GT: x > y, ast.CmpOp.GE: x >= y, ast.CmpOp.LT: x >= y,
            ast.CmpOp.LE: x > y, ast.CmpOp.EQ: x > y, ast.CmpOp.NE: x > y,
        }[op]
    else:  # the value lies in (-oo, x]
        decided = {
            ast.CmpOp.LT: x < y, ast.CmpOp.LE: x <= y, ast.CmpOp.GT: x <= y,
            ast.CmpOp.GE: x < y, ast.CmpOp.EQ: x < y, ast.CmpOp.NE: x < y,
        }[op]
    if not decided:
        return PENDING
    holds = op in (ast.CmpOp.GT, ast.CmpOp.GE, ast.CmpOp.NE) if left.after else \
        op in (ast.CmpOp.LT, ast.CmpOp.LE, ast.CmpOp.NE)
    return _PASS_OPEN if holds else OVERDUE


def _open_arithmetic(op: ast.BinOp,
                     function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`function` extended to open bounds by monotonicity; None where no bound follows."""

    def apply(a: Any, b: Any) -> Any:
        a_open, b_open = isinstance(a, Open), isinstance(b, Open)
        if not (a_open or b_open):
            return function(a, b)
        if a_open and b_open:
            if op is ast.BinOp.ADD and a.after == b.after:
                return Open(function(a.bound, b.bound), a.after)
            if op is ast.BinOp.SUB and a.after != b.after:
                return Open(function(a.bound, b.bound), a.after)
            return None
        if op is ast.BinOp.ADD:
            return Open(function(a.bound, b), a.after) if a_open else Open(function(a, b.bound),
                                                                           b.after)
        if op is ast.BinOp.SUB:
            return Open(function(a.bound, b), a.after) if a_open else Open(function(a, b.bound),
                                                                           not b.after)
        if op is ast.BinOp.DIV and b_open:
            return None
        known = b if a_open else a
        bound = function(a.bound, b) if a_open else function(a, b.bound)
        after = a.after if a_open else b.after
        sign = known if not isinstance(known, timedelta) else known // timedelta(microseconds=1)
        if sign == 0:
            return bound
        return Open(bound, after if sign > 0 else not after)

    return apply

_COMPARE: dict[ast.CmpOp, Callable[[Any, Any], bool]] = {
    ast.CmpOp.LT: operator.lt,
    ast.CmpOp.LE: operator.le,
    ast.CmpOp.GT: operator.gt,
    ast.CmpOp.GE: operator.ge,
    ast.CmpOp.EQ: operator.eq,
    ast.CmpOp.NE: operator.ne,
}


class _Constant:
    """Marks a value closure whose result does not depend on the record."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self, record: Record) -> Any:
        return self.value


class Compiler:
    """Compiles the checked contract's expressions; `as_of` fixes when deadlines are judged."""

    def __init__(self, checked: CheckedContract, as_of: datetime,
                 rates: Mapping[str, Decimal] | None = None) -> None:
        self.checked = checked
        self.as_of = as_of
        self._rates = dict(rates or {})
        """The contract's currency for one unit of each other currency it declares."""
        contract = checked.contract
        self._derived = {named.name: named.clause.node for named in contract.derived}
        self._tables = {table.name: table for table in contract.tables}
        self._fields = set(contract.schema.names)
        self._zone = ZoneInfo(contract.timezone)
        self._each = 0
        """Inside the condition of `count(list, condition)`: `each` is the list's value."""
        self._not_yet = Open(as_of, after=True)
        """The value of an event absent at the evaluation time."""
        self._parameters: dict[str, Any] = {}
        for named in contract.parameters:  # a parameter may use the ones declared before it
            node = named.clause.node
            self._parameters[named.name] = self.constant(node)

    # values
    def value(self, expr: ast.Expr) -> Value:
        """A value closure for use outside the compiler: an open bound reads as unknown."""
        value = self._value(expr)
        if not self._may_be_open(expr):
            return value

        def known(record: Record) -> Any:
            result = value(record)
            return None if isinstance(result, Open) else result

        return known

    def _may_be_open(self, expr: ast.Node) -> bool:
        """Whether the expression can depend on an event that has not happened yet."""
        if isinstance(expr, ast.Call | ast.Lookup):
            return False  # their arguments are read as known values or unknown
        if isinstance(expr, ast.Conditional):
            return self._may_be_open(expr.then) or self._may_be_open(expr.otherwise)
        if isinstance(expr, ast.Ref):
            if expr.name in self._derived and id(expr) not in self.checked.enum_values:
                return self._may_be_open(self._derived[expr.name])
            return expr.name in self._fields and self._is_event(expr.name) and \
                id(expr) not in self.checked.enum_values
        return any(self._may_be_open(child) for child in _children(expr))

    def _rate(self, currency: str) -> Decimal:
        if currency not in self._rates:
            raise ValueError(f"no rate for {currency}: `rates.resolve` gives every rate the "
                             "contract declares before it is compiled")
        return self._rates[currency]

    def _is_event(self, name: str) -> bool:
        spec = self.checked.contract.schema.field(name)
        return spec is not None and spec.type.kind is Kind.TIMESTAMP and \
            not self._never_absent(name)

    def constant(self, expr: ast.Expr) -> Any:
        """The value of an expression that depends on no record field."""
        return self.value(expr)({})

    def _value(self, expr: ast.Expr) -> Value:
        match expr:
            case ast.Number(value=value) | ast.Percent(value=value):
                return _Constant(value)
            case ast.Money(amount=amount, currency=currency):
                if currency != self.checked.contract.currency:  # declared under `rates:`
                    return _Constant(EXACT.multiply(amount, self._rate(currency)))
                return _Constant(amount)
            case ast.Duration(microseconds=microseconds):
                return _Constant(timedelta(microseconds=microseconds))
            case ast.String(value=value):
                return _Constant(value)
            case ast.Bool(value=value):
                return _Constant(value)
            case ast.Date(value=day):
                return _Constant(day)
            case ast.Timestamp(value=moment):
                return _Constant(moment)
            case ast.CalendarDuration():
                return _Constant(Months(expr.months, self._zone))
            case ast.Ref(name=name):
                return self._ref(expr, name)
            case ast.Neg(operand=operand):
                negate: Callable[[Any], Any] = operator.neg
                if self._may_be_open(operand):
                    negate = _open_negate
                return self._unary(negate, self._value(operand))
            case ast.Binary():
                return self._binary(expr)
            case ast.PercentOf(percent=percent, operand=operand):
                kind = self.checked.type_of(operand).kind
                scale: Callable[[Any, Any], Any] = _scale if kind is Kind.DURATION else operator.mul
                if self._may_be_open(operand):
                    scale = _open_arithmetic(ast.BinOp.MUL, scale)
                return self._combine(scale, self._value(operand), _Constant(percent.value))
            case ast.Call():
                return self._call(expr)
            case ast.Conditional(condition=condition, then=then, otherwise=otherwise):
                return _conditional(self.truth(condition), self._value(then),
                                    self._value(otherwise))
            case ast.Lookup():
                return self._lookup(expr)
        truth = self.truth(expr)
        return lambda record: _as_bool(truth(record))

    def _ref(self, expr: ast.Ref, name: str) -> Value:
        if id(expr) in self.checked.enum_values:
            return _Constant(name)
        if name == ast.EACH and self._each:
            return operator.itemgetter(_EACH_KEY)
        if name in self._fields:
            if self._is_event(name):
                not_yet = self._not_yet

                def event(record: Record) -> Any:
                    happened = record[name]
                    return not_yet if happened is None else happened

                return event
            return operator.itemgetter(name)
        if name in self._derived:
            each, self._each = self._each, 0  # a derived field has no `each` of its own
            try:
                return self._value(self._derived[name])
            finally:
                self._each = each
        if name not in self._parameters and name == AS_OF:
            return _Constant(self.as_of)
        return _Constant(self._parameters[name])

    def _call(self, expr: ast.Call) -> Value:
        """A function of known values: absent when one is absent (or not yet happened)."""
        listed = self.checked.type_of(expr.args[0]) if expr.args else None
        if listed is not None and listed.kind is Kind.LIST and listed.of is not None:
            return self._list_call(expr, listed.of)
        function = functions.implementation(expr, self.checked.contract.rounding)
        read = expr.args[:1] if expr.function == "round" else expr.args
        args = [self.value(arg) for arg in read]
        if all(isinstance(arg, _Constant) for arg in args):
            values = [arg.value for arg in args]  # type: ignore[attr-defined]
            return _Constant(None if None in values else function(*values))
        if len(args) == 1:
            return self._unary(function, args[0])
        if len(args) == 2:
            return self._combine(function, args[0], args[1])

        def apply(record: Record) -> Any:
            values = [arg(record) for arg in args]
            return None if None in values else function(*values)

        return apply

    def _list_call(self, expr: ast.Call, of: Type) -> Value:
        """`max(readings)`, `count(readings, each > 8)`...: over a record's list; absent
        when the list is, or when the condition is pending for one of its values."""
        values = self.value(expr.args[0])
        if len(expr.args) == 1:
            function = functions.list_implementation(expr, of)

            def over(record: Record) -> Any:
                found = values(record)
                return None if found is None else function(found)

            return over
        self._each += 1
        try:
            truth = self.truth(expr.args[1])
        finally:
            self._each -= 1

        def count(record: Record) -> Any:
            found = values(record)
            if found is None:
                return None
            scoped = dict(record)
            counted = 0
            for value in found:
                scoped[_EACH_KEY] = value
                outcome = truth(scoped)
                if outcome == PENDING:
                    return None
                counted += outcome == PASS
            return Decimal(counted)

        return count

    def _lookup(self, expr: ast.Lookup) -> Value:
        """A table's value at a key: a key it lacks is the table's default, or an error of
        the record; a dated table is read at `at`, or at the record's time field."""
        table = self._tables[expr.table]
        key = self.value(expr.key)
        versions = [(starts, {name: self.constant(node) for name, node in entries.items()})
                    for starts, entries in table.versions()]
        default = self.constant(table.default) if table.default is not None else _MISSING
        name = expr.table
        if len(versions) == 1:
            values = versions[0][1]

            def look(record: Record) -> Any:
                found = key(record)
                if found is None:
                    return None
                value = values.get(found, default)
                if value is _MISSING:
                    raise ClauseEvaluationError(f"`{found}` is not a key of table `{name}`")
                return value

            return look
        dates = [starts for starts, _ in versions[1:] if starts is not None]
        tables = [values for _, values in versions]
        at = self.value(expr.at) if expr.at is not None else \
            operator.itemgetter(self.checked.contract.schema.time_field)
        zone = ZoneInfo(self.checked.contract.timezone)

        def look_dated(record: Record) -> Any:
            found, moment = key(record), at(record)
            if found is None or moment is None:
                return None
            day = moment.astimezone(zone).date() if isinstance(moment, datetime) else moment
            value = tables[bisect_right(dates, day)].get(found, default)
            if value is _MISSING:
                raise ClauseEvaluationError(f"`{found}` is not a key of table `{name}` "
                                            f"on {day.isoformat()}")
            return value

        return look_dated

    def _unary(self, function: Callable[[Any], Any], operand: Value) -> Value:
        if isinstance(operand, _Constant):
            return _Constant(None if operand.value is None else function(operand.value))

        def apply(record: Record) -> Any:
            value = operand(record)
            return None if value is None else function(value)

        return apply

    def _binary(self, expr: ast.Binary) -> Value:
        left_kind = self.checked.type_of(expr.left).kind
        right_kind = self.checked.type_of(expr.right).kind
        function = _arithmetic(expr.op, left_kind, right_kind)
        if Kind.DATE in (left_kind, right_kind) and Kind.DURATION in (left_kind, right_kind):
            function = _whole_days(function, expr.right if right_kind is Kind.DURATION
                                   else expr.left)
        if expr.op is ast.BinOp.DIV:
            function = _guarded_division(function, expr.right)
        if self._may_be_open(expr.left) or self._may_be_open(expr.right):
            function = _open_arithmetic(expr.op, function)
        return self._combine(function, self._value(expr.left), self._value(expr.right))

    def _combine(self, function: Callable[[Any, Any], Any], left: Value, right: Value) -> Value:
        if isinstance(left, _Constant) and isinstance(right, _Constant):
            if left.value is None or right.value is None:
                return _Constant(None)
            return _Constant(function(left.value, right.value))
        if isinstance(right, _Constant):
            constant = right.value

            def with_constant(record: Record) -> Any:
                value = left(record)
                return None if value is None else function(value, constant)

            return with_constant

        def apply(record: Record) -> Any:
            a = left(record)
            if a is None:
                return None
            b = right(record)
            return None if b is None else function(a, b)

        return apply

    # truths
    def truth(self, expr: ast.Expr) -> Truth:
        """Compile a boolean expression into a closure returning PASS/BREACH/PENDING/OVERDUE."""
        truth = self._truth(expr)
        if not self._may_be_open(expr):
            return truth

        def settled(record: Record) -> int:
            result = truth(record)
            return PASS if result == _PASS_OPEN else result

        return settled

    def _truth(self, expr: ast.Expr) -> Truth:
        match expr:
            case ast.Logical(op=ast.BoolOp.AND, left=left, right=right):
                return _and(self._truth(left), self._truth(right))
            case ast.Logical(op=ast.BoolOp.OR, left=left, right=right):
                return _or(self._truth(left), self._truth(right))
            case ast.Not(operand=operand):
                return _not(self._truth(operand))
            case ast.Compare(op=op, left=left, right=right):
                if self._may_be_open(left) or self._may_be_open(right):
                    return _compare_open(op, self._value(left), self._value(right))
                return _compare(_COMPARE[op], self._value(left), self._value(right))
            case ast.In(operand=operand, items=items, negated=negated):
                return self._in(operand, items, negated)
            case ast.Within(event=event, limit=limit, start=start):
                return self._within(event, limit, start)
            case ast.Between() | ast.InRange():
                return self._truth(bounds_of(expr))
            case ast.WithinBusiness():
                return self._within_business(expr)
            case ast.Presence(operand=operand, present=present):
                return _presence(self._value(operand), present)
            case ast.Ref(name=name) if name in self._derived:
                return self._truth(self._derived[name])
            case ast.Conditional(condition=condition, then=then, otherwise=otherwise):
                return _conditional(self.truth(condition), self._truth(then),
                                    self._truth(otherwise), PENDING)
        value = self._value(expr)
        if isinstance(value, _Constant):
            return _Constant(PENDING if value.value is None else value.value)
        if isinstance(expr, ast.Ref) and self._never_absent(expr.name):
            return value

        def from_value(record: Record) -> int:
            result = value(record)
            return PENDING if result is None else int(result)

        return from_value

    def source(self, expr: ast.Expr, constants: dict[str, Any]) -> str | None:
        """Python source of a boolean expression that can never be pending, else None.

        Such an expression is two-valued, so plain Python `and`/`or`/`not` give its truth
        (`True` is PASS, `False` is BREACH) and the engine can inline it; constants are
        bound in `constants`. The record is the name `r`.
        """
        match expr:
            case ast.Bool(value=value):
                return repr(value)
            case ast.Ref() if self.checked.type_of(expr).kind is Kind.BOOL:
                return self._operand(expr, constants)
            case ast.Not(operand=operand):
                inner = self.source(operand, constants)
                return None if inner is None else f"(not {inner})"
            case ast.Logical(op=op, left=left, right=right):
                first, second = self.source(left, constants), self.source(right, constants)
                if first is None or second is None:
                    return None
                return f"({first} {op.value} {second})"
            case ast.Compare(op=op, left=left, right=right):
                first, second = self._operand(left, constants), self._operand(right, constants)
                if first is None or second is None:
                    return None
                return f"({first} {op.value} {second})"
            case ast.In(operand=operand, items=items, negated=negated):
                first = self._operand(operand, constants)
                values = [self._value(item) for item in items]
                if first is None or not all(isinstance(item, _Constant) for item in values):
                    return None
                members = frozenset(item.value for item in values)  # type: ignore[attr-defined]
                return f"({first} {'not in' if negated else 'in'} {_bind(members, constants)})"
            case ast.Between(operand=operand, low=low, high=high):
                sides = [self._operand(side, constants) for side in (low, operand, high)]
                if None in sides:
                    return None
                return f"({sides[0]} <= {sides[1]} <= {sides[2]})"
            case ast.InRange(operand=operand, low=low, high=high, negated=negated):
                sides = [self._operand(side, constants) for side in (low, operand, high)]
                if None in sides:
                    return None
                below = "<=" if expr.low_closed else "<"
                above = "<=" if expr.high_closed else "<"
                inside = f"{sides[0]} {below} {sides[1]} {above} {sides[2]}"
                return f"(not ({inside}))" if negated else f"({inside})"
        return None

    def breach_time(self, expr: ast.Expr) -> Value | None:
        """When a breach of a deadline became certain: the late event's own time, or the
        deadline itself when the event is still absent. None for other requirements, whose
        breaches are dated by the record's time.

        A deadline is `X within D of Y`, or `X <= Y` / `X < Y` (either way round) between
        timestamps where X, the event, may be absent.
        """
        match expr:
            case ast.Within(event=event, limit=limit, start=start):
                event_at = self._value(event)
                due = self._combine(operator.add, self._value(start), self._value(limit))
            case ast.Compare(op=ast.CmpOp.LE | ast.CmpOp.LT, left=event, right=deadline) | \
                    ast.Compare(op=ast.CmpOp.GE | ast.CmpOp.GT, left=deadline, right=event):
                if self.checked.type_of(event).kind is not Kind.TIMESTAMP:
                    return None
                event_at, due = self._value(event), self._value(deadline)
            case ast.WithinBusiness(event=event, start=start) if \
                    self.checked.type_of(event).kind is Kind.TIMESTAMP:
                event_at, started = self._value(event), self._value(start)
                ends = self._business_deadline(expr)

                def due(record: Record) -> Any:
                    begun = started(record)
                    return begun if begun is None or isinstance(begun, Open) else \
                        _due(ends, begun)[1]
            case _:
                return None

        def certain(record: Record) -> Any:
            happened = event_at(record)
            if happened is None or isinstance(happened, Open):
                happened = due(record)
            return None if isinstance(happened, Open) else happened

        return certain

    def event_orders(self, expr: ast.Expr) -> list[tuple[str, Value, Value]]:
        """For each `X within D of Y` in a requirement, (`X before Y`, X, Y): a recorded
        event before its own start is implausible data, which `within` passes as on time."""
        match expr:
            case ast.Within(event=event, start=start):
                label = f"{_name(event, 'the event')} before {_name(start, 'its start')}"
                return [(label, self.value(event), self.value(start))]
            case ast.Logical(left=left, right=right):
                return self.event_orders(left) + self.event_orders(right)
            case ast.Not(operand=operand):
                return self.event_orders(operand)
            case ast.Ref(name=name) if name in self._derived:
                return self.event_orders(self._derived[name])
        return []

    def deadline_source(
        self, expr: ast.Expr, constants: dict[str, Any]
    ) -> tuple[str, str, str] | None:
        """(event, start, limit) sources of `field within constant of field`, else None.

        The engine inlines such a deadline, the commonest requirement, as statements.
        """
        if not isinstance(expr, ast.Within):
            return None
        event, start = self._field(expr.event), self._field(expr.start)
        limit = self._value(expr.limit)
        if event is None or start is None or not isinstance(limit, _Constant):
            return None
        if not isinstance(limit.value, timedelta):  # none, or months: the closure does it
            return None
        return event, start, _bind(limit.value, constants)

    def _field(self, expr: ast.Expr) -> str | None:
        is_field = isinstance(expr, ast.Ref) and expr.name in self._fields
        if is_field and id(expr) not in self.checked.enum_values:
            return f"r[{expr.name!r}]"  # type: ignore[union-attr]
        return None

    def _operand(self, expr: ast.Expr, constants: dict[str, Any]) -> str | None:
        """Source for a value that is never absent: a required field or a constant."""
        if isinstance(expr, ast.Ref) and expr.name in self._fields:
            if id(expr) not in self.checked.enum_values and self._never_absent(expr.name):
                return f"r[{expr.name!r}]"
            if id(expr) not in self.checked.enum_values:
                return None
        value = self._value(expr)
        if isinstance(value, _Constant) and value.value is not None:
            return _bind(value.value, constants)
        return None

    def _never_absent(self, name: str) -> bool:
        spec = self.checked.contract.schema.field(name)
        return spec is not None and (spec.required or spec.default is not None)

    def _in(self, operand: ast.Expr, items: tuple[ast.Expr, ...], negated: bool) -> Truth:
        value = self.value(operand)  # an open bound is unknown here
        compiled = [self.value(item) for item in items]
        if all(isinstance(item, _Constant) for item in compiled):
            members = frozenset(item.value for item in compiled)  # type: ignore[attr-defined]
            if negated:
                return lambda record: PENDING if (v := value(record)) is None else v not in members
            return lambda record: PENDING if (v := value(record)) is None else v in members

        def dynamic(record: Record) -> int:
            found = value(record)
            options = [item(record) for item in compiled]
            if found is None or None in options:
                return PENDING
            return (found in options) != negated

        return dynamic

    def _within(self, event: ast.Expr, limit: ast.Expr, start: ast.Expr) -> Truth:
        """`event within limit of start`: exactly the limit passes; see DESIGN's open events."""
        event_at, limit_of, start_at = self._value(event), self._value(limit), self._value(start)
        as_of = self.as_of

        def deadline(record: Record) -> int:
            started, allowed = start_at(record), limit_of(record)
            if started is None or allowed is None or isinstance(started, Open):
                return PENDING  # the clock has not started
            if isinstance(allowed, Open):
                return PENDING
            due = started + allowed
            happened = event_at(record)
            if happened is None:
                return OVERDUE if as_of > due else PENDING
            if isinstance(happened, Open):
                return _open_compare(ast.CmpOp.LE, happened, due)
            return PASS if happened <= due else BREACH

        return deadline


    def _business_deadline(self, expr: ast.WithinBusiness) -> BusinessDeadline:
        calendar = self.checked.contract.calendar(expr.calendar)
        assert calendar is not None  # the typer checked the name
        return BusinessDeadline(calendar, expr.days, expr.cutoff, self._zone)

    def _within_business(self, expr: ast.WithinBusiness) -> Truth:
        """Due by the end of the due day (see `ast.WithinBusiness`): a timestamp event
        before the day's end passes, a date event on or before the day."""
        fixed = self._business_deadline(expr)
        ends = _per_zone(fixed, self._value(expr.zone) if expr.zone is not None else None)
        event_at, start_at = self._value(expr.event), self._value(expr.start)
        by_day = self.checked.type_of(expr.event).kind is Kind.DATE
        as_of = self.as_of

        def deadline(record: Record) -> int:
            started = start_at(record)
            if started is None or isinstance(started, Open):
                return PENDING  # the clock has not started
            counted = ends(record)
            if counted is None:
                return PENDING  # the site's zone is not known
            due_day, end = _due(counted, started)
            happened = event_at(record)
            if happened is None or isinstance(happened, Open):
                return OVERDUE if as_of >= end else PENDING
            if by_day:
                return PASS if happened <= due_day else BREACH
            return PASS if happened < end else BREACH

        return deadline


def _per_zone(fixed: BusinessDeadline, zone_of: Callable[[Record], Any] | None
              ) -> Callable[[Record], BusinessDeadline | None]:
    """The deadline counted in the zone a record names (`zone_of`), one counter kept per
    zone; without `zone_of`, in the contract's."""
    counters: dict[str, BusinessDeadline] = {}

    def ends(record: Record) -> BusinessDeadline | None:
        if zone_of is None:
            return fixed
        name = zone_of(record)
        if name is None or isinstance(name, Open):
            return None
        counter = counters.get(name)
        if counter is None:
            try:
                zone = ZoneInfo(name)
            except (ValueError, ZoneInfoNotFoundError):
                raise ClauseEvaluationError(f"`{name}` is not a time zone") from None
            counter = counters[name] = BusinessDeadline(fixed.calendar, fixed.days,
                                                         fixed.cutoff, zone)
        return counter

    return ends


def _due(ends: BusinessDeadline, started: date | datetime) -> tuple[date, datetime]:
    try:
        return ends.due(started)
    except ValueError as error:
        raise ClauseEvaluationError(str(error)) from None


def bounds_of(expr: ast.Between | ast.InRange) -> ast.Expr:
    """`x between a and b` as `x >= a and x <= b`, an interval likewise: the comparisons
    carry the three-valued rule and open bounds."""
    low_closed = True if isinstance(expr, ast.Between) else expr.low_closed
    high_closed = True if isinstance(expr, ast.Between) else expr.high_closed
    low = ast.Compare(op=ast.CmpOp.GE if low_closed else ast.CmpOp.GT, left=expr.operand,
                      right=expr.low, span=expr.span)
    high = ast.Compare(op=ast.CmpOp.LE if high_closed else ast.CmpOp.LT, left=expr.operand,
                       right=expr.high, span=expr.span)
    both = ast.Logical(op=ast.BoolOp.AND, left=low, right=high, span=expr.span)
    if isinstance(expr, ast.InRange) and expr.negated:
        return ast.Not(operand=both, span=expr.span)
    return both


def _whole_days(function: Callable[[Any, Any], Any],
                duration: ast.Expr) -> Callable[[Any, Any], Any]:
    """Date arithmetic with a duration that must be whole days; Python would drop the rest."""
    what = _name(duration, "the duration")

    def shift(a: Any, b: Any) -> Any:
        moved = b if isinstance(b, timedelta) else a
        if isinstance(moved, timedelta) and moved % timedelta(days=1):
            raise ClauseEvaluationError(f"a date moves by whole days: {what} is {moved}")
        return function(a, b)

    return shift


_MISSING: Final = object()
"""The default of a table without one."""


def _conditional(condition: Truth, then: Callable[[Record], Any],
                 otherwise: Callable[[Record], Any],
                 unknown: Any = None) -> Callable[[Record], Any]:
    """`if condition then a else b`: a pending condition gives `unknown` (no value, or a
    pending truth), as a comparison with an absent field does."""

    def choose(record: Record) -> Any:
        decided = condition(record)
        if decided == PASS:
            return then(record)
        if decided == PENDING:
            return unknown
        return otherwise(record)

    return choose


def _bind(value: Any, constants: dict[str, Any]) -> str:
    name = f"_c{len(constants)}"
    constants[name] = value
    return name


def _as_bool(truth: int) -> bool | None:
    if truth == PENDING:
        return None
    return truth == PASS


def _and(left: Truth, right: Truth) -> Truth:
    """Kleene conjunction; a breach decides, and an overdue breach is reported as such."""

    def both(record: Record) -> int:
        a = left(record)
        if a in (BREACH, OVERDUE):
            return a
        b = right(record)
        if b in (BREACH, OVERDUE):
            return b
        if a == PENDING or b == PENDING:
            return PENDING
        return _PASS_OPEN if _PASS_OPEN in (a, b) else PASS

    return both


def _or(left: Truth, right: Truth) -> Truth:
    def either(record: Record) -> int:
        a = left(record)
        if a in (PASS, _PASS_OPEN):
            return a
        b = right(record)
        if b in (PASS, _PASS_OPEN):
            return b
        if a == PENDING or b == PENDING:
            return PENDING
        return OVERDUE if (a == OVERDUE or b == OVERDUE) else BREACH

    return either


def _not(operand: Truth) -> Truth:
    def negate(record: Record) -> int:
        a = operand(record)
        if a == PENDING:
            return PENDING
        return _NEGATED[a]

    return negate


_NEGATED = {PASS: BREACH, BREACH: PASS, _PASS_OPEN: OVERDUE, OVERDUE: _PASS_OPEN}


def _compare_open(op: ast.CmpOp, left: Value, right: Value) -> Truth:
    """A comparison whose sides may hold an event that has not happened yet."""
    function = _COMPARE[op]

    def apply(record: Record) -> int:
        a, b = left(record), right(record)
        if a is None or b is None:
            return PENDING
        if isinstance(a, Open) or isinstance(b, Open):
            return _open_compare(op, a, b)
        return int(function(a, b))

    return apply


def _name(expr: ast.Expr, otherwise: str) -> str:
    return f"`{expr.name}`" if isinstance(expr, ast.Ref) else otherwise


def _presence(value: Value, present: bool) -> Truth:
    """Whether a value is recorded: an event not yet happened is absent. Never pending."""

    def test(record: Record) -> int:
        found = value(record)
        return PASS if (found is not None and not isinstance(found, Open)) == present \
            else BREACH

    return test


def _guarded_division(function: Callable[[Any, Any], Any],
                      divisor: ast.Expr) -> Callable[[Any, Any], Any]:
    """Division that names its divisor when it is zero, instead of a bare ZeroDivisionError."""
    what = _name(divisor, "the divisor")

    def divide(a: Any, b: Any) -> Any:
        if not b and not isinstance(b, Open):
            raise ClauseEvaluationError(f"division by zero: {what} is 0")
        return function(a, b)

    return divide


def _open_negate(value: Any) -> Any:
    return Open(-value.bound, not value.after) if isinstance(value, Open) else -value


def _children(node: ast.Node) -> Iterator[ast.Node]:
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple):
            yield from (part for part in value if isinstance(part, ast.Node))


def _compare(function: Callable[[Any, Any], bool], left: Value, right: Value) -> Truth:
    if isinstance(right, _Constant):
        constant = right.value

        def with_constant(record: Record) -> int:
            a = left(record)
            return PENDING if a is None or constant is None else function(a, constant)

        return with_constant

    def apply(record: Record) -> int:
        a, b = left(record), right(record)
        return PENDING if a is None or b is None else function(a, b)

    return apply


def _scale(duration: timedelta, factor: Decimal) -> timedelta:
    microseconds = Decimal(duration // timedelta(microseconds=1)) * factor
    return timedelta(microseconds=int(microseconds.to_integral_value(ROUND_HALF_EVEN)))


def _ratio(left: timedelta, right: timedelta) -> Decimal:
    return Decimal(left // timedelta(microseconds=1)) / Decimal(right // timedelta(microseconds=1))


def _arithmetic(op: ast.BinOp, left: Kind, right: Kind) -> Callable[[Any, Any], Any]:
    duration = Kind.DURATION
    if op is ast.BinOp.MUL and left is duration:
        return _scale
    if op is ast.BinOp.MUL and right is duration:
        return lambda a, b: _scale(b, a)
    if op is ast.BinOp.DIV and left is duration and right is duration:
        return _ratio
    if op is ast.BinOp.DIV and left is duration:
        return lambda a, b: _scale(a, 1 / Decimal(b))
    return {
        ast.BinOp.ADD: operator.add,
        ast.BinOp.SUB: operator.sub,
        ast.BinOp.MUL: operator.mul,
        ast.BinOp.DIV: operator.truediv,
    }[op]
