"""The DuckDB engine gives the stream engine's JSON result, byte for byte: on the acceptance
data, on every case folder and library contract, and on generated records (hostile lines
among them); what it does not cover (records read through a mapping) it refuses up front,
naming the construct."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from slacheck.api import compile_plan, load_checked
from slacheck.cli import main
from slacheck.engine import conclude, run_stream
from slacheck.engine.duckdb import run_duckdb
from slacheck.engine.sql.support import coverage
from slacheck.reporters import RENDERERS
from tests.conftest import AS_OF, CONTRACT, EXAMPLE, ROOT

CASES = ROOT / "tests" / "cases"

def _both(contract: Path, data: list[str], as_of: str,
          evidence_limit: int = 100) -> tuple[str, str]:
    checked = load_checked(contract)
    moment = datetime.fromisoformat(as_of) if "T" in as_of else datetime.fromisoformat(
        as_of + "T00:00:00").replace(tzinfo=None)
    plan = compile_plan(checked, moment if moment.tzinfo else moment.date(), evidence_limit)
    stream = RENDERERS["json"](conclude(plan, run_stream(plan, data)))
    duck = RENDERERS["json"](conclude(plan, run_duckdb(checked, plan, data)))
    return stream, duck


def test_acceptance_identical() -> None:
    stream, duck = _both(CONTRACT, [str(EXAMPLE / "shipments.jsonl")], AS_OF)
    assert duck == stream


def test_acceptance_through_the_command_line() -> None:
    outputs = {}
    for engine in ("stream", "duckdb"):
        result = CliRunner().invoke(main, [
            "verify", str(CONTRACT), str(EXAMPLE / "shipments.jsonl"), "--as-of", AS_OF,
            "--format", "json", "--engine", engine], catch_exceptions=False)
        assert result.exit_code == 1, result.stderr
        outputs[engine] = result.stdout
    assert outputs["duckdb"] == outputs["stream"]
    assert json.loads(outputs["duckdb"])["lines"]["rejected"] > 0  # rejections compared too


def _through_cli(contract: Path, data: Path, expected: Path) -> dict[str, Any]:
    """Both engines' exit code, output and errors on a case, with its own arguments."""
    wanted = json.loads(expected.read_text("utf-8"))
    found = {}
    for engine in ("stream", "duckdb"):
        result = CliRunner().invoke(main, [
            "verify", str(contract), str(data), "--as-of", wanted["as_of"], "--format", "json",
            *map(str, wanted.get("args", [])), "--engine", engine])
        found[engine] = (result.exit_code, result.stdout, result.stderr)
    return found


def _identical(found: dict[str, Any]) -> None:
    assert found["duckdb"] == found["stream"]
    assert found["duckdb"][0] in (0, 1)  # a verdict, not a refusal or an error


FOLDERS = sorted(path for path in CASES.iterdir() if (path / "contract.yaml").is_file())


@pytest.mark.parametrize("case", FOLDERS, ids=[path.name for path in FOLDERS])
def test_case_folder(case: Path) -> None:
    found = _through_cli(case / "contract.yaml", case / "records.jsonl", case / "expected.json")
    _identical(found)


LIBRARY = sorted(path for path in (ROOT / "contracts").glob("*.yaml")
                 if (ROOT / "examples" / path.stem / "data.jsonl").is_file())
"""Contracts of the library with example JSON lines (the Motorola contract is the acceptance
case above; the SCMS example is CSV, not JSON lines)."""


@pytest.mark.parametrize("contract", LIBRARY, ids=[path.stem for path in LIBRARY])
def test_library_contract(contract: Path) -> None:
    folder = ROOT / "examples" / contract.stem
    found = _through_cli(contract, folder / "data.jsonl", folder / "expected.json")
    _identical(found)


MAPPED = """\
slacheck: 1
contract: {id: mapped, currency: USD, timezone: UTC}
records:
  id: id
  time: at
  fields: {id: string, at: timestamp, weight: decimal}
  read: {fields: {weight: {unit: lb}}}
standards:
  light: {require: weight <= 10, target: 90% per month}
"""
"""A contract whose records are read through a mapping, which SQL does not compile."""


