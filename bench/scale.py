"""Both engines at scale, in one run: against the parse floor, against hand-written SQL, in
memory, and as the records grow.

    python bench/scale.py --sizes 1000000,3000000,10000000 --repeat 1

For each size, on the same generated file (bench/generate.py, written line by line and kept
between runs), five processes in alternating order, best of `--repeat`: the orjson parse floor,
`verify` (the stream engine in one process; `--engine stream` is given, whatever the default),
`verify --jobs N` (default 2, the stream engine too), `verify --engine duckdb` and the
hand-written DuckDB SQL that bench/engines.py also runs (bench/yardsticks.py). Each one's CPU
time (user + system with the workers it waits for), wall time and peak resident set
(`ru_maxrss` from `wait4`: for `--jobs`, the largest of its processes, not their sum) are
reported, with the ratios the goals are stated in, and how each grows from the smallest size
to the others. The run fails unless the three `verify` runs print the same JSON and the
hand-written SQL's figures (per window: records, target met, penalty, credit) are theirs.

Memory can only stay flat but for the ids the duplicate rule keeps, so the id table is
measured on its own: a process adds the generator's ids for each size to a `SeenIds` (sized
ahead, as a reader sizes it from a file's first megabyte, and grown from empty), and its
bytes per id are given two ways: the bytes the table holds (`nbytes`: its slots and the ids'
bytes), and the resident set the process gained while filling it, at the end and at its peak
(which counts the old and the new table side by side while a growing table doubles).

The goals (checked and printed, not the exit code: a run that measured is a success):
`verify` within 3x the floor in CPU time, `verify --jobs` within 2x the floor in wall time,
the DuckDB engine within 1.2x the hand-written SQL in CPU time, and the stream engine's peak
memory growing by no more than its id table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from run import BenchError, dataset, log
from timing import (
    Best,
    alternate,
    common_arguments,
    hand_agrees,
    measure,
    parse_arguments,
    same_output,
    verify_command,
)
from yardsticks import FLOOR, HAND

STREAM = "verify"
DUCKDB = "verify --engine duckdb"
HAND_SQL = "hand-written SQL"
GOALS = {"stream CPU / floor": 3.0, "jobs wall / floor": 2.0, "duckdb CPU / hand SQL": 1.2}

ID_TABLE = """
import json, os, resource, sys
from slacheck._ids import SeenIds
count, width, how = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
spelling = "MOT-25-%0" + str(width) + "d"  # an f-string with a nested width fragments the heap
def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = resident()
seen = SeenIds()
if how == "reserved":
    seen.reserve(count)
for index in range(1, count + 1):
    seen.add(spelling % index)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"ids": len(seen), "nbytes": seen.nbytes, "resident": resident() - before,
                  "peak": peak - before}))
"""
"""Adds `count` ids spelled as bench/generate.py spells them to an id table, sized ahead
(`reserved`) or grown from empty; prints how many it holds, its `nbytes`, and the resident set
gained since before the table was made, at the end and at its peak (Linux: /proc/self/statm).
The peak is at least the interpreter's own start-up peak, a few MiB: it means something from
hundreds of thousands of ids on."""


@dataclass(frozen=True)
class IdTable:
    """An id table of `ids` ids: the bytes it holds and the resident set it added, at the end
    and at its peak."""

    ids: int
    how: str
    nbytes: int
    resident: int
    peak: int


def id_width(count: int) -> int:
    """The digits of bench/generate.py's ids in a file of `count` lines."""
    return max(5, len(str(count)))


def commands(python: str, path: Path, as_of: str, jobs: int) -> dict[str, list[str]]:
    verify = verify_command(python, path, as_of)
    stream = [*verify, "--engine", "stream"]
    return {"floor": [python, "-c", FLOOR, str(path)],
            STREAM: stream,
            f"verify --jobs {jobs}": [*stream, "--jobs", str(jobs)],
            DUCKDB: [*verify, "--engine", "duckdb"],
            HAND_SQL: [python, "-c", HAND, str(path), as_of]}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def bench_size(python: str, path: Path, as_of: str, repeat: int,
               jobs: int) -> dict[str, Best]:
    runs = commands(python, path, as_of, jobs)
    best = alternate(runs, repeat, log=log)
    same_output(best, [STREAM, f"verify --jobs {jobs}", DUCKDB])
    hand_agrees(best, HAND_SQL, STREAM)
    return best


def id_table(python: str, count: int, how: str) -> IdTable:
    """The id table of `count` generated ids, measured in a process of its own."""
    sample = measure([python, "-c", ID_TABLE, str(count), str(id_width(count)), how], (0,))
    found = json.loads(sample.stdout)
    if found["ids"] != count:
        raise BenchError(f"the id table holds {found['ids']} ids, not {count}")
    return IdTable(count, how, int(found["nbytes"]), int(found["resident"]), int(found["peak"]))


