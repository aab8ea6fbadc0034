"""The figures of contracts/retail-otif-chargeback.yaml on data.jsonl, computed without slacheck.

From the contract's words alone, with the standard library: per supplier and calendar month
of the must-arrive-by date (MABD), POs the retailer excluded left out; a PO is on time when
delivered on the MABD or the day before; its compliant cases are min(received, ordered) if
on time, else 0; OTIF = compliant cases / ordered cases, met at 98% or above; a missed month
owes 3% of the sum over its POs of (ordered - compliant) x cost per case, rounded once,
half up, to the cent.

    python figures.py > expected.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
REASONS = {"retailer_no_appointment": "the retailer gave no unloading appointment",
           "item_code_change": "the retailer changed the item code"}


def main() -> None:
    rows = [json.loads(line) for line in (HERE / "data.jsonl").read_text("utf-8").splitlines()]
    cells: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"pos": 0, "excluded": 0, "exclusions": defaultdict(int), "compliant": 0,
                 "ordered": 0, "cost": Decimal(0)})
    for row in rows:
        mabd = date.fromisoformat(row["mabd"])
        cell = cells[(f"{mabd.year}-{mabd.month:02d}", row["supplier_id"])]
        if "exclusion_code" in row:
            cell["excluded"] += 1
            cell["exclusions"][REASONS[row["exclusion_code"]]] += 1
            continue
        delivered = date.fromisoformat(row["delivered_on"])
        on_time = mabd - timedelta(days=1) <= delivered <= mabd
        compliant = min(row["cases_received"], row["cases_ordered"]) if on_time else 0
        cell["pos"] += 1
        cell["compliant"] += compliant
        cell["ordered"] += row["cases_ordered"]
        cell["cost"] += (row["cases_ordered"] - compliant) * Decimal(row["unit_cogs"])
    windows, penalties = [], []
    for (label, supplier), cell in sorted(cells.items()):
        otif = Fraction(cell["compliant"], cell["ordered"])
        met = otif >= Fraction(98, 100)
        windows.append({"window": label, "group": {"supplier_id": supplier},
                        "passed": cell["pos"], "breached": 0, "pending": 0,
                        "excluded": cell["excluded"],
                        "exclusions": dict(sorted(cell["exclusions"].items())),
                        "value_exact": f"{otif.numerator}/{otif.denominator}",
                        "status": "met" if met else "missed"})
        if not met:
            amount = str((Decimal("0.03") * cell["cost"]).quantize(Decimal("0.01"),
                                                                   rounding=ROUND_HALF_UP))
            penalties.append({"window": f"{label} supplier_id={supplier}", "gross": amount,
                              "net": amount})
    total = str(sum((Decimal(item["net"]) for item in penalties), Decimal("0.00")))
    expected = {
        "contract": "contracts/retail-otif-chargeback.yaml",
        "data": "data.jsonl",
        "as_of": "2025-07-01T00:00:00-05:00",
        "exit": 1,
        "verdict": "non-compliant",
        "lines": {"read": len(rows), "accepted": len(rows), "rejected": 0},
        "standards": {"otif": {"windows": windows,
                               "penalties": {"total": total, "windows": penalties}}},
        "totals": {"penalties": total, "service_credits": "0.00", "rewards": "0.00"},
    }
    json.dump(expected, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