def test_sql_decides_the_acceptance_contract() -> None:
    """Every clause of the acceptance contract is SQL's own: `--engine auto` may pick it."""
    checked = load_checked(CONTRACT)
    plan = compile_plan(checked, datetime.fromisoformat(AS_OF), 100)
    found = coverage(checked, plan)
    assert found.runs
    assert found.left == ()
    assert found.sql_decides


def test_coverage_says_what_sql_leaves() -> None:
    """A case folder whose clauses need a calendar SQL lacks runs, with the standards that
    clause decides left to the stream engine and named."""
    checked = load_checked(CASES / "time-calendar" / "contract.yaml")
    plan = compile_plan(checked, datetime.fromisoformat("2025-01-01T00:00:00+00:00"), 100)
    found = coverage(checked, plan)
    assert found.runs
    assert not found.sql_decides
    assert [standard for standard, _ in found.left] == ["within-a-month", "next-business-day"]
    assert "`1 month`" in dict(found.left)["within-a-month"]


def test_refusal_names_the_construct_and_exits_2(tmp_path: Path) -> None:
    contract = tmp_path / "mapped.yaml"
    contract.write_text(MAPPED, "utf-8")
    data = tmp_path / "data.jsonl"
    data.write_text('{"id": "S1", "at": "2025-01-01T00:00:00Z", "weight": 2}\n', "utf-8")
    result = CliRunner().invoke(main, [
        "verify", str(contract), str(data), "--as-of", "2026-01-01", "--engine", "duckdb"])
    assert result.exit_code == 2
    assert "`records.read`" in result.stderr
    assert "--engine stream" in result.stderr


CASE_ONLY = """\
slacheck: 1
contract: {id: demo, currency: EUR, timezone: UTC}
records:
  id: id
  time: at
  fields: {id: string, at: timestamp, ok: bool, OK: bool}
standards:
  s: {require: ok, target: 50% per month}
"""


