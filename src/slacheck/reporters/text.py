"""The text report: what a person reads in a terminal or pastes into an email."""

from __future__ import annotations

from fractions import Fraction

from slacheck.findings import (
    Disqualification,
    RecordRef,
    RejectionCause,
    Result,
    StandardResult,
    Verdict,
    WindowOutcome,
)
from slacheck.reporters._format import figure, goal, moment, percent, plural, printable

_HEAD = ("window", "group", "passed", "breached", "pending", "excluded", "rate", "target", "result")
_SHOWN = 10
_STATUS = {"met": "met", "warned": "met, warning", "not evaluated": "not evaluated",
           "no commitment": "no commitment", "no target": "-"}
_REJECTED_WARNING = Fraction(1, 100)
"""Above this share of the lines read, the report warns that the data may be wrong."""


def render(result: Result) -> str:
    """The whole report, ending in the verdict."""
    out: list[str] = []
    parties = " / ".join(part for part in (result.customer, result.provider) if part)
    out.append(f"slacheck {result.tool_version}: contract {result.contract_id}"
               + (f" ({parties})" if parties else ""))
    if result.contract_title and result.contract_title != result.contract_id:
        out.append(f"title: {result.contract_title}")
    out.append(f"as of {moment(result.as_of)}; windows in {result.timezone}; "
               f"money in {result.currency}")
    out.extend(f"rate: {rate.text} (given by {rate.given})" for rate in result.rates)
    for item in result.inputs:
        digest = f" sha256:{item.sha256[:12]}" if item.sha256 else ""
        out.append(f"data: {item.path}{digest}")
    out.extend(_lines(result))
    out.extend(_errors(result))
    for standard in result.standards:
        out.append("")
        out.extend(_standard(standard, result.currency))
    out.append("")
    out.extend(_totals(result))
    # each entry is one line: whatever the data holds, it cannot start another
    return "\n".join(printable(line) for line in out) + "\n"


def _lines(result: Result) -> list[str]:
    lines = result.lines
    head = f"lines: {lines.read} read = {lines.accepted} accepted + {lines.rejected} rejected"
    if lines.merged:
        head += f" + {lines.merged} merged into the record of an earlier line of their id"
    if not lines.adds_up:
        head += " (which does not add up)"
    if lines.outside:
        head += f" ({lines.outside} accepted records fall outside the contract period)"
    out = [head]
    if len(lines.causes) < lines.rejected:  # else each line is its own cause, listed below
        out.append("rejected lines by cause:")
        out.extend(f"  {_cause(item)}" for item in lines.causes)
    for item in lines.rejections:
        out.append(f"  {item.source}:{item.line}: {item.message}")
    hidden = lines.rejected - len(lines.rejections)
    if hidden > 0:
        out.append(f"  ... and {hidden} more rejected {plural(hidden, 'line')}")
    for warned in lines.warnings:
        out.append(f"WARNING: {warned.records} {plural(warned.records, 'record')}: "
                   f"{warned.message} (kept; first: {_places(warned.first, warned.records)})")
    for odd in lines.undeclared:
        if odd.resembles is not None:
            out.append(f"WARNING: {odd.records} {plural(odd.records, 'record')} "
                       f"{'has' if odd.records == 1 else 'have'} the field `{odd.field}`, which "
                       f"the contract does not declare and slacheck ignores; did you mean "
                       f"`{odd.resembles}`? (first at {odd.source}:{odd.line})")
    if lines.read and Fraction(lines.rejected, lines.read) > _REJECTED_WARNING:
        share = percent(Fraction(lines.rejected, lines.read))
        out.append(f"WARNING: {lines.rejected} of {lines.read} lines ({share}%) were rejected; "
                   "the figures below leave them out")
    return out


def _cause(item: RejectionCause) -> str:
    """`3 lines  at: not a valid date/time (first: a.csv:4, 9, 12)`: a cause, its count and
    its first lines, each file named once."""
    what = f"{item.field}: {item.cause}" if item.field else item.cause
    return f"{item.lines} {plural(item.lines, 'line')}  {what} (first: " \
        f"{_places(item.first, item.lines)})"


def _places(first: tuple[tuple[str, int], ...], total: int) -> str:
    """`a.csv:4, 9, b.csv:2, ...`: lines, each file named once in a row; `...` if more."""
    shown, last = [], None
    for source, line in first:
        shown.append(str(line) if source == last else f"{source}:{line}")
        last = source
    return ", ".join(shown) + (", ..." if total > len(first) else "")


