"""Both engines on generated contracts: hypothesis composes standards from the clause language
(scopes, exclusions, requirements with products, quotients, conditionals and functions,
measures with percentiles, windows, groups, penalties, credits) over the shipments' fields,
and generated records with every fault the reader knows; the JSON results must be the same
bytes."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slacheck.api import compile_plan, load_checked
from slacheck.diagnostics import ContractError
from slacheck.engine import conclude, run_stream
from slacheck.reporters import RENDERERS
from tests.conftest import CONTRACT

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from slacheck.engine.duckdb import run_duckdb
from tests.test_duckdb_engine import _HOSTILE, _record

HEAD = CONTRACT.read_text("utf-8").split("\nstandards:")[0]

SCOPES = (
    None,
    "service in [air_export, air_import, domestic_air]",
    "office == TSN",
    "not (service == road)",
    "value > 500.00 CNY",
    "picked_up_at is present",
    "office == PEK or lost",
)
EXCLUSIONS = (None, "force_majeure", "damaged", "value < 10.00 CNY")
TRUTHS = (
    "picked_up_at within 2h of booked_at",
    "delivered_at within 24h of picked_up_at",
    "delivered_at within 48h of booked_at",
    "complete and accurate",
    "not lost and not damaged",
    "billed_correctly or complete",
    "value <= 50000.00 CNY",
    "delivered_at <= picked_up_at + 30h",
    "delivered_at - booked_at <= 20h",
    "transit >= 1h",
    "delivered_at is absent",
    "service in [road, ocean]",
    "value * 2 <= 60000.00 CNY",
    "value / 3 <= 20000.00 CNY",
    "(if lost then 0.00 CNY else value) <= 50000.00 CNY",
    "min(value, 100.00 CNY) >= 50.00 CNY",
    "abs(delivered_at - picked_up_at) <= 30h",
    "floor(value) == value",
)
PERIODS = ("day", "week", "month", "quarter")
MEASURED = (
    "count(lost) <= 3",
    "count() >= 2",
    "sum(value) <= 1000000.00 CNY",
    "mean(value) <= 50000.00 CNY",
    "max(transit) <= 30h",
    "min(transit) >= 1h",
    "count(delivered_at is present) / count() >= 90%",
    "count(lost or damaged) / count() <= 5%",
    "p95(transit) <= 30h",
    "p50(value) <= 500000.00 CNY",
)
CONSEQUENCES = (
    None,
    "penalty: 100.00 CNY per breach",
    "penalty: value per breach, at most 3000.00 CNY per month",
    "penalty: 2% of value per breach",
    "penalty: 500.00 CNY per missed {period}",
    "credit: 1% of sum(value) per full point below target",
    "penalty: min(value, 500.00 CNY) per breach",
    "penalty: (if lost then value else 100.00 CNY) per breach",
)


@st.composite
def standards(draw: st.DrawFn) -> str:
    """The `standards:` section of a contract: one to four standards."""
    blocks = ["derived:", "  transit: delivered_at - booked_at", "", "standards:"]
    for number in range(draw(st.integers(1, 4))):
        lines = [f"  s{number}:"]
        scope = draw(st.sampled_from(SCOPES))
        if scope is not None:
            lines.append(f"    for: {scope}")
        excluded = draw(st.sampled_from(EXCLUSIONS))
        if excluded is not None:
            lines.append(f"    except: {excluded}")
        truth = draw(st.sampled_from(TRUTHS))
        if draw(st.booleans()):
            truth = f"({truth}) {draw(st.sampled_from(('and', 'or')))} " \
                    f"({draw(st.sampled_from(TRUTHS))})"
        lines.append(f"    require: {truth}")
        period = draw(st.sampled_from(PERIODS))
        grouped = draw(st.sampled_from(("", " by office", " by service, office")))
        rate = draw(st.booleans())
        if rate:
            share = draw(st.sampled_from(("90%", "97%", "99.5%")))
            least = draw(st.sampled_from(("", ", at least 5 records")))
            lines.append(f"    target: {share} per {period}{grouped}{least}")
        else:
            measure = draw(st.sampled_from(MEASURED))
            lines.append(f"    target: {measure} per {period}{grouped}")
        consequence = draw(st.sampled_from(CONSEQUENCES))
        if consequence is not None and (rate or not consequence.startswith("credit")):
            lines.append(f"    {consequence.format(period=period)}")
        blocks.extend(lines)
    return "\n".join(blocks) + "\n"


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(section=standards(), seed=st.integers(0, 2**32 - 1), size=st.integers(1, 300),
       limit=st.sampled_from((1, 100)))
def test_generated_contracts_identical(tmp_path_factory: pytest.TempPathFactory,
                                       section: str, seed: int, size: int,
                                       limit: int) -> None:
    folder = tmp_path_factory.mktemp("generated")
    contract = folder / "contract.yaml"
    contract.write_text(HEAD + "\n" + section, "utf-8")
    try:
        checked = load_checked(contract)
    except ContractError:  # a draw the checker refuses; hypothesis fails if most are
        assume(False)
    rng = random.Random(seed)
    lines = [rng.choice(_HOSTILE) if rng.random() < 0.05 else
             json.dumps(_record(rng, number), ensure_ascii=rng.random() < 0.5).encode()
             for number in range(size)]
    data = folder / "shipments.jsonl"
    data.write_bytes(b"\n".join(lines) + b"\n")
    as_of = datetime.fromisoformat(rng.choice(("2025-04-01T00:00:00+08:00",
                                               "2026-01-01T00:00:00+08:00")))
    plan = compile_plan(checked, as_of, limit)
    stream = RENDERERS["json"](conclude(plan, run_stream(plan, [str(data)])))
    duck = RENDERERS["json"](conclude(plan, run_duckdb(checked, plan, [str(data)])))
    assert duck == stream, section
