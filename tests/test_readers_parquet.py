"""Parquet through pyarrow (the `parquet` extra): typed columns read as JSON would hold them."""

from __future__ import annotations

import io
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slacheck.diagnostics import DataError
from slacheck.readers import Input, read_input
from slacheck.records import Reader, Rejection
from tests.readers_helpers import lines_of, read_all, schema

pa = pytest.importorskip("pyarrow", reason="Parquet needs the optional extra slacheck[parquet]")
pq = pytest.importorskip("pyarrow.parquet", reason="Parquet needs slacheck[parquet]")

AT = datetime(2025, 1, 1, 8, tzinfo=UTC)


def parquet(columns: dict[str, Any], schema_: Any = None) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table(columns, schema=schema_), sink)
    return sink.getvalue()


def test_typed_columns_become_fields() -> None:
    data = parquet({
        "id": ["A", "B"],
        "at": pa.array([AT, AT + timedelta(hours=1)], pa.timestamp("us", tz="UTC")),
        "value": pa.array([Decimal("1.10"), None], pa.decimal128(10, 2)),
        "done": [True, False],
    })
    records, rejected = read_all(data, "parquet")
    assert rejected == []
    assert lines_of(records) == [1, 2]
    assert records[0]["value"] == Decimal("1.10")
    assert records[1]["value"] is None
    assert records[1]["at"] == AT + timedelta(hours=1)


def test_doubles_dates_and_durations_read_as_text_would_be() -> None:
    fields = "id: string\nat: timestamp\nvalue: money\nday: date\nwait: duration\n"
    data = parquet({"id": ["A", "B"], "at": [AT, AT], "value": [0.1, float("nan")],
                    "day": [date(2025, 1, 2)] * 2, "wait": [timedelta(seconds=90)] * 2})
    records, rejected = read_all(data, "parquet", schema(fields))
    assert records[0]["value"] == Decimal("0.1")
    assert records[0]["day"] == date(2025, 1, 2)
    assert records[0]["wait"] == timedelta(seconds=90)
    assert [(item.line, item.field) for item in rejected] == [(2, "value")]


def test_a_timestamp_without_a_zone_needs_one_declared() -> None:
    data = parquet({"id": ["A"], "at": [datetime(2025, 1, 1, 8)]})
    _, [rejection] = read_all(data, "parquet")
    assert rejection.reason.startswith("has no UTC offset")
    zoned = schema(read="assume_timezone: Asia/Shanghai")
    [record], _ = read_all(data, "parquet", zoned)
    assert record["at"] == datetime(2025, 1, 1, tzinfo=UTC)


def test_a_quarantined_row_is_its_values_as_json() -> None:
    data = parquet({"id": ["A"], "at": ["late"], "blob": [b"\x00"]})
    _, [rejection] = read_all(data, "parquet", keep_text=True)
    assert rejection.text is not None
    assert rejection.text.startswith(b"{'id': 'A'")


def test_bytes_that_are_not_parquet_cannot_be_read() -> None:
    with pytest.raises(DataError, match=r"cannot read data\.parquet as Parquet"):
        read_all(b"PAR1 not really", "parquet")


def test_a_plain_file_is_opened_by_path_and_still_hashed(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    path.write_bytes(parquet({"id": ["A"], "at": [AT]}))
    reader = Reader(schema())
    rejected: list[Rejection] = []
    with path.open("rb") as stream:
        records = list(read_input(reader, Input(str(path), "parquet"), stream, rejected.append))
        assert stream.read() == b""
    assert lines_of(records) == [1]


def test_without_pyarrow_parquet_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(DataError, match=r"pip install 'slacheck\[parquet\]'"):
        read_all(b"", "parquet")
