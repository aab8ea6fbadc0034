"""The DuckDB engine reads CSV, TSV and Parquet (a file, a folder of them, several formats in
one run) and gives the stream engine's JSON result byte for byte: on the acceptance data, the
case folders and library contracts it covers written as CSV and Parquet, and on generated
rows with every fault the stream readers know (cells they cannot cut, values of the wrong
type, nulls, ids repeated across files, column types SQL leaves to the stream reader)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")
pytest.importorskip("pyarrow")

from slacheck.api import compile_plan, load_checked
from slacheck.cli import main
from slacheck.diagnostics import DataError
from slacheck.engine.duckdb import run_duckdb
from slacheck.types import Kind, RecordSchema
from tests.conftest import AS_OF, CONTRACT, EXAMPLE, ROOT
from tests.test_duckdb_coverage import _record as constructs_record
from tests.test_duckdb_coverage import contract_text
from tests.test_duckdb_engine import (
    _HOSTILE,
    FOLDERS,
    LIBRARY,
    _both,
    _measures_contract,
    _record,
    _through_cli,
)

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

# writing JSON records as tables


def _objects(path: Path) -> list[dict[str, Any] | None]:
    """The records of a JSON lines file; None for a line that is not a JSON object."""
    found: list[dict[str, Any] | None] = []
    for line in path.read_bytes().splitlines():
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        found.append(value if isinstance(value, dict) else None)
    return found


def _columns(objects: Sequence[dict[str, Any] | None]) -> list[str]:
    names: dict[str, None] = {}
    for item in objects:
        names.update(dict.fromkeys(item or {}))
    return list(names)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _csv(objects: list[dict[str, Any] | None], rng: random.Random | None = None,
         delimiter: str = ",") -> bytes:
    """A CSV file of `objects`, a line that is not an object a row of one cell. With `rng`,
    written in every way the reader reads: quoted cells with delimiters, quotes and line
    breaks, spaces around values, booleans in any case, CRLF, a byte-order mark, rows of
    the wrong width, blank lines, a line that is not UTF-8."""
    names = _columns(objects)
    out = io.StringIO()
    quoting: Literal[0, 1] = csv.QUOTE_MINIMAL if rng is None or rng.random() < 0.5 \
        else csv.QUOTE_ALL
    ending = "\r\n" if rng is not None and rng.random() < 0.3 else "\n"
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=quoting)
    writer.writerow(names)
    for item in objects:
        if item is None:
            out.write("broken" + ending)
            continue
        cells = [_cell(item.get(name)) for name in names]
        if rng is not None:
            for index, text in enumerate(cells):
                roll = rng.random()
                if roll < 0.03:
                    cells[index] = f" {text} "
                elif roll < 0.06 and text in ("true", "false"):
                    cells[index] = text.upper() if rng.random() < 0.5 else text.title()
                elif roll < 0.07:
                    cells[index] = text + rng.choice(('", he said', "\nsecond line", ";|\t"))
            roll = rng.random()
            if roll < 0.02:
                cells.append("one too many")
            elif roll < 0.03:
                out.write(ending)
        writer.writerow(cells)
    data = out.getvalue().encode()
    if rng is not None:
        if rng.random() < 0.3:
            data = b"\xef\xbb\xbf" + data
        if rng.random() < 0.3:
            lines = data.split(b"\n")
            spot = rng.randrange(1, len(lines))
            lines[spot] = lines[spot].replace(b"a", b"\xff", 1)
            data = b"\n".join(lines)
    return data


def _typed(kind: Kind, value: Any, zoned: bool) -> Any:
    """A JSON value as a Parquet column of its field's kind would hold it; None when it has
    no such value (a null in the file)."""
    if value is None:
        return None
    if kind in (Kind.STRING, Kind.ENUM):
        return value if isinstance(value, str) else None
    if kind is Kind.BOOL:
        return value if isinstance(value, bool) else None
    if kind in (Kind.TIMESTAMP, Kind.DATE):
        try:
            moment = (datetime.fromisoformat(value) if kind is Kind.TIMESTAMP
                      else date.fromisoformat(value))
        except (TypeError, ValueError):
            return None
        if isinstance(moment, datetime) and (moment.tzinfo is None) == zoned:
            return None
        return moment
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _arrow(kind: Kind, values: list[Any], rng: random.Random) -> Any:
    """A column of one field's values, of a type drawn among those a real export has."""
    if kind in (Kind.STRING, Kind.ENUM):
        return pa.array([_typed(kind, value, True) for value in values], pa.string())
    if kind is Kind.BOOL:
        return pa.array([_typed(kind, value, True) for value in values], pa.bool_())
    if kind is Kind.DATE:
        return pa.array([_typed(kind, value, True) for value in values], pa.date32())
    if kind is Kind.TIMESTAMP:
        unit, zone = rng.choice((("us", "UTC"), ("us", "Asia/Shanghai"), ("ms", "+05:30"),
                                 ("s", "America/New_York"), ("ns", "UTC"), ("us", None)))
        typed = [_typed(kind, value, zone is not None) for value in values]
        if unit == "s":
            typed = [None if moment is None else moment.replace(microsecond=0)
                     for moment in typed]
        return pa.array(typed, pa.timestamp(unit, tz=zone))
    numbers = [_typed(kind, value, True) for value in values]
    form = rng.choice(("decimal", "double", "int", "wide decimal"))
    if form == "double":
        return pa.array([None if number is None else float(number) for number in numbers],
                        pa.float64())
    if form == "int":
        return pa.array([None if number is None or number != number.to_integral_value()
                         or abs(number) >= 2**63 else int(number) for number in numbers],
                        pa.int64())
    scale = 2 if form == "decimal" else 20
    return pa.array([None if number is None or abs(number) >= 10**(37 - scale)
                     else number.quantize(Decimal(1).scaleb(-scale)) for number in numbers],
                    pa.decimal128(38, scale))


