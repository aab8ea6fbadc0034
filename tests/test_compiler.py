"""Compiled clauses: three-valued deadlines, Kleene logic, exact arithmetic, `in`, percentages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from slacheck import ast
from slacheck.calendars import Months, add_months
from slacheck.checker import CheckedContract, check
from slacheck.compiler import (
    BREACH,
    OVERDUE,
    PASS,
    PENDING,
    ClauseEvaluationError,
    Compiler,
    Truth,
)
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml

D = Decimal

BASE = contract_yaml(
    "start: {type: timestamp, optional: true}",
    "end: {type: timestamp, optional: true}",
    "limit: {type: duration, optional: true}",
    "value: money",
    "weight: {type: decimal, optional: true}",
    "office: {type: enum, values: [TSN, PEK]}",
    "ok: {type: bool, optional: true}",
    "ok2: {type: bool, optional: true}",
    "fine: bool",
    parameters="fee: 1000.00 CNY",
)

AS_OF = datetime(2025, 1, 10, tzinfo=UTC)
# 2025-01-01T00:00+08:00 is 2024-12-31T16:00Z; 24 hours later is 2025-01-01T16:00Z
START = datetime.fromisoformat("2025-01-01T00:00:00+08:00")
DEADLINE_24H = datetime(2025, 1, 1, 16, 0, tzinfo=UTC)
US = timedelta(microseconds=1)


def _checked(require: str, derived: str | None = None) -> CheckedContract:
    text = BASE
    if derived is not None:
        text += f"derived:\n  x: {derived}\n"
    text += f"standards:\n  s:\n    require: {require}\n    window: per month\n"
    return check(load_contract_text(text, "c.yaml"))


def _expr(node: ast.Node) -> ast.Expr:
    return cast(ast.Expr, node)


def truth_of(require: str, record: dict[str, Any], as_of: datetime = AS_OF) -> int:
    checked = _checked(require)
    compiled = Compiler(checked, as_of).truth(_expr(checked.contract.standards[0].require.node))
    return compiled(record)


def value_of(expr: str, record: dict[str, Any]) -> Any:
    checked = _checked("fine", derived=expr)
    compiled = Compiler(checked, AS_OF).value(_expr(checked.contract.derived[0].clause.node))
    return compiled(record)


def rec(**values: Any) -> dict[str, Any]:
    """A record as the reader makes it: every declared field, absent optional ones None."""
    record: dict[str, Any] = {
        "_line": 1, "id": "r1", "at": START, "start": None, "end": None, "limit": None,
        "value": D("0"), "weight": None, "office": "TSN", "ok": None, "ok2": None, "fine": True,
    }
    record.update(values)
    return record


DEADLINE = "end within 24h of start"


# deadlines


def test_exactly_the_limit_passes() -> None:
    assert truth_of(DEADLINE, rec(start=START, end=DEADLINE_24H)) == PASS


def test_one_microsecond_past_the_limit_breaches() -> None:
    assert truth_of(DEADLINE, rec(start=START, end=DEADLINE_24H + US)) == BREACH


def test_well_within_the_limit_passes() -> None:
    end = datetime.fromisoformat("2025-01-01T09:30:00+08:00")
    assert truth_of(DEADLINE, rec(start=START, end=end)) == PASS


def test_an_event_before_its_start_is_within_the_deadline() -> None:
    end = datetime.fromisoformat("2024-12-31T23:00:00+08:00")
    assert truth_of(DEADLINE, rec(start=START, end=end)) == PASS


def test_offsets_do_not_matter() -> None:
    # 2025-01-02T01:00+09:00 is 2025-01-01T16:00Z: exactly 24 hours after START
    end = datetime.fromisoformat("2025-01-02T01:00:00+09:00")
    assert truth_of(DEADLINE, rec(start=START, end=end)) == PASS
    assert truth_of(DEADLINE, rec(start=START, end=end + US)) == BREACH


def test_absent_event_before_the_deadline_is_pending() -> None:
    as_of = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert truth_of(DEADLINE, rec(start=START), as_of) == PENDING


def test_absent_event_after_the_deadline_is_overdue() -> None:
    assert truth_of(DEADLINE, rec(start=START), AS_OF) == OVERDUE


def test_as_of_exactly_at_the_deadline_is_still_pending() -> None:
    assert truth_of(DEADLINE, rec(start=START), DEADLINE_24H) == PENDING


def test_as_of_one_microsecond_past_the_deadline_is_overdue() -> None:
    assert truth_of(DEADLINE, rec(start=START), DEADLINE_24H + US) == OVERDUE


def test_as_of_in_another_zone() -> None:
    # 2025-01-02T00:00+08:00 is exactly the deadline; one microsecond later is overdue
    as_of = datetime.fromisoformat("2025-01-02T00:00:00+08:00")
    assert truth_of(DEADLINE, rec(start=START), as_of) == PENDING
    assert truth_of(DEADLINE, rec(start=START), as_of + US) == OVERDUE


def test_absent_start_is_pending() -> None:
    assert truth_of(DEADLINE, rec(end=DEADLINE_24H)) == PENDING
    assert truth_of(DEADLINE, rec()) == PENDING


def test_fractional_limit() -> None:
    require = "end within 1.5h of start"
    assert truth_of(require, rec(start=START, end=START + timedelta(minutes=90))) == PASS
    assert truth_of(require, rec(start=START, end=START + timedelta(minutes=90) + US)) == BREACH


def test_limit_from_a_field() -> None:
    require = "end within limit of start"
    limit = timedelta(minutes=15)
    assert truth_of(require, rec(start=START, end=START + limit, limit=limit)) == PASS
    assert truth_of(require, rec(start=START, end=START + limit + US, limit=limit)) == BREACH
    assert truth_of(require, rec(start=START, end=START, limit=None)) == PENDING
    as_of = START + limit
    assert truth_of(require, rec(start=START, limit=limit), as_of) == PENDING
    assert truth_of(require, rec(start=START, limit=limit), as_of + US) == OVERDUE


def test_deadline_with_arithmetic() -> None:
    # end must come within 1h of (start + 1h): by 2025-01-01T02:00+08:00
    require = "end within 1h of start + 1h"
    assert truth_of(require, rec(start=START, end=START + timedelta(hours=2))) == PASS
    assert truth_of(require, rec(start=START, end=START + timedelta(hours=2) + US)) == BREACH


def _derived_deadline(as_of: datetime = AS_OF) -> Truth:
    checked = _checked("x", derived=DEADLINE)
    return Compiler(checked, as_of).truth(_expr(checked.contract.standards[0].require.node))


def test_a_derived_deadline_passes_breaches_and_waits_like_the_inline_one() -> None:
    compiled = _derived_deadline()
    assert compiled(rec(start=START, end=DEADLINE_24H)) == PASS
    assert compiled(rec(start=START, end=DEADLINE_24H + US)) == BREACH
    assert compiled(rec(end=DEADLINE_24H)) == PENDING
    assert _derived_deadline(DEADLINE_24H)(rec(start=START)) == PENDING


def test_a_derived_deadline_is_overdue_like_the_inline_one() -> None:
    assert _derived_deadline()(rec(start=START)) == OVERDUE


# Kleene logic with pending

P, B, U = PASS, BREACH, PENDING
AS_BOOL = {P: True, B: False, U: None}


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (P, P, P), (P, B, B), (P, U, U),
        (B, P, B), (B, B, B), (B, U, B),
        (U, P, U), (U, B, B), (U, U, U),
    ],
)
def test_and_is_kleene(left: int, right: int, expected: int) -> None:
    record = rec(ok=AS_BOOL[left], ok2=AS_BOOL[right])
    assert truth_of("ok and ok2", record) == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (P, P, P), (P, B, P), (P, U, P),
        (B, P, P), (B, B, B), (B, U, U),
        (U, P, P), (U, B, U), (U, U, U),
    ],
)
def test_or_is_kleene(left: int, right: int, expected: int) -> None:
    record = rec(ok=AS_BOOL[left], ok2=AS_BOOL[right])
    assert truth_of("ok or ok2", record) == expected


@pytest.mark.parametrize(("operand", "expected"), [(P, B), (B, P), (U, U)])
def test_not_is_kleene(operand: int, expected: int) -> None:
    assert truth_of("not ok", rec(ok=AS_BOOL[operand])) == expected


def test_a_required_bool_is_its_own_truth() -> None:
    assert truth_of("fine", rec(fine=True)) == PASS
    assert truth_of("fine", rec(fine=False)) == BREACH


def test_overdue_survives_and_or() -> None:
    overdue = rec(start=START, fine=True)
    assert truth_of(f"{DEADLINE} and fine", overdue) == OVERDUE
    assert truth_of(f"fine and {DEADLINE}", overdue) == OVERDUE
    assert truth_of(f"{DEADLINE} and ok", overdue) == OVERDUE
    assert truth_of(f"{DEADLINE} or not fine", overdue) == OVERDUE
    assert truth_of(f"{DEADLINE} or fine", overdue) == PASS
    assert truth_of(f"{DEADLINE} or ok", overdue) == PENDING


def test_not_of_an_overdue_deadline_passes() -> None:
    assert truth_of(f"not ({DEADLINE})", rec(start=START)) == PASS


def test_pending_deadline_and_a_breach_is_a_breach() -> None:
    as_of = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert truth_of(f"{DEADLINE} and fine", rec(start=START, fine=False), as_of) == BREACH


def test_comparison_with_an_absent_value_is_pending() -> None:
    assert truth_of("weight > 1", rec()) == PENDING
    assert truth_of("weight > 1", rec(weight=D("1.5"))) == PASS
    assert truth_of("1 < weight", rec(weight=D("0.5"))) == BREACH


# arithmetic


def test_money_arithmetic_is_exact() -> None:
    record = rec(value=D("0.10"))
    assert value_of("value * 3", record) == D("0.30")
    assert value_of("value + 0.20 CNY", record) == D("0.30")
    assert value_of("value - 0.10 CNY", record) == D("0")
    assert value_of("-value", record) == D("-0.10")
    assert isinstance(value_of("value * 3", record), Decimal)


def test_money_sum_compares_exactly() -> None:
    # 0.1 + 0.2 == 0.3 in decimal, not in binary floating point
    assert truth_of("value + 0.2 CNY == 0.3 CNY", rec(value=D("0.1"))) == PASS


def test_money_division() -> None:
    assert value_of("value / 4", rec(value=D("1.00"))) == D("0.25")
    assert value_of("value / fee", rec(value=D("250.00"))) == D("0.25")


def test_percent_of_money() -> None:
    # 5% of 42973.59 = 2148.6795, exactly
    assert value_of("5% of value", rec(value=D("42973.59"))) == D("2148.6795")
    assert value_of("10.5% of fee", rec()) == D("105")
    assert value_of("12.5% of value", rec(value=D("0.08"))) == D("0.01")
    assert truth_of("5% of value == 2148.6795 CNY", rec(value=D("42973.59"))) == PASS


def test_parameters_are_constants() -> None:
    assert value_of("fee * 2", rec()) == D("2000.00")
    checked = _checked("fine", derived="fee + 0.50 CNY")
    compiler = Compiler(checked, AS_OF)
    assert compiler.constant(_expr(checked.contract.derived[0].clause.node)) == D("1000.50")


def test_duration_arithmetic() -> None:
    record = rec(start=START, end=START + timedelta(hours=3))
    assert value_of("end - start", record) == timedelta(hours=3)
    assert value_of("(end - start) * 2", record) == timedelta(hours=6)
    assert value_of("2 * (end - start)", record) == timedelta(hours=6)
    assert value_of("(end - start) / 2", record) == timedelta(minutes=90)
    assert value_of("(end - start) / 1h", record) == D(3)
    assert value_of("(end - start) + 15min", record) == timedelta(hours=3, minutes=15)
    assert value_of("50% of (end - start)", record) == timedelta(minutes=90)


def test_timestamp_arithmetic() -> None:
    record = rec(start=START)
    assert value_of("start + 1.5h", record) == datetime(2024, 12, 31, 17, 30, tzinfo=UTC)
    assert value_of("2h + start", record) == datetime(2024, 12, 31, 18, 0, tzinfo=UTC)
    assert value_of("start - 15min", record) == datetime(2024, 12, 31, 15, 45, tzinfo=UTC)
    assert truth_of("start + 24h == end", rec(start=START, end=DEADLINE_24H)) == PASS


def test_absent_operand_gives_absent_value() -> None:
    assert value_of("end - start", rec(start=START)) is None
    assert value_of("start + 1h", rec()) is None
    assert value_of("weight * 2", rec()) is None


# `in` lists


def test_in_enum_list() -> None:
    assert truth_of("office in [TSN, PEK]", rec(office="PEK")) == PASS
    assert truth_of("office in [TSN]", rec(office="PEK")) == BREACH
    assert truth_of('office in ["TSN"]', rec(office="TSN")) == PASS


def test_not_in() -> None:
    assert truth_of("office not in [TSN]", rec(office="PEK")) == PASS
    assert truth_of("office not in [TSN]", rec(office="TSN")) == BREACH


def test_in_numbers_compares_values() -> None:
    assert truth_of("weight in [1, 2.5]", rec(weight=D("2.50"))) == PASS
    assert truth_of("weight in [1, 2.5]", rec(weight=D("2.51"))) == BREACH
    assert truth_of("value in [1000.00 CNY]", rec(value=D("1000"))) == PASS


def test_in_with_an_absent_value_is_pending() -> None:
    assert truth_of("weight in [1, 2]", rec()) == PENDING
    assert truth_of("weight not in [1, 2]", rec()) == PENDING


def test_in_with_items_from_the_record() -> None:
    assert truth_of("value in [fee, value * 2]", rec(value=D("0"))) == PASS
    assert truth_of("value in [fee, value + 1.00 CNY]", rec(value=D("5"))) == BREACH
    assert truth_of("1 in [weight]", rec()) == PENDING


def test_empty_list() -> None:
    assert truth_of("office in []", rec()) == BREACH
    assert truth_of("office not in []", rec()) == PASS


# events that have not happened yet lie at or after the evaluation time (AS_OF, 10 January)

BEFORE = datetime(2025, 1, 9, tzinfo=UTC)
AFTER = datetime(2025, 1, 11, tzinfo=UTC)


@pytest.mark.parametrize(("require", "deadline", "expected"), [
    # end absent: end >= 10 Jan, so end <= 9 Jan is false (overdue), end <= 11 Jan unknown
    ("end <= at", BEFORE, OVERDUE),
    ("end <= at", AFTER, PENDING),
    ("end <= at", AS_OF, PENDING),        # it may still happen at exactly the evaluation time
    ("end < at", AS_OF, OVERDUE),
    ("at >= end", BEFORE, OVERDUE),
    ("end > at", BEFORE, PASS),
    ("end > at", AS_OF, PENDING),
    ("end >= at", AS_OF, PASS),
    ("end == at", BEFORE, OVERDUE),
    ("end != at", BEFORE, PASS),
    ("not (end > at)", BEFORE, OVERDUE),   # the negation of a pass decided by absence
    ("not (end <= at)", BEFORE, PASS),
    ("end - at <= 0h", BEFORE, OVERDUE),   # end - 9 Jan >= 1 day
    ("end - at <= 2d", BEFORE, PENDING),
    ("at - end >= 0h", BEFORE, OVERDUE),   # 9 Jan - end <= -1 day
    ("-(end - at) >= 0h", BEFORE, OVERDUE),
    ("(end - at) * 2 <= 1d", BEFORE, OVERDUE),   # at least 2 days
    ("(end - at) * -1 >= -1d", BEFORE, PENDING),  # at most -1 day: -1d >= -1d may hold
    ("(end - at) * -1 > -1d", BEFORE, OVERDUE),
    ("50% of (end - at) <= 12h", BEFORE, PENDING),  # at least 12 h: exactly 12 h may hold
    ("50% of (end - at) < 12h", BEFORE, OVERDUE),
    ("end - start <= 1d", BEFORE, PENDING),  # both absent: nothing is known
    ("end <= at and fine", BEFORE, OVERDUE),
    ("end <= at or fine", BEFORE, PASS),
])
def test_absent_events_are_bounded_by_the_evaluation_time(
    require: str, deadline: datetime, expected: int
) -> None:
    assert truth_of(require, rec(at=deadline)) == expected


def test_an_open_value_reads_as_unknown_outside_comparisons() -> None:
    assert value_of("end - at", rec(at=BEFORE)) is None


# functions, conditionals and lookup tables (language depth I)

TABLES = """\
tables:
  tier_of: {K1: key, S1: suitable}
  allowance:
    values: {key: 24h, suitable: 48h}
    default: 72h
    changes:
      - {from: "2025-01-05", values: {key: 12h}}
