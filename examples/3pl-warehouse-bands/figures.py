"""The figures of contracts/3pl-warehouse-bands.yaml on data.jsonl, computed without slacheck.

From the contract's words alone, with the standard library: per site and calendar month of
the summary's day, accuracy = (orders shipped - orders in error) / orders shipped, target
99.5%; dispatch = shipped the same day / received before the cut-off, target 98%. A missed
month owes the credit of its band (the lower bound included, the upper excluded) as a share
of the 200,000.00 CNY monthly fee: accuracy 2% from 99%, 5% from 98%, 10% below; dispatch 3%
from 97%, 6% from 95%, 9% below. A month's credits of both standards and both sites
together are at most the at-risk amount, 10% of the fee.

    python figures.py > expected.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FEE = Decimal("200000.00")
STANDARDS = {
    # id: (numerator, denominator, target, [(at least, credit share)] from the top band down)
    "accuracy": ("right", "orders_shipped", Fraction(995, 1000),
                 [(Fraction(99, 100), "0.02"), (Fraction(98, 100), "0.05"), (Fraction(0), "0.10")]),
    "dispatch": ("shipped_same_day", "orders_before_cutoff", Fraction(98, 100),
                 [(Fraction(97, 100), "0.03"), (Fraction(95, 100), "0.06"), (Fraction(0), "0.09")]),
}


def main() -> None:
    rows = [json.loads(line) for line in (HERE / "data.jsonl").read_text("utf-8").splitlines()]
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    days: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        key = (row["day"][:7], row["site"])
        days[key] += 1
        for name in ("orders_shipped", "orders_before_cutoff", "shipped_same_day"):
            sums[key][name] += row[name]
        sums[key]["right"] += row["orders_shipped"] - row["orders_with_error"]
    standards: dict[str, Any] = {}
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for standard_id, (top, bottom, target, bands) in STANDARDS.items():
        windows, credits = [], []
        for (label, site), total in sorted(sums.items()):
            value = Fraction(total[top], total[bottom])
            met = value >= target
            windows.append({"window": label, "group": {"site": site}, "passed": days[(label, site)],
                            "breached": 0, "pending": 0, "excluded": 0,
                            "value_exact": f"{value.numerator}/{value.denominator}",
                            "status": "met" if met else "missed"})
            if not met:
                share = next(credit for floor, credit in bands if value >= floor)
                amount = (Decimal(share) * FEE).quantize(Decimal("0.01"))
                credits.append({"window": f"{label} site={site}", "amount": str(amount)})
                by_month[label] += amount
        standards[standard_id] = {"windows": windows, "service_credits": {
            "total": str(sum((Decimal(item["amount"]) for item in credits), Decimal("0.00"))),
            "windows": credits}}
    limit = (Decimal("0.10") * FEE).quantize(Decimal("0.01"))
    pools = [{"pool": "at-risk", "window": label, "gross": str(gross),
              "limit": str(limit),
              "adjustment": str(min(gross, limit) - gross), "net": str(min(gross, limit))}
             for label, gross in sorted(by_month.items())]
    expected = {
        "contract": "contracts/3pl-warehouse-bands.yaml",
        "data": "data.jsonl",
        "as_of": "2025-03-01T00:00:00+08:00",
        "exit": 1,
        "verdict": "non-compliant",
        "lines": {"read": len(rows), "accepted": len(rows), "rejected": 0},
        "standards": standards,
        "pools": pools,
        "totals": {"penalties": "0.00",
                   "service_credits": str(sum((Decimal(pool["net"]) for pool in pools),
                                              Decimal("0.00"))),
                   "rewards": "0.00"},
    }
    json.dump(expected, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
