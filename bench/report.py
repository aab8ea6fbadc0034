"""Times `slacheck report` (the HTML audit report) against `slacheck verify` on the same file.

The report reads and checks the same records as `verify` and then renders a page whose size
depends on the windows and the evidence limit, not on the number of records; the goal is a
report within 1.2 times the time of `verify`. Both run as their own processes, in alternating
order, best of `--repeat`, on data from bench/generate.py (made once and reused, as run.py does).
Wall time and CPU time (user + system, from wait4) are both shown: on a shared machine the
wall time of one run varies with the load, its CPU time much less, so the ratio is taken on
CPU time.

    python bench/report.py --sizes 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from run import CONTRACT, BenchError, dataset, log
from timing import Best, alternate, common_arguments, parse_arguments

GOAL = 1.2


def bench_size(python: str, path: Path, out: Path, as_of: str, repeat: int) -> tuple[Best, Best]:
    commands = {
        "verify": [python, "-m", "slacheck", "verify", CONTRACT, str(path), "--as-of", as_of,
                   "--quiet", "-o", str(out / "result.txt")],
        "report": [python, "-m", "slacheck", "report", CONTRACT, str(path), "--as-of", as_of,
                   "--quiet", "-o", str(out / "audit.html")],
    }
    best = alternate(commands, repeat, {"verify": (0, 1), "report": (0,)}, log)
    page = (out / "audit.html").read_bytes()
    if not page.startswith(b"<!DOCTYPE html>"):
        raise BenchError("the report is not an HTML page")
    log(f"  report: {len(page) / 1024:.0f} KiB of HTML")
    return best["verify"], best["report"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    common_arguments(parser, [100_000])
    args = parse_arguments(parser, argv)
    rows = ["| N | verify s (CPU) | report s (CPU) | report/verify (CPU) | report/verify (wall) |",
            "|---:|---:|---:|---:|---:|"]
    worst = 0.0
    try:
        with tempfile.TemporaryDirectory() as scratch:
            for n in args.sizes:
                path = dataset(args.python, args.data_dir, n, args.seed)
                verify, report = bench_size(args.python, path, Path(scratch), args.as_of,
                                            args.repeat)
                ratio = report.cpu / verify.cpu
                worst = max(worst, ratio)
                rows.append(f"| {n:,} | {verify.cpu:.2f} | {report.cpu:.2f} | {ratio:.2f}x "
                            f"| {report.wall / verify.wall:.2f}x |")
    except BenchError as err:
        log(f"bench failed: {err}")
        return 1
    print("\n".join(rows))
    verdict = "within" if worst <= GOAL else "above"
    print(f"\nreport/verify at most {worst:.2f}x: {verdict} the {GOAL}x goal")
    return 0 if worst <= GOAL else 2


if __name__ == "__main__":
    sys.exit(main())
