"""Timing child processes side by side: each command its own process, in alternating order,
best of a number of runs, in wall time and in CPU time, with each one's peak memory.

CPU time is user + system of the child and of the workers it waits for (from `wait4`); on a
shared machine it varies far less than wall time, so the benchmarks take their ratios on it.
The peak memory is `wait4`'s `ru_maxrss`: the largest resident set of the child or of any
worker it waited for (the largest one, not their sum).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from run import AS_OF, CONTRACT, BenchError, dataset, log, sizes, spawn
from yardsticks import agreement


@dataclass(frozen=True)
class Sample:
    """One run of a command."""

    wall: float
    cpu: float
    peak_kib: int
    stdout: bytes


@dataclass
class Best:
    """The best wall and CPU time of a command's runs (each taken apart), the highest peak
    memory of them, and what its first run printed."""

    wall: float = float("inf")
    cpu: float = float("inf")
    peak_kib: int = 0
    stdout: bytes | None = None

    def add(self, wall: float, cpu: float, peak_kib: int = 0, stdout: bytes = b"") -> None:
        self.wall = min(self.wall, wall)
        self.cpu = min(self.cpu, cpu)
        self.peak_kib = max(self.peak_kib, peak_kib)
        if self.stdout is None:
            self.stdout = stdout


def measure(command: list[str], allowed: Collection[int] = (0, 1)) -> Sample:
    """Run a child to completion (`command[0]` the interpreter, which first compiles the
    project's modules): its wall time, its CPU time (with its waited children), its peak
    resident set and what it printed. An exit code outside `allowed` is a `BenchError`
    with the end of its standard error."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = spawn(command, out, err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in allowed:
            err.seek(0)
            raise BenchError(f"{' '.join(command)} exited {code}:\n"
                             + err.read().decode(errors="replace")[-4000:])
        out.seek(0)
        peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        return Sample(wall, usage.ru_utime + usage.ru_stime, peak, out.read())


def alternate(commands: Mapping[str, list[str]], repeat: int,
              allowed: Mapping[str, Collection[int]] | None = None,
              log: Callable[[str], None] | None = None) -> dict[str, Best]:
    """Run every command `repeat` times, in their order and then in reverse, alternating, so
    that neither side always runs on a warmer or a busier machine; the best of each."""
    best = {name: Best() for name in commands}
    names = list(commands)
    for attempt in range(repeat):
        order = names if attempt % 2 == 0 else names[::-1]
        for name in order:
            run = measure(commands[name], (allowed or {}).get(name, (0, 1)))
            best[name].add(run.wall, run.cpu, run.peak_kib, run.stdout)
            if log is not None:
                log(f"  {name}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, "
                    f"peak {run.peak_kib / 1024:.0f} MiB")
    return best


def verify_command(python: str, path: Path, as_of: str) -> list[str]:
    """`slacheck verify` of the bench's contract over `path`, its JSON result on stdout."""
    return [python, "-m", "slacheck", "verify", CONTRACT, str(path), "--as-of", as_of,
            "--format", "json", "--quiet"]


def same_output(best: Mapping[str, Best], names: Sequence[str]) -> None:
    """Fail unless the runs `names` printed one and the same result, and not an empty one."""
    first = best[names[0]].stdout
    if not first:
        raise BenchError(f"{names[0]} printed nothing")
    for name in names[1:]:
        if best[name].stdout != first:
            raise BenchError(f"{name} and {names[0]} do not print the same JSON result")


def hand_agrees(best: Mapping[str, Best], hand: str, verify: str) -> None:
    """Fail unless the hand-written SQL's figures (run `hand`) are slacheck's (run `verify`):
    a yardstick that does other work measures nothing."""
    differences = agreement(best[hand].stdout or b"", best[verify].stdout or b"")
    if differences:
        raise BenchError(f"{hand} and {verify} disagree:\n" + "\n".join(differences[:20]))


def common_arguments(parser: argparse.ArgumentParser, default_sizes: list[int],
                     default_repeat: int = 3) -> None:
    """The options every side-by-side benchmark takes: sizes, repeats, seed, interpreter,
    as-of time and where the generated files are kept."""
    parser.add_argument("--sizes", type=sizes, default=default_sizes,
                        help="comma-separated numbers of records")
    parser.add_argument("--repeat", type=int, default=default_repeat,
                        help="runs of each command, the best kept")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--python", default=sys.executable, help="interpreter for every child")
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "slacheck-bench",
                        help="where generated files are kept between runs")


def parse_arguments(parser: argparse.ArgumentParser,
                    argv: list[str] | None) -> argparse.Namespace:
    """`parser`'s arguments, `--repeat` held to at least one run."""
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


@dataclass(frozen=True)
class Ratio:
    """A column of the table of runs: each run's CPU time (or wall time) over `base`'s."""

    title: str
    base: str
    wall: bool = False

    def of(self, side: Best, best: Mapping[str, Best]) -> float:
        base = best[self.base]
        return side.wall / base.wall if self.wall else side.cpu / base.cpu


Results = list[tuple[int, dict[str, Best]]]
"""Each size of records, and the best of each of its runs by name."""


def runs_table(results: Results, ratios: Sequence[Ratio]) -> str:
    """A Markdown table of each run's CPU and wall time and its `ratios`."""
    rows = ["| records | run | CPU s | wall s |" + "".join(f" {ratio.title} |"
                                                          for ratio in ratios),
            "|---:|---|---:|---:|" + "---:|" * len(ratios)]
    for n, best in results:
        for name, side in best.items():
            rows.append(f"| {n:,} | {name} | {side.cpu:.2f} | {side.wall:.2f} |"
                        + "".join(f" {ratio.of(side, best):.2f}x |" for ratio in ratios))
    return "\n".join(rows)


def bench_sizes(args: argparse.Namespace, one_size: Callable[[Path], dict[str, Best]],
                ratios: Sequence[Ratio]) -> int:
    """Run `one_size` on the generated records of each of `args.sizes` (bench/generate.py,
    made once and kept) and print the table of its runs: the exit code, 2 on a
    `BenchError`, which is said."""
    results: Results = []
    try:
        for n in args.sizes:
            results.append((n, one_size(dataset(args.python, args.data_dir, n, args.seed))))
    except BenchError as err:
        log(f"error: {err}")
        return 2
    print(runs_table(results, ratios))
    return 0
