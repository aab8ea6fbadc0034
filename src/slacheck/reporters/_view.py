"""The audit report's view model: what the HTML and Markdown reports say, built from a
`Result` alone, with every figure computed once here and every sentence worded once here.

Strings that come from the data or the contract (record ids, group values, reasons, paths)
are made printable here; the templates escape them for their format.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slacheck._money import total as money_total
from slacheck._words import plural
from slacheck.ast import Period
from slacheck.fail_on import warnings
from slacheck.findings import (
    Disqualification,
    Escalation,
    PenaltyWindow,
    RecordRef,
    Result,
    StandardResult,
    Verdict,
    WindowOutcome,
)
from slacheck.reporters import _figures
from slacheck.reporters._format import (
    figure,
    fraction,
    goal,
    percent,
    printable,
    target,
)
from slacheck.reporters._format import number as as_number
from slacheck.windows import key_function, window

LIST_LIMIT = 20
"""Records listed per list in a report; beyond it they are counted, and the JSON has them."""

JSON_POINTER = "the JSON report (slacheck verify --format json)"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_MAX_SLOTS = 400
"""Above this many windows in a standard's span, windows without records are not listed."""

STATUS_TEXT = {
    "met": "met",
    "warned": "met, at risk (warning band)",
    "missed": "missed",
    "below-open": "below target (open)",
    "met-open": "met so far (open)",
    "warned-open": "met so far, at risk (open)",
    "not-evaluated": "not evaluated",
    "no-commitment": "no commitment",
    "breaches": "breaches",
    "clean": "no breaches",
}
"""Each window status, as the reports word it: `warned` is met but inside the contract's
warning band; `not-evaluated` is neither met nor missed (no records, nothing to measure, or
fewer records than the minimum sample); `no-commitment` a group the contract sets no target
for."""

COLOURS = {
    "met": "#2e7d32",
    "warned": "#b58100",
    "missed": "#c62828",
    "below-open": "#ef6c00",
    "met-open": "#81c784",
    "warned-open": "#e0b84a",
    "not-evaluated": "#9e9e9e",
    "no-commitment": "#b0b7bf",
    "breaches": "#c62828",
    "clean": "#2e7d32",
}


# -- words for numbers, money and time ------------------------------------------------


def money(amount: Decimal) -> str:
    """An amount with thousands separators, every decimal kept: 159050.50 -> 159,050.50.

    >>> money(Decimal("159050.50")), money(Decimal("-3000.00")), money(Decimal("0"))
    ('159,050.50', '-3,000.00', '0')
    """
    return format(amount, ",")


def count(number: int, noun: str) -> str:
    """A count and its noun, as it reads.

    >>> count(1, "record"), count(5, "breach")
    ('1 record', '5 breaches')
    """
    return f"{number:,} {plural(number, noun)}"


def when(label: str) -> str:
    """A window label in words.

    >>> [when(x) for x in ("2025-02", "2025-Q1", "2025-W05", "2025-03-14", "2025")]
    ['February 2025', 'Q1 2025', 'week 5 of 2025', '14 March 2025', '2025']
    >>> [when(x) for x in ("2024-03-01/2024-03-03", "2024-02-28/2024-03-01")]
    ['1 to 3 March 2024', '28 February to 1 March 2024']
    >>> when("2024-12-30/2025-01-01")
    '30 December 2024 to 1 January 2025'
    """
    if found := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})/(\d{4})-(\d{2})-(\d{2})", label):
        first, last = when(label[:10]), when(label[11:])  # a rolling window's days
        if found[1] != found[4]:
            return f"{first} to {last}"
        if found[2] != found[5]:
            return f"{first.rsplit(' ', 1)[0]} to {last}"
        return f"{int(found[3])} to {last}"
    if found := re.fullmatch(r"(\d{4})-(\d{2})", label):
        return f"{_MONTHS[int(found[2]) - 1]} {found[1]}"
    if found := re.fullmatch(r"(\d{4})-Q(\d)", label):
        return f"Q{found[2]} {found[1]}"
    if found := re.fullmatch(r"(\d{4})-W(\d{2})", label):
        return f"week {int(found[2])} of {found[1]}"
    if found := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", label):
        return f"{int(found[3])} {_MONTHS[int(found[2]) - 1]} {found[1]}"
    return label


def period_of(label: str) -> Period | None:
    """The calendar period a window label names (see `slacheck.windows.label`)."""
    patterns = (
        (r"\d{4}-\d{2}-\d{2}", Period.DAY), (r"\d{4}-W\d{2}", Period.WEEK),
        (r"\d{4}-\d{2}", Period.MONTH), (r"\d{4}-Q\d", Period.QUARTER), (r"\d{4}", Period.YEAR),
    )
    return next((period for pattern, period in patterns if re.fullmatch(pattern, label)), None)


def moment(value: datetime) -> str:
    """A moment in words, with its UTC offset: 29 March 2025 at 11:06 (UTC+08:00)."""
    offset = value.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    clock = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        clock += f":{value.second:02d}"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year} at {clock} ({zone})"


def group_text(group: tuple[tuple[str, str], ...]) -> str:
    return printable(", ".join(f"{name}={value}" for name, value in group))


def group_words(group: tuple[tuple[str, str], ...]) -> str:
    return printable(", ".join(f"{name} {value}" for name, value in group))


def _anchor(text: str) -> str:
    return "std-" + re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _rate(rate: Fraction | None) -> str | None:
    shown = percent(rate)
    return None if shown is None else f"{shown}%"


def _target(rate: Fraction | None) -> str | None:
    shown = target(rate)
    return None if shown is None else f"{shown}%"


@dataclass(frozen=True, slots=True)
class Units:
    """How an amount of money reads: the contract's currency, and its zero (`0.00`), which
    gives the number of decimals."""

    currency: str = ""
    zero: Decimal | None = None


def amount(value: Fraction | None, unit: str, units: Units | None = None) -> str | None:
    """A measure's figure in its unit (`19h`, `98.50%`, `2`), money as the contract writes
    it, with its currency.

    >>> amount(Fraction(197, 200), "share"), amount(Fraction(37800), "seconds")
    ('98.50%', '10.5h')
    >>> amount(Fraction(220150, 100), "money", Units("CNY", Decimal("0.00")))
    '2,201.50 CNY'
    >>> amount(Fraction(1, 3), "money", Units("CNY", Decimal("0.00"))), amount(None, "number")
    ('0.333333 CNY', None)
    """
    if value is None:
        return None
    if unit != "money":
        return figure(value, unit)
    units = units or Units()
    shown = as_number(value)
    if units.zero is not None:
        written = Decimal(value.numerator) / Decimal(value.denominator)
        try:
            rounded = written.quantize(units.zero)
        except InvalidOperation:
            rounded = None
        if rounded is not None and Fraction(rounded) == value:
            shown = money(rounded)
    return f"{shown} {units.currency}" if units.currency else shown


def objective(value: Fraction | None, unit: str, op: str,
              units: Units | None = None) -> str | None:
    """A target as a reader takes it: a share to reach as written (`97%`), any other
    comparison with its direction (`<= 72h`, `< 19h`, `>= 5`, `<= 2%`).

    >>> objective(Fraction(97, 100), "share", ">="), objective(Fraction(86400), "seconds", "<=")
    ('97%', '<= 24h')
    """
    shown = amount(value, unit, units) if unit == "money" else goal(value, unit)
    if shown is None:
        return None
    return shown if op == ">=" and unit == "share" else f"{op} {shown}"


def exact(value: Fraction | None, unit: str) -> str | None:
    """The exact fraction beside a figure, when the figure alone does not say it: always
    for a share (`216/227`), else only when the figure is rounded (`1/3` of a unit).

    >>> exact(Fraction(216, 227), "share"), exact(Fraction(37800), "seconds")
    ('216/227', None)
    >>> exact(Fraction(1, 3), "number"), exact(Fraction(200, 3), "seconds")
    ('1/3', '200/3 s')
    """
    if value is None:
        return None
    if unit == "share":
        return fraction(value)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        return None  # a finite decimal, shown whole
    return f"{fraction(value)}{' s' if unit == 'seconds' else ''}"


# -- the view -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    id: str
    line: int
    source: str

    @property
    def text(self) -> str:
        return f"{self.id} (line {self.line})"


@dataclass(frozen=True, slots=True)
class RefList:
    """Records behind a finding: the first `LIST_LIMIT` listed, the rest counted."""

    shown: tuple[Ref, ...]
    total: int
    note: str
    """Where the records not listed are, when some are not."""

    @property
    def more(self) -> int:
        return self.total - len(self.shown)

    @property
    def text(self) -> str:
        listed = ", ".join(ref.text for ref in self.shown)
        return listed + (f", and {self.more:,} more" if self.more > 0 else "")


