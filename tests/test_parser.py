"""The clause parser: each clause kind into `ast` nodes, precedence, literals, syntax errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from slacheck import ast
from slacheck._source import Source
from slacheck.diagnostics import ContractError, Diagnostic
from slacheck.parser import parse

# Shorthand constructors: spans are compare=False, so these compare by structure alone.


def ref(name: str) -> ast.Ref:
    return ast.Ref(name=name)


def num(text: str) -> ast.Number:
    return ast.Number(value=Decimal(text))


def pct(text: str) -> ast.Percent:
    return ast.Percent(value=Decimal(text))


def dur(microseconds: int, text: str) -> ast.Duration:
    return ast.Duration(microseconds=microseconds, text=text)


def cny(text: str) -> ast.Money:
    return ast.Money(amount=Decimal(text), currency="CNY")


def and_(left: ast.Expr, right: ast.Expr) -> ast.Logical:
    return ast.Logical(op=ast.BoolOp.AND, left=left, right=right)


def or_(left: ast.Expr, right: ast.Expr) -> ast.Logical:
    return ast.Logical(op=ast.BoolOp.OR, left=left, right=right)


def not_(operand: ast.Expr) -> ast.Not:
    return ast.Not(operand=operand)


def binary(op: str, left: ast.Expr, right: ast.Expr) -> ast.Binary:
    return ast.Binary(op=ast.BinOp(op), left=left, right=right)


def cmp(op: str, left: ast.Expr, right: ast.Expr) -> ast.Compare:
    return ast.Compare(op=ast.CmpOp(op), left=left, right=right)


def p(text: str, clause: str = "expr") -> Any:
    return parse(Source(text), clause)


def assert_syntax_error(text: str, line: int, column: int, clause: str = "expr") -> Diagnostic:
    """Like graphql-core's assert_syntax_error: one SLA101 at (line, column)."""
    with pytest.raises(ContractError) as info:
        parse(Source(text), clause)
    assert len(info.value.diagnostics) == 1
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code.code == "SLA101"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    return diagnostic


# literals and names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("office", ref("office")),
        ("_x1", ref("_x1")),
        ("42", num("42")),
        ("3.25", num("3.25")),
        ("true", ast.Bool(value=True)),
        ("false", ast.Bool(value=False)),
        ('"TSN"', ast.String(value="TSN")),
        ("'PEK'", ast.String(value="PEK")),
        ('""', ast.String(value="")),
        ("97%", pct("0.97")),
        ("10.5%", pct("0.105")),
        ("1000.00 CNY", cny("1000.00")),
        ("0.10 CNY", cny("0.10")),
        ("5 USD", ast.Money(amount=Decimal(5), currency="USD")),
    ],
)
def test_literal(text: str, expected: ast.Expr) -> None:
    assert p(text) == expected


def test_money_amount_keeps_its_exact_text() -> None:
    node = p("42973.59 CNY")
    assert isinstance(node, ast.Money)
    assert str(node.amount) == "42973.59"
    assert node.currency == "CNY"


def test_percent_is_the_exact_fraction() -> None:
    node = p("97%")
    assert isinstance(node, ast.Percent)
    assert node.value == Decimal("0.97")
    assert isinstance(node.value, Decimal)


@pytest.mark.parametrize(
    ("text", "microseconds"),
    [
        ("24h", 86_400_000_000),
        ("90d", 7_776_000_000_000),
        ("1.5h", 5_400_000_000),
        ("15min", 900_000_000),
        ("1w", 604_800_000_000),
        ("2d", 172_800_000_000),
        ("30s", 30_000_000),
        ("250ms", 250_000),
        ("0.5ms", 500),
        ("0.25h", 900_000_000),
    ],
)
def test_duration_in_microseconds(text: str, microseconds: int) -> None:
    assert p(text) == dur(microseconds, text)


def test_duration_finer_than_a_microsecond_is_a_bad_value() -> None:
    with pytest.raises(ContractError) as info:
        p("x within 0.0001ms of y")
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code.code == "SLA203"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 10)
    assert diagnostic.span.text == "0.0001ms"


