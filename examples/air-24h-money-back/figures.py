"""The figures of contracts/air-24h-money-back.yaml on data.jsonl, computed without slacheck.

From the contract's words alone, with the standard library: domestic air shipments picked
up at TSN or PEK are in scope; those with a recorded delay cause (weather, customs hold,
address correction) and those picked up from 27 January 00:00 up to, not including,
5 February 00:00 (China Standard Time) are excluded. A shipment is on time when delivered at
most 24 hours after pickup; one not delivered is late once 24 hours have passed at the
evaluation time (1 April 2025 00:00), and pending before. Each late shipment refunds its
freight charge; windows are calendar months of the pickup. On-time 97% per month; two
missed months in a row disqualify the carrier when the second closes.

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
from typing import Any

HERE = Path(__file__).parent
CST = timezone(timedelta(hours=8))
AS_OF = datetime(2025, 4, 1, tzinfo=CST)
SUSPENDED = (datetime(2025, 1, 27, tzinfo=CST), datetime(2025, 2, 5, tzinfo=CST))
SUSPENSION = "春节高峰期暂停退款保证"
REASONS = {"weather": "天气原因（不可抗力）", "customs_hold": "海关查验",  # noqa: RUF001
           "address_correction": "收货地址更正"}


def main() -> None:
    rows = [json.loads(line) for line in (HERE / "data.jsonl").read_text("utf-8").splitlines()]
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"passed": 0, "breached": 0, "pending": 0, "excluded": 0, "refunds": [],
                 "exclusions": defaultdict(int)})
    for row in rows:
        if row["service"] != "domestic_air" or row["origin"] not in ("TSN", "PEK"):
            continue
        picked = datetime.fromisoformat(row["picked_up_at"])
        local = picked.astimezone(CST)
        cell = months[f"{local.year}-{local.month:02d}"]
        if "delay_cause" in row or SUSPENDED[0] <= picked < SUSPENDED[1]:
            # a record is excluded under the first exception that holds, in the contract's order
            reason = REASONS[row["delay_cause"]] if "delay_cause" in row else SUSPENSION
            cell["excluded"] += 1
            cell["exclusions"][reason] += 1
            continue
        deadline = picked + timedelta(hours=24)
        if "delivered_at" in row:
            late = datetime.fromisoformat(row["delivered_at"]) > deadline
        elif deadline < AS_OF:
            late = True
        else:
            cell["pending"] += 1
            continue
        if late:
            cell["breached"] += 1
            cell["refunds"].append({"id": row["waybill"], "amount": row["freight_charge"]})
        else:
            cell["passed"] += 1
    money_back: list[dict[str, Any]] = []
    on_time: list[dict[str, Any]] = []
    penalties: list[dict[str, str]] = []
    records: list[dict[str, str]] = []
    missed_in_a_row = 0
    disqualified = False
    for label in sorted(months):
        cell = months[label]
        counts = {name: cell[name] for name in ("passed", "breached", "pending", "excluded")}
        money_back.append({"window": label, "group": {}, **counts,
                           "exclusions": dict(sorted(cell["exclusions"].items()))})
        rate = Fraction(cell["passed"], cell["passed"] + cell["breached"])
        met = rate >= Fraction(97, 100)
        on_time.append({"window": label, "group": {}, **counts,
                        "value_exact": f"{rate.numerator}/{rate.denominator}",
                        "status": "met" if met else "missed"})
        missed_in_a_row = 0 if met else missed_in_a_row + 1
        disqualified = disqualified or missed_in_a_row >= 2
        if cell["refunds"]:
            total = str(sum((Decimal(item["amount"]) for item in cell["refunds"]), Decimal("0.00")))
            penalties.append({"window": label, "gross": total, "net": total})
            records += cell["refunds"]
    total = str(sum((Decimal(item["net"]) for item in penalties), Decimal("0.00")))
    expected = {
        "contract": "contracts/air-24h-money-back.yaml",
        "data": "data.jsonl",
        "as_of": AS_OF.isoformat(),
        "exit": 1,
        "verdict": "non-compliant",
        "lines": {"read": len(rows), "accepted": len(rows), "rejected": 0},
        "standards": {
            "money-back": {"windows": money_back,
                           "penalties": {"total": total, "windows": penalties,
                                         "records": records}},
            "on-time-97": {"windows": on_time, "disqualified": disqualified},
        },
        "totals": {"penalties": total, "service_credits": "0.00", "rewards": "0.00"},
    }
    json.dump(expected, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
