"""Properties, with hypothesis: the parser, the record reader, deadlines, and merged states."""

from __future__ import annotations

import io
import json
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacheck import types as t
from slacheck._source import Source
from slacheck.api import compile_plan
from slacheck.checker import check
from slacheck.compiler import BREACH, OVERDUE, PASS, PENDING, Compiler
from slacheck.diagnostics import ContractError, Diagnostic
from slacheck.engine import conclude, run_stream
from slacheck.loader import load_contract_text
from slacheck.parser import CLAUSES, parse
from slacheck.records import Reader, Rejection
from slacheck.types import FieldSpec, RecordSchema
from tests.conftest import CONTRACT, contract_yaml

# the parser: any text parses, or fails with diagnostics inside the text

TOKENS = [
    "a", "value", "x_1", "and", "or", "not", "in", "within", "of", "per", "breach", "breaches",
    "after", "on", "any", "consecutive", "missed", "at", "most", "by", ",", "[", "]", "(", ")",
    "+", "-", "*", "/", "<", "<=", "==", "!=", ">", ">=", "97%", "1.5%", "24h", "1.5h", "15min",
    "0.0000001ms", "1w", "90d", "3", "1000.00", "CNY", '"s"', "'t'", "true", "false", "month",
    "months", "day", "quarter", "year", "week", " ", "\n", "%", "@", '"', "\t", "\u00e9",
]

clause_texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=14).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(clause_texts, st.sampled_from(CLAUSES))
def test_any_text_parses_or_fails_inside_the_text(text: str, clause: str) -> None:
    try:
        parse(Source(text), clause)
    except ContractError as error:
        found = error.diagnostics
    else:
        return
    assert found
    for diagnostic in found:
        assert diagnostic.code.code in ("SLA101", "SLA203")
        span = diagnostic.span
        assert span is not None
        assert 0 <= span.start <= span.end <= len(text)
        assert 1 <= span.line <= text.count("\n") + 1
        assert span.column >= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TOKENS[:48]), min_size=1, max_size=10).map(" ".join))
def test_a_parsed_expression_has_spans_inside_the_text(text: str) -> None:
    try:
        node = parse(Source(text), "expr")
    except ContractError:
        return
    span = node.span
    assert span is not None
    assert 0 <= span.start <= span.end <= len(text)


# the record reader: anything in, a record or a rejection per line out

SCHEMA = RecordSchema(
    fields=(
        FieldSpec("id", t.STRING),
        FieldSpec("office", t.enum(("TSN", "PEK"))),
        FieldSpec("at", t.TIMESTAMP),
        FieldSpec("done_at", t.TIMESTAMP, required=False),
        FieldSpec("value", t.money(None)),
        FieldSpec("ok", t.BOOL, required=False, default=False),
        FieldSpec("pieces", t.NUMBER, required=False, integral=True),
        FieldSpec("weight", t.NUMBER, required=False),
        FieldSpec("day", t.DATE, required=False),
        FieldSpec("wait", t.DURATION, required=False),
    ),
    id_field="id",
    time_field="at",
)
NAMES = [spec.name for spec in SCHEMA.fields]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from([
        "TSN", "PEK", "a1", "12.30", "12,30", "-0.5", "1e5", "2025-01-01T00:00:00Z",
        "2025-02-30T00:00:00Z", "2025-01-01T00:00:00", "2025-01-01", "2025-02-30",
    ]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=6,
)
objects = st.dictionaries(st.sampled_from([*NAMES, "other"]), json_values, max_size=10)
json_lines = st.one_of(
    objects.map(lambda item: json.dumps(item).encode()),
    json_values.map(lambda item: json.dumps(item).encode()),
    st.fixed_dictionaries({
        "id": st.text(max_size=3), "office": st.sampled_from(["TSN", "PEK"]),
        "at": st.just("2025-01-01T00:00:00+08:00"),
        "value": st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                           st.decimals(allow_nan=False, allow_infinity=False).map(str)),
    }).map(lambda item: json.dumps(item).encode()),
    st.binary(max_size=24),
).filter(lambda line: b"\n" not in line)


