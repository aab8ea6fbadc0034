"""Money and verdicts at their boundaries: the cases a wrong comparison, a wrong sort key
or a lost sum would get wrong while every other test still passes (see bench/mutate.py).

Everything goes through the public API (`verify`, or `run_stream`, `State.merge` and
`conclude` for data cut into parts); every amount and count is worked out by hand in the
comment beside it.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slacheck.api import compile_plan, verify
from slacheck.checker import check
from slacheck.engine import State, conclude, run_stream
from slacheck.findings import Result, StandardResult, Verdict
from slacheck.loader import load_contract_text
from slacheck.plan import Plan
from tests.conftest import contract_yaml

AS_OF = datetime.fromisoformat("2025-07-01T00:00:00+00:00")
HEAD = "contract: {id: m, currency: EUR, timezone: UTC}"

Row = dict[str, Any] | str


def _text(standards: str, *fields: str, head: str = HEAD) -> str:
    return contract_yaml("ok: bool", *fields, head=head, standards=standards)


def _write(path: Path, rows: list[Row]) -> str:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n"
                            for row in rows), "utf-8")
    return str(path)


def _verify(tmp_path: Path, standards: str, rows: list[Row], *fields: str,
            head: str = HEAD) -> Result:
    contract = load_contract_text(_text(standards, *fields, head=head), "c.yaml")
    return verify(contract, [_write(tmp_path / "data.jsonl", rows)], as_of=AS_OF)


def _only(result: Result) -> StandardResult:
    [standard] = result.standards
    return standard


def _bad(ident: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "at": at, "ok": False, **fields}


def _good(ident: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "at": at, "ok": True, **fields}


# --- any amount owed is non-compliant, however small ---------------------------------------

def test_a_penalty_under_one_unit_is_owed(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    window: per month\n    penalty: 0.50 EUR per breach\n"
    result = _verify(tmp_path, standards, [_bad("a", "2025-03-01T00:00:00Z")])
    assert result.penalties == Decimal("0.50")  # one breach at 0.50
    assert result.verdict is Verdict.NON_COMPLIANT


def test_a_service_credit_under_one_unit_is_owed(tmp_path: Path) -> None:
    standards = ("  s:\n    require: ok\n    target: 50% per month\n"
                 "    credit: 0.01 EUR per missed month\n")
    result = _verify(tmp_path, standards, [_bad("a", "2025-03-01T00:00:00Z")])
    assert _only(result).missed_windows == ("2025-03",)  # 0 of 1 passed: below 50%
    assert result.credits == Decimal("0.01")
    assert result.penalties == Decimal("0.00")
    assert result.verdict is Verdict.NON_COMPLIANT


def test_nothing_owed_and_every_target_met_is_compliant(tmp_path: Path) -> None:
    standards = ("  s:\n    require: ok\n    target: 50% per month\n"
                 "    penalty: 0.50 EUR per breach\n    credit: 0.01 EUR per missed month\n")
    result = _verify(tmp_path, standards, [_good("a", "2025-03-01T00:00:00Z")])
    assert (result.penalties, result.credits) == (Decimal("0.00"), Decimal("0.00"))
    assert result.verdict is Verdict.COMPLIANT


def test_a_zero_penalty_is_not_owed(tmp_path: Path) -> None:
    # a breach whose amount is 0.00 (0% of the value) owes nothing; no target to miss
    standards = ("  s:\n    require: ok\n    window: per month\n"
                 "    penalty: 0% of value per breach\n")
    result = _verify(tmp_path, standards, [_bad("a", "2025-03-01T00:00:00Z", value="80.00")],
                     "value: money")
    assert _only(result).breaches == 1
    assert result.penalties == Decimal("0.00")
    assert result.verdict is Verdict.COMPLIANT


def test_one_standard_missing_its_target_is_enough(tmp_path: Path) -> None:
    standards = """\
  met:
    require: ok
    target: 50% per month
  missed:
    require: value <= 100.00 EUR
    target: 50% per month
