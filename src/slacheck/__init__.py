"""slacheck: logistics service-level agreements as code that can be checked.

>>> from datetime import datetime
>>> import slacheck
>>> result = slacheck.verify("contracts/motorola-sinotrans.yaml",
...                          ["examples/motorola-sinotrans/shipments.jsonl"],
...                          as_of=datetime.fromisoformat("2025-04-01T00:00:00+08:00"))
>>> result.compliant, str(result.penalties)
(False, '159050.50')
"""

from slacheck._version import __version__
from slacheck.api import load_checked, verify
from slacheck.checker import CheckedContract, check
from slacheck.diagnostics import (
    ContractError,
    DataError,
    Diagnostic,
    SlacheckError,
)
from slacheck.findings import Result, StandardResult, WindowOutcome
from slacheck.loader import load_contract
from slacheck.model import Contract

__all__ = [
    "CheckedContract",
    "Contract",
    "ContractError",
    "DataError",
    "Diagnostic",
    "Result",
    "SlacheckError",
    "StandardResult",
    "WindowOutcome",
    "__version__",
    "check",
    "load_checked",
    "load_contract",
    "verify",
]
