"""Tables for the DuckDB engine: the rows of CSV, TSV and Parquet files into its `recs` table,
typed by SQL (`sql.sources`), and the rows SQL leaves read again by the stream engine's readers.

A CSV file is cut into rows by the stream engine's own CSV reader (`readers.delimited`), so
that its rows, their line numbers and the rows it cannot cut are the stream engine's; SQL
types the cells. A Parquet file is read by DuckDB itself (`read_parquet`), its columns typed
by their Arrow types as pyarrow gives them to the stream reader. A Parquet file DuckDB cannot
read, or whose columns SQL could mistake (names alike but for case, an id that is not text),
has every row left to the stream reader, with its ids known, so that none is mistaken for
a clean row's duplicate. `reading` builds, without loading, what is run on given files, for
`slacheck plan --sql DATA`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from sqlglot import exp

from slacheck.engine.sql.clauses import lit
from slacheck.engine.sql.queries import CHUNK, RECORDS, duckdb_sql, parse
from slacheck.engine.sql.sources import TEXT, column_kind, table_parse, undeclared_check
from slacheck.engine.sql.support import check_inputs, missing
from slacheck.plan import Plan
from slacheck.readers import COMPRESSED, Input, required_columns
from slacheck.readers.database import (
    attach,
    connected,
    database_rows,
    plain_database,
    qualified,
)
from slacheck.readers.delimited import delimited_rows, missing_columns
from slacheck.readers.parquet import parquet_rows
from slacheck.records import MAX_LINE_BYTES, Reader, Rejection, Row, open_data
from slacheck.types import RecordSchema

CHUNK_ROWS = 100_000
"""CSV rows handed to DuckDB at a time."""
TABLES = ("csv", "tsv", "parquet", "duckdb")
"""The formats read here."""
_OURS = frozenset({"_f", "_n", "_readable", "file_row_number"})
"""Column names the engine's own queries use beside the file's."""


@dataclass(slots=True)
class Table:
    """What loading one file found: its undeclared columns, in the file's order, which
    every row the reader takes counts (a clean row's count is added by SQL)."""

    extras: list[str] = field(default_factory=list)


def load_table(connection: Any, pa: Any, plan: Plan, file: int, source: Input,
               limit: int, error: type[Exception]) -> tuple[str, Table]:
    """Load one table file's rows into `recs`: its SHA-256 and what it holds. `error` is
    DuckDB's exception, on which a Parquet file is read by pyarrow instead."""
    if source.format == "parquet":
        return _parquet(connection, pa, plan, file, source.path, error)
    if source.format == "duckdb":
        return _database(connection, pa, plan, file, source, error)
    return _delimited(connection, pa, plan, file, source, limit)


def _file_row(plan: Plan, extras: list[str]) -> bool:
    """Whether rows with these undeclared columns can be clean: not when the records are
    strict (each is rejected) or one is `currency` (each is checked against the contract's)."""
    return not extras or not (plan.schema.strict or "currency" in extras)


def delimited_query(plan: Plan, extras: list[str]) -> exp.Select:
    """The statement typing each chunk of CSV or TSV rows (`CHUNK`) of a file whose header
    names the undeclared columns `extras`."""
    row = exp.and_(exp.column("_good", quoted=True),
                   exp.true() if _file_row(plan, extras) else exp.false())
    return table_parse(plan, None, exp.to_table(CHUNK), row)


def _cut(stream: IO[bytes], source: Input, schema: RecordSchema, limit: int, *,
         keep_text: bool, header: list[bytes] | None = None) -> Iterator[Row]:
    """A CSV or TSV file's rows, cut by the stream reader's CSV reader as it cuts them."""
    read = schema.read
    return delimited_rows(stream, source.path,
                          delimiter=read.delimiter or ("\t" if source.format == "tsv" else None),
                          quote=read.quote, encoding=read.encoding, limit=limit,
                          keep_text=keep_text, required=required_columns(schema),
                          header_line=header)


def _undeclared(values: dict[str, Any], declared: frozenset[str]) -> list[str]:
    return [key for key in values if key not in declared]


def _delimited(connection: Any, pa: Any, plan: Plan, file: int, source: Input,
               limit: int) -> tuple[str, Table]:
    """A CSV or TSV file cut into rows by the stream reader's CSV reader, a chunk of rows
    at a time handed to DuckDB as text cells of the declared fields."""
    schema = plan.schema
    names = list(schema.names)
    declared = frozenset(names)
    digest = hashlib.sha256()
    stream = open_data(source.path, digest)
    table = Table()
    found_header = False
    statement: tuple[tuple[str, ...], str] | None = None  # for which extras, and its text
    try:
        rows = _cut(stream, source, schema, limit, keep_text=False)
        while block := list(islice(rows, CHUNK_ROWS)):
            numbers: list[int] = []
            good: list[bool] = []
            cells: list[list[str | None]] = [[] for _ in names]
            for number, values, _ in block:
                numbers.append(number)
                if type(values) is dict:
                    if not found_header:  # every row has the header's columns
                        table.extras = _undeclared(values, declared)
                        found_header = True
                    good.append(True)
                    get = values.get
                    for column, name in zip(cells, names, strict=True):
                        column.append(get(name) or None)  # an empty cell is absent
                else:  # a row the reader cannot cut into cells: rejected, no id
                    good.append(False)
                    for column in cells:
                        column.append(None)
            chunk = pa.table({"_f": pa.repeat(pa.scalar(file, pa.int32()), len(numbers)),
                              "_n": pa.array(numbers, pa.int64()),
                              "_good": pa.array(good, pa.bool_()),
                              **{name: pa.array(column, pa.string())
                                 for name, column in zip(names, cells, strict=True)}})
            if statement is None or statement[0] != tuple(table.extras):  # once a header
                statement = (tuple(table.extras),
                             duckdb_sql(delimited_query(plan, table.extras)))
            connection.register(CHUNK, chunk)
            connection.execute(f"INSERT INTO {RECORDS} {statement[1]}")
            connection.unregister(CHUNK)
        stream.read()  # to its end, for the digest, whatever the reader left
    finally:
        stream.close()
    return digest.hexdigest(), table


def _parquet(connection: Any, pa: Any, plan: Plan, file: int, path: str,
             error: type[Exception]) -> tuple[str, Table]:
    """A Parquet file read by DuckDB (`read_parquet`; a compressed one read into memory by
    pyarrow first, as the stream reader does), typed by its Arrow schema."""
    digest = hashlib.sha256()
    stream = open_data(path, digest)
    try:
        plain = not path.lower().endswith(COMPRESSED)
        data = None if plain else stream.read()
        if plain:
            while stream.read(1 << 20):
                pass
    finally:
        stream.close()
    sha = digest.hexdigest()

    def alone() -> Table:
        return _rows_alone(connection, pa, plan, file, path, lambda stream: parquet_rows(
            stream, path, path=path if plain else None, keep_text=False,
            required=required_columns(plan.schema)))

    opened = _parquet_file(pa, path, data)
    if opened is None:
        return sha, alone()  # which says why not
    parquet, arrow = opened
    scan, number = _parquet_scan(path, plain)
    if data is not None:
        whole = parquet.read()
        connection.register(_PARQUET_DATA, whole.append_column(
            "_n", pa.array(range(1, whole.num_rows + 1), pa.int64())))
    try:
        return sha, _typed(connection, plan, file, path, arrow, scan, number, alone, error)
    finally:
        if data is not None:
            connection.unregister(_PARQUET_DATA)


_PARQUET_DATA = "parquet_data"
"""The rows of a compressed Parquet file, read by pyarrow and handed to DuckDB."""


def _parquet_file(pa: Any, path: str, data: bytes | None) -> tuple[Any, Any] | None:
    """The pyarrow ParquetFile of `path` (or of its bytes `data`, when compressed) and its
    Arrow schema, or None when pyarrow cannot read them (every row is then the reader's)."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path if data is None else io.BytesIO(data))
        return parquet, parquet.schema_arrow
    except (pa.ArrowException, OSError, ValueError):
        return None


def _parquet_scan(path: str, plain: bool) -> tuple[exp.Expr, exp.Expr]:
    """What a Parquet file's rows are read from, and their numbers from 1."""
    if plain:
        return (exp.func("read_parquet", lit(path), exp.EQ(
                    this=exp.column("file_row_number"), expression=exp.true())),
                exp.Add(this=exp.column("file_row_number"), expression=lit(1)))
    return exp.to_table(_PARQUET_DATA), exp.column("_n", quoted=True)


def _database(connection: Any, pa: Any, plan: Plan, file: int, source: Input,
              error: type[Exception]) -> tuple[str, Table]:
    """A table of a DuckDB database, attached read-only, typed by the Arrow schema DuckDB
    gives the stream reader, its rows numbered in `rowid` order as the reader numbers them."""
    path = source.path
    plain_database(path)
    digest = hashlib.sha256()
    with open_data(path, digest) as stream:
        while stream.read(1 << 20):
            pass

    def alone() -> Table:
        return _rows_alone(connection, pa, plan, file, path, lambda stream: database_rows(
            stream, path, table=source.table, keep_text=False,
            required=required_columns(plan.schema)))

    with _attached(connection, file, source) as (arrow, scan, number):
        table = _typed(connection, plan, file, path, arrow, scan, number, alone, error)
    return digest.hexdigest(), table


@contextmanager
def _attached(connection: Any, file: int, source: Input
              ) -> Iterator[tuple[Any, exp.Expr, exp.Expr]]:
    """A database's table attached while in use: its Arrow schema, what its rows are read
    from, and their numbers from 1 in `rowid` order."""
    alias = f"data_{file}"
    name = attach(connection, source.path, alias, source.table)
    try:
        arrow = connection.sql(f"SELECT * FROM {qualified(alias, name)} LIMIT 0") \
            .to_arrow_table().schema
        number = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=[
            exp.Ordered(this=exp.column("rowid"))]))
        yield arrow, exp.table_(name, db="main", catalog=alias, quoted=True), number
    finally:
        connection.execute(f'DETACH "{alias}"')


