"""The figures of contracts/cmr-montreal-liability.yaml on data.jsonl, computed without slacheck.

From the contract's words alone, with the standard library. One SDR is 1.35 USD (the rate of
2025-03-31 given when the contract is run, `--rate SDR=1.35`). A line whose kilograms damaged
exceed the shipment's gross weight is rejected. Each shipment counts in the calendar month,
in Amsterdam (UTC+1 all winter), of the time its goods were taken over; one with an incident
(a total loss or a damage) breaches every standard that applies to it:
- intact, all shipments: at least 98% without incident per month, a month of fewer than 50
  shipments not evaluated, a met month below 99% warned;
- road (CMR): the claimed loss, at most 8.33 SDR per kg of the goods concerned (the whole
  shipment on a total loss, the damaged kilograms on a damage), plus the carriage charge on a
  total loss;
- air (Montreal 1999): the claimed loss, at most the declared value if one was declared,
  else at most the limit per kg in force on the (Amsterdam) day the goods were taken over:
  17 SDR, 19 from 2009-12-30, 22 from 2019-12-28, 26 from 2024-12-28; a damage complained
  of more than 14 days after the day of receipt is excluded.
Each claim's amount is exact until it is rounded once, half up, to the cent.

    python figures.py > expected.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
AMSTERDAM = timezone(timedelta(hours=1))
SUMMER_TIME = datetime(2025, 3, 30, 1, tzinfo=UTC)
RATE = Decimal("1.35")                      # USD for 1 SDR, at 2025-03-31
ROAD_LIMIT = Decimal("8.33")                # SDR per kg
AIR_LIMITS = [(date(2024, 12, 28), Decimal(26)), (date(2019, 12, 28), Decimal(22)),
              (date(2009, 12, 30), Decimal(19)), (date.min, Decimal(17))]
CENT = Decimal("0.01")


def air_limit(day: date) -> Decimal:
    return next(limit for start, limit in AIR_LIMITS if day >= start)


def compensation(row: dict[str, Any], day: date) -> Decimal:
    loss = Decimal(row["claimed_loss"])
    total = row["incident"] == "total_loss"
    kilograms = Decimal(row["gross_weight_kg"] if total else row["affected_weight_kg"])
    if row["regime"] == "CMR":
        amount = min(loss, ROAD_LIMIT * RATE * kilograms)
        if total:
            amount += Decimal(row["carriage_charge"])
    elif "declared_value" in row:
        amount = min(loss, Decimal(row["declared_value"]))
    else:
        amount = min(loss, air_limit(day) * RATE * kilograms)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def complained_late(row: dict[str, Any]) -> bool:
    return (row["regime"] == "MC99" and row.get("incident") == "damage"
            and date.fromisoformat(row["claimed_on"])
            > date.fromisoformat(row["received_on"]) + timedelta(days=14))


def main() -> None:
    lines = [json.loads(line) for line in (HERE / "data.jsonl").read_text("utf-8").splitlines()]
    rows = [row for row in lines if not ("affected_weight_kg" in row and Decimal(
        row["affected_weight_kg"]) > Decimal(row["gross_weight_kg"]))]
    cells: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"passed": 0, "breached": 0, "pending": 0, "excluded": 0, "records": []})
    for row in rows:
        taken = datetime.fromisoformat(row["taken_over_at"])
        assert taken < SUMMER_TIME, "figures.py knows Amsterdam's winter offset only"
        local = taken.astimezone(AMSTERDAM)
        month = f"{local.year}-{local.month:02d}"
        breach = "incident" in row
        standards = ["intact", "cmr" if row["regime"] == "CMR" else "montreal"]
        for standard in standards:
            cell = cells[standard, month]
            if standard == "montreal" and complained_late(row):
                cell["excluded"] += 1
            elif not breach:
                cell["passed"] += 1
            else:
                cell["breached"] += 1
                if standard != "intact":
                    cell["records"].append({"id": row["shipment_id"],
                                            "amount": str(compensation(row, local.date()))})
    months = sorted({month for _, month in cells})
    expected_standards: dict[str, Any] = {}
    exit_code = 0
    for standard in ("intact", "cmr", "montreal"):
        windows: list[dict[str, Any]] = []
        money: list[dict[str, str]] = []
        records: list[dict[str, str]] = []
        for month in months:
            if (standard, month) not in cells:
                continue
            cell = cells[standard, month]
            window = {"window": month, "group": {},
                      **{name: cell[name] for name in ("passed", "breached", "pending",
                                                       "excluded")}}
            if standard == "intact":
                count = cell["passed"] + cell["breached"]
                rate = Fraction(cell["passed"], count)
                if count < 50:
                    status = "not evaluated"
                elif rate < Fraction(98, 100):
                    status, exit_code = "missed", 1
                else:
                    status = "warned" if rate < Fraction(99, 100) else "met"
                window.update({"value_exact": f"{rate.numerator}/{rate.denominator}",
                               "status": status})
            windows.append(window)
            if cell["records"]:
                total = str(sum((Decimal(item["amount"]) for item in cell["records"]),
                                Decimal("0.00")))
                money.append({"window": month, "gross": total, "net": total})
                records += cell["records"]
                exit_code = 1
        expected_standards[standard] = {"windows": windows}
        if standard != "intact":
            expected_standards[standard].update({
                "rates": [{"currency": "SDR", "rate": str(RATE), "into": "USD",
                           "date": "2025-03-31", "given": "--rate"}],
                "penalties": {"total": str(sum((Decimal(item["net"]) for item in money),
                                               Decimal("0.00"))),
                              "windows": money, "records": records}})
    total = str(sum((Decimal(item["penalties"]["total"]) for item in expected_standards.values()
                     if "penalties" in item), Decimal("0.00")))
    expected = {
        "contract": "contracts/cmr-montreal-liability.yaml",
        "data": "data.jsonl",
        "as_of": "2025-04-01T00:00:00+02:00",
        "args": ["--rate", f"SDR={RATE}"],
        "rates": [{"currency": "SDR", "rate": str(RATE), "into": "USD", "date": "2025-03-31",
                   "given": "--rate"}],
        "exit": exit_code,
        "verdict": "non-compliant" if exit_code else "compliant",
        "lines": {"read": len(lines), "accepted": len(rows), "rejected": len(lines) - len(rows)},
        "standards": expected_standards,
        "totals": {"penalties": total, "service_credits": "0.00", "rewards": "0.00"},
    }
    json.dump(expected, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    with localcontext() as context:
        context.prec = 50
        main()
