"""The DuckDB engine covers the whole clause language: what SQL cannot express exactly it
leaves, line by line, to the stream engine, and what it computes itself (products,
conditionals, functions, tables, percentiles) it computes as Python does. Each is checked
here against the stream engine's JSON result on generated records, byte for byte."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from slacheck.api import compile_plan, load_checked
from slacheck.engine import conclude, run_stream
from slacheck.engine.duckdb import run_duckdb
from slacheck.engine.sql.queries import re2_reads_as_python
from slacheck.engine.sql.support import coverage
from slacheck.reporters import RENDERERS

HEAD = """\
slacheck: 1
contract: {{id: covered, currency: USD, timezone: Europe/Berlin{rounding}}}
tables:
  lane_rate: {{A: 1.5, B: 2.25, C: 3}}
  lane_tier: {{values: {{A: gold, B: silver}}, default: bronze}}
  lane_limit: {{A: 10.5, B: 20}}
records:
  id: id
  time: at
  fields:
    id: {{type: string, pattern: '{pattern}'}}
    at: timestamp
    done: {{type: timestamp, optional: true}}
    cases: {{type: int, min: 0, max: 1000}}
    received: int
    price: {{type: money, max: 100000 USD}}
    weight: {{type: decimal, optional: true}}
    lane: {{type: enum, values: [A, B, C]}}
    currency: {{type: string, optional: true}}
    temps: {{type: list, of: decimal, optional: true}}
    rush: {{type: bool, optional: true}}
    picked: {{type: timestamp, optional: true}}
    due_on: {{type: date, optional: true}}
    shipped_on: {{type: date, optional: true}}
{read}{rules}"""

STANDARDS = """
derived:
  filled: if rush then min(received, cases) else received
  value: price * received
  rate: lane_rate[lane]
  charge: round(price * rate, 2)
  tier: lane_tier[lane]
standards:
  fill:
    title: products and conditionals in the requirement
    require: filled * 2 >= cases + 1 and charge <= 4000 USD
    target: 60% per month by lane
  weighed:
    title: functions, a table with a default, a quotient (left to the stream engine)
    for: lane_tier[lane] != "bronze"
    except:
      - when: abs(received - cases) > 900
        reason: a miscount
    require: floor(weight) <= ceil(lane_limit[lane]) and received / (cases + 1) <= 1.5
    target: 50% per month
  valued:
    title: sums of products, a percentile, an extreme
    require: done within 48h of at
    target: sum(value) <= 9000000 USD per month
    penalty: 2% of sum(price * received) per missed month
  slowest:
    target: p90(done - at) <= 40h per month, at least 3 records
  cheapest:
    target: min(max(price, 1 USD) * 2) >= 1 USD per month
  by-cases:
    title: grouped by a number (left to the stream engine)
    require: received >= cases
    window: per month by cases
  by-tier:
    title: grouped by a table's value, dates moved by days, two events not yet happened
    require: shipped_on between due_on - 1d and due_on + 48h and done - picked <= 40h
    target: mean(done - picked) <= 30h per month by tier
  cold:
    title: a list field (left to the stream engine)
    for: temps is present
    require: max(temps) <= 8
    window: per month
"""

RULES = """\
  reject:
    - when: received > 2 * cases + 100
      message: more cases received than could be
  warn:
    - when: weight > 900
      message: heavy
    - when: weight > 20 and received / cases > 3
      message: a ratio SQL leaves to the reader
