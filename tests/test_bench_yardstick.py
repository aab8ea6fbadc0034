"""The hand-written DuckDB SQL that the benchmarks measure the DuckDB engine against does the
engine's work: on the bench's generated records, with a changed duplicate and a booking outside
the contract period added, its figures per window (records, target met, penalty, credit) are
`slacheck verify`'s, and `agreement` says where they are not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

pytest.importorskip("duckdb")

from slacheck.cli import main
from tests.conftest import ROOT

BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
from yardsticks import HAND, agreement  # noqa: E402

CONTRACT = ROOT / "contracts" / "motorola-sinotrans.yaml"
AS_OF = "2026-01-01T00:00:00+08:00"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """What the hand-written SQL and `verify` print over 20,000 generated lines and three more:
    an id written again with other verdicts (the first must count), a booking before the
    contract period and a line cut short (neither counts them)."""
    lines = list(generate.lines(20_000, 7))
    first = json.loads(lines[0])
    lines.append(json.dumps(first | {"complete": not first["complete"], "office": "TSN"
                                     if first["office"] == "PEK" else "PEK"}))
    lines.append(json.dumps(first | {"shipment_id": "MOT-24-LATE",
                                     "booked_at": "2024-12-31T23:00:00+08:00"}))
    lines.append(lines[1][:60])
    data = tmp_path_factory.mktemp("yardstick") / "shipments.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hand = subprocess.run([sys.executable, "-c", HAND, str(data), AS_OF], check=True,
                          capture_output=True).stdout
    verify = CliRunner().invoke(main, ["verify", str(CONTRACT), str(data), "--as-of", AS_OF,
                                       "--format", "json", "--quiet"])
    assert verify.exit_code in (0, 1), verify.output
    result = json.loads(verify.output)
    causes = {cause["cause"] for cause in result["lines"]["causes"]}
    assert {"duplicate", "not valid JSON", "not an amount"} <= causes
    assert result["lines"]["outside_period"] == 1
    return hand, verify.output.encode()


def test_the_hand_written_sql_agrees_with_verify(outputs: tuple[bytes, bytes]) -> None:
    hand, verify = outputs
    figures = json.loads(hand)
    assert figures["counted"] > 19_900
    assert len(figures["pickup-2h"]) == 24
    assert len(figures["billing-accuracy"]) == 4
    assert any(row[7] != "0.00" for row in figures["safe-custody"])
    assert any(row[8] != "0.00" for row in figures["perfect-order"])
    assert agreement(hand, verify) == []


def test_a_figure_changed_is_a_disagreement(outputs: tuple[bytes, bytes]) -> None:
    hand, verify = outputs
    figures = json.loads(hand)
    figures["delivery-24h"][3][3] += 1
    figures["counted"] -= 1
    found = agreement(json.dumps(figures).encode(), verify)
    window = figures["delivery-24h"][3][0]
    assert len(found) == 3
    assert found[0].startswith("counted: the hand-written SQL")
    assert f"only the hand-written SQL has ['{window}'" in found[1]
    assert f"only slacheck has ['{window}'" in found[2]
