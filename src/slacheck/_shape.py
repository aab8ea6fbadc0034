"""The contract schema applied to a YAML tree, its errors said in the contract's own terms.

jsonschema's messages are Python reprs (`{'key': '99%'} is not of type 'string'`); a
contract's author should read what the key needs (`target` must be a clause written as
text, e.g. `97% per month`), taken from the schema's own titles and examples.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from slacheck._resources import package_text
from slacheck._source import Span
from slacheck._yaml import Place, YamlPath, nearest
from slacheck.diagnostics import CONTRACT_SHAPE, Diagnostic, did_you_mean


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of contract files (also what `slacheck schema` prints)."""
    text = package_text("schemas", "contract.schema.json")
    result: dict[str, Any] = json.loads(text)
    return result


@dataclass(frozen=True, slots=True)
class Problem:
    """One way the tree breaks the schema, and the path of what is wrong: for a key that
    is not allowed, or not a valid name, the key's own path."""

    diagnostic: Diagnostic
    path: YamlPath
    unknown_key: bool = False


def validate(tree: Any, places: dict[YamlPath, Place]) -> list[Problem]:
    """Every way the tree breaks the contract schema; one problem per unknown key."""
    schema = contract_schema()
    problems: list[Problem] = []
    for error in _Validator(schema).iter_errors(tree):
        error = _specific(error)
        path = _instance_path(error)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            problems.extend(Problem(_diagnostic(error, places, schema, extra), (*path, extra),
                                    unknown_key=True) for extra in _extras(error))
        else:
            problems.append(Problem(_diagnostic(error, places, schema), path))
    return problems


def shown(value: Any) -> str:
    """A value quoted for a message: in backticks, or JSON-escaped when it holds a line
    break or another character that would not show."""
    text = value if isinstance(value, str) else json.dumps(value)
    if text.isprintable():
        return f"`{text}`"
    return json.dumps(text, ensure_ascii=False)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """JSON Schema's `pattern` as the standard reads it (ECMA-262): `$` is the end of the
    text and `\\d` an ASCII digit. Python's `$` also matches before a final newline, which
    let an id such as `"s\\n"` through, and its `\\d` takes any script's digits."""
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern, re.ASCII)


_Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # untyped stub
    jsonschema.Draft202012Validator, {"pattern": _pattern}
)


def _instance_path(error: ValidationError) -> YamlPath:
    """Where the error is: for a bad key (`propertyNames`), the key itself, not its mapping."""
    path: YamlPath = tuple(error.absolute_path)
    if "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
        return (*path, error.instance)
    return path


_WEAK = frozenset({"type", "enum", "const"})


def _specific(error: ValidationError) -> ValidationError:
    """Inside `oneOf`, the branch the author meant: one whose error is not about the type.

    A mapping with a misspelt key fails the string branch on its type and the mapping
    branch on the key; the key is the news, as is any error inside the value. When every
    branch fails on the value's own type, the `oneOf` itself is the error: the value is
    none of the things it may be.
    """
    while error.context:
        depth = len(error.absolute_path)
        meant = [item for item in error.context
                 if item.validator not in _WEAK or len(item.absolute_path) > depth]
        if not meant:
            return error
        # a misspelt key also makes a required key missing: the misspelling is the cause
        meant.sort(key=lambda item: item.validator != "additionalProperties")
        error = meant[0]
    return error


def _diagnostic(error: ValidationError, places: dict[YamlPath, Place], schema: dict[str, Any],
                extra: str | None = None) -> Diagnostic:
    """The diagnostic of a specific error; `extra` names the unknown key it is about."""
    path = _instance_path(error)
    place = nearest(path, places)
    span: Span | None = place.value if place else None
    if path != tuple(error.absolute_path) and place is not None:
        span = place.key  # a bad key
    nodes = _walk(schema, error.absolute_schema_path)
    message, hints = _explain(error, path, nodes, schema, extra)
    if error.validator == "required" and place is not None and place.key is not None:
        span = place.key
    key_place = places.get((*path, extra)) if extra is not None else None
    if key_place is not None and key_place.key is not None:
        span = key_place.key
    return Diagnostic(CONTRACT_SHAPE, message, span, hints)


