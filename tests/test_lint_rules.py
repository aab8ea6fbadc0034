"""The lint rules (SLA303-SLA311), one concept each: what is warned about, where, and what
is left alone."""

from __future__ import annotations

import pytest

from slacheck.diagnostics import Diagnostic
from slacheck.lint_rules import advise
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml, where


def found(text: str, *only: str) -> list[Diagnostic]:
    """The lint warnings of a contract, only those of the codes given if any."""
    return [item for item in advise(load_contract_text(text, "c.yaml"))
            if not only or item.code.code in only]


def warnings(text: str, *only: str) -> list[tuple[str, int, int]]:
    return [where(item) for item in found(text, *only)]


def messages(text: str, *only: str) -> list[str]:
    return [item.message for item in found(text, *only)]


TARGETED = "    target: 97% per month\n"


def standard(require: str = "ok", extra: str = TARGETED) -> str:
    return f"  s:\n    require: {require}\n{extra}"


def test_a_clean_contract_has_no_warning() -> None:
    assert warnings(contract_yaml("ok: bool", standards=standard())) == []


def test_unused_parameters_fields_and_derived_fields() -> None:
    text = contract_yaml(
        "ok: bool", "spare: bool", "value: money", "reported_at: timestamp",
        parameters="fee: 100 CNY\nunused: 5 CNY\ncap: 2 * fee",
        standards=standard("ok and late < 1h", TARGETED + "    penalty: 5% of value per "
                           "breach, at most cap per month\n    breach_time: reported_at\n"),
    ).replace("standards:", "derived:\n  late: at - at\n  idle: at - at\nstandards:")
    assert [(code, line) for code, line, _ in warnings(text)] == [
        ("SLA303", 5),   # unused: fee is used by cap, cap by the penalty
        ("SLA304", 14),  # spare
        ("SLA305", 19),  # idle; late is used
    ]
    assert messages(text) == ["the parameter `unused` is never used",
                              "the field `spare` is read by no clause",
                              "the derived field `idle` is never used"]


def test_a_field_read_by_a_record_rule_or_a_pool_limit_is_used() -> None:
    text = contract_yaml(
        "ok: bool", "kg: decimal", "note: string",
        parameters="fee: 100 CNY",
        standards=standard("ok", TARGETED + "    credit: 1% of fee per missed month\n"),
    ).replace("standards:", "pools:\n  p: {standards: [s], limit: fee per month}\nstandards:")
    text = text.replace("    note: string\n", "    note: string\n  reject:\n"
                        "    - {when: kg < 0, message: negative}\n  warn:\n"
                        "    - {when: note == x, message: odd}\n")
    assert messages(text, "SLA303", "SLA304") == []


def test_what_is_unused_is_not_reported_when_the_contract_is_incomplete() -> None:
    text = contract_yaml("ok: bool", "spare: bool", standards=standard())
    contract = load_contract_text(text, "c.yaml")
    assert advise(contract, complete=False) == []


def test_a_standard_without_target_or_consequence() -> None:
    text = contract_yaml("ok: bool", "value: money", standards=(
        standard("ok", "    window: per month\n")
        + "  priced:\n    require: ok\n    window: per month\n    penalty: value per breach\n"
        + "  ending:\n    require: ok\n    window: per month\n    disqualify: on any breach\n"))
    assert warnings(text, "SLA306") == [("SLA306", 12, 3)]
    assert messages(text, "SLA306") == [
        "the standard `s` has no target and no consequence: its breaches change no verdict"]


@pytest.mark.parametrize(("target", "warned"), [
    ("0.97% per month", True),
    ("0.5% per month", True),
    ("1% per month", False),
    ("97% per month", False),
    ("0.97% for key, 95% for general per month by tier", True),
])
def test_a_target_below_one_percent(target: str, warned: bool) -> None:
    text = contract_yaml("ok: bool", "tier: {type: enum, values: [key, general]}",
                         standards=standard("ok", f"    target: {target}\n"))
    warned_about = found(text, "SLA307")
    assert bool(warned_about) == warned
    if warned:
        assert warned_about[0].location[1:] == (14, 13)
    if warned and "0.97" in target:
        assert warned_about[0].hints == (
            "a percentage is out of 100: write `97%` if 97% was meant",)


@pytest.mark.parametrize(("require", "column"), [
    ("fill_rate >= 97", 27), ("97 <= fill_rate", 14), ("fill_rate > 1.5", 26),
])
def test_a_ratio_compared_with_a_number_above_one(require: str, column: int) -> None:
    text = contract_yaml("fill_rate: ratio", standards=standard(require))
    assert warnings(text) == [("SLA307", 12, column)]


@pytest.mark.parametrize("require", ["fill_rate >= 0.97", "fill_rate >= 97%", "level >= 97"])
def test_a_ratio_on_its_own_scale_is_not_warned(require: str) -> None:
    text = contract_yaml("fill_rate: ratio", "level: decimal", standards=standard(
        f"{require} and level > 0 and fill_rate > 0"))
    assert warnings(text) == []


def test_a_ratio_of_sums_compared_with_a_number_above_one() -> None:
    text = contract_yaml("shipped: int", "ordered: int", standards=(
        "  s:\n    target: sum(shipped) / sum(ordered) >= 98 per month\n"
        "  t:\n    target: sum(shipped) / sum(ordered) >= 0.98 per month\n"))
    assert warnings(text) == [("SLA307", 13, 44)]


