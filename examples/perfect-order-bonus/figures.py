"""The figures of contracts/perfect-order-bonus.yaml on data.jsonl, computed without slacheck.

From the contract's words alone, with the standard library: an order is perfect when it was
delivered at or before its commit time, with at least the units ordered, no unit damaged
and its documents right; per calendar month of the commit time (UTC+8), perfect orders /
orders, met at 99% or more when there are at least 50 orders; each met month earns a bonus
of 0.5% of the 150,000.00 CNY monthly fee, owed by the customer.

    python figures.py > expected.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).parent
CST = timezone(timedelta(hours=8))


def main() -> None:
    rows = [json.loads(line) for line in (HERE / "data.jsonl").read_text("utf-8").splitlines()]
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        commit = datetime.fromisoformat(row["commit_at"])
        perfect = (datetime.fromisoformat(row["delivered_at"]) <= commit
                   and row["units_delivered"] >= row["units_ordered"]
                   and row["damaged_units"] == 0 and row["documents_ok"])
        local = commit.astimezone(CST)
        months[f"{local.year}-{local.month:02d}"][0 if perfect else 1] += 1
    windows, rewards = [], []
    bonus = Decimal("0.005") * Decimal("150000.00")
    exit_code = 0
    for label, (good, bad) in sorted(months.items()):
        rate = Fraction(good, good + bad)
        if good + bad < 50:
            status = "not evaluated"
        elif rate >= Fraction(99, 100):
            status = "met"
            rewards.append({"window": label, "amount": str(bonus.quantize(Decimal("0.01")))})
        else:
            status, exit_code = "missed", 1
        windows.append({"window": label, "group": {}, "passed": good, "breached": bad,
                        "pending": 0, "excluded": 0,
                        "value_exact": f"{rate.numerator}/{rate.denominator}", "status": status})
    total = str(sum((Decimal(item["amount"]) for item in rewards), Decimal("0.00")))
    expected = {
        "contract": "contracts/perfect-order-bonus.yaml",
        "data": "data.jsonl",
        "as_of": "2025-05-01T00:00:00+08:00",
        "exit": exit_code,
        "verdict": "non-compliant" if exit_code else "compliant",
        "lines": {"read": len(rows), "accepted": len(rows), "rejected": 0},
        "standards": {"perfect-order": {"windows": windows,
                                        "rewards": {"total": total, "windows": rewards}}},
        "totals": {"penalties": "0.00", "service_credits": "0.00", "rewards": total},
    }
    json.dump(expected, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
