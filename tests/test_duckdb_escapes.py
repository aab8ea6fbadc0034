"""Lines with JSON escapes stay with SQL when SQL reads them exactly.

Exports often escape what needs no escaping: Python's `json.dumps` writes every character
beyond ASCII as `\\uXXXX`, PHP writes `/` as `\\/`. The DuckDB engine used to leave every
line with a backslash to the stream engine, so such a file cost the stream engine's time
and DuckDB's. DuckDB reads the escapes; what a backslash still hides (a quote inside a
string, a key written as `null`, a number's spelling) leaves the line to the reader."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from slacheck.api import compile_plan, load_checked
from slacheck.engine import conclude, run_stream
from slacheck.engine import duckdb as engine
from slacheck.engine.duckdb import run_duckdb
from slacheck.reporters import RENDERERS
from tests.conftest import AS_OF, CONTRACT, EXAMPLE


def _escaped(line: str) -> str:
    """The same record with its text escaped where no escape is needed."""
    record = json.loads(line)
    text = json.dumps(record)
    for plain, escape in (("MOT-", "MOT\\u002d"), ("air_", "air\\u005f"), ('"+08', '"\\u002b08'),
                          ("PEK", "P\\u0045K"), ("T0", "T\\u0030")):
        text = text.replace(plain, escape)
    return text.replace("/", "\\/")


HOSTILE = [
    # a key spelt with an escape: DuckDB matches it by its content, as Python does
    '{"shipment_id": "MOT-H-1", "\\u0073ervice": "road", "office": "TSN", '
    '"booked_at": "2025-02-03T10:00:00+08:00", "value": "10.00", "complete": true, '
    '"accurate": true, "billed_correctly": true}',
    # a quote inside a string: not an allowed value, the reader says so
    '{"shipment_id": "MOT-H-2", "service": "road", "office": "P\\"K", '
    '"booked_at": "2025-02-03T10:00:00+08:00", "value": "10.00", "complete": true, '
    '"accurate": true, "billed_correctly": true}',
    # an undeclared key, and a declared one's `"lost":` inside a string
    '{"shipment_id": "MOT-H-3 \\"lost\\": x", "service": "road", "office": "TSN", '
    '"booked_at": "2025-02-03T10:00:00+08:00", "value": "10.00", "complete": true, '
    '"accurate": true, "billed_correctly": true, "extra": 1}',
    # a key written as null on a line with an escape
    '{"shipment_id": "MOT\\u002dH-4", "service": "road", "office": "TSN", '
    '"booked_at": "2025-02-03T10:00:00+08:00", "value": "10.00", "complete": true, '
    '"accurate": true, "billed_correctly": true, "lost": null}',
    # an amount written as a JSON number on a line with an escape, and a key of its own
    # that ends with the text of that key (`"x\\"value": 1`): not declared
    '{"shipment_id": "MOT\\u002dH-5", "service": "road", "office": "TSN", '
    '"booked_at": "2025-02-03T10:00:00+08:00", "x\\"value": 99, "value": 1234.50, '
    '"complete": true, "accurate": true, "billed_correctly": false}',
    # an id written before with no escape: a duplicate
    _escaped(EXAMPLE.joinpath("shipments.jsonl").read_text("utf-8").splitlines()[5]),
    # a control character, and a lone surrogate (Python reads it, DuckDB does not)
    '{"shipment_id": "MOT-H-7\\u0000", "service": "road", "office": "TSN", '
    '"booked_at": "2025-02-03T10:00:00+08:00", "value": "10.00", "complete": true, '
    '"accurate": true, "billed_correctly": true}',
    '{"shipment_id": "MOT-H-8\\ud800", "service": "road", "office": "TSN", '
    '"booked_at": "2025-02-03T10:00:00+08:00", "value": "10.00", "complete": true, '
    '"accurate": true, "billed_correctly": true}',
]


def _left(monkeypatch: pytest.MonkeyPatch, path: Path) -> tuple[str, str, list[int]]:
    """Both engines' JSON results over `path`, and the lines the DuckDB engine left to the
    stream engine."""
    checked = load_checked(CONTRACT)
    plan = compile_plan(checked, datetime.fromisoformat(AS_OF))
    counted: list[int] = []  # the lines left
    rest = engine._rest

    def counting(*args: Any) -> None:
        counted.extend(args[3])
        rest(*args)

    monkeypatch.setattr(engine, "_rest", counting)
    stream = RENDERERS["json"](conclude(plan, run_stream(plan, [str(path)])))
    duck = RENDERERS["json"](conclude(plan, run_duckdb(checked, plan, [str(path)])))
    return stream, duck, sorted(counted)


@pytest.mark.parametrize("compressed", [False, True])
def test_escaped_lines_are_read_by_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       compressed: bool) -> None:
    lines = (EXAMPLE / "shipments.jsonl").read_text("utf-8").splitlines()
    plain = tmp_path / "plain.jsonl"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    escaped = [_escaped(line) if index % 2 and line.startswith("{") and "MOT-" in line
               else line for index, line in enumerate(lines)]
    assert sum("\\" in line for line in escaped) > 600
    text = ("\n".join(escaped + HOSTILE) + "\n").encode()
    path = tmp_path / ("escaped.jsonl.gz" if compressed else "escaped.jsonl")
    path.write_bytes(gzip.compress(text) if compressed else text)
    stream, duck, left = _left(monkeypatch, path)
    assert duck == stream
    _, _, left_plain = _left(monkeypatch, plain)
    # the escaped copies cost nothing (their amounts written as JSON numbers too); of the
    # hostile lines, the key spelt with an escape is SQL's, and the other seven the
    # reader's, with the line whose id the duplicate repeats
    hostile = range(len(lines) + 2, len(lines) + len(HOSTILE) + 1)
    assert left == sorted([*left_plain, 6, *hostile])
    result = json.loads(duck)
    reasons = " ".join(item["reason"] for item in result["lines"]["rejections"])
    assert 'not one of the allowed values: "P\\"K"' in reasons
    assert "duplicate" in reasons
    assert result["lines"]["undeclared_fields"]


def test_an_id_python_reads_and_duckdb_cannot(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A lone surrogate (`\\ud800`) is a string to Python's JSON and no text to DuckDB: the
    line is the reader's, twice a duplicate, and the run does not fail on its id."""
    lines = (EXAMPLE / "shipments.jsonl").read_text("utf-8").splitlines()[:40]
    lines += [HOSTILE[-1], HOSTILE[-1], HOSTILE[-2]]
    path = tmp_path / "surrogates.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stream, duck, _ = _left(monkeypatch, path)
    assert duck == stream
    assert "duplicate" in json.dumps(json.loads(duck)["lines"]["rejections"])
