"""The JSON result carries each standard's clause lines (`clause_lines`), an additive field
of version 1 that its schema describes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import jsonschema
import pytest

from slacheck.api import verify
from slacheck.reporters import RENDERERS
from slacheck.reporters.json import SCHEMA, result_schema
from tests.conftest import AS_OF, CONTRACT, EXAMPLE


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    result = verify(CONTRACT, [str(EXAMPLE / "shipments.jsonl")],
                    as_of=datetime.fromisoformat(AS_OF))
    found: dict[str, Any] = json.loads(RENDERERS["json"](result))
    return found


def test_clause_lines_name_the_lines_of_the_contract(document: dict[str, Any]) -> None:
    # contracts/motorola-sinotrans.yaml, read by eye: `delivery-24h:` on line 46, its
    # `title` on 47, then for, except, require, target, penalty, disqualify on 48 to 53
    delivery = next(s for s in document["standards"] if s["id"] == "delivery-24h")
    assert delivery["clause_lines"] == [
        {"kind": "standard", "line": 46}, {"kind": "for", "line": 48},
        {"kind": "except", "line": 49}, {"kind": "require", "line": 50},
        {"kind": "target", "line": 51}, {"kind": "penalty", "line": 52},
        {"kind": "disqualify", "line": 53}]
    lines = CONTRACT.read_text("utf-8").splitlines()
    for standard in document["standards"]:
        kinds = [item["kind"] for item in standard["clause_lines"]]
        assert kinds[0] == "standard"
        # the clauses in the order of `clauses` (a clause without a line is left out)
        clause_kinds = [item["kind"] for item in standard["clauses"]]
        assert [kind for kind in clause_kinds if kind in kinds[1:]] == kinds[1:]
        for item in standard["clause_lines"]:
            written = lines[item["line"] - 1].strip()
            assert written.startswith(f"{standard['id']}:" if item["kind"] == "standard"
                                      else f"{item['kind']}:")


def test_the_schema_describes_clause_lines_and_still_takes_older_reports(
        document: dict[str, Any]) -> None:
    schema = result_schema()
    validator = jsonschema.Draft202012Validator(schema)
    assert document["schema"] == SCHEMA == "slacheck.result/1"
    validator.validate(document)
    older = json.loads(json.dumps(document))
    for standard in older["standards"]:
        del standard["clause_lines"]
    validator.validate(older)  # additive: a report written before the field still validates
    wrong = json.loads(json.dumps(document))
    wrong["standards"][0]["clause_lines"][0]["line"] = "46"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(wrong)
