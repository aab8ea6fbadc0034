"""The result of a run: the only thing reporters see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from slacheck._money import RateUsed
from slacheck._money import total as money_total


class Verdict(Enum):
    """What a run concludes; each has its own exit code in the CLI."""

    COMPLIANT = "compliant"
    NON_COMPLIANT = "non-compliant"
    INCONCLUSIVE = "inconclusive"
    """No record could be evaluated: there is no evidence either way."""


@dataclass(frozen=True, slots=True, order=True)
class RecordRef:
    """A record named as evidence: its id, and the file and line it came from."""

    id: str
    line: int
    source: str = ""


@dataclass(frozen=True, slots=True)
class RejectedLine:
    source: str
    line: int
    field: str | None
    reason: str

    @property
    def message(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


@dataclass(frozen=True, slots=True)
class EvaluationError:
    """A record one of a standard's clauses could not be evaluated on (a division by zero):
    left out of that standard's counts, reported like a rejected line."""

    record: RecordRef
    standard: str
    clause: str
    reason: str


@dataclass(frozen=True, slots=True)
class Implausible:
    """Passed records whose event is recorded before its own start (`X before Y`): a
    plausibility warning, not a rejection; they stay counted as the clause says."""

    check: str
    total: int
    records: tuple[RecordRef, ...]


@dataclass(frozen=True, slots=True)
class Undeclared:
    """A field the records hold that the contract does not declare: ignored, but named,
    since `Lost` for `lost` or a misspelt `force_majeure` silently changes the money."""

    field: str
    records: int
    source: str
    line: int
    """Where it first appears."""
    resembles: str | None = None
    """The declared field it looks like (case, a slip of the keyboard), if any."""


@dataclass(frozen=True, slots=True)
class RejectionCause:
    """One cause of rejection of one field (`None`: the line as a whole), over every line it
    rejected: thousands of rejected lines read as a few causes. A line with problems in
    several fields counts under each."""

    field: str | None
    cause: str
    lines: int
    first: tuple[tuple[str, int], ...]
    """(file, line) of the first lines it rejected, in input order (a few)."""


@dataclass(frozen=True, slots=True)
class RecordWarning:
    """Accepted records a `records.warn` rule of the contract applies to: implausible data
    (delivered before it shipped, a year typed wrong), counted and named but not rejected."""

    message: str
    records: int
    first: tuple[tuple[str, int], ...]
    """(file, line) of the first of them, in input order (a few)."""


@dataclass(frozen=True, slots=True)
class Lines:
    """Every line accounted for: read = accepted + rejected + merged; `accepted` counts
    records, `merged` the lines that went into the record of an earlier line of the same
    id; `outside` are accepted records whose time falls outside the contract's period."""

    read: int
    accepted: int
    rejected: int
    rejections: tuple[RejectedLine, ...]
    outside: int = 0
    undeclared: tuple[Undeclared, ...] = ()
    merged: int = 0
    causes: tuple[RejectionCause, ...] = ()
    """The rejections summed up per field and cause, the commonest first."""
    warnings: tuple[RecordWarning, ...] = ()
    """The `records.warn` rules that applied, in the contract's order."""

    @property
    def adds_up(self) -> bool:
        """Whether read = accepted + rejected + merged: every line accounted for once."""
        return self.read == self.accepted + self.rejected + self.merged


