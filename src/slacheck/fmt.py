"""`slacheck fmt`: one canonical spelling of every clause, so that a diff shows meaning.

Only the clause strings change: each is parsed and written back from its syntax tree
(one space around operators and after commas, parentheses only where the grammar needs
them, `97%` and `per month` spelt one way, the options of a target in one order).
Everything else in the file, comments, key order, quoting, blank lines, is kept byte for
byte: the clauses are replaced where they stand, found through the positions PyYAML
gives every scalar, so no round-trip YAML library is needed (one that re-emits the whole
document, as ruamel.yaml does, keeps comments but not every spacing and quoting choice).

Formatting is checked, not trusted: the formatted text is read again, and every clause
must parse to the same tree and every other value be the same, or the file is left as it
was (`FormatError`). Formatting twice changes nothing.

A clause written over several lines (a block or folded scalar) is left as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from slacheck import ast, parser
from slacheck._source import whole_file
from slacheck._words import ordinal
from slacheck._yaml import Place, YamlPath, clause_source, compose
from slacheck.diagnostics import ContractError, Diagnostic

_STANDARD_CLAUSES = {"for": "expr", "except": "expr", "require": "expr", "target": "target",
                     "window": "window", "penalty": "penalty", "credit": "credit",
                     "reward": "reward", "payment": "payment", "escalate": "escalate",
                     "disqualify": "disqualify"}
_WORDS = frozenset({"and", "or", "not", "in", "within", "of", "true", "false",
                    "if", "then", "else"})


class FormatError(Exception):
    """The formatted text would not mean what the original does (a bug in the printer):
    the file is left as it was."""


# the printer

_IF, _OR, _AND, _NOT, _COMPARISON, _SUM, _PRODUCT, _UNARY, _ATOM = range(9)


def _level(node: ast.Node) -> int:
    match node:
        case ast.Conditional():
            return _IF
        case ast.Logical(op=ast.BoolOp.OR):
            return _OR
        case ast.Logical():
            return _AND
        case ast.Not():
            return _NOT
        case ast.Compare() | ast.In() | ast.Within() | ast.Presence():
            return _COMPARISON
        case ast.Between() | ast.InRange() | ast.WithinBusiness():
            return _COMPARISON
        case ast.Binary(op=ast.BinOp.ADD | ast.BinOp.SUB):
            return _SUM
        case ast.Binary():
            return _PRODUCT
        case ast.Neg():
            return _UNARY
    return _ATOM


def _number(value: Decimal) -> str:
    return format(value, "f")


def percent(value: Decimal) -> str:
    """`97%` for 0.97; trailing zeros dropped (`97.50%` is `97.5%`).

    >>> percent(Decimal("0.9750")), percent(Decimal("1")), percent(Decimal("0.001"))
    ('97.5%', '100%', '0.1%')
    """
    text = format((value * 100).normalize(), "f")
    return f"{text}%"


def _name(text: str) -> str:
    """An enum value or tier group: bare when it reads as a name, else quoted."""
    if text.isidentifier() and text.isascii() and text not in _WORDS:
        return text
    return f'"{text}"' if '"' not in text else f"'{text}'"


def expr(node: ast.Node, needs: int = _IF) -> str:
    """An expression in canonical spelling, in parentheses if it binds less than `needs`."""
    text = _expr(node)
    return f"({text})" if _level(node) < needs else text


def _expr(node: ast.Node) -> str:
    match node:
        case ast.Logical(op=op, left=left, right=right):
            level = _level(node)
            return f"{expr(left, level)} {op.value} {expr(right, level + 1)}"
        case ast.Not(operand=operand):
            return f"not {expr(operand, _NOT)}"
        case ast.Compare(op=op, left=left, right=right):
            return f"{expr(left, _SUM)} {op.value} {expr(right, _SUM)}"
        case ast.In(operand=operand, items=items, negated=negated):
            listed = ", ".join(expr(item) for item in items)
            return f"{expr(operand, _SUM)} {'not in' if negated else 'in'} [{listed}]"
        case ast.Within(event=event, limit=limit, start=start):
            # `within 1% of x` would read as `within (1% of x)`: a limit that ends in a
            # percentage is put in parentheses
            bound = f"({_expr(limit)})" if _ends_in_percent(limit) else expr(limit, _SUM)
            return f"{expr(event, _SUM)} within {bound} of {expr(start, _SUM)}"
        case ast.Presence(operand=operand, present=present):
            return f"{expr(operand, _SUM)} is {'present' if present else 'absent'}"
        case ast.Binary(op=op, left=left, right=right):
            level = _level(node)
            return f"{expr(left, level)} {op.value} {expr(right, level + 1)}"
        case ast.Neg(operand=operand):
            return f"-{expr(operand, _UNARY)}"
        case ast.PercentOf(percent=share, operand=operand):
            return f"{percent(share.value)} of {expr(operand, _UNARY)}"
        case ast.Percent(value=value):
            return percent(value)
        case ast.Number(value=value):
            return _number(value)
        case ast.Money(amount=amount, currency=currency):
            return f"{_number(amount)} {currency}"
        case ast.Duration(text=text):
            return text
        case ast.String(value=value):
            return f'"{value}"' if '"' not in value else f"'{value}'"
        case ast.Bool(value=value):
            return "true" if value else "false"
        case ast.Ref(name=name):
            return name
        case ast.Aggregate(function=function, operand=operand):
            return f"{function}({'' if operand is None else expr(operand)})"
        case ast.Call(function=function, args=args):
            return f"{function}({', '.join(expr(arg) for arg in args)})"
        case ast.Conditional(condition=condition, then=then, otherwise=otherwise):
            return f"if {expr(condition)} then {expr(then)} else {expr(otherwise)}"
        case ast.Lookup(table=table, key=key, at=at):
            when = f" at {expr(at, _SUM)}" if at is not None else ""
            return f"{table}[{expr(key)}{when}]"
        case ast.Date() | ast.Timestamp() | ast.CalendarDuration() | ast.Between() | \
                ast.InRange() | ast.WithinBusiness():
            return _time(node)
    raise FormatError(f"no canonical spelling of {type(node).__name__}")


def _time(node: ast.Node) -> str:
    """Dates, timestamps (as written: the offset is part of what the contract says),
    calendar durations and the comparisons that use them."""
    match node:
        case ast.Date(value=value):
            return value.isoformat()
        case ast.Timestamp(text=text):
            return text
        case ast.CalendarDuration(count=count, unit=unit):
            return f"{count} {unit}{'s' if count != 1 else ''}"
        case ast.Between(operand=operand, low=low, high=high):
            return f"{expr(operand, _SUM)} between {expr(low, _SUM)} and {expr(high, _SUM)}"
        case ast.InRange(operand=operand, low=low, high=high, negated=negated):
            opening, closing = "[" if node.low_closed else "(", "]" if node.high_closed else ")"
            return (f"{expr(operand, _SUM)} {'not in' if negated else 'in'} "
                    f"{opening}{expr(low)}, {expr(high)}{closing}")
        case ast.WithinBusiness(event=event, days=days, start=start, calendar=calendar):
            text = (f"{expr(event, _SUM)} within {days} business day{'s' if days != 1 else ''}"
                    f" of {expr(start, _SUM)} using {calendar}")
            if node.cutoff is not None:
                text += f" with cutoff {node.cutoff.strftime('%H:%M')}"
            if node.zone is not None:
                text += f" in {node.zone.name}"
            return text
    raise FormatError(f"no canonical spelling of {type(node).__name__}")


def _ends_in_percent(node: ast.Node) -> bool:
    """Whether the printed expression ends with a percentage literal."""
    while True:
        match node:
            case ast.Percent():
                return True
            case ast.Binary(right=right) if _level(node) >= _SUM:
                node = right
            case ast.Neg(operand=operand) | ast.PercentOf(operand=operand):
                node = operand
            case _:
                return False


def _plural(count: int, period: ast.Period) -> str:
    return period.value + ("s" if count != 1 else "")


def _window(window: ast.Window) -> str:
    text = f"per {window.period.value}"
    if window.rolling is not None:
        text = f"per rolling {window.rolling} {_plural(window.rolling, ast.Period.DAY)}"
    if window.of is not None:
        text += f" of {window.of.name}"
    if window.by:
        text += " by " + ", ".join(ref.name for ref in window.by)
    return text



def _graduation(penalty: ast.Penalty) -> str:
    """`breach`, or `completed 2d of delay rounded up to 1d`."""
    if penalty.per is None or penalty.delay is None:
        return "breach"
    counting = "" if penalty.counting == "pro rata" else penalty.counting + " "
    text = f"{counting}{penalty.per.text} of {expr(penalty.delay, _UNARY)}"
    if penalty.rounded is not None:
        text += f" rounded {penalty.rounded[0]} to {penalty.rounded[1].text}"
    return text


def _measure(measure: ast.Measure) -> str:
    if isinstance(measure, ast.Ratio):
        return f"{_measure(measure.numerator)} / {_measure(measure.denominator)}"
    operand = expr(measure.operand) if measure.operand is not None else ""
    return f"{measure.function}({operand})"


def _target(target: ast.Target) -> str:
    if target.measure is not None:
        assert target.goal is not None
        head = f"{_measure(target.measure)} {target.op.value} {expr(target.goal, _SUM)}"
    elif target.tiers:
        head = ", ".join(f"{percent(tier.rate.value)} for {_name(tier.group)}"
                         for tier in target.tiers)
    else:
        assert target.rate is not None
        head = percent(target.rate.value)
    parts = [head + (f" {_window(target.window)}" if target.window is not None else "")]
    if target.minimum is not None:
        parts.append(f"at least {target.minimum} record{'s' if target.minimum != 1 else ''}")
    if target.warn is not None:
        parts.append(f"warn {'below' if target.warn_below else 'above'} "
                     f"{expr(target.warn, _SUM)}")
    return ", ".join(parts)


def clause(node: ast.Node) -> str:
    """Any clause in canonical spelling.

    >>> from slacheck._source import Source
    >>> clause(parser.parse(Source("(a+b)*2>=3 and(not c)"), "expr"))
    '(a + b) * 2 >= 3 and not c'
    >>> clause(parser.parse(Source("97.0%   per months by office"), "target"))
    '97% per month by office'
    """
    match node:
        case ast.Window():
            return _window(node)
        case ast.Target():
            return _target(node)
        case ast.Penalty(amount=amount, cap=cap, cap_period=period):
            text = f"{expr(amount, _SUM)} per {_graduation(node)}"
            if node.record_cap is not None:
                text += f", at most {expr(node.record_cap, _SUM)} per breach"
            if cap is not None and (period is not None or node.cap_over):
                over = {"contract year": "per contract year", "total": "in total"}.get(
                    node.cap_over, f"per {period.value if period else ''}")
                text += f", at most {expr(cap, _SUM)} {over}"
                if node.cap_by is not None:
                    text += f" by {node.cap_by.name}"
            return text + (", deferred while open" if node.deferred else "")
        case ast.WindowPenalty(amount=amount, period=period):
            return f"{expr(amount, _SUM)} per missed {period.value}"
        case ast.Strike(amount=amount, count=count, within=within):
            return f"{expr(amount, _SUM)} at every {ordinal(count)} breach within {within.text}"
        case ast.Credit(amount=amount, period=period, cap=cap):
            if period is not None:
                return f"{expr(amount, _SUM)} per missed {period.value}"
            text = f"{expr(amount, _SUM)} per full point below target"
            return text if cap is None else f"{text}, at most {expr(cap, _SUM)}"
        case ast.Reward(amount=amount, period=period):
            return f"{expr(amount, _SUM)} per met {period.value}"
        case ast.Payment(amount=amount):
            return f"{expr(amount, _SUM)} per record"
        case ast.ConsecutiveMissed(count=count, period=period):
            return f"after {count} consecutive missed {_plural(count, period)}"
        case ast.BreachesWithin(count=count, within=within):
            return f"after {count} breaches within {within.text}"
        case ast.AnyBreach():
            return "on any breach"
        case ast.Escalate(count=count, period=period, within=within, step=step):
            if within is None:
                return f"after {count} consecutive missed {_plural(count, period)}: {step}"
            return (f"after {count} missed {_plural(count, period)} within {within} "
                    f"{_plural(within, period)}: {step}")
    return expr(node)


# the file


@dataclass(frozen=True, slots=True)
class _Clause:
    path: YamlPath
    kind: str
    place: Place


def _clauses(tree: Any, places: dict[YamlPath, Place]) -> Iterator[_Clause]:
    """Every clause string of a contract tree, with its kind, in file order."""
    found: list[tuple[YamlPath, str]] = []
    if not isinstance(tree, dict):
        return
    for section in ("parameters", "derived"):
        entries = tree.get(section)
        if isinstance(entries, dict):
            found += [((section, name), "expr") for name in entries]
    standards = tree.get("standards")
    for key, body in (standards.items() if isinstance(standards, dict) else ()):
        if not isinstance(body, dict):
            continue
        for field, kind in _STANDARD_CLAUSES.items():
            value = body.get(field)
            base: YamlPath = ("standards", key, field)
            if isinstance(value, list) and field == "credit":  # a credit table
                for index in range(len(value)):
                    row: YamlPath = (*base, index)
                    found += [((*row, "at_least"), "expr"), ((*row, "below"), "expr"),
                              ((*row, "credit"), "amount")]
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    path: YamlPath = (*base, index)
                    found.append(((*path, "when") if isinstance(item, dict) else path, kind))
            elif value is not None:
                found.append((base, kind))
    for path, kind in found:
        place = places.get(path)
        if place is not None and isinstance(place.node, yaml.ScalarNode):
            yield _Clause(path, kind, place)


def _flow(path: YamlPath, places: dict[YamlPath, Place]) -> bool:
    """Whether the value at `path` stands inside a flow collection (`{...}`, `[...]`)."""
    for length in range(len(path) - 1, -1, -1):
        place = places.get(path[:length])
        if place is not None and getattr(place.node, "flow_style", False):
            return True
    return False


_INDICATORS = tuple(",[]{}#&*!|>'\"%@`")


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether `text` can stand as a plain YAML scalar and read back as itself.

    >>> _plain_ok("-a > 1", False), _plain_ok("- a", False), _plain_ok("a in [b]", True)
    (True, False, False)
    """
    if not text or text != text.strip() or text.startswith(_INDICATORS):
        return False
    if text[0] in "-?:" and (len(text) == 1 or text[1] == " "):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return False
    return not (flow and any(character in text for character in ",[]{}"))