def refs(records: tuple[RecordRef, ...], total: int, limit: int = LIST_LIMIT) -> RefList:
    shown = tuple(Ref(printable(ref.id), ref.line, printable(ref.source))
                  for ref in records[:limit])
    note = ""
    if total > len(shown):
        if len(records) >= total:
            note = f"all {total:,} are listed in {JSON_POINTER}"
        else:
            note = (f"{JSON_POINTER} lists the first {len(records):,}; run it with "
                    f"--evidence-limit {total} to list all {total:,}")
    return RefList(shown, total, note)


@dataclass(frozen=True, slots=True)
class Row:
    """One window (and group) of a standard, as its table and chart show it."""

    label: str
    words: str
    group: str
    group_words: str
    evaluated: bool
    closed: bool
    passed: int
    breached: int
    pending: int
    excluded: int
    exclusions: tuple[tuple[str, int], ...]
    figure: Fraction | None
    """The window's figure on the standard's measure, exact (the rate for a rate)."""
    value: str | None
    """The figure in its unit: `95.15%`, `19h`, `2`."""
    exact: str | None
    target: str | None
    """The target with its direction where it is not a share to reach: `97%`, `<= 19h`."""
    status: str
    sentence: str | None
    breaches: RefList | None
    goal: Fraction | None = None
    """The target, exact, in the measure's unit."""
    sample: int = 0
    """The records the figure rests on."""
    reason: str | None = None
    """Why a window is not evaluated."""
    warn: Fraction | None = None
    """The warning line, exact, in the measure's unit."""

    @property
    def counted(self) -> int:
        return self.passed + self.breached

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def group_values(self) -> str:
        """`PEK`: the group without its field names, as a chart labels its bars."""
        return ", ".join(part.partition("=")[2] for part in self.group.split(", "))

    @property
    def name(self) -> str:
        """`2025-01` or `2025-01 office=PEK`."""
        return f"{self.label} {self.group}" if self.group else self.label

    @property
    def heading(self) -> str:
        """`January 2025` or `January 2025, office PEK`."""
        return f"{self.words}, {self.group_words}" if self.group else self.words


@dataclass(frozen=True, slots=True)
class Figure:
    """A standard's figure over the whole evaluated period, from its windows' sums."""

    group: str
    passed: int
    breached: int
    value: str | None
    exact: str | None
    note: str = ""
    """Said instead of the counts when the measure is not a rate and is not added up over
    windows (a percentile of the whole period is no function of its windows' percentiles)."""

    @property
    def counted(self) -> int:
        return self.passed + self.breached


