"""Syntax trees of clauses: frozen nodes with spans that tests can compare by structure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum

from slacheck._source import Span


class BinOp(Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"


class CmpOp(Enum):
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="


class BoolOp(Enum):
    AND = "and"
    OR = "or"


class Period(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Number(Node):
    value: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Percent(Node):
    """`97%`: kept as the exact fraction 0.97."""

    value: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Money(Node):
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Duration(Node):
    """A duration literal in whole microseconds (`24h`, `90d`, `1.5h`)."""

    microseconds: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class String(Node):
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref(Node):
    """A name: a record field, a derived field, a parameter or an enum value."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Neg(Node):
    operand: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary(Node):
    op: BinOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class PercentOf(Node):
    """`5% of monthly_fee`."""

    percent: Percent
    operand: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare(Node):
    op: CmpOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class In(Node):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Within(Node):
    """`event within limit of start`: a deadline, three-valued for events not yet seen."""

    event: Expr
    limit: Expr
    start: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Logical(Node):
    op: BoolOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Not(Node):
    operand: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Presence(Node):
    """`delivered_at is present`, `customs_hold is absent`: always true or false, never
    pending, so a scope can test an optional field without being undetermined."""

    operand: Expr
    present: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Node):
    """`min(a, b)`, `max(a, b, c)`, `floor(x)`, `ceil(x)`, `round(x)`, `round(x, 2)`,
    `abs(x)`; with a list field, `max(readings)`, `count(readings, each > 8)`.

    `function` is one of `FUNCTIONS` (the parser refuses any other name)."""

    function: str
    args: tuple[Expr, ...]


FUNCTIONS = ("min", "max", "floor", "ceil", "round", "abs", "count", "sum", "mean")
"""The functions of expressions; `min(x)` and `max(x)` of one value that is not a list are
refused (in a target they measure a window instead); `count`, `sum` and `mean` take a list
field (in a target, or a total of an amount, they measure a window)."""

