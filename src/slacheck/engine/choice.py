"""`--engine auto`: which engine runs a contract over its inputs.

Both engines give the same result byte for byte, so the choice is one of speed alone, and it
is made before a line is read from what is known then: the inputs' formats and sizes, whether
the DuckDB engine's packages are installed, and whether its SQL decides the contract's
standards itself. DuckDB pays off on large files (it starts slower: about 0.4 s of imports)
and on Parquet and DuckDB databases, which it reads natively; anything else, or anything it
would refuse, runs in the stream engine, which covers the whole language.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import TYPE_CHECKING

from slacheck.checker import CheckedContract
from slacheck.plan import Plan
from slacheck.readers import Input

if TYPE_CHECKING:
    from slacheck.engine.sql.queries import Classified

LARGE_BYTES = 64 << 20
"""Bytes of JSON lines or CSV from which DuckDB runs faster than the stream engine: at 64 MiB
the two take about the same CPU time and DuckDB about 0.8 of the wall time, at 295 MB about
0.8 of the CPU time and 0.55 of the wall time (the README's figures)."""

NATIVE = frozenset({"parquet", "duckdb"})
"""Formats DuckDB reads natively (the stream engine takes their rows through pyarrow one
Python value at a time)."""

NATIVE_BYTES = 1 << 20
"""Bytes of Parquet or DuckDB database from which DuckDB runs faster: the two took the same
CPU time on 1.2 MB of Parquet (30,000 records), DuckDB 0.4 of it on 3.9 MB."""

PACKAGES = ("duckdb", "sqlglot", "pyarrow")
"""What the DuckDB engine imports: the `duckdb` extra."""


@dataclass(frozen=True, slots=True)
class Choice:
    """The engine picked, and why, in words for the terminal."""

    engine: str
    reason: str
    classified: Classified | None = field(default=None, compare=False, repr=False)
    """The contract's stage 1 in SQL, compiled to decide: handed to the DuckDB engine."""


def choose(checked: CheckedContract, plan: Plan, inputs: Sequence[str | object],
           format_in: str | None = None) -> Choice:
    """The engine for `checked` over `inputs` (paths, or records given from Python)."""
    from slacheck.engine.sql.support import READS

    sources = _sources(inputs, format_in)
    if sources is None:
        return Choice("stream", "records given from Python or on standard input")
    unread = sorted({source.format for source in sources} - READS)
    if unread:
        return Choice("stream", f"the DuckDB engine does not read {', '.join(unread)} input")
    native = sum(_size(source.path) for source in sources if source.format in NATIVE)
    text = sum(_size(source.path) for source in sources if source.format not in NATIVE)
    if native < NATIVE_BYTES and text < LARGE_BYTES:
        return Choice("stream", f"{_mib(native + text)} of input; DuckDB from "
                      f"{_mib(LARGE_BYTES)}, or {_mib(NATIVE_BYTES)} of Parquet or DuckDB "
                      "database")
    absent = [name for name in PACKAGES if find_spec(name) is None]
    if absent:
        return Choice("stream", f"{', '.join(absent)} not installed (the duckdb extra)")
    covered = _covered(checked, plan)
    if isinstance(covered, str):
        return Choice("stream", covered)
    why = (f"{_mib(native)} of Parquet or DuckDB database input" if native >= NATIVE_BYTES
           else f"{_mib(text)} of input")
    return Choice("duckdb", why, covered)


def _sources(inputs: Sequence[str | object], format_in: str | None) -> list[Input] | None:
    from slacheck.readers import expand

    sources: list[Input] = []
    for given in inputs:
        if not isinstance(given, str) or given == "-":
            return None
        sources.extend(expand(given, format_in))
    return sources


def _covered(checked: CheckedContract, plan: Plan) -> Classified | str:
    """The contract's stage 1 in SQL if the DuckDB engine would be fast on it, else why
    not: a construct it refuses, or one its SQL leaves to the stream engine line by line
    (then DuckDB reads every line and the stream engine still does its work on those)."""
    from slacheck.engine.sql.support import coverage

    covered = coverage(checked, plan)
    if covered.refused is not None:
        return f"the DuckDB engine does not cover {covered.refused}"
    if covered.left:
        where, what = covered.left[0]
        return f"the DuckDB engine's SQL leaves {what} ({where}) to the stream engine"
    assert covered.classified is not None
    return covered.classified


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # opening it says what is wrong, in whichever engine


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"
