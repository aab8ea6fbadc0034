"""Writes data.jsonl, the orders of contracts/perfect-order-bonus.yaml, January to April 2025.

Seeded: `python generate.py > data.jsonl` gives the same file. Each month's orders are
perfect but for the faults planned: January 100 orders, 1 imperfect (99%: exactly the
target, the bonus earned) and one delivered at the commit second; February 60 orders with 2
faults on one order and 1 on another (58/60: missed, though every component rate is above
98%); March 120 orders, all perfect; April 49 orders (below the minimum of 50).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
PLAN = {1: (100, [["late"]]), 2: (60, [["short", "damaged"], ["documents"]]), 3: (120, []),
        4: (49, [["late"]])}


def main() -> None:
    rng = random.Random(991)
    rows = []
    for month, (count, faults) in PLAN.items():
        for index in range(count):
            commit = datetime(2025, month, rng.randint(1, 28), rng.randint(8, 18), 0, tzinfo=CST)
            units = rng.randint(1, 500)
            row = {"commit_at": commit,
                   "delivered_at": commit - timedelta(minutes=rng.randint(0 if index == 1 else 5,
                                                                          3000)),
                   "units_ordered": units, "units_delivered": units, "damaged_units": 0,
                   "documents_ok": True}
            for fault in faults[index] if index < len(faults) else []:
                if fault == "late":
                    row["delivered_at"] = commit + timedelta(minutes=rng.randint(1, 600))
                elif fault == "short":
                    row["units_delivered"] = units - 1
                elif fault == "damaged":
                    row["damaged_units"] = rng.randint(1, 3)
                else:
                    row["documents_ok"] = False
            if index == 1 and month == 1:
                row["delivered_at"] = commit           # at the commit second: on time
            rows.append(row)
    rows.sort(key=lambda row: row["commit_at"])  # type: ignore[arg-type, return-value]
    for number, row in enumerate(rows, 1):
        line = {"order_id": f"SZ-{number:05d}"}
        line.update({name: value.isoformat() if isinstance(value, datetime) else value
                     for name, value in row.items()})
        print(json.dumps(line))


if __name__ == "__main__":
    main()
