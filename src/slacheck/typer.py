"""Expression typing: every name resolved and every operator applied to the right types.

Records nothing but types and diagnostics: `types` maps `id(node)` to its type, and
`enum_values` marks the bare names that stand for a value of an enum (`office == TSN`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from slacheck import ast, functions
from slacheck import types as t
from slacheck._source import Span
from slacheck.diagnostics import (
    BAD_VALUE,
    CURRENCY_MISMATCH,
    TYPE_MISMATCH,
    UNKNOWN_NAME,
    Code,
    Diagnostic,
    did_you_mean,
)
from slacheck.types import Kind, Scale, Type

_ORDERED = {Kind.NUMBER, Kind.MONEY, Kind.DURATION, Kind.TIMESTAMP, Kind.DATE}


AS_OF = "as_of"
"""The evaluation time, as a value: `as_of - booked_at` is how long an open record has waited.
A field, derived field or parameter of that name takes precedence."""


class UntypedError(Exception):
    """An expression could not be typed; its diagnostic is already recorded."""


class Typer:
    """Types expressions against the declared fields, derived fields and parameters."""

    def __init__(self, currency: str, fields: dict[str, Type], parameter_names: tuple[str, ...],
                 found: list[Diagnostic], calendars: tuple[str, ...] = (),
                 converted: tuple[str, ...] = ()) -> None:
        self.tables: dict[str, TableType] = {}
        """The contract's lookup tables, by name, once the checker has typed them."""
        self.currency = currency
        self.calendars = calendars
        self.converted = converted
        """Other currencies (`rates:`): an amount in one is converted into `currency`."""
        """The business calendars the contract declares (`calendars:`)."""
        self.fields = fields
        self.parameter_names = parameter_names
        self.derived: dict[str, Type] = {}
        self.parameters: dict[str, Type] = {}
        self.types: dict[int, Type] = {}
        self.enum_values: set[int] = set()
        self.untyped: set[str] = set()
        """Declared names whose own declaration failed: their uses are not errors again."""
        self.found = found
        self._each: list[Type] = []
        """The values `each` names, innermost last, inside `count(list, condition)`."""

    def _error(self, code: Code, message: str, span: Span | None,
               hints: tuple[str, ...] = ()) -> None:
        self.found.append(Diagnostic(code, message, span, hints))

    def infer(self, expr: ast.Expr) -> Type:
        found = self._type(expr)
        self.types[id(expr)] = found
        return found

    def _type(self, expr: ast.Expr) -> Type:
        match expr:
            case ast.Number():
                return t.NUMBER
            case ast.Percent():
                return t.RATIO
            case ast.Money(currency=currency):
                if currency in self.converted:  # at the rate given at run time
                    return t.money(self.currency)
                if currency != self.currency:
                    self._error(CURRENCY_MISMATCH, f"amount in {currency}, but the contract's "
                                f"currency is {self.currency}", expr.span,
                                (f"declare `rates: {{{currency}: {{}}}}` to convert it at a "
                                 "rate given when the contract is run",))
                    raise UntypedError
                return t.money(currency)
            case ast.Duration():
                return t.DURATION
            case ast.String():
                return t.STRING
            case ast.Bool():
                return t.BOOL
            case ast.Ref(name=name):
                return self._ref(expr, name)
            case ast.Neg(operand=operand):
                found = self.infer(operand)
                if found.kind not in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
                    self._mismatch(expr, f"cannot negate {found}")
                return found
            case ast.Binary():
                return self._binary(expr)
            case ast.PercentOf(operand=operand):
                self.infer(expr.percent)
                found = self.infer(operand)
                if found.kind not in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
                    self._mismatch(expr, f"cannot take a percentage of {found}")
                return found
            case ast.Compare():
                return self._compare(expr)
            case ast.In():
                return self._in(expr)
            case ast.Within():
                return self._within(expr)
            case ast.Presence(operand=operand):
                self.infer(operand)
                return t.BOOL
            case ast.Logical(left=left, right=right):
                self.both(lambda: self._boolean(left, expr.op.value),
                           lambda: self._boolean(right, expr.op.value))
                return t.BOOL
            case ast.Not(operand=operand):
                self._boolean(operand, "not")
                return t.BOOL
            case ast.Call():
                return functions.call_type(self, expr)
            case ast.Conditional():
                return self._conditional(expr)
            case ast.Lookup():
                return self._lookup(expr)
            case ast.Aggregate(function=function, operand=operand):
                # checked where it stands (`Checker._aggregate`): a count is a number,
                # every other total has its operand's type
                if function == "count" or operand is None:
                    return t.NUMBER
                return self.infer(operand)
            case ast.Date():
                return t.DATE
            case ast.Timestamp():
                return t.TIMESTAMP
            case ast.CalendarDuration():
                return t.CALENDAR
            case ast.Between(operand=operand, low=low, high=high) | \
                    ast.InRange(operand=operand, low=low, high=high):
                return self._range(expr, operand, low, high)
            case ast.WithinBusiness():
                return self._within_business(expr)
        raise AssertionError(f"unhandled node {expr!r}")  # pragma: no cover

    def each_value(self, element: Type, condition: ast.Expr) -> None:
        """Type `condition` as true or false of one value of a list, named `each`."""
        self._each.append(element)
        try:
            self._boolean(condition, "count")
        finally:
            self._each.pop()

    def _ref(self, expr: ast.Ref, name: str) -> Type:
        if name == ast.EACH and self._each:
            return self._each[-1]
        for table in (self.fields, self.derived, self.parameters):
            if name in table:
                return table[name]
        if name in self.untyped:
            raise UntypedError
        if name == AS_OF:
            return t.TIMESTAMP
        if name in self.tables:
            self._mismatch(expr, f"`{name}` is a table, not a value",
                           (f"look a key up in it: `{name}[customer_id]`",))
        declared = (*self.fields, *self.derived, *self.parameter_names)
        self._error(UNKNOWN_NAME, f"unknown field `{name}`", expr.span,
                    ("`each` names a list's value inside `count(readings, each > 8)`",)
                    if name == ast.EACH else did_you_mean(name, declared))
        raise UntypedError

    def _conditional(self, expr: ast.Conditional) -> Type:
        """Both branches one type; the condition true or false (absent: no value)."""
        found: list[tuple[Type, Type]] = []
        self.both(lambda: self._boolean(expr.condition, "if"),
                  lambda: found.append(self._operands(expr.then, expr.otherwise)))
        then, otherwise = found[0]
        merged = unite(then, otherwise)
        if merged is None:
            self._mismatch(expr, f"the branches of `if` are {then} and {otherwise}",
                           ("both branches must give one type: `if on_time then cases else 0`",))
            raise UntypedError  # pragma: no cover
        return merged

    def _lookup(self, expr: ast.Lookup) -> Type:
        table = self.tables.get(expr.table)
        failed = False
        if table is None:
            failed = True
            if expr.table not in self.untyped:
                self._error(UNKNOWN_NAME, f"unknown table `{expr.table}`", expr.table_span,
                            did_you_mean(expr.table, self.tables)
                            or ("declare it under `tables:`",))
        try:
            key = self.infer(expr.key)
            if not key.is_text:
                self._mismatch(expr.key, f"a table's keys are text, not {key}",
                               ("look up a string or enum field",))
            if table is not None and isinstance(expr.key, ast.String) and not table.default \
                    and expr.key.value not in table.keys:
                self._error(BAD_VALUE, f"`{expr.key.value}` is not a key of table "
                            f"`{expr.table}`", expr.key.span, did_you_mean(expr.key.value,
                                                                         table.keys))
                failed = True
        except UntypedError:
            failed = True
        if expr.at is not None:
            try:
                at = self.infer(expr.at)
                if at.kind not in (Kind.TIMESTAMP, Kind.DATE):
                    self._mismatch(expr.at, f"a table is read at a timestamp or date, not {at}")
                if table is not None and not table.dated:
                    self._mismatch(expr.at, f"table `{expr.table}` does not change over time",
                                   ("leave out `at ...`, or give the table `changes:`",))
            except UntypedError:
                failed = True
        if failed or table is None:
            raise UntypedError
        return table.type

    def _mismatch(self, expr: ast.Node, message: str, hints: tuple[str, ...] = ()) -> None:
        self._error(TYPE_MISMATCH, message, expr.span, hints)
        raise UntypedError

    def refuse(self, expr: ast.Node, message: str, hints: tuple[str, ...] = ()) -> NoReturn:
        """Report a type error at `expr` and give up typing it (`UntypedError`)."""
        self._error(TYPE_MISMATCH, message, expr.span, hints)
        raise UntypedError

    def _boolean(self, expr: ast.Expr, operator: str) -> None:
        found = self.infer(expr)
        if found.kind is not Kind.BOOL:
            self._mismatch(expr, f"`{operator}` needs true or false, not {found}")

    def both(self, first: Callable[[], object], second: Callable[[], object]) -> None:
        """Check two operands so that an error in the first still lets the second be checked."""
        failed = False
        for check_one in (first, second):
            try:
                check_one()
            except UntypedError:
                failed = True
        if failed:
            raise UntypedError

    def _pair(self, left: ast.Expr, right: ast.Expr) -> tuple[Type, Type]:
        found: list[Type] = []
        self.both(lambda: found.append(self.infer(left)),
                   lambda: found.append(self.infer(right)))
        return found[0], found[1]

    def _binary(self, expr: ast.Binary) -> Type:
        left, right = self._pair(expr.left, expr.right)
        result = _arithmetic(expr.op, left.kind, right.kind)
        if result is None or not _mixable(expr.op, left, right):
            self._mismatch(expr, f"cannot apply `{expr.op.value}` to {left} and {right}",
                           self._ratio_hint(expr.left, left, expr.right, right,
                                            _PHRASES.get(expr.op, "use it with"))
                           or _time_hint(left, right))
            raise UntypedError  # pragma: no cover
        if result is Kind.DATE and Kind.DURATION in (left.kind, right.kind):
            self._whole_days(expr.right if right.kind is Kind.DURATION else expr.left)
        if result is Kind.MONEY:
            return left if left.kind is Kind.MONEY else right
        if result is Kind.NUMBER:
            return Type(Kind.NUMBER, scale=_scale(expr.op, left, right))
        return Type(result)

    def _ratio_hint(self, left: ast.Expr, left_type: Type, right: ast.Expr, right_type: Type,
                    phrase: str) -> tuple[str, ...]:
        """How to mix a ratio (`99.8%`) and a plain number (`level`) rightly, if that is
        what went wrong."""
        scales = {left_type.scale: left, right_type.scale: right}
        if {left_type.kind, right_type.kind} != {Kind.NUMBER} or not (
            {Scale.RATIO, Scale.PLAIN} <= scales.keys()
        ):
            return ()
        ratio, plain = scales[Scale.RATIO], scales[Scale.PLAIN]
        if isinstance(ratio, ast.Percent) and ratio.span is not None:
            written = ratio.span.text
            hint = f"write `{written.removesuffix('%')}` to {phrase} a number"
            example = f" ({ratio.value} for {written})"
        elif isinstance(ratio, ast.Ref):
            hint, example = f"make `{ratio.name}` a plain number to {phrase} a number", ""
        else:
            hint, example = f"write the percentage as a plain number to {phrase} a number", ""
        if isinstance(plain, ast.Ref) and plain.name in self.fields:
            hint += f", or declare `{plain.name}` as `ratio` if it holds fractions{example}"
        return (hint,)

    def _whole_days(self, duration: ast.Expr) -> None:
        """A duration written on a date must be whole days: a date has no time of day."""
        if isinstance(duration, ast.Duration) and duration.microseconds % _DAY:
            days = duration.microseconds / _DAY
            self._mismatch(duration, f"a date moves by whole days, not by `{duration.text}`",
                           (f"write whole days such as `{max(1, round(days))}d`, or use a "
                            "timestamp field for a time of day",))

    def _range(self, expr: ast.Between | ast.InRange, operand: ast.Expr, low: ast.Expr,
               high: ast.Expr) -> Type:
        """`x between a and b`, `x in [a, b)`: both ends of the operand's ordered type."""
        word = "between" if isinstance(expr, ast.Between) else "an interval"
        found: list[Type] = []
        self.both(lambda: found.append(self.infer(operand)),
                  lambda: self.both(lambda: found.append(self.infer(low)),
                                    lambda: found.append(self.infer(high))))
        kind, low_type, high_type = found
        for end, end_type in ((low, low_type), (high, high_type)):
            if not _comparable(kind, end_type):
                self._mismatch(end, f"cannot compare {kind} with {end_type}",
                               self._ratio_hint(operand, kind, end, end_type, "compare with")
                               or _time_hint(kind, end_type))
        if kind.kind not in _ORDERED:
            self._mismatch(expr, f"{word} needs ordered values, not {kind}",
                           ("numbers, money, durations, dates and timestamps have an order",))
        return t.BOOL

    def _within_business(self, expr: ast.WithinBusiness) -> Type:
        event, start = self._pair(expr.event, expr.start)
        for node, found in ((expr.event, event), (expr.start, start)):
            if found.kind not in (Kind.TIMESTAMP, Kind.DATE):
                self._mismatch(node, f"business days count from a timestamp or a date, "
                               f"not {found}",
                               ("`delivered_at within 2 business days of picked_up_at "
                                "using cn`",))
        if expr.calendar not in self.calendars:
            hints = did_you_mean(expr.calendar, self.calendars) or (
                "declare it: `calendars: {cn: {weekend: [sat, sun], holidays: [...]}}`",)
            self._error(UNKNOWN_NAME, f"unknown calendar `{expr.calendar}`",
                        expr.calendar_span, hints)
            raise UntypedError
        if expr.zone is not None:
            named = self.infer(expr.zone)
            if named.kind not in (Kind.STRING, Kind.ENUM):
                self._mismatch(expr.zone, f"a time zone is named by a text field, not {named}",
                               ("a field holding names such as `Asia/Shanghai`",))
        if expr.cutoff is not None and start.kind is Kind.DATE:
            self._mismatch(expr.start, "a cut-off time needs a timestamp to compare with, "
                           "not a date", ("leave out `with cutoff ...`, or start from a "
                                          "timestamp field",))
        return t.BOOL

    def _compare(self, expr: ast.Compare) -> Type:
        left, right = self._operands(expr.left, expr.right)
        if not _comparable(left, right):
            self._mismatch(expr, f"cannot compare {left} with {right}",
                           self._ratio_hint(expr.left, left, expr.right, right, "compare with")
                           or _time_hint(left, right))
        if expr.op not in (ast.CmpOp.EQ, ast.CmpOp.NE) and left.kind not in _ORDERED:
            self._mismatch(expr, f"`{expr.op.value}` needs ordered values, not {left}",
                           ("use `==` or `!=`",))
        return t.BOOL

    def _in(self, expr: ast.In) -> Type:
        operand = self.infer(expr.operand)
        failed = False
        for item in expr.items:  # every item is checked, so each wrong one is reported
            try:
                found = self._item(item, operand)
                if not _comparable(operand, found):
                    self._mismatch(item, f"{found} cannot be a value of {operand}",
                                   self._ratio_hint(expr.operand, operand, item, found,
                                                    "compare with"))
            except UntypedError:
                failed = True
        if failed:
            raise UntypedError
        return t.BOOL

    def _within(self, expr: ast.Within) -> Type:
        event, start = self.infer(expr.event), self.infer(expr.start)
        limit = self.infer(expr.limit)
        for node, found in ((expr.event, event), (expr.start, start)):
            if found.kind is not Kind.TIMESTAMP:
                hints = ["a deadline is between two moments: "
                         "`delivered_at within 24h of picked_up_at`"]
                if isinstance(node, ast.Ref) and node.name in self.fields:
                    hints = [f"declare `{node.name}` as `timestamp`"]
                if found.kind is Kind.DATE:
                    hints.append("for dates, compare: `delivered_on <= mabd + 2d`, or count "
                                 "`within 2 business days of ... using CALENDAR`")
                self._mismatch(node, f"a deadline needs a timestamp here, not {found}",
                               tuple(hints))
        if limit.kind not in (Kind.DURATION, Kind.CALENDAR):
            self._mismatch(expr.limit, f"a deadline needs a duration here, not {limit}",
                           ("write a duration such as `24h`, `2d` or `9 months`",))
        return t.BOOL

    def _operands(self, left: ast.Expr, right: ast.Expr) -> tuple[Type, Type]:
        """Types of two compared operands; a bare name or a string beside an enum must be
        one of its values."""
        if self._literal(right):
            found = self.infer(left)
            return found, self._item(right, found)
        if self._literal(left):
            found = self.infer(right)
            return self._item(left, found), found
        return self._pair(left, right)

    def _literal(self, expr: ast.Expr) -> bool:
        """A string, or a bare name that is not declared: perhaps a value of an enum."""
        if isinstance(expr, ast.Ref):
            return not self.declared(expr.name)
        return isinstance(expr, ast.String) or self._hyphenated(expr)

    def _hyphenated(self, expr: ast.Expr) -> bool:
        """A value with a `-` written bare, `HAM-MUC`: names that are not declared and
        numbers, which the grammar reads as a subtraction."""
        if not isinstance(expr, ast.Binary):
            return False
        stack: list[ast.Expr] = [expr]
        names = 0
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Binary) and node.op is ast.BinOp.SUB:
                stack += [node.left, node.right]
            elif isinstance(node, ast.Ref) and not self.declared(node.name):
                names += 1
            elif not isinstance(node, ast.Number):
                return False
        return names > 0

    def _quote(self, item: ast.Expr, operand: Type) -> None:
        """One diagnostic for a bare hyphenated value, not one per part; never returns."""
        written = item.span.text if item.span is not None else ""
        value = "".join(written.split())
        hint = f'write "{value}": bare, `{value}` reads as `{value.replace("-", " - ")}`'
        if operand.kind is Kind.ENUM and value not in operand.values and operand.values:
            self._error(BAD_VALUE, f"`{value}` is not one of {operand}", item.span,
                        (*did_you_mean(value, operand.values), hint))
        else:
            self._error(BAD_VALUE, f"the value `{value}` must be written in quotes",
                        item.span, (hint,))
        raise UntypedError

    def declared(self, name: str) -> bool:
        return (name in self.fields or name in self.derived or name in self.parameters
                or name in self.untyped or (name == ast.EACH and bool(self._each)))

    def _item(self, item: ast.Expr, operand: Type) -> Type:
        if operand.is_text and self._hyphenated(item):
            self._quote(item, operand)
        if operand.kind is Kind.ENUM and isinstance(item, ast.String | ast.Ref):
            value = item.value if isinstance(item, ast.String) else item.name
            if isinstance(item, ast.Ref) and self.declared(item.name):
                return self.infer(item)
            if value not in operand.values and operand.values:  # no values: reported
                self._error(BAD_VALUE, f"`{value}` is not one of {operand}", item.span,
                            did_you_mean(value, operand.values))
                raise UntypedError
            if isinstance(item, ast.Ref):
                self.enum_values.add(id(item))
            self.types[id(item)] = operand
            return operand
        return self.infer(item)


