"""`slacheck test`: contract unit tests declared beside the contract; a failing test shows
expected against found."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck import contract_tests
from slacheck.cli import main
from tests.conftest import ROOT

SUITE = ROOT / "contracts" / "tests" / "motorola-sinotrans.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["test", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_example_suite_passes() -> None:
    code, out, err = run(str(SUITE))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "PASS a delivery within 24 hours of pickup passes",
        "PASS a delivery a minute late is a breach and costs 1000 CNY",
        "PASS force majeure excludes a late delivery",
        "PASS a lost shipment is compensated at its value",
        "4 passed, 0 failed",
    ]


def test_a_folder_is_searched_for_test_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "contracts")
    code, out, _ = run()
    assert code == 0
    assert out.endswith("4 passed, 0 failed\n")


def test_run_selects_tests_by_pattern() -> None:
    code, out, _ = run(str(SUITE), "--run", "late|lost")
    assert code == 0
    assert out.splitlines()[-1] == "3 passed, 0 failed"
    code, _, err = run(str(SUITE), "--run", "nothing-like-this")
    assert code == 2
    assert "no test found matching `nothing-like-this`" in err
    code, _, err = run(str(SUITE), "--run", "(")
    assert code == 2
    assert "not a regular expression" in err


def _suite(tmp_path: Path, tests: str) -> Path:
    path = tmp_path / "t.yaml"
    contract = ROOT / "contracts" / "motorola-sinotrans.yaml"
    path.write_text(f'slacheck-tests: 1\ncontract: {contract}\nas_of: "2025-04-01"\n'
                    f"tests:\n{tests}", "utf-8")
    return path


LATE = """\
    records:
      - {shipment_id: T2, service: air_import, office: PEK,
         booked_at: "2025-02-03T08:00:00+08:00", picked_up_at: "2025-02-03T09:00:00+08:00",
         delivered_at: "2025-02-04T09:01:00+08:00",
         value: "500.00", complete: true, accurate: true, billed_correctly: true}
"""


def test_a_failing_test_shows_expected_against_found(tmp_path: Path) -> None:
    path = _suite(tmp_path, "  late but thought fine:\n" + LATE + """\
    expect:
      verdict: COMPLIANT
      penalties: 0
      windows:
        - {standard: delivery-24h, window: 2025-02, status: met, passed: 1, breached: 1}
        - {standard: pickup-2h, window: 2025-02, group: {office: TSN}, passed: 1}
        - {standard: delivery-24h, window: 2025-03}
""")
    code, out, _ = run(str(path))
    assert code == 1
    assert out == f"""\
FAIL late but thought fine ({path}:6)
  totals
  -   verdict: COMPLIANT
  +   verdict: NON-COMPLIANT
  -   penalties: 0
  +   penalties: 1000.00
  delivery-24h 2025-02
  -   status: met
  +   status: missed
  -   passed: 1
  +   passed: 0
  pickup-2h 2025-02 office=TSN: no window with records; found: 2025-02 office=PEK
  delivery-24h 2025-03: no window with records; found: 2025-02
