"""The checker: names resolved, types inferred, units and periods checked, with positions."""

from __future__ import annotations

import pytest

from slacheck import ast
from slacheck import types as t
from slacheck.checker import CheckedContract, check
from slacheck.diagnostics import ContractError, Diagnostic
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml, where

# `standards:` is line 29: the first standard's key is line 30, its first field line 31,
# and a clause after `    require: ` (13 characters) starts at column 14.
BASE = """\
slacheck: 1
contract:
  id: demo
  currency: CNY
  timezone: Asia/Shanghai
parameters:
  monthly_fee: 200000.00 CNY
  share: 5%
records:
  id: shipment_id
  time: booked_at
  fields:
    shipment_id: string
    service: {type: enum, values: [air_export, air_import, road]}
    office: {type: enum, values: [TSN, PEK]}
    booked_at: timestamp
    picked_up_at: {type: timestamp, optional: true}
    delivered_at: {type: timestamp, optional: true}
    value: money
    weight: decimal
    pieces: int
    shipped: int
    on_time_share: ratio
    complete: bool
    ship_date: {type: date, optional: true}
derived:
  transit: delivered_at - picked_up_at
  late: transit > 24h
standards:
"""


def contract_text(require: str, *more: str) -> str:
    lines = ["  s:", f"    require: {require}"]
    lines.extend(f"    {line}" for line in more)
    if not any(line.startswith(("target:", "window:")) for line in more):
        lines.append("    window: per month")
    return BASE + "\n".join(lines) + "\n"


def checked(require: str, *more: str) -> CheckedContract:
    return check(load_contract_text(contract_text(require, *more), "c.yaml"))


def errors_of(text: str) -> tuple[Diagnostic, ...]:
    contract = load_contract_text(text, "c.yaml")
    with pytest.raises(ContractError) as info:
        check(contract)
    found: tuple[Diagnostic, ...] = info.value.diagnostics
    return found


def errors(require: str, *more: str) -> tuple[Diagnostic, ...]:
    return errors_of(contract_text(require, *more))


def one_error(require: str, *more: str) -> Diagnostic:
    found = errors(require, *more)
    assert len(found) == 1, [d.render() for d in found]
    return found[0]



# a contract that checks


def test_a_good_contract_checks() -> None:
    result = checked(
        "delivered_at within 24h of picked_up_at and complete",
        "target: 97% per month by office",
        "penalty: 1000.00 CNY per breach, at most 10000.00 CNY per month",
        "credit: 5% of monthly_fee per missed month",
        "disqualify: after 3 consecutive missed months",
    )
    standard = result.contract.standards[0]
    assert result.type_of(standard.require.node) == t.BOOL


def test_derived_fields_are_typed() -> None:
    result = checked("complete")
    assert result.derived_types == {"transit": t.DURATION, "late": t.BOOL}


def test_parameters_are_typed() -> None:
    result = checked("complete")
    assert result.parameter_types == {"monthly_fee": t.money("CNY"), "share": t.RATIO}


def test_money_fields_take_the_contract_currency() -> None:
    result = checked("value > 0 CNY")
    node = result.contract.standards[0].require.node
    assert isinstance(node, ast.Compare)
    assert result.type_of(node.left) == t.money("CNY")


def test_derived_fields_and_parameters_are_usable() -> None:
    checked(
        "transit <= 24h and not late and value <= monthly_fee",
        "target: 97% per month",
        "penalty: value * share per breach",
        "credit: share * monthly_fee per missed month",
    )


@pytest.mark.parametrize(
    "require",
    [
        "pieces * 2 > weight",
        "value / 2 + 1.50 CNY >= value - 0.01 CNY",
        "value / monthly_fee < 1",
        "10.5% of value > 0 CNY",
        "booked_at + 2h >= picked_up_at",
        "2h + booked_at >= picked_up_at",
        "delivered_at - 30min > booked_at",
        "transit * 2 < 2d and transit / 2 < 1d and transit / 1h < 24",
        "-transit < 0h",
        "shipment_id != office",
        'ship_date == ship_date and shipment_id == "A1"',
        "complete == true or complete != false",
    ],
)
def test_well_typed_expressions(require: str) -> None:
    checked(require)


# unknown names: SLA201


def test_unknown_field_with_did_you_mean() -> None:
    diagnostic = one_error("deliverd_at within 24h of picked_up_at")
    assert where(diagnostic) == ("SLA201", 31, 14)
    assert diagnostic.message == "unknown field `deliverd_at`"
    assert diagnostic.hints == ("did you mean `delivered_at`?",)


def test_unknown_field_deep_in_a_clause() -> None:
    diagnostic = one_error("complete and delivered_at within 24h of pickd_up_at")
    # "complete and delivered_at within 24h of " is 40 characters after column 14
    assert where(diagnostic) == ("SLA201", 31, 54)
    assert diagnostic.hints == ("did you mean `picked_up_at`?",)


def test_unknown_field_with_nothing_close_has_no_hint() -> None:
    diagnostic = one_error("zzzzzz")
    assert where(diagnostic) == ("SLA201", 31, 14)
    assert diagnostic.hints == ()


