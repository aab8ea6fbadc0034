"""CSV and TSV: a header row, then one record per row, each with the physical line it starts on.

The stdlib `csv` module splits the cells; it is fed one physical line at a time (CR, LF or
CRLF ends), so that every line is counted, a quoted cell may span lines, a line that is
not valid in the file's encoding rejects only its row, and a row longer than the line
limit is cut off at a line end rather than held in memory.
"""

from __future__ import annotations

import codecs
import csv
import zlib
from collections.abc import Iterator, Mapping
from typing import IO, Any

from slacheck.diagnostics import DataError, did_you_mean
from slacheck.records import _READ_SIZE, Row, _line_shown, _RejectedError

DELIMITERS = (",", "\t", ";", "|")
"""What a header is tried with when the delimiter is not declared, preferred in this order."""


class _TooLongError(Exception):
    """The row being read has grown past the line limit."""


class _Lines:
    """The physical lines of a byte stream, decoded, line ends kept, for `csv.reader`.

    Counts the lines it gives; keeps, for the row being read, its lines' bytes (for a
    quarantine file) and the lines its encoding could not decode.
    """

    def __init__(self, stream: IO[bytes], name: str, encoding: str, limit: int) -> None:
        self.pieces = _physical(stream, name, limit)
        self.encoding = encoding
        self.limit = limit
        self.number = 0
        """The number of the last line given."""
        self.size = 0
        self.kept: list[bytes] = []
        self.undecoded: list[tuple[int, int, bytes]] = []
        """(line, byte, line text) of each line of the row that is not in the encoding."""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = next(self.pieces)
        self.number += 1
        self.size += len(raw)
        self.kept.append(raw)
        if type(raw) is _Cut or self.size > self.limit:
            raise _TooLongError
        if self.number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError as error:
            self.undecoded.append((self.number, error.start + 1, raw))
            return raw.decode(self.encoding, "replace")

    def next_row(self) -> None:
        self.size = 0
        self.kept = []
        self.undecoded = []


class _Cut(bytes):
    """The first `limit` bytes of a physical line longer than that."""


def _physical(stream: IO[bytes], name: str, limit: int) -> Iterator[bytes]:
    """Physical lines with their ends (CR, LF or CRLF), in bounded memory: a line longer
    than `limit` comes out as a `_Cut` of its first `limit` bytes, the rest skipped."""
    rest = b""  # the start of a line no chunk has ended yet, or one a CR may have ended
    cut = False  # the line `rest` continues was given cut already: the rest of it is skipped
    while True:
        try:
            chunk = stream.read(_READ_SIZE)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"cannot read {name}: {error}") from None
        if not chunk:
            break
        lines = (rest + chunk).splitlines(keepends=True)
        rest = lines.pop()
        if rest.endswith(b"\n"):
            lines.append(rest)
            rest = b""
        for line in lines:
            if cut:
                cut = False
                continue
            yield line if len(line) <= limit else _Cut(line[:limit])
        if len(rest) > limit:
            if not cut:
                yield _Cut(rest[:limit])
                cut = True
            rest = rest[-1:] if rest.endswith(b"\r") else b""  # a LF may follow that CR
    if rest and not cut:
        yield rest


