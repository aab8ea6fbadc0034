"""What a clause means, in plain words: for whoever reads a contract in an editor and wants
to know, before any record is read, what a clause will count as a pass, a breach or pending.

The words follow the clause language's rules as the README states them (deadlines,
three-valued logic, windows, targets, consequences); names are shown as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from slacheck import ast
from slacheck._words import ordinal
from slacheck.fmt import expr as spelled
from slacheck.fmt import percent

_UNITS = {"ms": "millisecond", "s": "second", "min": "minute", "h": "hour", "d": "day",
          "w": "week"}
_PERIODS = {ast.Period.DAY: "calendar day", ast.Period.WEEK: "ISO week (Monday to Sunday)",
            ast.Period.MONTH: "calendar month", ast.Period.QUARTER: "calendar quarter",
            ast.Period.YEAR: "calendar year"}
_AT = {ast.CmpOp.GE: "at least", ast.CmpOp.GT: "more than", ast.CmpOp.LE: "at most",
       ast.CmpOp.LT: "less than", ast.CmpOp.EQ: "exactly", ast.CmpOp.NE: "other than"}
_IS = {ast.CmpOp.GE: "is at least", ast.CmpOp.GT: "is more than", ast.CmpOp.LE: "is at most",
       ast.CmpOp.LT: "is less than", ast.CmpOp.EQ: "is", ast.CmpOp.NE: "is not"}


def describe(kind: str, node: ast.Node, *, optional: Mapping[str, str] | None = None,
             scope: str | None = None) -> str:
    """The meaning of a parsed clause of `kind` (`require`, `for`, `except`, `target`,
    `window`, `penalty`, `credit`, `disqualify`, `derived`, `parameter`); `optional`
    gives the type of each optional field without a default, `scope` is the standard's
    `for` text.

    >>> from slacheck._source import Source
    >>> from slacheck.parser import parse
    >>> describe("target", parse(Source("97% per month by office"), "target"))
    ... # doctest: +ELLIPSIS
    'met when at least 97% of the records in scope pass, per calendar month, by office; ...'
    """
    optional = optional or {}
    match kind, node:
        case "require", ast.Within():
            return _deadline(node)
        case "require", _:
            text = f"a record passes when {condition(node)}; otherwise it is a breach"
            return text + _pending(node, optional)
        case "for", _:
            return (f"the standard applies to records where {condition(node)}; others are "
                    f"not in scope" + _pending(node, optional, "its scope is undetermined"))
        case "except", _:
            return (f"records where {condition(node)} are excluded: counted in no figure, "
                    f"with the reason kept" + _pending(node, optional, "it is not excluded"))
        case "derived", _:
            return f"computed for each record: {spelled(node)}"
        case "parameter", _:
            return f"a constant of the contract: {spelled(node)}"
        case _, ast.Target():
            return _target(node, scope)
        case _, ast.Window():
            return f"records are counted together {window(node)}"
        case _, ast.Penalty():
            return _penalty(node)
        case _, ast.Strike(amount=amount, count=count, within=within):
            return (f"{amount_words(amount)} falls due at a breach that is the "
                    f"{ordinal(count)} within {duration(within)} (that breach included); "
                    "each breach counts towards one such amount only, then the count starts "
                    "again")
        case _, ast.Payment(amount=amount):
            return (f"the customer owes {amount_words(amount)} for every record in scope and "
                    "not excluded, breached or not, once its amount is known; summed per "
                    "window, and never a cause of non-compliance")
        case _, ast.WindowPenalty(amount=amount, period=period):
            return (f"for each missed {_PERIODS[period]} (a window closed below its target), "
                    f"a penalty of {amount_words(amount)}, totalled over the window's records")
        case _, ast.Credit(amount=amount, period=None, cap=cap):
            capped = "" if cap is None else f", at most {amount_words(cap)}"
            return (f"for a missed window, a service credit of {amount_words(amount)} for each "
                    f"whole percentage point below the target{capped}")
        case _, ast.Credit(amount=amount, period=ast.Period() as period):
            return (f"for each missed {_PERIODS[period]} (a window closed below its target), "
                    f"a service credit of {amount_words(amount)}")
        case _, ast.Reward(amount=amount, period=period):
            return (f"for each met {_PERIODS[period]}, a reward of {amount_words(amount)}, "
                    "owed by the customer")
        case _, ast.ConsecutiveMissed(count=count, period=period):
            return (f"disqualified after {count} consecutive missed {_PERIODS[period]}"
                    f"{'s' if count != 1 else ''} of the same group, when the last of them "
                    "closes")
        case _, ast.BreachesWithin(count=1):
            return "disqualified on the first breach"
        case _, ast.BreachesWithin(count=count, within=within):
            return (f"disqualified when {count} breaches fall within {duration(within)} (their "
                    "times less than that apart), at the breach that completes them")
        case _, ast.AnyBreach():
            return "disqualified on the first breach"
        case _, ast.Escalate(count=count, period=period, within=within, step=step):
            when = (f"{count} {_PERIODS[period]}s in a row are missed" if within is None
                    else f"{count} of the last {within} {_PERIODS[period]}s (this one "
                    "included) are missed")
            return (f"at each missed window where {when}: {step}, a finding without money"
                    + (" (the customer may end the contract)" if step == "termination right"
                       else ""))
    return spelled(node)


def duration(node: ast.Duration) -> str:
    """`24h` as `24 hours`, `1w` as `1 week`."""
    number = node.text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = _UNITS.get(node.text[len(number):], node.text[len(number):])
    return f"{number} {unit}{'' if Decimal(number) == 1 else 's'}"


def _value(node: ast.Node) -> str:
    match node:
        case ast.Ref(name=name):
            return f"`{name}`"
        case ast.Duration():
            return duration(node)
    return f"`{spelled(node)}`"


def condition(node: ast.Node) -> str:
    """A predicate in words: `` `service` is one of air_export, air_import ``."""
    match node:
        case ast.Logical(op=op, left=left, right=right):
            return f"{condition(left)} {op.value} {condition(right)}"
        case ast.Not(operand=ast.Ref() as ref):
            return f"{_value(ref)} is false"
        case ast.Not(operand=operand):
            return f"not ({condition(operand)})"
        case ast.Ref():
            return f"{_value(node)} is true"
        case ast.Compare(op=op, left=left, right=right):
            return f"{_value(left)} {_IS[op]} {_value(right)}"
        case ast.In(operand=operand, items=items, negated=negated):
            listed = ", ".join(spelled(item) for item in items)
            return f"{_value(operand)} is {'none' if negated else 'one'} of {listed}"
        case ast.Presence(operand=operand, present=present):
            return f"{_value(operand)} is {'present' if present else 'absent'}"
        case ast.Within(event=event, limit=limit, start=start):
            return f"{_value(event)} is at most {_limit(limit)} after {_value(start)}"
    return _value(node)


def _limit(node: ast.Node) -> str:
    return duration(node) if isinstance(node, ast.Duration) else _value(node)


def _deadline(node: ast.Within) -> str:
    event, limit, start = _value(node.event), _limit(node.limit), _value(node.start)
    return (f"breach when {event} is more than {limit} after {start}, or is still absent "
            f"once that deadline has passed (an overdue breach); pending until then, and "
            f"while {start} is absent (the clock has not started); exactly {limit} passes")


def _pending(node: ast.Node, optional: Mapping[str, str],
             outcome: str = "the record is pending") -> str:
    """Which optional fields leave the clause neither true nor false when absent; an absent
    timestamp is an event not yet happened, which the evaluation time may already judge."""
    presence = {id(item.operand) for item in ast.walk(node) if isinstance(item, ast.Presence)}
    read = sorted({ref.name for ref in ast.refs(node)
                   if ref.name in optional and id(ref) not in presence})
    if not read:
        return ""
    names = ", ".join(f"`{name}`" for name in read)
    unless = (" unless the evaluation time already decides it"
              if any(optional[name] == "timestamp" for name in read) else "")
    return f"; while {names} {'is' if len(read) == 1 else 'are'} absent, {outcome}{unless}"


def window(node: ast.Window) -> str:
    """`per calendar month, by office`, with the field that places records if not the
    records' time."""
    text = f"per {_PERIODS[node.period]}"
    if node.rolling is not None:
        text = (f"over the rolling {node.rolling} days ending each day, judged at each day's "
                "end")
    if node.of is not None:
        text += f" of `{node.of.name}`"
    if node.by:
        text += ", by " + ", ".join(ref.name for ref in node.by)
    return text