def test_unknown_group_field() -> None:
    diagnostic = one_error("complete", "target: 97% per month by ofice")
    # `    target: 97% per month by ofice`: `ofice` is column 30 of line 32
    assert where(diagnostic) == ("SLA201", 32, 30)
    assert diagnostic.hints == ("did you mean `office`?",)


def test_unknown_field_in_a_derived_field() -> None:
    text = BASE.replace("  late: transit > 24h\n", "  late: transit > 24h\n  gross: valu * 2\n")
    [diagnostic] = errors_of(text + "  s:\n    require: complete\n    window: per month\n")
    # `  gross: valu * 2` is line 29
    assert where(diagnostic) == ("SLA201", 29, 10)
    assert diagnostic.hints == ("did you mean `value`?",)


def test_both_operands_are_reported() -> None:
    found = errors("valu > 1.00 CNY and deliverd_at within 24h of picked_up_at")
    assert [where(d) for d in found] == [("SLA201", 31, 14), ("SLA201", 31, 34)]
    assert [d.hints for d in found] == [
        ("did you mean `value`?",), ("did you mean `delivered_at`?",)
    ]


def test_errors_from_several_standards_come_together() -> None:
    text = BASE + (
        "  a:\n"
        "    require: complet\n"     # line 31
        "    window: per month\n"
        "  b:\n"
        "    require: value\n"       # line 34
        "    window: per month\n"
    )
    assert [where(d) for d in errors_of(text)] == [("SLA201", 31, 14), ("SLA202", 34, 14)]


# types: SLA202


def test_comparing_money_with_a_duration() -> None:
    diagnostic = one_error("value > 24h")
    assert where(diagnostic) == ("SLA202", 31, 14)
    assert "money[CNY]" in diagnostic.message
    assert "duration" in diagnostic.message


def test_require_must_be_boolean() -> None:
    diagnostic = one_error("value")
    assert where(diagnostic) == ("SLA202", 31, 14)
    assert "money[CNY]" in diagnostic.message
    assert "`require`" in diagnostic.message


def test_scope_and_exclusion_must_be_boolean() -> None:
    found = errors("complete", "for: weight", "except: booked_at")
    assert [where(d) for d in found] == [("SLA202", 32, 10), ("SLA202", 33, 13)]
    assert "number" in found[0].message
    assert "timestamp" in found[1].message


def test_and_needs_booleans() -> None:
    diagnostic = one_error("complete and value")
    assert where(diagnostic) == ("SLA202", 31, 27)
    assert "money[CNY]" in diagnostic.message


def test_not_needs_a_boolean() -> None:
    diagnostic = one_error("not weight")
    assert where(diagnostic) == ("SLA202", 31, 18)


@pytest.mark.parametrize(
    ("require", "left", "right"),
    [
        ("value + 1 > 0 CNY", "money[CNY]", "number"),
        ("booked_at + picked_up_at > booked_at", "timestamp", "timestamp"),
        ("value * value > 0 CNY", "money[CNY]", "money[CNY]"),
        ("transit + 1 > 0h", "duration", "number"),
    ],
)
def test_arithmetic_names_both_types(require: str, left: str, right: str) -> None:
    diagnostic = one_error(require)
    assert where(diagnostic) == ("SLA202", 31, 14)
    assert f"{left} and {right}" in diagnostic.message


def test_comparing_number_with_timestamp() -> None:
    diagnostic = one_error("weight < booked_at")
    assert "number" in diagnostic.message
    assert "timestamp" in diagnostic.message


def test_ordering_needs_ordered_values() -> None:
    diagnostic = one_error("office < TSN")
    assert where(diagnostic) == ("SLA202", 31, 14)
    assert diagnostic.hints == ("use `==` or `!=`",)


def test_within_needs_a_duration_limit() -> None:
    diagnostic = one_error("delivered_at within value of picked_up_at")
    assert where(diagnostic) == ("SLA202", 31, 34)
    assert "money[CNY]" in diagnostic.message


def test_within_needs_timestamps() -> None:
    diagnostic = one_error("weight within 24h of picked_up_at")
    assert where(diagnostic) == ("SLA202", 31, 14)
    assert "number" in diagnostic.message


def test_penalty_must_be_money() -> None:
    diagnostic = one_error("complete", "target: 97% per month", "penalty: 5 per breach")
    assert where(diagnostic) == ("SLA202", 33, 14)
    assert "number" in diagnostic.message


def test_group_by_timestamp_is_refused() -> None:
    diagnostic = one_error("complete", "target: 97% per month by booked_at")
    assert where(diagnostic) == ("SLA202", 32, 30)


# enum values: SLA203


@pytest.mark.parametrize(
    "require",
    [
        "office == TSN",
        'office == "TSN"',
        "TSN == office",
        "office != PEK",
        'office in [TSN, "PEK"]',
        "service not in [road]",
        'service in ["air_export", air_import]',
    ],
)
def test_enum_values_by_bare_name_and_by_string(require: str) -> None:
    checked(require)


def test_bare_enum_values_are_marked() -> None:
    result = checked("office == TSN")
    node = result.contract.standards[0].require.node
    assert isinstance(node, ast.Compare)
    assert id(node.right) in result.enum_values
    assert id(node.left) not in result.enum_values


