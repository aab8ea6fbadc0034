"""The shipped parser tables are the grammar's, and parse exactly as freshly built ones."""

from __future__ import annotations

import lark
import pytest

from slacheck import _grammar_tables as stored
from slacheck import _tables
from slacheck.parser import STARTS

CLAUSES = [
    ("start_expr", "delivered_at within 24h of picked_up_at and not lost"),
    ("start_expr", "service in [air_export, \"x\"] or value * 2 >= 5% of fee - 1.5 CNY"),
    ("start_target", "97% per month by office, service"),
    ("start_penalty", "1000 CNY per breach, at most 10000 CNY per month"),
    ("start_credit", "5% of monthly_fee per missed month"),
    ("start_disqualify", "after 3 breaches within 90d"),
    ("start_window", "per week"),
]


def test_tables_are_made_from_this_grammar(update_goldens: bool) -> None:
    if update_goldens:
        _tables.write(STARTS)
        pytest.skip("tables written again; rerun without --update-goldens")
    assert _tables.grammar_sha256() == stored.GRAMMAR_SHA256, (
        "grammar/slacheck.lark changed: run `pytest tests/test_tables.py --update-goldens`"
    )


def test_stored_tables_parse_as_built_ones() -> None:
    if lark.__version__ != stored.LARK_VERSION:
        pytest.skip("the stored tables are for another Lark; the parser builds its own")
    loaded, built = _tables.load(STARTS), _tables.build(STARTS)
    assert loaded.source_path == "<deserialized>"  # the stored tables were used
    for start, text in CLAUSES:
        assert loaded.parse(text, start=start) == built.parse(text, start=start)
