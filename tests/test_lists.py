"""List fields (`{type: list, of: decimal}`) and the functions over them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from slacheck.api import verify
from slacheck.checker import check
from slacheck.diagnostics import ContractError
from slacheck.loader import load_contract_text
from tests.conftest import contract_yaml

AS_OF = datetime.fromisoformat("2024-07-01T00:00:00+00:00")
HEAD = "contract: {id: l, currency: EUR, timezone: UTC}"
FIELDS = ("xs: {type: list, of: decimal, optional: true}",
          "waits: {type: list, of: duration, optional: true}",
          "cells: {type: list, of: int, separator: ';', optional: true}")


def _outcomes(tmp_path: Path, require: str, rows: list[dict[str, Any]]) -> list[str]:
    """Each record's outcome under `require`, in order: passed, breached or pending."""
    text = contract_yaml(*FIELDS, head=HEAD,
                         standards=f"  s:\n    require: {require}\n    window: per day\n")
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{n}", "at": f"2024-05-{n + 1:02d}T00:00:00Z",
                                        **row}) + "\n" for n, row in enumerate(rows)), "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)], as_of=AS_OF)
    [standard] = result.standards
    return ["passed" if w.passed else "breached" if w.breached else "pending"
            for w in standard.windows]


LISTS: list[dict[str, Any]] = [{"xs": [1, 2.5, "8"]}, {"xs": []}, {}]


@pytest.mark.parametrize(("require", "expected"), [
    ("max(xs) == 8", ["passed", "pending", "pending"]),
    ("min(xs) == 1", ["passed", "pending", "pending"]),
    ("sum(xs) == 11.5", ["passed", "breached", "pending"]),
    ("sum(xs) == 0", ["breached", "passed", "pending"]),
    ("mean(xs) > 3.8 and mean(xs) < 3.9", ["passed", "pending", "pending"]),
    ("count(xs) == 3", ["passed", "breached", "pending"]),
    ("count(xs, each >= 2.5) == 2", ["passed", "breached", "pending"]),
    ("count(xs, each > 8) == 0", ["passed", "passed", "pending"]),
])
def test_functions_of_a_list_and_of_an_empty_or_absent_one(
        tmp_path: Path, require: str, expected: list[str]) -> None:
    assert _outcomes(tmp_path, require, LISTS) == expected


def test_durations_and_a_csv_cell_with_a_separator(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [{"waits": [3600, 1800], "cells": "1; 2;3"},
                                  {"waits": [], "cells": ""}]
    assert _outcomes(tmp_path, "sum(waits) == 90min and count(cells) == 3", rows) == [
        "passed", "breached"]
    assert _outcomes(tmp_path, "max(cells) == 3", rows[:1]) == ["passed"]


def test_bad_lists_reject_their_line(tmp_path: Path) -> None:
    text = contract_yaml(*FIELDS, head=HEAD,
                         standards="  s:\n    require: max(xs) <= 8\n    window: per day\n")
    data = tmp_path / "data.jsonl"
    data.write_text('{"id": "a", "at": "2024-05-01T00:00:00Z", "xs": [1, null]}\n'
                    '{"id": "b", "at": "2024-05-01T00:00:00Z", "xs": "1"}\n'
                    '{"id": "c", "at": "2024-05-01T00:00:00Z", "cells": [1.5]}\n', "utf-8")
    result = verify(load_contract_text(text, "c.yaml"), [str(data)], as_of=AS_OF)
    reasons = [item.reason for item in result.lines.rejections]
    assert reasons == ["not a number: null", 'not a list: "1"', "not a whole number: 1.5"]


@pytest.mark.parametrize(("require", "message"), [
    ("sum(at) > 0", "`sum` in an expression takes a list field, not timestamp"),
    ("count(xs, each) > 1", "`count` needs true or false, not number"),
    ("each > 3", "unknown field `each`"),
    ("max(xs, xs) > 1", "`max` needs numbers, amounts, durations, timestamps or dates, not list"),
    ("mean(xs, xs) > 1", "`mean` in an expression takes a list field"),
    ("xs > 1", "cannot compare list of number with number"),
])
def test_misuses_of_lists_are_contract_errors(require: str, message: str) -> None:
    text = contract_yaml(*FIELDS, head=HEAD,
                         standards=f"  s:\n    require: {require}\n    window: per day\n")
    with pytest.raises(ContractError) as info:
        check(load_contract_text(text, "c.yaml"))
    assert any(message in found.message for found in info.value.diagnostics), [
        found.message for found in info.value.diagnostics]


def test_a_window_measure_of_a_list_is_refused_with_a_hint() -> None:
    text = contract_yaml(*FIELDS, head=HEAD, standards="  s:\n    target: max(xs) <= 8 per day\n")
    with pytest.raises(ContractError) as info:
        check(load_contract_text(text, "c.yaml"))
    [found] = info.value.diagnostics
    assert found.hints == ("take one value of each record's list first: `max(max(xs))`",)


@pytest.mark.parametrize(("field", "message"), [
    ("r: {type: list}", "list field `r` needs `of`"),
    ("r: {type: list, of: string}", "`of` must be one of `int`, `decimal`, `ratio`, `money`"),
    ("r: {type: int, of: int}", "`of` and `separator` are only for list fields"),
    ("r: {type: list, of: int, default: 3}", "a list field has no default"),
])
def test_list_declarations(field: str, message: str) -> None:
    text = contract_yaml(field, head=HEAD, standards="  s:\n    require: true\n"
                         "    window: per day\n")
    with pytest.raises(ContractError) as info:
        load_contract_text(text, "c.yaml")
    assert [found.message for found in info.value.diagnostics if message in found.message]
