"""Editor support: the JSON Schema that `slacheck schema` prints (the one the loader
enforces) describes every property with words and examples, the examples are valid, and
the README shows how to point a YAML language server at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
from click.testing import CliRunner

from slacheck.cli import main
from slacheck.loader import contract_schema
from tests.conftest import ROOT


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return node


def _properties(schema: dict[str, Any], node: dict[str, Any],
                path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of the schema (and each map's values), with its path."""
    node = _resolve(schema, node)
    for name, child in node.get("properties", {}).items():
        yield f"{path}.{name}", child
        yield from _properties(schema, child, f"{path}.{name}")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield f"{path}.*", extra
        yield from _properties(schema, extra, f"{path}.*")
    for branch in node.get("oneOf", []):
        yield from _properties(schema, branch, path)


def test_every_property_has_a_description_and_an_example() -> None:
    schema = contract_schema()
    seen = 0
    for path, node in _properties(schema, schema):
        seen += 1
        if "oneOf" in node and not node.get("description"):
            node = {**node, **_resolve(schema, node["oneOf"][0])}
        resolved = _resolve(schema, node)
        assert resolved.get("description"), f"{path} has no description"
        assert resolved.get("examples") or "enum" in resolved or "const" in resolved, (
            f"{path} has no example")
    assert seen > 40


def test_every_example_is_valid_where_it_stands() -> None:
    schema = contract_schema()
    checked = 0
    for _, node in _properties(schema, schema):
        for example in _resolve(schema, node).get("examples", []):
            jsonschema.validate(example, {**node, "$defs": schema["$defs"]})
            checked += 1
    assert checked > 30, checked


def test_the_printed_schema_is_the_enforced_one() -> None:
    result = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert json.loads(result.stdout) == contract_schema()


def test_the_example_contracts_are_valid_against_the_schema() -> None:
    import yaml

    schema = contract_schema()
    for path in sorted((ROOT / "contracts").glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text("utf-8")), schema)


def test_the_readme_shows_the_language_server_setup() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "# yaml-language-server: $schema=" in readme
    assert '"yaml.schemas"' in readme
    assert "slacheck schema >" in readme


def test_a_shape_error_hints_at_the_schemas_example_as_yaml() -> None:
    from slacheck.diagnostics import ContractError
    from slacheck.loader import load_contract_text
    from tests.conftest import contract_yaml

    text = contract_yaml("ok: bool", head="contract: {id: x, currency: EUR, timezone: UTC, "
                         "effective: 2025}",
                         standards="  a:\n    require: ok\n    target: 97% per month\n")
    try:
        load_contract_text(text, "c.yaml")
    except ContractError as error:
        (diagnostic,) = error.diagnostics
    assert diagnostic.message == "`effective` must be a mapping (`key: value` lines); found " \
        "the number `2025`"
    assert diagnostic.hints == (
        'for example `effective: {"from": "2025-01-01", "to": "2025-12-31"}`',)