def _parquet(objects: Sequence[dict[str, Any] | None], schema: RecordSchema,
             rng: random.Random) -> Any:
    """A Parquet table of `objects`: each declared field typed (of a type drawn) or, now
    and then, as text; undeclared fields as text; a line that is not an object a row of
    nulls."""
    rows = [item or {} for item in objects]
    columns: dict[str, Any] = {}
    for name in _columns(objects) + [spec.name for spec in schema.fields]:
        spec = schema.field(name)
        values = [row.get(name) for row in rows]
        if spec is None or rng.random() < 0.15:
            columns[name] = pa.array([None if value is None else _cell(value)
                                      for value in values], pa.string())
        else:
            columns[name] = _arrow(spec.type.kind, values, rng)
    return pa.table(columns)


def _schema(contract: Path) -> RecordSchema:
    return load_checked(contract).contract.schema


# the acceptance data


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_acceptance_as_csv_and_tsv(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / ("shipments.csv" if delimiter == "," else "shipments.tsv")
    path.write_bytes(_csv(_objects(EXAMPLE / "shipments.jsonl"), delimiter=delimiter))
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream
    assert json.loads(duck)["lines"]["rejected"] > 0


def _plain_parquet(objects: Sequence[dict[str, Any] | None], schema: RecordSchema) -> Any:
    """A Parquet table of `objects` as an export would type it: times with a zone,
    amounts as decimals."""
    columns = {}
    for spec in schema.fields:
        kind = spec.type.kind
        values = [(item or {}).get(spec.name) for item in objects]
        if kind is Kind.TIMESTAMP:
            columns[spec.name] = pa.array([_typed(kind, value, True) for value in values],
                                          pa.timestamp("us", tz="Asia/Shanghai"))
        elif kind is Kind.MONEY:
            columns[spec.name] = pa.array([_typed(kind, value, True) for value in values],
                                          pa.decimal128(20, 2))
        else:
            columns[spec.name] = _arrow(kind, values, random.Random(0))
    return pa.table(columns)


def test_acceptance_as_parquet(tmp_path: Path) -> None:
    table = _plain_parquet(_objects(EXAMPLE / "shipments.jsonl"), _schema(CONTRACT))
    path = tmp_path / "shipments.parquet"
    pq.write_table(table, path, row_group_size=500)
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream


def test_acceptance_through_the_command_line_as_parquet_and_csv(tmp_path: Path) -> None:
    objects = _objects(EXAMPLE / "shipments.jsonl")
    (tmp_path / "a.csv").write_bytes(_csv(objects[:700]))
    pq.write_table(_plain_parquet(objects[650:], _schema(CONTRACT)), tmp_path / "b.parquet")
    outputs = {}
    for engine in ("stream", "duckdb"):
        result = CliRunner().invoke(main, [
            "verify", str(CONTRACT), str(tmp_path), "--as-of", AS_OF, "--format", "json",
            "--engine", engine], catch_exceptions=False)
        assert result.exit_code == 1, result.stderr
        outputs[engine] = result.stdout
    assert outputs["duckdb"] == outputs["stream"]
    assert '"duplicate' in outputs["duckdb"]  # the ids of a.csv again in b.parquet


# generated rows


def _generated(rng: random.Random, size: int) -> list[dict[str, Any] | None]:
    found: list[dict[str, Any] | None] = []
    for number in range(size):
        if rng.random() < 0.03:
            value = rng.choice(_HOSTILE)
            try:
                parsed = orjson.loads(value)
            except orjson.JSONDecodeError:
                parsed = None
            found.append(parsed if isinstance(parsed, dict) else None)
        else:
            found.append(_record(rng, number))
    return found


_AS_OF = ("2025-04-01T00:00:00+08:00", "2025-07-15T12:00:00+08:00",
          "2026-01-01T00:00:00+08:00")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 300), measured=st.booleans(),
       files=st.integers(1, 3))