def typed_query(plan: Plan, file: int, path: str, arrow: Any, scan: exp.Expr,
                number: exp.Expr) -> tuple[exp.Select, Table] | None:
    """The statement typing the rows of a typed table (`scan`, its row numbers `number`,
    its Arrow schema `arrow`, as the stream reader is given them) and what the table holds,
    or None when SQL could mistake its columns and every row is the reader's."""
    schema = plan.schema
    names = list(arrow.names)
    missing_columns(names, required_columns(schema), path)
    declared = set(schema.names)
    kinds = {name: column_kind(arrow.field(name).type) for name in names if name in declared}
    lowered = [name.lower() for name in names]
    if (len(set(lowered)) != len(lowered) or _OURS & set(lowered)
            or kinds.get(schema.id_field) != TEXT
            or any(name.lower() in lowered and name not in names for name in declared)):
        return None
    table = Table([name for name in names if name not in declared])
    checks = [undeclared_check(arrow.field(name).type, exp.column(name, quoted=True))
              for name in table.extras]
    readable = [check for check in checks if check is not None]
    row = exp.and_(exp.true(), *readable) if _file_row(plan, table.extras) and len(
        readable) == len(checks) else exp.false()
    numbered = exp.select(exp.alias_(lit(file), "_f", quoted=True),
                          exp.alias_(number, "_n", quoted=True),
                          exp.alias_(row, "_readable", quoted=True),
                          *(exp.column(name, quoted=True) for name in kinds)).from_(scan)
    return table_parse(plan, kinds, numbered.subquery(),
                       exp.column("_readable", quoted=True)), table


