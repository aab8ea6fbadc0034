"""Mappings for dirty data (`records.read`): columns, date formats, zones, placeholders,
separators, and the lines of one id combined, in every format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from slacheck.api import verify
from slacheck.diagnostics import ContractError
from tests.conftest import where
from tests.readers_helpers import lines_of, read_all, schema, why

SCMS_READ = """\
assume_timezone: UTC
two_digit_years_from: 1950
absent: [Date Not Captured, N/A]
fields:
  id: ID
  at: {column: Scheduled Delivery Date, format: "%d-%b-%y"}
  delivered: {column: Delivered to Client Date, format: "%d-%b-%y", time_of_day: "23:59"}
  value: {column: Line Item Value}
"""
SCMS_FIELDS = """\
id: string
at: timestamp
delivered: {type: timestamp, optional: true}
value: money
"""
HEADER = "ID,Scheduled Delivery Date,Delivered to Client Date,Line Item Value\r"


def scms(*rows: str) -> tuple[list[dict[str, object]], list[tuple[int, str]]]:
    data = "\ufeff" + HEADER + "".join(row + "\r" for row in rows)
    records, rejected = read_all(data.encode(), "csv", schema(SCMS_FIELDS, SCMS_READ))
    return records, why(rejected)


def test_columns_formats_two_digit_years_and_times_of_day() -> None:
    [first, second], rejected = scms("1,2-Jun-06,2-Jun-06,551", "2,14-Nov-75,Date Not Captured,0")
    assert rejected == []
    assert first["at"] == datetime(2006, 6, 2, tzinfo=UTC)
    assert first["delivered"] == datetime(2006, 6, 2, 23, 59, tzinfo=UTC)
    assert first["value"] == Decimal("551")
    assert second["at"] == datetime(1975, 11, 14, tzinfo=UTC)
    assert second["delivered"] is None


def test_a_row_with_several_problems_names_each_with_its_value() -> None:
    [], [(line, message)] = scms("1,31-Feb-06,yesterday,Freight Included")
    assert line == 2
    assert message == (
        'at: not a date/time in the format %d-%b-%y: "31-Feb-06"; '
        'delivered: not a date/time in the format %d-%b-%y: "yesterday"; '
        'value: not an amount: "Freight Included"')


def test_the_same_mapping_reads_json_lines_with_exact_amounts() -> None:
    line = {"ID": "1", "Scheduled Delivery Date": "2-Jun-06", "Line Item Value": 0.1,
            "Delivered to Client Date": "N/A"}
    data = (json.dumps(line) + "\n" + json.dumps({**line, "ID": "2", "Line Item Value": "x"})
            ).encode()
    records, rejected = read_all(data, "jsonl", schema(SCMS_FIELDS, SCMS_READ))
    assert [record["value"] for record in records] == [Decimal("0.1")]
    assert records[0]["delivered"] is None
    assert why(rejected) == [(2, 'value: not an amount: "x"')]


def test_a_bad_date_in_a_json_line_is_read_with_the_others() -> None:
    line = {"ID": "1", "Scheduled Delivery Date": "2006-06-02", "Line Item Value": -1}
    _, rejected = read_all(json.dumps(line).encode(), "jsonl",
                           schema(SCMS_FIELDS, SCMS_READ))
    assert [field for field, _ in rejected[0].problems] == ["at", "value"]


def test_naive_timestamps_and_dates_alone_in_a_declared_zone() -> None:
    read = "assume_timezone: Asia/Shanghai\nfields: {at: {time_of_day: '23:59:59'}}"
    data = (b"id,at\nA,2025-01-01T08:00:00\nB,2025-01-01\nC,2025-01-01T08:00:00Z\n"
            b"D,2025-02-30\nE,tomorrow\n")
    records, rejected = read_all(data, "csv", schema("id: string\nat: timestamp\n", read))
    shanghai = timezone(timedelta(hours=8))
    assert [record["at"] for record in records] == [
        datetime(2025, 1, 1, 8, tzinfo=shanghai),
        datetime(2025, 1, 1, 23, 59, 59, tzinfo=shanghai),
        datetime(2025, 1, 1, 8, tzinfo=UTC)]
    assert [line for line, _ in why(rejected)] == [5, 6]


def test_without_a_declared_zone_naive_times_are_rejected_with_a_hint() -> None:
    _, [rejection] = read_all(b"id,at\nA,2025-01-01T08:00:00\n", "csv")
    assert rejection.reason.startswith('has no UTC offset: "2025-01-01T08:00:00"')


def test_decimal_commas_and_thousands_separators() -> None:
    read = 'decimal: ","\nthousands: "."'
    data = (b"id;at;value\nA;2025-01-01T00:00:00Z;1.234,50\nB;2025-01-01T00:00:00Z;12\n"
            b"C;2025-01-01T00:00:00Z;12.5\nD;2025-01-01T00:00:00Z;1.2345\n")
    records, rejected = read_all(data, "csv", schema(read=read))
    assert [record["value"] for record in records] == [Decimal("1234.50"), Decimal("12")]
    assert [message for _, message in why(rejected)] == [
        'value: not a number written as 1.234,5: "12.5"',
        'value: not a number written as 1.234,5: "1.2345"']


def test_dates_in_a_format_for_a_date_field() -> None:
    fields = "id: string\nat: timestamp\nday: {type: date, optional: true}\n"
    read = "two_digit_years_from: 2000\nfields: {day: {format: '%m/%d/%y'}}"
    data = b"id,at,day\nA,2025-01-01T00:00:00Z,2/22/13\nB,2025-01-01T00:00:00Z,2/30/13\n"
    records, rejected = read_all(data, "csv", schema(fields, read))
    assert str(records[0]["day"]) == "2013-02-22"
    assert why(rejected) == [(3, 'day: not a date in the format %m/%d/%y: "2/30/13"')]


def test_placeholders_are_absent_in_json_too() -> None:
    data = b'{"id": "A", "at": "2025-01-01T00:00:00Z", "value": "N/A"}'
    [record], _ = read_all(data, "jsonl", schema(read="absent: [N/A]"))
    assert record["value"] is None


# the lines of one id


def test_duplicates_rejected_by_default() -> None:
    data = b"id,at\nA,2025-01-01T00:00:00Z\nA,2025-01-02T00:00:00Z\n"
    records, rejected = read_all(data, "csv")
    assert (lines_of(records), why(rejected)) == ([2], [(3, 'id: duplicate: "A"')])


@pytest.mark.parametrize(("mode", "kept"), [("first", "1"), ("last", "2")])
def test_duplicates_keep_the_first_or_the_last_line(mode: str, kept: str) -> None:
    data = b"id,at,value\nA,2025-01-01T00:00:00Z,1\nB,2025-01-01T00:00:00Z,5\n" \
        b"A,2025-01-02T00:00:00Z,2\n"
    records, rejected = read_all(data, "csv", schema(read=f"duplicates: {mode}"))
    assert rejected == []
    by_id = {record["id"]: record for record in records}
    assert by_id["A"]["value"] == Decimal(kept)
    assert by_id["A"]["_line"] == 2


COMBINED = """\
id: string
at: timestamp
delivered: {type: timestamp, optional: true}
value: money
quantity: int
fragile: bool
late: {type: bool, optional: true}
lane: string
note: {type: string, optional: true}
"""
RULES = """\
duplicates: combine
fields:
  at: {combine: min}
  delivered: {combine: latest}
  value: {combine: sum}
  quantity: {combine: max}
  fragile: {combine: any}
  late: {combine: all}
  note: {combine: last}
