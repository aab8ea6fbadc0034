"""A piece of a JSON lines file cut into blocks of whole lines, and each line found again
by its number: by hand, and on generated lines against Python's own cutting."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slacheck.engine import blocks as module
from slacheck.engine.blocks import Blocks


def test_a_piece_is_cut_at_the_last_newline_within_the_block_size(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(module, "BLOCK_BYTES", 6)
    data = b"a\nbb\n\nccc\ndddddddd\ne"  # lines 1 to 6; the last has no newline
    blocks = Blocks()
    found = blocks.cut(data, len(data), 1, 0, 100)
    assert found is not None
    starts, counts, firsts = found
    # "a\nbb\n\n" (its 6 bytes end with a newline), "ccc\n" (the next 6 bytes hold one),
    # "dddddddd\n" (one line longer than a block), "e"
    assert list(starts) == [0, 6, 10, 19]
    assert list(counts) == [3, 1, 1, 1]
    assert list(firsts) == [1, 4, 5, 6]
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data)
    assert blocks.places(str(path), [6, 1, 4, 3, 5, 2]) == {
        1: 0, 2: 2, 3: 5, 4: 6, 5: 10, 6: 19}


def test_a_line_at_the_limit_leaves_the_piece_to_the_reader() -> None:
    data = b"ab\nabcd\nx\n"
    assert Blocks().cut(data, len(data), 1, 0, 4) is None  # "abcd" has 4 bytes
    assert Blocks().cut(data, len(data), 1, 0, 5) is not None


def test_pieces_after_the_first_are_placed_by_their_offset_and_first_line(
        tmp_path: Path) -> None:
    whole = b"one\ntwo\nthree\nfour\n"
    blocks = Blocks()
    assert blocks.cut(whole[:8], 8, 1, 0, 100) is not None  # "one\ntwo\n"
    assert blocks.cut(whole[8:], len(whole) - 8, 3, 8, 100) is not None
    path = tmp_path / "lines.jsonl"
    path.write_bytes(whole)
    assert blocks.places(str(path), [1, 2, 3, 4]) == {1: 0, 2: 4, 3: 8, 4: 14}


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.binary(max_size=12).map(lambda text: text.replace(b"\n", b"")),
                      min_size=1, max_size=40),
       size=st.integers(1, 16), ended=st.booleans(), split=st.integers(0, 40))
def test_every_line_is_counted_once_and_found_at_its_place(
        tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], size: int,
        ended: bool, split: int) -> None:
    """Any lines, any block size, in two pieces: the blocks hold every line once, in order,
    and each line's place is where Python's own cutting puts it."""
    data = b"\n".join(lines) + (b"\n" if ended else b"")
    expected, at = {}, 0
    for number, line in enumerate(lines, start=1):
        expected[number] = at
        at += len(line) + 1
    cut = min(split, len(lines))  # the first piece: the first `cut` lines
    middle = min(sum(len(line) + 1 for line in lines[:cut]), len(data))
    original = module.BLOCK_BYTES
    module.BLOCK_BYTES = size
    try:
        blocks, counted = Blocks(), 0
        for start, end, first in ((0, middle, 1), (middle, len(data), cut + 1)):
            if end > start:
                found = blocks.cut(data[start:], end - start, first, start, 100)
                assert found is not None
                counted += sum(found[1])
    finally:
        module.BLOCK_BYTES = original
    assert counted == len(lines) - (1 if not ended and lines[-1] == b"" else 0)
    path = tmp_path_factory.mktemp("blocks") / "lines.jsonl"
    path.write_bytes(data)
    wanted = list(range(1, counted + 1))
    assert blocks.places(str(path), wanted) == {n: expected[n] for n in wanted}
