"""Consequences due per window: a penalty per missed window, a credit per full point below
target, a reward per met window. Every amount here is computed by hand in its comment."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from slacheck import ast
from slacheck.api import verify
from slacheck.findings import Result, StandardResult, Verdict
from slacheck.loader import load_contract_text
from slacheck.plan import _window_function
from slacheck.reporters import RENDERERS
from tests.conftest import contract_yaml

AS_OF = datetime.fromisoformat("2025-07-01T00:00:00+00:00")
HEAD = "contract: {id: w, currency: EUR, timezone: UTC}"
FIELDS = ("ok: bool", "fee: money", "pieces: int")


def _verify(tmp_path: Path, clauses: str, rows: list[dict[str, Any]],
            as_of: datetime = AS_OF) -> Result:
    standards = "  s:\n    require: ok\n" + "".join(f"    {line}\n"
                                                   for line in clauses.splitlines())
    text = contract_yaml(*FIELDS, head=HEAD, standards=standards,
                         parameters="monthly_fee: 1000.00 EUR")
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return verify(load_contract_text(text, "c.yaml"), [str(data)], as_of=as_of)


def _rows(month: str, good: int, bad: int, fee: str = "10.00",
          pieces: int = 1) -> list[dict[str, Any]]:
    return [{"id": f"{month}-{n}", "at": f"{month}-02T00:00:00Z", "ok": n < good, "fee": fee,
             "pieces": pieces} for n in range(good + bad)]


def _only(result: Result) -> StandardResult:
    [standard] = result.standards
    return standard


def test_a_window_missed_by_less_than_a_full_point_owes_a_credit_of_zero(
        tmp_path: Path) -> None:
    # March: 96 of 100 = 96% against 97%: 1 full point below.
    # April: 193 of 200 = 96.5%: 0.5 points below, no full point: a credit of 0.00, listed
    rows = _rows("2025-03", 96, 4) + _rows("2025-04", 193, 7)
    result = _verify(tmp_path, rows=rows, clauses=(
        "target: 97% per month\n"
        "credit: 1% of sum(fee) per full point below target"))
    credits = {item.label: item.amount for item in _only(result).credits}
    # March: sum(fee) = 100 x 10.00 = 1000.00; 1 point x 1% x 1000.00 = 10.00
    assert credits == {"2025-03": Decimal("10.00"), "2025-04": Decimal("0.00")}
    assert "0 full points below 97%" in _only(result).credits[1].arithmetic
    assert result.credits == Decimal("10.00")


def test_full_points_are_counted_exactly_at_a_whole_point(tmp_path: Path) -> None:
    # 95 of 100 = 95% exactly against 97%: 2 full points, not 1 (no float error)
    result = _verify(tmp_path, rows=_rows("2025-03", 95, 5), clauses=(
        "target: 97% per month\n"
        "credit: 2% of monthly_fee per full point below target"))
    # 2 x 2% x 1000.00 = 40.00
    assert [(c.label, c.amount) for c in _only(result).credits] == [("2025-03", Decimal("40.00"))]


def test_a_credit_cap_is_hit_exactly_or_passed(tmp_path: Path) -> None:
    # 90 of 100 = 90%: 7 points; 7 x 1% x 1000.00 = 70.00; capped at 5% of 1000.00 = 50.00
    # 95 of 100: 2 points: 20.00, under the cap; 92 of 100: 5 points: 50.00, the cap exactly
    rows = _rows("2025-03", 90, 10) + _rows("2025-04", 95, 5) + _rows("2025-05", 92, 8)
    result = _verify(tmp_path, rows=rows, clauses=(
        "target: 97% per month\n"
        "credit: 1% of sum(fee) per full point below target, at most 5% of sum(fee)"))
    credits = _only(result).credits
    assert [(c.label, c.amount) for c in credits] == [
        ("2025-03", Decimal("50.00")), ("2025-04", Decimal("20.00")),
        ("2025-05", Decimal("50.00"))]
    assert "= 70.00, at most 5% of sum(fee)" in credits[0].arithmetic
    assert "at most" not in credits[2].arithmetic  # 50.00 is not above the cap


def test_a_penalty_per_missed_window_is_due_only_when_the_window_missed(
        tmp_path: Path) -> None:
    # March 9 of 10 passed (90% < 95%): 4% of sum(fee * pieces) = 4% of 10 x 10.00 x 3 = 12.00
    # April 10 of 10: met, nothing due
    rows = _rows("2025-03", 9, 1, pieces=3) + _rows("2025-04", 10, 0, pieces=3)
    result = _verify(tmp_path, rows=rows, clauses=(
        "target: 95% per month\n"
        "penalty: 4% of sum(fee * pieces) per missed month"))
    [window] = _only(result).penalty_windows
    assert (window.label, window.gross, window.net, window.breaches) == (
        "2025-03", Decimal("12.00"), Decimal("12.00"), 1)
    assert result.penalties == Decimal("12.00")


def test_an_open_window_owes_nothing_yet(tmp_path: Path) -> None:
    # June is still open on 15 June: missed so far, but neither penalty nor credit is due
    result = _verify(tmp_path, rows=_rows("2025-06", 1, 9), as_of=datetime.fromisoformat(
        "2025-06-15T00:00:00+00:00"), clauses=(
        "target: 95% per month\n"
        "penalty: 4% of sum(fee) per missed month"))
    assert _only(result).penalty_windows == ()
    assert result.penalties == Decimal("0.00")


def test_a_reward_is_owed_for_met_windows_and_never_makes_a_run_non_compliant(
        tmp_path: Path) -> None:
    # both months met: 0.5% of 1000.00 = 5.00 each, 10.00 in all, owed by the customer
    rows = _rows("2025-03", 10, 0) + _rows("2025-04", 20, 0)
    result = _verify(tmp_path, rows=rows, clauses=(
        "target: 95% per month\n"
        "reward: 0.5% of monthly_fee per met month"))
    assert [(r.label, r.amount) for r in _only(result).rewards] == [
        ("2025-03", Decimal("5.00")), ("2025-04", Decimal("5.00"))]
    assert result.rewards == Decimal("10.00")
    assert result.verdict is Verdict.COMPLIANT
    report = json.loads(RENDERERS["json"](result))
    assert report["totals"]["rewards"] == "10.00"
    rewards = report["standards"][0]["rewards"]
    assert (rewards["payer"], rewards["payee"]) == ("customer", "provider")  # a bonus
    penalties = report["standards"][0]["penalties"]
    assert (penalties["payer"], penalties["payee"]) == ("provider", "customer")
    assert report["standards"][0]["rewards"]["windows"][0] == {
        "window": "2025-03", "amount": "5.00",
        "arithmetic": "0.5% of monthly_fee = 5.00"}


def test_an_amount_that_cannot_be_computed_is_owed_of_unknown_amount(
        tmp_path: Path) -> None:
    # the mean of fees per piece divides by sum(pieces) = 0: the credit cannot be priced
    result = _verify(tmp_path, rows=_rows("2025-03", 0, 2, pieces=0), clauses=(
        "target: 95% per month\n"
        "credit: 10% of sum(fee) / sum(pieces) per missed month"))
    assert _only(result).credits == ()
    assert _only(result).unpriced_windows == ("2025-03",)
    assert result.verdict is Verdict.NON_COMPLIANT
    assert "cannot be computed" in RENDERERS["text"](result)


def test_credits_per_group_are_rounded_once_from_exact_totals(tmp_path: Path) -> None:
    # one third of a cent per record: sum(fee) over 3 records of 0.01 = 0.03;
    # 1 of 3 passed (33.33...% against 50%): 16.66... points, 16 full;
    # 16 x 10% x 0.03 = 0.048, rounded half up once: 0.05 (rounding each point's 0.003
    # to 0.00 first would give 0.00)
    result = _verify(tmp_path, rows=_rows("2025-03", 1, 2, fee="0.01"), clauses=(
        "target: 50% per month\n"
        "credit: 10% of sum(fee) per full point below target"))
    assert [c.amount for c in _only(result).credits] == [Decimal("0.05")]


def test_explain_shows_an_amount_due_per_window_with_its_arithmetic() -> None:
    from click.testing import CliRunner

    from slacheck.cli import main
    from tests.conftest import ROOT

    case = ROOT / "tests" / "cases" / "chargeback"
    result = CliRunner().invoke(main, [
        "explain", str(case / "contract.yaml"), str(case / "records.jsonl"),
        "--standard", "otif", "--as-of", "2024-08-01T00:00:00-05:00"])
    assert result.exit_code == 0, result.output
    # tests/cases/chargeback/README.md: 3% of 335.50 = 10.065, half up 10.07
    assert ("  2024-06 supplier_id=SUP-1: 10.07 USD\n"
            "    sum(noncompliant_cases * unit_cogs) = 335.50; 3% of "
            "sum(noncompliant_cases * unit_cogs) = 10.065, rounded half up to 10.07\n") \
        in result.output


def test_a_cap_per_month_by_office_caps_each_office_apart(tmp_path: Path) -> None:
    # 3 breaches at 40.00 in PEK (120.00, capped at 100.00) and 1 in TSN (40.00, under it):
    # 140.00 owed; capped over both offices together it would be 100.00
    from tests.conftest import contract_yaml as yaml_text

    standards = ("  s:\n    require: ok\n    window: per month\n"
                 "    penalty: 40.00 EUR per breach, at most 100.00 EUR per month by office\n")
    text = yaml_text("ok: bool", "office: string", head=HEAD, standards=standards)
    rows = [{"id": f"p{n}", "at": "2025-03-02T00:00:00Z", "ok": False, "office": "PEK"}
            for n in range(3)] + [{"id": "t", "at": "2025-03-03T00:00:00Z", "ok": False,
                                   "office": "TSN"}]
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)], as_of=AS_OF)
    assert [(w.label, w.gross, w.net) for w in _only(result).penalty_windows] == [
        ("2025-03 office=PEK", Decimal("120.00"), Decimal("100.00")),
        ("2025-03 office=TSN", Decimal("40.00"), Decimal("40.00"))]
    assert result.penalties == Decimal("140.00")


@pytest.mark.parametrize(("round_at", "rounding", "owed"), [
    # by hand: 10% of fee per breach; March 0.005, April 0.005, June 3 x 0.0025, July 2 x 0.004
    ("record", "half_up", "0.02"),   # 0.01 + 0.01 + 3 x 0.00 + 2 x 0.00 (0.0025, 0.004 down)
    ("window", "half_up", "0.04"),   # 0.01 + 0.01 + 0.0075 -> 0.01 + 0.008 -> 0.01
    ("total", "half_up", "0.03"),    # 0.005 + 0.005 + 0.0075 + 0.008 = 0.0255 -> 0.03
    # the half-cent ties of March and April go to the even cent, 0.00, under half_even
    ("record", "half_even", "0.00"),  # 0.00 + 0.00 + 3 x 0.00 + 2 x 0.00
    ("window", "half_even", "0.02"),  # 0.00 + 0.00 + 0.0075 -> 0.01 + 0.008 -> 0.01
    ("total", "half_even", "0.03"),   # 0.0255 -> 0.03 (no tie)
])
def test_where_money_is_rounded(tmp_path: Path, round_at: str, rounding: str,
                                owed: str) -> None:
    from tests.conftest import contract_yaml as yaml_text

    head = (f"contract: {{id: r, currency: EUR, timezone: UTC, round_at: {round_at}, "
            f"rounding: {rounding}}}")
    text = yaml_text("ok: bool", "fee: money", head=head, standards=(
        "  s:\n    require: ok\n    window: per month\n    penalty: 10% of fee per breach\n"))
    fees = [("03", "0.05")] + [("04", "0.05")] + [("06", "0.025")] * 3 + [("07", "0.04")] * 2
    rows = [{"id": f"r{n}", "at": f"2025-{month}-02T00:00:00Z", "ok": False, "fee": fee}
            for n, (month, fee) in enumerate(fees)]
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2025-08-01T00:00:00+00:00"))
    assert str(result.penalties) == owed


@pytest.mark.parametrize(("credit", "owed"), [
    # March: sum(fee) = 3 x 10.00 = 30.00 over a missed month
    ("(if monthly_fee > 500 EUR then 10% of sum(fee) else 0 EUR) per missed month", "3.00"),
    ("(if monthly_fee > 5000 EUR then 10% of sum(fee) else 1 EUR) per missed month", "1.00"),
    ("min(10% of sum(fee), 2 EUR) per missed month", "2.00"),          # 3.00 capped at 2.00
    ("max(10% of sum(fee), 5 EUR) per missed month", "5.00"),
    ("round(sum(fee) / 7) per missed month", "4.00"),                  # 30 / 7 = 4.28... -> 4
    ("floor(sum(fee) / 7) + ceil(sum(fee) / 7) per missed month", "9.00"),  # 4 + 5
])
def test_a_window_amount_may_branch_and_call_functions_around_its_totals(
        tmp_path: Path, credit: str, owed: str) -> None:
    rows = _rows("2025-03", 0, 3)
    result = _verify(tmp_path, rows=rows, clauses=f"target: 97% per month\ncredit: {credit}")
    assert result.credits == Decimal(owed)


@pytest.mark.parametrize("text", [
    "min(10% of sum(fee), 2 EUR) per missed month",
    "(if monthly_fee > 500 EUR then 10% of sum(fee) else 0 EUR) per missed month",
    "round(sum(fee) / 7, 1) per missed month",
])
def test_fmt_keeps_totals_inside_functions_and_branches(text: str) -> None:
    from slacheck import fmt, parser
    from slacheck._source import Source

    node = parser.parse(Source(text), "credit")
    assert fmt.clause(node) == text
    assert parser.parse(Source(fmt.clause(node)), "credit") == node


def _call(function: str, *places: int) -> ast.Call:
    return ast.Call(function=function, args=(
        ast.Ref(name="x"), *(ast.Number(value=Decimal(n)) for n in places)))


@pytest.mark.parametrize(("function", "places", "rounding", "args", "expected"), [
    ("min", (), "half_up", (Fraction(1, 3), Fraction(1, 4)), Fraction(1, 4)),
    ("max", (), "half_up", (Fraction(1, 3), Fraction(1, 4)), Fraction(1, 3)),
    ("abs", (), "half_up", (Fraction(-7, 2),), Fraction(7, 2)),
    ("floor", (), "half_up", (Fraction(-1, 3),), Fraction(-1)),
    ("ceil", (), "half_up", (Fraction(-1, 3),), Fraction(0)),
    ("round", (), "half_up", (Fraction(5, 2),), Fraction(3)),        # 2.5: a tie, up
    ("round", (), "half_even", (Fraction(5, 2),), Fraction(2)),      # to the even 2
    ("round", (), "half_up", (Fraction(-5, 2),), Fraction(-3)),      # away from zero
    ("round", (2,), "half_up", (Fraction(1, 3),), Fraction(33, 100)),  # 0.333...
    ("round", (2,), "half_even", (Fraction(2, 3),), Fraction(67, 100)),  # 0.666..., no tie
    ("round", (1,), "half_even", (Fraction(1, 4),), Fraction(1, 5)),  # 0.25 -> 0.2
    ("round", (1,), "down", (Fraction(-149, 100),), Fraction(-14, 10)),  # towards zero
    ("round", (1,), "up", (Fraction(141, 100),), Fraction(15, 10)),      # away from zero
    # a product of two large window totals: 5 x 10^49 + 0.5, 68 digits at 18 decimals
    ("round", (18,), "half_up", (Fraction(10**50 + 1, 2),), Fraction(10**50 + 1, 2)),
    ("round", (), "half_up", (Fraction(10**50 + 1, 2),), Fraction(10**50 // 2 + 1)),
])
def test_functions_of_window_totals_are_exact(function: str, places: tuple[int, ...],
                                              rounding: str, args: tuple[Fraction, ...],
                                              expected: Fraction) -> None:
    found = _window_function(_call(function, *places), rounding)(*args)
    assert found == expected
    assert type(found) is Fraction
