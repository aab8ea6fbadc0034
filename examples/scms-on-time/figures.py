"""The figures of contracts/scms-on-time.yaml on an SCMS export, computed without slacheck.

Written from the contract's words alone, with the standard library: each line item is on
time when it was delivered to the client on or before its scheduled delivery date (the
dates compared as dates); windows are the calendar months of the scheduled date; the
target is 97% per month; the penalty is 2% of the line item value per late line, each
rounded half up to the cent, at most 5,000.00 USD per month.

    python examples/scms-on-time/figures.py FILE.csv > expected.json
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

MONTHS = {name: number for number, name in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
CAP = Decimal("5000.00")
CENT = Decimal("0.01")


def day(text: str) -> date:
    """`2-Jun-06`: the export's years are 2006 to 2015, all in this century."""
    number, month, year = text.split("-")
    return date(2000 + int(year), MONTHS[month], int(number))


def main(path: str) -> None:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    months: dict[str, dict[str, object]] = defaultdict(
        lambda: {"lines": 0, "on_time": 0, "late": 0, "gross": Decimal("0.00")})
    for row in rows:
        scheduled = day(row["Scheduled Delivery Date"])
        delivered = day(row["Delivered to Client Date"])
        month = months[f"{scheduled.year}-{scheduled.month:02d}"]
        month["lines"] += 1  # type: ignore[operator]
        if delivered <= scheduled:
            month["on_time"] += 1  # type: ignore[operator]
        else:
            month["late"] += 1  # type: ignore[operator]
            penalty = (Decimal(row["Line Item Value"]) * Decimal("0.02")).quantize(
                CENT, rounding=ROUND_HALF_UP)
            month["gross"] += penalty  # type: ignore[operator]
    windows = []
    for label in sorted(months):
        month = months[label]
        rate = Fraction(month["on_time"], month["lines"])  # type: ignore[arg-type]
        gross: Decimal = month["gross"]  # type: ignore[assignment]
        windows.append({
            "window": label,
            "lines": month["lines"],
            "on_time": month["on_time"],
            "late": month["late"],
            "rate_exact": f"{rate.numerator}/{rate.denominator}",
            "met": rate >= Fraction(97, 100),
            "penalty_gross": str(gross),
            "penalty": str(min(gross, CAP)),
        })
    total = sum((Decimal(item["penalty"]) for item in windows), Decimal("0.00"))  # type: ignore[arg-type]
    summary = {
        "source": path.rsplit("/", 1)[-1],
        "lines": len(rows),
        "on_time": sum(item["on_time"] for item in windows),  # type: ignore[misc]
        "late": sum(item["late"] for item in windows),  # type: ignore[misc]
        "missed_months": [item["window"] for item in windows if not item["met"]],
        "penalties": str(total),
        "windows": windows,
    }
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