def test_wrong_enum_value_by_bare_name() -> None:
    diagnostic = one_error("office == XYZ")
    assert where(diagnostic) == ("SLA203", 31, 24)
    assert "XYZ" in diagnostic.message


def test_wrong_enum_value_in_a_list_gets_did_you_mean() -> None:
    diagnostic = one_error("office in [TSN, PEKK]")
    assert where(diagnostic) == ("SLA203", 31, 30)
    assert diagnostic.hints == ("did you mean `PEK`?",)


def test_wrong_enum_value_as_a_string_in_a_list() -> None:
    diagnostic = one_error('office in ["XYZ"]')
    assert where(diagnostic) == ("SLA203", 31, 25)


def test_wrong_enum_value_as_a_string_in_a_comparison() -> None:
    diagnostic = one_error('office == "PEKK"')
    assert where(diagnostic) == ("SLA203", 31, 24)
    assert diagnostic.hints == ("did you mean `PEK`?",)


@pytest.mark.parametrize("rate", ["0%", "100.5%", "150%"])
def test_target_out_of_range(rate: str) -> None:
    diagnostic = one_error("complete", f"target: {rate} per month")
    assert where(diagnostic) == ("SLA203", 32, 13)


def test_target_of_100_percent_is_fine() -> None:
    checked("complete", "target: 100% per month")


def test_disqualify_count_must_be_at_least_one() -> None:
    diagnostic = one_error("complete", "window: per month",
                           "disqualify: after 0 breaches within 1w")
    assert where(diagnostic) == ("SLA203", 33, 17)


# currency: SLA205


def test_currency_mismatch_in_a_clause() -> None:
    diagnostic = one_error("value > 100 USD")
    assert where(diagnostic) == ("SLA205", 31, 22)
    assert "USD" in diagnostic.message
    assert "CNY" in diagnostic.message


def test_currency_mismatch_in_a_penalty() -> None:
    diagnostic = one_error("complete", "target: 97% per month", "penalty: 10 EUR per breach")
    assert where(diagnostic) == ("SLA205", 33, 14)


def test_currency_mismatch_in_a_parameter() -> None:
    text = BASE.replace("  share: 5%\n", "  share: 5%\n  fee: 100 USD\n")
    [diagnostic] = errors_of(text + "  s:\n    require: complete\n    window: per month\n")
    assert where(diagnostic) == ("SLA205", 9, 8)


# constants: SLA208


def test_cap_must_not_depend_on_a_record() -> None:
    diagnostic = one_error(
        "complete", "target: 97% per month",
        "penalty: 10.00 CNY per breach, at most value per month",
    )
    # `    penalty: 10.00 CNY per breach, at most value`: `value` is column 44
    assert where(diagnostic) == ("SLA208", 33, 44)
    assert "`value`" in diagnostic.message


def test_credit_must_not_depend_on_a_record() -> None:
    diagnostic = one_error("complete", "target: 97% per month",
                           "credit: 5% of value per missed month")
    assert where(diagnostic) == ("SLA208", 33, 19)


def test_credit_must_not_depend_on_a_derived_field() -> None:
    text = BASE.replace("  late: transit > 24h\n", "  late: transit > 24h\n  half: value / 2\n")
    found = errors_of(text + (
        "  s:\n    require: complete\n    target: 97% per month\n"
        "    credit: half per missed month\n"
    ))
    assert [where(d) for d in found] == [("SLA208", 34, 13)]


def test_parameter_must_not_depend_on_a_record() -> None:
    text = BASE.replace("  share: 5%\n", "  share: 5%\n  double: value * 2\n")
    [diagnostic] = errors_of(text + "  s:\n    require: complete\n    window: per month\n")
    assert where(diagnostic) == ("SLA208", 9, 11)


def test_penalty_amount_may_depend_on_a_record() -> None:
    checked("complete", "window: per month", "penalty: 10.5% of value per breach")


# consequences due per window: totals of the window's records


def test_amounts_due_per_window_may_total_the_windows_records() -> None:
    checked("complete", "target: 97% per month",
            "penalty: 3% of sum(value * pieces) per missed month")
    checked("complete", "target: 97% per month",
            "credit: 1% of sum(value) per full point below target, at most 15% of sum(value)")
    checked("complete", "target: 97% per month", "reward: 0.5% of monthly_fee per met month")
    checked("true", "target: sum(shipped) / sum(pieces) >= 98% per month",
            "credit: 2% of monthly_fee per full point below target")


def test_a_penalty_per_breach_cannot_total_a_window() -> None:
    diagnostic = one_error("complete", "window: per month",
                           "penalty: 3% of sum(value) per breach")
    # `    penalty: 3% of sum(value) per breach`: `sum` is column 20
    assert where(diagnostic) == ("SLA203", 33, 20)
    assert diagnostic.hints == ("for an amount due once per missed window, write "
                                "`... per missed month`",)


def test_an_amount_due_per_window_reads_records_only_through_totals() -> None:
    diagnostic = one_error("complete", "target: 97% per month",
                           "penalty: 3% of sum(value) + value per missed month")
    assert where(diagnostic) == ("SLA208", 33, 33)
    assert diagnostic.hints == ("total it over the window's records: `sum(value)`",)


