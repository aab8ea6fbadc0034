"""`verify --fail-on`: what makes the exit code 1, chosen from the conditions a result shows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck import fail_on
from slacheck.api import verify
from slacheck.cli import main
from slacheck.findings import Result, Verdict
from tests.conftest import AS_OF, ROOT, contract_yaml

ACCEPTANCE = ["contracts/motorola-sinotrans.yaml", "examples/motorola-sinotrans/shipments.jsonl"]


@pytest.fixture(scope="module")
def result() -> Result:
    return verify(str(ROOT / ACCEPTANCE[0]), [str(ROOT / ACCEPTANCE[1])],
                  as_of=datetime.fromisoformat(AS_OF))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, ["verify", *ACCEPTANCE, "--as-of", AS_OF, *args])
    return outcome.exit_code, outcome.output


def test_fail_on_defaults_to_the_verdict(result: Result) -> None:
    assert fail_on.fails(result) is result.verdict is Verdict.NON_COMPLIANT
    # every condition but a ladder's step: the acceptance contract has no `escalate`
    assert fail_on.found(result) == frozenset(fail_on.Condition) - {
        fail_on.Condition.ESCALATION}


@pytest.mark.parametrize(("choice", "code"), [
    ("missed,penalty,credit,disqualification", 1), ("missed", 1), ("penalty", 1),
    ("credit", 1), ("disqualification", 1), ("warning", 1), ("none", 0), ("all", 1),
])
def test_fail_on_chooses_what_exits_1(choice: str, code: int) -> None:
    assert _run("--fail-on", choice, "--format", "json")[0] == code


def _compliant_with_warnings(tmp_path: Path) -> list[str]:
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "at": "2025-01-05T10:00:00+08:00", "ok": true}\n'
                    'not json\n', "utf-8")
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", standards="  s:\n    require: ok\n    target: 90% per month\n"), "utf-8")
    return [str(contract), str(data)]


def test_fail_on_warning_fails_a_compliant_run_with_warnings(tmp_path: Path) -> None:
    args = [*_compliant_with_warnings(tmp_path), "--as-of", AS_OF]
    runner = CliRunner()
    assert runner.invoke(main, ["verify", *args]).exit_code == 0
    assert runner.invoke(main, ["verify", *args, "--fail-on", "warning"]).exit_code == 1
    assert runner.invoke(main, ["verify", *args, "--fail-on", "missed,warning"]).exit_code == 1


def test_fail_on_only_warning_lets_a_missed_target_pass(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "at": "2025-01-05T10:00:00+08:00", "ok": false}\n', "utf-8")
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", standards="  s:\n    require: ok\n    target: 90% per month\n"), "utf-8")
    args = ["verify", str(contract), str(data), "--as-of", AS_OF]
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 1
    assert runner.invoke(main, [*args, "--fail-on", "penalty,warning"]).exit_code == 0
    assert runner.invoke(main, [*args, "--fail-on", "missed"]).exit_code == 1


def test_fail_on_keeps_inconclusive(tmp_path: Path) -> None:
    data = tmp_path / "empty.jsonl"
    data.write_text("", "utf-8")
    for choice in ("all", "none", "warning"):
        outcome = CliRunner().invoke(main, ["verify", ACCEPTANCE[0], str(data), "--as-of",
                                            AS_OF, "--fail-on", choice])
        assert outcome.exit_code == 4


def test_fail_on_rejects_unknown_names() -> None:
    code, output = _run("--fail-on", "missed,late")
    assert code == 2
    assert "`missed,late` is not a list of missed" in output
    with pytest.raises(ValueError, match="not a list"):
        fail_on.parse("")


def test_warnings_list_what_the_reports_warn_about(tmp_path: Path) -> None:
    contract, data = _compliant_with_warnings(tmp_path)
    found = verify(contract, [data], as_of=datetime.fromisoformat(AS_OF))
    assert [item.kind for item in fail_on.warnings(found)] == ["rejected-lines"]
    assert fail_on.fails(found) is Verdict.COMPLIANT
    assert fail_on.fails(found, frozenset({fail_on.Condition.WARNING})) is Verdict.NON_COMPLIANT


def test_fail_on_escalation_fails_a_run_that_reached_a_step_of_the_ladder() -> None:
    case = ROOT / "tests" / "cases" / "escalation"
    args = ["verify", str(case / "contract.yaml"), str(case / "records.jsonl"), "--as-of",
            "2024-07-01T00:00:00+08:00", "--fail-on"]
    # the case reaches a notice, a corrective action plan and a termination right, and owes
    # no money: failing on money alone passes, failing on the ladder does not
    assert CliRunner().invoke(main, [*args, "penalty,credit"]).exit_code == 0
    assert CliRunner().invoke(main, [*args, "escalation"]).exit_code == 1
