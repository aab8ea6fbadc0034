"""A standard's windows: where each record went, the figure's arithmetic and the status,
each checked against the run's result."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from slacheck.engine.rolling import window_ends
from slacheck.explain._wording import COMPARE, FAILURES, Unreadable, normal, reason_of
from slacheck.explain.consequences import Consequences
from slacheck.explain.reading import Bucket, ExplainError, Kept
from slacheck.findings import StandardResult, WindowOutcome
from slacheck.measures import Count, Extreme, Mean, Percentile, Rate, RatioOfSums, Sum
from slacheck.objectives import Status
from slacheck.reporters._format import figure, fraction, goal, number, printable


class Figures(Consequences):
    """The windows of one standard, as a second reading of the data counts them."""

    def figures(self, paths: list[str], found: StandardResult, window_label: str | None,
                group: str | None) -> str:
        sp = self.sp
        outcomes = {(w.label, self._group_of(w)): w for w in found.windows}
        labels = list(dict.fromkeys(w.label for w in found.windows))
        if (window_label is not None and window_label not in labels
                and sp.window.rolling is not None):
            # a rolling window by its last day: `2024-03-03` for 2024-03-01/2024-03-03
            window_label = next((label for label in labels
                                 if label.endswith("/" + window_label)), window_label)
        if window_label is not None and window_label not in labels:
            raise ExplainError(f"no window `{window_label}` under {sp.id}; its windows: "
                               + (", ".join(labels) or "none (no record in scope)"))
        groups = list(dict.fromkeys(self._group_of(w) for w in found.windows))
        if group is not None:
            wanted = normal(group)
            matching = [g for g in groups if normal(g) == wanted
                        or normal(",".join(part.partition("=")[2]
                                            for part in g.split(", "))) == wanted]
            if not matching:
                raise ExplainError(f"no group `{group}` under {sp.id}; its groups: "
                                   + (", ".join(groups) if any(groups) else "none (not "
                                      "grouped)"))
            group = matching[0]
        buckets: dict[tuple[int, Any], Bucket] = {}
        outside = 0
        for path, item in self._records(paths):
            place = self._place(item)
            if place is None:
                outside += 1
                continue
            key, value = place
            if isinstance(value, Unreadable):
                continue  # an evaluation error of this standard: in no window
            bucket = buckets.get(place)
            if bucket is None:
                bucket = buckets[place] = Bucket(key, value, measured=sp.measure.start())
            self._count(bucket, path, item)
        if sp.window.rolling is not None:
            buckets = self._rolled(buckets, sp.window.rolling)
        out = [self._header(found)]
        selected = [
            bucket for bucket in sorted(buckets.values(), key=self._order)
            if (window_label is None or self._label(bucket) == window_label)
            and (group is None or self._group_text(bucket.group) == group)
        ]
        if window_label is None and group is None:
            out.append(f"{len(found.windows)} {'window' if len(found.windows) == 1 else 'windows'}"
                       f" (records outside the contract period: {outside}); "
                       "--window W for the records behind one:")
            for bucket in selected:
                out.extend(self._brief(bucket, outcomes))
        else:
            for bucket in selected:
                out.extend(self._window(bucket, outcomes))
        out.extend(self._consequences(found, selected if window_label or group else None))
        return "\n".join(out) + "\n"

    def _rolled(self, days: dict[tuple[int, Any], Bucket],
                length: int) -> dict[tuple[int, Any], Bucket]:
        """Each rolling window's bucket, keyed by its last day: the buckets of its `length`
        days merged, for the windows the engine keeps (`engine.rolling.window_ends`)."""
        per_group: dict[Any, dict[int, Bucket]] = {}
        for (day, group), bucket in days.items():
            per_group.setdefault(group, {})[day] = bucket
        out: dict[tuple[int, Any], Bucket] = {}
        for group, found in per_group.items():
            for end in window_ends(self.plan, length, found):
                merged = Bucket(end, group, measured=self.sp.measure.start())
                for day in range(end - length + 1, end + 1):
                    part = found.get(day)
                    if part is not None:
                        merged.merge(part, self.limit, self.sp.measure)
                out[end, group] = merged
        return out

    def _group_of(self, outcome: WindowOutcome) -> str:
        return ", ".join(f"{name}={value}" for name, value in outcome.group)

    def _order(self, bucket: Bucket) -> tuple[int, str]:
        return bucket.key, self._group_text(bucket.group)

    def _count(self, bucket: Bucket, path: str, item: dict[str, Any]) -> None:
        sp, limit = self.sp, self.limit
        name = self._name(path, item)
        kind, reason = self._classify(item)
        if kind == "excluded":
            bucket.kept("excluded").add(name, limit)
            bucket.exclusions.setdefault(reason or "", Kept()).add(name, limit)
            return
        if kind == "evaluation error":
            bucket.kept(kind).add(f"{name}: {reason}", limit)
            return
        if kind != "measured":
            bucket.kept(kind).add(name, limit)
            return
        if sp.measure_value is not None:
            try:
                value = sp.measure_value(item)
            except FAILURES as error:
                bucket.kept("evaluation error").add(f"{name}: {reason_of(error)}", limit)
                return
            if value is not None:
                sp.measure.add(bucket.measured, value)
                if len(bucket.values) < limit:
                    bucket.values.append((value, name))
                if isinstance(sp.measure, Extreme):
                    best = bucket.best
                    if best is None or (value > best[0] if sp.measure.largest
                                        else value < best[0]):
                        bucket.best = (value, name)
                if isinstance(sp.measure, Count) and not isinstance(sp.measure, Sum) \
                        and value:
                    bucket.kept("counted").add(name, limit)
        outcome, overdue = self._outcome(item)
        if outcome == "evaluation error":
            bucket.kept(outcome).add(f"{name}: {overdue}", limit)
            return
        bucket.kept(outcome).add(name + (" (overdue)" if overdue else ""), limit)
        if outcome == "breached" and sp.consequences.penalty is not None:
            try:
                amount = sp.consequences.penalty.amount(item)
                amount = None if amount is None else self.plan.money.round(amount)
            except FAILURES:
                amount = None
            if len(bucket.amounts) < limit:
                bucket.amounts.append((name, amount))
            moment: datetime = item[self.plan.schema.time_field]
            local = moment.astimezone(self.plan.zone)
            cap_key = sp.consequences.penalty.cap_key
            bucket.penalty_buckets.add(cap_key(local) if cap_key is not None else bucket.key)

    def _header(self, found: StandardResult) -> str:
        title = f": {printable(found.title)}" if found.title and found.title != found.id else ""
        lines = dict(reversed(found.clause_lines))
        where = f" (contract line {lines['standard']})" if "standard" in lines else ""
        clauses = [f"standard {found.id}{title}{where}"]
        seen: dict[str, int] = {}
        for kind, text in found.clauses:
            index = seen.get(kind, 0)
            seen[kind] = index + 1
            matching = [line for name, line in found.clause_lines if name == kind]
            line = f" (line {matching[index]})" if index < len(matching) else ""
            clauses.append(f"  {kind}: {printable(text)}{line}")
        return "\n".join(clauses)

    def _counts(self, bucket: Bucket) -> dict[str, int]:
        return {kind: kept.total for kind, kept in bucket.kinds.items()}

    def _figure(self, bucket: Bucket) -> tuple[Fraction | None, int]:
        counts = self._counts(bucket)
        passed, breached = counts.get("passed", 0), counts.get("breached", 0)
        measure = self.sp.measure
        return (measure.value(bucket.measured, passed, breached),
                measure.sample(bucket.measured, passed, breached))

    def _brief(self, bucket: Bucket, outcomes: dict[tuple[str, str], WindowOutcome]) -> list[str]:
        label, group = self._label(bucket), self._group_text(bucket.group)
        counts = self._counts(bucket)
        value, sample = self._figure(bucket)
        status = self._status(bucket, value, sample)
        parts = [f"{kind} {counts[kind]}" for kind in
                 ("passed", "breached", "pending", "excluded") if counts.get(kind)]
        counted = ", ".join(parts) or "no record in scope"
        line = (f"  {label}{' ' + group if group else ''}: {counted}; "
                f"{self._measure_name()} {self._show(value) or '-'}; {status}")
        check = self._check(bucket, outcomes.get((label, group)), value, sample, status)
        return [line, *("    " + item for item in check)]

    def _window(self, bucket: Bucket, outcomes: dict[tuple[str, str], WindowOutcome]) -> list[str]:
        sp, limit = self.sp, self.limit
        label, group = self._label(bucket), self._group_text(bucket.group)
        bounds = self._bounds(bucket.key)
        out = ["", f"window {label}{', ' + group if group else ''}: records with "
               f"{self.plan.schema.time_field} from {bounds.start.isoformat()} to "
               f"{bounds.end.isoformat()} (end exclusive)"]
        if sp.window.rolling is not None:
            last = bounds.end.date() - timedelta(1)
            out.append(f"  the {sp.window.rolling} local days ending {last}"
                       f" in {self.plan.zone.key}; a record counts in every window that holds "
                       "its day")
        counts = self._counts(bucket)
        total = sum(counts.get(kind, 0) for kind in (
            "not in scope", "scope undetermined", "excluded", "evaluation error", "pending",
            "passed", "breached"))
        out.append(f"  {total} {'record' if total == 1 else 'records'} in the window")
        for kind, why in (("not in scope", "the `for` clause is false"),
                          ("scope undetermined", "a field `for` or `except` needs is absent"),
                          ("excluded", ""), ("evaluation error", "left out of the counts"),
                          ("pending", "outside both counts"), ("passed", ""),
                          ("breached", "")):
            kept = bucket.kinds.get(kind)
            if kept is None or not kept.total:
                continue
            note = f" ({why})" if why else ""
            out.append(f"  {kind}: {kept.total}{note}")
            if kind == "excluded":
                for reason, each in sorted(bucket.exclusions.items()):
                    out.append(f"    {printable(reason)}: {each.total}: {_listed(each, limit)}")
            elif kind != "not in scope":
                out.append(f"    {_listed(kept, limit)}")
        value, sample = self._figure(bucket)
        out.extend("  " + line for line in self._arithmetic(bucket, value, sample))
        status = self._status(bucket, value, sample)
        out.extend("  " + line for line in self._judgement(bucket, value, sample, status))
        check = self._check(bucket, outcomes.get((label, group)), value, sample, status)
        out.extend("  " + line for line in check or [
            "the run's result agrees: the same counts, figure, sample and status"])
        return out

    def _show(self, value: Fraction | None) -> str | None:
        shown = figure(value, self.sp.measure.unit.value)
        if shown is not None and self.sp.measure.unit.value == "money":
            shown += f" {self.currency}"
        return shown

    def _arithmetic(self, bucket: Bucket, value: Fraction | None, sample: int) -> list[str]:
        measure = self.sp.measure
        counts = self._counts(bucket)
        passed, breached = counts.get("passed", 0), counts.get("breached", 0)
        unit = measure.unit.value
        name = self._measure_name()
        if isinstance(measure, Rate):
            if not passed + breached:
                return ["rate = passed / (passed + breached): nothing counted (every record "
                        "pending or excluded), so no figure"]
            return [f"rate = passed / (passed + breached) = {passed} / ({passed} + {breached})"
                    f" = {fraction(value)} = {self._show(value)} (pending and excluded records "
                    "are outside both)"]
        values = bucket.values
        listed = ", ".join(f"{ref} {self._plain(v, unit)}" for v, ref in values)
        more = f", and {sample - len(values)} more" if sample > len(values) else ""
        if isinstance(measure, RatioOfSums):
            top = sum((v[0] for v, _ in values), Fraction(0))
            bottom = sum((v[1] for v, _ in values), Fraction(0))
            sums = f" = {number(top)} / {number(bottom)}" if sample <= len(values) else ""
            over = f"{sample} {'record' if sample == 1 else 'records'}"
            if value is None:
                return [f"{name} over {over} with both values known{sums}: the "
                        "denominator adds up to 0, so no figure"]
            return [f"{name} over {over} with both values known{sums} = "
                    f"{fraction(value)} = {self._show(value)}"]
        if sample == 0:
            return [f"{name}: no record with a known value, so no figure"]
        if isinstance(measure, Percentile):
            rank = max(1, math.ceil(measure.rank * sample))
            ordered = sorted(bucket.measured.values)
            near = ", ".join(f"#{index + 1} {self._plain(ordered[index], unit)}"
                             for index in range(max(0, rank - 2), min(sample, rank + 1)))
            return [f"{name}: nearest rank, the ceil({number(measure.rank)} x {sample}) = "
                    f"{rank}th smallest of {sample} values = {self._show(value)}",
                    f"the values ranked around it: {near}"]
        if isinstance(measure, Extreme):
            which = "largest" if measure.largest else "smallest"
            best = f" ({bucket.best[1]})" if bucket.best is not None else ""
            return [f"{name}: the {which} of {sample} values = {self._show(value)}{best}"]
        if isinstance(measure, Mean):
            total = measure.value(bucket.measured, passed, breached)
            whole = (total or Fraction(0)) * sample
            return [f"{name} = sum / count = {self._plain(whole, unit)} / {sample} = "
                    f"{self._show(value)}", f"values: {listed}{more}"]
        if isinstance(measure, Sum):
            return [f"{name}: the sum of {sample} values = {self._show(value)}",
                    f"values: {listed}{more}"]
        counted = bucket.kinds.get("counted", Kept())
        return [f"{name}: {number(value or Fraction(0))} of the {sample} records with a known "
                "value" + (f": {_listed(counted, self.limit)}" if counted.total else "")]

    def _status(self, bucket: Bucket, value: Fraction | None, sample: int) -> str:
        objective = self.sp.objective
        if objective is None:
            return "no target"
        one = self._group_text(bucket.group).partition("=")[2] \
            if len(self.sp.window.group_fields) == 1 else None
        return objective.judge(value, sample, one).value

    def _judgement(self, bucket: Bucket, value: Fraction | None, sample: int,
                   status: str) -> list[str]:
        objective = self.sp.objective
        if objective is None:
            return ["no target: the standard counts breaches, and its consequences follow "
                    "from them"]
        unit = objective.measure.unit.value
        one = self._group_text(bucket.group).partition("=")[2] \
            if len(self.sp.window.group_fields) == 1 else None
        wanted = objective.target_for(one)
        if wanted is None:
            return [f"target: none for {self._group_text(bucket.group)}: no commitment"]
        goal_text = goal(wanted, unit) or ""
        out = [f"target: {self._measure_name()} {objective.op} {goal_text}"]
        if objective.minimum is not None:
            enough = "enough" if sample >= objective.minimum else "too few: not evaluated"
            out.append(f"at least {objective.minimum} records: {sample} measured, {enough}")
        if value is not None:
            holds = COMPARE[objective.op](value, wanted)
            out.append(f"{self._show(value)} {objective.op} {goal_text}: "
                       f"{'holds' if holds else 'does not hold'}")
            if objective.warn is not None and holds:
                line = goal(objective.warn, unit)
                side = "below" if objective.op in (">=", ">") else "above"
                inside = status == Status.WARNED.value
                out.append(f"warn {side} {line}: {self._show(value)} is "
                           f"{'inside the warning band' if inside else 'clear of it'}")
        bounds = self._bounds(bucket.key)
        closes = bounds.end if self.plan.period_end is None else min(bounds.end,
                                                                     self.plan.period_end)
        open_note = "" if closes <= self.plan.as_of else (
            f" (the window is open until {closes.isoformat()}: not final)")
        out.append(f"status: {status}{open_note}")
        return out

    def _check(self, bucket: Bucket, outcome: WindowOutcome | None, value: Fraction | None,
               sample: int, status: str) -> list[str]:
        """Differences between this reading and the run's result, if any (none expected)."""
        if outcome is None:
            return ["the run has no such window: this reading differs from it"]
        counts = self._counts(bucket)
        mine = (counts.get("passed", 0), counts.get("breached", 0), counts.get("pending", 0),
                counts.get("excluded", 0), value, sample, status)
        theirs = (outcome.passed, outcome.breached, outcome.pending, outcome.excluded,
                  outcome.value, outcome.sample, outcome.status)
        if mine == theirs:
            return []
        return [f"differs from the run's result: {mine} here, {theirs} in the run"]


def _listed(kept: Kept, limit: int) -> str:
    more = kept.total - len(kept.refs)
    text = ", ".join(kept.refs)
    if more > 0:
        text += f", and {more} more (--evidence-limit {kept.total} lists them all)"
    return text
