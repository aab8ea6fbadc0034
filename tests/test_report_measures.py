"""The audit report, JUnit, SARIF and GitHub outputs for targets on any measure: every case
of `tests/cases/` renders, shows the statuses its hand-worked `expected.json` gives, words
its sentences in the measure's unit, and scales its charts to the values and targets.

Run `pytest tests/test_report_measures.py --update-goldens` after a deliberate change to
the reports of the `percentiles` and `tiers` cases, then read the diff of `tests/goldens/`.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from slacheck.api import verify
from slacheck.findings import Result
from slacheck.reporters import RENDERERS, REPORTS, _view, _wording
from tests.conftest import ROOT, case_rates

# `broken/` is the catalogue of contracts lint refuses: no run, no report
CASES = sorted(path for path in (ROOT / "tests" / "cases").iterdir()
               if (path / "contract.yaml").is_file())
GOLDENS = Path(__file__).parent / "goldens"
SCHEMAS = Path(__file__).parent / "schemas"
SUFFIX = {"html": "html", "markdown": "md"}
SHOWN = {"met": "met", "warned": "met, at risk (warning band)", "missed": "missed",
         "not evaluated": "not evaluated", "no commitment": "no commitment"}
"""A closed window's status in the JSON result, as the reports word it."""
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _expected(case: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((case / "expected.json").read_text("utf-8"))
    return found


def _run(case: Path) -> Result:
    """The case run as a user in the repository would type it (paths relative)."""
    folder = case.relative_to(ROOT)
    return verify(str(folder / "contract.yaml"), [str(folder / "records.jsonl")],
                  as_of=datetime.fromisoformat(_expected(case)["as_of"]), rates=case_rates(case))


def _case(name: str) -> Result:
    return _run(ROOT / "tests" / "cases" / name)


def _month(label: str) -> str:
    if "/" in label:  # a rolling window's first and last days: 1 to 3 March 2024
        first, last = (date.fromisoformat(part) for part in label.split("/"))
        if first.year != last.year:
            return f"{_day(first)} {first.year} to {_day(last)} {last.year}"
        if first.month != last.month:
            return f"{_day(first)} to {_day(last)} {last.year}"
        return f"{first.day} to {_day(last)} {last.year}"
    if label.isdigit():  # a year
        return label
    year, month = label.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def _shown(window: dict[str, Any]) -> str:
    """A window's row label: its month, marked when `expected.json` says it is still open."""
    return _month(window["window"]) + (" (open)" if window.get("closed") is False else "")


def _html_statuses(page: str, standard: str) -> list[str]:
    section = re.search(rf'<section class="standard" id="std-{re.escape(standard)}">(.*?)'
                        r"</section>", page, re.S)
    assert section is not None, standard
    table = re.search(r'<table class="windows">(.*?)</table>', section[1], re.S)
    assert table is not None
    return [html.unescape(text) for text in
            re.findall(r'<td class="status [a-z-]+">([^<]*)', table[1])]


def _markdown_rows(page: str, standard: str) -> list[list[str]]:
    section = page.split(f"### `{standard}`", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    header = next(index for index, row in enumerate(rows) if row.startswith("| Window"))
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[header + 1:]]


# -- every case renders, with the statuses of its expected.json ------------------------


@pytest.mark.parametrize("case", CASES, ids=[path.name for path in CASES])
def test_every_case_renders_with_its_statuses(case: Path) -> None:
    expected = _expected(case)
    result = _run(case)
    page = REPORTS["html"](result)
    markdown = REPORTS["markdown"](result)
    for standard, wanted in expected["standards"].items():
        windows = wanted["windows"]
        statuses = _html_statuses(page, standard)
        rows = _markdown_rows(markdown, standard)
        assert len(statuses) == len(rows), standard
        # the report lays every standard out over the same months: a month in which this
        # standard has no records is a row of its own, which expected.json does not list
        listed = {_shown(window) for window in windows}
        kept = [i for i, row in enumerate(rows) if row[0] in listed or row[1] != "\u2013"]
        statuses, rows = [statuses[i] for i in kept], [rows[i] for i in kept]
        assert len(rows) == len(windows), standard
        for shown, row, window in zip(statuses, rows, windows, strict=True):
            assert row[0] == _shown(window)
            if "status" in window:
                text = SHOWN[window["status"]]
                assert shown == text, (standard, window)
                status_cell = row[-1]
                assert status_cell == text or status_cell.startswith(text + " ("), row
            if window.get("value"):
                value = window["value"] + ("%" if re.fullmatch(r"[\d.]+", window["value"])
                                           and window.get("unit", "share") == "share"
                                           and "measure" not in window else "")
                assert any(cell == value or cell.startswith(value + " (") for cell in row), \
                    (row, value)
    verdict = {"compliant": "Compliant", "non-compliant": "Non-compliant"}
    if "verdict" in expected:
        assert f"<h2>{verdict[expected['verdict']]}</h2>" in page
    for fmt in ("junit", "sarif", "github", "text", "json"):
        assert RENDERERS[fmt](result)


@pytest.mark.parametrize("name", ["percentiles", "tiers"])
@pytest.mark.parametrize("fmt", sorted(REPORTS))
def test_golden(name: str, fmt: str, update_goldens: bool) -> None:
    golden = GOLDENS / f"case-{name}.{SUFFIX[fmt]}"
    rendered = REPORTS[fmt](_case(name))
    if update_goldens:
        golden.write_text(rendered, "utf-8")
    assert rendered == golden.read_text("utf-8")


# -- sentences in the measure's unit ---------------------------------------------------


def test_percentile_and_count_sentences_read_in_their_units() -> None:
    view = _view.build(_case("percentiles"))
    standards = {s.id: s for s in view.standards}
    # tests/cases/percentiles/README.md: p95 of 1h..20h is the 19th smallest, 19h
    assert standards["p95-under-19h"].findings == (
        "March 2025: p95(transit) was 19h over 20 records, at the 19h target, which it had "
        "to stay under.",)
    # transit > 18h: 19h and 20h, 2 parcels, against at most 1
    assert standards["very-slow"].findings == (
        "March 2025: count(transit > 18h) was 2 over 20 records, above the target of 1.",)
    # p50 is the 10th smallest, 10h: met (<= 10h) but past the 9h warning line
    assert standards["median"].findings == (
        "March 2025: p50(transit) was 10h over 20 records, at the 10h target: met, but "
        "above the 9h warning line, at risk.",)
    assert standards["median"].rows[0].status == "warned"
    assert standards["p95-needs-21"].findings == (
        "March 2025: not evaluated (20 records measured, fewer than the 21 the target "
        "needs), so neither met nor missed.",)
    assert standards["p95-needs-21"].summary == "not evaluated in any window"
    assert standards["mean"].rows[0].value == "10.5h"  # 210h / 20
    assert standards["mean"].rows[0].target == "<= 10.5h"
    assert [s.target for s in view.standards] == [
        "p95(transit) <= 19h", "p95(transit) < 19h", "p95(transit) <= 24h",
        "p50(transit) <= 10h", "mean(transit) <= 10.5h", "max(transit) <= 20h",
        "count(transit > 18h) <= 1"]
    assert view.verdict_sentences[:2] == (
        "p95-under-19h: the p95(transit) < 19h target was missed in March 2025.",
        "very-slow: the count(transit > 18h) <= 1 target was missed in March 2025.")
    page = REPORTS["html"](_case("percentiles"))
    # the records and error-budget figures are a rate's: none of them for a measure
    for words in ("would have had to pass", "afford", "of its", "by 1 record"):
        assert words not in page


def test_ratio_of_sums_reads_as_a_share_and_a_zero_denominator_is_not_evaluated() -> None:
    (standard,) = _view.build(_case("ratio-of-sums")).standards
    january, february = standard.rows
    # (99 + 50 + 48) / (100 + 50 + 50) = 197/200
    assert (january.value, january.exact, january.target, january.status) == (
        "98.50%", "197/200", "98%", "met")
    assert (february.value, february.status, february.reason) == (
        None, "not-evaluated", "nothing to measure: the denominator adds up to 0")
    assert standard.findings == (
        "February 2025: not evaluated (nothing to measure: the denominator adds up to 0), so "
        "neither met nor missed.",)
    assert standard.figures[0].value is None  # a ratio of the period is not its windows'


def test_tiers_each_group_against_its_own_target() -> None:
    view = _view.build(_case("tiers"))
    (standard,) = view.standards
    assert [(row.group, row.value, row.target, row.status) for row in standard.rows] == [
        ("tier=general", "66.67%", "95%", "not-evaluated"),
        ("tier=harmful", "0.00%", None, "no-commitment"),
        ("tier=key", "90.00%", "99%", "missed"),
        ("tier=suitable", "83.33%", "97%", "missed")]
    # key: the smallest k with (9 + k) / 10 >= 99% is 1; suitable: (5 + k) / 6 >= 97%, 1
    assert standard.findings == (
        "July 2024 (tier general): not evaluated (3 records measured, fewer than the 5 "
        "the target needs), so neither met nor missed.",
        "July 2024 (tier key): 90.00% (9 of 10) met the standard, below the 99% target by "
        "1 record: its only breach would have had to pass to reach 99%.",
        "July 2024 (tier suitable): 83.33% (5 of 6) met the standard, below the 97% target "
        "by 1 record: its only breach would have had to pass to reach 97%.")
    assert view.verdict_sentences[0] == (
        "Delivered at or before the due time, per customer tier (on-time): the target was "
        "missed in July 2024 for tier key (99%) and tier suitable (97%).")
    assert standard.target == "95% (tier general), 99% (tier key), 97% (tier suitable)"


def test_warning_band_is_shown_apart_from_met() -> None:
    (standard,) = _view.build(_case("warning-band")).standards
    assert [row.status for row in standard.rows] == ["warned", "missed", "met"]
    # January 49/50 = 98% >= 97% but below 99%; February 48/50: ceil(0.97 * 50) - 48 = 1
    assert standard.findings == (
        "January 2025: 98.00% (49 of 50) met the 97% target, but below the 99% warning "
        "line: at risk.",
        "February 2025: 96.00% (48 of 50) met the standard, below the 97% target by 1 "
        "record: 1 of its 2 breaches would have had to pass to reach 97%.")
    assert standard.summary == ("missed in February 2025; inside the warning band in "
                                "January 2025")
    page = REPORTS["html"](_case("warning-band"))
    assert '<td class="status warned">met, at risk (warning band)' in page
    assert '<span class="chip warned"' in page


_CLAIMS = """slacheck: 1
contract: {id: syn, currency: CNY, timezone: UTC}
records:
  id: id
  time: at
  fields:
    id: string
    at: timestamp
    value: money
    picked_up_at: timestamp
    delivered_at: {type: timestamp, optional: true}
derived:
  transit: delivered_at - picked_up_at
standards:
  claims:
    title: Claims paid per month
    target: sum(value) <= 1000.00 CNY per month
  transit:
    title: Transit time
    target: p95(transit) <= 24h per month, warn above 20h
"""

_RECORDS = [
    ("a", "2025-01-05T10:00:00Z", "400.50", "2025-01-06T12:00:00Z"),   # 26h
    ("b", "2025-01-06T10:00:00Z", "700.25", "2025-01-06T20:00:00Z"),   # 10h
    ("c", "2025-02-03T10:00:00Z", "100", "2025-02-04T07:00:00Z"),      # 21h
    ("d", "2025-02-04T10:00:00Z", "50", None),                         # not delivered yet
]


@pytest.fixture
def claims(tmp_path: Path) -> Result:
    contract = tmp_path / "c.yaml"
    contract.write_text(_CLAIMS, "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": name, "at": at, "value": value,
                                        "picked_up_at": at, "delivered_at": delivered}) + "\n"
                            for name, at, value, delivered in _RECORDS), "utf-8")
    return verify(contract, [str(data)], as_of=datetime.fromisoformat("2025-02-10T00:00:00Z"))


