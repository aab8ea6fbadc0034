"""The checker: the contract's declarations and standards, each clause typed (see `typer`)
and checked for what its place in a standard needs, before any record is read."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from slacheck import ast
from slacheck import types as t
from slacheck._source import Span
from slacheck.constants import Constants
from slacheck.diagnostics import (
    BAD_VALUE,
    BAD_WINDOW,
    BAND_GAP,
    CLAUSE_TOO_DEEP,
    CYCLE,
    DIVISOR_FROM_RECORD,
    NAME_CLASH,
    NOT_CONSTANT,
    OPTIONAL_IN_CONDITION,
    TYPE_MISMATCH,
    UNKNOWN_NAME,
    Code,
    ContractError,
    Diagnostic,
    did_you_mean,
    order,
)
from slacheck.model import Band, Clause, Contract, Named, Pool, Standard
from slacheck.typer import TableType, Typer, UntypedError, unite
from slacheck.types import Kind, Type

_GROUPABLE = {Kind.STRING, Kind.ENUM, Kind.BOOL, Kind.NUMBER, Kind.DATE}

MAX_INLINED_DEPTH = 200
"""How deep a clause may nest with the derived fields it uses written out under their
names, as the compiler steps through them: each clause is at most 100 deep
(`parser.MAX_DEPTH`), but a chain of derived fields could be as deep as it is long."""


@dataclass(frozen=True, slots=True)
class CheckedContract:
    """A contract whose every expression has a type; what the plan is compiled from.

    `types` maps `id(node)` to the node's type; `enum_values` holds the ids of bare
    names that stand for a value of an enum (`office == TSN`); `warnings`, in file order,
    what checks but may not mean what its author thinks.
    """

    contract: Contract
    types: dict[int, Type] = field(repr=False)
    enum_values: frozenset[int] = field(repr=False)
    parameter_types: dict[str, Type]
    derived_types: dict[str, Type]
    warnings: tuple[Diagnostic, ...] = ()

    def type_of(self, node: ast.Node) -> Type:
        return self.types[id(node)]


def check(contract: Contract) -> CheckedContract:
    """Resolve and type the whole contract; raises `ContractError` with every problem."""
    return _Checker(contract).run()


class _Checker:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.found: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.derived_names = {named.name for named in contract.derived}
        self.optional_behind: dict[str, str] = {}
        """Derived field -> an optional field without default that it needs."""
        self.inlined_depth: dict[str, int] = {}
        """Derived field -> how deep it nests with the derived fields it uses written out."""
        self.fields = {spec.name: spec.type for spec in contract.schema.fields}
        for spec in contract.schema.fields:
            if spec.type.kind is Kind.MONEY:
                self.fields[spec.name] = t.money(contract.currency)
        names = tuple(named.name for named in contract.parameters)
        self.typer = Typer(contract.currency, self.fields, names, self.found,
                           tuple(item.name for item in contract.calendars),
                           tuple(item.currency for item in contract.rates))
        self.constants = Constants(self.typer.types, self._error)
        self.parameters = self.typer.parameters
        self.derived = self.typer.derived

    def run(self) -> CheckedContract:
        self._names()
        self._tables()
        for named in self.contract.parameters:
            self._parameter(named)
        self._derived_fields()
        for kind, rules in (("reject", self.contract.reject), ("warn", self.contract.warn)):
            for rule in rules:
                self._predicate(rule.when, f"a `{kind}` rule's `when`")
        for standard in self.contract.standards:
            self._standard(standard)
        for pool in self.contract.pools:
            self._pool(pool)
        warnings = tuple(sorted(self.warnings, key=order))
        if self.found:
            raise ContractError(self.found, warnings)
        return CheckedContract(
            self.contract,
            self.typer.types,
            frozenset(self.typer.enum_values),
            dict(self.parameters),
            dict(self.derived),
            warnings,
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

    def _tables(self) -> None:
        """Each table's values of one type: the type its lookups have."""
        taken = {*self.fields, *(named.name for named in self.contract.parameters),
                 *self.derived_names}
        for table in self.contract.tables:
            if table.name in taken:
                self._error(NAME_CLASH, f"`{table.name}` is both a table and a field or "
                            "parameter", table.span, ("rename the table",))
            nodes = [value for _, value in table.values]
            nodes += [value for _, entries in table.changes for _, value in entries]
            if table.default is not None:
                nodes.append(table.default)
            found: Type | None = None
            failed = not nodes
            if not nodes:
                self._error(BAD_VALUE, f"table `{table.name}` has no values", table.span)
            for node in nodes:
                try:
                    each = self.typer.infer(node)
                except UntypedError:
                    failed = True
                    continue
                merged = each if found is None else unite(found, each)
                if merged is None:
                    self._error(TYPE_MISMATCH, f"table `{table.name}` has values of {found} "
                                f"and of {each}", node.span,
                                ("every value of a table has one type",))
                    failed = True
                    continue
                found = merged
            if failed or found is None:
                self.typer.untyped.add(table.name)
                continue
            keys = {key for key, _ in table.values}
            keys.update(key for _, entries in table.changes for key, _ in entries)
            self.typer.tables[table.name] = TableType(found, tuple(sorted(keys)),
                                                      table.default is not None,
                                                      bool(table.changes))

    def _parameter(self, named: Named) -> None:
        expr = named.clause.node
        try:
            self.parameters[named.name] = self.typer.infer(expr)
        except UntypedError:
            self.typer.untyped.add(named.name)
            return
        if self._constant(expr, "a parameter"):
            self.constants.values[named.name] = self.constants.check(expr)

    def _derived_fields(self) -> None:
        """Type derived fields in dependency order. One in a cycle, or built on one that
        cannot be typed, is left untyped: its uses are not reported again."""
        declared = {named.name: named for named in self.contract.derived}
        uses = {name: [ref.name for ref in ast.refs(named.clause.node) if ref.name in declared]
                for name, named in declared.items()}
        for name in self._dependency_order(declared, uses):
            expr = declared[name].clause.node
            first = next(iter(self._unguarded_needs(expr)), None)
            if first is not None:
                self.optional_behind[name] = first[1]
            if (name in self.typer.untyped or any(use in self.typer.untyped for use in uses[name])
                    or not self._inlined(expr, name)):
                self.typer.untyped.add(name)
                continue
            try:
                self.derived[name] = self.typer.infer(expr)
            except UntypedError:
                self.typer.untyped.add(name)
                continue
            value = self.constants.check(expr)
            if value is not None:  # a constant, which the compiler computes where it is used
                self.constants.values[name] = value
            self._divisions(expr)

    def _dependency_order(self, declared: dict[str, Named],
                          uses: dict[str, list[str]]) -> list[str]:
        """Derived fields, each after those it uses; each cycle is reported, and its
        fields left untyped. Depth first without recursion: chains of fields may be long."""
        ordered: list[str] = []
        state: dict[str, bool] = {}  # False while its dependencies are visited, then True
        for root in declared:
            if root in state:
                continue
            stack = [(root, iter(uses[root]))]
            state[root] = False
            while stack:
                name, pending = stack[-1]
                following = next(pending, None)
                if following is None:
                    stack.pop()
                    state[name] = True
                    ordered.append(name)
                elif following not in state:
                    state[following] = False
                    stack.append((following, iter(uses[following])))
                elif not state[following]:
                    cycle = [item for item, _ in stack]
                    cycle = cycle[cycle.index(following):]
                    self.typer.untyped.update(cycle)
                    self._error(CYCLE, f"derived field `{following}` depends on itself",
                                declared[following].span,
                                ("a derived field cannot use itself, directly or through "
                                 f"other derived fields: {' -> '.join([*cycle, following])}",))
        return ordered

    def _standard(self, standard: Standard) -> None:
        self._predicate(standard.require, "`require`")
        if standard.scope is not None:
            self._predicate(standard.scope, "`for`", condition="for")
        for exclusion in standard.exclusions:
            self._predicate(exclusion.when, "`except`", condition="except")
        self._window(standard.window)
        if standard.target is not None:
            self._target(standard.target.node, standard.window)
        if standard.penalty is not None:
            self._penalty(standard.penalty.node)
        if standard.window_penalty is not None:
            due = standard.window_penalty.node
            self._window_amount(due.amount, "a penalty per missed window")
            self._consequence_period(standard, due.period, due.span, "this penalty")
        if standard.strike is not None:
            self._strike(standard.strike.node)
        if standard.credit is not None:
            self._credit(standard, standard.credit.node)
        if standard.credit_bands:
            self._bands(standard)
        if standard.payment is not None:
            self._payment(standard.payment.node)
        if standard.reward is not None:
            reward = standard.reward.node
            self._window_amount(reward.amount, "a reward")
            self._consequence_period(standard, reward.period, reward.span, "a reward", "meet")
        for step in standard.escalate:
            self._escalate(standard, step)
        for rule in standard.disqualify:
            node = rule.node
            if isinstance(node, ast.ConsecutiveMissed):
                self._consequence_period(standard, node.period, node.span, "this rule")
            if isinstance(node, ast.ConsecutiveMissed | ast.BreachesWithin) and node.count < 1:
                self._error(BAD_VALUE, "the count must be at least 1", node.span)

    def _target(self, target: ast.Target, window: ast.Window) -> None:
        """Rates within (0%, 100%]; tiers on one grouping field; a measure typed, its goal
        and warning line of the measure's type and constant."""
        for rate in (target.rate, *(tier.rate for tier in target.tiers)):
            if rate is not None and not 0 < rate.value <= 1:
                self._error(BAD_VALUE, "a target must be above 0% and at most 100%", rate.span)
        if target.tiers:
            self._tiers(target.tiers, window)
        if target.minimum is not None and target.minimum < 1:
            self._error(BAD_VALUE, "a minimum sample is at least 1 record", target.minimum_span)
        wanted = t.RATIO if target.measure is None else self._measure(target.measure)
        upward = target.op in (ast.CmpOp.GE, ast.CmpOp.GT)
        if target.warn is not None and target.warn_below != upward:
            self._error(BAD_VALUE, f"a target that must stay {'above' if upward else 'below'} "
                        f"its line warns {'below' if upward else 'above'} it", target.warn.span,
                        (f"write `warn {'below' if upward else 'above'} ...`",))
        if target.measure is not None and target.op not in _ORDERING:
            self._error(BAD_VALUE, f"a target compares with `>=`, `>`, `<=` or `<`, not "
                        f"`{target.op.value}`", target.span)
        for value, what in ((target.goal, "the target"), (target.warn, "the warning line")):
            if value is None or wanted is None:
                continue
            try:
                found = self.typer.infer(value)
            except UntypedError:
                continue
            self._constant(value, what)
            if not _fits(found, wanted):
                self._error(TYPE_MISMATCH, f"{what} is {found}, but the measure is {wanted}",
                            value.span, (_example(wanted),))

    def _tiers(self, tiers: tuple[ast.Tier, ...], window: ast.Window) -> None:
        if len(window.by) != 1:
            self._error(BAD_WINDOW, "targets per group need exactly one grouping field",
                        window.span or tiers[0].span,
                        ("write `per month by customer_tier`",))
            return
        field = self.fields.get(window.by[0].name) or self.derived.get(window.by[0].name)
        seen: set[str] = set()
        for tier in tiers:
            if tier.group in seen:
                self._error(BAD_VALUE, f"`{tier.group}` has two targets", tier.span)
            seen.add(tier.group)
            if field is not None and field.kind is Kind.ENUM and tier.group not in field.values:
                self._error(BAD_VALUE, f"`{tier.group}` is not a value of "
                            f"`{window.by[0].name}`", tier.span,
                            did_you_mean(tier.group, field.values))
        self._tiers_of_table(tiers, window.by[0].name)

    def _tiers_of_table(self, tiers: tuple[ast.Tier, ...], name: str) -> None:
        """A group read from a table of words (`tier: customer_tier[customer_id]`) takes
        only the table's values: a target for another is a slip that would never apply."""
        named = next((item for item in self.contract.derived if item.name == name), None)
        node = named.clause.node if named is not None else None
        table = next((item for item in self.contract.tables
                      if isinstance(node, ast.Lookup) and item.name == node.table), None)
        if table is None:
            return
        values = {value.value for _, entries in (("", table.values), *table.changes)
                  for _, value in entries if isinstance(value, ast.String)}
        if isinstance(table.default, ast.String):
            values.add(table.default.value)
        for tier in tiers:
            if values and tier.group not in values:
                self._error(BAD_VALUE, f"`{tier.group}` is not a value of table "
                            f"`{table.name}`, from which `{name}` is read", tier.span,
                            did_you_mean(tier.group, sorted(values)))

    def _measure(self, measure: ast.Measure) -> Type | None:
        """The type of the measure's figure, or None when it cannot be typed."""
        if isinstance(measure, ast.Ratio):
            top, bottom = self._aggregate(measure.numerator), self._aggregate(measure.denominator)
            if top is None or bottom is None:
                return None
            if top.kind is not bottom.kind or top.currency != bottom.currency:
                self._error(TYPE_MISMATCH, f"a ratio of {top} to {bottom} is not a share",
                            measure.span, ("divide like by like: units by units, money by "
                                           "money",))
                return None
            return t.RATIO
        return self._aggregate(measure)

    def _aggregate(self, aggregate: ast.Aggregate) -> Type | None:
        operand, function = aggregate.operand, aggregate.function
        if function == "count":
            if operand is not None:
                self._predicate_expr(operand, "what `count` counts")
            return t.NUMBER
        if operand is None:
            self._error(BAD_VALUE, f"`{function}` needs a value: `{function}(transit)`",
                        aggregate.span)
            return None
        rank = aggregate.rank
        if rank is not None and not 0 < rank < 1:
            self._error(BAD_VALUE, f"`{function}` is not a percentile between p0 and p100",
                        aggregate.span, ("write `p95(transit)`",))
        try:
            found = self.typer.infer(operand)
        except UntypedError:
            return None
        if found.kind is Kind.LIST:
            self._error(TYPE_MISMATCH, f"`{function}` over a window takes one value per "
                        f"record, not a {found}", operand.span,
                        (f"take one value of each record's list first: "
                         f"`{function}({function if function in ('min', 'max', 'sum') else 'max'}"
                         f"({operand.span.text if operand.span else 'x'}))`",))
            return None
        if found.kind not in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
            self._error(TYPE_MISMATCH, f"`{function}` takes a number, money or a duration, "
                        f"not {found}", operand.span)
            return None
        return found

    def _credit(self, standard: Standard, credit: ast.Credit) -> None:
        self._window_amount(credit.amount, "a service credit")
        if credit.period is not None:
            self._consequence_period(standard, credit.period, credit.span, "a service credit")
            return
        if credit.cap is not None:
            self._window_amount(credit.cap, "a cap")
        target = standard.target.node if standard.target is not None else None
        if not isinstance(target, ast.Target):
            self._error(BAD_WINDOW, "a service credit per point needs a target to fall short "
                        "of", credit.span, ("add a target such as `target: 97% per month`",))
        elif standard.window.rolling is not None:
            self._consequence_period(standard, ast.Period.DAY, credit.span, "a service credit")
        elif target.measure is not None and self._measure(target.measure) != t.RATIO:
            self._error(BAD_VALUE, "points below target are percentage points: the target "
                        "must be a share", credit.span,
                        ("give the standard a rate target such as `97% per month`, or a ratio "
                         "such as `sum(delivered) / sum(ordered) >= 98%`",))
        elif target.op not in (ast.CmpOp.GE, ast.CmpOp.GT):
            self._error(BAD_VALUE, "points below target need a target that must be reached "
                        "(`>=`)", credit.span)

    def _escalate(self, standard: Standard, step: Clause[ast.Escalate]) -> None:
        node = step.node
        self._consequence_period(standard, node.period, node.span, "an escalation")
        if node.count < 1:
            self._error(BAD_VALUE, "the count must be at least 1", node.span)
        if node.within is not None:
            if node.within_period is not None and \
                    node.within_period is not standard.window.period:
                self._error(BAD_WINDOW, f"the look-back counts {node.within_period.value}s "
                            f"but the target is per {standard.window.period.value}",
                            node.span, (f"write `within {node.within} "
                                        f"{standard.window.period.value}s`",))
            elif node.within < node.count:
                self._error(BAD_VALUE, f"{node.count} misses cannot fall within "
                            f"{node.within} {node.period.value}s", node.span,
                            ("the look-back counts the missed window itself and those before",))

    def _pool(self, pool: Pool) -> None:
        """A pool holds the credits of standards that have them, per their windows' period,
        up to a constant amount."""
        limit = pool.limit.node
        assert isinstance(limit, ast.Limit)
        self._money(limit.amount, "a pool's limit", constant=True)
        known = {standard.id: standard for standard in self.contract.standards}
        for name in pool.standards:
            standard = known.get(name)
            if standard is None:
                self._error(UNKNOWN_NAME, f"the pool `{pool.id}` names no standard `{name}`",
                            pool.span, did_you_mean(name, known))
            elif standard.credit is None and not standard.credit_bands:
                self._error(BAD_VALUE, f"the standard `{name}` owes no service credit for the "
                            f"pool `{pool.id}` to hold",
                            pool.span, ("give it a `credit`, or leave it out of the pool",))
            elif standard.window.period is not limit.period:
                self._error(BAD_WINDOW, f"the pool `{pool.id}` counts {limit.period.value}s but "
                            f"`{name}` is judged per {standard.window.period.value}",
                            limit.span, (f"write `per {standard.window.period.value}`",))

    def _bands(self, standard: Standard) -> None:
        """A credit table: constant ends of the target's type, amounts due per window, and
        bands that neither overlap nor leave a figure below the target in no band."""
        target = standard.target.node if standard.target is not None else None
        if not isinstance(target, ast.Target):
            self._error(BAD_WINDOW, "a credit table needs a target to miss",
                        standard.credit_bands[0].span,
                        ("add a target such as `target: 97% per month`",))
            return
        if standard.window.rolling is not None:
            self._consequence_period(standard, standard.window.period,
                                     standard.credit_bands[0].span, "a credit table")
            return
        wanted = t.RATIO if target.measure is None else self._measure(target.measure)
        ranges: list[tuple[Decimal | None, Decimal | None, Band]] = []
        for band in standard.credit_bands:
            self._window_amount(band.amount.node, "a band's credit")
            ends = [self._band_end(end, wanted) for end in (band.low, band.high)]
            if None in [end for end, clause in zip(ends, (band.low, band.high), strict=True)
                        if clause is not None]:
                return  # reported
            low, high = ends
            if low is not None and high is not None and low >= high:
                self._error(BAD_VALUE, "a band's `at_least` must be below its `below`",
                            band.span)
                return
            ranges.append((low, high, band))
        ranges.sort(key=lambda item: (item[0] is not None, item[0] or 0))
        for (_, high, below), (low, _, band) in itertools.pairwise(ranges):
            if high is None or low is None or low < high:
                self._error(BAD_VALUE, "credit bands overlap: a figure would fall in two",
                            band.span, ("make each band start where the one below it ends",))
                return
            if low > high:
                self._warn(BAND_GAP, f"no band holds the figures from {_text(below.high)} "
                           f"to {_text(band.low)}", band.span,
                           "start this band where the one below it ends")
        goal: ast.Expr | None = target.rate if target.measure is None else target.goal
        reached = None
        if goal is not None and target.op in (ast.CmpOp.GE, ast.CmpOp.GT):
            found = self.constants.check(goal)
            reached = Decimal(found) if isinstance(found, int) else found
        _, top, highest = ranges[-1]
        if isinstance(reached, Decimal) and top is not None and top < reached:
            shown = goal.span.text if goal is not None and goal.span else "the target"
            self._warn(BAND_GAP, f"no band holds the figures from {_text(highest.high)} to "
                       f"the target, {shown}", highest.span, "end the highest band at the target")

    def _band_end(self, end: Clause[ast.Expr] | None, wanted: Type | None) -> Decimal | None:
        """A band's end as a number (a share as a fraction, a duration in seconds)."""
        if end is None or wanted is None:
            return None
        expr = end.node
        try:
            found = self.typer.infer(expr)
        except UntypedError:
            return None
        if not self._constant(expr, "a band's end"):
            return None
        if not _fits(found, wanted):
            self._error(TYPE_MISMATCH, f"a band's end is {found}, but the measure is {wanted}",
                        expr.span, (_example(wanted),))
            return None
        value = self.constants.check(expr)
        if isinstance(value, int):  # a duration, in microseconds
            return Decimal(value)
        return value if isinstance(value, Decimal) else None

    def _window_amount(self, amount: ast.Expr, what: str) -> None:
        """An amount due per window: money, from literals and parameters, and from the
        window's records only through totals such as `sum(freight_charge)`."""
        totals = [node for node in ast.walk(amount) if isinstance(node, ast.Aggregate)]
        inner = {id(node) for total in totals for node in ast.walk(total)}
        kinds = [self._aggregate(total) for total in totals]  # each one reports its errors
        typed = all(kind is not None for kind in kinds)
        for ref in ast.refs(amount):
            if id(ref) not in inner and (ref.name in self.fields or ref.name in self.derived):
                self._error(NOT_CONSTANT, f"{what} is due per window: it cannot read the "
                            f"record field `{ref.name}` outside a total", ref.span,
                            (f"total it over the window's records: `sum({ref.name})`",))
                typed = False
        if typed:
            self._money(amount, what, constant=False)

    def _penalty(self, penalty: ast.Penalty) -> None:
        totals = [node for node in ast.walk(penalty.amount) if isinstance(node, ast.Aggregate)]
        if totals:
            self._error(BAD_VALUE, "a penalty per breach is computed from one record; "
                        f"`{totals[0].function}(...)` totals a window", totals[0].span,
                        ("for an amount due once per missed window, write "
                         "`... per missed month`",))
            return
        if self._money(penalty.amount, "a penalty", constant=False):
            self._divisions(penalty.amount)
        if penalty.cap is not None:
            self._money(penalty.cap, "a cap", constant=True)
        if penalty.cap_by is not None:
            self._window(ast.Window(period=ast.Period.MONTH, by=(penalty.cap_by,)))
        if penalty.cap_over == "contract year" and self.contract.effective_from is None:
            self._error(BAD_WINDOW, "a cap per contract year counts years from the contract's "
                        "start, and the contract states none", penalty.cap.span if penalty.cap
                        else penalty.span,
                        ("add `effective: {from: 2024-07-01}` under `contract`, or cap per "
                         "calendar year: `per year`",))
        if penalty.record_cap is not None and self._money(penalty.record_cap, "a cap per breach",
                                                          constant=False):
            self._divisions(penalty.record_cap)
        if penalty.delay is not None:
            self._delay(penalty)

    def _payment(self, payment: ast.Payment) -> None:
        """Per record, like a penalty per breach: from the record, never a window total."""
        totals = [node for node in ast.walk(payment.amount) if isinstance(node, ast.Aggregate)]
        if totals:
            self._error(BAD_VALUE, "a payment per record is computed from one record; "
                        f"`{totals[0].function}(...)` totals a window", totals[0].span,
                        ("write the amount of one record: `delivery_fee per record`",))
            return
        if self._money(payment.amount, "a payment", constant=False):
            self._divisions(payment.amount)

    def _strike(self, strike: ast.Strike) -> None:
        """At every Nth breach within a period: a constant amount, N and the period above
        zero."""
        self._money(strike.amount, "a penalty at every Nth breach", constant=True)
        if strike.count < 1:
            self._error(BAD_VALUE, "the count must be at least 1", strike.span)
        if strike.within.microseconds <= 0:
            self._error(BAD_VALUE, "the period must be longer than zero", strike.within.span)

    def _delay(self, penalty: ast.Penalty) -> None:
        """A graduated penalty counts periods of a duration; each length is above zero."""
        assert penalty.delay is not None
        for length, what in ((penalty.per, "a period of delay"),
                             (penalty.rounded[1] if penalty.rounded else None, "a rounding unit")):
            if length is not None and length.microseconds <= 0:
                self._error(BAD_VALUE, f"{what} must be longer than zero", length.span)
        try:
            found = self.typer.infer(penalty.delay)
        except UntypedError:
            return
        if found.kind is not Kind.DURATION:
            self._error(TYPE_MISMATCH, f"a penalty counts periods of a duration, not of {found}",
                        penalty.delay.span,
                        ("name the delay as a duration: `delay: delivered_at - due_at` under "
                         "`derived`, then `per completed 2d of delay`",))

    def _consequence_period(self, standard: Standard, period: ast.Period, span: Span | None,
                            what: str, outcome: str = "miss") -> None:
        if standard.target is None:
            self._error(BAD_WINDOW, f"{what} needs a target to {outcome}", span,
                        ("add a target such as `target: 97% per month`",))
        elif standard.window.rolling is not None:
            # a rolling window is judged every day, over days the previous days' windows
            # judged too: one late week would be owed for again on each of 30 days
            self._error(BAD_WINDOW, f"{what} counts windows, and a rolling window is judged "
                        "every day over days already judged", span,
                        ("price each breach (`1000.00 CNY per breach`) or judge calendar "
                         "windows (`per month`); a missed rolling window already makes the "
                         "standard missed",))
        elif period is not standard.window.period:
            self._error(BAD_WINDOW, f"{what} counts {period.value}s but the target is per "
                        f"{standard.window.period.value}", span,
                        (f"write `{standard.window.period.value}`",))

    def _window(self, window: ast.Window) -> None:
        for ref in window.by:
            kind = self.fields.get(ref.name) or self.derived.get(ref.name)
            if kind is None and ref.name in self.typer.untyped:
                continue  # its own declaration is reported
            if kind is None:
                self._error(UNKNOWN_NAME, f"unknown field `{ref.name}`", ref.span,
                            did_you_mean(ref.name, (*self.fields, *self.derived)))
            elif kind.kind not in _GROUPABLE:
                self._error(TYPE_MISMATCH, f"cannot group by `{ref.name}` of type {kind}",
                            ref.span, ("group by a string, enum, bool, number or date field",))
        if window.of is not None:
            placed = self.fields.get(window.of.name)
            if placed is None:
                self._error(UNKNOWN_NAME, f"unknown field `{window.of.name}`", window.of.span,
                            did_you_mean(window.of.name, self.fields))
            elif placed.kind not in (Kind.TIMESTAMP, Kind.DATE):
                self._error(TYPE_MISMATCH, f"windows are placed by a timestamp or date, not "
                            f"by `{window.of.name}` of type {placed}", window.of.span,
                            ("write `per month of delivered_at`",))

    def _predicate(self, clause: Clause[ast.Expr], what: str, condition: str | None = None) -> None:
        self._predicate_expr(clause.node, what, condition)

    def _predicate_expr(self, expr: ast.Expr, what: str, condition: str | None = None) -> None:
        if not self._inlined(expr):
            return
        try:
            found = self.typer.infer(expr)
        except UntypedError:
            return
        if found.kind is not Kind.BOOL:
            self._error(TYPE_MISMATCH, f"{what} must be true or false, not {found}", expr.span)
            return
        self.constants.check(expr)
        self._divisions(expr)
        if condition is not None:
            self._optional_reads(expr, condition)

    def _money(self, expr: ast.Expr, what: str, *, constant: bool) -> bool:
        """Whether `expr` is an amount of money (and constant if it must be)."""
        if not self._inlined(expr):
            return False
        try:
            found = self.typer.infer(expr)
        except UntypedError:
            return False
        if found.kind is not Kind.MONEY:
            self._error(TYPE_MISMATCH, f"{what} must be an amount of money, not {found}",
                        expr.span, (f"write an amount like `1000 {self.contract.currency}`",))
            return False
        if constant and not self._constant(expr, what):
            return False
        self.constants.check(expr)
        return True

    def _inlined(self, expr: ast.Expr, name: str | None = None) -> bool:
        """Whether `expr`, with the derived fields it uses written out, nests at most
        `MAX_INLINED_DEPTH` deep; reports the use that goes past it. For a derived field
        (`name`), keeps its depth for the fields and clauses that use it."""
        deepest = 0
        stack: list[tuple[ast.Node, int]] = [(expr, 1)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, ast.Ref) and node.name in self.inlined_depth:
                depth += self.inlined_depth[node.name]  # the name is a step, then its tree
                if depth > MAX_INLINED_DEPTH:
                    what = f"`{name}`" if name is not None else "the clause"
                    self._error(CLAUSE_TOO_DEEP, f"with the derived fields it uses, {what} is "
                                f"nested more than {MAX_INLINED_DEPTH} deep", node.span,
                                ("compute a step of the chain in the data, or use fewer "
                                 "derived fields one on another",))
                    return False
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in ast.children(node))
        if name is not None:
            self.inlined_depth[name] = deepest
        return True

    # warnings
    def _warn(self, code: Code, message: str, span: Span | None, hint: str) -> None:
        self.warnings.append(Diagnostic(code, message, span, (hint,)))

    def _optional(self, name: str) -> str | None:
        """The optional field without a default that reading `name` needs, if any."""
        spec = self.contract.schema.field(name)
        if spec is not None:
            return name if not spec.required and spec.default is None else None
        return self.optional_behind.get(name)

    def _unguarded_needs(self, expr: ast.Expr) -> list[tuple[ast.Ref, str]]:
        """Each name `expr` reads that needs an optional field without default, with that
        field, where nothing before it tests the field's presence (`x is present and ...`);
        a presence test itself is decided either way. Such an expression is unknown for a
        record without the field; one whose every read is guarded never is."""
        tested = {id(ref) for node in ast.walk(expr) if isinstance(node, ast.Presence)
                  for ref in ast.refs(node)}
        out = []
        for ref, guarded in _reads(expr):
            needs = None if id(ref) in tested else self._optional(ref.name)
            if needs is not None and needs not in guarded:
                out.append((ref, needs))
        return out

    def _optional_reads(self, expr: ast.Expr, condition: str) -> None:
        """A `for` or `except` that needs an optional field is neither true nor false for
        a record without it, and such a record is then out of scope or not excluded."""
        seen: set[str] = set()
        for ref, needs in self._unguarded_needs(expr):
            if ref.name in seen:
                continue
            seen.add(ref.name)
            if needs == ref.name:
                message = f"`{condition}` reads the optional field `{needs}`, which has no default"
            else:
                message = (f"`{condition}` reads `{ref.name}`, which needs the optional field "
                           f"`{needs}` (no default)")
            self._warn(OPTIONAL_IN_CONDITION, message, ref.span,
                       f"give `{needs}` a default or test `{needs} is present`: a record "
                       f"without it is counted as scope undetermined (the clause is neither "
                       f"true nor false)")

    def _divisions(self, expr: ast.Expr) -> None:
        """Every division by a value from the record, unless a guard before it rules zero
        out: `ordered > 0 and shipped / ordered ...`, `ordered == 0 or ...`."""
        stack: list[tuple[ast.Node, frozenset[ast.Node]]] = [(expr, frozenset())]
        while stack:
            node, safe = stack.pop()
            if isinstance(node, ast.Logical):
                tested = _guarded(node.left, node.op)
                stack += [(node.right, safe | tested), (node.left, safe)]
                continue
            divisor = node.right if isinstance(node, ast.Binary) else None
            if (isinstance(node, ast.Binary) and node.op is ast.BinOp.DIV
                    and node.right not in safe and self._from_record(node.right)):
                text = divisor.span.text if divisor and divisor.span else "the divisor"
                zero = self._zero_for(node.right)
                self._warn(DIVISOR_FROM_RECORD,
                           f"the divisor `{text}` comes from the record and can be zero",
                           node.right.span,
                           f"guard it (`{text} > {zero} and ...`), or a record where it is "
                           "zero cannot be evaluated")
            stack += [(child, safe) for child in ast.children(node)]

    def _from_record(self, expr: ast.Expr) -> bool:
        return any(ref.name in self.fields or ref.name in self.derived_names
                   for ref in ast.refs(expr))

    def _zero_for(self, expr: ast.Expr) -> str:
        kind = self.typer.types.get(id(expr), t.NUMBER).kind
        if kind is Kind.DURATION:
            return "0s"
        if kind is Kind.MONEY:
            return f"0 {self.contract.currency}"
        return "0"

    def _constant(self, expr: ast.Expr, what: str) -> bool:
        """Whether `expr` depends on no record field; reports each one it depends on."""
        constant = True
        for node in ast.walk(expr):  # a dated table is read at the record's time
            if not isinstance(node, ast.Lookup) or node.at is not None:
                continue
            table = self.typer.tables.get(node.table)
            if table is not None and table.dated:
                constant = False
                self._error(NOT_CONSTANT, f"{what} cannot depend on the record's time, at "
                            f"which table `{node.table}` is read", node.span,
                            ("read it at a fixed date, or use a table that does not change",))
        for ref in ast.refs(expr):
            if ref.name in self.fields or ref.name in self.derived:
                constant = False
                self._error(NOT_CONSTANT, f"{what} cannot depend on the record field "
                            f"`{ref.name}`", ref.span, ("use a literal or a parameter",))
        return constant


