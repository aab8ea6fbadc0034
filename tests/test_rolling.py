"""Rolling windows: `per rolling N days`, the N local days ending at each day's end."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacheck import ast
from slacheck._source import Source
from slacheck.api import verify
from slacheck.checker import check
from slacheck.diagnostics import ContractError
from slacheck.findings import Result, StandardResult
from slacheck.fmt import format_text
from slacheck.loader import load_contract_text
from slacheck.parser import parse
from slacheck.windows import window
from tests.conftest import contract_yaml, where

HEAD = "contract: {id: r, currency: EUR, timezone: Europe/Berlin}"
AS_OF = datetime.fromisoformat("2024-04-30T00:00:00+02:00")


def _contract(clauses: str, head: str = HEAD) -> str:
    standards = "  s:\n    require: ok\n" + "".join(f"    {line}\n"
                                                   for line in clauses.splitlines())
    return contract_yaml("ok: bool", "office: string", "n: int", head=head,
                         standards=standards)


def _verify(tmp_path: Path, clauses: str, rows: list[dict[str, Any]],
            head: str = HEAD, as_of: datetime = AS_OF) -> StandardResult:
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    result: Result = verify(load_contract_text(_contract(clauses, head), "c.yaml"),
                            [str(data)], as_of=as_of)
    [standard] = result.standards
    return standard


def _row(n: int, at: str, ok: bool = True, office: str = "A", value: int = 0) -> dict[str, Any]:
    return {"id": f"r{n}", "at": at, "ok": ok, "office": office, "n": value}


def test_a_rolling_window_parses_and_prints_canonically() -> None:
    node = parse(Source("97% per rolling 30 days of at by office, at least 3 records"),
                 "target")
    assert node.window == ast.Window(period=ast.Period.DAY, rolling=30,
                                     of=ast.Ref(name="at"), by=(ast.Ref(name="office"),))
    assert parse(Source("per rolling 1 day"), "window").rolling == 1
    text = _contract("target: 97%   per  rolling 1 days by office")
    assert "target: 97% per rolling 1 day by office\n" in format_text(text).text


@pytest.mark.parametrize(("clause", "column", "message"), [
    ("97% per rolling 4 weeks", 31, "a rolling window counts days, not weeks"),
    ("97% per rolling 0 days", 29, "`0` days is out of range for a rolling window"),
    ("97% per rolling 367 days", 29, "`367` days is out of range for a rolling window"),
    ("97% per rolling 123456789 days", 29, "out of range"),
])
def test_a_rolling_window_is_one_day_to_a_year(clause: str, column: int, message: str) -> None:
    with pytest.raises(ContractError) as info:
        load_contract_text(_contract(f"target: {clause}"), "c.yaml")
    [found] = info.value.diagnostics
    assert message in found.message
    assert where(found)[1:] == (15, column)  # the target's line
    assert found.hints


@pytest.mark.parametrize("clause", [
    "penalty: 100.00 EUR per missed day",
    "credit: 100.00 EUR per missed day",
    "credit: 1.00 EUR per full point below target",
    "reward: 100.00 EUR per met day",
    "disqualify: after 3 consecutive missed days",
])
def test_amounts_per_window_are_refused_for_rolling_windows(clause: str) -> None:
    with pytest.raises(ContractError) as info:
        check(load_contract_text(_contract(f"target: 97% per rolling 7 days\n{clause}"),
                                 "c.yaml"))
    [found] = info.value.diagnostics
    assert "a rolling window is judged every day" in found.message
    assert where(found)[0] == "SLA204"
    assert any("per breach" in hint for hint in found.hints)


def test_consequences_per_breach_stay_allowed() -> None:
    check(load_contract_text(_contract(
        "target: 97% per rolling 7 days\npenalty: 10.00 EUR per breach, at most 50.00 EUR "
        "per month\ndisqualify: after 3 breaches within 30d"), "c.yaml"))


def test_a_window_ends_at_local_midnight_across_a_clock_change() -> None:
    zone = ZoneInfo("Europe/Berlin")
    last = datetime(2024, 4, 2).toordinal()
    bounds = window(ast.Period.DAY, last, zone, 7)
    assert bounds.label == "2024-03-27/2024-04-02"
    assert bounds.start == datetime(2024, 3, 27, tzinfo=zone)
    assert bounds.end == datetime(2024, 4, 3, tzinfo=zone)
    utc = ZoneInfo("UTC")  # 31 March has 23 hours
    assert bounds.end.astimezone(utc) - bounds.start.astimezone(utc) == timedelta(days=7,
                                                                                  hours=-1)


def test_windows_per_group_over_a_gap_and_records_counted_once(tmp_path: Path) -> None:
    rows = [_row(1, "2024-04-01T10:00:00+02:00", ok=False),
            _row(2, "2024-04-02T23:59:59+02:00"),
            _row(3, "2024-04-02T22:00:00Z"),  # 04-03 00:00 local
            _row(4, "2024-04-10T12:00:00+02:00", office="B")]
    standard = _verify(tmp_path, "target: 50% per rolling 2 days by office", rows)
    shown = [(w.label, dict(w.group)["office"], w.passed, w.breached, w.status)
             for w in standard.windows]
    assert shown == [
        ("2024-03-31/2024-04-01", "A", 0, 1, "missed"),
        ("2024-04-01/2024-04-02", "A", 1, 1, "met"),
        ("2024-04-02/2024-04-03", "A", 2, 0, "met"),
        ("2024-04-03/2024-04-04", "A", 1, 0, "met"),
        ("2024-04-09/2024-04-10", "B", 1, 0, "met"),
        ("2024-04-10/2024-04-11", "B", 1, 0, "met"),
    ]  # nothing from 04-05 to 04-09 for A: a window without records is not evaluated
    assert standard.breaches == 1
    assert standard.counts() == (3, 1, 0, 0)
    assert standard.missed_windows == ("2024-03-31/2024-04-01",)


def test_windows_stop_at_the_evaluation_day_and_the_contract_end(tmp_path: Path) -> None:
    head = ("contract: {id: r, currency: EUR, timezone: Europe/Berlin, "
            "effective: {from: '2024-04-03', to: '2024-04-06'}}")
    rows = [_row(n, f"2024-04-0{day}T12:00:00+02:00") for n, day in enumerate((2, 3, 6, 7))]
    standard = _verify(tmp_path, "target: 50% per rolling 3 days", rows, head=head)
    # 04-02 and 04-07 lie outside the contract; the first whole window ends 04-05;
    # none ends after the contract's last day, 04-06
    assert [(w.label, w.passed, w.closed) for w in standard.windows] == [
        ("2024-04-03/2024-04-05", 1, True), ("2024-04-04/2024-04-06", 1, True)]
    as_of = datetime.fromisoformat("2024-04-05T09:00:00+02:00")
    standard = _verify(tmp_path, "target: 50% per rolling 3 days", rows, head=head,
                       as_of=as_of)
    assert [(w.label, w.closed) for w in standard.windows] == [
        ("2024-04-03/2024-04-05", False)]


def test_a_measure_merges_its_days(tmp_path: Path) -> None:
    rows = [_row(1, "2024-04-01T10:00:00+02:00", value=5),
            _row(2, "2024-04-02T10:00:00+02:00", value=9),
            _row(3, "2024-04-03T10:00:00+02:00", value=1)]
    standard = _verify(tmp_path, "target: max(n) <= 8 per rolling 2 days", rows)
    assert [(w.label, w.value, w.status) for w in standard.windows] == [
        ("2024-03-31/2024-04-01", Fraction(5), "met"),
        ("2024-04-01/2024-04-02", Fraction(9), "missed"),
        ("2024-04-02/2024-04-03", Fraction(9), "missed"),
        ("2024-04-03/2024-04-04", Fraction(1), "met")]