def test_fields_named_alike_but_for_case_are_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB names columns and JSON keys without case: `ok` and `OK` would be one."""
    from slacheck.engine import choice

    monkeypatch.setattr(choice, "LARGE_BYTES", 1)
    contract = tmp_path / "case.yaml"
    contract.write_text(CASE_ONLY, "utf-8")
    data = tmp_path / "data.jsonl"
    data.write_text('{"id": "a", "at": "2025-01-02T00:00:00Z", "ok": true, "OK": false}\n',
                    "utf-8")
    args = ["verify", str(contract), str(data), "--as-of", "2025-03-01", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "--engine", "duckdb"])
    assert result.exit_code == 2, result.stderr
    assert "`ok` and `OK`" in result.stderr
    automatic = CliRunner().invoke(main, [*args, "--engine", "auto"])
    assert automatic.exit_code == 0
    assert "engine stream (the DuckDB engine does not cover" in automatic.stderr
    assert automatic.stdout == CliRunner().invoke(main, args).stdout


def test_plan_prints_the_sql() -> None:
    result = CliRunner().invoke(main, ["plan", str(CONTRACT), "--sql", "--as-of", AS_OF])
    assert result.exit_code == 0, result.stderr
    assert "-- stage 2 of delivery-24h" in result.stdout
    assert "TIMEZONE('Asia/Shanghai'" in result.stdout  # months cut in the contract's zone


# generated records: the bench's shape, with every kind of fault the stream reader knows

_SHANGHAI = timezone(timedelta(hours=8))
_SERVICES = ("air_export", "air_import", "domestic_air", "road", "express", "ocean",
             "pickup_delivery")


def _record(rng: random.Random, number: int) -> dict[str, Any]:
    booked = datetime(2025, 1, 1, tzinfo=_SHANGHAI) + timedelta(
        minutes=rng.randrange(0, 366 * 24 * 60))
    if rng.random() < 0.1:  # a month edge: UTC and Shanghai disagree on the month
        booked = booked.replace(day=1, hour=rng.choice((0, 7, 8)), minute=rng.randrange(60))
    serial = number if rng.random() > 0.03 else rng.randrange(5)  # a few ids repeated
    record: dict[str, Any] = {
        "shipment_id": f"{rng.choice('SSSSÄ运')}{serial}",  # some written as \u escapes
        "service": rng.choice(_SERVICES), "office": rng.choice(("TSN", "PEK")),
        "booked_at": _stamp(rng, booked),
        "value": rng.choice((f"{rng.randrange(10**6)}.{rng.randrange(100):02d}",
                             rng.randrange(1000), round(rng.random() * 1000, 2), "12,30",
                             "-5", "1e3")),
        "complete": rng.random() > 0.03, "accurate": rng.random() > 0.03,
        "billed_correctly": rng.random() > 0.05,
    }
    if rng.random() < 0.95:
        picked = booked + timedelta(minutes=rng.choice((rng.randrange(10, 119), 120, 121,
                                                        rng.randrange(-30, 400))))
        record["picked_up_at"] = _stamp(rng, picked)
        if rng.random() < 0.9:
            record["delivered_at"] = _stamp(rng, picked + timedelta(
                hours=rng.choice((rng.uniform(1, 23.9), 24, rng.uniform(-2, 60)))))
    if rng.random() < 0.03:  # near a plausibility warning's edge, either side of it
        late = timedelta(days=rng.choice((179, 180, 181)), hours=rng.uniform(-30, 30))
        record["delivered_at"] = _stamp(rng, booked + late)
    if rng.random() < 0.02:  # a year typed wrong: more or less than a year outside the period
        record["booked_at"] = _stamp(rng, booked.replace(year=rng.choice((2023, 2024, 2026,
                                                                          2027))))
    for flag in ("damaged", "lost", "force_majeure"):
        if rng.random() < 0.05:
            record[flag] = rng.random() < 0.5 if rng.random() > 0.1 else None
    return record


def _stamp(rng: random.Random, moment: datetime) -> str:
    choice = rng.random()
    if choice < 0.2:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if choice < 0.23:
        return moment.replace(tzinfo=None).isoformat()  # no offset: rejected
    if choice < 0.26:
        return moment.isoformat(timespec="microseconds")
    if choice < 0.28:
        return moment.isoformat().replace("T", " ")
    return moment.isoformat()


_HOSTILE = (b"", b"   ", b"not json", b"[1, 2]", b'{"shipment_id": "X1",}',
            b'{"shipment_id": "X2", "value": NaN}', b'{"a":1,"a":2}',
            "{\"shipment_id\": \"Ä1\"}".encode(), b'{"shipment_id": "S\\u0031"}',
            b"\xff\xfe{", b'{"shipment_id": "X3", "extra": 1}',
            "\ufeff{\"shipment_id\": \"B1\"}".encode(), '{"shipment_id": "Ä\u00c4"}'.encode())


MEASURES = """
derived:
  transit: delivered_at - booked_at

standards:
  mean-value:
    require: true
    target: mean(value) <= 50000.00 CNY per month by office
  slowest:
    for: service in [air_export, air_import, domestic_air]
    except: force_majeure
    require: true
    target: max(transit) <= 30h per month
  lost-count:
    require: not damaged
    target: count(lost) <= 3 per quarter
  value-sum:
    require: delivered_at within 24h of picked_up_at
    target: sum(value) <= 1000000.00 CNY per week
  quickest:
    require: true
    target: min(transit) >= 1h per day, at least 2 records
  share-delivered:
    require: true
    target: count(delivered_at is present) / count() >= 90% per month
  pickup-backwards:
    require: booked_at - picked_up_at >= -2h
    target: 97% per month
  credited:
    require: picked_up_at within 2h of booked_at
    target: 99% per month by office
    credit: 1% of sum(value) per full point below target, at most 5% of max(value) + 100.00 CNY
"""
"""Standards on the acceptance contract's records measured otherwise than by the rate."""