@pytest.mark.parametrize(("penalty", "warned"), [
    ("1000 CNY per breach, at most 500 CNY per month", True),
    ("1000 CNY per breach, at most 1000 CNY per month", False),
    ("fee per breach, at most fee / 4 per month", True),
    ("10% of fee per breach, at most 5% of fee per month", True),
    ("value per breach, at most 500 CNY per month", False),  # depends on the record
    ("fee - 500 CNY per breach, at most 2 * fee - fee per month", False),
])
def test_a_cap_below_one_penalty(penalty: str, warned: bool) -> None:
    text = contract_yaml("ok: bool", "value: money", parameters="fee: 1000 CNY",
                         standards=standard("ok", TARGETED + f"    penalty: {penalty}\n"))
    assert bool(found(text, "SLA308")) == warned


def test_the_cap_message_names_both_amounts() -> None:
    text = contract_yaml("ok: bool", standards=standard("ok", TARGETED + (
        "    penalty: 1000.00 CNY per breach, at most 500.00 CNY per month\n")))
    assert messages(text) == ["the cap (500.00 CNY) is below the penalty for one breach "
                              "(1000.00 CNY): every breach after the first in a period costs "
                              "nothing"]
    assert warnings(text) == [("SLA308", 14, 46)]


@pytest.mark.parametrize(("target", "warned"), [
    ("97% per month, warn below 95%", True),
    ("97% per month, warn below 97%", True),
    ("97% per month, warn below 99%", False),
    ("99% for key, 95% for general per month by tier, warn below 97%", True),  # key only
    ("99% for key, 95% for general per month by tier, warn below 90%", True),
    ("99% for key, 95% for general per month by tier, warn below 99.5%", False),
    ("p95(transit) <= 72h per month, warn above 80h", True),
    ("p95(transit) <= 72h per month, warn above 60h", False),
    ("count() >= 20 per month, warn below 10", True),
    ("count() >= 20 per month, warn below 30", False),
    ("mean(transit) <= 72h per month, warn above 10", False),  # not comparable: an error
])
def test_a_warning_line_no_met_window_can_cross(target: str, warned: bool) -> None:
    text = contract_yaml("ok: bool", "tier: {type: enum, values: [key, general]}",
                         "transit: duration",
                         standards=standard("ok", f"    target: {target}\n"))
    assert bool(found(text, "SLA309")) == warned


def test_a_warning_line_below_some_tiers_names_them() -> None:
    text = contract_yaml("ok: bool", "tier: {type: enum, values: [key, general]}", standards=(
        standard("ok", "    target: 99% for key, 95% for general per month by tier, "
                       "warn below 97%\n")))
    assert messages(text, "SLA309") == [
        "the warning line is at or below the target of `key`, so those groups are never warned"]


@pytest.mark.parametrize(("scope", "excluded", "never"), [
    ("tier in [key, general]", "", ["harmful"]),
    ("tier == key", "", ["general", "harmful"]),
    ("ok and tier != harmful", "", ["harmful"]),
    ("tier not in [general]", "", ["general"]),
    ("", "    except: tier == general or not ok\n", ["general"]),
    ("", "    except:\n      - tier in [key, harmful]\n", ["key", "harmful"]),
    ("tier in [key, general] or ok", "", []),  # `or`: anything may be in scope
    ("", "", []),
])
def test_a_tier_the_scope_leaves_out(scope: str, excluded: str, never: list[str]) -> None:
    text = contract_yaml(
        "ok: bool", "tier: {type: enum, values: [key, general, harmful]}",
        standards="  s:\n" + (f"    for: {scope}\n" if scope else "") + excluded
        + "    require: ok\n    target: 99% for key, 97% for general, 90% for harmful per "
          "month by tier\n")
    assert [item.message.split("`")[1] for item in found(text, "SLA310")] == never


@pytest.mark.parametrize(("effective", "period", "warned"), [
    ('{from: "2025-01-01", to: "2025-01-31"}', "quarter", True),
    ('{from: "2025-01-01", to: "2025-03-31"}', "quarter", False),
    ('{from: "2025-01-15", to: "2025-04-14"}', "quarter", True),
    ('{from: "2025-01-15", to: "2025-02-27"}', "month", True),
    ('{from: "2025-01-15", to: "2025-03-14"}', "month", False),  # February fits
    ('{from: "2025-01-15", to: "2025-03-14"}', "week", False),
    ('{from: "2025-01-01", to: "2025-01-05"}', "week", True),  # Wednesday to Sunday
    ('{from: "2025-01-06", to: "2025-01-12"}', "week", False),  # Monday to Sunday
    ('{from: "2025-01-01", to: "2025-12-30"}', "year", True),
    ('{from: "2025-01-01", to: "2025-12-31"}', "year", False),
    ('{from: "2025-03-01", to: "2026-02-28"}', "year", True),
    ('{from: "2025-01-01", to: "2025-01-01"}', "day", False),
    ('{from: "2025-01-01"}', "year", False),  # no end: nothing to compare
])
def test_a_window_longer_than_the_contract(effective: str, period: str, warned: bool) -> None:
    text = contract_yaml(
        "ok: bool", head=f"contract: {{id: x, currency: CNY, timezone: UTC, effective: "
                         f"{effective}}}",
        standards=standard("ok", f"    target: 97% per {period}\n"))
    warned_about = found(text)
    assert [item.code.code for item in warned_about] == (["SLA311"] if warned else [])
    if warned:
        assert warned_about[0].location[1:] == (13, 17)
        assert warned_about[0].message.startswith(
            f"no whole {period} lies between the contract's start")


def test_the_example_contracts_have_no_warning_but_the_one_they_ignore() -> None:
    from tests.conftest import ROOT

    for path in sorted((ROOT / "contracts").glob("*.yaml")):
        slugs = [item.code.slug for item in advise(load_contract_text(path.read_bytes(),
                                                                      str(path)))]
        assert slugs in ([], ["no-consequence"]), path
