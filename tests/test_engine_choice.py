"""`--engine auto`: DuckDB only for large input (or Parquet) under a contract its SQL covers,
with the packages installed; otherwise the stream engine, and the reason said either way."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slacheck.api import compile_plan, load_checked, verify
from slacheck.cli import main
from slacheck.engine import choice
from slacheck.engine.choice import Choice, choose
from tests.conftest import AS_OF, CONTRACT, ROOT
from tests.conftest import EXAMPLE as FOLDER

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

EXAMPLE = FOLDER / "shipments.jsonl"


def _choose(contract: Path, inputs: list[str | object], as_of: str = AS_OF) -> Choice:
    checked = load_checked(contract)
    return choose(checked, compile_plan(checked, _moment(as_of)), inputs)


def _moment(as_of: str) -> datetime:
    return datetime.fromisoformat(as_of)


@pytest.fixture
def small_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any file that is not empty counts as large."""
    monkeypatch.setattr(choice, "LARGE_BYTES", 1)


def test_a_small_file_runs_in_the_stream_engine() -> None:
    picked = _choose(CONTRACT, [str(EXAMPLE)])
    size = EXAMPLE.stat().st_size / (1 << 20)
    assert picked == Choice("stream", f"{size:.1f} MiB of input; DuckDB from 64.0 MiB, or "
                                      "1.0 MiB of Parquet or DuckDB database")


def test_a_large_file_under_a_covered_contract_runs_in_duckdb(small_large: None) -> None:
    picked = _choose(CONTRACT, [str(EXAMPLE)])
    assert picked.engine == "duckdb"
    assert picked.reason.endswith("MiB of input")


def test_sizes_add_up_over_the_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    size = EXAMPLE.stat().st_size
    monkeypatch.setattr(choice, "LARGE_BYTES", size + 1)
    assert _choose(CONTRACT, [str(EXAMPLE)]).engine == "stream"
    copy = tmp_path / "again.jsonl"
    shutil.copyfile(EXAMPLE, copy)
    assert _choose(CONTRACT, [str(EXAMPLE), str(copy)]).engine == "duckdb"


def test_what_the_sql_leaves_to_the_stream_engine_keeps_it(small_large: None) -> None:
    case = ROOT / "tests" / "cases" / "temperature-log"
    as_of = json.loads((case / "expected.json").read_text("utf-8"))["as_of"]
    picked = _choose(case / "contract.yaml", [str(case / "records.jsonl")], as_of)
    assert picked.engine == "stream"
    assert picked.reason.startswith("the DuckDB engine's SQL leaves ")
    assert "readings" in picked.reason  # the list field it names


def test_a_construct_the_engine_refuses_keeps_the_stream_engine(small_large: None) -> None:
    data = ROOT / "examples" / "scms-on-time" / "SCMS_Delivery_History_2006-2007.csv"
    picked = _choose(ROOT / "contracts" / "scms-on-time.yaml", [str(data)],
                     "2008-01-01T00:00:00+00:00")
    assert picked.engine == "stream"
    assert picked.reason.startswith("the DuckDB engine does not cover `records.read`")


def test_parquet_runs_in_duckdb_from_a_smaller_size(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = tmp_path / "shipments.parquet"
    pq.write_table(pa.table({"shipment_id": [f"S{n}" for n in range(1000)]}), data)
    size = data.stat().st_size
    assert _choose(CONTRACT, [str(data)]).engine == "stream"
    monkeypatch.setattr(choice, "NATIVE_BYTES", size)
    assert _choose(CONTRACT, [str(data)]) == Choice(
        "duckdb", f"{size / (1 << 20):.1f} MiB of Parquet or DuckDB database input")
    monkeypatch.setattr(choice, "LARGE_BYTES", size)  # a text file of that size is not enough
    text = tmp_path / "shipments.jsonl"
    text.write_bytes(b" " * (size - 1))
    assert _choose(CONTRACT, [str(text)]).engine == "stream"


def test_records_from_python_and_standard_input_keep_the_stream_engine(
        small_large: None) -> None:
    assert _choose(CONTRACT, ["-"]).engine == "stream"
    assert _choose(CONTRACT, [{"shipment_id": "S1"}]) == Choice(
        "stream", "records given from Python or on standard input")


def test_a_format_duckdb_does_not_read_keeps_the_stream_engine(
        small_large: None, tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text("[]", "utf-8")
    picked = _choose(CONTRACT, [str(data)])
    assert picked == Choice("stream", "the DuckDB engine does not read json input")


def test_without_the_packages_the_stream_engine_runs(
        small_large: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "find_spec", lambda name: None if name == "sqlglot" else 1)
    picked = _choose(CONTRACT, [str(EXAMPLE)])
    assert picked == Choice("stream", "sqlglot not installed (the duckdb extra)")


def test_the_result_is_the_same_and_the_choice_is_said(small_large: None) -> None:
    runs = {}
    for engine in ("stream", "auto"):
        runs[engine] = CliRunner().invoke(main, [
            "verify", str(CONTRACT), str(EXAMPLE), "--as-of", AS_OF, "--format", "json",
            "--engine", engine])
    assert runs["auto"].exit_code == runs["stream"].exit_code == 1
    assert runs["auto"].stdout == runs["stream"].stdout
    assert "slacheck: engine duckdb (" in runs["auto"].stderr
    assert "engine" not in runs["stream"].stderr


def test_quiet_says_nothing_of_the_choice() -> None:
    result = CliRunner().invoke(main, [
        "verify", str(CONTRACT), str(EXAMPLE), "--as-of", AS_OF, "--engine", "auto", "-q"])
    assert result.exit_code == 1
    assert "engine" not in result.stderr


def test_the_api_tells_the_choice() -> None:
    told: list[Choice] = []
    result = verify(CONTRACT, str(EXAMPLE), as_of=_moment(AS_OF), engine="auto",
                    chosen=told.append)
    assert [c.engine for c in told] == ["stream"]
    assert str(result.penalties) == "159050.50"


def test_auto_compiles_the_sql_once(small_large: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage 1 SQL `coverage` compiled to decide is the one the engine runs."""
    from slacheck.engine import duckdb as engine
    from slacheck.engine.sql import queries

    calls: list[str] = []
    original = queries.classify

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append("classify")
        return original(*args, **kwargs)

    monkeypatch.setattr(queries, "classify", counted)
    monkeypatch.setattr(engine, "classify", counted)
    told: list[Choice] = []
    result = verify(CONTRACT, str(EXAMPLE), as_of=_moment(AS_OF), engine="auto",
                    chosen=told.append)
    assert [c.engine for c in told] == ["duckdb"]
    assert calls == ["classify"]
    assert str(result.penalties) == "159050.50"
