"""A DuckDB database file as data (`.duckdb`, `.ddb`), through duckdb (the optional extra
`slacheck[duckdb]`): one record per row of one of its tables.

The file is named alone when it holds one table, else with the table after a colon
(`shipments.duckdb:orders`). Rows are read in the table's own order (by `rowid`), row n
being line n, and become what a JSON line would hold as Parquet rows do (through Arrow,
`parquet.batch_rows`), so the same checks apply.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any

from slacheck.diagnostics import DataError
from slacheck.readers.delimited import missing_columns
from slacheck.readers.parquet import BATCH_ROWS, batch_rows
from slacheck.records import _READ_SIZE, Row

DATABASE_EXTENSIONS = (".duckdb", ".ddb")
_NAMED = re.compile(r"(.+\.(?:duckdb|ddb)):([^:/\\]+)", re.IGNORECASE)


@contextmanager
def connected(duckdb: Any) -> Iterator[Any]:
    """A DuckDB connection in memory whose spills, past its memory, go to a folder of its
    own under the system's temporary folder, removed after: DuckDB would write them to
    `.tmp` in the folder slacheck is run from, which may be read-only, or a repository."""
    scratch = tempfile.mkdtemp(prefix="slacheck-duckdb-")
    try:
        connection = duckdb.connect(config={"temp_directory": scratch})
        try:
            yield connection
        finally:
            connection.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def named_table(path: str) -> tuple[str, str] | None:
    """(file, table) of a path spelt `file.duckdb:table` whose file exists, else None."""
    found = _NAMED.fullmatch(path)
    if found is None or not os.path.isfile(found.group(1)):
        return None
    return found.group(1), found.group(2)


def plain_database(path: str) -> None:
    """A database is opened where it lies: a compressed one, or standard input, is a data
    error."""
    if path == "-" or not os.path.isfile(path) or path.lower().endswith((".gz", ".zst")):
        raise DataError(f"cannot read {path}: a DuckDB database is read from a plain file, "
                        "not a compressed one or standard input")


def _duckdb(name: str) -> Any:
    try:
        import duckdb
    except ImportError:
        raise DataError(f"cannot read {name}: reading a DuckDB database needs duckdb, which "
                        "is not installed (pip install 'slacheck[duckdb]')") from None
    return duckdb


def attach(connection: Any, path: str, alias: str, table: str | None) -> str:
    """Attach the database at `path` read-only as `alias`: the name of its table to read
    (`table`, or the only one it holds). A file that is not a database, a table it does
    not hold, or several tables with none named, is a data error."""
    duckdb = _duckdb(path)
    quoted = path.replace("'", "''")
    try:
        connection.execute(f"ATTACH '{quoted}' AS \"{alias}\" (READ_ONLY)")
        names = [name for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND "
            "schema_name = 'main' ORDER BY table_name", [alias]).fetchall()]
    except duckdb.Error as error:
        raise DataError(f"cannot read {path} as a DuckDB database: {error}") from None
    if table is None:
        if len(names) != 1:
            raise DataError(f"cannot read {path}: it holds {_tables(names)}; name the table "
                            f"to read as {path}:TABLE")
        table = names[0]
    elif table not in names:
        raise DataError(f"cannot read {path}: it has no table `{table}` (it holds "
                        f"{_tables(names)})")
    return table


def _tables(names: list[str]) -> str:
    if not names:
        return "no table"
    return f"the table{'s' if len(names) > 1 else ''} " + ", ".join(f"`{name}`" for name in names)


def qualified(alias: str, table: str) -> str:
    """A table of an attached database, quoted for SQL."""
    return f'"{alias}".main."{table.replace(chr(34), chr(34) * 2)}"'


def database_rows(stream: IO[bytes], name: str, *, table: str | None, keep_text: bool,
                  required: Mapping[str, str] | None = None,
                  wanted: Sequence[int] | None = None) -> Iterator[Row]:
    """The rows of one table of the database file `name` (those numbered `wanted` alone,
    if given); `stream` is read to its end, for the digest. A table without a `required`
    column is a data error (see `delimited.missing_columns`)."""
    duckdb = _duckdb(name)
    shutil.copyfileobj(stream, _Discard(), _READ_SIZE)  # every byte hashed
    with connected(duckdb) as connection:
        connection.execute("SET TimeZone = 'UTC'")  # times reach Arrow with their instant
        found = qualified("data", attach(connection, name, "data", table))
        number = 0
        try:
            reader = connection.sql(f"SELECT * FROM {found} ORDER BY rowid") \
                .to_arrow_reader(BATCH_ROWS)
            missing_columns(list(reader.schema.names), required or {}, name)
            for batch in reader:
                yield from batch_rows(batch, number + 1, keep_text=keep_text, wanted=wanted)
                number += batch.num_rows
        except duckdb.Error as error:
            raise DataError(f"cannot read {name} (after {number} rows): {error}") from None


class _Discard:
    def write(self, data: Any) -> int:
        return len(data)