"""


def contract_text(duplicates: str, *, rules: bool, rounding: str,
                  pattern: str = "S[0-9]{1,6}") -> str:
    read = ""
    if duplicates == "combine":
        read = ("  read: {duplicates: combine, fields: {received: {combine: sum}, "
                "done: {combine: latest}, rush: {combine: any}}}\n")
    elif duplicates != "reject":
        read = f"  read: {{duplicates: {duplicates}}}\n"
    return HEAD.format(rounding=f", rounding: {rounding}" if rounding else "",
                       pattern=pattern, read=read, rules=RULES if rules else "") + STANDARDS


def _rare(rng: random.Random, usual: Any, *odd: Any) -> Any:
    """`usual` most of the time, else one of `odd` (a value the reader rejects, or one at
    an edge)."""
    return rng.choice(odd) if odd and rng.random() < 0.06 else usual


def _record(rng: random.Random, number: int) -> dict[str, Any]:
    at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 150 * 24 * 60))
    serial = number if rng.random() > 0.05 else rng.randrange(4)
    cases = _rare(rng, rng.randrange(0, 50), 0, 1, 999, 1000, 1001, -1)
    record: dict[str, Any] = {
        "id": _rare(rng, f"S{serial}", f"X{serial}", f"S{serial}Ä", f"S{1234567 + serial}"),
        "at": at.isoformat().replace("+00:00", "Z"),
        "cases": cases,
        "received": rng.choice((cases, cases, cases - 1, cases + 1, 0, rng.randrange(0, 60),
                                _rare(rng, cases, 2 * cases + 101))),
        "price": _rare(rng, rng.choice((f"{rng.randrange(0, 3000)}.{rng.randrange(100):02d}",
                                        rng.randrange(0, 500), "12.5")),
                       "0.005", "99999.99", "100000.01", "1234.123456789", "0.000000000001"),
        "lane": _rare(rng, rng.choice("AABBC"), "D"),
    }
    if rng.random() < 0.8:
        record["weight"] = rng.choice(("1.5", "10.5", "10.4999", "20", "20.000001", "950",
                                       str(rng.randrange(0, 30)), "-0.5"))
    if rng.random() < 0.8:
        done = at + timedelta(hours=rng.uniform(1, 60))
        record["done"] = done.isoformat().replace("+00:00", "Z")
    if rng.random() < 0.1:
        record["currency"] = _rare(rng, "USD", "EUR", 5)
    if rng.random() < 0.1:
        record["temps"] = [rng.choice((2, 5.5, 8, 9)) for _ in range(rng.randrange(0, 4))]
    if rng.random() < 0.5:
        record["rush"] = rng.random() < 0.5
    if rng.random() < 0.7:
        picked = at + timedelta(hours=rng.uniform(0, 30))
        record["picked"] = picked.isoformat().replace("+00:00", "Z")
    if rng.random() < 0.7:
        due = at.date() + timedelta(days=rng.randrange(0, 4))
        record["due_on"] = due.isoformat()
        if rng.random() < 0.8:
            record["shipped_on"] = (due + timedelta(days=rng.randrange(-2, 4))).isoformat()
    return record


def _both(contract: Path, data: Path, as_of: datetime, limit: int) -> tuple[str, str]:
    checked = load_checked(contract)
    plan = compile_plan(checked, as_of, limit)
    stream = RENDERERS["json"](conclude(plan, run_stream(plan, [str(data)])))
    duck = RENDERERS["json"](conclude(plan, run_duckdb(checked, plan, [str(data)])))
    return stream, duck


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 200),
       duplicates=st.sampled_from(("reject", "first", "last", "combine")),
       rules=st.booleans(), rounding=st.sampled_from(("", "half_even")),
       limit=st.sampled_from((1, 3, 100)))
def test_generated_contract_constructs_identical(
        tmp_path_factory: pytest.TempPathFactory, seed: int, size: int, duplicates: str,
        rules: bool, rounding: str, limit: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("covered")
    contract = folder / "contract.yaml"
    contract.write_text(contract_text(duplicates, rules=rules, rounding=rounding), "utf-8")
    data = folder / "records.jsonl"
    data.write_text("".join(json.dumps(_record(rng, number)) + "\n" for number in range(size)),
                    "utf-8")
    stream, duck = _both(contract, data, datetime(2025, 4, 1, tzinfo=UTC), limit)
    assert duck == stream


# products, quotients and conditionals on generated numbers, one clause at a time

_NUMBERS = st.one_of(
    st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=2),
    st.decimals(min_value=Decimal("-1e14"), max_value=Decimal("1e14"), places=0),
    st.decimals(min_value=Decimal("-10"), max_value=Decimal("10"), places=12),
    st.sampled_from((Decimal("0"), Decimal("0.5"), Decimal("-0.5"), Decimal("2.5"),
                     Decimal("999999999999999.999999999"), Decimal("0.000000001"),
                     Decimal("123456789.123456789"))),
)

EXPRESSIONS = """\
slacheck: 1
contract: {id: numbers, currency: USD, timezone: UTC}
records:
  id: id
  time: at
  fields:
    id: string
    at: timestamp
    a: decimal
    b: {type: decimal, optional: true}
    m: {type: money, negative: true}
derived:
  product: a * b
  quotient: a / b
  chosen: if a > b then a * m else m - 1 USD
standards:
  products:
    require: product >= a - 1
    target: sum(a * m) <= 0 USD per month
  quotients:
    require: quotient <= 1
    window: per month
  chosen:
    require: chosen < 10 USD
    target: max(chosen) <= 1000 USD per month
  rounded:
    require: round(a * 3, 1) == round(b, 1) or min(a, b) == floor(a) or ceil(b) == abs(a)
    target: mean(m * 0.15) >= 0 USD per month
"""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_NUMBERS, st.one_of(st.none(), _NUMBERS), _NUMBERS),
                     min_size=1, max_size=40))
def test_generated_numbers_identical(tmp_path_factory: pytest.TempPathFactory,
                                     rows: list[tuple[Decimal, Decimal | None, Decimal]]
                                     ) -> None:
    folder = tmp_path_factory.mktemp("numbers")
    contract = folder / "contract.yaml"
    contract.write_text(EXPRESSIONS, "utf-8")
    lines = []
    for number, (a, b, m) in enumerate(rows):
        record: dict[str, Any] = {"id": f"R{number}", "at": "2025-01-15T00:00:00Z",
                                  "a": format(a, "f"), "m": format(m, "f")}
        if b is not None:
            record["b"] = format(b, "f")
        lines.append(json.dumps(record) + "\n")
    data = folder / "records.jsonl"
    data.write_text("".join(lines), "utf-8")
    stream, duck = _both(contract, data, datetime(2025, 4, 1, tzinfo=UTC), 100)
    assert duck == stream


def test_products_and_quotients_are_decided_by_sql() -> None:
    """Products, quotients, conditionals and functions are SQL's own: nothing of the
    numbers' contract is left to the stream engine but the lines SQL is unsure of."""
    checked = load_checked(_written(EXPRESSIONS))
    plan = compile_plan(checked, datetime(2025, 4, 1, tzinfo=UTC), 100)
    found = coverage(checked, plan)
    assert found.runs
    assert found.left == ()
    assert found.sql_decides


