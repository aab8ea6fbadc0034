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
    DUPLICATE_KEY,
    YAML_INDENTATION,
    YAML_SYNTAX,
    YAML_TAB,
    YAML_UNCLOSED,
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
        raise ContractError([yaml_error(source, error)]) from None
    except yaml.YAMLError:  # pragma: no cover - PyYAML marks every error it raises
        raise ContractError([Diagnostic(YAML_SYNTAX, "the file does not read as YAML",
                                        file=source.name)]) from None
    if node is None:
        raise ContractError([Diagnostic(CONTRACT_SHAPE, "the contract is empty", file=source.name)])
    places: dict[YamlPath, Place] = {}
    seen: set[int] = set()
    tree = _convert(node, (), None, source, places, seen)
    return tree, places


_TOKENS = {
    "<block end>": "the end of the indented block",
    "<block mapping start>": "a key",
    "<block sequence start>": "a list item",
    "<scalar>": "a value",
    "<stream end>": "the end of the file",
    "<document start>": "the start of the document",
    "<document end>": "the end of the document",
    "<flow mapping start>": "`{`",
    "<flow sequence start>": "`[`",
}
_CLOSING = {"{": "}", "[": "]"}


def _plain(problem: str) -> str:
    """A PyYAML phrase without its token names."""
    for token, words in _TOKENS.items():
        problem = problem.replace(f"'{token}'", words).replace(token, words)
    return problem


def yaml_error(source: Source, error: yaml.MarkedYAMLError) -> Diagnostic:
    """A YAML error said in the contract's terms, where its cause is: an unclosed bracket
    or quote where it opens, a tab where it stands, a misindented line at its start."""
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    opened = error.context_mark
    lines = source.body.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""

    def at(code: Code, message: str, where: tuple[int, int], *hints: str,
           length: int = 1) -> Diagnostic:
        return Diagnostic(code, message, span_at(source, where[0], where[1], length), hints)

    if opened is not None and context.startswith("while parsing a flow"):
        bracket = source.body[opened.index:opened.index + 1] or "{"
        closing = _CLOSING.get(bracket, "}")
        return at(YAML_UNCLOSED, f"this `{bracket}` is not closed", (opened.line + 1,
                  opened.column + 1), f"close it with `{closing}` on the same line, or, if "
                  f"it is closed further on, put a `,` between its entries (line {line} "
                  f"is where YAML gave up)")
    if opened is not None and "quoted scalar" in context and "end of stream" in problem:
        quote = source.body[opened.index:opened.index + 1] or '"'
        return at(YAML_UNCLOSED, f"this quote {quote} is never closed",
                  (opened.line + 1, opened.column + 1),
                  f"end the value with {quote} on the same line")
    if "'\\t'" in problem or "'\t'" in problem:
        leading = not text[:column - 1].strip()
        what = "the indentation of this line" if leading else "this line"
        return at(YAML_TAB, f"a tab in {what}; YAML allows only spaces there", (line, column),
                  "replace the tab with spaces, as many as the lines around it use")
    if problem.startswith("found character") and "cannot start any token" in problem:
        character = text[column - 1:column] or "?"
        shown = "a backtick" if character == "`" else f"`{character}`"
        return at(YAML_SYNTAX, f"a value cannot start with {shown} in YAML",
                  (line, column), f"put the value in quotes: \"{text[column - 1:].strip()}\"")
    if "unknown escape character" in problem:
        return at(YAML_SYNTAX, "a backslash that is no escape in a double-quoted value",
                  (line, max(1, column - 1)), "use single quotes, or write `\\\\` for a "
                  "backslash", length=2)
    if problem == "could not find expected ':'" and opened is not None:
        key_line = lines[opened.line] if opened.line < len(lines) else ""
        word = key_line.strip().split(" ")[0] if key_line.strip() else "this line"
        return at(YAML_INDENTATION, f"`{word}` has no `:` after it",
                  (opened.line + 1, opened.column + 1),
                  f"write `{word}: value`, or join the line to the one above it",
                  length=max(1, len(word)))
    if problem == "mapping values are not allowed here":
        return _mapping_value(source, lines, line, column)
    if "expected a single document" in context:
        return at(YAML_SYNTAX, "a second YAML document (`---`) in the contract file",
                  (line, column), "a contract file holds one contract: remove the `---` and "
                  "what follows, or put it in a file of its own", length=3)
    if problem.startswith(("expected <block end>", "expected '<document start>'")):
        found = problem.split("but found ", 1)[-1].strip("'")
        if found in ("}", "]"):
            return at(YAML_SYNTAX, f"this `{found}` closes nothing", (line, column),
                      f"remove it, or open it with `{'{' if found == '}' else '['}` before")
        if found == "<scalar>":
            return at(YAML_SYNTAX, "text after a quoted value", (line, column),
                      "put the whole value inside the quotes")
        if found == "-":
            return at(YAML_INDENTATION, "a list item (`- `) among keys", (line, column),
                      "indent it under the key whose list it belongs to")
        if found == "?":
            return at(YAML_INDENTATION, "a key among list items", (line, column),
                      "start it with `- ` if it is an item, or indent it like the keys it "
                      "belongs with")
        indent = len(text) - len(text.lstrip(" "))
        spaces = "space" if indent == 1 else "spaces"
        return at(YAML_INDENTATION, f"this line is indented by {indent} {spaces}, which lines "
                  "up with no key above it", (line, column),
                  "indent it exactly like the key it stands beside (or two more than the key "
                  "it belongs under)")
    return at(YAML_SYNTAX, f"the YAML does not read here: {_plain(problem or context)}",
              (line, column), "check the line for a stray character, a missing space after a "
              "colon, or quotes that do not pair")


