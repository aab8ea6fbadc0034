"""Writes data.jsonl, the deliveries of contracts/accord-late-delivery.yaml, March and April 2025.

Seeded: `python generate.py > data.jsonl` gives the same file. Random on-time deliveries and
random delays, and on purpose: a delivery exactly at its due time; delays of exactly 2 days,
2 days and 1 second, 1 day 1 hour, exactly 12 days (the first reading whose cap is hit),
exactly 15 days (no termination right) and 15 days 1 minute (a termination right); a late
delivery excused by Force Majeure; a value with a half cent in its penalty.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
MINUTE = timedelta(minutes=1)


def main() -> None:
    rng = random.Random(105)
    rows = []

    def due(month: int) -> datetime:
        day = rng.randint(2, 28)
        zone = CEST if (month, day) >= (3, 30) else CET
        return datetime(2025, month, day, rng.choice([8, 10, 12, 14, 16]), 0, tzinfo=zone)

    def value() -> str:
        return f"{rng.randint(150000, 9000000) / 100:.2f}"

    for month in (3, 4):
        for _ in range(14):
            when = due(month)
            rows.append((when, when - rng.randint(0, 4000) * MINUTE, value(), False))
        for _ in range(5):
            when = due(month)
            rows.append((when, when + rng.randint(1, 14000) * MINUTE, value(), False))
    specials = [
        (timedelta(0), False), (timedelta(days=2), False), (timedelta(days=2, seconds=1), False),
        (timedelta(days=1, hours=1), False), (timedelta(days=12), False),
        (timedelta(days=15), False), (timedelta(days=15, minutes=1), False),
        (timedelta(days=4), True),
    ]
    for delay, force_majeure in specials:
        when = due(4)
        rows.append((when, when + delay, value(), force_majeure))
    when = due(3)
    rows.append((when, when + timedelta(days=3), "1234.50", False))  # 129.6225 a period
    rows.sort()
    for number, (when, delivered, amount, force_majeure) in enumerate(rows, 1):
        line: dict[str, object] = {"delivery_id": f"DL-{number:03d}", "due_at": when.isoformat(),
                                   "delivered_at": delivered.isoformat(), "goods_value": amount}
        if force_majeure:
            line["force_majeure"] = True
        print(json.dumps(line))


if __name__ == "__main__":
    main()
