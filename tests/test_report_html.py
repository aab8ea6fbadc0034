"""`slacheck report`: the HTML and Markdown audit reports.

Run `pytest tests/test_report_html.py --update-goldens` after a deliberate change, then read
the diff of `tests/goldens/` before committing it.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck.api import verify
from slacheck.cli import main
from slacheck.findings import Result
from slacheck.reporters import REPORTS, _view, _wording
from tests.conftest import AS_OF, ROOT, contract_yaml

GOLDENS = Path(__file__).parent / "goldens"
SUFFIX = {"html": "html", "markdown": "md"}


@pytest.fixture(scope="module")
def result() -> Result:
    return verify("contracts/motorola-sinotrans.yaml",
                  ["examples/motorola-sinotrans/shipments.jsonl"],
                  as_of=datetime.fromisoformat(AS_OF))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", sorted(REPORTS))
def test_golden(result: Result, fmt: str, update_goldens: bool) -> None:
    golden = GOLDENS / f"motorola-sinotrans.{SUFFIX[fmt]}"
    rendered = REPORTS[fmt](result)
    if update_goldens:
        golden.write_text(rendered, "utf-8")
    assert rendered == golden.read_text("utf-8")


@pytest.mark.parametrize("fmt", sorted(REPORTS))
def test_same_inputs_same_report(result: Result, fmt: str) -> None:
    again = verify("contracts/motorola-sinotrans.yaml",
                   ["examples/motorola-sinotrans/shipments.jsonl"],
                   as_of=datetime.fromisoformat(AS_OF))
    assert REPORTS[fmt](result) == REPORTS[fmt](again)


def test_html_is_self_contained(result: Result) -> None:
    page = REPORTS["html"](result)
    # nothing to fetch and nothing to run: no src or href leaves the page
    for attribute, value in re.findall(r'\s(src|href|action|srcset|xlink:href)="([^"]*)"', page):
        assert value.startswith("#"), (attribute, value)
    assert not re.search(r"<(script|link|iframe|object|embed|img)\b", page, re.IGNORECASE)
    assert "@import" not in page
    assert "url(" not in page
    assert not re.search(r"https?://", page)
    assert "default-src 'none'" in page  # the policy forbids anything else
    # the parts the issue asks for
    for section in ("verdict", "glance", "ledger", "disqualification", "evidence",
                    "data-quality"):
        assert f'id="{section}"' in page
    assert page.count("<svg ") == len(result.standards)
    assert "@media print" in page
    assert "@page" in page


def test_every_record_id_is_escaped(tmp_path: Path) -> None:
    """Record ids, group values and reasons come from the data: they may hold markup."""
    hostile = "<script>alert('x')</script>"
    lines = [
        {"id": hostile, "at": "2025-01-05T10:00:00+08:00", "ok": False,
         "depot": "<img src=x onerror=alert(1)>"},
        {"id": "A-1 | **bold** [link](http://x)", "at": "2025-01-06T10:00:00+08:00",
         "ok": False, "depot": "plain"},
        {"id": "A-2", "at": "2025-01-07T10:00:00+08:00", "ok": True, "depot": "plain"},
    ]
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(line) + "\n" for line in lines)
                    + '{"id": "<b>bad</b>", "at": 5}\n', "utf-8")
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", "depot: string",
        standards="  s:\n    require: ok\n    target: 90% per month by depot\n"
                  "    penalty: 10.00 CNY per breach\n    disqualify: on any breach\n"), "utf-8")
    found = verify(contract, [str(data)], as_of=datetime.fromisoformat(AS_OF))
    page = REPORTS["html"](found)
    for raw in ("<script", "<img", "<b>bad"):
        assert raw not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # a URL in the data is text, never a link
    assert "[link](http://x)" in page
    assert all(value.startswith("#") for value in re.findall(r'\s(?:src|href)="([^"]*)"', page))
    text = REPORTS["markdown"](found)
    outside_code = re.sub(r"(`+)(?:(?!\1).)*?\1", "", text)  # code spans show text as is
    for raw in ("<script", "<img", "<b>", "](http", "**bold**"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), outside_code), raw
    assert "\\<script\\>" in text  # in the verdict's evidence, escaped for Markdown


def _open_window_result(tmp_path: Path, march: list[bool]) -> Result:
    """January closed and met, February without records, March open with `march`."""
    rows = [{"id": f"J{i}", "at": "2025-01-10T10:00:00+08:00", "ok": True} for i in range(10)]
    rows += [{"id": f"M{i}", "at": "2025-03-02T10:00:00+08:00", "ok": ok}
             for i, ok in enumerate(march)]
    rows.append({"id": "P", "at": "2025-03-03T10:00:00+08:00"})  # ok absent: pending
    data = tmp_path / "open.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    contract = tmp_path / "open.yaml"
    contract.write_text(contract_yaml(
        "ok: {type: bool, optional: true}",
        standards="  on-time:\n    title: On time\n    require: ok == true\n"
                  "    target: 90% per month\n"), "utf-8")
    return verify(contract, [str(data)], as_of=datetime.fromisoformat("2025-03-15T00:00:00+08:00"))


def test_open_window_shows_its_error_budget(tmp_path: Path) -> None:
    found = _open_window_result(tmp_path, [True] * 28 + [False] * 2)  # 28/30 = 93.33%
    view = _view.build(found)
    (standard,) = view.standards
    assert [(row.label, row.status) for row in standard.rows] == [
        ("2025-01", "met"), ("2025-02", "not-evaluated"), ("2025-03", "met-open")]
    # 28 / (30 + x) >= 90%  <=>  x <= 31.11 - 30: one more breach leaves 28/31 = 90.32%,
    # two leave 28/32 = 87.5%
    assert standard.findings == (
        "March 2025 (open until 1 April 2025 at 00:00 (UTC+08:00)): 93.33% (28 of 30) so far; "
        "at these counts the provider can afford 1 more breach and still meet the 90% target. "
        "1 record is still pending.",)
    assert view.verdict == "compliant"
    page = REPORTS["html"](found)
    assert "not evaluated" in page
    assert "met so far (open)" in page


def test_open_window_below_target_says_what_would_recover_it(tmp_path: Path) -> None:
    found = _open_window_result(tmp_path, [True] * 17 + [False] * 3)  # 17/20 = 85%
    (standard,) = _view.build(found).standards
    # (17 + y) / (20 + y) >= 90%  <=>  y >= 10: 27/30 = 90%, 26/29 = 89.66%
    assert standard.findings == (
        "March 2025 (open until 1 April 2025 at 00:00 (UTC+08:00)): 85.00% (17 of 20) so far, "
        "below the 90% target; 10 more records would have to pass, without another breach, "
        "to reach it. 1 record is still pending.",)
    assert [row.status for row in standard.rows] == ["met", "not-evaluated", "below-open"]
    view = _view.build(found)
    assert view.verdict == "compliant"  # an open window is not missed yet
    assert view.warnings == ("on-time: 2025-03 is below its target so far (the window is "
                             "still open)",)


def test_missed_sentences_say_by_how_many(result: Result) -> None:
    view = _view.build(result)
    findings = {s.id: s.findings for s in view.standards}
    assert findings["delivery-24h"][1] == (
        "February 2025: 95.15% (216 of 227) met the standard, below the 97% target by "
        "5 records: 5 of its 11 breaches would have had to pass to reach 97%.")
    assert findings["pickup-2h"][0].startswith(
        "January 2025 (office PEK): 93.59% (219 of 234) met the standard, below the 97% "
        "target by 8 records")


def test_ledger_reconciles(result: Result) -> None:
    view = _view.build(result)
    assert view.reconciles
    by_id = {ledger.standard: ledger for ledger in view.ledgers}
    delivery = by_id["delivery-24h"]
    assert [(p.gross, p.adjustment, p.net) for p in delivery.penalties] == [
        ("13,000.00", "-3,000.00", "10,000.00"), ("11,000.00", "-1,000.00", "10,000.00"),
        ("2,000.00", "0.00", "2,000.00")]
    assert (delivery.gross, delivery.adjustment, delivery.net) == (
        "26,000.00", "-4,000.00", "22,000.00")
    assert delivery.records_sum == ("The 26 record amounts add up to 26,000.00, the gross "
                                    "total.")
    assert delivery.penalty_line == 52
    assert by_id["safe-custody"].records_sum == ("The 3 record amounts add up to 137,050.50, "
                                                 "the gross total.")
    assert by_id["perfect-order"].credits == (("January 2025", "10,000.00", ""),)
    assert (view.penalties, view.credits, view.owed) == ("159,050.50", "10,000.00",
                                                          "169,050.50")


def test_evidence_above_the_limit_is_counted_with_a_pointer(result: Result) -> None:
    view = _view.build(result)
    perfect = next(s for s in view.standards if s.id == "perfect-order")
    january = perfect.rows[0].breaches
    assert january is not None
    assert (len(january.shown), january.total, january.more) == (_wording.LIST_LIMIT, 24, 4)
    assert january.note == "all 24 are listed in the JSON report (slacheck verify --format json)"
    page = REPORTS["html"](result)
    assert "…and 4 more: all 24 are listed in the JSON report" in page


def test_data_quality_accounts_for_every_record(result: Result) -> None:
    quality = _view.build(result).quality
    assert (quality.read, quality.accepted, quality.rejected, quality.adds_up) == (
        1302, 1296, 6, True)
    assert [(item.field, item.reason, item.lines) for item in quality.rejected_summary] == [
        ("(the line)", "not valid JSON", "101"), ("booked_at", "missing (null)", "202"),
        ("value", "not an amount", "303"), ("service", "not one of the allowed values", "404"),
        ("shipment_id", "duplicate", "505"), ("picked_up_at", "not a valid date/time", "606")]
    for item in quality.accounting:
        assert (item.out_of_scope + item.undetermined + item.in_scope + item.errors
                == item.in_period == 1296)
    delivery = next(item for item in quality.accounting if item.standard == "delivery-24h")
    assert (delivery.out_of_scope, delivery.excluded, delivery.pending) == (523, 8, 3)
    assert delivery.exclusions == (("force_majeure", 8),)


def test_inconclusive_report(tmp_path: Path) -> None:
    data = tmp_path / "empty.jsonl"
    data.write_text("", "utf-8")
    found = verify("contracts/motorola-sinotrans.yaml", [str(data)],
                   as_of=datetime.fromisoformat(AS_OF))
    view = _view.build(found)
    assert view.verdict_text == "Inconclusive"
    assert view.verdict_sentences == (
        "No record could be evaluated: no standard passed or breached a record, so there is "
        "no evidence either way.",)
    for render in REPORTS.values():
        assert "Inconclusive" in render(found)


def test_report_command_writes_html_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    run = CliRunner().invoke(main, [
        "report", "contracts/motorola-sinotrans.yaml",
        "examples/motorola-sinotrans/shipments.jsonl", "--as-of", AS_OF, "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert out.read_text("utf-8") == (GOLDENS / "motorola-sinotrans.html").read_text("utf-8")


def test_report_command_picks_markdown_from_the_file_name(tmp_path: Path) -> None:
    out = tmp_path / "audit.md"
    run = CliRunner().invoke(main, [
        "report", "contracts/motorola-sinotrans.yaml",
        "examples/motorola-sinotrans/shipments.jsonl", "--as-of", AS_OF, "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert out.read_text("utf-8").startswith("# SLA audit: ")
    run = CliRunner().invoke(main, [
        "report", "contracts/motorola-sinotrans.yaml",
        "examples/motorola-sinotrans/shipments.jsonl", "--as-of", AS_OF, "--format", "html"])
    assert run.exit_code == 0
    assert run.output.startswith("<!DOCTYPE html>")


def test_report_command_errors_keep_their_codes(tmp_path: Path) -> None:
    run = CliRunner().invoke(main, ["report", "contracts/motorola-sinotrans.yaml",
                                    str(tmp_path / "missing.jsonl"), "--as-of", AS_OF,
                                    "-o", str(tmp_path / "a.html")])
    assert run.exit_code == 3
    assert not (tmp_path / "a.html").exists()
    run = CliRunner().invoke(main, ["report", "contracts/motorola-sinotrans.yaml",
                                    "examples/motorola-sinotrans/shipments.jsonl",
                                    "--format", "pdf"])
    assert run.exit_code == 2


def test_verdict_sentences_are_html_list_items(result: Result) -> None:
    page = REPORTS["html"](result)
    block = re.search(r'<ul class="verdict-sentences">(.*?)</ul>', page, re.S)
    assert block is not None
    items = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block[1], re.S)]
    assert tuple(items) == _view.build(result).verdict_sentences


def test_windows_not_yet_due_are_not_shown_as_not_evaluated(tmp_path: Path) -> None:
    """Windows without records are laid out up to the evaluation time, not beyond it."""
    rows = [{"id": "a", "at": "2025-03-01T10:00:00+08:00", "ok": True},
            {"id": "b", "at": "2025-03-05T10:00:00+08:00", "ok": True}]
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool",
        standards="  monthly:\n    require: ok\n    target: 90% per month\n"
                  "  weekly:\n    for: id == \"b\"\n    require: ok\n"
                  "    target: 90% per week\n"), "utf-8")
    found = verify(contract, [str(data)],
                   as_of=datetime.fromisoformat("2025-03-10T00:00:00+08:00"))
    monthly, weekly = _view.build(found).standards
    assert [(row.label, row.status) for row in monthly.rows] == [("2025-03", "met-open")]
    # the span starts with March 1 (week 9) and stops at the evaluation time (in week 11,
    # which has only just begun: its first instant is the evaluation time)
    assert [(row.label, row.status) for row in weekly.rows] == [
        ("2025-W09", "not-evaluated"), ("2025-W10", "met")]
