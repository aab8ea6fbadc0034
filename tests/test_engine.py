"""The stream engine and consequences, on small inline contracts with hand-computed figures."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from slacheck.api import compile_plan, verify
from slacheck.checker import check
from slacheck.engine import State, conclude, run_stream
from slacheck.findings import RecordRef, Result, StandardResult
from slacheck.loader import load_contract_text
from slacheck.plan import Plan
from tests.conftest import contract_yaml

HEAD = """\
slacheck: 1
contract:
  id: demo
  currency: CNY
  timezone: Asia/Shanghai
  effective: {from: "2025-01-01", to: "2025-12-31"}
parameters:
  fee: 1000.00 CNY
records:
  id: id
  time: at
  fields:
    id: string
    at: timestamp
    office: {type: enum, values: [TSN, PEK], default: TSN}
    service: {type: enum, values: [air, road], default: air}
    ok: {type: bool, default: true}
    value: {type: money, default: 0}
    fm: {type: bool, default: false}
    customer: {type: bool, default: false}
    picked: {type: timestamp, optional: true}
    delivered: {type: timestamp, optional: true}
standards:
"""

AS_OF = datetime.fromisoformat("2026-01-01T00:00:00+08:00")


def local(text: str) -> datetime:
    """A Shanghai wall-clock time, `2025-01-31T10:00`."""
    return datetime.fromisoformat(text + "+08:00")


def rec(ident: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "at": at + "+08:00", **fields}


def month(number: int, passed: int, breached: int, prefix: str = "", **fields: Any
          ) -> list[dict[str, Any]]:
    """`passed` good and `breached` bad records spread over days 1-28 of a 2025 month."""
    rows = []
    for index in range(passed + breached):
        day = index % 28 + 1
        at = f"2025-{number:02d}-{day:02d}T10:00:00"
        rows.append(rec(f"{prefix}{number:02d}-{index:05d}", at, ok=index < passed, **fields))
    return rows


Row = dict[str, Any] | str
Counts = tuple[str, tuple[tuple[str, str], ...], int, int, int, int]


def write(path: Path, rows: Sequence[Row]) -> Path:
    path.write_text(
        "".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows), "utf-8"
    )
    return path


def run(tmp_path: Path, standards: str, rows: Sequence[Row],
        as_of: datetime = AS_OF, head: str = HEAD, evidence_limit: int = 1000) -> Result:
    contract = load_contract_text(head + standards, "c.yaml")
    data = write(tmp_path / "data.jsonl", rows)
    return verify(contract, [str(data)], as_of=as_of, evidence_limit=evidence_limit)


def only(result: Result) -> StandardResult:
    [standard] = result.standards
    return standard


def counts(standard: StandardResult) -> list[Counts]:
    return [(w.label, w.group, w.passed, w.breached, w.pending, w.excluded)
            for w in standard.windows]


# rates and targets

TARGET_97 = """\
  s:
    require: ok
    target: 97% per month
"""


def test_97_of_100_meets_97_percent(tmp_path: Path) -> None:
    standard = only(run(tmp_path, TARGET_97, [*month(1, 97, 3)]))
    [window] = standard.windows
    assert (window.passed, window.breached) == (97, 3)
    assert window.rate == Fraction(97, 100)
    assert window.target == Fraction(97, 100)
    assert window.met is True
    assert standard.missed_windows == ()


def test_96_99_percent_misses_97_percent(tmp_path: Path) -> None:
    standard = only(run(tmp_path, TARGET_97, [*month(1, 9699, 301)]))
    [window] = standard.windows
    assert window.rate == Fraction(9699, 10000)
    assert window.met is False
    assert standard.missed_windows == ("2025-01",)


def test_rate_with_a_fraction_that_floats_get_wrong(tmp_path: Path) -> None:
    # 58 of 100 is exactly 58%; as a float percentage, 58 / 100 * 100 is 57.99999999999999
    standards = "  s:\n    require: ok\n    target: 58% per month\n"
    [window] = only(run(tmp_path, standards, [*month(1, 58, 42)])).windows
    assert window.met is True


def test_grouped_target(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    target: 97% per month by office\n"
    rows = [*month(1, 97, 3, "t", office="TSN"), *month(1, 1, 1, "p", office="PEK")]
    standard = only(run(tmp_path, standards, rows))
    assert counts(standard) == [
        ("2025-01", (("office", "PEK"),), 1, 1, 0, 0),
        ("2025-01", (("office", "TSN"),), 97, 3, 0, 0),
    ]
    assert [w.met for w in standard.windows] == [False, True]
    assert standard.missed_windows == ("2025-01",)


def test_group_by_two_fields(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    target: 50% per month by office, service\n"
    rows = [rec("a", "2025-01-02T10:00:00", office="PEK", service="road", ok=False),
            rec("b", "2025-01-02T10:00:00", office="PEK", service="air")]
    assert counts(only(run(tmp_path, standards, rows))) == [
        ("2025-01", (("office", "PEK"), ("service", "air")), 1, 0, 0, 0),
        ("2025-01", (("office", "PEK"), ("service", "road")), 0, 1, 0, 0),
    ]


def test_scope_leaves_other_records_out(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    for: service == air\n    target: 50% per month\n"
    rows = [*month(1, 1, 1, "a"), *month(1, 0, 3, "r", service="road")]
    assert counts(only(run(tmp_path, standards, rows))) == [("2025-01", (), 1, 1, 0, 0)]


def test_exclusions_are_counted_with_their_reason(tmp_path: Path) -> None:
    standards = """\
  s:
    require: ok
    except:
      - when: fm
        reason: force majeure
      - when: customer
        reason: customer-caused delay
    target: 75% per month
