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
from pathlib import Path

from run import log
from timing import (
    Best,
    Ratio,
    alternate,
    bench_sizes,
    common_arguments,
    parse_arguments,
    verify_command,
)
from yardsticks import FLOOR


def commands(python: str, path: Path, as_of: str, jobs: list[int]) -> dict[str, list[str]]:
    verify = verify_command(python, path, as_of)
    found = {"floor": [python, "-c", FLOOR, str(path)], "verify": verify}
    for n in jobs:
        found[f"verify --jobs {n}"] = [*verify, "--jobs", str(n)]
    return found


def bench_size(python: str, path: Path, as_of: str, repeat: int,
               jobs: list[int]) -> dict[str, Best]:
    return alternate(commands(python, path, as_of, jobs), repeat, log=log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    common_arguments(parser, [1_000_000])
    parser.add_argument("--jobs", default="", help="comma-separated --jobs values to add")
    args = parse_arguments(parser, argv)
    jobs = [int(part) for part in args.jobs.split(",") if part.strip()]
    return bench_sizes(args, lambda path: bench_size(args.python, path, args.as_of, args.repeat,
                                                     jobs),
                       [Ratio("CPU / floor", "floor"), Ratio("wall / floor", "floor", wall=True)])


if __name__ == "__main__":
    sys.exit(main())
