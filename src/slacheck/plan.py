"""The compiled plan: per-record closures, window specs, aggregators and consequence rules.

Stage 1 (per record) and stage 2 (per window) run in an engine; stage 3 (per contract)
reads the rules kept here. `describe()` prints the plan, for debugging and golden tests.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Context, Decimal, InvalidOperation
from fractions import Fraction
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from slacheck import ast
from slacheck._money import RateUsed
from slacheck.checker import CheckedContract
from slacheck.compiler import PASS, PENDING, Compiler, Record, Truth
from slacheck.functions import ROUNDING, implementation
from slacheck.measures import (
    Count,
    Extreme,
    Mean,
    Measure,
    Percentile,
    Rate,
    RatioOfSums,
    Sum,
    Unit,
)
from slacheck.model import Clause, Contract, Pool, Standard
from slacheck.objectives import Objective
from slacheck.plausibility import Checks, compile_checks
from slacheck.types import Kind, RecordSchema, Scale, Type
from slacheck.windows import KeyFunction, key_function

_ROUNDING = Context(prec=120, Emax=999_999, Emin=-999_999, traps=[InvalidOperation])
"""Rounding to the contract's quantum may round (that is its job) but never overflows."""


@dataclass(frozen=True, slots=True)
class Money:
    """How a monetary finding is rounded: to the contract's quantum, in its mode."""

    currency: str
    quantum: Decimal
    rounding: str
    round_at: str = "record"
    """`record`, `window` or `total`: see `Contract.round_at`."""

    def round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=self.rounding, context=_ROUNDING)

    def round_exact(self, amount: Fraction) -> Decimal:
        """An exact amount (a share of a window's total) rounded once, to the quantum."""
        decimal = _ROUNDING.divide(Decimal(amount.numerator), Decimal(amount.denominator))
        return decimal if self.round_at == "total" else self.round(decimal)

    @property
    def zero(self) -> Decimal:
        return self.round(Decimal(0))


@dataclass(frozen=True, slots=True)
class ConsecutiveMissed:
    """Disqualify after `count` calendar-consecutive missed windows of one group."""

    count: int


@dataclass(frozen=True, slots=True)
class BreachesWithin:
    """Disqualify when `count` breaches are dated less than `length` apart."""

    count: int
    length: timedelta


@dataclass(frozen=True, slots=True)
class AnyBreach:
    """Disqualify on the first breach: a critical standard."""


DisqualifyRule = ConsecutiveMissed | BreachesWithin | AnyBreach


@dataclass(frozen=True, slots=True)
class EscalationRule:
    """`after COUNT missed windows within WITHIN windows: STEP` (WITHIN None: in a row)."""

    count: int
    within: int | None
    step: str
    text: str


@dataclass(frozen=True, slots=True)
class BreachPenalty:
    """A penalty per breach: its amount from the record, and the cap per period."""

    amount: Callable[[Record], Any]
    """The breach's amount before rounding; None when a value it needs is absent."""
    cap: Decimal | None = None
    cap_period: ast.Period | None = None
    """The period the cap is per; None for the standard's own window."""
    cap_key: KeyFunction | None = None
    cap_field: str | None = None
    """The field each value of which has its own cap (`per month by office`)."""
    cap_group: Callable[[Record], Any] | None = None
    cap_over: str = ""
    """`contract year` or `total` for those caps (`ast.Penalty.cap_over`)."""
    cap_label: Callable[[int], str] | None = None
    """The label of a cap's bucket when it is not a calendar window: a contract year
    (`2024-07-01/2025-06-30`) or the whole contract (`contract`)."""
    deferred: bool = False
    """`deferred while open`: an overdue open record's amount is listed, not owed."""


@dataclass(frozen=True, slots=True)
class StrikeRule:
    """`AMOUNT at every COUNTth breach within WITHIN`: see `ast.Strike`."""

    amount: Decimal
    count: int
    within: timedelta
    text: str


@dataclass(frozen=True, slots=True)
class WindowAmount:
    """An amount due per window (and group), from constants and the window's totals.

    `evaluate` takes the values of the standard's `totals`, in their order, and gives the
    exact amount before rounding, or None when a total it needs is undefined (the mean of
    no record) or it divides by zero.
    """

    text: str
    evaluate: Callable[[Sequence[Fraction | None]], Fraction | None]


