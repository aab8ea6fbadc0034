"""The generated per-record code: readable names, and each line traced to its clause."""

from __future__ import annotations

from datetime import datetime

from click.testing import CliRunner

from slacheck.api import compile_plan, load_checked
from slacheck.cli import main
from slacheck.engine.codegen import Generated, generate
from slacheck.engine.state import State
from tests.conftest import AS_OF, CONTRACT


def _generated() -> tuple[list[str], Generated]:
    plan = compile_plan(load_checked(CONTRACT), datetime.fromisoformat(AS_OF))
    found = generate(plan, State.empty(plan), "data.jsonl")
    return found.source.splitlines(), found


def test_each_line_maps_back_to_its_standard_and_clause() -> None:
    lines, found = _generated()
    origin = found.origin

    def where(fragment: str) -> tuple[str, str]:
        number = next(i for i, line in enumerate(lines, start=1) if fragment in line)
        return origin(number)

    assert where("tallies_1_delivery_24h.get(key)") == ("delivery-24h", "window")
    assert where("if (r['service'] in") == ("delivery-24h", "for")
    assert where("x = r['force_majeure']") == ("delivery-24h", "except")
    assert where("e = r['delivered_at']") == ("delivery-24h", "require")
    assert where("if (r['complete'] and r['accurate'])") == ("perfect-order", "require")
    assert where("def evaluate(") == ("", "")
    assert origin(0) == origin(len(lines) + 1) == ("", "")


def test_plan_prints_the_code_with_its_origins() -> None:
    result = CliRunner().invoke(main, ["plan", str(CONTRACT), "--as-of", AS_OF, "--code"])
    assert result.exit_code == 0
    marked = [line for line in result.stdout.splitlines() if "force_majeure" in line]
    assert marked
    assert marked[0].endswith("# delivery-24h except")
    assert "breach_3_safe_custody(r, t, 0, moment, moment.astimezone(_zone), k_month)" \
        in result.stdout
    assert "    k_month, k_quarter = keys\n" in result.stdout
    # one tally a day for a standard not grouped; a grouped one finds its group's each time
    slots = [line for line in result.stdout.splitlines() if "t = _slots[" in line]
    assert [line.rsplit("# ", 1)[1] for line in slots] == [
        "delivery-24h window", "perfect-order window", "safe-custody window",
        "billing-accuracy window"]