def _measures_contract(folder: Path) -> Path:
    head = CONTRACT.read_text("utf-8").split("\nstandards:")[0]
    path = folder / "measures.yaml"
    path.write_text(head + "\n" + MEASURES, "utf-8")
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 400),
       limit=st.sampled_from((1, 3, 100)), measured=st.booleans())
def test_generated_records_identical(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                     size: int, limit: int, measured: bool) -> None:
    rng = random.Random(seed)
    lines = []
    for number in range(size):
        if rng.random() < 0.05:
            lines.append(rng.choice(_HOSTILE))
        else:
            lines.append(json.dumps(_record(rng, number), ensure_ascii=rng.random() < 0.5)
                         .encode())
    path = tmp_path_factory.mktemp("records") / "shipments.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    as_of = rng.choice(("2025-04-01T00:00:00+08:00", "2025-07-15T12:00:00+08:00",
                        "2026-01-01T00:00:00+08:00"))
    contract = _measures_contract(path.parent) if measured else CONTRACT
    stream, duck = _both(contract, [str(path)], as_of, limit)
    assert duck == stream


def test_truth_tables_are_the_compilers() -> None:
    from slacheck import compiler
    from slacheck.engine.sql import clauses

    codes = (compiler.BREACH, compiler.PASS, compiler.PENDING, compiler.OVERDUE,
             compiler._PASS_OPEN)
    for a in codes:
        negated = compiler._not(lambda record, a=a: a)  # type: ignore[misc]
        assert clauses._NEGATED[a] == negated({})
        for b in codes:
            first, second = (lambda record, a=a: a), (lambda record, b=b: b)
            assert clauses._and(a, b) == compiler._and(first, second)({})
            assert clauses._or(a, b) == compiler._or(first, second)({})
    # a truth SQL is not sure of stays unsure unless the other side decides without it
    assert clauses._and(compiler.BREACH, None) == compiler.BREACH
    assert clauses._and(compiler.PASS, None) is None
    assert clauses._or(compiler.PASS, None) == compiler.PASS
    assert clauses._or(None, compiler.PASS) is None


def test_several_files_with_an_id_repeated_across_them(tmp_path: Path) -> None:
    lines = (EXAMPLE / "shipments.jsonl").read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"".join(lines[:700]))
    second.write_bytes(b"".join(lines[650:]))  # 50 ids again: each a duplicate in b.jsonl
    stream, duck = _both(CONTRACT, [str(first), str(second)], AS_OF)
    assert duck == stream
    assert '"duplicate' in duck


def test_quarantine_identical(tmp_path: Path) -> None:
    written = {}
    for engine in ("stream", "duckdb"):
        kept, reasons = tmp_path / f"{engine}.jsonl", tmp_path / f"{engine}.reasons.jsonl"
        result = CliRunner().invoke(main, [
            "verify", str(CONTRACT), str(EXAMPLE / "shipments.jsonl"), "--as-of", AS_OF,
            "--format", "json", "--engine", engine, "--quarantine", str(kept),
            "--quarantine-reasons", str(reasons)], catch_exceptions=False)
        assert result.exit_code == 1, result.stderr
        written[engine] = (kept.read_bytes(), reasons.read_bytes())
    assert written["duckdb"] == written["stream"]
    assert written["duckdb"][0]


def test_other_inputs_refused(tmp_path: Path) -> None:
    """JSON lines, CSV, TSV and Parquet are read (`test_duckdb_inputs`); a JSON array and
    standard input are refused, naming them."""
    data = tmp_path / "shipments.json"
    data.write_text('[{"shipment_id": "S1"}]', "utf-8")
    for path, named in ((str(data), "json input"), ("-", "standard input")):
        result = CliRunner().invoke(main, [
            "verify", str(CONTRACT), path, "--as-of", AS_OF, "--engine", "duckdb"],
            input="{}\n")
        assert result.exit_code == 2
        assert named in result.stderr
        assert "--engine stream" in result.stderr