@dataclass(frozen=True, slots=True)
class CreditRule:
    """A service credit for a missed window: the amount once, or the amount for each
    whole percentage point below the target (`per_point`), at most `cap`."""

    amount: WindowAmount | None
    per_point: bool = False
    cap: WindowAmount | None = None
    bands: tuple[CreditBand, ...] = ()
    """A credit table instead of one amount: the band holding the window's figure."""


@dataclass(frozen=True, slots=True)
class PoolPlan:
    """Credits of `standards` owed together, at most `limit` per window of `period`."""

    id: str
    standards: tuple[str, ...]
    limit: Decimal
    period: ast.Period


@dataclass(frozen=True, slots=True)
class CreditBand:
    """A row of a credit table: figures at least `low` and below `high` (None: open), in
    the measure's unit (a share as a fraction, a duration in seconds)."""

    low: Fraction | None
    high: Fraction | None
    amount: WindowAmount
    text: str

    def holds(self, value: Fraction) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or
                                                             value < self.high)


@dataclass(frozen=True, slots=True)
class RecordRule:
    """A `records.reject` (`rejects`) or `records.warn` rule: it applies to a record whose
    condition is true (PASS); unknown, it does not."""

    rejects: bool
    when: Truth
    message: str

    def applies(self, record: Record) -> bool:
        try:
            return self.when(record) == PASS
        except ArithmeticError:  # a division by zero: unknown, as for an absent field
            return False


@dataclass(frozen=True, slots=True)
class Consequences:
    """What a standard's breaches and windows owe or cause, each kind one rule object, with
    the window totals their amounts use."""

    penalty: BreachPenalty | None = None
    window_penalty: WindowAmount | None = None
    """A penalty due once per missed window, from its totals (a chargeback)."""
    strike: StrikeRule | None = None
    credit: CreditRule | None = None
    reward: WindowAmount | None = None
    """A bonus the customer owes for each met window."""
    payment: WindowAmount | None = None
    """What the customer owes per window for its records: the window's total of the
    payment per record (`sum(delivery_fee)`), met or missed."""
    totals: tuple[tuple[Measure, Callable[[Record], Any]], ...] = ()
    """The window totals the amounts above use (`sum(freight_charge)`), each kept per
    window and group over the records in scope and not excluded, like the measure."""
    disqualify: tuple[DisqualifyRule, ...] = ()
    """Every rule the contract lists, in its order; stage 3 applies each."""
    escalations: tuple[EscalationRule, ...] = ()
    currencies: tuple[str, ...] = ()
    """The other currencies (`rates:`) the amounts are written in, directly or through
    derived fields, parameters and tables: the findings record their rates."""

    @property
    def keeps_breach_times(self) -> bool:
        """Whether stage 2 keeps each breach's time: a rule counts breaches in time."""
        return self.strike is not None or any(
            isinstance(rule, BreachesWithin | AnyBreach) for rule in self.disqualify)


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """Which windows (and groups) a standard counts a record in."""

    period: ast.Period
    field: str | None = None
    """The field that places a record in the windows, when not the time field."""
    field_is_date: bool = False
    group_fields: tuple[str, ...] = ()
    group_key: Callable[[Record], Any] | None = None
    rolling: int | None = None
    """`per rolling N days`: records are counted per day (`period` is `DAY`) and stage 3
    judges, for each day, the N days ending with it (`slacheck.engine.rolling`)."""


@dataclass(frozen=True, slots=True)
class Inline:
    """Python source of stage 1's clauses the engine can inline (never pending), else None:
    specializations of the compiler's closures, which the tests prove agree with them."""

    scope: str | None = None
    exclusions: tuple[str | None, ...] = ()
    requirement: str | None = None
    deadline: tuple[str, str, str] | None = None
    """(event, start, limit) of `field within constant of field`."""


@dataclass(frozen=True, slots=True)
class StandardPlan:
    """One standard, compiled."""

    index: int
    id: str
    title: str
    clauses: tuple[tuple[str, str], ...]
    scope: Truth | None
    exclusions: tuple[tuple[Truth, str], ...]
    requirement: Truth
    window: WindowSpec
    objective: Objective | None
    """The target per window on the standard's measure; None when there is no target."""
    measure: Measure
    """What each window computes: the rate of passed records unless the target says."""
    measure_value: Callable[[Record], Any] | None
    """The value a record adds to the measure, as an exact Fraction (a tuple for a ratio),
    None when unknown; None when the measure needs no values."""
    consequences: Consequences
    breach_time: Callable[[Record], Any] | None
    """When a breach became certain (None for the record's time); see `Compiler.breach_time`."""
    event_orders: tuple[tuple[str, Callable[[Record], Any], Callable[[Record], Any]], ...]
    """(`X before Y`, X, Y) of each deadline: an event recorded before its start is implausible."""
    inline: Inline = Inline()


