"""Money sums are exact however many digits they reach (the default context keeps 28)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from slacheck._money import total
from slacheck.findings import Credit, Lines, Result, StandardResult

BIG = Decimal("99999999999999999999999999.99")  # 28 significant digits
# by hand: 3 x 99,999,999,999,999,999,999,999,999.99 = 299,999,999,999,999,999,999,999,999.97
THREE_BIG = Decimal("299999999999999999999999999.97")


def test_a_total_beyond_28_digits_is_exact() -> None:
    assert total([BIG, BIG, BIG], Decimal("0.00")) == THREE_BIG
    assert str(total([BIG, BIG, BIG], Decimal("0.00"))) == "299999999999999999999999999.97"
    assert sum([BIG, BIG, BIG], Decimal(0)) != THREE_BIG  # what the default context gives


def test_no_sum_keeps_its_decimals() -> None:
    assert str(total([], Decimal("0.00"))) == "0.00"


def _standard(penalty: Decimal, credit: Decimal) -> StandardResult:
    return StandardResult(id="s", title="s", clauses=(), windows=(), penalties=penalty,
                          credits=(Credit("2025-01", credit),), zero=Decimal("0.00"))


def test_result_totals_are_exact() -> None:
    result = Result(
        contract_id="c", contract_title="", contract_path="c.yaml", contract_sha256="",
        provider="", customer="", currency="EUR", timezone="UTC",
        as_of=datetime(2025, 4, 1, tzinfo=UTC), tool_version="0", inputs=(),
        lines=Lines(0, 0, 0, ()), standards=(_standard(BIG, BIG),) * 3,
        zero=Decimal("0.00"),
    )
    assert result.penalties == THREE_BIG
    assert result.credits == THREE_BIG
