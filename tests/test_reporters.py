"""Reporters against golden files; the JSON report against its published schema.

Run `pytest tests/test_reporters.py --update-goldens` after a deliberate change, then read
the diff of `tests/goldens/` before committing it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from slacheck.api import compile_plan, load_checked, verify
from slacheck.findings import Result
from slacheck.reporters import RENDERERS
from slacheck.reporters.json import result_schema
from tests.conftest import AS_OF, ROOT

GOLDENS = Path(__file__).parent / "goldens"


@pytest.fixture(scope="module")
def result() -> Result:
    """The acceptance run, with the paths as a user in the repository would type them."""
    return verify(
        "contracts/motorola-sinotrans.yaml",
        ["examples/motorola-sinotrans/shipments.jsonl"],
        as_of=datetime.fromisoformat(AS_OF),
    )


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_golden(result: Result, fmt: str, update_goldens: bool) -> None:
    golden = GOLDENS / f"motorola-sinotrans.{fmt}"
    rendered = RENDERERS[fmt](result)
    if update_goldens:
        golden.write_text(rendered, "utf-8")
    assert rendered == golden.read_text("utf-8")


def test_json_report_matches_its_schema(result: Result) -> None:
    schema = result_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(RENDERERS["json"](result)))


def test_rendering_is_deterministic(result: Result) -> None:
    for render in RENDERERS.values():
        assert render(result) == render(result)


def test_plan_golden(update_goldens: bool) -> None:
    plan = compile_plan(load_checked("contracts/motorola-sinotrans.yaml"),
                        datetime.fromisoformat(AS_OF))
    golden = GOLDENS / "motorola-sinotrans.plan"
    if update_goldens:
        golden.write_text(plan.describe(), "utf-8")
    assert plan.describe() == golden.read_text("utf-8")
