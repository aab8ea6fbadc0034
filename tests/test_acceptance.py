"""The acceptance case, end to end through the CLI: every figure of expected.json, exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, CONTRACT, EXAMPLE, ROOT


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((EXAMPLE / "expected.json").read_text("utf-8"))
    return result


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "slacheck", "verify", str(CONTRACT),
         str(EXAMPLE / "shipments.jsonl"), "--as-of", AS_OF, "--format", "json"],
        capture_output=True, check=False, cwd=ROOT,
    )
    assert completed.returncode == 1, completed.stderr.decode()
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _standard(report: dict[str, Any], standard_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        item for item in report["standards"] if item["id"] == standard_id
    ]
    assert len(found) == 1
    return found[0]


def test_header(report: dict[str, Any], expected: dict[str, Any]) -> None:
    assert report["as_of"] == expected["as_of"]
    assert report["currency"] == expected["currency"]
    assert report["schema"] == "slacheck.result/1"


def test_lines(report: dict[str, Any], expected: dict[str, Any]) -> None:
    lines = report["lines"]
    assert lines["read"] == expected["lines"]["read"]
    assert lines["accepted"] == expected["lines"]["accepted"]
    assert lines["read"] == lines["accepted"] + lines["rejected"]
    got = [(item["line"], item["field"]) for item in lines["rejections"]]
    want = []
    for item in expected["lines"]["rejected"]:
        field, _, _ = item["reason"].partition(":") if ":" in item["reason"] else (None, "", "")
        want.append((item["line"], field))
    assert got == want


@pytest.mark.parametrize(
    "standard_id",
    ["pickup-2h", "delivery-24h", "perfect-order", "safe-custody", "billing-accuracy"],
)
def test_windows(report: dict[str, Any], expected: dict[str, Any], standard_id: str) -> None:
    want = expected["standards"][standard_id]
    got = _standard(report, standard_id)
    keys = ("window", "group", "passed", "breached", "pending", "excluded", "rate")
    rows = [{key: window[key] for key in keys} for window in got["windows"]]
    assert rows == [{key: window[key] for key in keys} for window in want["windows"]]
    for window, wanted in zip(got["windows"], want["windows"], strict=True):
        assert window["target"] == wanted.get("target")
        assert window["met"] == wanted.get("met")
    assert got["breaches"] == want["breaches"]


@pytest.mark.parametrize("standard_id", ["pickup-2h", "delivery-24h"])
def test_overdue_open(report: dict[str, Any], expected: dict[str, Any], standard_id: str) -> None:
    got = _standard(report, standard_id)["overdue_open"]
    assert [item["id"] for item in got["records"]] == expected["standards"][standard_id][
        "overdue_open"
    ]
    assert got["total"] == len(expected["standards"][standard_id]["overdue_open"])


def test_capped_penalties(report: dict[str, Any], expected: dict[str, Any]) -> None:
    got = _standard(report, "delivery-24h")
    rows = [{"window": item["window"], "gross": item["gross"], "net": item["net"]}
            for item in got["penalties"]["windows"]]
    assert rows == expected["standards"]["delivery-24h"]["penalties"]
    assert got["missed_windows"] == expected["standards"]["delivery-24h"]["missed_windows"]
    assert got["longest_missed_run"] == expected["standards"]["delivery-24h"][
        "longest_missed_run"
    ]
    assert got["disqualification"] is None


def test_record_penalties(report: dict[str, Any], expected: dict[str, Any]) -> None:
    got = _standard(report, "safe-custody")["penalties"]["records"]
    rows = [{"shipment_id": item["id"], "line": item["line"], "amount": item["amount"]}
            for item in got]
    assert rows == expected["standards"]["safe-custody"]["penalties"]


def test_service_credits(report: dict[str, Any], expected: dict[str, Any]) -> None:
    got = _standard(report, "perfect-order")["service_credits"]["windows"]
    rows = [{"window": item["window"], "credit": item["amount"]} for item in got]
    assert rows == expected["standards"]["perfect-order"]["service_credits"]


def test_totals(report: dict[str, Any], expected: dict[str, Any]) -> None:
    assert report["totals"]["penalties"] == expected["totals"]["penalties"]
    assert report["totals"]["service_credits"] == expected["totals"]["service_credits"]
    assert report["compliant"] is False


def test_disqualification(report: dict[str, Any], expected: dict[str, Any]) -> None:
    got = report["disqualification"]
    want = expected["disqualification"]
    assert got["standard"] == want["standard"]
    assert got["at"] == want["at"]
    assert [item["id"] for item in got["records"]] == want["shipments"]


def test_example_data_is_the_acceptance_data() -> None:
    shared = ROOT.parent / "shared" / "acceptance" / "motorola-sinotrans"
    if not shared.is_dir():
        pytest.skip("the shared acceptance folder is not beside this checkout")
    for name in ("shipments.jsonl", "expected.json", "CONTRACT.md"):
        assert (EXAMPLE / name).read_bytes() == Path(shared / name).read_bytes()
