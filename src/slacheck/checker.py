"""The checker: every name resolved and every expression typed, before any record is read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from slacheck import ast
from slacheck import types as t
from slacheck._source import Span
from slacheck.diagnostics import (
    BAD_VALUE,
    BAD_WINDOW,
    CURRENCY_MISMATCH,
    CYCLE,
    NAME_CLASH,
    NOT_CONSTANT,
    TYPE_MISMATCH,
    UNKNOWN_NAME,
    Code,
    ContractError,
    Diagnostic,
    did_you_mean,
)
from slacheck.model import Clause, Contract, Named, Standard
from slacheck.types import Kind, Type

_ORDERED = {Kind.NUMBER, Kind.MONEY, Kind.DURATION, Kind.TIMESTAMP, Kind.DATE}
_GROUPABLE = {Kind.STRING, Kind.ENUM, Kind.BOOL, Kind.NUMBER, Kind.DATE}


@dataclass(frozen=True, slots=True)
class CheckedContract:
    """A contract whose every expression has a type; what the plan is compiled from.

    `types` maps `id(node)` to the node's type; `enum_values` holds the ids of bare
    names that stand for a value of an enum (`office == TSN`).
    """

    contract: Contract
    types: dict[int, Type] = field(repr=False)
    enum_values: frozenset[int] = field(repr=False)
    parameter_types: dict[str, Type]
    derived_types: dict[str, Type]

    def type_of(self, node: ast.Node) -> Type:
        return self.types[id(node)]


class _UntypedError(Exception):
    """An expression could not be typed; its diagnostic is already recorded."""


def check(contract: Contract) -> CheckedContract:
    """Resolve and type the whole contract; raises `ContractError` with every problem."""
    return _Checker(contract).run()


class _Checker:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.found: list[Diagnostic] = []
        self.types: dict[int, Type] = {}
        self.enum_values: set[int] = set()
        self.fields = {spec.name: spec.type for spec in contract.schema.fields}
        for spec in contract.schema.fields:
            if spec.type.kind is Kind.MONEY:
                self.fields[spec.name] = t.money(contract.currency)
        self.parameters: dict[str, Type] = {}
        self.derived: dict[str, Type] = {}

    def run(self) -> CheckedContract:
        self._names()
        for named in self.contract.parameters:
            self._parameter(named)
        self._derived_fields()
        for standard in self.contract.standards:
            self._standard(standard)
        if self.found:
            raise ContractError(self.found)
        return CheckedContract(
            self.contract,
            self.types,
            frozenset(self.enum_values),
            dict(self.parameters),
            dict(self.derived),
        )

    def _error(self, code: Code, message: str, span: Span | None,
               hints: tuple[str, ...] = ()) -> None:
        self.found.append(Diagnostic(code, message, span, hints))

    # declarations
    def _names(self) -> None:
        seen = set(self.fields)
        for named in (*self.contract.parameters, *self.contract.derived):
            if named.name in seen:
                self._error(NAME_CLASH, f"`{named.name}` is declared more than once", named.span,
                            ("rename the parameter or derived field",))
            seen.add(named.name)

    def _parameter(self, named: Named) -> None:
        expr = _expr(named.clause)
        try:
            self.parameters[named.name] = self._infer(expr)
        except _UntypedError:
            return
        self._constant(expr, "a parameter")

    def _derived_fields(self) -> None:
        pending = {named.name: named for named in self.contract.derived}
        order: list[Named] = []
        visiting: set[str] = set()

        def visit(named: Named) -> None:
            if named in order:
                return
            if named.name in visiting:
                self._error(CYCLE, f"derived field `{named.name}` depends on itself",
                            named.span, ("derived fields may only use fields declared before",))
                raise _UntypedError
            visiting.add(named.name)
            for ref in _refs(_expr(named.clause)):
                if ref.name in pending:
                    visit(pending[ref.name])
            visiting.discard(named.name)
            order.append(named)

        for named in self.contract.derived:
            try:
                visit(named)
            except _UntypedError:
                return
        for named in order:
            try:
                self.derived[named.name] = self._infer(_expr(named.clause))
            except _UntypedError:
                continue

    def _standard(self, standard: Standard) -> None:
        self._predicate(standard.require, "`require`")
        if standard.scope is not None:
            self._predicate(standard.scope, "`for`")
        for exclusion in standard.exclusions:
            self._predicate(exclusion.when, "`except`")
        self._window(standard.window)
        if standard.target is not None and isinstance(standard.target.node, ast.Target):
            rate = standard.target.node.rate
            if not 0 < rate.value <= 1:
                self._error(BAD_VALUE, "a target must be above 0% and at most 100%", rate.span)
        if standard.penalty is not None and isinstance(standard.penalty.node, ast.Penalty):
            self._penalty(standard.penalty.node)
        if standard.credit is not None and isinstance(standard.credit.node, ast.Credit):
            credit = standard.credit.node
            self._money(credit.amount, "a service credit", constant=True)
            self._consequence_period(standard, credit.period, credit.span, "a service credit")
        for rule in standard.disqualify:
            node = rule.node
            if isinstance(node, ast.ConsecutiveMissed):
                self._consequence_period(standard, node.period, node.span, "this rule")
            if isinstance(node, ast.ConsecutiveMissed | ast.BreachesWithin) and node.count < 1:
                self._error(BAD_VALUE, "the count must be at least 1", node.span)

    def _penalty(self, penalty: ast.Penalty) -> None:
        self._money(penalty.amount, "a penalty", constant=False)
        if penalty.cap is not None:
            self._money(penalty.cap, "a cap", constant=True)

    def _consequence_period(self, standard: Standard, period: ast.Period, span: Span | None,
                            what: str) -> None:
        if standard.target is None:
            self._error(BAD_WINDOW, f"{what} needs a target to miss", span,
                        ("add a target such as `target: 97% per month`",))
        elif period is not standard.window.period:
            self._error(BAD_WINDOW, f"{what} counts {period.value}s but the target is per "
                        f"{standard.window.period.value}", span,
                        (f"write `{standard.window.period.value}`",))

    def _window(self, window: ast.Window) -> None:
        for ref in window.by:
            kind = self.fields.get(ref.name)
            if kind is None:
                self._error(UNKNOWN_NAME, f"unknown field `{ref.name}`", ref.span,
                            did_you_mean(ref.name, self.fields))
            elif kind.kind not in _GROUPABLE:
                self._error(TYPE_MISMATCH, f"cannot group by `{ref.name}` of type {kind}",
                            ref.span, ("group by a string, enum, bool, number or date field",))

    def _predicate(self, clause: Clause, what: str) -> None:
        expr = _expr(clause)
        try:
            found = self._infer(expr)
        except _UntypedError:
            return
        if found.kind is not Kind.BOOL:
            self._error(TYPE_MISMATCH, f"{what} must be true or false, not {found}", expr.span)

    def _money(self, expr: ast.Expr, what: str, *, constant: bool) -> None:
        try:
            found = self._infer(expr)
        except _UntypedError:
            return
        if found.kind is not Kind.MONEY:
            self._error(TYPE_MISMATCH, f"{what} must be an amount of money, not {found}",
                        expr.span, (f"write an amount like `1000 {self.contract.currency}`",))
        elif constant:
            self._constant(expr, what)

    def _constant(self, expr: ast.Expr, what: str) -> None:
        for ref in _refs(expr):
            if ref.name in self.fields or ref.name in self.derived:
                self._error(NOT_CONSTANT, f"{what} cannot depend on the record field "
                            f"`{ref.name}`", ref.span, ("use a literal or a parameter",))

    # expressions
    def _infer(self, expr: ast.Expr) -> Type:
        found = self._type(expr)
        self.types[id(expr)] = found
        return found

    def _type(self, expr: ast.Expr) -> Type:
        match expr:
            case ast.Number() | ast.Percent():
                return t.NUMBER
            case ast.Money(currency=currency):
                if currency != self.contract.currency:
                    self._error(CURRENCY_MISMATCH, f"amount in {currency}, but the contract's "
                                f"currency is {self.contract.currency}", expr.span)
                    raise _UntypedError
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
                found = self._infer(operand)
                if found.kind not in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
                    self._mismatch(expr, f"cannot negate {found}")
                return found
            case ast.Binary():
                return self._binary(expr)
            case ast.PercentOf(operand=operand):
                self._infer(expr.percent)
                found = self._infer(operand)
                if found.kind not in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
                    self._mismatch(expr, f"cannot take a percentage of {found}")
                return found
            case ast.Compare():
                return self._compare(expr)
            case ast.In():
                return self._in(expr)
            case ast.Within():
                return self._within(expr)
            case ast.Logical(left=left, right=right):
                self._both(lambda: self._boolean(left, expr.op.value),
                           lambda: self._boolean(right, expr.op.value))
                return t.BOOL
            case ast.Not(operand=operand):
                self._boolean(operand, "not")
                return t.BOOL
        raise AssertionError(f"unhandled node {expr!r}")  # pragma: no cover

    def _ref(self, expr: ast.Ref, name: str) -> Type:
        for table in (self.fields, self.derived, self.parameters):
            if name in table:
                return table[name]
        declared = (*self.fields, *self.derived, *(p.name for p in self.contract.parameters))
        self._error(UNKNOWN_NAME, f"unknown field `{name}`", expr.span,
                    did_you_mean(name, declared))
        raise _UntypedError

    def _mismatch(self, expr: ast.Node, message: str, hints: tuple[str, ...] = ()) -> None:
        self._error(TYPE_MISMATCH, message, expr.span, hints)
        raise _UntypedError

    def _boolean(self, expr: ast.Expr, operator: str) -> None:
        found = self._infer(expr)
        if found.kind is not Kind.BOOL:
            self._mismatch(expr, f"`{operator}` needs true or false, not {found}")

    def _both(self, first: Callable[[], object], second: Callable[[], object]) -> None:
        """Check two operands so that an error in the first still lets the second be checked."""
        failed = False
        for check_one in (first, second):
            try:
                check_one()
            except _UntypedError:
                failed = True
        if failed:
            raise _UntypedError

    def _pair(self, left: ast.Expr, right: ast.Expr) -> tuple[Type, Type]:
        found: list[Type] = []
        self._both(lambda: found.append(self._infer(left)),
                   lambda: found.append(self._infer(right)))
        return found[0], found[1]

    def _binary(self, expr: ast.Binary) -> Type:
        left, right = self._pair(expr.left, expr.right)
        result = _arithmetic(expr.op, left.kind, right.kind)
        if result is None:
            self._mismatch(expr, f"cannot apply `{expr.op.value}` to {left} and {right}")
            raise _UntypedError  # pragma: no cover
        if result is Kind.MONEY:
            return left if left.kind is Kind.MONEY else right
        if result is Kind.NUMBER:
            return t.NUMBER
        return Type(result)

    def _compare(self, expr: ast.Compare) -> Type:
        left, right = self._operands(expr.left, expr.right)
        if not _comparable(left, right):
            self._mismatch(expr, f"cannot compare {left} with {right}")
        if expr.op not in (ast.CmpOp.EQ, ast.CmpOp.NE) and left.kind not in _ORDERED:
            self._mismatch(expr, f"`{expr.op.value}` needs ordered values, not {left}",
                           ("use `==` or `!=`",))
        return t.BOOL

    def _in(self, expr: ast.In) -> Type:
        operand = self._infer(expr.operand)
        for item in expr.items:
            found = self._item(item, operand)
            if not _comparable(operand, found):
                self._mismatch(item, f"{found} cannot be a value of {operand}")
        return t.BOOL

    def _within(self, expr: ast.Within) -> Type:
        event, start = self._infer(expr.event), self._infer(expr.start)
        limit = self._infer(expr.limit)
        for node, found in ((expr.event, event), (expr.start, start)):
            if found.kind is not Kind.TIMESTAMP:
                self._mismatch(node, f"a deadline needs a timestamp here, not {found}")
        if limit.kind is not Kind.DURATION:
            self._mismatch(expr.limit, f"a deadline needs a duration here, not {limit}",
                           ("write a duration such as `24h` or `2d`",))
        return t.BOOL

    def _operands(self, left: ast.Expr, right: ast.Expr) -> tuple[Type, Type]:
        """Types of two compared operands; a bare name or a string beside an enum must be
        one of its values."""
        if self._literal(right):
            found = self._infer(left)
            return found, self._item(right, found)
        if self._literal(left):
            found = self._infer(right)
            return self._item(left, found), found
        return self._pair(left, right)

    def _literal(self, expr: ast.Expr) -> bool:
        """A string, or a bare name that is not declared: perhaps a value of an enum."""
        if isinstance(expr, ast.Ref):
            return not self._declared(expr.name)
        return isinstance(expr, ast.String)

    def _declared(self, name: str) -> bool:
        return name in self.fields or name in self.derived or name in self.parameters

    def _item(self, item: ast.Expr, operand: Type) -> Type:
        if operand.kind is Kind.ENUM and isinstance(item, ast.String | ast.Ref):
            value = item.value if isinstance(item, ast.String) else item.name
            if isinstance(item, ast.Ref) and self._declared(item.name):
                return self._infer(item)
            if value not in operand.values:
                self._error(BAD_VALUE, f"`{value}` is not one of {operand}", item.span,
                            did_you_mean(value, operand.values))
                raise _UntypedError
            if isinstance(item, ast.Ref):
                self.enum_values.add(id(item))
            self.types[id(item)] = operand
            return operand
        return self._infer(item)


def _comparable(left: Type, right: Type) -> bool:
    if left.is_text and right.is_text:
        return True
    if left.kind is not right.kind:
        return False
    return left.kind is not Kind.MONEY or left.currency == right.currency


_ARITHMETIC: dict[tuple[ast.BinOp, Kind, Kind], Kind] = {}
for _op in (ast.BinOp.ADD, ast.BinOp.SUB):
    for _kind in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
        _ARITHMETIC[(_op, _kind, _kind)] = _kind
    _ARITHMETIC[(_op, Kind.TIMESTAMP, Kind.DURATION)] = Kind.TIMESTAMP
_ARITHMETIC[(ast.BinOp.ADD, Kind.DURATION, Kind.TIMESTAMP)] = Kind.TIMESTAMP
_ARITHMETIC[(ast.BinOp.SUB, Kind.TIMESTAMP, Kind.TIMESTAMP)] = Kind.DURATION
for _kind in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
    _ARITHMETIC[(ast.BinOp.MUL, _kind, Kind.NUMBER)] = _kind
    _ARITHMETIC[(ast.BinOp.MUL, Kind.NUMBER, _kind)] = _kind
    _ARITHMETIC[(ast.BinOp.DIV, _kind, Kind.NUMBER)] = _kind
    _ARITHMETIC[(ast.BinOp.DIV, _kind, _kind)] = Kind.NUMBER


def _arithmetic(op: ast.BinOp, left: Kind, right: Kind) -> Kind | None:
    return _ARITHMETIC.get((op, left, right))


def _expr(clause: Clause) -> ast.Expr:
    node = clause.node
    assert not isinstance(node, ast.Window | ast.Target | ast.Penalty | ast.Credit)
    return node  # type: ignore[return-value]


def _refs(node: object) -> Iterator[ast.Ref]:
    """Every name an expression mentions."""
    if isinstance(node, ast.Ref):
        yield node
        return
    if isinstance(node, tuple):
        for item in node:
            yield from _refs(item)
        return
    for name in getattr(node, "__slots__", ()):
        child = getattr(node, name, None)
        if isinstance(child, ast.Node | tuple) and name != "span":
            yield from _refs(child)