def _measure(measure: ast.Measure) -> str:
    if isinstance(measure, ast.Ratio):
        return f"{_measure(measure.numerator)} divided by {_measure(measure.denominator)}"
    operand = _value(measure.operand) if measure.operand is not None else None
    match measure.function:
        case "count":
            return ("the number of records" if operand is None
                    else f"the number of records for which {condition(measure.operand)}"
                    if measure.operand is not None else "")
        case "sum":
            return f"the sum of {operand}"
        case "mean":
            return f"the mean of {operand}"
        case "min":
            return f"the smallest {operand}"
        case "max":
            return f"the largest {operand}"
    rank = format(Decimal(measure.function[1:]).normalize(), "f")
    return f"the {rank}th percentile of {operand} (nearest rank)"


def _target(node: ast.Target, scope: str | None) -> str:
    records = f"the records in scope (`{scope}`)" if scope else "the records in scope"
    if node.measure is not None and node.goal is not None:
        goal = _limit(node.goal) if isinstance(node.goal, ast.Duration) else spelled(node.goal)
        head = f"met when {_measure(node.measure)} is {_AT[node.op]} {goal}, over {records}"
    elif node.tiers:
        first, *rest = node.tiers
        tiers = "".join(f", {percent(tier.rate.value)} for {tier.group}" for tier in rest)
        head = (f"met when at least {percent(first.rate.value)} of {records} pass for "
                f"{first.group}{tiers} (any other group has no commitment)")
    else:
        rate = percent(node.rate.value) if node.rate is not None else "?"
        head = f"met when at least {rate} of {records} pass"
    parts = [head]
    if node.window is not None:
        parts.append(window(node.window))
    if node.minimum is not None:
        parts.append(f"in windows of at least {node.minimum} records (fewer: not evaluated)")
    if node.warn is not None:
        side = "below" if node.warn_below else "above"
        parts.append(f"warned when met but {side} {spelled(node.warn)}")
    text = ", ".join(parts)
    if node.measure is None:
        text += "; pending and excluded records count in neither the passes nor the total"
    return text