def test_money_and_open_windows_of_a_measure(claims: Result) -> None:
    claims_view, transit = _view.build(claims).standards
    # January: 400.50 + 700.25 = 1100.75 > 1000; February so far 100 + 50 = 150
    assert [(row.value, row.target, row.status) for row in claims_view.rows] == [
        ("1,100.75 CNY", "<= 1,000.00 CNY", "missed"),
        ("150.00 CNY", "<= 1,000.00 CNY", "met-open")]
    assert claims_view.findings == (
        "January 2025: sum(value) was 1,100.75 CNY over 2 records, above the target of "
        "1,000.00 CNY.",
        "February 2025 (open until 1 March 2025 at 00:00 (UTC+00:00)): sum(value) is "
        "150.00 CNY so far over 2 records, below the target of 1,000.00 CNY (met so far); "
        "the window is judged when it closes.")
    # January: p95 of (10h, 26h) is the ceil(1.9) = 2nd, 26h; February: d is not delivered,
    # so one value, 21h: under 24h but above the 20h warning line
    assert [(row.value, row.sample, row.status) for row in transit.rows] == [
        ("26h", 2, "missed"), ("21h", 1, "warned-open")]
    assert transit.findings[1] == (
        "February 2025 (open until 1 March 2025 at 00:00 (UTC+00:00)): p95(transit) is 21h "
        "so far over 1 record, below the 24h target (met so far, but inside the warning "
        "band); the window is judged when it closes.")


