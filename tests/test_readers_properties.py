"""Properties of the readers: any bytes give a result that accounts for every line, with no
error but a data error for a file that cannot be read at all."""

from __future__ import annotations

import io
import json

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slacheck.readers.delimited as delimited
from slacheck.diagnostics import DataError
from slacheck.readers.delimited import _physical, delimited_rows
from slacheck.readers.jsonarray import array_elements
from slacheck.records import Reader, Rejection, Row
from tests.readers_helpers import read_all, schema

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# CSV-ish bytes: cells, quotes, every line end, delimiters, and some bytes that are not UTF-8
_PIECES = st.sampled_from([b"a", b"id", b"at", b"1", b",", b";", b"\t", b'"', b'""', b"\n",
                           b"\r", b"\r\n", b" ", b"\xff", b"\xe4\xb8\x8a", b"\xef\xbb\xbf",
                           b"2025-01-01T00:00:00Z", b"\x00"])
CSV_BYTES = st.one_of(
    st.binary(max_size=200),
    st.lists(_PIECES, max_size=60).map(b"".join),
    st.lists(_PIECES, max_size=40).map(lambda parts: b"id,at\n" + b"".join(parts)),
)


def _rows(data: bytes, limit: int) -> list[Row]:
    return list(delimited_rows(io.BytesIO(data), "d.csv", delimiter=None, quote='"',
                               encoding="utf-8", limit=limit, keep_text=True))


@SETTINGS
@given(CSV_BYTES)
def test_any_csv_bytes_account_for_every_line(data: bytes) -> None:
    try:
        rows = _rows(data, 1 << 20)
    except DataError:
        return  # the header cannot be read: the whole file is a data error (exit 3)
    physical = data.splitlines(keepends=True) or [b""]
    starts = [line for line, _, _ in rows]
    assert starts == sorted(set(starts))
    assert all(2 <= line <= len(physical) for line in starts)
    # the rows' texts, joined, are every line after the header, byte for byte
    assert b"".join(text or b"" for _, _, text in rows) == data[len(physical[0]):]


@SETTINGS
@given(CSV_BYTES, st.integers(min_value=1, max_value=40))
def test_any_csv_bytes_under_a_small_line_limit(data: bytes, limit: int) -> None:
    try:
        rows = _rows(data, limit)
    except DataError:
        return
    starts = [line for line, _, _ in rows]
    assert starts == sorted(set(starts))
    assert all(len(text or b"") <= limit * (1 + (text or b"").count(b"\n")) + limit
               for _, _, text in rows)


@SETTINGS
@given(CSV_BYTES)
def test_every_row_is_a_record_or_a_rejection(data: bytes) -> None:
    reader = Reader(schema())
    rejected: list[Rejection] = []
    try:
        rows = _rows(data, 1 << 20)
        records = list(reader.rows(iter(rows), "d.csv", rejected.append, text=True))
    except DataError:
        return
    assert len(records) + len(rejected) == len(rows)
    assert sorted(item["_line"] for item in records) == [
        line for line, _, _ in rows if line not in {item.line for item in rejected}]


@SETTINGS
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=9))
def test_physical_lines_do_not_depend_on_the_read_size(data: bytes, size: int) -> None:
    whole = list(_physical(io.BytesIO(data), "d", 50))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(delimited, "_READ_SIZE", size)
        pieces = list(_physical(io.BytesIO(data), "d", 50))
    assert pieces == whole
    if all(len(line) <= 50 for line in data.splitlines(keepends=True)):
        assert b"".join(whole) == data


_JSON_PIECES = st.sampled_from([b"[", b"]", b"{", b"}", b",", b":", b'"id"', b'"a"', b"1",
                                b"1.5", b"\n", b"\r\n", b" ", b"null", b"true", b'"\\u00e9"',
                                b"\xff", b"\xef\xbb\xbf"])
JSON_BYTES = st.one_of(
    st.binary(max_size=200),
    st.lists(_JSON_PIECES, max_size=60).map(lambda parts: b"[" + b"".join(parts)),
)


