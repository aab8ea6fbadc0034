"""The figures of contracts/3pl-7r-tiers.yaml on data.jsonl, computed without slacheck.

Written from the contract's words alone, with the standard library:
- windows are calendar months of `ordered_at` in China Standard Time (UTC+8);
- on-time: delivered at or before `promised_at`; an order not delivered is a breach once its
  promised time has passed the evaluation time, pending before; per month and customer tier
  (the contract's table), key 99%, suitable 97%, general 95%, harmful no commitment; fewer
  than 20 orders: not evaluated; met below 99.5%: warned; credit 1% of the tier's freight
  charges per full point below target, at most 10% of them;
- complete-intact: complete and intact, 97% per month; credit 1% of the monthly fee
  (300,000.00 CNY) per full point below, at most 5% of it;
- transit-p95: the nearest-rank 95th percentile of delivered_at - shipped_at over delivered
  orders, at most 48 hours, at least 30 of them; 2% of the monthly fee per missed month;
- the at-risk pool: the three standards' credits of a month together, at most 5% of the fee.
Amounts are computed exactly and rounded once, half up to the cent.

    python figures.py > expected.json
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
AS_OF = datetime(2025, 4, 1, tzinfo=timezone(timedelta(hours=8)))
CST = timezone(timedelta(hours=8))
TIER = {"C-KEY-01": "key", "C-KEY-02": "key", "C-SUI-01": "suitable", "C-SUI-02": "suitable",
        "C-GEN-01": "general", "C-GEN-02": "general", "C-HAR-01": "harmful"}
TARGETS = {"key": Fraction(99, 100), "suitable": Fraction(97, 100), "general": Fraction(95, 100)}
FEE = Decimal("300000.00")
CENT = Decimal("0.01")


def money(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def month(moment: datetime) -> str:
    local = moment.astimezone(CST)
    return f"{local.year}-{local.month:02d}"


def fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def full_points(rate: Fraction, target: Fraction) -> int:
    return math.floor((target - rate) * 100)


def main() -> None:
    rows = [json.loads(line) for line in (HERE / "data.jsonl").read_text("utf-8").splitlines()]
    credits: dict[str, dict[str, Decimal]] = defaultdict(dict)  # month -> standard -> credit
    standards: dict[str, Any] = {}

    # on-time, per month and tier
    cells: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"passed": 0, "breached": 0, "pending": 0, "freight": Decimal("0")})
    for row in rows:
        cell = cells[(month(when(row["ordered_at"])), TIER[row["customer_id"]])]
        promised = when(row["promised_at"])
        if "delivered_at" in row:
            cell["passed" if when(row["delivered_at"]) <= promised else "breached"] += 1
        elif promised < AS_OF:
            cell["breached"] += 1
        else:
            cell["pending"] += 1
        cell["freight"] += Decimal(row["freight_charge"])
    windows, on_time_credits = [], []
    for (label, tier), cell in sorted(cells.items()):
        counted = cell["passed"] + cell["breached"]
        rate = Fraction(cell["passed"], counted)
        window = {"window": label, "group": {"tier": tier}, "passed": cell["passed"],
                  "breached": cell["breached"], "pending": cell["pending"], "excluded": 0,
                  "value_exact": fraction(rate)}
        if tier not in TARGETS:
            window["status"] = "no commitment"
        elif counted < 20:
            window["status"] = "not evaluated"
        elif rate < TARGETS[tier]:
            window["status"] = "missed"
            base = cell["freight"]
            amount = min(full_points(rate, TARGETS[tier]) * Decimal("0.01") * base,
                         Decimal("0.10") * base)
            on_time_credits.append({"window": f"{label} tier={tier}", "amount": money(amount)})
            credits[label]["on-time"] = credits[label].get("on-time", Decimal(0)) + \
                Decimal(money(amount))
        else:
            window["status"] = "warned" if rate < Fraction(995, 1000) else "met"
        windows.append(window)
    standards["on-time"] = {"windows": windows, "service_credits": {
        "total": money(sum((Decimal(item["amount"]) for item in on_time_credits), Decimal(0))),
        "windows": on_time_credits}}

    # complete-intact, per month
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        months[month(when(row["ordered_at"]))][0 if row["complete"] and row["intact"] else 1] += 1
    windows, found = [], []
    for label, (good, bad) in sorted(months.items()):
        rate = Fraction(good, good + bad)
        window = {"window": label, "group": {}, "passed": good, "breached": bad, "pending": 0,
                  "excluded": 0, "value_exact": fraction(rate),
                  "status": "met" if rate >= Fraction(97, 100) else "missed"}
        if window["status"] == "missed":
            amount = min(full_points(rate, Fraction(97, 100)) * Decimal("0.01") * FEE,
                         Decimal("0.05") * FEE)
            found.append({"window": label, "amount": money(amount)})
            credits[label]["complete-intact"] = Decimal(money(amount))
        windows.append(window)
    standards["complete-intact"] = {"windows": windows, "service_credits": {
        "total": money(sum((Decimal(item["amount"]) for item in found), Decimal(0))),
        "windows": found}}

    # transit-p95: every order passes (no requirement); the measure takes delivered ones
    values: dict[str, list[timedelta]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        label = month(when(row["ordered_at"]))
        counts[label] += 1
        if "delivered_at" in row and "shipped_at" in row:
            values[label].append(when(row["delivered_at"]) - when(row["shipped_at"]))
    windows, found = [], []
    for label in sorted(counts):
        sample = sorted(values[label])
        p95 = sample[math.ceil(Fraction(95, 100) * len(sample)) - 1]
        seconds = Fraction(int(p95.total_seconds()))
        window = {"window": label, "group": {}, "passed": counts[label], "breached": 0,
                  "pending": 0, "excluded": 0, "sample": len(sample),
                  "value_exact": fraction(seconds),
                  "status": "met" if p95 <= timedelta(hours=48) else "missed"}
        if len(sample) < 30:
            window["status"] = "not evaluated"
        if window["status"] == "missed":
            amount = Decimal("0.02") * FEE
            found.append({"window": label, "amount": money(amount)})
            credits[label]["transit-p95"] = Decimal(money(amount))
        windows.append(window)
    standards["transit-p95"] = {"windows": windows, "service_credits": {
        "total": money(sum((Decimal(item["amount"]) for item in found), Decimal(0))),
        "windows": found}}

    # the at-risk pool: 5% of the monthly fee a month
    limit = Decimal("0.05") * FEE
    pools = []
    total_credits = Decimal(0)
    for label in sorted(credits):
        gross = sum(credits[label].values(), Decimal(0))
        net = min(gross, limit)
        total_credits += net
        pools.append({"pool": "at-risk", "window": label, "gross": money(gross),
                      "limit": money(limit), "adjustment": money(net - gross), "net": money(net)})
    expected = {
        "contract": "contracts/3pl-7r-tiers.yaml",
        "data": "data.jsonl",
        "as_of": AS_OF.isoformat(),
        "exit": 1,
        "verdict": "non-compliant",
        "lines": {"read": len(rows), "accepted": len(rows), "rejected": 0},
        "standards": standards,
        "pools": pools,
        "totals": {"penalties": "0.00", "service_credits": money(total_credits),
                   "rewards": "0.00"},
    }
    json.dump(expected, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
