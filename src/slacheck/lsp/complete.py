"""Completion at a cursor: inside a clause, the names it may read (record fields, derived
fields, parameters), an enum's values where one is compared, periods after `per`, and the
clause's own words; on a line where a key is being typed, the keys the contract schema
allows there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from slacheck.lsp.document import ClauseAt, Declared, clause_at, declared, key_path, lines_of

PERIODS = ("day", "week", "month", "quarter", "year")
AGGREGATES = ("count", "sum", "mean", "min", "max", "p95")
KEYWORDS = {
    "expr": ("and", "or", "not", "in", "within", "of", "is", "true", "false"),
    "target": ("per", "by", "for", "at", "least", "records", "warn", "below", "above", "of"),
    "window": ("per", "by", "of"),
    "penalty": ("per", "breach", "at", "most", "of", "every", "within", "deferred", "while",
                "open", "missed", "started", "completed"),
    "credit": ("per", "missed", "of"),
    "disqualify": ("after", "consecutive", "missed", "breaches", "within", "on", "any",
                   "breach"),
}
"""The words of each clause kind, one by one (`at least` is `at`, then `least`)."""
_NAME = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9.]*[A-Za-z%]*|\S")
_SENTENCE = re.compile(r"(?<=[a-z`)]{2})\.\s")
"""The end of a description's first sentence (not the dot of `e.g.`)."""
_COMPARED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:(?:not\s+)?in\s*\[[^\]]*|==|!=)\s*$")


@dataclass(frozen=True, slots=True)
class Candidate:
    label: str
    kind: str
    """`field`, `derived`, `parameter`, `value`, `period`, `function`, `keyword` or `key`."""
    detail: str = ""
    insert: str | None = None
    """The text to insert, when not the label (`count(`, `title: `)."""


def complete(text: str, line: int, column: int) -> list[Candidate]:
    """What may be typed at (line, column), filtered by the word already begun there."""
    at = clause_at(text, line, column)
    if at is not None:
        return in_clause(at, declared(text))
    return keys(text, line, column)


def in_clause(at: ClauseAt, names: Declared) -> list[Candidate]:
    """Candidates inside a clause, from the words before the cursor."""
    before = at.text[: at.cursor]
    if before.count('"') % 2 or before.count("'") % 2:
        return []  # inside a string
    begun = _NAME.search(before)
    prefix = begun.group() if begun else ""
    if not prefix and before[-1:].isalnum():
        return []  # after a number or a unit: `24h`
    rest = before[: len(before) - len(prefix)]
    words = _WORD.findall(rest)
    last = words[-1] if words else ""
    out = _by_context(at.kind, rest, words, names)
    if out is None:
        out = _general(at.kind, names)
        if last in ("per", "missed"):
            out = [Candidate(period + ("s" if at.kind == "disqualify" else ""), "period",
                             "calendar period") for period in PERIODS]
            if at.kind == "penalty" and last == "per":
                out.insert(0, Candidate("breach", "keyword"))
    return [item for item in out if item.label.lower().startswith(prefix.lower())]


def _by_context(kind: str, rest: str, words: list[str],
                names: Declared) -> list[Candidate] | None:
    """Candidates that the words just before the cursor decide alone, or None."""
    last = words[-1] if words else ""
    if kind == "field":
        return _fields(names)
    if last == "is":
        return [Candidate("present", "keyword"), Candidate("absent", "keyword")]
    if last == "of" and len(words) > 1 and words[-2].rstrip("s") in PERIODS:
        return [item for item in _fields(names)
                if names.fields[item.label].type in ("timestamp", "date")]
    if last == "by" or (last == "," and kind in ("target", "window") and "by" in words):
        return _fields(names)
    if last == "for" and kind == "target":
        return [Candidate(value, "value", f"a group of `{name}`")
                for name, spec in names.fields.items() for value in spec.values]
    compared = _COMPARED.search(rest)
    if compared is not None:
        spec = names.fields.get(compared.group(1))
        if spec is not None and spec.values:
            return [Candidate(value, "value", f"a value of `{compared.group(1)}`")
                    for value in spec.values]
    return None


