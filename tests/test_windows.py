"""Calendar windows in the contract's time zone: keys, labels and bounds, across DST."""

from __future__ import annotations

import importlib
import itertools
import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacheck import types as t
from slacheck.api import verify
from slacheck.ast import Period
from slacheck.loader import load_contract_text
from slacheck.records import compile_coercer
from slacheck.types import FieldSpec, RecordSchema
from slacheck.windows import Placement, Window, key_function, label, offsets, window
from tests.conftest import contract_yaml

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def key_of(period: Period, moment: str, zone: ZoneInfo) -> int:
    return key_function(period)(datetime.fromisoformat(moment).astimezone(zone))


def window_of(period: Period, moment: str, zone: ZoneInfo = SHANGHAI) -> Window:
    return window(period, key_of(period, moment, zone), zone)


def bounds(found: Window) -> tuple[str, datetime, datetime]:
    return (found.label, found.start.astimezone(UTC), found.end.astimezone(UTC))


# Asia/Shanghai (UTC+8, no DST): a record written in UTC late on 31 December is in January

NEW_YEAR = "2024-12-31T16:38:00Z"  # 2025-01-01 00:38 in Shanghai


def test_month_of_a_utc_record_in_shanghai() -> None:
    assert bounds(window_of(Period.MONTH, NEW_YEAR)) == (
        "2025-01", utc("2024-12-31T16:00:00Z"), utc("2025-01-31T16:00:00Z")
    )


def test_just_before_local_midnight_is_the_previous_month() -> None:
    assert bounds(window_of(Period.MONTH, "2024-12-31T15:59:59.999999Z")) == (
        "2024-12", utc("2024-11-30T16:00:00Z"), utc("2024-12-31T16:00:00Z")
    )


def test_local_midnight_is_the_new_month() -> None:
    assert window_of(Period.MONTH, "2024-12-31T16:00:00Z").label == "2025-01"


def test_day_in_shanghai() -> None:
    assert bounds(window_of(Period.DAY, NEW_YEAR)) == (
        "2025-01-01", utc("2024-12-31T16:00:00Z"), utc("2025-01-01T16:00:00Z")
    )
    assert window_of(Period.DAY, "2024-12-31T15:59:59Z").label == "2024-12-31"


def test_week_in_shanghai() -> None:
    # 2025-01-01 is a Wednesday; ISO week 2025-W01 runs Monday 2024-12-30 to Monday 2025-01-06
    assert bounds(window_of(Period.WEEK, NEW_YEAR)) == (
        "2025-W01", utc("2024-12-29T16:00:00Z"), utc("2025-01-05T16:00:00Z")
    )


def test_week_ends_at_local_sunday_midnight() -> None:
    # Sunday 2025-01-05 23:59:59 in Shanghai is still W01; Monday 00:00 is W02
    assert window_of(Period.WEEK, "2025-01-05T15:59:59Z").label == "2025-W01"
    assert window_of(Period.WEEK, "2025-01-05T16:00:00Z").label == "2025-W02"


def test_week_53() -> None:
    assert bounds(window_of(Period.WEEK, "2020-12-31T12:00:00+08:00")) == (
        "2020-W53", utc("2020-12-28T00:00:00+08:00"), utc("2021-01-04T00:00:00+08:00")
    )


def test_quarter_in_shanghai() -> None:
    assert bounds(window_of(Period.QUARTER, NEW_YEAR)) == (
        "2025-Q1", utc("2024-12-31T16:00:00Z"), utc("2025-03-31T16:00:00Z")
    )
    # 2025-03-31T16:00Z is 1 April in Shanghai: the second quarter
    assert bounds(window_of(Period.QUARTER, "2025-03-31T16:00:00Z")) == (
        "2025-Q2", utc("2025-03-31T16:00:00Z"), utc("2025-06-30T16:00:00Z")
    )
    assert window_of(Period.QUARTER, "2025-12-31T12:00:00+08:00").label == "2025-Q4"


def test_year_in_shanghai() -> None:
    assert bounds(window_of(Period.YEAR, NEW_YEAR)) == (
        "2025", utc("2024-12-31T16:00:00Z"), utc("2025-12-31T16:00:00Z")
    )
    assert window_of(Period.YEAR, "2024-12-31T15:59:59Z").label == "2024"


def test_february_of_a_leap_year() -> None:
    assert bounds(window_of(Period.MONTH, "2024-02-29T23:00:00+08:00")) == (
        "2024-02", utc("2024-02-01T00:00:00+08:00"), utc("2024-03-01T00:00:00+08:00")
    )


