"""The DuckDB engine against the stream engine, the orjson parse floor and hand-written SQL.

    python bench/engines.py --sizes 100000,1000000 --repeat 3

Four processes on the same generated file (bench/generate.py, kept between runs), in
alternating order, best of `--repeat`, CPU time (user + system, from wait4) and wall time:
the floor of `floor.py` (each line parsed by orjson), `verify --engine stream`, `verify
--engine duckdb`, and a hand-written DuckDB script doing the same work (bench/yardsticks.py:
each line's fields read and checked, the first record of each id kept, every standard's
verdicts, target, penalty and credit per window in Shanghai and group; none of the engine's
line accounting, reasons or evidence). Fails unless both engines print the same JSON and the
hand-written SQL's figures are theirs.
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
    hand_agrees,
    parse_arguments,
    same_output,
    verify_command,
)
from yardsticks import FLOOR, HAND


def commands(python: str, path: Path, as_of: str) -> dict[str, list[str]]:
    verify = verify_command(python, path, as_of)
    return {"floor": [python, "-c", FLOOR, str(path)],
            "stream": [*verify, "--engine", "stream"],
            "duckdb": [*verify, "--engine", "duckdb"],
            "hand-written SQL": [python, "-c", HAND, str(path), as_of]}


def bench_size(python: str, path: Path, as_of: str, repeat: int) -> dict[str, Best]:
    best = alternate(commands(python, path, as_of), repeat, log=log)
    same_output(best, ["stream", "duckdb"])
    hand_agrees(best, "hand-written SQL", "stream")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    common_arguments(parser, [100_000])
    args = parse_arguments(parser, argv)
    return bench_sizes(args, lambda path: bench_size(args.python, path, args.as_of, args.repeat),
                       [Ratio("CPU / floor", "floor"), Ratio("wall / floor", "floor", wall=True),
                        Ratio("CPU / hand SQL", "hand-written SQL"),
                        Ratio("wall / hand SQL", "hand-written SQL", wall=True)])


if __name__ == "__main__":
    sys.exit(main())
