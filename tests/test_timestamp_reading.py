"""Reading timestamps: the fast reading of a common offset gives what `fromisoformat` gives.

A timestamp ending with an offset of whole quarter hours is read as its wall time added to
one shared object of that offset (see `records._OFFSET_ORIGINS`). These tests hold it to the
plain reading of the whole text by `datetime.fromisoformat`, value and rejection alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from slacheck import types as t
from slacheck.records import _bad_timestamp, _RejectedError, compile_coercer
from slacheck.types import FieldSpec, RecordSchema

SCHEMA = RecordSchema(
    fields=(FieldSpec("id", t.STRING), FieldSpec("at", t.TIMESTAMP)),
    id_field="id",
    time_field="at",
)
COERCE = compile_coercer(SCHEMA)


def read(text: Any) -> datetime | str:
    """The coerced value of `at`, or the reason it is rejected."""
    record = {"id": "S1", "at": text}
    try:
        COERCE(record)
    except _RejectedError as rejected:
        return rejected.reason
    value = record["at"]
    assert isinstance(value, datetime)
    return value


def plainly(text: str) -> datetime | None:
    """What the reader accepts, read as one `fromisoformat` of the whole text, else None."""
    if not "1900" <= text < "9001":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def same(one: datetime, other: datetime) -> bool:
    return (one == other and one.utcoffset() == other.utcoffset() and one.fold == other.fold
            and one.isoformat() == other.isoformat() and one.tzname() == other.tzname())


def test_a_common_offset_is_one_object_for_every_timestamp() -> None:
    first, second = read("2025-01-01T00:03:00+08:00"), read("2025-03-09T23:59:59.5+08:00")
    assert isinstance(first, datetime)
    assert isinstance(second, datetime)
    assert first.tzinfo is second.tzinfo
    assert first == datetime(2025, 1, 1, 0, 3, tzinfo=timezone(timedelta(hours=8)))
    assert second - first == timedelta(days=67, hours=23, minutes=56, seconds=59.5)


def test_zero_offsets_are_utc_as_fromisoformat_makes_them() -> None:
    for text in ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00+00:00",
                 "2025-01-01T00:00:00-00:00"):
        value = read(text)
        assert isinstance(value, datetime)
        assert value.tzinfo is UTC


def test_an_offset_of_odd_minutes_is_read_exactly() -> None:
    value = read("2025-06-01T12:00:00+05:17")
    assert isinstance(value, datetime)
    assert value.utcoffset() == timedelta(hours=5, minutes=17)
    assert value.isoformat() == "2025-06-01T12:00:00+05:17"


def test_texts_the_fast_reading_must_not_take() -> None:
    # a date alone with an offset: `fromisoformat` reads "+08:00" as the time of day
    assert read("2025-01-01+08:00") == (
        'a date without a time of day: "2025-01-01+08:00"; the field is a timestamp: '
        "write 2025-01-01T00:00:00+08:00")
    # two offsets, the first inside the wall time
    assert read("2025-01-01T00:03:00-01:00+08:00") == (
        'not a valid date/time: "2025-01-01T00:03:00-01:00+08:00"')
    # a separator other than T is read by `fromisoformat` of the whole text
    spaced = read("2025-01-01 00:03:00+08:00")
    assert isinstance(spaced, datetime)
    assert spaced.isoformat() == "2025-01-01T00:03:00+08:00"
    assert read("2025+08:00") == 'not a valid date/time: "2025+08:00"'


DIGITS = st.integers(0, 99).map(lambda n: f"{n:02d}")
DATES = st.one_of(
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(1890, 9010),
              st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda y, w, d: f"{y:04d}-W{w:02d}-{d}", st.integers(2000, 2030),
              st.integers(0, 54), st.integers(0, 8)),
    st.builds(lambda y, m, d: f"{y:04d}{m:02d}{d:02d}", st.integers(2000, 2030),
              st.integers(1, 12), st.integers(1, 28)),
)
TIMES = st.one_of(
    st.builds(lambda h, m, s: f"{h}:{m}:{s}", DIGITS, DIGITS, DIGITS),
    st.builds(lambda h, m, s, f: f"{h}:{m}:{s}.{f}", DIGITS, DIGITS, DIGITS,
              st.text("0123456789", min_size=0, max_size=9)),
    st.builds(lambda h, m: f"{h}:{m}", DIGITS, DIGITS),
    DIGITS,
    st.text("0123456789:.,+-TZ", max_size=12),
)
OFFSETS = st.one_of(
    st.sampled_from(["", "Z", "z", "+00:00", "-00:00", "+08:00", "-05:00", "+05:45", "+24:00",
                     "+0800", "+08", "+08:00:00", "-23:45", "+23:59", "+08:00 ", "+08:60"]),
    st.builds(lambda sign, h, m: f"{sign}{h}:{m}", st.sampled_from("+-"), DIGITS, DIGITS),
)
SEPARATORS = st.sampled_from(["T", "T", "T", " ", "t", "x", "\u00e9", ""])


@settings(max_examples=3000, deadline=None)
@given(st.one_of(
    st.builds(lambda d, sep, tm, off: d + sep + tm + off, DATES, SEPARATORS, TIMES, OFFSETS),
    st.builds(lambda d, off: d + off, DATES, OFFSETS),
    st.text("0123456789-:T+Z. W", max_size=34).map(lambda text: "20" + text),
))
@example("2025-01-01T00:03:00+08:00")
@example("2025-01-01T23:58:41.728475+08:00")
@example("2025-01-01T23:58:41.1234567+08:00")
@example("2025-W01-1T00:03:00+08:00")
@example("2025-02-29T00:03:00+08:00")
@example("2025-01-01T24:00:00+08:00")
@example("9000-12-31T23:59:59-23:45")
@example("1900-01-01T00:00:00+23:45")
def test_every_text_reads_as_fromisoformat_reads_it(text: str) -> None:
    value, expected = read(text), plainly(text)
    if expected is None:  # rejected, with the reason every failure gave before
        with pytest.raises(_RejectedError) as before:
            _bad_timestamp("at", text)
        assert value == before.value.reason
    else:
        assert isinstance(value, datetime)
        assert same(value, expected)
