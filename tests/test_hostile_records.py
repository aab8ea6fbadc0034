"""Records written to hurt: what they cost in memory and time, and that each is rejected."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from slacheck.records import Reader, open_data
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
