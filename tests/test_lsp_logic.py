"""The language server's logic without a client: positions checked by hand against the
example contract's lines (0-based, as the protocol counts them)."""

from __future__ import annotations

import pytest

from slacheck.describe import describe
from slacheck.lsp.complete import complete, schema_keys
from slacheck.lsp.convert import problems
from slacheck.lsp.document import clause_at, declared, key_path, lines_of, loose_tree
from slacheck.lsp.hover import hover
from slacheck.lsp.server import _column, _units
from slacheck.parser import parse
from tests.conftest import CONTRACT

TEXT = CONTRACT.read_text(encoding="utf-8")
LINES = TEXT.split("\n")
# line 49 is `    require: delivered_at within 24h of picked_up_at` (delivery-24h),
# line 50 `    target: 97% per month`, line 43 `    target: 97% per month by office`
REQUIRE, TARGET, BY_OFFICE = 49, 50, 43


def labels(text: str, line: int, column: int) -> list[str]:
    return [item.label for item in complete(text, line, column)]


def test_the_hand_checked_lines_are_where_the_tests_say() -> None:
    assert LINES[REQUIRE] == "    require: delivered_at within 24h of picked_up_at"
    assert LINES[TARGET] == "    target: 97% per month"
    assert LINES[BY_OFFICE] == "    target: 97% per month by office"


def test_a_diagnostic_range_is_the_misspelt_name_0_based() -> None:
    broken = TEXT.replace("require: delivered_at within", "require: deliverd_at within")
    (found,) = problems(broken, "acme.yaml")
    assert (found.code, found.name, found.error) == ("SLA201", "unknown-field", True)
    # `deliverd_at` starts at column 13 (after 4 spaces and `require: `), 11 characters
    assert (found.start, found.end) == ((REQUIRE, 13), (REQUIRE, 24))
    assert found.message == ("unknown field `deliverd_at` (unknown-field)\n"
                             "help: did you mean `delivered_at`?")


def test_warnings_are_warnings_and_unused_names_say_so() -> None:
    text = TEXT.replace("  monthly_fee: 200000.00 CNY", "  monthly_fee: 200000.00 CNY\n"
                        "  spare: 1.00 CNY")
    (found,) = problems(text, "acme.yaml")
    assert (found.code, found.error, found.unused) == ("SLA303", False, True)
    assert (found.start, found.end) == ((18, 2), (18, 7))  # `spare`, on the line added


def test_only_contracts_get_diagnostics_and_junk_gets_lint_errors() -> None:
    assert problems("jobs: {test: [\n", "ci.yaml") == []
    found = problems("slacheck: 1\n\x00junk\n", "junk.yaml")
    assert [(item.code, item.start) for item in found] == [("SLA001", (1, 0))]
    # a lone surrogate (which a client may send) is not UTF-8: unreadable, on line 1
    (unreadable,) = problems("slacheck: 1\n\udcff\n", "bad.yaml")
    assert (unreadable.code, unreadable.start) == ("SLA004", (0, 0))


def test_the_clause_under_the_cursor_and_its_offset() -> None:
    at = clause_at(TEXT, REQUIRE, 20)
    assert at is not None
    assert (at.path, at.kind) == (("standards", "delivery-24h", "require"), "expr")
    assert at.text.startswith("delivered_at within 24h of picked_up_at")
    assert (at.cursor, at.position(0)) == (7, (REQUIRE, 13))
    assert clause_at(TEXT, REQUIRE, 6) is None  # on the key
    assert clause_at(TEXT, 0, 3) is None  # a comment
    assert clause_at(TEXT, 14, 20) is None  # `effective: {...}`, no clause


