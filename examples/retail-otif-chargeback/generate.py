"""Writes data.jsonl, the purchase orders of contracts/retail-otif-chargeback.yaml, April to
June 2025, for two suppliers. Seeded: `python generate.py > data.jsonl` gives the same file.

Each month and supplier has 30 POs delivered on their MABD or the day before, in full, and
then the faults of the plan below: early (two days before the MABD), late (the day after),
short by some cases, late and short, or late but excluded by the retailer's own code. ACME's
April is made exactly 98%: its ordered cases are a multiple of 50 and exactly a fiftieth of
them are short, on POs delivered the day before the MABD (still on time) and on the MABD.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta, timezone

CDT = timezone(timedelta(hours=-5))
PLAN = {
    (4, "SUP-ACME"): ["exact98"],
    (4, "SUP-BOLT"): ["early", "short", "late_short"],
    (5, "SUP-ACME"): ["late", "late", "short"],
    (5, "SUP-BOLT"): ["excluded_late", "excluded_code"],
    (6, "SUP-ACME"): ["short_one"],
    (6, "SUP-BOLT"): ["early", "late", "late", "short", "late_short", "excluded_late"],
}


def main() -> None:
    rng = random.Random(98)
    rows = []
    for (month, supplier), faults in PLAN.items():
        pos = []
        for _ in range(30):
            mabd = date(2025, month, rng.randint(1, 28))
            ordered = rng.randint(20, 400)
            pos.append({"supplier_id": supplier, "mabd": mabd,
                        "delivered_on": mabd - timedelta(days=rng.randint(0, 1)),
                        "cases_ordered": ordered, "cases_received": ordered,
                        "unit_cogs": f"{rng.randint(450, 4200) / 100:.2f}"})
        for index, fault in enumerate(faults):
            po = pos[index]
            if fault == "exact98":
                total = sum(item["cases_ordered"] for item in pos)
                pos[-1]["cases_ordered"] += 50 - total % 50
                pos[-1]["cases_received"] = pos[-1]["cases_ordered"]
                short = sum(item["cases_ordered"] for item in pos) // 50
                pos[0]["delivered_on"] = pos[0]["mabd"] - timedelta(days=1)
                pos[1]["delivered_on"] = pos[1]["mabd"]
                first = min(short - 1, pos[0]["cases_ordered"] - 1)
                pos[0]["cases_received"] -= first
                pos[1]["cases_received"] -= short - first
            elif fault == "early":
                po["delivered_on"] = po["mabd"] - timedelta(days=2)
            elif fault in ("late", "excluded_late"):
                po["delivered_on"] = po["mabd"] + timedelta(days=1)
                if fault == "excluded_late":
                    po["exclusion_code"] = "retailer_no_appointment"
            elif fault == "excluded_code":
                po["cases_received"] -= 5
                po["exclusion_code"] = "item_code_change"
            elif fault == "short":
                po["cases_received"] -= rng.randint(5, 15)
            elif fault == "short_one":
                po["cases_received"] -= 1
            elif fault == "late_short":
                po["delivered_on"] = po["mabd"] + timedelta(days=rng.randint(1, 4))
                po["cases_received"] -= rng.randint(3, 12)
        for po in pos:
            po["received_at"] = datetime.combine(po["delivered_on"], datetime.min.time(),
                                                 CDT) + timedelta(minutes=rng.randint(300, 1320))
        rows += pos
    rows.sort(key=lambda row: row["received_at"])
    for number, row in enumerate(rows, 1):
        line = {"po_number": f"PO-{4500000 + number * 17}"}
        for name in ("supplier_id", "mabd", "delivered_on", "received_at", "cases_ordered",
                     "cases_received", "unit_cogs", "exclusion_code"):
            if name in row:
                value = row[name]
                line[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
        print(json.dumps(line))


if __name__ == "__main__":
    main()