EACH = "each"
"""Inside `count(readings, each > 8)`, the list's value being tested."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditional(Node):
    """`if on_time then min(received, ordered) else 0`: an absent condition gives an
    absent value, as a comparison with an absent field is pending."""

    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup(Node):
    """`customer_tier[customer_id]`: the value of a key in a table the contract declares;
    `fuel_rate[lane at picked_up_at]` reads an effective-dated table at that time rather
    than at the record's time field."""

    table: str
    key: Expr
    at: Expr | None = None
    table_span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Date(Node):
    """`2024-10-01`: a calendar date."""

    value: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Timestamp(Node):
    """`2024-07-05T00:00+08:00`: a moment, with the offset it was written with (never naive)."""

    value: datetime
    text: str = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarDuration(Node):
    """`9 months`, `1 year`: a number of calendar months, added in the contract's local
    wall time, the day clamped to the end of a shorter month (Jan 31 + 1 month = Feb 29)."""

    count: int
    unit: str
    """`month` or `year`, as written."""

    @property
    def months(self) -> int:
        return self.count * (12 if self.unit == "year" else 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Between(Node):
    """`delivered_on between mabd - 1d and mabd`: both ends included."""

    operand: Expr
    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class InRange(Node):
    """`picked_up_at in [a, b)`: an interval, each end open or closed (`[a, b]` is a list;
    the closed interval is `between`)."""

    operand: Expr
    low: Expr
    high: Expr
    low_closed: bool = True
    high_closed: bool = False
    negated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class WithinBusiness(Node):
    """`delivered_at within 2 business days of booked_at using cn with cutoff 17:00`: due by
    the end of the Nth business day after the day the start counts for (a start on a day off,
    or at or after the cut-off, counts for the next business day)."""

    event: Expr
    days: int
    start: Expr
    calendar: str
    calendar_span: Span | None = field(default=None, compare=False, repr=False)
    cutoff: time | None = None
    zone: Ref | None = None
    """`in site_zone`: the field naming the time zone of the days and the cut-off (an IANA
    name, per record); by default the contract's."""




@dataclass(frozen=True, slots=True, kw_only=True)
class Window(Node):
    """`per month by office`: the calendar period and the grouping fields."""

    period: Period
    by: tuple[Ref, ...] = ()
    of: Ref | None = None
    """The timestamp or date field that places a record in a window; by default the
    records' time field."""
    rolling: int | None = None
    """`per rolling 30 days`: the length in days of a window ending at each day's end
    (`period` is then `DAY`, the bucket records are counted in); None for calendar windows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Aggregate(Node):
    """`count()`, `count(late)`, `sum(x)`, `mean(x)`, `min(x)`, `max(x)`, `p95(x)`."""

    function: str
    operand: Expr | None = None

    @property
    def rank(self) -> Decimal | None:
        """For a percentile, its rank between 0 and 1: p95 -> 0.95."""
        if not self.function.startswith("p"):
            return None
        return Decimal(self.function[1:]) / 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Ratio(Node):
    """`sum(units_delivered) / sum(units_ordered)`: a ratio of two aggregates."""

    numerator: Aggregate
    denominator: Aggregate


Measure = Aggregate | Ratio

Expr = (
    Number | Percent | Money | Duration | String | Bool | Ref | Neg | Binary | PercentOf
    | Compare | In | Within | Logical | Not | Presence | Call | Conditional | Lookup | Aggregate
    | Date | Timestamp | CalendarDuration | Between | InRange | WithinBusiness
)
"""`Aggregate` stands only in the amount of a consequence due per window (the checker says
so elsewhere): the total of the window's records, `sum(cases_short * unit_cost)`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Tier(Node):
    """`99% for key`: the target of one value of the grouping field."""

    rate: Percent
    group: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Target(Node):
    """`97% per month by office`, `p95(transit) <= 72h per month, at least 20 records`,
    `99% for key, 97% for suitable per month by tier, warn below 99.5%`.

    With `measure` None the target is on the rate of passed records: `rate`, or `tiers`.
    """

    rate: Percent | None = None
    window: Window | None = None
    tiers: tuple[Tier, ...] = ()
    measure: Measure | None = None
    op: CmpOp = CmpOp.GE
    goal: Expr | None = None
    """The measure's target value, when there is a measure."""
    minimum: int | None = None
    minimum_span: Span | None = field(default=None, compare=False, repr=False)
    warn: Expr | None = None
    warn_below: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Penalty(Node):
    """`1000 CNY per breach, at most 10000 CNY per month`, or graduated by a delay:
    `10.5% of value per completed 2d of delay rounded up to 1d, at most 55% of value per
    breach`."""

    amount: Expr
    cap: Expr | None = None
    cap_period: Period | None = None
    per: Duration | None = None
    """The period of delay the amount is due for, when graduated."""
    counting: str = "pro rata"
    """How a part of a period counts: `started` (as a whole), `completed` (not at all) or
    `pro rata` (as its share)."""
    delay: Expr | None = None
    rounded: tuple[str, Duration] | None = None
    """(`up` or `down`, unit): the delay rounded to whole units before periods are counted."""
    record_cap: Expr | None = None
    """`at most X per breach`: the most one record owes."""
    cap_by: Ref | None = None
    """`at most X per month by office`: the period's cap applies to each office apart."""
    cap_over: str = ""
    """`contract year` (`at most X per contract year`: each year from the contract's start)
    or `total` (`at most X in total`: the whole contract), with `cap_period` None; "" for a
    cap per calendar period."""
    deferred: bool = False
    """`deferred while open`: a breach whose event is not yet recorded (overdue) owes its
    amount only once the record closes; until then it is listed as deferred, not owed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowPenalty(Node):
    """`3% of sum(short_cases * unit_cost) per missed month`: due once for each missed
    window (and group), computed from the window's records."""

    amount: Expr
    period: Period


@dataclass(frozen=True, slots=True, kw_only=True)
class Strike(Node):
    """`599.99 USD at every 5th breach within 60d`: the amount falls due at a breach that
    is the `count`th within `within` (the breach's own time included, the earliest
    excluded: (t - within, t]), counting only breaches no earlier amount used."""

    amount: Expr
    count: int
    within: Duration


@dataclass(frozen=True, slots=True, kw_only=True)
class Credit(Node):
    """`5% of monthly_fee per missed month`, or `1% of sum(freight) per full point below
    target, at most 15% of sum(freight)`: the amount times the whole percentage points by
    which the window fell short, capped."""

    amount: Expr
    period: Period | None = None
    """The period counted, for a credit per missed window; None for one per point."""
    per_point: bool = False
    cap: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalate(Node):
    """A step of an escalation ladder: `after 2 missed months within 6 months: notice`, or
    `after 2 consecutive missed months: termination right`. Findings carry no money."""

    count: int
    period: Period
    within: int | None = None
    """The look-back in windows, the missed one included; None for misses in a row."""
    within_period: Period | None = None
    step: str
    """`notice`, `termination right`, or a warning's words in double quotes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limit(Node):
    """`10% of monthly_fee per month`: the most a pool of credits owes per period."""

    amount: Expr
    period: Period


@dataclass(frozen=True, slots=True, kw_only=True)
class Reward(Node):
    """`0.5% of monthly_fee per met month`: owed by the customer for each met window."""

    amount: Expr
    period: Period


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment(Node):
    """`delivery_fee per record`: what the customer owes for each record in scope and not
    excluded, met or breached, once its amount is known; not a consequence of a breach, but
    the payment other amounts of a contract are often based on or netted against."""

    amount: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsecutiveMissed(Node):
    count: int
    period: Period


@dataclass(frozen=True, slots=True, kw_only=True)
class BreachesWithin(Node):
    count: int
    within: Duration


@dataclass(frozen=True, slots=True, kw_only=True)
class AnyBreach(Node):
    pass


Disqualify = ConsecutiveMissed | BreachesWithin | AnyBreach

PenaltyRule = Penalty | WindowPenalty | Strike
"""What `penalty:` may say: per breach, per missed window, or at every Nth breach."""


def children(node: Node) -> list[Node]:
    """The nodes directly under `node`, left to right."""
    out: list[Node] = []
    for each in fields(node):
        value = getattr(node, each.name)
        if isinstance(value, Node) and each.name != "span":
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(item for item in value if isinstance(item, Node))
    return out


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, parents before children and left to right, without recursion:
    a long chain (`a and b and ...`) is as deep as it is long."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(children(item)))


def refs(node: Node) -> Iterator[Ref]:
    """Every name a tree mentions, in the order written."""
    return (item for item in walk(node) if isinstance(item, Ref))
