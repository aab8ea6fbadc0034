"""Field constraints of the record schema: `min` and `max` of numbers, amounts, durations,
dates and timestamps, and `pattern` of strings. A value outside rejects its line like any
other fault (naming the field, the bound and the value); a bound that cannot hold is a
contract error where it is written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from slacheck.diagnostics import ContractError
from slacheck.loader import load_contract_text
from slacheck.records import Reader, Rejection
from tests.conftest import contract_yaml, where
from tests.test_cli import _run

FIELDS = (
    "pieces: {type: int, min: 1, max: 999}",
    "weight: {type: decimal, min: 0.001}",
    "value: {type: money, max: 10000.00 USD}",
    "transit: {type: duration, optional: true, min: 0s, max: 30d}",
    "due: {type: date, optional: true, min: '2020-01-01'}",
    "shipped_at: {type: timestamp, optional: true, max: '2030-01-01T00:00:00+08:00'}",
    "office: {type: string, pattern: '[A-Z]{3}'}",
)
HEAD = "contract: {id: bounds, currency: USD, timezone: UTC}"
STANDARD = "  s:\n    require: pieces >= 1\n    target: 50% per month\n"
GOOD = {"id": "r1", "at": "2025-01-02T00:00:00Z", "pieces": 3, "weight": "0.5",
        "value": "12.50", "transit": 3600, "due": "2025-01-03",
        "shipped_at": "2025-01-01T10:00:00Z", "office": "PEK"}


def _reader() -> Reader:
    contract = load_contract_text(contract_yaml(*FIELDS, head=HEAD, standards=STANDARD))
    return Reader(contract.schema, currency="USD")


def _read(*records: dict[str, object]) -> list[dict[str, object] | Rejection]:
    text = "".join(json.dumps(record) + "\n" for record in records)
    return list(_reader().read(io.BytesIO(text.encode()), "d.jsonl"))


def test_values_within_the_bounds_are_accepted() -> None:
    edges = {**GOOD, "pieces": 999, "weight": "0.001", "value": "10000", "transit": 0,
             "due": "2020-01-01", "shipped_at": "2030-01-01T00:00:00+08:00"}
    [first, second] = _read(GOOD, {**edges, "id": "r2"})
    assert isinstance(first, dict)
    assert isinstance(second, dict)


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"pieces": 0}, "pieces", "below the minimum of 1: 0"),
    ({"pieces": 1000}, "pieces", "above the maximum of 999: 1000"),
    ({"weight": "0.0005"}, "weight", "below the minimum of 0.001: \"0.0005\""),
    ({"value": "10000.01"}, "value", "above the maximum of 10000.00 USD: \"10000.01\""),
    ({"transit": -1}, "transit", "below the minimum of 0s: -1"),
    ({"transit": 30 * 86400 + 1}, "transit", "above the maximum of 30d: 2592001"),
    ({"due": "2019-12-31"}, "due", "below the minimum of 2020-01-01: \"2019-12-31\""),
    # the bound is 2029-12-31T16:00Z: a second later is above it
    ({"shipped_at": "2029-12-31T16:00:01Z"}, "shipped_at",
     "above the maximum of 2030-01-01T00:00:00+08:00: \"2029-12-31T16:00:01Z\""),
    ({"office": "pek"}, "office", "does not match the pattern [A-Z]{3}: \"pek\""),
    ({"office": "PEKX"}, "office", "does not match the pattern [A-Z]{3}: \"PEKX\""),
])
def test_a_value_outside_its_bounds_is_rejected(change: dict[str, object], field: str,
                                                reason: str) -> None:
    [rejected] = _read({**GOOD, **change})
    assert isinstance(rejected, Rejection)
    assert (rejected.line, rejected.field, rejected.reason) == (1, field, reason)


def test_every_bound_a_line_breaks_is_named() -> None:
    [rejected] = _read({**GOOD, "pieces": 0, "office": "x", "due": "1999-01-01"})
    assert isinstance(rejected, Rejection)
    assert [field for field, _ in rejected.problems] == ["pieces", "due", "office"]
    assert rejected.causes == ("below the minimum of 1", "below the minimum of 2020-01-01",
                               "does not match the pattern [A-Z]{3}")


def test_bounds_through_the_cli_count_among_the_causes(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(*FIELDS, head=HEAD, standards=STANDARD), "utf-8")
    rows = [GOOD, {**GOOD, "id": "r2", "pieces": 0}, {**GOOD, "id": "r3", "pieces": -4},
            {**GOOD, "id": "r4", "office": "tsn"}, {**GOOD, "id": "r5"}]
    data = tmp_path / "d.csv"
    columns = list(GOOD)
    data.write_text(",".join(columns) + "\n" + "".join(
        ",".join(str(row[column]) for column in columns) + "\n" for row in rows), "utf-8")
    _, out, _ = _run("verify", str(contract), str(data), "--as-of", "2025-02-01",
                        "--format", "json")
    lines = json.loads(out)["lines"]
    assert (lines["read"], lines["accepted"], lines["rejected"]) == (5, 2, 3)
    assert [(item["field"], item["cause"], item["lines"], [f["line"] for f in item["first"]])
            for item in lines["causes"]] == [
        ("pieces", "below the minimum of 1", 2, [3, 4]),
        ("office", "does not match the pattern [A-Z]{3}", 1, [5])]


BAD_BOUNDS = [
    ("pieces: {type: int, min: 5, max: 2}", "the minimum 5 of `pieces` is above its maximum 2",
     "max"),
    ("pieces: {type: int, min: 1.5}", "`min` of `pieces`, an int field, is not a whole number",
     "min"),
    ("weight: {type: decimal, max: 3h}", "`max` of `weight` is not a number", "max"),
    ("value: {type: money, min: 5 EUR}",
     "`min` of `value` is in EUR, but the contract's amounts are in USD", "min"),
    ("transit: {type: duration, max: 12}", "`max` of `transit` is not a duration", "max"),
    ("due: {type: date, min: 2020-13-01}", "`min` of `due` is not a date: 2020-13-01", "min"),
    ("seen: {type: timestamp, min: '2020-01-01T00:00:00'}",
     "`min` of `seen` is not a timestamp with a UTC offset: 2020-01-01T00:00:00", "min"),
    ("office: {type: string, pattern: '[A-Z'}",
     "`pattern` of `office` is not a regular expression", "pattern"),
    ("office: {type: string, min: 3}", "`min` is only for int, decimal, ratio, money, duration, "
     "date and timestamp fields, `office` is string", "min"),
    ("pieces: {type: int, pattern: '[0-9]+'}",
     "`pattern` is only for string fields, `pieces` is int", "pattern"),
    ("pieces: {type: int, default: 0, min: 1}",
     "the default 0 of `pieces` is below its minimum 1", "default"),
]


@pytest.mark.parametrize(("field", "message", "key"), BAD_BOUNDS)
def test_a_bound_that_cannot_hold_is_a_contract_error(field: str, message: str,
                                                      key: str) -> None:
    text = contract_yaml(field, head=HEAD, standards="  s:\n    require: true\n"
                                                     "    target: 50% per month\n")
    with pytest.raises(ContractError) as caught:
        load_contract_text(text, "c.yaml")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.message.startswith(message), diagnostic.message
    line = text.splitlines().index(f"    {field}") + 1
    column = f"    {field}".index(f"{key}:") + len(key) + 3
    assert where(diagnostic) == ("SLA203", line, column)
    assert diagnostic.hints


def test_the_cli_shows_a_bad_bound_with_its_place_and_hint(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml("pieces: {type: int, min: 5, max: 2}", head=HEAD,
                                      standards=STANDARD), "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text("", "utf-8")
    code, _, err = _run("verify", str(contract), str(data))
    assert code == 2
    assert f"{contract}:9:38: SLA203 the minimum 5 of `pieces` is above its maximum 2" in err
    assert "help:" in err
    assert "Traceback" not in err
