"""What a result carries for the reports to explain an amount or a status: the exact amount
before rounding and the rounding mode in a window amount's arithmetic, the contract's rounding,
the warning line and the minimum sample of a window. Figures by hand in the comments."""

from __future__ import annotations

import json
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import pytest

from slacheck.api import verify
from slacheck.loader import load_contract_text
from tests.conftest import ROOT, contract_yaml

CASES = ROOT / "tests" / "cases"


@pytest.mark.parametrize(("case", "said"), [
    # 3% of 335.50 = 10.065: half up 10.07, half even 10.06 (tests/cases/chargeback/README.md)
    ("chargeback", "= 10.065, rounded half up to 10.07"),
    ("chargeback-half-even", "= 10.065, rounded half even to 10.06"),
])
def test_a_window_amount_says_its_exact_figure_and_how_it_was_rounded(case: str,
                                                                      said: str) -> None:
    result = verify(str(CASES / case / "contract.yaml"), [str(CASES / case / "records.jsonl")],
                    as_of=datetime.fromisoformat("2024-08-01T00:00:00-05:00"))
    (window,) = result.standards[0].penalty_windows
    assert window.arithmetic.endswith(said)
    assert result.rounding == ("half_up" if case == "chargeback" else "half_even")
    assert result.round_at == "record"


def test_an_amount_that_needs_no_rounding_is_said_once() -> None:
    # 5% of monthly_fee 200,000.00 = 10,000.00 exactly (tests/cases/credit-bands)
    case = CASES / "credit-bands"
    result = verify(str(case / "contract.yaml"), [str(case / "records.jsonl")],
                    as_of=datetime.fromisoformat("2024-07-01T00:00:00+08:00"))
    credit = result.standards[0].credits[0]
    assert credit.arithmetic.endswith("5% of monthly_fee = 10000.00")


def test_a_window_carries_its_warning_line_and_minimum_sample(tmp_path: Path) -> None:
    text = contract_yaml("ok: bool", head="contract: {id: w, currency: EUR, timezone: UTC}",
                         standards="  s:\n    require: ok\n"
                                   "    target: 97% per month, warn below 99%, at least 3 "
                                   "records\n")
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{n}", "at": "2025-03-02T00:00:00Z",
                                        "ok": True}) + "\n" for n in range(2)), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2025-07-01T00:00:00+00:00"))
    (window,) = result.standards[0].windows
    assert (window.warn, window.minimum, window.status) == (Fraction(99, 100), 3,
                                                           "not evaluated")


def test_a_window_sum_rounded_keeps_its_exact_figure(tmp_path: Path) -> None:
    # 10% of fee per breach, each exact; June: 3 x 0.0025 = 0.0075, rounded half up as the
    # window's sum: 0.01; July: 2 x 0.004 = 0.008 -> 0.01
    text = contract_yaml("ok: bool", "fee: money",
                         head="contract: {id: r, currency: EUR, timezone: UTC, round_at: window}",
                         standards="  s:\n    require: ok\n    window: per month\n"
                                   "    penalty: 10% of fee per breach\n")
    fees = [("06", "0.025")] * 3 + [("07", "0.04")] * 2
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{n}", "at": f"2025-{month}-02T00:00:00Z",
                                        "ok": False, "fee": fee}) + "\n"
                            for n, (month, fee) in enumerate(fees)), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2025-08-01T00:00:00+00:00"))
    assert [(w.label, str(w.exact), str(w.gross)) for w in result.standards[0].penalty_windows] \
        == [("2025-06", "0.00750", "0.01"), ("2025-07", "0.0080", "0.01")]
