"""Outputs CI systems consume: JUnit XML, SARIF 2.1.0 and GitHub workflow commands.

The JUnit XML is validated against Jenkins' junit-10.xsd and the SARIF against the SARIF
2.1.0 JSON Schema, both committed in tests/schemas/ (see the README there). Their goldens are
checked with the other reporters' in test_reporters.py.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner

from slacheck.api import verify
from slacheck.cli import main
from slacheck.findings import Result
from slacheck.reporters import RENDERERS, github
from tests.conftest import AS_OF, ROOT, contract_yaml

SCHEMAS = Path(__file__).parent / "schemas"
ACCEPTANCE = ["contracts/motorola-sinotrans.yaml", "examples/motorola-sinotrans/shipments.jsonl"]
CONTRACT_LINES = (ROOT / ACCEPTANCE[0]).read_text("utf-8").splitlines()


@pytest.fixture(scope="module")
def result() -> Result:
    return verify(ACCEPTANCE[0], ACCEPTANCE[1:], as_of=datetime.fromisoformat(AS_OF))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, ["verify", *ACCEPTANCE, "--as-of", AS_OF, *args],
                                 env=env)
    return outcome.exit_code, outcome.output


# -- JUnit ----------------------------------------------------------------------------


def test_junit_validates_against_the_jenkins_schema(result: Result) -> None:
    schema = xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd")
    schema.validate(RENDERERS["junit"](result))


def test_junit_has_a_test_case_per_standard_window_and_group(result: Result) -> None:
    root = ET.fromstring(RENDERERS["junit"](result))
    names = [case.get("name") for case in root.iter("testcase")]
    windows = [f"{s.id} {w.label}" + "".join(f" {k}={v}" for k, v in w.group)
               for s in result.standards for w in s.windows]
    assert [name for name in names if name in windows] == windows
    assert set(names) - set(windows) == {
        "delivery-24h penalties", "delivery-24h disqualification",
        "perfect-order service credits", "safe-custody penalties",
        "safe-custody disqualification"}
    failed = {case.get("name"): case.find("failure").get("type")  # type: ignore[union-attr]
              for case in root.iter("testcase") if case.find("failure") is not None}
    assert failed == {
        "pickup-2h 2025-01 office=PEK": "missed-target",
        "pickup-2h 2025-02 office=PEK": "missed-target",
        "delivery-24h 2025-01": "missed-target", "delivery-24h 2025-02": "missed-target",
        "delivery-24h penalties": "penalty",
        "perfect-order 2025-01": "missed-target",
        "perfect-order service credits": "service-credit",
        "safe-custody 2025-01": "breach", "safe-custody 2025-02": "breach",
        "safe-custody 2025-03": "breach",
        "safe-custody penalties": "penalty", "safe-custody disqualification": "disqualification",
    }
    assert root.get("tests") == str(len(names))
    assert root.get("failures") == str(len(failed))


def test_junit_names_come_from_ids_not_from_messages(tmp_path: Path) -> None:
    """The same windows under other figures keep their names: a CI follows them by name."""
    later = verify(ACCEPTANCE[0], ACCEPTANCE[1:],
                   as_of=datetime.fromisoformat("2025-03-20T00:00:00+08:00"))
    earlier = ET.fromstring(RENDERERS["junit"](later))
    now = ET.fromstring(RENDERERS["junit"](verify(ACCEPTANCE[0], ACCEPTANCE[1:],
                                                  as_of=datetime.fromisoformat(AS_OF))))
    assert ([case.get("name") for case in earlier.iter("testcase")]
            == [case.get("name") for case in now.iter("testcase")])


def test_junit_skips_windows_without_evidence(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "at": "2025-01-05T10:00:00+08:00", "ok": true}\n'
                    '{"id": "b", "at": "2025-03-05T10:00:00+08:00", "ok": true, "fm": true}\n',
                    "utf-8")
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", "fm: {type: bool, default: false}",
        standards="  s:\n    require: ok\n    except: fm\n    target: 90% per month\n"), "utf-8")
    found = verify(contract, [str(data)], as_of=datetime.fromisoformat(AS_OF))
    text = RENDERERS["junit"](found)
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(text)
    cases = {case.get("name"): case for case in ET.fromstring(text).iter("testcase")}
    assert list(cases) == ["s 2025-01", "s 2025-02", "s 2025-03"]
    assert cases["s 2025-02"].find("skipped").get("message") == (  # type: ignore[union-attr]
        "not evaluated: no records in this window")
    assert cases["s 2025-03"].find("skipped").get("message") == (  # type: ignore[union-attr]
        "not evaluated: every record pending or excluded")


def test_junit_text_from_data_stays_well_formed(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": "<&]]>\u0001\"'", "at": "2025-01-05T10:00:00+08:00",
                                "ok": False}) + "\n", "utf-8")
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", standards="  s:\n    require: ok\n    target: 90% per month\n"), "utf-8")
    found = verify(contract, [str(data)], as_of=datetime.fromisoformat(AS_OF))
    text = RENDERERS["junit"](found)
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(text)
    failure = ET.fromstring(text).find(".//failure")
    assert failure is not None
    assert "<&]]>\\x01\"'" in (failure.text or "")


# -- SARIF ----------------------------------------------------------------------------


def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_sarif_validates_against_the_sarif_schema(result: Result) -> None:
    log = json.loads(RENDERERS["sarif"](result))
    _sarif_validator().validate(log)
    assert log["version"] == "2.1.0"


def test_sarif_locates_each_finding_at_its_clause(result: Result) -> None:
    (run,) = json.loads(RENDERERS["sarif"](result))["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    seen = set()
    for item in run["results"]:
        assert rules[item["ruleIndex"]] == item["ruleId"]
        (location,) = item["locations"]
        physical = location["physicalLocation"]
        uri, line = physical["artifactLocation"]["uri"], physical["region"]["startLine"]
        kind = {"missed-target": "target", "penalty": "penalty", "service-credit": "credit",
                "disqualification": "disqualify", "breach": "require"}.get(item["ruleId"])
        if kind is None:
            assert item["ruleId"] == "rejected-line"
            assert uri == ACCEPTANCE[1]
            continue
        assert uri == ACCEPTANCE[0]
        assert CONTRACT_LINES[line - 1].strip().startswith(f"{kind}:"), (item, line)
        seen.add((item["ruleId"], item.get("properties", {}).get("standard"), line))
    assert ("disqualification", "safe-custody", 66) in seen
    assert ("missed-target", "delivery-24h", 51) in seen
    assert ("service-credit", "perfect-order", 59) in seen
    missed = [item for item in run["results"] if item["ruleId"] == "missed-target"]
    assert len(missed) == 5
    assert [item["properties"].get("group") for item in missed][:2] == ["office=PEK"] * 2
    rejected = [item["locations"][0]["physicalLocation"]["region"]["startLine"]
                for item in run["results"] if item["ruleId"] == "rejected-line"]
    assert rejected == [101, 202, 303, 404, 505, 606]


def test_sarif_fingerprints_are_stable_and_distinct(result: Result) -> None:
    (run,) = json.loads(RENDERERS["sarif"](result))["runs"]
    prints = [item["partialFingerprints"]["slacheckFinding/v1"] for item in run["results"]]
    assert len(set(prints)) == len(prints)
    later = verify(ACCEPTANCE[0], ACCEPTANCE[1:],
                   as_of=datetime.fromisoformat("2025-06-01T00:00:00+08:00"))
    (other,) = json.loads(RENDERERS["sarif"](later))["runs"]
    by_key = {(i["ruleId"], json.dumps(i.get("properties"))): i for i in other["results"]}
    for item in run["results"]:
        twin = by_key.get((item["ruleId"], json.dumps(item.get("properties"))))
        if twin is not None and item["ruleId"] != "rejected-line":
            assert twin["partialFingerprints"] == item["partialFingerprints"]


def test_sarif_of_a_compliant_run_has_no_results(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "at": "2025-01-05T10:00:00+08:00", "ok": true}\n', "utf-8")
    contract = tmp_path / "my contract.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", standards="  s:\n    require: ok\n    target: 90% per month\n"), "utf-8")
    found = verify(contract, [str(data)], as_of=datetime.fromisoformat(AS_OF))
    log = json.loads(RENDERERS["sarif"](found))
    _sarif_validator().validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["artifacts"][0]["location"]["uri"].endswith("my%20contract.yaml")


# -- GitHub ---------------------------------------------------------------------------

_COMMAND = re.compile(r"::(error|warning|notice) (?:file=([^,]*),line=(\d+),)?title=([^:]*)::(.*)")


def test_github_annotations_point_at_real_lines(result: Result) -> None:
    lines = RENDERERS["github"](result).splitlines()
    assert lines[-1] == ("slacheck: motorola-sinotrans: NON-COMPLIANT; penalties 159050.50 CNY, "
                         "service credits 10000.00 CNY")
    commands = [_COMMAND.fullmatch(line) for line in lines[:-1]]
    assert all(commands), [line for line, found in zip(lines, commands, strict=False)
                           if not found]
    located = [found for found in commands if found and found[2]]
    for found in located:
        path, line = found[2], int(found[3])
        assert "%" not in path
        if path == ACCEPTANCE[0]:
            assert CONTRACT_LINES[line - 1].strip().split(":")[0] in (
                "target", "penalty", "credit", "disqualify", "require")
        else:
            assert path == ACCEPTANCE[1]
            assert line in (101, 202, 303, 404, 505, 606)
    first = commands[0]
    assert first is not None
    assert first[1] == "error"
    assert first[3] == "66"
    assert first[4] == "safe-custody%3A disqualified"
    missed = [found[5] for found in commands if found and "target missed" in found[4]]
    assert ("delivery-24h (Air freight delivered within 24 hours of pickup): February 2025: "
            "95.15%25 (216 of 227) met the standard, below the 97%25 target by 5 records: 5 of "
            "its 11 breaches would have had to pass to reach 97%25.") in missed


def test_github_escapes_what_would_end_a_command() -> None:
    assert github._data("50% of a\nb\r") == "50%25 of a%0Ab%0D"
    assert github._property("a:b,c") == "a%3Ab%2Cc"


def test_github_writes_the_job_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", "utf-8")
    code, output = _run("--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 1
    assert output.startswith("::error file=contracts/motorola-sinotrans.yaml")
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n# SLA audit: Motorola (China)")  # appended
    assert "## Verdict: Non-compliant" in text
    assert "## The period at a glance" in text
    assert "## Ledger" not in text  # the summary, not the whole report
    code, _ = _run("--format", "github", env={"GITHUB_STEP_SUMMARY": ""})
    assert code == 1


def test_github_summary_that_cannot_be_written_is_a_command_error(tmp_path: Path) -> None:
    code, _output = _run("--format", "github",
                        env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "such" / "file")})
    assert code == 2


# -- amounts due per missed window, and escalation ladders -------------------------------


def _case(name: str) -> Result:
    folder = Path("tests") / "cases" / name
    as_of = json.loads((ROOT / folder / "expected.json").read_text("utf-8"))["as_of"]
    return verify(str(folder / "contract.yaml"), [str(folder / "records.jsonl")],
                  as_of=datetime.fromisoformat(as_of))


def test_a_penalty_due_per_missed_window_fails_junit_and_is_located_in_sarif() -> None:
    # tests/cases/chargeback: June 2024 missed, 3% of 335.50 = 10.065 -> 10.07 USD owed; no
    # record is a breach (the target is on the window's sums), which once hid the amount
    result = _case("chargeback")
    junit = RENDERERS["junit"](result)
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(junit)
    case = next(item for item in ET.fromstring(junit).iter("testcase")
                if item.get("name") == "otif penalties")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "10.07 USD in penalties owed under otif"
    sarif = json.loads(RENDERERS["sarif"](result))
    _sarif_validator().validate(sarif)
    (penalty,) = [item for item in sarif["runs"][0]["results"] if item["ruleId"] == "penalty"]
    # the penalty clause is line 25 of the case's contract
    assert penalty["locations"][0]["physicalLocation"]["region"] == {"startLine": 25}
    assert penalty["message"]["text"].endswith("= 10.065, rounded half up to 10.07; net "
                                               "10.07 USD.")


def test_escalation_steps_fail_junit_and_are_located_at_their_clauses() -> None:
    # tests/cases/escalation: a notice (line 21) when February closed, a plan (line 22) when
    # April did, a termination right (line 23) when June did
    result = _case("escalation")
    junit = RENDERERS["junit"](result)
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(junit)
    case = next(item for item in ET.fromstring(junit).iter("testcase")
                if item.get("name") == "on-time escalation")
    failure = case.find("failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == (
        "termination-right", "termination right under on-time as of 1 July 2024 at 00:00 "
                             "(UTC+08:00)")
    sarif = json.loads(RENDERERS["sarif"](result))
    _sarif_validator().validate(sarif)
    steps = [(item["level"], item["locations"][0]["physicalLocation"]["region"]["startLine"],
              item["properties"]["window"])
             for item in sarif["runs"][0]["results"] if item["ruleId"] == "escalation"]
    assert steps == [("warning", 21, "2024-02"), ("warning", 22, "2024-04"),
                     ("error", 23, "2024-06")]
    fingerprints = [item["partialFingerprints"]["slacheckFinding/v1"]
                    for item in sarif["runs"][0]["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