def _walk(schema: dict[str, Any], keys: Sequence[str | int]) -> list[dict[str, Any]]:
    """The schema's nodes from the root along a schema path (which steps over `$ref`s)."""
    nodes = [schema]
    node: Any = schema
    for key in keys:
        while isinstance(node, dict) and key not in node and "$ref" in node:
            node = _resolve(schema, node)
            nodes.append(node)
        node = node[key]
        if isinstance(node, dict):
            nodes.append(node)
    return nodes


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _subject(path: YamlPath) -> str:
    if not path:
        return "the contract"
    if isinstance(path[-1], int):
        return f"item {path[-1] + 1} of {_subject(path[:-1])}"
    return f"`{path[-1]}`"


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{'true' if value else 'false'}`"
    if isinstance(value, int | float):
        return f"the number `{value}`"
    if isinstance(value, str):
        clipped = " ".join(value.split())
        clipped = clipped if len(clipped) <= 40 else clipped[:37] + "..."
        return f"the text {shown(clipped if clipped else value)}"
    return "a mapping" if isinstance(value, dict) else "a list"


_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "`true`/`false`",
    "object": "a mapping (`key: value` lines)",
    "array": "a list",
    "null": "nothing",
}


def _expected(node: dict[str, Any], schema: dict[str, Any], example: str | None) -> str:
    """What a schema node accepts, as a contract's author would say it."""
    holder = node
    node = _resolve(schema, node)
    example = (holder.get("examples") or node.get("examples") or [example])[0]
    if "enum" in node:
        return "one of " + ", ".join(shown(item) for item in node["enum"])
    if "const" in node:
        return shown(node["const"])
    if "oneOf" in node:
        return ", or ".join(_expected(branch, schema, example) for branch in node["oneOf"])
    types = node.get("type", [])
    types = [types] if isinstance(types, str) else types
    if node.get("title") == "clause":
        return "a clause written as text" + (f", e.g. `{example}`" if example else "")
    if "object" in types and node.get("required"):
        return "a mapping with " + " and ".join(f"`{key}:`" for key in node["required"])
    if "array" in types and isinstance(node.get("items"), dict):
        items = _resolve(schema, node["items"])
        return "a list of clauses" if items.get("title") == "clause" else "a list"
    if types == ["boolean"]:
        return "`true` or `false`"
    phrases = [_TYPES.get(str(name), str(name)) for name in types] or ["something else"]
    return ", ".join(phrases[:-1]) + (" or " if len(phrases) > 1 else "") + phrases[-1]


def _example(nodes: list[dict[str, Any]]) -> str | None:
    """An example of the value that failed: given where it is used, or where defined."""
    for node in reversed(nodes[-2:]):
        if isinstance(node.get("examples"), list) and node["examples"]:
            example = node["examples"][0]
            # a mapping or a list as YAML's flow style writes it (JSON is such YAML)
            return example if isinstance(example, str) else json.dumps(example)
    return None


def _annotation(nodes: list[dict[str, Any]], key: str) -> str:
    """The innermost title or description on the way from the root to the error: names
    and ids are titled where they are used (`standard id`), described where defined."""
    found = [str(node[key]) for node in nodes[1:] if isinstance(node.get(key), str)]
    return found[-1] if found else "value"


def _extras(error: ValidationError) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    allowed = schema.get("properties", {})
    instance: Any = error.instance
    return [name for name in instance if name not in allowed]


def _explain(
    error: ValidationError, path: YamlPath, nodes: list[dict[str, Any]], schema: dict[str, Any],
    extra: str | None,
) -> tuple[str, tuple[str, ...]]:
    """The message and hints of one schema error."""
    instance: Any = error.instance
    value: Any = error.validator_value
    subject, found = _subject(path), _found(instance)
    node = nodes[-1] if nodes else {}
    key = next((part for part in reversed(path) if isinstance(part, str)), None)
    example = _example(nodes)
    for_example = (f"for example `{key}: {example}`",) if key and example else ()
    match error.validator:
        case "type" | "oneOf":
            expected = _expected(node, schema, example)
            options = [str(item) for branch in node.get("oneOf", [node])
                       for item in _resolve(schema, branch).get("enum", [])]
            hints = did_you_mean(instance, options) if isinstance(instance, str) else ()
            return f"{subject} must be {expected}; found {found}", hints or for_example
        case "required":
            present = instance if isinstance(instance, dict) else {}
            missing = [name for name in value if name not in present]
            first = missing[0] if missing else "?"
            return f"{subject} has no `{first}`", (f"add `{first}:`",)
        case "additionalProperties":
            extra = extra or "?"
            allowed = list(node.get("properties", {}))
            where = ".".join(str(part) for part in path) or "the contract"
            return (f"unknown key `{extra}` in {where}",
                    did_you_mean(extra, allowed) or (f"allowed here: {', '.join(allowed)}",))
        case "enum":
            listed = ", ".join(shown(item) for item in value)
            hints = did_you_mean(instance, map(str, value)) if isinstance(instance, str) else ()
            return f"{subject} must be one of {listed}; found {found}", hints
        case "const":
            return (f"{subject} must be {shown(value)}; found {found}",
                    (f"write `{key}: {value}`",) if key else ())
        case "pattern":
            description = _annotation(nodes, "description")
            return (f"{shown(str(instance))} is not a valid {_annotation(nodes, 'title')}",
                    (description,) if description else ())
        case "not":
            return (f"{shown(str(instance))} is a word of the clause language and "
                    f"cannot be a {_annotation(nodes, 'title')}", ("choose another name",))
        case "minimum" | "maximum":
            bound = "at least" if error.validator == "minimum" else "at most"
            return f"{subject} must be {bound} {value}; found {found}", for_example
        case "minItems" | "minProperties":
            return f"{subject} is empty", ("add at least one" if value == 1 else
                                           f"add at least {value}",)
        case "uniqueItems":
            twice = [item for item, count in Counter(map(str, instance)).items()
                     if count > 1]
            return f"{subject} lists {shown(twice[0] if twice else '?')} more than once", (
                "remove one of them",)
    return f"{subject}: {error.message}", ()