@pytest.mark.parametrize("spelling", ["gzip", "crlf", "cr"])
def test_lines_read_again_however_the_file_is_written(tmp_path: Path, spelling: str) -> None:
    """The lines SQL leaves are read again by seeking in a plain file, from the start in a
    compressed one or one whose lines end with CR alone: the same result every way."""
    import gzip

    text = (EXAMPLE / "shipments.jsonl").read_bytes()
    if spelling == "gzip":
        path = tmp_path / "shipments.jsonl.gz"
        path.write_bytes(gzip.compress(text))
    else:
        path = tmp_path / "shipments.jsonl"
        path.write_bytes(text.replace(b"\n", b"\r\n" if spelling == "crlf" else b"\r"))
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream


def test_plan_sql_refuses_what_the_engine_refuses(tmp_path: Path) -> None:
    contract = tmp_path / "mapped.yaml"
    contract.write_text(MAPPED, "utf-8")
    result = CliRunner().invoke(main, ["plan", str(contract), "--sql", "--as-of", "2026-01-01"])
    assert result.exit_code == 2
    assert "`records.read`" in result.stderr


@pytest.mark.parametrize(("size", "count"), [(100, 60), (20_000, None)])
def test_read_in_small_pieces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: int,
                              count: int | None) -> None:
    """A plain file is handed to DuckDB a piece at a time, cut at a line's end: pieces
    smaller than a line, or many to a file, give the same result."""
    import slacheck.engine.duckdb as engine

    monkeypatch.setattr(engine, "PIECE_BYTES", size)
    lines = (EXAMPLE / "shipments.jsonl").read_bytes().splitlines(keepends=True)[:count]
    path = tmp_path / "shipments.jsonl"
    path.write_bytes(b"".join(lines).rstrip(b"\n"))  # the last line without its newline
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream


@pytest.mark.parametrize("size", [997, 4_096, 65_521])
def test_pieces_cut_inside_a_character_or_before_an_escape(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: int) -> None:
    """A piece read is cut at its last newline and the next is read from there: bytes after
    the cut (half a character, a JSON escape) belong to the next piece, never to this one's
    checks, and every line is counted once at its place."""
    import slacheck.engine.duckdb as engine

    monkeypatch.setattr(engine, "PIECE_BYTES", size)
    lines = (EXAMPLE / "shipments.jsonl").read_text("utf-8").splitlines(keepends=True)
    for index in range(3, len(lines), 7):  # ids with two-byte characters, some escaped
        lines[index] = lines[index].replace('"MOT-', '"MÖT-' if index % 2 else '"M\\u00d6T-', 1)
    path = tmp_path / "shipments.jsonl"
    path.write_text("".join(lines), "utf-8")
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream
    assert '"MÖT-' in stream  # the changed lines were read, and some are evidence


@pytest.mark.parametrize("ending", [",}", ", }", ",\t}  ", ",\r}", ",}\r"])
def test_a_trailing_comma_on_an_otherwise_clean_line(tmp_path: Path, ending: str) -> None:
    """DuckDB reads a trailing comma JSON forbids: a line clean but for one is the
    reader's, which rejects it, however it is spaced."""
    lines = (EXAMPLE / "shipments.jsonl").read_text("utf-8").splitlines(keepends=True)
    lines[4] = lines[4].rstrip("\n").rstrip("}") + ending + "\n"
    lines[9] = lines[9].replace('"office": ', '"office": "TSN", "office": ', 1)  # twice
    lines[11] = lines[11].replace('"office": ', '"Office": "TSN", "office": ', 1)
    path = tmp_path / "shipments.jsonl"
    path.write_text("".join(lines), "utf-8")
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream
    lines_read = json.loads(stream)["lines"]
    assert {item["line"] for item in lines_read["rejections"]} == {5, 10, 101, 202, 303, 404,
                                                                   505, 606}
    assert "Office" in json.dumps(lines_read["undeclared_fields"])


