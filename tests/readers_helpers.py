"""Helpers of the reader tests: a contract's record schema from YAML, and what a reader gives."""

from __future__ import annotations

import io
import textwrap
from typing import Any

from slacheck.loader import load_contract_text
from slacheck.readers import Input, read_input
from slacheck.records import Reader, Rejection
from slacheck.types import RecordSchema

FIELDS = """\
id: string
at: timestamp
value: {type: money, optional: true}
done: {type: bool, optional: true}
"""


def schema(fields: str = FIELDS, read: str = "", *, id_field: str = "id",
           time_field: str = "at") -> RecordSchema:
    """The record schema of a contract with these fields and `read` section (YAML)."""
    text = "\n".join([
        "slacheck: 1",
        "contract: {id: demo, currency: USD, timezone: UTC}",
        "records:",
        f"  id: {id_field}",
        f"  time: {time_field}",
        "  fields:",
        textwrap.indent(textwrap.dedent(fields), "    "),
        *(["  read:", textwrap.indent(textwrap.dedent(read), "    ")] if read else []),
        "standards:",
        "  s: {require: 'true', window: per month}",
    ])
    return load_contract_text(text).schema


def read_all(data: bytes, fmt: str, record_schema: RecordSchema | None = None, *,
             keep_text: bool = False, limit: int | None = None,
             ) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """The records and the rejections of `data` read in format `fmt`, held records included."""
    options: dict[str, Any] = {"keep_text": keep_text}
    if limit is not None:
        options["max_line_bytes"] = limit
    reader = Reader(record_schema or schema(), currency="USD", **options)
    rejected: list[Rejection] = []
    records = list(read_input(reader, Input(f"data.{fmt}", fmt), io.BytesIO(data),
                              rejected.append))
    records.extend(reader.held(rejected.append))
    return records, rejected


def lines_of(items: list[dict[str, Any]]) -> list[int]:
    return [item["_line"] for item in items]


def why(rejections: list[Rejection]) -> list[tuple[int, str]]:
    """Each rejection as (line, message)."""
    return [(item.line, item.message) for item in rejections]
