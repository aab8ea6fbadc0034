"""`slacheck fmt`: one canonical spelling of each clause; the rest of the file byte for
byte; idempotent; and a formatted contract compiles to the same plan."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from slacheck import ast, parser
from slacheck._source import Source
from slacheck.api import compile_plan
from slacheck.checker import check
from slacheck.cli import main
from slacheck.diagnostics import ContractError
from slacheck.fmt import FormatError, clause, format_text
from slacheck.loader import load_contract_text
from tests.conftest import ROOT, contract_yaml


def canonical(text: str, kind: str = "expr") -> str:
    return clause(parser.parse(Source(text), kind))


@pytest.mark.parametrize(("written", "formatted"), [
    ("a+b*c", "a + b * c"),
    ("(a+b)*c", "(a + b) * c"),
    ("a-(b-c)", "a - (b - c)"),          # kept: without them it is (a - b) - c
    ("(a-b)-c", "a - b - c"),            # dropped: the grammar folds to the left
    ("a/(b*c)", "a / (b * c)"),
    ("a and (b and c)", "a and (b and c)"),
    ("(a or b) and c", "(a or b) and c"),
    ("a or (b and c)", "a or b and c"),
    ("not(a and b)", "not (a and b)"),
    ("not  not a", "not not a"),
    ("-(a+b) >= -5", "-(a + b) >= -5"),
    ("5%of(fee+fee)", "5% of (fee + fee)"),
    ("office in[TSN,PEK]", "office in [TSN, PEK]"),
    ("office not  in [ 'HAM-MUC' ]", 'office not in ["HAM-MUC"]'),
    ("delivered_at   within 24h of(picked_up_at+1h)",
     "delivered_at within 24h of picked_up_at + 1h"),
    ("(x within 2h of y) == true", "(x within 2h of y) == true"),
    ("delivered_at is  absent", "delivered_at is absent"),
    ("1000.00   CNY", "1000.00 CNY"),
    ("97.50%", "97.5%"),
    ("min( a,b ,c)>=2", "min(a, b, c) >= 2"),
    ("round(x,2)", "round(x, 2)"),
    ("if(a)then b else(c+1)", "if a then b else c + 1"),
    ("(if a then b else c)+1", "(if a then b else c) + 1"),
    ("if a then (if b then c else d) else e", "if a then if b then c else d else e"),
    ("not(if a then b else c)", "not (if a then b else c)"),
    ("tier[ customer_id ]=='key'", 'tier[customer_id] == "key"'),
    ("rate[lane at(picked_up_at+1h)]", "rate[lane at picked_up_at + 1h]"),
])
def test_expressions_are_spelt_one_way(written: str, formatted: str) -> None:
    assert canonical(written) == formatted
    assert canonical(formatted) == formatted


@pytest.mark.parametrize(("kind", "written", "formatted"), [
    ("target", "97.0%  per months", "97% per month"),
    ("target", "97% per week by depot,service", "97% per week by depot, service"),
    ("target", "97% per month,warn below 99%, at least 1 records",
     "97% per month, at least 1 record, warn below 99%"),
    ("target", "99% for key,97% for 'the-rest' per month by tier",
     '99% for key, 97% for "the-rest" per month by tier'),
    ("target", "p95( transit )<=72h per month", "p95(transit) <= 72h per month"),
    ("target", "sum(a)/sum(b)>=98%", "sum(a) / sum(b) >= 98%"),
    ("target", "count()<= 3 per day", "count() <= 3 per day"),
    ("window", "per  month by office ,depot", "per month by office, depot"),
    ("window", "per month  of delivered_at by office", "per month of delivered_at by office"),
    ("target", "90% per months of  delivered_at", "90% per month of delivered_at"),
    ("penalty", "10%of value per breach,at most  fee*2 per months",
     "10% of value per breach, at most fee * 2 per month"),
    ("penalty", "10.5% of value per  completed 2d of delay rounded up to 1d,at most 55% of value "
     "per breach", "10.5% of value per completed 2d of delay rounded up to 1d, at most 55% of "
     "value per breach"),
    ("penalty", "1 CNY per 1h of(a-b),at most 9 CNY per month",
     "1 CNY per 1h of (a - b), at most 9 CNY per month"),
    ("penalty", "3%of sum(a*b) per missed month", "3% of sum(a * b) per missed month"),
    ("penalty", "1 CNY per breach,at most 9 CNY per months  by office",
     "1 CNY per breach, at most 9 CNY per month by office"),
    ("credit", "1%of sum(f) per full point below target,at most 15%of sum(f)",
     "1% of sum(f) per full point below target, at most 15% of sum(f)"),
    ("reward", "0.5%of fee per met months", "0.5% of fee per met month"),
    ("escalate", "after 1 missed months within 6 month : notice",
     "after 1 missed month within 6 months: notice"),
    ("escalate", "after 2 consecutive missed month:'corrective plan'",
     'after 2 consecutive missed months: "corrective plan"'),
    ("credit", "5 % of fee per missed months".replace("5 %", "5%"), "5% of fee per missed month"),
    ("disqualify", "after 1 consecutive missed months", "after 1 consecutive missed month"),
    ("disqualify", "after 3 consecutive missed month", "after 3 consecutive missed months"),
    ("disqualify", "after  3 breaches within 90d", "after 3 breaches within 90d"),
    ("disqualify", "on  any breach", "on any breach"),
    ("expr", "d between mabd-1d and mabd", "d between mabd - 1d and mabd"),
    ("expr", "(d between a and b) and c", "d between a and b and c"),
    ("expr", "t in [2024-07-05T00:00+08:00,2024-07-06T00:00Z)",
     "t in [2024-07-05T00:00+08:00, 2024-07-06T00:00Z)"),
    ("expr", "t not in ( a,b ]", "t not in (a, b]"),
    ("expr", "a within 9months of b", "a within 9 months of b"),
    ("expr", "a + 1 years", "a + 1 year"),
    ("expr", "a within 1  business  days of b using cn with cutoff 17:00",
     "a within 1 business day of b using cn with cutoff 17:00"),
])
def test_clauses_are_spelt_one_way(kind: str, written: str, formatted: str) -> None:
    assert canonical(written, kind) == formatted
    assert canonical(formatted, kind) == formatted


# a random expression, printed, parses back to the same tree

_names = st.sampled_from(["a", "b", "fee", "delivered_at", "TSN"])
_leaves = st.one_of(
    _names.map(lambda name: ast.Ref(name=name)),
    st.decimals(0, 1000, places=2).map(lambda value: ast.Number(value=value)),
    st.integers(1, 99).map(lambda value: ast.Percent(value=Decimal(value) / 100)),
    st.sampled_from(["24h", "2d", "90min"]).map(
        lambda text: parser.parse(Source(text), "expr")),
    st.just(ast.String(value="HAM-MUC")),
    st.booleans().map(lambda value: ast.Bool(value=value)),
    st.sampled_from(["2024-02-29", "2024-07-05T00:00+08:00", "2024-07-05T23:59:59.5Z",
                     "9 months", "1 year"]).map(lambda text: parser.parse(Source(text), "expr")),
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda op, left, right: ast.Binary(op=op, left=left, right=right),
                  st.sampled_from(ast.BinOp), children, children),
        st.builds(lambda op, left, right: ast.Compare(op=op, left=left, right=right),
                  st.sampled_from(ast.CmpOp), children, children),
        st.builds(lambda op, left, right: ast.Logical(op=op, left=left, right=right),
                  st.sampled_from(ast.BoolOp), children, children),
        st.builds(lambda operand: ast.Not(operand=operand), children),
        st.builds(lambda operand: ast.Neg(operand=operand), children),
        st.builds(lambda operand, items, negated: ast.In(operand=operand, items=tuple(items),
                                                         negated=negated),
                  children, st.lists(children, max_size=3), st.booleans()),
        st.builds(lambda event, limit, start: ast.Within(event=event, limit=limit,
                                                         start=start),
                  children, children, children),
        st.builds(lambda operand, present: ast.Presence(operand=operand, present=present),
                  children, st.booleans()),
        st.builds(lambda function, args: ast.Call(function=function, args=tuple(args)),
                  st.sampled_from(ast.FUNCTIONS), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda condition, then, otherwise: ast.Conditional(
            condition=condition, then=then, otherwise=otherwise), children, children, children),
        st.builds(lambda key, at: ast.Lookup(table="rates", key=key, at=at),
                  children, st.none() | children),
        st.builds(lambda operand, low, high: ast.Between(operand=operand, low=low, high=high),
                  children, children, children),
        st.builds(lambda operand, low, high, low_closed, negated: ast.InRange(
            operand=operand, low=low, high=high, low_closed=low_closed,
            high_closed=not low_closed, negated=negated),
                  children, children, children, st.booleans(), st.booleans()),
        st.builds(lambda event, days, start, cutoff: ast.WithinBusiness(
            event=event, days=days, start=start, calendar="cn", cutoff=cutoff),
                  children, st.integers(0, 10), children,
                  st.sampled_from([None, time(17, 0), time(9, 30)])),
    )


@settings(max_examples=300, deadline=None)
@given(st.recursive(_leaves, _extend, max_leaves=12))
def test_any_expression_prints_to_text_that_parses_to_it(node: ast.Expr) -> None:
    text = clause(node)
    assert parser.parse(Source(text), "expr") == node
    assert canonical(text) == text


@settings(max_examples=200, deadline=None)
@given(st.recursive(_leaves, _extend, max_leaves=10), st.randoms(use_true_random=False))
def test_any_spacing_formats_to_the_same_text(node: ast.Expr, random: Any) -> None:
    text = clause(node)
    messy, quoted = [], False
    for index, character in enumerate(text):
        quoted = quoted != (character == '"')
        # not inside a date or a timestamp (`2024-07-05T00:00+08:00`), which is one word
        in_word = text[index + 1:index + 2].isdigit() and text[index - 1:index].isalnum()
        spaced = character in " ([,+*/-" and not quoted and not in_word
        messy.append(character + " " * random.randint(0, 2) if spaced else character)
    assert canonical("".join(messy)) == text


# files

MESSY = """\
# a contract as someone typed it
slacheck: 1
contract: {id: x, currency: CNY, timezone: UTC}
parameters:
  fee:    1000.00   CNY   # per month
  share: 5.0%
