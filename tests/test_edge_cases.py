"""Edge cases of the engine, the reader and the checker, through the public API.

Each figure is worked out by hand from the records written in the test; the evaluation
time is 1 April 2025, midnight UTC, unless a test says otherwise.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import lark
import pytest
from click.testing import CliRunner

from slacheck import _grammar_tables as stored
from slacheck import _tables
from slacheck.api import load_checked, verify
from slacheck.cli import main
from slacheck.findings import Result, StandardResult
from slacheck.loader import load_contract_text
from slacheck.parser import STARTS
from tests.conftest import contract_yaml

AS_OF = datetime.fromisoformat("2025-04-01T00:00:00+00:00")
HEAD = "contract: {id: e, currency: EUR, timezone: UTC}"

Row = dict[str, Any] | str


def _contract(fields: list[str], standards: str, head: str = HEAD) -> str:
    return contract_yaml(*fields, head=head, standards=standards)


def _data(tmp_path: Path, rows: list[Row]) -> str:
    path = tmp_path / "data.jsonl"
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n"
                            for row in rows), "utf-8")
    return str(path)


def _run(tmp_path: Path, fields: list[str], standards: str, rows: list[Row]) -> Result:
    contract = load_contract_text(_contract(fields, standards), "c.yaml")
    return verify(contract, [_data(tmp_path, rows)], as_of=AS_OF)


def _only(result: Result) -> StandardResult:
    [standard] = result.standards
    return standard


def _lint(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "contract.yaml"
    path.write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["lint", str(path)])
    return result.exit_code, result.stderr


# --- windows grouped by a yes/no field --------------------------------------------------------

def test_a_window_grouped_by_a_bool_field_names_it_true_or_false(tmp_path: Path) -> None:
    result = _run(tmp_path, ["ok: bool", "express: bool"],
                  "  s:\n    require: ok\n    target: 50% per month by express\n"
                  "    credit: 7.00 EUR per missed month\n", [
                      {"id": "a", "at": "2025-03-01T00:00:00Z", "ok": True, "express": True},
                      {"id": "b", "at": "2025-03-02T00:00:00Z", "ok": False, "express": False},
                  ])
    standard = _only(result)
    # express=false: 0 of 1 passed, missed; express=true: 1 of 1, met
    assert [(w.group, w.met) for w in standard.windows] == [
        ((("express", "false"),), False), ((("express", "true"),), True),
    ]
    assert [(c.label, c.amount) for c in standard.credits] == [
        ("2025-03 express=false", Decimal("7.00")),
    ]


# --- disqualification rules that find nothing -------------------------------------------------

def test_on_any_breach_without_a_breach_does_not_disqualify(tmp_path: Path) -> None:
    result = _run(tmp_path, ["ok: bool"],
                  "  s:\n    require: ok\n    window: per month\n    disqualify: on any breach\n",
                  [{"id": "a", "at": "2025-03-01T00:00:00Z", "ok": True}])
    assert result.disqualification is None
    assert _only(result).disqualifications == ()
    assert result.compliant


# --- absent events: what the bound decides, and what it cannot --------------------------------

OPTIONAL_TIMES = ["promised_at: {type: timestamp, optional: true}",
                  "delivered_at: {type: timestamp, optional: true}"]


def test_a_comparison_of_two_absent_events_stays_pending(tmp_path: Path) -> None:
    result = _run(tmp_path, OPTIONAL_TIMES,
                  "  s:\n    require: delivered_at <= promised_at\n    target: 50% per month\n",
                  [{"id": "a", "at": "2025-03-01T00:00:00Z"}])
    [window] = _only(result).windows
    assert (window.passed, window.breached, window.pending) == (0, 0, 1)
    assert result.verdict.value == "inconclusive"


def test_two_absent_events_add_up_to_a_late_round_trip(tmp_path: Path) -> None:
    standards = ("  s:\n    require: (done_at - at) + (back_at - at) <= 48h\n"
                 "    target: 50% per month\n")
    rows: list[Row] = [
        # neither event by 1 April: each leg is at least 31 days, together far past 48 hours
        {"id": "a", "at": "2025-03-01T00:00:00Z"},
        # an hour before the evaluation time: at least 1 h + 1 h, which may still be in time
        {"id": "b", "at": "2025-03-31T23:00:00Z"},
        # done in 1 h, back not yet: at least 1 h + 24 h, which may still be in time
        {"id": "c", "at": "2025-03-31T00:00:00Z", "done_at": "2025-03-31T01:00:00Z"},
    ]
    result = _run(tmp_path, ["done_at: {type: timestamp, optional: true}",
                             "back_at: {type: timestamp, optional: true}"], standards, rows)
    standard = _only(result)
    [window] = standard.windows
    assert (window.passed, window.breached, window.pending) == (0, 1, 2)
    assert [ref.id for ref in window.breaches] == ["a"]
    assert [ref.id for ref in standard.overdue_open] == ["a"]


# --- evaluation errors name their reason ------------------------------------------------------

def test_a_deadline_past_the_last_date_is_an_evaluation_error(tmp_path: Path) -> None:
    rows: list[Row] = [
        # a wait of 36,500 days (the longest a record may hold) times 10,000 is 365 million
        # days: past any date Python can hold
        {"id": "a", "at": "2025-03-01T00:00:00Z", "wait": 36_500 * 86_400,
         "done_at": "2025-03-02T00:00:00Z"},
        # done in 30 minutes of 10,000 seconds allowed
        {"id": "b", "at": "2025-03-01T00:00:00Z", "wait": 1,
         "done_at": "2025-03-01T00:30:00Z"},
    ]
    result = _run(tmp_path, ["wait: duration", "done_at: timestamp"],
                  "  s:\n    require: done_at within wait * 10000 of at\n"
                  "    target: 50% per month\n", rows)
    [error] = result.evaluation_errors
    assert (error.record.id, error.standard, error.clause) == ("a", "s", "require")
    assert error.reason.startswith("a date or duration out of range")
    [window] = _only(result).windows
    assert (window.passed, window.breached) == (1, 0)
    assert result.compliant


def test_a_huge_penalty_is_priced_exactly(tmp_path: Path) -> None:
    rows: list[Row] = [
        # 18 integer digits, the most a record may hold, times 10^14: 34 significant digits,
        # beyond the default decimal context's 28, and still exact
        {"id": "a", "at": "2025-03-01T00:00:00Z", "ok": False,
         "value": "999999999999999999.99"},
        {"id": "b", "at": "2025-03-02T00:00:00Z", "ok": False, "value": "12.34"},
    ]
    result = _run(tmp_path, ["ok: bool", "value: money"],
                  "  s:\n    require: ok\n    window: per month\n"
                  "    penalty: value * 100000000000000 per breach\n", rows)
    assert result.evaluation_errors == ()
    standard = _only(result)
    # by hand: (10^18 - 0.01) x 10^14 + 12.34 x 10^14 = 10^32 - 10^12 + 1234 x 10^12
    #        = 10^32 + 1233 x 10^12
    assert str(standard.penalties) == "100000000000000001233000000000000.00"
    assert result.verdict.value == "non-compliant"


# --- the reader ---------------------------------------------------------------------------------

def test_money_stays_exact_when_its_key_also_names_a_nested_field(tmp_path: Path) -> None:
    # "value" occurs twice in the line, so the amount cannot be read from the text alone:
    # the line is parsed again with exact decimals; 1.10 + 0.20 is 1.30, not 1.3000000000000003
    rows: list[Row] = [
        '{"id": "a", "at": "2025-03-01T00:00:00Z", "ok": false, "value": 1.10, '
        '"note": {"value": 2}}',
        '{"id": "b", "at": "2025-03-02T00:00:00Z", "ok": false, "value": 0.20}',
    ]
    result = _run(tmp_path, ["ok: bool", "value: money"],
                  "  s:\n    require: ok\n    window: per month\n    penalty: value per breach\n",
                  rows)
    standard = _only(result)
    assert [(p.record.id, p.amount) for p in standard.record_penalties] == [
        ("a", Decimal("1.10")), ("b", Decimal("0.20")),
    ]
    assert str(standard.penalties) == "1.30"


def test_json_nested_deeper_than_the_parser_goes_is_rejected(tmp_path: Path) -> None:
    rows: list[Row] = ["[" * 5000 + "]" * 5000, {"id": "a", "at": "2025-03-01T00:00:00Z",
                                                 "ok": True}]
    result = _run(tmp_path, ["ok: bool"], "  s:\n    require: ok\n    window: per month\n", rows)
    assert (result.lines.read, result.lines.accepted, result.lines.rejected) == (2, 1, 1)
    [rejection] = result.lines.rejections
    assert rejection.line == 1
    assert rejection.reason.startswith("not valid JSON")


def test_a_whole_number_or_a_date_of_the_wrong_json_type_is_rejected(tmp_path: Path) -> None:
    rows: list[Row] = [
        {"id": "a", "at": "2025-03-01T00:00:00Z", "n": True, "day": "2025-01-01"},
        {"id": "b", "at": "2025-03-01T00:00:00Z", "n": 1, "day": 20250101},
        {"id": "c", "at": "2025-03-01T00:00:00Z", "n": [1], "day": "2025-01-01"},
        {"id": "d", "at": "2025-03-01T00:00:00Z", "n": 2, "day": "2025-01-01"},
    ]
    result = _run(tmp_path, ["n: int", "day: date"],
                  "  s:\n    require: n > 0\n    window: per month\n", rows)
    assert [(item.line, item.field) for item in result.lines.rejections] == [
        (1, "n"), (2, "day"), (3, "n"),
    ]
    reasons = [item.reason for item in result.lines.rejections]
    assert reasons[0].startswith("not a number")
    assert reasons[1].startswith("not a valid date")
    assert reasons[2].startswith("not a number")
    assert result.lines.accepted == 1


def test_a_comparison_can_be_compared_with_a_flag(tmp_path: Path) -> None:
    # the provider's own on-time flag must agree with the times it reports
    rows: list[Row] = [
        # on time, flagged on time: agrees
        {"id": "a", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-03-02T00:00:00Z",
         "delivered_at": "2025-03-01T12:00:00Z", "on_time": True},
        # a day late, flagged on time: disagrees
        {"id": "b", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-03-02T00:00:00Z",
         "delivered_at": "2025-03-03T00:00:00Z", "on_time": True},
        # not delivered, promised for 2 March: late by 1 April, flagged late: agrees
        {"id": "c", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-03-02T00:00:00Z",
         "on_time": False},
        # not delivered, promised for 2 May: not known yet
        {"id": "d", "at": "2025-03-01T00:00:00Z", "promised_at": "2025-05-02T00:00:00Z",
         "on_time": False},
    ]
    result = _run(tmp_path, ["promised_at: timestamp",
                             "delivered_at: {type: timestamp, optional: true}", "on_time: bool"],
                  "  s:\n    require: (delivered_at <= promised_at) == on_time\n"
                  "    target: 50% per month\n", rows)
    [window] = _only(result).windows
    assert (window.passed, window.breached, window.pending) == (2, 1, 1)
    assert [ref.id for ref in window.breaches] == ["b"]


# --- the public API takes a checked contract too ----------------------------------------------

def test_verify_takes_a_contract_already_checked(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(_contract(["ok: bool"], "  s:\n    require: ok\n    target: 50% per month\n"),
                    "utf-8")
    data = _data(tmp_path, [{"id": "a", "at": "2025-03-01T00:00:00Z", "ok": False}])
    checked = verify(load_checked(path), [data], as_of=AS_OF)
    assert checked == verify(str(path), [data], as_of=AS_OF)
    assert _only(checked).missed_windows == ("2025-03",)


# --- contract problems the loader and the checker report --------------------------------------

def test_lint_reports_a_contract_that_ends_before_it_starts(tmp_path: Path) -> None:
    head = 'contract: {id: e, currency: EUR, timezone: UTC, effective: {from: "2025-05-01", ' \
           'to: "2025-04-30"}}'
    code, err = _lint(tmp_path, _contract(["ok: bool"],
                                          "  s:\n    require: ok\n    window: per month\n", head))
    assert code == 2
    assert "SLA203 the contract ends before it starts" in err


def test_lint_reports_a_breach_time_that_is_not_a_declared_timestamp(tmp_path: Path) -> None:
    standards = """\
  s:
    require: ok
    window: per month
    breach_time: reportd_at
  t:
    require: ok
    window: per month
    breach_time: ok
