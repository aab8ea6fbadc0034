"""What makes `verify` exit 1: `--fail-on`, a function of the `Result` alone.

The verdict (`Result.verdict`) says what a run concludes; `--fail-on` chooses which of the
findings behind it fail a CI job. By default every finding that makes a run non-compliant
fails it, so the exit code is the verdict's; `warning` adds what the reports warn about.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from slacheck._words import plural
from slacheck.findings import Result, Verdict

__all__ = ["DEFAULT", "Condition", "RunWarning", "fails", "found", "parse", "warnings"]


class Condition(Enum):
    MISSED = "missed"
    """A closed window below its target."""
    PENALTY = "penalty"
    """A penalty owed, an unpriced breach included."""
    CREDIT = "credit"
    """A service credit owed."""
    DISQUALIFICATION = "disqualification"
    ESCALATION = "escalation"
    """A step of an escalation ladder reached: a notice, a warning, a termination right."""
    WARNING = "warning"
    """Anything `warnings` lists: an open window below its target, rejected lines, records
    whose scope is undetermined, evaluation errors, implausible data."""


DEFAULT = frozenset(Condition) - {Condition.WARNING}
"""Everything that makes a run non-compliant: the exit code is then the verdict's."""


@dataclass(frozen=True, slots=True)
class RunWarning:
    """Something a report warns about without it changing the verdict."""

    kind: str
    """`at-risk`, `rejected-lines`, `scope-undetermined`, `evaluation-errors`, `implausible`."""
    standard: str | None
    message: str


def warnings(result: Result) -> tuple[RunWarning, ...]:
    """What the run warns about, in report order: data first, then each standard's."""
    out: list[RunWarning] = []
    lines = result.lines
    if lines.rejected:
        out.append(RunWarning("rejected-lines", None,
                           f"{lines.rejected:,} of {lines.read:,} {plural(lines.read, 'line')} "
                           "rejected; the figures leave them out"))
    for standard in result.standards:
        for window in standard.windows:
            if not window.closed and window.met is False:
                group = ", ".join(f"{name}={value}" for name, value in window.group)
                where = f"{window.label} {group}".strip()
                out.append(RunWarning("at-risk", standard.id,
                                   f"{standard.id}: {where} is below its target so far "
                                   "(the window is still open)"))
        if standard.scope_undetermined_total:
            count = standard.scope_undetermined_total
            out.append(RunWarning("scope-undetermined", standard.id,
                               f"{standard.id}: {count:,} {plural(count, 'record')} of "
                               "undetermined scope"))
        if standard.evaluation_errors_total:
            count = standard.evaluation_errors_total
            out.append(RunWarning("evaluation-errors", standard.id,
                               f"{standard.id}: {count:,} {plural(count, 'record')} could not "
                               "be evaluated"))
        for odd in standard.implausible:
            out.append(RunWarning("implausible", standard.id,
                               f"{standard.id}: {odd.total:,} {plural(odd.total, 'record')} "
                               f"passed with {odd.check}"))
    return tuple(out)


def found(result: Result) -> frozenset[Condition]:
    """Every condition the result shows."""
    out = set()
    if any(standard.missed_windows for standard in result.standards):
        out.add(Condition.MISSED)
    if result.penalties > 0 or any(standard.unpriced_total for standard in result.standards):
        out.add(Condition.PENALTY)
    if result.credits > 0:
        out.add(Condition.CREDIT)
    if result.disqualification is not None:
        out.add(Condition.DISQUALIFICATION)
    if any(standard.escalations for standard in result.standards):
        out.add(Condition.ESCALATION)
    if warnings(result):
        out.add(Condition.WARNING)
    return frozenset(out)


def fails(result: Result, fail_on: frozenset[Condition] = DEFAULT) -> Verdict:
    """The verdict the exit code reports under `fail_on`: NON_COMPLIANT when the result
    shows one of its conditions, INCONCLUSIVE (whatever `fail_on`) when no record was
    evaluated and nothing was found, else COMPLIANT. With `DEFAULT` it is `result.verdict`.
    """
    verdict = result.verdict
    if verdict is Verdict.INCONCLUSIVE:
        return verdict
    return Verdict.NON_COMPLIANT if found(result) & fail_on else Verdict.COMPLIANT


def parse(text: str) -> frozenset[Condition]:
    """`missed,penalty`, `all` (every condition, warnings too) or `none`.

    >>> sorted(item.value for item in parse("penalty, missed"))
    ['missed', 'penalty']
    """
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if names == ["none"]:
        return frozenset()
    if names == ["all"]:
        return frozenset(Condition)
    known = {item.value: item for item in Condition}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise ValueError(f"`{text}` is not a list of {', '.join(known)} (or all, or none)")
    return frozenset(known[name] for name in names)