_ORDERING = (ast.CmpOp.GE, ast.CmpOp.GT, ast.CmpOp.LE, ast.CmpOp.LT)


def _fits(found: Type, wanted: Type) -> bool:
    """A goal fits its measure: the same kind (and currency), a ratio measure taking a
    percentage or a number, a number measure a number written in the contract."""
    if found.kind is not wanted.kind:
        return False
    if found.kind is Kind.MONEY:
        return found.currency == wanted.currency
    return True


def _text(clause: Clause[ast.Expr] | None) -> str:
    return clause.text if clause is not None else "any figure"


def _example(wanted: Type) -> str:
    return {Kind.DURATION: "write a duration such as `72h`",
            Kind.MONEY: "write an amount such as `1000 EUR`"}.get(
        wanted.kind, "write a number such as `20`, or a percentage such as `98%`")


def _reads(expr: ast.Expr) -> list[tuple[ast.Ref, frozenset[str]]]:
    """Every name `expr` reads, in the order written, with the fields known present where
    it is read: on the right of `x is present and ...` or of `x is absent or ...`, which
    is evaluated only when the left did not decide."""
    out: list[tuple[ast.Ref, frozenset[str]]] = []
    stack: list[tuple[ast.Node, frozenset[str]]] = [(expr, frozenset())]
    while stack:
        node, known = stack.pop()
        if isinstance(node, ast.Ref):
            out.append((node, known))
        elif isinstance(node, ast.Logical):
            stack += [(node.right, known | _present(node.left, node.op)), (node.left, known)]
        else:
            stack.extend((child, known) for child in reversed(ast.children(node)))
    return out


