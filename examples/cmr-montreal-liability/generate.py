"""Writes data.jsonl, the shipments of contracts/cmr-montreal-liability.yaml, taken over from
November 2024 to February 2025, by road (CMR) and by air (Montreal 1999).

Seeded: `python generate.py > data.jsonl` gives the same file. Each month has its shipments
delivered intact, some air waybills with a declared value, and the incidents of the plan
below, each claimed in writing some days later. On purpose:
- a road damage of 30 kg whose limit, 30 x 8.33 x 1.35 = 337.365 USD, ends on a half cent;
- road total losses above and below their limit (500 kg: 5622.75 USD, and the charges);
- two air damages taken over at 23:30 on 27 December 2024, one in Amsterdam time (22 SDR per
  kg), the other in UTC, 00:30 on the 28th in Amsterdam (26 SDR per kg);
- air claims capped by a declared value, and one under it;
- air damage complained of 14 days after receipt (in time) and 15 days after (excluded);
- a shipment taken over at 23:30 UTC on 31 January, 1 February in Amsterdam;
- a line whose damaged weight exceeds the shipment's weight (rejected).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

CET = timezone(timedelta(hours=1))       # Europe/Amsterdam, November to March
MONTHS = {(2024, 11): 140, (2024, 12): 160, (2025, 1): 150, (2025, 2): 120}
"""Shipments taken over per month (Amsterdam time), incidents included, the rejected line not."""

# (month, regime, incident, taken over at, weight concerned or gross weight, claimed loss,
#  declared value, days from receipt to the complaint)
PLAN: list[tuple[tuple[int, int], str, str, str | None, str, str, str | None, int]] = [
    ((2024, 11), "CMR", "damage", None, "30", "2500.00", None, 3),
    ((2024, 11), "MC99", "total_loss", None, "12.5", "4200.00", None, 0),
    ((2024, 12), "MC99", "damage", "2024-12-27T23:30:00+01:00", "40", "5000.00", None, 5),
    ((2024, 12), "MC99", "damage", "2024-12-27T23:30:00Z", "40", "5000.00", None, 5),
    ((2024, 12), "CMR", "total_loss", None, "500", "12000.00", None, 0),
    ((2024, 12), "CMR", "total_loss", None, "2000", "9000.00", None, 0),
    ((2024, 12), "MC99", "total_loss", None, "60", "7500.00", "8000.00", 0),
    ((2024, 12), "MC99", "damage", None, "45", "4800.00", "3000.00", 9),
    ((2024, 12), "MC99", "damage", None, "80", "6400.00", None, 15),
    ((2025, 1), "MC99", "damage", None, "3.5", "90.00", None, 14),
    ((2025, 1), "CMR", "damage", None, "100", "300.00", None, 6),
    ((2025, 1), "MC99", "damage", None, "22.5", "2950.00", None, 4),
    ((2025, 2), "CMR", "total_loss", "2025-01-31T23:30:00Z", "850", "7725.40", None, 0),
]


def tenths(count: int) -> str:
    return f"{count // 10}.{count % 10}"


def cents(count: int) -> str:
    return f"{count // 100}.{count % 100:02d}"


def main() -> None:
    rng = random.Random(1999)
    rows: list[dict[str, Any]] = []

    def shipment(month: tuple[int, int], regime: str | None = None) -> dict[str, Any]:
        regime = regime or rng.choice(["CMR", "CMR", "CMR", "MC99", "MC99"])
        taken = datetime(*month, rng.randint(1, 28), rng.randint(6, 20),
                         rng.choice([0, 15, 30, 45]), tzinfo=CET)
        if rng.random() < 0.3:
            taken = taken.astimezone(UTC)
        road = regime == "CMR"
        row: dict[str, Any] = {
            "regime": regime, "taken_over_at": taken,
            "gross_weight_kg": tenths(rng.randint(2000, 120000) if road else rng.randint(50, 8000)),
            "carriage_charge": cents(rng.randint(30000, 350000 if road else 400000))}
        if not road and rng.random() < 0.12:
            row["declared_value"] = cents(rng.randint(2000, 60000) * 5)
        return row

    for month, count in MONTHS.items():
        planned = [item for item in PLAN if item[0] == month]
        for _ in range(count - len(planned)):
            rows.append(shipment(month))
        for _, regime, incident, at, weight, loss, declared, days in planned:
            row = shipment(month, regime)
            if at is not None:
                row["taken_over_at"] = datetime.fromisoformat(at)
            row.pop("declared_value", None)
            if declared is not None:
                row["declared_value"] = declared
            row["incident"] = incident
            taken_on = row["taken_over_at"].astimezone(CET).date()
            if incident == "total_loss":
                row["gross_weight_kg"] = weight
                row["claimed_on"] = taken_on + timedelta(days=rng.randint(20, 40))
            else:
                row["gross_weight_kg"] = tenths(int(Decimal(weight) * 10) + rng.randint(0, 400))
                row["affected_weight_kg"] = weight
                row["received_on"] = taken_on + timedelta(days=rng.randint(1, 4))
                row["claimed_on"] = row["received_on"] + timedelta(days=days)
            row["claimed_loss"] = loss
            rows.append(row)
        if month == (2025, 1):       # the rejected line: more kilograms damaged than shipped
            row = shipment(month, "CMR")
            row.update({"incident": "damage", "gross_weight_kg": "60.0",
                        "affected_weight_kg": "75.0", "claimed_loss": "640.00"})
            row["received_on"] = row["taken_over_at"].astimezone(CET).date() + timedelta(days=2)
            row["claimed_on"] = row["received_on"] + timedelta(days=3)
            rows.append(row)
    rows.sort(key=lambda row: row["taken_over_at"])
    for number, row in enumerate(rows, 1):
        line = {"shipment_id": f"HFF-{number:04d}"}
        line.update({name: value.isoformat() if isinstance(value, datetime | date) else value
                     for name, value in row.items()})
        print(json.dumps(line))


if __name__ == "__main__":
    main()
