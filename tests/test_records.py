"""Reading records: coercion, every rejection with its line and field, exact money, gzip, ids."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slacheck import types as t
from slacheck._ids import SMALL_IDS, SeenIds
from slacheck.records import Reader, Rejection, open_data
from slacheck.types import FieldSpec, RecordSchema

SCHEMA = RecordSchema(
    fields=(
        FieldSpec("shipment_id", t.STRING),
        FieldSpec("office", t.enum(("TSN", "PEK"))),
        FieldSpec("booked_at", t.TIMESTAMP),
        FieldSpec("delivered_at", t.TIMESTAMP, required=False),
        FieldSpec("value", t.money(None)),
        FieldSpec("complete", t.BOOL),
        FieldSpec("lost", t.BOOL, required=False, default=False),
        FieldSpec("note", t.STRING, required=False, default="none"),
        FieldSpec("pieces", t.NUMBER, required=False, integral=True),
        FieldSpec("weight", t.NUMBER, required=False),
        FieldSpec("ship_date", t.DATE, required=False),
        FieldSpec("wait", t.DURATION, required=False),
    ),
    id_field="shipment_id",
    time_field="booked_at",
)

GOOD = {
    "shipment_id": "S1",
    "office": "TSN",
    "booked_at": "2025-01-01T08:00:00+08:00",
    "value": "100.00",
    "complete": True,
}

Item = dict[str, Any] | Rejection


def line(drop: tuple[str, ...] = (), **values: Any) -> str:
    record = {key: value for key, value in GOOD.items() if key not in drop}
    record.update(values)
    return json.dumps(record)


def read(*lines: str | bytes, reader: Reader | None = None) -> list[Item]:
    data = b"".join((item if isinstance(item, bytes) else item.encode()) + b"\n" for item in lines)
    return list((reader or Reader(SCHEMA)).read(io.BytesIO(data), "data.jsonl"))


def record_of(item: Item) -> dict[str, Any]:
    assert not isinstance(item, Rejection), item
    return item


def rejection_of(item: Item) -> Rejection:
    assert isinstance(item, Rejection), item
    return item


# accepted records


def test_a_good_line_becomes_a_coerced_record() -> None:
    [item] = read(line())
    record = record_of(item)
    assert record["_line"] == 1
    assert record["shipment_id"] == "S1"
    assert record["office"] == "TSN"
    assert record["booked_at"] == datetime(2025, 1, 1, 0, 0, tzinfo=UTC)
    assert record["booked_at"].utcoffset() == timedelta(hours=8)
    assert record["value"] == Decimal("100.00")
    assert str(record["value"]) == "100.00"
    assert record["complete"] is True


def test_optional_fields_absent_become_none_or_their_default() -> None:
    record = record_of(read(line())[0])
    assert record["delivered_at"] is None
    assert record["pieces"] is None
    assert record["ship_date"] is None
    assert record["wait"] is None
    assert record["lost"] is False
    assert record["note"] == "none"


def test_optional_fields_null_become_none_or_their_default() -> None:
    record = record_of(read(line(delivered_at=None, lost=None, note=None))[0])
    assert record["delivered_at"] is None
    assert record["lost"] is False
    assert record["note"] == "none"


def test_optional_fields_given() -> None:
    record = record_of(read(line(
        delivered_at="2025-01-02T09:15:30.5Z", lost=True, note="fragile", pieces=3,
        weight="12.5", ship_date="2025-01-03", wait=90,
    ))[0])
    assert record["delivered_at"] == datetime(2025, 1, 2, 9, 15, 30, 500000, tzinfo=UTC)
    assert record["lost"] is True
    assert record["note"] == "fragile"
    assert record["pieces"] == Decimal(3)
    assert record["weight"] == Decimal("12.5")
    assert record["ship_date"] == date(2025, 1, 3)
    assert record["wait"] == timedelta(seconds=90)


def test_unknown_keys_are_neither_checked_nor_converted() -> None:
    record = record_of(read(line(extra={"nested": [1, 2]}))[0])
    assert record["shipment_id"] == "S1"
    assert record["extra"] == {"nested": [1, 2]}


def test_windows_line_endings() -> None:
    [item] = read(line() + "\r")
    assert record_of(item)["shipment_id"] == "S1"


# exact numbers


@pytest.mark.parametrize(
    "text",
    [
        "0.1",
        "42973.59",
        "100.10",
        "1e-7",
        "1E-7",
        "2.5e-3",
        "0.5",
        "5",
        "0",
        "123456789012345678.12",
        "123456789012345678",
        "0.123456789012345678901234567890",
    ],
)
def test_json_number_money_stays_exact(text: str) -> None:
    raw = '{"shipment_id": "S1", "office": "TSN", "booked_at": "2025-01-01T00:00:00Z", ' \
          f'"complete": true, "value": {text}}}'
    value = record_of(read(raw)[0])["value"]
    assert isinstance(value, Decimal)
    assert value == Decimal(text)
    assert str(value) == str(Decimal(text))


def test_money_from_a_decimal_string_stays_exact() -> None:
    value = record_of(read(line(value="42973.59"))[0])["value"]
    assert str(value) == "42973.59"


def test_several_floats_on_one_line_all_stay_exact() -> None:
    raw = '{"shipment_id": "S1", "office": "TSN", "booked_at": "2025-01-01T00:00:00Z", ' \
          '"complete": true, "value": 0.1, "weight": 0.2, "wait": 1.5}'
    record = record_of(read(raw)[0])
    assert record["value"] + record["weight"] == Decimal("0.3")
    assert record["wait"] == timedelta(seconds=1, microseconds=500000)


def test_duration_from_a_json_number_with_a_fraction() -> None:
    # value is a string here, so nothing else on the line is a float
    raw = '{"shipment_id": "S1", "office": "TSN", "booked_at": "2025-01-01T00:00:00Z", ' \
          '"complete": true, "value": "1.00", "wait": 1.5}'
    assert record_of(read(raw)[0])["wait"] == timedelta(seconds=1, microseconds=500000)


def test_int_field_accepts_a_whole_decimal() -> None:
    assert record_of(read(line(pieces=2))[0])["pieces"] == Decimal(2)
    assert record_of(read(line(pieces="7"))[0])["pieces"] == Decimal(7)


# rejections: each with its line and field


@pytest.mark.parametrize(
    ("bad", "field", "word"),
    [
        ("not json at all", None, "JSON"),
        ('{"shipment_id": "S2",', None, "JSON"),
        ("[1, 2]", None, "object"),
        ('"a string"', None, "object"),
        ("42", None, "object"),
        ("null", None, "object"),
        (line(drop=("booked_at",), shipment_id="S2"), "booked_at", "missing"),
        (line(booked_at=None, shipment_id="S2"), "booked_at", "missing"),
        (line(drop=("shipment_id",)), "shipment_id", "missing"),
        (line(shipment_id=2), "shipment_id", "string"),
        (line(shipment_id="S2", complete="yes"), "complete", "true or false"),
        (line(shipment_id="S2", complete=1), "complete", "true or false"),
        (line(shipment_id="S2", booked_at="2025-02-30T10:00:00+08:00"), "booked_at", "date"),
        (line(shipment_id="S2", booked_at="2025-13-01T10:00:00Z"), "booked_at", "date"),
        (line(shipment_id="S2", booked_at="2025-01-01T10:00:00"), "booked_at", "offset"),
        (line(shipment_id="S2", booked_at=1735689600), "booked_at", "date"),
        (line(shipment_id="S2", office="SHA"), "office", "allowed"),
        (line(shipment_id="S2", office="tsn"), "office", "allowed"),
        (line(shipment_id="S2", value="12,30"), "value", "amount"),
        (line(shipment_id="S2", value="12.30 CNY"), "value", "amount"),
        (line(shipment_id="S2", value="NaN"), "value", "amount"),
        (line(shipment_id="S2", value=True), "value", "amount"),
        (line(shipment_id="S2", value=[1]), "value", "amount"),
        (line(shipment_id="S2", pieces=2.5), "pieces", "whole"),
        (line(shipment_id="S2", weight="heavy"), "weight", "number"),
        (line(shipment_id="S2", ship_date="2025-02-30"), "ship_date", "date"),
        (line(shipment_id="S2", delivered_at="yesterday"), "delivered_at", "date"),
    ],
)
def test_rejection_names_line_field_and_reason(bad: str, field: str | None, word: str) -> None:
    items = read(line(), bad, line(shipment_id="S3"))
    assert record_of(items[0])["_line"] == 1
    rejected = rejection_of(items[1])
    assert (rejected.source, rejected.line, rejected.field) == ("data.jsonl", 2, field)
    assert word.lower() in rejected.reason.lower()
    assert record_of(items[2])["_line"] == 3


def test_nan_json_constant_is_rejected() -> None:
    raw = '{"shipment_id": "S1", "office": "TSN", "booked_at": "2025-01-01T00:00:00Z", ' \
          '"complete": true, "value": NaN}'
    rejected = rejection_of(read(raw)[0])
    assert rejected.line == 1
    assert rejected.field in (None, "value")


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_empty_line_is_a_rejection(blank: str) -> None:
    items = read(line(), blank, line(shipment_id="S2"))
    rejected = rejection_of(items[1])
    assert (rejected.line, rejected.field) == (2, None)
    assert "empty" in rejected.reason
    assert record_of(items[2])["_line"] == 3


def test_final_newline_is_not_a_line() -> None:
    data = (line() + "\n").encode()
    assert len(list(Reader(SCHEMA).read(io.BytesIO(data), "d"))) == 1


def test_last_line_without_newline_is_read() -> None:
    data = (line() + "\n" + line(shipment_id="S2")).encode()
    items = list(Reader(SCHEMA).read(io.BytesIO(data), "d"))
    assert [record_of(item)["_line"] for item in items] == [1, 2]


def test_invalid_utf8_is_rejected() -> None:
    rejected = rejection_of(read(b'{"shipment_id": "\xff"}')[0])
    assert rejected.line == 1


def test_duplicate_id_is_rejected_and_the_first_kept() -> None:
    items = read(line(), line(value="5.00"), line(shipment_id="S2"))
    assert record_of(items[0])["value"] == Decimal("100.00")
    rejected = rejection_of(items[1])
    assert (rejected.line, rejected.field) == (2, "shipment_id")
    assert "duplicate" in rejected.reason
    assert record_of(items[2])["shipment_id"] == "S2"


def test_a_rejected_line_does_not_use_up_its_id() -> None:
    items = read(line(value="12,30"), line())
    rejection_of(items[0])
    assert record_of(items[1])["_line"] == 2


def test_ids_are_remembered_across_files_of_one_reader() -> None:
    reader = Reader(SCHEMA)
    read(line(), reader=reader)
    rejected = rejection_of(read(line(), reader=reader)[0])
    assert rejected.field == "shipment_id"


def test_rejection_message_and_kept_text() -> None:
    bad = line(value="12,30")
    rejected = rejection_of(read(bad, reader=Reader(SCHEMA, keep_text=True))[0])
    assert rejected.message == "value: " + rejected.reason
    assert rejected.text == bad.encode()
    assert rejection_of(read(bad)[0]).text is None


def test_read_is_accepted_plus_rejected() -> None:
    lines = [
        line(),                                  # 1 ok
        "garbage",                               # 2
        line(shipment_id="S2"),                  # 3 ok
        line(shipment_id="S3", office="XX"),     # 4
        "",                                      # 5
        line(),                                  # 6 duplicate
        line(shipment_id="S4", value=1.25),      # 7 ok
        "[]",                                    # 8
    ]
    items = read(*lines)
    assert len(items) == 8
    accepted = [record_of(i)["_line"] for i in items if not isinstance(i, Rejection)]
    rejected = [i.line for i in items if isinstance(i, Rejection)]
    assert accepted == [1, 3, 7]
    assert rejected == [2, 4, 5, 6, 8]


# files


def test_gzip_input(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(line() + "\n" + "oops\n" + line(shipment_id="S2") + "\n")
    with open_data(str(path)) as stream:
        items = list(Reader(SCHEMA).read(stream, str(path)))
    assert [type(item) is Rejection for item in items] == [False, True, False]
    assert rejection_of(items[1]).line == 2
    assert record_of(items[2])["shipment_id"] == "S2"


def test_plain_file_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    data = (line() + "\n" + line(shipment_id="S2") + "\n").encode()
    path.write_bytes(data)
    digest = hashlib.sha256()
    with open_data(str(path), digest) as stream:
        items = list(Reader(SCHEMA).read(stream, str(path)))
    assert len(items) == 2
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_lines_longer_than_a_read_chunk(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    long_note = "x" * (3 << 20)  # 3 MiB: longer than the reader's chunk
    path.write_text(line(note=long_note) + "\n" + line(shipment_id="S2") + "\n", "utf-8")
    with open_data(str(path)) as stream:
        items = list(Reader(SCHEMA, max_line_bytes=4 << 20).read(stream, str(path)))
    assert record_of(items[0])["note"] == long_note
    assert record_of(items[1])["_line"] == 2


# SeenIds


@pytest.mark.parametrize("small", [0, 50_000, SMALL_IDS])
def test_seen_ids_over_many_ids(small: int) -> None:
    seen = SeenIds(small_ids=small)
    count = 100_000
    assert all(seen.add(f"shipment-{number}") for number in range(count))
    assert not any(seen.add(f"shipment-{number}") for number in range(count))
    assert seen.add(f"shipment-{count}")


@pytest.mark.parametrize("small", [0, SMALL_IDS])
def test_seen_ids_tells_close_ids_apart(small: int) -> None:
    seen = SeenIds(small_ids=small)
    for identifier in ["a", "A", "a ", " a", "", "é", "e\u0301", "\ud800"]:
        assert seen.add(identifier), identifier
    assert not seen.add("")
    assert not seen.add("e\u0301")


def test_a_byte_order_mark_is_not_part_of_the_first_line() -> None:
    items = read("\ufeff" + line() + "\n" + line(shipment_id="S2"))
    assert [record_of(item)["_line"] for item in items] == [1, 2]


# rejections name the value and say what would be accepted


def _hint(reason: str) -> str:
    return reason.rsplit("write ", 1)[1]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2006-06-02+00:00", "2006-06-02T00:00:00+00:00"),
        ("2006-06-02-05:00", "2006-06-02T00:00:00-05:00"),
        ("2006-06-02Z", "2006-06-02T00:00:00Z"),
        ("2006-06-02", "2006-06-02T00:00:00Z"),
    ],
)
def test_a_date_without_a_time_gets_the_true_reason_and_a_hint_that_works(
    text: str, hint: str
) -> None:
    rejected = rejection_of(read(line(booked_at=text))[0])
    assert rejected.field == "booked_at"
    assert rejected.reason.startswith("a date without a time of day")
    assert f'"{text}"' in rejected.reason
    assert "offset" not in rejected.reason.split(";")[0]
    assert _hint(rejected.reason) == hint
    assert record_of(read(line(booked_at=_hint(rejected.reason)))[0])["_line"] == 1


def test_a_time_without_an_offset_gets_a_hint_that_works() -> None:
    rejected = rejection_of(read(line(booked_at="2025-01-01T10:00:00"))[0])
    assert "no UTC offset" in rejected.reason
    assert _hint(rejected.reason) == "2025-01-01T10:00:00Z"
    assert record_of(read(line(booked_at=_hint(rejected.reason)))[0])["_line"] == 1


def test_an_impossible_date_says_what_is_wrong() -> None:
    rejected = rejection_of(read(line(booked_at="2025-02-30T10:00:00+08:00"))[0])
    assert rejected.reason == 'not a valid date/time: "2025-02-30T10:00:00+08:00" ' \
                              "(day is out of range for month)"


@pytest.mark.parametrize(
    ("values", "field", "shown"),
    [
        ({"office": "SHA"}, "office", '"SHA"'),
        ({"complete": 1}, "complete", "1"),
        ({"complete": None}, "complete", "null"),
        ({"value": "12,30"}, "value", '"12,30"'),
        ({"value": [1]}, "value", "[1]"),
        ({"shipment_id": 2}, "shipment_id", "2"),
        ({"pieces": 2.5}, "pieces", "2.5"),
        ({"ship_date": "2025-02-30"}, "ship_date", '"2025-02-30"'),
        ({"wait": "soon"}, "wait", '"soon"'),
        ({"booked_at": 1735689600}, "booked_at", "1735689600"),
        ({"office": "x" * 100}, "office", '"' + "x" * 36 + "..."),
        ({"office": "\x1b[31mred\u202e"}, "office", '"\\u001b[31mred\\u202e"'),
    ],
)
def test_every_field_rejection_names_the_value(
    values: dict[str, Any], field: str, shown: str
) -> None:
    rejected = rejection_of(read(line(**values))[0])
    assert rejected.field == field
    assert shown in rejected.reason
    assert len(shown) <= 40


def test_line_rejections_name_the_line() -> None:
    not_json, not_object, _, duplicate = read('{"shipment_id": "S2",', "[1, 2]", line(), line())
    assert rejection_of(not_json).reason.endswith(': {"shipment_id": "S2",')
    assert rejection_of(not_object).reason == "not a JSON object: [1, 2]"
    assert rejection_of(duplicate).reason == 'duplicate: "S1"'


def test_seen_ids_take_two_ids_with_the_same_digest_for_two() -> None:
    seen = SeenIds(hash_function=lambda key: 0x5EED_0000_0000_0001, small_ids=0)
    assert seen.add("MOT-25-000001")
    assert seen.add("MOT-25-000002")  # same digest, another id: not a duplicate
    assert seen.add("")
    assert not seen.add("MOT-25-000001")
    assert not seen.add("MOT-25-000002")
    assert not seen.add("")
    assert len(seen) == 3


def test_seen_ids_grow_past_their_first_size_and_confirm_long_ids() -> None:
    seen = SeenIds(capacity=16, hash_function=lambda key: len(key) % 7, small_ids=0)
    ids = [f"{number}-" + "x" * (number % 300) for number in range(2000)]
    assert all(seen.add(identifier) for identifier in ids)
    assert not any(seen.add(identifier) for identifier in ids)
    assert len(seen) == 2000


def test_seen_ids_memory_per_id() -> None:
    seen = SeenIds(small_ids=0)
    for number in range(100_000):
        seen.add(f"MOT-25-{number:06d}")
    # the table of 4-byte slots is filled to between 25% and 50%: 8 to 16 bytes per id, then
    # the id and its end byte
    assert seen.nbytes / len(seen) < 4 / 0.25 + len("MOT-25-000000") + 1 + 1


def test_seen_ids_in_a_table_of_64_bit_slots() -> None:
    # what the table becomes once its ids take 4 GiB, too much to write in a test
    seen = SeenIds(capacity=16, small_ids=0)
    assert seen.add("a")
    assert seen.add("b")
    seen._resize(16, wide=True)
    assert seen._table.typecode == "Q"
    assert not seen.add("a")
    assert not seen.add("b")
    assert all(seen.add(f"id-{number}") for number in range(100))
    assert seen._table.typecode == "Q"
    assert len(seen) == 102


# numbers: ASCII digits, a stated range, money not negative, exact whatever the keys


def _raw(value: str, **more: str) -> str:
    fields = "".join(f', "{key}": {text}' for key, text in more.items())
    return '{"shipment_id": "S1", "office": "TSN", "booked_at": "2025-01-01T00:00:00Z", ' \
           f'"complete": true, "value": {value}{fields}}}'


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        (line(value="1" * 19), "value", "at most 18 digits before the decimal point"),
        (line(value="1" * 27 + ".00"), "value", "at most 18 digits"),
        (_raw("1" * 27), "value", "at most 18 digits"),
        (_raw(str(10**18)), "value", "at most 18 digits"),
        (_raw("1e400"), "value", "at most 18 digits"),
        (_raw("1E18"), "value", "at most 18 digits"),
        (line(weight="-" + "9" * 19), "weight", "at most 18 digits"),
        (_raw("1.5", weight="-1e19"), "weight", "at most 18 digits"),
        (line(pieces="1" * 30), "pieces", "at most 18 digits"),
        (line(wait="99999999999999999999"), "wait", "duration"),
        (_raw("1.5", wait="1e20"), "wait", "duration"),
        (line(wait=3_153_600_001), "wait", "duration"),
        (line(booked_at="1899-12-31T23:59:59Z"), "booked_at", "years 1900 to 9000"),
        (line(booked_at="9001-01-01T00:00:00Z"), "booked_at", "years 1900 to 9000"),
        (line(delivered_at="0001-01-01T00:00:00+01:00"), "delivered_at", "years 1900 to 9000"),
        (line(ship_date="9999-12-31"), "ship_date", "years 1900 to 9000"),
    ],
)
def test_numbers_and_times_beyond_the_supported_range_are_rejected(
    raw: str, field: str, words: str
) -> None:
    rejected = rejection_of(read(raw)[0])
    assert (rejected.line, rejected.field) == (1, field)
    assert words in rejected.reason


@pytest.mark.parametrize(
    ("raw", "field", "expected"),
    [
        (line(value="999999999999999999.99"), "value", Decimal("999999999999999999.99")),
        (_raw("999999999999999999"), "value", Decimal("999999999999999999")),
        (line(value="0000000000000000000001.50"), "value", Decimal("1.50")),
        (_raw("1e-400"), "value", Decimal("1e-400")),
        (line(value="-0.00"), "value", Decimal("0.00")),
        (_raw("-0.0"), "value", Decimal("0.0")),
        (line(weight="-12.5"), "weight", Decimal("-12.5")),
        (line(pieces=-3), "pieces", Decimal(-3)),
        (line(wait=3_153_600_000), "wait", timedelta(days=36500)),
        (line(wait=-60), "wait", timedelta(seconds=-60)),
        (line(booked_at="1900-01-01T00:00:00Z"), "booked_at", datetime(1900, 1, 1, tzinfo=UTC)),
        (line(booked_at="9000-12-31T23:59:59Z"), "booked_at",
         datetime(9000, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_numbers_and_times_at_the_edges_are_accepted(raw: str, field: str, expected: Any) -> None:
    assert record_of(read(raw)[0])[field] == expected


@pytest.mark.parametrize(
    "raw",
    [line(value="-5.00"), line(value="-0.01"), _raw("-5"), _raw("-0.5"), _raw("-1e-9")],
)
def test_negative_money_is_rejected(raw: str) -> None:
    rejected = rejection_of(read(raw)[0])
    assert rejected.field == "value"
    assert rejected.reason.startswith("negative: ")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"value": "١٢٣.٤٥"}, "value"),  # Arabic-Indic digits
        ({"value": "\uff11\uff12\uff13.45"}, "value"),  # fullwidth digits
        ({"weight": "१२"}, "weight"),  # Devanagari digits
        ({"pieces": "٣"}, "pieces"),
        ({"wait": "٦٠"}, "wait"),
    ],
)
def test_numbers_take_ascii_digits_only(values: dict[str, Any], field: str) -> None:
    rejected = rejection_of(read(line(**values))[0])
    assert rejected.field == field
    assert "ASCII digits" in rejected.reason


@pytest.mark.parametrize(
    "raw",
    [
        # the real key spelt with an escape, a decoy key ending in `"value"` whose number
        # reads as the same float
        '{"x\\"value": 0.12500000000000000001, "\\u0076alue": 0.125, "shipment_id": "S1", '
        '"office": "TSN", "booked_at": "2025-01-01T00:00:00Z", "complete": true}',
        '{"a": "\\"", "value": 0.125, "b\\"value": 0.12500000000000000001, '
        '"shipment_id": "S1", "office": "TSN", "booked_at": "2025-01-01T00:00:00Z", '
        '"complete": true}',
    ],
)
def test_exact_money_does_not_depend_on_how_keys_are_spelt(raw: str) -> None:
    value = record_of(read(raw)[0])["value"]
    assert str(value) == "0.125"


# duplicate keys


_BASE = '"shipment_id": "S1", "office": "TSN", "booked_at": "2025-01-01T00:00:00Z", ' \
        '"complete": true'


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{' + _BASE + ', "value": "1.00", "value": "100.00"}', "value"),
        ('{"value":"1.00",' + _BASE.replace(": ", ":") + ',"value":"100.00"}', "value"),
        ('{"value" : "1.00", ' + _BASE + ', "value" : "100.00", "note": ":x"}', "value"),
        ('{"value"\t: "1.00", ' + _BASE + ', "value"\t:"100.00"}', "value"),
        ('{' + _BASE + ', "value": "1.00", "\\u0076alue": "100.00"}', "value"),
        ('{' + _BASE + ', "value": "1.00", "extra": 1, "extra": 2}', "extra"),
        ('{' + _BASE + ', "value": "1.00", "extra": {"a": 1, "a": 2}}', None),
        ('{' + _BASE + ', "value": "1.00", "complete": false}', "complete"),
        ('{' + _BASE + ', "value": 1, "lost": true, "lost": false}', "lost"),
        # a value the coercer rejects: the key written twice is still the reason given
        ('{' + _BASE + ', "value": "x", "office": "TSN"}', "office"),
        ('{' + _BASE + ', "value": 1.5, "pieces": 2, "pieces": 3}', "pieces"),
    ],
)
def test_a_key_repeated_in_an_object_rejects_the_line(raw: str, field: str | None) -> None:
    rejected = rejection_of(read(raw)[0])
    assert (rejected.line, rejected.field) == (1, field)
    assert "appears more than once" in rejected.reason


@pytest.mark.parametrize(
    "raw",
    [
        '{' + _BASE + ', "value": "1.00", "note": "he said \\": twice\\": "}',
        '{' + _BASE + ', "value": "1.00", "note": " starts with a space"}',
        '{' + _BASE + ', "value" : "1.00", "extra": {"value": 2, "a": {"value": 3}}}',
        '{' + _BASE + ', "value": 1.5, "note": "\\"value\\": 2"}',
        '{ ' + _BASE + ' , "value" : "1.00" }',
    ],
)
def test_keys_that_only_look_repeated_are_accepted(raw: str) -> None:
    assert record_of(read(raw)[0])["_line"] == 1


def test_a_line_too_deep_to_check_its_keys_is_rejected_not_let_through() -> None:
    # orjson reads 1,020 levels; the stdlib's exact check of the keys cannot, so it says so
    deep = "[" * 1020 + '{"x": 1, "x": 2}' + "]" * 1020
    rejected = rejection_of(read('{' + _BASE + ', "value": "1.00", "deep": ' + deep + '}')[0])
    assert (rejected.line, rejected.field) == (1, None)
    assert rejected.reason.startswith("nested too deeply to check its keys")


def test_python_values_are_read_as_json_would_hold_them() -> None:
    given = {**GOOD, "value": Decimal("12.50"), "wait": timedelta(seconds=90, microseconds=5),
             "booked_at": datetime(2025, 1, 1, 8, tzinfo=UTC), "ship_date": date(2025, 1, 3),
             "pieces": 10**20}
    rejected: list[Rejection] = []
    good, bad = (Reader(SCHEMA).objects([given, {**given, "shipment_id": "S2", "pieces": 3}],
                                        "<records>", rejected.append), rejected)
    [record] = list(good)
    assert record["value"] == Decimal("12.50")
    assert record["wait"] == timedelta(seconds=90, microseconds=5)
    assert record["booked_at"] == datetime(2025, 1, 1, 8, tzinfo=UTC)
    assert record["ship_date"] == date(2025, 1, 3)
    assert record["_line"] == 2
    [rejection] = bad
    assert (rejection.source, rejection.line, rejection.field) == ("<records>", 1, "pieces")
    assert given["value"] == Decimal("12.50")  # left as it was given


@pytest.mark.parametrize(
    ("raw", "value", "weight"),
    [
        (_raw("10322.70"), "10322.70", None),  # the digits written, not the float's
        (_raw("0.1", weight="2.50"), "0.1", "2.50"),
        (_raw("1.5E3", weight="-0.000"), "1.5E+3", "-0.000"),
        (_raw("0.30000000000000001"), "0.30000000000000001", None),  # the float is 0.3
        # a number in a nested object with the same key: the line is read again, whole
        (_raw("2.25", extra='{"value": 9.5}'), "2.25", None),
        (_raw("7.10", note='"a \\\\ b"'), "7.10", None),  # a backslash: read again, whole
    ],
)
def test_a_number_read_as_a_float_keeps_the_digits_of_the_line(
        raw: str, value: str, weight: str | None) -> None:
    record = record_of(read(raw, reader=Reader(SCHEMA, keep_text=True))[0])
    assert str(record["value"]) == value
    assert (None if record["weight"] is None else str(record["weight"])) == weight
