"""The programs slacheck is measured against, each run as its own process with `python -c`.

Kept apart from the scripts that time them so that every benchmark measures the same yardstick
(and so that no script named after a package has to be imported for one).
"""

from __future__ import annotations

import json
from typing import Any

FLOOR = """
import sys, orjson
loads = orjson.loads
count = 0
with open(sys.argv[1], "rb") as stream:
    rest = b""
    while chunk := stream.read(1 << 20):
        lines = (rest + chunk).split(b"\\n")
        rest = lines.pop()
        for line in lines:
            if line:
                try:
                    loads(line)
                except orjson.JSONDecodeError:
                    pass
                count += 1
print(count)
"""
"""The floor: the file read in 1 MiB chunks, split into lines, each line parsed by orjson."""

HAND = r"""
import json, sys, duckdb
c = duckdb.connect()
c.execute("SET TimeZone = 'UTC'")
c.execute("SET enable_progress_bar = false")
FIELDS = ("shipment_id service office booked_at picked_up_at delivered_at value complete "
          "accurate billed_correctly lost damaged force_majeure").split()
c.execute(f'''
CREATE TABLE r AS
SELECT shipment_id AS id, service, office, booked, picked, delivered, amount AS value,
       is_complete AS complete, is_accurate AS accurate, billed,
       coalesce(is_lost, false) AS lost, coalesce(is_damaged, false) AS damaged,
       coalesce(fm, false) AS fm, line,
       strftime(timezone('Asia/Shanghai', booked), '%Y-%m') AS month,
       year(timezone('Asia/Shanghai', booked)) || '-Q'
           || quarter(timezone('Asia/Shanghai', booked)) AS quarter
FROM (SELECT *, try_cast(booked_at AS TIMESTAMPTZ) AS booked,
             try_cast(picked_up_at AS TIMESTAMPTZ) AS picked,
             try_cast(delivered_at AS TIMESTAMPTZ) AS delivered,
             try_cast(value AS DECIMAL(18, 2)) AS amount,
             try_cast(complete AS BOOLEAN) AS is_complete,
             try_cast(accurate AS BOOLEAN) AS is_accurate,
             try_cast(billed_correctly AS BOOLEAN) AS billed,
             try_cast(lost AS BOOLEAN) AS is_lost, try_cast(damaged AS BOOLEAN) AS is_damaged,
             try_cast(force_majeure AS BOOLEAN) AS fm
      FROM (SELECT *, row_number() OVER () AS line
            FROM read_json(?, format = 'newline_delimited', ignore_errors = true,
                           columns = {{{', '.join(f"'{name}': 'VARCHAR'" for name in FIELDS)}}})))
WHERE shipment_id IS NOT NULL AND booked IS NOT NULL AND amount IS NOT NULL
  AND is_complete IS NOT NULL AND is_accurate IS NOT NULL AND billed IS NOT NULL
  AND service IN ('air_export', 'air_import', 'domestic_air', 'road', 'express', 'ocean',
                  'pickup_delivery')
  AND office IN ('TSN', 'PEK')
  AND (picked IS NOT NULL OR picked_up_at IS NULL)
  AND (delivered IS NOT NULL OR delivered_at IS NULL)
  AND (is_lost IS NOT NULL OR lost IS NULL) AND (is_damaged IS NOT NULL OR damaged IS NULL)
  AND (fm IS NOT NULL OR force_majeure IS NULL)
  AND booked >= TIMESTAMPTZ '2025-01-01 00:00:00+08'
  AND booked < TIMESTAMPTZ '2026-01-01 00:00:00+08'
''', [sys.argv[1]])
# an id's first record counts: the few ids written twice are found by a grouping, then the
# later records of each deleted
c.execute('''
DELETE FROM r WHERE (id, line) IN (
    SELECT (id, line) FROM (SELECT id, line, min(line) OVER (PARTITION BY id) AS first FROM r
                            WHERE id IN (SELECT id FROM r GROUP BY id HAVING count(*) > 1))
    WHERE line > first)
''')
as_of = sys.argv[2]
def deadline(event, start, limit):
    return (f"CASE WHEN {start} IS NULL THEN 'pending' WHEN {event} IS NULL THEN "
            f"CASE WHEN TIMESTAMPTZ '{as_of}' > {start} + INTERVAL {limit} THEN 'breach' "
            f"ELSE 'pending' END WHEN {event} <= {start} + INTERVAL {limit} THEN 'pass' "
            f"ELSE 'breach' END")
def holds(test):
    return f"CASE WHEN {test} THEN 'pass' ELSE 'breach' END"
AIR = "service IN ('air_export', 'air_import', 'domestic_air')"
# each standard: window, group, scope, verdict, target in %, a breach's price, a window's cap,
# the credit of a missed window
standards = {
    "pickup-2h": ("month", "office", "TRUE", deadline("picked", "booked", "2 HOUR"),
                  97, "0", None, "0"),
    "delivery-24h": ("month", "''", AIR, "CASE WHEN fm THEN 'excluded' ELSE "
                     + deadline("delivered", "picked", "24 HOUR") + " END",
                     97, "1000.00", "10000.00", "0"),
    "perfect-order": ("month", "''", "TRUE", holds("complete AND accurate"),
                      97, "0", None, "200000.00 * 5 / 100"),
    "safe-custody": ("month", "''", "TRUE", holds("NOT lost AND NOT damaged"),
                     None, "value", None, "0"),
    "billing-accuracy": ("quarter", "''", "TRUE", holds("billed"), 98, "0", None, "0"),
}
out = {"counted": c.execute("SELECT count(*) FROM r").fetchone()[0]}
for name, (window, group, scope, verdict, target, price, cap, credit) in standards.items():
    met = "NULL" if target is None else f"passed * 100 >= {target} * (passed + breached)"
    penalty = "gross" if cap is None else f"least(gross, {cap})"
    rows = c.execute(f'''
        SELECT w, g, passed, breached, pending, excluded, {met},
               ({penalty})::DECIMAL(18, 2),
               (CASE WHEN {met} THEN 0 ELSE {credit} END)::DECIMAL(18, 2)
        FROM (SELECT {window} AS w, {group} AS g, count(*) FILTER (v = 'pass') AS passed,
                     count(*) FILTER (v = 'breach') AS breached,
                     count(*) FILTER (v = 'pending') AS pending,
                     count(*) FILTER (v = 'excluded') AS excluded,
                     sum(CASE WHEN v = 'breach' THEN {price} ELSE 0 END) AS gross
              FROM (SELECT *, {verdict} AS v FROM r WHERE {scope}) GROUP BY ALL)
        ORDER BY ALL''').fetchall()
    out[name] = [[*row[:6], str(row[6]), str(row[7]), str(row[8])] for row in rows]
print(json.dumps(out))
"""
"""The same work written by hand in DuckDB SQL, the yardstick of the generated SQL. Each line's
fields are read and checked: a line that is not JSON, a required field missing or null, a value
not of its type or not one of its allowed values, or a booking outside the contract period is
not counted. The first record of each id is kept. Per window (in Shanghai) and group, it prints
each standard's passed, breached, pending and excluded records, whether its target is met, its
penalty after the cap and its service credit; none of the engine's line accounting, reasons or
evidence. `agreement` holds these figures to slacheck's."""


