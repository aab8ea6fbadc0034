"""The one facade: load, check, plan and run a contract from Python."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain
from os import PathLike, fspath
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slacheck.checker import CheckedContract, check
from slacheck.diagnostics import ContractError
from slacheck.engine import conclude, run_stream
from slacheck.engine.choice import Choice, choose
from slacheck.engine.stream import Progress, Quarantine
from slacheck.findings import Result
from slacheck.loader import IncompleteContractError, load_contract
from slacheck.model import Contract
from slacheck.plan import EVIDENCE_LIMIT, Plan, build_plan
from slacheck.rates import given as rates_given
from slacheck.rates import resolve
from slacheck.records import MAX_LINE_BYTES, Records


def load_checked(path: str | Path) -> CheckedContract:
    """Load a contract file and check it; raises `ContractError` with every problem.

    When loading finds problems that leave the rest of the contract sound, the rest is
    checked too, so one run reports both.
    """
    try:
        contract = load_contract(path)
    except IncompleteContractError as error:
        try:
            check(error.contract)
        except ContractError as more:
            raise ContractError([*error.diagnostics, *more.diagnostics]) from None
        raise ContractError(error.diagnostics) from None
    return check(contract)


Rates = Mapping[str, Decimal | str] | Sequence[tuple[str, Decimal, str]] | None
"""Rates by currency (`{"SDR": "1.35"}`), or (currency, rate, where it was given) as the
command line reads them."""

Data = str | PathLike[str] | Iterable[str | PathLike[str]] | Iterable[Mapping[str, Any]]
"""A path, a list of paths (read in order as one stream), or records (dicts) from Python."""


def verify(
    contract: str | Path | Contract | CheckedContract,
    data: Data,
    *,
    as_of: datetime | date,
    evidence_limit: int = EVIDENCE_LIMIT,
    quarantine: Quarantine | None = None,
    progress: Progress | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    format_in: str | None = None,
    jobs: int | None = 1,
    rates: Rates = None,
    engine: str = "stream",
    chosen: Callable[[Choice], object] | None = None,
) -> Result:
    """Check records against a contract as of a moment (a date: midnight in its time zone).

    `data` is a path, a list of paths (`-` is standard input, a folder its data files, a
    glob pattern the files it matches), or records: dicts, checked by the same rules as
    JSON lines, the n-th rejected as line n of `<records>`. Each file is read in the format
    of its extension (`.jsonl`, `.json`, `.csv`, `.tsv`, `.parquet`, each perhaps `.gz`),
    or `format_in` (one of `readers.FORMATS`). A line longer than `max_line_bytes` is
    rejected (see `records.MAX_LINE_BYTES`). `jobs` above 1 reads one large JSON lines
    file with that many processes, with the same result; None chooses per file
    (`engine.parallel.auto_jobs`). `rates` gives the rate of each other currency the
    contract declares (`{"SDR": "1.35"}`: exact, as a string or a Decimal).
    `engine="duckdb"` runs stages 1 and 2 in DuckDB (`engine.duckdb`), with the same
    result, or raises `EngineError` for what it lacks; `engine="auto"` picks one
    (`engine.choice`) and tells `chosen` which and why.

    >>> result = verify("contracts/motorola-sinotrans.yaml",
    ...                 "examples/motorola-sinotrans/shipments.jsonl",
    ...                 as_of=datetime.fromisoformat("2025-04-01T00:00:00+08:00"))
    >>> str(result.penalties)
    '159050.50'
    >>> lost = {"shipment_id": "S1", "service": "road", "office": "TSN",
    ...         "booked_at": "2025-03-10T10:00:00+08:00", "value": "120.00", "lost": True,
    ...         "complete": True, "accurate": True, "billed_correctly": True}
    >>> result = verify("contracts/motorola-sinotrans.yaml", [lost, {**lost, "value": "-1"}],
    ...                 as_of=date(2025, 4, 1))
    >>> str(result.penalties), result.lines.accepted
    ('120.00', 1)
    >>> result.lines.rejections[0].line, result.lines.rejections[0].reason
    (2, 'negative: "-1"; money is at least 0')
    >>> result = verify("contracts/scms-on-time.yaml",
    ...                 "examples/scms-on-time/SCMS_Delivery_History_2006-2007.csv",
    ...                 as_of=date(2008, 1, 1))
    >>> str(result.penalties), result.lines.accepted
    ('17613.17', 737)
    """
    if isinstance(contract, str | Path):
        checked = load_checked(contract)
    elif isinstance(contract, Contract):
        checked = check(contract)
    else:
        checked = contract
    inputs = _inputs(data)
    plan = compile_plan(checked, as_of, evidence_limit, rates)
    classified = None
    if engine == "auto":
        choice = choose(checked, plan, inputs, format_in)
        if chosen is not None:
            chosen(choice)
        engine, classified = choice.engine, choice.classified
    if engine == "duckdb":
        from slacheck.engine.sql.support import missing

        try:
            from slacheck.engine.duckdb import run_duckdb  # needs the `duckdb` extra
        except ImportError as error:
            raise missing(error) from None
        return conclude(plan, run_duckdb(checked, plan, inputs, quarantine=quarantine,
                                         progress=progress, max_line_bytes=max_line_bytes,
                                         format_in=format_in, classified=classified))
    if engine != "stream":
        raise ValueError(f"engine must be stream, duckdb or auto, not {engine!r}")
    state = run_stream(plan, inputs, quarantine=quarantine, progress=progress,
                       max_line_bytes=max_line_bytes, format_in=format_in, jobs=jobs)
    return conclude(plan, state)


def _inputs(data: Data) -> list[str | Records]:
    """What `verify` reads: a path, paths, or records, told apart by the first item (a
    string is one path, never a list of one-character paths)."""
    if isinstance(data, str | PathLike):
        return [fspath(data)]
    if not isinstance(data, Iterable) or isinstance(data, Mapping | bytes):
        raise TypeError(f"data must be paths or records (dicts), not {type(data).__name__}")
    items = iter(data)
    first = next(items, None)
    if first is None:
        return []
    if isinstance(first, Mapping):
        return [Records(chain([first], items))]
    paths: list[str | Records] = []
    for item in chain([first], items):
        if not isinstance(item, str | PathLike):
            raise TypeError(f"data must be paths or records (dicts), not a mix with "
                            f"{type(item).__name__}")
        paths.append(fspath(item))
    return paths


def compile_plan(checked: CheckedContract, as_of: datetime | date,
                 evidence_limit: int = EVIDENCE_LIMIT, rates: Rates = None) -> Plan:
    """The plan of a checked contract as of a moment; a date is midnight in its time zone.
    Raises `RatesError` when a rate the contract needs is missing, or one is not its own."""
    if not isinstance(as_of, datetime):
        as_of = datetime.combine(as_of, time(), ZoneInfo(checked.contract.timezone))
    given = rates_given(rates) if isinstance(rates, Mapping) or rates is None else list(rates)
    return build_plan(checked, as_of, evidence_limit, resolve(checked.contract, given))
