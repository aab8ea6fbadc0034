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

    @property
    def doc(self) -> Doc | None:
        """Why it matters, with a bad and a good example (`slacheck explain`, the docs)."""
        return _DOCS.get(self.code)


@dataclass(frozen=True, slots=True)
class Doc:
    """What `slacheck explain CODE` says beyond the summary: why the problem matters, and
    a contract excerpt that has it (`bad`) beside one that does not (`good`)."""

    why: str
    bad: str
    good: str


_CODES: dict[str, Code] = {}
_DOCS: dict[str, Doc] = {}


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
YAML_UNCLOSED = _register(
    "SLA005", "yaml-unclosed", "A bracket, brace or quote is opened and never closed."
)
YAML_TAB = _register("SLA006", "yaml-tab", "A tab where YAML allows only spaces.")
DUPLICATE_KEY = _register("SLA007", "duplicate-key", "A key is given twice in one mapping.")
YAML_INDENTATION = _register(
    "SLA008", "yaml-indentation",
    "A line is indented so that it fits under no key, or a key is missing its colon.",
)
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
UNUSED_PARAMETER = _register(
    "SLA303", "unused-parameter", "A parameter is declared and never used.", Severity.WARNING
)
UNUSED_FIELD = _register(
    "SLA304", "unused-field",
    "A record field is declared and used by no clause, nor as the id, time or a group.",
    Severity.WARNING,
)
UNUSED_DERIVED = _register(
    "SLA305", "unused-derived", "A derived field is declared and never used.", Severity.WARNING
)
NO_CONSEQUENCE = _register(
    "SLA306", "no-consequence",
    "A standard has no target, penalty, credit or disqualification: its breaches are "
    "counted and nothing follows from them.",
    Severity.WARNING,
)
PERCENT_SCALE = _register(
    "SLA307", "percent-scale",
    "A share is written on the wrong scale: a target below 1% (`0.97%` for 97%), or a "
    "ratio compared with a number above 1 (`fill_rate >= 97`, which is 9700%).",
    Severity.WARNING,
)
CAP_BELOW_PENALTY = _register(
    "SLA308", "cap-below-penalty",
    "A penalty's cap is smaller than the penalty for a single breach.", Severity.WARNING
)
WARNING_NEVER = _register(
    "SLA309", "warning-never",
    "A warning line that no met window can cross: `warn below` at or under the target.",
    Severity.WARNING,
)
TIER_NEVER_MATCHES = _register(
    "SLA310", "tier-never-matches",
    "A target for a group that the standard's `for` leaves out of scope.", Severity.WARNING
)
WINDOW_LONGER_THAN_CONTRACT = _register(
    "SLA311", "window-longer-than-contract",
    "No whole window of the standard fits in the contract's effective period.",
    Severity.WARNING,
)
BAND_GAP = _register(
    "SLA312", "band-gap",
    "A credit table leaves figures below the target in no band: a window missed with such a "
    "figure owes no credit.",
    Severity.WARNING,
)


def _document(code: Code, why: str, bad: str, good: str) -> None:
    _DOCS[code.code] = Doc(why, bad.strip("\n"), good.strip("\n"))