@dataclass(frozen=True, slots=True)
class WindowOutcome:
    """One (window, group) of a standard: the counts, the rate and the verdict."""

    label: str
    start: datetime
    end: datetime
    closed: bool
    group: tuple[tuple[str, str], ...]
    passed: int
    breached: int
    pending: int
    excluded: int
    target: Fraction | None
    breaches: tuple[RecordRef, ...] = ()
    exclusions: tuple[tuple[str, int], ...] = ()
    measure: str = "rate"
    """What `value` is: `rate` (passed / (passed + breached)) or the measure as written."""
    unit: str = "share"
    """`share`, `number`, `money` or `seconds`: how `value` and `target` read."""
    value: Fraction | None = None
    """The window's figure, exact; None when there is nothing to measure."""
    sample: int = 0
    """The records the figure rests on."""
    status: str = "no target"
    """`met`, `warned` (met, inside the warning band), `missed`, `not evaluated` (nothing
    to measure, or below the minimum sample), `no commitment`, or `no target`."""
    op: str = ">="
    warn: Fraction | None = None
    """The warning line (`warn below 99%`): a met figure past it is `warned`."""
    minimum: int | None = None
    """The target's minimum sample: fewer records measured leave it not evaluated."""

    @property
    def rate(self) -> Fraction | None:
        counted = self.passed + self.breached
        return Fraction(self.passed, counted) if counted else None

    @property
    def met(self) -> bool | None:
        """True or False against the target; None when the window was not judged."""
        if self.status in ("met", "warned"):
            return True
        return False if self.status == "missed" else None


@dataclass(frozen=True, slots=True)
class PenaltyWindow:
    label: str
    gross: Decimal
    net: Decimal
    cap: Decimal | None
    breaches: int
    arithmetic: str = ""
    """How an amount due per missed window was computed from the window's totals."""
    records: tuple[RecordRef, ...] = ()
    """The breaches an amount due at every Nth breach used up (its evidence)."""
    exact: Decimal | None = None
    """The breaches' amounts added up before rounding, when the contract rounds each
    window's sum (`round_at: window`) and that changed it."""


@dataclass(frozen=True, slots=True)
class RecordPenalty:
    record: RecordRef
    amount: Decimal


@dataclass(frozen=True, slots=True)
class StrikeFee:
    """An amount due at every Nth breach within a period: when it fell due (the Nth
    breach's time), in which window, and the breaches it used up."""

    rule: str
    at: datetime
    window: str
    amount: Decimal
    records: tuple[RecordRef, ...]


@dataclass(frozen=True, slots=True)
class Credit:
    label: str
    amount: Decimal
    arithmetic: str = ""
    """How the amount was computed, when it is more than a constant: the window's totals,
    the full points below target, the cap."""
    window: str = ""
    """The window's own label (`2024-06`), without the group `label` may add."""


@dataclass(frozen=True, slots=True)
class PoolCap:
    """A pool's credits in one window, and what its limit took off them."""

    pool: str
    window: str
    standards: tuple[str, ...]
    gross: Decimal
    limit: Decimal

    @property
    def net(self) -> Decimal:
        return min(self.gross, self.limit)

    @property
    def adjustment(self) -> Decimal:
        return self.net - self.gross


@dataclass(frozen=True, slots=True)
class Reward:
    """A bonus the customer owes the provider for a met window."""

    label: str
    amount: Decimal
    arithmetic: str = ""


@dataclass(frozen=True, slots=True)
class Payment:
    """What the customer owes for one window's records (and group), breached or not."""

    label: str
    amount: Decimal
    closed: bool
    """Whether the window is closed; an open window's amount is so far."""
    arithmetic: str = ""


@dataclass(frozen=True, slots=True)
class Escalation:
    """A step of an escalation ladder reached at a missed window: a notice, a warning or a
    termination right; no money. Dated when the window that reached it closed."""

    rule: str
    step: str
    window: str
    at: datetime
    windows: tuple[str, ...]
    """The missed windows that count towards it, oldest first."""
    records: tuple[RecordRef, ...]

    @property
    def terminates(self) -> bool:
        return self.step == "termination right"