"""
    rows = [
        rec("p1", "2025-01-02T10:00:00"),
        rec("p2", "2025-01-03T10:00:00"),
        rec("p3", "2025-01-04T10:00:00"),
        rec("b1", "2025-01-05T10:00:00", ok=False),
        rec("f1", "2025-01-06T10:00:00", ok=False, fm=True),
        rec("f2", "2025-01-07T10:00:00", fm=True, customer=True),
        rec("c1", "2025-01-08T10:00:00", ok=False, customer=True),
    ]
    [window] = only(run(tmp_path, standards, rows)).windows
    assert (window.passed, window.breached, window.excluded) == (3, 1, 3)
    assert window.exclusions == (("customer-caused delay", 1), ("force majeure", 2))
    assert window.rate == Fraction(3, 4)
    assert window.met is True


def test_bare_exclusion_reason_is_its_clause(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    except: fm\n    window: per month\n"
    [window] = only(run(tmp_path, standards, [rec("f", "2025-01-02T10:00:00", fm=True)])).windows
    assert window.exclusions == (("fm", 1),)


def test_pending_and_overdue(tmp_path: Path) -> None:
    standards = "  s:\n    require: delivered within 24h of picked\n    target: 50% per month\n"
    as_of = local("2025-02-01T00:00:00")
    rows = [
        rec("on-time", "2025-01-10T08:00:00", picked="2025-01-10T09:00:00+08:00",
            delivered="2025-01-11T09:00:00+08:00"),
        # deadline 2025-02-01T20:00+08:00 is after the evaluation time: pending
        rec("in-transit", "2025-01-31T19:00:00", picked="2025-01-31T20:00:00+08:00"),
        # deadline 2025-01-11T09:00+08:00 has passed with no delivery: an overdue breach
        rec("lost", "2025-01-10T08:00:00", picked="2025-01-10T09:00:00+08:00"),
        rec("not-picked", "2025-01-10T08:00:00"),
    ]
    standard = only(run(tmp_path, standards, rows, as_of=as_of))
    [window] = standard.windows
    assert (window.passed, window.breached, window.pending) == (1, 1, 2)
    assert window.rate == Fraction(1, 2)
    assert [ref.id for ref in window.breaches] == ["lost"]
    assert [(ref.id, ref.line) for ref in standard.overdue_open] == [("lost", 3)]
    assert standard.overdue_open_total == 1


def test_open_window_is_not_missed(tmp_path: Path) -> None:
    standards = TARGET_97 + "    credit: 5% of fee per missed month\n"
    rows = [*month(1, 1, 1, "j"), *month(2, 1, 1, "f")]
    standard = only(run(tmp_path, standards, rows, as_of=local("2025-02-15T00:00:00")))
    assert [(w.label, w.closed, w.met) for w in standard.windows] == [
        ("2025-01", True, False), ("2025-02", False, False)
    ]
    assert standard.missed_windows == ("2025-01",)
    assert [credit.label for credit in standard.credits] == ["2025-01"]


# penalties


def test_penalty_per_breach_with_a_monthly_cap(tmp_path: Path) -> None:
    standards = """\
  s:
    require: ok
    window: per month
    penalty: 1000.00 CNY per breach, at most 2500.00 CNY per month
