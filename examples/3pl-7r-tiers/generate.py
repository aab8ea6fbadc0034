"""Writes data.jsonl, the orders of contracts/3pl-7r-tiers.yaml for January to March 2025.

Seeded, so that the file is the same on every run: `python generate.py > data.jsonl`.
Random times and charges, with the boundaries placed on purpose:
- January: key 100 orders with 1 late by one second and 1 delivered at the promised second
  (99/100, exactly at the 99% target); the 186th of 195 transit times exactly 48 hours.
- February: key 3 late of 80, suitable 8 of 40 (a credit hitting its 10% cap), general
  2 of 25 (92%: exactly 3 points below 95%); 10 incomplete or damaged orders of 149;
  12 transit times above 48 hours.
- March: complete and intact exactly 97% (194 of 200, the two open orders included);
  general 15 orders (under the minimum of 20); a suitable order never delivered, overdue
  since 31 March 18:00; a key order promised for 2 April, pending at the evaluation time;
  12 transit times above 48 hours.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
CUSTOMERS = {"key": ["C-KEY-01", "C-KEY-02"], "suitable": ["C-SUI-01", "C-SUI-02"],
             "general": ["C-GEN-01", "C-GEN-02"], "harmful": ["C-HAR-01"]}
# month: ({tier: (orders, late)}, incomplete or damaged, transits above 48h, one exactly 48h)
MONTHS = {
    1: ({"key": (100, 1), "suitable": (60, 1), "general": (30, 0), "harmful": (5, 2)},
        5, 9, True),
    2: ({"key": (80, 3), "suitable": (40, 8), "general": (25, 2), "harmful": (4, 1)},
        10, 12, False),
    3: ({"key": (130, 0), "suitable": (50, 0), "general": (15, 1), "harmful": (3, 0)},
        6, 12, False),
}


def stamp(moment: datetime) -> str:
    return moment.isoformat()


def main() -> None:
    rng = random.Random(20250101)
    records = []
    for month, (tiers, faulty, slow, exact_48h) in MONTHS.items():
        orders = []
        for tier, (count, late) in tiers.items():
            for number in range(count):
                orders.append({"tier": tier, "late": number < late, "number": number})
        rng.shuffle(orders)
        slow_left, faulty_left, exact_left = slow, faulty, exact_48h
        for index, order in enumerate(orders):
            day = rng.randint(1, 26)
            ordered = datetime(2025, month, day, rng.randint(7, 19), rng.randrange(0, 60, 5),
                               tzinfo=CST)
            shipped = ordered + timedelta(minutes=rng.randint(60, 600))
            if exact_left:
                transit, exact_left = timedelta(hours=48), False
            elif slow_left:
                transit = timedelta(hours=rng.randint(49, 90), minutes=rng.randint(0, 59))
                slow_left -= 1
            else:
                transit = timedelta(hours=rng.randint(6, 46), minutes=rng.randint(0, 59))
            delivered = shipped + transit
            if order["late"]:
                # the first late order of January's key tier is late by one second
                first = month == 1 and order["tier"] == "key"
                late_by = timedelta(seconds=1) if first else timedelta(minutes=rng.randint(1, 3000))
                promised = delivered - late_by
            else:
                # the first on-time key order of January arrives at the promised second
                exact = month == 1 and order["tier"] == "key" and order["number"] == 1
                promised = delivered
                if not exact:
                    promised += timedelta(minutes=rng.randint(0, 2000))
            complete, intact = True, True
            if faulty_left and index % 7 == 3:
                if rng.random() < 0.5:
                    complete = False
                else:
                    intact = False
                faulty_left -= 1
            customer = rng.choice(CUSTOMERS[order["tier"]])
            records.append({
                "ordered_at": ordered, "customer_id": customer, "promised_at": promised,
                "shipped_at": shipped, "delivered_at": delivered, "complete": complete,
                "intact": intact,
                "freight_charge": f"{rng.randint(20000, 150000) / 100:.2f}",
            })
        assert (faulty_left, slow_left, exact_left) == (0, 0, False), month
    # March: a suitable order never delivered (overdue), a key order not due yet (pending)
    records.append({
        "ordered_at": datetime(2025, 3, 28, 10, 0, tzinfo=CST), "customer_id": "C-SUI-02",
        "promised_at": datetime(2025, 3, 31, 18, 0, tzinfo=CST),
        "shipped_at": datetime(2025, 3, 28, 16, 0, tzinfo=CST), "delivered_at": None,
        "complete": True, "intact": True, "freight_charge": "880.00"})
    records.append({
        "ordered_at": datetime(2025, 3, 31, 10, 0, tzinfo=CST), "customer_id": "C-KEY-01",
        "promised_at": datetime(2025, 4, 2, 18, 0, tzinfo=CST), "shipped_at": None,
        "delivered_at": None, "complete": True, "intact": True, "freight_charge": "640.00"})
    records.sort(key=lambda item: (item["ordered_at"], item["customer_id"]))
    for number, record in enumerate(records, 1):
        line = {"order_id": f"ORD-25-{number:04d}"}
        for name, value in record.items():
            if isinstance(value, datetime):
                line[name] = stamp(value)
            elif value is not None:
                line[name] = value
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
