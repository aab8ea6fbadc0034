"""Progress of a long run on a terminal: lines read, their rate, the time elapsed, and the
share of the data read when it can be told.

The engine calls the progress function with the lines read so far in the current file
(every 65,536 records), and may add the share of that file read (`records._read_share`).
When it does not, the share of a single regular file is estimated from its size and the
length of its first lines (the uncompressed size of a `.gz` is in its last four bytes), and
shown as about so much. Nothing is shown when standard error is not a terminal.
"""

from __future__ import annotations

import gzip
import os
import stat
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from typing import TextIO

_SAMPLE = 1 << 20
"""Bytes of a file read ahead to measure its lines' length."""


class Progress:
    """A progress line on `stream`, rewritten in place; `clear` removes it."""

    def __init__(self, data: Sequence[str], stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.names = [os.path.basename(path) for path in data]
        self.estimate = estimated_lines(data[0]) if len(data) == 1 else None
        self.done = 0
        """Lines of the files already read, as far as the counts tell."""
        self.last = 0
        self.shown = False

    def __call__(self, lines: int, share: float | None = None) -> None:
        if lines < self.last:  # the count starts again: the next file
            self.done += self.last
        self.last = lines
        total = self.done + lines
        elapsed = max(self.clock() - self.started, 1e-9)
        parts = [f"{total:,} lines read", f"{total / elapsed:,.0f}/s", _clock(elapsed)]
        if share is not None:
            parts.append(f"{min(share, 1.0):.0%} of the file")
        elif self.estimate:
            parts.append(f"about {min(lines / self.estimate, 0.99):.0%} of {self.names[0]}")
        self._write("\r" + ", ".join(parts) + "\033[K")
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self._write("\r\033[K")
            self.shown = False

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(text)
        stream.flush()


def progress(quiet: bool, data: Sequence[str]) -> Progress | None:
    """A progress line for a run over `data`, or None when quiet or not on a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    return Progress(data)


def estimated_lines(path: str) -> float | None:
    """About how many lines the file holds, from its size and its first lines' length;
    None when it is not a regular file, or too short or odd to tell.

    The uncompressed size of a `.gz` is the last four bytes of the file (modulo 4 GiB,
    and of its last member only, so an estimate it stays).
    """
    if path == "-" or path.endswith(".zst"):  # a zstd frame need not say its size
        return None
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode) or not status.st_size:
            return None
        size = status.st_size
        if path.endswith(".gz"):
            with open(path, "rb") as raw:
                raw.seek(max(0, size - 4))
                size = int.from_bytes(raw.read(4), "little")
            with gzip.open(path, "rb") as unpacked:
                sample = unpacked.read(_SAMPLE)
        else:
            with open(path, "rb") as raw:
                sample = raw.read(_SAMPLE)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        return None
    lines = sample.count(b"\n")
    if not lines or size < len(sample):
        return None
    if len(sample) < _SAMPLE:
        return float(lines + (0 if sample.endswith(b"\n") else 1))  # the whole file
    return size / (len(sample) / lines)


def _clock(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
