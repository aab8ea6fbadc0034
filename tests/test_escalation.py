"""Escalation ladders: which step each missed window reaches, counted by hand."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from slacheck.api import verify
from slacheck.checker import check
from slacheck.diagnostics import ContractError
from slacheck.findings import Result
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml, where

AS_OF = datetime.fromisoformat("2025-01-01T00:00:00+00:00")
HEAD = "contract: {id: e, currency: EUR, timezone: UTC}"
LADDER = ("    escalate:\n"
          "      - 'after 1 missed month within 3 months: notice'\n"
          "      - 'after 2 missed months within 3 months: termination right'\n")


def _run(tmp_path: Path, missed: list[int], steps: str = LADDER,
         groups: tuple[str, ...] = ("A",)) -> Result:
    """One record a month for 2024, per group; the months in `missed` (1-12) fail."""
    text = contract_yaml("ok: bool", "office: string", head=HEAD, standards=(
        "  s:\n    require: ok\n    target: 90% per month by office\n" + steps))
    rows = [{"id": f"{office}{month}", "at": f"2024-{month:02d}-10T00:00:00Z",
             "ok": month not in missed, "office": office}
            for office in groups for month in range(1, 13)]
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return verify(load_contract_text(text, "c.yaml"), [str(data)], as_of=AS_OF)


def _steps(result: Result) -> list[tuple[str, str, tuple[str, ...]]]:
    [standard] = result.standards
    return [(item.window, item.step, item.windows) for item in standard.escalations]


def test_the_highest_step_the_look_back_reaches(tmp_path: Path) -> None:
    # March: 1 miss in Jan-Mar: notice. May: Mar, May in Mar-May: 2: termination right.
    # September: Sep alone in Jul-Sep: notice again. October: Sep, Oct: termination right.
    found = _steps(_run(tmp_path, [3, 5, 9, 10]))
    assert [(window[:7], step) for window, step, _ in found] == [
        ("2024-03", "notice"), ("2024-05", "termination right"), ("2024-09", "notice"),
        ("2024-10", "termination right")]
    assert found[1][2] == ("2024-03 office=A", "2024-05 office=A")


def test_a_run_rule_fires_once_when_the_run_reaches_its_count(tmp_path: Path) -> None:
    steps = "    escalate: 'after 2 consecutive missed months: \"cure plan\"'\n"
    # Jan-Apr missed in a row: the run reaches 2 in February only; July-August again
    found = _steps(_run(tmp_path, [1, 2, 3, 4, 7, 8], steps))
    assert [(window[:7], step) for window, step, _ in found] == [
        ("2024-02", '"cure plan"'), ("2024-08", '"cure plan"')]


def test_each_group_climbs_its_own_ladder(tmp_path: Path) -> None:
    result = _run(tmp_path, [2], groups=("A", "B"))
    assert [window for window, _, _ in _steps(result)] == ["2024-02 office=A",
                                                          "2024-02 office=B"]


@pytest.mark.parametrize(("step", "code", "message"), [
    ("after 1 missed week within 4 weeks: notice", "SLA204",
     "an escalation counts weeks but the target is per month"),
    ("after 4 missed months within 3 months: notice", "SLA203",
     "4 misses cannot fall within 3 months"),
    ("after 1 missed month within 3 weeks: notice", "SLA204",
     "the look-back counts weeks but the target is per month"),
])
def test_an_escalation_counts_the_targets_windows(step: str, code: str, message: str) -> None:
    text = contract_yaml("ok: bool", head=HEAD, standards=(
        f"  s:\n    require: ok\n    target: 90% per month\n    escalate: '{step}'\n"))
    with pytest.raises(ContractError) as info:
        check(load_contract_text(text, "c.yaml"))
    diagnostic = info.value.diagnostics[0]  # a week ladder on a month target: its look-back too
    assert (where(diagnostic)[0], diagnostic.message) == (code, message)


def test_escalations_are_in_the_json_result(tmp_path: Path) -> None:
    from slacheck.reporters import RENDERERS

    report: dict[str, Any] = json.loads(RENDERERS["json"](_run(tmp_path, [6])))
    [step] = report["standards"][0]["escalations"]
    assert (step["step"], step["window"], step["at"]) == (
        "notice", "2024-06 office=A", "2024-07-01T00:00:00+00:00")
    assert [ref["id"] for ref in step["records"]] == ["A6"]