def short(n: int) -> str:
    """1,000,000 as 1M, 30,000 as 30k: column headings."""
    for unit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    return f"{n:,}"


def results_table(results: Sequence[tuple[int, dict[str, Best]]]) -> str:
    rows = ["| records | run | CPU s | wall s | peak MiB | CPU / floor | wall / floor "
            "| CPU / hand SQL | wall / hand SQL |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for n, best in results:
        floor, hand = best["floor"], best[HAND_SQL]
        for name, side in best.items():
            rows.append(f"| {n:,} | {name} | {side.cpu:.2f} | {side.wall:.2f} "
                        f"| {side.peak_kib / 1024:.0f} "
                        f"| {side.cpu / floor.cpu:.2f}x | {side.wall / floor.wall:.2f}x "
                        f"| {side.cpu / hand.cpu:.2f}x | {side.wall / hand.wall:.2f}x |")
    return "\n".join(rows)


def scaling_table(results: Sequence[tuple[int, dict[str, Best]]]) -> str:
    """Each run's CPU, wall and peak at every size over the same at the smallest."""
    (small, first), larger = results[0], results[1:]
    heads = [f"{what} {short(n)}/{short(small)}" for n, _ in larger
             for what in ("CPU", "wall", "peak")]
    rows = ["| run | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(heads)]
    for name, base in first.items():
        cells = []
        for _, best in larger:
            side = best[name]
            cells += [f"{side.cpu / base.cpu:.2f}x", f"{side.wall / base.wall:.2f}x",
                      f"{side.peak_kib / base.peak_kib:.2f}x"]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def id_tables_table(tables: Sequence[IdTable]) -> str:
    rows = ["| ids | table | bytes held per id | resident bytes added per id "
            "| peak resident bytes added per id |",
            "|---:|---|---:|---:|---:|"]
    for table in tables:
        rows.append(f"| {table.ids:,} | {table.how} | {table.nbytes / table.ids:.1f} "
                    f"| {table.resident / table.ids:.1f} | {table.peak / table.ids:.1f} |")
    return "\n".join(rows)


def goals(results: Sequence[tuple[int, dict[str, Best]]], tables: Sequence[IdTable],
          jobs: int) -> str:
    """Each goal at each size, and the stream engine's memory growth against its id table's."""
    lines = []
    for n, best in results:
        floor, hand = best["floor"], best[HAND_SQL]
        figures = {"stream CPU / floor": best[STREAM].cpu / floor.cpu,
                   "jobs wall / floor": best[f"verify --jobs {jobs}"].wall / floor.wall,
                   "duckdb CPU / hand SQL": best[DUCKDB].cpu / hand.cpu}
        for what, value in figures.items():
            goal = GOALS[what]
            verdict = "met" if value <= goal else "not met"
            lines.append(f"{n:,} records: {what.replace('jobs', f'--jobs {jobs}')} "
                         f"{value:.2f}x, goal {goal}x: {verdict}")
    reserved = {table.ids: table for table in tables if table.how == "reserved"}
    (small, first) = results[0]
    for n, best in results[1:]:
        grew = (best[STREAM].peak_kib - first[STREAM].peak_kib) * 1024
        ids = reserved[n].resident - reserved[small].resident
        lines.append(f"stream peak from {short(small)} to {short(n)} records: "
                     f"{grew / 2**20:+.0f} MiB, of which the id table's measured growth "
                     f"{ids / 2**20:+.0f} MiB; the rest {(grew - ids) / 2**20:+.0f} MiB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    common_arguments(parser, [1_000_000, 3_000_000, 10_000_000], default_repeat=1)
    parser.add_argument("--jobs", type=int, default=2, help="workers of the --jobs run")
    args = parse_arguments(parser, argv)
    results: list[tuple[int, dict[str, Best]]] = []
    tables: list[IdTable] = []
    try:
        paths = [(n, dataset(args.python, args.data_dir, n, args.seed)) for n in args.sizes]
        for n, path in paths:
            log(f"n={n}: load average before {load()}")
            results.append((n, bench_size(args.python, path, args.as_of, args.repeat,
                                          args.jobs)))
            log(f"n={n}: load average after {load()}")
        for n in args.sizes:
            for how in ("reserved", "grown"):
                tables.append(id_table(args.python, n, how))
                log(f"  id table of {n:,} ids, {how}: {tables[-1]}")
    except BenchError as err:
        log(f"error: {err}")
        return 2
    print(results_table(results))
    if len(results) > 1:
        print()
        print(scaling_table(results))
    print()
    print(id_tables_table(tables))
    print()
    print(goals(results, tables, args.jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
