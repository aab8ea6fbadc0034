"""The audit report (Markdown and HTML) states deferred penalties, amounts at every Nth
breach, payments and the rates amounts were converted at, with the figures of the case
folders' READMEs (worked by hand there)."""

from __future__ import annotations

from datetime import datetime
from html import unescape

import pytest

from slacheck.api import verify
from slacheck.findings import Result
from slacheck.reporters import REPORTS
from tests.conftest import ROOT, case_rates

CASES = ROOT / "tests" / "cases"


def _run(name: str, as_of: str) -> Result:
    case = CASES / name
    return verify(str(case / "contract.yaml"), [str(case / "records.jsonl")],
                  as_of=datetime.fromisoformat(as_of), rates=case_rates(case))


def _both(result: Result) -> list[str]:
    """The Markdown report with its escapes removed, and the HTML report's text."""
    markdown = REPORTS["markdown"](result).replace("\\", "")
    page = unescape(REPORTS["html"](result))
    return [markdown, page]


@pytest.mark.parametrize("index", [0, 1], ids=["markdown", "html"])
def test_a_deferred_refund_is_stated_apart_from_what_is_owed(index: int) -> None:
    # 4.B: 480.00 + 1250.50 owed; B7's 610.00 deferred until it is delivered
    text = _both(_run("sla-domain-b", "2024-07-10T00:00:00+08:00"))[index]
    assert ("A further 610.00 CNY in penalties is deferred until 1 open record closes"
            in text)
    assert "1,730.50" in text
    assert "Deferred until the record closes, not in the totals:" in text
    assert "610.00 CNY for 1 overdue breach of open records" in text


@pytest.mark.parametrize("index", [0, 1], ids=["markdown", "html"])
def test_payments_are_owed_by_the_customer_apart(index: int) -> None:
    # 215.00 in March, 33.33 so far in April: 248.33
    text = _both(_run("delivery-fee-net", "2025-04-10T00:00:00+00:00"))[index]
    assert ("The customer owes the provider 248.33 USD in payments for the records "
            "themselves") in text
    assert "No standard sets a target; the provider owes nothing" in text
    assert "April 2025 (open: so far)" in text


@pytest.mark.parametrize("index", [0, 1], ids=["markdown", "html"])
def test_the_rate_used_is_in_the_header_and_beside_each_standard(index: int) -> None:
    text = _both(_run("sla-domain-f", "2025-04-01T00:00:00+08:00"))[index]
    assert "1 SDR = 1.35 USD at 2025-03-31 (given by api)" in text
    assert text.count("Amounts converted at 1 SDR = 1.35 USD at 2025-03-31.") == 2
    assert "15,923.75" in text


@pytest.mark.parametrize("index", [0, 1], ids=["markdown", "html"])
def test_an_amount_at_the_nth_breach_lists_the_breaches_it_used(index: int) -> None:
    text = _both(_run("po-failure-fee", "2024-06-01T00:00:00+08:00"))[index]
    assert "25.00 USD per breach; 599.99 USD at every 5th breach within 60d" in text
    assert ("the 5th breach at 2024-05-01T09:00:00+08:00 = 599.99; net 599.99 USD; breaches "
            "F7 (line 8), F8 (line 9), F9 (line 10), F10 (line 12), F11 (line 13)") in text
    assert "1,474.98" in text
