"""Rolling windows in stage 3: each day's window merges the day counts of its last N days.

Stage 2 counts a rolling standard's records per local day (and group), so what it keeps
grows with the days, not the records. Here each window `per rolling N days` is the N local
days ending with one day D, [D - N + 1, D + 1) in the contract's time zone, judged when D
ends. Which windows exist:

- a window holds at least one record: D lies within N - 1 days after a day with a record
  of its group (a window without records is not evaluated, as for calendar windows);
- D is not after the evaluation time's own day (that day's window is shown, still open)
  nor after the contract's last day;
- when the contract says when it took effect, a window starts on or after that day: the
  first window of a contract effective from 1 May, 30 days long, ends on 30 May, so that no
  window is judged on fewer days than the contract promises.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from slacheck.engine.state import GroupKey, Tally
from slacheck.plan import Plan, StandardPlan

Tallies = dict[tuple[int, GroupKey], Tally]


def window_ends(plan: Plan, length: int, days: Iterable[int]) -> list[int]:
    """The last days (ordinals) of the rolling windows of `length` days that exist for one
    group whose records fall on `days`, in order (the rules above)."""
    last = plan.as_of.astimezone(plan.zone).date().toordinal()
    if plan.period_end is not None:
        final = (plan.period_end - timedelta(microseconds=1)).astimezone(plan.zone).date()
        last = min(last, final.toordinal())
    first = None
    if plan.period_start is not None:
        first = plan.period_start.astimezone(plan.zone).date().toordinal() + length - 1
    ends = sorted({end for day in days for end in range(day, day + length)})
    return [end for end in ends if end <= last and (first is None or end >= first)]


def rolled(plan: Plan, sp: StandardPlan, days: dict[tuple[int, GroupKey], Tally]) -> Tallies:
    """The tallies of every rolling window of `sp`, keyed by the ordinal of its last day,
    merged from the per-day tallies `days` (left as they are)."""
    length = sp.window.rolling
    assert length is not None
    per_group: dict[GroupKey, dict[int, Tally]] = {}
    for (day, group), tally in days.items():
        per_group.setdefault(group, {})[day] = tally
    totals = tuple(total for total, _ in sp.consequences.totals)
    out: Tallies = {}
    for group, found in per_group.items():
        for end in window_ends(plan, length, found):
            merged = Tally(measured=sp.measure.start(),
                           totals=[total.start() for total in totals])
            for day in range(end - length + 1, end + 1):  # in time order: evidence too
                part = found.get(day)
                if part is not None:
                    merged.merge(part, plan.evidence_limit, sp.measure, totals)
            out[end, group] = merged
    return out