"""


def test_line_items_of_one_shipment_combined_by_their_rules() -> None:
    rows = [
        {"id": "S1", "at": "2025-01-02T00:00:00Z", "delivered": "2025-01-05T00:00:00Z",
         "value": "1.10", "quantity": 2, "fragile": False, "late": True, "lane": "X", "note": "a"},
        {"id": "S2", "at": "2025-01-01T00:00:00Z", "value": "7", "quantity": 1,
         "fragile": False, "lane": "Y"},
        {"id": "S1", "at": "2025-01-01T00:00:00Z", "delivered": "2025-01-07T00:00:00Z",
         "value": "2.20", "quantity": 5, "fragile": True, "late": True, "lane": "X"},
    ]
    data = "\n".join(json.dumps(row) for row in rows).encode()
    records, rejected = read_all(data, "jsonl", schema(COMBINED, RULES))
    assert rejected == []
    first, second = records
    assert first["_lines"] == (("data.jsonl", 1), ("data.jsonl", 3))
    assert first["_line"] == 1
    assert first["at"] == datetime(2025, 1, 1, tzinfo=UTC)
    assert first["delivered"] == datetime(2025, 1, 7, tzinfo=UTC)
    assert (first["value"], first["quantity"]) == (Decimal("3.30"), 5)
    assert (first["fragile"], first["late"], first["note"]) == (True, True, None)
    assert second["_lines"] == (("data.jsonl", 2),)


def test_latest_is_absent_until_every_line_has_happened() -> None:
    rows = [{"id": "S1", "at": "2025-01-02T00:00:00Z", "value": "1", "quantity": 1,
             "fragile": False, "lane": "X", "delivered": "2025-01-05T00:00:00Z"},
            {"id": "S1", "at": "2025-01-02T00:00:00Z", "value": "1", "quantity": 1,
             "fragile": False, "lane": "X"}]
    data = "\n".join(json.dumps(row) for row in rows).encode()
    [record], _ = read_all(data, "jsonl", schema(COMBINED, RULES))
    assert record["delivered"] is None
    assert record["late"] is None


def test_lines_that_differ_where_they_must_agree_are_each_rejected() -> None:
    data = (b"id,at,value,quantity,fragile,lane\n"
            b"S1,2025-01-01T00:00:00Z,1,1,false,X\n"
            b"S2,2025-01-01T00:00:00Z,1,1,false,X\n"
            b"S1,2025-01-01T00:00:00Z,1,1,false,Y\n")
    records, rejected = read_all(data, "csv", schema(COMBINED, RULES), keep_text=True)
    assert lines_of(records) == [3]
    assert [item.line for item in rejected] == [2, 4]
    assert rejected[0].message == (
        'lane: differs between the lines of id "S1": "X" (line 2) and "Y" (line 4); say how '
        "to combine it with `combine`")
    assert rejected[1].text == b"S1,2025-01-01T00:00:00Z,1,1,false,Y\n"


# the contract's `read` section


@pytest.mark.parametrize(
    ("read", "code", "line", "words"),
    [
        ("assume_timezone: Mars/Olympus", "SLA203", 13, "unknown time zone"),
        ("fields: {valeu: Value}", "SLA201", 13, "`valeu` is not a declared field"),
        ("fields: {value: {format: '%d'}}", "SLA203", 13, "only for date and timestamp"),
        ("fields: {at: {format: '%Q'}}", "SLA203", 13, "not a date format"),
        ("fields: {at: {format: '%d-%b-%y %z'}}", "SLA203", 13, "two-digit year"),
        ("fields: {at: {format: '%d-%b-%Y'}}", "SLA203", 13, "gives no UTC offset"),
        ("fields: {at: {time_of_day: '25:00'}}", "SLA203", 13, "not a time of day"),
        ("fields: {value: {time_of_day: '23:00'}}", "SLA203", 13, "only for timestamp fields"),
        ("fields: {value: {combine: sum}}", "SLA203", 13, "applies when a repeated id"),
        ("duplicates: combine\nfields: {done: {combine: sum}}", "SLA203", 14, "cannot combine"),
        ("decimal: ','\nthousands: ','", "SLA203", 14, "both thousands and decimals"),
        ("csv: {encoding: utf-16}", "SLA203", 13, "not an encoding slacheck reads"),
        ("csv: {encoding: no-such-codec}", "SLA203", 13, "not an encoding slacheck reads"),
        ("csv: {delimiter: '\"'}", "SLA203", 13, "cannot be the delimiter"),
    ],
)
def test_what_is_wrong_in_the_read_section(read: str, code: str, line: int,
                                            words: str) -> None:
    with pytest.raises(ContractError) as raised:
        schema(read=read)
    [diagnostic] = raised.value.diagnostics
    assert where(diagnostic)[:2] == (code, line)
    assert words in diagnostic.message


def test_a_utf8_signature_encoding_is_taken() -> None:
    assert schema(read="csv: {encoding: utf-8-sig}").read.encoding == "utf-8-sig"


def test_every_line_is_accounted_for_when_line_items_are_combined(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text("\n".join([
        "slacheck: 1",
        "contract: {id: demo, currency: USD, timezone: UTC}",
        "records:",
        "  id: shipment",
        "  time: at",
        "  fields: {shipment: string, at: timestamp, ok: bool, value: money}",
        "  read: {duplicates: combine, fields: {ok: {combine: all}, value: {combine: sum}}}",
        "standards:",
        "  s: {require: ok, target: 90% per month, penalty: value per breach}",
    ]))
    line = {"shipment": "S1", "at": "2025-01-05T00:00:00Z", "ok": True, "value": "1.00"}
    rows = [line, {**line, "shipment": "S2"}, {**line, "ok": False, "value": "2.50"},
            {**line, "shipment": "S3", "at": "2025-01-06T00:00:00Z"},
            {**line, "shipment": "S3"}, {**line, "shipment": "S4", "value": "-1"}]
    result = verify(contract, rows, as_of=datetime(2025, 3, 1, tzinfo=UTC))
    lines = result.lines
    # S1 is lines 1 and 3 (one record, one line merged), S2 line 2; S3's lines differ
    assert (lines.read, lines.accepted, lines.rejected, lines.merged) == (6, 2, 3, 1)
    assert [(item.line, item.field) for item in lines.rejections] == [
        (6, "value"), (4, "at"), (5, "at")]
    assert [(item.field, item.cause, item.lines, item.first) for item in lines.causes] == [
        ("at", "differs between the lines of one shipment", 2,
         (("<records>", 4), ("<records>", 5))),
        ("value", "negative", 1, (("<records>", 6),))]
    [window] = result.standards[0].windows
    assert (window.passed, window.breached) == (1, 1)
    assert str(result.penalties) == "3.50"