# operators and precedence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a and b", and_(ref("a"), ref("b"))),
        ("a or b", or_(ref("a"), ref("b"))),
        ("not a", not_(ref("a"))),
        ("a or b and c", or_(ref("a"), and_(ref("b"), ref("c")))),
        ("a and b or c", or_(and_(ref("a"), ref("b")), ref("c"))),
        ("a and b or c and d", or_(and_(ref("a"), ref("b")), and_(ref("c"), ref("d")))),
        ("(a or b) and c", and_(or_(ref("a"), ref("b")), ref("c"))),
        ("not a and b", and_(not_(ref("a")), ref("b"))),
        ("not (a and b)", not_(and_(ref("a"), ref("b")))),
        ("not not a", not_(not_(ref("a")))),
        ("a and b and c", and_(and_(ref("a"), ref("b")), ref("c"))),
        ("a or b or c", or_(or_(ref("a"), ref("b")), ref("c"))),
        ("not a == b", not_(cmp("==", ref("a"), ref("b")))),
        ("a < b or c >= d", or_(cmp("<", ref("a"), ref("b")), cmp(">=", ref("c"), ref("d")))),
    ],
)
def test_boolean_precedence(text: str, expected: ast.Expr) -> None:
    assert p(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", binary("+", num("1"), binary("*", num("2"), num("3")))),
        ("1 * 2 + 3", binary("+", binary("*", num("1"), num("2")), num("3"))),
        ("(1 + 2) * 3", binary("*", binary("+", num("1"), num("2")), num("3"))),
        ("1 - 2 - 3", binary("-", binary("-", num("1"), num("2")), num("3"))),
        ("8 / 4 / 2", binary("/", binary("/", num("8"), num("4")), num("2"))),
        ("-a * b", binary("*", ast.Neg(operand=ref("a")), ref("b"))),
        ("2 * -x", binary("*", num("2"), ast.Neg(operand=ref("x")))),
        ("- -x", ast.Neg(operand=ast.Neg(operand=ref("x")))),
        ("a + b < c * d",
         cmp("<", binary("+", ref("a"), ref("b")), binary("*", ref("c"), ref("d")))),
        ("value * 2 >= 100.00 CNY",
         cmp(">=", binary("*", ref("value"), num("2")), cny("100.00"))),
        ("1h + 30min", binary("+", dur(3_600_000_000, "1h"), dur(1_800_000_000, "30min"))),
        ("delivered_at - picked_up_at <= 24h",
         cmp("<=", binary("-", ref("delivered_at"), ref("picked_up_at")),
             dur(86_400_000_000, "24h"))),
    ],
)
def test_arithmetic_precedence(text: str, expected: ast.Expr) -> None:
    assert p(text) == expected


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_every_comparison_operator(op: str) -> None:
    assert p(f"a {op} b") == cmp(op, ref("a"), ref("b"))


def test_in_list() -> None:
    assert p('office in [TSN, "PEK"]') == ast.In(
        operand=ref("office"), items=(ref("TSN"), ast.String(value="PEK"))
    )


def test_not_in_list() -> None:
    assert p("service not in [road, ocean]") == ast.In(
        operand=ref("service"), items=(ref("road"), ref("ocean")), negated=True
    )


def test_in_empty_list_and_expression_items() -> None:
    assert p("x in []") == ast.In(operand=ref("x"), items=())
    assert p("x in [1 + 1]") == ast.In(
        operand=ref("x"), items=(binary("+", num("1"), num("1")),)
    )


def test_in_binds_tighter_than_and() -> None:
    assert p("a in [b] and c") == and_(ast.In(operand=ref("a"), items=(ref("b"),)), ref("c"))


def test_within() -> None:
    assert p("delivered_at within 24h of picked_up_at") == ast.Within(
        event=ref("delivered_at"), limit=dur(86_400_000_000, "24h"), start=ref("picked_up_at")
    )


