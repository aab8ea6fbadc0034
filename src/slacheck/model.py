"""The contract model: what a loaded contract says, before it is checked or compiled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from slacheck import ast
from slacheck._source import Span
from slacheck.types import RecordSchema


@dataclass(frozen=True, slots=True)
class Clause:
    """A parsed clause and the text it was written as, kept for evidence."""

    text: str
    node: ast.Node
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """`except:` a predicate, and the reason a matching record is excluded."""

    when: Clause
    reason: str


@dataclass(frozen=True, slots=True)
class Standard:
    id: str
    title: str
    require: Clause
    window: ast.Window
    scope: Clause | None = None
    exclusions: tuple[Exclusion, ...] = ()
    target: Clause | None = None
    penalty: Clause | None = None
    credit: Clause | None = None
    disqualify: tuple[Clause, ...] = ()
    breach_time: str | None = None
    """The timestamp field that dates a breach; by default the moment it became certain."""
    span: Span | None = field(default=None, compare=False)

    @property
    def target_rate(self) -> ast.Percent | None:
        node = self.target.node if self.target is not None else None
        return node.rate if isinstance(node, ast.Target) else None


@dataclass(frozen=True, slots=True)
class Named:
    """A parameter or a derived field: a name bound to an expression."""

    name: str
    clause: Clause
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    currency: str
    timezone: str
    schema: RecordSchema
    standards: tuple[Standard, ...]
    parameters: tuple[Named, ...] = ()
    derived: tuple[Named, ...] = ()
    title: str = ""
    provider: str = ""
    customer: str = ""
    decimals: int = 2
    rounding: str = "half_up"
    effective_from: date | None = None
    effective_to: date | None = None
    path: str = "<contract>"
    sha256: str = ""
