"""What the SQL generator covers: a contract using anything else is refused before a line is
read, naming the construct, rather than given a figure the stream engine would not give."""

from __future__ import annotations

from dataclasses import replace

from slacheck.checker import CheckedContract
from slacheck.plan import Plan
from slacheck.types import NO_READ, Kind

FIELD_KINDS = frozenset({Kind.STRING, Kind.ENUM, Kind.BOOL, Kind.TIMESTAMP, Kind.MONEY,
                         Kind.NUMBER, Kind.DATE, Kind.DURATION, Kind.LIST})


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
    for spec in schema.fields:
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
