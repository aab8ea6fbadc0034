"""The figures of contracts/accord-late-delivery.yaml on data.jsonl, in each reading of
"for every 2 days of delay", computed without slacheck.

From the clause's words alone, with the standard library. A delivery is late when delivered
after its due time; Force Majeure deliveries are left out. Its penalty is 10.5% of its value
for each period of 2 days of delay, at most 55% of its value, rounded once, half up, to the
cent; windows are calendar months of the due time in Europe/Berlin. The periods are:
- completed (as written): the delay in days, a part of a day a whole day, then whole periods
  of 2 days only: floor(ceil(days) / 2);
- started: ceil(ceil(days) / 2);
- pro rata: days / 2, exactly;
- pro rata in whole days: floor(days) / 2.
A delay of more than 15 days gives the Buyer a right to terminate (a disqualification).

    python figures.py > expected.json
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CET = timezone(timedelta(hours=1))
AS_OF = "2025-06-01T00:00:00+02:00"
WRITTEN = "per completed 2d of delay rounded up to 1d,"
READINGS: dict[str, tuple[str, Callable[[Fraction], Fraction]]] = {
    "completed": (WRITTEN, lambda days: Fraction(math.ceil(days) // 2)),
    "started": ("per started 2d of delay rounded up to 1d,",
                lambda days: Fraction(math.ceil(Fraction(math.ceil(days), 2)))),
    "pro-rata": ("per 2d of delay,", lambda days: days / 2),
    "pro-rata-whole-days": ("per 2d of delay rounded down to 1d,",
                            lambda days: Fraction(math.floor(days), 2)),
}


def month(text: str) -> str:
    moment = datetime.fromisoformat(text)
    # Europe/Berlin: UTC+2 from 30 March 2025 01:00 UTC, UTC+1 before
    local = moment.astimezone(timezone(timedelta(hours=2)) if moment >= datetime(
        2025, 3, 30, 1, tzinfo=UTC) else CET)
    return f"{local.year}-{local.month:02d}"


def figures(rows: list[dict[str, Any]], periods: Callable[[Fraction], Fraction]) -> dict[str, Any]:
    cells: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"passed": 0, "breached": 0, "pending": 0, "excluded": 0, "amounts": [],
                 "over_15": 0})
    for row in rows:
        cell = cells[month(row["due_at"])]
        if row.get("force_majeure"):
            cell["excluded"] += 1
            continue
        delay = datetime.fromisoformat(row["delivered_at"]) - datetime.fromisoformat(row["due_at"])
        if delay > timedelta(days=15):
            cell["over_15"] += 1
        if delay <= timedelta(0):
            cell["passed"] += 1
            continue
        cell["breached"] += 1
        days = Fraction(int(delay.total_seconds()), 86400)
        value = Fraction(Decimal(row["goods_value"]))
        exact = min(Fraction(105, 1000) * value * periods(days), Fraction(55, 100) * value)
        amount = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        cell["amounts"].append({"id": row["delivery_id"], "amount": str(amount)})
    late, termination, windows, records = [], [], [], []
    for label in sorted(cells):
        cell = cells[label]
        counts = {name: cell[name] for name in ("passed", "breached", "pending", "excluded")}
        late.append({"window": label, "group": {}, **counts})
        termination.append({"window": label, "group": {}, "passed": counts["passed"] +
                            counts["breached"] - cell["over_15"], "breached": cell["over_15"],
                            "pending": 0, "excluded": counts["excluded"]})
        if cell["amounts"]:
            total = str(sum((Decimal(item["amount"]) for item in cell["amounts"]), Decimal("0.00")))
            windows.append({"window": label, "gross": total, "net": total})
            records += cell["amounts"]
    total = str(sum((Decimal(item["net"]) for item in windows), Decimal("0.00")))
    return {
        "standards": {
            "late-delivery": {"windows": late, "penalties": {
                "total": total, "windows": windows, "records": records}},
            "termination-right": {"windows": termination,
                                  "disqualified": any(cell["over_15"] for cell in cells.values())},
        },
        "totals": {"penalties": total, "service_credits": "0.00", "rewards": "0.00"},
    }


def main() -> None:
    rows = [json.loads(line) for line in (HERE / "data.jsonl").read_text("utf-8").splitlines()]
    expected: dict[str, Any] = {
        "contract": "contracts/accord-late-delivery.yaml",
        "data": "data.jsonl",
        "as_of": AS_OF,
        "exit": 1,
        "verdict": "non-compliant",
        "lines": {"read": len(rows), "accepted": len(rows), "rejected": 0},
        **figures(rows, READINGS["completed"][1]),
        "readings": [{"name": name, "from": WRITTEN, "to": text, "expected": figures(rows, rule)}
                     for name, (text, rule) in READINGS.items() if name != "completed"],
    }
    json.dump(expected, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