def delimited_rows(stream: IO[bytes], name: str, *, delimiter: str | None, quote: str,
                   encoding: str, limit: int, keep_text: bool,
                   required: Mapping[str, str] | None = None,
                   header_line: list[bytes] | None = None) -> Iterator[Row]:
    """The data rows of a CSV or TSV stream, each as (line, values or why not, text).

    `required` maps the columns every row must have to their fields: a header without one
    of them cannot give a single record, and is a data error rather than a rejection of
    every row. With `keep_text`, the header line as the file holds it (less a byte-order
    mark) is put in `header_line`, for a quarantine file.
    """
    lines = _Lines(stream, name, encoding, limit)
    first = _first_line(lines, name)
    if first is None:
        return
    if keep_text and header_line is not None:
        header_line.append(b"".join(lines.kept).removeprefix(codecs.BOM_UTF8))
    if delimiter is None:
        delimiter = _detect(first)
    header = _header(first, delimiter, quote, name)
    missing_columns(header, required or {}, name)
    named = [(index, column) for index, column in enumerate(header) if column]
    whole = len(named) == len(header)
    cells = csv.reader(lines, delimiter=delimiter, quotechar=quote, strict=True)
    while True:
        lines.next_row()
        start = lines.number + 1
        values: dict[str, Any] | _RejectedError
        try:
            row = next(cells)
        except StopIteration:
            return
        except _TooLongError:
            # the reader starts afresh on the line after the one that went past the limit
            values = _RejectedError(None, f"longer than the line limit of {limit} bytes",
                                    after=f": {_row_shown(lines)}")
        except csv.Error as error:
            values = _RejectedError(None, f"not valid CSV ({error})",
                                    after=f": {_row_shown(lines)}", cause="not valid CSV")
        else:
            values = _values(row, header, named, whole, lines)
        yield start, values, b"".join(lines.kept) if keep_text else None


def _first_line(lines: _Lines, name: str) -> str | None:
    try:
        first = next(lines, None)
    except _TooLongError:
        raise DataError(f"cannot read {name}: its header is longer than the line limit of "
                        f"{lines.limit} bytes") from None
    if lines.undecoded:
        _, byte, _ = lines.undecoded[0]
        raise DataError(f"cannot read {name}: its header is not valid {lines.encoding} (byte "
                        f"{byte}); declare the file's encoding (records.read.csv.encoding)")
    return None if first is None else first.removeprefix("\ufeff")


def _detect(first: str) -> str:
    """The delimiter that splits the header into the most columns (a comma when none does)."""
    best, most = ",", 1
    for candidate in DELIMITERS:
        count = len(next(csv.reader([first], delimiter=candidate), []))
        if count > most:
            best, most = candidate, count
    return best


def _header(first: str, delimiter: str, quote: str, name: str) -> list[str]:
    try:
        header = next(csv.reader([first], delimiter=delimiter, quotechar=quote, strict=True))
    except (csv.Error, StopIteration) as error:
        raise DataError(f"cannot read {name}: its header (line 1) is not valid CSV "
                        f"({error})") from None
    header = [column.strip() for column in header]
    seen: set[str] = set()
    for column in header:
        if column in seen and column:
            raise DataError(f"cannot read {name}: its header names the column `{column}` "
                            "twice")
        seen.add(column)
    return header


def _row_shown(lines: _Lines) -> str:
    """The start of the row being read, for its rejection."""
    return _line_shown(b"".join(lines.kept).rstrip(b"\r\n"))


def missing_columns(header: list[str], required: Mapping[str, str], name: str) -> None:
    """A data error naming the first required column the header lacks, if any."""
    for column, field in required.items():
        if column not in header:
            near = did_you_mean(column, [item for item in header if item])
            raise DataError(f"cannot read {name}: it has no column `{column}` (for the field "
                            f"`{field}`){'; ' + near[0] if near else ''}")


def _values(row: list[str], header: list[str], named: list[tuple[int, str]], whole: bool,
            lines: _Lines) -> dict[str, Any] | _RejectedError:
    """A row's values by column, or why it has none: every problem of the row."""
    if not row:
        return _RejectedError(None, "empty line")
    problems: list[_RejectedError] = []
    width = len(header)
    if len(row) != width:
        problems.append(_RejectedError(
            None, f"{len(row)} cell{'s' if len(row) != 1 else ''} where the header has {width}",
            after=f": {_row_shown(lines)}", cause=f"not the {width} cells of the header"))
    for line, byte, raw in lines.undecoded:
        problems.append(_RejectedError(None, f"line {line} is not valid {lines.encoding} "
                                             f"(byte {byte})", after=f": {_line_shown(raw)}",
                                       cause=f"not valid {lines.encoding}"))
    if problems:
        head, *rest = problems
        return head.join(rest)
    if whole:
        return dict(zip(header, row, strict=True))
    return {column: row[index] for index, column in named}
