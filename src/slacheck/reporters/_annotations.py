"""Findings located in files, for the formats that point at lines (SARIF, GitHub): each
missed target, breach, amount owed and disqualification at its clause's line in the
contract; each rejected line and evaluation error at its line in the data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from slacheck.findings import Result, StandardResult
from slacheck.reporters import _view, _wording
from slacheck.reporters._format import printable


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    level: str
    """SARIF's default level: `error`, `warning` or `note`."""
    text: str


RULES = (
    Rule("disqualification", "Disqualification", "error",
         "The provider is disqualified under a standard's `disqualify` rule."),
    Rule("escalation", "Escalation", "error",
         "A step of a standard's escalation ladder is reached (a notice, a plan, a "
         "termination right) after missed windows."),
    Rule("missed-target", "MissedTarget", "error",
         "A closed window's figure (its rate, or the measure the target is on) misses the "
         "standard's target."),
    Rule("penalty", "Penalty", "error", "A penalty is owed for breaches in a window."),
    Rule("unpriced-penalty", "UnpricedPenalty", "error",
         "Breaches are owed a penalty whose amount needs a field the records lack."),
    Rule("service-credit", "ServiceCredit", "error",
         "A service credit is owed for a missed window."),
    Rule("breach", "Breach", "warning",
         "Records breached a standard that has no target; any consequence is listed apart."),
    Rule("at-risk", "AtRisk", "warning",
         "An open window is below its target so far; it is not missed until it closes."),
    Rule("warning-band", "WarningBand", "warning",
         "A window meets its target, but inside the contract's warning band: at risk."),
    Rule("scope-undetermined", "ScopeUndetermined", "warning",
         "Records lack a field the `for` or `except` clause needs; they are in no window."),
    Rule("implausible", "Implausible", "warning",
         "Records passed with an event recorded before its own start: most likely wrong data."),
    Rule("evaluation-error", "EvaluationError", "warning",
         "A clause could not be evaluated on a record; it is left out of the counts."),
    Rule("rejected-line", "RejectedLine", "warning",
         "A line of the data was rejected and left out of every figure."),
)
RULE_INDEX = {rule.id: index for index, rule in enumerate(RULES)}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    level: str
    path: str
    line: int | None
    title: str
    message: str
    standard: str | None = None
    window: str | None = None
    group: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across runs: from ids, never from the message."""
        key = "\x1f".join((self.rule, self.standard or "", self.window or "", self.group or "",
                           self.path if self.standard is None else "",
                           str(self.line) if self.standard is None else ""))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def collect(result: Result) -> tuple[Finding, ...]:
    """Every located finding, the weightiest first: disqualification, missed targets,
    money, breaches, then warnings, then the data's rejected lines."""
    view = _view.build(result)
    contract = printable(result.contract_path)
    currency = view.currency
    by_id = {standard.id: standard for standard in result.standards}
    order = {rule.id: index for index, rule in enumerate(RULES)}
    out: list[Finding] = []
    for s in view.standards:
        standard = by_id[s.id]
        consequences = any(kind in ("penalty", "disqualify") for kind, _ in standard.clauses)
        named = s.id if s.title in ("", s.id) else f"{s.id} ({s.title})"
        for d in s.disqualifications:
            out.append(Finding(
                "disqualification", "error", contract, d.line,
                f"{s.id}: disqualified",
                f"{named}: the provider is disqualified as of {d.at}: {d.rule}"
                + (f" ({', '.join(d.windows)})" if d.windows else "")
                + f"; records: {d.records.text}.", s.id,
            ))
        for e in s.escalations:
            out.append(Finding(
                "escalation", "error" if e.terminates else "warning", contract, e.line,
                f"{s.id}: {e.step}",
                f"{named}: {e.step} as of {e.at}, reached when {e.window} closed: {e.rule}; "
                f"missed {', '.join(e.windows)}; records: {e.records.text}.", s.id,
                e.label))
        for row in s.rows:
            where = (row.label, row.group or None)
            if row.status == "missed":
                out.append(Finding("missed-target", "error", contract, _line(standard, "target"),
                                   f"{s.id}: target missed in {row.name}",
                                   f"{named}: {row.sentence}", s.id, *where))
            elif row.status == "below-open":
                out.append(Finding("at-risk", "warning", contract, _line(standard, "target"),
                                   f"{s.id}: below target so far in {row.name}",
                                   f"{named}: {row.sentence}", s.id, *where))
            elif row.status in ("warned", "warned-open"):
                out.append(Finding("warning-band", "warning", contract,
                                   _line(standard, "target"),
                                   f"{s.id}: inside the warning band in {row.name}",
                                   f"{named}: {row.sentence}", s.id, *where))
            elif row.status == "breaches":
                out.append(Finding(
                    "breach", "error" if consequences else "note", contract,
                    _line(standard, "require"), f"{s.id}: breaches in {row.name}",
                    f"{named}: {row.heading}: {_wording.count(row.breached, 'breach')} "
                    f"of {row.counted:,} records"
                    + (f": {row.breaches.text}" if row.breaches else "") + ".",
                    s.id, *where))
        ledger = s.ledger
        if ledger is not None:
            for p in ledger.penalties:
                if p.breaches is None or p.breaches:  # owed per breach, or per missed window
                    out.append(Finding("penalty", "error", contract, ledger.penalty_line,
                                       f"{s.id}: penalty {p.net} {currency} for {p.label}",
                                       f"{s.id}: {p.heading}: {p.arithmetic}.", s.id, p.label))
            if ledger.unpriced is not None:
                out.append(Finding(
                    "unpriced-penalty", "error", contract, ledger.penalty_line,
                    f"{s.id}: penalty owed, amount unknown",
                    f"{s.id}: {_wording.count(ledger.unpriced.total, 'breach')} owed at an amount "
                    f"the data cannot tell: {ledger.unpriced.text}.", s.id))
            for label, amount, _ in ledger.credits:
                out.append(Finding("service-credit", "error", contract, ledger.credit_line,
                                   f"{s.id}: service credit {amount} {currency}",
                                   f"{s.id}: {label}: a service credit of {amount} {currency} "
                                   "is owed for the missed target.", s.id, label))
        for note in s.notes:
            if note.kind == "overdue":
                continue  # counted as breaches, and reported with them
            kind = "for" if note.kind == "scope-undetermined" else "require"
            out.append(Finding(note.kind, "warning", contract, _line(standard, kind),
                               f"{s.id}: {note.kind.replace('-', ' ')}",
                               f"{s.id}: {note.title}: {note.records.text}.", s.id))
        for error in s.errors:
            out.append(Finding(
                "evaluation-error", "warning", error.ref.source, error.ref.line,
                f"{s.id}: evaluation error",
                f"{s.id}: record {error.ref.id}: {error.clause}: {error.reason}.", s.id))
    for item in result.lines.rejections:
        out.append(Finding("rejected-line", "warning", printable(item.source), item.line,
                           "rejected line", f"rejected: {printable(item.message)}"))
    return tuple(sorted(out, key=lambda finding: order[finding.rule]))


def _line(standard: StandardResult, kind: str) -> int | None:
    if kind == "for" and standard.line_of("for") == standard.line_of("standard"):
        return standard.line_of("except")
    return standard.line_of(kind)
