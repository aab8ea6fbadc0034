"""What the DuckDB engine covers, and how much of it SQL decides itself.

The engine runs every clause of the language: a clause SQL cannot express exactly (a
quotient, which Python rounds to 28 digits; calendar months; business days; a dated table;
a list's values) makes SQL unsure of the lines it would decide, and those lines go to the
stream engine's own code, which is exact by construction. A contract is refused before a
line is read only where that hand-over cannot be exact: where SQL could not even tell which
lines the stream reader would read otherwise than it does (`check_supported`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from slacheck.checker import CheckedContract
from slacheck.plan import Plan
from slacheck.types import NO_READ, Kind

if TYPE_CHECKING:
    from collections.abc import Iterable

    from slacheck.engine.sql.queries import Classified
    from slacheck.readers import Input

FIELD_KINDS = frozenset({Kind.STRING, Kind.ENUM, Kind.BOOL, Kind.TIMESTAMP, Kind.MONEY,
                         Kind.NUMBER, Kind.DATE, Kind.DURATION, Kind.LIST})
READS = frozenset({"jsonl", "csv", "tsv", "parquet", "duckdb"})
"""The input formats the engine reads (files only: not standard input): JSON lines, and the
tables of `engine.tables`."""


class EngineError(Exception):
    """The DuckDB engine cannot run this contract or input: a command error (exit 2)."""


def missing(error: ImportError) -> EngineError:
    """What to install when a package the engine needs is absent."""
    return EngineError(f"the DuckDB engine needs duckdb, sqlglot and pyarrow ({error.name} is "
                       f"missing): pip install 'slacheck[duckdb]'")


class UnsupportedError(EngineError):
    """A construct of the contract the DuckDB engine does not run; `--engine stream` does."""

    def __init__(self, construct: str) -> None:
        super().__init__(construct)
        self.construct = construct

    def __str__(self) -> str:
        return (f"the DuckDB engine does not cover {self.construct}; run it with "
                f"--engine stream (the default), which covers the whole language")


def check_inputs(sources: Iterable[Input]) -> None:
    """Refuse, before a line is read, an input the engine does not read."""
    for source in sources:
        if source.format not in READS or source.path == "-":
            what = "standard input" if source.path == "-" else f"{source.format} input"
            raise UnsupportedError(f"{what} ({source.path})")


def check_supported(checked: CheckedContract, plan: Plan) -> None:
    """Raise `UnsupportedError` for the first construct of the contract the generator lacks."""
    schema = plan.schema
    read = schema.read
    # SQL reads each field from its own key, as written: a mapping would have to be
    # compiled to SQL too (`mapping.compile_mapping`); how the lines of one id combine is
    # the stream reader's alone (every line of an id written twice is left to it)
    if replace(read, fields=()).changes_values or any(
            replace(how, combine=NO_READ.combine) != NO_READ for _, how in read.fields):
        raise UnsupportedError("`records.read` (columns, units, formats or absent values)")
    named: dict[str, str] = {}
    for spec in schema.fields:
        # DuckDB names JSON keys and columns without case: two such fields would be one
        alike = named.setdefault(spec.name.casefold(), spec.name)
        if alike != spec.name:
            raise UnsupportedError(f"fields named alike but for case: `{alike}` and "
                                   f"`{spec.name}`")
        if spec.type.kind not in FIELD_KINDS:
            raise UnsupportedError(f"the {spec.type.kind.value} field `{spec.name}`")
        if spec.default is not None and spec.type.kind not in (
                Kind.BOOL, Kind.STRING, Kind.ENUM):
            raise UnsupportedError(f"a default on the {spec.type.kind.value} field `{spec.name}`")
    id_spec, time_spec = schema.field(schema.id_field), schema.field(schema.time_field)
    if id_spec is None or id_spec.type.kind is not Kind.STRING:
        raise UnsupportedError("an id field that is not a string")
    if time_spec is None or time_spec.type.kind is not Kind.TIMESTAMP or not time_spec.required:
        raise UnsupportedError("a time field that is not a required timestamp")
    for sp in plan.standards:
        if sp.window.field is not None:
            placed = schema.field(sp.window.field)
            if placed is None or placed.type.kind not in (Kind.TIMESTAMP, Kind.DATE):
                raise UnsupportedError(f"the window of standard `{sp.id}` placed by "
                                       f"`{sp.window.field}`")


@dataclass(frozen=True, slots=True)
class Coverage:
    """Whether the DuckDB engine runs a contract (`refused` says why not), and what of it
    SQL leaves to the stream engine: (standard id, or `records.reject`, `records.warn` or
    `records` for the reading of lines, and the constructs SQL could not express)."""

    refused: str | None
    left: tuple[tuple[str, str], ...] = ()
    classified: Classified | None = None
    """The contract's stage 1 in SQL, as `run_duckdb` takes it: compiled once."""

    @property
    def runs(self) -> bool:
        return self.refused is None

    @property
    def sql_decides(self) -> bool:
        """Whether SQL decides every standard on the lines it reads itself, so that the
        engine's speed holds: no clause is left to the stream engine for any line."""
        return self.runs and not self.left


def coverage(checked: CheckedContract, plan: Plan) -> Coverage:
    """What `run_duckdb` would make of the contract, without reading a line."""
    from slacheck.engine.sql.queries import classify, may_apply, read_left

    try:
        check_supported(checked, plan)
        classified = classify(checked, plan)
    except UnsupportedError as error:
        return Coverage(error.construct)
    left = [(sp.id, "; ".join(found)) for sp, found in zip(plan.standards, classified.left,
                                                            strict=True) if found]
    for kind, found in may_apply(checked, plan)[1]:
        left.append((kind, "; ".join(found)))
    if found := read_left(plan):
        left.append(("records", "; ".join(found)))
    return Coverage(None, tuple(left), classified)
