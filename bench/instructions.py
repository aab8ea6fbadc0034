"""Counts the machine instructions `slacheck verify` spends per record, beside the parse floor's.

Timings on a shared machine vary with its load; instruction counts do not. Each program runs
under `valgrind --tool=callgrind` twice, on a generated file (bench/generate.py) and on an empty
one, and the difference over the number of records is its cost per record, with the fixed start
(imports, the contract compiled) taken out. The floor is bench/floor.py's: each line parsed by
orjson. Callgrind runs the program about 50 times slower, so 10,000 records are enough.

    python bench/instructions.py --records 10000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from run import AS_OF, CONTRACT, ROOT, BenchError, dataset, log
from yardsticks import FLOOR


def instructions(command: list[str]) -> int:
    """The instructions `command` executes, as callgrind counts them."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               *command], cwd=ROOT, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if done.returncode not in (0, 1, 4) or not out.exists():  # 4: no records (empty)
            raise BenchError(f"{' '.join(command)} exited {done.returncode}:\n"
                             + done.stderr.decode(errors="replace")[-4000:])
        for line in out.read_text().splitlines():
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise BenchError("callgrind wrote no summary")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", choices=("floor", "verify"), help="count one program alone")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "slacheck-bench")
    args = parser.parse_args()
    path = dataset(args.python, args.data_dir, args.records, args.seed)
    empty = args.data_dir / "empty.jsonl"
    empty.write_bytes(b"")
    programs: dict[str, Callable[[Path], list[str]]] = {
        "floor": lambda data: [args.python, "-c", FLOOR, str(data)],
        "verify": lambda data: [args.python, "-m", "slacheck", "verify", CONTRACT, str(data),
                                "--as-of", AS_OF, "--format", "json", "--quiet"]}
    per_record = {}
    for name, command in programs.items():
        if args.only not in (None, name):
            continue
        start = instructions(command(empty))
        whole = instructions(command(path))
        per_record[name] = (whole - start) / args.records
        log(f"{name}: {per_record[name]:,.0f} instructions a record, "
            f"{start / 1e9:.2f} billion to start")
    if len(per_record) == 2:
        print(f"verify / floor: {per_record['verify'] / per_record['floor']:.2f}x "
              f"({args.records:,} records, seed {args.seed})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
