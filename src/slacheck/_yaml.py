"""YAML with positions: the tree of a contract, where each node stands, and clause sources.

The safe loader's nodes are walked by hand so that every value keeps its place in the
file; anchors, aliases and tags are refused, size and nesting limited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

import yaml

from slacheck._source import Source, Span, span_at
from slacheck.diagnostics import (
    CONTRACT_SHAPE,
    CONTRACT_UNSAFE,
    YAML_SYNTAX,
    Code,
    ContractError,
    Diagnostic,
)

MAX_DEPTH = 32

YamlPath = tuple[str | int, ...]
"""Keys and indexes from the root of the document to a node."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where one YAML node stands: its value's span and, in a mapping, its key's span."""

    value: Span
    key: Span | None
    node: yaml.Node


def _scan(source: Source) -> None:
    """Read the YAML events, which PyYAML produces without recursion, before composing a
    tree, which it does recursively: nesting deeper than `MAX_DEPTH` is refused here.

    Aliases are refused where they are used (they can multiply a tree), and anchors that
    nothing uses where they are set.
    """
    anchors: dict[str, Span] = {}
    found: list[Diagnostic] = []
    depth = 0
    for event in yaml.parse(source.body, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        mark, name = event.start_mark, getattr(event, "anchor", None)
        if isinstance(event, yaml.NodeEvent) and depth > MAX_DEPTH and mark is not None:
            _refuse(CONTRACT_UNSAFE, f"the contract is nested more than {MAX_DEPTH} deep",
                    span_at(source, mark.line + 1, mark.column + 1),
                    ("flatten it: a contract needs a few levels, never this many",))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        if name is None or mark is None:
            continue
        span = span_at(source, mark.line + 1, mark.column + 1, len(name) + 1)
        if isinstance(event, yaml.AliasEvent):
            anchors.pop(name, None)
            found.append(Diagnostic(CONTRACT_UNSAFE, "YAML aliases are not allowed", span,
                                    ("write the value out in full",)))
        else:
            anchors[name] = span
    found.extend(
        Diagnostic(CONTRACT_UNSAFE, "YAML anchors are not allowed", span, (f"remove `&{name}`",))
        for name, span in anchors.items()
    )
    if found:
        raise ContractError(found)


def compose(source: Source) -> tuple[Any, dict[YamlPath, Place]]:
    try:
        _scan(source)
        node = yaml.compose(source.body, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as error:
        raise ContractError([_unreadable_character(source, error)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = span_at(source, mark.line + 1, mark.column + 1) if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise ContractError([Diagnostic(YAML_SYNTAX, problem, span)]) from None
    except yaml.YAMLError as error:
        raise ContractError([Diagnostic(YAML_SYNTAX, str(error), file=source.name)]) from None
    if node is None:
        raise ContractError([Diagnostic(CONTRACT_SHAPE, "the contract is empty", file=source.name)])
    places: dict[YamlPath, Place] = {}
    seen: set[int] = set()
    tree = _convert(node, (), None, source, places, seen)
    return tree, places


def _unreadable_character(source: Source, error: yaml.reader.ReaderError) -> Diagnostic:
    """A character YAML refuses, at its line and column (PyYAML only gives an offset)."""
    offset = max(0, min(int(error.position), len(source.body)))
    name = "a NUL character (U+0000)" if error.character == 0 else (
        f"the control character U+{int(error.character):04X}")
    return Diagnostic(YAML_SYNTAX, f"the contract holds {name}, which YAML does not allow",
                      Span(source, offset, offset + 1), ("remove it: a contract is plain text",))


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _node_span(source: Source, node: yaml.Node) -> Span:
    return Span(source, node.start_mark.index, node.end_mark.index)


def _refuse(code: Code, message: str, span: Span, hints: tuple[str, ...] = ()) -> NoReturn:
    raise ContractError([Diagnostic(code, message, span, hints)])


def _convert(
    node: yaml.Node,
    path: YamlPath,
    key: Span | None,
    source: Source,
    places: dict[YamlPath, Place],
    seen: set[int],
) -> Any:
    span = _node_span(source, node)
    if id(node) in seen:
        _refuse(CONTRACT_UNSAFE, "YAML aliases are not allowed", span)
    seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        _refuse(CONTRACT_UNSAFE, f"YAML tag `{node.tag}` is not allowed", span)
    places[path] = Place(span, key, node)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_span = _node_span(source, key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                _refuse(CONTRACT_SHAPE, "keys must be plain text", key_span)
            name = str(key_node.value)
            if name in out:
                _refuse(CONTRACT_SHAPE, f"`{name}` is given twice", key_span,
                        ("remove one of them",))
            out[name] = _convert(value_node, (*path, name), key_span, source, places, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), None, source, places, seen)
            for index, item in enumerate(node.value)
        ]
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
        return _CONSTRUCTOR.construct_object(node)
    return str(node.value)


def nearest(path: YamlPath, places: dict[YamlPath, Place]) -> Place | None:
    while path not in places and path:
        path = path[:-1]
    return places.get(path)


def clause_source(file: Source, node: yaml.Node) -> Source:
    """The clause text of a scalar with each line's place in the file.

    The clause language ignores line breaks, so a multi-line scalar is taken as the lines
    it occupies in the file; when that text is not the scalar's value (escapes), the value
    is used, positioned at the scalar's start.
    """
    value = str(node.value)
    start, end = node.start_mark, node.end_mark
    raw_lines = file.body[start.index : end.index].split("\n")
    origins: list[tuple[int, int]] = []
    lines: list[str] = []
    style = getattr(node, "style", None)
    first = 0
    if style in ("|", ">"):
        first = 1
    for index, text in enumerate(raw_lines[first:], start=first):
        column = start.column if index == 0 else 0
        if index == 0 and style in ('"', "'"):
            text, column = text[1:], column + 1
        stripped = text.lstrip()
        column += len(text) - len(stripped)
        if index == len(raw_lines) - 1 and style in ('"', "'"):
            stripped = stripped.rstrip()[:-1]
        lines.append(stripped.rstrip())
        origins.append((start.line + 1 + index, column + 1))
    body = "\n".join(lines)
    if " ".join(body.split()) != " ".join(value.split()) or not origins:
        quote = 1 if style in ('"', "'") else 0
        return Source(value, file.name, ((start.line + 1, start.column + 1 + quote),), file.body)
    return Source(body, file.name, tuple(origins), file.body)
