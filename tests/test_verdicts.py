"""Verdicts a user can act on: never a false COMPLIANT, never a crash read as a verdict.

Each case goes through the command line, where a user meets it; every count and amount
here is worked by hand from the records written in the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slacheck.cli import main
from tests.conftest import contract_yaml

AS_OF = "2025-04-01T00:00:00+00:00"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _files(tmp_path: Path, contract: str, records: list[dict[str, Any]] | str) -> list[str]:
    path = tmp_path / "contract.yaml"
    path.write_text(contract, "utf-8")
    data = tmp_path / "data.jsonl"
    if isinstance(records, str):
        data.write_text(records, "utf-8")
    else:
        data.write_text("".join(json.dumps(item) + "\n" for item in records), "utf-8")
    return [str(path), str(data)]


OK = contract_yaml(
    "ok: bool",
    head="contract: {id: ok, currency: EUR, timezone: UTC}",
    standards="  all-ok:\n    require: ok\n    target: 50% per month\n",
)


def _ok(index: int, ok: bool = True, **more: Any) -> dict[str, Any]:
    return {"id": f"r{index}", "at": f"2025-03-{index + 1:02d}T10:00:00Z", "ok": ok, **more}


# --- nothing evaluated is not compliant -------------------------------------------------

@pytest.mark.parametrize("data", [
    "id,at,ok\nr1,2025-03-01T10:00:00Z,true\n",          # a CSV given as data
    '{"id": "r1", "at": "2025-03-01T10:00:00", "ok": true}\n',  # no UTC offset
    "",                                                    # an empty export
])
def test_nothing_accepted_is_inconclusive(tmp_path: Path, data: str) -> None:
    code, out, err = _run("verify", *_files(tmp_path, OK, data), "--as-of", AS_OF)
    assert code == 4, out + err
    assert "verdict: INCONCLUSIVE" in out
    assert "COMPLIANT\n" not in out.replace("INCONCLUSIVE", "")


def test_nothing_accepted_is_inconclusive_in_json(tmp_path: Path) -> None:
    code, out, _ = _run("verify", *_files(tmp_path, OK, ""), "--as-of", AS_OF,
                        "--format", "json")
    assert code == 4
    report = json.loads(out)
    assert report["verdict"] == "inconclusive"
    assert report["compliant"] is False


def test_only_pending_records_is_inconclusive(tmp_path: Path) -> None:
    contract = contract_yaml(
        "done_at: {type: timestamp, optional: true}",
        standards="  fast:\n    require: done_at within 30d of at\n    target: 90% per month\n",
    )
    records = [{"id": "a", "at": "2025-03-30T00:00:00Z"}]
    code, out, _ = _run("verify", *_files(tmp_path, contract, records), "--as-of", AS_OF)
    assert code == 4
    assert "verdict: INCONCLUSIVE" in out


def test_max_rejected_count_exits_3_before_any_verdict(tmp_path: Path) -> None:
    data = "".join(json.dumps(_ok(i)) + "\n" for i in range(3)) + "not json\n"
    files = _files(tmp_path, OK, data)
    code, out, err = _run("verify", *files, "--as-of", AS_OF, "--max-rejected", "0")
    assert code == 3
    assert "verdict" not in out
    assert "1 line rejected" in err
    assert "--max-rejected 0" in err
    code, out, _ = _run("verify", *files, "--as-of", AS_OF, "--max-rejected", "1")
    assert code == 0
    assert "verdict: COMPLIANT" in out


def test_max_rejected_percent(tmp_path: Path) -> None:
    data = "".join(json.dumps(_ok(i)) + "\n" for i in range(3)) + "not json\n"
    files = _files(tmp_path, OK, data)
    # 1 of 4 lines is 25%
    assert _run("verify", *files, "--as-of", AS_OF, "--max-rejected", "24.9%")[0] == 3
    assert _run("verify", *files, "--as-of", AS_OF, "--max-rejected", "25%")[0] == 0


def test_max_rejected_is_checked(tmp_path: Path) -> None:
    files = _files(tmp_path, OK, "")
    code, _, err = _run("verify", *files, "--as-of", AS_OF, "--max-rejected", "lots")
    assert code == 2
    assert "--max-rejected" in err


def test_text_report_warns_above_one_percent_rejected(tmp_path: Path) -> None:
    good = "".join(json.dumps(_ok(i % 28, id=f"x{i}")) + "\n" for i in range(99))
    files = _files(tmp_path, OK, good + "not json\n")
    _, out, _ = _run("verify", *files, "--as-of", AS_OF)
    assert "WARNING" not in out  # 1 of 100 is not more than 1%
    files = _files(tmp_path, OK, good + "not json\nnot json\n")
    _, out, _ = _run("verify", *files, "--as-of", AS_OF)
    assert "WARNING: 2 of 101 lines (1.98%) were rejected" in out


# --- owed but unpriced is owed -----------------------------------------------------------

def test_unpriced_penalty_is_non_compliant(tmp_path: Path) -> None:
    contract = contract_yaml(
        "ok: bool", "value: {type: money, optional: true}",
        head="contract: {id: m, currency: EUR, timezone: UTC}",
        standards="  all-ok:\n    require: ok\n    window: per month\n"
                  "    penalty: value per breach\n",
    )
    records = [_ok(0), _ok(1, ok=False)]
    code, out, _ = _run("verify", *_files(tmp_path, contract, records), "--as-of", AS_OF)
    assert code == 1
    assert "verdict: NON-COMPLIANT" in out
    assert "1 breach has no penalty amount" in out


# --- a pending scope never makes a record vanish ------------------------------------------

SCOPED: str = contract_yaml(
    "region: {type: string, optional: true}", "done_at: {type: timestamp, optional: true}",
    "hold: {type: bool, optional: true}",
    head="contract: {id: s, currency: EUR, timezone: UTC}",
    standards="  fast:\n    for: region == \"EU\"\n    except: hold\n"
              "    require: done_at within 2d of at\n    target: 90% per month\n",
)


def test_pending_scope_is_counted_and_shown(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"id": "a", "at": "2025-03-01T00:00:00Z", "region": "EU", "hold": False,
         "done_at": "2025-03-02T00:00:00Z"},
        # no region: whether the standard applies is unknown; 345 days overdue
        {"id": "b", "at": "2024-04-21T00:00:00Z", "hold": False},
        # in scope, but whether it is excluded is unknown
        {"id": "c", "at": "2025-03-03T00:00:00Z", "region": "EU",
         "done_at": "2025-03-04T00:00:00Z"},
    ]
    code, out, _ = _run("verify", *_files(tmp_path, SCOPED, records), "--as-of", AS_OF,
                        "--format", "json")
    report = json.loads(out)
    standard = report["standards"][0]
    assert standard["scope_undetermined"]["total"] == 2
    assert [ref["id"] for ref in standard["scope_undetermined"]["records"]] == ["b", "c"]
    _, text, _ = _run("verify", *_files(tmp_path, SCOPED, records), "--as-of", AS_OF)
    assert "scope undetermined: 2 records: b (line 2), c (line 3)" in text
    assert code == 0  # like pending records, shown and counted but not weighed


# --- absent events lie after the evaluation time ------------------------------------------

def _deadline(require: str) -> str:
    return contract_yaml(
        "promised_at: timestamp", "delivered_at: {type: timestamp, optional: true}",
        head="contract: {id: d, currency: EUR, timezone: UTC}",
        standards=f"  on-time:\n    require: {require}\n    target: 50% per month\n",
    )


DEADLINE_RECORDS: list[dict[str, Any]] = [
    {"id": "late", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-03-02T00:00:00Z",
     "delivered_at": "2025-03-03T00:00:00Z"},
    {"id": "ok", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-03-02T00:00:00Z",
     "delivered_at": "2025-03-02T00:00:00Z"},
    # not delivered, promised before the evaluation time: overdue
    {"id": "overdue", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-03-05T00:00:00Z"},
    # not delivered, promised after it: pending
    {"id": "waiting", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-04-05T00:00:00Z"},
]


@pytest.mark.parametrize("require", [
    "delivered_at within 0h of promised_at",
    "delivered_at <= promised_at",
    "promised_at >= delivered_at",
    "not (delivered_at > promised_at)",
    "delivered_at - promised_at <= 0h",
])
def test_every_spelling_of_a_deadline_agrees(tmp_path: Path, require: str) -> None:
    files = _files(tmp_path, _deadline(require), DEADLINE_RECORDS)
    code, out, _ = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    window = json.loads(out)["standards"][0]["windows"][0]
    assert (window["passed"], window["breached"], window["pending"]) == (1, 2, 1)
    assert [ref["id"] for ref in window["breach_records"]] == ["late", "overdue"]
    assert code == 1


def test_an_overdue_record_is_listed_as_overdue_either_way(tmp_path: Path) -> None:
    files = _files(tmp_path, _deadline("delivered_at <= promised_at"), DEADLINE_RECORDS)
    _, out, _ = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    overdue = json.loads(out)["standards"][0]["overdue_open"]
    assert [ref["id"] for ref in overdue["records"]] == ["overdue"]


# --- a crash is not a verdict ------------------------------------------------------------

FILL = contract_yaml(
    "shipped: int", "ordered: int",
    head="contract: {id: f, currency: EUR, timezone: UTC}",
    standards="  fill:\n    require: shipped / ordered >= 0.98\n    target: 50% per month\n",
)


def test_division_by_zero_is_an_evaluation_error_and_the_run_goes_on(tmp_path: Path) -> None:
    records = [
        {"id": "a", "at": "2025-03-01T00:00:00Z", "shipped": 49, "ordered": 50},
        {"id": "b", "at": "2025-03-02T00:00:00Z", "shipped": 0, "ordered": 0},
        {"id": "c", "at": "2025-03-03T00:00:00Z", "shipped": 1, "ordered": 2},
    ]
    files = _files(tmp_path, FILL, records)
    code, out, err = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    assert "Traceback" not in err
    report = json.loads(out)
    window = report["standards"][0]["windows"][0]
    assert (window["passed"], window["breached"]) == (1, 1)
    errors = report["evaluation_errors"]
    assert errors["total"] == 1
    [error] = errors["records"]
    assert error["line"] == 2
    assert error["id"] == "b"
    assert error["standard"] == "fill"
    assert error["clause"] == "require"
    assert "division by zero" in error["reason"]
    assert "ordered" in error["reason"]
    assert code == 0  # a: 49/50 passes, c: 1/2 breaches; 1 of 2 meets the 50% target
    _, text, _ = _run("verify", *files, "--as-of", AS_OF)
    assert "evaluation errors: 1" in text
    assert f"{files[1]}:2: b: fill require: division by zero" in text


def test_an_unexpected_error_is_an_internal_error_not_a_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import slacheck.cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(slacheck.cli, "verify", broken)
    files = _files(tmp_path, OK, [_ok(0)])
    result = CliRunner().invoke(main, ["verify", *files, "--as-of", AS_OF])
    assert result.exit_code == 70
    assert "Traceback" not in result.stderr
    assert "internal error" in result.stderr
    assert "bug" in result.stderr
    assert "RuntimeError: boom" in result.stderr
    result = CliRunner().invoke(main, ["verify", *files, "--as-of", AS_OF, "--debug"])
    assert isinstance(result.exception, RuntimeError)


# --- every disqualification rule applies ---------------------------------------------------

def _rules(rules: str) -> str:
    return contract_yaml(
        "ok: bool",
        head="contract: {id: q, currency: EUR, timezone: UTC}",
        standards=f"  all-ok:\n    require: ok\n    window: per month\n    disqualify: {rules}\n",
    )


QUICK_BREACHES = [
    {"id": "b1", "at": "2025-03-01T10:00:00Z", "ok": False},
    {"id": "b2", "at": "2025-03-01T12:00:00Z", "ok": False},
    {"id": "b3", "at": "2025-03-01T14:00:00Z", "ok": False},
]


@pytest.mark.parametrize("rules", [
    "[after 3 breaches within 1d, after 50 breaches within 90d]",
    "[after 50 breaches within 90d, after 3 breaches within 1d]",
])
def test_every_listed_rule_applies(tmp_path: Path, rules: str) -> None:
    files = _files(tmp_path, _rules(rules), QUICK_BREACHES)
    code, out, _ = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    assert code == 1
    found = json.loads(out)["disqualification"]
    assert found["rule"] == "3 breaches within 1 day"
    assert found["at"] == "2025-03-01T14:00:00+00:00"


def test_the_earliest_rule_wins_and_the_others_are_listed(tmp_path: Path) -> None:
    files = _files(tmp_path, _rules("[after 3 breaches within 1d, on any breach]"),
                   QUICK_BREACHES)
    _, out, _ = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    report = json.loads(out)
    assert report["disqualification"]["rule"] == "a critical breach"
    assert report["disqualification"]["at"] == "2025-03-01T10:00:00+00:00"
    listed = report["standards"][0]["disqualifications"]
    assert [item["rule"] for item in listed] == ["a critical breach", "3 breaches within 1 day"]
    _, text, _ = _run("verify", *files, "--as-of", AS_OF)
    assert "also: 3 breaches within 1 day at 2025-03-01T14:00:00+00:00" in text


# --- a breach is dated when it became certain ----------------------------------------------

def test_a_breach_is_dated_when_it_became_certain(tmp_path: Path) -> None:
    contract = contract_yaml(
        "due_at: timestamp", "delivered_at: {type: timestamp, optional: true}",
        head="contract: {id: t, currency: EUR, timezone: UTC}",
        standards="  not-too-late:\n    require: delivered_at within 15d of due_at\n"
                  "    window: per month\n    disqualify: on any breach\n",
    )
    late = {"id": "late", "at": "2025-01-01T00:00:00Z", "due_at": "2025-01-01T00:00:00Z",
            "delivered_at": "2025-01-20T08:00:00Z"}
    code, out, _ = _run("verify", *_files(tmp_path, contract, [late]), "--as-of", AS_OF,
                        "--format", "json")
    assert code == 1
    assert json.loads(out)["disqualification"]["at"] == "2025-01-20T08:00:00+00:00"
    overdue = {"id": "open", "at": "2025-01-01T00:00:00Z", "due_at": "2025-01-01T00:00:00Z"}
    _, out, _ = _run("verify", *_files(tmp_path, contract, [overdue]), "--as-of", AS_OF,
                     "--format", "json")
    assert json.loads(out)["disqualification"]["at"] == "2025-01-16T00:00:00+00:00"


def test_a_standard_can_name_the_field_that_dates_its_breaches(tmp_path: Path) -> None:
    contract = contract_yaml(
        "lost: bool", "reported_at: timestamp",
        head="contract: {id: t, currency: EUR, timezone: UTC}",
        standards="  safe:\n    require: not lost\n    window: per month\n"
                  "    breach_time: reported_at\n    disqualify: on any breach\n",
    )
    record = {"id": "x", "at": "2025-01-01T00:00:00Z", "lost": True,
              "reported_at": "2025-02-03T04:05:06Z"}
    _, out, _ = _run("verify", *_files(tmp_path, contract, [record]), "--as-of", AS_OF,
                     "--format", "json")
    assert json.loads(out)["disqualification"]["at"] == "2025-02-03T04:05:06+00:00"


# --- a window closes at the contract's end ------------------------------------------------

def test_a_window_past_the_contract_end_closes_with_it(tmp_path: Path) -> None:
    contract = contract_yaml(
        "ok: bool",
        head="contract: {id: w, currency: EUR, timezone: UTC, "
             "effective: {from: \"2025-04-01\", to: \"2025-04-30\"}}",
        standards="  all-ok:\n    require: ok\n    target: 90% per week\n",
    )
    # ISO week 18 of 2025 runs from Monday 28 April to Sunday 4 May
    records = [{"id": "a", "at": "2025-04-29T00:00:00Z", "ok": False}]
    files = _files(tmp_path, contract, records)
    code, out, _ = _run("verify", *files, "--as-of", "2025-05-02T00:00:00Z", "--format", "json")
    window = json.loads(out)["standards"][0]["windows"][0]
    assert window["closed"] is True
    assert window["met"] is False
    assert code == 1


# --- data cannot forge the report ---------------------------------------------------------

def test_control_characters_in_data_cannot_forge_lines_of_the_text_report(tmp_path: Path) -> None:
    forged = "x\nverdict: COMPLIANT\x1b[2J"
    records = [{"id": forged, "at": "2025-03-01T00:00:00Z", "ok": False}]
    files = _files(tmp_path, _rules("on any breach"), records)
    code, out, _ = _run("verify", *files, "--as-of", AS_OF)
    assert code == 1
    assert "\x1b" not in out
    assert [line for line in out.splitlines() if line.startswith("verdict:")] == [
        "verdict: NON-COMPLIANT"]
    assert "x\\nverdict: COMPLIANT\\x1b[2J (line 1)" in out


def test_a_lone_surrogate_in_an_id_is_escaped_in_every_format(tmp_path: Path) -> None:
    line = '{"id": "a\\ud800", "at": "2025-03-01T00:00:00Z", "ok": false}\n'
    files = _files(tmp_path, _rules("on any breach"), line)
    code, out, err = _run("verify", *files, "--as-of", AS_OF)
    assert (code, err) == (1, "")
    assert "a\\ud800 (line 1)" in out
    code, out, err = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    assert (code, err) == (1, "")
    assert json.loads(out)["disqualification"]["records"][0]["id"] == "a\ud800"


# --- implausible data is flagged, not silently on time ----------------------------------

def test_an_event_before_its_start_is_a_plausibility_warning(tmp_path: Path) -> None:
    contract = contract_yaml(
        "picked_up_at: {type: timestamp, optional: true}",
        "delivered_at: {type: timestamp, optional: true}",
        head="contract: {id: p, currency: EUR, timezone: UTC}",
        standards="  fast:\n    require: delivered_at within 24h of picked_up_at\n"
                  "    target: 50% per month\n"
                  "  both:\n    require: delivered_at within 24h of picked_up_at and true\n"
                  "    target: 50% per month\n",
    )
    records = [
        {"id": "ok", "at": "2025-03-01T00:00:00Z", "picked_up_at": "2025-03-01T01:00:00Z",
         "delivered_at": "2025-03-01T05:00:00Z"},
        {"id": "odd", "at": "2025-03-01T00:00:00Z", "picked_up_at": "2025-03-01T09:00:00Z",
         "delivered_at": "2025-03-01T08:00:00Z"},
    ]
    files = _files(tmp_path, contract, records)
    code, out, _ = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    assert code == 0  # still counted as the clause says: both passed
    for standard in json.loads(out)["standards"]:
        assert standard["windows"][0]["passed"] == 2
        assert standard["implausible"] == [{
            "check": "`delivered_at` before `picked_up_at`", "total": 1,
            "records": [{"id": "odd", "line": 2, "source": files[1]}]}]
    _, text, _ = _run("verify", *files, "--as-of", AS_OF)
    assert ("WARNING: 1 record passed with `delivered_at` before `picked_up_at`, most likely "
            "wrong data: odd (line 2)") in text


# --- presence tests and the evaluation time as a value ------------------------------------

def test_is_present_decides_a_scope_and_as_of_prices_an_open_record(tmp_path: Path) -> None:
    contract = contract_yaml(
        "region: {type: string, optional: true}", "delivered_at: {type: timestamp, optional: true}",
        head="contract: {id: p, currency: EUR, timezone: UTC}",
        standards="  open-age:\n    for: delivered_at is absent and region is present\n"
                  "    require: as_of - at <= 30d\n    window: per month\n",
    )
    records = [
        {"id": "a", "at": "2025-01-01T00:00:00Z", "region": "EU"},   # open 90 days: breach
        {"id": "b", "at": "2025-03-20T00:00:00Z", "region": "EU"},   # open 12 days: passes
        {"id": "c", "at": "2025-01-01T00:00:00Z"},                   # no region: out of scope
        {"id": "d", "at": "2025-01-01T00:00:00Z", "region": "EU",
         "delivered_at": "2025-01-02T00:00:00Z"},                    # delivered: out of scope
    ]
    files = _files(tmp_path, contract, records)
    code, out, err = _run("lint", files[0])
    assert (code, out) == (0, "1 contract ok, 1 warning\n")  # the standard has no consequence
    assert "SLA301" not in err  # presence is decided: no optional-in-condition warning
    _, out, _ = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    standard = json.loads(out)["standards"][0]
    assert [(w["window"], w["passed"], w["breached"]) for w in standard["windows"]] == [
        ("2025-01", 0, 1), ("2025-03", 1, 0)]
    assert standard["scope_undetermined"]["total"] == 0


# --- mistakes in the data that would change the money silently -----------------------------

LOSSES = contract_yaml(
    "lost: {type: bool, default: false}", "value: money",
    head="contract: {id: l, currency: CNY, timezone: UTC}",
    standards="  safe:\n    require: not lost\n    window: per month\n"
              "    penalty: value per breach\n",
)


def test_an_undeclared_field_resembling_a_declared_one_is_warned_about(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"id": "a", "at": "2025-03-01T00:00:00Z", "value": "125000.00", "Lost": True},
        {"id": "b", "at": "2025-03-02T00:00:00Z", "value": "10.00", "Lost": True},
        {"id": "c", "at": "2025-03-03T00:00:00Z", "value": "10.00", "note": "fragile"},
    ]
    files = _files(tmp_path, LOSSES, records)
    code, out, _ = _run("verify", *files, "--as-of", AS_OF)
    assert code == 0  # `Lost` is not `lost`: nothing is lost as far as the contract can see
    assert ("WARNING: 2 records have the field `Lost`, which the contract does not declare and "
            "slacheck ignores; did you mean `lost`? (first at " + files[1] + ":1)") in out
    assert "`note`" not in out  # nothing like a declared field: not worth a warning
    _, out, _ = _run("verify", *files, "--as-of", AS_OF, "--format", "json")
    assert json.loads(out)["lines"]["undeclared_fields"] == [
        {"field": "Lost", "records": 2, "source": files[1], "first_line": 1,
         "resembles": "lost"},
        {"field": "note", "records": 1, "source": files[1], "first_line": 3,
         "resembles": None},
    ]


def test_strict_records_reject_undeclared_fields(tmp_path: Path) -> None:
    contract = LOSSES.replace("  time: at\n", "  time: at\n  strict: true\n")
    records: list[dict[str, Any]] = [
        {"id": "a", "at": "2025-03-01T00:00:00Z", "value": "125000.00", "Lost": True},
        {"id": "b", "at": "2025-03-02T00:00:00Z", "value": "10.00", "lost": True},
    ]
    code, out, _ = _run("verify", *_files(tmp_path, contract, records), "--as-of", AS_OF,
                        "--format", "json")
    report = json.loads(out)
    assert (report["lines"]["accepted"], report["lines"]["rejected"]) == (1, 1)
    [rejection] = report["lines"]["rejections"]
    assert (rejection["line"], rejection["field"]) == (1, "Lost")
    assert rejection["reason"].startswith("not declared in the contract")
    assert report["totals"]["penalties"] == "10.00"
    assert code == 1


def test_a_currency_in_the_data_must_be_the_contracts(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"id": "a", "at": "2025-03-01T00:00:00Z", "value": "100.00", "lost": True,
         "currency": "USD"},
        {"id": "b", "at": "2025-03-02T00:00:00Z", "value": "10.00", "lost": True,
         "currency": "CNY"},
    ]
    code, out, _ = _run("verify", *_files(tmp_path, LOSSES, records), "--as-of", AS_OF,
                        "--format", "json")
    report = json.loads(out)
    [rejection] = report["lines"]["rejections"]
    assert (rejection["line"], rejection["field"]) == (1, "currency")
    assert "in \"USD\", but the contract's amounts are in CNY" in rejection["reason"]
    assert report["totals"]["penalties"] == "10.00"  # the USD amount is not read as CNY
    assert code == 1


def test_money_may_be_negative_only_where_the_contract_says(tmp_path: Path) -> None:
    records = [{"id": "a", "at": "2025-03-01T00:00:00Z", "value": "-5.00", "lost": True}]
    _, out, _ = _run("verify", *_files(tmp_path, LOSSES, records), "--as-of", AS_OF,
                     "--format", "json")
    assert json.loads(out)["lines"]["rejected"] == 1
    refunds = LOSSES.replace("value: money", "value: {type: money, negative: true}")
    _, out, _ = _run("verify", *_files(tmp_path, refunds, records), "--as-of", AS_OF,
                     "--format", "json")
    assert json.loads(out)["lines"]["accepted"] == 1
    assert json.loads(out)["totals"]["penalties"] == "-5.00"