@dataclass(frozen=True, slots=True)
class Plan:
    contract: Contract
    schema: RecordSchema
    zone: ZoneInfo
    as_of: datetime
    money: Money
    period_start: datetime | None
    period_end: datetime | None
    standards: tuple[StandardPlan, ...]
    evidence_limit: int
    constants: dict[str, Any]
    rules: tuple[RecordRule, ...] = ()
    """`records.reject` and `records.warn`, compiled: applied as each record is read."""
    pools: tuple[PoolPlan, ...] = ()
    plausible: Checks | None = None
    """The built-in plausibility warnings, applied after `rules`, in one function."""
    rates: tuple[RateUsed, ...] = ()
    """The rate of each other currency the contract declares, as given for this run."""

    def describe(self) -> str:
        """A readable listing of the three stages, as the engines will run them."""
        period = ""
        if self.period_start is not None or self.period_end is not None:
            start = self.period_start.date() if self.period_start else "..."
            end = self.period_end.date() if self.period_end else "..."
            period = f"; records with {self.schema.time_field} in [{start}, {end})"
        lines = [
            f"contract {self.contract.id} as of {self.as_of.isoformat()}",
            *(f"rate: {rate.text}" for rate in self.rates),
            f"  windows in {self.zone.key}{period}",
            f"  money in {self.money.currency}, each finding rounded {self.contract.rounding} "
            f"to {self.money.quantum}",
        ]
        for standard in self.standards:
            lines.append(f"standard {standard.id}: {standard.title}")
            lines.extend(f"  {name}: {text}" for name, text in standard.clauses)
            lines.extend("  " + line for line in _stages(standard))
        text = "\n".join(lines) + "\n"
        return re.sub(r"\b_c\d+\b", lambda found: _show(self.constants[found[0]]), text)


def _show(value: Any) -> str:
    """A constant as a reader of the plan would write it."""
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        if seconds > 86400 and seconds % 86400 == 0:
            return f"{seconds // 86400}d"
        for unit, size in (("h", 3600), ("min", 60)):
            if seconds and seconds % size == 0:
                return f"{seconds // size}{unit}"
        return f"{value.total_seconds():g}s"
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(map(str, value))) + "]"
    return str(value)


def _goal(value: Fraction | None, unit: Unit) -> str:
    if value is None:
        return "-"
    if unit is Unit.SECONDS:
        return _show(timedelta(microseconds=int(value * 1_000_000)))
    return str(value)


