"""Timing child processes side by side: each command its own process, in alternating order,
best of a number of runs, in wall time and in CPU time.

CPU time is user + system of the child and of the workers it waits for (from `wait4`); on a
shared machine it varies far less than wall time, so the benchmarks take their ratios on it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from run import ROOT, BenchError


@dataclass
class Best:
    """The best wall and CPU time of a command's runs (each taken apart)."""

    wall: float = float("inf")
    cpu: float = float("inf")

    def add(self, wall: float, cpu: float) -> None:
        self.wall = min(self.wall, wall)
        self.cpu = min(self.cpu, cpu)


def measure(command: list[str], allowed: Collection[int] = (0, 1)) -> tuple[float, float]:
    """Run a child to completion: its wall time and its CPU time (with its waited children).
    An exit code outside `allowed` is a `BenchError` with the end of its standard error."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in allowed:
            err.seek(0)
            raise BenchError(f"{' '.join(command)} exited {code}:\n"
                             + err.read().decode(errors="replace")[-4000:])
        return wall, usage.ru_utime + usage.ru_stime


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
            wall, cpu = measure(commands[name], (allowed or {}).get(name, (0, 1)))
            best[name].add(wall, cpu)
            if log is not None:
                log(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return best
