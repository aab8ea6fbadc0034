"""Parquet, through pyarrow (the optional extra `slacheck[parquet]`): one record per row.

Rows are read in batches, so memory stays within a batch and a row group; row n is line n.
Values become what a JSON line would hold, so the same checks apply: a decimal column stays
exact, a timestamp column with a zone is ISO 8601 with its offset (one without a zone is a
time without an offset, as in any other format), a double is read as its shortest decimal
form (the nearest a binary float comes to the amount it was written from).
"""

from __future__ import annotations

import io
import math
import shutil
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

import orjson

from slacheck.diagnostics import DataError
from slacheck.readers.delimited import missing_columns
from slacheck.records import _READ_SIZE, Row, _json_default, _RejectedError

BATCH_ROWS = 16_384


def parquet_rows(stream: IO[bytes], name: str, *, path: str | None, keep_text: bool,
                 required: Mapping[str, str] | None = None,
                 wanted: Sequence[int] | None = None) -> Iterator[Row]:
    """The rows of a Parquet file. `path`, when it is a plain file, is opened by pyarrow
    itself (which needs to seek); `stream` is read to its end either way, for the digest.
    A file without a `required` column is a data error (see `delimited.missing_columns`).
    `wanted`, the numbers of some rows in ascending order, gives those alone (the rows the
    DuckDB engine leaves to the stream engine), each as it would be given among the rest."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(f"cannot read {name}: reading Parquet needs pyarrow, which is not "
                        "installed (pip install 'slacheck[parquet]')") from None
    if path is None:
        source: Any = io.BytesIO(stream.read())
    else:
        shutil.copyfileobj(stream, _Discard(), _READ_SIZE)  # every byte hashed
        source = path
    number = 0
    try:
        parquet = pq.ParquetFile(source)
        missing_columns(parquet.schema_arrow.names, required or {}, name)
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yield from batch_rows(batch, number + 1, keep_text=keep_text, wanted=wanted)
            number += batch.num_rows
    except (pa.ArrowException, OSError, ValueError) as error:
        raise DataError(f"cannot read {name} as Parquet (after {number} rows): "
                        f"{error}") from None


def batch_rows(batch: Any, first: int, *, keep_text: bool,
               wanted: Sequence[int] | None = None) -> Iterator[Row]:
    """The rows of one Arrow record batch whose first row is numbered `first` (of those
    numbered `wanted`, if given, in ascending order), as JSON would hold their values."""
    import pyarrow as pa

    numbers: Sequence[int] = range(first, first + batch.num_rows)
    if wanted is not None:  # the wanted rows of this batch alone
        numbers = wanted[bisect_left(wanted, first):bisect_left(wanted, first + batch.num_rows)]
        if not numbers:
            return
        batch = batch.take([found - first for found in numbers])
    unreadable = (pa.ArrowException, OverflowError, ValueError)
    for found, row in zip(numbers, _rows_of(batch, unreadable), strict=True):
        if isinstance(row, _RejectedError):
            yield found, row, None
            continue
        values = {key: _plain(value) for key, value in row.items()}
        yield found, values, _text(row) if keep_text else None


def _rows_of(batch: Any, unreadable: tuple[type[Exception], ...]
             ) -> list[dict[str, Any] | _RejectedError]:
    """A batch's rows as Python values; a row holding a value Python cannot hold (a date
    past the year 9999) is a rejection of its own, and the others are read."""
    try:
        rows: list[dict[str, Any] | _RejectedError] = batch.to_pylist()
    except unreadable:
        rows = []
        for index in range(batch.num_rows):
            try:
                rows.extend(batch.slice(index, 1).to_pylist())
            except unreadable as error:
                rows.append(_RejectedError(None, f"a value that cannot be read ({error})",
                                           cause="a value that cannot be read"))
    return rows


def _text(row: dict[str, Any]) -> bytes:
    """A row as a JSON line, for a quarantine file."""
    try:
        return orjson.dumps(row, default=_json_default)
    except TypeError:
        return repr(row).encode()


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


def _plain(value: Any) -> Any:
    """A Parquet value as JSON would hold it, for the same checks as a JSON line."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None or kind is Decimal:
        return value
    if kind is float:
        return repr(value) if math.isfinite(value) else str(value)
    if kind is datetime or kind is date or kind is time:
        return value.isoformat()
    if kind is timedelta:
        return _json_default(value)
    return value  # bytes, lists, structs: the checks say what they are not