def _typed(connection: Any, plan: Plan, file: int, path: str, arrow: Any, scan: exp.Expr,
           number: exp.Expr, alone: Callable[[], Table], error: type[Exception]) -> Table:
    """Load the rows of a typed table (see `typed_query`), or, when SQL could mistake its
    columns or DuckDB cannot read it, every row left to the reader (`alone`)."""
    built = typed_query(plan, file, path, arrow, scan, number)
    if built is None:
        return alone()
    query, table = built
    try:
        connection.execute(f"INSERT INTO {RECORDS} {duckdb_sql(query)}")
    except error:  # DuckDB cannot read it: the stream reader says what it makes of it
        connection.execute(f'DELETE FROM {RECORDS} WHERE "_f" = {file}')
        return alone()
    return table


def table_query(connection: Any, pa: Any, plan: Plan, file: int, source: Input,
                limit: int) -> exp.Select | None:
    """The statement `load_table` runs to type the rows of one table file (the `file`th
    input), built as it builds it from the file's header or schema, nothing loaded into
    DuckDB; None when every row is the stream reader's (as they are too when DuckDB then
    fails to read the file)."""
    if source.format == "parquet":
        plain = not source.path.lower().endswith(COMPRESSED)
        data = None
        if not plain:
            with open_data(source.path) as stream:
                data = stream.read()
        opened = _parquet_file(pa, source.path, data)
        built = None if opened is None else typed_query(
            plan, file, source.path, opened[1], *_parquet_scan(source.path, plain))
    elif source.format == "duckdb":
        plain_database(source.path)
        with _attached(connection, file, source) as (arrow, scan, number):
            built = typed_query(plan, file, source.path, arrow, scan, number)
    else:
        declared = frozenset(plan.schema.names)
        with open_data(source.path) as stream:
            values = next((values for _, values, _ in _cut(stream, source, plan.schema, limit,
                                                          keep_text=False)
                           if type(values) is dict), {})
        return delimited_query(plan, _undeclared(values, declared))
    return None if built is None else built[0]