def test_a_total_holds_no_total() -> None:
    with pytest.raises(ContractError) as info:
        checked("complete", "target: 97% per month",
                "reward: 1% of sum(sum(value)) per met month")
    [diagnostic] = info.value.diagnostics  # inside a total, `sum(...)` is a list's sum
    assert where(diagnostic) == ("SLA202", 33, 27)
    assert "`sum` in an expression takes a list field, not money" in diagnostic.message


def test_a_total_of_a_flag_is_a_type_error() -> None:
    diagnostic = one_error("complete", "target: 97% per month",
                           "penalty: 1 CNY * sum(complete) per missed month")
    assert where(diagnostic)[0] == "SLA202"
    assert "`sum` takes a number, money or a duration" in diagnostic.message


def test_points_below_target_need_a_target_on_a_share() -> None:
    diagnostic = one_error("true", "target: p95(transit) <= 72h per month",
                           "credit: 1% of monthly_fee per full point below target")
    assert where(diagnostic) == ("SLA203", 33, 13)
    assert "percentage points" in diagnostic.message


def test_a_reward_needs_a_target_to_meet() -> None:
    diagnostic = one_error("complete", "window: per month",
                           "reward: 1% of monthly_fee per met month")
    assert where(diagnostic) == ("SLA204", 33, 13)
    assert diagnostic.message == "a reward needs a target to meet"


def test_a_reward_counts_the_targets_period() -> None:
    diagnostic = one_error("complete", "target: 97% per month",
                           "reward: 1% of monthly_fee per met quarter")
    assert where(diagnostic) == ("SLA204", 33, 13)


def test_a_graduated_penalty_counts_periods_of_a_duration() -> None:
    checked("complete", "window: per month",
            "penalty: 1% of value per completed 1d of transit rounded up to 1h, at most 50% "
            "of value per breach, at most 10000 CNY per month")
    diagnostic = one_error("complete", "window: per month",
                           "penalty: 1% of value per started 1d of weight")
    assert where(diagnostic) == ("SLA202", 33, 44)
    assert diagnostic.message == "a penalty counts periods of a duration, not of number"


def test_a_period_of_delay_is_longer_than_zero() -> None:
    diagnostic = one_error("complete", "window: per month",
                           "penalty: 1% of value per started 0h of transit")
    assert where(diagnostic) == ("SLA203", 33, 38)


def test_a_cap_per_breach_is_money() -> None:
    diagnostic = one_error("complete", "window: per month",
                           "penalty: 1% of value per breach, at most 5% per breach")
    assert where(diagnostic) == ("SLA202", 33, 46)


# credit tables


def _banded(*rows: str, target: str = "97% per month") -> str:
    table = "".join(f"      - {row}\n" for row in rows)
    return BASE + f"  s:\n    require: complete\n    target: {target}\n    credit:\n{table}"


def test_a_credit_table_that_tiles_the_figures_below_target_checks() -> None:
    contract = check(load_contract_text(_banded(
        "{at_least: 95%, below: 97%, credit: 2% of monthly_fee}",
        "{below: 95%, credit: 5% of monthly_fee}"), "c.yaml"))
    assert contract.warnings == ()


def test_credit_bands_that_overlap_are_an_error() -> None:
    found = errors_of(_banded("{at_least: 95%, below: 97%, credit: 2% of monthly_fee}",
                              "{below: 96%, credit: 5% of monthly_fee}"))
    assert [(where(d), d.message) for d in found] == [
        (("SLA203", 34, 9), "credit bands overlap: a figure would fall in two")]


def test_a_gap_between_bands_or_below_the_target_is_a_warning() -> None:
    contract = check(load_contract_text(_banded(
        "{at_least: 95%, below: 96%, credit: 2% of monthly_fee}",
        "{below: 94%, credit: 5% of monthly_fee}"), "c.yaml"))
    assert [(where(d), d.message) for d in contract.warnings] == [
        (("SLA312", 34, 9), "no band holds the figures from 94% to 95%"),
        (("SLA312", 34, 9), "no band holds the figures from 96% to the target, 97%"),
    ]


def test_a_bands_end_is_of_the_measures_type() -> None:
    found = errors_of(_banded("{below: 72h, credit: 2% of monthly_fee}"))
    assert [where(d) for d in found] == [("SLA202", 34, 17)]
    assert found[0].message == "a band's end is duration, but the measure is ratio"


def test_a_bands_credit_reads_records_only_through_totals() -> None:
    found = errors_of(_banded("{below: 95%, credit: 5% of value}"))
    assert [where(d) for d in found] == [("SLA208", 34, 36)]


# pools of credits


def _pooled(standards: str, limit: str = "10% of monthly_fee per month") -> str:
    return BASE + ("  s:\n    require: complete\n    target: 97% per month\n"
                   "    credit: 5% of monthly_fee per missed month\n"
                   "  t:\n    require: complete\n    window: per month\n"
                   f"pools:\n  risk:\n    standards: {standards}\n    limit: {limit}\n")


def test_a_pool_of_credits_checks() -> None:
    check(load_contract_text(_pooled("[s]"), "c.yaml"))


