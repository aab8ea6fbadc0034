"""Where the cursor stands in a contract that may not parse: the YAML key path of its line,
the clause it is in, and the names the contract declares.

An editor asks about a document while it is being typed, so none of this needs the YAML to
be valid: keys are found line by line from their indentation (block style, which is how
contracts are written), and the declared names come from the YAML when it loads, else from
the same line scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

_KEY = re.compile(
    r"""(?P<indent>[ ]*)(?P<dash>-[ ]+)?"""
    r"""(?P<key>"[^"]*"|'[^']*'|[^\s#:"'{}\[\],-][^#:]*?|-[^\s#:][^#:]*?)[ ]*:(?=[ \t]|$)""")
"""A block mapping key at the start of a line, perhaps as a list item (`- when: ...`)."""
_ITEM = re.compile(r"(?P<indent>[ ]*)-(?=[ ]|$)[ ]*")
_CLAUSE_KEYS = {"require": "expr", "for": "expr", "target": "target", "window": "window",
                "penalty": "penalty", "credit": "credit",
                "payment": "payment"}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the document as the scan sees it."""

    indent: int
    """Column of the key (after a `- `), or of the list item's dash, or of the text."""
    key: str | None
    value: int
    """Column where the value starts (after `key:` and spaces, or after `- `)."""
    item: bool = False
    """A list item (`- ...`)."""


def lines_of(text: str) -> list[str]:
    """The document's lines as the protocol counts them (`\\n`, `\\r\\n` or `\\r`)."""
    return re.split(r"\r\n|\r|\n", text)


def scan(line: str) -> Line | None:
    """The structure of one line; None for a blank line or a comment."""
    stripped = line.lstrip(" ")
    if not stripped or stripped.startswith("#"):
        return None
    match = _KEY.match(line)
    if match is not None:
        key = match["key"]
        if key[:1] in "\"'":
            key = key[1:-1]
        value = match.end()
        value += len(line[value:]) - len(line[value:].lstrip(" \t"))
        indent = match.start("key")
        return Line(indent, key, value, item=match["dash"] is not None)
    item = _ITEM.match(line)
    if item is not None:
        return Line(len(item["indent"]), None, item.end(), item=True)
    return Line(len(line) - len(stripped), None, len(line) - len(stripped))


def key_path(lines: list[str], number: int, indent: int | None = None) -> Path:
    """The keys above line `number` whose blocks hold it (its own key not included), from
    the root; a list item's place is given as index 0 (which item is not needed here).
    `indent` stands for the line's own indentation (a key being typed has no colon yet)."""
    own = scan(lines[number]) if 0 <= number < len(lines) else None
    path: list[str | int] = []
    if own is not None and own.item:
        dash = lines[number].index("-")
        path.append(0)
        limit, inclusive = dash, True  # a list may stand at its key's own indentation
    else:
        limit = indent if indent is not None else (own.indent if own is not None else 0)
        inclusive = False
    for above in range(number - 1, -1, -1):
        if limit == 0 and not inclusive:
            break
        found = scan(lines[above])
        if found is None:
            continue
        if found.item:
            dash = lines[above].index("-")
            if found.key is not None and (found.indent < limit
                                          or (inclusive and found.indent <= limit)):
                path.extend((found.key, 0))
            elif dash < limit:
                path.append(0)
            else:
                continue
            limit, inclusive = dash, True
        elif found.key is not None and (found.indent < limit
                                        or (inclusive and found.indent <= limit)):
            path.append(found.key)
            limit, inclusive = found.indent, False
    return tuple(reversed(path))


def clause_kind(path: Path) -> str | None:
    """The clause grammar a value at `path` is read with: `expr`, `target`, ...; `field`
    for a value that names a record field; None for anything else."""
    match path:
        case ("parameters" | "derived", str()):
            return "expr"
        case ("records", "id" | "time"):
            return "field"
        case ("standards", str(), "breach_time"):
            return "field"
        case ("standards", str(), "except") | ("standards", str(), "except", int()):
            return "expr"
        case ("standards", str(), "except", int(), "when"):
            return "expr"
        case ("standards", str(), "disqualify") | ("standards", str(), "disqualify", int()):
            return "disqualify"
        case ("standards", str(), "penalty", int()):
            return "penalty"
        case ("standards", str(), str(key)) if key in _CLAUSE_KEYS:
            return _CLAUSE_KEYS[key]
    return None


@dataclass(frozen=True, slots=True)
class ClauseAt:
    """The clause under the cursor: what it is, its text, and where each of its lines is."""

    path: Path
    kind: str
    text: str
    """The clause, its lines joined by `\\n` (as the clause grammar reads a multi-line one)."""
    cursor: int
    """The cursor's offset in `text`."""
    starts: tuple[tuple[int, int], ...]
    """(line, column) in the document of the first character of each line of `text`."""

    def position(self, offset: int) -> tuple[int, int]:
        """The document (line, column) of an offset in `text`."""
        offset = max(0, min(offset, len(self.text)))
        before = self.text[:offset]
        index = before.count("\n")
        line, column = self.starts[index]
        return line, column + offset - (before.rfind("\n") + 1)