@SETTINGS
@given(JSON_BYTES, st.integers(min_value=8, max_value=1 << 20))
def test_any_json_array_bytes_give_elements_at_rising_lines(data: bytes, limit: int) -> None:
    try:
        elements = list(array_elements(io.BytesIO(data), "d.json", limit))
        records, rejected = read_all(data, "json", limit=limit)
    except DataError:
        return
    lines = [line for line, _ in elements]
    assert lines == sorted(lines)
    assert all(1 <= line <= data.count(b"\n") + 1 for line in lines)
    assert len(records) + len(rejected) == len(elements)


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(["id", "at", "x"]),
                                st.one_of(st.text(max_size=5), st.integers())), max_size=8),
       st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_json_lines_read_alike_whatever_their_line_ends(rows: list[dict[str, object]],
                                                        end: bytes) -> None:
    lines = [json.dumps(row).encode() for row in rows]
    records, rejected = read_all(end.join(lines), "jsonl")
    plain, plain_rejected = read_all(b"\n".join(lines), "jsonl")
    assert records == plain
    assert [(item.line, item.message) for item in rejected] == [
        (item.line, item.message) for item in plain_rejected]


# zstd: a compressed file reads as its bytes would; bytes that are no zstd are a data error



def _zstd_read(path: str, fmt: str) -> tuple[list[int], list[tuple[int, str]]]:
    """The lines of the records and rejections of the file at `path`, read as the CLI does."""
    from slacheck.readers import Input, read_input
    from slacheck.records import open_data

    reader = Reader(schema(), currency="USD")
    rejected: list[Rejection] = []
    stream = open_data(path)
    try:
        records = list(read_input(reader, Input(path, fmt), stream, rejected.append))
    finally:
        stream.close()
    return [item["_line"] for item in records], [(item.line, item.message) for item in rejected]


@SETTINGS
@given(CSV_BYTES, st.sampled_from(["csv", "jsonl"]), st.integers(min_value=1, max_value=3))
def test_zstd_compressed_bytes_read_as_the_plain_bytes(tmp_path_factory: pytest.TempPathFactory,
                                                        data: bytes, fmt: str,
                                                        frames: int) -> None:
    folder = tmp_path_factory.mktemp("zstd")
    plain, packed = folder / f"d.{fmt}", folder / f"d.{fmt}.zst"
    plain.write_bytes(data)
    step = max(1, len(data) // frames)  # a file of several frames is read whole
    packed.write_bytes(b"".join(zstandard.ZstdCompressor().compress(data[start:start + step])
                                for start in range(0, max(len(data), 1), step)))
    try:
        expected = _zstd_read(str(plain), fmt)
    except DataError:
        with pytest.raises(DataError):
            _zstd_read(str(packed), fmt)
        return
    assert _zstd_read(str(packed), fmt) == expected


def _damaged(data: bytes, cut: int, flip: int) -> bytes:
    """A valid zstd frame of `data`, cut short at `cut` or with the byte at `flip` changed."""
    frame = zstandard.ZstdCompressor(write_checksum=True).compress(data)
    if flip % 2:
        return frame[: cut % (len(frame) + 1)]
    at = flip % len(frame)
    return frame[:at] + bytes([frame[at] ^ 0x5A]) + frame[at + 1:]


ZST_BYTES = st.one_of(st.binary(max_size=300),
                      st.builds(_damaged, CSV_BYTES, st.integers(0, 400), st.integers(0, 400)))


@SETTINGS
@given(ZST_BYTES, st.sampled_from(["csv", "jsonl"]))
def test_any_bytes_named_zst_are_records_rejections_or_a_data_error(
        tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str) -> None:
    path = tmp_path_factory.mktemp("zstd") / f"d.{fmt}.zst"
    path.write_bytes(data)
    message = ""
    try:
        _zstd_read(str(path), fmt)
    except DataError as error:
        message = str(error)
    assert not message or str(path) in message