def _present(left: ast.Expr, op: ast.BoolOp) -> frozenset[str]:
    """The fields `left` shows present when the right of `op` is evaluated: each `x is
    present` among the conjuncts of `and`, each `x is absent` among the disjuncts of `or`."""
    found: set[str] = set()
    stack: list[ast.Expr] = [left]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Logical) and node.op is op:
            stack += [node.left, node.right]
        elif (isinstance(node, ast.Presence) and isinstance(node.operand, ast.Ref)
              and node.present is (op is ast.BoolOp.AND)):
            found.add(node.operand.name)
    return frozenset(found)


def _guarded(left: ast.Expr, op: ast.BoolOp) -> frozenset[ast.Node]:
    """What `left` rules out being zero on the right of `and` (`x > 0 and ...`), or of
    `or` (`x == 0 or ...`): the right side is only evaluated when the left did not decide."""
    wanted = {ast.CmpOp.NE, ast.CmpOp.GT, ast.CmpOp.LT} if op is ast.BoolOp.AND else {
        ast.CmpOp.EQ}
    found: set[ast.Node] = set()
    stack: list[ast.Expr] = [left]
    while stack:  # the conjuncts of `and`, or the disjuncts of `or`
        node = stack.pop()
        if isinstance(node, ast.Logical) and node.op is op:
            stack += [node.left, node.right]
        elif isinstance(node, ast.Compare) and node.op in wanted:
            if _is_zero(node.right):
                found.add(node.left)
            elif _is_zero(node.left):
                found.add(node.right)
    return frozenset(found)


def _is_zero(expr: ast.Expr) -> bool:
    match expr:
        case ast.Number(value=value) | ast.Percent(value=value) | ast.Money(amount=value):
            return value == 0
        case ast.Duration(microseconds=microseconds):
            return microseconds == 0
    return False

