"""A zstd file cut short is refused, never read as if it ended there (a `.gz` cut short
already is): the frame walker against files the zstandard package writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slacheck._zstd_frames import Frames

zstandard = pytest.importorskip("zstandard", reason="zstd needs the extra slacheck[zstd]")


def _frames(*chunks: bytes, checksum: bool = False, skippable: bool = False) -> bytes:
    compressor = zstandard.ZstdCompressor(write_checksum=checksum)
    out = b"".join(compressor.compress(chunk) for chunk in chunks)
    if skippable:  # a skippable frame: magic 0x184D2A5?, a 4-byte size, that many bytes
        out += (0x184D2A53).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"abc"
    return out


def _walk(data: bytes, step: int) -> Frames:
    frames = Frames()
    for start in range(0, len(data), step):
        frames.feed(data[start:start + step])
    return frames


@settings(max_examples=60, deadline=None)
@given(chunks=st.lists(st.binary(max_size=3000), min_size=1, max_size=3),
       checksum=st.booleans(), skippable=st.booleans(), step=st.integers(1, 700))
def test_a_whole_file_ends_at_a_frame_and_no_cut_does(chunks: list[bytes], checksum: bool,
                                                      skippable: bool, step: int) -> None:
    data = _frames(*chunks, checksum=checksum, skippable=skippable)
    assert _walk(data, step).complete
    ends = set()  # where a frame ends, the bytes before are a whole file of fewer frames
    position = 0
    for chunk in chunks:
        position += len(zstandard.ZstdCompressor(write_checksum=checksum).compress(chunk))
        ends.add(position)
    for cut in range(1, len(data)):
        assert _walk(data[:cut], step).complete is (cut in ends), cut


def test_bytes_that_are_no_zstd_are_not_complete() -> None:
    assert not _walk(b"not zstd at all", 4).complete
    assert not _walk(b"", 4).complete


def test_verify_refuses_a_zstd_file_cut_short(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from slacheck.cli import main
    from tests.conftest import contract_yaml

    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml("ok: bool", standards=(
        "  s:\n    require: ok\n    window: per month\n")), "utf-8")
    lines = "".join(json.dumps({"id": f"r{n}", "at": "2025-03-01T00:00:00+08:00", "ok": True})
                    + "\n" for n in range(5000))
    whole = zstandard.ZstdCompressor().compress(lines.encode())
    cut = tmp_path / "d.jsonl.zst"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    result = CliRunner().invoke(main, ["verify", str(contract), str(cut), "--as-of",
                                       "2025-05-01T00:00:00+08:00"])
    assert result.exit_code == 3, result.output
    assert "cut short" in result.stderr
    cut.write_bytes(whole)
    result = CliRunner().invoke(main, ["verify", str(contract), str(cut), "--as-of",
                                       "2025-05-01T00:00:00+08:00"])
    assert result.exit_code == 0, result.output
    assert "5000 read = 5000 accepted" in result.stdout
