"""The contract model: what a loaded contract says, before it is checked or compiled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from slacheck import ast
from slacheck._source import Span
from slacheck.calendars import BusinessCalendar
from slacheck.types import RecordSchema

N = TypeVar("N", bound=ast.Node, covariant=True)


@dataclass(frozen=True, slots=True)
class Clause(Generic[N]):
    """A parsed clause and the text it was written as, kept for evidence; typed by what
    it is (`Clause[ast.Penalty]`), so nothing downstream narrows a bare node."""

    text: str
    node: N
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """`except:` a predicate, and the reason a matching record is excluded."""

    when: Clause[ast.Expr]
    reason: str


@dataclass(frozen=True, slots=True)
class Band:
    """One row of a credit table: the credit owed when a missed window's figure is at least
    `low` and below `high` (an end left out is open)."""

    low: Clause[ast.Expr] | None
    high: Clause[ast.Expr] | None
    amount: Clause[ast.Expr]
    span: Span | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        """`98% to 99%: 5% of monthly_fee`, `below 98%: ...`, `from 99.5%: ...`."""
        if self.low is not None and self.high is not None:
            where = f"{self.low.text} to {self.high.text}"
        elif self.high is not None:
            where = f"below {self.high.text}"
        else:
            where = f"from {self.low.text}" if self.low is not None else "any figure"
        return f"{where}: {self.amount.text}"


@dataclass(frozen=True, slots=True)
class Pool:
    """Credits of several standards owed together, at most `limit` per period (an at-risk
    amount): the excess is a cap adjustment of the pool, not of any one standard."""

    id: str
    standards: tuple[str, ...]
    limit: Clause[ast.Limit]
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Standard:
    id: str
    title: str
    require: Clause[ast.Expr]
    window: ast.Window
    scope: Clause[ast.Expr] | None = None
    exclusions: tuple[Exclusion, ...] = ()
    target: Clause[ast.Target] | None = None
    penalty: Clause[ast.Penalty] | None = None
    """Per breach. `penalty:` is one clause or a list of them, at most one of each kind:
    this one, `window_penalty` and `strike`."""
    window_penalty: Clause[ast.WindowPenalty] | None = None
    """Once per missed window, from the window's records (a chargeback)."""
    strike: Clause[ast.Strike] | None = None
    """An amount due at every Nth breach within a period (a purchase-order failure fee)."""
    credit: Clause[ast.Credit] | None = None
    reward: Clause[ast.Reward] | None = None
    payment: Clause[ast.Payment] | None = None
    """What the customer owes per record, breached or not (`delivery_fee per record`)."""
    credit_bands: tuple[Band, ...] = ()
    """A credit table, in the contract's order: the band holding a missed window's figure."""
    escalate: tuple[Clause[ast.Escalate], ...] = ()
    """Steps of an escalation ladder (notices, warnings, a termination right)."""
    disqualify: tuple[Clause[ast.Disqualify], ...] = ()
    breach_time: str | None = None
    """The timestamp field that dates a breach; by default the moment it became certain."""
    span: Span | None = field(default=None, compare=False)

    @property
    def penalties(self) -> tuple[Clause[ast.Node], ...]:
        """Every penalty clause, in the contract's order."""
        found = [self.penalty, self.window_penalty, self.strike]
        return tuple(sorted((c for c in found if c is not None),
                            key=lambda c: c.span.start if c.span is not None else 0))

    def in_order(self) -> tuple[tuple[str, Clause[ast.Node], str], ...]:
        """Every clause as the contract lists a standard's: (kind, clause, what to show),
        an exclusion shown by its reason."""
        out: list[tuple[str, Clause[ast.Node], str]] = []
        if self.scope is not None:
            out.append(("for", self.scope, self.scope.text))
        out.extend(("except", item.when, item.reason) for item in self.exclusions)
        out.append(("require", self.require, self.require.text))
        if self.target is not None:
            out.append(("target", self.target, self.target.text))
        out.extend(("penalty", clause, clause.text) for clause in self.penalties)
        for kind, clause in (("credit", self.credit), ("reward", self.reward),
                             ("payment", self.payment)):
            if clause is not None:
                out.append((kind, clause, clause.text))
        if self.credit_bands:
            first = self.credit_bands[0].amount
            out.append(("credit", first, "; ".join(band.text for band in self.credit_bands)))
        out.extend(("escalate", rule, rule.text) for rule in self.escalate)
        out.extend(("disqualify", rule, rule.text) for rule in self.disqualify)
        return tuple(out)

    @property
    def target_rate(self) -> ast.Percent | None:
        return self.target.node.rate if self.target is not None else None


@dataclass(frozen=True, slots=True)
class Named:
    """A parameter or a derived field: a name bound to an expression."""

    name: str
    clause: Clause[ast.Expr]
    span: Span | None = field(default=None, compare=False)


Entries = tuple[tuple[str, ast.Expr], ...]
"""A table's values by key, each a literal as written in a clause."""


@dataclass(frozen=True, slots=True)
class Table:
    """A lookup table (`tables:`): values by key, a default for a key not listed, and the
    values that change on a date (each change lists only the keys that change)."""

    name: str
    values: Entries
    default: ast.Expr | None = None
    changes: tuple[tuple[date, Entries], ...] = ()
    span: Span | None = field(default=None, compare=False)

    def versions(self) -> list[tuple[date | None, dict[str, ast.Expr]]]:
        """The table as in force from each date on: (None, the first values), then one
        whole table per change, in date order."""
        current = dict(self.values)
        out: list[tuple[date | None, dict[str, ast.Expr]]] = [(None, dict(current))]
        for starts, changed in sorted(self.changes, key=lambda change: change[0]):
            current.update(changed)
            out.append((starts, dict(current)))
        return out


@dataclass(frozen=True, slots=True)
class RowRule:
    """`records.reject` or `records.warn`: a condition on one record, and what it means. A
    record the condition is true of is rejected with the message, or counted and named in
    a plausibility warning; one it is unknown of (an absent field) is neither."""

    when: Clause[ast.Expr]
    message: str
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Rate:
    """A currency the contract's amounts may be written in (`8.33 SDR`), converted into its
    own currency at a rate given at run time, since a contract states when the rate is
    taken (`date`), never its value."""

    currency: str
    date: date | None = None
    note: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    currency: str
    timezone: str
    schema: RecordSchema
    standards: tuple[Standard, ...]
    parameters: tuple[Named, ...] = ()
    derived: tuple[Named, ...] = ()
    tables: tuple[Table, ...] = ()
    title: str = ""
    provider: str = ""
    customer: str = ""
    decimals: int = 2
    rounding: str = "half_up"
    round_at: str = "record"
    """Where money is rounded: each breach's amount, each window's sum, or the totals."""
    effective_from: date | None = None
    effective_to: date | None = None
    calendars: tuple[BusinessCalendar, ...] = ()
    """Business calendars by name (`calendars:`), for `within N business days ... using`."""
    path: str = "<contract>"
    sha256: str = ""
    reject: tuple[RowRule, ...] = ()
    warn: tuple[RowRule, ...] = ()
    pools: tuple[Pool, ...] = ()
    rates: tuple[Rate, ...] = ()
    """Other currencies, each converted at a rate given at run time (`--rate SDR=1.35`)."""

    def calendar(self, name: str) -> BusinessCalendar | None:
        return next((item for item in self.calendars if item.name == name), None)

    def standard(self, standard_id: str) -> Standard | None:
        return next((item for item in self.standards if item.id == standard_id), None)