def test_within_with_arithmetic_on_both_sides() -> None:
    assert p("a + 1h within 2h of b - 30min") == ast.Within(
        event=binary("+", ref("a"), dur(3_600_000_000, "1h")),
        limit=dur(7_200_000_000, "2h"),
        start=binary("-", ref("b"), dur(1_800_000_000, "30min")),
    )


def test_within_inside_and() -> None:
    assert p("picked_up_at within 2h of booked_at and complete") == and_(
        ast.Within(event=ref("picked_up_at"), limit=dur(7_200_000_000, "2h"),
                   start=ref("booked_at")),
        ref("complete"),
    )


def test_percent_of() -> None:
    assert p("5% of monthly_fee") == ast.PercentOf(percent=pct("0.05"), operand=ref("monthly_fee"))


def test_percent_of_binds_to_one_operand() -> None:
    # `of` takes a unary operand: `10.5% of value * 2` is (10.5% of value) * 2
    assert p("10.5% of value * 2") == binary(
        "*", ast.PercentOf(percent=pct("0.105"), operand=ref("value")), num("2")
    )
    assert p("5% of 10% of x") == ast.PercentOf(
        percent=pct("0.05"), operand=ast.PercentOf(percent=pct("0.10"), operand=ref("x"))
    )


def test_keywords_inside_names_are_names() -> None:
    assert p("notified and order_ok or income > 0") == or_(
        and_(ref("notified"), ref("order_ok")), cmp(">", ref("income"), num("0"))
    )
    assert p("in_scope and within_sla") == and_(ref("in_scope"), ref("within_sla"))


def test_spans_cover_the_clause_text() -> None:
    node = p("a and  bc")
    assert isinstance(node, ast.Logical)
    assert node.span is not None
    assert node.right.span is not None
    assert node.span.text == "a and  bc"
    assert node.right.span.text == "bc"
    assert (node.right.span.line, node.right.span.column) == (1, 8)


# clause kinds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("per day", ast.Window(period=ast.Period.DAY)),
        ("per week", ast.Window(period=ast.Period.WEEK)),
        ("per month", ast.Window(period=ast.Period.MONTH)),
        ("per months", ast.Window(period=ast.Period.MONTH)),
        ("per quarter", ast.Window(period=ast.Period.QUARTER)),
        ("per year", ast.Window(period=ast.Period.YEAR)),
        ("per month by office", ast.Window(period=ast.Period.MONTH, by=(ref("office"),))),
        ("per quarter by office, service",
         ast.Window(period=ast.Period.QUARTER, by=(ref("office"), ref("service")))),
    ],
)
def test_window_clause(text: str, expected: ast.Window) -> None:
    assert p(text, "window") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("97% per month",
         ast.Target(rate=pct("0.97"), window=ast.Window(period=ast.Period.MONTH))),
        ("97% per month by office",
         ast.Target(rate=pct("0.97"),
                    window=ast.Window(period=ast.Period.MONTH, by=(ref("office"),)))),
        ("98% per quarter",
         ast.Target(rate=pct("0.98"), window=ast.Window(period=ast.Period.QUARTER))),
        ("99.5%", ast.Target(rate=pct("0.995"))),
    ],
)
def test_target_clause(text: str, expected: ast.Target) -> None:
    assert p(text, "target") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000.00 CNY per breach, at most 10000.00 CNY per month",
         ast.Penalty(amount=cny("1000.00"), cap=cny("10000.00"), cap_period=ast.Period.MONTH)),
        ("value per breach", ast.Penalty(amount=ref("value"))),
        ("10.5% of value per breach",
         ast.Penalty(amount=ast.PercentOf(percent=pct("0.105"), operand=ref("value")))),
        ("500 CNY per breach, at most max_fee per quarter",
         ast.Penalty(amount=cny("500"), cap=ref("max_fee"), cap_period=ast.Period.QUARTER)),
    ],
)
def test_penalty_clause(text: str, expected: ast.Penalty) -> None:
    assert p(text, "penalty") == expected


