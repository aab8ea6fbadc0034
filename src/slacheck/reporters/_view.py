"""The audit report's view model: what the HTML and Markdown reports say, built from a
`Result` alone, with every figure computed once and every sentence worded once: the
standards in this module, the verdict and each window's standing in words in `_sentences`,
the charts in `_chart`, the ledger in `_ledger`, the data quality in `_quality`, the shared
words in `_wording`.

Strings that come from the data or the contract (record ids, group values, reasons, paths)
are made printable here; the templates escape them for their format.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slacheck._money import total as money_total
from slacheck.fail_on import warnings
from slacheck.findings import (
    Disqualification,
    Escalation,
    Result,
    StandardResult,
    Verdict,
    WindowOutcome,
)
from slacheck.reporters import _figures
from slacheck.reporters._chart import Chart
from slacheck.reporters._chart import chart as draw_chart
from slacheck.reporters._format import (
    fraction,
    printable,
)
from slacheck.reporters._ledger import Ledger, ledger, ledger_notes, rounding_words
from slacheck.reporters._quality import DataQuality, quality
from slacheck.reporters._sentences import (
    listing,
    party,
    step_words,
    target_words,
    unevaluated,
    verdict_sentences,
    where,
    window_sentence,
)
from slacheck.reporters._wording import (
    LIST_LIMIT,
    STATUS_TEXT,
    Ref,
    RefList,
    Units,
    amount,
    anchor,
    as_ref,
    count,
    exact,
    group_text,
    group_words,
    moment,
    money,
    objective,
    period_of,
    rate_text,
    refs,
    shell,
    title_of,
    when,
)
from slacheck.windows import key_function, window

_MAX_SLOTS = 400
"""Above this many windows in a standard's span, windows without records are not listed."""


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
    inputs = " ".join(shell(item.path) for item in result.inputs)
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
        verdict_sentences=verdict_sentences(result, party("provider", provider),
                                            party("customer", customer)),
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
        ledger_notes=ledger_notes(result, payer, payee),
        quality=quality(result),
        command=printable(f"slacheck report {shell(result.contract_path)} {inputs} "
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
        title=title_of(standard),
        anchor=anchor(standard.id),
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
        chart=draw_chart(standard, rows, has_target, measure, unit),
        findings=tuple(row.sentence for row in rows if row.sentence),
        notes=tuple(notes),
        errors=tuple(ErrorLine(as_ref(item.record), item.standard, printable(item.clause),
                               printable(item.reason))
                     for item in standard.evaluation_errors[:LIST_LIMIT]),
        errors_total=standard.evaluation_errors_total,
        ledger=ledger(result, standard),
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
    goals = {target_words(w, units): None for w in judged}
    if len(goals) == 1:
        return next(iter(goals))
    per_group = {(target_words(w, units), group_words(w.group)): None for w in judged}
    return ", ".join(f"{text} ({group})" if group else text for text, group in per_group)


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
        parts.append("missed in " + listing([when(label) for label in standard.missed_windows]))
    at_risk = [w for w in standard.windows if not w.closed and w.met is False]
    if at_risk:
        parts.append("below target so far in " + listing([where(w) for w in at_risk]))
    warned = [w for w in standard.windows if w.status == "warned"]
    if warned:
        parts.append("inside the warning band in " + listing([where(w) for w in warned]))
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
    return Figure(group, passed, breached, rate_text(rate), fraction(rate))


def _row(found: WindowOutcome | None, label: str, group: tuple[tuple[str, str], ...],
         has_target: bool, units: Units | None = None) -> Row:
    if found is None:
        return Row(label=label, words=when(label), group=group_text(group),
                   group_words=group_words(group), evaluated=False, closed=True, passed=0,
                   breached=0, pending=0, excluded=0, exclusions=(), figure=None, value=None,
                   exact=None, target=None, status="not-evaluated", sentence=None,
                   breaches=None, reason=unevaluated(None))
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
        sentence=window_sentence(found, units or Units()) if has_target else None,
        breaches=refs(found.breaches, found.breached) if found.breached else None,
        goal=found.target,
        sample=found.sample,
        reason=unevaluated(found) if status == "not-evaluated" else None,
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


def _disqualified(found: Disqualification, standard: StandardResult,
                  earliest: bool) -> Disqualified:
    return Disqualified(
        standard=found.standard,
        title=title_of(standard),
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
        title=title_of(standard),
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

