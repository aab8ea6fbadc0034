"""The kinds of `penalty:`: per breach (optionally `deferred while open`), per missed window,
and at every Nth breach within a period; a list holds at most one of each. Every amount
here is computed by hand in its comment."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slacheck import fmt, parser
from slacheck._source import Source
from slacheck.api import verify
from slacheck.checker import check
from slacheck.diagnostics import ContractError
from slacheck.findings import Result, StandardResult
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml, where

HEAD = "contract: {id: p, currency: USD, timezone: UTC}"
FIELDS = ("ok: bool", "fee: money", "due_at: timestamp",
          "done_at: {type: timestamp, optional: true}")


def _contract(penalty: str, require: str = "ok") -> str:
    return contract_yaml(*FIELDS, head=HEAD, standards=(
        f"  s:\n    require: {require}\n    window: per month\n    penalty:{penalty}\n"))


def _verify(tmp_path: Path, penalty: str, rows: list[dict[str, Any]], as_of: str,
            require: str = "ok") -> Result:
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    contract = load_contract_text(_contract(penalty, require), "c.yaml")
    return verify(contract, [str(data)], as_of=datetime.fromisoformat(as_of))


def _only(result: Result) -> StandardResult:
    [standard] = result.standards
    return standard


def _row(n: int, at: str, ok: bool = False, fee: str = "10.00",
         done_at: str | None = None) -> dict[str, Any]:
    return {"id": f"r{n}", "at": at, "ok": ok, "fee": fee, "due_at": at, "done_at": done_at}


def test_every_nth_breach_counts_the_period_ending_at_it_half_open(tmp_path: Path) -> None:
    # breaches 03-01, 03-02 and 03-04 at 00:00 UTC: at 03-04, 03-01 is exactly 3 days
    # earlier, outside (t - 3d, t]: 2 counted, no fee; 03-04 12:00 then holds 03-02, 03-04
    # and itself: the fee falls due there
    times = ["2025-03-01T00:00", "2025-03-02T00:00", "2025-03-04T00:00", "2025-03-04T12:00"]
    rows = [_row(n, f"{time}:00Z") for n, time in enumerate(times)]
    result = _verify(tmp_path, " 100.00 USD at every 3rd breach within 3d", rows,
                     "2025-04-01T00:00:00+00:00")
    [fee] = _only(result).strikes
    assert fee.at == datetime.fromisoformat("2025-03-04T12:00:00+00:00")
    assert [ref.id for ref in fee.records] == ["r1", "r2", "r3"]
    assert fee.window == "2025-03"
    assert result.penalties == Decimal("100.00")


def test_breaches_used_by_one_amount_do_not_count_towards_the_next(tmp_path: Path) -> None:
    # four breaches an hour apart, 2nd within 1 day: a fee at the 2nd and at the 4th, never
    # at the 3rd (the 2nd was used up) -- 2 x 5.00 = 10.00
    rows = [_row(n, f"2025-03-01T0{n}:00:00Z") for n in range(4)]
    result = _verify(tmp_path, " 5.00 USD at every 2nd breach within 1d", rows,
                     "2025-04-01T00:00:00+00:00")
    assert [[ref.id for ref in fee.records] for fee in _only(result).strikes] == [
        ["r0", "r1"], ["r2", "r3"]]
    assert result.penalties == Decimal("10.00")


def test_a_list_adds_the_amount_per_breach_and_at_every_nth(tmp_path: Path) -> None:
    # 3 breaches x 10.00 (fee) + one fee of 50.00 at the 3rd = 80.00; 1 passed record
    rows = [_row(n, f"2025-03-0{n + 1}T00:00:00Z", ok=n == 1) for n in range(4)]
    result = _verify(tmp_path, "\n      - fee per breach\n"
                     "      - 50.00 USD at every 3rd breach within 30d",
                     rows, "2025-04-01T00:00:00+00:00")
    assert result.penalties == Decimal("80.00")
    lines = _only(result).penalty_windows
    assert [(item.label, item.net, bool(item.records)) for item in lines] == [
        ("2025-03", Decimal("30.00"), False), ("2025-03", Decimal("50.00"), True)]


def test_a_deferred_penalty_is_listed_not_owed_while_its_record_is_open(
        tmp_path: Path) -> None:
    # due 03-01; r0 done late (owed 10.00), r1 open and overdue at as_of (deferred 7.50),
    # r2 open and not yet due (pending: nothing)
    rows = [_row(0, "2025-03-01T00:00:00Z", done_at="2025-03-02T00:00:00Z"),
            _row(1, "2025-03-01T00:00:00Z", fee="7.50"),
            _row(2, "2025-03-31T00:00:00Z", fee="99.00")]
    result = _verify(tmp_path, " fee per breach, deferred while open", rows,
                     "2025-03-10T00:00:00+00:00", require="done_at <= due_at")
    standard = _only(result)
    assert result.penalties == Decimal("10.00")
    assert (standard.deferred_total, standard.deferred_amount) == (1, Decimal("7.50"))
    assert [item.record.id for item in standard.deferred] == ["r1"]
    assert standard.breaches == 2  # the open record is still a breach
    assert result.deferred == Decimal("7.50")


def test_without_deferral_an_overdue_open_record_owes_at_once(tmp_path: Path) -> None:
    rows = [_row(1, "2025-03-01T00:00:00Z", fee="7.50")]
    result = _verify(tmp_path, " fee per breach", rows, "2025-03-10T00:00:00+00:00",
                     require="done_at <= due_at")
    assert result.penalties == Decimal("7.50")
    assert result.deferred == Decimal("0.00")


def test_a_second_penalty_of_one_kind_is_an_error_at_it() -> None:
    text = _contract("\n      - fee per breach\n      - 5.00 USD per breach")
    with pytest.raises(ContractError) as caught:
        load_contract_text(text, "c.yaml")
    [found] = caught.value.diagnostics
    assert "second penalty of the same kind" in found.message
    assert where(found)[1:] == (text.splitlines().index("      - 5.00 USD per breach") + 1, 9)


@pytest.mark.parametrize(("penalty", "message"), [
    (" fee at every 2nd breach within 1d", "cannot depend on the record field `fee`"),
    (" 5.00 USD at every 0th breach within 1d", "at least 1"),
    (" 5.00 USD at every 2nd breach within 0d", "longer than zero"),
])
def test_an_amount_at_every_nth_breach_is_checked(penalty: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        check(load_contract_text(_contract(penalty), "c.yaml"))
    assert any(message in item.message for item in caught.value.diagnostics), \
        [item.message for item in caught.value.diagnostics]


@pytest.mark.parametrize("text", [
    "599.99 USD at every 5th breach within 60d",
    "10 USD at every 1st breach within 1h",
    "10 USD at every 22nd breach within 2w",
    "fee per breach, deferred while open",
    "fee per breach, at most 100 USD per month, deferred while open",
])
def test_fmt_spells_the_new_penalties_as_written(text: str) -> None:
    assert fmt.clause(parser.parse(Source(text), "penalty")) == text


def test_deferred_twice_is_a_syntax_error() -> None:
    with pytest.raises(ContractError):
        parser.parse(Source("fee per breach, deferred while open, deferred while open"),
                     "penalty")


def test_an_amount_per_record_may_call_functions_look_up_and_branch(tmp_path: Path) -> None:
    # fees 10.00 and 3.00, both late: min(fee, 5 USD) = 5.00 and 3.00 -> 8.00
    rows = [_row(0, "2025-03-01T00:00:00Z"), _row(1, "2025-03-02T00:00:00Z", fee="3.00")]
    result = _verify(tmp_path, " min(fee, 5 USD) per breach", rows, "2025-04-01T00:00:00+00:00")
    assert result.penalties == Decimal("8.00")
    # 10.00 > 5 USD: 1 USD; 3.00 is not: 2 USD -> 3.00
    result = _verify(tmp_path, " if fee > 5 USD then 1 USD else 2 USD per breach", rows,
                     "2025-04-01T00:00:00+00:00")
    assert result.penalties == Decimal("3.00")


def test_one_argument_min_in_an_amount_per_record_is_a_window_total_and_refused() -> None:
    with pytest.raises(ContractError) as caught:
        check(load_contract_text(_contract(" min(fee) per breach"), "c.yaml"))
    assert any("totals a window" in item.message for item in caught.value.diagnostics)


@pytest.mark.parametrize(("text", "canonical"), [
    ("min(fee,5 USD)   per breach", "min(fee, 5 USD) per breach"),
    ("max(0 USD, fee-25% of fee*days_late) per record",
     "max(0 USD, fee - 25% of fee * days_late) per record"),
    # a conditional amount stands in parentheses, as everywhere fmt writes one
    ("if fee > 5 USD then 1 USD else 2 USD per breach",
     "(if fee > 5 USD then 1 USD else 2 USD) per breach"),
    ("round( fee * 1.5 ) per breach", "round(fee * 1.5) per breach"),
])
def test_fmt_spells_amounts_with_calls_canonically(text: str, canonical: str) -> None:
    kind = "payment" if text.endswith("per record") else "penalty"
    assert fmt.clause(parser.parse(Source(text), kind)) == canonical
    assert fmt.clause(parser.parse(Source(canonical), kind)) == canonical


def test_a_cap_per_contract_year_needs_the_contracts_start() -> None:
    with pytest.raises(ContractError) as caught:
        check(load_contract_text(_contract(" fee per breach, at most 5 USD per contract year")))
    assert any("counts years from the contract's start" in item.message
               for item in caught.value.diagnostics)


def test_contract_years_from_29_february_start_on_1_march_without_one() -> None:
    from slacheck.plan import _contract_years

    key, label = _contract_years(date(2024, 2, 29))
    assert label(0) == "2024-02-29/2025-02-28"
    assert label(4) == "2028-02-29/2029-02-28"
    assert [key(datetime(*day, 12, tzinfo=UTC)) for day in (
        (2024, 2, 29), (2025, 2, 28), (2025, 3, 1), (2028, 2, 28), (2028, 2, 29))] == [
        0, 0, 1, 3, 4]


@pytest.mark.parametrize("text", [
    "fee per breach, at most 100 USD per contract year",
    "fee per breach, at most 100 USD in total",
    "fee per breach, at most 100 USD per contract year by office",
    "fee per breach, at most 100 USD in total by office, deferred while open",
])
def test_fmt_spells_caps_over_the_contract_as_written(text: str) -> None:
    assert fmt.clause(parser.parse(Source(text), "penalty")) == text


def test_a_deferred_total_is_rounded_as_the_totals_are(tmp_path: Path) -> None:
    # round_at: total; 10% of 0.025 = 0.0025 deferred: the total rounds it to 0.00
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps(_row(1, "2025-03-01T00:00:00Z", fee="0.025")) + "\n", "utf-8")
    text = _contract(" 10% of fee per breach, deferred while open", "done_at <= due_at").replace(
        "timezone: UTC}", "timezone: UTC, round_at: total}")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2025-03-10T00:00:00+00:00"))
    assert _only(result).deferred_amount == Decimal("0.0025")
    assert str(result.deferred) == "0.00"


def test_the_penalties_of_a_list_are_listed_in_the_contracts_order() -> None:
    text = _contract("\n      - 50.00 USD at every 3rd breach within 30d\n      - fee per breach")
    standard = load_contract_text(text, "c.yaml").standards[0]
    assert [clause.text for clause in standard.penalties] == [
        "50.00 USD at every 3rd breach within 30d", "fee per breach"]
