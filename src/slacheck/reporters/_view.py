"""The audit report's view model: what the HTML and Markdown reports say, built from a
`Result` alone, with every figure computed once here and every sentence worded once here.

Strings that come from the data or the contract (record ids, group values, reasons, paths)
are made printable here; the templates escape them for their format.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slacheck._money import total as money_total
from slacheck._words import plural
from slacheck.ast import Period
from slacheck.fail_on import warnings
from slacheck.findings import (
    Disqualification,
    RecordRef,
    Result,
    StandardResult,
    Verdict,
    WindowOutcome,
)
from slacheck.reporters import _figures
from slacheck.reporters._format import fraction, percent, printable, target
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
    "missed": "missed",
    "below-open": "below target (open)",
    "met-open": "met so far (open)",
    "no-data": "no data",
    "not-evaluated": "not evaluated",
    "breaches": "breaches",
    "clean": "no breaches",
}
"""Each window status, as the reports word it."""

COLOURS = {
    "met": "#2e7d32",
    "missed": "#c62828",
    "below-open": "#ef6c00",
    "met-open": "#81c784",
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
    """
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
    rate: Fraction | None
    value: str | None
    exact: str | None
    target: str | None
    status: str
    sentence: str | None
    breaches: RefList | None

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
    """`rate` (measured value against the target) or `count` (breaches per window)."""
    title: str
    desc: str
    ticks: tuple[Tick, ...]
    slots: tuple[Slot, ...]
    bars: tuple[Bar, ...]
    gaps: tuple[Gap, ...]
    target_y: str | None
    target_label: str | None
    legend: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PenaltyRow:
    label: str
    words: str
    breaches: int
    gross: str
    cap: str | None
    adjustment: str
    net: str
    arithmetic: str


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
    """The sum of the record amounts, when every one is listed: it equals `gross`."""
    unpriced: RefList | None
    credits: tuple[tuple[str, str], ...]
    credit_total: str


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
    standards: tuple[StandardView, ...]
    ledgers: tuple[Ledger, ...]
    reconciles: bool
    disqualifications: tuple[Disqualified, ...]
    quality: DataQuality
    command: str
    evaluated: int
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
    penalties, credits = result.penalties, result.credits
    owed = money_total((penalties, credits), result.zero)
    ledger_net = money_total((s.penalties for s in result.standards), result.zero)
    ledger_credits = money_total((s.credit_total for s in result.standards), result.zero)
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
        standards=standards,
        ledgers=ledgers,
        reconciles=ledger_net == penalties and ledger_credits == credits,
        disqualifications=disqualifications,
        quality=_quality(result),
        command=printable(f"slacheck report {_shell(result.contract_path)} {inputs} "
                          f"--as-of {result.as_of.isoformat()}"),
        evaluated=result.evaluated,
        list_limit=LIST_LIMIT,
    )


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
            places = _and([_where(w) for w in missed])
            goal = _target(missed[0].target)
            out.append(f"{printable(standard.title)} ({standard.id}): the {goal} target was "
                       f"missed in {places}.")
    penalties, credits = result.penalties, result.credits
    if penalties > 0 or credits > 0:
        parts = []
        if penalties > 0:
            parts.append(f"{money(penalties)} {currency} in penalties")
        if credits > 0:
            parts.append(f"{money(credits)} {currency} in service credits")
        total = money(money_total((penalties, credits), result.zero))
        if len(parts) == 2:
            out.append(f"{_cap(payer)} owes {payee} {total} {currency}: {parts[0]} and "
                       f"{parts[1]}.")
        else:
            out.append(f"{_cap(payer)} owes {payee} {parts[0]}.")

    for standard in result.standards:
        if standard.unpriced_total:
            number = standard.unpriced_total
            out.append(f"{count(number, 'breach')} under {standard.id} "
                       f"{'is' if number == 1 else 'are'} owed as well, at an amount the data "
                       "cannot tell (a field the penalty needs is missing).")
    found = result.disqualification
    if found is not None:
        title = next((s.title for s in result.standards if s.id == found.standard), "")
        out.append(f"{_cap(payer)} is disqualified under {found.standard} "
                   f"({printable(title)}) as of {moment(found.at)}: {_rule(found)}; "
                   f"evidence: {refs(found.records, len(found.records)).text}.")
    if verdict is Verdict.COMPLIANT:
        out.append("Every closed window met its target, nothing is owed, and no "
                   "disqualification applies.")
    return tuple(out)