def test_spills_go_to_a_temporary_folder_of_its_own(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """Past its memory DuckDB writes to disk: to a folder of the engine's own under the
    system's temporary folder, removed after, never `.tmp` in the folder it is run from
    (which may be read-only, or a repository)."""
    import tempfile

    import duckdb

    scratch, work = tmp_path / "scratch", tmp_path / "work"
    scratch.mkdir()
    work.mkdir()
    text = (EXAMPLE / "shipments.jsonl").read_text("utf-8")
    path = tmp_path / "many.jsonl"  # the acceptance lines 40 times, each time other ids
    path.write_text("".join(text.replace('"MOT-25-', f'"MOT-{copy}-') for copy in range(40)),
                    "utf-8")
    expected, _ = _both(CONTRACT, [str(path)], AS_OF)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(work)
    real, folders = duckdb.connect, []

    def small(*args: Any, **kwargs: Any) -> Any:
        connection = real(*args, **kwargs)
        connection.execute("SET memory_limit = '30MB'")
        folders.append(connection.execute(
            "SELECT current_setting('temp_directory')").fetchall()[0][0])
        return connection

    monkeypatch.setattr(duckdb, "connect", small)
    _, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == expected
    assert folders
    assert all(Path(folder).parent == scratch for folder in folders)
    assert not list(scratch.iterdir())
    assert not list(work.iterdir())


def test_the_parse_counts_keys_with_null_and_absent_values_apart() -> None:
    """A clean line has each key it writes declared, once. An optional key left out and one
    written as `null` both have no value, so the parse tells them apart by the key's text,
    which it looks for only on a line that writes `null`: such a line is still read by SQL
    when its keys are all declared, and left to the reader when one is not."""
    import duckdb
    import pyarrow as pa

    from slacheck.engine.sql.queries import duckdb_sql, parse

    plan = compile_plan(load_checked(CONTRACT), datetime.fromisoformat(AS_OF))
    first = (EXAMPLE / "shipments.jsonl").read_text("utf-8").splitlines()[0]
    base = first.rstrip("}")
    lines = {
        "plain": first,
        "a declared key null": base + ', "damaged": null}',
        "two declared keys null": base + ', "damaged": null, "lost": null}',
        "an undeclared key": base + ', "extra": 1}',
        "an undeclared key null": base + ', "extra": null}',
        "an undeclared key, null elsewhere": base + ', "extra": 1, "lost": null}',
        "null only inside a string": base.replace('"TSN"', '"null"') + ', "extra": 1}',
    }
    expected = {"plain": True, "a declared key null": True, "two declared keys null": True,
                "an undeclared key": False, "an undeclared key null": False,
                "an undeclared key, null elsewhere": False,
                "null only inside a string": False}
    texts = list(lines.values())
    chunk = pa.table({"_f": pa.array([0] * len(texts), pa.int32()),
                      "_n": pa.array(range(1, len(texts) + 1), pa.int64()),
                      "_o": pa.array([0] * len(texts), pa.int64()),
                      "_m": pa.array([1] * len(texts), pa.int64()),
                      "t": pa.array(texts, pa.string())})
    connection = duckdb.connect()
    connection.register("chunk", chunk)
    found = connection.execute(
        f'SELECT "_n", "_ok" FROM ({duckdb_sql(parse(plan))}) ORDER BY "_n"').fetchall()
    assert dict(zip(lines, (ok for _, ok in found), strict=True)) == expected


@pytest.mark.parametrize(("piece", "block"), [(65_521, 1), (65_521, 300), (4_096, 1_000),
                                              (1 << 20, 8 << 10)])
def test_lines_cut_from_blocks_by_sql_are_found_again(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, piece: int, block: int) -> None:
    """DuckDB cuts each block into its lines; every line SQL leaves (rejected, breached,
    blank) is read again from its place, found through its block, whatever the sizes of
    pieces and blocks, with blank lines and a last line without a newline."""
    import slacheck.engine.blocks as blocks
    import slacheck.engine.duckdb as engine

    monkeypatch.setattr(engine, "PIECE_BYTES", piece)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", block)
    lines = (EXAMPLE / "shipments.jsonl").read_text("utf-8").splitlines(keepends=True)
    for index in range(5, len(lines), 11):
        lines[index] = "\n" + lines[index]  # a blank line before it
    path = tmp_path / "shipments.jsonl"
    path.write_text("".join(lines).rstrip("\n"), "utf-8")
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream
    assert json.loads(stream)["standards"][0]["breaches"] > 0  # evidence lines read again


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe"])
def test_windows_around_each_change_of_offset(tmp_path: Path, zone: str) -> None:
    """SQL finds a time's local day, week, month and quarter from the zone's offsets as
    Python's tzdata gives them over the contract period (`queries._local`), and by the
    zone's name outside it: records every 23 minutes around each change of offset (at
    midnight in Santiago, by half an hour in Lord Howe), and some far outside the period,
    fall in the stream engine's windows."""
    from zoneinfo import ZoneInfo

    from slacheck.windows import offsets

    contract = tmp_path / "zone.yaml"
    contract.write_text(f"""\
slacheck: 1
contract:
  id: zone
  currency: EUR
  timezone: {zone}
  effective: {{from: "2024-01-01", to: "2025-12-31"}}
records:
  id: id
  time: at
  fields: {{id: string, at: timestamp, ok: bool, done: {{type: timestamp, optional: true}}}}
standards:
  daily: {{require: ok, target: 50% per day}}
  weekly: {{require: ok, target: 50% per week}}
  monthly: {{require: ok, target: 50% per month}}
  quarterly: {{require: ok, target: 50% per quarter}}
  by-done: {{require: ok, target: 50% per day of done}}
""", "utf-8")
    changes = offsets(ZoneInfo(zone), datetime(2024, 1, 1, tzinfo=UTC),
                      datetime(2026, 1, 1, tzinfo=UTC))
    assert changes is not None
    assert len(changes) > 2
    times = [change + timedelta(minutes=23 * step) for change, _ in changes[1:]
             for step in range(-70, 71)]
    times += [datetime(2023, 12, 29, tzinfo=UTC) + timedelta(hours=7 * step)
              for step in range(30)]  # before the period and its margin, and into it
    lines = []
    for number, moment in enumerate(times):
        done = moment + timedelta(days=400 if number % 5 == 0 else 1)  # some far outside
        lines.append(json.dumps({"id": f"r{number}", "at": moment.isoformat(),
                                 "ok": number % 3 != 0, "done": done.isoformat()}))
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(lines) + "\n", "utf-8")
    stream, duck = _both(contract, [str(data)], "2026-02-01")
    assert duck == stream
    assert len(json.loads(stream)["standards"][0]["windows"]) > 10