_document(
    YAML_SYNTAX,
    "Nothing in the contract can be checked until the file reads as YAML: one broken line "
    "hides every other problem. The message names what YAML found and the hint the usual "
    "cause (a colon inside a value, a stray character).",
    "title: Pickup: within 2 hours",
    'title: "Pickup: within 2 hours"',
)
_document(
    CONTRACT_SHAPE,
    "The contract schema (`slacheck schema`) says which keys exist and what each holds; a key "
    "that is misspelt or misplaced would otherwise be ignored, and a standard would pass "
    "that says less than its author wrote.",
    "standards:\n  pickup-2h:\n    requires: picked_up_at within 2h of booked_at",
    "standards:\n  pickup-2h:\n    require: picked_up_at within 2h of booked_at",
)
_document(
    CONTRACT_UNSAFE,
    "A contract is data, never code. YAML anchors and aliases can multiply a small file into "
    "a huge tree, tags can ask a loader to build objects, and a file larger than 1 MiB or "
    "nested deeper than 32 levels is no contract a person wrote.",
    "fee: &fee 100 CNY\ncap: *fee",
    "fee: 100 CNY\ncap: 100 CNY",
)
_document(
    CONTRACT_UNREADABLE,
    "slacheck reads contracts as UTF-8 text; a file that cannot be opened, or that is in "
    "another encoding or binary, has no contract in it.",
    "a contract saved as Latin-1, or a spreadsheet renamed to .yaml",
    "the same contract saved as UTF-8 text",
)
_document(
    YAML_UNCLOSED,
    "YAML reads on past an unclosed `{`, `[` or quote until the end of the file, so its own "
    "error lands lines later; slacheck points at the character that opened it.",
    "effective: {from: \"2025-01-01\", to: \"2025-12-31\"\nparameters:",
    "effective: {from: \"2025-01-01\", to: \"2025-12-31\"}\nparameters:",
)
_document(
    YAML_TAB,
    "YAML indents with spaces only; a tab looks like spaces in an editor but is no "
    "indentation to YAML, so the line does not read where it seems to stand.",
    "standards:\n\tpickup-2h:",
    "standards:\n  pickup-2h:",
)
_document(
    DUPLICATE_KEY,
    "When a key is given twice, YAML loaders keep one of the two values in silence; "
    "which one a reader of the contract sees depends on the tool. slacheck refuses both.",
    "pickup-2h:\n  target: 97% per month\n  target: 95% per month",
    "pickup-2h:\n  target: 97% per month",
)
_document(
    YAML_INDENTATION,
    "Indentation is what nests a key under another in YAML; a line indented to no level "
    "above it, or a key without its colon, leaves the file without a meaning.",
    "standards:\n  pickup-2h:\n    require: picked_up_at within 2h of booked_at\n"
    "   target: 97% per month",
    "standards:\n  pickup-2h:\n    require: picked_up_at within 2h of booked_at\n"
    "    target: 97% per month",
)
_document(
    CLAUSE_SYNTAX,
    "A clause is read by the clause grammar (see the README's contract language); one "
    "that does not parse cannot be evaluated. The caret marks the first word the grammar "
    "could not take, the hint what it expected.",
    "require: delivered_at within 24 hours of picked_up_at",
    "require: delivered_at within 24h of picked_up_at",
)
_document(
    CLAUSE_TOO_DEEP,
    "Each clause is compiled to code that runs once per record; a clause nested more than "
    "100 deep (or a chain of more than 100 terms) is refused so that neither the checker "
    "nor the compiler can run out of stack.",
    "require: ok1 and ok2 and ok3 and ... and ok150",
    "derived:\n  first_half: ok1 and ... and ok75\nstandards:\n  s:\n"
    "    require: first_half and ok76 and ... and ok150",
)
_document(
    UNKNOWN_NAME,
    "A name that is neither a declared record field, a derived field nor a parameter "
    "cannot be read from a record; it is most often a typo, which the hint corrects.",
    "require: deliverd_at within 24h of picked_up_at",
    "require: delivered_at within 24h of picked_up_at",
)
_document(
    TYPE_MISMATCH,
    "Every clause is typed before a record is read: money, durations, timestamps, numbers "
    "and ratios do not mix, so a comparison that could only ever be false (or true) is an "
    "error, not a silent breach of every record.",
    "require: delivered_at - picked_up_at <= 24",
    "require: delivered_at - picked_up_at <= 24h",
)
_document(
    BAD_VALUE,
    "A literal or a declaration that no record could meet, or that arithmetic cannot hold "
    "exactly, would give figures nobody agreed to.",
    "target: 150% per month",
    "target: 97% per month",
)
_document(
    BAD_WINDOW,
    "The window decides which records are counted together; a target without a period, "
    "or a consequence counted in another period than its target, has no figure to judge.",
    "target: 97% per month\ncredit: 5% of monthly_fee per missed week",
    "target: 97% per month\ncredit: 5% of monthly_fee per missed month",
)
_document(
    CURRENCY_MISMATCH,
    "A contract has one currency; an amount in another would be added to it as if the two "
    "were worth the same.",
    "contract: {id: acme, currency: CNY, timezone: Asia/Shanghai}\nparameters:\n"
    "  fee: 100 USD",
    "contract: {id: acme, currency: CNY, timezone: Asia/Shanghai}\nparameters:\n"
    "  fee: 700 CNY",
)
_document(
    NAME_CLASH,
    "A clause names a value by its name alone, so a parameter, a derived field and a record "
    "field sharing a name would leave unclear which one a clause reads.",
    "records:\n  fields:\n    transit: duration\nderived:\n"
    "  transit: delivered_at - picked_up_at",
    "records:\n  fields:\n    transit_reported: duration\nderived:\n"
    "  transit: delivered_at - picked_up_at",
)
_document(
    CYCLE,
    "A derived field is computed from other fields; one that depends on itself, directly or "
    "through others, has no value.",
    "derived:\n  a: b + 1h\n  b: a - 1h",
    "derived:\n  a: delivered_at - picked_up_at\n  b: a - 1h",
)
_document(
    NOT_CONSTANT,
    "Parameters, caps and service credits are agreed amounts, the same for every record; one "
    "that reads a record field has no single value.",
    "penalty: 100 CNY per breach, at most value per month",
    "penalty: 100 CNY per breach, at most 10000 CNY per month",
)
_document(
    DIVISION_BY_ZERO,
    "Constant expressions are computed when the contract is checked, so that a run never "
    "meets a division it cannot make.",
    "parameters:\n  daily_fee: monthly_fee / 0",
    "parameters:\n  daily_fee: monthly_fee / 30",
)
_document(
    OUT_OF_RANGE,
    "Amounts and durations are computed exactly; a constant beyond 10^15 or 100 years is a "
    "slip (a unit or a zero too many) and could not be held exactly.",
    "require: delivered_at within 24h * 100000000 of picked_up_at",
    "require: delivered_at within 24h of picked_up_at",
)
_document(
    OPTIONAL_IN_CONDITION,
    "A record without an optional field makes the condition neither true nor false; such "
    "records are counted as scope undetermined and counted in no window, so a `for` that "
    "reads an optional field can hide records from the figures.",
    "records:\n  fields:\n    express: {type: bool, optional: true}\nstandards:\n  s:\n"
    "    for: express",
    "records:\n  fields:\n    express: {type: bool, default: false}\nstandards:\n  s:\n"
    "    for: express",
)
_document(
    DIVISOR_FROM_RECORD,
    "A record where the divisor is zero cannot be evaluated: it is reported as an evaluation "
    "error and left out of its standard's counts, which changes the rate.",
    "require: shipped / ordered >= 98%",
    "require: ordered > 0 and shipped / ordered >= 98%",
)
_document(
    UNUSED_PARAMETER,
    "A parameter nothing uses is most often one a clause was meant to use (a fee a credit "
    "should be a share of) and names a literal instead, so the two can drift apart.",
    "parameters:\n  monthly_fee: 200000 CNY\nstandards:\n  s:\n"
    "    credit: 10000 CNY per missed month",
    "parameters:\n  monthly_fee: 200000 CNY\nstandards:\n  s:\n"
    "    credit: 5% of monthly_fee per missed month",
)
_document(
    UNUSED_FIELD,
    "A declared field still constrains the data (a record where it is missing or of the "
    "wrong type is rejected), but a field no clause reads is often one a standard forgot; "
    "leave it out if the data need not have it.",
    "records:\n  fields:\n    damaged: {type: bool, default: false}\nstandards:\n  s:\n"
    "    require: not lost",
    "records:\n  fields:\n    damaged: {type: bool, default: false}\nstandards:\n  s:\n"
    "    require: not lost and not damaged",
)
_document(
    UNUSED_DERIVED,
    "A derived field nothing uses is computed for nothing, and often stands for a clause "
    "that repeats its arithmetic instead of naming it.",
    "derived:\n  transit: delivered_at - picked_up_at\nstandards:\n  s:\n"
    "    require: delivered_at - picked_up_at <= 24h",
    "derived:\n  transit: delivered_at - picked_up_at\nstandards:\n  s:\n"
    "    require: transit <= 24h",
)
_document(
    NO_CONSEQUENCE,
    "Breaches of a standard without a target or a consequence are reported and change no "
    "verdict: fine for a standard kept to watch, a slip when its target was forgotten.",
    "on-time:\n  require: delivered_at within 24h of picked_up_at\n  window: per month",
    "on-time:\n  require: delivered_at within 24h of picked_up_at\n  target: 97% per month",
)
_document(
    PERCENT_SCALE,
    "Percentages and ratios are fractions in slacheck: `97%` is 0.97. A target of `0.97%` "
    "is met by nearly anything, and a ratio compared with 97 asks for 9700%.",
    "target: 0.97% per month",
    "target: 97% per month",
)
_document(
    CAP_BELOW_PENALTY,
    "With a cap below one breach's penalty, the first breach of each period already "
    "reaches the cap and every further breach costs nothing: most likely the cap or the "
    "amount has a zero too few.",
    "penalty: 1000 CNY per breach, at most 500 CNY per month",
    "penalty: 1000 CNY per breach, at most 10000 CNY per month",
)
_document(
    WARNING_NEVER,
    "A window is warned when it meets its target but lies between the target and the "
    "warning line; a line at or below the target (above it, for an upper bound) can never "
    "be crossed by a met window, so the warning never shows.",
    "target: 97% per month, warn below 95%",
    "target: 97% per month, warn below 99%",
)
_document(
    TIER_NEVER_MATCHES,
    "A record whose group the `for` clause leaves out is never counted, so a target for "
    "that group is never evaluated: it promises nothing.",
    "for: customer_tier in [key, general]\ntarget: 99% for key, 95% for harmful per month "
    "by customer_tier",
    "for: customer_tier in [key, general]\ntarget: 99% for key, 95% for general per month "
    "by customer_tier",
)
_document(
    WINDOW_LONGER_THAN_CONTRACT,
    "A window that does not lie whole in the contract's effective period closes at the "
    "contract's end with only part of its records: a quarterly target on a one-month "
    "contract judges one month as if it were a quarter.",
    "effective: {from: \"2025-01-01\", to: \"2025-01-31\"}\n...\ntarget: 97% per quarter",
    "effective: {from: \"2025-01-01\", to: \"2025-01-31\"}\n...\ntarget: 97% per month",
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


class RatesError(SlacheckError):
    """A rate of another currency missing, not declared by the contract, or not a positive
    decimal: the run cannot be priced, a usage error (exit 2)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def order(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """File order: by file, line, column, then code."""
    name, line, column = diagnostic.location
    return (name, line, column, diagnostic.code.code)


def did_you_mean(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """A hint naming the closest candidate, if one is close enough."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return (f"did you mean `{close[0]}`?",) if close else ()
_document(
    BAND_GAP,
    "Credit tables are written as ranges, and a range mistyped (`98%` to `99%`, then `99.5%` "
    "to the target) leaves a gap: a window missed in it owes nothing, which the contract "
    "rarely means. The band just below the target should end at the target.",
    "target: 99.5% per month\ncredit:\n  - {at_least: 99.5%, below: 99.9%, credit: 2% of fee}"
    "\n  - {at_least: 98%, below: 99%, credit: 5% of fee}\n  - {below: 98%, credit: 10% of fee}",
    "target: 99.5% per month\ncredit:\n  - {at_least: 99%, below: 99.5%, credit: 2% of fee}"
    "\n  - {at_least: 98%, below: 99%, credit: 5% of fee}\n  - {below: 98%, credit: 10% of fee}",
)
