"""Records written to hurt: what they cost in memory and time, and that each is rejected."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from pathlib import Path
from typing import IO, cast

import zstandard
from click.testing import CliRunner

from slacheck.cli import main
from slacheck.records import MAX_LINE_BYTES, Reader, Rejection, open_data
from tests.conftest import AS_OF, CONTRACT
from tests.test_records import SCHEMA, line

MiB = 1 << 20


def test_blank_lines_do_not_size_the_id_table(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    # blank lines first, then long ones: an estimate from the first chunk's lines would
    # reserve 8M ids (96 MiB) for the one record there is
    path.write_bytes(b"\n" * (MiB // 4) + (b" " * 1023 + b"\n") * (31 * 1024)
                     + (line() + "\n").encode())
    reader = Reader(SCHEMA)
    tracemalloc.start()
    try:
        with open_data(str(path)) as stream:
            items = list(reader.records(stream, str(path), lambda item: None))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(items) == 1
    assert peak < 64 * MiB
    assert reader.seen.nbytes < MiB


class _Endless(io.RawIOBase):
    """`size` bytes of one byte value and no newline, made as they are read."""

    def __init__(self, size: int, fill: bytes = b"0") -> None:
        super().__init__()
        self.left, self.fill = size, fill

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        count = min(self.left, size if size is not None and size >= 0 else self.left)
        self.left -= count
        return self.fill * count


def test_a_line_without_a_newline_is_read_in_bounded_memory_and_rejected() -> None:
    reader = Reader(SCHEMA)
    rejected: list[Rejection] = []
    tracemalloc.start()
    try:
        items = list(reader.records(cast(IO[bytes], _Endless(64 * MiB)), "endless",
                                    rejected.append))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert items == []
    [rejection] = rejected
    assert (rejection.line, rejection.field) == (1, None)
    assert rejection.reason == f"longer than the line limit of {MAX_LINE_BYTES} bytes: " \
                               + "0" * 37 + "..."
    assert peak < 8 * MiB


def test_the_line_limit_can_be_set_and_lines_go_on_after_a_long_one() -> None:
    data = (line() + "\n" + "x" * 5000 + "\n" + line(shipment_id="S2") + "\n"
            + "y" * 4000 + "\n" + line(shipment_id="S3")).encode()
    items = list(Reader(SCHEMA, max_line_bytes=1000, keep_text=True).read(io.BytesIO(data), "d"))
    assert [item.line if isinstance(item, Rejection) else item["_line"] for item in items] \
        == [1, 2, 3, 4, 5]
    for item in (items[1], items[3]):
        assert isinstance(item, Rejection)
        assert "line limit of 1000 bytes" in item.reason
        assert item.text is not None
        assert len(item.text) == 1000  # quarantined cut to the limit
    exactly = (line(note="z" * (1000 - len(line(note="")))) + "\n").encode()
    assert len(exactly) == 1001
    [record] = Reader(SCHEMA, max_line_bytes=1000).read(io.BytesIO(exactly), "d")
    assert not isinstance(record, Rejection)


def test_a_gzip_bomb_without_newlines_through_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "zeros.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(64):
            out.write(bytes(MiB))
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    # warm: the modules a run imports, compiled when their bytecode is not kept, are no
    # part of the reading's memory
    CliRunner().invoke(main, ["verify", str(CONTRACT), str(empty), "--as-of", AS_OF])
    tracemalloc.start()
    try:
        result = CliRunner().invoke(main, ["verify", str(CONTRACT), str(path), "--as-of", AS_OF,
                                           "--format", "json"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = json.loads(result.stdout)["lines"]
    assert (lines["read"], lines["accepted"], lines["rejected"]) == (1, 0, 1)
    assert "line limit" in lines["rejections"][0]["reason"]
    assert peak < 16 * MiB


def test_a_zstd_bomb_without_newlines_through_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "zeros.jsonl.zst"
    # 64 MiB of zeros in a few kilobytes: one line without end
    with open(path, "wb") as out, zstandard.ZstdCompressor().stream_writer(out) as packed:
        for _ in range(64):
            packed.write(bytes(MiB))
    assert path.stat().st_size < MiB
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    CliRunner().invoke(main, ["verify", str(CONTRACT), str(empty), "--as-of", AS_OF])  # warm
    tracemalloc.start()
    try:
        result = CliRunner().invoke(main, ["verify", str(CONTRACT), str(path), "--as-of", AS_OF,
                                           "--format", "json"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = json.loads(result.stdout)["lines"]
    assert (lines["read"], lines["accepted"], lines["rejected"]) == (1, 0, 1)
    assert "line limit" in lines["rejections"][0]["reason"]
    assert peak < 16 * MiB


def test_a_damaged_zstd_file_exits_3_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "shipments.jsonl.zst"
    frame = zstandard.ZstdCompressor(write_checksum=True).compress(b'{"a": 1}\n' * 1000)
    path.write_bytes(frame[:-4] + bytes(byte ^ 0xFF for byte in frame[-4:]))  # its checksum
    result = CliRunner().invoke(main, ["verify", str(CONTRACT), str(path), "--as-of", AS_OF])
    assert result.exit_code == 3
    assert f"cannot read {path}" in result.stderr
    assert "Traceback" not in result.output


def test_money_beyond_the_range_on_a_priced_breach_is_rejected_at_its_line(
    tmp_path: Path,
) -> None:
    shipments = CONTRACT.parent.parent / "examples" / "motorola-sinotrans" / "shipments.jsonl"
    lost = ('{"shipment_id": "HUGE-%d", "service": "road", "office": "TSN", '
            '"booked_at": "2025-03-10T10:00:00+08:00", "value": %s, "complete": true, '
            '"accurate": true, "billed_correctly": true, "lost": true}')
    path = tmp_path / "shipments.jsonl"
    path.write_bytes(shipments.read_bytes() + "\n".join([
        lost % (1, '"' + "9" * 27 + '"'), lost % (2, "1e400"), lost % (3, "-1500.00"),
        lost % (4, '"١٢٣.٤٥"'),
    ]).encode() + b"\n")
    result = CliRunner().invoke(main, ["verify", str(CONTRACT), str(path), "--as-of", AS_OF,
                                       "--format", "json"])
    assert isinstance(result.exception, SystemExit), result.exception  # not InvalidOperation
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["lines"]["read"] == 1306
    found = [(item["line"], item["field"]) for item in report["lines"]["rejections"][-4:]]
    assert found == [(1303, "value"), (1304, "value"), (1305, "value"), (1306, "value")]
    assert report["totals"]["penalties"] == "159050.50"