# -- charts ---------------------------------------------------------------------------


def test_charts_scale_to_the_values_and_targets() -> None:
    standards = {s.id: s for s in _view.build(_case("percentiles")).standards}
    chart = standards["p95-under-19h"].chart
    # 19h and a 19h target: four steps of 6h (the first round step of at least 19h / 4)
    assert [tick.text for tick in chart.ticks] == ["0", "6h", "12h", "18h", "24h"]
    # the plot runs from y = 200 (0) up 184 pixels to y = 16 (24h): 19h at 200 - 19/24 * 184
    assert [tick.y for tick in chart.ticks] == ["200", "154", "108", "62", "16"]
    assert chart.target_y == "54.3"
    assert chart.target_label == "target < 19h"
    (bar,) = chart.bars
    assert (bar.y, bar.height, bar.label) == ("54.3", "145.7", "19h")
    assert chart.kind == "measure"
    assert chart.title == "p95-under-19h: p95(transit) per window against the < 19h target"
    # a count's axis counts in whole records: 2 against at most 1
    count = standards["very-slow"].chart
    assert [tick.text for tick in count.ticks] == ["0", "1", "2"]
    assert count.target_y == "108"  # halfway up
    # below its minimum sample a window is drawn grey, never as met or missed
    (grey,) = standards["p95-needs-21"].chart.bars
    assert grey.colour == _wording.COLOURS["not-evaluated"]