def _errors(result: Result) -> list[str]:
    total = result.evaluation_errors_total
    if not total:
        return []
    out = [f"evaluation errors: {total} (records left out of one standard's counts)"]
    out.extend(f"  {item.record.source}:{item.record.line}: {item.record.id}: {item.standard} "
               f"{item.clause}: {item.reason}" for item in result.evaluation_errors)
    shown = len(result.evaluation_errors)
    if total > shown:
        out.append(f"  ... and {total - shown} more, not listed (--evidence-limit)")
    return out


def _verdict(standard: StandardResult) -> str:
    if standard.disqualification is not None:
        return "DISQUALIFYING"
    if standard.missed_windows:
        return f"MISSED in {', '.join(standard.missed_windows)}"
    if not standard.has_target:
        count = standard.breaches
        return f"{count} breach{'' if count == 1 else 'es'}" if count else "no breaches"
    open_below = [w for w in standard.windows if not w.closed and w.met is False]
    if open_below:
        return "AT RISK in open windows"
    warned = [w.label for w in standard.windows if w.status == "warned"]
    if warned:
        return f"met, inside the warning band in {', '.join(dict.fromkeys(warned))}"
    if not any(w.met is not None for w in standard.windows):
        return "not evaluated"
    return "met"


def _standard(standard: StandardResult, currency: str) -> list[str]:
    out = [f"{standard.id}: {standard.title} -- {_verdict(standard)}"]
    out.extend(f"  {kind}: {text}" for kind, text in standard.clauses)
    out.extend("  " + line for line in _table(standard.windows))
    out.append(f"  breaches: {standard.breaches}")
    if standard.rates:
        out.append("  amounts converted at " + "; ".join(rate.text for rate in standard.rates))
    for odd in standard.implausible:
        out.append(f"  WARNING: {odd.total} {plural(odd.total, 'record')} passed with "
                   f"{odd.check}, most likely wrong data: {_refs(odd.records, odd.total)}")
    if standard.scope_undetermined_total:
        count = standard.scope_undetermined_total
        out.append(f"  scope undetermined: {count} {plural(count, 'record')}: "
                   f"{_refs(standard.scope_undetermined, count)}")
    if standard.overdue_open_total:
        out.append(f"  overdue, event still awaited: "
                   f"{_refs(standard.overdue_open, standard.overdue_open_total)}")
    if standard.penalty_windows:
        parts = []
        for item in standard.penalty_windows:
            capped = f" capped to {item.net}" if item.net != item.gross else ""
            parts.append(f"{item.label} {item.gross}{capped}")
        out.append(f"  penalties: {'; '.join(parts)} -- total {standard.penalties} {currency}")
        if standard.record_penalties and all(
            item.cap is None for item in standard.penalty_windows
        ):
            for penalty in standard.record_penalties[:_SHOWN]:
                out.append(f"    {_ref(penalty.record)}: {penalty.amount} {currency}")
            rest = standard.record_penalties_total - min(_SHOWN, len(standard.record_penalties))
            if rest > 0:
                out.append(f"    ... and {rest} more")
    if standard.unpriced_total:
        count = standard.unpriced_total
        out.append(f"  WARNING: {count} {plural(count, 'breach')} {'has' if count == 1 else 'have'}"
                   " no penalty amount (owed, amount unknown): it needs a field "
                   f"{'this record lacks' if count == 1 else 'these records lack'}: "
                   f"{_refs(standard.unpriced, count)}")
    for item in standard.penalty_windows:
        if item.arithmetic:
            used = f"; breaches {_refs(item.records, len(item.records))}" if item.records else ""
            out.append(f"    {item.label}: {item.arithmetic}{used}")
    if standard.deferred_total:
        count = standard.deferred_total
        closes = "its record closes" if count == 1 else "their records close"
        out.append(f"  deferred until {closes} (not in the totals): "
                   f"{standard.deferred_amount} {currency} for {count} overdue open "
                   f"{plural(count, 'breach')}: "
                   f"{_refs(tuple(item.record for item in standard.deferred), count)}")
    for credit in standard.credits:
        out.append(f"  service credit: {credit.label} {credit.amount} {currency}")
        if credit.arithmetic:
            out.append(f"    {credit.arithmetic}")
    for payment in standard.payments:
        so_far = "" if payment.closed else "; the window is open: so far"
        out.append(f"  payment: {payment.label} {payment.amount} {currency} (owed by the "
                   f"customer{so_far})")
    for reward in standard.rewards:
        out.append(f"  reward: {reward.label} {reward.amount} {currency} (owed by the customer)")
        out.append(f"    {reward.arithmetic}")
    if standard.unpriced_windows:
        out.append(f"  WARNING: an amount is owed for {', '.join(standard.unpriced_windows)} "
                   "but cannot be computed (a total of no record, or a division by zero)")
    for step in standard.escalations:
        shown = step.step.upper() if step.terminates else step.step
        out.append(f"  escalation at {step.window}: {shown}, as of {moment(step.at)} ({step.rule});"
                   f" missed {', '.join(step.windows)}; records "
                   f"{_refs(step.records, len(step.records))}")
    if standard.disqualification is not None:
        out.append("  " + _disqualified(standard.disqualification))
        out.extend(f"    also: {item.rule} at {moment(item.at)}"
                   for item in standard.disqualifications[1:])
    return [line for line in out if line.strip()]


