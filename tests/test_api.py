"""The Python facade: what `slacheck.verify` accepts."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from slacheck.api import verify
from tests.conftest import AS_OF, CONTRACT, EXAMPLE

SHIPMENTS = EXAMPLE / "shipments.jsonl"


def test_as_of_a_date_is_midnight_in_the_contracts_zone() -> None:
    result = verify(CONTRACT, [str(SHIPMENTS)], as_of=date(2025, 4, 1))
    assert result.as_of == datetime.fromisoformat(AS_OF)
    assert result.as_of.utcoffset() == datetime.fromisoformat(AS_OF).utcoffset()
    assert str(result.penalties) == "159050.50"


def test_the_line_limit_is_set_from_the_api() -> None:
    result = verify(CONTRACT, [str(SHIPMENTS)], as_of=date(2025, 4, 1), max_line_bytes=200)
    assert result.lines.read == 1302
    assert result.lines.accepted < 1296
    assert any("line limit of 200 bytes" in item.reason for item in result.lines.rejections)


def _dicts() -> list[dict[str, Any]]:
    """The example's lines that are JSON objects, as Python dicts."""
    out = []
    for text in SHIPMENTS.read_text("utf-8").splitlines():
        try:
            out.append(json.loads(text))
        except ValueError:
            continue
    return out


@pytest.mark.parametrize("data", [str(SHIPMENTS), SHIPMENTS, [SHIPMENTS], (str(SHIPMENTS),)])
def test_data_is_a_path_or_a_list_of_paths(data: Any) -> None:
    result = verify(CONTRACT, data, as_of=date(2025, 4, 1))
    assert [item.path for item in result.inputs] == [str(SHIPMENTS)]
    assert result.lines.read == 1302
    assert str(result.penalties) == "159050.50"


def test_data_is_records_read_by_the_same_rules() -> None:
    records = _dicts()
    kept = copy.deepcopy(records)
    result = verify(CONTRACT, iter(records), as_of=date(2025, 4, 1))
    assert records == kept  # the caller's dicts are not converted in place
    assert [(item.path, item.sha256) for item in result.inputs] == [("<records>", None)]
    assert (result.lines.read, result.lines.accepted) == (1301, 1296)
    assert str(result.penalties) == "159050.50"
    rejected = [(item.source, item.line, item.field) for item in result.lines.rejections]
    # the n-th record is "line" n: each file line after the broken one at 101 moves up by one
    assert rejected == [("<records>", 201, "booked_at"), ("<records>", 302, "value"),
                        ("<records>", 403, "service"), ("<records>", 504, "shipment_id"),
                        ("<records>", 605, "picked_up_at")]


GOOD: dict[str, Any] = {"shipment_id": "S1", "service": "road", "office": "TSN",
        "booked_at": "2025-03-10T10:00:00+08:00", "value": "100.00", "complete": True,
        "accurate": True, "billed_correctly": True}


def _with_int_key() -> dict[Any, Any]:
    record: dict[Any, Any] = dict(GOOD)
    record[7] = "seven"
    return record


@pytest.mark.parametrize(
    ("record", "field", "words"),
    [
        ({**GOOD, "value": "12,30"}, "value", 'not an amount: "12,30"'),
        ({**GOOD, "value": -1.5}, "value", "negative"),
        ({**GOOD, "value": float("nan")}, "value", "NaN"),
        ({**GOOD, "value": float("inf")}, "value", "Infinity"),
        ({**GOOD, "value": 10**30}, "value", "at most 18 digits"),
        ({**GOOD, "booked_at": datetime(2025, 3, 10, 10)}, "booked_at", "no UTC offset"),
        ({**GOOD, "lost": object()}, "lost", "not a JSON value"),
        (_with_int_key(), None, "key 7 is not a string"),
        (["not", "a", "dict"], None, "not a JSON object"),
    ],
)
def test_a_bad_record_is_rejected_with_its_number(record: Any, field: str | None,
                                                  words: str) -> None:
    result = verify(CONTRACT, [GOOD | {"shipment_id": "S0"}, record], as_of=date(2025, 4, 1))
    assert (result.lines.read, result.lines.accepted, result.lines.rejected) == (2, 1, 1)
    [rejection] = result.lines.rejections
    assert (rejection.source, rejection.line, rejection.field) == ("<records>", 2, field)
    assert words in rejection.reason


def test_python_values_that_json_cannot_hold_are_read_as_their_text() -> None:
    record = {**GOOD, "value": Decimal("100.005"), "booked_at": datetime.fromisoformat(
        "2025-03-10T10:00:00+08:00"), "lost": True}
    result = verify(CONTRACT, [record], as_of=date(2025, 4, 1))
    assert result.lines.accepted == 1
    assert str(result.penalties) == "100.01"  # the lost shipment's value, rounded once


def test_data_of_another_kind_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="paths or records"):
        verify(CONTRACT, [SHIPMENTS, GOOD], as_of=date(2025, 4, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="paths or records"):
        verify(CONTRACT, 42, as_of=date(2025, 4, 1))  # type: ignore[arg-type]