@dataclass(frozen=True, slots=True)
class Disqualification:
    """When the provider lost the business, under which rule, and the records behind it."""

    standard: str
    rule: str
    at: datetime
    records: tuple[RecordRef, ...]
    windows: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StandardResult:
    id: str
    title: str
    clauses: tuple[tuple[str, str], ...]
    windows: tuple[WindowOutcome, ...]
    penalty_windows: tuple[PenaltyWindow, ...] = ()
    record_penalties: tuple[RecordPenalty, ...] = ()
    record_penalties_total: int = 0
    unpriced: tuple[RecordRef, ...] = ()
    """Breaches whose penalty amount needs a field the record lacks."""
    unpriced_total: int = 0
    penalties: Decimal = Decimal(0)
    credits: tuple[Credit, ...] = ()
    rewards: tuple[Reward, ...] = ()
    payments: tuple[Payment, ...] = ()
    """What the customer owes per window for the records (`payment:`)."""
    unpriced_windows: tuple[str, ...] = ()
    """Windows owed an amount that cannot be computed (a total of no value, a division by
    zero): owed, of unknown amount."""
    missed_windows: tuple[str, ...] = ()
    longest_missed_run: int = 0
    overdue_open: tuple[RecordRef, ...] = ()
    overdue_open_total: int = 0
    strikes: tuple[StrikeFee, ...] = ()
    """Amounts due at every Nth breach within a period; each is also a line of
    `penalty_windows`, so the ledger and its total hold it."""
    deferred: tuple[RecordPenalty, ...] = ()
    """Overdue breaches of open records whose penalty is `deferred while open`: listed
    with their amount as of now, owed once the record closes, not in the totals."""
    deferred_total: int = 0
    deferred_amount: Decimal = Decimal(0)
    rates: tuple[RateUsed, ...] = ()
    """The rates this standard's amounts were converted at (`rates:`)."""
    disqualifications: tuple[Disqualification, ...] = ()
    """Every rule that disqualifies, earliest first."""
    escalations: tuple[Escalation, ...] = ()
    """Every step of the escalation ladder reached, in time order."""
    scope_undetermined: tuple[RecordRef, ...] = ()
    """Records whose `for` or `except` needs a field they lack: neither counted nor dropped."""
    scope_undetermined_total: int = 0
    evaluation_errors: tuple[EvaluationError, ...] = ()
    evaluation_errors_total: int = 0
    implausible: tuple[Implausible, ...] = ()
    zero: Decimal = Decimal(0)
    """Zero in the contract's money format (`0.00`), so that every sum shows its decimals."""
    clause_lines: tuple[tuple[str, int], ...] = ()
    """(kind, line in the contract file): `standard` for the standard's key, then each clause
    in the order of `clauses` (`for`, `except`, `require`, `target`, ...), where known."""
    records: tuple[int, int, int, int] | None = None
    """(passed, breached, pending, excluded) over the standard's records, when its windows
    overlap (rolling windows count a record in each window that holds its day); None when
    each record is in one window and the windows' counts add up."""

    def counts(self) -> tuple[int, int, int, int]:
        """(passed, breached, pending, excluded), each record counted once."""
        if self.records is not None:
            return self.records
        windows = self.windows
        return (sum(w.passed for w in windows), sum(w.breached for w in windows),
                sum(w.pending for w in windows), sum(w.excluded for w in windows))

    @property
    def breaches(self) -> int:
        return self.counts()[1]

    def line_of(self, kind: str) -> int | None:
        """The contract line of the first clause of this kind (`target`, `penalty`...), else
        of the standard itself, else None."""
        lines = dict(reversed(self.clause_lines))
        return lines.get(kind, lines.get("standard"))

    @property
    def credit_total(self) -> Decimal:
        return money_total((credit.amount for credit in self.credits), self.zero)

    @property
    def payment_total(self) -> Decimal:
        return money_total((payment.amount for payment in self.payments), self.zero)

    @property
    def reward_total(self) -> Decimal:
        return money_total((reward.amount for reward in self.rewards), self.zero)

    @property
    def disqualification(self) -> Disqualification | None:
        """The earliest disqualification under this standard, if any."""
        return self.disqualifications[0] if self.disqualifications else None

    @property
    def has_target(self) -> bool:
        return any(window.target is not None for window in self.windows)