def _party(role: str, name: str) -> str:
    """`the provider, Sinotrans,` or, unnamed, `the provider`."""
    return f"the {role}, {name}," if name else f"the {role}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rule(found: Disqualification) -> str:
    windows = f" ({', '.join(when(label) for label in found.windows)})" if found.windows else ""
    return found.rule + windows


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
    has_target = standard.has_target
    groups = list(dict.fromkeys(w.group for w in standard.windows)) or [()]
    outcomes = {(w.label, w.group): w for w in standard.windows}
    rows: list[Row] = []
    for label in _labels(standard, slots):
        for group in groups:
            found = outcomes.get((label, group))
            rows.append(_row(found, label, group, has_target, standard))
    figures = [_figure("", standard.windows)]
    if any(group for group in groups):
        figures.extend(_figure(group_text(group), [w for w in standard.windows
                                                   if w.group == group]) for group in groups)
    goal = next((w.target for w in standard.windows if w.target is not None), None)
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
        clauses.append(Clause(kind, printable(text),
                              matching[index] if index < len(matching) else None))
    return StandardView(
        id=standard.id,
        title=printable(standard.title),
        anchor=_anchor(standard.id),
        line=lines.get("standard"),
        clauses=tuple(clauses),
        has_target=has_target,
        target=_target(goal),
        status=_status(standard),
        summary=_summary(standard),
        rows=tuple(rows),
        grouped=any(group for group in groups),
        figures=tuple(figures),
        chart=_chart(standard, rows, has_target, goal),
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
    )


def _ref(ref: RecordRef) -> Ref:
    return Ref(printable(ref.id), ref.line, printable(ref.source))


def _status(standard: StandardResult) -> str:
    if standard.disqualification is not None or standard.missed_windows:
        return "missed"
    if any(not w.closed and w.met is False for w in standard.windows):
        return "below-open"
    if not standard.has_target:
        return "breaches" if standard.breaches else "clean"
    return "met"


def _summary(standard: StandardResult) -> str:
    parts = []
    if standard.missed_windows:
        parts.append("missed in " + _and([when(label) for label in standard.missed_windows]))
    at_risk = [w for w in standard.windows if not w.closed and w.met is False]
    if at_risk:
        parts.append("below target so far in " + _and([_where(w) for w in at_risk]))
    if standard.disqualification is not None:
        parts.append("disqualifying")
    if not parts:
        if standard.has_target:
            parts.append("met in every evaluated window")
        else:
            parts.append(count(standard.breaches, "breach") if standard.breaches
                         else "no breaches")
    return "; ".join(parts)


def _figure(group: str, windows: list[WindowOutcome] | tuple[WindowOutcome, ...]) -> Figure:
    passed, breached, rate = _figures.period_rate([(w.passed, w.breached) for w in windows])
    return Figure(group, passed, breached, _rate(rate), fraction(rate))


def _row(found: WindowOutcome | None, label: str, group: tuple[tuple[str, str], ...],
         has_target: bool, standard: StandardResult) -> Row:
    if found is None:
        return Row(label, when(label), group_text(group), group_words(group), False, True,
                   0, 0, 0, 0, (), None, None, None, None, "not-evaluated", None, None)
    rate = found.rate
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
        rate=rate,
        value=_rate(rate),
        exact=fraction(rate),
        target=_target(found.target),
        status=status,
        sentence=_sentence(found),
        breaches=refs(found.breaches, found.breached) if found.breached else None,
    )


def _window_status(found: WindowOutcome, has_target: bool) -> str:
    if not has_target or found.target is None:
        return "breaches" if found.breached else "clean"
    if found.met is None:
        return "no-data"
    if found.closed:
        return "met" if found.met else "missed"
    return "met-open" if found.met else "below-open"