@dataclass(frozen=True, slots=True)
class TableType:
    """What the typer knows of a lookup table: its values' type, its keys, whether it has
    a default and whether its values change on dates."""

    type: Type
    keys: tuple[str, ...]
    default: bool = False
    dated: bool = False


def unite(left: Type, right: Type) -> Type | None:
    """The one type of two values that may stand for each other (branches of `if`, the
    arguments of `min`), or None: text with text, like kinds, numbers of one scale."""
    if left.is_text and right.is_text:
        if left == right:
            return left
        return t.STRING
    if not _comparable(left, right):
        return None
    if left.kind is Kind.NUMBER:
        return left if left.scale is not Scale.ANY else right
    return left


_PHRASES = {ast.BinOp.ADD: "add it to", ast.BinOp.SUB: "subtract it from"}
_DAY = 86_400_000_000


def _time_hint(left: Type, right: Type) -> tuple[str, ...]:
    """Why dates, timestamps and calendar durations do not mix as written."""
    kinds = {left.kind, right.kind}
    if kinds == {Kind.DATE, Kind.TIMESTAMP}:
        return ("a date is a whole day and a timestamp a moment: compare a timestamp with "
                "a timestamp (`delivered_at <= 2024-07-05T00:00+08:00`) or a date with a date "
                "(`delivered_on <= 2024-07-05`)",)
    if Kind.CALENDAR in kinds:
        return ("months and years have no fixed length: add them to a timestamp or a date "
                "(`picked_up_at + 9 months`), and compare the results",)
    return ()