def _table(windows: tuple[WindowOutcome, ...]) -> list[str]:
    """The windows as aligned columns; the group column only when the target is grouped;
    the figure's column is named after the measure."""
    grouped = any(window.group for window in windows)
    measure = windows[0].measure if windows else "rate"
    head = (*_HEAD[:6], measure if len(measure) < 24 else "value", *_HEAD[7:])
    rows = [head, *(_row(window) for window in windows)]
    if not grouped:
        rows = [row[:1] + row[2:] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    first_number = 2 if grouped else 1
    return [
        "  ".join(
            cell.rjust(width) if first_number <= index < len(row) - 1 else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _row(window: WindowOutcome) -> tuple[str, ...]:
    group = ", ".join(f"{name}={value}" for name, value in window.group) or "-"
    value = figure(window.value, window.unit)
    wanted = goal(window.target, window.unit)
    if window.status == "missed":
        verdict = "missed" if window.closed else "below (open)"
    else:
        verdict = _STATUS.get(window.status, window.status)
    return (
        window.label,
        group,
        str(window.passed),
        str(window.breached),
        str(window.pending),
        str(window.excluded),
        value or "-",
        (wanted if window.op == ">=" else f"{window.op} {wanted}") if wanted else "-",
        verdict,
    )


def _totals(result: Result) -> list[str]:
    out = [f"pool {item.pool}: {item.window} credits {item.gross} {result.currency} "
           f"({', '.join(item.standards)}), at most {item.limit}"
           + (f": {item.adjustment} -> {item.net} {result.currency}" if item.adjustment else "")
           for item in result.pools]
    out += [
        f"total penalties: {result.penalties} {result.currency}",
        f"total service credits: {result.credits} {result.currency}"
        + (" (after pool limits)" if any(item.adjustment for item in result.pools) else ""),
    ]
    if any(standard.rewards for standard in result.standards):
        out.append(f"total rewards (owed by the customer): {result.rewards} {result.currency}")
    if any(standard.payments for standard in result.standards):
        out.append(f"total payments (owed by the customer): {result.payments} {result.currency}")
    if any(standard.deferred_total for standard in result.standards):
        out.append(f"total deferred until records close: {result.deferred} {result.currency}")
    if result.disqualification is not None:
        out.append(_disqualified(result.disqualification))
    verdict = result.verdict
    if verdict is Verdict.INCONCLUSIVE:
        out.append("no record could be evaluated: no standard passed or breached a record, "
                   "so there is no evidence either way")
    out.append("verdict: " + verdict.value.upper())
    return out


def _disqualified(found: Disqualification) -> str:
    windows = f" ({', '.join(found.windows)})" if found.windows else ""
    return (f"DISQUALIFIED under {found.standard} at {moment(found.at)}: {found.rule}{windows}; "
            f"records: {_refs(found.records, len(found.records))}")


def _ref(ref: RecordRef) -> str:
    return f"{ref.id} (line {ref.line})"


def _refs(refs: tuple[RecordRef, ...], total: int) -> str:
    """The first records of a list of `total`, then how many more there are in all."""
    shown = refs[:_SHOWN]
    text = ", ".join(_ref(ref) for ref in shown)
    rest = total - len(shown)
    return text + (f", and {rest} more" if rest > 0 else "")

