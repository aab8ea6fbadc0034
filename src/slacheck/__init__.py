"""slacheck: logistics service-level agreements as code that can be checked.

>>> from datetime import datetime
>>> import slacheck
>>> result = slacheck.verify("contracts/motorola-sinotrans.yaml",
...                          ["examples/motorola-sinotrans/shipments.jsonl"],
...                          as_of=datetime.fromisoformat("2025-04-01T00:00:00+08:00"))
>>> result.compliant, str(result.penalties)
(False, '159050.50')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from slacheck._version import __version__
from slacheck.diagnostics import (
    ContractError,
    DataError,
    Diagnostic,
    SlacheckError,
)

if TYPE_CHECKING:
    from slacheck.api import load_checked, verify
    from slacheck.checker import CheckedContract, check
    from slacheck.findings import Result, StandardResult, WindowOutcome
    from slacheck.loader import load_contract
    from slacheck.model import Contract

# The rest of the API is imported when first used: `slacheck lint`, in a commit hook,
# needs neither the engine nor the findings.
_LAZY = {
    "CheckedContract": "slacheck.checker",
    "Contract": "slacheck.model",
    "Result": "slacheck.findings",
    "StandardResult": "slacheck.findings",
    "WindowOutcome": "slacheck.findings",
    "check": "slacheck.checker",
    "load_checked": "slacheck.api",
    "load_contract": "slacheck.loader",
    "verify": "slacheck.api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'slacheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
