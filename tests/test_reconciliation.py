"""Nothing lost: every line read is accepted, rejected or merged, and thousands of rejected
lines read as a few causes, each with its count and first lines."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slacheck.api import compile_plan, verify
from slacheck.checker import check
from slacheck.engine.consequences import conclude
from slacheck.engine.state import State
from slacheck.loader import load_contract
from tests.conftest import ROOT, case_rates, contract_yaml
from tests.test_cli import _run
from tests.test_scms import SHIPMENTS

CONTRACT = contract_yaml(
    "value: money",
    head="contract: {id: summary, currency: USD, timezone: UTC}",
    standards="  s:\n    require: value < 100 USD\n    target: 50% per month\n",
)


def _export() -> tuple[str, dict[tuple[str | None, str], list[int]]]:
    """A CSV export of 2,000 rows with four kinds of fault, and the lines of each fault,
    worked out as the rows are written (line 1 is the header)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "at", "value"])
    faults: dict[tuple[str | None, str], list[int]] = {}
    for index in range(2000):
        line = index + 2
        at, value = f"2025-01-{index % 28 + 1:02d}T08:00:00Z", "12.50"
        if index % 13 == 5:  # a row cut short is rejected whole: its cells are not read
            writer.writerow([f"r{index}", at])
            faults.setdefault((None, "not the 3 cells of the header"), []).append(line)
            continue
        if index % 7 == 0:
            at = "2025-01-32T08:00:00Z"
            faults.setdefault(("at", "not a valid date/time"), []).append(line)
        if index % 17 == 3:  # one value, one fault
            value = ""
            faults.setdefault(("value", "missing"), []).append(line)
        elif index % 11 == 0:
            value = "-3"
            faults.setdefault(("value", "negative"), []).append(line)
        writer.writerow([f"r{index}", at, value])
    return out.getvalue(), faults


def test_rejected_lines_are_summed_up_per_field_and_cause(tmp_path: Path) -> None:
    text, faults = _export()
    rejected_lines = set().union(*faults.values())
    (tmp_path / "c.yaml").write_text(CONTRACT, "utf-8")
    (tmp_path / "export.csv").write_text(text, "utf-8")
    code, out, _ = _run("verify", str(tmp_path / "c.yaml"), str(tmp_path / "export.csv"),
                        "--as-of", "2025-03-01", "--format", "json")
    assert code == 0
    lines = json.loads(out)["lines"]
    assert (lines["read"], lines["rejected"], lines["accepted"], lines["merged"]) == (
        2000, len(rejected_lines), 2000 - len(rejected_lines), 0)
    assert lines["adds_up"] is True
    by_count = sorted(faults.items(), key=lambda item: -len(item[1]))
    assert [(item["field"], item["cause"], item["lines"], [f["line"] for f in item["first"]])
            for item in lines["causes"]] == [
        (field, cause, len(found), found[:5]) for (field, cause), found in by_count]

    code, out, _ = _run("verify", str(tmp_path / "c.yaml"), str(tmp_path / "export.csv"),
                        "--as-of", "2025-03-01")
    head = out.splitlines()[3:9]
    path = str(tmp_path / "export.csv")
    assert head == [
        f"lines: 2000 read = {2000 - len(rejected_lines)} accepted + {len(rejected_lines)} "
        "rejected",
        "rejected lines by cause:",
        f"  {len(faults['at', 'not a valid date/time'])} lines  at: not a valid date/time "
        f"(first: {path}:2, 9, 16, 23, 30, ...)",
        f"  {len(faults['value', 'negative'])} lines  value: negative (first: {path}:2, 13, "
        "24, 35, 57, ...)",  # line 46 is cut short
        f"  {len(faults[None, 'not the 3 cells of the header'])} lines  not the 3 cells of the "
        f"header (first: {path}:7, 20, 33, 46, 59, ...)",
        f"  {len(faults['value', 'missing'])} lines  value: missing (first: {path}:5, 22, 39, "
        "56, 73, ...)",
    ]


def _physical_rows(path: Path) -> int:
    """The rows of a data file counted without slacheck: CSV rows after the header, or
    lines that are not blank at the end of a JSON lines file."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    return len(path.read_bytes().rstrip(b"\n").split(b"\n"))


INPUTS = [
    *((ROOT / "tests" / "cases" / name / "contract.yaml",
       ROOT / "tests" / "cases" / name / "records.jsonl", "2100-01-01")
      for name in sorted(item.name for item in (ROOT / "tests" / "cases").iterdir()
                         if (item / "records.jsonl").exists())),
    (ROOT / "contracts" / "motorola-sinotrans.yaml",
     ROOT / "examples" / "motorola-sinotrans" / "shipments.jsonl", "2025-04-01"),
    (ROOT / "contracts" / "parcel-courier.yaml",
     ROOT / "examples" / "parcel-courier" / "parcels.jsonl", "2026-01-01"),
    (ROOT / "contracts" / "scms-on-time.yaml",
     ROOT / "examples" / "scms-on-time" / "SCMS_Delivery_History_2006-2007.csv", "2008-01-01"),
    (None, ROOT / "examples" / "scms-on-time" / "SCMS_Delivery_History_2006-2007.csv",
     "2008-01-01"),
]


@pytest.mark.parametrize(("contract", "data", "as_of"), INPUTS,
                         ids=lambda item: getattr(item, "name", None))
def test_every_input_of_the_suite_is_accounted_for(contract: Path | None, data: Path,
                                                   as_of: str, tmp_path: Path) -> None:
    if contract is None:  # the SCMS line items combined into shipments
        contract = tmp_path / "shipments.yaml"
        contract.write_text(SHIPMENTS, "utf-8")
    result = verify(contract, [data], as_of=datetime.fromisoformat(as_of).replace(tzinfo=UTC),
                    rates=case_rates(contract.parent))
    lines = result.lines
    assert lines.read == _physical_rows(data)
    assert lines.read == lines.accepted + lines.rejected + lines.merged
    assert lines.adds_up
    assert sum(item.lines for item in lines.causes) >= lines.rejected
    assert {(item.source, item.line) for item in lines.rejections} <= {
        place for cause in lines.causes for place in cause.first} | {
        (item.source, item.line) for item in lines.rejections[5:]}


def test_a_run_that_loses_a_line_is_a_bug_not_a_figure() -> None:
    plan = compile_plan(check(load_contract(ROOT / "contracts" / "motorola-sinotrans.yaml")),
                        datetime(2025, 4, 1, tzinfo=UTC))
    state = State.empty(plan)
    state.read, state.accepted = 3, 2
    with pytest.raises(RuntimeError, match="lines not accounted for: 3 read, 2 accepted"):
        conclude(plan, state)
