"""The typed fast path (`_typed`, msgspec): a line it takes is the record the general path
makes of it, and every other line goes to the general path, so rejections never change.

Each test reads the same lines twice, once with the fast path and once without it, and holds
the two to each other: records value by value (their keys in order, each value's type, each
timestamp's offset), rejections word for word.
"""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slacheck import types as t
from slacheck._typed import misread
from slacheck.plausibility import compile_checks
from slacheck.records import Reader, Rejection, split_lines
from slacheck.types import Bound, FieldSpec, RecordSchema

pytest.importorskip("msgspec")

SCHEMA = RecordSchema(
    fields=(
        FieldSpec("id", t.STRING),
        FieldSpec("office", t.enum(("TSN", "PEK"))),
        FieldSpec("at", t.TIMESTAMP),
        FieldSpec("done_at", t.TIMESTAMP, required=False),
        FieldSpec("value", t.money(None)),
        FieldSpec("refund", t.money(None), required=False, negative=True),
        FieldSpec("ok", t.BOOL),
        FieldSpec("lost", t.BOOL, required=False, default=False),
        FieldSpec("note", t.STRING, required=False, default="none"),
        FieldSpec("pieces", t.NUMBER, required=False, integral=True,
                  minimum=Bound(Decimal(1), "1"), maximum=Bound(Decimal(500), "500")),
        FieldSpec("weight", t.NUMBER, required=False),
        FieldSpec("code", t.STRING, required=False, pattern="[A-Z]{3}"),
    ),
    id_field="id",
    time_field="at",
)

GOOD: dict[str, Any] = {"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00",
                        "value": "100.00", "ok": True}


def fast_reader() -> Reader:
    reader = Reader(SCHEMA)
    assert reader.typed is not None
    return reader


def general_reader() -> Reader:
    reader = Reader(SCHEMA)
    reader.typed = None
    return reader


def shown(item: dict[str, Any] | Rejection) -> Any:
    """Everything a record or rejection says, so that two compare equal only if they are the
    same: keys in order, types, and each timestamp's offset."""
    if isinstance(item, Rejection):
        return item
    return [(key, type(value).__name__, value,
             value.utcoffset() if isinstance(value, datetime) else None)
            for key, value in item.items()]


def both(lines: list[bytes]) -> tuple[list[Any], list[Any]]:
    data = b"".join(line + b"\n" for line in lines)
    return ([shown(item) for item in fast_reader().read(io.BytesIO(data), "d.jsonl")],
            [shown(item) for item in general_reader().read(io.BytesIO(data), "d.jsonl")])


def test_an_ordinary_line_takes_the_fast_path_and_is_the_same_record() -> None:
    line = json.dumps({**GOOD, "done_at": "2025-01-02T08:00:00.25Z", "refund": "5.50",
                       "pieces": 3, "weight": "-1.5", "code": "ABC"}).encode()
    reader = fast_reader()
    assert reader.typed is not None
    record = reader.typed(line)
    assert record is not None
    assert record["value"] == Decimal("100.00")
    assert type(record["value"]) is Decimal
    assert record["pieces"] == Decimal(3)
    assert record["lost"] is False
    assert record["note"] == "none"
    fast, general = both([line])
    assert fast == general


def test_a_timestamp_msgspec_reads_otherwise_goes_to_the_general_path() -> None:
    line = json.dumps({**GOOD, "at": "2025-01-01T08:00:00z"}).encode()  # fromisoformat refuses
    assert fast_reader().typed(line) is None  # type: ignore[misc]
    fast, general = both([line])
    assert fast == general