def test_credit_clause() -> None:
    assert p("5% of monthly_fee per missed month", "credit") == ast.Credit(
        amount=ast.PercentOf(percent=pct("0.05"), operand=ref("monthly_fee")),
        period=ast.Period.MONTH,
    )
    assert p("2000 CNY per missed quarter", "credit") == ast.Credit(
        amount=cny("2000"), period=ast.Period.QUARTER
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("after 3 consecutive missed months",
         ast.ConsecutiveMissed(count=3, period=ast.Period.MONTH)),
        ("after 2 consecutive missed quarters",
         ast.ConsecutiveMissed(count=2, period=ast.Period.QUARTER)),
        ("after 3 breaches within 90d",
         ast.BreachesWithin(count=3, within=dur(7_776_000_000_000, "90d"))),
        ("after 5 breaches within 1w",
         ast.BreachesWithin(count=5, within=dur(604_800_000_000, "1w"))),
        ("on any breach", ast.AnyBreach()),
    ],
)
def test_disqualify_clause(text: str, expected: ast.Node) -> None:
    assert p(text, "disqualify") == expected


def test_clause_kinds_do_not_mix() -> None:
    assert_syntax_error("97% per month", 1, 5, "expr")
    assert_syntax_error("a and b", 1, 1, "window")


# syntax errors: SLA101 with (line, column)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("", 1, 1),
        ("a and", 1, 6),
        ("a ==", 1, 5),
        ("a b", 1, 3),
        ("a @ b", 1, 3),
        ("a = b", 1, 3),
        ("a == b == c", 1, 8),
        ("x in [1, 2,]", 1, 12),
        ("x in 1, 2", 1, 6),
        ("x within 2h", 1, 12),
        ("x within 2h of", 1, 15),
        ('"open', 1, 1),
        ("5 % of x", 1, 3),
        ("a and\n   (b or", 2, 9),
        ("a +\n  * b", 2, 3),
    ],
)
def test_expression_syntax_error(text: str, line: int, column: int) -> None:
    assert_syntax_error(text, line, column)


@pytest.mark.parametrize(
    ("clause", "text", "line", "column"),
    [
        ("target", "97 per month", 1, 1),
        ("target", "97%% per month", 1, 4),
        ("window", "per fortnight", 1, 5),
        ("window", "per month by office,", 1, 21),
        ("window", "per month by a by b", 1, 16),
        ("penalty", "1000 CNY per breach, at most", 1, 29),
        ("penalty", "1000 CNY", 1, 9),
        ("credit", "5% of fee per month", 1, 15),
        ("disqualify", "after three consecutive missed months", 1, 7),
        ("disqualify", "after 3 breaches within 90 days", 1, 25),
        ("disqualify", "on any breach please", 1, 15),
    ],
)
def test_clause_syntax_error(clause: str, text: str, line: int, column: int) -> None:
    assert_syntax_error(text, line, column, clause)


def test_syntax_error_hint_says_what_was_expected() -> None:
    diagnostic = assert_syntax_error("97 per month", 1, 1, "target")
    assert diagnostic.hints == ("a target is a percentage: write `97%`",)
    diagnostic = assert_syntax_error("0.975 per month", 1, 1, "target")
    assert diagnostic.hints == ("a target is a percentage: write `97.5%`",)
    diagnostic = assert_syntax_error("count per month", 1, 1, "target")
    assert diagnostic.hints == (
        "expected a measure like `p95(transit)`, a percentage like `97%`",)


@pytest.mark.parametrize(("clause", "column", "meant"), [
    ("delivered_at within 24 hours of picked_up_at", 24, "24h"),
    ("delivered_at within 24hrs of picked_up_at", 23, "24h"),
    ("delivered_at within 1.5 days of picked_up_at", 25, "1.5d"),
    ("x - y <= 30 mins", 13, "30min"),
])
def test_a_unit_spelt_out_gets_the_short_form(clause: str, column: int, meant: str) -> None:
    diagnostic = assert_syntax_error(clause, 1, column)
    assert diagnostic.hints == (f"a duration is a number and a unit, together: write `{meant}` "
                                "(units: ms, s, min, h, d, w)",)