def _scalar(text: str, style: str | None, flow: bool) -> str:
    """`text` as a YAML scalar in the style it was written in, quoted when plain cannot
    hold it."""
    if style == '"':
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "'" or not _plain_ok(text, flow):
        return "'" + text.replace("'", "''") + "'"
    return text


@dataclass(frozen=True, slots=True)
class Formatted:
    """A file's text formatted, and whether that changed it."""

    original: str
    text: str

    @property
    def changed(self) -> bool:
        return self.original != self.text


def format_text(text: str, name: str = "<contract>") -> Formatted:
    """Format a contract's text; `ContractError` if its YAML or a clause does not parse
    (there is no tree to write back), `FormatError` if the result would differ in meaning."""
    source = whole_file(text, name)
    tree, places = compose(source)
    edits: list[tuple[int, int, str]] = []
    problems: list[Diagnostic] = []
    originals: dict[YamlPath, Any] = {}
    for item in _clauses(tree, places):
        node = item.place.node
        assert isinstance(node, yaml.ScalarNode)
        try:
            parsed = parser.parse(clause_source(source, node), item.kind)
        except ContractError as error:
            problems.extend(error.diagnostics)
            continue
        originals[item.path] = parsed
        if node.start_mark.line != node.end_mark.line or node.style not in (None, '"', "'"):
            continue  # several lines: kept as written
        new = _scalar(clause(parsed), node.style, _flow(item.path, places))
        old = source.body[node.start_mark.index:node.end_mark.index]
        if new != old:
            edits.append((node.start_mark.index, node.end_mark.index, new))
    if problems:
        raise ContractError(problems)
    out = source.body
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    if out != text:
        _check_meaning(tree, originals, out, name)
    return Formatted(text, out)


