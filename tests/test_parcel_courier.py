"""The second example contract, end to end through the CLI, against figures worked out by hand.

Weeks are ISO weeks in Europe/Berlin (UTC+1 in March): 2025-W10 is 3-9 March, W11 10-16 March;
both are closed at the evaluation time, 20 March.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import ROOT

CONTRACT = ROOT / "contracts" / "parcel-courier.yaml"
DATA = ROOT / "examples" / "parcel-courier" / "parcels.jsonl"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "slacheck", "verify", str(CONTRACT), str(DATA),
         "--as-of", "2025-03-20T00:00:00+01:00", "--format", "json"],
        capture_output=True, check=False, cwd=ROOT,
    )
    assert completed.returncode == 1, completed.stderr.decode()
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _standard(report: dict[str, Any], standard_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in report["standards"] if item["id"] == standard_id)
    return found


def test_lines(report: dict[str, Any]) -> None:
    assert (report["lines"]["read"], report["lines"]["accepted"]) == (12, 11)
    [rejection] = report["lines"]["rejections"]
    assert (rejection["line"], rejection["field"]) == (12, "depot")


def test_on_time_per_week_depot_and_service(report: dict[str, Any]) -> None:
    standard = _standard(report, "on-time")
    rows = [(w["window"], w["group"]["depot"], w["group"]["service"], w["passed"], w["breached"],
             w["excluded"], w["met"]) for w in standard["windows"]]
    assert rows == [
        # P06 and P07, chilled, on time
        ("2025-W10", "BER", "chilled", 2, 0, 0, True),
        # P01 1 minute early, P02 exactly on time, P03 1 second late; P04 and P05 excluded
        ("2025-W10", "BER", "standard", 2, 1, 2, False),
        # P09 on time; P08 never delivered, overdue since 7 March 18:00
        ("2025-W10", "HAM", "standard", 1, 1, 0, False),
        # P10 lost, overdue since 11 March 18:00
        ("2025-W11", "HAM", "chilled", 0, 1, 0, False),
        ("2025-W11", "HAM", "standard", 1, 0, 0, True),
    ]
    exclusions = standard["windows"][1]["exclusions"]
    assert exclusions == {"strike (force majeure)": 1, "the shop gave a wrong address": 1}
    assert [item["id"] for item in standard["overdue_open"]["records"]] == ["P08", "P10"]
    # 2.50 per breach: two in W10, one in W11, far under the 250.00 weekly cap
    assert [(w["window"], w["net"]) for w in standard["penalties"]["windows"]] == [
        ("2025-W10", "5.00"), ("2025-W11", "2.50")]
    # 4% of the 2500.00 weekly fee for each of the three missed (week, group)
    assert standard["service_credits"]["total"] == "300.00"
    assert len(standard["service_credits"]["windows"]) == 3


def test_derived_transit(report: dict[str, Any]) -> None:
    standard = _standard(report, "fast-chilled")
    # P06 took 19.5 h, P07 21 h; P10, handed over 10 March 08:00 and never delivered, has
    # a transit of at least the 9 days 16 hours to the evaluation time (20 March 00:00):
    # more than 20 h, an overdue breach, as `delivered_at within 20h of handed_over_at` says
    rows = [(w["window"], w["passed"], w["breached"], w["pending"]) for w in standard["windows"]]
    assert rows == [("2025-W10", 1, 1, 0), ("2025-W11", 0, 1, 0)]
    assert [item["id"] for item in standard["overdue_open"]["records"]] == ["P10"]


def test_share_of_value_penalties(report: dict[str, Any]) -> None:
    standard = _standard(report, "intact")
    records = [(item["id"], item["amount"]) for item in standard["penalties"]["records"]]
    # 30% of 200.0 (a JSON number), and 30% of 45.55 = 13.665, rounded half up
    assert records == [("P09", "60.00"), ("P10", "13.67")]


def test_totals_and_disqualification(report: dict[str, Any]) -> None:
    assert report["totals"] == {"breaches": 3 + 2 + 2 + 1, "penalties": "81.17",
                                "service_credits": "300.00", "rewards": "0.00"}
    found = report["disqualification"]
    assert (found["standard"], found["at"]) == ("chilled-never-lost", "2025-03-10T08:00:00+01:00")
    assert [item["id"] for item in found["records"]] == ["P10"]


def test_every_example_contract_lints() -> None:
    contracts = sorted(str(path) for path in (ROOT / "contracts").glob("*.yaml"))
    assert len(contracts) >= 2
    completed = subprocess.run([sys.executable, "-m", "slacheck", "lint", *contracts],
                               capture_output=True, check=False, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr.decode()