def test_generated_csv_identical(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                 size: int, measured: bool, files: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("csv")
    objects = _generated(rng, size)
    paths = []
    for part in range(files):  # overlapping parts: ids repeated across files
        start = rng.randrange(0, size)
        path = folder / f"part{part}.{'csv' if rng.random() < 0.7 else 'tsv'}"
        path.write_bytes(_csv(objects[start:] + objects[:start // 2], rng,
                              "\t" if path.suffix == ".tsv" else ","))
        paths.append(str(path))
    contract = _measures_contract(folder) if measured else CONTRACT
    stream, duck = _refused_or_both(contract, paths, rng.choice(_AS_OF), rng.choice((1, 3, 100)))
    assert duck == stream


def _refused_or_both(contract: Path, paths: list[str], as_of: str,
                     limit: int) -> tuple[str, str]:
    """`_both`, or each engine's refusal of the data: a file whose rows are all lines that
    are not objects has a header without the required columns, which both refuse alike."""
    try:
        return _both(contract, paths, as_of, limit)
    except DataError as refused:
        checked = load_checked(contract)
        plan = compile_plan(checked, datetime.fromisoformat(as_of), limit)
        with pytest.raises(DataError) as duck:
            run_duckdb(checked, plan, paths)
        return str(refused), str(duck.value)


def test_a_header_without_the_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "part0.tsv"
    path.write_bytes(_csv([None], random.Random(3639), "\t"))
    stream, duck = _refused_or_both(CONTRACT, [str(path)], AS_OF, 100)
    assert duck == stream
    assert "it has no column `shipment_id`" in stream


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 300), measured=st.booleans(),
       files=st.integers(1, 3))