@settings(max_examples=300, deadline=None)
@given(st.lists(json_lines, max_size=8))
def test_reader_gives_one_record_or_rejection_per_line(lines: list[bytes]) -> None:
    data = b"".join(line + b"\n" for line in lines)
    items = list(Reader(SCHEMA).read(io.BytesIO(data), "data.jsonl"))
    assert len(items) == len(lines)
    accepted = rejected = 0
    for number, item in enumerate(items, start=1):
        if isinstance(item, Rejection):
            rejected += 1
            assert item.line == number
            assert item.source == "data.jsonl"
            assert item.field is None or item.field in NAMES
            assert item.reason
        else:
            accepted += 1
            assert item["_line"] == number
            assert isinstance(item["id"], str)
            assert item["office"] in ("TSN", "PEK")
            assert isinstance(item["at"], datetime)
            assert item["at"].tzinfo is not None
            assert isinstance(item["value"], Decimal)
            assert item["value"].is_finite()
            assert isinstance(item["ok"], bool)
            assert item["day"] is None or isinstance(item["day"], date)
            assert item["wait"] is None or isinstance(item["wait"], timedelta)
    assert len(lines) == accepted + rejected


@settings(max_examples=200, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4,
                   min_value=Decimal("0"), max_value=Decimal("1e12")))
def test_money_read_from_a_json_number_is_exact(amount: Decimal) -> None:
    line = f'{{"id": "a", "office": "TSN", "at": "2025-01-01T00:00:00Z", "value": {amount}}}'
    [item] = list(Reader(SCHEMA).read(io.BytesIO(line.encode()), "d"))
    assert not isinstance(item, Rejection)
    assert item["value"] == amount


# deadlines: the compiled `a within d of b` against a reference written from the definition

DEADLINES = contract_yaml(
    "start: {type: timestamp, optional: true}",
    "end: {type: timestamp, optional: true}",
    "limit: {type: duration, optional: true}",
    standards="""\
  fixed:
    require: end within 24h of start
    window: per day
  field:
    require: end within limit of start
    window: per day
""",
)
CHECKED = check(load_contract_text(DEADLINES, "p.yaml"))
DAY_US = 86_400_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_US


def reference(start: datetime | None, end: datetime | None, limit_us: int | None,
              as_of: datetime) -> int:
    """Passes when end <= start + limit; absent end: breach once as-of is past the deadline."""
    if start is None or limit_us is None:
        return PENDING
    deadline = micros(start) + limit_us
    if end is None:
        return OVERDUE if micros(as_of) > deadline else PENDING
    return PASS if micros(end) <= deadline else BREACH