def test_syntax_error_is_placed_in_the_file_by_the_source_origins() -> None:
    # the clause starts at line 19, column 14 of its file
    source = Source("a and", "contract.yaml", ((19, 14),))
    with pytest.raises(ContractError) as info:
        parse(source)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code.code == "SLA101"
    assert diagnostic.location == ("contract.yaml", 19, 19)


def test_syntax_error_on_the_second_line_of_a_multi_line_source() -> None:
    source = Source("a and\nb b", "contract.yaml", ((7, 14), (8, 7)))
    with pytest.raises(ContractError) as info:
        parse(source)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.location == ("contract.yaml", 8, 9)


@pytest.mark.parametrize(
    ("text", "name", "column"),
    [("isnull(x) > 2", "isnull", 1), ("x >= mx (a, b)", "mx", 6), ("not isnull(x)", "isnull", 5)],
)
def test_a_call_of_an_unknown_function_lists_the_functions(text: str, name: str,
                                                           column: int) -> None:
    diagnostic = assert_syntax_error(text, 1, column)
    assert diagnostic.message == f"the clause language has no function `{name}`"
    assert diagnostic.span is not None
    assert diagnostic.span.text == name
    assert "`min`, `max`, `floor`, `ceil`, `round`, `abs`" in diagnostic.hints[0]


def test_functions_parse_as_calls() -> None:
    assert parse(Source("min(a, b) > 2")) == ast.Compare(
        op=ast.CmpOp.GT, left=ast.Call(function="min", args=(ref("a"), ref("b"))),
        right=ast.Number(value=Decimal(2)))
    assert parse(Source("round(x, 2)")) == ast.Call(
        function="round", args=(ast.Ref(name="x"), ast.Number(value=Decimal(2))))


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_a_call_after_an_operator_is_a_call_not_a_total(op: str) -> None:
    """The amounts of consequences may total a window (`sum(x)`); after an operator of an
    ordinary expression `min(` is still the function."""
    call = ast.Call(function="min", args=(ref("b"), ref("c")))
    assert parse(Source(f"a {op} min(b, c)")) == ast.Binary(
        op=ast.BinOp(op), left=ref("a"), right=call)


def test_an_amount_due_per_window_totals_after_an_operator() -> None:
    penalty = parse(Source("1 CNY + 2% of sum(value) * 2 per missed month"), "penalty")
    assert isinstance(penalty, ast.WindowPenalty)
    assert [node.function for node in ast.walk(penalty) if isinstance(node, ast.Aggregate)] == [
        "sum"]


def test_a_conditional_takes_the_rest_of_the_clause_as_its_else() -> None:
    assert parse(Source("if a then b else c + 1")) == ast.Conditional(
        condition=ast.Ref(name="a"), then=ast.Ref(name="b"),
        otherwise=ast.Binary(op=ast.BinOp.ADD, left=ref("c"), right=num("1")))


def test_a_lookup_names_its_table_and_optionally_a_time() -> None:
    assert parse(Source("tier[customer_id] == key")).left == ast.Lookup(
        table="tier", key=ast.Ref(name="customer_id"))
    assert parse(Source("rate[lane at picked_up_at]")) == ast.Lookup(
        table="rate", key=ast.Ref(name="lane"), at=ast.Ref(name="picked_up_at"))


def test_a_call_where_no_value_stands_says_so() -> None:
    diagnostic = assert_syntax_error("per month by min(a, b)", 1, 14, clause="window")
    assert diagnostic.message == "`min(...)` cannot stand here"


def test_a_measure_of_two_values_is_explained() -> None:
    diagnostic = assert_syntax_error("max(a, b) <= 72h per month", 1, 6, clause="target")
    assert diagnostic.message == "a measure takes one value: `max(x)` is the largest over " \
        "the window"
    assert "`longest: max(a, b)`" in diagnostic.hints[0]