"""
    code, err = _lint(tmp_path, _contract(["ok: bool", "reported_at: timestamp"], standards))
    assert code == 2
    assert "SLA201 the breach time field `reportd_at` is not declared" in err
    assert "did you mean `reported_at`?" in err
    assert "SLA203 the breach time field `ok` must be a timestamp, not bool" in err
    assert "2 problems in 1 contract" in err


@pytest.mark.parametrize(("field", "message"), [
    ('due: {type: timestamp, default: "2025-01-01T00:00:00"}',
     "default `2025-01-01T00:00:00` is not a timestamp"),  # no UTC offset
    ('day: {type: date, default: "2025-02-30"}', "default `2025-02-30` is not a date"),
    ("fee: {type: money, default: true}", "is not a money"),  # a bool is not an amount
])
def test_lint_reports_a_default_of_the_wrong_type(tmp_path: Path, field: str,
                                                  message: str) -> None:
    code, err = _lint(tmp_path, _contract(["ok: bool", field],
                                          "  s:\n    require: ok\n    window: per month\n"))
    assert code == 2
    assert "SLA203" in err
    assert message in err
    assert "slacheck: 1 problem" in err


@pytest.mark.parametrize(("require", "message"), [
    ("-ok", "cannot negate bool"),
    ("5% of name == \"x\"", "cannot take a percentage of string"),
    ("office in [TSN, 2]", "number cannot be a value of enum[TSN, PEK]"),
])
def test_lint_reports_a_type_mismatch(tmp_path: Path, require: str, message: str) -> None:
    fields = ["ok: bool", "name: string", "office: {type: enum, values: [TSN, PEK]}"]
    code, err = _lint(tmp_path, _contract(fields, f"  s:\n    require: {require}\n"
                                                  "    window: per month\n"))
    assert code == 2
    assert f"SLA202 {message}" in err


def test_an_enum_list_may_name_another_enum_field(tmp_path: Path) -> None:
    # `home` is a field here, not a value: the office must be the record's own home office
    fields = ["office: {type: enum, values: [TSN, PEK]}", "home: {type: enum, values: [TSN, PEK]}"]
    rows: list[Row] = [
        {"id": "a", "at": "2025-03-01T00:00:00Z", "office": "TSN", "home": "TSN"},
        {"id": "b", "at": "2025-03-02T00:00:00Z", "office": "PEK", "home": "TSN"},
    ]
    result = _run(tmp_path, fields, "  s:\n    require: office in [home]\n"
                                    "    window: per month\n", rows)
    [window] = _only(result).windows
    assert (window.passed, window.breached) == (1, 1)
    assert [ref.id for ref in window.breaches] == ["b"]


# --- the parser tables ----------------------------------------------------------------------

def test_tables_made_for_another_grammar_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored, "GRAMMAR_SHA256", "0" * 64)
    parser = _tables.load(STARTS)
    assert parser.source_path != "<deserialized>"  # built from the grammar instead
    text = "delivered_at within 24h of picked_up_at"
    assert parser.parse(text, start="start_expr") == _tables.build(STARTS).parse(
        text, start="start_expr")


def test_tables_that_do_not_load_are_built_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    if lark.__version__ != stored.LARK_VERSION:
        pytest.skip("the stored tables are for another Lark; the parser builds its own")
    monkeypatch.setattr(stored, "TABLES", {"data": {}, "memo": {}})
    assert _tables.load(STARTS).source_path != "<deserialized>"


def test_a_checkout_without_stored_tables_builds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import slacheck

    monkeypatch.delattr(slacheck, "_grammar_tables")
    monkeypatch.setitem(sys.modules, "slacheck._grammar_tables", None)  # import fails
    assert _tables.load(STARTS).source_path != "<deserialized>"


def test_written_tables_load_and_parse_as_built_ones(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    written = tmp_path / "tables.py"
    _tables.write(STARTS, written)
    namespace: dict[str, Any] = {}
    exec(compile(written.read_text("utf-8"), str(written), "exec"), namespace)
    assert namespace["GRAMMAR_SHA256"] == _tables.grammar_sha256()
    assert namespace["LARK_VERSION"] == lark.__version__
    for name in ("GRAMMAR_SHA256", "LARK_VERSION", "TABLES"):
        monkeypatch.setattr(stored, name, namespace[name])
    loaded = _tables.load(STARTS)
    assert loaded.source_path == "<deserialized>"  # the written tables were used
    text = "service in [air, road] and delivered_at within 24h of picked_up_at"
    assert loaded.parse(text, start="start_expr") == _tables.build(STARTS).parse(
        text, start="start_expr")