"""
    # a passes "met" (1 of 1) and breaches "missed" (0 of 1); nothing is priced
    result = _verify(tmp_path, standards, [_good("a", "2025-03-01T00:00:00Z", value="150.00")],
                     "value: money")
    assert [s.missed_windows for s in result.standards] == [(), ("2025-03",)]
    assert (result.penalties, result.credits) == (Decimal("0.00"), Decimal("0.00"))
    assert result.verdict is Verdict.NON_COMPLIANT


def test_one_standard_owing_an_unpriced_breach_is_enough(tmp_path: Path) -> None:
    standards = """\
  met:
    require: ok
    target: 50% per month
  priced:
    require: value <= 100.00 EUR
    window: per month
    penalty: charge per breach
"""
    # a breaches "priced", whose penalty needs the charge it lacks: owed, amount unknown
    result = _verify(tmp_path, standards, [_good("a", "2025-03-01T00:00:00Z", value="150.00")],
                     "value: money", "charge: {type: money, optional: true}")
    assert [s.unpriced_total for s in result.standards] == [0, 1]
    assert result.penalties == Decimal("0.00")
    assert result.verdict is Verdict.NON_COMPLIANT


def test_as_many_breaches_as_passes_is_evidence(tmp_path: Path) -> None:
    # 1 of 2 meets 50%; nothing owed: compliant, on the evidence of both records
    rows: list[Row] = [_good("a", "2025-03-01T00:00:00Z"), _bad("b", "2025-03-02T00:00:00Z")]
    result = _verify(tmp_path, "  s:\n    require: ok\n    target: 50% per month\n", rows)
    assert result.evaluated == 2
    assert result.breaches == 1
    assert result.verdict is Verdict.COMPLIANT


# --- breaches are ordered by their time, never by their id or line -------------------------

WITHIN_10D = ("  s:\n    require: ok\n    window: per month\n"
              "    disqualify: after 2 breaches within 10d\n")

# ids, and lines, run opposite to time: a sort by record would see the March breach first
OPPOSITE: list[Row] = [
    _bad("a", "2025-03-20T00:00:00Z"),
    _bad("b", "2025-02-01T00:00:00Z"),
    _bad("c", "2025-01-01T00:00:00Z"),
]


def test_breaches_far_apart_in_time_do_not_disqualify_whatever_their_ids(
    tmp_path: Path,
) -> None:
    # in time: 1 January, 1 February (31 days later), 20 March (47 days later): no two
    # are less than 10 days apart
    result = _verify(tmp_path, WITHIN_10D, OPPOSITE)
    assert _only(result).breaches == 3
    assert result.disqualification is None
    assert result.verdict is Verdict.COMPLIANT  # no target, no money: breaches alone


def test_breaches_close_in_time_disqualify_in_time_order(tmp_path: Path) -> None:
    # in time: c 1 January, a 5 January (4 days later), b 1 February
    rows: list[Row] = [_bad("a", "2025-01-05T00:00:00Z"), _bad("b", "2025-02-01T00:00:00Z"),
                       _bad("c", "2025-01-01T00:00:00Z")]
    found = _verify(tmp_path, WITHIN_10D, rows).disqualification
    assert found is not None
    assert [ref.id for ref in found.records] == ["c", "a"]
    assert found.at == datetime.fromisoformat("2025-01-05T00:00:00+00:00")
    assert found.rule == "2 breaches within 10 days"


def test_on_any_breach_is_the_earliest_breach_whatever_its_id(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    window: per month\n    disqualify: on any breach\n"
    found = _verify(tmp_path, standards, OPPOSITE).disqualification
    assert found is not None
    assert [ref.id for ref in found.records] == ["c"]
    assert found.at == datetime.fromisoformat("2025-01-01T00:00:00+00:00")


@pytest.mark.parametrize(("within", "rule"), [
    ("36h", "2 breaches within 36 hours"),
    ("1h", "2 breaches within 1 hour"),
    ("90min", "2 breaches within 1.5 hours"),
    ("1d", "2 breaches within 1 day"),
    ("2d", "2 breaches within 2 days"),
])
def test_the_rule_names_its_period_in_days_or_hours(tmp_path: Path, within: str,
                                                    rule: str) -> None:
    standards = ("  s:\n    require: ok\n    window: per month\n"
                 f"    disqualify: after 2 breaches within {within}\n")
    # 59 minutes apart: within every period above
    rows: list[Row] = [_bad("x", "2025-01-01T10:00:00Z"), _bad("y", "2025-01-01T10:59:00Z")]
    found = _verify(tmp_path, standards, rows).disqualification
    assert found is not None
    assert found.rule == rule
    assert found.at == datetime.fromisoformat("2025-01-01T10:59:00+00:00")


def test_breaches_36_hours_apart_are_not_within_36_hours(tmp_path: Path) -> None:
    standards = ("  s:\n    require: ok\n    window: per month\n"
                 "    disqualify: after 2 breaches within 36h\n")
    # exactly 36 hours apart, then 35 h 59 min: only the second pair counts
    rows: list[Row] = [_bad("x", "2025-01-01T00:00:00Z"), _bad("y", "2025-01-02T12:00:00Z"),
                       _bad("z", "2025-01-03T23:59:00Z")]
    found = _verify(tmp_path, standards, rows).disqualification
    assert found is not None
    assert [ref.id for ref in found.records] == ["y", "z"]


# --- consecutive missed windows: the earliest run that reaches the count -------------------

BY_OFFICE = ("  s:\n    require: ok\n    target: 50% per month by office\n"
             "    disqualify: after 2 consecutive missed months\n")
OFFICE = "office: {type: enum, values: [PEK, TSN]}"


def _month(office: str, month: int, ok: bool) -> dict[str, Any]:
    return {"id": f"{office}-{month}", "at": f"2025-{month:02d}-10T00:00:00Z", "ok": ok,
            "office": office}


def test_the_earliest_of_two_runs_disqualifies(tmp_path: Path) -> None:
    # PEK misses January and February (2 in a row when February closes, 1 March);
    # TSN misses April and May (2 in a row on 1 June); both reach the count
    rows: list[Row] = [
        _month("PEK", 1, False), _month("PEK", 2, False), _month("PEK", 3, True),
        _month("TSN", 1, True), _month("TSN", 4, False), _month("TSN", 5, False),
    ]
    standard = _only(_verify(tmp_path, BY_OFFICE, rows, OFFICE))
    found = standard.disqualification
    assert found is not None
    assert found.at == datetime.fromisoformat("2025-03-01T00:00:00+00:00")
    assert found.windows == ("2025-01 office=PEK", "2025-02 office=PEK")
    assert [ref.id for ref in found.records] == ["PEK-1", "PEK-2"]
    assert standard.longest_missed_run == 2


def test_runs_that_complete_together_report_the_first_group(tmp_path: Path) -> None:
    # PEK and TSN both miss January and February: both runs complete when February closes;
    # the report names one of them, the same every time: the first group in order
    rows: list[Row] = [_month(office, month, False) for month in (1, 2)
                       for office in ("TSN", "PEK")]
    found = _only(_verify(tmp_path, BY_OFFICE, rows, OFFICE)).disqualification
    assert found is not None
    assert found.at == datetime.fromisoformat("2025-03-01T00:00:00+00:00")
    assert found.windows == ("2025-01 office=PEK", "2025-02 office=PEK")
    assert [ref.id for ref in found.records] == ["PEK-1", "PEK-2"]


def test_the_earlier_run_of_one_group_disqualifies(tmp_path: Path) -> None:
    # TSN misses January and February, meets March, misses April, May and June:
    # two runs reach 2; the first completes when February closes
    rows: list[Row] = [_month("TSN", month, month not in (1, 2, 4, 5, 6))
                       for month in range(1, 7)]
    standard = _only(_verify(tmp_path, BY_OFFICE, rows, OFFICE))
    found = standard.disqualification
    assert found is not None
    assert found.at == datetime.fromisoformat("2025-03-01T00:00:00+00:00")
    assert found.windows == ("2025-01 office=TSN", "2025-02 office=TSN")
    assert standard.longest_missed_run == 3  # April, May, June


def test_a_run_shorter_than_the_count_does_not_disqualify(tmp_path: Path) -> None:
    # misses in January, March and May: never two calendar months in a row
    rows: list[Row] = [_month("TSN", month, month % 2 == 0) for month in range(1, 7)]
    standard = _only(_verify(tmp_path, BY_OFFICE, rows, OFFICE))
    assert standard.disqualification is None
    assert standard.longest_missed_run == 1
    assert standard.missed_windows == ("2025-01", "2025-03", "2025-05")


# --- the states of two parts add up: counts, sums, and evidence within its limit ----------

MERGED = """\
  s:
    require: ok
    for: region == "EU"
    target: 50% per month
    penalty: value per breach