def _stages(standard: StandardPlan) -> list[str]:
    if standard.inline.deadline is not None:
        event, start, limit = standard.inline.deadline
        how = f"inline deadline: {event} <= {start} + {limit}, absent event overdue after as_of"
    elif standard.inline.requirement is not None:
        how = f"inline: {standard.inline.requirement}"
    else:
        how = "compiled closure, three-valued"
    by = f" by {', '.join(standard.window.group_fields)}" if standard.window.group_fields else ""
    measured = "" if isinstance(standard.measure, Rate) else f" and {standard.measure.label}"
    of = f" of {standard.window.field}" if standard.window.field else ""
    lines = [f"stage 1: {how}",
             f"stage 2: count{measured} per {standard.window.period.value}{of}{by}"]
    if standard.window.rolling is not None:
        lines.append(f"stage 3: each day's window merges the {standard.window.rolling} days ending "
                     "with it")
    third = []
    if standard.objective is not None:
        objective = standard.objective
        unit = objective.measure.unit
        goal = ", ".join(f"{group}: {_goal(value, unit)}"
                         for group, value in objective.targets.items()) \
            if objective.targets else _goal(objective.target, unit)
        what = "passed / (passed + breached)" if isinstance(objective.measure, Rate) \
            else objective.measure.label
        extra = "" if objective.minimum is None else f", at least {objective.minimum} records"
        if objective.warn is not None:
            extra += f", warned past {_goal(objective.warn, unit)}"
        third.append(f"met when {what} {objective.op} {goal}{extra}")
    penalty = standard.consequences.penalty
    if penalty is not None:
        per = {"contract year": "per contract year", "total": "in total"}.get(
            penalty.cap_over, f"per {(penalty.cap_period or standard.window.period).value}")
        cap = "" if penalty.cap is None else f", capped at {penalty.cap} {per}"
        deferred = ", deferred while open" if penalty.deferred else ""
        third.append(f"penalty per breach{cap}{deferred}")
    if standard.consequences.strike is not None:
        third.append(f"penalty {standard.consequences.strike.text}")
    if standard.consequences.window_penalty is not None:
        third.append(f"penalty {standard.consequences.window_penalty.text} per missed window")
    if standard.consequences.credit is not None and standard.consequences.credit.bands:
        third.append("credit from the table: " + "; ".join(
            band.text for band in standard.consequences.credit.bands))
    elif standard.consequences.credit is not None and \
            standard.consequences.credit.amount is not None:
        credit, amount = standard.consequences.credit, standard.consequences.credit.amount
        if credit.per_point:
            cap = "" if credit.cap is None else f", at most {credit.cap.text}"
            third.append(f"credit {amount.text} per full point below target{cap}")
        else:
            third.append(f"credit {amount.text} per missed window")
    if standard.consequences.reward is not None:
        third.append(f"reward {standard.consequences.reward.text} per met window")
    if standard.consequences.payment is not None:
        third.append(f"payment {standard.consequences.payment.text}, totalled per window")
    for rule in standard.consequences.disqualify:
        match rule:
            case ConsecutiveMissed(count=count):
                third.append(f"disqualify after {count} consecutive misses")
            case BreachesWithin(count=count, length=length):
                third.append(f"disqualify at {count} breaches less than {_show(length)} apart")
            case AnyBreach():
                third.append("disqualify on the first breach")
    if third:
        lines.append("stage 3: " + "; ".join(third))
    return lines


EVIDENCE_LIMIT = 100
"""Records kept as evidence per window and per list, unless a run asks for more."""