def figures(verify: dict[str, Any]) -> dict[str, Any]:
    """What HAND prints, taken from `slacheck verify`'s JSON result (windows no record reached
    left out, as SQL's grouping has none)."""
    lines = verify["lines"]
    found: dict[str, Any] = {"counted": lines["accepted"] - lines["outside_period"]}
    for standard in verify["standards"]:
        penalties = {w["window"]: w["net"] for w in standard["penalties"]["windows"]}
        credits = {w["window"]: w["amount"] for w in standard["service_credits"]["windows"]}
        found[standard["id"]] = sorted(
            [w["window"], ",".join(w["group"].values()), w["passed"], w["breached"],
             w["pending"], w["excluded"], "None" if w["met"] is None else str(w["met"]),
             penalties.get(w["window"], "0.00"), credits.get(w["window"], "0.00")]
            for w in standard["windows"]
            if w["passed"] or w["breached"] or w["pending"] or w["excluded"])
    return found


def agreement(hand: bytes, verify: bytes) -> list[str]:
    """Where HAND's figures (what it printed) and `slacheck verify`'s JSON result differ, one
    line each; empty when they agree."""
    ours, theirs = json.loads(hand), figures(json.loads(verify))
    differences = []
    for name in sorted(set(ours) | set(theirs)):
        mine, its = ours.get(name), theirs.get(name)
        if isinstance(mine, list) and isinstance(its, list):
            differences += [f"{name}: only the hand-written SQL has {row}"
                            for row in mine if row not in its]
            differences += [f"{name}: only slacheck has {row}" for row in its if row not in mine]
        elif mine != its:
            differences.append(f"{name}: the hand-written SQL {mine}, slacheck {its}")
    return differences
