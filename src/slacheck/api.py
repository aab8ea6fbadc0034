"""The one facade: load, check, plan and run a contract from Python."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from slacheck.checker import CheckedContract, check
from slacheck.diagnostics import ContractError
from slacheck.engine import conclude, run_stream
from slacheck.engine.stream import Progress, Quarantine
from slacheck.findings import Result
from slacheck.loader import IncompleteContractError, load_contract
from slacheck.model import Contract
from slacheck.plan import EVIDENCE_LIMIT, Plan, build_plan
from slacheck.records import MAX_LINE_BYTES


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


def verify(
    contract: str | Path | Contract | CheckedContract,
    data: Sequence[str],
    *,
    as_of: datetime | date,
    evidence_limit: int = EVIDENCE_LIMIT,
    quarantine: Quarantine | None = None,
    progress: Progress | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Result:
    """Check records against a contract as of a moment (a date: midnight in its time zone).

    A line longer than `max_line_bytes` is rejected (see `records.MAX_LINE_BYTES`).

    >>> result = verify("contracts/motorola-sinotrans.yaml",
    ...                 ["examples/motorola-sinotrans/shipments.jsonl"],
    ...                 as_of=datetime.fromisoformat("2025-04-01T00:00:00+08:00"))
    >>> str(result.penalties)
    '159050.50'
    """
    if isinstance(contract, str | Path):
        checked = load_checked(contract)
    elif isinstance(contract, Contract):
        checked = check(contract)
    else:
        checked = contract
    plan = compile_plan(checked, as_of, evidence_limit)
    state = run_stream(plan, data, quarantine=quarantine, progress=progress,
                       max_line_bytes=max_line_bytes)
    return conclude(plan, state)


def compile_plan(checked: CheckedContract, as_of: datetime | date,
                 evidence_limit: int = EVIDENCE_LIMIT) -> Plan:
    """The plan of a checked contract as of a moment; a date is midnight in its time zone."""
    if not isinstance(as_of, datetime):
        as_of = datetime.combine(as_of, time(), ZoneInfo(checked.contract.timezone))
    return build_plan(checked, as_of, evidence_limit)