def _value_text(line: str, start: int) -> tuple[int, str] | None:
    """The clause part of a value starting at `start`: its first column and text, without
    quotes or a trailing comment; None for a flow collection or a block indicator."""
    rest = line[start:]
    if rest[:1] in ("{", "[", "|", ">", "&", "*", "!"):
        return None
    if rest[:1] in ('"', "'"):
        quote = rest[0]
        end = rest.find(quote, 1)
        return start + 1, rest[1:] if end < 0 else rest[1:end]
    comment = re.search(r"[ \t]#", rest)
    # trailing spaces kept: the cursor may stand after them
    return start, rest if comment is None else rest[: comment.start()]


def clause_at(text: str, line: int, column: int) -> ClauseAt | None:
    """The clause the cursor at (line, column) is in, or None when it is in no clause (a
    key, a comment, a flow collection, another kind of value)."""
    lines = lines_of(text)
    if not 0 <= line < len(lines):
        return None
    own = scan(lines[line])
    segments: list[tuple[int, int, str]] = []
    structured = own is not None and (own.key is not None or own.item)
    if structured and own is not None and column < own.value:
        return None  # on a key or a dash
    if structured and own is not None:
        path = key_path(lines, line) + ((own.key,) if own.key is not None else ())
        found = _value_text(lines[line], own.value)
        if found is None:
            return None
        segments.append((line, *found))
        last = line
    else:
        # a continuation line of a clause written over several lines
        owner = next((above for above in range(line - 1, -1, -1)
                      if (seen := scan(lines[above])) is not None
                      and (seen.key is not None or seen.item)
                      and seen.indent < (own.indent if own is not None else column + 1)),
                     None)
        if owner is None:
            return None
        head = scan(lines[owner])
        assert head is not None
        path = key_path(lines, owner) + ((head.key,) if head.key is not None else ())
        first = _value_text(lines[owner], head.value) if head.value < len(lines[owner]) else None
        if first is not None and first[1]:
            segments.append((owner, *first))
        elif head.value < len(lines[owner]) and lines[owner][head.value] not in "|>":
            return None
        for number in range(owner + 1, line + 1):
            body = lines[number]
            start = len(body) - len(body.lstrip(" \t"))
            if number == line:
                start = min(start, column)
            found = _value_text(body, start)
            if found is None or body[start:start + 1] == "#":
                continue
            segments.append((number, *found))
        last = line
    kind = clause_kind(path)
    if kind is None or not segments or segments[-1][0] != last:
        return None
    _, start, tail = segments[-1]
    if not start <= column <= start + len(tail):
        return None
    body = "\n".join(part for _, _, part in segments)
    cursor = len(body) - len(tail) + column - start
    return ClauseAt(path, kind, body, cursor,
                    tuple((number, first) for number, first, _ in segments))


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A declared record field, as far as the document says."""

    type: str
    optional: bool = False
    default: Any = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Declared:
    """The names a contract declares, and its standards' clauses as written."""

    fields: dict[str, FieldInfo] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    derived: dict[str, str] = field(default_factory=dict)
    standards: dict[str, dict[str, Any]] = field(default_factory=dict)

    def names(self) -> set[str]:
        return {*self.fields, *self.parameters, *self.derived}


def declared(text: str) -> Declared:
    """What the contract declares: read as YAML when it is, else line by line."""
    try:
        tree = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        tree = None
    if not isinstance(tree, dict):
        tree = loose_tree(lines_of(text))
    return _declared(tree)


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {str(key): item for key, item in value.items()}


def _declared(tree: dict[Any, Any]) -> Declared:
    records = _mapping(_mapping(tree).get("records"))
    fields: dict[str, FieldInfo] = {}
    for name, spec in _mapping(records.get("fields")).items():
        if isinstance(spec, str):
            fields[name] = FieldInfo(spec)
            continue
        body = _mapping(spec)
        values = body.get("values")
        fields[name] = FieldInfo(
            str(body.get("type", "")), optional=body.get("optional") is True,
            default=body.get("default"),
            values=tuple(str(item) for item in values) if isinstance(values, list) else ())
    named = {section: {name: str(value) for name, value in _mapping(tree.get(section)).items()}
             for section in ("parameters", "derived")}
    standards = {name: _mapping(body) for name, body in _mapping(tree.get("standards")).items()}
    return Declared(fields, named["parameters"], named["derived"], standards)


def loose_tree(lines: list[str]) -> dict[str, Any]:
    """The block-style mappings of a document that is not valid YAML, as far as each line
    can be read on its own: a value is its YAML if it reads, else its text."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, Any]] = [(-1, root)]
    pending: tuple[dict[str, Any], str, int] | None = None
    """The last key with an empty value: what the next, deeper line belongs to."""
    for text in lines:
        found = scan(text)
        if found is None:
            continue
        if pending is not None:
            parent, key, indent = pending
            pending = None
            if found.indent > indent or (found.item and found.indent == indent):
                child: Any = [] if found.item and found.key is None else {}
                parent[key] = child
                stack.append((indent, child))
        while len(stack) > 1 and stack[-1][0] >= found.indent and not (
                found.item and isinstance(stack[-1][1], list)
                and stack[-1][0] == found.indent):
            stack.pop()
        container = stack[-1][1]
        value = text[found.value:]
        if found.key is None:
            if isinstance(container, list) and found.item:
                container.append(_scalar(value))
            continue
        if not isinstance(container, dict):
            continue
        if value.strip() and not value.lstrip().startswith("#"):
            container[found.key] = _scalar(value)
        else:
            container[found.key] = None
            pending = (container, found.key, found.indent)
    return root


def _scalar(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return text.strip()
