"""Parquet through pyarrow (the `parquet` extra): typed columns read as JSON would hold them."""

from __future__ import annotations

import io
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_row_with_a_value_python_cannot_hold_is_rejected_alone() -> None:
    far = pa.array([0, 10**18, 0], pa.int64()).cast(pa.timestamp("us", tz="UTC"))  # 33,658
    data = parquet({"id": ["A", "B", "C"], "at": far})
    records, [rejection] = read_all(data, "parquet")
    assert [record["id"] for record in records] == ["A", "C"]
    assert rejection.line == 2
    assert rejection.reason.startswith("a value that cannot be read")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1,
                max_size=8))
def test_any_damage_to_a_file_gives_rows_or_a_data_error(flips: list[tuple[int, int]]) -> None:
    data = bytearray(GOOD)
    for at, byte in flips:
        data[at % len(data)] = byte
    try:
        records, rejected = read_all(bytes(data), "parquet")
    except DataError:
        return
    lines = sorted([*(record["_line"] for record in records), *(item.line for item in rejected)])
    assert lines == list(range(1, len(lines) + 1))


GOOD = parquet({"id": ["A", "B", "C"], "at": [AT] * 3, "value": ["1.5", "x", None]})
