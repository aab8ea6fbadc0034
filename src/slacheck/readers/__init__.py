"""The inputs of a run: the files a path names (a file, a folder, a glob, `-`), the format
of each, and the reader of each format, all giving records to the same checks.

The format comes from the file's extension (under a `.gz` or `.zst`), or is given (`--format-in`):
it is never guessed from content. A file of no known extension is read as JSON lines, and
a first line that is not JSON but reads as a CSV header says so in its rejection.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from slacheck.diagnostics import DataError
from slacheck.readers.database import database_rows, named_table, plain_database
from slacheck.readers.delimited import delimited_rows
from slacheck.readers.jsonarray import array_elements
from slacheck.readers.parquet import parquet_rows
from slacheck.records import Reader, Rejection
from slacheck.types import RecordSchema

FORMATS = ("jsonl", "json", "csv", "tsv", "parquet", "duckdb")
"""JSON lines, a JSON array, CSV, TSV (CSV with tabs), Parquet and a DuckDB database."""

EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".duckdb": "duckdb",
    ".ddb": "duckdb",
}


@dataclass(frozen=True, slots=True)
class Input:
    """One file (or standard input, `-`) and the format it is read in; for a DuckDB
    database, the table named (`data.duckdb:orders`), if any."""

    path: str
    format: str
    table: str | None = None


def format_of(path: str, given: str | None = None) -> str:
    """The format `path` is read in: `given`, else its extension's, else JSON lines."""
    if given is not None:
        if given not in FORMATS:
            raise ValueError(f"unknown format {given!r}: one of {', '.join(FORMATS)}")
        return given
    name = _uncompressed(path.lower())
    return EXTENSIONS.get(os.path.splitext(name)[1], "jsonl")


def expand(path: str, given: str | None = None) -> list[Input]:
    """The files `path` names: itself, the data files of a folder (by name, not recursing),
    or the files a glob pattern matches (sorted); a folder or pattern naming none is an
    error, so that a run never checks nothing by mistake."""
    fmt = format_of(path, given)  # an unknown format is refused before any file is read
    if path == "-" or os.path.isfile(path):
        return [Input(path, fmt)]
    if os.path.isdir(path):
        names = sorted(entry.path for entry in os.scandir(path)
                       if entry.is_file() and not entry.name.startswith(".")
                       and (given is not None or _known(entry.name)))
        if not names:
            known = ", ".join(sorted(EXTENSIONS))
            raise DataError(f"{path} is a folder without data files ({known}, or these .gz "
                            "or .zst)")
        return [Input(name, format_of(name, given)) for name in names]
    named = named_table(path)
    if named is not None:
        return [Input(named[0], "duckdb", named[1])]
    if any(char in path for char in "*?["):
        names = sorted(name for name in glob.glob(path) if os.path.isfile(name))
        if not names:
            raise DataError(f"no file matches {path}")
        return [Input(name, format_of(name, given)) for name in names]
    return [Input(path, format_of(path, given))]  # opening it says what is wrong


def _known(name: str) -> bool:
    return os.path.splitext(_uncompressed(name.lower()))[1] in EXTENSIONS


COMPRESSED = (".gz", ".zst")
"""Compressions read, by extension: gzip and zstd."""


def _uncompressed(name: str) -> str:
    """A file's name less its compression's extension."""
    for suffix in COMPRESSED:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def required_columns(schema: RecordSchema) -> dict[str, str]:
    """The columns a table must have, each for its required field."""
    required = {schema.read.field(spec.name).column or spec.name: spec.name
                for spec in schema.fields if spec.required}
    required.update(schema.read.currency_columns)  # a currency unchecked is no check
    return required


def read_input(reader: Reader, source: Input, stream: IO[bytes],
               reject: Callable[[Rejection], object]) -> Iterator[dict[str, Any]]:
    """The records of one input, read by its format's reader; rejections go to `reject`."""
    path, limit = source.path, reader.max_line_bytes
    if source.format == "jsonl":
        return reader.records(stream, path, reject)
    if source.format == "json":
        return reader.lines(array_elements(stream, path, limit), path, reject)
    if source.format in ("csv", "tsv"):
        read = reader.schema.read
        delimiter = read.delimiter or ("\t" if source.format == "tsv" else None)
        header: list[bytes] = []
        rows = delimited_rows(stream, path, delimiter=delimiter, quote=read.quote,
                              encoding=read.encoding, limit=limit, keep_text=reader.keep_text,
                              required=required_columns(reader.schema), header_line=header)
        return reader.rows(rows, path, reject, text=True, stream=stream, header=header)
    plain = os.path.isfile(path) and not path.lower().endswith(COMPRESSED)
    if source.format == "duckdb":
        plain_database(path)
        rows = database_rows(stream, path, table=source.table, keep_text=reader.keep_text,
                             required=required_columns(reader.schema))
        return reader.rows(rows, path, reject, text=False)
    if source.format != "parquet":
        raise ValueError(f"unknown format {source.format!r}")
    rows = parquet_rows(stream, path, path=path if plain else None, keep_text=reader.keep_text,
                        required=required_columns(reader.schema))
    return reader.rows(rows, path, reject, text=False)