"""
    rows = [*month(1, 5, 3), *month(2, 5, 2), *month(3, 5, 0)]
    result = run(tmp_path, standards, rows)
    standard = only(result)
    assert [(p.label, p.gross, p.net, p.cap, p.breaches) for p in standard.penalty_windows] == [
        ("2025-01", Decimal("3000.00"), Decimal("2500.00"), Decimal("2500.00"), 3),
        ("2025-02", Decimal("2000.00"), Decimal("2000.00"), Decimal("2500.00"), 2),
    ]
    assert standard.penalties == Decimal("4500.00")
    assert result.penalties == Decimal("4500.00")
    assert standard.record_penalties_total == 5
    assert {item.amount for item in standard.record_penalties} == {Decimal("1000.00")}
    assert result.compliant is False


def test_penalty_cap_per_quarter(tmp_path: Path) -> None:
    standards = """\
  s:
    require: ok
    window: per month
    penalty: 1000 CNY per breach, at most 2500 CNY per quarter
"""
    rows = [*month(1, 0, 2), *month(2, 0, 2), *month(4, 0, 1)]
    standard = only(run(tmp_path, standards, rows))
    assert [(p.label, p.gross, p.net) for p in standard.penalty_windows] == [
        ("2025-Q1", Decimal("4000.00"), Decimal("2500.00")),
        ("2025-Q2", Decimal("1000.00"), Decimal("1000.00")),
    ]
    assert standard.penalties == Decimal("3500.00")


def test_penalty_is_the_records_value(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    window: per month\n    penalty: value per breach\n"
    rows = [
        rec("a", "2025-01-02T10:00:00", ok=False, value="1234.56"),
        rec("b", "2025-01-03T10:00:00", ok=False, value=0.005),  # half up: 0.01
        rec("c", "2025-01-04T10:00:00", ok=False, value=100),
        rec("d", "2025-01-05T10:00:00", ok=True, value="99999.99"),
    ]
    standard = only(run(tmp_path, standards, rows))
    assert [(item.record.id, item.amount) for item in standard.record_penalties] == [
        ("a", Decimal("1234.56")), ("b", Decimal("0.01")), ("c", Decimal("100.00"))
    ]
    assert standard.penalties == Decimal("1334.57")


def test_penalty_as_a_percentage_of_value(tmp_path: Path) -> None:
    standards = ("  s:\n    require: ok\n    window: per month\n"
                 "    penalty: 10.5% of value per breach\n")
    rows = [
        rec("a", "2025-01-02T10:00:00", ok=False, value="333.33"),   # 34.999965 -> 35.00
        rec("b", "2025-01-03T10:00:00", ok=False, value="1000.00"),  # 105.00
    ]
    standard = only(run(tmp_path, standards, rows))
    assert [item.amount for item in standard.record_penalties] == [
        Decimal("35.00"), Decimal("105.00")
    ]
    assert standard.penalties == Decimal("140.00")


def test_penalty_rounding_half_even(tmp_path: Path) -> None:
    head = HEAD.replace("  currency: CNY\n", "  currency: CNY\n  rounding: half_even\n")
    standards = "  s:\n    require: ok\n    window: per month\n    penalty: value per breach\n"
    rows = [
        rec("a", "2025-01-02T10:00:00", ok=False, value="0.005"),  # 0.00
        rec("b", "2025-01-03T10:00:00", ok=False, value="0.015"),  # 0.02
    ]
    standard = only(run(tmp_path, standards, rows, head=head))
    assert [item.amount for item in standard.record_penalties] == [
        Decimal("0.00"), Decimal("0.02")
    ]


# service credits


def test_service_credit_per_missed_month(tmp_path: Path) -> None:
    standards = TARGET_97 + "    credit: 5% of fee per missed month\n"
    rows = [*month(1, 97, 3), *month(2, 96, 4), *month(3, 1, 1)]
    result = run(tmp_path, standards, rows)
    standard = only(result)
    assert standard.missed_windows == ("2025-02", "2025-03")
    assert [(c.label, c.amount) for c in standard.credits] == [
        ("2025-02", Decimal("50.00")), ("2025-03", Decimal("50.00"))
    ]
    assert standard.credit_total == Decimal("100.00")
    assert result.credits == Decimal("100.00")
    assert result.compliant is False


def test_compliant_when_every_target_is_met(tmp_path: Path) -> None:
    result = run(tmp_path, TARGET_97 + "    credit: 5% of fee per missed month\n",
                 [*month(1, 100, 0)])
    assert result.compliant is True
    assert result.credits == Decimal(0)
    assert result.disqualification is None


# disqualification after consecutive missed windows

CONSECUTIVE = """\
  s:
    require: ok
    target: 90% per month
    disqualify: after 3 consecutive missed months