def test_tiers_chart_marks_each_group_target() -> None:
    (standard,) = _view.build(_case("tiers")).standards
    chart = standard.chart
    assert chart.target_y is None
    assert chart.marks
    # 0% for harmful takes the axis down to 0, in steps of 20 points
    assert [tick.text for tick in chart.ticks] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    # each target at 200 - share * 184: 95% -> 25.2, 99% -> 17.8, 97% -> 21.5; none for
    # the group without a commitment
    assert [bar.target_y for bar in chart.bars] == ["25.2", "", "17.8", "21.5"]
    assert chart.title == ("on-time: rate of records that met the standard per window "
                           "against each group's target")
    page = REPORTS["html"](_case("tiers"))
    assert "line across a bar: that group's target" in page


# -- JUnit, SARIF and GitHub ----------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[path.name for path in CASES])
def test_ci_formats_of_every_case_validate(case: Path) -> None:
    result = _run(case)
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(RENDERERS["junit"](result))
    sarif = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(sarif).validate(json.loads(RENDERERS["sarif"](result)))


def test_junit_of_measures_fails_skips_and_warns() -> None:
    root = ET.fromstring(RENDERERS["junit"](_case("percentiles")))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    failed = sorted(str(name) for name, case in cases.items() if case.find("failure") is not None)
    assert failed == ["p95-under-19h 2025-03", "very-slow 2025-03"]
    skipped = cases["p95-needs-21 2025-03"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == ("not evaluated: 20 records measured, fewer than the 21 "
                                      "the target needs")
    out = cases["median 2025-03"].findtext("system-out") or ""
    assert "p95" not in out
    assert "p50(transit) over 20 records" in out
    assert "met, at risk (warning band)" in out
    tiers = {case.get("name"): case for case in
             ET.fromstring(RENDERERS["junit"](_case("tiers"))).iter("testcase")}
    harmful = tiers["on-time 2024-07 tier=harmful"].find("skipped")
    assert harmful is not None
    assert harmful.get("message") == ("no commitment: the contract sets no target for "
                                      "tier=harmful")


def test_sarif_and_github_of_measures() -> None:
    result = _case("percentiles")
    log = json.loads(RENDERERS["sarif"](result))
    found = [(item["ruleId"], item["properties"]["standard"],
              item["locations"][0]["physicalLocation"]["region"]["startLine"])
             for item in log["runs"][0]["results"]]
    # the target lines of tests/cases/percentiles/contract.yaml: 16, 26 and 20
    assert found == [("missed-target", "p95-under-19h", 16), ("missed-target", "very-slow", 26),
                     ("warning-band", "median", 20)]
    lines = RENDERERS["github"](result).splitlines()
    assert lines[0] == (
        "::error file=tests/cases/percentiles/contract.yaml,line=16,title=p95-under-19h%3A "
        "target missed in 2025-03::p95-under-19h: March 2025: p95(transit) was 19h over 20 "
        "records, at the 19h target, which it had to stay under.")
    assert lines[2].startswith("::warning file=tests/cases/percentiles/contract.yaml,line=20,")
