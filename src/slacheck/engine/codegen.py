"""The stream engine's generated code: stages 1 and 2 of every standard as one function.

Per record, one generated function evaluates every standard: window keys computed once,
the plan's compiled closures called directly or their source inlined, counters bumped in
place. Breaches and other rare events go to the closures of `effects`. The source is kept
in `linecache` under a name of its own, so a traceback through it shows the line, and
`Generated.origin` maps each line back to the standard and clause it came from.
"""

from __future__ import annotations

import hashlib
import linecache
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slacheck.ast import Period
from slacheck.compiler import BREACH, OVERDUE, PENDING
from slacheck.engine.effects import (
    FAILURES,
    on_breach,
    on_failure,
    on_implausible,
    on_undetermined,
)
from slacheck.engine.state import StandardState, State, Tally
from slacheck.plan import Plan, StandardPlan
from slacheck.windows import key_function

Evaluate = Callable[[dict[str, Any], datetime, tuple[int, ...]], None]
"""The generated function: a record, its time, and the keys of its windows (`window_periods`)."""


@dataclass(frozen=True, slots=True)
class Generated:
    """The per-record function, its source, and where each of its lines came from."""

    evaluate: Evaluate
    source: str
    origins: tuple[tuple[str, str], ...]
    """Per line (0-based): the standard id and the clause (`window`, `for`, `except`,
    `require`, `measure`, `consequences`), or ("", "") for shared lines."""

    def origin(self, line: int) -> tuple[str, str]:
        """The standard and clause behind line `line` (1-based, as tracebacks count)."""
        return self.origins[line - 1] if 0 < line <= len(self.origins) else ("", "")

    def annotated(self) -> str:
        """The source with each line's standard and clause beside it, for `slacheck plan`."""
        width = max(len(line) for line in self.source.splitlines())
        return "\n".join(
            f"{line.ljust(width)}  # {standard} {clause}".rstrip(" #") if standard else line
            for line, (standard, clause) in zip(self.source.splitlines(), self.origins,
                                                 strict=True)
        ) + "\n"


def compile_evaluator(plan: Plan, state: State, path: str) -> Evaluate:
    return generate(plan, state, path).evaluate


def window_periods(plan: Plan) -> tuple[Period, ...]:
    """The periods of the windows a record's time places it in, in the order of its keys."""
    return tuple(dict.fromkeys(sp.window.period for sp in plan.standards))


def generate(plan: Plan, state: State, path: str) -> Generated:
    """Generate the per-record function of stages 1 and 2 for every standard of the plan.

    The source holds no text of the contract but field names, which the contract schema
    restricts to identifiers and which are written with `repr`; every value (limits, sets,
    closures) is bound in the namespace, never written into the code.
    """
    namespace: dict[str, Any] = {"_Tally": Tally, "_Failed": FAILURES, "_no_time": timedelta(0),
                                 "_zone": plan.zone, **plan.constants}
    periods = window_periods(plan)
    lines: list[tuple[str, str, str]] = [("", "", "def evaluate(r, moment, keys):")]
    if periods:
        names = ", ".join(f"k_{period.value}" for period in periods)
        lines.append(("", "window", f"    {names}{',' if len(periods) == 1 else ''} = keys"))
    # a standard whose window the record's time gives, not grouped, has one tally a day:
    # its slot of the day's list, kept while records come with the same keys (`Placement`
    # gives one tuple of keys for a day)
    slotted = [sp.index for sp in plan.standards
               if sp.window.group_key is None and sp.window.field is None]
    if slotted:
        namespace["_day"] = [None, []]
        lines += [("", "window", "    if keys is not _day[0]:"),
                  ("", "window", "        _day[0] = keys"),
                  ("", "window", f"        _day[1] = [None] * {len(slotted)}"),
                  ("", "window", "    _slots = _day[1]")]
    for sp in plan.standards:
        slot = slotted.index(sp.index) if sp.index in slotted else None
        body = _standard_source(sp, state.standards[sp.index], namespace, plan, path, slot)
        lines.extend((sp.id, clause, "    " + text) for clause, text in body)
    lines.append(("", "", "    return None"))
    source = "\n".join(text for _, _, text in lines) + "\n"
    filename = f"<slacheck plan {hashlib.sha1(source.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # generated from the plan above
    function: Evaluate = namespace["evaluate"]
    return Generated(function, source, tuple((s, c) for s, c, _ in lines))


def _name(sp: StandardPlan, what: str) -> str:
    """A readable, unique name for one standard's binding: `breach_1_delivery_24h`."""
    return f"{what}_{sp.index}_{re.sub(r'[^0-9A-Za-z_]', '_', sp.id)}"


Line = tuple[str, str]
"""(clause, source text) of one generated line."""


def _indent(lines: list[Line]) -> list[Line]:
    return [(clause, "    " + text) for clause, text in lines]