"""


def test_disqualified_after_three_consecutive_missed_months(tmp_path: Path) -> None:
    rows = [
        *month(1, 0, 1), *month(2, 0, 1),  # missed, missed
        *month(3, 1, 0),                   # met: the run is broken
        *month(4, 0, 1), *month(5, 1, 1), *month(6, 0, 2),
    ]
    result = run(tmp_path, CONSECUTIVE, rows)
    standard = only(result)
    assert standard.missed_windows == ("2025-01", "2025-02", "2025-04", "2025-05", "2025-06")
    assert standard.longest_missed_run == 3
    found = standard.disqualification
    assert found is not None
    assert found.standard == "s"
    assert found.windows == ("2025-04", "2025-05", "2025-06")
    # effective at the end of the third missed month, in the contract's zone
    assert found.at == local("2025-07-01T00:00:00")
    assert [ref.id for ref in found.records] == ["04-00000", "05-00001", "06-00000", "06-00001"]
    assert result.disqualification == found


def test_a_met_month_between_missed_months_breaks_the_run(tmp_path: Path) -> None:
    rows = [*month(1, 0, 1), *month(2, 0, 1), *month(3, 1, 0), *month(4, 0, 1)]
    standard = only(run(tmp_path, CONSECUTIVE, rows))
    assert standard.longest_missed_run == 2
    assert standard.disqualification is None


def test_a_month_without_records_breaks_the_run(tmp_path: Path) -> None:
    rows = [*month(1, 0, 1), *month(2, 0, 1), *month(4, 0, 1)]
    standard = only(run(tmp_path, CONSECUTIVE, rows))
    assert standard.missed_windows == ("2025-01", "2025-02", "2025-04")
    assert standard.longest_missed_run == 2
    assert standard.disqualification is None


def test_an_open_third_month_does_not_disqualify_yet(tmp_path: Path) -> None:
    rows = [*month(1, 0, 1), *month(2, 0, 1), *month(3, 0, 1)]
    standard = only(run(tmp_path, CONSECUTIVE, rows, as_of=local("2025-03-31T23:59:59")))
    assert standard.disqualification is None
    closed = only(run(tmp_path, CONSECUTIVE, rows, as_of=local("2025-04-01T00:00:00")))
    assert closed.disqualification is not None
    assert closed.disqualification.at == local("2025-04-01T00:00:00")


def test_consecutive_missed_months_across_the_new_year(tmp_path: Path) -> None:
    head = HEAD.replace('  effective: {from: "2025-01-01", to: "2025-12-31"}\n', "")
    rows = [rec("n", "2024-11-10T10:00:00", ok=False), rec("d", "2024-12-10T10:00:00", ok=False),
            rec("j", "2025-01-10T10:00:00", ok=False)]
    found = only(run(tmp_path, CONSECUTIVE, rows, head=head)).disqualification
    assert found is not None
    assert found.windows == ("2024-11", "2024-12", "2025-01")
    assert found.at == local("2025-02-01T00:00:00")


# disqualification after N breaches within a rolling period

WITHIN_90D = """\
  s:
    require: ok
    window: per month
    disqualify: after 3 breaches within 90d
