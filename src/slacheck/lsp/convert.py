"""Lint's diagnostics as an editor shows them: a 0-based range in the document, a severity,
the code, and the message with its hints."""

from __future__ import annotations

from dataclasses import dataclass

from slacheck.diagnostics import (
    UNUSED_DERIVED,
    UNUSED_FIELD,
    UNUSED_PARAMETER,
    Diagnostic,
    Severity,
)
from slacheck.lint import is_contract_text, lint_text
from slacheck.lsp.document import lines_of

Position = tuple[int, int]
"""0-based line and column, the column in code points."""

_UNUSED = frozenset({UNUSED_PARAMETER.code, UNUSED_FIELD.code, UNUSED_DERIVED.code})


@dataclass(frozen=True, slots=True)
class Problem:
    """One diagnostic of a document, as the protocol carries it."""

    start: Position
    end: Position
    error: bool
    code: str
    name: str
    message: str
    unused: bool = False
    """Something declared and never used (an editor may fade it)."""


def problems(text: str, name: str) -> list[Problem]:
    """The lint diagnostics of a document, or none when it is not a contract (no top-level
    `slacheck:` key), as `slacheck lint` leaves other YAML alone."""
    if not is_contract_text(text):
        return []
    lines = lines_of(text)
    found = [problem(item, lines) for item in lint_text(text, name).diagnostics]
    return list(dict.fromkeys(found))  # one mark for a problem reported twice


def problem(diagnostic: Diagnostic, lines: list[str]) -> Problem:
    """One diagnostic: the message, then each hint as a `help:` line, as lint prints them."""
    code = diagnostic.code
    message = f"{diagnostic.message} ({code.slug})" + "".join(
        f"\nhelp: {hint}" for hint in diagnostic.hints)
    span = diagnostic.span
    if span is None:  # about the whole file: shown on its first line
        start, end = (0, 0), (0, len(lines[0]) if lines else 0)
    else:
        start = _clamp(span.source.position(span.start), lines)
        end = max(start, _clamp(span.source.position(max(span.start, span.end)), lines))
    return Problem(start, end, diagnostic.severity is Severity.ERROR, code.code, code.slug,
                   message, code.code in _UNUSED)


def _clamp(position: tuple[int, int], lines: list[str]) -> Position:
    """A 1-based (line, column) as a 0-based position inside the document."""
    line = min(max(position[0] - 1, 0), max(len(lines) - 1, 0))
    width = len(lines[line]) if lines else 0
    return line, min(max(position[1] - 1, 0), width)