@pytest.mark.parametrize("compressed", [False, True])
def test_a_piece_handed_in_many_batches_is_read_as_in_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, compressed: bool) -> None:
    """Each piece (or, for a compressed file, each chunk of lines) reaches DuckDB in Arrow
    batches of about `BATCH_BYTES`, which its threads parse at once: the records, their
    line numbers and the lines left to the stream engine are those of one batch."""
    import gzip

    import slacheck.engine.duckdb as engine

    monkeypatch.setattr(engine, "BATCH_BYTES", 3_000)
    text = (EXAMPLE / "shipments.jsonl").read_bytes()
    path = tmp_path / ("shipments.jsonl.gz" if compressed else "shipments.jsonl")
    path.write_bytes(gzip.compress(text) if compressed else text)
    batches: list[int] = []
    real = engine._Loader._flush

    class Counting:  # the connection, counting the batches of each table registered
        def __init__(self, connection: Any) -> None:
            self.connection = connection

        def register(self, name: str, table: Any) -> None:
            batches.append(len(table.to_batches()))
            self.connection.register(name, table)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.connection, name)

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        connection = self.connection
        self.connection = Counting(connection)
        try:
            real(self, *args, **kwargs)
        finally:
            self.connection = connection

    monkeypatch.setattr(engine._Loader, "_flush", counted)
    stream, duck = _both(CONTRACT, [str(path)], AS_OF)
    assert duck == stream
    assert max(batches, default=0) > 10  # handed in many batches indeed