0 passed, 1 failed
"""


def test_records_may_come_from_a_json_lines_file(tmp_path: Path) -> None:
    (tmp_path / "late.jsonl").write_text(
        '{"shipment_id": "T2", "service": "air_import", "office": "PEK", "booked_at": '
        '"2025-02-03T08:00:00+08:00", "picked_up_at": "2025-02-03T09:00:00+08:00", '
        '"delivered_at": "2025-02-04T09:01:00+08:00", "value": "500.00", "complete": true, '
        '"accurate": true, "billed_correctly": true}\n', "utf-8")
    path = _suite(tmp_path, "  from a file:\n    data: late.jsonl\n    expect:\n"
                            "      penalties: '1000.00'\n      rejected: 0\n")
    assert run(str(path))[:2] == (0, "PASS from a file\n1 passed, 0 failed\n")


@pytest.mark.parametrize(("tests", "message"), [
    ("  x: 5\n", "test `x` must be a mapping"),
    ("  x:\n    expect: {}\n", "test `x` has no `records` and no `data`"),
    ("  x:\n    records: [{a: 1}]\n", "test `x` has no `expect:`"),
    ("  x:\n    records: [{a: 1}]\n    expected: {}\n", "unknown key `expected` in test `x`"),
    ("  x:\n    records: [{a: 1}]\n    as_of: soon\n    expect: {}\n", "`as_of: soon` is not"),
    ("  {}\n", "`tests:` holds no test"),
])
def test_a_wrong_test_file_is_refused_with_where(tmp_path: Path, tests: str,
                                                 message: str) -> None:
    path = _suite(tmp_path, tests)
    code, _, err = run(str(path))
    assert code == 2
    assert message in err
    assert str(path) in err


def test_unknown_expectations_fail_the_test(tmp_path: Path) -> None:
    path = _suite(tmp_path, "  x:\n" + LATE + "    expect:\n      penalty: 5\n      windows:\n"
                  "        - {standard: delivery-24h, window: 2025-02, breaches: 1}\n"
                  "        - {standard: nope, window: 2025-02}\n        - {window: 2025-02}\n")
    code, out, _ = run(str(path))
    assert code == 1
    assert "unknown expectation `penalty`" in out
    assert "delivery-24h 2025-02: unknown expectation `breaches`" in out
    assert "no standard `nope` in the contract" in out
    assert "a window expectation names its `standard` and its `window`" in out


def test_a_broken_contract_is_reported_as_such(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text((ROOT / "contracts" / "motorola-sinotrans.yaml").read_text().replace(
        "require: complete and accurate", "require: complete and acurate"), "utf-8")
    path = tmp_path / "t.yaml"
    path.write_text("slacheck-tests: 1\ncontract: c.yaml\nas_of: 2025-04-01\ntests:\n"
                    "  x:\n    records: [{a: 1}]\n    expect: {}\n", "utf-8")
    code, _, err = run(str(path))
    assert code == 2
    assert "the contract" in err
    assert "SLA201 unknown field `acurate`" in err


def test_not_a_test_file_and_missing_paths(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("a: 1\n", "utf-8")
    code, _, err = run(str(other), str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "a test file starts with `slacheck-tests: 1`" in err
    assert "no such file or folder" in err
    assert not contract_tests.is_test_file(tmp_path / "missing.yaml")
    assert contract_tests.is_test_file(SUITE)


def test_coverage_names_what_no_test_exercised() -> None:
    code, out, _ = run(str(SUITE), "--coverage")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "4 passed, 0 failed"
    contract = Path("contracts") / "motorola-sinotrans.yaml"
    start = lines.index(f"coverage of {ROOT / contract}: 15 of 25 parts exercised (60%)")
    assert lines[start + 1:-1] == [
        "  not exercised: pickup-2h: a record breaches `require`",
        "  not exercised: pickup-2h: the target is missed",
        "  not exercised: delivery-24h: the penalty cap is reached",
        "  not exercised: delivery-24h: `disqualify: after 3 consecutive missed months`",
        "  not exercised: perfect-order: a record breaches `require`",
        "  not exercised: perfect-order: the target is missed",
        "  not exercised: perfect-order: a service credit is owed",
        "  not exercised: safe-custody: `disqualify: after 3 breaches within 90d`",
        "  not exercised: billing-accuracy: a record breaches `require`",
        "  not exercised: billing-accuracy: the target is missed",
    ]


def test_fail_under_fails_a_contract_below_the_share() -> None:
    assert run(str(SUITE), "--fail-under", "60")[0] == 0
    code, out, _ = run(str(SUITE), "--fail-under", "61")
    assert code == 1
    assert "(60%)" in out


def test_coverage_counts_tiers_warnings_caps_credits_and_every_rule(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text("""\
slacheck: 1
contract: {id: c, currency: EUR, timezone: UTC}
records:
  id: id
  time: at
  fields: {id: string, at: timestamp, ok: bool, tier: {type: enum, values: [key, other]},
           storm: {type: bool, default: false}}
standards:
  s:
    except: storm
    require: ok
    target: 99% for key, 50% for other per month by tier, warn below 100%
    penalty: 10 EUR per breach, at most 10 EUR per month
    credit: 5 EUR per missed month
    disqualify: [after 1 consecutive missed month, after 2 breaches within 2d, on any breach]
""", "utf-8")
    path = tmp_path / "t.yaml"
    path.write_text("""\
slacheck-tests: 1
contract: c.yaml
as_of: "2025-04-01"
tests:
  two breaches and a storm:
    records:
      - {id: a, at: "2025-01-01T00:00:00Z", ok: false, tier: key}
      - {id: b, at: "2025-01-01T01:00:00Z", ok: false, tier: key}
      - {id: c, at: "2025-01-01T02:00:00Z", ok: true, tier: key, storm: true}
    expect: {penalties: "10.00"}
""", "utf-8")
    code, out, _ = run(str(path), "--coverage")
    assert code == 0, out
    assert [line for line in out.splitlines() if "not exercised" in line] == [
        "  not exercised: s: a record passes `require`",
        "  not exercised: s: the target is met",
        "  not exercised: s: a window is warned",
        "  not exercised: s: the target for `other`",
    ]
    assert "10 of 14 parts exercised (71%)" in out