def test_a_clause_over_several_lines_and_in_lists() -> None:
    text = ("standards:\n  s:\n    require: >\n      delivered_at within 24h\n"
            "      of picked_up_at\n    disqualify:\n      - after 3 breaches within 90d\n"
            "    except:\n    - when: force_majeure\n      reason: fm\n")
    at = clause_at(text, 4, 9)
    assert at is not None
    assert at.text == "delivered_at within 24h\nof picked_up_at"
    assert (at.cursor, at.position(at.cursor)) == (27, (4, 9))
    listed = clause_at(text, 6, 10)
    assert listed is not None
    assert (listed.path, listed.kind) == (("standards", "s", "disqualify", 0), "disqualify")
    when = clause_at(text, 8, 14)
    assert when is not None
    assert when.path == ("standards", "s", "except", 0, "when")
    assert clause_at(text, 9, 14) is None  # a reason is words, not a clause
    assert key_path(lines_of(text), 9) == ("standards", "s", "except", 0)


def test_declared_names_from_yaml_and_from_a_broken_document() -> None:
    names = declared(TEXT)
    assert names.fields["office"].values == ("TSN", "PEK")
    assert names.fields["delivered_at"].optional
    assert names.parameters == {"monthly_fee": "200000.00 CNY"}
    broken = declared(TEXT + "  oops: [\n")
    assert broken.fields == names.fields
    assert loose_tree(["a:", "  - x", "  - y", "b: {c: 1}"]) == {"a": ["x", "y"], "b": {"c": 1}}


def test_completion_inside_clauses() -> None:
    assert labels(TEXT, REQUIRE, 16) == ["delivered_at"]  # `del|`
    everything = labels(TEXT, REQUIRE, 13)
    assert {"shipment_id", "monthly_fee", "as_of", "within", "not"} <= set(everything)
    assert labels(TEXT, TARGET, 20) == ["day", "week", "month", "quarter", "year"]
    assert labels(TEXT, 47, 26) == ["air_export"]  # `for: service in [air_e|`
    assert labels(TEXT, 52, 40) == ["missed"]  # `after 3 consecutive miss|`
    typed = TEXT.replace("    require: complete and accurate", "    require: office == ")
    assert labels(typed, 56, 23) == ["TSN", "PEK"]
    grouped = TEXT.replace("97% per month by office", "97% per month by ")
    assert "office" in labels(grouped, BY_OFFICE, 29)  # after `by `, the end of the line
    assert labels(TEXT, 21, 8)[:2] == ["shipment_id", "service"]  # records.time names a field
    assert labels(TEXT, REQUIRE, 34) == []  # right after `24h`
    assert labels('slacheck: 1\nstandards:\n  s:\n    require: "x == ', 3, 20) == []


def test_completion_of_keys_leaves_out_those_already_there() -> None:
    text = TEXT.replace("    title: Invoices correct", "    title: Invoices correct\n    ")
    offered = labels(text, 69, 4)
    assert "penalty" in offered
    assert "require" not in offered  # billing-accuracy has one
    assert "title" not in offered
    assert labels("", 0, 0) == ["slacheck", "contract", "parameters", "records", "calendars",
                                "derived", "pools", "rates", "tables", "standards"]
    assert schema_keys(("contract",))["timezone"] == (
        "IANA time zone of every calendar window, e.g. Asia/Shanghai")


def test_hover_says_what_a_clause_means() -> None:
    shown = hover(TEXT, BY_OFFICE, 14)
    assert shown is not None
    assert shown.markdown.startswith(
        "**target** of standard `pickup-2h`: met when at least 97% of the records in scope "
        "pass, per calendar month, by office;")
    assert (shown.start, shown.end) == ((BY_OFFICE, 12), (BY_OFFICE, 35))
    deadline = hover(TEXT, REQUIRE, 15)
    assert deadline is not None
    assert "breach when `delivered_at` is more than 24 hours after `picked_up_at`" \
        in deadline.markdown
    assert "`delivered_at`: record field, timestamp, optional" in deadline.markdown
    scoped = hover(TEXT, TARGET, 14)
    assert scoped is not None
    assert "records in scope (`service in [air_export, air_import, domestic_air]`)" \
        in scoped.markdown
    broken = hover(TEXT.replace("24h of", "24h off"), REQUIRE, 15)
    assert broken is not None
    assert "does not parse yet" in broken.markdown
    assert hover(TEXT, 5, 2) is None