@dataclass(frozen=True, slots=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    colour: str
    label: str
    """The value printed above the bar, or empty when bars are too narrow for it."""
    label_x: str
    label_y: str
    title: str
    group: str
    group_y: str
    target_y: str = ""
    """Where this bar's own target is marked, when the groups' targets differ."""
    target_x1: str = ""
    target_x2: str = ""


@dataclass(frozen=True, slots=True)
class Gap:
    """A window (and group) not evaluated, or with no data: a mark instead of a bar."""

    x: str
    y: str
    text: str
    title: str


@dataclass(frozen=True, slots=True)
class Tick:
    y: str
    text: str


@dataclass(frozen=True, slots=True)
class Slot:
    x: str
    y: str
    text: str
    divider: str


@dataclass(frozen=True, slots=True)
class Chart:
    """An inline SVG chart: geometry computed here, drawn by the template."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    kind: str
    """`rate` (the rate against the target), `measure` (any other measure against its
    target) or `count` (breaches per window)."""
    title: str
    desc: str
    ticks: tuple[Tick, ...]
    slots: tuple[Slot, ...]
    bars: tuple[Bar, ...]
    gaps: tuple[Gap, ...]
    target_y: str | None
    target_label: str | None
    legend: tuple[tuple[str, str], ...]
    marks: bool = False
    """Each bar marks its own target (the groups' targets differ), instead of one line."""
    band_y: str = ""
    """The warning band, between the target and the warning line, when they are one."""
    band_height: str = ""
    band_label: str = ""


@dataclass(frozen=True, slots=True)
class PenaltyRow:
    label: str
    words: str
    breaches: int | None
    """The breaches priced; None for an amount due per missed window (from its totals)."""
    group: str
    """`office=PEK` when the amounts are owed (or capped) per group, else ""."""
    gross: str
    cap: str | None
    adjustment: str
    net: str
    arithmetic: str

    @property
    def heading(self) -> str:
        """`June 2024` or `June 2024, supplier_id=SUP-1`."""
        return f"{self.words}, {self.group}" if self.group else self.words


@dataclass(frozen=True, slots=True)
class Amount:
    ref: Ref
    amount: str


@dataclass(frozen=True, slots=True)
class Ledger:
    """One standard's money: every amount with its clause, records and arithmetic."""

    standard: str
    title: str
    anchor: str
    penalty_clause: str | None
    penalty_line: int | None
    credit_clause: str | None
    credit_line: int | None
    penalties: tuple[PenaltyRow, ...]
    gross: str
    adjustment: str
    net: str
    records: tuple[Amount, ...]
    records_total: int
    records_note: str
    records_sum: str | None
    """The sum of the record amounts, when every one is listed, against the gross total."""
    unpriced: RefList | None
    credits: tuple[tuple[str, str, str], ...]
    """(window in words, amount, arithmetic when computed from the window's totals)."""
    credit_total: str
    credits_computed: bool = False
    """Whether a credit's amount was computed from its window (an arithmetic column)."""
    reward_clause: str | None = None
    reward_line: int | None = None
    rewards: tuple[tuple[str, str, str], ...] = ()
    reward_total: str = ""
    groups: tuple[tuple[str, str, str, str], ...] = ()
    """(group, gross, cap adjustment, net) of the penalties, when they are owed per group."""
    breaches: int | None = None
    """The breaches priced, in all; None when every penalty is due per missed window."""
    explain: str = ""
    """The command that shows one record's arithmetic (`--record ID`)."""
    deferred: tuple[Amount, ...] = ()
    """Overdue breaches of open records whose penalty is `deferred while open`."""
    deferred_total: int = 0
    deferred_amount: str = ""
    payment_clause: str | None = None
    payment_line: int | None = None
    payments: tuple[tuple[str, str, str], ...] = ()
    """(window in words, amount, arithmetic) of what the customer owes for the records."""
    payment_total: str = ""
    rates: str = ""
    """The rates the standard's amounts were converted at, in words ("" when none)."""


@dataclass(frozen=True, slots=True)
class Disqualified:
    standard: str
    title: str
    rule: str
    at: str
    at_iso: str
    windows: tuple[str, ...]
    records: RefList
    line: int | None
    earliest: bool


@dataclass(frozen=True, slots=True)
class Escalated:
    """A step of an escalation ladder reached: a notice, a plan, a termination right."""

    standard: str
    title: str
    step: str
    terminates: bool
    rule: str
    at: str
    at_iso: str
    window: str
    windows: tuple[str, ...]
    records: RefList
    line: int | None
    label: str = ""
    """The window that reached the step, as an id (`2024-06`)."""


@dataclass(frozen=True, slots=True)
class Clause:
    kind: str
    text: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Note:
    """A list of records a standard flags: overdue, scope undetermined, implausible."""

    kind: str
    """`overdue`, `scope-undetermined` or `implausible`."""
    title: str
    records: RefList


@dataclass(frozen=True, slots=True)
class ErrorLine:
    ref: Ref
    standard: str
    clause: str
    reason: str


@dataclass(frozen=True, slots=True)
class StandardView:
    id: str
    title: str
    anchor: str
    line: int | None
    clauses: tuple[Clause, ...]
    has_target: bool
    target: str | None
    status: str
    summary: str
    measure: str
    """`rate`, or the measure the target is on as the contract writes it."""
    unit: str
    rows: tuple[Row, ...]
    grouped: bool
    figures: tuple[Figure, ...]
    """The whole period: the standard's figure, then each group's when grouped."""
    chart: Chart
    findings: tuple[str, ...]
    """A sentence for each missed target, and for each open window (its error budget)."""
    notes: tuple[Note, ...]
    errors: tuple[ErrorLine, ...]
    errors_total: int
    ledger: Ledger | None
    disqualifications: tuple[Disqualified, ...]
    escalations: tuple[Escalated, ...] = ()

    @property
    def evidence(self) -> tuple[Row, ...]:
        """The windows with breaches, whose records the evidence lists."""
        return tuple(row for row in self.rows if row.breaches)


@dataclass(frozen=True, slots=True)
class Rejected:
    field: str
    reason: str
    count: int
    lines: str


@dataclass(frozen=True, slots=True)
class Accounting:
    """Where one standard's records went; the parts add up to the records in the period."""

    standard: str
    in_period: int
    passed: int
    breached: int
    pending: int
    excluded: int
    exclusions: tuple[tuple[str, int], ...]
    undetermined: int
    errors: int
    out_of_scope: int

    @property
    def in_scope(self) -> int:
        return self.passed + self.breached + self.pending + self.excluded


@dataclass(frozen=True, slots=True)
class DataQuality:
    read: int
    accepted: int
    rejected: int
    merged: int
    adds_up: bool
    outside: int
    in_period: int
    rejected_summary: tuple[Rejected, ...]
    rejected_listed: int
    accounting: tuple[Accounting, ...]
    errors_total: int
    warning: str | None


@dataclass(frozen=True, slots=True)
class Input:
    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    contract_id: str
    contract_title: str
    contract_path: str
    contract_sha256: str
    provider: str
    customer: str
    payer: str
    payee: str
    currency: str
    timezone: str
    as_of: str
    as_of_iso: str
    tool_version: str
    inputs: tuple[Input, ...]
    span: str | None
    verdict: str
    verdict_text: str
    verdict_sentences: tuple[str, ...]
    warnings: tuple[str, ...]
    penalties: str
    credits: str
    owed: str
    rewards: str
    """Bonuses the customer owes the provider, apart from what the provider owes."""
    payments: str
    """What the customer owes for the records themselves (`payment:`), "" when none."""
    deferred: str
    """Penalties deferred until their open records close, "" when none."""
    rates: tuple[str, ...]
    """Each other currency's rate as the run used it: `1 SDR = 1.35 USD at 2025-03-31
    (given by --rate)`."""
    pools: tuple[tuple[str, str, str, str, str, str], ...]
    """(pool, window in words, credits, limit, adjustment, net) of every pool's windows."""
    pool_adjustment: str
    """What pool limits take off the standards' credits, in all ("" when nothing)."""
    standards: tuple[StandardView, ...]
    ledgers: tuple[Ledger, ...]
    reconciles: bool
    unrounded: tuple[str, str, str, str] | None
    """When the contract rounds only its totals: the standards' exact sums of penalties and
    credits, and what rounding adds to each (the ledger's rounding line)."""
    disqualifications: tuple[Disqualified, ...]
    escalations: tuple[Escalated, ...]
    rounding: str
    """How and where the contract rounds money, in a sentence."""
    ledger_notes: tuple[str, ...]
    """What the ledger's amounts are: who owes them, and how each kind is computed."""
    quality: DataQuality
    command: str
    evaluated: int
    """Records passed or breached, over every standard: each once, even in overlapping
    (rolling) windows."""
    list_limit: int


def build(result: Result) -> Report:
    """The whole report's view of `result`."""
    provider = printable(result.provider)
    customer = printable(result.customer)
    payer = f"{provider} (provider)" if provider else "the provider"
    payee = f"{customer} (customer)" if customer else "the customer"
    slots = _slots(result)
    standards = tuple(_standard(result, standard, slots) for standard in result.standards)
    ledgers = tuple(view.ledger for view in standards if view.ledger is not None)
    disqualifications = tuple(item for view in standards for item in view.disqualifications)
    escalations = tuple(item for view in standards for item in view.escalations)
    penalties, credits = result.penalties, result.credits
    owed = money_total((penalties, credits), result.zero)
    ledger_net = money_total((s.penalties for s in result.standards), result.zero)
    ledger_credits = money_total((*(s.credit_total for s in result.standards),
                                  *(pool.adjustment for pool in result.pools)), result.zero)
    verdict = result.verdict
    starts = [w.start for s in result.standards for w in s.windows]
    ends = [w.end for s in result.standards for w in s.windows]
    span = (f"{min(starts).date().isoformat()} to {max(ends).date().isoformat()} (end "
            "exclusive)"
            if starts else None)
    title = printable(result.contract_title or result.contract_id)
    inputs = " ".join(_shell(item.path) for item in result.inputs)
    return Report(
        title=title,
        contract_id=printable(result.contract_id),
        contract_title=title,
        contract_path=printable(result.contract_path),
        contract_sha256=result.contract_sha256,
        provider=provider,
        customer=customer,
        payer=payer,
        payee=payee,
        currency=printable(result.currency),
        timezone=printable(result.timezone),
        as_of=moment(result.as_of),
        as_of_iso=result.as_of.isoformat(),
        tool_version=result.tool_version,
        inputs=tuple(Input(printable(item.path), item.sha256 or "") for item in result.inputs),
        span=span,
        verdict=verdict.value,
        verdict_text={Verdict.COMPLIANT: "Compliant", Verdict.NON_COMPLIANT: "Non-compliant",
                      Verdict.INCONCLUSIVE: "Inconclusive"}[verdict],
        verdict_sentences=_verdict(result, _party("provider", provider),
                                   _party("customer", customer)),
        warnings=tuple(printable(item.message) for item in warnings(result)),
        penalties=money(penalties),
        credits=money(credits),
        owed=money(owed),
        rewards=money(result.rewards) if any(s.rewards for s in result.standards) else "",
        payments=money(result.payments) if any(s.payments for s in result.standards) else "",
        deferred=money(result.deferred) if any(s.deferred_total for s in result.standards)
        else "",
        rates=tuple(printable(f"{rate.text} (given by {rate.given})") for rate in result.rates),
        pool_adjustment=money(money_total((item.adjustment for item in result.pools),
                                          result.zero))
        if any(item.adjustment for item in result.pools) else "",
        pools=tuple((printable(item.pool), when(item.window), money(item.gross),
                     money(item.limit), money(item.adjustment), money(item.net))
                    for item in result.pools),
        standards=standards,
        ledgers=ledgers,
        reconciles=_round_total(result, ledger_net) == penalties
        and _round_total(result, ledger_credits) == credits,
        unrounded=None if result.total_rounding is None else (
            money(ledger_net), money(ledger_credits), money(penalties - ledger_net),
            money(credits - ledger_credits)),
        disqualifications=disqualifications,
        escalations=escalations,
        rounding=rounding_words(result.rounding, result.round_at, result.zero),
        ledger_notes=_ledger_notes(result, payer, payee),
        quality=_quality(result),
        command=printable(f"slacheck report {_shell(result.contract_path)} {inputs} "
                          f"--as-of {result.as_of.isoformat()}"),
        evaluated=sum(passed + breached for passed, breached, _, _ in
                      (standard.counts() for standard in result.standards)),
        list_limit=LIST_LIMIT,
    )


def _round_total(result: Result, amount: Decimal) -> Decimal:
    """A sum of the ledger as the result's totals are: rounded when the contract rounds
    only its totals."""
    if result.total_rounding is None:
        return amount
    return amount.quantize(result.zero, rounding=result.total_rounding)


def _shell(path: str) -> str:
    return path if re.fullmatch(r"[\w./+:=@%-]+", path) else "'" + path.replace("'", "'\\''") + "'"


# -- the verdict ----------------------------------------------------------------------


def _verdict(result: Result, payer: str, payee: str) -> tuple[str, ...]:
    """The verdict in sentences: what was missed, what is owed, and any disqualification."""
    out: list[str] = []
    verdict = result.verdict
    currency = printable(result.currency)
    if verdict is Verdict.INCONCLUSIVE:
        out.append("No record could be evaluated: no standard passed or breached a record, "
                   "so there is no evidence either way.")
        return tuple(out)
    for standard in result.standards:
        missed = [w for w in standard.windows if w.closed and w.met is False]
        if missed:
            units = Units(currency, result.zero)
            goals = {_target_words(w, units) for w in missed}
            if len(goals) == 1:
                said = (f"the {goals.pop()} target was missed in "
                        + _and([_where(w) for w in missed]))
            else:  # targets per group: each window, then each group with its own
                by_window: dict[str, list[WindowOutcome]] = {}
                for w in missed:
                    by_window.setdefault(w.label, []).append(w)
                said = "the target was missed in " + _and([
                    f"{when(label)} for " + _and([
                        f"{group_words(w.group) or 'every record'} ({_target_words(w, units)})"
                        for w in places])
                    for label, places in by_window.items()])
            out.append(f"{_named(standard)}: {said}.")
    penalties, credits = result.penalties, result.credits
    if penalties > 0 or credits > 0:
        parts = []
        if penalties > 0:
            parts.append(f"{money(penalties)} {currency} in penalties")
        if credits > 0:
            parts.append(f"{money(credits)} {currency} in service credits{_pooled(result)}")
        total = money(money_total((penalties, credits), result.zero))
        if len(parts) == 2:
            out.append(f"{_cap(payer)} owes {payee} {total} {currency}: {parts[0]} and "
                       f"{parts[1]}.")
        else:
            out.append(f"{_cap(payer)} owes {payee} {parts[0]}.")

    if result.rewards > 0:
        out.append(f"{_cap(payee)} owes {payer} {money(result.rewards)} {currency} in rewards "
                   "for met windows.")
    if any(standard.payments for standard in result.standards):
        out.append(f"{_cap(payee)} owes {payer} {money(result.payments)} {currency} in "
                   "payments for the records themselves (due breached or not, open windows "
                   "so far).")
    deferred = sum(standard.deferred_total for standard in result.standards)
    if deferred:
        out.append(f"A further {money(result.deferred)} {currency} in penalties is deferred "
                   f"until {count(deferred, 'open record')} "
                   f"{'closes' if deferred == 1 else 'close'}: overdue breaches, counted "
                   "as breaches, whose amount the contract owes only then (not in the totals).")
    for standard in result.standards:
        if standard.unpriced_windows:
            out.append(f"An amount under {standard.id} is owed for "
                       f"{_and([when(label) for label in standard.unpriced_windows])} as well, "
                       "at an amount that cannot be computed (a total of no record, or a "
                       "division by zero).")
        if standard.unpriced_total:
            number = standard.unpriced_total
            out.append(f"{count(number, 'breach')} under {standard.id} "
                       f"{'is' if number == 1 else 'are'} owed as well, at an amount the data "
                       "cannot tell (a field the penalty needs is missing).")
    found = result.disqualification
    if found is not None:
        standard = next(s for s in result.standards if s.id == found.standard)
        out.append(f"{_cap(payer)} is disqualified under {_id_title(standard)} as of "
                   f"{moment(found.at)}: {_rule(found)}; "
                   f"evidence: {refs(found.records, len(found.records)).text}.")
    for standard in result.standards:
        out.extend(_escalation_sentences(standard, payee))
    if verdict is Verdict.COMPLIANT and any(s.has_target for s in result.standards):
        out.append("Every closed window met its target, nothing is owed, and no "
                   "disqualification applies.")
    elif verdict is Verdict.COMPLIANT:
        out.append(f"No standard sets a target; {payer} owes nothing and no "
                   "disqualification applies.")
    return tuple(out)


def _pooled(result: Result) -> str:
    """What pool limits took off the credits, as the verdict adds it ("" when nothing)."""
    over = [pool for pool in result.pools if pool.adjustment]
    if not over:
        return ""
    cut = money_total((pool.gross - pool.net for pool in over), result.zero)
    names = _and(list(dict.fromkeys(printable(pool.pool) for pool in over)))
    pools = "pool's" if len({pool.pool for pool in over}) == 1 else "pools'"
    return (f", after {money(cut)} {printable(result.currency)} over the {names} {pools} "
            "limit was taken off")


def _escalation_sentences(standard: StandardResult, payee: str) -> list[str]:
    """A termination right with its date, rule and evidence; the other steps reached in one
    sentence."""
    out = []
    ends = [step for step in standard.escalations if step.terminates]
    if ends:
        first = ends[0]
        rule, windows = ladder_rule(first)
        out.append(f"{_cap(payee)} has a right to terminate under {_id_title(standard)} as "
                   f"of {moment(first.at)}: {rule} ({windows}); evidence: "
                   f"{refs(first.records, len(first.records)).text}.")
    steps = [step for step in standard.escalations if not step.terminates]
    if steps:
        said = []
        for step in steps:
            rule, windows = ladder_rule(step)
            said.append(f"{step_words(step.step)} as of {moment(step.at)}, after {rule}: "
                        f"{windows}")
        out.append(f"Escalation under {standard.id}: {'; '.join(said)}.")
    return out


def ladder_rule(step: Escalation) -> tuple[str, str]:
    """(`3 missed months within 6 months`, `February 2024, April 2024 and June 2024`): the
    rule of an escalation step without the step it reaches, and the missed windows."""
    rule = printable(step.rule).partition(":")[0].strip().removeprefix("after ")
    return rule, _and([when(label) for label in step.windows]) if step.windows else ""


def _party(role: str, name: str) -> str:
    """`the provider, Sinotrans,` or, unnamed, `the provider`."""
    return f"the {role}, {name}," if name else f"the {role}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rule(found: Disqualification) -> str:
    windows = f" ({', '.join(when(label) for label in found.windows)})" if found.windows else ""
    return found.rule + windows


def _id_title(standard: StandardResult) -> str:
    """`id (Title)`, or the id alone when the standard has no title of its own."""
    title = _title(standard)
    return f"{standard.id} ({title})" if title else standard.id


def _named(standard: StandardResult) -> str:
    """`Title (id)`, or the id alone when the standard has no title of its own."""
    title = printable(standard.title)
    return f"{title} ({standard.id})" if title and title != standard.id else standard.id


def _target_words(window: WindowOutcome, units: Units) -> str:
    """A window's target as a sentence names it: `97%` for a rate, else the measure with
    its comparison: `p95(transit) <= 72h`, `sum(shipped) / sum(ordered) >= 98%`."""
    if window.measure == "rate":
        return objective(window.target, window.unit, window.op, units) or "-"
    shown = (amount(window.target, window.unit, units) if window.unit == "money"
             else goal(window.target, window.unit)) or "-"
    return f"{printable(window.measure)} {window.op} {shown}"


def _where(window: WindowOutcome) -> str:
    words = when(window.label)
    return f"{words} ({group_words(window.group)})" if window.group else words


def _and(items: list[str]) -> str:
    """Items as a sentence lists them.

    >>> _and(["a"]), _and(["a", "b"]), _and(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- standards ------------------------------------------------------------------------


def _slots(result: Result) -> tuple[datetime, datetime, ZoneInfo] | None:
    """The span every standard's windows are laid out over, and the contract's zone: from
    the first window with records to the last, and no later than the evaluation time (a
    window that has not started yet is not due, so it is not shown as not evaluated)."""
    starts = [w.start for s in result.standards for w in s.windows]
    if not starts:
        return None
    try:
        zone = ZoneInfo(result.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    ends = [w.end for s in result.standards for w in s.windows]
    return min(starts), min(max(ends), result.as_of), zone


def _labels(standard: StandardResult,
            slots: tuple[datetime, datetime, ZoneInfo] | None) -> list[str]:
    """Every window label of the standard over the report's span, in order: its windows and
    the windows without records among them."""
    seen = list(dict.fromkeys(w.label for w in standard.windows))
    if slots is None or not seen:
        return seen
    period = period_of(seen[0])
    if period is None:
        return seen
    first, last, zone = slots
    key = key_function(period)
    keys = {key(w.start.astimezone(zone)) for w in standard.windows}
    if last > first:
        low = key(first.astimezone(zone))
        high = key((last - timedelta(microseconds=1)).astimezone(zone))
        if high - low < _MAX_SLOTS:
            keys.update(range(low, high + 1))
    labels = [window(period, item, zone).label for item in sorted(keys)]
    return labels if set(seen) <= set(labels) else seen


def _standard(result: Result, standard: StandardResult,
              slots: tuple[datetime, datetime, ZoneInfo] | None) -> StandardView:
    has_target = _has_target(standard)
    units = Units(printable(result.currency), result.zero)
    groups = list(dict.fromkeys(w.group for w in standard.windows)) or [()]
    outcomes = {(w.label, w.group): w for w in standard.windows}
    first = standard.windows[0] if standard.windows else None
    measure = first.measure if first is not None else "rate"
    unit = first.unit if first is not None else "share"
    rows: list[Row] = []
    for label in _labels(standard, slots):
        for group in groups:
            found = outcomes.get((label, group))
            rows.append(_row(found, label, group, has_target, units))
    figures = [_figure("", standard.windows, measure, standard.records)]
    if any(group for group in groups):
        figures.extend(_figure(group_text(group), [w for w in standard.windows
                                                   if w.group == group], measure,
                               None if standard.records is None else ())
                       for group in groups)
    notes = []
    if standard.overdue_open_total:
        notes.append(Note("overdue",
                          "Overdue, the awaited event still absent (counted as breaches)",
                          refs(standard.overdue_open, standard.overdue_open_total)))
    if standard.scope_undetermined_total:
        notes.append(Note("scope-undetermined",
                          "Scope undetermined: a field the `for` or `except` clause needs "
                          "is missing (in no window)",
                          refs(standard.scope_undetermined, standard.scope_undetermined_total)))
    for odd in standard.implausible:
        notes.append(Note("implausible",
                          f"Passed with {printable(odd.check)}, most likely wrong data",
                          refs(odd.records, odd.total)))
    lines = dict(reversed(standard.clause_lines))
    seen: Counter[str] = Counter()
    clauses = []
    all_lines = standard.clause_lines
    for kind, text in standard.clauses:
        index = seen[kind]
        seen[kind] += 1
        matching = [line for name, line in all_lines if name == kind]
        line = matching[index] if index < len(matching) else None
        if kind == "require" and text == "true" and line is None:
            continue  # not written: every record in scope counts
        clauses.append(Clause(kind, printable(text), line))
    return StandardView(
        id=standard.id,
        title=_title(standard),
        anchor=_anchor(standard.id),
        line=lines.get("standard"),
        clauses=tuple(clauses),
        has_target=has_target,
        target=_targets(standard, units),
        status=_status(standard, has_target),
        summary=_summary(standard, has_target),
        measure=printable(measure),
        unit=unit,
        rows=tuple(rows),
        grouped=any(group for group in groups),
        figures=tuple(figures),
        chart=_chart(standard, rows, has_target, measure, unit),
        findings=tuple(row.sentence for row in rows if row.sentence),
        notes=tuple(notes),
        errors=tuple(ErrorLine(_ref(item.record), item.standard, printable(item.clause),
                               printable(item.reason))
                     for item in standard.evaluation_errors[:LIST_LIMIT]),
        errors_total=standard.evaluation_errors_total,
        ledger=_ledger(result, standard),
        disqualifications=tuple(
            _disqualified(item, standard, index == 0 and item == result.disqualification)
            for index, item in enumerate(standard.disqualifications)
        ),
        escalations=tuple(_escalated(item, standard) for item in standard.escalations),
    )


def _has_target(standard: StandardResult) -> bool:
    """Whether the standard's windows are judged against a target: it has a `target`
    clause, or a window has a status other than `no target`."""
    return (any(kind == "target" for kind, _ in standard.clauses)
            or any(w.status != "no target" for w in standard.windows))


def _targets(standard: StandardResult, units: Units) -> str | None:
    """The standard's target as the overview shows it: `97%`, `p95(transit) <= 19h`, or
    each group's when they differ (`99% (tier key), 97% (tier suitable)`)."""
    judged = [w for w in standard.windows if w.target is not None]
    if not judged:
        return None
    goals = {_target_words(w, units): None for w in judged}
    if len(goals) == 1:
        return next(iter(goals))
    per_group = {(_target_words(w, units), group_words(w.group)): None for w in judged}
    return ", ".join(f"{text} ({group})" if group else text for text, group in per_group)


def _ref(ref: RecordRef) -> Ref:
    return Ref(printable(ref.id), ref.line, printable(ref.source))


def _status(standard: StandardResult, has_target: bool) -> str:
    if standard.disqualification is not None or standard.missed_windows:
        return "missed"
    if any(not w.closed and w.met is False for w in standard.windows):
        return "below-open"
    if not has_target:
        return "breaches" if standard.breaches else "clean"
    if any(w.status == "warned" for w in standard.windows):
        return "warned"
    if not any(w.met is not None for w in standard.windows):
        return "not-evaluated"
    return "met"


def _summary(standard: StandardResult, has_target: bool) -> str:
    parts = []
    if standard.missed_windows:
        parts.append("missed in " + _and([when(label) for label in standard.missed_windows]))
    at_risk = [w for w in standard.windows if not w.closed and w.met is False]
    if at_risk:
        parts.append("below target so far in " + _and([_where(w) for w in at_risk]))
    warned = [w for w in standard.windows if w.status == "warned"]
    if warned:
        parts.append("inside the warning band in " + _and([_where(w) for w in warned]))
    if standard.disqualification is not None:
        parts.append("disqualifying")
    if not parts:
        if has_target:
            judged = any(w.met is not None for w in standard.windows)
            parts.append("met in every evaluated window" if judged
                         else "not evaluated in any window")
        else:
            parts.append(count(standard.breaches, "breach") if standard.breaches
                         else "no breaches")
    return "; ".join(parts)


def _figure(group: str, windows: list[WindowOutcome] | tuple[WindowOutcome, ...],
            measure: str, records: tuple[int, ...] | None = None) -> Figure:
    """The figure over the period; `records` holds the standard's own counts when its
    windows overlap (a rolling window counts a record in each window that holds its day):
    (passed, breached, ...) for the standard, () for a group, whose are not kept."""
    if records == ():
        return Figure(group, 0, 0, None, None,
                      note="judged window by window (the windows overlap)")
    counts = ([(w.passed, w.breached) for w in windows] if records is None
              else [(records[0], records[1])])
    passed, breached, rate = _figures.period_rate(counts)
    if measure != "rate":
        sample = sum(w.sample for w in windows)
        return Figure(group, passed, breached, None, None,
                      note=f"judged window by window ({count(sample, 'record')} measured)")
    return Figure(group, passed, breached, _rate(rate), fraction(rate))


def _row(found: WindowOutcome | None, label: str, group: tuple[tuple[str, str], ...],
         has_target: bool, units: Units | None = None) -> Row:
    if found is None:
        return Row(label=label, words=when(label), group=group_text(group),
                   group_words=group_words(group), evaluated=False, closed=True, passed=0,
                   breached=0, pending=0, excluded=0, exclusions=(), figure=None, value=None,
                   exact=None, target=None, status="not-evaluated", sentence=None,
                   breaches=None, reason=_unevaluated(None))
    status = _window_status(found, has_target)
    return Row(
        label=label,
        words=when(label),
        group=group_text(group),
        group_words=group_words(group),
        evaluated=True,
        closed=found.closed,
        passed=found.passed,
        breached=found.breached,
        pending=found.pending,
        excluded=found.excluded,
        exclusions=tuple((printable(reason), number) for reason, number in found.exclusions),
        figure=found.value,
        value=amount(found.value, found.unit, units),
        exact=exact(found.value, found.unit),
        target=objective(found.target, found.unit, found.op, units),
        status=status,
        sentence=_sentence(found, units or Units()) if has_target else None,
        breaches=refs(found.breaches, found.breached) if found.breached else None,
        goal=found.target,
        sample=found.sample,
        reason=_unevaluated(found) if status == "not-evaluated" else None,
        warn=found.warn,
    )


def _window_status(found: WindowOutcome, has_target: bool) -> str:
    status = found.status
    if not has_target or status == "no target":
        return "breaches" if found.breached else "clean"
    if status == "no commitment" or (found.target is None and status != "not evaluated"):
        return "no-commitment"
    if status == "not evaluated" or found.met is None:
        return "not-evaluated"
    if status == "missed":
        return "missed" if found.closed else "below-open"
    if status == "warned":
        return "warned" if found.closed else "warned-open"
    return "met" if found.closed else "met-open"


def _unevaluated(found: WindowOutcome | None) -> str:
    """Why a window is neither met nor missed."""
    if found is None:
        return "no records in this window"
    if found.value is None:
        if found.measure == "rate":
            return "every record pending or excluded"
        if found.sample:
            return "nothing to measure: the denominator adds up to 0"
        return "nothing to measure: no record with a known value"
    if found.minimum is not None:
        return (f"{count(found.sample, 'record')} measured, fewer than the {found.minimum:,} "
                "the target needs")
    return (f"{count(found.sample, 'record')} measured, fewer than the target's minimum "
            "sample")


def _sentence(found: WindowOutcome, units: Units) -> str | None:
    """A missed or at-risk target, an open window's standing, or why a window with records
    was not evaluated, in words a non-engineer reads."""
    if found.target is None or found.status in ("no target", "no commitment"):
        return None
    head = _where(found)
    if found.status == "not evaluated" or found.met is None:
        return (f"{head}: not evaluated ({_unevaluated(found)}), so neither met nor "
                "missed.")
    if found.measure == "rate":
        return _rate_sentence(found, head)
    measured = printable(found.measure)
    shown = amount(found.value, found.unit, units)
    if found.unit == "share" and found.value is not None:  # a ratio of sums: its fraction
        shown = f"{shown} ({fraction(found.value)})"
    over = f" over {count(found.sample, 'record')}"
    relation = _relation(found, units)
    if found.closed:
        if found.status == "missed":
            return f"{head}: {measured} was {shown}{over}, {relation}."
        if found.status == "warned":
            return (f"{head}: {measured} was {shown}{over}, {relation}: met, but "
                    f"{_band(found, units)}, at risk.")
        return None
    standing = {"met": "met so far", "warned": "met so far, but inside the warning band",
                "missed": "not met so far"}[found.status]
    return (f"{head} (open until {moment(found.end)}): {measured} is {shown} so far{over}, "
            f"{relation} ({standing}); the window is judged when it closes.")


def _band(found: WindowOutcome, units: Units | None = None) -> str:
    """`below the 99% warning line` (a window inside the warning band), or, without the
    line, `inside the contract's warning band`."""
    if found.warn is None:
        return "inside the contract's warning band"
    line = (amount(found.warn, found.unit, units) if found.unit == "money"
            else goal(found.warn, found.unit))
    side = "below" if found.op in (">=", ">") else "above"
    return f"{side} the {line} warning line"


def _relation(found: WindowOutcome, units: Units) -> str:
    """Where a figure stands to its target: `above the 24h target`, `below the 98%
    target`, `at the 19h target, which it had to stay under`."""
    assert found.value is not None
    assert found.target is not None
    text = (amount(found.target, found.unit, units) if found.unit == "money"
            else goal(found.target, found.unit)) or ""
    phrase = (f"the {text} target" if found.unit in ("share", "seconds")
              else f"the target of {text}")
    if found.value == found.target:
        beyond = {"<": "stay under", ">": "exceed"}.get(found.op)
        return f"at {phrase}" + (f", which it had to {beyond}" if beyond else "")
    return f"{'above' if found.value > found.target else 'below'} {phrase}"


def _rate_sentence(found: WindowOutcome, head: str) -> str | None:
    """A rate's missed or at-risk window in records: by how many, or its error budget."""
    goal_value, rate = found.target, found.rate
    if goal_value is None or rate is None:
        return None
    passed, breached, counted = found.passed, found.breached, found.passed + found.breached
    shown = _rate(rate)
    goal_text = _target(goal_value)
    if found.closed:
        if found.status == "warned":
            return (f"{head}: {shown} ({passed:,} of {counted:,}) met the {goal_text} target, "
                    f"but {_band(found)}: at risk.")
        if found.met:
            return None
        short = _figures.shortfall(passed, breached, goal_value)
        if short < breached:
            which = f"{short:,} of its {count(breached, 'breach')}"
        else:
            which = {1: "its only breach", 2: "both its breaches"}.get(
                breached, f"all {breached:,} of its breaches")
        return (f"{head}: {shown} ({passed:,} of {counted:,}) met the standard, below the "
                f"{goal_text} target by {count(short, 'record')}: {which} would have had to "
                f"pass to reach {goal_text}.")
    pending = (f" {count(found.pending, 'record')} {'is' if found.pending == 1 else 'are'} "
               "still pending." if found.pending else "")
    until = f"open until {moment(found.end)}"
    if found.met:
        spare = _figures.budget(passed, breached, goal_value)
        if spare is None:
            afford = "any number of further breaches"
        else:
            afford = (f"{spare:,} more {plural(spare, 'breach')}" if spare
                      else "no further breach")
        band = (f" It is {_band(found)}: at risk." if found.status == "warned" else "")
        return (f"{head} ({until}): {shown} ({passed:,} of {counted:,}) so far; at these "
                f"counts the provider can afford {afford} and still meet the {goal_text} "
                f"target.{band}{pending}")
    needed = _figures.recovery(passed, breached, goal_value)
    if needed is None:
        back = "the target can no longer be met in this window"
    else:
        back = (f"{needed:,} more {plural(needed, 'record')} would have to pass, without "
                "another breach, to reach it")
    return (f"{head} ({until}): {shown} ({passed:,} of {counted:,}) so far, below the "
            f"{goal_text} target; {back}.{pending}")


# -- charts ---------------------------------------------------------------------------

_WIDTH, _HEIGHT = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 96, 16, 60

_SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600,
                 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400)
"""Tick steps for durations, in seconds: what a clock or a calendar counts in."""


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_step(raw: Fraction, unit: str) -> Fraction:
    """The tick step of an axis: the smallest round step at least `raw` (1, 2, 2.5 or 5
    times a power of ten; for durations, steps a clock counts in).

    >>> nice_step(Fraction(7), "number"), nice_step(Fraction(3, 100), "number")
    (Fraction(10, 1), Fraction(1, 20))
    >>> nice_step(Fraction(4 * 3600 + 1), "seconds")
    Fraction(21600, 1)
    """
    if raw <= 0:
        return Fraction(1)
    if unit == "seconds" and raw <= _SECOND_STEPS[-1]:
        return Fraction(next(step for step in _SECOND_STEPS if step >= raw))
    base = Fraction(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Fraction(1)
    while base > raw:
        base /= 10
    while base * 10 < raw:
        base *= 10
    return next(base * m for m in (Fraction(1), Fraction(2), Fraction(5, 2), Fraction(5),
                                   Fraction(10)) if base * m >= raw)


def axis(values: list[Fraction], unit: str,
         whole: bool = False) -> tuple[Fraction, Fraction, list[Fraction]]:
    """Low, high and ticks of an axis that shows every value (targets included), from 0
    unless a value is below it, in about four round steps; `whole` for counts, whose
    steps are whole numbers.

    >>> low, high, ticks = axis([Fraction(19 * 3600), Fraction(19 * 3600)], "seconds")
    >>> high / 3600, [int(t / 3600) for t in ticks]
    (Fraction(24, 1), [0, 6, 12, 18, 24])
    >>> [str(t) for t in axis([Fraction(2), Fraction(1)], "number", whole=True)[2]]
    ['0', '1', '2']
    """
    low_value = min([Fraction(0), *values])
    high_value = max([Fraction(0), *values])
    if high_value == low_value:
        high_value = low_value + (3600 if unit == "seconds" else 1)
    step = nice_step((high_value - low_value) / 4, unit)
    if whole:
        step = max(Fraction(1), Fraction(math.ceil(step)))
    low = (low_value // step) * step
    high = -((-high_value) // step) * step
    ticks = []
    tick = low
    while tick <= high:
        ticks.append(tick)
        tick += step
    return low, high, ticks


_CHAR_WIDTH = 6.8
"""About the width of a character of the charts' 12px labels, in the SVG's units."""


def slot_text(label: str, width: float) -> str:
    """A window's label under its bars: in words when they fit the slot's `width`, else
    shorter (a rolling window's days: `1-3 Mar`), else the label itself.

    >>> slot_text("2024-03-01/2024-03-03", 200), slot_text("2024-03-01/2024-03-03", 95)
    ('1 to 3 March 2024', '1-3 Mar')
    >>> slot_text("2024-02-28/2024-03-01", 95), slot_text("2025-09", 95)
    ('28 Feb-1 Mar', 'September 2025')
    """
    words = when(label)
    if len(words) * _CHAR_WIDTH <= width - 4:
        return words
    if found := re.fullmatch(r"\d{4}-(\d{2})-(\d{2})/\d{4}-(\d{2})-(\d{2})", label):
        first, last = int(found[2]), int(found[4])
        start, end = _MONTHS[int(found[1]) - 1][:3], _MONTHS[int(found[3]) - 1][:3]
        return f"{first}-{last} {end}" if start == end else f"{first} {start}-{last} {end}"
    return words if period_of(label) is Period.MONTH else label


def _chart(standard: StandardResult, rows: list[Row], has_target: bool, measure: str = "rate",
           unit: str = "share") -> Chart:
    labels = list(dict.fromkeys(row.label for row in rows))
    groups = list(dict.fromkeys(row.group for row in rows)) or [""]
    goals = list(dict.fromkeys(row.goal for row in rows if row.goal is not None))
    one_goal = goals[0] if len(goals) == 1 else None
    warns = list(dict.fromkeys(row.warn for row in rows if row.warn is not None))
    one_warn = warns[0] if len(warns) == 1 and one_goal is not None else None
    target_label = None
    if has_target and one_goal is not None:
        target_label = "target " + next(row.target or "" for row in rows if row.goal == one_goal)
    # room on the right for the target's label (12px type: about 7px a character)
    right = max(_RIGHT, 12 + 7 * len(target_label or ""))
    plot_w = _WIDTH - _LEFT - right
    plot_h = _HEIGHT - _TOP - _BOTTOM
    bottom = _TOP + plot_h
    slot_w = plot_w / max(1, len(labels))
    bar_w = min(48.0, slot_w * 0.8 / len(groups))
    figures = [row.figure for row in rows if row.figure is not None]
    upward = all(w.op in (">=", ">") for w in standard.windows)
    tick_values: list[Fraction]
    if has_target and unit == "share" and upward:
        floor_of = min([*figures, *goals], default=Fraction(0))
        low_pc = max(0, (int(floor_of * 100) - 2) // 5 * 5)
        step_pc = 5 if 100 - low_pc <= 25 else 10 if 100 - low_pc <= 50 else 20
        low, high = Fraction(low_pc, 100), Fraction(1)
        tick_values = [Fraction(t, 100) for t in range(low_pc, 101, step_pc)]
    elif has_target:
        low, high, tick_values = axis([*figures, *goals, *warns], unit,
                                      measure.startswith("count("))
    else:
        most = max([row.breached for row in rows], default=0)
        step = max(1, -(-most // 4))
        low, high = Fraction(0), Fraction(max(step * 4, 1))
        tick_values = [Fraction(t) for t in range(0, int(high) + 1, step)]

    def y_of(value: Fraction | int) -> float:
        return bottom - float((value - low) / (high - low)) * plot_h

    def tick_text(value: Fraction) -> str:
        if not has_target:
            return str(value)
        if unit == "share":
            return f"{target(value)}%"
        return "0" if value == 0 else figure(value, unit) or ""

    grouped = any(groups)
    bars: list[Bar] = []
    gaps: list[Gap] = []
    slot_texts = []
    for index, label in enumerate(labels):
        x0 = _LEFT + index * slot_w
        slot_texts.append(Slot(_num(x0 + slot_w / 2), _num(bottom + (34 if grouped else 18)),
                               slot_text(label, slot_w) if len(labels) <= 12 else label,
                               _num(x0)))
        members = [row for row in rows if row.label == label]
        start = x0 + (slot_w - bar_w * len(members)) / 2
        for position, row in enumerate(members):
            x = start + position * bar_w
            centre = x + bar_w / 2
            name = row.heading
            if not row.evaluated or (has_target and row.figure is None):
                why = row.reason or "nothing to measure"
                gaps.append(Gap(_num(centre), _num(bottom - 6), "not evaluated",
                                f"{name}: not evaluated ({why})"))
                continue
            value: Fraction | int = (row.figure if has_target and row.figure is not None
                                     else row.breached)
            top = y_of(value)
            base = y_of(max(low, min(high, Fraction(0)))) if has_target else bottom
            shown = row.value if has_target else str(row.breached)
            if not has_target:
                tip = f"{name}: {count(row.breached, 'breach')} of {row.counted:,}"
            elif measure == "rate":
                tip = (f"{name}: {row.value} ({row.passed} of {row.counted}), target "
                       f"{row.target or 'none'}, {row.status_text}")
            else:
                tip = (f"{name}: {printable(measure)} {row.value} over "
                       f"{count(row.sample, 'record')}, target {row.target or 'none'}, "
                       f"{row.status_text}")
            mark = ""
            if has_target and one_goal is None and row.goal is not None:
                mark = _num(y_of(row.goal))
            bars.append(Bar(
                x=_num(x + 1), y=_num(min(top, base)), width=_num(max(1.0, bar_w - 2)),
                height=_num(max(0.0, abs(base - top))), colour=COLOURS[row.status],
                label=(shown or "") if bar_w >= 34 else "",
                label_x=_num(centre), label_y=_num(min(top, base) - 4), title=tip,
                group=row.group_values if row.group and bar_w >= 34 else "",
                group_y=_num(bottom + 15),
                target_y=mark, target_x1=_num(x - 2) if mark else "",
                target_x2=_num(x + bar_w + 2) if mark else "",
            ))
    target_y = None if one_goal is None or target_label is None else _num(y_of(one_goal))
    band_y = band_height = band_label = ""
    if one_warn is not None and one_goal is not None and target_label is not None:
        edges = sorted((y_of(one_goal), y_of(one_warn)))
        band_y, band_height = _num(edges[0]), _num(edges[1] - edges[0])
        line = (_target(one_warn) if unit == "share" else figure(one_warn, unit)) or ""
        band_label = f"the warning band, between the target and the {line} warning line"
    kind = ("rate" if measure == "rate" else "measure") if has_target else "count"
    measured = {"rate": "rate of records that met the standard", "count": "breaches",
                "measure": printable(measure)}[kind]
    against = ""
    if target_label is not None:
        against = f" against the {target_label[len('target '):]} target"
    elif has_target and goals:
        against = " against each group's target"
    desc_parts = []
    for row in rows:
        if not row.evaluated or (has_target and row.figure is None):
            said = row.status_text
        elif has_target:
            said = f"{row.value}, {row.status_text}"
        else:
            said = count(row.breached, "breach")
        desc_parts.append(f"{row.heading}: {said}")
    statuses = list(dict.fromkeys(row.status for row in rows))
    legend = tuple((STATUS_TEXT[status], COLOURS.get(status, "#9e9e9e")) for status in statuses)
    return Chart(
        width=_WIDTH, height=_HEIGHT, left=_LEFT, right=_WIDTH - right, top=_TOP,
        bottom=bottom,
        kind=kind,
        title=f"{standard.id}: {measured} per window{against}",
        desc="; ".join(desc_parts),
        ticks=tuple(Tick(_num(y_of(t)), tick_text(t)) for t in tick_values),
        slots=tuple(slot_texts),
        bars=tuple(bars),
        gaps=tuple(gaps),
        target_y=target_y,
        target_label=target_label,
        legend=legend,
        marks=any(bar.target_y for bar in bars),
        band_y=band_y,
        band_height=band_height,
        band_label=band_label,
    )


# -- money ----------------------------------------------------------------------------


def _ledger(result: Result, standard: StandardResult) -> Ledger | None:
    clauses = dict(standard.clauses)
    has_penalty = "penalty" in clauses
    if not has_penalty and not standard.credits and not standard.rewards \
            and not standard.payments:
        return None
    zero = result.zero
    currency = printable(result.currency)
    amounts = {item.amount for item in standard.record_penalties}
    complete = standard.record_penalties_total == len(standard.record_penalties)
    each = next(iter(amounts)) if len(amounts) == 1 and complete else None
    rows = []
    groups: dict[str, list[PenaltyWindow]] = {}
    for item in standard.penalty_windows:
        adjustment = item.net - item.gross
        head, _, group = item.label.partition(" ")
        if group:
            groups.setdefault(group, []).append(item)
        added = item.gross if item.exact is None else item.exact
        if each is not None:
            sum_text = (f"{count(item.breaches, 'breach')} × {money(each)} {currency} = "  # noqa: RUF001
                        f"{money(added)} {currency}")
        elif item.breaches == 1:
            sum_text = f"1 breach, its amount {money(added)} {currency}"
        else:
            sum_text = (f"{count(item.breaches, 'breach')}, their amounts added up: "
                        f"{money(added)} {currency}")
        if item.exact is not None:  # the contract rounds each window's sum
            sum_text += (f", rounded {result.rounding.replace('_', ' ')} to "
                         f"{money(item.gross)} {currency}")
        if item.arithmetic:  # due per missed window, from its totals, or at an Nth breach
            arithmetic = f"{printable(item.arithmetic)}; net {money(item.net)} {currency}"
            if item.records:
                arithmetic += f"; breaches {refs(item.records, len(item.records)).text}"
        elif adjustment:
            arithmetic = (f"{sum_text}; capped at {money(item.cap or zero)} {currency}: "
                          f"{money(adjustment)} {currency}; net {money(item.net)} {currency}")
        else:
            arithmetic = f"{sum_text}; net {money(item.net)} {currency}"
        rows.append(PenaltyRow(
            label=item.label, words=when(head), group=printable(group),
            breaches=None if item.arithmetic else item.breaches, gross=money(item.gross),
            cap=None if item.cap is None else money(item.cap),
            adjustment=money(adjustment), net=money(item.net),
            arithmetic=arithmetic,
        ))
    gross = money_total((item.gross for item in standard.penalty_windows), zero)
    net = money_total((item.net for item in standard.penalty_windows), zero)
    adjustment = money_total((item.net - item.gross for item in standard.penalty_windows), zero)
    listed = standard.record_penalties[:LIST_LIMIT]
    records_note = ""
    total = standard.record_penalties_total
    if total > len(listed):
        records_note = refs(tuple(item.record for item in standard.record_penalties),
                            total).note
    summed = money_total((item.amount for item in standard.record_penalties), zero)
    exact = money_total((item.gross if item.exact is None else item.exact
                         for item in standard.penalty_windows), zero)
    records_sum = None  # when every record is listed: their sum, against the gross
    if complete and standard.record_penalties and summed == gross:
        records_sum = (f"The {total:,} record amounts add up to {money(summed)}, the gross "
                       "total.")
    elif complete and standard.record_penalties and summed == exact:
        records_sum = (f"The {total:,} record amounts add up to {money(summed)}, exact; each "
                       f"window's sum is rounded, to {money(gross)} in all.")
    lines = dict(reversed(standard.clause_lines))
    return Ledger(
        standard=standard.id,
        title=_title(standard),
        anchor=_anchor(standard.id),
        penalty_clause=printable("; ".join(text for kind, text in standard.clauses
                                           if kind == "penalty")) if has_penalty else None,
        penalty_line=lines.get("penalty"),
        credit_clause=printable(clauses["credit"]) if "credit" in clauses else None,
        credit_line=lines.get("credit"),
        penalties=tuple(rows),
        gross=money(gross),
        adjustment=money(adjustment),
        net=money(net),
        records=tuple(Amount(_ref(item.record), money(item.amount)) for item in listed),
        records_total=total,
        records_note=records_note,
        records_sum=records_sum,
        unpriced=refs(standard.unpriced, standard.unpriced_total)
        if standard.unpriced_total else None,
        credits=tuple((_credit_words(credit.label), money(credit.amount),
                       printable(credit.arithmetic)) for credit in standard.credits),
        credit_total=money(standard.credit_total),
        credits_computed=any(credit.arithmetic for credit in standard.credits),
        reward_clause=printable(clauses["reward"]) if "reward" in clauses else None,
        reward_line=lines.get("reward"),
        rewards=tuple((_credit_words(reward.label), money(reward.amount),
                       printable(reward.arithmetic)) for reward in standard.rewards),
        reward_total=money(standard.reward_total),
        deferred=tuple(Amount(_ref(item.record), money(item.amount))
                       for item in standard.deferred[:LIST_LIMIT]),
        deferred_total=standard.deferred_total,
        deferred_amount=money(standard.deferred_amount),
        payment_clause=printable(clauses["payment"]) if "payment" in clauses else None,
        payment_line=lines.get("payment"),
        payments=tuple((_credit_words(item.label) + ("" if item.closed else " (open: so far)"),
                        money(item.amount), printable(item.arithmetic))
                       for item in standard.payments),
        payment_total=money(standard.payment_total),
        rates="; ".join(printable(rate.text) for rate in standard.rates),
        groups=tuple((printable(group),
                      money(money_total((item.gross for item in items), zero)),
                      money(money_total((item.net - item.gross for item in items), zero)),
                      money(money_total((item.net for item in items), zero)))
                     for group, items in sorted(groups.items()))
        if len(groups) > 1 else (),
        breaches=sum(item.breaches for item in standard.penalty_windows
                     if not item.arithmetic)
        if any(not item.arithmetic for item in standard.penalty_windows) else None,
        explain=printable(f"slacheck explain {_shell(result.contract_path)} "
                          + " ".join(_shell(item.path) for item in result.inputs)
                          + f" --standard {_shell(standard.id)} --record ID --as-of "
                            f"{result.as_of.isoformat()}"),
    )


def rounding_words(mode: str, where: str, zero: Decimal) -> str:
    """Where and how the contract rounds money, as the ledger says it.

    >>> rounding_words("half_up", "window", Decimal("0.00"))[-43:]
    'due per window, is rounded half up to 0.01.'
    >>> rounding_words("half_even", "total", Decimal("0"))
    'Every amount is kept exact; only the totals are rounded half even to 1.'
    """
    exponent = zero.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    how = f"rounded {mode.replace('_', ' ')} to {quantum}"
    if where == "total":
        return f"Every amount is kept exact; only the totals are {how}."
    if where == "window":
        return (f"Each breach's amount is kept exact; each window's sum, and each amount due "
                f"per window, is {how}.")
    return (f"Each amount is {how} as it is computed: each breach's amount, and each amount "
            "due per window.")


def _ledger_notes(result: Result, payer: str, payee: str) -> tuple[str, ...]:
    currency = printable(result.currency)
    rewarded = any(standard.rewards for standard in result.standards)
    paid = any(standard.payments for standard in result.standards)
    owed = (f"Penalties and service credits are owed by {payer} to {payee}"
            + (f"; rewards by {payee} to {payer}" if rewarded else "")
            + (f"; payments for the records by {payee} to {payer}" if paid else "")
            + f", in {currency}.")
    windows = [item for standard in result.standards for item in standard.penalty_windows]
    notes = [owed]
    if any(not item.arithmetic for item in windows):
        notes.append("A penalty per breach: its gross is the sum of the breaches' amounts; a "
                     "cap lowers it to the net, which is owed.")
    if any(item.arithmetic for item in windows):
        notes.append("A penalty per missed window is computed from the window's totals, as "
                     "its arithmetic shows.")
    return tuple(notes)


def _credit_words(label: str) -> str:
    """`2025-01 office=PEK` -> `January 2025, office=PEK`."""
    head, _, rest = label.partition(" ")
    return printable(when(head) + (f", {rest}" if rest else ""))


def _title(standard: StandardResult) -> str:
    """The standard's title, or "" when it has none of its own (its id stands for it)."""
    title = printable(standard.title)
    return "" if title == standard.id else title


def _disqualified(found: Disqualification, standard: StandardResult,
                  earliest: bool) -> Disqualified:
    return Disqualified(
        standard=found.standard,
        title=_title(standard),
        rule=printable(found.rule),
        at=moment(found.at),
        at_iso=found.at.isoformat(),
        windows=tuple(when(label) for label in found.windows),
        records=refs(found.records, len(found.records)),
        line=disqualify_line(found, standard),
        earliest=earliest,
    )


def _escalated(found: Escalation, standard: StandardResult) -> Escalated:
    texts = [text for kind, text in standard.clauses if kind == "escalate"]
    lines = [line for kind, line in standard.clause_lines if kind == "escalate"]
    line = next((line for text, line in zip(texts, lines, strict=False) if text == found.rule),
                standard.line_of("escalate"))
    return Escalated(
        standard=standard.id,
        title=_title(standard),
        step=printable(step_words(found.step)),
        terminates=found.terminates,
        rule=printable(found.rule),
        at=moment(found.at),
        at_iso=found.at.isoformat(),
        window=when(found.window),
        windows=tuple(when(label) for label in found.windows),
        records=refs(found.records, len(found.records)),
        line=line,
        label=printable(found.window),
    )


def step_words(step: str) -> str:
    """An escalation step as a sentence names it, without the quotes the contract may need.

    >>> step_words('"corrective action plan"'), step_words("notice")
    ('corrective action plan', 'notice')
    """
    return step[1:-1] if len(step) > 1 and step[0] == step[-1] == '"' else step


_RULE_WORDS = (("consecutive", "consecutive"), ("breaches within", "within"),
               ("critical breach", "any breach"))
"""A disqualification's rule as stage 3 words it, and a word of the clause that says it."""


def disqualify_line(found: Disqualification, standard: StandardResult) -> int | None:
    """The contract line of the `disqualify` clause behind `found`: the clause of its kind
    when the standard lists several, else the first."""
    texts = [text for kind, text in standard.clauses if kind == "disqualify"]
    lines = [line for kind, line in standard.clause_lines if kind == "disqualify"]
    if len(texts) == len(lines):
        for said, word in _RULE_WORDS:
            if said in found.rule:
                for text, line in zip(texts, lines, strict=True):
                    if word in text:
                        return line
    return standard.line_of("disqualify")


# -- data quality ---------------------------------------------------------------------

_VALUE = re.compile(r"\s*\([^)]*\)|:\s.*$")


def reason_kind(reason: str) -> str:
    """A rejection reason without the value it names, so that reasons can be counted.

    >>> reason_kind('not an amount: "12,30"')
    'not an amount'
    >>> reason_kind('not valid JSON (expecting value at column 88): {"shipment_id": ...')
    'not valid JSON'
    >>> reason_kind("missing (null)")
    'missing'
    """
    return _VALUE.sub("", reason).strip() or reason


def _quality(result: Result) -> DataQuality:
    lines = result.lines
    groups: dict[tuple[str, str], list[int]] = {}
    for item in lines.rejections:
        key = (printable(item.field or "(the line)"), printable(reason_kind(item.reason)))
        groups.setdefault(key, []).append(item.line)
    summary = []
    for (name, reason), numbers in groups.items():
        shown = ", ".join(str(n) for n in numbers[:LIST_LIMIT])
        if len(numbers) > LIST_LIMIT:
            shown += f", and {len(numbers) - LIST_LIMIT:,} more"
        summary.append(Rejected(name, reason, len(numbers), shown))
    described = len(lines.rejections)
    if lines.causes:  # every rejected line, summed up as it was read
        summary = []
        for cause in lines.causes:
            shown = ", ".join(str(line) for _, line in cause.first)
            if cause.lines > len(cause.first):
                shown += f", and {cause.lines - len(cause.first):,} more"
            summary.append(Rejected(printable(cause.field or "(the line)"),
                                    printable(cause.cause), cause.lines, shown))
        described = lines.rejected
    in_period = lines.accepted - lines.outside
    accounting = []
    for standard in result.standards:
        windows = standard.windows
        parts = dict(zip(("passed", "breached", "pending", "excluded"), standard.counts(),
                         strict=True))
        reasons: Counter[str] = Counter()
        for w in windows if standard.records is None else ():  # rolling: overlapping counts
            for reason, number in w.exclusions:
                reasons[printable(reason)] += number
        used = (sum(parts.values()) + standard.scope_undetermined_total
                + standard.evaluation_errors_total)
        accounting.append(Accounting(
            standard=standard.id, in_period=in_period, passed=parts["passed"],
            breached=parts["breached"], pending=parts["pending"], excluded=parts["excluded"],
            exclusions=tuple(sorted(reasons.items())),
            undetermined=standard.scope_undetermined_total,
            errors=standard.evaluation_errors_total, out_of_scope=in_period - used,
        ))
    warning = None
    if lines.read and Fraction(lines.rejected, lines.read) > Fraction(1, 100):
        share = percent(Fraction(lines.rejected, lines.read))
        warning = (f"{lines.rejected:,} of {lines.read:,} lines ({share}%) were rejected; "
                   "every figure in this report leaves them out.")
    return DataQuality(
        read=lines.read,
        accepted=lines.accepted,
        rejected=lines.rejected,
        merged=lines.merged,
        adds_up=lines.adds_up,
        outside=lines.outside,
        in_period=in_period,
        rejected_summary=tuple(summary),
        rejected_listed=described,
        accounting=tuple(accounting),
        errors_total=result.evaluation_errors_total,
        warning=warning,
    )