offsets = st.sampled_from([0, -5 * 60, 5 * 60 + 45, 8 * 60, 14 * 60]).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 1, 1)),
    offsets,
)
near = st.sampled_from([-ONE_US, timedelta(0), ONE_US, -timedelta(hours=1), timedelta(days=3)])
zones = st.sampled_from([UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Shanghai")])


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_within_agrees_with_the_reference(data: st.DataObject) -> None:
    start = data.draw(st.none() | moments, "start")
    limit = data.draw(st.one_of(
        st.none(), st.just(timedelta(hours=24)),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    ), "limit")
    anchor = (start if start is not None else EPOCH) + (limit or timedelta(0))
    offset = data.draw(offsets, "offset")
    end = data.draw(st.one_of(
        st.none(), moments, near.map(lambda delta: (anchor + delta).astimezone(offset)),
    ), "end")
    as_of = data.draw(st.one_of(
        moments, near.map(lambda delta: anchor + delta),
    ), "as_of").astimezone(data.draw(zones, "zone"))
    record = {"id": "r", "at": start, "start": start, "end": end, "limit": limit}
    compiler = Compiler(CHECKED, as_of)
    fixed, field = (
        compiler.truth(standard.require.node)
        for standard in CHECKED.contract.standards
    )
    assert fixed(record) == reference(start, end, DAY_US, as_of)
    limit_us = None if limit is None else limit // ONE_US
    assert field(record) == reference(start, end, limit_us, as_of)


# merged states: any two parts of the data add up to the whole

MERGE = contract_yaml(
    "office: {type: enum, values: [TSN, PEK]}",
    "ok: {type: bool, optional: true}",
    "fm: {type: bool, default: false}",
    "value: money",
    parameters="fee: 100.00 CNY",
    standards="""\
  s:
    require: ok
    except: fm
    target: 50% per month by office
    penalty: value per breach, at most 300.00 CNY per month
    credit: 10% of fee per missed month
    disqualify:
      - after 2 consecutive missed months
      - after 2 breaches within 10d
""",
)
MERGE_PLAN = compile_plan(check(load_contract_text(MERGE, "m.yaml")),
                          datetime(2026, 1, 1, tzinfo=UTC))

merge_rows = st.lists(
    st.one_of(
        st.fixed_dictionaries({
            "at": st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2025, 6, 30))
                    .map(lambda moment: moment.replace(tzinfo=UTC).isoformat()),
            "office": st.sampled_from(["TSN", "PEK"]),
            "ok": st.sampled_from([True, False, None]),
            "fm": st.booleans(),
            "value": st.sampled_from(["10.00", "99.99", "0.005", "250"]),
        }),
        st.just("not json"),
    ),
    max_size=25,
)


def _lines(rows: list[dict[str, Any] | str]) -> list[str]:
    out = []
    for number, row in enumerate(rows):
        out.append(row if isinstance(row, str) else json.dumps({"id": f"r{number}", **row}))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(merge_rows, st.integers(min_value=0, max_value=25))
def test_merging_the_states_of_two_parts_gives_the_whole(
    rows: list[dict[str, Any] | str], split: int
) -> None:
    lines = _lines(rows)
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "part1.jsonl", Path(folder) / "part2.jsonl"
        first.write_text("".join(line + "\n" for line in lines[:split]), "utf-8")
        second.write_text("".join(line + "\n" for line in lines[split:]), "utf-8")
        whole = conclude(MERGE_PLAN, run_stream(MERGE_PLAN, [str(first), str(second)]))
        state = run_stream(MERGE_PLAN, [str(first)])
        state.merge(run_stream(MERGE_PLAN, [str(second)]))
        assert conclude(MERGE_PLAN, state) == whole
        assert whole.lines.read == len(lines)
        assert whole.lines.read == whole.lines.accepted + whole.lines.rejected


# the loader and checker: any contract text loads, or fails with diagnostics, never a crash

EXAMPLE_CONTRACT = CONTRACT.read_text("utf-8")


def _mutations() -> st.SearchStrategy[str]:
    lines = EXAMPLE_CONTRACT.splitlines()
    drop = st.integers(0, len(lines) - 1).map(
        lambda index: "\n".join(lines[:index] + lines[index + 1 :])
    )
    splice = st.tuples(st.integers(0, len(EXAMPLE_CONTRACT)), st.text(max_size=12)).map(
        lambda cut: EXAMPLE_CONTRACT[: cut[0]] + cut[1] + EXAMPLE_CONTRACT[cut[0] :]
    )
    chop = st.integers(0, len(EXAMPLE_CONTRACT)).map(lambda end: EXAMPLE_CONTRACT[:end])
    return st.one_of(drop, splice, chop, st.text(max_size=200))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_any_contract_text_loads_or_fails_with_positions(text: str) -> None:
    found: tuple[Diagnostic, ...] = ()
    try:
        check(load_contract_text(text, "c.yaml"))
    except ContractError as error:
        found = error.diagnostics
        assert found
    for diagnostic in found:
        assert diagnostic.render().startswith("c.yaml")
        if diagnostic.span is not None:
            assert 0 <= diagnostic.span.start <= diagnostic.span.end
            assert diagnostic.span.line >= 1
