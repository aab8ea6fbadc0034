"""Times slacheck against the hand-written baseline on generated data, and checks they agree.

A number without a yardstick says little: both run on the same file, in alternating order, best of
`--repeat`, each as its own process so that its peak memory is its own. The figures of the two must
match, or the run fails; the last line shows how slacheck's memory grows with the input.

    python bench/run.py --sizes 100000,1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CONTRACT = "contracts/motorola-sinotrans.yaml"
AS_OF = "2026-01-01T00:00:00+08:00"
STANDARDS = ("pickup-2h", "delivery-24h", "perfect-order", "safe-custody", "billing-accuracy")
SLACHECK_OK = (0, 1)


class BenchError(Exception):
    """A command failed or printed something unreadable: no timing is worth reporting."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int
    status: int
    stdout: bytes
    stderr: bytes


@dataclass(frozen=True)
class Figures:
    """What both sides must agree on."""

    accepted: int
    rejected: int
    penalties: Decimal
    service_credits: Decimal
    breaches: tuple[tuple[str, int], ...]

    def differences(self, other: Figures) -> list[str]:
        return [
            f"{name}: baseline {mine}, slacheck {theirs}"
            for name, mine, theirs in (
                ("accepted", self.accepted, other.accepted),
                ("rejected", self.rejected, other.rejected),
                ("penalties", self.penalties, other.penalties),
                ("service_credits", self.service_credits, other.service_credits),
                *(
                    (
                        f"breaches of {sid}",
                        dict(self.breaches).get(sid),
                        dict(other.breaches).get(sid),
                    )
                    for sid in STANDARDS
                ),
            )
            if mine != theirs
        ]


@dataclass
class Side:
    best: float = float("inf")
    peak_kib: int = 0

    def add(self, run: Run) -> None:
        self.best = min(self.best, run.seconds)
        self.peak_kib = max(self.peak_kib, run.peak_kib)


CHILD_ENV = {name: value for name, value in os.environ.items()
             if name != "PYTHONDONTWRITEBYTECODE"}
"""Every child runs as an installed slacheck does, its modules' bytecode compiled once and
kept: a setting that forbids keeping it would charge each run with compiling every module
(about 0.5 s), which the yardsticks, importing a few compiled packages, do not pay."""
_COMPILED: set[str] = set()
"""The interpreters that have compiled the project's modules in this run."""


def spawn(command: list[str], out: Any, err: Any) -> subprocess.Popen[bytes]:
    """Start a child (`command[0]` an interpreter, which first compiles the project's
    modules, once a run) from the project's folder, as an installed program runs."""
    if command[0] not in _COMPILED:
        _COMPILED.add(command[0])
        subprocess.run([command[0], "-m", "compileall", "-q", str(ROOT / "src")],
                       env=CHILD_ENV, check=True, stdout=subprocess.DEVNULL)
    return subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=err, env=CHILD_ENV)


