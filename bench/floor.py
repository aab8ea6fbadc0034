"""Times `slacheck verify` against the parse floor: each line of the same file parsed by orjson.

No checker of JSON lines can be faster than parsing them, so the ratio of `verify` to that floor
says how much the checking itself costs. Both run as their own processes on the same generated
file (bench/generate.py, made once and reused, as run.py does), in alternating order, best of
`--repeat`. CPU time (user + system of the process and the workers it waits for, from wait4) is
the figure compared, since on a shared machine it varies far less than wall time; wall time is
shown beside it. `--jobs` adds `verify --jobs N` runs, whose wall time is the one that can drop.

    python bench/floor.py --sizes 1000000 --repeat 3 --jobs 2
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from run import AS_OF, CONTRACT, BenchError, dataset, log, sizes
from timing import Best, alternate

FLOOR = """
import sys, orjson
loads = orjson.loads
count = 0
with open(sys.argv[1], "rb") as stream:
    rest = b""
    while chunk := stream.read(1 << 20):
        lines = (rest + chunk).split(b"\\n")
        rest = lines.pop()
        for line in lines:
            if line:
                try:
                    loads(line)
                except orjson.JSONDecodeError:
                    pass
                count += 1
print(count)
"""
"""The floor: the file read in 1 MiB chunks, split into lines, each line parsed by orjson."""


def commands(python: str, path: Path, as_of: str, jobs: list[int]) -> dict[str, list[str]]:
    verify = [python, "-m", "slacheck", "verify", CONTRACT, str(path), "--as-of", as_of,
              "--format", "json", "--quiet"]
    found = {"floor": [python, "-c", FLOOR, str(path)], "verify": verify}
    for n in jobs:
        found[f"verify --jobs {n}"] = [*verify, "--jobs", str(n)]
    return found


def bench_size(python: str, path: Path, as_of: str, repeat: int,
               jobs: list[int]) -> dict[str, Best]:
    return alternate(commands(python, path, as_of, jobs), repeat, log=log)


def table(results: list[tuple[int, dict[str, Best]]]) -> str:
    rows = ["| N | run | CPU s | wall s | CPU / floor CPU | wall / floor wall |",
            "|---:|---|---:|---:|---:|---:|"]
    for n, best in results:
        floor = best["floor"]
        for name, side in best.items():
            rows.append(f"| {n:,} | {name} | {side.cpu:.2f} | {side.wall:.2f}"
                        f" | {side.cpu / floor.cpu:.2f}x | {side.wall / floor.wall:.2f}x |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=sizes, default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", default="", help="comma-separated --jobs values to add")
    parser.add_argument("--python", default=sys.executable, help="interpreter for every child")
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "slacheck-bench",
                        help="where generated files are kept between runs")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    jobs = [int(part) for part in args.jobs.split(",") if part.strip()]
    results = []
    try:
        for n in args.sizes:
            path = dataset(args.python, args.data_dir, n, args.seed)
            results.append((n, bench_size(args.python, path, args.as_of, args.repeat, jobs)))
    except BenchError as err:
        log(f"error: {err}")
        return 2
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