"""
MERGED_FIELDS = ("value: {type: money, optional: true}", "region: {type: string, optional: true}")
PERIOD_HEAD = ('contract: {id: m, currency: EUR, timezone: UTC, '
               'effective: {from: "2025-01-01", to: "2025-12-31"}}')


def _plan(standards: str, evidence_limit: int) -> Plan:
    contract = load_contract_text(_text(standards, *MERGED_FIELDS, head=PERIOD_HEAD), "c.yaml")
    return compile_plan(check(contract), AS_OF, evidence_limit)


def _part(index: int) -> list[Row]:
    """One part of the data: in March, a priced breach (10.25 + index), an unpriced one, a
    record whose scope is unknown and a pass; a record of 2024; a line that is not JSON."""
    return [
        _bad(f"p{index}", "2025-03-01T00:00:00Z", region="EU", value=f"{10 + index}.25"),
        _bad(f"u{index}", "2025-03-02T00:00:00Z", region="EU"),
        _good(f"s{index}", "2025-03-03T00:00:00Z"),
        _good(f"g{index}", "2025-03-04T00:00:00Z", region="EU"),
        _bad(f"o{index}", "2024-12-31T23:00:00Z", region="EU", value="99.00"),
        "not json",
    ]


def _merged(tmp_path: Path, plan: Plan) -> Result:
    first = _write(tmp_path / "one.jsonl", _part(1))
    second = _write(tmp_path / "two.jsonl", _part(2))
    state: State = run_stream(plan, [first])
    state.merge(run_stream(plan, [second]))
    return conclude(plan, state)


def test_merged_parts_add_every_count_and_sum(tmp_path: Path) -> None:
    result = _merged(tmp_path, _plan(MERGED, 100))
    lines = result.lines
    # per part 6 lines: 5 records (one in 2024, outside the contract) and 1 rejected
    assert (lines.read, lines.accepted, lines.rejected, lines.outside) == (12, 10, 2, 2)
    assert [item.line for item in lines.rejections] == [6, 6]
    assert [item.source for item in lines.rejections] == [str(tmp_path / "one.jsonl"),
                                                          str(tmp_path / "two.jsonl")]
    standard = _only(result)
    [window] = standard.windows
    # per part: p and u breached, g passed, s out of scope (undetermined)
    assert (window.passed, window.breached) == (2, 4)
    assert [ref.id for ref in window.breaches] == ["p1", "u1", "p2", "u2"]
    # priced: 11.25 + 12.25 = 23.50; u1 and u2 are owed at an unknown amount
    assert standard.penalties == Decimal("23.50")
    assert [(p.label, p.gross, p.breaches) for p in standard.penalty_windows] == [
        ("2025-03", Decimal("23.50"), 2),
    ]
    assert [(p.record.id, p.amount) for p in standard.record_penalties] == [
        ("p1", Decimal("11.25")), ("p2", Decimal("12.25")),
    ]
    assert standard.record_penalties_total == 2
    assert [ref.id for ref in standard.unpriced] == ["u1", "u2"]
    assert standard.unpriced_total == 2
    assert [ref.id for ref in standard.scope_undetermined] == ["s1", "s2"]
    assert standard.scope_undetermined_total == 2
    assert [item.path for item in result.inputs] == [str(tmp_path / "one.jsonl"),
                                                     str(tmp_path / "two.jsonl")]


def test_merged_evidence_keeps_the_first_items_up_to_the_limit(tmp_path: Path) -> None:
    result = _merged(tmp_path, _plan(MERGED, 1))
    # counts stay exact; each list keeps its first item, from the first part
    assert result.lines.rejected == 2
    assert [item.source for item in result.lines.rejections] == [str(tmp_path / "one.jsonl")]
    standard = _only(result)
    [window] = standard.windows
    assert window.breached == 4
    assert [ref.id for ref in window.breaches] == ["p1"]
    assert (standard.record_penalties_total, standard.unpriced_total,
            standard.scope_undetermined_total) == (2, 2, 2)
    assert [p.record.id for p in standard.record_penalties] == ["p1"]
    assert [ref.id for ref in standard.unpriced] == ["u1"]
    assert [ref.id for ref in standard.scope_undetermined] == ["s1"]


DEADLINE = """\
  s:
    require: done_at within 1d of at
    target: 50% per month
  t:
    require: shipped / ordered >= 1
    window: per month