def measure(command: list[str]) -> Run:
    """Run a child to completion; its wall time and, from wait4, its own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = spawn(command, out, err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        return Run(seconds, peak, child.returncode, out.read(), err.read())


def dataset(python: str, directory: Path, n: int, seed: int) -> Path:
    """The generated file for (n, seed), made once; a changed generator makes a new one."""
    generator = BENCH / "generate.py"
    version = hashlib.sha256(generator.read_bytes()).hexdigest()[:12]
    path = directory / f"shipments-n{n}-seed{seed}-{version}.jsonl"
    if path.exists():
        log(f"n={n}: reusing {path}")
        return path
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    log(f"n={n}: generating {path}")
    run = measure([python, str(generator), "-n", str(n), "--seed", str(seed), "-o", str(partial)])
    if run.status != 0:
        raise BenchError(f"generate.py exited {run.status}:\n{run.stderr.decode(errors='replace')}")
    partial.replace(path)
    log(f"n={n}: generated in {run.seconds:.2f} s, peak {run.peak_kib / 1024:.0f} MiB")
    return path


def parse(what: str, run: Run) -> dict[str, Any]:
    try:
        document = json.loads(run.stdout)
    except ValueError as err:
        raise BenchError(
            f"{what} exited {run.status} and printed no JSON ({err}): {run.stdout[:300]!r}\n"
            + run.stderr.decode(errors="replace")[-4000:]
        ) from None
    if not isinstance(document, dict):
        raise BenchError(f"{what} printed JSON that is not an object")
    return document


def amount(what: str, value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise BenchError(f"{what}: not an amount: {value!r}") from None


def baseline_figures(run: Run) -> Figures:
    doc = parse("baseline", run)
    try:
        return Figures(
            accepted=int(doc["accepted"]),
            rejected=int(doc["rejected"]),
            penalties=amount("baseline penalties", doc["penalties"]),
            service_credits=amount("baseline service_credits", doc["service_credits"]),
            breaches=tuple(sorted((sid, int(doc["breaches"][sid])) for sid in STANDARDS)),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise BenchError(f"baseline output is not as expected: {err!r}") from None


def slacheck_figures(run: Run) -> Figures:
    doc = parse("slacheck", run)
    try:
        return Figures(
            accepted=int(doc["lines"]["accepted"]),
            rejected=int(doc["lines"]["rejected"]),
            penalties=amount("slacheck totals.penalties", doc["totals"]["penalties"]),
            service_credits=amount(
                "slacheck totals.service_credits", doc["totals"]["service_credits"]
            ),
            breaches=tuple(sorted((s["id"], int(s["breaches"])) for s in doc["standards"])),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise BenchError(f"slacheck output is not as expected: {err!r}") from None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_size(python: str, path: Path, as_of: str, repeat: int) -> tuple[Side, Side, list[str]]:
    commands = {
        "baseline": [python, "bench/baseline.py", str(path), "--as-of", as_of],
        "slacheck": [
            python, "-m", "slacheck", "verify", CONTRACT, str(path),
            "--as-of", as_of, "--format", "json", "--quiet",
        ],
    }  # fmt: skip
    sides = {"baseline": Side(), "slacheck": Side()}
    seen: dict[str, Figures] = {}
    problems: list[str] = []
    for attempt in range(repeat):
        order = ("baseline", "slacheck") if attempt % 2 == 0 else ("slacheck", "baseline")
        for name in order:
            run = measure(commands[name])
            allowed = SLACHECK_OK if name == "slacheck" else (0,)
            if run.status not in allowed:
                raise BenchError(
                    f"{name} exited {run.status}: {' '.join(commands[name])}\n"
                    + run.stderr.decode(errors="replace")[-4000:]
                )
            figures = slacheck_figures(run) if name == "slacheck" else baseline_figures(run)
            if name in seen and seen[name] != figures:
                problems.append(f"{name} gave different figures on a repeat")
            seen.setdefault(name, figures)
            sides[name].add(run)
            log(f"  {name}: {run.seconds:.2f} s, peak {run.peak_kib / 1024:.0f} MiB")
    problems += seen["baseline"].differences(seen["slacheck"])
    return sides["baseline"], sides["slacheck"], problems


def table(results: list[tuple[int, Side, Side]]) -> str:
    rows = [
        "| N | baseline s | slacheck s | slacheck/baseline"
        " | baseline peak MiB | slacheck peak MiB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, base, sla in results:
        rows.append(
            f"| {n:,} | {base.best:.2f} | {sla.best:.2f} | {sla.best / base.best:.2f}x"
            f" | {base.peak_kib / 1024:.0f} | {sla.peak_kib / 1024:.0f} |"
        )
    (small, _, first), (large, _, last) = results[0], results[-1]
    if large != small:
        growth = last.peak_kib / first.peak_kib
        rows += ["", f"slacheck peak memory, N={large:,} over N={small:,}: {growth:.2f}x"]
    return "\n".join(rows)


def sizes(text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of integers") from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=sizes, default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--python", default=sys.executable, help="interpreter for every child")
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "slacheck-bench",
        help="where generated files are kept between runs",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    results: list[tuple[int, Side, Side]] = []
    problems: list[str] = []
    try:
        for n in args.sizes:
            path = dataset(args.python, args.data_dir, n, args.seed)
            base, sla, found = bench_size(args.python, path, args.as_of, args.repeat)
            results.append((n, base, sla))
            problems += [f"N={n:,}: {problem}" for problem in found]
    except BenchError as err:
        log(f"error: {err}")
        return 2
    print(table(results))
    if problems:
        log("slacheck and the baseline disagree:\n" + "\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