def _sentence(found: WindowOutcome) -> str | None:
    """A missed target, or an open window's standing, in words a non-engineer reads."""
    goal = found.target
    rate = found.rate
    if goal is None or rate is None:
        return None
    head = _where(found)
    passed, breached, counted = found.passed, found.breached, found.passed + found.breached
    shown = _rate(rate)
    goal_text = _target(goal)
    if found.closed:
        if found.met:
            return None
        short = _figures.shortfall(passed, breached, goal)
        return (f"{head}: {shown} ({passed:,} of {counted:,}) met the standard, below the "
                f"{goal_text} target by {count(short, 'record')}: {short:,} of its "
                f"{count(breached, 'breach')} would have had to pass to reach {goal_text}.")
    pending = (f" {count(found.pending, 'record')} {'is' if found.pending == 1 else 'are'} "
               "still pending." if found.pending else "")
    until = f"open until {moment(found.end)}"
    if found.met:
        spare = _figures.budget(passed, breached, goal)
        if spare is None:
            afford = "any number of further breaches"
        else:
            afford = (f"{spare:,} more {plural(spare, 'breach')}" if spare
                      else "no further breach")
        return (f"{head} ({until}): {shown} ({passed:,} of {counted:,}) so far; at these "
                f"counts the provider can afford {afford} and still meet the {goal_text} "
                f"target.{pending}")
    needed = _figures.recovery(passed, breached, goal)
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


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _chart(standard: StandardResult, rows: list[Row], has_target: bool,
           goal: Fraction | None) -> Chart:
    labels = list(dict.fromkeys(row.label for row in rows))
    groups = list(dict.fromkeys(row.group for row in rows)) or [""]
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    bottom = _TOP + plot_h
    slot_w = plot_w / max(1, len(labels))
    bar_w = min(48.0, slot_w * 0.8 / len(groups))
    if has_target:
        values = [row.rate for row in rows if row.rate is not None]
        floor_of = min([*values, *([goal] if goal is not None else [])], default=Fraction(0))
        low = max(0, (int(floor_of * 100) - 2) // 5 * 5)
        high = 100
        step = 5 if high - low <= 25 else 10 if high - low <= 50 else 20
        ticks = list(range(low, high + 1, step))
    else:
        most = max([row.breached for row in rows], default=0)
        step = max(1, -(-most // 4))
        high = max(step * 4, 1)
        low = 0
        ticks = list(range(0, high + 1, step))

    def y_of(value: Fraction | int) -> float:
        number = float(value * 100) if has_target else float(value)
        return bottom - (number - low) / (high - low) * plot_h

    grouped = any(groups)
    bars: list[Bar] = []
    gaps: list[Gap] = []
    slot_texts = []
    for index, label in enumerate(labels):
        x0 = _LEFT + index * slot_w
        slot_texts.append(Slot(_num(x0 + slot_w / 2), _num(bottom + (34 if grouped else 18)),
                               when(label) if len(labels) <= 12 else label, _num(x0)))
        members = [row for row in rows if row.label == label]
        start = x0 + (slot_w - bar_w * len(members)) / 2
        for position, row in enumerate(members):
            x = start + position * bar_w
            centre = x + bar_w / 2
            name = row.heading
            if not row.evaluated or (has_target and row.rate is None):
                text = "not evaluated" if not row.evaluated else "no data"
                why = ("no records in this window" if not row.evaluated
                       else "every record pending or excluded")
                gaps.append(Gap(_num(centre), _num(bottom - 6), text, f"{name}: {text} ({why})"))
                continue
            value: Fraction | int = (row.rate if has_target and row.rate is not None
                                     else row.breached)
            top = y_of(value)
            shown = row.value if has_target else str(row.breached)
            tip = (f"{name}: {row.value} ({row.passed} of {row.counted}), target {row.target}, "
                   f"{row.status_text}" if has_target
                   else f"{name}: {count(row.breached, 'breach')} of {row.counted:,}")
            bars.append(Bar(
                x=_num(x + 1), y=_num(top), width=_num(max(1.0, bar_w - 2)),
                height=_num(max(0.0, bottom - top)), colour=COLOURS[row.status],
                label=(shown or "") if bar_w >= 34 else "",
                label_x=_num(centre), label_y=_num(top - 4), title=tip,
                group=row.group_values if row.group and bar_w >= 34 else "",
                group_y=_num(bottom + 15),
            ))
    target_y = target_label = None
    if has_target and goal is not None:
        target_y = _num(y_of(goal))
        target_label = f"target {_target(goal)}"
    kind = "rate" if has_target else "count"
    measured = "rate of records that met the standard" if has_target else "breaches"
    desc_parts = [f"{row.heading}: " + (row.status_text if not row.evaluated or
                                        (has_target and row.rate is None)
                                        else (f"{row.value}, {row.status_text}" if has_target
                                              else count(row.breached, "breach")))
                  for row in rows]
    statuses = list(dict.fromkeys(row.status for row in rows))
    legend = tuple((STATUS_TEXT[status], COLOURS.get(status, "#9e9e9e")) for status in statuses)
    return Chart(
        width=_WIDTH, height=_HEIGHT, left=_LEFT, right=_WIDTH - _RIGHT, top=_TOP,
        bottom=bottom,
        kind=kind,
        title=f"{standard.id}: {measured} per window"
              + (f" against the {_target(goal)} target" if target_label else ""),
        desc="; ".join(desc_parts),
        ticks=tuple(Tick(_num(y_of(Fraction(t, 100) if has_target else t)),
                         f"{t}%" if has_target else str(t)) for t in ticks),
        slots=tuple(slot_texts),
        bars=tuple(bars),
        gaps=tuple(gaps),
        target_y=target_y,
        target_label=target_label,
        legend=legend,
    )


# -- money ----------------------------------------------------------------------------


def _ledger(result: Result, standard: StandardResult) -> Ledger | None:
    clauses = dict(standard.clauses)
    has_penalty = "penalty" in clauses
    if not has_penalty and not standard.credits:
        return None
    zero = result.zero
    currency = printable(result.currency)
    amounts = {item.amount for item in standard.record_penalties}
    complete = standard.record_penalties_total == len(standard.record_penalties)
    each = next(iter(amounts)) if len(amounts) == 1 and complete else None
    rows = []
    for item in standard.penalty_windows:
        adjustment = item.net - item.gross
        if each is not None:
            sum_text = (f"{count(item.breaches, 'breach')} × {money(each)} {currency} = "  # noqa: RUF001
                        f"{money(item.gross)} {currency}")
        elif item.breaches == 1:
            sum_text = f"1 breach, its amount {money(item.gross)} {currency}"
        else:
            sum_text = (f"{count(item.breaches, 'breach')}, their amounts added up: "
                        f"{money(item.gross)} {currency}")
        if adjustment:
            arithmetic = (f"{sum_text}; capped at {money(item.cap or zero)} {currency}: "
                          f"{money(adjustment)} {currency}; net {money(item.net)} {currency}")
        else:
            arithmetic = f"{sum_text}; net {money(item.net)} {currency}"
        rows.append(PenaltyRow(
            label=item.label, words=when(item.label), breaches=item.breaches,
            gross=money(item.gross), cap=None if item.cap is None else money(item.cap),
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
    records_sum = (money(money_total((item.amount for item in standard.record_penalties), zero))
                   if complete and standard.record_penalties else None)
    lines = dict(reversed(standard.clause_lines))
    return Ledger(
        standard=standard.id,
        title=printable(standard.title),
        anchor=_anchor(standard.id),
        penalty_clause=printable(clauses["penalty"]) if has_penalty else None,
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
        credits=tuple((_credit_words(credit.label), money(credit.amount))
                      for credit in standard.credits),
        credit_total=money(standard.credit_total),
    )


def _credit_words(label: str) -> str:
    """`2025-01 office=PEK` -> `January 2025, office=PEK`."""
    head, _, rest = label.partition(" ")
    return printable(when(head) + (f", {rest}" if rest else ""))


def _disqualified(found: Disqualification, standard: StandardResult,
                  earliest: bool) -> Disqualified:
    return Disqualified(
        standard=found.standard,
        title=printable(standard.title),
        rule=printable(found.rule),
        at=moment(found.at),
        at_iso=found.at.isoformat(),
        windows=tuple(when(label) for label in found.windows),
        records=refs(found.records, len(found.records)),
        line=disqualify_line(found, standard),
        earliest=earliest,
    )


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
    in_period = lines.accepted - lines.outside
    accounting = []
    for standard in result.standards:
        windows = standard.windows
        parts = {
            "passed": sum(w.passed for w in windows),
            "breached": sum(w.breached for w in windows),
            "pending": sum(w.pending for w in windows),
            "excluded": sum(w.excluded for w in windows),
        }
        reasons: Counter[str] = Counter()
        for w in windows:
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
        adds_up=lines.read == lines.accepted + lines.rejected,
        outside=lines.outside,
        in_period=in_period,
        rejected_summary=tuple(summary),
        rejected_listed=len(lines.rejections),
        accounting=tuple(accounting),
        errors_total=result.evaluation_errors_total,
        warning=warning,
    )