def _standard_source(sp: StandardPlan, st: StandardState, namespace: dict[str, Any],
                     plan: Plan, path: str, slot: int | None) -> list[Line]:
    names = {what: _name(sp, what) for what in (
        "scope", "require", "group", "tallies", "breach", "undetermined", "failed", "order",
        "start", "add", "value")}
    namespace.update({
        names["scope"]: sp.scope,
        names["require"]: sp.requirement,
        names["group"]: sp.window.group_key,
        names["tallies"]: st.tallies,
        names["breach"]: on_breach(sp, st, plan, path),
        names["undetermined"]: on_undetermined(st, plan, path),
        names["failed"]: on_failure(sp, st, plan, path),
        names["order"]: on_implausible(sp, st, plan, path),
        names["start"]: sp.measure.start,
        names["add"]: sp.measure.add,
        names["value"]: sp.measure_value,
    })
    key = f"k_{sp.window.period.value}"
    group = f"{names['group']}(r)" if sp.window.group_key is not None else "None"
    placed: list[Line] = []
    local = "moment.astimezone(_zone)"  # the local time, needed only by a breach's cap
    if sp.window.field is not None:  # its own field places the record: key it here
        key, local = "kw", "lw"
        namespace[_name(sp, "key")] = key_function(sp.window.period)
        at = "w" if sp.window.field_is_date else "w.astimezone(_zone)"
        placed = [("window", f"w = r[{sp.window.field!r}]"),
                  ("window", "if w is None:"),
                  ("window", f"    {names['undetermined']}(r)"),
                  ("window", "else:"),
                  ("window", f"    lw = {at}"),
                  ("window", f"    kw = {_name(sp, 'key')}(lw)")]
    body: list[Line] = [
        ("window", f"key = ({key}, {group})"),
        ("window", f"t = {names['tallies']}.get(key)"),
        ("window", "if t is None:"),
        ("window", f"    t = {names['tallies']}[key] = _Tally(measured={names['start']}()"
                   f"{_totals_start(sp, namespace)})"),
    ]
    if slot is not None:  # the tally of the record's day, found once for the day
        body = [("window", f"t = _slots[{slot}]"), ("window", "if t is None:"),
                *_indent(body), ("window", f"    _slots[{slot}] = t")]
    nested = _outcome_source(sp, names,
                             f"{names['breach']}(r, t, {{}}, moment, {local}, {key})",
                             f"{names['order']}(r)")
    for j in reversed(range(len(sp.consequences.totals))):  # so is each total of a consequence
        total, value = f"{_name(sp, 'total')}_{j}", f"{_name(sp, 'total_value')}_{j}"
        nested = [("consequences", f"v = {value}(r)"), ("consequences", "if v is not None:"),
                  ("consequences", f"    {total}(t.totals[{j}], v)"), *nested]
    if sp.measure_value is not None:  # every record in scope and not excluded is measured
        nested = [("measure", f"v = {names['value']}(r)"), ("measure", "if v is not None:"),
                  ("measure", f"    {names['add']}(t.measured, v)"), *nested]
    for j, (excluded, reason) in reversed(list(enumerate(sp.exclusions))):
        test, why = f"{_name(sp, 'except')}_{j}", f"{_name(sp, 'reason')}_{j}"
        namespace[test] = excluded
        namespace[why] = reason
        source = sp.inline.exclusions[j]
        nested = [
            ("except", f"x = {source}" if source else f"x = {test}(r)"),
            ("except", "if x == 1:"),
            ("except", "    t.excluded += 1"),
            ("except", f"    t.exclusions[{why}] = t.exclusions.get({why}, 0) + 1"),
            *([] if source else [("except", f"elif x == {PENDING}:"),
                                 ("except", f"    {names['undetermined']}(r)")]),
            ("except", "else:"),
            *_indent(nested),
        ]
    body += nested
    if placed:  # the window's lines run only when the record could be placed
        body = [*placed, *_indent(body)]
    if sp.scope is not None:
        if sp.inline.scope:
            body = [("for", f"if {sp.inline.scope}:"), *_indent(body)]
        else:
            body = [("for", f"x = {names['scope']}(r)"), ("for", "if x == 1:"), *_indent(body),
                    ("for", f"elif x == {PENDING}:"), ("for", f"    {names['undetermined']}(r)")]
    return [("", f"# {sp.id}"), ("", "try:"), *_indent(body),
            ("", "except _Failed as error:"), ("", f"    {names['failed']}(r, error)")]


def _totals_start(sp: StandardPlan, namespace: dict[str, Any]) -> str:
    """The `totals=` argument of a new tally, binding each total's functions by name."""
    if not sp.consequences.totals:
        return ""
    starts = []
    for j, (total, value) in enumerate(sp.consequences.totals):
        namespace[f"{_name(sp, 'total_start')}_{j}"] = total.start
        namespace[f"{_name(sp, 'total')}_{j}"] = total.add
        namespace[f"{_name(sp, 'total_value')}_{j}"] = value
        starts.append(f"{_name(sp, 'total_start')}_{j}()")
    return f", totals=[{', '.join(starts)}]"


def _outcome_source(sp: StandardPlan, names: dict[str, str], breach: str,
                    order: str) -> list[Line]:
    """Stage 1's verdict on the requirement, counted into the tally `t`; a passed deadline
    is checked for an event recorded before its own start (`order`)."""
    if sp.inline.deadline is not None:
        event, start, limit = sp.inline.deadline
        # `e <= s + limit` as `e - s <= limit`: one aware subtraction, then cheap duration
        # comparisons, so checking the event is not before its start costs nearly nothing
        lines = [
            f"s = {start}",
            "if s is None:",
            "    t.pending += 1",
            "else:",
            f"    e = {event}",
            "    if e is None:",
            f"        if _as_of - s > {limit}:",
            f"            {breach.format(OVERDUE)}",
            "        else:",
            "            t.pending += 1",
            "    else:",
            "        w = e - s",
            f"        if w <= {limit}:",
            "            t.passed += 1",
            "            if w < _no_time:",
            f"                {order}",
            "        else:",
            f"            {breach.format(BREACH)}",
        ]
    elif sp.inline.requirement is not None:
        lines = [
            f"if {sp.inline.requirement}:",
            "    t.passed += 1",
            "else:",
            f"    {breach.format(BREACH)}",
        ]
    else:
        lines = [
            f"o = {names['require']}(r)",
            "if o == 1:",
            "    t.passed += 1",
            *([f"    {order}"] if sp.event_orders else []),
            "elif o == 2:",
            "    t.pending += 1",
            "else:",
            f"    {breach.format('o')}",
        ]
    return [("require", line) for line in lines]