def _fields(names: Declared) -> list[Candidate]:
    return [Candidate(name, "field", _field_detail(names, name)) for name in names.fields]


def _field_detail(names: Declared, name: str) -> str:
    spec = names.fields[name]
    text = f"record field: {spec.type}"
    if spec.optional:
        text += ", optional"
    if spec.default is not None:
        text += f", default {spec.default}"
    return text


def _general(kind: str, names: Declared) -> list[Candidate]:
    out: list[Candidate] = []
    if kind in ("expr", "target", "penalty", "credit"):
        out.extend(_fields(names))
        out.extend(Candidate(name, "derived", f"derived: {body}")
                   for name, body in names.derived.items())
        out.extend(Candidate(name, "parameter", f"parameter: {body}")
                   for name, body in names.parameters.items())
        if "as_of" not in names.names():
            out.append(Candidate("as_of", "keyword", "the evaluation time"))
    if kind == "target":
        out.extend(Candidate(name, "function", "a measure over the window's records",
                             f"{name}(") for name in AGGREGATES)
    out.extend(Candidate(word, "keyword") for word in KEYWORDS.get(kind, ()))
    return out


def keys(text: str, line: int, column: int) -> list[Candidate]:
    """The keys the contract schema allows where a key is being typed, less those the
    block already has."""
    lines = lines_of(text)
    if not 0 <= line < len(lines):
        return []
    typed = re.fullmatch(r"( *)(- +)?([A-Za-z_][\w-]*)?", lines[line][:column])
    if typed is None:
        return []
    indent = len(typed.group(1)) + len(typed.group(2) or "")
    prefix = typed.group(3) or ""
    path = key_path(lines, line, indent)
    allowed = schema_keys(tuple(str(part) for part in path if not isinstance(part, int)),
                          list_item=any(isinstance(part, int) for part in path)
                          or bool(typed.group(2)))
    present = _siblings(lines, line, indent)
    return [Candidate(name, "key", doc, f"{name}: ") for name, doc in allowed.items()
            if name not in present and name.startswith(prefix)]


def _siblings(lines: list[str], line: int, indent: int) -> set[str]:
    """The keys at `indent` in the block around `line`."""
    found: set[str] = set()
    for step in (-1, 1):
        number = line + step
        while 0 <= number < len(lines):
            text = lines[number]
            stripped = text.lstrip(" ")
            if stripped and not stripped.startswith("#"):
                depth = len(text) - len(stripped)
                if depth < indent:
                    break
                key = re.match(r"([^\s:#]+)\s*:", stripped)
                if depth == indent and key:
                    found.add(key.group(1))
            number += step
    return found


@cache
def _schema() -> dict[str, Any]:
    from slacheck.loader import contract_schema

    return contract_schema()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its `$ref` followed and the object branches of a `oneOf` merged."""
    while "$ref" in node:
        target: Any = _schema()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    for branch in node.get("oneOf", ()):
        branch = _resolve(branch)
        if branch.get("type") == "array":
            branch = _resolve(branch.get("items", {}))
        if "properties" in branch:
            node = {**node, "properties": {**node.get("properties", {}),
                                           **branch["properties"]}}
    return node


def schema_keys(path: tuple[str, ...], list_item: bool = False) -> dict[str, str]:
    """The keys allowed under `path` (`("standards", "delivery-24h")`), each with the first
    sentence of its description."""
    node = _resolve(_schema())
    for part in path:
        properties = node.get("properties", {})
        if part in properties:
            node = _resolve(properties[part])
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"])
        else:
            return {}
        if node.get("type") == "array" or (list_item and "items" in node):
            node = _resolve(node.get("items", {}))
    return {name: _SENTENCE.split(str(_resolve(body).get("description", "")))[0].rstrip(".")
            for name, body in node.get("properties", {}).items()}