def reading(plan: Plan, sources: Sequence[Input],
            limit: int = MAX_LINE_BYTES) -> list[tuple[str, exp.Expr | None]]:
    """The statements the engine runs to type the records of `sources`, in their order,
    titled for `queries.statements`: the lines' statement once for every JSON lines file,
    and each table's own (`table_query`), or a title saying that its rows are the stream
    reader's. An input the engine refuses is refused here."""
    try:
        import duckdb
        import pyarrow
    except ImportError as error:
        raise missing(error) from None
    check_inputs(sources)
    lines = [source.path for source in sources if source.format not in TABLES]
    parts: list[tuple[str, exp.Expr | None]] = []
    with connected(duckdb) as connection:
        for index, source in enumerate(sources):
            if source.format not in TABLES:
                if lines:  # once, where the first is read
                    parts.append((f"typed records from each chunk of lines of "
                                  f"{', '.join(lines)}", parse(plan)))
                    lines = []
                continue
            query = table_query(connection, pyarrow, plan, index, source, limit)
            rows = "each chunk of rows" if source.format in ("csv", "tsv") else "the rows"
            parts.append((f"typed records from {rows} of {source.path}" if query is not None
                          else f"no SQL types the rows of {source.path}: the stream reader "
                               "reads each", query))
    return parts


def _rows_alone(connection: Any, pa: Any, plan: Plan, file: int, path: str,
                rows_of: Callable[[IO[bytes]], Iterator[Row]]) -> Table:
    """Every row of a table left to the stream reader, each with the id it spells as the
    reader reads it (a data error of the file is the reader's, raised here)."""
    with open_data(path) as stream:
        _ids_alone(connection, pa, plan, file, rows_of(stream))
    return Table()


def _ids_alone(connection: Any, pa: Any, plan: Plan, file: int, rows: Iterator[Row]) -> None:
    id_field = plan.schema.id_field
    while block := list(islice(rows, CHUNK_ROWS)):
        ids = [values.get(id_field) if type(values) is dict else None
               for _, values, _ in block]
        chunk = pa.table({
            "_f": pa.array([file] * len(block), pa.int32()),
            "_n": pa.array([number for number, _, _ in block], pa.int64()),
            "_id": pa.array([found if type(found) is str else None for found in ids],
                            pa.string())})
        connection.register("odd", chunk)
        connection.execute(f'INSERT INTO {RECORDS} ("_f", "_n", "_ok", "_id") '
                           'SELECT "_f", "_n", false, "_id" FROM odd')
        connection.unregister("odd")


def table_rows(reader: Reader, source: Input, wanted: list[int],
               header: list[bytes]) -> Iterator[Row]:
    """The rows numbered `wanted` (ascending) of a table file, as the stream reader reads
    them; a CSV file's header line, once read, in `header` (for a quarantine file)."""
    stream = open_data(source.path)
    try:
        if source.format == "parquet":
            plain = not source.path.lower().endswith(COMPRESSED)
            yield from parquet_rows(stream, source.path, path=source.path if plain else None,
                                    keep_text=reader.keep_text,
                                    required=required_columns(reader.schema), wanted=wanted)
            return
        if source.format == "duckdb":
            yield from database_rows(stream, source.path, table=source.table,
                                     keep_text=reader.keep_text,
                                     required=required_columns(reader.schema), wanted=wanted)
            return
        rows = _cut(stream, source, reader.schema, reader.max_line_bytes,
                    keep_text=reader.keep_text, header=header)
        left = set(wanted)
        last = wanted[-1] if wanted else 0
        for row in rows:
            if row[0] in left:
                yield row
            if row[0] >= last:
                return
    finally:
        stream.close()


def row_readers(reader: Reader, again: Reader, source: Input, header: list[bytes],
                impossible: Callable[[Rejection], object]
                ) -> tuple[Callable[[Row, Callable[[Rejection], object]],
                                    Iterator[dict[str, Any]]],
                           Callable[[Row], dict[str, Any]]]:
    """How a row SQL left is read (by `reader`, rejected or not), and how a clean row a
    standard left is read (by `again`, which cannot reject it)."""
    text = source.format in ("csv", "tsv")

    def left(row: Row, reject: Callable[[Rejection], object]) -> Iterator[dict[str, Any]]:
        return reader.rows((row,), source.path, reject, text=text, header=header)

    def clean(row: Row) -> dict[str, Any]:
        return next(again.rows((row,), source.path, impossible, text=text))

    return left, clean
