"""Writes data.jsonl, the waybills of contracts/air-24h-money-back.yaml, January to March 2025.

Seeded: `python generate.py > data.jsonl` gives the same file on every run. Air shipments
from TSN and PEK picked up outside the Spring Festival suspension, with a set number late
each month, and on purpose:
- January: 100 counted, 3 late (one by a single second), one delivered exactly 24 hours after
  pickup (97/100: exactly the 97% target); excluded for weather and a customs hold; two
  pickups inside the suspension, late; road shipments and a Shanghai pickup, out of scope;
- February: 50 counted, 3 late, and a pickup at 00:00 on 5 February, the moment the
  suspension ends (48/51); one suspended pickup a minute earlier and an address correction;
- March: 60 counted, 2 late and one never delivered (overdue: 57/60), the second missed month
  in a row; one picked up on 31 March at 12:00, not yet due at the evaluation time.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))


def main() -> None:
    rng = random.Random(24)
    rows: list[dict[str, object]] = []

    def add(picked: datetime, transit: timedelta | None, *, service: str = "domestic_air",
            origin: str | None = None, cause: str | None = None) -> None:
        row: dict[str, object] = {
            "service": service, "origin": origin or rng.choice(["TSN", "PEK"]),
            "picked_up_at": picked,
            "freight_charge": f"{rng.randint(18000, 260000) / 100:.2f}"}
        if transit is not None:
            row["delivered_at"] = picked + transit
        if cause:
            row["delay_cause"] = cause
        rows.append(row)

    def pickup(month: int, first: int, last: int) -> datetime:
        return datetime(2025, month, rng.randint(first, last), rng.randint(0, 23),
                        rng.randrange(0, 60, 5), tzinfo=CST)

    def on_time() -> timedelta:
        return timedelta(hours=rng.randint(5, 23), minutes=rng.randint(0, 59))

    def late() -> timedelta:
        return timedelta(hours=rng.randint(24, 60), minutes=rng.randint(1, 59))

    for month, (first, last), counted, lates in ((1, (2, 26), 100, 3), (2, (6, 27), 50, 3),
                                                (3, (1, 28), 60, 2)):
        transits = [late() for _ in range(lates)] + \
            [on_time() for _ in range(counted - lates - (1 if month == 3 else 0))]
        if month == 1:
            transits[0] = timedelta(hours=24, seconds=1)   # late by one second
            transits[lates] = timedelta(hours=24)          # exactly 24 hours: on time
        for transit in transits:
            add(pickup(month, first, last), transit)
    add(pickup(3, 1, 28), None)                                     # never delivered: overdue
    add(datetime(2025, 3, 31, 12, 0, tzinfo=CST), None)             # due 1 April 12:00: pending
    add(pickup(1, 2, 26), timedelta(hours=30), cause="weather")
    add(pickup(1, 2, 26), timedelta(hours=50), cause="customs_hold")
    add(datetime(2025, 1, 27, 0, 0, tzinfo=CST), timedelta(hours=40))   # suspension starts
    add(datetime(2025, 1, 30, 9, 0, tzinfo=CST), timedelta(hours=31))
    add(datetime(2025, 2, 4, 23, 59, tzinfo=CST), timedelta(hours=26))  # last suspended minute
    add(datetime(2025, 2, 5, 0, 0, tzinfo=CST), timedelta(hours=20))    # suspension over
    add(pickup(2, 6, 27), timedelta(hours=28), cause="address_correction")
    for _ in range(3):
        add(pickup(1, 2, 26), timedelta(hours=70), service="domestic_road", origin="TSN")
    add(pickup(1, 2, 26), timedelta(hours=30), origin="SHA")
    add(pickup(3, 1, 28), timedelta(hours=36), origin="SHA")
    rows.sort(key=lambda row: row["picked_up_at"])  # type: ignore[arg-type, return-value]
    for number, row in enumerate(rows, 1):
        line: dict[str, object] = {"waybill": f"AWB-{number:05d}"}
        for name, value in row.items():
            line[name] = value.isoformat() if isinstance(value, datetime) else value
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