def _comparable(left: Type, right: Type) -> bool:
    if left.is_text and right.is_text:
        return True
    if left.kind is not right.kind:
        return False
    if left.kind is Kind.NUMBER:
        return Scale.ANY in (left.scale, right.scale) or left.scale is right.scale
    return left.kind is not Kind.MONEY or left.currency == right.currency


def _mixable(op: ast.BinOp, left: Type, right: Type) -> bool:
    """Numbers added or subtracted must measure the same thing: `level + 1%` does not."""
    if op in (ast.BinOp.ADD, ast.BinOp.SUB) and left.kind is right.kind is Kind.NUMBER:
        return _comparable(left, right)
    return True


def _scale(op: ast.BinOp, left: Type, right: Type) -> Scale:
    """The scale of a number computed from two values.

    A quotient of two like quantities (`shipped / ordered`, money by money, a duration
    by a duration) is a ratio; otherwise a plain number wins over a ratio (`pieces * 50%`
    is a number of pieces), and a ratio over a number written in the contract.
    """
    if left.kind is not Kind.NUMBER or right.kind is not Kind.NUMBER:
        return Scale.RATIO  # money / money, duration / duration
    if op is ast.BinOp.DIV and left.scale is right.scale is Scale.PLAIN:
        return Scale.RATIO
    scales = {left.scale, right.scale}
    if op in (ast.BinOp.ADD, ast.BinOp.SUB):
        scales.discard(Scale.ANY)
        return scales.pop() if scales else Scale.ANY
    for scale in (Scale.PLAIN, Scale.RATIO):
        if scale in scales:
            return scale
    return Scale.ANY