@pytest.mark.parametrize("text", [
    "2025-01-01T08:00:00.1234567+08:00",  # msgspec rounds the 7th digit, fromisoformat cuts
    "2025-01-01T08:00:00.9999999Z",
    "2025-01-01T08:00:00.99999999999-05:30",
])
def test_seven_digits_of_a_second_are_cut_as_the_general_path_cuts_them(text: str) -> None:
    """.NET writes seven digits of a second: such a line is the fast path's too, its
    timestamps read from their text by the coercer's own reading, not by msgspec."""
    line = json.dumps({**GOOD, "at": text, "done_at": "2025-01-02T08:00:00.5+08:00"}).encode()
    record = fast_reader().typed(line)  # type: ignore[misc]
    assert record is not None
    assert record["at"] == datetime.fromisoformat(text)
    assert record["at"].microsecond == 999999 or record["at"].microsecond == 123456
    fast, general = both([line])
    assert fast == general


@pytest.mark.parametrize("line", [
    b'{"id": "S1", "id": "S2", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", '
    b'"value": "1", "ok": true}',  # a key twice: msgspec would keep the last
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": "1", '
    b'"ok": true, "extra": {"a": 1}}',  # undeclared, nested
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": 1.5, '
    b'"ok": true}',  # a float amount: read exactly from the text
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": '
    b'1000000000000000000, "ok": true}',  # 19 digits
    b'{"id": "S1", "office": "TSN", "at": "1899-12-31T23:00:00-01:00", "value": "1", '
    b'"ok": true}',  # the year written is out of range, though it is 1900 in UTC
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": "1", '
    b'"ok": true, "pieces": 501}',  # above the maximum
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": "1", '
    b'"ok": true, "code": "abc"}',  # not the pattern
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": "-1", '
    b'"ok": true}',  # negative money
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": "1", '
    b'"ok": null}',  # a required field null
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00", "value": "1", "ok": true}',
    b'{"id": "S\\u0031", "office": "TSN", "at": "2025-01-01T08:00:00+08:00", "value": "1", '
    b'"ok": true}',  # an escape: taken, and the same
])
def test_lines_the_fast_path_leaves_read_as_before(line: bytes) -> None:
    fast, general = both([line])
    assert fast == general


VALUES: dict[str, list[Any]] = {
    "id": ["S1", "S2", "", 7, None, "Ω\u2028", "a\"b"],
    "office": ["TSN", "PEK", "tsn", "XXX", 1, None],
    "at": ["2025-01-01T08:00:00+08:00", "2025-01-01T08:00:00Z", "2025-01-01 08:00:00-05:30",
           "2025-01-01t08:00:00+00:00", "2025-02-30T08:00:00Z", "2025-01-01T08:00Z",
           "2025-01-01T08:00:00.5-00:00", "2025-01-01", "9000-12-31T23:59:59+14:00",
           "9001-01-01T00:00:00Z", "1900-01-01T00:00:00+05:45", 20250101, None],
    "done_at": ["2025-01-02T08:00:00.123456+08:00", "2025-01-02T08:00:00.123+08:00", None,
                "2025-01-02T08:00:00+0800", "2025-01-02T08:00:00+08"],
    "value": ["100.00", "0", "007", "1e3", "1,00", 12, -3, 0, 12.5, "", " 1", "1.", None,
              "999999999999999999", "1000000000000000000", True],
    "refund": ["-5.50", "5", -5, "-0", None, "x"],
    "ok": [True, False, None, 1, "true"],
    "lost": [True, False, None, 0],
    "note": ["n", "", None, 5],
    "pieces": [1, 500, 0, 501, "3", "3.0", 3.0, -1, None],
    "weight": ["-1.5", "2", 2, -2, 2.25, "1e2", None],
    "code": ["ABC", "AB", "abc", None, 3],
}


FINE = {**GOOD, "done_at": "2025-01-02T08:00:00.5+08:00", "refund": "-2.5", "lost": False,
        "note": "n", "pieces": 2, "weight": 2.75, "code": "XYZ"}


