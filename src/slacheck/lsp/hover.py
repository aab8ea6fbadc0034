"""Hover over a clause: what it means in plain words (`slacheck.describe`) and, over a name,
what the name is (its type, its definition)."""

from __future__ import annotations

from dataclasses import dataclass

from slacheck import ast
from slacheck._source import Source
from slacheck.describe import describe
from slacheck.diagnostics import ContractError
from slacheck.lsp.convert import Position
from slacheck.lsp.document import ClauseAt, Declared, Path, clause_at, declared


@dataclass(frozen=True, slots=True)
class Hover:
    markdown: str
    start: Position
    end: Position


def role(path: Path) -> str:
    """What a clause is, as `describe` names it: `require`, `target`, `derived`, ..."""
    if path[0] == "parameters":
        return "parameter"
    if path[0] == "derived":
        return "derived"
    if path[0] == "records":
        return str(path[1])
    return next(str(part) for part in reversed(path[:4]) if isinstance(part, str))


def hover(text: str, line: int, column: int) -> Hover | None:
    """The hover at (line, column), or None outside a clause."""
    at = clause_at(text, line, column)
    if at is None:
        return None
    names = declared(text)
    end = len(at.text.rstrip())
    where = at.position(0), at.position(end)
    kind = role(at.path)
    head = f"**{kind}**" + (f" of standard `{at.path[1]}`" if at.path[0] == "standards"
                            else f" `{at.path[1]}`" if at.path[0] != "records" else "")
    if at.kind == "field":
        name = at.text.strip()
        about = name_words(name, names) if name else None
        return Hover(f"{head}: {about or 'names a record field'}", *where)
    from slacheck.parser import parse

    try:
        node = parse(Source(at.text, "<clause>"), at.kind)
    except (ContractError, RecursionError):
        return Hover(f"{head}: does not parse yet (see the problem marked)", *where)
    optional = {name: spec.type for name, spec in names.fields.items()
                if spec.optional and spec.default is None}
    scope = None
    if at.path[0] == "standards":
        written = names.standards.get(str(at.path[1]), {}).get("for")
        scope = written.strip() if isinstance(written, str) else None
    words = describe(kind, node, optional=optional, scope=scope)
    text_out = f"{head}: {words}."
    named = _name_under(node, at)
    if named is not None:
        about = name_words(named.name, names)
        if about is not None:
            text_out += f"\n\n`{named.name}`: {about}"
    return Hover(text_out, *where)


def _name_under(node: ast.Node, at: ClauseAt) -> ast.Ref | None:
    for item in ast.walk(node):
        span = item.span
        if isinstance(item, ast.Ref) and span is not None and \
                span.start <= at.cursor <= span.end:
            return item
    return None


def name_words(name: str, names: Declared) -> str | None:
    """What a name is: a record field and its type, a derived field's or a parameter's
    definition, an enum's value; None when the contract declares no such name."""
    spec = names.fields.get(name)
    if spec is not None:
        text = f"record field, {spec.type}"
        if spec.values:
            text += " (" + ", ".join(spec.values) + ")"
        if spec.optional and spec.default is None:
            text += ", optional: absent means not happened yet" if spec.type == "timestamp" \
                else ", optional"
        elif spec.default is not None:
            default = spec.default
            shown = str(default).lower() if isinstance(default, bool) else default
            text += f", {shown} when absent"
        return text
    if name in names.derived:
        return f"derived field, `{names.derived[name]}`"
    if name in names.parameters:
        return f"parameter, `{names.parameters[name]}`"
    owners = [field for field, spec in names.fields.items() if name in spec.values]
    if owners:
        return "a value of " + ", ".join(f"`{owner}`" for owner in owners)
    return None
