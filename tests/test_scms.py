"""The SCMS export end to end, read as published (examples/scms-on-time/): the figures of an
independent script, window by window, from the raw CSV and from JSON lines and Parquet copies."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from slacheck.api import verify
from slacheck.reporters import RENDERERS
from tests.conftest import ROOT

CONTRACT = ROOT / "contracts" / "scms-on-time.yaml"
FOLDER = ROOT / "examples" / "scms-on-time"
SAMPLE = FOLDER / "SCMS_Delivery_History_2006-2007.csv"
AS_OF = date(2008, 1, 1)


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FOLDER / "expected.json").read_text("utf-8"))
    return result


def _rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _figures(data: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(RENDERERS["json"](verify(CONTRACT, data, as_of=AS_OF)))
    return result


def _check(report: dict[str, Any], expected: dict[str, Any]) -> None:
    lines = report["lines"]
    assert (lines["read"], lines["accepted"], lines["rejected"]) == (expected["lines"],
                                                                     expected["lines"], 0)
    [standard] = report["standards"]
    windows = [{
        "window": item["window"],
        "lines": item["passed"] + item["breached"],
        "on_time": item["passed"],
        "late": item["breached"],
        "rate_exact": item["rate_exact"],
        "met": item["met"],
    } for item in standard["windows"]]
    penalties = {item["window"]: item for item in standard["penalties"]["windows"]}
    assert windows == [{key: item[key] for key in windows[0]} for item in expected["windows"]]
    for item in expected["windows"]:
        found = penalties.get(item["window"], {"gross": "0.00", "net": "0.00"})
        assert (found["gross"], found["net"]) == (item["penalty_gross"], item["penalty"])
    assert standard["missed_windows"] == expected["missed_months"]
    assert standard["breaches"] == expected["late"]
    assert report["totals"]["penalties"] == expected["penalties"]


def test_the_raw_csv(expected: dict[str, Any]) -> None:
    raw = SAMPLE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # as published: a byte-order mark,
    assert b"\n" not in raw  # and CR-only line ends
    _check(_figures(SAMPLE), expected)


def test_a_json_lines_copy_gives_the_same_figures(tmp_path: Path,
                                                  expected: dict[str, Any]) -> None:
    copy = tmp_path / "scms.jsonl"
    copy.write_text("".join(json.dumps(row) + "\n" for row in _rows()), "utf-8")
    _check(_figures(copy), expected)


def test_a_parquet_copy_gives_the_same_figures(tmp_path: Path,
                                               expected: dict[str, Any]) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet needs the extra slacheck[parquet]")
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet needs slacheck[parquet]")
    rows = _rows()
    copy = tmp_path / "scms.parquet"
    pq.write_table(pa.table({name: [row[name] for row in rows] for name in rows[0]}), copy)
    _check(_figures(copy), expected)


def test_a_gzipped_tsv_copy_gives_the_same_figures(tmp_path: Path,
                                                   expected: dict[str, Any]) -> None:
    rows = _rows()
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), delimiter="\t",
                            lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    copy = tmp_path / "scms.tsv.gz"
    copy.write_bytes(gzip.compress(text.getvalue().encode("utf-8")))
    _check(_figures(copy), expected)


SHIPMENTS = """\
slacheck: 1
contract: {id: scms-shipments, currency: USD, timezone: UTC}
records:
  id: shipment
  time: scheduled_at
  fields:
    shipment: string
    brand: string
    scheduled_at: timestamp
    delivered_at: {type: timestamp, optional: true}
    value: money
  read:
    assume_timezone: UTC
    two_digit_years_from: 1950
    duplicates: combine
    fields:
      shipment: "ASN/DN #"
      brand: Brand
      scheduled_at: {column: Scheduled Delivery Date, format: "%d-%b-%y"}
      delivered_at: {column: Delivered to Client Date, format: "%d-%b-%y", combine: latest}
      value: {column: Line Item Value, combine: sum}
standards:
  on-time:
    require: delivered_at <= scheduled_at
    target: 97% per month
    penalty: 2% of value per breach
"""


def test_line_items_rolled_up_into_shipments(tmp_path: Path) -> None:
    """The export with one record per shipment (`ASN/DN #`): values summed, delivered when
    the last line item is; a shipment whose line items disagree on a field that must agree
    (its brand, here) is rejected line by line, naming both values."""
    contract = tmp_path / "shipments.yaml"
    contract.write_text(SHIPMENTS, "utf-8")
    groups: dict[str, list[dict[str, str]]] = {}
    for row in _rows():
        groups.setdefault(row["ASN/DN #"], []).append(row)
    agreed = [rows for rows in groups.values() if len({row["Brand"] for row in rows}) == 1]
    late = [rows for rows in agreed
            if max(_day(row["Delivered to Client Date"]) for row in rows)
            > _day(rows[0]["Scheduled Delivery Date"])]
    penalty = sum((sum(Decimal(row["Line Item Value"]) for row in rows) * Decimal("0.02"))
                  .quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for rows in late)
    lines_agreed = sum(len(rows) for rows in agreed)
    assert 0 < len(agreed) < lines_agreed < 737

    result = verify(contract, SAMPLE, as_of=AS_OF)
    lines = result.lines
    # one record per shipment whose lines agree, its other lines merged into it
    assert (lines.read, lines.accepted, lines.rejected, lines.merged) == (
        737, len(agreed), 737 - lines_agreed, lines_agreed - len(agreed))
    assert [(item.field, item.cause, item.lines) for item in lines.causes] == [
        ("brand", "differs between the lines of one shipment", 737 - lines_agreed)]
    windows = result.standards[0].windows
    assert sum(item.passed + item.breached for item in windows) == len(agreed)
    assert sum(item.breached for item in windows) == len(late)
    assert result.penalties == penalty
    assert all(item.message.startswith("brand: differs between the lines of shipment")
               for item in lines.rejections)


def _day(text: str) -> date:
    return datetime.strptime(text, "%d-%b-%y").date()