def test_a_parenthesis_after_a_word_of_the_language_is_not_a_call() -> None:
    # `(a, b]` is an interval, so the list in parentheses fails at its `)`
    diagnostic = assert_syntax_error("x in (a, b)", 1, 11)
    assert diagnostic.message == "unexpected `)`"
    assert "a list is written in brackets" in diagnostic.hints[0]


# limits: a clause is never nested deeper than the checker and compiler can recurse


def too_deep(text: str, clause: str = "expr") -> Diagnostic:
    with pytest.raises(ContractError) as info:
        parse(Source(text), clause)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code.code == "SLA102"
    return diagnostic


@pytest.mark.parametrize(("word", "op"), [("and", "and"), ("or", "or"), ("+", "+"), ("*", "*")])
def test_a_chain_of_more_than_100_terms_is_refused_at_the_101st(word: str, op: str) -> None:
    text = f" {word} ".join(f"a{index}" for index in range(200))
    diagnostic = too_deep(text)
    assert diagnostic.message == f"more than 100 terms joined by `{op}`"
    assert diagnostic.span is not None
    assert diagnostic.span.text == "a100"


def test_a_20000_term_sum_is_refused_without_recursion() -> None:
    diagnostic = too_deep(" + ".join(["x"] * 20_000) + " > 1")
    assert diagnostic.span is not None
    assert diagnostic.span.start == len("x + ") * 100


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("not " * 5000 + "a", 1 + 4 * 100),
        # the comparison is a level too
        ("- " * 5000 + "a > 1", 1 + 2 * 99),
        ("(a and " * 5000 + "a" + ")" * 5000, 2 + 7 * 99),
        ("5% of " * 5000 + "a > 1", 1 + 6 * 99),
    ],
    ids=["not", "minus", "parentheses", "percent-of"],
)
def test_nesting_deeper_than_100_is_refused_where_it_passes_the_limit(
    text: str, column: int
) -> None:
    diagnostic = too_deep(text)
    assert diagnostic.message == "the clause is nested more than 100 deep"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (1, column)


def test_chains_within_chains_count_their_whole_depth() -> None:
    inner = " + ".join(["x"] * 60)
    diagnostic = too_deep(f"({inner}) * 2 + " + " + ".join(["y"] * 60) + " > 1")
    assert diagnostic.message == "the clause is nested more than 100 deep"


def test_at_the_limits_a_clause_parses() -> None:
    chain = p(" and ".join(["a"] * 100))
    depth = 0
    while isinstance(chain, ast.Logical):
        chain, depth = chain.left, depth + 1
    assert depth == 99
    assert p("not " * 99 + "a") is not None


def test_long_chains_are_left_associative_with_spans() -> None:
    node = p("a - b + c * d / e")
    assert node == binary("+", binary("-", ref("a"), ref("b")),
                          binary("/", binary("*", ref("c"), ref("d")), ref("e")))
    assert isinstance(node, ast.Binary)
    assert node.span is not None
    assert node.span.text == "a - b + c * d / e"
    assert node.left.span is not None
    assert node.left.span.text == "a - b"
    assert isinstance(node.right, ast.Binary)
    assert node.right.left.span is not None
    assert node.right.left.span.text == "c * d"


@pytest.mark.parametrize(
    ("text", "literal", "hint"),
    [
        ("x < 1000000000000000 CNY", "1000000000000000 CNY", "less than 10^15"),
        ("x < 1000000000000000", "1000000000000000", "less than 10^15"),
        ("x < 100000000000000000%", "100000000000000000%", "less than 10^15"),
        ("x < 0.0000000000000000001", "0.0000000000000000001", "18 decimal places"),
        ("x < 36526d", "36526d", "at most 100 years (36525d)"),
        ("x < 924000000h", "924000000h", "at most 100 years"),
        ("x < " + "9" * 5000 + "h", "9" * 5000 + "h", "at most 100 years"),
    ],
)
def test_a_literal_out_of_range_is_refused_where_it_stands(
    text: str, literal: str, hint: str
) -> None:
    with pytest.raises(ContractError) as info:
        p(text)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code.code == "SLA203"
    assert diagnostic.span is not None
    assert diagnostic.span.text == literal
    assert hint in diagnostic.hints[0]


