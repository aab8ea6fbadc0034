"""End-to-end cases as data: `tests/cases/<name>/` holds `contract.yaml`, `records.jsonl`
and `expected.json`, run through the command line by this one test.

`expected.json` is written by hand from the case's `README.md` (never copied from
slacheck's output): the evaluation time, any more arguments (`args`, such as a
`--rate`), the exit code, and for each standard the
windows in order with the fields worth checking; only the fields it names are compared,
but every window must be listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slacheck.cli import main

# `broken/` is the catalogue of contracts lint must refuse (tests/test_broken_contracts.py)
CASES = sorted(path for path in (Path(__file__).parent / "cases").iterdir()
               if (path / "contract.yaml").is_file())


@pytest.mark.parametrize("case", CASES, ids=[path.name for path in CASES])
def test_case(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    result = CliRunner().invoke(main, [
        "verify", str(case / "contract.yaml"), str(case / "records.jsonl"),
        "--as-of", expected["as_of"], "--format", "json", *expected.get("args", [])],
        catch_exceptions=False)
    assert result.exit_code == expected["exit"], result.stderr
    report = json.loads(result.stdout)
    standards = {standard["id"]: standard for standard in report["standards"]}
    for standard_id, wanted in expected["standards"].items():
        found = standards[standard_id]
        windows = [_key(window) for window in found["windows"]]
        assert windows == [_key(window) for window in wanted["windows"]], standard_id
        for have, want in zip(found["windows"], wanted["windows"], strict=True):
            assert _subset(have, want) == want, f"{standard_id} {_key(want)}"
        if "escalations" in wanted:
            assert [_subset(have, want) for have, want in zip(
                found["escalations"], wanted["escalations"], strict=True)] == \
                wanted["escalations"], f"{standard_id} escalations"
        for kind in ("penalties", "service_credits", "rewards", "payments"):  # the money
            for part, want in wanted.get(kind, {}).items():  # total, windows, records
                have = found[kind][part]
                if isinstance(want, list):
                    have = [_subset(item, wanted_item)
                            for item, wanted_item in zip(have, want, strict=True)]
                elif isinstance(want, dict):  # deferred: a total, an amount and records
                    have = _subset(have, want)
                assert have == want, f"{standard_id} {kind} {part}"
    if "disqualification" in expected:
        assert _subset(report["disqualification"] or {}, expected["disqualification"]) == \
            expected["disqualification"]
    if "pools" in expected:
        assert [_subset(have, want) for have, want in zip(
            report["pools"], expected["pools"], strict=True)] == expected["pools"]
    if "rates" in expected:
        assert [_subset(have, want) for have, want in zip(
            report["rates"], expected["rates"], strict=True)] == expected["rates"]
    for name, value in expected.get("totals", {}).items():
        assert report["totals"][name] == value
    if "verdict" in expected:
        assert report["verdict"] == expected["verdict"]


def _key(window: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return window["window"], tuple(sorted(window.get("group", {}).items()))


def _subset(have: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """The fields of `have` that `want` names; lists of objects (records) likewise."""
    out = {}
    for name, wanted in want.items():
        value = have.get(name)
        if isinstance(wanted, list) and wanted and isinstance(wanted[0], dict) and \
                isinstance(value, list):
            value = [_subset(item, part) for item, part in zip(value, wanted, strict=False)] \
                + value[len(wanted):]
        out[name] = value
    return out