def test_a_pool_names_standards_that_owe_credits() -> None:
    found = errors_of(_pooled("[s, t, u]"))
    assert [(where(d), d.message) for d in found] == [
        (("SLA201", 38, 3), "the pool `risk` names no standard `u`"),
        (("SLA203", 38, 3), "the standard `t` owes no service credit for the pool `risk` to "
                            "hold"),
    ]


def test_a_pools_limit_is_constant_money_per_the_standards_period() -> None:
    found = errors_of(_pooled("[s]", "5% of value per week"))
    assert [where(d)[0] for d in found] == ["SLA204", "SLA208"]


# periods: SLA204


def test_credit_period_must_be_the_target_period() -> None:
    diagnostic = one_error("complete", "target: 97% per month",
                           "credit: 5% of monthly_fee per missed quarter")
    assert where(diagnostic) == ("SLA204", 33, 13)
    assert diagnostic.hints == ("write `month`",)


def test_consecutive_missed_period_must_be_the_target_period() -> None:
    diagnostic = one_error("complete", "target: 97% per month",
                           "disqualify: after 3 consecutive missed weeks")
    assert where(diagnostic) == ("SLA204", 33, 17)
    assert diagnostic.hints == ("write `month`",)


def test_credit_needs_a_target() -> None:
    diagnostic = one_error("complete", "window: per month",
                           "credit: 5% of monthly_fee per missed month")
    assert where(diagnostic) == ("SLA204", 33, 13)


def test_consecutive_missed_needs_a_target() -> None:
    diagnostic = one_error("complete", "window: per month",
                           "disqualify: after 2 consecutive missed months")
    assert where(diagnostic) == ("SLA204", 33, 17)


def test_breaches_within_needs_no_target() -> None:
    checked("complete", "window: per month", "disqualify: after 3 breaches within 90d")


def test_matching_periods_check() -> None:
    checked("complete", "target: 98% per quarter",
            "credit: 1000.00 CNY per missed quarter",
            "disqualify: after 2 consecutive missed quarters")


# declarations: SLA206, SLA207


def test_parameter_named_like_a_field_is_a_clash() -> None:
    text = BASE.replace("  share: 5%\n", "  share: 5%\n  value: 1.00 CNY\n")
    found = errors_of(text + "  s:\n    require: complete\n    window: per month\n")
    assert "SLA206" in [d.code.code for d in found]


def test_derived_cycle() -> None:
    text = BASE.replace("  late: transit > 24h\n", "  late: transit > 24h\n  a: b\n  b: a\n")
    found = errors_of(text + "  s:\n    require: complete\n    window: per month\n")
    assert [d.code.code for d in found] == ["SLA207"]


# percentages are fractions: not comparable with plain numbers


@pytest.mark.parametrize(
    "require",
    [
        "shipped / pieces >= 98%",
        "on_time_share >= 98%",
        "on_time_share >= 0.98",
        "weight >= 99.8",
        "weight * 50% > 3",
        "5% of weight < weight",
        "value / monthly_fee < 10%",
        "transit / 24h <= 150%",
        "(shipped - pieces) / pieces <= share",
    ],
)
def test_percentages_where_they_mean_a_fraction(require: str) -> None:
    checked(require)


@pytest.mark.parametrize(
    ("require", "column", "message"),
    [
        ("weight >= 99.8%", 14, "cannot compare number with ratio"),
        ("99.8% < weight", 14, "cannot compare ratio with number"),
        ("weight + 1% > 2", 14, "cannot apply `+` to number and ratio"),
        ("pieces >= share", 14, "cannot compare number with ratio"),
        ("weight in [1, 5%]", 28, "ratio cannot be a value of number"),
        ("on_time_share > weight", 14, "cannot compare ratio with number"),
    ],
)
def test_a_percentage_with_a_plain_number_is_a_type_error(
    require: str, column: int, message: str
) -> None:
    diagnostic = one_error(require)
    assert where(diagnostic) == ("SLA202", 31, column)
    assert diagnostic.message == message


def test_the_hint_says_how_to_compare_with_a_number() -> None:
    diagnostic = one_error("weight >= 99.8%")
    assert diagnostic.hints == (
        "write `99.8` to compare with a number, or declare `weight` as `ratio` if it holds "
        "fractions (0.998 for 99.8%)",
    )


# warnings: the contract checks, and the checked contract holds them


def test_warnings_are_kept_on_the_checked_contract() -> None:
    result = checked("complete", "for: delivered_at within 24h of picked_up_at",
                     "except: late")
    assert [(where(d), d.severity.value) for d in result.warnings] == [
        (("SLA301", 32, 10), "warning"),   # delivered_at
        (("SLA301", 32, 37), "warning"),   # picked_up_at
        (("SLA301", 33, 13), "warning"),   # late, through transit, needs both
    ]
    assert "`late`" in result.warnings[2].message
    assert "`delivered_at`" in result.warnings[2].message