@pytest.mark.parametrize(("kind", "grammar", "clause", "words"), [
    ("require", "expr", "not lost and not damaged",
     "a record passes when `lost` is false and `damaged` is false; otherwise it is a breach"),
    ("for", "expr", "service in [road]",
     "the standard applies to records where `service` is one of road; others are not in "
     "scope"),
    ("target", "target", "p95(transit) <= 72h per week, at least 20 records",
     "met when the 95th percentile of `transit` (nearest rank) is at most 72 hours, over "
     "the records in scope, per ISO week (Monday to Sunday), in windows of at least 20 "
     "records (fewer: not evaluated)"),
    ("penalty", "penalty", "1000 CNY per breach, at most 5000 CNY per month",
     "each breach costs 1000 CNY, at most 5000 CNY in total per calendar month"),
    ("penalty", "penalty", "10% of value per completed 2d of delay rounded up to 1d, at most "
     "50% of value per breach",
     "each breach costs 10% of `value` for each completed 2 days of `delay` (`delay` rounded "
     "up to a multiple of 1 day first), at most 50% of `value` per breach"),
    ("penalty", "penalty", "3% of sum(value) per missed month",
     "for each missed calendar month (a window closed below its target), a penalty of 3% of "
     "`sum(value)`, totalled over the window's records"),
    ("credit", "credit", "1% of fee per full point below target, at most 15% of fee",
     "for a missed window, a service credit of 1% of `fee` for each whole percentage point "
     "below the target, at most 15% of `fee`"),
    ("reward", "reward", "0.5% of fee per met month",
     "for each met calendar month, a reward of 0.5% of `fee`, owed by the customer"),
    ("disqualify", "disqualify", "after 2 consecutive missed months",
     "disqualified after 2 consecutive missed calendar months of the same group, when the "
     "last of them closes"),
])
def test_describe(kind: str, grammar: str, clause: str, words: str) -> None:
    from slacheck._source import Source

    assert describe(kind, parse(Source(clause), grammar)) == words


def test_columns_in_the_clients_units() -> None:
    line = "  note: \U0001f69a at é"  # a truck: two UTF-16 units, four UTF-8 bytes
    assert _units(line, 10, "utf-16") == 11
    assert _units(line, 10, "utf-8") == 13  # 8 + 4 + 1
    assert _units(line, 10, "utf-32") == 10
    assert _column(line, 11, "utf-16") == 10
    assert _column(line, 99, "utf-16") == len(line)


@pytest.mark.parametrize(("line", "word", "shown"), [
    # 0-based lines of contracts/motorola-sinotrans.yaml
    (47, "air_export", "\n\n`air_export`: a value of `service`"),
    (48, "force_majeure", "\n\n`force_majeure`: record field, bool, false when absent"),
    (58, "monthly_fee", "\n\n`monthly_fee`: parameter, `200000.00 CNY`"),
    (17, "200000", "**parameter** `monthly_fee`: a constant of the contract: 200000.00 CNY."),
    (21, "booked_at", "**time**: record field, timestamp"),
    (20, "shipment_id", "**id**: record field, string"),
])
def test_hover_names_what_a_name_is(line: int, word: str, shown: str) -> None:
    found = hover(TEXT, line, LINES[line].index(word) + 1)
    assert found is not None
    assert found.markdown.endswith(shown)


def test_hover_on_a_derived_field_shows_the_fields_it_reads() -> None:
    text = TEXT.replace("standards:\n", "derived:\n  late: transit > 24h\n"
                        "  transit: delivered_at - picked_up_at\nstandards:\n", 1)
    lines = text.split("\n")
    line = next(n for n, item in enumerate(lines) if "late: transit" in item)
    found = hover(text, line, lines[line].index("transit") + 1)
    assert found is not None
    assert found.markdown == ("**derived** `late`: computed for each record: transit > 24h."
                              "\n\n`transit`: derived field, `delivered_at - picked_up_at`")
