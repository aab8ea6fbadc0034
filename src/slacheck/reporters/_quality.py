"""The audit report's data quality: rejected lines by field and reason, and the
reconciliation of every line read."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from slacheck.findings import (
    Result,
)
from slacheck.reporters._format import (
    percent,
    printable,
)
from slacheck.reporters._wording import (
    LIST_LIMIT,
)


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


def quality(result: Result) -> DataQuality:
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