"""


def test_breaches_exactly_the_period_apart_do_not_count(tmp_path: Path) -> None:
    # 1 January to 1 April 2025 is 31 + 28 + 31 = 90 days exactly
    rows = [rec("a", "2025-01-01T00:00:00", ok=False), rec("b", "2025-02-01T00:00:00", ok=False),
            rec("c", "2025-04-01T00:00:00", ok=False)]
    assert only(run(tmp_path, WITHIN_90D, rows)).disqualification is None


def test_breaches_just_under_the_period_apart_count(tmp_path: Path) -> None:
    rows = [rec("a", "2025-01-01T00:00:00", ok=False), rec("b", "2025-02-01T00:00:00", ok=False),
            rec("ok", "2025-03-01T00:00:00"),
            rec("c", "2025-03-31T23:59:59.999999", ok=False)]
    result = run(tmp_path, WITHIN_90D, rows)
    found = only(result).disqualification
    assert found is not None
    assert [ref.id for ref in found.records] == ["a", "b", "c"]
    # effective at the time of the breach that completes the three
    assert found.at == local("2025-03-31T23:59:59.999999")
    assert result.disqualification == found


def test_the_first_window_of_n_breaches_decides(tmp_path: Path) -> None:
    rows = [rec("a", "2025-01-01T00:00:00", ok=False), rec("b", "2025-02-01T00:00:00", ok=False),
            rec("c", "2025-04-01T00:00:00", ok=False), rec("d", "2025-04-02T12:00:00", ok=False)]
    found = only(run(tmp_path, WITHIN_90D, rows)).disqualification
    assert found is not None
    assert [ref.id for ref in found.records] == ["b", "c", "d"]
    assert found.at == local("2025-04-02T12:00:00")


def test_breach_order_is_by_time_not_by_line(tmp_path: Path) -> None:
    rows = [rec("c", "2025-03-01T00:00:00", ok=False), rec("a", "2025-01-01T00:00:00", ok=False),
            rec("b", "2025-02-01T00:00:00", ok=False)]
    found = only(run(tmp_path, WITHIN_90D, rows)).disqualification
    assert found is not None
    assert [ref.id for ref in found.records] == ["a", "b", "c"]
    assert found.at == local("2025-03-01T00:00:00")


def test_on_any_breach(tmp_path: Path) -> None:
    standards = "  s:\n    require: ok\n    window: per month\n    disqualify: on any breach\n"
    rows = [rec("late", "2025-05-01T00:00:00", ok=False), rec("early", "2025-02-03T04:05:06",
                                                              ok=False)]
    found = only(run(tmp_path, standards, rows)).disqualification
    assert found is not None
    assert [ref.id for ref in found.records] == ["early"]
    assert found.at == local("2025-02-03T04:05:06")


def test_a_standards_disqualification_is_its_earliest_rule(tmp_path: Path) -> None:
    standards = """\
  s:
    require: ok
    target: 90% per month
    disqualify:
      - after 2 consecutive missed months
      - after 3 breaches within 30d
