"""The SCMS export end to end, read as published (examples/scms-on-time/): the figures of an
independent script, window by window, from the raw CSV and from JSON lines and Parquet copies."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date
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
