"""Record rules of the contract: `records.reject` rejects a record with its message,
`records.warn` flags an implausible one and keeps it."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from slacheck.api import verify
from slacheck.checker import check
from slacheck.diagnostics import ContractError
from slacheck.loader import load_contract_text
from tests.conftest import ROOT, contract_yaml, where
from tests.test_cli import _run

RULES = """\
  reject:
    - when: delivered_at < shipped_at
      message: delivered before it shipped
    - {when: pieces < 1, message: no pieces}
  warn:
    - {when: delivered_at > shipped_at + 30d, message: more than 30 days in transit}
    - {when: weight < 0, message: negative weight}
"""
CONTRACT = contract_yaml(
    "shipped_at: timestamp", "delivered_at: {type: timestamp, optional: true}",
    "pieces: int", "weight: decimal",
    head="contract: {id: rules, currency: USD, timezone: UTC}",
    standards="  s:\n    require: delivered_at within 48h of shipped_at\n"
              "    target: 50% per month\n",
).replace("standards:\n", RULES + "standards:\n")


def _row(index: int, shipped: str, delivered: str | None, pieces: int = 1,
         weight: str = "2.5") -> dict[str, object]:
    return {"id": f"r{index}", "at": f"2025-01-{index:02d}T00:00:00Z", "shipped_at": shipped,
            "delivered_at": delivered, "pieces": pieces, "weight": weight}


def test_reject_and_warn_rules(tmp_path: Path) -> None:
    rows = [
        _row(1, "2025-01-01T08:00:00Z", "2025-01-02T08:00:00Z"),                 # fine
        _row(2, "2025-01-05T08:00:00Z", "2025-01-04T08:00:00Z"),                 # reject
        _row(3, "2025-01-05T08:00:00Z", "2025-01-04T08:00:00Z", pieces=0),       # both rules
        _row(4, "2025-01-05T08:00:00Z", None),                                   # unknown: kept
        _row(5, "2025-01-05T08:00:00Z", "2025-03-01T08:00:00Z"),                 # warn
        _row(6, "2025-01-05T08:00:00Z", "2025-01-06T08:00:00Z", weight="-1"),    # warn
        _row(7, "2025-01-05T08:00:00Z", "2025-02-06T08:00:00Z", weight="-1"),    # warn twice
        _row(8, "2025-01-05T08:00:00Z", "2025-02-06T08:00:00Z", pieces=-2),      # reject
    ]
    (tmp_path / "c.yaml").write_text(CONTRACT, "utf-8")
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    code, out, _ = _run("verify", str(tmp_path / "c.yaml"), str(tmp_path / "d.jsonl"),
                        "--as-of", "2025-04-01", "--format", "json")
    lines = json.loads(out)["lines"]
    assert (lines["read"], lines["accepted"], lines["rejected"]) == (8, 5, 3)
    assert [(item["line"], item["field"], item["reason"]) for item in lines["rejections"]] == [
        (2, None, "delivered before it shipped"),
        (3, None, "delivered before it shipped; no pieces"),
        (8, None, "no pieces")]
    assert [(item["field"], item["cause"], item["lines"]) for item in lines["causes"]] == [
        (None, "delivered before it shipped", 2), (None, "no pieces", 2)]
    assert [(item["message"], item["records"], [f["line"] for f in item["first"]])
            for item in lines["warnings"]] == [
        # line 4 is not delivered as of April: more than 30 days in transit already
        ("more than 30 days in transit", 3, [4, 5, 7]), ("negative weight", 2, [6, 7])]
    # flagged records are evaluated: 1 passed; 4 (open, as of April) and 5, 7 breached
    [standard] = json.loads(out)["standards"]
    [window] = standard["windows"]
    assert (window["passed"], window["breached"]) == (2, 3)

    code, out, _ = _run("verify", str(tmp_path / "c.yaml"), str(tmp_path / "d.jsonl"),
                        "--as-of", "2025-04-01")
    assert code == 1  # 2 of 5 on time: the 50% target is missed
    path = tmp_path / "d.jsonl"
    assert f"WARNING: 3 records: more than 30 days in transit (kept; first: {path}:4, 5, 7)" \
        in out
    assert f"  {path}:3: delivered before it shipped; no pieces" in out


def test_a_warning_on_the_scms_export_counted_by_hand(tmp_path: Path) -> None:
    """SCMS line items delivered more than 30 days before their scheduled date, counted
    with the csv module and datetime alone."""
    data = ROOT / "examples" / "scms-on-time" / "SCMS_Delivery_History_2006-2007.csv"
    early = []
    with data.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                scheduled = datetime.strptime(row["Scheduled Delivery Date"], "%d-%b-%y")
                delivered = datetime.strptime(row["Delivered to Client Date"], "%d-%b-%y")
            except ValueError:
                continue
            if (scheduled - delivered).days > 30:
                early.append(number)
    text = (ROOT / "contracts" / "scms-on-time.yaml").read_text("utf-8").replace(
        "\nstandards:", "\n  warn:\n    - {when: delivered_at < scheduled_at - 30d, "
        "message: delivered a month early}\nstandards:")
    contract = tmp_path / "scms.yaml"
    contract.write_text(text, "utf-8")
    result = verify(contract, [data], as_of=date(2008, 1, 1))
    [warned] = result.lines.warnings
    assert (warned.message, warned.records, [line for _, line in warned.first]) == (
        "delivered a month early", len(early), early)
    assert len(early) == 2  # lines 156 and 672


@pytest.mark.parametrize(("rules", "expected"), [
    ("  reject:\n    - {when: pieces + 1, message: x}\n",
     [("SLA202", 11, 14)]),  # line 11, the column of `pieces`
    ("  warn:\n    - {when: peices < 1, message: x}\n", [("SLA201", 11, 14)]),
    ("  reject:\n    - {when: pieces <, message: x}\n", [("SLA101", 11, 22)]),
])
def test_a_broken_rule_is_a_contract_error_where_it_stands(rules: str,
                                                          expected: list[tuple[str, int, int]]
                                                          ) -> None:
    text = contract_yaml("pieces: int") + rules \
        + "standards:\n  s: {require: pieces > 0, target: 50% per month}\n"
    with pytest.raises(ContractError) as raised:
        check(load_contract_text(text, "c.yaml"))
    assert [where(item) for item in raised.value.diagnostics] == expected


def test_a_rule_without_a_message_is_refused_by_the_schema() -> None:
    text = contract_yaml("pieces: int") + "  reject:\n    - {when: pieces < 1}\n" \
        + "standards:\n  s: {require: pieces > 0, target: 50% per month}\n"
    with pytest.raises(ContractError) as raised:
        load_contract_text(text, "c.yaml")
    [diagnostic] = raised.value.diagnostics
    assert "message" in diagnostic.message
    assert diagnostic.location[1] == 11


def test_rules_apply_to_records_given_from_python() -> None:
    contract = load_contract_text(CONTRACT, "c.yaml")
    result = verify(contract, [_row(1, "2025-01-05T08:00:00Z", "2025-01-04T08:00:00Z")],
                    as_of=datetime(2025, 4, 1, tzinfo=UTC))
    assert [item.message for item in result.lines.rejections] == ["delivered before it shipped"]