"""


def _with(expr: str, tables: str = TABLES, head: str | None = None) -> Compiler:
    text = BASE if head is None else BASE.replace(
        "contract: {id: demo, currency: CNY, timezone: Asia/Shanghai}", head)
    text += tables
    text += f"derived:\n  x: {expr}\n"
    text += "standards:\n  s:\n    require: fine\n    window: per month\n"
    return Compiler(check(load_contract_text(text, "c.yaml")), AS_OF)


def derived_value(expr: str, record: dict[str, Any], **options: Any) -> Any:
    compiler = _with(expr, **options)
    return compiler.value(_expr(compiler.checked.contract.derived[0].clause.node))(record)


@pytest.mark.parametrize(("expr", "weight", "expected"), [
    ("floor(weight)", "3", "3"), ("floor(weight)", "2.999", "2"), ("floor(weight)", "-0.5", "-1"),
    ("ceil(weight)", "3", "3"), ("ceil(weight)", "3.001", "4"), ("ceil(weight)", "-0.5", "0"),
    ("round(weight)", "2.5", "3"), ("round(weight)", "2.4999", "2"),
    ("round(weight)", "-2.5", "-3"), ("round(weight, 2)", "0.125", "0.13"),
    ("round(weight, 2)", "0.1249", "0.12"), ("abs(weight)", "-1.5", "1.5"),
    ("min(weight, 2, 5)", "3", "2"), ("max(weight, 2)", "3", "3"),
])
def test_functions_compute_exactly(expr: str, weight: str, expected: str) -> None:
    found = derived_value(expr, rec(weight=D(weight)))
    assert str(found) == expected  # as written: never `-0`, two places kept


def test_round_follows_the_contracts_rounding() -> None:
    head = ("contract: {id: demo, currency: CNY, timezone: Asia/Shanghai, "
            "rounding: half_even}")
    assert derived_value("round(weight)", rec(weight=D("2.5")), head=head) == D(2)
    assert derived_value("round(weight)", rec(weight=D("3.5")), head=head) == D(4)


@pytest.mark.parametrize(("rounding", "weight", "expected"), [
    ("down", "1.49", "1.4"), ("down", "-1.49", "-1.4"),  # towards zero
    ("up", "1.41", "1.5"), ("up", "-1.41", "-1.5"),      # away from zero
    ("up", "1.40", "1.4"),                               # nothing to round
])
def test_round_down_and_up(rounding: str, weight: str, expected: str) -> None:
    """Every `rounding:` a contract may give `round` takes (`down` and `up` were a KeyError)."""
    head = f"contract: {{id: demo, currency: CNY, timezone: Asia/Shanghai, rounding: {rounding}}}"
    found = derived_value("round(weight, 1)", rec(weight=D(weight)), head=head)
    assert str(found) == expected


def test_functions_of_money_and_time() -> None:
    assert derived_value("min(value, fee)", rec(value=D("1200.00"))) == D("1000.00")
    assert derived_value("round(value / 3, 2)", rec(value=D("100.00"))) == D("33.33")
    end = START + timedelta(hours=5)
    assert derived_value("max(start, end)", rec(start=START, end=end)) == end
    assert derived_value("abs(start - end)", rec(start=START, end=end)) == timedelta(hours=5)


def test_a_function_of_an_absent_value_is_absent() -> None:
    assert derived_value("min(weight, 2)", rec()) is None
    assert derived_value("floor(weight)", rec()) is None
    # an event not yet happened is unknown inside a function: pending, never a breach
    assert derived_value("max(start, end) > start", rec(start=START)) is None


def test_a_conditional_takes_its_branch() -> None:
    assert derived_value("if fine then weight else 0", rec(weight=D(7))) == D(7)
    assert derived_value("if fine then weight else 0", rec(fine=False, weight=D(7))) == D(0)


def test_a_conditional_on_an_absent_field_is_absent() -> None:
    assert derived_value("if ok then 1 else 0", rec()) is None
    assert derived_value("if ok then 1 else 0", rec(ok=False)) == D(0)
    assert derived_value("(if ok then 1 else 0) == 0", rec()) is None


def test_a_conditional_truth_keeps_an_overdue_breach() -> None:
    checked = _checked("if fine then end within 24h of start else true")
    truth = Compiler(checked, AS_OF).truth(_expr(checked.contract.standards[0].require.node))
    assert truth(rec(start=START)) == OVERDUE
    assert truth(rec(start=START, fine=False)) == PASS
    pending = _checked("if ok then true else false")
    compiled = Compiler(pending, AS_OF).truth(_expr(pending.contract.standards[0].require.node))
    assert compiled(rec()) == PENDING


def test_a_lookup_reads_its_table() -> None:
    assert derived_value('tier_of["K1"]', rec()) == "key"
    assert derived_value("allowance[office]", rec(office="TSN")) == timedelta(hours=72)


def test_a_key_the_table_lacks_is_an_evaluation_error() -> None:
    text = (BASE + TABLES).replace("    fine: bool\n", "    fine: bool\n    customer: string\n")
    text += "derived:\n  x: tier_of[customer]\n"
    text += "standards:\n  s:\n    require: fine\n    window: per month\n"
    compiler = Compiler(check(load_contract_text(text, "c.yaml")), AS_OF)
    value = compiler.value(_expr(compiler.checked.contract.derived[0].clause.node))
    assert value(rec(customer="S1")) == "suitable"
    assert value(rec(customer=None)) is None
    with pytest.raises(ClauseEvaluationError, match="`X9` is not a key of table `tier_of`"):
        value(rec(customer="X9"))


def test_a_dated_table_is_read_at_the_records_time_or_at_a_field() -> None:
    text = BASE.replace("    fine: bool\n", "    fine: bool\n    tier: string\n") + TABLES
    text += "derived:\n  x: allowance[tier]\n  y: allowance[tier at start]\n"
    text += "standards:\n  s:\n    require: fine\n    window: per month\n"
    compiler = Compiler(check(load_contract_text(text, "c.yaml")), AS_OF)
    x, y = (compiler.value(_expr(named.clause.node)) for named in compiler.checked.contract.derived)
    # the change takes effect at midnight of 2025-01-05 in Asia/Shanghai (16:00Z the day before)
    before = datetime.fromisoformat("2025-01-04T23:59:59+08:00")
    on = datetime.fromisoformat("2025-01-05T00:00:00+08:00")
    assert x(rec(tier="key", at=before)) == timedelta(hours=24)
    assert x(rec(tier="key", at=on)) == timedelta(hours=12)
    assert x(rec(tier="suitable", at=on)) == timedelta(hours=48)
    assert y(rec(tier="key", at=before, start=on)) == timedelta(hours=12)
    assert y(rec(tier="key", at=on, start=None)) is None
# time: dates, months in local wall time, between and intervals, business days

BERLIN = contract_yaml(
    "start: {type: timestamp, optional: true}",
    "end: {type: timestamp, optional: true}",
    "day: date",
    "mabd: date",
    "gap: duration",
    head="contract: {id: demo, currency: EUR, timezone: Europe/Berlin}",
).replace("records:", "calendars:\n  cn: {holidays: [2024-10-01, 2024-10-02, 2024-10-03, "
          "2024-10-04, 2024-10-07], workdays: [2024-09-29, 2024-10-12]}\nrecords:")


def berlin(require: str, record: dict[str, Any], as_of: datetime = AS_OF) -> int:
    text = BERLIN + f"standards:\n  s:\n    require: {require}\n    window: per month\n"
    checked = check(load_contract_text(text, "c.yaml"))
    return Compiler(checked, as_of).truth(_expr(checked.contract.standards[0].require.node))(
        {"at": START, "day": date(2024, 7, 5), "mabd": date(2024, 7, 5),
         "gap": timedelta(days=1), **record})


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)  # leap year
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 30), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), 1) == date(2024, 4, 30)
    assert add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    # not undone by going back: Mar 31 - 1 month + 1 month is Mar 29
    assert add_months(add_months(date(2024, 3, 31), -1), 1) == date(2024, 3, 29)


def test_months_are_added_in_local_wall_time_across_a_clock_change() -> None:
    zone = ZoneInfo("Europe/Berlin")
    winter = datetime.fromisoformat("2024-03-15T12:00:00+01:00")
    summer = winter + Months(1, zone)
    assert summer.isoformat() == "2024-04-15T12:00:00+02:00"
    assert summer - winter == timedelta(days=31, hours=-1)  # 30 days 23 hours apart
    back = datetime.fromisoformat("2024-10-15T12:00:00+02:00") + Months(1, zone)
    assert back.isoformat() == "2024-11-15T12:00:00+01:00"
    # a wall time the spring change skips is read as before the change: 02:30 +01:00
    skipped = datetime.fromisoformat("2024-02-29T02:30:00+01:00") + Months(1, zone)
    assert skipped.isoformat() == "2024-03-29T02:30:00+01:00"
    gap = datetime.fromisoformat("2024-02-29T02:30:00+01:00") - Months(-1, zone)
    assert gap.isoformat() == "2024-03-29T02:30:00+01:00"
    assert datetime.fromisoformat("2024-01-31T23:30:00+00:00") + Months(1, zone) == \
        datetime.fromisoformat("2024-03-01T00:30:00+01:00")  # Feb 1 00:30 local, not Feb 29
    assert date(2024, 1, 31) + Months(12, zone) == date(2025, 1, 31)


def test_within_months_at_its_edge() -> None:
    start = datetime.fromisoformat("2024-01-31T10:00:00+01:00")
    due = datetime.fromisoformat("2024-02-29T10:00:00+01:00")
    within = "end within 1 month of start"
    assert berlin(within, {"start": start, "end": due}) == PASS
    assert berlin(within, {"start": start, "end": due + US}) == BREACH
    assert berlin(within, {"start": start, "end": None}, as_of=due) == PENDING
    assert berlin(within, {"start": start, "end": None}, as_of=due + US) == OVERDUE


def test_dates_move_by_whole_days_and_are_days_apart() -> None:
    assert berlin("day - 1d == 2024-07-04", {}) == PASS
    assert berlin("mabd - day == 0d", {"mabd": date(2024, 7, 5)}) == PASS
    assert berlin("mabd - day == 3d", {"mabd": date(2024, 7, 8)}) == PASS
    assert berlin("day + gap == 2024-07-06", {}) == PASS
    with pytest.raises(ClauseEvaluationError, match="a date moves by whole days: `gap`"):
        berlin("day + gap == 2024-07-06", {"gap": timedelta(hours=36)})


@pytest.mark.parametrize(("delivered", "outcome"), [
    (date(2024, 7, 3), BREACH), (date(2024, 7, 4), PASS), (date(2024, 7, 5), PASS),
    (date(2024, 7, 6), BREACH)])
def test_between_includes_both_ends(delivered: date, outcome: int) -> None:
    assert berlin("day between mabd - 1d and mabd", {"day": delivered}) == outcome


def test_between_with_an_open_event() -> None:
    clause = "end between start and start + 1h"
    start = datetime(2025, 1, 9, tzinfo=UTC)
    assert berlin(clause, {"start": start, "end": None}) == OVERDUE  # as_of is past the end
    assert berlin(clause, {"start": start, "end": None},
                  as_of=datetime(2025, 1, 9, 0, 30, tzinfo=UTC)) == PENDING


@pytest.mark.parametrize(("hour", "closed_open", "open_closed"), [
    (-1, BREACH, BREACH), (0, PASS, BREACH), (23, PASS, PASS), (24, BREACH, PASS),
    (25, BREACH, BREACH)])
def test_interval_ends(hour: int, closed_open: int, open_closed: int) -> None:
    moment = datetime.fromisoformat("2024-07-05T00:00:00+08:00") + timedelta(hours=hour)
    interval = "2024-07-05T00:00+08:00, 2024-07-06T00:00+08:00"
    assert berlin(f"start in [{interval})", {"start": moment}) == closed_open
    assert berlin(f"start in ({interval}]", {"start": moment}) == open_closed
    assert berlin(f"start not in [{interval})", {"start": moment}) == 1 - closed_open


# Calendar `cn`, Berlin time: Oct 1-4 and 7 are holidays, Sat Oct 12 a workday.
@pytest.mark.parametrize(("booked", "due"), [
    ("2024-09-27T16:59:59+02:00", "2024-09-29"),  # Fri before the cut-off: Sun 29 is worked
    ("2024-09-27T17:00:00+02:00", "2024-09-30"),  # at the cut-off: counts from Sun 29
    ("2024-09-30T10:00:00+02:00", "2024-10-08"),  # Mon: the next business day is Tue 8
    ("2024-10-01T10:00:00+02:00", "2024-10-09"),  # a holiday counts from Tue 8
    ("2024-10-11T18:00:00+02:00", "2024-10-14"),  # Fri late: counts from Sat 12 (worked)
    ("2024-10-05T09:00:00+02:00", "2024-10-09"),  # Sat (not worked) counts from Tue 8
])
def test_next_business_day_with_a_cutoff(booked: str, due: str) -> None:
    clause = "end within 1 business day of start using cn with cutoff 17:00"
    start = datetime.fromisoformat(booked)
    day_ends = datetime.fromisoformat(due + "T00:00:00+02:00") + timedelta(days=1)
    assert berlin(clause, {"start": start, "end": day_ends - US}) == PASS
    assert berlin(clause, {"start": start, "end": day_ends}) == BREACH
    assert berlin(clause, {"start": start, "end": None}, as_of=day_ends - US) == PENDING
    assert berlin(clause, {"start": start, "end": None}, as_of=day_ends) == OVERDUE


def test_business_days_on_dates_and_without_cutoff() -> None:
    clause = "day within 2 business days of mabd using cn"
    # Mon Sep 30: two business days on, past the holidays, is Wed Oct 9
    assert berlin(clause, {"mabd": date(2024, 9, 30), "day": date(2024, 10, 9)}) == PASS
    assert berlin(clause, {"mabd": date(2024, 9, 30), "day": date(2024, 10, 10)}) == BREACH
    late = "end within 1 business day of start using cn"
    start = datetime.fromisoformat("2024-09-27T23:00:00+02:00")  # no cut-off: Fri counts
    assert berlin(late, {"start": start,
                         "end": datetime.fromisoformat("2024-09-29T23:59:00+02:00")}) == PASS


def test_between_and_intervals_are_inlined() -> None:
    text = BERLIN + ("standards:\n  s:\n    require: day between 2024-07-04 and mabd\n"
                     "    except: at in [2024-07-05T00:00+08:00, 2024-07-06T00:00+08:00)\n"
                     "    window: per month\n")
    checked = check(load_contract_text(text, "c.yaml"))
    compiler, constants = Compiler(checked, AS_OF), {}  # type: ignore[var-annotated]
    standard = checked.contract.standards[0]
    assert compiler.source(_expr(standard.require.node), constants) == \
        "(_c0 <= r['day'] <= r['mabd'])"
    assert compiler.source(_expr(standard.exclusions[0].when.node), constants) == \
        "(_c1 <= r['at'] < _c2)"
    assert constants["_c1"] == datetime(2024, 7, 4, 16, tzinfo=UTC)