_ARITHMETIC: dict[tuple[ast.BinOp, Kind, Kind], Kind] = {}
for _op in (ast.BinOp.ADD, ast.BinOp.SUB):
    for _kind in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
        _ARITHMETIC[(_op, _kind, _kind)] = _kind
    _ARITHMETIC[(_op, Kind.TIMESTAMP, Kind.DURATION)] = Kind.TIMESTAMP
_ARITHMETIC[(ast.BinOp.ADD, Kind.DURATION, Kind.TIMESTAMP)] = Kind.TIMESTAMP
_ARITHMETIC[(ast.BinOp.SUB, Kind.TIMESTAMP, Kind.TIMESTAMP)] = Kind.DURATION
# dates move by whole days, and are whole days apart; months and years move either
_ARITHMETIC[(ast.BinOp.SUB, Kind.DATE, Kind.DATE)] = Kind.DURATION
for _moment in (Kind.DATE, Kind.TIMESTAMP):
    for _op in (ast.BinOp.ADD, ast.BinOp.SUB):
        _ARITHMETIC[(_op, _moment, Kind.CALENDAR)] = _moment
    _ARITHMETIC[(ast.BinOp.ADD, Kind.CALENDAR, _moment)] = _moment
_ARITHMETIC[(ast.BinOp.ADD, Kind.DATE, Kind.DURATION)] = Kind.DATE
_ARITHMETIC[(ast.BinOp.SUB, Kind.DATE, Kind.DURATION)] = Kind.DATE
_ARITHMETIC[(ast.BinOp.ADD, Kind.DURATION, Kind.DATE)] = Kind.DATE
for _kind in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
    _ARITHMETIC[(ast.BinOp.MUL, _kind, Kind.NUMBER)] = _kind
    _ARITHMETIC[(ast.BinOp.MUL, Kind.NUMBER, _kind)] = _kind
    _ARITHMETIC[(ast.BinOp.DIV, _kind, Kind.NUMBER)] = _kind
    _ARITHMETIC[(ast.BinOp.DIV, _kind, _kind)] = Kind.NUMBER


def _arithmetic(op: ast.BinOp, left: Kind, right: Kind) -> Kind | None:
    return _ARITHMETIC.get((op, left, right))
