"""Each standard's result knows where its clauses stand in the contract, so that CI formats
can point at the line of the clause behind a finding."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from slacheck.api import verify
from tests.conftest import AS_OF, CONTRACT, EXAMPLE, contract_yaml

CONTRACT_LINES = CONTRACT.read_text("utf-8").splitlines()


def test_each_standard_knows_the_lines_of_its_clauses() -> None:
    result = verify(CONTRACT, [str(EXAMPLE / "shipments.jsonl")],
                    as_of=datetime.fromisoformat(AS_OF))
    delivery = next(s for s in result.standards if s.id == "delivery-24h")
    assert dict(delivery.clause_lines) == {
        "standard": 46, "for": 48, "except": 49, "require": 50, "target": 51, "penalty": 52,
        "disqualify": 53}
    for standard in result.standards:
        for kind, line in standard.clause_lines:
            written = CONTRACT_LINES[line - 1].strip()
            assert written.startswith(f"{standard.id}:" if kind == "standard" else f"{kind}:")
    assert delivery.line_of("credit") == 46  # no such clause: the standard's own line


def test_lines_of_listed_rules_and_multi_line_clauses(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", "fm: {type: bool, default: false}", "cm: {type: bool, default: false}",
        standards=(
            "  s:\n"
            "    require: >-\n"
            "      ok\n"
            "      and ok\n"
            "    except:\n"
            "      - {when: fm, reason: force majeure}\n"
            "      - {when: cm, reason: customer}\n"
            "    window: per month\n"
            "    disqualify:\n"
            "      - after 3 breaches within 30d\n"
            "      - on any breach\n")), "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "at": "2025-01-05T10:00:00+08:00", "ok": true}\n', "utf-8")
    (standard,) = verify(contract, [str(data)], as_of=datetime.fromisoformat(AS_OF)).standards
    text = contract.read_text("utf-8").splitlines()
    found = list(standard.clause_lines)
    assert [kind for kind, _ in found] == ["standard", "except", "except", "require",
                                           "disqualify", "disqualify"]
    lines = [line for _, line in found]
    assert text[lines[0] - 1] == "  s:"
    assert [text[line - 1].strip() for line in lines[1:3]] == [
        "- {when: fm, reason: force majeure}", "- {when: cm, reason: customer}"]
    assert text[lines[3] - 1].strip() == "require: >-"  # a block scalar: its key's line
    assert [text[line - 1].strip() for line in lines[4:]] == [
        "- after 3 breaches within 30d", "- on any breach"]
