"""Contract loading: YAML and schema errors with positions, safety, clauses placed in the file."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from slacheck import ast
from slacheck.diagnostics import ContractError, Diagnostic
from slacheck.loader import MAX_BYTES, load_contract, load_contract_text
from slacheck.model import Contract
from slacheck.types import Kind
from tests.conftest import contract_yaml, where

# Line numbers below are counted in this text: `standards:` is line 16, so the first
# standard's key is line 17 and its first field line 18.
BASE = """\
slacheck: 1
contract:
  id: demo
  currency: CNY
  timezone: Asia/Shanghai
records:
  id: shipment_id
  time: booked_at
  fields:
    shipment_id: string
    office: {type: enum, values: [TSN, PEK]}
    booked_at: timestamp
    picked_up_at: {type: timestamp, optional: true}
    delivered_at: {type: timestamp, optional: true}
    lost: {type: bool, default: false}
standards:
"""

SIMPLE = """\
  s:
    require: lost
    window: per month
"""


def load(text: str) -> Contract:
    return load_contract_text(text, "c.yaml")


def errors(text: str) -> tuple[Diagnostic, ...]:
    with pytest.raises(ContractError) as info:
        load(text)
    found: tuple[Diagnostic, ...] = info.value.diagnostics
    return found


def one_error(text: str) -> Diagnostic:
    found = errors(text)
    assert len(found) == 1, [d.render() for d in found]
    return found[0]



def test_loads_a_small_contract() -> None:
    contract = load(BASE + SIMPLE)
    assert (contract.id, contract.currency, contract.timezone) == ("demo", "CNY", "Asia/Shanghai")
    assert contract.schema.names == (
        "shipment_id", "office", "booked_at", "picked_up_at", "delivered_at", "lost"
    )
    assert contract.schema.id_field == "shipment_id"
    assert contract.schema.time_field == "booked_at"
    office = contract.schema.field("office")
    assert office is not None
    assert office.type.kind is Kind.ENUM
    assert office.type.values == ("TSN", "PEK")
    picked = contract.schema.field("picked_up_at")
    assert picked is not None
    assert not picked.required
    assert picked.default is None
    lost = contract.schema.field("lost")
    assert lost is not None
    assert not lost.required
    assert lost.default is False
    [standard] = contract.standards
    assert standard.id == "s"
    assert standard.require.node == ast.Ref(name="lost")
    assert standard.window == ast.Window(period=ast.Period.MONTH)


def test_contract_sha256_is_of_the_bytes() -> None:
    text = BASE + SIMPLE
    assert load(text).sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_effective_dates_are_dates() -> None:
    text = BASE.replace(
        "  timezone: Asia/Shanghai\n",
        '  timezone: Asia/Shanghai\n  effective: {from: "2025-01-01", to: "2025-12-31"}\n',
    )
    contract = load(text + SIMPLE)
    assert contract.effective_from == date(2025, 1, 1)
    assert contract.effective_to == date(2025, 12, 31)


def test_load_contract_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BASE + SIMPLE, "utf-8")
    contract = load_contract(path)
    assert contract.path == str(path)
    assert contract.id == "demo"


def test_missing_file_is_sla004(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as info:
        load_contract(tmp_path / "absent.yaml")
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code.code == "SLA004"


def test_not_utf8_is_sla004() -> None:
    with pytest.raises(ContractError) as info:
        load_contract_text(b"slacheck: 1\n\xff\xfe\n", "c.yaml")
    assert [d.code.code for d in info.value.diagnostics] == ["SLA004"]


# YAML syntax: SLA001


def test_yaml_syntax_error_names_line_and_column() -> None:
    diagnostic = one_error(BASE + "  s:\n    require: lost: x\n    window: per month\n")
    # `    require: lost: x`: the second colon is column 18 of line 18
    assert where(diagnostic) == ("SLA001", 18, 18)
    assert diagnostic.message == "a second `: ` in the value of `require`"
    assert diagnostic.hints == ('put the value in quotes: `require: "lost: x"`',)


def test_yaml_tab_indentation_is_sla006() -> None:
    diagnostic = one_error(BASE + SIMPLE + "\tx: 1\n")
    assert where(diagnostic) == ("SLA006", 20, 1)
    assert "tab in the indentation" in diagnostic.message


def test_yaml_unclosed_quote_is_reported_where_it_opens() -> None:
    diagnostic = one_error(BASE + '  s:\n    require: "lost\n    window: per month\n')
    assert where(diagnostic) == ("SLA005", 18, 14)
    assert diagnostic.message == 'this quote " is never closed'


@pytest.mark.parametrize(("character", "name"), [("\x00", "NUL"), ("\x07", "U+0007")])
def test_a_control_character_is_reported_at_its_line_and_column(
    character: str, name: str
) -> None:
    text = BASE + f"  s:\n    require: lost and{character} lost\n    window: per month\n"
    diagnostic = one_error(text)
    assert where(diagnostic) == ("SLA001", 18, 22)
    assert name in diagnostic.message
    assert "position" not in diagnostic.message


def test_empty_contract_is_sla002() -> None:
    assert one_error("").code.code == "SLA002"


# the contract schema: SLA002


def test_wrong_type_points_at_the_value() -> None:
    text = BASE.replace("  id: demo\n", "  id: demo\n  decimals: two\n")
    diagnostic = one_error(text + SIMPLE)
    assert where(diagnostic) == ("SLA002", 4, 13)
    assert "decimals" in diagnostic.message


def test_wrong_format_version() -> None:
    diagnostic = one_error(BASE.replace("slacheck: 1", "slacheck: 2") + SIMPLE)
    assert where(diagnostic) == ("SLA002", 1, 11)


def test_missing_required_key_points_at_its_parent_key() -> None:
    diagnostic = one_error(BASE.replace("  id: demo\n", "") + SIMPLE)
    assert where(diagnostic) == ("SLA002", 2, 1)
    assert diagnostic.message == "`contract` has no `id`"
    assert diagnostic.hints == ("add `id:`",)


def test_top_level_must_be_a_mapping() -> None:
    assert where(one_error("- a\n- b\n")) == ("SLA002", 1, 1)


def test_wrong_field_type_name_lists_the_choices() -> None:
    text = BASE.replace("    lost: {type: bool, default: false}", "    lost: boolean")
    diagnostic = one_error(text + SIMPLE)
    assert where(diagnostic) == ("SLA002", 15, 11)
    assert any("bool" in hint for hint in diagnostic.hints)


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "key", "suggestion"),
    [
        ("  currency: CNY", "  curency: CNY", 4, 3, "curency", "currency"),
        ("  time: booked_at", "  tiem: booked_at", 8, 3, "tiem", "time"),
        ("standards:", "standard:", 16, 1, "standard", "standards"),
    ],
)
def test_unknown_key_gets_did_you_mean(
    old: str, new: str, line: int, column: int, key: str, suggestion: str
) -> None:
    found = errors(BASE.replace(old, new) + SIMPLE)
    unknown = [d for d in found if "unknown key" in d.message]
    assert len(unknown) == 1
    assert where(unknown[0]) == ("SLA002", line, column)
    assert f"`{key}`" in unknown[0].message
    assert unknown[0].hints == (f"did you mean `{suggestion}`?",)


def test_unknown_key_in_a_standard() -> None:
    diagnostic = one_error(BASE + SIMPLE + "    disqualfy: on any breach\n")
    assert where(diagnostic) == ("SLA002", 20, 5)
    assert diagnostic.hints == ("did you mean `disqualify`?",)


def test_unknown_key_in_effective() -> None:
    text = BASE.replace(
        "  timezone: Asia/Shanghai\n",
        '  timezone: Asia/Shanghai\n  effective: {form: "2025-01-01"}\n',
    )
    diagnostic = one_error(text + SIMPLE)
    assert where(diagnostic) == ("SLA002", 6, 15)
    assert diagnostic.hints == ("did you mean `from`?",)


def test_unknown_key_with_nothing_close_lists_what_is_allowed() -> None:
    diagnostic = one_error(BASE + SIMPLE + "zzz: 1\n")
    assert where(diagnostic) == ("SLA002", 20, 1)
    assert diagnostic.hints[0].startswith("allowed here: ")
    assert "standards" in diagnostic.hints[0]


@pytest.mark.parametrize(
    ("text", "line", "column", "suggestion"),
    [
        # a field spec is `oneOf` a type name or a mapping: the mapping's unknown key is the news
        (BASE.replace("    lost: {type: bool, default: false}",
                      "    lost: {type: bool, defualt: false}") + SIMPLE,
         15, 24, "default"),
        # an exclusion is `oneOf` a string or a {when, reason} mapping
        (BASE + SIMPLE + "    except: [{when: lost, reson: gone}]\n", 20, 27, "reason"),
    ],
    ids=["field-spec", "exclusion"],
)
def test_unknown_key_inside_one_of_gets_did_you_mean(
    text: str, line: int, column: int, suggestion: str
) -> None:
    diagnostic = one_error(text)
    assert diagnostic.code.code == "SLA002"
    assert diagnostic.hints == (f"did you mean `{suggestion}`?",)
    assert where(diagnostic) == ("SLA002", line, column)


def test_duplicate_key_points_at_the_second() -> None:
    diagnostic = one_error(BASE + SIMPLE + SIMPLE)
    assert where(diagnostic) == ("SLA007", 20, 3)
    assert "given twice" in diagnostic.message
    assert diagnostic.hints == ("remove one of them (first at line 17)",)


def test_several_schema_errors_at_once() -> None:
    text = BASE.replace("  id: demo\n", "  id: demo\n  decimals: two\n").replace(
        "  time: booked_at", "  tiem: booked_at"
    )
    found = errors(text + SIMPLE)
    assert {d.code.code for d in found} == {"SLA002"}
    lines = [d.location[1] for d in found]
    assert 4 in lines  # decimals
    assert 9 in lines  # tiem
    assert lines == sorted(lines)


def test_invalid_standard_id_is_reported_at_its_key() -> None:
    text = BASE + SIMPLE + "  delivery-24 hrz:\n    require: lost\n    window: per month\n"
    diagnostic = one_error(text)
    assert where(diagnostic) == ("SLA002", 20, 3)
    assert "`delivery-24 hrz`" in diagnostic.message


def test_invalid_standard_id_leaves_the_other_standards_checked() -> None:
    text = BASE + "  s:\n    require: lost lost\n    window: per month\n" + (
        "  bad id:\n    require: lost\n    window: per month\n"
    )
    assert [where(d) for d in errors(text)] == [("SLA101", 18, 19), ("SLA002", 20, 3)]


def test_invalid_field_name_is_reported_at_its_key() -> None:
    text = BASE.replace("    lost: {type: bool", "    lost-it: {type: bool")
    assert where(one_error(text + SIMPLE)) == ("SLA002", 15, 5)


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("standards:\n", 'standards:\n  "s\\n": {require: lost, window: per month}\n', 17, 3),
        ("  id: demo", '  id: "demo\\n"', 3, 7),
        ("  currency: CNY", '  currency: "CNY\\n"', 4, 13),
        ("    lost: {type", '    "lost\\n": {type', 15, 5),
    ],
    ids=["standard-id", "contract-id", "currency", "field-name"],
)
def test_a_trailing_newline_does_not_pass_a_pattern(
    old: str, new: str, line: int, column: int
) -> None:
    # Python's `$` also matches before a final newline; JSON Schema's does not
    found = errors(BASE.replace(old, new, 1) + SIMPLE)
    assert where(found[0]) == ("SLA002", line, column)
    assert "\n" not in found[0].message


# shape errors say what was expected in the contract's own terms, never a Python repr


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    window: per month\n", "    target: {key: 99%}\n",
         "`target` must be a clause written as text, e.g. `97% per month`; found a mapping"),
        ("    require: lost\n", "    require: [lost]\n",
         "`require` must be a clause written as text, e.g. "
         "`delivered_at within 24h of picked_up_at`; found a list"),
        ("  id: demo\n", "  id: demo\n  decimals: two\n",
         "`decimals` must be a whole number; found the text `two`"),
        ("  id: demo\n", "  id: demo\n  decimals: 7\n",
         "`decimals` must be at most 6; found the number `7`"),
        ("  id: demo\n", "  id: demo\n  rounding: nearest\n",
         "`rounding` must be one of `half_up`, `half_even`, `down`, `up`; "
         "found the text `nearest`"),
        ("slacheck: 1", "slacheck: 2", "`slacheck` must be `1`; found the number `2`"),
        ("  currency: CNY", "  currency: cny", "`cny` is not a valid currency code"),
        ("    lost: {type: bool, default: false}", "    lost: 5",
         "`lost` must be one of `string`, `int`, `decimal`, `ratio`, `money`, `bool`, `timestamp`, "
         "`date`, `duration`, `enum`, `list`, or a mapping with `type:`; found the number `5`"),
        ("    window: per month\n", "    window: per month\n    disqualify: 5\n",
         "`disqualify` must be a clause written as text, e.g. "
         "`after 3 consecutive missed months`, or a list of clauses; found the number `5`"),
        ("[TSN, PEK]", "[TSN, TSN]", "`values` lists `TSN` more than once"),
        ("  id: demo\n", "", "`contract` has no `id`"),
        ("  id: demo\n", "  id: demo\n  title:\n", "`title` must be text; found nothing"),
        ("    lost: {type: bool, default: false}", "    and: bool",
         "`and` is a word of the clause language and cannot be a field name"),
    ],
    ids=["mapping-for-clause", "list-for-clause", "text-for-int", "maximum", "enum", "const",
         "pattern", "one-of", "one-of-list", "unique", "required", "null", "keyword"],
)
def test_shape_errors_say_what_was_expected(old: str, new: str, expected: str) -> None:
    found = errors((BASE + SIMPLE).replace(old, new, 1))
    messages = [d.message for d in found]
    assert expected in messages
    for message in messages:
        assert "{'" not in message
        assert "is not of type" not in message
        assert "does not match" not in message


def test_a_shape_error_stands_at_the_value() -> None:
    diagnostic = one_error(BASE + "  s:\n    require: lost\n    target: {key: 99%}\n")
    assert where(diagnostic) == ("SLA002", 19, 13)


# values the schema lets through but the loader refuses


def test_unknown_time_zone_is_sla203() -> None:
    diagnostic = one_error(BASE.replace("Asia/Shanghai", "Mars/Olympus") + SIMPLE)
    assert where(diagnostic) == ("SLA203", 5, 13)


def test_impossible_effective_date_is_sla203() -> None:
    text = BASE.replace(
        "  timezone: Asia/Shanghai\n",
        '  timezone: Asia/Shanghai\n  effective: {from: "2025-02-30"}\n',
    )
    diagnostic = one_error(text + SIMPLE)
    assert where(diagnostic) == ("SLA203", 6, 21)


def test_undeclared_id_field_is_sla201_with_hint() -> None:
    diagnostic = one_error(BASE.replace("  id: shipment_id", "  id: shipment") + SIMPLE)
    assert where(diagnostic) == ("SLA201", 7, 7)
    assert diagnostic.hints == ("did you mean `shipment_id`?",)


def test_optional_time_field_is_refused() -> None:
    diagnostic = one_error(BASE.replace("  time: booked_at", "  time: picked_up_at") + SIMPLE)
    assert where(diagnostic) == ("SLA203", 8, 9)


def test_bad_default_is_sla203() -> None:
    text = BASE.replace("{type: bool, default: false}", "{type: bool, default: maybe}")
    assert where(one_error(text + SIMPLE)) == ("SLA203", 15, 33)


def test_values_on_a_non_enum_field_is_sla203() -> None:
    text = BASE.replace("    shipment_id: string", "    shipment_id: {type: string, values: [a]}")
    assert where(one_error(text + SIMPLE)) == ("SLA203", 10, 41)


def test_standard_without_window_is_sla204_at_its_key() -> None:
    diagnostic = one_error(BASE + "  s:\n    require: lost\n")
    assert where(diagnostic) == ("SLA204", 17, 3)


def test_window_given_twice_is_sla204() -> None:
    text = BASE + "  s:\n    require: lost\n    target: 97% per month\n    window: per month\n"
    assert where(one_error(text)) == ("SLA204", 20, 5)


def test_target_without_period_is_sla204() -> None:
    assert where(one_error(BASE + "  s:\n    require: lost\n    target: 97%\n")) == (
        "SLA204", 19, 13
    )


# safety: SLA003


def test_alias_is_refused() -> None:
    text = BASE + "  t: &a\n    require: lost\n    window: per month\n  u: *a\n"
    assert one_error(text).code.code == "SLA003"


def test_alias_error_points_at_the_alias() -> None:
    text = BASE + "  t: &a\n    require: lost\n    window: per month\n  u: *a\n"
    # the alias `*a` is at line 20, column 6
    assert where(one_error(text)) == ("SLA003", 20, 6)


def test_merge_key_is_refused() -> None:
    text = BASE + "  t: &a\n    require: lost\n    window: per month\n  u:\n    <<: *a\n"
    assert one_error(text).code.code == "SLA003"


def test_anchor_is_refused() -> None:
    # SLA003: "uses YAML anchors or tags"
    diagnostic = one_error(BASE + "  s:\n    require: &r lost\n    window: per month\n")
    assert diagnostic.code.code == "SLA003"


@pytest.mark.parametrize(
    "tag", ["!custom", "!!python/object:os.system", "!!binary", "!!set"]
)
def test_custom_tag_is_refused(tag: str) -> None:
    diagnostic = one_error(BASE + f"  s:\n    require: {tag} lost\n    window: per month\n")
    assert where(diagnostic) == ("SLA003", 18, 14)


def test_standard_tag_is_allowed() -> None:
    contract = load(BASE + "  s:\n    require: !!str lost\n    window: per month\n")
    assert contract.standards[0].require.node == ast.Ref(name="lost")


def test_deep_nesting_is_refused() -> None:
    assert one_error("x: " + "[" * 40 + "]" * 40 + "\n").code.code == "SLA003"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("x: " + "[" * 1000 + "]" * 1000 + "\n", 1, 36),
        ("x: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n", 1, 129),
        ("".join("  " * depth + f"k{depth}:\n" for depth in range(1000)) + "  " * 1000 + "v\n",
         33, 65),
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings"],
)
def test_nesting_is_limited_while_reading_before_any_recursion(
    text: str, line: int, column: int
) -> None:
    # PyYAML composes a tree recursively: 1,000 levels were a RecursionError
    diagnostic = one_error(text)
    assert where(diagnostic) == ("SLA003", line, column)  # the first node past the limit
    assert diagnostic.message == "the contract is nested more than 32 deep"


def test_oversized_contract_is_refused() -> None:
    text = BASE + SIMPLE + "#" * MAX_BYTES + "\n"
    assert one_error(text).code.code == "SLA003"


# clauses are positioned where they stand in the file


def clause_error(standard: str) -> tuple[str, int, int]:
    return where(one_error(BASE + standard))


def test_plain_scalar_clause_position() -> None:
    # `    require: lost and`: the clause ends at column 22, the error is just after
    assert clause_error("  s:\n    require: lost and\n    window: per month\n") == (
        "SLA101", 18, 22
    )


def test_plain_scalar_clause_error_in_the_middle() -> None:
    assert clause_error("  s:\n    require: lost lost\n    window: per month\n") == (
        "SLA101", 18, 19
    )


def test_single_quoted_clause_position() -> None:
    assert clause_error("  s:\n    require: 'lost and'\n    window: per month\n") == (
        "SLA101", 18, 23
    )


def test_double_quoted_clause_position() -> None:
    assert clause_error('  s:\n    require: "lost lost"\n    window: per month\n') == (
        "SLA101", 18, 20
    )


def test_double_quoted_clause_with_an_escape_is_positioned_after_the_quote() -> None:
    # the error is before the escape, so the place of `@` in the file is known: column 20
    text = '  s:\n    require: "lost @ \\"x\\""\n    window: per month\n'
    assert clause_error(text) == ("SLA101", 18, 20)


def test_flow_mapping_clause_position() -> None:
    assert clause_error("  s: {require: 'lost and', window: per month}\n") == ("SLA101", 17, 25)


def test_plain_multi_line_clause_position() -> None:
    text = "  s:\n    require: picked_up_at within 2h\n      of @booked_at\n    window: per month\n"
    # second line of the scalar, `      of @booked_at`: `@` is column 10
    assert clause_error(text) == ("SLA101", 19, 10)


def test_double_quoted_multi_line_clause_position() -> None:
    text = (
        '  s:\n    require: "picked_up_at within 2h\n'
        '      of @booked_at"\n    window: per month\n'
    )
    assert clause_error(text) == ("SLA101", 19, 10)


def test_folded_block_clause_position() -> None:
    text = (
        "  s:\n    require: >\n      picked_up_at within 2h\n"
        "        of @booked_at\n    window: per month\n"
    )
    assert clause_error(text) == ("SLA101", 20, 12)


def test_literal_block_clause_position() -> None:
    text = "  s:\n    require: |-\n      lost and\n      lost lost\n    window: per month\n"
    assert clause_error(text) == ("SLA101", 20, 12)


def test_literal_block_clause_that_ends_too_early() -> None:
    text = "  s:\n    require: |\n      lost and\n      lost and\n    window: per month\n"
    # the error is just past the last `and`: line 20, column 15
    assert clause_error(text) == ("SLA101", 20, 15)


def test_clause_text_is_kept_on_one_line() -> None:
    text = (
        "  s:\n    require: >\n      picked_up_at within 2h\n"
        "        of booked_at\n    window: per month\n"
    )
    [standard] = load(BASE + text).standards
    assert standard.require.text == "picked_up_at within 2h of booked_at"


def test_several_broken_clauses_give_several_diagnostics() -> None:
    text = BASE + (
        "  s:\n"
        "    require: lost and\n"          # 18: ends too early, column 22
        "    target: 97 per month\n"       # 19: `97` at column 13
        "  t:\n"
        "    require: lost lost\n"         # 21: second `lost` at column 19
        "    window: per fortnight\n"      # 22: `fortnight` at column 17
    )
    assert [where(d) for d in errors(text)] == [
        ("SLA101", 18, 22),
        ("SLA101", 19, 13),
        ("SLA101", 21, 19),
        ("SLA101", 22, 17),
    ]


def test_diagnostic_renders_file_line_column_and_caret() -> None:
    diagnostic = one_error(BASE + "  s:\n    require: lost lost\n    window: per month\n")
    rendered = diagnostic.render()
    assert rendered.splitlines()[0].startswith("c.yaml:18:19: SLA101 ")
    assert "18 |     require: lost lost" in rendered
    assert "   |                   ^^^^ clause-syntax" in rendered


# the rest of a standard


def test_exclusions_keep_their_reason() -> None:
    text = BASE + (
        "  s:\n"
        "    require: lost\n"
        "    window: per month\n"
        "    except:\n"
        "      - office == PEK\n"
        "      - when: not lost\n"
        "        reason: customer-caused delay\n"
    )
    [standard] = load(text).standards
    assert [item.reason for item in standard.exclusions] == [
        "office == PEK", "customer-caused delay"
    ]
    assert standard.exclusions[1].when.node == ast.Not(operand=ast.Ref(name="lost"))


def test_several_disqualify_rules() -> None:
    text = BASE + (
        "  s:\n"
        "    require: lost\n"
        "    target: 97% per month\n"
        "    disqualify:\n"
        "      - after 3 consecutive missed months\n"
        "      - on any breach\n"
    )
    [standard] = load(text).standards
    assert [rule.node for rule in standard.disqualify] == [
        ast.ConsecutiveMissed(count=3, period=ast.Period.MONTH),
        ast.AnyBreach(),
    ]


def test_parameters_and_derived_are_parsed() -> None:
    text = BASE.replace("standards:\n", (
        "parameters:\n"
        "  monthly_fee: 200000.00 CNY\n"
        "  limit: 24\n"
        "derived:\n"
        "  transit: delivered_at - picked_up_at\n"
        "standards:\n"
    ))
    contract = load(text + SIMPLE)
    assert [(p.name, p.clause.node) for p in contract.parameters] == [
        ("monthly_fee", ast.Money(amount=Decimal("200000.00"), currency="CNY")),
        ("limit", ast.Number(value=Decimal(24))),
    ]
    assert contract.derived[0].clause.node == ast.Binary(
        op=ast.BinOp.SUB, left=ast.Ref(name="delivered_at"), right=ast.Ref(name="picked_up_at")
    )


def test_a_clause_that_yaml_reads_as_a_bool_is_kept_as_written() -> None:
    contract = load(BASE + "  s:\n    require: true\n    except: false\n    window: per month\n")
    [standard] = contract.standards
    assert standard.require.text == "true"
    assert standard.exclusions[0].reason == "false"


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("  id: demo\n", "  id: demo\n  decimals: two\n", "for example `decimals: 2`"),
        ("    window: per month\n", "    window: [month]\n", "for example `window: per month`"),
        ("    lost: {type: bool, default: false}", "    lost: 5", "for example `lost: bool`"),
        ("slacheck: 1", "slacheck: 2", "write `slacheck: 1`"),
    ],
)
def test_a_shape_error_hints_at_an_example(old: str, new: str, hint: str) -> None:
    diagnostic = one_error((BASE + SIMPLE).replace(old, new, 1))
    assert diagnostic.hints == (hint,)


STANDARD = "standards:\n  s:\n    require: true\n    window: per month\n"


def test_business_calendars_are_loaded() -> None:
    text = contract_yaml().replace("records:", "calendars:\n  cn: {holidays: [2024-10-01], "
                                   "workdays: [\"2024-09-29\"]}\n  gulf: {weekend: [fri, sat]}\n"
                                   "records:") + STANDARD
    contract = load_contract_text(text, "c.yaml")
    cn, gulf = contract.calendars
    assert (cn.name, cn.weekend, cn.holidays, cn.workdays) == (
        "cn", frozenset({5, 6}), frozenset({date(2024, 10, 1)}), frozenset({date(2024, 9, 29)}))
    assert gulf.weekend == frozenset({4, 5})
    assert contract.calendar("gulf") is gulf
    assert contract.calendar("nowhere") is None


@pytest.mark.parametrize(("body", "message"), [
    ("{holidays: [2024-10-01], workdays: [2024-10-01]}",
     "2024-10-01 is both a holiday and a workday of calendar `cn`"),
    ("{weekend: [mon, tue, wed, thu, fri, sat, sun]}",
     "calendar `cn` has no business day in the week"),
    ("{holidays: [2024-02-30]}", "`2024-02-30` is not a date"),
])
def test_bad_business_calendars(body: str, message: str) -> None:
    text = contract_yaml().replace("records:", f"calendars:\n  cn: {body}\nrecords:") + STANDARD
    with pytest.raises(ContractError) as info:
        load_contract_text(text, "c.yaml")
    assert [d.message for d in info.value.diagnostics] == [message]


def _with_calendar_file(tmp_path: Path, calendar: str, body: str = "{file: cal/cn.yaml}") -> Path:
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "cn.yaml").write_text(calendar, "utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(contract_yaml().replace("records:", f"calendars:\n  cn: {body}\nrecords:")
                    + STANDARD, "utf-8")
    return path


def test_a_calendar_kept_in_a_file_beside_the_contract(tmp_path: Path) -> None:
    path = _with_calendar_file(
        tmp_path, "weekend: [fri, sat]\nholidays: [2024-10-01, 2024-10-02]\n"
        "workdays: ['2024-09-28']\n",
        "{file: cal/cn.yaml, holidays: [2024-10-03]}")
    [cn] = load_contract(str(path)).calendars
    assert cn.weekend == frozenset({4, 5})  # the file's
    assert cn.holidays == frozenset({date(2024, 10, 1), date(2024, 10, 2), date(2024, 10, 3)})
    assert cn.workdays == frozenset({date(2024, 9, 28)})


@pytest.mark.parametrize(("calendar", "message"), [
    (None, "cannot read the calendar file cal/none.yaml: No such file or directory"),
    ("holidays: [2024-13-01]\n", "`2024-13-01` in the holidays of the calendar file "
                                 "cal/cn.yaml is not a date"),
    ("holiday: [2024-10-01]\n", "the calendar file cal/cn.yaml must map `weekend`, "
                                "`holidays` and `workdays` to lists"),
    ("holidays: [2024-10-01\n", "the calendar file cal/cn.yaml is not YAML: while parsing a "
                                "flow sequence"),
])
def test_a_calendar_file_that_cannot_be_used_is_a_contract_error(
        tmp_path: Path, calendar: str | None, message: str) -> None:
    body = "{file: cal/none.yaml}" if calendar is None else "{file: cal/cn.yaml}"
    path = _with_calendar_file(tmp_path, calendar or "", body)
    with pytest.raises(ContractError) as info:
        load_contract(str(path))
    [diagnostic] = info.value.diagnostics
    assert diagnostic.message == message
    assert where(diagnostic)[1:] == (4, 14)  # at the contract's `file` value
