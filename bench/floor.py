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
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from run import AS_OF, CONTRACT, ROOT, BenchError, dataset, log, sizes

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


@dataclass
class Best:
    wall: float = float("inf")
    cpu: float = float("inf")

    def add(self, wall: float, cpu: float) -> None:
        self.wall = min(self.wall, wall)
        self.cpu = min(self.cpu, cpu)


def measure(command: list[str]) -> tuple[float, float]:
    """Run a child to completion: its wall time and its CPU time (with its waited children)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            raise BenchError(f"{' '.join(command)} exited {code}:\n"
                             + err.read().decode(errors="replace")[-4000:])
        return wall, usage.ru_utime + usage.ru_stime


def commands(python: str, path: Path, as_of: str, jobs: list[int]) -> dict[str, list[str]]:
    verify = [python, "-m", "slacheck", "verify", CONTRACT, str(path), "--as-of", as_of,
              "--format", "json", "--quiet"]
    found = {"floor": [python, "-c", FLOOR, str(path)], "verify": verify}
    for n in jobs:
        found[f"verify --jobs {n}"] = [*verify, "--jobs", str(n)]
    return found


def bench_size(python: str, path: Path, as_of: str, repeat: int,
               jobs: list[int]) -> dict[str, Best]:
    runs = commands(python, path, as_of, jobs)
    best = {name: Best() for name in runs}
    for attempt in range(repeat):
        order = list(runs) if attempt % 2 == 0 else list(reversed(runs))
        for name in order:
            wall, cpu = measure(runs[name])
            best[name].add(wall, cpu)
            log(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return best


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
