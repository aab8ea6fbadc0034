"""Writes data.jsonl, the daily summaries of contracts/3pl-warehouse-bands.yaml for two sites,
January and February 2025. Seeded: `python generate.py > data.jsonl` gives the same file.

Each site and month is given the share of orders in error and of cut-off orders shipped late
that the plan below says; an exact share (99.0%, 95.0%) is made exact by rounding the month's
total up to a multiple of its denominator on the last day:
- January: SHA-DC1 accuracy exactly 99.0% (the lower edge of the 2% band), dispatch met;
  KSH-DC2 accuracy met, dispatch in the 97%-98% band;
- February: SHA-DC1 accuracy below 98% and dispatch exactly 95.0% (the lower edge of the 6%
  band); KSH-DC2 accuracy exactly 98.5%: the credits exceed the at-risk amount.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

CST = timezone(timedelta(hours=8))
# (month, site): (share of orders in error, share of cut-off orders not shipped the same day)
PLAN = {
    (1, "SHA-DC1"): (Fraction(1, 100), Fraction(1, 200)),
    (1, "KSH-DC2"): (Fraction(3, 1000), Fraction(25, 1000)),
    (2, "SHA-DC1"): (Fraction(3, 100), Fraction(5, 100)),
    (2, "KSH-DC2"): (Fraction(15, 1000), Fraction(1, 100)),
}
DAYS = {1: 31, 2: 28}


def spread(rng: random.Random, total: int, caps: list[int]) -> list[int]:
    counts = [0] * len(caps)
    while total:
        day = rng.randrange(len(caps))
        if counts[day] < caps[day]:
            counts[day] += 1
            total -= 1
    return counts


def main() -> None:
    rng = random.Random(4)
    lines = []
    for (month, site), (errors, misses) in PLAN.items():
        days = DAYS[month]
        shipped = [rng.randint(300, 900) for _ in range(days)]
        shipped[-1] += -sum(shipped) % errors.denominator
        cutoff = [rng.randint(count // 2, count - 50) for count in shipped]
        cutoff[-1] += -sum(cutoff) % misses.denominator
        wrong = spread(rng, int(sum(shipped) * errors), shipped)
        late = spread(rng, int(sum(cutoff) * misses), cutoff)
        for index in range(days):
            day = date(2025, month, index + 1)
            closed = datetime.combine(day, time(23, 30), CST) + timedelta(
                minutes=rng.randint(0, 25))
            lines.append({"summary_id": f"{site}-{day.isoformat()}", "site": site,
                          "day": day.isoformat(), "reported_at": closed.isoformat(),
                          "orders_shipped": shipped[index], "orders_with_error": wrong[index],
                          "orders_before_cutoff": cutoff[index],
                          "shipped_same_day": cutoff[index] - late[index]})
    lines.sort(key=lambda line: (line["day"], line["site"]))
    for line in lines:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
