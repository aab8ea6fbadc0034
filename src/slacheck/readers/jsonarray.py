"""A JSON array of records: each element's text, with the line it starts on, read as a line.

The array is read in bounded memory: elements are found one by one with the stdlib's
decoder in a window of the text at least the line limit long, and each is then read by the
same rules as a JSON line. An element that is not valid JSON breaks the array: what follows
it cannot be told apart, so it is rejected with the lines after it, which are counted.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Iterator
from typing import IO

from slacheck.diagnostics import DataError
from slacheck.records import _READ_SIZE, _LongLine, _printable, unwritten

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Window:
    """The text of a stream, decoded as it is needed, kept from the current element on."""

    def __init__(self, stream: IO[bytes], name: str, limit: int) -> None:
        self.stream, self.name, self.limit = stream, name, limit
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = ""
        self.at = 0
        self.line = 1
        """The line of `text[at]`."""
        self.ended = False

    def fill(self) -> None:
        """At least `limit` characters from `at` on, unless the stream ends first."""
        if self.at > _READ_SIZE:
            self.text, self.at = self.text[self.at:], 0
        while not self.ended and len(self.text) - self.at <= self.limit:
            try:
                chunk = self.stream.read(_READ_SIZE)
            except (OSError, EOFError, zlib.error) as error:
                raise DataError(f"cannot read {self.name}: {error}") from None
            self.ended = not chunk
            self.text += self.decoder.decode(chunk, final=self.ended)

    def skip_space(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            self.fill()
            end = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            self.line += self.text.count("\n", self.at, end)
            self.at = end
            if end < len(self.text) or self.ended:
                return self.text[end:end + 1]

    def advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.at, end)
        self.at = end

    def rest_lines(self) -> int:
        """Reads to the end, counting the lines from the current one."""
        lines = 1
        while True:
            lines += self.text.count("\n", self.at)
            self.at = len(self.text)
            if self.ended:
                return lines
            self.fill()


def array_elements(stream: IO[bytes], name: str, limit: int) -> Iterator[tuple[int, bytes]]:
    """Each element of the JSON array in `stream` as (its first line, its text); where the
    array breaks, a marker that rejects its line and says how many lines it leaves unread."""
    window = _Window(stream, name, limit)
    window.fill()
    if window.text.startswith("\ufeff"):
        window.at = 1
    first = window.skip_space()
    if first == "":
        return  # an empty file holds no records
    if first != "[":
        hint = " (JSON lines: name the file .jsonl or give --format-in jsonl)" \
            if first == "{" else ""
        raise DataError(f"cannot read {name}: not a JSON array, it starts with "
                        f"{json.dumps(first)}{hint}")
    window.advance(window.at + 1)
    elements = 0
    expect_value = True
    while True:
        char = window.skip_space()
        if char == "]" and (not expect_value or not elements):
            window.advance(window.at + 1)
            break
        if not expect_value:
            if char != ",":
                yield window.line, _broken(window, "a `,` or `]` expected after an element")
                return
            window.advance(window.at + 1)
            expect_value = True
            continue
        if char == "":
            yield window.line, _broken(window, "the array does not end")
            return
        start, line = window.at, window.line
        try:
            _, end = _DECODER.raw_decode(window.text, start)
        except (ValueError, RecursionError) as error:
            if len(window.text) - start > limit:
                reason = f"an element longer than the line limit of {limit} bytes"
            else:
                detail = error.msg if isinstance(error, json.JSONDecodeError) else "too deep"
                reason = f"not valid JSON ({detail.lower()})"
            yield line, _broken(window, reason)
            return
        text = window.text[start:end].encode("utf-8", "surrogateescape")
        yield line, text if len(text) <= limit else _long(text, limit)
        window.advance(end)
        elements += 1
        expect_value = False
    if window.skip_space():
        yield window.line, _broken(window, "text after the end of the array")


def _broken(window: _Window, reason: str) -> bytes:
    """Where the array breaks: the rest of the stream is read and its lines counted."""
    text = window.text[window.at:window.at + 80]
    lines = window.rest_lines()
    return unwritten(None, f"{reason}; the array cannot be read past line {window.line} ("
                           f"{lines} line{'s' if lines != 1 else ''} from there): "
                           f"{_printable(text)}", cause=f"{reason}; the array breaks")


def _long(text: bytes, limit: int) -> bytes:
    marker = _LongLine(text[:limit])
    marker.limit = limit
    return marker