@pytest.mark.parametrize(
    ("period", "before", "after"),
    [
        (Period.DAY, "2024-12-31T12:00:00+08:00", "2025-01-01T12:00:00+08:00"),
        (Period.WEEK, "2024-12-29T12:00:00+08:00", "2024-12-30T12:00:00+08:00"),
        (Period.MONTH, "2024-12-15T12:00:00+08:00", "2025-01-15T12:00:00+08:00"),
        (Period.QUARTER, "2024-11-15T12:00:00+08:00", "2025-02-15T12:00:00+08:00"),
        (Period.YEAR, "2024-06-15T12:00:00+08:00", "2025-06-15T12:00:00+08:00"),
    ],
)
def test_consecutive_windows_have_consecutive_keys(period: Period, before: str, after: str) -> None:
    first, second = key_of(period, before, SHANGHAI), key_of(period, after, SHANGHAI)
    assert second == first + 1
    assert window(period, first, SHANGHAI).end == window(period, second, SHANGHAI).start


@pytest.mark.parametrize("period", list(Period))
@pytest.mark.parametrize(
    "moment",
    [NEW_YEAR, "2025-03-09T06:59:00Z", "2025-11-02T05:30:00Z", "2025-06-30T23:59:59.999999+08:00"],
)
def test_a_moment_lies_inside_its_window(period: Period, moment: str) -> None:
    for zone in (SHANGHAI, NEW_YORK):
        found = window_of(period, moment, zone)
        assert found.start <= datetime.fromisoformat(moment) < found.end


@pytest.mark.parametrize(
    ("period", "moment", "text"),
    [
        (Period.DAY, "2025-03-14T12:00:00+08:00", "2025-03-14"),
        (Period.WEEK, "2025-03-14T12:00:00+08:00", "2025-W11"),
        (Period.MONTH, "2025-03-14T12:00:00+08:00", "2025-03"),
        (Period.QUARTER, "2025-03-14T12:00:00+08:00", "2025-Q1"),
        (Period.YEAR, "2025-03-14T12:00:00+08:00", "2025"),
    ],
)
def test_labels(period: Period, moment: str, text: str) -> None:
    assert label(period, key_of(period, moment, SHANGHAI)) == text


# America/New_York: days are 23 and 25 hours long on DST changes


def test_spring_forward_day_is_23_hours() -> None:
    found = window_of(Period.DAY, "2025-03-09T12:00:00-04:00", NEW_YORK)
    assert bounds(found) == ("2025-03-09", utc("2025-03-09T05:00:00Z"), utc("2025-03-10T04:00:00Z"))
    assert found.end.astimezone(UTC) - found.start.astimezone(UTC) == timedelta(hours=23)


def test_fall_back_day_is_25_hours() -> None:
    found = window_of(Period.DAY, "2025-11-02T12:00:00-05:00", NEW_YORK)
    assert bounds(found) == ("2025-11-02", utc("2025-11-02T04:00:00Z"), utc("2025-11-03T05:00:00Z"))
    assert found.end.astimezone(UTC) - found.start.astimezone(UTC) == timedelta(hours=25)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2025-03-09T04:59:59Z", "2025-03-08"),  # 23:59:59 EST on the 8th
        ("2025-03-09T05:00:00Z", "2025-03-09"),  # midnight EST
        ("2025-03-09T06:59:00Z", "2025-03-09"),  # 01:59 EST, just before the jump
        ("2025-03-09T07:00:00Z", "2025-03-09"),  # 03:00 EDT, just after
        ("2025-03-10T03:59:59Z", "2025-03-09"),  # 23:59:59 EDT
        ("2025-03-10T04:00:00Z", "2025-03-10"),  # midnight EDT
        ("2025-11-02T05:30:00Z", "2025-11-02"),  # 01:30 EDT, the first time
        ("2025-11-02T06:30:00Z", "2025-11-02"),  # 01:30 EST, the second time
        ("2025-11-03T04:59:59Z", "2025-11-02"),  # 23:59:59 EST
        ("2025-11-03T05:00:00Z", "2025-11-03"),
    ],
)
def test_new_york_day_of_a_utc_moment(moment: str, day: str) -> None:
    assert window_of(Period.DAY, moment, NEW_YORK).label == day


def test_new_york_month_across_dst() -> None:
    assert bounds(window_of(Period.MONTH, "2025-03-20T12:00:00Z", NEW_YORK)) == (
        "2025-03", utc("2025-03-01T05:00:00Z"), utc("2025-04-01T04:00:00Z")
    )


