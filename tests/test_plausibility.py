"""Built-in plausibility warnings: dates far from the contract period or from the record's own
time, and negative durations. They keep the record, as `records.warn` rules do, and are
counted and listed with them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slacheck.api import verify
from slacheck.loader import load_contract_text
from slacheck.plausibility import plausibility_rules
from tests.conftest import contract_yaml
from tests.test_cli import _run

HEAD = ("contract: {id: plausible, currency: USD, timezone: UTC, "
        "effective: {from: '2025-01-01', to: '2025-12-31'}}")
FIELDS = ("shipped_at: {type: timestamp, optional: true}", "due: {type: date, optional: true}",
          "transit: {type: duration, optional: true}")
STANDARD = "  s:\n    require: true\n    target: 50% per month\n"
WARN = "  warn:\n    - {when: transit > 10d, message: slow}\n"
CONTRACT = contract_yaml(*FIELDS, head=HEAD, standards=STANDARD).replace(
    "standards:\n", WARN + "standards:\n")

ROWS = [
    {"id": "r1", "at": "2025-03-01T00:00:00Z", "shipped_at": "2025-03-01T08:00:00Z",
     "due": "2025-03-05", "transit": 3600},                                     # plausible
    {"id": "r2", "at": "2027-01-05T00:00:00Z"},           # 369 days after the period ends
    {"id": "r3", "at": "2025-03-01T00:00:00Z", "shipped_at": "2024-03-01T00:00:00Z"},  # 365 d
    {"id": "r4", "at": "2025-01-10T00:00:00Z", "due": "2023-12-01"},  # both rules for `due`
    {"id": "r5", "at": "2025-03-01T00:00:00Z", "transit": -60},
    {"id": "r6", "at": "2025-08-29T00:00:00Z", "due": "2025-03-01"},   # 181 days
    {"id": "r7", "at": "2025-08-28T00:00:00Z", "due": "2025-03-01"},   # 180 days: fine
    {"id": "r8", "at": "2024-01-02T00:00:00Z", "transit": 11 * 86400},  # 365 days before: fine
]
PERIOD = "more than a year outside the contract period (2025-01-01 to 2025-12-31)"
EXPECTED = [
    ("slow", 1, [8]),
    (f"`at` {PERIOD}: a year typed wrong?", 1, [2]),
    ("`shipped_at` more than 180 days from `at`: a year typed wrong?", 1, [3]),
    (f"`due` {PERIOD}: a year typed wrong?", 1, [4]),
    ("`due` more than 180 days from `at`: a year typed wrong?", 2, [4, 6]),
    ("`transit` negative, and the field does not say `negative: true`", 1, [5]),
]


def test_implausible_records_are_warned_about_and_kept(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CONTRACT, "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in ROWS), "utf-8")
    code, out, _ = _run("verify", str(tmp_path / "c.yaml"), str(data), "--as-of", "2028-01-01",
                        "--format", "json")
    lines = json.loads(out)["lines"]
    assert (lines["read"], lines["accepted"], lines["rejected"]) == (8, 8, 0)
    assert [(item["message"], item["records"], [f["line"] for f in item["first"]])
            for item in lines["warnings"]] == EXPECTED

    code, out, _ = _run("verify", str(tmp_path / "c.yaml"), str(data), "--as-of", "2028-01-01")
    assert code == 0
    assert (f"WARNING: 2 records: `due` more than 180 days from `at`: a year typed wrong? "
            f"(kept; first: {data}:4, 6)") in out


def test_a_duration_may_say_it_can_be_negative() -> None:
    contract = load_contract_text(CONTRACT.replace(
        "transit: {type: duration, optional: true}",
        "transit: {type: duration, optional: true, negative: true}"))
    result = verify(contract, [{"id": "r1", "at": "2025-03-01T00:00:00Z", "transit": -60}],
                    as_of=date(2026, 1, 1))
    assert result.lines.warnings == ()


def test_without_a_contract_period_only_the_record_s_own_time_counts() -> None:
    contract = load_contract_text(contract_yaml(
        *FIELDS, head="contract: {id: p, currency: USD, timezone: Asia/Shanghai}",
        standards=STANDARD))
    # at 2025-03-01 in Shanghai is 2025-02-28 16:00 UTC: the due date is 181 days from
    # the 1st of March, 180 from the 2nd
    rows = [{"id": "r1", "at": "2025-02-28T16:00:00Z", "due": "2025-08-29"},
            {"id": "r2", "at": "2025-03-02T00:00:00+08:00", "due": "2025-08-29"},
            {"id": "r3", "at": "1990-01-01T00:00:00Z"}]
    result = verify(contract, rows, as_of=date(2026, 1, 1))
    assert [(item.message, item.records) for item in result.lines.warnings] == [
        ("`due` more than 180 days from `at`: a year typed wrong?", 1)]


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)),
                                               timezone(timedelta(hours=-12)),
                                               ZoneInfo("Asia/Shanghai")])),
       st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31),
                    timezones=st.just(UTC)))
def test_the_quick_checks_agree_with_the_rules_as_stated(moment: datetime, time: datetime) -> None:
    """The checks clear most records by their years and days alone: never one the rules as
    the README states them flag."""
    contract = load_contract_text(CONTRACT.replace("timezone: UTC", "timezone: Asia/Shanghai"))
    zone = ZoneInfo("Asia/Shanghai")
    rules = {message: check for check, message in plausibility_rules(
        contract.schema, zone, date(2025, 1, 1), date(2025, 12, 31))}
    record = {"at": time, "shipped_at": moment, "due": moment.date()}
    start = datetime(2024, 1, 2, tzinfo=zone)      # a year before 2025-01-01
    end = datetime(2027, 1, 1, tzinfo=zone)        # a year after the end of 2025-12-31
    day = time.astimezone(zone).date()
    assert bool(rules[f"`shipped_at` {PERIOD}: a year typed wrong?"](record)) == (
        moment < start or moment > end)
    assert bool(rules["`shipped_at` more than 180 days from `at`: a year typed wrong?"](
        record)) == (abs(moment - time) > timedelta(days=180))
    assert bool(rules[f"`due` {PERIOD}: a year typed wrong?"](record)) == (
        moment.date() < date(2024, 1, 2) or moment.date() > date(2026, 12, 31))
    assert bool(rules["`due` more than 180 days from `at`: a year typed wrong?"](record)) == (
        abs(moment.date() - day) > timedelta(days=180))