"""
DEADLINE_FIELDS = ("done_at: {type: timestamp, optional: true}", "shipped: int", "ordered: int")


def _deadline_part(index: int) -> list[Row]:
    """In March: one overdue (never done), one done before it was booked (implausible),
    one whose fill rate divides by zero."""
    return [
        {"id": f"late{index}", "at": "2025-03-01T00:00:00Z", "ok": True, "shipped": 1,
         "ordered": 1},
        {"id": f"odd{index}", "at": "2025-03-05T00:00:00Z", "ok": True, "shipped": 1,
         "ordered": 1, "done_at": "2025-03-04T00:00:00Z"},
        {"id": f"zero{index}", "at": "2025-03-06T00:00:00Z", "ok": True, "shipped": 0,
         "ordered": 0, "done_at": "2025-03-06T01:00:00Z"},
    ]


def test_merged_pending_and_implausible_counts_add_up(tmp_path: Path) -> None:
    contract = load_contract_text(_text(DEADLINE, *DEADLINE_FIELDS), "c.yaml")
    plan = compile_plan(check(contract), AS_OF)
    # booked at noon on 30 June, due at noon on 1 July: pending at midnight on 1 July
    waiting = {"id": "w1", "at": "2025-06-30T12:00:00Z", "ok": True, "shipped": 1,
               "ordered": 1}
    first: list[Row] = [waiting]
    # the second part: another pending record, and one done before it was booked
    second: list[Row] = [
        {**waiting, "id": "w2"},
        {"id": "odd", "at": "2025-06-05T00:00:00Z", "ok": True, "shipped": 1, "ordered": 1,
         "done_at": "2025-06-04T00:00:00Z"},
    ]
    state: State = run_stream(plan, [_write(tmp_path / "one.jsonl", first)])
    state.merge(run_stream(plan, [_write(tmp_path / "two.jsonl", second)]))
    deadline, _ = conclude(plan, state).standards
    [june] = deadline.windows
    assert (june.passed, june.breached, june.pending) == (1, 0, 2)
    [odd] = deadline.implausible
    assert (odd.total, [ref.id for ref in odd.records]) == (1, ["odd"])


@pytest.mark.parametrize("limit", [1, 100])
def test_merged_overdue_implausible_and_errors_within_the_limit(tmp_path: Path,
                                                                limit: int) -> None:
    contract = load_contract_text(_text(DEADLINE, *DEADLINE_FIELDS), "c.yaml")
    plan = compile_plan(check(contract), AS_OF, limit)
    state: State = run_stream(plan, [_write(tmp_path / "one.jsonl", _deadline_part(1))])
    state.merge(run_stream(plan, [_write(tmp_path / "two.jsonl", _deadline_part(2))]))
    result = conclude(plan, state)
    deadline, fill = result.standards
    kept = ["1", "2"][:limit]
    assert deadline.overdue_open_total == 2
    assert [ref.id for ref in deadline.overdue_open] == [f"late{n}" for n in kept]
    [odd] = deadline.implausible
    assert odd.total == 2
    assert [ref.id for ref in odd.records] == [f"odd{n}" for n in kept]
    assert fill.evaluation_errors_total == 2
    assert [item.record.id for item in fill.evaluation_errors] == [f"zero{n}" for n in kept]