def _written(text: str) -> Path:
    folder = Path(tempfile.mkdtemp())
    (folder / "contract.yaml").write_text(text, "utf-8")
    return folder / "contract.yaml"


def test_coverage_of_the_constructs() -> None:
    checked = load_checked(_written(contract_text("reject", rules=True, rounding="")))
    plan = compile_plan(checked, datetime(2025, 4, 1, tzinfo=UTC), 100)
    found = coverage(checked, plan)
    assert found.runs
    assert not found.sql_decides
    left = dict(found.left)
    assert set(left) == {"by-cases", "cold", "records"}
    assert "grouping by `cases`" in left["by-cases"]


@pytest.mark.parametrize(("pattern", "same"), [
    (r"S[0-9]{1,6}", True), (r"[A-Z]{2}-\d+(?:\.\d+)?", True), (r"a|b*", True),
    (r"a{,3}", False),  # RE2 reads `{,3}` as text
    (r"(?i)abc", False), (r"[[:alpha:]]+", False), (r"\bS", False), (r"\u0041", False),
    (r"[]a]", False), (r"a{1000}", False), ("é+", False), (r"(?P<x>a)(?P=x)", False),
])
def test_patterns_sql_tests_as_python(pattern: str, same: bool) -> None:
    assert re2_reads_as_python(pattern) is same


@pytest.mark.parametrize("pattern", [r"S[0-9]{1,6}", r"(?i)s\d+", r"S\d{,6}"])
def test_a_pattern_sql_cannot_read_leaves_lines_to_the_reader(tmp_path: Path,
                                                               pattern: str) -> None:
    rng = random.Random(7)
    contract = tmp_path / "contract.yaml"
    contract.write_text(contract_text("reject", rules=False, rounding="",
                                      pattern=pattern.replace("'", "''")), "utf-8")
    data = tmp_path / "records.jsonl"
    data.write_text("".join(json.dumps(_record(rng, number)) + "\n" for number in range(300)),
                    "utf-8")
    stream, duck = _both(contract, data, datetime(2025, 4, 1, tzinfo=UTC), 100)
    assert duck == stream


PAIRS = """\
slacheck: 1
contract: {id: pairs, currency: USD, timezone: UTC}
records:
  id: id
  time: at
  fields: {id: string, at: timestamp, a: decimal, b: decimal}
derived:
  product: a * b
  quotient: a / b
standards:
  s: {require: product >= 0 and quotient >= 0%, window: per month}
"""


@settings(max_examples=30, deadline=None)
@given(pairs=st.lists(st.tuples(_NUMBERS, _NUMBERS), min_size=1, max_size=30))
def test_products_and_quotients_as_python_computes(
        pairs: list[tuple[Decimal, Decimal]]) -> None:
    """SQL's product and quotient of two record values, where SQL says it is sure of them,
    are Python's `Decimal` product and quotient (28 digits, half even), computed here."""
    import duckdb

    from slacheck import ast
    from slacheck.engine.sql.clauses import Clauses

    checked = load_checked(_written(PAIRS))
    clauses = Clauses(checked, datetime(2025, 4, 1, tzinfo=UTC))
    derived = {named.name: named.clause.node for named in checked.contract.derived}
    connection = duckdb.connect()
    connection.execute('CREATE TABLE t ("n" INTEGER, "a" DECIMAL(38, 18), "b" DECIMAL(38, 18))')
    connection.executemany("INSERT INTO t VALUES (?, ?, ?)",
                           [(n, format(a, "f"), format(b, "f")) for n, (a, b) in enumerate(pairs)])
    for name in ("product", "quotient"):
        node = derived[name]
        assert isinstance(node, ast.Binary)
        found = clauses.value(node)
        assert found.sure is not None
        rows = connection.execute(
            f'SELECT "n", {found.sql.sql(dialect="duckdb")}, {found.sure.sql(dialect="duckdb")} '
            'FROM t ORDER BY "n"').fetchall()
        for (n, value, sure), (a, b) in zip(rows, pairs, strict=True):
            assert n is not None
            if name == "quotient" and b == 0:
                assert not sure  # an error of the record: the stream engine's to report
                continue
            if sure:
                assert value == (a * b if name == "product" else a / b), (a, b)
