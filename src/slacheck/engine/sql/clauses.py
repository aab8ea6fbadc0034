"""Clauses as SQL expressions over the typed record columns, with the compiler's truths.

A truth is an INTEGER: 0 breach, 1 pass, 2 pending, 3 overdue breach, 4 a pass decided by an
event's absence (inside only, as in `compiler`), or NULL when SQL cannot be sure, which
sends the record to the stream engine's own code. Values are exact: numbers and money
DECIMAL(38, 18), timestamps and durations BIGINT microseconds (UTC for timestamps, so no
session time zone and no `date_diff` rounding comes into a figure), dates DATE.

An absent optional timestamp is an event not yet happened (`compiler.Open`): its value is
the evaluation time with a flag saying the true value lies at or after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlglot import exp

from slacheck import ast
from slacheck.checker import CheckedContract
from slacheck.compiler import Compiler, bounds_of
from slacheck.engine.sql.support import UnsupportedError
from slacheck.typer import AS_OF
from slacheck.types import Kind

BREACH, PASS, PENDING, OVERDUE, PASS_OPEN = 0, 1, 2, 3, 4
DECIMAL = "DECIMAL(38, 18)"
MAX_PLACES = 18
"""Digits kept on either side of the point: a value needing more is not read by SQL."""


def fn(name: str, *args: exp.Expr) -> exp.Expr:
    """A function call printed as named (DuckDB's own functions)."""
    return exp.Anonymous(this=name, expressions=list(args))


def lit(value: int | str) -> exp.Expr:
    return exp.Literal.number(value) if isinstance(value, int) else exp.Literal.string(value)


def micros(moment: datetime) -> int:
    """An aware time as microseconds since the Unix epoch, exactly."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


def decimal(value: Decimal) -> exp.Expr:
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # a finite number, as every constant of a contract
    if len(digits) + exponent > MAX_PLACES or -exponent > MAX_PLACES:
        raise UnsupportedError(f"the number {value} (more than {MAX_PLACES} digits either side)")
    return exp.cast(lit(format(value, "f")), DECIMAL)


Branch = tuple[exp.Expr, "exp.Expr | int | None"]
"""(condition, value) of a CASE: an int is a literal, None is NULL (sent to the stream)."""


def case(*branches: Branch,
         default: exp.Expr | int | None = None) -> exp.Expr:
    def wrap(value: exp.Expr | int | None) -> exp.Expr:
        if value is None:
            return exp.null()
        return lit(value) if isinstance(value, int) else value

    return exp.Case(ifs=[exp.If(this=cond, true=wrap(value)) for cond, value in branches],
                    default=wrap(default))


def _null(value: exp.Expr) -> exp.Expr:
    return exp.Is(this=value, expression=exp.null())


def _eq(value: exp.Expr, code: int) -> exp.Expr:
    return exp.EQ(this=value, expression=lit(code))


def is_in(value: exp.Expr, *codes: int) -> exp.Expr:
    return exp.In(this=value, expressions=[lit(code) for code in codes])


@dataclass(frozen=True, slots=True)
class Value:
    """A value in SQL: `sql` (NULL when unknown), its kind, and `open`, when the value may
    be an event not yet happened, a condition true when it is (`sql` is then its bound)."""

    sql: exp.Expr
    kind: Kind
    open: exp.Expr | None = None
    after: bool = True
    """When open, whether the value lies at or after its bound (else at or before it)."""
    sure: exp.Expr | None = None
    """When not None, a condition without which `sql` may not be the compiler's value (a
    product too wide, a key not in a table): the line then goes to the stream engine."""


_COMPARE: dict[ast.CmpOp, type[exp.Binary]] = {
    ast.CmpOp.LT: exp.LT, ast.CmpOp.LE: exp.LTE, ast.CmpOp.GT: exp.GT,
    ast.CmpOp.GE: exp.GTE, ast.CmpOp.EQ: exp.EQ, ast.CmpOp.NE: exp.NEQ,
}
_FLIPPED = {ast.CmpOp.LT: ast.CmpOp.GT, ast.CmpOp.GT: ast.CmpOp.LT,
            ast.CmpOp.LE: ast.CmpOp.GE, ast.CmpOp.GE: ast.CmpOp.LE,
            ast.CmpOp.EQ: ast.CmpOp.EQ, ast.CmpOp.NE: ast.CmpOp.NE}
# `compiler._open_compare` for a value in [x, oo) against y: the test that decides it
_DECIDED: dict[ast.CmpOp, tuple[type[exp.Binary], bool]] = {
    ast.CmpOp.GT: (exp.GT, True), ast.CmpOp.GE: (exp.GTE, True),
    ast.CmpOp.LT: (exp.GTE, False), ast.CmpOp.LE: (exp.GT, False),
    ast.CmpOp.EQ: (exp.GT, False), ast.CmpOp.NE: (exp.GT, True),
}
"""op -> (how x compares with y when decided, whether it then holds)."""
# likewise for a value in (-oo, x]
_DECIDED_BELOW: dict[ast.CmpOp, tuple[type[exp.Binary], bool]] = {
    ast.CmpOp.LT: (exp.LT, True), ast.CmpOp.LE: (exp.LTE, True),
    ast.CmpOp.GT: (exp.LTE, False), ast.CmpOp.GE: (exp.LT, False),
    ast.CmpOp.EQ: (exp.LT, False), ast.CmpOp.NE: (exp.LT, True),
}


class Clauses:
    """Compiles a checked contract's clauses to SQL over the columns named as its fields."""

    def __init__(self, checked: CheckedContract, as_of: datetime,
                 rates: dict[str, Decimal] | None = None) -> None:
        self.checked = checked
        contract = checked.contract
        self.schema = contract.schema
        self.derived = {named.name: named.clause.node for named in contract.derived}
        self.parameters = {named.name for named in contract.parameters}
        self.compiler = Compiler(checked, as_of, rates)
        self.as_of = micros(as_of)
        self._conditions: list[exp.Expr] = []
        self._depth = 0
        """The `sure` of each value met in the truth being compiled."""
        self.left: list[str] = []
        """What SQL could not express, as met: each such clause sends the lines it would
        decide to the stream engine (`coverage` lists them)."""

    # truths
    def truth(self, expr: ast.Expr) -> exp.Expr:
        """The settled truth (an event's absence passing reads as a pass)."""
        return _look(_SETTLED, self._truth(expr))

    def _truth(self, expr: ast.Expr) -> exp.Expr:
        match expr:
            case ast.Logical(op=op, left=left, right=right):
                table = _AND if op is ast.BoolOp.AND else _OR
                return _look(_look(table, self._truth(left)), self._truth(right))
            case ast.Not(operand=operand):
                return _look(_NOT, self._truth(operand))
            case ast.Ref(name=name) if name in self.derived:
                return self._truth(self.derived[name])
            case ast.Conditional(condition=condition, then=then, otherwise=otherwise):
                chosen = self.truth(condition)
                return case((_null(chosen), None), (_eq(chosen, PASS), self._truth(then)),
                            (_eq(chosen, PENDING), PENDING), default=self._truth(otherwise))
        # a truth inside a value (`if c then ...`) collects its own values' conditions
        saved, self._conditions = self._conditions, []
        depth, self._depth = self._depth, 0
        try:
            found = self._atom(expr)
        except UnsupportedError as error:
            # not sure (NULL): the line goes to the stream engine, unless the other side of
            # an `and` or `or` decides without this one, as the compiler's own closures do
            self.left.append(error.construct)
            return exp.null()
        finally:
            conditions, self._conditions = self._conditions, saved
            self._depth = depth
        if conditions:
            return case((exp.not_(exp.and_(*conditions)), None), default=found)
        return found

    def _atom(self, expr: ast.Expr) -> exp.Expr:
        """The truth of a clause that is not `and`, `or`, `not` or a derived name."""
        match expr:
            case ast.Compare(op=op, left=left, right=right):
                return self._compare(op, self.value(left), self.value(right))
            case ast.In(operand=operand, items=items, negated=negated):
                return self._in(operand, items, negated)
            case ast.Within(event=event, limit=limit, start=start):
                return self._within(event, limit, start)
            case ast.Between() | ast.InRange():  # as the compiler reads them: two comparisons
                return self._truth(bounds_of(expr))
            case ast.Presence(operand=operand, present=present):
                found = self.value(operand)
                known: exp.Expr = exp.not_(exp.Is(this=found.sql, expression=exp.null()))
                if found.open is not None:
                    known = exp.and_(known, exp.not_(found.open))
                return case((known if present else exp.not_(known), PASS), default=BREACH)
        found = self.value(expr)
        if found.kind is not Kind.BOOL or found.open is not None:
            raise UnsupportedError(_what(expr))
        return case((exp.Is(this=found.sql, expression=exp.null()), PENDING),
                    (found.sql, PASS), default=BREACH)

    def _compare(self, op: ast.CmpOp, a: Value, b: Value) -> exp.Expr:
        if {a.kind, b.kind} - _COMPARABLE.get(a.kind, set()):
            raise UnsupportedError(f"comparing a {a.kind.value} with a {b.kind.value}")
        plain = _COMPARE[op](this=a.sql, expression=b.sql)
        unknown = exp.or_(exp.Is(this=a.sql, expression=exp.null()),
                          exp.Is(this=b.sql, expression=exp.null()))
        if a.open is None and b.open is None:
            return case((unknown, PENDING), (plain, PASS), default=BREACH)
        branches: list[Branch] = [(unknown, PENDING)]
        if a.open is not None and b.open is not None:
            branches.append((exp.and_(a.open, b.open), PENDING))
        for side, other, how in ((a, b, op), (b, a, _FLIPPED[op])):
            if side.open is None:
                continue
            test, holds = (_DECIDED if side.after else _DECIDED_BELOW)[how]
            decided = test(this=side.sql, expression=other.sql)
            branches.append((exp.and_(side.open, exp.not_(decided)), PENDING))
            branches.append((side.open, PASS_OPEN if holds else OVERDUE))
        branches.append((plain, PASS))
        return case(*branches, default=BREACH)

    def _in(self, operand: ast.Expr, items: tuple[ast.Expr, ...],
            negated: bool) -> exp.Expr:
        found = self.value(operand)
        members = [self.value(item) for item in items]
        if any(not _is_constant(member.sql) for member in members):
            raise UnsupportedError("`in` a list of values that are not constants")
        known = found.sql if found.open is None else case((found.open, None), default=found.sql)
        inside = exp.In(this=known, expressions=[member.sql for member in members])
        return case((exp.Is(this=known, expression=exp.null()), PENDING),
                    (exp.not_(inside) if negated else inside, PASS), default=BREACH)

    def _within(self, event: ast.Expr, limit: ast.Expr, start: ast.Expr) -> exp.Expr:
        happened, allowed, started = self.value(event), self.value(limit), self.value(start)
        if allowed.kind is not Kind.DURATION or allowed.open is not None:
            raise UnsupportedError(f"`within` a limit that is not a fixed duration "
                                   f"({_what(limit)})")
        if happened.kind is not Kind.TIMESTAMP or started.kind is not Kind.TIMESTAMP:
            raise UnsupportedError("`within` between values that are not timestamps")
        if happened.open is not None and not happened.after:
            raise UnsupportedError("`within` of an event bounded from above")
        due = exp.Add(this=started.sql, expression=allowed.sql)
        branches: list[Branch] = [
            (exp.or_(exp.Is(this=started.sql, expression=exp.null()),
                     exp.Is(this=allowed.sql, expression=exp.null())), PENDING)]
        if started.open is not None:
            branches.append((started.open, PENDING))
        if happened.open is not None:  # absent, or an open bound: overdue once as_of is past
            branches.append((happened.open,
                             case((exp.GT(this=happened.sql, expression=due), OVERDUE),
                                  default=PENDING)))
        branches.append((exp.Is(this=happened.sql, expression=exp.null()),
                         case((exp.GT(this=lit(self.as_of), expression=due), OVERDUE),
                              default=PENDING)))
        branches.append((exp.LTE(this=happened.sql, expression=due), PASS))
        return case(*branches, default=BREACH)

    # values
    def value(self, expr: ast.Expr) -> Value:
        self._depth += 1
        try:
            found = self._value(expr)
        finally:
            self._depth -= 1
        if _size(found) > SIZE:
            raise UnsupportedError(f"{_what(expr)} (too large a value for SQL)")
        if found.sure is not None and not self._depth:  # an inner one's is in it already
            self._conditions.append(found.sure)
        return found

    def _value(self, expr: ast.Expr) -> Value:
        match expr:
            case ast.Ref(name=name):
                return self._ref(expr, name)
            case ast.Number(value=number) | ast.Percent(value=number):
                return Value(decimal(number), Kind.NUMBER)
            case ast.Money():  # in another currency, at the run's rate, as the compiler has it
                return Value(decimal(self.compiler.constant(expr)), Kind.MONEY)
            case ast.Duration(microseconds=count):
                return Value(lit(count), Kind.DURATION)
            case ast.String(value=text):
                return Value(lit(text), Kind.STRING)
            case ast.Bool(value=truth):
                return Value(exp.true() if truth else exp.false(), Kind.BOOL)
            case ast.Timestamp(value=moment):
                return Value(lit(micros(moment)), Kind.TIMESTAMP)
            case ast.Date(value=day):
                return Value(exp.cast(lit(day.isoformat()), "DATE"), Kind.DATE)
            case ast.Binary(op=op, left=left, right=right) if op in (ast.BinOp.ADD,
                                                                     ast.BinOp.SUB):
                return self._arithmetic(op, self.value(left), self.value(right))
            case ast.Binary(op=ast.BinOp.MUL, left=left, right=right):
                return self._product(self.value(left), self.value(right), expr)
            case ast.Binary(op=ast.BinOp.DIV, left=left, right=right):
                return self._quotient(self.value(left), self.value(right), expr, right)
            case ast.PercentOf(percent=percent, operand=operand):
                return self._product(self.value(operand), Value(decimal(percent.value),
                                                                Kind.NUMBER), expr)
            case ast.Neg(operand=operand):
                found = self.value(operand)
                if found.open is not None or found.kind not in _SIGNED:
                    raise UnsupportedError(_what(expr))
                return Value(exp.Neg(this=exp.paren(found.sql)), found.kind, sure=found.sure)
            case ast.Conditional(condition=condition, then=then, otherwise=otherwise):
                return self._conditional(expr, condition, self.value(then),
                                         self.value(otherwise))
            case ast.Call(function=function, args=args) if function in _CALLS:
                return self._call(expr, function, [self._known(self.value(arg))
                                                   for arg in args[:1 if function == "round"
                                                                   else None]])
            case ast.Lookup(table=table, key=key, at=None):
                return self._lookup(expr, table, self._known(self.value(key)))
        raise UnsupportedError(_what(expr))

    def _known(self, found: Value) -> Value:
        """A value as a function reads its arguments (`compiler.value`): one not yet
        happened is unknown."""
        if found.open is None:
            return found
        return Value(case((found.open, None), default=found.sql), found.kind, sure=found.sure)

    def _product(self, a: Value, b: Value, expr: ast.Expr) -> Value:
        """`a * b` of numbers or amounts, as Python multiplies decimals (28 digits, rounded
        half even): SQL is sure of it when each side has at most 9 decimals (so that the
        product, of at most 18, is exact in DECIMAL(38, 18)) and the product needs at most
        28 digits (so that Python did not round it)."""
        if a.kind not in _NUMBERS or b.kind not in _NUMBERS or a.open is not None or \
                b.open is not None:
            raise UnsupportedError(_what(expr))
        narrow = [_cast(side.sql, _NARROW) for side in (a, b)]
        # DuckDB raises on a product beyond DECIMAL(38, 18): a product too large, known by
        # its approximation in DOUBLE, is made of 0 instead, and never trusted
        small = exp.LT(this=fn("abs", exp.Mul(this=exp.cast(a.sql, "DOUBLE"),
                                              expression=exp.cast(b.sql, "DOUBLE"))),
                       expression=lit("1e19"))
        right = case((exp.not_(exp.func("coalesce", small, exp.true())), exp.cast(lit(0), _NARROW)),
                     default=narrow[1])
        product = exp.cast(exp.Mul(this=narrow[0], expression=right), DECIMAL)
        digits = exp.or_(exp.LT(this=fn("abs", product), expression=decimal(Decimal("1e10"))),
                         exp.EQ(this=product, expression=fn("round", product, lit(8))))
        exact = exp.and_(_narrow(a.sql), _narrow(b.sql), small, exp.paren(digits))
        sure = exp.or_(_null(a.sql), _null(b.sql), exp.paren(exact))
        sure = exp.and_(*(side.sure for side in (a, b) if side.sure is not None), sure)
        kind = Kind.MONEY if Kind.MONEY in (a.kind, b.kind) else Kind.NUMBER
        return Value(product, kind, sure=sure)

    def _moved(self, a: Value, b: Value, add: bool) -> Value:
        """A date moved by a duration of whole days (`compiler._whole_days`; any other
        duration is an error of the record, the stream's to report)."""
        day, by = (a, b) if a.kind is Kind.DATE else (b, a)
        if by.open is not None:
            raise UnsupportedError("a date moved by a duration that may not be known yet")
        whole = 86_400_000_000
        days = exp.TryCast(this=exp.IntDiv(this=by.sql, expression=lit(whole)),
                           to=exp.DataType.build("INTEGER"))
        moved = exp.Add(this=day.sql, expression=days if add else exp.Neg(this=exp.paren(days)))
        # a whole number of days, and few enough of them for any year a date may hold
        fits = exp.and_(exp.EQ(this=exp.Mod(this=by.sql, expression=lit(whole)),
                               expression=lit(0)),
                        exp.LTE(this=fn("abs", by.sql), expression=lit(36_500 * whole)))
        sures = [side.sure for side in (a, b) if side.sure is not None]
        sures.append(exp.or_(_null(by.sql), _null(day.sql), exp.paren(fits)))
        return Value(case((exp.paren(fits), moved)), Kind.DATE, sure=exp.and_(*sures))

    def _quotient(self, a: Value, b: Value, expr: ast.Expr, right: ast.Expr) -> Value:
        """`a / b` of numbers or amounts, or of two durations (`compiler._ratio`), as Python
        divides decimals (28 digits, rounded half even): SQL is sure of it when each side
        has at most 9 decimals, the quotient ends within 18 and needs at most 28 digits, so
        that Python did not round it. DuckDB divides decimals as DOUBLE: the quotient is a
        long division of the operands as integers of 10^-9 (HUGEINT), sure when the
        remainder comes to 0 (and the divisor is below 10^11). A zero divisor is an error
        of the record, the stream's to report. An event not yet
        happened divided by a constant is bounded on the side the constant's sign says
        (`compiler._open_arithmetic`)."""
        after = a.after
        if b.open is not None:
            raise UnsupportedError(_what(expr))
        if a.open is not None:
            constant = self.compiler.constant(right) if _is_constant(b.sql) else None
            if isinstance(constant, timedelta):
                constant = constant // timedelta(microseconds=1)
            if not isinstance(constant, Decimal | int) or not constant:
                raise UnsupportedError(_what(expr))
            after = after if constant > 0 else not after
        if a.kind is Kind.DURATION and b.kind is Kind.DURATION:
            x, y = _cast(a.sql, DECIMAL), _cast(b.sql, DECIMAL)
        elif a.kind in _NUMBERS and b.kind in _NUMBERS:
            x, y = a.sql, b.sql
        else:
            raise UnsupportedError(_what(expr))
        # both as integers of 10^-9, the divisor below 10^20 so that a remainder times
        # 10^18 stays within HUGEINT: the 18 decimals come in one step
        top = _scaled(x)
        divisor = case((exp.LT(this=fn("abs", y), expression=decimal(Decimal("1e11"))),
                        fn("nullif", _scaled(y), _huge(0))))
        whole = exp.paren(exp.IntDiv(this=top, expression=divisor))
        rest = exp.Mul(this=exp.paren(exp.Mod(this=top, expression=divisor)),
                       expression=_huge(10**18))
        below = _huge(10**20 - 1)  # a whole part below 10^20: the quotient fits DECIMAL(38, 18)
        units = exp.paren(exp.Add(
            this=exp.Mul(this=fn("least", whole, below), expression=_huge(10**18)),
            expression=exp.paren(exp.IntDiv(this=rest, expression=divisor))))
        size = exp.Mul(this=_cast(units, "DECIMAL(38, 0)"),
                       expression=_cast(lit("0.000000000000000001"), DECIMAL))
        negative = exp.NEQ(this=exp.paren(exp.LT(this=x, expression=decimal(Decimal(0)))),
                           expression=exp.paren(exp.LT(this=y, expression=decimal(Decimal(0)))))
        sign = case((negative, exp.Neg(this=lit(1))), default=1)
        quotient = exp.Mul(this=size, expression=sign)
        # at most 28 digits: below 10^10, or no more than 8 decimals
        digits = exp.EQ(this=fn("least", exp.IntDiv(this=units, expression=_huge(10**28)),
                                exp.Mod(this=units, expression=_huge(10**10))),
                        expression=_huge(0))
        exact = exp.and_(*(_narrow(side) for side in (x, y)),
                         exp.LT(this=whole, expression=below),
                         exp.EQ(this=exp.paren(exp.Mod(this=rest, expression=divisor)),
                                expression=_huge(0)), digits)
        sures = [side.sure for side in (a, b) if side.sure is not None]
        sures.append(exp.or_(_null(x), _null(y), exp.func("coalesce", exact, exp.false())))
        kind = self.checked.type_of(expr).kind
        return Value(case((exp.or_(_null(x), _null(y)), None), default=quotient),
                     Kind.MONEY if kind is Kind.MONEY else Kind.NUMBER, a.open, after,
                     exp.and_(*sures))

    def _conditional(self, expr: ast.Expr, condition: ast.Expr, then: Value,
                     otherwise: Value) -> Value:
        """`if c then a else b` (`compiler._conditional`): a pending c has no value."""
        if then.open is not None or otherwise.open is not None:
            raise UnsupportedError(_what(expr))
        chosen = self.truth(condition)
        kind = self.checked.type_of(expr).kind
        kind = Kind.STRING if kind is Kind.ENUM else kind
        sql = case((_eq(chosen, PASS), then.sql), (_eq(chosen, PENDING), None),
                   default=otherwise.sql)
        tests: list[exp.Expr] = [exp.not_(_null(chosen))]
        if then.sure is not None:
            tests.append(exp.or_(exp.not_(_eq(chosen, PASS)), then.sure))
        if otherwise.sure is not None:
            tests.append(exp.or_(is_in(chosen, PASS, PENDING), otherwise.sure))
        return Value(sql, kind, sure=exp.and_(*tests))

    def _call(self, expr: ast.Expr, function: str, args: list[Value]) -> Value:
        """`min`, `max`, `abs`, `floor`, `ceil`, `round` (`functions.implementation`): no
        value when an argument has none."""
        kind = args[0].kind
        if any(arg.kind is Kind.LIST for arg in args):
            raise UnsupportedError(_what(expr))
        if function in ("min", "max"):
            if any(arg.kind != kind for arg in args) and not all(
                    arg.kind in _NUMBERS for arg in args):
                raise UnsupportedError(_what(expr))
            sql: exp.Expr = fn("least" if function == "min" else "greatest",
                               *(arg.sql for arg in args))
            kind = self.checked.type_of(expr).kind
        elif function == "abs":
            sql = fn("abs", args[0].sql)
        elif function in ("floor", "ceil"):
            sql = exp.TryCast(this=fn(function, args[0].sql), to=exp.DataType.build(DECIMAL))
        else:  # round, half up (away from zero, as DuckDB rounds a DECIMAL)
            if self.checked.contract.rounding != "half_up":
                raise UnsupportedError(f"{_what(expr)} rounded "
                                       f"{self.checked.contract.rounding}")
            places = 0
            assert isinstance(expr, ast.Call)
            if len(expr.args) == 2:
                written = expr.args[1]
                assert isinstance(written, ast.Number)
                places = int(written.value)
            sql = exp.TryCast(this=fn("round", args[0].sql, lit(places)),
                              to=exp.DataType.build(DECIMAL))
        if kind not in (_ORDERED if function in ("min", "max") else
                        _SIGNED if function == "abs" else _NUMBERS):
            raise UnsupportedError(_what(expr))
        # LEAST and GREATEST pass over a NULL; Python's have no value then
        known = exp.and_(*(exp.not_(_null(arg.sql)) for arg in args))
        sure = [arg.sure for arg in args if arg.sure is not None]
        if isinstance(sql, exp.TryCast):  # rounded up to 10^20, beyond DECIMAL(38, 18)
            sure.append(exp.or_(exp.not_(exp.paren(known)), exp.not_(_null(sql))))
        return Value(case((known, sql)), kind, sure=exp.and_(*sure) if sure else None)

    def _lookup(self, expr: ast.Expr, name: str, key: Value) -> Value:
        """A table's value at a text key, as a CASE over its entries; a key it lacks, with
        no default, is the stream engine's to report."""
        table = next(table for table in self.checked.contract.tables if table.name == name)
        versions = table.versions()
        if len(versions) != 1 or key.kind is not Kind.STRING:
            raise UnsupportedError(_what(expr))
        entries = [(entry, self._constant(self.compiler.constant(node), node))
                   for entry, node in versions[0][1].items()]
        default = None
        if table.default is not None:
            default = self._constant(self.compiler.constant(table.default), table.default)
        kind = self.checked.type_of(expr).kind
        kind = Kind.STRING if kind is Kind.ENUM else kind
        sql = exp.Case(ifs=[exp.If(this=exp.EQ(this=key.sql, expression=lit(entry)),
                                   true=value.sql) for entry, value in entries],
                       default=default.sql if default is not None else exp.null())
        listed = exp.In(this=key.sql, expressions=[lit(entry) for entry, _ in entries])
        sure = [key.sure] if key.sure is not None else []
        if default is None:
            sure.append(exp.or_(_null(key.sql), listed))
        return Value(case((exp.not_(_null(key.sql)), sql)), kind,
                     sure=exp.and_(*sure) if sure else None)

    def _ref(self, expr: ast.Ref, name: str) -> Value:
        if id(expr) in self.checked.enum_values:
            return Value(lit(name), Kind.STRING)
        spec = self.schema.field(name)
        if spec is not None:
            column = exp.column(name, quoted=True)
            kind = Kind.STRING if spec.type.kind is Kind.ENUM else spec.type.kind
            if kind is Kind.TIMESTAMP and not (spec.required or spec.default is not None):
                absent = exp.Is(this=column, expression=exp.null())
                return Value(exp.Coalesce(this=column, expressions=[lit(self.as_of)]), kind,
                             absent)
            return Value(column, kind)
        if name in self.derived:
            return self.value(self.derived[name])
        if name in self.parameters or name == AS_OF:
            return self._constant(self.compiler.constant(expr), expr)
        raise UnsupportedError(_what(expr))

    def _constant(self, value: Any, expr: ast.Expr) -> Value:
        match value:
            case bool():
                return Value(exp.true() if value else exp.false(), Kind.BOOL)
            case Decimal():
                kind = self.checked.type_of(expr).kind
                return Value(decimal(value), Kind.MONEY if kind is Kind.MONEY else Kind.NUMBER)
            case timedelta():
                return Value(lit(value // timedelta(microseconds=1)), Kind.DURATION)
            case datetime():
                return Value(lit(micros(value)), Kind.TIMESTAMP)
            case date():
                return Value(exp.cast(lit(value.isoformat()), "DATE"), Kind.DATE)
            case str():
                return Value(lit(value), Kind.STRING)
        raise UnsupportedError(_what(expr))

    def _arithmetic(self, op: ast.BinOp, a: Value, b: Value) -> Value:
        kinds = (a.kind, b.kind)
        add = op is ast.BinOp.ADD
        if kinds == (Kind.TIMESTAMP, Kind.DURATION) or (add and kinds == (Kind.DURATION,
                                                                           Kind.TIMESTAMP)):
            kind = Kind.TIMESTAMP
        elif not add and kinds == (Kind.TIMESTAMP, Kind.TIMESTAMP):
            kind = Kind.DURATION
        elif a.kind == b.kind and a.kind in _SIGNED:
            kind = a.kind
        elif {a.kind, b.kind} <= {Kind.NUMBER, Kind.MONEY}:
            kind = Kind.MONEY
        elif (a.kind is Kind.DATE and b.kind is Kind.DURATION) or (
                add and kinds == (Kind.DURATION, Kind.DATE)):
            return self._moved(a, b, add)
        else:
            raise UnsupportedError(f"arithmetic on a {a.kind.value} and a {b.kind.value}")
        how = exp.Add if add else exp.Sub
        sql = exp.paren(how(this=a.sql, expression=b.sql))
        sures = [side.sure for side in (a, b) if side.sure is not None]
        sure = exp.and_(*sures) if sures else None
        if a.open is not None and b.open is not None:
            # `compiler._open_arithmetic`: two events not yet happened give no value when
            # their bounds do not bound the result (`delivered_at - picked_up_at`); with
            # one of them happened, the bound's side varies by line: the stream's to say
            either = exp.or_(a.open, b.open)
            unbounded = add != (a.after == b.after)
            known = exp.and_(a.open, b.open) if unbounded else exp.false()
            sures.append(exp.or_(exp.not_(exp.paren(either)), exp.paren(known)))
            return Value(case((either, None), default=sql), kind, sure=exp.and_(*sures))
        if b.open is not None:  # `x - event`: bounded the other way (`compiler._open_arithmetic`)
            return Value(sql, kind, b.open, b.after if add else not b.after, sure)
        return Value(sql, kind, a.open, a.after, sure)


def _huge(value: int) -> exp.Expr:
    return exp.cast(lit(value), "HUGEINT")


SIZE = 20000
"""The most nodes a value's SQL and its condition may have: a product or quotient repeats
its operands, so nested ones grow geometrically; beyond this the value is the stream's."""


def _size(value: Value) -> int:
    found = sum(1 for _ in value.sql.walk())
    return found + (0 if value.sure is None else sum(1 for _ in value.sure.walk()))


def _narrow(value: exp.Expr) -> exp.Expr:
    """Whether a DECIMAL(38, 18) has at most 9 decimals. (Compared at 18: DuckDB compares
    DECIMAL(38, 9) with DECIMAL(38, 18) at the smaller scale.)"""
    return exp.EQ(this=_cast(_cast(value, _NARROW), DECIMAL), expression=value)


def _cast(value: exp.Expr, to: str) -> exp.Expr:
    """A cast as written (sqlglot's `exp.cast` folds a cast of a cast into one)."""
    return exp.Cast(this=value, to=exp.DataType.build(to))


def _scaled(value: exp.Expr) -> exp.Expr:
    """|value| (a DECIMAL(38, 18) of at most 9 decimals) as a HUGEINT count of 10^-9."""
    return exp.cast(exp.Mul(this=exp.cast(fn("abs", value), _NARROW),
                            expression=exp.cast(lit(10**9), "DECIMAL(10, 0)")), "HUGEINT")


def _and(a: int | None, b: int | None) -> int | None:
    """`compiler._and` with None for a truth SQL is not sure of (sent to the stream)."""
    if a is None or a in (BREACH, OVERDUE):
        return a
    if b is None or b in (BREACH, OVERDUE):
        return b
    if PENDING in (a, b):
        return PENDING
    return PASS_OPEN if PASS_OPEN in (a, b) else PASS


def _or(a: int | None, b: int | None) -> int | None:
    """`compiler._or`, likewise."""
    if a is None or a in (PASS, PASS_OPEN):
        return a
    if b is None or b in (PASS, PASS_OPEN):
        return b
    if PENDING in (a, b):
        return PENDING
    return OVERDUE if OVERDUE in (a, b) else BREACH


_NEGATED = {None: None, PENDING: PENDING, PASS: BREACH, BREACH: PASS, PASS_OPEN: OVERDUE,
            OVERDUE: PASS_OPEN}
_CODES: tuple[int | None, ...] = (BREACH, PASS, PENDING, OVERDUE, PASS_OPEN, None)
"""The truths in the order of the tables below: a code's position is the code (NULL last)."""


def _array(values: list[exp.Expr]) -> exp.Expr:
    return exp.Array(expressions=values)


def _code(value: int | None) -> exp.Expr:
    return exp.null() if value is None else lit(value)


_AND = _array([_array([_code(_and(a, b)) for b in _CODES]) for a in _CODES])
_OR = _array([_array([_code(_or(a, b)) for b in _CODES]) for a in _CODES])
_NOT = _array([_code(_NEGATED[a]) for a in _CODES])
_SETTLED = _array([_code(PASS if a == PASS_OPEN else a) for a in _CODES])


def _look(table: exp.Expr, truth: exp.Expr) -> exp.Expr:
    """`table` at `truth` (a list literal indexed by code, NULL at the end): each operand is
    written once, so a clause's SQL grows with the clause, not with its nesting."""
    position = exp.Add(this=exp.func("coalesce", truth, lit(len(_CODES) - 1)),
                       expression=lit(1))  # DuckDB counts from 1; printed as written
    return fn("list_extract", table.copy(), position)


_SIGNED = frozenset({Kind.NUMBER, Kind.MONEY, Kind.DURATION})
_NUMBERS = frozenset({Kind.NUMBER, Kind.MONEY})
_ORDERED = frozenset({Kind.NUMBER, Kind.MONEY, Kind.DURATION, Kind.TIMESTAMP, Kind.DATE})
_CALLS = frozenset({"min", "max", "abs", "floor", "ceil", "round"})
_NARROW = "DECIMAL(38, 9)"
"""Each side of a product, when it has at most 9 decimals: the product has at most 18."""
_COMPARABLE = {
    Kind.NUMBER: {Kind.NUMBER, Kind.MONEY}, Kind.MONEY: {Kind.NUMBER, Kind.MONEY},
    Kind.DURATION: {Kind.DURATION}, Kind.TIMESTAMP: {Kind.TIMESTAMP}, Kind.DATE: {Kind.DATE},
    Kind.STRING: {Kind.STRING}, Kind.BOOL: {Kind.BOOL},
}


def _is_constant(sql: exp.Expr) -> bool:
    return not list(sql.find_all(exp.Column))


def _what(expr: ast.Node) -> str:
    text = " ".join(expr.span.text.split()) if expr.span is not None else ""
    kind = type(expr).__name__.lower()
    return f"`{text}` ({kind})" if text else f"a {kind} expression"