@pytest.mark.parametrize("condition", [
    "for: delivered_at is present and delivered_at <= picked_up_at + 24h",
    "for: delivered_at is absent or delivered_at <= picked_up_at + 24h",
    "for: complete and delivered_at is present and (delivered_at <= picked_up_at + 24h)",
])
def test_an_optional_field_tested_for_presence_first_gives_no_warning(condition: str) -> None:
    """`x is present and x ...` is decided for every record (false and unknown is false):
    the hint of the warning says to write exactly this, so it must not warn."""
    warnings = checked("complete", condition).warnings
    assert [d.message for d in warnings if "delivered_at" in d.message] == []


def test_a_derived_field_that_tests_presence_first_gives_no_warning_where_used() -> None:
    """The guard inside a derived field decides it for every record, as it does written
    in the condition itself; a derived field without the guard still warns where used."""
    guarded = BASE.replace("  late: transit > 24h\n", "  late: transit > 24h\n"
                           "  delivered: delivered_at is present and delivered_at > booked_at\n")
    text = guarded + "  s:\n    require: complete\n    window: per month\n    for: delivered\n"
    warnings = check(load_contract_text(text, "c.yaml")).warnings
    assert [d.message for d in warnings] == []
    text = guarded + "  s:\n    require: complete\n    window: per month\n    for: late\n"
    warnings = check(load_contract_text(text, "c.yaml")).warnings
    assert ["`late`" in d.message for d in warnings] == [True]


def test_an_optional_field_read_beside_its_presence_test_still_warns() -> None:
    """`x is present or x > ...` does not guard: the right side runs when x is absent."""
    warnings = checked("complete", "for: delivered_at is present or delivered_at <= "
                       "picked_up_at + 24h").warnings
    assert [where(d) for d in warnings if "`delivered_at`" in d.message] == [("SLA301", 32, 37)]


def test_a_field_with_a_default_or_required_gives_no_warning() -> None:
    assert checked("complete", "for: complete and value > 0 CNY").warnings == ()


@pytest.mark.parametrize(
    ("require", "warned"),
    [
        ("weight / pieces > 1", ["pieces"]),
        ("value / monthly_fee < 1", []),
        ("transit / 1h < 24", []),
        ("1h / transit < 24", ["transit"]),
        ("pieces > 0 and weight / pieces > 1", []),
        ("pieces != 0 and (complete or weight / pieces > 1)", []),
        ("0 < pieces and weight / pieces > 1", []),
        ("pieces == 0 or weight / pieces > 1", []),
        ("weight / pieces > 1 and pieces > 0", ["pieces"]),
        ("not (pieces > 0) and weight / pieces > 1", ["pieces"]),
        ("pieces > 0 or weight / pieces > 1", ["pieces"]),
    ],
)
def test_a_divisor_from_the_record_is_a_warning_unless_guarded(
    require: str, warned: list[str]
) -> None:
    result = checked(require)
    assert [d.code.code for d in result.warnings] == ["SLA302"] * len(warned)
    assert [d.span.text for d in result.warnings if d.span is not None] == warned


def test_warnings_come_with_the_errors() -> None:
    text = contract_text("weight / pieces > 1", "for: complet")
    with pytest.raises(ContractError) as info:
        check(load_contract_text(text, "c.yaml"))
    assert [d.code.code for d in info.value.diagnostics] == ["SLA201"]
    assert [d.code.code for d in info.value.warnings] == ["SLA302"]


# constants: computed at check time, so that compiling and running cannot fail on them


@pytest.mark.parametrize(
    "require",
    [
        "value < 999999999999999.99 CNY",
        "transit < 36525d",
        "transit < 1h * 876600",
        "weight > 0.000000000000000001",
        "value / (2 - 1) > 0 CNY",
        "transit / (1ms * 0.5) > 1",
    ],
)
def test_constants_within_range(require: str) -> None:
    checked(require)


@pytest.mark.parametrize(
    ("require", "code", "text"),
    [
        ("transit < 1h * 876601", "SLA210", "1h * 876601"),
        ("value / (2 - 2) > 0 CNY", "SLA209", "2 - 2"),
        ("transit / (1ms * 0.0001) > 1", "SLA209", "1ms * 0.0001"),  # rounds to 0 microseconds
        ("1000000 / 0.001 / 0.001 / 0.001 < weight", "SLA210", "1000000 / 0.001 / 0.001 / 0.001"),
        ("-1000000 * 1000000000 < weight", "SLA210", "-1000000 * 1000000000"),
    ],
)
def test_constants_out_of_range_or_dividing_by_zero(require: str, code: str, text: str) -> None:
    diagnostic = one_error(require)
    assert diagnostic.code.code == code
    assert diagnostic.span is not None
    assert diagnostic.span.text == text


def test_a_parameter_dividing_by_zero_is_reported_once() -> None:
    text = BASE.replace("  share: 5%\n", "  share: 5%\n  fee: 100.00 CNY / (1 - 1)\n")
    found = errors_of(text + "  s:\n    require: complete\n    target: 97% per month\n"
                             "    credit: fee per missed month\n")
    assert [where(d) for d in found] == [("SLA209", 9, 22)]


def test_a_derived_field_that_is_constant_is_computed_as_a_parameter_is() -> None:
    # the compiler computes a constant derived field once, where it is used: 36525d times
    # a billion would overflow there
    text = BASE.replace("  late: transit > 24h\n",
                        "  late: transit > 24h\n  big: 999999999\n  long: 36525d * big\n")
    found = errors_of(text + "  s:\n    require: transit < long\n    window: per month\n")
    assert [where(d) for d in found] == [("SLA210", 30, 9)]
    assert found[0].span is not None
    assert found[0].span.text == "36525d * big"