def build_plan(checked: CheckedContract, as_of: datetime,
               evidence_limit: int = EVIDENCE_LIMIT, rates: tuple[RateUsed, ...] = ()) -> Plan:
    """Compile a checked contract for one evaluation time, with the rate of each other
    currency it declares (`rates.resolve`)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    contract = checked.contract
    zone = ZoneInfo(contract.timezone)
    compiler = Compiler(checked, as_of, {rate.currency: rate.rate for rate in rates})
    money = Money(contract.currency, Decimal(1).scaleb(-contract.decimals),
                  ROUNDING[contract.rounding], contract.round_at)
    start = end = None
    if contract.effective_from is not None:
        start = datetime.combine(contract.effective_from, datetime.min.time(), zone)
    if contract.effective_to is not None:
        end = datetime.combine(contract.effective_to, datetime.min.time(), zone)
        end += timedelta(days=1)
    constants: dict[str, Any] = {"_as_of": as_of}
    standards = tuple(
        _standard(index, standard, compiler, money, constants)
        for index, standard in enumerate(contract.standards)
    )
    rules = tuple(RecordRule(kind == "reject", compiler.truth(rule.when.node),
                             rule.message)
                  for kind, found in (("reject", contract.reject), ("warn", contract.warn))
                  for rule in found)
    pools = tuple(_pool(pool, compiler, money) for pool in contract.pools)
    plausible = compile_checks(contract.schema, zone, contract.effective_from,
                               contract.effective_to)
    return Plan(contract, contract.schema, zone, as_of, money, start, end, standards,
                evidence_limit, constants, rules, pools, plausible, rates)


def _group_key(parts: list[Callable[[Record], Any]]) -> Callable[[Record], Any]:
    """A group key computed from the record, derived fields among its parts."""
    if len(parts) == 1:
        return parts[0]
    return lambda record: tuple(part(record) for part in parts)


def _standard(index: int, standard: Standard, compiler: Compiler, money: Money,
              constants: dict[str, Any]) -> StandardPlan:
    window = standard.window
    fields = tuple(ref.name for ref in window.by)
    group_key: Callable[[Record], Any] | None = itemgetter(*fields) if fields else None
    derived = {named.name for named in compiler.checked.contract.derived}
    if derived.intersection(fields):  # a derived field, `tier: customer_tier[customer_id]`
        group_key = _group_key([compiler.value(ref) if ref.name in derived
                                else itemgetter(ref.name) for ref in window.by])
    penalty = None
    if standard.penalty is not None:
        penalty = _breach_penalty(standard.penalty.node, compiler, money)
    strike = None
    if standard.strike is not None:
        node = standard.strike.node
        strike = StrikeRule(money.round(compiler.constant(node.amount)), node.count,
                            timedelta(microseconds=node.within.microseconds),
                            standard.strike.text)
    totals = _Totals(compiler)
    window_penalty = credit = reward = None
    if standard.window_penalty is not None:
        window_penalty = totals.amount(standard.window_penalty.node.amount)
    if standard.credit is not None:
        node_credit = standard.credit.node
        credit = CreditRule(totals.amount(node_credit.amount), node_credit.per_point,
                            totals.amount(node_credit.cap) if node_credit.cap else None)
    if standard.credit_bands:
        credit = CreditRule(None, bands=tuple(
            CreditBand(_end(band.low, compiler), _end(band.high, compiler),
                       totals.amount(band.amount.node), band.text)
            for band in standard.credit_bands))
    if standard.reward is not None:
        reward = totals.amount(standard.reward.node.amount)
    payment = None
    if standard.payment is not None:
        node_payment = standard.payment.node
        payment = totals.amount(ast.Aggregate(function="sum", operand=node_payment.amount),
                                standard.payment.text)
    rules: list[DisqualifyRule] = []
    for rule in standard.disqualify:
        match rule.node:
            case ast.ConsecutiveMissed(count=count):
                rules.append(ConsecutiveMissed(count))
            case ast.BreachesWithin(count=count, within=within):
                rules.append(BreachesWithin(count, timedelta(microseconds=within.microseconds)))
            case ast.AnyBreach():
                rules.append(AnyBreach())
    if standard.breach_time is not None:
        breach_time: Callable[[Record], Any] | None = itemgetter(standard.breach_time)
    else:
        breach_time = compiler.breach_time(standard.require.node)
    objective, measure_value = _objective(standard, compiler)
    return StandardPlan(
        index=index,
        id=standard.id,
        title=standard.title,
        clauses=_clauses(standard),
        scope=compiler.truth(standard.scope.node) if standard.scope else None,
        exclusions=tuple(
            (compiler.truth(item.when.node), item.reason)
            for item in standard.exclusions
        ),
        requirement=compiler.truth(standard.require.node),
        window=WindowSpec(
            period=window.period,
            field=window.of.name if window.of is not None else None,
            field_is_date=window.of is not None and compiler.checked.contract.schema.field(
                window.of.name) is not None and _is_date(compiler, window.of.name),
            group_fields=fields,
            group_key=group_key,
            rolling=window.rolling,
        ),
        objective=objective,
        measure=objective.measure if objective is not None else Rate(),
        measure_value=measure_value,
        consequences=Consequences(
            penalty=penalty,
            window_penalty=window_penalty,
            strike=strike,
            credit=credit,
            reward=reward,
            payment=payment,
            totals=tuple(totals.found.values()),
            disqualify=tuple(rules),
            escalations=tuple(_escalation(step) for step in standard.escalate),
            currencies=_currencies(standard, compiler.checked.contract),
        ),
        breach_time=breach_time,
        event_orders=tuple(compiler.event_orders(standard.require.node)),
        inline=Inline(
            scope=compiler.source(standard.scope.node, constants) if standard.scope else None,
            exclusions=tuple(compiler.source(item.when.node, constants)
                             for item in standard.exclusions),
            requirement=compiler.source(standard.require.node, constants),
            deadline=compiler.deadline_source(standard.require.node, constants),
        ),
    )


def _currencies(standard: Standard, contract: Contract) -> tuple[str, ...]:
    """The other currencies a standard's amounts use, following names into derived fields,
    parameters and the values of the tables they look up, in the contract's order."""
    if not contract.rates:
        return ()
    named = {item.name: item.clause.node for item in (*contract.parameters, *contract.derived)}
    tables = {table.name: table for table in contract.tables}
    amounts: list[ast.Node] = [clause.node for clause in (
        standard.penalty, standard.window_penalty, standard.strike, standard.credit,
        standard.reward, standard.payment) if clause is not None]
    amounts += [band.amount.node for band in standard.credit_bands]
    found: set[str] = set()
    seen: set[str] = set()
    while amounts:
        for node in ast.walk(amounts.pop()):
            if isinstance(node, ast.Money):
                found.add(node.currency)
            elif isinstance(node, ast.Ref) and node.name in named and node.name not in seen:
                seen.add(node.name)
                amounts.append(named[node.name])
            elif isinstance(node, ast.Lookup) and node.table in tables:
                table = tables[node.table]
                amounts += [value for _, values in table.versions() for value in values.values()]
                if table.default is not None:
                    amounts.append(table.default)
    return tuple(rate.currency for rate in contract.rates if rate.currency in found)