def amount_words(node: ast.Node) -> str:
    """An amount: `1000.00 CNY`, or a record's `value`, or `10% of value`."""
    match node:
        case ast.Ref():
            return f"the record's {_value(node)}"
        case ast.Money():
            return spelled(node)
        case ast.PercentOf(percent=share, operand=operand):
            return f"{percent(share.value)} of {_value(operand)}"
    return _value(node)


def _penalty(node: ast.Penalty) -> str:
    text = f"each breach costs {amount_words(node.amount)}"
    if node.per is not None and node.delay is not None:
        counting = {"started": "for each started", "completed": "for each completed"}.get(
            node.counting, "pro rata, for each")
        text += f" {counting} {duration(node.per)} of {_value(node.delay)}"
        if node.rounded is not None:
            text += (f" ({_value(node.delay)} rounded {node.rounded[0]} to a multiple of "
                     f"{duration(node.rounded[1])} first)")
    if node.record_cap is not None:
        text += f", at most {amount_words(node.record_cap)} per breach"
    if node.cap is not None:
        period = _PERIODS[node.cap_period] if node.cap_period is not None else "window"
        over = {"contract year": "per year of the contract, counted from its start",
                "total": "over the whole contract"}.get(node.cap_over, f"in total per {period}")
        text += f", at most {amount_words(node.cap)} {over}"
    if node.deferred:
        text += ("; a breach of a record still open (its event overdue) owes it only once "
                 "the record closes: until then it is listed as deferred, outside the totals")
    return text
