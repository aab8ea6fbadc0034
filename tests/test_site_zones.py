"""Business days counted in each site's own time zone (`... using cn in site_zone`): the
day a start counts for, the cut-off and the end of the due day are the site's, by hand."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from slacheck.api import verify
from slacheck.checker import check
from slacheck.diagnostics import ContractError
from slacheck.findings import StandardResult
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml, where

HEAD = "contract: {id: z, currency: EUR, timezone: UTC}"
FIELDS = ("booked_at: timestamp", "delivered_at: timestamp", "site_zone: string")
CLAUSE = "delivered_at within 1 business day of booked_at using cn with cutoff 17:00"
ROWS = [
    # Shanghai (UTC+8): booked Monday 16:30 local, before the cut-off: due by the end of
    # Tuesday there, 2024-07-02T16:00Z; one second before passes, the end itself does not
    {"id": "A1", "booked_at": "2024-07-01T08:30:00Z", "delivered_at": "2024-07-02T15:59:59Z",
     "site_zone": "Asia/Shanghai"},
    {"id": "A2", "booked_at": "2024-07-01T08:30:00Z", "delivered_at": "2024-07-02T16:00:00Z",
     "site_zone": "Asia/Shanghai"},
    # Berlin (UTC+2 in July): booked Monday 17:30 local, after the cut-off: counts for
    # Tuesday, due by the end of Wednesday there, 2024-07-03T22:00Z (in UTC it would have
    # been due by the end of Tuesday, 2024-07-03T00:00Z, and this delivery late)
    {"id": "B1", "booked_at": "2024-07-01T15:30:00Z", "delivered_at": "2024-07-03T21:59:00Z",
     "site_zone": "Europe/Berlin"},
    # a zone that does not exist: this record cannot be evaluated
    {"id": "C1", "booked_at": "2024-07-01T09:00:00Z", "delivered_at": "2024-07-01T10:00:00Z",
     "site_zone": "Mars/Base"},
]


def _standards(tmp_path: Path) -> dict[str, StandardResult]:
    text = contract_yaml(*FIELDS, head=HEAD, standards=(
        f"  local:\n    require: {CLAUSE} in site_zone\n    window: per month\n"
        f"  utc:\n    require: {CLAUSE}\n    window: per month\n")).replace(
        "records:", "calendars:\n  cn: {weekend: [sat, sun]}\nrecords:")
    text = text.replace("time: at", "time: booked_at").replace("    at: timestamp\n", "")
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in ROWS), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)],
                    as_of=datetime.fromisoformat("2024-08-01T00:00:00+00:00"))
    return {standard.id: standard for standard in result.standards}


def test_each_site_counts_its_days_and_cut_off_in_its_own_zone(tmp_path: Path) -> None:
    standards = _standards(tmp_path)
    [local] = standards["local"].windows
    assert (local.passed, local.breached) == (2, 1)          # A1, B1 pass; A2 at the end
    assert [ref.id for ref in local.breaches] == ["A2"]
    assert [(item.record.id, item.reason) for item in standards["local"].evaluation_errors] == [
        ("C1", "`Mars/Base` is not a time zone")]
    [utc] = standards["utc"].windows                          # the contract's zone for all
    assert (utc.passed, utc.breached) == (3, 1)
    assert [ref.id for ref in utc.breaches] == ["B1"]


def test_a_site_zone_is_named_by_a_text_field() -> None:
    text = contract_yaml("booked_at: timestamp", "delivered_at: timestamp", "n: int",
                         head=HEAD, standards=(
                             f"  s:\n    require: {CLAUSE} in n\n    window: per month\n"
                         )).replace("records:", "calendars:\n  cn: {weekend: [sat, sun]}\n"
                                    "records:")
    with pytest.raises(ContractError) as info:
        check(load_contract_text(text, "c.yaml"))
    [diagnostic] = info.value.diagnostics
    assert diagnostic.message == "a time zone is named by a text field, not number"
    assert where(diagnostic)[0] == "SLA202"
