"""A plain JSON lines file cut into blocks of whole lines, for the DuckDB engine.

Python cutting a 64 MiB piece into its lines costs about a fifth of a second of CPU: a bytes
object made and freed for each line. The engine instead hands DuckDB blocks of a few KiB,
each cut at a newline by one `rfind`, and DuckDB cuts them into lines (`sql.queries.lines`),
in less than half that. Where a line is in the file is then known only by its block; the few
lines read again (those SQL leaves to the stream engine) are found by reading their blocks
(`Blocks.places`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

BLOCK_BYTES = 8 << 10
"""The bytes of a block, at most, but for a block of one longer line. Smaller blocks cost a
Python step each; larger ones cost more to read again for a line SQL leaves."""


class Blocks:
    """Where each block of one file starts and ends, and the number of its first line."""

    def __init__(self) -> None:
        self.firsts = array("q")
        self.starts = array("q")
        self.ends = array("q")

    def cut(self, data: bytes, cut: int, first: int, base: int,
            limit: int) -> tuple[array[int], array[int], array[int]] | None:
        """Cut `data[:cut]` (whole lines, the last perhaps the file's, without a newline)
        into blocks, kept here with `base`, the offset of `data` in the file, and `first`,
        the number of its first line: each block's start and count of lines in `data`, and
        number of its first line; None when a line has `limit` bytes or more (the
        reader's alone, as `records.split_lines` reads it)."""
        size = min(BLOCK_BYTES, limit)
        starts, counts = array("q"), array("q")
        rfind, find, count = data.rfind, data.find, data.count
        at = 0
        while at < cut:
            end = rfind(b"\n", at, min(at + size, cut)) + 1
            if end == 0:  # no newline in `size` bytes: a line of `size` bytes or more
                end = find(b"\n", at, cut) + 1 or cut
                if end - at - (data[end - 1] == 10) >= limit:
                    return None
            starts.append(at)
            counts.append(count(b"\n", at, end) + (data[end - 1] != 10))
            at = end
        firsts = array("q", accumulate(counts, initial=first))
        firsts.pop()
        self.firsts.extend(firsts)
        self.starts.extend(start + base for start in starts)
        self.ends.extend(start + base for start in starts[1:])
        self.ends.append(cut + base)
        return starts, counts, firsts

    def places(self, path: str, numbers: Iterable[int]) -> dict[int, int]:
        """The byte offset in the file of each line numbered in `numbers`, each block
        holding one read once."""
        wanted: dict[int, list[int]] = {}
        for number in numbers:
            wanted.setdefault(bisect_right(self.firsts, number) - 1, []).append(number)
        found: dict[int, int] = {}
        with open(path, "rb") as stream:
            for block in sorted(wanted):
                start = self.starts[block]
                stream.seek(start)
                text = stream.read(self.ends[block] - start)
                offsets = list(accumulate((len(line) + 1 for line in text.split(b"\n")),
                                          initial=start))
                first = self.firsts[block]
                for number in wanted[block]:
                    found[number] = offsets[number - first]
        return found