def _check_meaning(tree: Any, originals: dict[YamlPath, Any], text: str, name: str) -> None:
    """The formatted text reads as the same tree, each clause parsing to the same syntax
    tree (spans aside), every other value unchanged."""
    source = whole_file(text, name)
    try:
        new_tree, places = compose(source)
    except ContractError as error:
        raise FormatError(f"the formatted text does not read back: {error}") from None
    clause_paths = set(originals)
    for item in _clauses(new_tree, places):
        if item.path not in originals:
            raise FormatError(f"a clause appeared at {item.path}")
        try:
            parsed = parser.parse(clause_source(source, item.place.node), item.kind)
        except ContractError as error:
            raise FormatError(f"a formatted clause does not parse: {error}") from None
        if parsed != originals[item.path]:
            raise FormatError(f"the clause at {'.'.join(map(str, item.path))} changed meaning")
        clause_paths.discard(item.path)
    if clause_paths or _without(tree, set(originals)) != _without(new_tree, set(originals)):
        raise FormatError("a value other than a clause changed")


def _without(tree: Any, paths: set[YamlPath], at: YamlPath = ()) -> Any:
    """The tree with the clause values at `paths` blanked out."""
    if at in paths:
        return None
    if isinstance(tree, dict):
        return {key: _without(value, paths, (*at, key)) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_without(value, paths, (*at, index)) for index, value in enumerate(tree)]
    return tree


def format_file(path: str) -> Formatted:
    """Format a contract file's text (not written back: see `slacheck fmt`)."""
    from slacheck.loader import MAX_BYTES

    with open(path, "rb") as stream:
        raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        from slacheck.diagnostics import CONTRACT_UNSAFE

        raise ContractError([Diagnostic(CONTRACT_UNSAFE, f"the contract is larger than "
                                        f"{MAX_BYTES} bytes", file=path)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        from slacheck.diagnostics import CONTRACT_UNREADABLE

        raise ContractError([Diagnostic(CONTRACT_UNREADABLE, f"the contract is not UTF-8 "
                                        f"({error.reason})", file=path)]) from None
    return format_text(text, path)


def diff(formatted: Formatted, path: str) -> str:
    """A unified diff of what formatting changes, `a/` and `b/` as git writes them."""
    import difflib

    lines = difflib.unified_diff(formatted.original.splitlines(keepends=True),
                                 formatted.text.splitlines(keepends=True),
                                 f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)

