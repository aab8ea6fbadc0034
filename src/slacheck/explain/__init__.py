"""`slacheck explain CONTRACT DATA --standard ID`: how one figure of a run was computed.

The run is made as `verify` makes it, for its `Result`; then the data is read again and
each record is taken through the standard's compiled closures (`slacheck.plan`), so that
the explanation says where every record of a window went (outside the contract period,
not in scope, scope undetermined, excluded and why, evaluation error, pending, passed,
breached), the figure's arithmetic, the comparison with the target and the status, and
each consequence with its arithmetic. Every count, figure and status is checked against
the run's `Result`, and any difference is said. With a record id, each clause is
evaluated on that record alone (`slacheck.compiler.Compiler`) with the values it reads.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from slacheck.api import Rates, compile_plan, verify
from slacheck.checker import CheckedContract
from slacheck.diagnostics import did_you_mean
from slacheck.explain.figures import Figures
from slacheck.explain.reading import ExplainError
from slacheck.explain.record import RecordTrace

__all__ = ["ExplainError", "explain"]


def explain(checked: CheckedContract, data: Sequence[str], *, as_of: datetime | date,
            standard: str, window_label: str | None = None, group: str | None = None,
            record: str | None = None, evidence_limit: int = 100,
            rates: Rates = None) -> str:
    """The explanation, as text: one figure of `standard` (a window, a group), the
    standard's windows in short, or one record's clauses."""
    with _replayable(data) as paths:
        plan = compile_plan(checked, as_of, evidence_limit, rates)
        sp = next((item for item in plan.standards if item.id == standard), None)
        if sp is None:
            ids = [item.id for item in plan.standards]
            hint = did_you_mean(standard, ids)
            raise ExplainError(f"no standard `{standard}` in the contract"
                               + (f"; {hint[0]}" if hint else f"; it has {', '.join(ids)}"))
        model = next(item for item in checked.contract.standards if item.id == standard)
        shown = {path: ("-" if original == "-" else path)
                 for path, original in zip(paths, data, strict=True)}
        if record is not None:
            return RecordTrace(checked, plan, sp, model, shown).record(paths, record)
        result = verify(checked, list(paths), as_of=plan.as_of, evidence_limit=evidence_limit,
                        rates=[(item.currency, item.rate, item.given) for item in plan.rates])
        found = next(item for item in result.standards if item.id == standard)
        explainer = Figures(checked, plan, sp, model, shown)
        explainer.pools = tuple(pool for pool in result.pools if standard in pool.standards)
        return explainer.figures(paths, found, window_label, group)


@contextmanager
def _replayable(data: Sequence[str]) -> Iterator[list[str]]:
    """The data paths, with standard input (`-`) kept in a temporary file: it is read twice."""
    if "-" not in data:
        yield list(data)
        return
    with tempfile.NamedTemporaryFile(prefix="slacheck-explain-", suffix=".jsonl") as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy)
        copy.flush()
        yield [copy.name if path == "-" else path for path in data]
