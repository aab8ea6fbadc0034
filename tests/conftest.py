"""Shared fixtures and the `--update-goldens` switch."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from slacheck.diagnostics import Diagnostic

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "motorola-sinotrans"
CONTRACT = ROOT / "contracts" / "motorola-sinotrans.yaml"
AS_OF = "2025-04-01T00:00:00+08:00"


def contract_yaml(
    *fields: str, head: str = "contract: {id: demo, currency: CNY, timezone: Asia/Shanghai}",
    standards: str = "", parameters: str = "",
) -> str:
    """A test contract: `head`, records with an `id` and an `at` plus `fields` (`name: spec`),
    then `standards` (YAML, indented as under `standards:`)."""
    lines = ["slacheck: 1", head]
    if parameters:
        lines += ["parameters:", *(f"  {item}" for item in parameters.splitlines())]
    lines += ["records:", "  id: id", "  time: at", "  fields:", "    id: string",
              "    at: timestamp", *(f"    {field}" for field in fields)]
    if standards:
        lines += ["standards:", standards.rstrip("\n")]
    return "\n".join(lines) + "\n"


def case_rates(case: Path) -> dict[str, str]:
    """The rates a case folder's `expected.json` gives its run (`"args": ["--rate",
    "SDR=1.35"]`), as `verify(..., rates=...)` takes them."""
    path = case / "expected.json"
    args = json.loads(path.read_text("utf-8")).get("args", []) if path.is_file() else []
    return dict(value.split("=", 1) for flag, value in pairwise(args) if flag == "--rate")


def where(diagnostic: Diagnostic) -> tuple[str, int, int]:
    """Code, line and column, as graphql-core's assert_syntax_error compares them."""
    _, line, column = diagnostic.location
    return (diagnostic.code.code, line, column)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite golden files from the current output instead of comparing.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))
