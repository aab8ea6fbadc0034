"""Both engines on the same records as JSON lines, Parquet, CSV and a DuckDB database.

    python bench/duckdb_inputs.py --sizes 1000000 --repeat 3

The bench's generated JSON lines (bench/generate.py) are written once as Parquet (times with
their zone, amounts as decimals, booleans; a value that is not of its field's type a null),
as CSV (each value's JSON text) and as a DuckDB database of the Parquet rows. Each engine runs
on each, in alternating order, best of `--repeat`, CPU and wall time. Fails unless both
engines print the same JSON on each format.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import orjson
from run import CONTRACT, ROOT, BenchError, log
from timing import Best, Ratio, alternate, bench_sizes, common_arguments, parse_arguments

_TIMES = ("booked_at", "picked_up_at", "delivered_at")
_FLAGS = ("complete", "accurate", "billed_correctly", "damaged", "lost", "force_majeure")
_TEXTS = ("shipment_id", "service", "office")


def _time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _money(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return number if abs(number) < 10**15 else None


_DATABASE = """
import sys, duckdb
connection = duckdb.connect(sys.argv[2])
connection.execute("SET enable_progress_bar = false")
connection.execute("CREATE TABLE shipments AS SELECT * FROM read_parquet(?)", [sys.argv[1]])
connection.close()
"""
"""Run in a child, so that the bench itself never imports DuckDB."""


def same_result(first: list[str], second: list[str]) -> None:
    outputs = [subprocess.run(command, cwd=ROOT, capture_output=True, check=False).stdout
               for command in (first, second)]
    if not outputs[0] or outputs[0] != outputs[1]:
        raise BenchError(f"the two engines do not print the same JSON result: {first}")


def tables(python: str, source: Path) -> tuple[Path, Path, Path]:
    """The records of `source` as Parquet, CSV and a DuckDB database, made once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet, text = source.with_suffix(".parquet"), source.with_suffix(".csv")
    database = source.with_suffix(".duckdb")
    if parquet.exists() and text.exists() and database.exists():
        return parquet, text, database
    records = []
    with source.open("rb") as lines:
        for line in lines:
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                value = None
            records.append(value if isinstance(value, dict) else {})
    columns: dict[str, Any] = {}
    for name in _TEXTS:
        columns[name] = pa.array([r.get(name) if isinstance(r.get(name), str) else None
                                  for r in records], pa.string())
    for name in _TIMES:
        columns[name] = pa.array([_time(r.get(name)) for r in records],
                                 pa.timestamp("us", tz="Asia/Shanghai"))
    columns["value"] = pa.array([_money(r.get("value")) for r in records], pa.decimal128(18, 2))
    for name in _FLAGS:
        columns[name] = pa.array([r.get(name) if isinstance(r.get(name), bool) else None
                                  for r in records], pa.bool_())
    table = pa.table(columns)
    pq.write_table(table, parquet)
    names = list(columns)
    with text.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        for record in records:
            writer.writerow(["" if record.get(name) is None else
                             ("true" if record[name] is True else "false")
                             if isinstance(record[name], bool) else str(record[name])
                             for name in names])
    database.unlink(missing_ok=True)
    subprocess.run([python, "-c", _DATABASE, str(parquet), str(database)], check=True)
    return parquet, text, database


def commands(python: str, paths: dict[str, Path], as_of: str) -> dict[str, list[str]]:
    runs = {}
    for form, path in paths.items():
        for engine in ("stream", "duckdb"):
            runs[f"{engine} {form}"] = [python, "-m", "slacheck", "verify", CONTRACT, str(path),
                                        "--as-of", as_of, "--format", "json", "--quiet",
                                        "--engine", engine]
    return runs


def bench_size(python: str, source: Path, as_of: str, repeat: int) -> dict[str, Best]:
    parquet, text, database = tables(python, source)
    paths = {"JSON lines": source, "Parquet": parquet, "CSV": text, "DuckDB database": database}
    runs = commands(python, paths, as_of)
    for form in paths:
        same_result(runs[f"stream {form}"], runs[f"duckdb {form}"])
    return alternate(runs, repeat, log=log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    common_arguments(parser, [100_000])
    args = parse_arguments(parser, argv)
    return bench_sizes(args, lambda path: bench_size(args.python, path, args.as_of, args.repeat),
                       [Ratio("CPU / duckdb JSON lines", "duckdb JSON lines")])


if __name__ == "__main__":
    sys.exit(main())
