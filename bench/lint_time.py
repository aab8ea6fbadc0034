"""How long `slacheck lint` takes in a commit hook: the example contracts linted by a new
process, against `python -c "import yaml"` and `python -c pass` on the same interpreter,
best of N runs each (the README keeps the ratio).

    python bench/lint_time.py [--runs 7]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    contracts = sorted(str(path) for path in (ROOT / "contracts").glob("*.yaml"))
    lint = best([sys.executable, "-m", "slacheck", "lint", *contracts], args.runs)
    imports = best([sys.executable, "-m", "slacheck", "--version"], args.runs)
    yaml = best([sys.executable, "-c", "import yaml"], args.runs)
    empty = best([sys.executable, "-c", "pass"], args.runs)
    print(f"slacheck lint of {len(contracts)} contracts: {lint:.3f} s "
          f"({lint / yaml:.1f}x `python -c 'import yaml'`, {lint / empty:.1f}x `python -c pass`)")
    print(f"slacheck --version (start-up alone): {imports:.3f} s")
    print(f"python -c 'import yaml': {yaml:.3f} s; python -c pass: {empty:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