@pytest.mark.parametrize("count", ["1000001", "9" * 5000])
def test_a_count_out_of_range_is_refused(count: str) -> None:
    # 5,000 digits were a ValueError from int(): more than Python converts from text
    with pytest.raises(ContractError) as info:
        p(f"after {count} breaches within 1d", "disqualify")
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code.code == "SLA203"
    assert diagnostic.hints == ("a count is at most 1,000,000",)


def test_literals_at_the_limits_parse() -> None:
    assert p("x < 999999999999999.999999999999999999 CNY") is not None
    assert p("x < 36525d") is not None
    assert p("after 1000000 breaches within 1d", "disqualify") is not None


# time: dates, timestamps, calendar durations, intervals, business days


def test_date_and_timestamp_literals() -> None:
    assert p("d <= 2024-02-29").right == ast.Date(value=date(2024, 2, 29))
    stamp = p("t < 2024-07-05T00:00+08:00").right
    assert stamp.value == datetime(2024, 7, 4, 16, 0, tzinfo=UTC)
    assert p("t < 2024-07-04T16:00Z").right == stamp  # the same moment
    assert p("t < 2024-07-04T16:00:00.5Z").right.value.microsecond == 500_000


def test_a_timestamp_needs_an_offset() -> None:
    with pytest.raises(ContractError) as info:
        p("t < 2024-07-05T00:00")
    diagnostic = info.value.diagnostics[0]
    assert (diagnostic.code.code, *diagnostic.location[1:]) == ("SLA203", 1, 5)
    assert diagnostic.message == "the timestamp `2024-07-05T00:00` has no offset"
    assert "never naive" in diagnostic.hints[0]
    assert "`2024-07-05T00:00Z`" in diagnostic.hints[0]


@pytest.mark.parametrize(("text", "message"), [
    ("d == 2023-02-29", "`2023-02-29` is not a date"),
    ("d == 1899-12-31", "`1899-12-31` is out of range"),
    ("t == 2024-07-05T24:00Z", "`2024-07-05T24:00Z` is not a timestamp"),
    ("t + 1201 months", "`1201 months` is out of range"),
    ("t + 101 years", "`101 years` is out of range"),
    ("a within 1 business day of b using cn with cutoff 24:00",
     "`24:00` is not a time of day"),
])
def test_impossible_times_are_refused(text: str, message: str) -> None:
    with pytest.raises(ContractError) as info:
        p(text)
    assert info.value.diagnostics[0].message == message


def test_calendar_durations() -> None:
    assert p("a within 9 months of b").limit == ast.CalendarDuration(count=9, unit="month")
    assert p("a + 2years").right.months == 24
    assert p("a + 100 years").right.months == 1200


def test_between_and_intervals() -> None:
    node = p("d between m - 1d and m and ok")
    assert isinstance(node, ast.Logical)
    assert isinstance(node.left, ast.Between)
    closed_open = p("t in [a, b)")
    assert closed_open == ast.InRange(operand=ast.Ref(name="t"), low=ast.Ref(name="a"),
                                      high=ast.Ref(name="b"), low_closed=True,
                                      high_closed=False)
    assert p("t not in (a, b]") == ast.InRange(
        operand=ast.Ref(name="t"), low=ast.Ref(name="a"), high=ast.Ref(name="b"),
        low_closed=False, high_closed=True, negated=True)
    # a list of two stays a list
    assert isinstance(p("office in [TSN, PEK]"), ast.In)


def test_business_days() -> None:
    node = p("a within 2 business days of b using cn with cutoff 17:30")
    assert node == ast.WithinBusiness(event=ast.Ref(name="a"), days=2, start=ast.Ref(name="b"),
                                      calendar="cn", cutoff=time(17, 30))
    assert node.calendar_span.text == "cn"
    assert p("a within 1 business day of b using cn").cutoff is None