def test_a_window_is_placed_by_a_timestamp_or_date() -> None:
    text = contract_yaml("n: int",
                         standards="  s:\n    require: n > 0\n    window: per month of n\n")
    with pytest.raises(ContractError) as info:
        check(load_contract_text(text, "c.yaml"))
    [found] = info.value.diagnostics
    assert found.code.code == "SLA202"
    assert "placed by a timestamp or date" in found.message


# functions, conditionals and lookup tables (language depth I)

TABLES = """\
tables:
  tier_of: {K1: key, S1: suitable}
  allowance: {values: {key: 24h, suitable: 48h}, default: 72h}
"""


def with_tables(require: str, *more: str, tables: str = TABLES) -> str:
    return contract_text(require, *more).replace("standards:\n", tables + "standards:\n", 1)


@pytest.mark.parametrize("require", [
    "min(weight, 2) > 1",
    "max(delivered_at, booked_at) > booked_at",
    "min(value, 10 CNY, monthly_fee) > 5 CNY",
    "floor(weight) == 3 and ceil(weight) == 4 and round(weight, 2) > 1",
    "abs(value) > 1 CNY and abs(transit) < 2h",
    "(if complete then pieces else 0) > 2",
    "if complete then late else not late",
    "min(ship_date, ship_date) is present",
    "max(on_time_share, 97%) >= 98%",
])
def test_well_typed_functions_and_conditionals(require: str) -> None:
    checked(require)


def test_min_of_one_value_is_refused_with_the_measure_it_may_mean() -> None:
    error = one_error("min(weight) > 2")
    assert error.message == "`min` of one value is that value"
    assert "`min(a, b)` is the smaller of two or more values" in error.hints[0]
    assert "`min(transit) <= 72h per month`" in error.hints[0]


@pytest.mark.parametrize(("require", "message"), [
    ("min(weight, value) > 1", "`min` compares values of one type, not number and money[CNY]"),
    ("max(office, office) == TSN", "`max` needs numbers, amounts, durations, timestamps or "
                                   "dates, not enum[TSN, PEK]"),
    ("floor(transit) > 1", "`floor` takes a number or an amount, not duration"),
    ("round(weight, pieces) > 1", "the decimals to keep are a whole number written in the "
                                  "clause, from 0 to 18"),
    ("round(weight, 1.5) > 1", "the decimals to keep are a whole number written in the "
                               "clause, from 0 to 18"),
    ("round(weight, 1, 2) > 1", "`round` takes one or two arguments, not 3"),
    ("abs(weight, 1) > 1", "`abs` takes one argument, not 2"),
    ("(if weight then 1 else 2) > 0", "`if` needs true or false, not number"),
    ("(if complete then 1 else 2 CNY) > 0", "the branches of `if` are number and money[CNY]"),
])
def test_function_and_conditional_errors(require: str, message: str) -> None:
    assert one_error(require).message == message


def test_a_duration_in_floor_hints_at_a_unit() -> None:
    assert one_error("floor(transit) > 1").hints == (
        "divide by a unit first: `floor(transit / 1h)` is in hours",)


def test_lookups_are_typed_by_their_tables_values() -> None:
    found = check(load_contract_text(with_tables(
        "allowance[tier_of[shipment_id]] > 1h"), "c.yaml"))
    require = found.contract.standards[0].require.node
    assert isinstance(require, ast.Compare)
    assert found.type_of(require.left) == t.DURATION


@pytest.mark.parametrize(("require", "code", "message"), [
    ("tier_off[shipment_id] == key", "SLA201", "unknown table `tier_off`"),
    ("tier_of[pieces] == key", "SLA202", "a table's keys are text, not number"),
    ('tier_of["K2"] == key', "SLA203", "`K2` is not a key of table `tier_of`"),
    ("tier_of == key", "SLA202", "`tier_of` is a table, not a value"),
    ("allowance[office at booked_at] > 1h", "SLA202",
     "table `allowance` does not change over time"),
])
def test_lookup_errors(require: str, code: str, message: str) -> None:
    found = errors_of(with_tables(require))
    assert [(d.code.code, d.message) for d in found] == [(code, message)]


def test_an_unknown_table_suggests_a_declared_one() -> None:
    [error] = errors_of(with_tables("tier_off[shipment_id] == key"))
    assert error.hints == ("did you mean `tier_of`?",)


def test_a_table_has_values_of_one_type() -> None:
    tables = "tables:\n  mixed: {a: 24h, b: 3}\n"
    [error] = errors_of(with_tables("mixed[office] > 1h", tables=tables))
    assert error.message == "table `mixed` has values of duration and of number"
    assert where(error)[1] == 30  # the value `3`, where it stands


def test_a_window_grouped_by_a_derived_field() -> None:
    text = with_tables("complete", "target: 99% for key, 97% for suitable per month by tier")
    text = text.replace("  late: transit > 24h\n", "  late: transit > 24h\n"
                        "  tier: tier_of[shipment_id]\n")
    check(load_contract_text(text, "c.yaml"))