def generated(seed: int, count: int) -> list[bytes]:
    """Lines of every kind: each field given a value of its list, left out, or written
    twice, sometimes an undeclared key, a nested object, or spaces around the colons."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        pairs: list[tuple[str, Any]] = []
        for name, values in VALUES.items():
            draw = rng.random()
            if draw < 0.05:
                continue
            pairs.append((name, rng.choice(values) if draw < 0.12 else FINE[name]))
            if draw > 0.98:
                pairs.append((name, rng.choice(values)))
        rng.shuffle(pairs)
        if rng.random() < 0.05:
            pairs.append(("extra", rng.choice([1, {"id": "x"}, [1, 2]])))
        text = "{" + ", ".join(f"{json.dumps(key)}{rng.choice([':', ': ', ' : '])}"
                               f"{json.dumps(value)}" for key, value in pairs) + "}"
        lines.append(text.encode())
    return lines


@pytest.mark.parametrize("seed", range(4))
def test_generated_lines_read_the_same_either_way(seed: int) -> None:
    lines = generated(seed, 1500)
    fast, general = both(lines)
    assert fast == general
    taken = sum(fast_reader().typed(line) is not None for line in lines)  # type: ignore[misc]
    assert taken > 200  # the fast path is exercised, not skipped


TIMESTAMP_CHARS = "0123456789-:+TtZz .,_W"


@settings(max_examples=300, deadline=None)
@given(st.text(TIMESTAMP_CHARS, min_size=10, max_size=34),
       st.sampled_from(["2025-03-10T10:00:00", "2025-12-31T23:59:59.999999", "2024-02-29"]))
def test_any_timestamp_text_reads_the_same_either_way(tail: str, head: str) -> None:
    text = head + tail[len(head) - 10:] if len(tail) > len(head) else tail
    line = json.dumps({**GOOD, "at": text}).encode()
    fast, general = both([line])
    assert fast == general


def test_the_fast_path_is_given_up_when_most_lines_miss_it() -> None:
    # an undeclared key: msgspec decodes the line, and its quotes do not add up
    lines = [json.dumps({**GOOD, "id": f"S{n}", "extra": 1}).encode() for n in range(600)]
    reader = fast_reader()
    assert reader.typed is not None
    calls = 0
    typed = reader.typed

    def counted(text: bytes, screened: bool = False) -> dict[str, Any] | None:
        nonlocal calls
        calls += 1
        return typed(text, screened)

    reader.typed = counted
    data = b"".join(line + b"\n" for line in lines)
    items = list(reader.read(io.BytesIO(data), "d.jsonl"))
    assert all(not isinstance(item, Rejection) and item["extra"] == 1 for item in items)
    assert calls == 257  # after 256 misses, one in each line: parsed once from then on


MISREAD = ["z\"", ".1234567", ".123456", "z", ".", "7", "\"", " ", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(MISREAD), max_size=12).map("".join), min_size=1,
                max_size=30),
       st.integers(min_value=16, max_value=64), st.booleans())
def test_split_lines_flags_exactly_the_lines_msgspec_would_misread(
        texts: list[str], limit: int, ended: bool) -> None:
    # chunks of `limit` bytes, so that lines and the texts in them span chunks; the last
    # line ended by a newline or by the end of the data
    texts[-1] += "" if ended else "x"
    data = b"\n".join(text.encode() for text in texts) + (b"\n" if ended else b"")
    found = list(split_lines(io.BytesIO(data), "d.jsonl", limit, screen=misread))
    assert len(found) == len(texts)
    for text, line in zip(texts, found, strict=True):
        if len(text) > limit:
            continue  # a long line, cut: never the fast path's
        assert line == text.encode()
        assert (type(line) is not bytes) == misread(text.encode()), text


def test_the_fast_path_screens_a_line_of_a_file_once() -> None:
    plain = [json.dumps({**GOOD, "id": f"S{n}"}).encode() for n in range(50)]
    odd = [json.dumps({**GOOD, "id": f"T{n}", "at": text}).encode()
           for n, text in enumerate(["2025-01-01T08:00:00z", "2025-01-01T08:00:00.1234567Z"])]
    lines = plain[:20] + odd + plain[20:]
    reader = fast_reader()
    assert reader.typed is not None
    seen: list[tuple[bytes, bool]] = []
    typed = reader.typed

    def counted(text: bytes, screened: bool = False) -> dict[str, Any] | None:
        seen.append((text, screened))
        return typed(text, screened)

    reader.typed = counted
    data = b"".join(line + b"\n" for line in lines)
    list(reader.read(io.BytesIO(data), "d.jsonl"))
    # the two flagged lines are screened again alone, and read with their times as text
    assert seen == [(line, True) for line in plain[:20]] + [(line, False) for line in odd] + [
        (line, True) for line in plain[20:]]
    fast, general = both(lines)
    assert fast == general
    assert [reader.typed(line) is None for line in odd] == [True, False]


def test_no_fast_path_for_fields_it_does_not_read() -> None:
    schema = RecordSchema(fields=(FieldSpec("id", t.STRING), FieldSpec("at", t.TIMESTAMP),
                                  FieldSpec("day", t.DATE)), id_field="id", time_field="at")
    assert Reader(schema).typed is None


# the built-in plausibility warnings: the fast path clears a record of them, or leaves it

ZONE = ZoneInfo("Asia/Shanghai")


def plausible_reader(*, fast: bool) -> Reader:
    checks = compile_checks(SCHEMA, ZONE, date(2025, 1, 1), date(2025, 12, 31))
    assert checks is not None
    assert checks.clearance is not None
    reader = Reader(SCHEMA, plausible=checks.run, clearance=checks.clearance)
    assert reader.typed_clears
    if not fast:
        reader.typed = None
    return reader


def read_warned(lines: list[bytes], *, fast: bool) -> tuple[list[Any], dict[str, Any]]:
    reader = plausible_reader(fast=fast)
    data = b"".join(line + b"\n" for line in lines)
    items = [shown(item) for item in reader.read(io.BytesIO(data), "d.jsonl")]
    return items, {message: (flagged.records, flagged.first)
                   for message, flagged in reader.warnings.items()}


def test_a_record_that_may_warn_is_left_to_the_general_path() -> None:
    rows = [{**GOOD, "done_at": "2025-06-20T08:00:00+08:00"},  # 170 days after `at`
            {**GOOD, "id": "S2", "done_at": "2025-06-30T08:00:01+08:00"},  # over 180 days
            {**GOOD, "id": "S3", "at": "2024-01-02T12:00:00Z"},  # not a year before, but near
            {**GOOD, "id": "S4", "at": "2024-06-01T00:00:00Z"},  # outside the period: fine
            {**GOOD, "id": "S5", "at": "2023-12-01T00:00:00Z"}]  # more than a year before
    lines = [json.dumps(row).encode() for row in rows]
    typed = plausible_reader(fast=True).typed
    assert typed is not None
    assert [typed(line) is not None for line in lines] == [True, False, False, True, False]
    items, warnings = read_warned(lines, fast=True)
    assert (items, warnings) == read_warned(lines, fast=False)
    period = "more than a year outside the contract period (2025-01-01 to 2025-12-31)"
    assert warnings == {
        f"`at` {period}: a year typed wrong?": (1, [("d.jsonl", 5)]),
        "`done_at` more than 180 days from `at`: a year typed wrong?": (1, [("d.jsonl", 2)])}


TIMES = st.datetimes(min_value=datetime(2023, 6, 1), max_value=datetime(2027, 6, 1),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)),
                                                timezone(timedelta(hours=-12)),
                                                timezone(timedelta(hours=5, minutes=45))]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TIMES, st.none() | TIMES), min_size=1, max_size=12))
def test_warnings_are_the_same_whether_the_fast_path_clears_them(
        times: list[tuple[datetime, datetime | None]]) -> None:
    lines = [json.dumps({**GOOD, "id": f"S{number}", "at": at.isoformat(),
                         **({} if done is None else {"done_at": done.isoformat()})}).encode()
             for number, (at, done) in enumerate(times)]
    assert read_warned(lines, fast=True) == read_warned(lines, fast=False)


def test_the_fast_path_takes_no_record_that_warns_at_the_edges() -> None:
    checks = compile_checks(SCHEMA, ZONE, date(2025, 1, 1), date(2025, 12, 31))
    assert checks is not None
    typed = plausible_reader(fast=True).typed
    assert typed is not None
    taken = 0
    for edge in (datetime(2024, 1, 1), datetime(2026, 12, 31)):  # a year from the period
        for hours in range(-72, 72):
            for offset in (-12, 0, 14):
                zone = timezone(timedelta(hours=offset))
                at = (edge + timedelta(hours=hours, minutes=59)).replace(tzinfo=zone)
                done = at + timedelta(days=178, hours=offset)
                for row in ({**GOOD, "at": at.isoformat()},
                            {**GOOD, "done_at": at.isoformat()},
                            {**GOOD, "at": at.isoformat(), "done_at": done.isoformat()}):
                    record = typed(json.dumps(row).encode())
                    if record is not None:
                        taken += 1
                        assert checks.run(record) == (), row
    assert taken > 200  # days near the edges are taken, not only left to the general path


@pytest.mark.parametrize("line", [
    # an escape, and the amount a float: the fast path reads it from the line's text
    b'{"id": "S\\u002d1", "office": "TSN", "at": "2025-01-01T08:00:00\\u002b08:00", '
    b'"value": 1.25, "ok": true, "weight": 2.75}',
    b'{"id": "S\\/1", "office": "TSN", "at": "2025-01-01T08:00:00Z", "value": 12.5, '
    b'"ok": true}',
])
def test_a_line_with_an_escape_and_a_float_takes_the_fast_path(line: bytes) -> None:
    record = fast_reader().typed(line)  # type: ignore[misc]
    assert record is not None
    assert record["value"] in (Decimal("1.25"), Decimal("12.5"))
    fast, general = both([line])
    assert fast == general


@pytest.mark.parametrize("line", [
    # the key spelt with an escape, and its plain spelling nested in an undeclared key
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00Z", '
    b'"v\\u0061lue": 0.1000000000000000001, "ok": true, "o": {"value": 0.1}}',
    # a key of its own ending with the amount's key, after an escaped quote
    b'{"id": "S1", "office": "TSN", "at": "2025-01-01T08:00:00Z", "x\\"value": 2.5, '
    b'"value": 2.50, "ok": true}',
    # an escaped quote in a string before the amount
    b'{"id": "S\\"1", "office": "TSN", "at": "2025-01-01T08:00:00Z", "value": 1.5, '
    b'"ok": true}',
])
def test_an_escaped_line_the_quotes_do_not_vouch_for_is_left(line: bytes) -> None:
    assert fast_reader().typed(line) is None  # type: ignore[misc]
    fast, general = both([line])
    assert fast == general


NUMBER_LITERAL = st.builds(
    lambda sign, whole, fraction, exponent: f"{sign}{whole}{fraction}{exponent}",
    st.sampled_from(["", "-"]), st.sampled_from(["0", "7", "12", "1" + "0" * 17, "1" + "0" * 18,
                                                 "123456789012345678901234567890"]),
    st.sampled_from(["", ".0", ".5", ".25", ".10", ".1000000000000000001", ".9999999999"]),
    st.sampled_from(["", "e0", "e1", "E-2", "e+3", "e400", "e-400", "E18", "e19"]))


@settings(max_examples=300, deadline=None)
@given(NUMBER_LITERAL, NUMBER_LITERAL, NUMBER_LITERAL)
def test_any_number_literal_reads_the_same_either_way(value: str, refund: str,
                                                      weight: str) -> None:
    """An amount or number written as a JSON number is read from its own text, exactly,
    whichever path reads it: the same record, or the same rejection."""
    head = json.dumps(GOOD)[:-1]
    lines = [f'{head}, "value": {value}}}'.replace('"value": "100.00", ', "").encode(),
             f'{head}, "refund": {refund}, "weight": {weight}}}'.encode()]
    fast, general = both(lines)
    assert fast == general