def test_new_york_week_across_dst() -> None:
    # the week of Monday 2025-03-03 ends at Monday 2025-03-10 00:00 EDT
    assert bounds(window_of(Period.WEEK, "2025-03-09T12:00:00Z", NEW_YORK)) == (
        "2025-W10", utc("2025-03-03T05:00:00Z"), utc("2025-03-10T04:00:00Z")
    )


# through the engine: the record's window is its local calendar month


CONTRACT = contract_yaml(
    "ok: bool",
    head="contract: {{id: w, currency: CNY, timezone: {zone}}}",
    standards="  s:\n    require: ok\n    window: per month\n",
)


@pytest.mark.parametrize(
    ("zone", "month"), [("Asia/Shanghai", "2025-01"), ("UTC", "2024-12")]
)
def test_engine_places_a_utc_record_in_the_local_month(
    tmp_path: Path, zone: str, month: str
) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": "a", "at": NEW_YEAR, "ok": True}) + "\n", "utf-8")
    contract = load_contract_text(CONTRACT.format(zone=zone), "c.yaml")
    result = verify(contract, [str(data)], as_of=datetime(2025, 3, 1, tzinfo=UTC))
    [outcome] = result.standards[0].windows
    assert outcome.label == month
    assert outcome.passed == 1


# Placement: a record's window keys found once per local day, the day kept in the record
# time's own zone object; every figure below worked out by hand from the zone's rules


MONTH_AND_DAY = (Period.MONTH, Period.DAY)


def at(text: str) -> datetime:
    """A record's time as the reader makes it: one zone object per offset."""
    record: dict[str, Any] = {"id": "S1", "at": text}
    READ(record)
    moment: datetime = record["at"]
    return moment


READ = compile_coercer(RecordSchema(fields=(FieldSpec("id", t.STRING),
                                            FieldSpec("at", t.TIMESTAMP)),
                                    id_field="id", time_field="at"))


def month(year: int, number: int) -> int:
    return year * 12 + number - 1


def day(year: int, number: int, of: int) -> int:
    return date(year, number, of).toordinal()


def placed(placement: Placement, moment: datetime, seen: int = 1) -> tuple[int, ...] | None:
    """The keys of `moment` as the stream engine finds them: the kept day, else `find`."""
    place = placement.days.get(moment.tzinfo)
    if place is None or not place[0] <= moment < place[1]:
        place = placement.find(moment, seen)
    return place[2]


def test_a_day_is_kept_in_the_record_times_own_zone_object() -> None:
    placement = Placement(SHANGHAI, MONTH_AND_DAY, None, None)
    moment = at("2025-01-31T10:00:00+08:00")
    assert placed(placement, moment) == (month(2025, 1), day(2025, 1, 31))
    low, high, _ = placement.days[moment.tzinfo]
    assert low.tzinfo is moment.tzinfo
    assert high.tzinfo is moment.tzinfo
    assert low == datetime(2025, 1, 31, tzinfo=SHANGHAI)
    assert high == datetime(2025, 2, 1, tzinfo=SHANGHAI)
    # the same day in UTC is [30 January 16:00, 31 January 16:00), kept apart
    written_in_utc = at("2025-01-31T12:00:00Z")
    assert placed(placement, written_in_utc) == (month(2025, 1), day(2025, 1, 31))
    low, high, _ = placement.days[UTC]
    assert (low.isoformat(), high.isoformat()) == ("2025-01-30T16:00:00+00:00",
                                                   "2025-01-31T16:00:00+00:00")


def test_the_month_ends_at_midnight_in_shanghai_whatever_the_offset_written() -> None:
    placement = Placement(SHANGHAI, MONTH_AND_DAY, None, None)
    stream = [("2025-01-31T23:59:59.999999+08:00", month(2025, 1), day(2025, 1, 31)),
              ("2025-01-31T15:59:59.999999Z", month(2025, 1), day(2025, 1, 31)),
              ("2025-01-31T16:00:00Z", month(2025, 2), day(2025, 2, 1)),
              ("2025-02-01T00:00:00+08:00", month(2025, 2), day(2025, 2, 1)),
              ("2025-01-31T23:59:00+08:00", month(2025, 1), day(2025, 1, 31)),  # back again
              ("2025-01-31T11:00:00-05:00", month(2025, 2), day(2025, 2, 1))]  # 00:00 1 Feb
    assert [placed(placement, at(text)) for text, _, _ in stream] == [
        (key, ordinal) for _, key, ordinal in stream]


def test_a_day_in_new_york_without_a_change_is_kept() -> None:
    placement = Placement(NEW_YORK, MONTH_AND_DAY, None, None)
    moment = at("2025-03-08T12:00:00-05:00")
    assert placed(placement, moment) == (month(2025, 3), day(2025, 3, 8))
    low, high, _ = placement.days[moment.tzinfo]
    assert (low.isoformat(), high.isoformat()) == ("2025-03-08T00:00:00-05:00",
                                                   "2025-03-09T00:00:00-05:00")


