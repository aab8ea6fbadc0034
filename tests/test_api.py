"""The Python facade: what `slacheck.verify` accepts."""

from __future__ import annotations

from datetime import date, datetime

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
