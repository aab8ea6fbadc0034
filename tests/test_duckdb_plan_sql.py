"""`slacheck plan --sql DATA`: the statement typing a table's rows is the one the DuckDB engine
runs on that file (the same text, captured from the engine's connection), and run by hand
on a few rows it types them as worked out here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slacheck.api import verify
from slacheck.cli import main
from tests.conftest import contract_yaml

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
sqlglot = pytest.importorskip("sqlglot")

AS_OF = "2025-03-01"
CONTRACT = contract_yaml("ok: bool", "fee: money",
                         standards="  s:\n    require: ok\n    window: per month\n")
STRICT = CONTRACT.replace("  id: id\n", "  id: id\n  strict: true\n")
JAN_5_10H = 1_736_071_200_000_000
"""2025-01-05T10:00:00Z in microseconds: (55 * 365 + 14 leap days + 4) days and 10 hours."""


def test_epoch_by_hand() -> None:
    assert datetime(2025, 1, 5, 10, tzinfo=UTC).timestamp() * 1_000_000 == JAN_5_10H


def _contract(folder: Path, text: str = CONTRACT) -> Path:
    path = folder / "contract.yaml"
    path.write_text(text, "utf-8")
    return path


def _plan(contract: Path, *args: str) -> list[tuple[str, str]]:
    """The titled statements `plan --sql` prints: (title, statement without its `;`)."""
    result = CliRunner().invoke(main, ["plan", str(contract), "--sql", "--as-of", AS_OF, *args])
    assert result.exit_code == 0, result.stderr
    parts = []
    for part in result.stdout.rstrip("\n").split("\n\n-- "):
        title, _, sql = part.removeprefix("-- ").partition("\n")
        parts.append((title, sql.removesuffix(";")))
    return parts


class _Recording:
    """A DuckDB connection that keeps every statement executed on it."""

    def __init__(self, connection: Any, executed: list[str]) -> None:
        self._connection, self._executed = connection, executed

    def execute(self, sql: str, *args: Any) -> Any:
        self._executed.append(sql)
        return self._connection.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def _engine_inserts(monkeypatch: pytest.MonkeyPatch, contract: Path, data: Path,
                    format_in: str | None = None) -> list[str]:
    """The statements the engine runs to load `data` into its table of records, as text."""
    executed: list[str] = []
    connect = duckdb.connect
    with monkeypatch.context() as patch:
        patch.setattr(duckdb, "connect", lambda *args, **kwargs: _Recording(
            connect(*args, **kwargs), executed))
        verify(contract, [str(data)], as_of=datetime(2025, 3, 1, tzinfo=UTC),
               engine="duckdb", format_in=format_in)
    return [sql.removeprefix("INSERT INTO recs ") for sql in executed
            if sql.startswith("INSERT INTO recs SELECT")]


def _as_run(printed: str) -> str:
    """The printed (pretty) statement as the engine writes it on one line."""
    return str(sqlglot.parse_one(printed, read="duckdb").sql(dialect="duckdb"))


@pytest.fixture
def session() -> Iterator[Any]:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    yield connection
    connection.close()


ROWS = ("id,at,ok,fee\n"
        "a1,2025-01-05T10:00:00Z,TRUE,12.50\n"
        "a2,2025-01-05T18:00:00+08:00,false,x\n")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_delimited_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Any,
                          fmt: str) -> None:
    contract = _contract(tmp_path)
    data = tmp_path / f"rows.{fmt}"
    data.write_text(ROWS if fmt == "csv" else ROWS.replace(",", "\t"), "utf-8")
    parts = _plan(contract, str(data))
    assert parts[0][0] == f"typed records from each chunk of rows of {data}"
    assert "typed records from each chunk of lines" not in [title for title, _ in parts]
    assert [title for title, _ in parts[1:4]] == [
        "ids written on more than one line",
        "records SQL reads exactly, alone of their id, no warning or rule near",
        "stage 1 per standard"]
    assert _engine_inserts(monkeypatch, contract, data) == [_as_run(parts[0][1])]

    # run on a chunk as the engine hands it over: cells as text, a row it could not cut
    session.register("chunk", pa.table({
        "_f": pa.array([0, 0, 0], pa.int32()), "_n": pa.array([2, 3, 4], pa.int64()),
        "_good": [True, True, False], "id": ["a1", "a2", None],
        "at": ["2025-01-05T10:00:00Z", "2025-01-05T18:00:00+08:00", None],
        "ok": ["true", "false", None], "fee": ["12.50", "x", None]}))
    rows = session.execute(
        f'SELECT "_n", "_ok", "_id", "id", "at", "ok", "fee" FROM ({parts[0][1]}) '
        'ORDER BY "_n"').fetchall()
    assert rows == [
        (2, True, "a1", "a1", JAN_5_10H, True, Decimal("12.5")),
        (3, False, "a2", "a2", JAN_5_10H, False, None),  # `x` is no amount
        (4, False, None, None, None, None, None)]


def test_an_undeclared_column_in_a_strict_contract(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row of the file is then the reader's, which the statement says with FALSE."""
    contract = _contract(tmp_path, STRICT)
    data = tmp_path / "rows.csv"
    data.write_text(ROWS.replace("fee\n", "fee,note\n").replace("50\n", "50,\n"), "utf-8")
    printed = _plan(contract, str(data))[0][1]
    assert '"_good" AND FALSE AS "_row"' in printed
    assert _engine_inserts(monkeypatch, contract, data) == [_as_run(printed)]
    lenient = _plan(_contract(tmp_path), str(data))[0][1]
    assert '"_good" AND TRUE AS "_row"' in lenient


