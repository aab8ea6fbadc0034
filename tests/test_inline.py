"""The engine inlines simple clauses as Python source; the inlined and the closure forms agree."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slacheck import ast
from slacheck.api import compile_plan, verify
from slacheck.checker import check
from slacheck.compiler import Compiler
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml

FIELDS = (
    "a: bool",
    "b: bool",
    "c: {type: bool, default: false}",
    "x: decimal",
    "y: decimal",
    "office: {type: enum, values: [TSN, PEK]}",
)
AS_OF = datetime(2025, 6, 1, tzinfo=UTC)


def _clauses() -> st.SearchStrategy[str]:
    atoms = st.sampled_from([
        "a", "b", "c", "true", "false", "x < y", "x >= 3", "x == y", "office == TSN",
        'office != "PEK"', "office in [TSN]", "x not in [1, 2.5]",
    ])
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
                lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
            ),
            inner.map(lambda text: f"not ({text})"),
        ),
        max_leaves=8,
    )


records = st.fixed_dictionaries({
    "a": st.booleans(),
    "b": st.booleans(),
    "c": st.booleans(),
    "x": st.sampled_from([Decimal(0), Decimal(1), Decimal("2.5"), Decimal(3)]),
    "y": st.sampled_from([Decimal(0), Decimal(3), Decimal("2.5")]),
    "office": st.sampled_from(["TSN", "PEK"]),
})


@settings(max_examples=300, deadline=None)
@given(_clauses(), st.lists(records, min_size=1, max_size=8))
def test_inlined_source_agrees_with_the_closure(clause: str, rows: list[dict[str, Any]]) -> None:
    text = contract_yaml(*FIELDS, standards=f"  s:\n    require: {clause}\n    window: per day\n")
    checked = check(load_contract_text(text, "c.yaml"))
    expr = checked.contract.standards[0].require.node
    assert isinstance(expr, ast.Node)
    compiler = Compiler(checked, AS_OF)
    constants: dict[str, Any] = {}
    source = compiler.source(expr, constants)
    assert source is not None, clause
    inlined = eval(f"lambda r: {source}", dict(constants))  # the generated code under test
    closure = compiler.truth(expr)
    for row in rows:
        assert int(inlined(row)) == closure(row), (clause, row)


def test_optional_fields_are_never_inlined() -> None:
    """An absent optional field makes a clause pending, which plain Python cannot say."""
    text = contract_yaml("ok: {type: bool, optional: true}",
                         standards="  s:\n    require: ok\n    window: per day\n")
    checked = check(load_contract_text(text, "c.yaml"))
    node = checked.contract.standards[0].require.node
    assert isinstance(node, ast.Ref)
    assert Compiler(checked, AS_OF).source(node, {}) is None


def _deadline_contract(require: str) -> str:
    return contract_yaml(
        "start: {type: timestamp, optional: true}",
        "end: {type: timestamp, optional: true}",
        standards=f"  s:\n    require: {require}\n    window: per day\n",
    )


moments = st.one_of(
    st.none(),
    st.integers(min_value=-2, max_value=50).map(
        lambda hours: (AS_OF - timedelta(hours=30) + timedelta(hours=hours)).isoformat()
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(moments, moments), min_size=1, max_size=12))
def test_the_engine_inlined_deadline_agrees_with_the_closure(
    tmp_path_factory: Any, pairs: list[tuple[str | None, str | None]]
) -> None:
    folder: Path = tmp_path_factory.mktemp("deadline")
    data = folder / "d.jsonl"
    rows = []
    for index, (start, end) in enumerate(pairs):
        row: dict[str, Any] = {"id": str(index), "at": "2025-05-01T00:00:00Z"}
        if start is not None:
            row["start"] = start
        if end is not None:
            row["end"] = end
        rows.append(json.dumps(row))
    data.write_text("\n".join(rows) + "\n", "utf-8")
    inline = load_contract_text(_deadline_contract("end within 24h of start"), "i.yaml")
    # `and true` keeps the same meaning but is no longer a plain deadline: a closure runs it
    closure = load_contract_text(_deadline_contract("end within 24h of start and true"), "c.yaml")
    assert compile_plan(check(inline), AS_OF).standards[0].inline.deadline is not None
    assert compile_plan(check(closure), AS_OF).standards[0].inline.deadline is None
    first = verify(inline, [str(data)], as_of=AS_OF).standards[0]
    second = verify(closure, [str(data)], as_of=AS_OF).standards[0]
    assert first.windows == second.windows
    assert first.overdue_open == second.overdue_open