records: {id: id, time: at, fields: {id: string, at: timestamp, ok: bool, n: int,
  office: {type: enum, values: [TSN, PEK]}}}
derived:
  x:  (n+1)*2
standards:
  a:
    for: office in [TSN,PEK]   # scope
    require: ok and(not ok or x>1)
    target: "97.0% per months by office"
    penalty: 'fee*2 per breach,at most  fee*10 per month'
    disqualify: [after 3 consecutive missed month, after 2 breaches within 90d]
  b: {require: "n>=1", target: "sum(n)/sum(n) >= 97% per month, warn below 98%,
    at least 1 records"}
  c:
    except:
      - when: n<0   # a refund
        reason: "refunds: not shipments"
    require: |
      n>1 and
      ok
    window: per  month
"""

TIDY = """\
# a contract as someone typed it
slacheck: 1
contract: {id: x, currency: CNY, timezone: UTC}
parameters:
  fee:    1000.00 CNY   # per month
  share: 5%
records: {id: id, time: at, fields: {id: string, at: timestamp, ok: bool, n: int,
  office: {type: enum, values: [TSN, PEK]}}}
derived:
  x:  (n + 1) * 2
standards:
  a:
    for: office in [TSN, PEK]   # scope
    require: ok and (not ok or x > 1)
    target: "97% per month by office"
    penalty: 'fee * 2 per breach, at most fee * 10 per month'
    disqualify: [after 3 consecutive missed months, after 2 breaches within 90d]
  b: {require: "n >= 1", target: "sum(n)/sum(n) >= 97% per month, warn below 98%,
    at least 1 records"}
  c:
    except:
      - when: n < 0   # a refund
        reason: "refunds: not shipments"
    require: |
      n>1 and
      ok
    window: per month
"""


def test_only_the_clauses_change_and_comments_stay() -> None:
    formatted = format_text(MESSY, "c.yaml")
    assert formatted.changed
    assert formatted.text == TIDY
    assert not format_text(TIDY, "c.yaml").changed


def test_quotes_are_kept_and_added_where_plain_yaml_cannot_hold_a_clause() -> None:
    from slacheck.fmt import _scalar

    assert _scalar('office in ["A", B]', '"', flow=True) == r'"office in [\"A\", B]"'
    assert _scalar("office == 'A'", "'", flow=False) == "'office == ''A'''"
    # in a flow collection a plain value cannot hold `,` or `[`
    assert _scalar("office in [A, B]", None, flow=True) == "'office in [A, B]'"
    assert _scalar("office in [A, B]", None, flow=False) == "office in [A, B]"
    assert _scalar("-a > 1", None, flow=False) == "-a > 1"
    text = contract_yaml("office: {type: enum, values: [TSN, PEK]}", "n: int", standards=(
        '  a: {require: "office in[TSN,\\"PEK\\"]", window: per month}\n'
        "  b:\n    require: -n>1\n    window: per month\n"))
    formatted = format_text(text).text
    assert '  a: {require: "office in [TSN, \\"PEK\\"]", window: per month}\n' in formatted
    assert "    require: -n > 1\n" in formatted
    assert not format_text(formatted).changed


def test_a_contract_whose_clause_does_not_parse_is_not_formatted() -> None:
    text = contract_yaml("ok: bool", standards="  a:\n    require: ok and\n"
                                               "    window: per month\n")
    with pytest.raises(ContractError) as caught:
        format_text(text, "c.yaml")
    assert caught.value.diagnostics[0].code.code == "SLA101"


def _meaning(text: str) -> tuple[Any, list[str]]:
    """What a contract says, without how its clauses are spelt: each clause's tree, and
    the compiled plan's description less the lines that quote clause text."""
    contract = load_contract_text(text, "c.yaml")
    trees = [
        [(named.name, named.clause.node) for named in contract.parameters],
        [(named.name, named.clause.node) for named in contract.derived],
        [(standard.id, standard.require.node,
          standard.scope.node if standard.scope else None,
          [item.when.node for item in standard.exclusions],
          standard.target.node if standard.target else None, standard.window,
          [item.node for item in standard.penalties],
          standard.credit.node if standard.credit else None,
          standard.payment.node if standard.payment else None,
          [item.node for item in standard.disqualify]) for standard in contract.standards],
    ]
    rates = {rate.currency: "1" for rate in contract.rates}  # any rate: the plan's shape
    plan = compile_plan(check(contract), datetime(2025, 4, 1, tzinfo=UTC),
                        rates=rates).describe()
    quoted = ("  for:", "  except:", "  require:", "  target:", "  penalty:", "  credit:",
              "  disqualify:")
    # a measure is quoted as written in stage lines too: spacing aside, the same plan
    return trees, ["".join(line.split()) for line in plan.splitlines()
                   if not line.startswith(quoted)]


CLAUSE_LINE = re.compile(r"(?m)^(\s+(?:for|except|require|target|penalty|credit|disqualify|"
                         r"when|window|payment): )(.*)$")
CLAUSE_LIST = re.compile(r"(?m)^(\s+(?:penalty|escalate|disqualify):\n)((?:\s+- .*\n)+)")
"""A clause key whose value is a block list of clauses, and its items."""
CONTRACTS = sorted([*ROOT.glob("contracts/*.yaml"), *ROOT.glob("tests/cases/*/contract.yaml")])


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda path: path.parent.name + "/" + path.name)
def test_every_contract_in_the_repository_is_formatted_and_keeps_its_plan(path: Path) -> None:
    text = path.read_text("utf-8")
    formatted = format_text(text, str(path))
    assert not formatted.changed, f"{path} is not formatted: run slacheck fmt"
    # its clauses messed up, it formats back to itself, with the same plan
    def mess(clause: str) -> str:
        return clause.replace(" >= ", ">=").replace(", ", ",").replace(" per ", "  per ") \
            .replace(" and ", " and  ")

    messy = CLAUSE_LINE.sub(lambda match: match[1] + mess(match[2]), text)
    messy = CLAUSE_LIST.sub(lambda match: match[1] + mess(match[2]), messy)
    assert messy != text
    again = format_text(messy, str(path))
    assert again.text == text
    assert _meaning(messy) == _meaning(text)


def test_formatting_keeps_the_plan_of_a_messy_contract() -> None:
    assert _meaning(MESSY.replace("x>1", "x > 1 and ok")) == _meaning(
        format_text(MESSY.replace("x>1", "x > 1 and ok")).text)


def test_a_failed_meaning_check_leaves_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from slacheck import fmt

    monkeypatch.setattr(fmt, "clause", lambda node: "ok or ok")
    text = contract_yaml("ok: bool", standards="  a:\n    require: ok\n    window: per month\n")
    with pytest.raises(FormatError, match="changed meaning"):
        fmt.format_text(text)


# the command


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["fmt", *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_fmt_writes_the_files_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(MESSY, "utf-8")
    (tmp_path / "other.yaml").write_text("a:   1\n", "utf-8")
    code, out, err = run(str(tmp_path))
    assert (code, out) == (0, "")
    assert err == "1 contract reformatted, 0 unchanged\n"
    assert path.read_text("utf-8") == TIDY
    assert (tmp_path / "other.yaml").read_text("utf-8") == "a:   1\n"
    code, _, err = run(str(path))
    assert (code, err) == (0, "0 contracts reformatted, 1 unchanged\n")


def test_check_exits_1_with_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(MESSY, "utf-8")
    code, out, err = run("--check", str(path))
    assert code == 1
    assert f"--- a/{path}\n+++ b/{path}\n" in out
    assert "\n-    require: ok and(not ok or x>1)\n" in out
    assert "\n+    require: ok and (not ok or x > 1)\n" in out
    assert err == "1 contract would be reformatted, 0 unchanged\n"
    assert path.read_text("utf-8") == MESSY
    code, out, _ = run("--diff", str(path))
    assert code == 0
    assert "+  share: 5%\n" in out
    path.write_text(TIDY, "utf-8")
    assert run("--check", str(path))[:2] == (0, "")


def test_standard_input_to_standard_output() -> None:
    assert run("-", stdin=MESSY) == (0, TIDY, "")
    assert run("--check", "-", stdin=MESSY)[0] == 1
    assert run("--check", "-", stdin=TIDY) == (0, TIDY, "")


def test_a_contract_that_does_not_parse_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    broken = MESSY.replace("x>1", "x>")
    path.write_text(broken, "utf-8")
    code, _, err = run(str(path), str(tmp_path / "missing.yaml"))
    assert code == 2
    assert f"{path}:14:" in err
    assert "SLA101" in err
    assert "no such file or folder" in err
    assert path.read_text("utf-8") == broken


def test_a_meaning_check_that_fails_is_an_internal_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from slacheck import fmt

    monkeypatch.setattr(fmt, "clause", lambda node: "ok or ok")
    path = tmp_path / "c.yaml"
    path.write_text(MESSY, "utf-8")
    result = CliRunner().invoke(main, ["fmt", str(path)])
    assert result.exit_code == 70
    assert "formatting would change the contract's meaning" in result.stderr
    assert path.read_text("utf-8") == MESSY