def test_generated_parquet_identical(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                     size: int, measured: bool, files: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("parquet")
    schema = _schema(CONTRACT)
    objects = _generated(rng, size)
    for part in range(files):
        start = rng.randrange(0, size)
        table = _parquet(objects[start:] + objects[:start // 2], schema, rng)
        pq.write_table(table, folder / f"part{part}.parquet",
                       row_group_size=rng.choice((7, 100, 10_000)))
    contract = _measures_contract(folder) if measured else CONTRACT
    stream, duck = _both(contract, [str(folder)], rng.choice(_AS_OF), rng.choice((1, 3, 100)))
    assert duck == stream


# what SQL leaves to the stream reader, file by file


def _one_row_types(tmp_path: Path, **columns: Any) -> Path:
    """The acceptance rows as Parquet of plain types, with some columns replaced."""
    objects = [item for item in _objects(EXAMPLE / "shipments.jsonl") if item]
    table = _plain_parquet(objects, _schema(CONTRACT))
    for name, column in columns.items():
        made = column(objects)
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, made)
        else:
            table = table.append_column(name, made)
    path = tmp_path / "shipments.parquet"
    pq.write_table(table, path)
    return path


def _ids(objects: list[dict[str, Any]]) -> list[Any]:
    return [item.get("shipment_id") for item in objects]


@pytest.mark.parametrize("columns", [
    # an id that is not text: every row the reader's, the ids it spells known to SQL
    {"shipment_id": lambda objects: pa.array(range(len(objects)), pa.int64())},
    # a column SQL would take for a declared field, but for its case
    {"Value": lambda objects: pa.array(["1.00"] * len(objects))},
    # undeclared columns of every type, one of them `currency`, in another currency
    {"notes": lambda objects: pa.array([[1, 2]] * len(objects)),
     "currency": lambda objects: pa.array(["CNY", "USD"] * (len(objects) // 2)
                                          + ["CNY"] * (len(objects) % 2))},
    # money of 32-bit floats and of a scale DECIMAL(38, 18) cannot hold
    {"value": lambda objects: pa.array([12.3] * len(objects), pa.float32())},
    {"value": lambda objects: pa.array([Decimal("1.25")] * len(objects),
                                       pa.decimal128(38, 20))},
    # booleans as numbers, strings as dates
    {"complete": lambda objects: pa.array([1, 0] * (len(objects) // 2)
                                          + [1] * (len(objects) % 2), pa.int8())},
    {"office": lambda objects: pa.array([date(2025, 1, 1)] * len(objects))},
], ids=["int-id", "case", "undeclared", "float32", "wide-decimal", "int-bool", "date-string"])
def test_parquet_columns_sql_leaves_to_the_reader(tmp_path: Path,
                                                  columns: dict[str, Any]) -> None:
    path = _one_row_types(tmp_path, **columns)
    for contract in (CONTRACT, _measures_contract(tmp_path)):  # the latter adds up values
        stream, duck = _both(contract, [str(path)], AS_OF)
        assert duck == stream


def test_parquet_compressed_and_beside_json_lines(tmp_path: Path) -> None:
    objects = _objects(EXAMPLE / "shipments.jsonl")
    buffer = io.BytesIO()
    pq.write_table(_plain_parquet(objects[:800], _schema(CONTRACT)), buffer)
    (tmp_path / "a.parquet.gz").write_bytes(gzip.compress(buffer.getvalue()))
    lines = (EXAMPLE / "shipments.jsonl").read_bytes().splitlines(keepends=True)
    (tmp_path / "b.jsonl").write_bytes(b"".join(lines[700:]))
    stream, duck = _both(CONTRACT, [str(tmp_path / "a.parquet.gz"),
                                    str(tmp_path / "b.jsonl")], AS_OF)
    assert duck == stream
    assert '"duplicate' in duck


def test_data_errors_are_the_stream_engines(tmp_path: Path) -> None:
    """A table the stream reader cannot read at all exits 3 with its message."""
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not a Parquet file")
    lacking = tmp_path / "lacking.csv"
    lacking.write_text("shipment_id,service\nS1,road\n", "utf-8")
    no_column = tmp_path / "lacking.parquet"
    pq.write_table(pa.table({"shipment_id": ["S1"]}), no_column)
    for path in (broken, lacking, no_column):
        found = {}
        for engine in ("stream", "duckdb"):
            result = CliRunner().invoke(main, [
                "verify", str(CONTRACT), str(path), "--as-of", AS_OF, "--engine", engine])
            found[engine] = (result.exit_code, result.stdout, result.stderr)
        assert found["duckdb"] == found["stream"]
        assert found["duckdb"][0] == 3


def test_quarantine_of_csv_identical(tmp_path: Path) -> None:
    data = tmp_path / "shipments.csv"
    data.write_bytes(_csv(_objects(EXAMPLE / "shipments.jsonl"), random.Random(11)))
    written = {}
    for engine in ("stream", "duckdb"):
        kept, reasons = tmp_path / f"{engine}.csv", tmp_path / f"{engine}.reasons.jsonl"
        result = CliRunner().invoke(main, [
            "verify", str(CONTRACT), str(data), "--as-of", AS_OF, "--format", "json",
            "--engine", engine, "--quarantine", str(kept),
            "--quarantine-reasons", str(reasons)], catch_exceptions=False)
        assert result.exit_code == 1, result.stderr
        written[engine] = (result.stdout, kept.read_bytes(), reasons.read_bytes())
    assert written["duckdb"] == written["stream"]
    assert written["duckdb"][1].startswith(b"shipment_id")  # the header, then the rows


def test_parquet_rows_wanted_are_those_of_the_whole_reading(tmp_path: Path) -> None:
    from slacheck.readers.parquet import parquet_rows

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"n": list(range(50)), "d": [date(2025, 1, 1)] * 50}), path,
                   row_group_size=7)
    with path.open("rb") as stream:
        every = list(parquet_rows(stream, str(path), path=str(path), keep_text=True))
    wanted = [1, 7, 8, 15, 49, 50]
    with path.open("rb") as stream:
        some = list(parquet_rows(stream, str(path), path=str(path), keep_text=True,
                                 wanted=wanted))
    assert some == [every[number - 1] for number in wanted]
    assert [number for number, _, _ in some] == wanted


# the case folders and the library, as CSV and as Parquet


def _as_table(source: Path, contract: Path, folder: Path, form: str) -> Path:
    objects = _objects(source)
    if form == "csv":
        path = folder / "records.csv"
        path.write_bytes(_csv(objects))
    else:
        path = folder / "records.parquet"
        pq.write_table(_parquet(objects, _schema(contract), random.Random(source.stat().st_size)),
                       path)
    return path


def _identical(found: dict[str, Any]) -> None:
    """The same bytes, and a verdict (a table may read as no evidence: inconclusive), never
    a refusal or a crash."""
    assert found["duckdb"] == found["stream"]
    assert found["duckdb"][0] in (0, 1, 4)


@pytest.mark.parametrize("form", ["csv", "parquet"])
@pytest.mark.parametrize("case", FOLDERS, ids=[path.name for path in FOLDERS])
def test_case_folder_as_a_table(tmp_path: Path, case: Path, form: str) -> None:
    contract = case / "contract.yaml"
    data = _as_table(case / "records.jsonl", contract, tmp_path, form)
    found = _through_cli(contract, data, case / "expected.json")
    _identical(found)


@pytest.mark.parametrize("form", ["csv", "parquet"])
@pytest.mark.parametrize("contract", LIBRARY, ids=[path.stem for path in LIBRARY])
def test_library_contract_as_a_table(tmp_path: Path, contract: Path, form: str) -> None:
    folder = ROOT / "examples" / contract.stem
    data = _as_table(folder / "data.jsonl", contract, tmp_path, form)
    found = _through_cli(contract, data, folder / "expected.json")
    _identical(found)


def test_scms_example_is_refused_for_its_mappings() -> None:
    """The SCMS export is read through `records.read` (columns, formats, placeholders),
    which the engine does not cover: refused before a row is read, naming it."""
    contract = ROOT / "contracts" / "scms-on-time.yaml"
    data = sorted((ROOT / "examples" / "scms-on-time").glob("*.csv"))[0]
    result = CliRunner().invoke(main, ["verify", str(contract), str(data), "--as-of",
                                       "2016-01-01", "--engine", "duckdb"])
    assert result.exit_code == 2
    assert "`records.read`" in result.stderr
    assert "--engine stream" in result.stderr


def test_days_and_timedelta_columns(tmp_path: Path) -> None:
    """A duration column (Arrow's own type) is read by the stream reader, as seconds."""
    objects = [item for item in _objects(EXAMPLE / "shipments.jsonl") if item][:200]
    table = _parquet(objects, _schema(CONTRACT), random.Random(2)).append_column(
        "waited", pa.array([timedelta(seconds=5)] * len(objects), pa.duration("us")))
    pq.write_table(table, tmp_path / "x.parquet")
    stream, duck = _both(CONTRACT, [str(tmp_path / "x.parquet")], AS_OF)
    assert duck == stream


def _left(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[int]]:
    """The rows SQL leaves to the stream reader, per file, as the engine runs."""
    import slacheck.engine.duckdb as engine

    found: dict[str, set[int]] = {}
    original = engine._rest

    def spy(plan: Any, state: Any, path: str, left: set[int], *rest: Any) -> None:
        found[path] = set(left)
        original(plan, state, path, left, *rest)

    monkeypatch.setattr(engine, "_rest", spy)
    return found


_HEADER = "shipment_id,service,office,booked_at,picked_up_at,value,complete,accurate," \
          "billed_correctly\n"


def _row(shipment: str, *, value: str = "100.00", complete: str = "true",
         extra: str = "") -> str:
    return (f"{shipment},road,TSN,2025-03-02T10:00:00+08:00,2025-03-02T11:00:00+08:00,"
            f"{value},{complete},true,true{extra}\n")


def test_csv_rows_sql_reads_and_those_it_leaves(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    """A row is SQL's when its cells are spelt as the reader reads them (a boolean in any
    case, a quoted cell over two lines); spaces around a number, a row of the wrong width
    and an id on two rows are the reader's."""
    path = tmp_path / "shipments.csv"
    path.write_text(_HEADER + _row("S1")                # line 2: clean
                    + _row("S2", value=" 100.00")       # 3: spaces, which the reader drops
                    + _row("S3", complete="TRUE")        # 4: clean, but S3 again on line 8
                    + _row("S4", extra=",more")          # 5: ten cells
                    + _row('"S5\nsecond"')               # 6 and 7: clean
                    + _row("S3"), "utf-8")               # 8: a duplicate
    left = _left(monkeypatch)
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream
    assert left[str(path)] == {3, 4, 5, 8}
    lines = json.loads(duck)["lines"]
    assert (lines["read"], lines["rejected"]) == (6, 2)  # the ten cells, the duplicate


def test_parquet_rows_sql_reads_and_those_it_leaves(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """Typed columns are SQL's; a null in a required field, a negative amount and an
    amount SQL cannot hold exactly are the reader's."""
    from datetime import UTC

    booked = datetime(2025, 3, 2, 2, tzinfo=UTC)
    table = pa.table({
        "shipment_id": ["S1", "S2", "S3", "S4", "S5"],
        "service": ["road", None, "road", "road", "road"],
        "office": ["TSN"] * 5,
        "booked_at": pa.array([booked] * 5, pa.timestamp("us", tz="Asia/Shanghai")),
        "picked_up_at": pa.array([booked + timedelta(hours=1)] * 5, pa.timestamp("ms", "UTC")),
        "value": pa.array([100.25, 100.5, -1.0, 1e20, 0.1], pa.float64()),
        "complete": [True] * 5, "accurate": [True] * 5, "billed_correctly": [True] * 5,
    })
    path = tmp_path / "shipments.parquet"
    pq.write_table(table, path)
    left = _left(monkeypatch)
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream
    assert left[str(path)] == {2, 3, 4}
    assert json.loads(duck)["lines"]["rejected"] == 3


# a DuckDB database given as the data


def _database(path: Path, **tables: Any) -> Path:
    connection = duckdb.connect(str(path))
    try:
        for name, table in tables.items():
            connection.register("given", table)
            connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM given')
            connection.unregister("given")
    finally:
        connection.close()
    return path


def test_database_of_one_table_identical(tmp_path: Path) -> None:
    objects = _objects(EXAMPLE / "shipments.jsonl")
    path = _database(tmp_path / "shipments.duckdb",
                     shipments=_plain_parquet(objects, _schema(CONTRACT)))
    for contract in (CONTRACT, _measures_contract(tmp_path)):
        stream, duck = _both(contract, [str(path)], AS_OF)
        assert duck == stream
        assert json.loads(duck)["lines"]["read"] == len(objects)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 300))
def test_generated_database_tables_identical(tmp_path_factory: pytest.TempPathFactory,
                                             seed: int, size: int) -> None:
    """A table named in a database of several, beside a Parquet file of the same ids."""
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("database")
    objects = _generated(rng, size)
    schema = _schema(CONTRACT)
    path = _database(folder / "exports.ddb", **{"the orders": _parquet(objects, schema, rng),
                                                "other": pa.table({"x": [1]})})
    pq.write_table(_parquet(objects[size // 2:], schema, rng), folder / "more.parquet")
    stream, duck = _both(CONTRACT, [f"{path}:the orders", str(folder / "more.parquet")],
                         rng.choice(_AS_OF), rng.choice((1, 100)))
    assert duck == stream


def test_database_rows_in_the_tables_order(tmp_path: Path) -> None:
    """Row n is the n-th row of the table as stored, whatever was deleted before it."""
    from slacheck.readers.database import database_rows

    path = tmp_path / "rows.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE t AS SELECT range AS n FROM range(10)")
    connection.execute("DELETE FROM t WHERE n IN (2, 3)")
    connection.close()
    with path.open("rb") as stream:
        rows = list(database_rows(stream, str(path), table=None, keep_text=False))
    assert [(number, values) for number, values, _ in rows] == [
        (1, {"n": 0}), (2, {"n": 1}), (3, {"n": 4}), (4, {"n": 5}), (5, {"n": 6}),
        (6, {"n": 7}), (7, {"n": 8}), (8, {"n": 9})]
    with path.open("rb") as stream:
        some = list(database_rows(stream, str(path), table="t", keep_text=False,
                                  wanted=[2, 8]))
    assert [(number, values) for number, values, _ in some] == [(2, {"n": 1}), (8, {"n": 9})]


def test_database_spelling_and_errors(tmp_path: Path) -> None:
    """`file.duckdb` of one table, `file.duckdb:table` of several; any other is a data
    error (exit 3) with the same words from both engines."""
    table = pa.table({"shipment_id": ["S1"], "x": [1]})
    several = _database(tmp_path / "several.duckdb", a=table, b=table)
    (tmp_path / "bad.duckdb").write_bytes(b"not a database")
    outcomes = {}
    for given_path in (str(several), f"{several}:c", str(tmp_path / "bad.duckdb")):
        found = {}
        for engine in ("stream", "duckdb"):
            result = CliRunner().invoke(main, [
                "verify", str(CONTRACT), given_path, "--as-of", AS_OF, "--engine", engine])
            found[engine] = (result.exit_code, result.stderr)
        assert found["duckdb"] == found["stream"]
        outcomes[given_path] = found["stream"]
    assert outcomes[str(several)][0] == 3
    assert "it holds the tables `a`, `b`; name the table" in outcomes[str(several)][1]
    assert "it has no table `c`" in outcomes[f"{several}:c"][1]
    assert outcomes[str(tmp_path / "bad.duckdb")][0] == 3
    named = CliRunner().invoke(main, ["verify", str(CONTRACT), f"{several}:a", "--as-of",
                                      AS_OF, "--format", "json"])
    assert named.exit_code == 3  # the table named is read, and lacks a required column
    assert "has no column `service` (for the field `service`)" in named.stderr


@pytest.mark.parametrize("column", [
    # dates pyarrow cannot make a Python value of: their rows are rejected
    lambda count: pa.array([date(2025, 1, 1)] * (count - 1) + [None], pa.date32()).cast(
        pa.int32()).cast(pa.date32()),
    lambda count: pa.array([2_932_897 + 10] * count, pa.int32()).cast(pa.date32()),
    lambda count: pa.array([253_402_300_800_000_000 + index for index in range(count)],
                           pa.int64()).cast(pa.timestamp("us", tz="UTC")),
    # nanoseconds a Python time cannot hold; a zone pyarrow cannot find
    lambda count: pa.array(list(range(count)), pa.int64()).cast(pa.timestamp("ns")),
    lambda count: pa.array(list(range(count)), pa.int64()).cast(
        pa.timestamp("us", tz="Mars/Olympus")),
], ids=["dates", "past-9999", "times-past-9999", "nanoseconds", "unknown-zone"])
def test_undeclared_columns_the_reader_cannot_read(tmp_path: Path, column: Any) -> None:
    """An undeclared column is read into Python by the stream reader too: a row with a
    value it cannot read is rejected, and SQL leaves such rows to it."""
    objects = [item for item in _objects(EXAMPLE / "shipments.jsonl") if item]
    table = _plain_parquet(objects, _schema(CONTRACT))
    table = table.append_column("extra", column(table.num_rows))
    path = tmp_path / "shipments.parquet"
    pq.write_table(table, path)
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 150),
       duplicates=st.sampled_from(("first", "last", "combine")),
       form=st.sampled_from(("csv", "parquet")))
def test_repeated_ids_in_a_table_identical(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                           size: int, duplicates: str, form: str) -> None:
    """`duplicates: first`, `last` and `combine` over table rows: the rows SQL leaves and
    the records held are counted in the stream engine's order."""
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("repeated")
    contract = folder / "contract.yaml"
    contract.write_text(contract_text(duplicates, rules=False, rounding=""), "utf-8")
    source = folder / "records.jsonl"
    lines = []
    for number in range(size):
        record = constructs_record(rng, number)
        record.pop("temps", None)  # a list has no cell of its own in a table
        lines.append(json.dumps(record) + "\n")
    source.write_text("".join(lines), "utf-8")
    data = _as_table(source, contract, folder, form)
    found = {engine: CliRunner().invoke(main, [
        "verify", str(contract), str(data), "--as-of", "2025-04-01T00:00:00Z", "--format",
        "json", "--engine", engine]) for engine in ("stream", "duckdb")}
    assert found["duckdb"].exit_code == found["stream"].exit_code
    assert found["duckdb"].stdout == found["stream"].stdout