@pytest.mark.parametrize("text", ["2025-03-09T12:00:00-04:00", "2025-11-02T12:00:00-05:00"])
def test_a_day_with_a_change_to_or_from_summer_time_is_placed_record_by_record(
        text: str) -> None:
    placement = Placement(NEW_YORK, MONTH_AND_DAY, None, None)
    moment = at(text)
    keys = placed(placement, moment)
    assert keys == (moment.year * 12 + moment.month - 1, moment.toordinal())
    assert moment.tzinfo not in placement.days


def test_the_hour_before_and_after_new_york_springs_forward() -> None:
    # 9 March 2025: 02:00 EST (07:00 UTC) becomes 03:00 EDT; both sides are 9 March
    placement = Placement(NEW_YORK, MONTH_AND_DAY, None, None)
    assert placed(placement, at("2025-03-09T06:59:59Z")) == (month(2025, 3), day(2025, 3, 9))
    assert placed(placement, at("2025-03-09T07:00:00Z")) == (month(2025, 3), day(2025, 3, 9))
    assert placed(placement, at("2025-03-10T03:59:59Z")) == (month(2025, 3), day(2025, 3, 9))
    assert placed(placement, at("2025-03-10T04:00:00Z")) == (month(2025, 3), day(2025, 3, 10))
    # the next day is kept: [10 March 04:00, 11 March 04:00) in UTC
    low, high, _ = placement.days[UTC]
    assert (low.isoformat(), high.isoformat()) == ("2025-03-10T04:00:00+00:00",
                                                   "2025-03-11T04:00:00+00:00")


def test_a_month_ends_at_new_york_midnight_in_summer() -> None:
    placement = Placement(NEW_YORK, MONTH_AND_DAY, None, None)
    assert placed(placement, at("2025-05-31T23:30:00-04:00")) == (month(2025, 5),
                                                                    day(2025, 5, 31))
    assert placed(placement, at("2025-06-01T03:59:59Z")) == (month(2025, 5), day(2025, 5, 31))
    assert placed(placement, at("2025-06-01T04:00:00Z")) == (month(2025, 6), day(2025, 6, 1))
    assert placed(placement, at("2025-06-01T00:00:00-04:00")) == (month(2025, 6),
                                                                    day(2025, 6, 1))


def test_the_contract_period_is_placed_to_the_microsecond() -> None:
    start = datetime(2025, 4, 1, tzinfo=NEW_YORK)  # 04:00 UTC
    end = datetime(2025, 5, 1, tzinfo=NEW_YORK)
    placement = Placement(NEW_YORK, (Period.MONTH,), start, end)
    assert placed(placement, at("2025-04-01T03:59:59.999999Z")) is None
    assert placed(placement, at("2025-04-01T04:00:00Z")) == (month(2025, 4),)
    assert placed(placement, at("2025-03-31T23:59:59.999999-04:00")) is None
    assert placed(placement, at("2025-04-30T23:59:59.999999-04:00")) == (month(2025, 4),)
    assert placed(placement, at("2025-05-01T00:00:00-04:00")) is None
    assert placed(placement, at("2025-05-01T03:59:59Z")) == (month(2025, 4),)
    assert placed(placement, at("2025-05-01T04:00:00Z")) is None


def test_a_bound_inside_a_day_cuts_the_day_kept() -> None:
    start = datetime(2025, 4, 1, 12, tzinfo=SHANGHAI)  # a period beginning at noon
    placement = Placement(SHANGHAI, (Period.MONTH,), start, None)
    assert placed(placement, at("2025-04-01T11:00:00+08:00")) is None
    low, high, _ = placement.days[at("2025-04-01T11:00:00+08:00").tzinfo]
    assert (low.isoformat(), high.isoformat()) == ("2025-04-01T00:00:00+08:00",
                                                   "2025-04-01T12:00:00+08:00")
    assert placed(placement, at("2025-04-01T12:00:00+08:00")) == (month(2025, 4),)
    assert placed(placement, at("2025-04-01T11:59:59+08:00")) is None
    assert placed(placement, at("2025-04-01T13:00:00+08:00")) == (month(2025, 4),)


ZONES = ("America/New_York", "Asia/Shanghai", "Australia/Lord_Howe", "Asia/Kathmandu",
         "Pacific/Apia", "Europe/London", "America/St_Johns")


