"""Realistic Motorola x Sinotrans shipment records at any size, for benchmarks.

The acceptance sample has 1302 lines; speed and memory only show at hundreds of thousands. These
records have the sample's exact format and the same kinds of faults and bad lines, so a run
exercises every path of a checker; the output depends only on `-n` and `--seed`.

    python bench/generate.py -n 1000000 --seed 7 -o shipments.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TextIO
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR_START = datetime(2025, 1, 1, tzinfo=SHANGHAI)
YEAR_END = datetime(2026, 1, 1, tzinfo=SHANGHAI)
# Asia/Shanghai has kept +08:00 all year since 1991; a fixed offset formats several times faster.
CST = timezone(timedelta(hours=8))

SERVICES = (
    ("air_export", 0.195),
    ("air_import", 0.197),
    ("domestic_air", 0.206),
    ("express", 0.113),
    ("ocean", 0.092),
    ("pickup_delivery", 0.112),
    ("road", 0.085),
)
SERVICE_NAMES = tuple(name for name, _ in SERVICES)
SERVICE_CUMULATIVE = tuple(itertools.accumulate(share for _, share in SERVICES))
AIR_SERVICES = frozenset({"air_export", "air_import", "domestic_air"})
OFFICES = ("PEK", "TSN")
REQUIRED = (
    "shipment_id",
    "service",
    "office",
    "booked_at",
    "value",
    "complete",
    "accurate",
    "billed_correctly",
)

BAD_LINE_SHARE = 0.0005
UTC_SHARE = 0.15
NUMBER_VALUE_SHARE = 0.085
EDGE_SHARE = 0.002
DAMAGED_SHARE = 0.0003
LOST_SHARE = 0.0001
LARGE_VALUE_SHARE = 0.005
OPEN_TAIL = timedelta(hours=24)
OPEN_SHARE = 0.04
DISRUPTIONS = 4
DISRUPTION_FORCE_MAJEURE_SHARE = 0.5
IMPOSSIBLE_DAYS = ("02-29", "02-30", "02-31", "04-31", "06-31", "09-31", "11-31")
DUPLICATE_POOL = 16


class Profile:
    """How well the provider does in each month, office and quarter, drawn once per seed.

    Most periods are comfortably on target; a heavy tail (a power of a uniform draw) misses it, as
    PEK's pickups did in the sample's January and February.
    """

    def __init__(self, rng: random.Random) -> None:
        self.late_pickup = {
            (month, office): 0.012 + 0.05 * rng.random() ** 4
            for month in range(1, 13)
            for office in OFFICES
        }
        self.late_delivery = {month: 0.012 + 0.05 * rng.random() ** 3 for month in range(1, 13)}
        self.incomplete = {month: 0.005 + 0.03 * rng.random() ** 3 for month in range(1, 13)}
        self.inaccurate = {month: 0.005 + 0.03 * rng.random() ** 3 for month in range(1, 13)}
        self.misbilled = {quarter: 0.006 + 0.025 * rng.random() ** 3 for quarter in range(1, 5)}
        days = (YEAR_END - YEAR_START).days
        self.disrupted: set[int] = set()
        for _ in range(DISRUPTIONS):
            first = rng.randrange(days)
            self.disrupted.update(range(first, first + rng.choice((1, 2, 3))))


def stamp(moment: datetime, utc: bool) -> str:
    if utc:
        return moment.astimezone(UTC).isoformat()[:-6] + "Z"
    return moment.isoformat()


def shipment(
    rng: random.Random, profile: Profile, shipment_id: str, booked: datetime
) -> dict[str, Any]:
    service = rng.choices(SERVICE_NAMES, cum_weights=SERVICE_CUMULATIVE)[0]
    office = OFFICES[rng.random() < 0.52]
    month = booked.month
    day = (booked - YEAR_START).days
    disrupted = day in profile.disrupted and rng.random() < DISRUPTION_FORCE_MAJEURE_SHARE

    if rng.random() < profile.late_pickup[(month, office)]:
        pickup_minutes = rng.randint(121, 360)
    elif rng.random() < EDGE_SHARE:
        pickup_minutes = 120
    else:
        pickup_minutes = rng.randint(20, 110)
    pickup = booked + timedelta(minutes=pickup_minutes)

    if service in AIR_SERVICES:
        if disrupted:
            transit = timedelta(hours=rng.uniform(30, 60))
        elif rng.random() < profile.late_delivery[month]:
            transit = timedelta(hours=rng.uniform(24.01, 60))
        elif rng.random() < EDGE_SHARE:
            transit = timedelta(hours=24)
        else:
            transit = timedelta(hours=rng.uniform(5, 23.9))
    else:
        transit = timedelta(hours=rng.uniform(10, 90))
    picked: datetime | None = pickup
    delivered: datetime | None = pickup + transit

    if YEAR_END - booked < OPEN_TAIL:
        draw = rng.random()
        if draw < OPEN_SHARE:
            picked = delivered = None
        elif draw < 2 * OPEN_SHARE:
            delivered = None

    if rng.random() < LARGE_VALUE_SHARE:
        cents = rng.randint(5_000_000, 25_000_000)
    else:
        cents = rng.randint(50_000, 5_000_000)
    value: Any = f"{cents // 100}.{cents % 100:02d}"
    if rng.random() < NUMBER_VALUE_SHARE:
        value = cents // 100 if cents % 100 == 0 else cents / 100

    record: dict[str, Any] = {
        "shipment_id": shipment_id,
        "service": service,
        "office": office,
        "booked_at": stamp(booked, rng.random() < UTC_SHARE),
    }
    if picked is not None:
        record["picked_up_at"] = stamp(picked, rng.random() < UTC_SHARE)
    record["value"] = value
    record["complete"] = rng.random() >= profile.incomplete[month]
    record["accurate"] = rng.random() >= profile.inaccurate[month]
    record["billed_correctly"] = rng.random() >= profile.misbilled[(month - 1) // 3 + 1]
    if disrupted:
        record["force_majeure"] = True
    if delivered is not None:
        record["delivered_at"] = stamp(delivered, rng.random() < UTC_SHARE)
    draw = rng.random()
    if draw < DAMAGED_SHARE:
        record["damaged"] = True
    elif draw < DAMAGED_SHARE + LOST_SHARE:
        record["lost"] = True
    return record


def spoil(rng: random.Random, record: dict[str, Any], kind: int) -> str:
    """One bad line of the kinds in the acceptance sample, built from an otherwise good record."""
    if kind == 0:
        text = json.dumps(record)
        return text[: rng.randint(10, len(text) - 2)]
    if kind == 1:
        name = rng.choice(REQUIRED)
        if rng.random() < 0.5:
            record[name] = None
        else:
            del record[name]
    elif kind == 2:
        record["value"] = f"{rng.randint(1, 99999)},{rng.randint(0, 99):02d}"
    elif kind == 3:
        if rng.random() < 0.5:
            record["service"] = rng.choice(("rail", "sea_air", "courier"))
        else:
            record["office"] = rng.choice(("SHA", "CAN", "PVG"))
    else:
        name = rng.choice([n for n in ("booked_at", "picked_up_at", "delivered_at") if n in record])
        record[name] = f"2025-{rng.choice(IMPOSSIBLE_DAYS)}{record[name][10:]}"
    return json.dumps(record)


def lines(count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    profile = Profile(rng)
    width = max(5, len(str(count)))
    span = (YEAR_END - YEAR_START) / max(count, 1)
    pool: list[str] = []
    good = bad = 0
    for index in range(count):
        offset = span * (index + rng.random())
        booked = (YEAR_START + offset).astimezone(CST).replace(second=0, microsecond=0)
        if rng.random() < BAD_LINE_SHARE:
            kind = rng.randrange(6)
            if kind == 5 and pool:
                yield rng.choice(pool)
                continue
            bad += 1
            record = shipment(rng, profile, f"MOT-25-BAD{bad:0{width - 3}d}", booked)
            yield spoil(rng, record, kind % 5)
            continue
        good += 1
        line = json.dumps(shipment(rng, profile, f"MOT-25-{good:0{width}d}", booked))
        if len(pool) < DUPLICATE_POOL:
            pool.append(line)
        elif rng.random() < DUPLICATE_POOL / good:
            pool[rng.randrange(DUPLICATE_POOL)] = line
        yield line


def write(out: TextIO, count: int, seed: int) -> None:
    for line in lines(count, seed):
        out.write(line)
        out.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=100_000, help="number of lines (default 100000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("-o", "--output", required=True, help="file to write, or - for stdout")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("-n must not be negative")
    if args.output == "-":
        write(sys.stdout, args.n, args.seed)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            write(out, args.n, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