@dataclass(frozen=True, slots=True)
class Input:
    path: str
    sha256: str | None


@dataclass(frozen=True, slots=True)
class Result:
    """Everything a run found, with what is needed to reproduce it."""

    contract_id: str
    contract_title: str
    contract_path: str
    contract_sha256: str
    provider: str
    customer: str
    currency: str
    timezone: str
    as_of: datetime
    tool_version: str
    inputs: tuple[Input, ...]
    lines: Lines
    standards: tuple[StandardResult, ...]
    disqualification: Disqualification | None = None
    pools: tuple[PoolCap, ...] = ()
    """Every pool's credits per window; a pool over its limit lowers the credits owed."""
    evidence_limit: int = field(default=0)
    zero: Decimal = Decimal(0)
    """Zero in the contract's money format (`0.00`), so that every sum shows its decimals."""
    rates: tuple[RateUsed, ...] = ()
    """The rate of each other currency the contract declares, as given for this run."""
    total_rounding: str | None = None
    """The rounding mode of the totals when the contract rounds only them (`round_at:
    total`); None when every amount is rounded already."""
    rounding: str = "half_up"
    """How money is rounded to the contract's decimals, as the contract says it."""
    round_at: str = "record"
    """Where: each breach's amount (`record`), each window's sum (`window`) or the totals."""

    @property
    def penalties(self) -> Decimal:
        return self._total(standard.penalties for standard in self.standards)

    def _total(self, amounts: Iterable[Decimal]) -> Decimal:
        """An exact sum, rounded here when the contract rounds only its totals."""
        found = money_total(amounts, self.zero)
        if self.total_rounding is None:
            return found
        return found.quantize(self.zero, rounding=self.total_rounding)

    @property
    def deferred(self) -> Decimal:
        """Penalties of open records, owed once they close: not in `penalties`."""
        return self._total(standard.deferred_amount for standard in self.standards)

    @property
    def credits(self) -> Decimal:
        """Every standard's credits, less what pools over their limit take off."""
        return self._total((*(standard.credit_total for standard in self.standards),
                            *(pool.adjustment for pool in self.pools)))

    @property
    def payments(self) -> Decimal:
        """What the customer owes for the records themselves (`payment:`), windows open
        or closed: never a cause of non-compliance."""
        return self._total(standard.payment_total for standard in self.standards)

    @property
    def rewards(self) -> Decimal:
        """Bonuses the customer owes: they never make a run non-compliant."""
        return self._total(standard.reward_total for standard in self.standards)

    @property
    def breaches(self) -> int:
        return sum(standard.breaches for standard in self.standards)

    @property
    def evaluation_errors(self) -> tuple[EvaluationError, ...]:
        return tuple(item for standard in self.standards for item in standard.evaluation_errors)

    @property
    def evaluation_errors_total(self) -> int:
        return sum(standard.evaluation_errors_total for standard in self.standards)

    @property
    def evaluated(self) -> int:
        """Records passed or breached, over every standard: the evidence behind a verdict."""
        return sum(window.passed + window.breached
                   for standard in self.standards for window in standard.windows)

    @property
    def verdict(self) -> Verdict:
        """Non-compliant when a closed target is missed, anything is owed (an unpriced
        breach included) or the provider is disqualified; else compliant, but only on
        evidence: with no record evaluated the run is inconclusive."""
        missed = any(standard.missed_windows for standard in self.standards)
        owed = (self.penalties > 0 or self.credits > 0
                or any(standard.unpriced_total or standard.unpriced_windows
                       for standard in self.standards))
        if missed or owed or self.disqualification is not None:
            return Verdict.NON_COMPLIANT
        return Verdict.COMPLIANT if self.evaluated else Verdict.INCONCLUSIVE

    @property
    def compliant(self) -> bool:
        return self.verdict is Verdict.COMPLIANT