"""
    # three breaches within 16 days of January complete the second rule on 17 January;
    # the first rule completes only at the end of February
    rows = [rec("a", "2025-01-01T10:00:00", ok=False), rec("b", "2025-01-13T10:00:00", ok=False),
            rec("c", "2025-01-17T10:00:00", ok=False), rec("d", "2025-02-10T10:00:00", ok=False)]
    found = only(run(tmp_path, standards, rows)).disqualification
    assert found is not None
    assert found.at == local("2025-01-17T10:00:00")
    assert [ref.id for ref in found.records] == ["a", "b", "c"]


def test_contract_disqualification_is_the_earliest(tmp_path: Path) -> None:
    standards = CONSECUTIVE + WITHIN_90D.replace("  s:", "  t:")
    rows = [rec("a", "2025-01-01T00:00:00", ok=False), rec("b", "2025-02-01T00:00:00", ok=False),
            rec("c", "2025-03-01T00:00:00", ok=False)]
    result = run(tmp_path, standards, rows)
    first, second = result.standards
    assert first.disqualification is not None
    assert first.disqualification.at == local("2025-04-01T00:00:00")
    assert second.disqualification is not None
    assert second.disqualification.at == local("2025-03-01T00:00:00")
    assert result.disqualification == second.disqualification


# every line accounted for


def test_records_outside_the_effective_period(tmp_path: Path) -> None:
    rows: list[Row] = [
        {"id": "before", "at": "2024-12-31T15:59:59Z"},  # 23:59:59 on 31 Dec 2024 in Shanghai
        {"id": "first", "at": "2024-12-31T16:00:00Z"},   # midnight, 1 Jan 2025
        {"id": "last", "at": "2025-12-31T15:59:59Z"},    # 23:59:59 on 31 Dec 2025
        {"id": "after", "at": "2025-12-31T16:00:00Z"},   # midnight, 1 Jan 2026
    ]
    result = run(tmp_path, TARGET_97, rows)
    assert (result.lines.read, result.lines.accepted, result.lines.rejected) == (4, 4, 0)
    assert result.lines.outside == 2
    assert counts(only(result)) == [("2025-01", (), 1, 0, 0, 0), ("2025-12", (), 1, 0, 0, 0)]


def test_read_is_accepted_plus_rejected(tmp_path: Path) -> None:
    rows: list[Row] = [
        rec("a", "2025-01-02T10:00:00"),
        "not json",
        rec("b", "2025-01-02T10:00:00", office="SHA"),
        rec("a", "2025-01-03T10:00:00"),
        {"id": "c"},
        rec("d", "2025-01-04T10:00:00", ok=False),
    ]
    result = run(tmp_path, TARGET_97, rows)
    lines = result.lines
    assert (lines.read, lines.accepted, lines.rejected) == (6, 2, 4)
    assert lines.read == lines.accepted + lines.rejected
    assert [(r.line, r.field) for r in lines.rejections] == [
        (2, None), (3, "office"), (4, "id"), (5, "at")
    ]
    assert counts(only(result)) == [("2025-01", (), 1, 1, 0, 0)]


def test_gzip_and_several_inputs(tmp_path: Path) -> None:
    first = write(tmp_path / "one.jsonl", [rec("a", "2025-01-02T10:00:00")])
    second = tmp_path / "two.jsonl.gz"
    with gzip.open(second, "wt", encoding="utf-8") as out:
        out.write(json.dumps(rec("b", "2025-01-03T10:00:00", ok=False)) + "\n")
    contract = load_contract_text(HEAD + TARGET_97, "c.yaml")
    result = verify(contract, [str(first), str(second)], as_of=AS_OF)
    assert (result.lines.read, result.lines.accepted) == (2, 2)
    [window] = only(result).windows
    assert window.breaches == (RecordRef("b", 1, str(second)),)
    assert [item.path for item in result.inputs] == [str(first), str(second)]


def test_evidence_is_limited_but_counts_are_not(tmp_path: Path) -> None:
    standard = only(run(tmp_path, TARGET_97, [*month(1, 0, 5)], evidence_limit=2))
    [window] = standard.windows
    assert window.breached == 5
    assert [ref.line for ref in window.breaches] == [1, 2]


# State.merge: the states of two parts add up to the state of the whole

MERGE = """\
  s:
    require: delivered within 24h of picked
    except:
      - when: fm
        reason: force majeure
    target: 60% per month by office
    penalty: value per breach, at most 500.00 CNY per month
    credit: 5% of fee per missed month
    disqualify:
      - after 2 consecutive missed months
      - after 3 breaches within 30d
