"""The DuckDB engine against the stream engine, the orjson parse floor and hand-written SQL.

    python bench/duckdb.py --sizes 100000,1000000 --repeat 3

Four processes on the same generated file (bench/generate.py, kept between runs), in
alternating order, best of `--repeat`, CPU time (user + system, from wait4) and wall time:
the floor of `floor.py` (each line parsed by orjson), `verify --engine stream`, `verify
--engine duckdb`, and a hand-written DuckDB script doing the same core work (each line's
fields read, every standard's verdict per month in Shanghai, counted per window and group;
none of the engine's line accounting, rejections or evidence). Fails unless both engines
print the same JSON.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from floor import FLOOR
from run import AS_OF, CONTRACT, ROOT, BenchError, dataset, log, sizes
from timing import Best, alternate

HAND = r"""
import sys, duckdb
c = duckdb.connect()
c.execute("SET TimeZone = 'UTC'")
c.execute('''
CREATE TABLE r AS
SELECT try_cast(j->>'booked_at' AS TIMESTAMPTZ) AS booked,
       try_cast(j->>'picked_up_at' AS TIMESTAMPTZ) AS picked,
       try_cast(j->>'delivered_at' AS TIMESTAMPTZ) AS delivered,
       j->>'service' AS service, j->>'office' AS office,
       try_cast(j->>'complete' AS BOOLEAN) AS complete,
       try_cast(j->>'accurate' AS BOOLEAN) AS accurate,
       try_cast(j->>'billed_correctly' AS BOOLEAN) AS billed,
       coalesce(try_cast(j->>'lost' AS BOOLEAN), false) AS lost,
       coalesce(try_cast(j->>'damaged' AS BOOLEAN), false) AS damaged,
       coalesce(try_cast(j->>'force_majeure' AS BOOLEAN), false) AS fm
FROM (SELECT json AS j FROM read_json_objects(?, format = 'newline_delimited',
                                               ignore_errors = true))
''', [sys.argv[1]])
as_of = sys.argv[2]
month = "year(timezone('Asia/Shanghai', booked)) * 12 + month(timezone('Asia/Shanghai', booked))"
quarter = ("year(timezone('Asia/Shanghai', booked)) * 4 "
           "+ (month(timezone('Asia/Shanghai', booked)) - 1) // 3")
def deadline(event, start, limit):
    return (f"CASE WHEN {start} IS NULL THEN 'pending' WHEN {event} IS NULL THEN "
            f"CASE WHEN TIMESTAMPTZ '{as_of}' > {start} + INTERVAL {limit} THEN 'breach' "
            f"ELSE 'pending' END WHEN {event} <= {start} + INTERVAL {limit} THEN 'pass' "
            f"ELSE 'breach' END")
queries = [
    f"SELECT {month}, office, {deadline('picked', 'booked', '2 HOUR')} AS v, count(*) "
    "FROM r WHERE booked IS NOT NULL GROUP BY ALL",
    f"SELECT {month}, CASE WHEN fm THEN 'excluded' ELSE "
    f"{deadline('delivered', 'picked', '24 HOUR')} END AS v, count(*) FROM r "
    "WHERE service IN ('air_export', 'air_import', 'domestic_air') GROUP BY ALL",
    f"SELECT {month}, complete AND accurate, count(*) FROM r GROUP BY ALL",
    f"SELECT {month}, NOT lost AND NOT damaged, count(*) FROM r GROUP BY ALL",
    f"SELECT {quarter}, billed, count(*) FROM r GROUP BY ALL",
]
print(sum(len(c.execute(q).fetchall()) for q in queries))
"""
"""The same core work written by hand in DuckDB SQL: the yardstick of the generated SQL."""


def commands(python: str, path: Path, as_of: str) -> dict[str, list[str]]:
    verify = [python, "-m", "slacheck", "verify", CONTRACT, str(path), "--as-of", as_of,
              "--format", "json", "--quiet"]
    return {"floor": [python, "-c", FLOOR, str(path)],
            "stream": [*verify, "--engine", "stream"],
            "duckdb": [*verify, "--engine", "duckdb"],
            "hand-written SQL": [python, "-c", HAND, str(path), as_of]}


def same_result(runs: dict[str, list[str]]) -> None:
    outputs = [subprocess.run(runs[name], cwd=ROOT, capture_output=True, check=False).stdout
               for name in ("stream", "duckdb")]
    if not outputs[0] or outputs[0] != outputs[1]:
        raise BenchError("the two engines do not print the same JSON result")


def bench_size(python: str, path: Path, as_of: str, repeat: int) -> dict[str, Best]:
    runs = commands(python, path, as_of)
    same_result(runs)
    return alternate(runs, repeat, log=log)


def table(results: list[tuple[int, dict[str, Best]]]) -> str:
    rows = ["| records | run | CPU s | wall s | CPU / floor | wall / floor "
            "| CPU / hand SQL | wall / hand SQL |",
            "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for n, best in results:
        floor, hand = best["floor"], best["hand-written SQL"]
        for name, side in best.items():
            rows.append(f"| {n:,} | {name} | {side.cpu:.2f} | {side.wall:.2f} "
                        f"| {side.cpu / floor.cpu:.2f}x | {side.wall / floor.wall:.2f}x "
                        f"| {side.cpu / hand.cpu:.2f}x | {side.wall / hand.wall:.2f}x |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=sizes, default=[100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--python", default=sys.executable, help="interpreter for every child")
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "slacheck-bench",
                        help="where generated files are kept between runs")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = []
    try:
        for n in args.sizes:
            path = dataset(args.python, args.data_dir, n, args.seed)
            results.append((n, bench_size(args.python, path, args.as_of, args.repeat)))
    except BenchError as err:
        log(f"error: {err}")
        return 2
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
