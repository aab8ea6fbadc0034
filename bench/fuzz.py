"""Fuzz the clause parser, the contract loader and the record reader for a fixed time.

    python bench/fuzz.py --target parser --seconds 300
    python bench/fuzz.py --target all --seconds 60

Uses atheris (coverage-guided; `pip install atheris`) when it imports, else hypothesis with
a time budget. Each target states what it may raise: a `ContractError` with positioned
diagnostics for contract text; nothing at all for data, whose every line must come back as
a record or a rejection. Anything else is a finding: the input is written to
`bench/fuzz-findings/` (ignored by git) and becomes a regression test. Run outside CI.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import io
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from slacheck._source import Source  # noqa: E402
from slacheck.checker import check  # noqa: E402
from slacheck.diagnostics import ContractError  # noqa: E402
from slacheck.loader import load_contract_text  # noqa: E402
from slacheck.parser import CLAUSES, parse  # noqa: E402
from slacheck.records import Reader, Rejection  # noqa: E402

FINDINGS = ROOT / "bench" / "fuzz-findings"
CONTRACT = (ROOT / "contracts" / "motorola-sinotrans.yaml").read_text("utf-8")


def parser_target(data: bytes) -> None:
    text = data[1:].decode("utf-8", "replace")
    clause = CLAUSES[data[0] % len(CLAUSES)] if data else CLAUSES[0]
    try:
        parse(Source(text), clause)
    except ContractError as error:
        _check_spans(error, text)


def _check_spans(error: ContractError, text: str) -> None:
    if not error.diagnostics:
        raise AssertionError("a contract error without diagnostics") from error
    for item in error.diagnostics:
        if item.span is not None and not 0 <= item.span.start <= item.span.end <= len(text):
            raise AssertionError(f"a span outside the text: {item.span}") from error


def loader_target(data: bytes) -> None:
    # half the inputs splice the bytes into the example contract, to get past the schema
    text = data.decode("utf-8", "replace")
    if data and data[0] % 2:
        cut = int.from_bytes(data[:2].ljust(2, b"\0"), "big") % (len(CONTRACT) + 1)
        text = CONTRACT[:cut] + text + CONTRACT[cut:]
    try:
        check(load_contract_text(text, "fuzz.yaml"))
    except ContractError as error:
        _check_spans(error, text)
        if not all(item.render().startswith("fuzz.yaml") for item in error.diagnostics):
            raise AssertionError("a diagnostic without its file") from error


_SCHEMA = check(load_contract_text(CONTRACT, "c.yaml")).contract.schema


def reader_target(data: bytes) -> None:
    reader = Reader(_SCHEMA)
    items = list(reader.read(io.BytesIO(data), "fuzz.jsonl"))
    records = sum(1 for item in items if not isinstance(item, Rejection))
    rejections = len(items) - records
    assert records + rejections >= (1 if data.strip() else 0)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "parser": parser_target, "loader": loader_target, "reader": reader_target,
}


def _record(name: str, data: bytes) -> Path:
    FINDINGS.mkdir(exist_ok=True)
    path = FINDINGS / f"{name}-{hashlib.sha256(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    return path


def _guarded(name: str, target: Callable[[bytes], None]) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        try:
            target(data)
        except Exception:
            path = _record(name, data)
            print(f"\nFINDING in {name}: {path}\n{traceback.format_exc()}", file=sys.stderr)
            raise

    return run


def _with_hypothesis(name: str, target: Callable[[bytes], None], seconds: float) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    runs = found = 0

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=2000))
    def batch(data: bytes) -> None:
        nonlocal runs
        runs += 1
        _guarded(name, target)(data)

    stop = time.monotonic() + seconds
    while time.monotonic() < stop:  # fresh random batches until the budget is spent
        try:
            batch()
        except Exception:
            found += 1
    print(f"{name}: {runs} inputs in {seconds:g} s (hypothesis), {found} finding(s)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all")
    parser.add_argument("--seconds", type=float, default=60.0, help="per target")
    args = parser.parse_args()
    names = list(TARGETS) if args.target == "all" else [args.target]
    try:
        atheris: Any = importlib.import_module("atheris")
    except ImportError:
        atheris = None
    if atheris is not None and len(names) == 1:
        name = names[0]
        atheris.Setup([sys.argv[0], f"-max_total_time={int(args.seconds)}"],
                      _guarded(name, TARGETS[name]))
        atheris.Fuzz()
        return 0
    return 1 if sum(_with_hypothesis(n, TARGETS[n], args.seconds) for n in names) else 0


if __name__ == "__main__":
    sys.exit(main())