"""


def _merge_rows() -> list[Row]:
    rows: list[Row] = []
    for number in range(1, 4):
        for index in range(6):
            at = f"2025-{number:02d}-{index * 4 + 1:02d}T10:00:00"
            picked = at + "+08:00"
            hours = 20 if index % 3 else 30
            row = rec(f"{number}-{index}", at, office="TSN" if index % 2 else "PEK",
                      picked=picked, value=f"{index * 100 + number}.50", fm=index == 5)
            if index != 4:
                delivered = datetime.fromisoformat(picked) + timedelta(hours=hours)
                row["delivered"] = delivered.isoformat()
            rows.append(row)
        rows.append("garbage")
    return rows


def _plan() -> Plan:
    contract = load_contract_text(HEAD + MERGE, "c.yaml")
    return compile_plan(check(contract), AS_OF)


def _merged(plan: Plan, first: Path, second: Path) -> Result:
    state: State = run_stream(plan, [str(first)])
    state.merge(run_stream(plan, [str(second)]))
    return conclude(plan, state)


@pytest.mark.parametrize("split", [1, 5, 7, 12, 20])
def test_merged_states_give_the_result_of_the_whole(tmp_path: Path, split: int) -> None:
    plan = _plan()
    rows = _merge_rows()
    first = write(tmp_path / "part1.jsonl", rows[:split])
    second = write(tmp_path / "part2.jsonl", rows[split:])
    whole = conclude(plan, run_stream(plan, [str(first), str(second)]))
    assert _merged(plan, first, second) == whole


def _figures(result: Result) -> Any:
    """What does not depend on how the data was cut into files."""
    standard = only(result)
    disqualification = standard.disqualification
    return (
        (result.lines.read, result.lines.accepted, result.lines.rejected, result.lines.outside),
        counts(standard),
        [w.exclusions for w in standard.windows],
        [(p.label, p.gross, p.net, p.breaches) for p in standard.penalty_windows],
        standard.penalties,
        [(c.label, c.amount) for c in standard.credits],
        standard.missed_windows,
        standard.overdue_open_total,
        standard.record_penalties_total,
        None if disqualification is None else (
            disqualification.rule, disqualification.at,
            [ref.id for ref in disqualification.records], disqualification.windows,
        ),
    )


def test_merged_parts_give_the_figures_of_the_single_file(tmp_path: Path) -> None:
    plan = _plan()
    rows = _merge_rows()
    single = write(tmp_path / "all.jsonl", rows)
    whole = conclude(plan, run_stream(plan, [str(single)]))
    first = write(tmp_path / "part1.jsonl", rows[:10])
    second = write(tmp_path / "part2.jsonl", rows[10:])
    merged = _merged(plan, first, second)
    assert _figures(merged) == _figures(whole)
    # and the figures are the ones worked out by hand
    standard = only(whole)
    assert (whole.lines.read, whole.lines.accepted, whole.lines.rejected) == (21, 18, 3)
    # per month: PEK has one on time, one 30 h late and one never delivered (overdue);
    # TSN has one on time, one 30 h late and one force majeure
    assert counts(standard) == [
        ("2025-01", (("office", "PEK"),), 1, 2, 0, 0),
        ("2025-01", (("office", "TSN"),), 1, 1, 0, 1),
        ("2025-02", (("office", "PEK"),), 1, 2, 0, 0),
        ("2025-02", (("office", "TSN"),), 1, 1, 0, 1),
        ("2025-03", (("office", "PEK"),), 1, 2, 0, 0),
        ("2025-03", (("office", "TSN"),), 1, 1, 0, 1),
    ]
    # breaches cost n.50 + 300n.50 + 400n.50 in month n: 704.50, 707.50, 710.50, capped at 500
    assert [(p.gross, p.net) for p in standard.penalty_windows] == [
        (Decimal("704.50"), Decimal("500.00")),
        (Decimal("707.50"), Decimal("500.00")),
        (Decimal("710.50"), Decimal("500.00")),
    ]
    assert standard.penalties == Decimal("1500.00")
    assert standard.overdue_open_total == 3


def test_merge_does_not_depend_on_the_order_of_file_names(tmp_path: Path) -> None:
    # the same as above with the first part's name sorting after the second's
    plan = _plan()
    rows = _merge_rows()
    first = write(tmp_path / "z-first.jsonl", rows[:10])
    second = write(tmp_path / "a-second.jsonl", rows[10:])
    whole = conclude(plan, run_stream(plan, [str(first), str(second)]))
    assert _merged(plan, first, second) == whole


def test_empty_state_is_neutral(tmp_path: Path) -> None:
    plan = _plan()
    data = write(tmp_path / "d.jsonl", _merge_rows())
    alone = conclude(plan, run_stream(plan, [str(data)]))
    state = State.empty(plan)
    state.merge(run_stream(plan, [str(data)]))
    assert conclude(plan, state) == alone


def test_as_of_is_aware() -> None:
    contract = load_contract_text(HEAD + TARGET_97, "c.yaml")
    with pytest.raises(ValueError, match="aware"):
        compile_plan(check(contract), datetime(2025, 1, 1))
    assert compile_plan(check(contract), datetime(2025, 1, 1, tzinfo=UTC)).as_of.tzinfo is UTC


def test_a_penalty_that_needs_an_absent_field_is_reported_unpriced(tmp_path: Path) -> None:
    text = contract_yaml(
        "ok: bool",
        "charge: {type: money, optional: true}",
        standards="  s:\n    require: ok\n    window: per month\n    penalty: charge per breach\n",
    )
    data = tmp_path / "d.jsonl"
    rows = [
        {"id": "a", "at": "2025-01-05T00:00:00Z", "ok": False, "charge": "12.50"},
        {"id": "b", "at": "2025-01-06T00:00:00Z", "ok": False},
        {"id": "c", "at": "2025-01-07T00:00:00Z", "ok": True},
    ]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    contract = load_contract_text(text, "c.yaml")
    [standard] = verify(contract, [str(data)], as_of=datetime(2025, 3, 1, tzinfo=UTC)).standards
    assert standard.breaches == 2
    assert standard.penalties == Decimal("12.50")
    assert standard.unpriced_total == 1
    assert [ref.id for ref in standard.unpriced] == ["b"]