def _breach_penalty(node: ast.Penalty, compiler: Compiler, money: Money) -> BreachPenalty:
    cap_by = node.cap_by.name if node.cap_by is not None else None
    cap_key = key_function(node.cap_period) if node.cap_period is not None else None
    cap_label: Callable[[int], str] | None = None
    if node.cap_over == "total":
        cap_key, cap_label = _whole_contract, _whole_contract_label
    elif node.cap_over == "contract year":
        starts = compiler.checked.contract.effective_from
        assert starts is not None  # the checker requires it
        cap_key, cap_label = _contract_years(starts)
    return BreachPenalty(
        amount=_penalty(node, compiler),
        cap=money.round(compiler.constant(node.cap)) if node.cap is not None else None,
        cap_period=node.cap_period,
        cap_key=cap_key,
        cap_field=cap_by,
        cap_group=itemgetter(cap_by) if cap_by is not None else None,
        cap_over=node.cap_over,
        cap_label=cap_label,
        deferred=node.deferred,
    )


def _whole_contract(local: datetime) -> int:
    return 0


def _whole_contract_label(key: int) -> str:
    return "contract"


def _contract_years(starts: date) -> tuple[KeyFunction, Callable[[int], str]]:
    """Years counted from the contract's first day (0 is the first year), each labelled by
    its first and last days, as a rolling window is: `2024-07-01/2025-06-30`. A year from
    29 February starts on the 1 March of a year without one."""

    def anniversary(years: int) -> date:
        try:
            return starts.replace(year=starts.year + years)
        except ValueError:  # 29 February
            return date(starts.year + years, 3, 1)

    def key(local: datetime) -> int:
        years = local.year - starts.year
        return years - 1 if local.date() < anniversary(years) else years

    def label(years: int) -> str:
        last = anniversary(years + 1) - timedelta(days=1)
        return f"{anniversary(years).isoformat()}/{last.isoformat()}"

    return key, label