def _parquet(path: Path, ids: Any = ("a1", "a2")) -> None:
    pq.write_table(pa.table({
        "id": list(ids),
        "at": pa.array([datetime(2025, 1, 5, 10, tzinfo=UTC)] * 2, pa.timestamp("us", "UTC")),
        "ok": [True, False],
        "fee": pa.array([Decimal("12.50"), None], pa.decimal128(10, 2))}), path)


def test_a_parquet_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Any) -> None:
    contract = _contract(tmp_path)
    data = tmp_path / "rows.parquet"
    _parquet(data)
    title, printed = _plan(contract, str(data))[0]
    assert title == f"typed records from the rows of {data}"
    assert _engine_inserts(monkeypatch, contract, data) == [_as_run(printed)]
    rows = session.execute(f'SELECT "_n", "_ok", "id", "at", "ok", "fee" FROM ({printed}) '
                           'ORDER BY "_n"').fetchall()
    assert rows == [(1, True, "a1", JAN_5_10H, True, Decimal("12.5")),
                    (2, False, "a2", JAN_5_10H, False, None)]  # no fee: the reader rejects it


def test_a_parquet_file_sql_could_mistake(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """An id column that is not text: no SQL types the rows, the engine inserts none."""
    contract = _contract(tmp_path)
    data = tmp_path / "rows.parquet"
    _parquet(data, (1, 2))
    parts = _plan(contract, str(data))
    assert parts[0] == (f"no SQL types the rows of {data}: the stream reader reads each", "")
    assert _engine_inserts(monkeypatch, contract, data) == []


def test_a_database_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          session: Any) -> None:
    contract = _contract(tmp_path)
    data = tmp_path / "rows.duckdb"
    with duckdb.connect(str(data)) as database:
        database.execute("CREATE TABLE shipments (id TEXT, \"at\" TIMESTAMPTZ, ok BOOLEAN, "
                         "fee DECIMAL(10, 2))")
        database.execute("INSERT INTO shipments VALUES ('a1', '2025-01-05 10:00:00+00', "
                         "true, 12.50), ('a2', '2025-01-05 10:00:00+00', false, NULL)")
    title, printed = _plan(contract, str(data))[0]
    assert title == f"typed records from the rows of {data}"
    assert '"data_0"."main"."shipments"' in printed
    assert _engine_inserts(monkeypatch, contract, data) == [_as_run(printed)]
    session.execute(f"ATTACH '{data}' AS data_0 (READ_ONLY)")
    rows = session.execute(f'SELECT "_n", "_ok", "id", "at", "ok", "fee" FROM ({printed}) '
                           'ORDER BY "_n"').fetchall()
    assert rows == [(1, True, "a1", JAN_5_10H, True, Decimal("12.5")),
                    (2, False, "a2", JAN_5_10H, False, None)]


def test_inputs_in_order(tmp_path: Path) -> None:
    """Each input numbered as the engine numbers them; the lines' statement said once."""
    contract = _contract(tmp_path)
    first, second = tmp_path / "a.jsonl", tmp_path / "c.jsonl"
    for path in (first, second):
        path.write_text('{"id": "a1", "at": "2025-01-05T10:00:00Z", "ok": true}\n', "utf-8")
    table = tmp_path / "b.parquet"
    _parquet(table)
    parts = _plan(contract, str(first), str(table), str(second))
    assert [title for title, _ in parts[:3]] == [
        f"typed records from each chunk of lines of {first}, {second}",
        f"typed records from the rows of {table}",
        "ids written on more than one line"]
    assert "1 AS \"_f\"" in parts[1][1]  # the second input
    alone = _plan(contract)
    assert alone[0][0] == "typed records from each chunk of lines"
    assert alone[1:] == parts[2:]


def test_format_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contract = _contract(tmp_path)
    data = tmp_path / "rows.txt"
    data.write_text(ROWS, "utf-8")
    title, printed = _plan(contract, str(data), "--format-in", "csv")[0]
    assert title == f"typed records from each chunk of rows of {data}"
    assert _engine_inserts(monkeypatch, contract, data, "csv") == [_as_run(printed)]


@pytest.mark.parametrize(("args", "message"), [
    (["rows.json"], "does not cover json input"),
    (["-"], "does not cover standard input"),
    (["missing.csv"], "missing.csv"),
])
def test_refused_as_the_engine_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       args: list[str], message: str) -> None:
    contract = _contract(tmp_path)
    (tmp_path / "rows.json").write_text("[]", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["plan", str(contract), "--sql", *args])
    assert result.exit_code in (2, 3), result.stdout
    assert message in result.stderr


def test_data_only_with_sql(tmp_path: Path) -> None:
    contract = _contract(tmp_path)
    result = CliRunner().invoke(main, ["plan", str(contract), "rows.csv"])
    assert result.exit_code == 2
    assert "DATA is read only with --sql" in result.stderr