def test_a_tier_that_the_table_never_gives_is_refused() -> None:
    text = with_tables("complete", "target: 99% for kye, 97% for suitable per month by tier")
    text = text.replace("  late: transit > 24h\n", "  late: transit > 24h\n"
                        "  tier: tier_of[shipment_id]\n")
    [error] = errors_of(text)
    assert error.message == ("`kye` is not a value of table `tier_of`, from which `tier` is "
                             "read")
    assert error.hints == ("did you mean `key`?",)
# time: dates, timestamps, calendar durations, between, business days


@pytest.mark.parametrize("require", [
    "ship_date <= 2024-07-05",
    "ship_date - 1d <= 2024-07-05",
    "1d + ship_date == 2024-07-05",
    "ship_date - 2024-07-01 <= 3d",
    "ship_date + 1 month >= 2024-07-05",
    "booked_at + 9 months > delivered_at",
    "delivered_at within 9 months of booked_at",
    "ship_date between 2024-07-01 - 1d and 2024-07-01",
    "value between 10 CNY and monthly_fee",
    "transit between 1h and 24h",
    "pieces between 1 and 10",
    "booked_at between 2024-07-05T00:00+08:00 and 2024-07-06T00:00Z",
    "booked_at in [2024-07-05T00:00+08:00, 2024-07-06T00:00+08:00)",
    "booked_at not in (2024-07-05T00:00+08:00, as_of]",
])
def test_time_expressions_check(require: str) -> None:
    checked(require)


def test_date_minus_date_is_a_duration() -> None:
    text = contract_text("complete").replace(
        "  late: transit > 24h", "  late: transit > 24h\n  gap: ship_date - 2024-07-01")
    assert check(load_contract_text(text, "c.yaml")).derived_types["gap"] == t.DURATION


def test_a_date_compared_with_a_timestamp_is_an_error_with_a_hint() -> None:
    diagnostic = one_error("ship_date <= booked_at")
    assert diagnostic.message == "cannot compare date with timestamp"
    assert "a date is a whole day and a timestamp a moment" in diagnostic.hints[0]
    assert where(diagnostic) == ("SLA202", 31, 14)


def test_a_fractional_day_on_a_date_is_an_error_with_a_hint() -> None:
    diagnostic = one_error("ship_date + 36h <= 2024-07-05")
    assert diagnostic.message == "a date moves by whole days, not by `36h`"
    assert "`2d`" in diagnostic.hints[0]
    assert diagnostic.span is not None
    assert diagnostic.span.text == "36h"


def test_months_do_not_mix_with_durations() -> None:
    diagnostic = one_error("transit <= 1 month")
    assert diagnostic.message == "cannot compare duration with calendar duration"
    assert "months and years have no fixed length" in diagnostic.hints[0]


def test_between_needs_ordered_values_of_one_type() -> None:
    wrong = one_error("ship_date between booked_at and as_of")
    assert wrong.message == "cannot compare date with timestamp"
    assert wrong.span is not None
    assert wrong.span.text == "booked_at"
    unordered = one_error("complete between true and false")
    assert unordered.message == "between needs ordered values, not bool"


def test_within_takes_months_but_not_dates() -> None:
    diagnostic = one_error("ship_date within 2d of booked_at")
    assert diagnostic.message == "a deadline needs a timestamp here, not date"
    assert diagnostic.hints[0] == "declare `ship_date` as `timestamp`"
    assert "for dates, compare" in diagnostic.hints[1]


CALENDARS = ("calendars:\n  cn: {weekend: [sat, sun], holidays: [2024-10-01]}\n"
             "  china: {holidays: [2024-10-01]}\n")


def test_business_days_name_a_declared_calendar() -> None:
    good = contract_text("delivered_at within 2 business days of booked_at using cn")
    check(load_contract_text(good.replace("records:", CALENDARS + "records:"), "c.yaml"))
    text = contract_text("delivered_at within 2 business days of booked_at using chna")
    (diagnostic,) = errors_of(text.replace("records:", CALENDARS + "records:"))
    assert diagnostic.message == "unknown calendar `chna`"
    assert diagnostic.span is not None
    assert diagnostic.span.text == "chna"
    assert diagnostic.hints == ("did you mean `china`?",)
    (undeclared,) = errors("delivered_at within 2 business days of booked_at using cn")
    assert "declare it: `calendars:" in undeclared.hints[0]


def test_a_cutoff_needs_a_timestamp_start() -> None:
    text = contract_text("ship_date within 1 business day of ship_date using cn "
                         "with cutoff 17:00")
    (diagnostic,) = errors_of(text.replace("records:", CALENDARS + "records:"))
    assert diagnostic.message == "a cut-off time needs a timestamp to compare with, not a date"


def test_a_credit_table_on_a_rolling_window_is_refused() -> None:
    """A rolling window is judged every day over days already judged: a table would owe
    again for the same late week on each of them."""
    found = errors_of(_banded("{below: 95%, credit: 5% of monthly_fee}",
                              target="97% per rolling 30 days"))
    assert [where(d) for d in found] == [("SLA204", 34, 9)]