@pytest.mark.parametrize("name", ZONES)
def test_kept_days_give_the_keys_of_the_local_time_for_times_in_any_order(name: str) -> None:
    zone = ZoneInfo(name)
    periods = (Period.DAY, Period.WEEK, Period.MONTH, Period.QUARTER, Period.YEAR)
    placement = Placement(zone, periods, datetime(2011, 1, 1, tzinfo=zone),
                          datetime(2012, 7, 1, tzinfo=zone))
    generator = random.Random(name)
    offsets = ["Z", "+08:00", "-05:00", "+13:00", "+05:45", "-03:30", "+14:00"]
    start = datetime(2010, 12, 20, tzinfo=UTC).timestamp()
    seconds = sorted(start + generator.random() * 560 * 86_400 for _ in range(4000))
    seconds += [start + generator.random() * 560 * 86_400 for _ in range(200)]  # unsorted
    for number, second in enumerate(seconds, start=1):
        written = datetime.fromtimestamp(second, UTC).astimezone(
            datetime.fromisoformat("2000-01-01T00:00:00" + generator.choice(offsets)).tzinfo)
        moment = at(written.isoformat())
        local = moment.astimezone(zone)
        inside = placement.start <= moment < placement.end  # type: ignore[operator]
        expected = tuple(key_function(period)(local) for period in periods) if inside else None
        assert placed(placement, moment, number) == expected, moment.isoformat()


def test_tzdata_changes_a_zones_offset_at_most_once_in_any_two_days() -> None:
    # what Placement relies on: the same offset at both ends of a day means no change inside
    from zoneinfo import available_timezones

    pure = importlib.import_module("zoneinfo._zoneinfo")  # the stdlib's own reading of tzdata
    since_1900 = datetime(1900, 1, 1, tzinfo=UTC).timestamp()
    close = []
    for name in sorted(available_timezones()):
        changes = pure.ZoneInfo.no_cache(name)._trans_utc
        close += [(name, second) for before, second in itertools.pairwise(changes)
                  if second >= since_1900 and second - before <= 2 * 86_400]
    assert available_timezones()
    assert close == []


def test_a_zones_offsets_over_a_span_by_hand() -> None:
    # Berlin: summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
    # last Sunday of October
    berlin = ZoneInfo("Europe/Berlin")
    found = offsets(berlin, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert found == ((datetime(2025, 1, 1, tzinfo=UTC), timedelta(hours=1)),
                     (datetime(2025, 3, 30, 1, tzinfo=UTC), timedelta(hours=2)),
                     (datetime(2025, 10, 26, 1, tzinfo=UTC), timedelta(hours=1)))
    shanghai = offsets(ZoneInfo("Asia/Shanghai"), datetime(2025, 1, 1, tzinfo=UTC),
                       datetime(2027, 1, 1, tzinfo=UTC))
    assert shanghai == ((datetime(2025, 1, 1, tzinfo=UTC), timedelta(hours=8)),)
    assert offsets(berlin, datetime(2000, 1, 1, tzinfo=UTC),
                   datetime(2011, 1, 1, tzinfo=UTC)) is None  # longer than followed
    # bounds in the zone itself: the day's steps are of 24 hours, not of its wall clock
    local = offsets(berlin, datetime(2025, 1, 1, tzinfo=berlin),
                    datetime(2026, 1, 1, tzinfo=berlin))
    assert local is not None
    assert local[1:] == found[1:]


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe",
                                  "America/Havana", "Asia/Kathmandu", "Africa/Casablanca",
                                  "America/St_Johns", "Pacific/Apia"])
def test_a_time_plus_its_offset_is_its_wall_time(name: str) -> None:
    """Each time's local wall time is the time plus the offset `offsets` gives it, as
    `astimezone` makes it: around every change (at midnight in Santiago and Havana, half an
    hour in Lord Howe, a day skipped in Apia), and at random times."""
    zone = ZoneInfo(name)
    start, end = datetime(2010, 6, 1, tzinfo=UTC), datetime(2019, 6, 1, tzinfo=UTC)
    found = offsets(zone, start, end)
    assert found is not None
    assert len(found) > 1 or name == "Asia/Kathmandu"
    rng = random.Random(name)
    times = [start + (end - start) * rng.random() for _ in range(2_000)]
    for change, _ in found[1:]:
        times += [change + timedelta(microseconds=step) for step in (-1, 0, 1)]
        times += [change + timedelta(minutes=step) for step in range(-90, 91, 15)]
    for moment in times:
        offset = next(offset for since, offset in reversed(found) if since <= moment)
        wall = moment.astimezone(zone).replace(tzinfo=None)
        assert (moment + offset).replace(tzinfo=None) == wall, moment