def _penalty(node: ast.Penalty, compiler: Compiler) -> Callable[[Record], Any]:
    """A breach's amount before rounding: the amount, times the periods of delay when it
    is graduated, at most the cap per breach; None when a value it needs is absent."""
    amount = compiler.value(node.amount)
    record_cap = compiler.value(node.record_cap) if node.record_cap is not None else None
    if node.delay is None or node.per is None:
        if record_cap is None:
            return amount
        return lambda record: _at_most(amount(record), record_cap(record))
    delay = compiler.value(node.delay)
    per = node.per.microseconds
    unit = node.rounded[1].microseconds if node.rounded is not None else None
    up = node.rounded is not None and node.rounded[0] == "up"
    counting = node.counting

    def graduated(record: Record) -> Decimal | None:
        base, late = amount(record), delay(record)
        if base is None or not isinstance(late, timedelta):
            return None  # an absent delay (an event not yet happened) cannot be priced yet
        micros = max(late // timedelta(microseconds=1), 0)
        if unit is not None:
            micros = (-(-micros // unit) if up else micros // unit) * unit
        periods = Fraction(micros, per)
        if counting == "completed":
            periods = Fraction(math.floor(periods))
        elif counting == "started":
            periods = Fraction(math.ceil(periods))
        owed = _ROUNDING.divide(Decimal(periods.numerator) * base, Decimal(periods.denominator))
        return _at_most(owed, record_cap(record)) if record_cap is not None else owed

    return graduated


def _at_most(amount: Decimal | None, cap: Decimal | None) -> Decimal | None:
    if amount is None or cap is None:
        return None
    return min(amount, cap)


class _Totals:
    """Compiles amounts due per window; each distinct total (`sum(freight_charge)`) is
    kept once per standard, however many amounts use it.

    The window's totals are exact Fractions (a mean may be 1/3), so the operators that may
    stand around a total are evaluated here over Fractions; any part without a total is a
    constant, which the compiler computes as it does everywhere else."""

    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler
        self.found: dict[str, tuple[Measure, Callable[[Record], Any]]] = {}

    def amount(self, expr: ast.Expr, text: str | None = None) -> WindowAmount:
        evaluate = self._compile(expr)
        if text is None:
            text = " ".join(expr.span.text.split()) if expr.span is not None else "amount"
        return WindowAmount(text, evaluate)

    def _compile(self, expr: ast.Expr) -> Callable[[Sequence[Fraction | None]], Fraction | None]:
        match expr:
            case ast.Aggregate():
                text = measure_text(expr)
                if text not in self.found:
                    self.found[text] = _measure(expr, self.compiler)
                index = list(self.found).index(text)
                return itemgetter(index)
            case ast.Neg(operand=operand):
                inner = self._compile(operand)
                return lambda values: _apply(operator.neg, inner(values))
            case ast.PercentOf(percent=percent, operand=operand):
                share, inner = Fraction(percent.value), self._compile(operand)
                return lambda values: _apply(lambda x: share * x, inner(values))
            case ast.Binary(op=op, left=left, right=right):
                first, second = self._compile(left), self._compile(right)
                how = _ARITHMETIC[op]
                return lambda values: _apply2(how, first(values), second(values))
            case ast.Call(function=function, args=args) if _totals_in(expr):
                how = _window_function(expr, self.compiler.checked.contract.rounding)
                parts = [self._compile(arg) for arg in (args[:1] if function in (
                    "floor", "ceil", "round", "abs") else args)]
                return lambda values: _apply_all(how, [part(values) for part in parts])
            case ast.Conditional(condition=condition, then=then, otherwise=otherwise) if \
                    _totals_in(expr):  # the checker keeps records out of the condition
                decided = self.compiler.truth(condition)({})
                if decided == PENDING:  # an absent parameter
                    return lambda values: None
                return self._compile(then if decided == PASS else otherwise)
        assert not _totals_in(expr), "the checker lets a total stand only where it is read"
        constant = _fraction(self.compiler.constant(expr))
        return lambda values: constant


def _totals_in(expr: ast.Node) -> bool:
    return any(isinstance(node, ast.Aggregate) for node in ast.walk(expr))


def _window_function(expr: ast.Call, rounding: str) -> Callable[..., Fraction]:
    """`functions.implementation` over exact fractions: `min`, `max`, `abs` and `round` are
    its own (`round` of a fraction's decimal form: a fraction with no finite decimal form is
    never a tie, so 120 digits decide it); `floor` and `ceil` are exact on a fraction."""
    match expr.function:
        case "floor":
            return lambda value: Fraction(math.floor(value))
        case "ceil":
            return lambda value: Fraction(math.ceil(value))
    decimal = implementation(expr, rounding)
    if expr.function != "round":
        return decimal

    def rounded(value: Fraction) -> Fraction:
        return Fraction(decimal(_ROUNDING.divide(Decimal(value.numerator),
                                                 Decimal(value.denominator))))

    return rounded


def _apply_all(how: Callable[..., Fraction],
               values: list[Fraction | None]) -> Fraction | None:
    return None if any(value is None for value in values) else how(*values)


def _escalation(step: Clause[ast.Escalate]) -> EscalationRule:
    node = step.node
    return EscalationRule(node.count, node.within, node.step, step.text)


def _pool(pool: Pool, compiler: Compiler, money: Money) -> PoolPlan:
    limit = pool.limit.node
    return PoolPlan(pool.id, pool.standards, money.round(compiler.constant(limit.amount)),
                    limit.period)


def _end(end: Clause[ast.Expr] | None, compiler: Compiler) -> Fraction | None:
    return None if end is None else _fraction(compiler.constant(end.node))


def _apply(how: Callable[[Fraction], Fraction], value: Fraction | None) -> Fraction | None:
    return None if value is None else how(value)


def _apply2(how: Callable[[Fraction, Fraction], Fraction], left: Fraction | None,
            right: Fraction | None) -> Fraction | None:
    if left is None or right is None:
        return None
    try:
        return how(left, right)
    except ZeroDivisionError:
        return None


_ARITHMETIC: dict[ast.BinOp, Callable[[Fraction, Fraction], Fraction]] = {
    ast.BinOp.ADD: operator.add,
    ast.BinOp.SUB: operator.sub,
    ast.BinOp.MUL: operator.mul,
    ast.BinOp.DIV: operator.truediv,
}


def _is_date(compiler: Compiler, name: str) -> bool:
    spec = compiler.checked.contract.schema.field(name)
    return spec is not None and spec.type.kind is Kind.DATE


def _objective(standard: Standard,
               compiler: Compiler) -> tuple[Objective | None, Callable[[Record], Any] | None]:
    """The target as an objective on its measure, and what each record adds to it."""
    if standard.target is None:
        return None, None
    node = standard.target.node
    warn = None if node.warn is None else _fraction(compiler.constant(node.warn))
    if node.measure is None:
        if node.tiers:
            targets = {tier.group: Fraction(tier.rate.value) for tier in node.tiers}
            return Objective(Rate(), ">=", targets=targets, minimum=node.minimum,
                             warn=warn), None
        assert node.rate is not None
        return Objective(Rate(), ">=", Fraction(node.rate.value), minimum=node.minimum,
                         warn=warn), None
    assert node.goal is not None
    measure, value = _measure(node.measure, compiler)
    goal = _fraction(compiler.constant(node.goal))
    return Objective(measure, node.op.value, goal, minimum=node.minimum, warn=warn), value


def _measure(node: ast.Measure, compiler: Compiler) -> tuple[Measure, Callable[[Record], Any]]:
    label = measure_text(node)
    if isinstance(node, ast.Ratio):
        top, bottom = _operand(node.numerator, compiler), _operand(node.denominator, compiler)

        def both(record: Record) -> tuple[Fraction, Fraction] | None:
            a, b = top(record), bottom(record)
            return None if a is None or b is None else (a, b)

        return RatioOfSums(label), both
    value = _operand(node, compiler)
    if node.function == "count":
        return Count(label), value
    unit = _unit(compiler.checked.type_of(node.operand)) if node.operand is not None \
        else Unit.NUMBER
    if node.function == "sum":
        return Sum(label, unit), value
    if node.function == "mean":
        return Mean(label, unit), value
    if node.function in ("min", "max"):
        return Extreme(label, unit, largest=node.function == "max"), value
    assert node.rank is not None
    return Percentile(label, unit, Fraction(node.rank)), value


def _operand(node: ast.Aggregate, compiler: Compiler) -> Callable[[Record], Any]:
    """A record's contribution to an aggregate, as an exact Fraction or None if unknown:
    1 or 0 for what `count` counts, else the operand's value."""
    if node.operand is None:
        return lambda record: _ONE
    if node.function == "count":
        truth = compiler.truth(node.operand)

        def counted(record: Record) -> Fraction | None:
            found = truth(record)
            return None if found == PENDING else (_ONE if found == PASS else _ZERO)

        return counted
    value = compiler.value(node.operand)
    return lambda record: _fraction(value(record))


_ONE, _ZERO = Fraction(1), Fraction(0)


def _fraction(value: Any) -> Fraction | None:
    """A figure as an exact fraction: a duration in seconds, money and numbers as written."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return Fraction(value // timedelta(microseconds=1), 1_000_000)
    return Fraction(value)


def _unit(found: Type) -> Unit:
    if found.kind is Kind.MONEY:
        return Unit.MONEY
    if found.kind is Kind.DURATION:
        return Unit.SECONDS
    return Unit.SHARE if found.scale is Scale.RATIO else Unit.NUMBER


def measure_text(node: ast.Measure) -> str:
    """The measure as the contract wrote it, spaces normalised."""
    if node.span is not None:
        return " ".join(node.span.text.split())
    if isinstance(node, ast.Aggregate):  # one the plan made: `payment: fee per record`
        operand = node.operand.span if node.operand is not None else None
        inside = " ".join(operand.text.split()) if operand is not None else ""
        return f"{node.function}({inside})"
    return "ratio"


def _clauses(standard: Standard) -> tuple[tuple[str, str], ...]:
    return tuple((kind, shown) for kind, _, shown in standard.in_order())
