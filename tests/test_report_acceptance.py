"""The audit report of the acceptance case says what `expected.json` says.

`expected.json` was computed by an independent program from the contract's words; here every
sentence of the report's verdict, and every figure of its tables, is checked against it,
reading the rendered HTML and Markdown rather than the view model behind them.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from slacheck.api import verify
from slacheck.findings import Result
from slacheck.reporters import REPORTS
from tests.conftest import AS_OF, CONTRACT, EXAMPLE, ROOT

EXPECTED: dict[str, Any] = json.loads((EXAMPLE / "expected.json").read_text("utf-8"))
WORDS: dict[str, Any] = yaml.safe_load(CONTRACT.read_text("utf-8"))
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@pytest.fixture(scope="module")
def result() -> Result:
    return verify(str(CONTRACT.relative_to(ROOT)), [str((EXAMPLE / "shipments.jsonl")
                                                        .relative_to(ROOT))],
                  as_of=datetime.fromisoformat(AS_OF))


@pytest.fixture(scope="module")
def page(result: Result) -> str:
    return REPORTS["html"](result)


def _month(label: str) -> str:
    year, month = label.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _money(text: str) -> str:
    return f"{Decimal(text):,}"


def _moment(iso: str) -> str:
    at = datetime.fromisoformat(iso)
    offset = at.strftime("%z")
    return (f"{at.day} {MONTHS[at.month - 1]} {at.year} at {at.hour:02d}:{at.minute:02d} "
            f"(UTC{offset[:3]}:{offset[3:]})")


def _verdict_sentences(page: str) -> list[str]:
    block = re.search(r'<ul class="verdict-sentences">(.*?)</ul>', page, re.S)
    assert block is not None
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block[1], re.S)]


def test_every_verdict_sentence_agrees_with_expected_json(page: str) -> None:
    contract = WORDS["contract"]
    provider, customer = contract["provider"], contract["customer"]
    sentences = _verdict_sentences(page)
    assert re.search(r'<section class="verdict non-compliant" id="verdict">\s*<h2>Non-compliant'
                     "</h2>", page)
    want = []
    # one sentence per standard with a missed window, naming every missed window
    for standard, found in EXPECTED["standards"].items():
        missed = [w for w in found["windows"] if w.get("met") is False]
        if not missed:
            continue
        places = [_month(w["window"]) + "".join(f" ({name} {value})"
                                                for name, value in w["group"].items())
                  for w in missed]
        listed = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " and " + places[-1]
        title = WORDS["standards"][standard]["title"]
        target = {w["target"] for w in missed}
        assert len(target) == 1
        want.append(f"{title} ({standard}): the {target.pop()}% target was missed in "
                    f"{listed}.")
    # what is owed, payer the provider, payee the customer
    penalties = Decimal(EXPECTED["totals"]["penalties"])
    credits = Decimal(EXPECTED["totals"]["service_credits"])
    want.append(f"The provider, {provider}, owes the customer, {customer}, "
                f"{_money(str(penalties + credits))} CNY: {_money(str(penalties))} CNY in "
                f"penalties and {_money(str(credits))} CNY in service credits.")
    assert sentences[:len(want)] == want
    # the disqualification: its standard, date and shipments; its rule in words
    (last,) = sentences[len(want):]
    found = EXPECTED["disqualification"]
    title = WORDS["standards"][found["standard"]]["title"]
    head = (f"The provider, {provider}, is disqualified under {found['standard']} ({title}) "
            f"as of {_moment(found['at'])}: {len(found['shipments'])} breaches within 90 days; "
            "evidence: ")
    assert last.startswith(head), last
    evidence = re.findall(r"(MOT-[\d-]+) \(line \d+\)", last[len(head):])
    assert evidence == found["shipments"]


def test_the_amounts_owed_agree(page: str) -> None:
    owed = re.search(r'<table class="owed">(.*?)</table>', page, re.S)
    assert owed is not None
    cells = [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", owed[1])]
    penalties = Decimal(EXPECTED["totals"]["penalties"])
    credits = Decimal(EXPECTED["totals"]["service_credits"])
    assert cells == [f"{_money(str(penalties))} CNY", f"{_money(str(credits))} CNY",
                     f"<strong>{_money(str(penalties + credits))} CNY</strong>"]


class _Tables(HTMLParser):
    """The text of every table cell, per table, per row, under each section id."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = ["page"]
        self.tables: dict[str, list[list[list[str]]]] = {}
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.sections.append(dict(attrs).get("id") or self.sections[-1])
        elif tag == "table":
            self.tables.setdefault(self.sections[-1], []).append([])
        elif tag == "tr":
            self.tables[self.sections[-1]][-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.sections.pop()
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[self.sections[-1]][-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _tables(page: str) -> dict[str, list[list[list[str]]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def test_every_window_row_agrees_with_expected_json(page: str) -> None:
    tables = _tables(page)
    for standard, found in EXPECTED["standards"].items():
        section = "std-" + standard
        windows = tables[section][1]  # after the clauses
        head, *rows = windows
        grouped = "Group" in head
        assert len(rows) == len(found["windows"])
        for row, want in zip(rows, found["windows"], strict=True):
            cells = dict(zip(head, row, strict=True))
            label = want["window"]
            assert cells["Window"] == ("Q1 2025" if label == "2025-Q1" else _month(label))
            if grouped:
                assert cells["Group"] == ", ".join(f"{k}={v}" for k, v in want["group"].items())
            counted = want["passed"] + want["breached"]
            assert cells["Passed"] == f"{want['passed']:,}"
            assert cells["Breached"] == f"{want['breached']:,}"
            assert cells["Counted passed + breached"] == f"{counted:,}"
            assert cells["Pending"] == str(want["pending"])
            assert cells["Excluded"].split(" ")[0] == str(want["excluded"])
            assert cells["Value passed ÷ counted"].split(" ")[0] == want["rate"] + "%"
            if "target" in want:
                assert cells["Target"] == want["target"] + "%"
                assert cells["Status"] == ("met" if want["met"] else "missed")
            else:
                assert cells["Target"] == "\u2013"  # an en dash: no target


def test_the_ledger_agrees_with_expected_json(page: str) -> None:
    ledger = _tables(page)["ledger"]
    delivery = EXPECTED["standards"]["delivery-24h"]["penalties"]
    _head, *rows, total = ledger[0]
    assert [(row[0], row[2], row[5]) for row in rows] == [
        (_month(item["window"]), _money(item["gross"]), _money(item["net"]))
        for item in delivery]
    net = sum(Decimal(item["net"]) for item in delivery)
    assert total[5] == _money(str(net))
    totals = ledger[-1]
    assert totals[-2][1:] == [_money(EXPECTED["totals"]["penalties"]),
                              _money(EXPECTED["totals"]["service_credits"])]
    credits = EXPECTED["standards"]["perfect-order"]["service_credits"]
    assert ledger[1][1:-1] == [[_month(item["window"]), _money(item["credit"])]
                               for item in credits]
    custody = EXPECTED["standards"]["safe-custody"]["penalties"]
    for item in custody:
        assert (f"<code>{item['shipment_id']}</code> line {item['line']}: "
                f"{_money(item['amount'])}</li>") in page


def test_data_quality_agrees_with_expected_json(page: str) -> None:
    quality = _tables(page)["data-quality"]
    lines = EXPECTED["lines"]
    figures = {row[0]: row[1] for row in quality[0]}
    assert figures["Lines read"] == f"{lines['read']:,}"
    assert figures["Accepted"] == f"{lines['accepted']:,}"
    assert figures["Rejected"] == str(len(lines["rejected"]))
    assert figures["Read = accepted + rejected"].startswith(
        f"{lines['read']:,} = {lines['accepted']:,} + {len(lines['rejected'])} ✓")
    _, *rejected = quality[1]
    assert [int(row[3]) for row in rejected] == [item["line"] for item in lines["rejected"]]
    for row, item in zip(rejected, lines["rejected"], strict=True):
        field, _, _ = item["reason"].partition(":")
        if row[0] != "(the line)":
            assert row[0] == field


def test_the_markdown_report_says_the_same(result: Result, page: str) -> None:
    text = REPORTS["markdown"](result)
    verdict = text.split("## Verdict: Non-compliant\n\n", 1)[1].split("\n\n", 1)[0]
    items = [line.removeprefix("- ") for line in verdict.splitlines()]
    unescaped = [re.sub(r"\\(.)", r"\1", item) for item in items]
    assert unescaped == _verdict_sentences(page)


def test_overdue_records_are_named(page: str) -> None:
    for standard, found in EXPECTED["standards"].items():
        for shipment in found.get("overdue_open", []):
            section = page.split(f'id="std-{standard}"', 1)[1].split("</section>", 1)[0]
            assert f"<code>{shipment}</code>" in section


def test_the_acceptance_files_are_where_the_report_says(result: Result, page: str) -> None:
    assert "contracts/motorola-sinotrans.yaml" in page
    assert Path(ROOT, result.contract_path).exists()
