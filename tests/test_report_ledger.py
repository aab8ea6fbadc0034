"""The audit report of the case folders read as an auditor reads it: the verdict's sentences,
the ledger's rows (per group, per window, rounding, pools, rewards), escalation steps and
rolling windows. Every figure is computed by hand in the comments, from each case's README.

Run `pytest tests/test_report_ledger.py --update-goldens` after a deliberate change, then read
the diff of `tests/goldens/` before committing it.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from slacheck.api import verify
from slacheck.findings import Result
from slacheck.loader import load_contract_text
from slacheck.reporters import RENDERERS, REPORTS, _view
from tests.conftest import ROOT, contract_yaml

CASES = ROOT / "tests" / "cases"
GOLDENS = Path(__file__).parent / "goldens"
SUFFIX = {"html": "html", "markdown": "md"}


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _case(name: str) -> Result:
    """The case run as a user in the repository would type it (paths relative)."""
    folder = (CASES / name).relative_to(ROOT)
    as_of = json.loads((CASES / name / "expected.json").read_text("utf-8"))["as_of"]
    return verify(str(folder / "contract.yaml"), [str(folder / "records.jsonl")],
                  as_of=datetime.fromisoformat(as_of))


def _verdict(page: str) -> list[str]:
    block = re.search(r'<ul class="verdict-sentences">(.*?)</ul>', page, re.S)
    assert block is not None
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block[1], re.S)]


def _section(markdown: str, heading: str) -> str:
    """The Markdown from `heading` to the next heading of its level or above."""
    level = heading.split(" ")[0]
    start = markdown.index(heading + "\n")
    stops = [markdown.find(f"\n{'#' * n} ", start + len(heading))
             for n in range(1, len(level) + 1)]
    ends = [stop for stop in stops if stop != -1]
    return markdown[start:min(ends) if ends else len(markdown)]


@pytest.mark.parametrize("name", ["chargeback", "credit-pool", "escalation", "reward-met"])
@pytest.mark.parametrize("fmt", sorted(REPORTS))
def test_golden(name: str, fmt: str, update_goldens: bool) -> None:
    golden = GOLDENS / f"case-{name}.{SUFFIX[fmt]}"
    rendered = REPORTS[fmt](_case(name))
    if update_goldens:
        golden.write_text(rendered, "utf-8")
    assert rendered == golden.read_text("utf-8")


@pytest.mark.parametrize("name", ["chargeback", "escalation"])
@pytest.mark.parametrize("fmt", ["junit", "sarif"])
def test_ci_golden(name: str, fmt: str, update_goldens: bool) -> None:
    golden = GOLDENS / f"case-{name}.{fmt}"
    rendered = RENDERERS[fmt](_case(name))
    if update_goldens:
        golden.write_text(rendered, "utf-8")
    assert rendered == golden.read_text("utf-8")


def test_a_termination_right_is_in_the_verdict_with_its_date_rule_and_evidence() -> None:
    # tests/cases/escalation/README.md: misses in February, April and June 2024; the third
    # within 6 months gives the customer a termination right when June closes, 1 July 00:00
    # +08:00; the notice came when February closed (1 March), the plan when April did (1 May)
    result = _case("escalation")
    sentences = _verdict(REPORTS["html"](result))
    assert ("The customer has a right to terminate under on-time (Delivered by the due time, "
            "95% a month) as of 1 July 2024 at 00:00 (UTC+08:00): 3 missed months within 6 "
            "months (February 2024, April 2024 and June 2024); evidence: H-0215 (line 5), "
            "H-0405 (line 10), H-0625 (line 18).") in sentences
    assert ("Escalation under on-time: notice as of 1 March 2024 at 00:00 (UTC+08:00), after "
            "1 missed month within 6 months: February 2024; corrective action plan as of 1 May "
            "2024 at 00:00 (UTC+08:00), after 2 missed months within 6 months: February 2024 "
            "and April 2024.") in sentences
    steps = _section(REPORTS["markdown"](result), "## Escalation")
    # each step at its escalate clause's line of the contract (lines 21, 22 and 23)
    assert re.findall(r"### `on-time`: (.*)\n\nRule: `.*` \(escalate clause, contract line "
                      r"(\d+)\)", steps) == [("notice", "21"), ("corrective action plan", "22"),
                                             ("termination right", "23")]
    assert ("Reached as of 1 July 2024 at 00:00 (UTC+08:00), when June 2024 closed; missed "
            "windows counted: February 2024, April 2024, June 2024. Breaches behind them (3): "
            "`H-0215` (line 5), `H-0405` (line 10), `H-0625` (line 18).") in steps


def test_a_pool_limit_is_said_in_the_verdict_and_reconciled() -> None:
    # tests/cases/credit-pool: accuracy 98.95% is in the band 98% to 99%, 5% of 200,000.00 =
    # 10,000.00; dispatch 95.875% in 95% to 97%, 6% = 12,000.00; 22,000.00 in June, over the
    # pool's limit of 10% of 200,000.00 = 20,000.00 by 2,000.00
    result = _case("credit-pool")
    assert ("The provider owes the customer 20,000.00 CNY in service credits, after 2,000.00 "
            "CNY over the at-risk pool's limit was taken off.") in _verdict(REPORTS["html"](result))
    totals = _section(REPORTS["markdown"](result), "### Totals")
    assert "| `accuracy` | 0.00 | 10,000.00 |" in totals
    assert "| `dispatch` | 0.00 | 12,000.00 |" in totals
    assert "| Pool limits (below) | | -2,000.00 |" in totals
    assert "| **Total** | **0.00** | **20,000.00** |" in totals
    assert "| `at-risk` | June 2024 | 22,000.00 | 20,000.00 | -2,000.00 | 20,000.00 |" in totals
    assert ("Reconciled: the totals are the sums of every standard's net penalties and service "
            "credits, less what the pools' limits take off.") in totals


def test_a_reward_is_owed_the_other_way_and_totalled_apart() -> None:
    # tests/cases/reward-met: July 10 of 10 met 99%: 0.5% of 150,000.00 = 750.00 owed by the
    # customer; August 8 of 10 (80%) missed, both its breaches needed to reach 99%
    result = _case("reward-met")
    markdown = REPORTS["markdown"](result)
    assert "| Rewards, owed by the customer to the provider | 750.00 |" in markdown
    ledger = _section(markdown, "## Ledger: what is owed")
    assert ledger.startswith("## Ledger: what is owed\n\nPenalties and service credits are owed "
                             "by the provider to the customer; rewards by the customer to the "
                             "provider, in CNY.")
    assert "| `perfect-order` | 0.00 | 0.00 | 750.00 |" in ledger
    assert "| **Total** | **0.00** | **0.00** | **750.00** |" in ledger
    (standard,) = _view.build(result).standards
    assert standard.findings == (
        "August 2024: 80.00% (8 of 10) met the standard, below the 99% target by 2 records: "
        "both its breaches would have had to pass to reach 99%.",)


@pytest.mark.parametrize(("case", "rounded"), [
    # 3% of 335.50 = 10.065 (tests/cases/chargeback/README.md)
    ("chargeback", "10.065, rounded half up to 10.07"),
    ("chargeback-half-even", "10.065, rounded half even to 10.06"),
])
def test_a_penalty_per_missed_window_shows_its_window_group_and_rounding(case: str,
                                                                         rounded: str) -> None:
    ledger = _section(REPORTS["markdown"](_case(case)), "## Ledger: what is owed")
    net = rounded[-5:]
    # no breach is priced: the amount is the window's, so its breaches column says so
    assert (f"| June 2024 | supplier\\_id=SUP-1 | \u2013 | {net} | none | 0.00 | {net} | "
            "sum(noncompliant\\_cases \\* unit\\_cogs) = 335.50; 3% of sum(noncompliant\\_cases "
            f"\\* unit\\_cogs) = {rounded}; net {net} USD |") in ledger
    assert "A penalty per missed window is computed from the window's totals" in ledger


def test_penalties_capped_per_office_are_subtotalled_per_office(tmp_path: Path) -> None:
    # 3 breaches at 40.00 in PEK: 120.00, capped at 100.00 (-20.00); 1 in TSN: 40.00;
    # 160.00 gross, -20.00, 140.00 owed
    standards = ("  s:\n    require: ok\n    window: per month\n"
                 "    penalty: 40.00 EUR per breach, at most 100.00 EUR per month by office\n")
    text = contract_yaml("ok: bool", "office: string",
                         head="contract: {id: w, currency: EUR, timezone: UTC}",
                         standards=standards)
    rows = [{"id": f"p{n}", "at": "2025-03-02T00:00:00Z", "ok": False, "office": "PEK"}
            for n in range(3)] + [{"id": "t", "at": "2025-03-03T00:00:00Z", "ok": False,
                                   "office": "TSN"}]
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2025-07-01T00:00:00+00:00"))
    ledger = _section(REPORTS["markdown"](result), "## Ledger: what is owed")
    assert ("| March 2025 | office=PEK | 3 | 120.00 | 100.00 | -20.00 | 100.00 | 3 breaches × "  # noqa: RUF001
            "40.00 EUR = 120.00 EUR; capped at 100.00 EUR: -20.00 EUR; net 100.00 EUR |") \
        in ledger
    assert "| March 2025 | office=TSN | 1 | 40.00 | 100.00 | 0.00 | 40.00 |" in ledger
    assert ("| Group | Gross | Cap adjustment | Net owed |\n|---|---:|---:|---:|\n"
            "| office=PEK | 120.00 | -20.00 | 100.00 |\n| office=TSN | 40.00 | 0.00 | 40.00 |\n"
            "| **Total** | **160.00** | **-20.00** | **140.00** |") in ledger


def test_a_contract_that_rounds_only_its_totals_reconciles_with_a_rounding_line(
        tmp_path: Path) -> None:
    # 10% of fee per breach, exact: 0.005 + 0.005 + 3 x 0.0025 + 2 x 0.004 = 0.0255, rounded
    # half up once, at the total: 0.03 (rounding adds 0.0045)
    text = contract_yaml("ok: bool", "fee: money",
                         head="contract: {id: r, currency: EUR, timezone: UTC, round_at: total}",
                         standards="  s:\n    require: ok\n    window: per month\n"
                                   "    penalty: 10% of fee per breach\n")
    fees = [("03", "0.05"), ("04", "0.05")] + [("06", "0.025")] * 3 + [("07", "0.04")] * 2
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{n}", "at": f"2025-{month}-02T00:00:00Z",
                                        "ok": False, "fee": fee}) + "\n"
                            for n, (month, fee) in enumerate(fees)), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2025-08-01T00:00:00+00:00"))
    ledger = _section(REPORTS["markdown"](result), "## Ledger: what is owed")
    assert "Every amount is kept exact; only the totals are rounded half up to 0.01." in ledger
    assert ("| Sum, exact | 0.02550 | 0.00 |\n| Rounding of the totals | 0.00450 | 0.00 |\n"
            "| **Total** | **0.03** | **0.00** |") in ledger
    assert "Reconciled: the totals are the sums" in ledger
    assert "bug in slacheck" not in ledger


def test_a_rolling_window_counts_each_record_once_over_the_period() -> None:
    # tests/cases/rolling-window/README.md: R1, R3 and R4 passed, R2 and R5 breached, however
    # many of the overlapping windows hold them: 3 of 5 = 60.00% (the windows' counts add up
    # to 6 of 10)
    result = _case("rolling-window")
    glance = _section(REPORTS["markdown"](result), "## The period at a glance")
    assert ("| 60.00% (3 of 5 = 3/5) | 1 to 3 March 2024: 66.67% missed; 2 to 4 March 2024: "
            "50.00% missed;") in glance
    assert "| Records evaluated | 5 passed or breached, over every standard; 5 lines read |" \
        in REPORTS["markdown"](result)
    assert _verdict(REPORTS["html"](result))[0] == (
        "Delivered within 24 hours of pickup, 75% over any 3 days (next-day): the 75% target "
        "was missed in 1 to 3 March 2024, 2 to 4 March 2024 and 5 to 7 March 2024.")


def test_the_warning_band_is_drawn_between_the_target_and_its_line() -> None:
    # warning-band: target 97%, warn below 99%; the lowest figure is 96%, so the axis runs
    # from 90% to 100% over 184 pixels (y 200 to 16): 99% at 200 - 9/10 x 184 = 34.4, 97% at
    # 200 - 7/10 x 184 = 71.2, a band 36.8 high
    page = REPORTS["html"](_case("warning-band"))
    assert ('<g><title>the warning band, between the target and the 99% warning line</title>'
            '<rect x="56" y="34.4" width="568" height="36.8" fill="#f5c542" '
            'fill-opacity="0.25"/></g>') in page


def test_a_measure_target_without_breaches_says_why_in_the_evidence() -> None:
    markdown = REPORTS["markdown"](_case("chargeback"))
    evidence = _section(markdown, "## Evidence")
    assert ("No record breached `otif`. A target on a measure (a percentile, a mean, a ratio "
            "of sums) is judged on each window's figure, not record by record.") in evidence



def test_a_rolling_windows_chart_labels_fit_their_slots() -> None:
    # six windows over the chart's 568 units: about 95 each, too narrow for "1 to 3 March
    # 2024" (17 characters of 12px type, about 116 units): the days alone
    (standard,) = _view.build(_case("rolling-window")).standards
    assert [slot.text for slot in standard.chart.slots] == [
        "1-3 Mar", "2-4 Mar", "3-5 Mar", "4-6 Mar", "5-7 Mar", "6-8 Mar"]
    months = _view.build(_case("escalation")).standards[0].chart.slots
    assert [slot.text for slot in months][:2] == ["January 2024", "February 2024"]


def test_a_contract_that_rounds_each_windows_sum_says_so_per_window(tmp_path: Path) -> None:
    # 10% of fee per breach, exact; March 0.005 -> 0.01 (half up), June 3 x 0.0025 = 0.0075
    # -> 0.01; the records add up to 0.0125, the windows to 0.02
    text = contract_yaml("ok: bool", "fee: money",
                         head="contract: {id: r, currency: EUR, timezone: UTC, round_at: window}",
                         standards="  s:\n    require: ok\n    window: per month\n"
                                   "    penalty: 10% of fee per breach\n")
    fees = [("03", "0.05")] + [("06", "0.025")] * 3
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{n}", "at": f"2025-{month}-02T00:00:00Z",
                                        "ok": False, "fee": fee}) + "\n"
                            for n, (month, fee) in enumerate(fees)), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2025-08-01T00:00:00+00:00"))
    ledger = _section(REPORTS["markdown"](result), "## Ledger: what is owed")
    assert ("| March 2025 | 1 | 0.01 | none | 0.00 | 0.01 | 1 breach, its amount 0.0050 EUR, "
            "rounded half up to 0.01 EUR; net 0.01 EUR |") in ledger
    assert ("| June 2025 | 3 | 0.01 | none | 0.00 | 0.01 | 3 breaches, their amounts added up: "
            "0.00750 EUR, rounded half up to 0.01 EUR; net 0.01 EUR |") in ledger
    assert ("The 4 record amounts add up to 0.01250, exact; each window's sum is rounded, to "
            "0.02 in all.") in ledger