def _mapping_value(source: Source, lines: list[str], line: int, column: int) -> Diagnostic:
    """`: ` where YAML cannot start a key: a colon inside a value, a line indented under a
    key that already has a value, or a key on the line above without its space."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    before = text[:column - 1]
    key, _, value = before.partition(": ")
    span = span_at(source, line, column)
    if value.strip():
        quoted = text[len(key) + 2:].strip().replace('"', '\\"')
        return Diagnostic(YAML_SYNTAX, f"a second `: ` in the value of `{key.strip()}`", span,
                          (f"put the value in quotes: `{key.strip()}: \"{quoted}\"`",))
    indent = len(text) - len(text.lstrip(" "))
    above = next((lines[index] for index in range(line - 2, -1, -1)
                  if lines[index].strip() and not lines[index].lstrip().startswith("#")), "")
    above_indent = len(above) - len(above.lstrip(" "))
    name = text.strip().split(":")[0]
    if ": " not in above and not above.rstrip().endswith(":"):
        return Diagnostic(YAML_SYNTAX, "no `: ` between key and value on this line",
                          span_at(source, max(1, line - 1), above_indent + 1,
                                  max(1, len(above.strip()))),
                          ("write a space after the colon: `key: value`",))
    if indent > above_indent:
        owner = above.strip().split(":")[0]
        return Diagnostic(YAML_INDENTATION, f"`{name}` is indented under `{owner}`, which "
                          "already has a value", span_at(source, line, indent + 1,
                                                          max(1, len(name))),
                          (f"indent `{name}` like `{owner}`, or move `{owner}`'s value "
                           "under it",))
    return Diagnostic(YAML_SYNTAX, "a `: ` where YAML cannot start a key", span,
                      ("put the value in quotes if it holds `: `",))


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
                first = places[(*path, name)].key
                where = f" (first at line {first.line})" if first is not None else ""
                _refuse(DUPLICATE_KEY, f"`{name}` is given twice", key_span,
                        (f"remove one of them{where}",))
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
