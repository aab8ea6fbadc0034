"""Diagnostics: stable codes, severities, spans and hints; the exception types."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from slacheck._source import Span


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    """A registered diagnostic code: `SLA201` with its slug and a line for `explain`.

    A warning's code says so: what it reports may be meant, so it never stops a run.
    """

    code: str
    slug: str
    summary: str
    severity: Severity = Severity.ERROR


_CODES: dict[str, Code] = {}


def _register(code: str, slug: str, summary: str,
              severity: Severity = Severity.ERROR) -> Code:
    entry = Code(code, slug, summary, severity)
    _CODES[code] = entry
    return entry


YAML_SYNTAX = _register("SLA001", "yaml-syntax", "The contract file is not valid YAML.")
CONTRACT_SHAPE = _register(
    "SLA002", "contract-shape", "The contract does not match the contract schema."
)
CONTRACT_UNSAFE = _register(
    "SLA003",
    "contract-unsafe",
    "The contract is too large, too deeply nested, or uses YAML anchors or tags.",
)
CONTRACT_UNREADABLE = _register("SLA004", "contract-unreadable", "The file could not be read.")
CLAUSE_SYNTAX = _register("SLA101", "clause-syntax", "A clause does not parse.")
CLAUSE_TOO_DEEP = _register(
    "SLA102",
    "clause-too-deep",
    "A clause is nested too deeply, or joins too many terms in one chain, to be evaluated "
    "safely; derived fields can name its parts.",
)
UNKNOWN_NAME = _register(
    "SLA201", "unknown-field", "A clause names a field or parameter that is not declared."
)
TYPE_MISMATCH = _register(
    "SLA202", "type-mismatch", "An operator or clause is applied to values of the wrong type."
)
BAD_VALUE = _register(
    "SLA203",
    "bad-value",
    "A value in the contract is not valid for its type, or out of range: numbers and amounts "
    "below 10^15 with at most 18 decimals, durations up to 100 years, counts up to a "
    "million, dates in the years 1900 to 2999.",
)
BAD_WINDOW = _register(
    "SLA204", "bad-window", "A window, group or period does not fit the standard."
)
CURRENCY_MISMATCH = _register(
    "SLA205", "currency-mismatch", "Money of different currencies is mixed."
)
NAME_CLASH = _register("SLA206", "name-clash", "A name is declared twice.")
CYCLE = _register("SLA207", "derived-cycle", "Derived fields depend on each other in a cycle.")
NOT_CONSTANT = _register(
    "SLA208", "not-constant", "A parameter or cap must not depend on record fields."
)
DIVISION_BY_ZERO = _register(
    "SLA209", "division-by-zero", "A division by a constant that is zero (`100 CNY / 0`)."
)
OUT_OF_RANGE = _register(
    "SLA210",
    "out-of-range",
    "A constant computed from the contract is too large to compute with safely: numbers "
    "and amounts below 10^15, durations up to 100 years.",
)
OPTIONAL_IN_CONDITION = _register(
    "SLA301",
    "optional-in-condition",
    "A `for` or `except` clause reads an optional field without a default: for a record "
    "without it the clause is neither true nor false, so the record is out of scope (`for`) "
    "or not excluded (`except`).",
    Severity.WARNING,
)
DIVISOR_FROM_RECORD = _register(
    "SLA302",
    "divisor-from-record",
    "A division's divisor comes from the record and can be zero; a record where it is zero "
    "cannot be evaluated. Guard it: `ordered > 0 and shipped / ordered >= 98%`.",
    Severity.WARNING,
)


def codes() -> tuple[Code, ...]:
    """Every registered code, in code order."""
    return tuple(sorted(_CODES.values(), key=lambda entry: entry.code))


def lookup(name: str) -> Code | None:
    """The code named by `SLA201` or by its slug `unknown-field`, in any case: the slug is
    what a rendered diagnostic shows under the caret."""
    wanted = name.strip().lower()
    return next((entry for entry in _CODES.values()
                 if wanted in (entry.code.lower(), entry.slug)), None)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a contract, with where it is and how to fix it."""

    code: Code
    message: str
    span: Span | None = None
    hints: tuple[str, ...] = ()
    file: str | None = field(default=None)

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def location(self) -> tuple[str, int, int]:
        if self.span is not None:
            return (self.span.source.name, self.span.line, self.span.column)
        return (self.file or "<contract>", 0, 0)

    def render(self) -> str:
        """Human form: `file:line:col: CODE message`, the excerpt, and the hints."""
        name, line, column = self.location
        where = f"{name}:{line}:{column}" if line else name
        warning = "warning: " if self.severity is Severity.WARNING else ""
        out = [f"{where}: {self.code.code} {warning}{self.message}"]
        if self.span is not None:
            excerpt = self.span.excerpt(self.code.slug)
            if excerpt:
                out.append(excerpt)
        # `=` stands under the gutter's `|`, whose place depends on the line number's width
        gutter = " " * (len(str(line)) if self.span is not None and line else 2)
        out.extend(f"{gutter} = help: {hint}" for hint in self.hints)
        return "\n".join(out)


class SlacheckError(Exception):
    """Base of every error slacheck raises on purpose."""


class ContractError(SlacheckError):
    """The contract is invalid; carries every error found, in file order, and apart from
    them the warnings found on the way (which alone would not have stopped anything)."""

    def __init__(self, diagnostics: Sequence[Diagnostic],
                 warnings: Sequence[Diagnostic] = ()) -> None:
        found = [*diagnostics, *warnings]
        self.diagnostics = tuple(sorted(
            (item for item in found if item.severity is Severity.ERROR), key=order))
        self.warnings = tuple(sorted(
            (item for item in found if item.severity is Severity.WARNING), key=order))
        first = self.diagnostics[0].render() if self.diagnostics else "invalid contract"
        super().__init__(first)


class DataError(SlacheckError):
    """The data could not be read at all (not a bad record: those are rejected)."""


def order(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """File order: by file, line, column, then code."""
    name, line, column = diagnostic.location
    return (name, line, column, diagnostic.code.code)


def did_you_mean(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """A hint naming the closest candidate, if one is close enough."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return (f"did you mean `{close[0]}`?",) if close else ()
