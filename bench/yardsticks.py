"""The programs slacheck is measured against, each run as its own process with `python -c`.

Kept apart from the scripts that time them so that every benchmark measures the same yardstick
(and so that no script named after a package has to be imported for one).
"""

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
import sys, duckdb
c = duckdb.connect()
c.execute("SET TimeZone = 'UTC'")
c.execute('''
CREATE TABLE r AS
SELECT try_cast(j->>'booked_at' AS TIMESTAMPTZ) AS booked,
       try_cast(j->>'picked_up_at' AS TIMESTAMPTZ) AS picked,
       try_cast(j->>'delivered_at' AS TIMESTAMPTZ) AS delivered,
       j->>'service' AS service, j->>'office' AS office,
       try_cast(j->>'complete' AS BOOLEAN) AS complete,
       try_cast(j->>'accurate' AS BOOLEAN) AS accurate,
       try_cast(j->>'billed_correctly' AS BOOLEAN) AS billed,
       coalesce(try_cast(j->>'lost' AS BOOLEAN), false) AS lost,
       coalesce(try_cast(j->>'damaged' AS BOOLEAN), false) AS damaged,
       coalesce(try_cast(j->>'force_majeure' AS BOOLEAN), false) AS fm
FROM (SELECT json AS j FROM read_json_objects(?, format = 'newline_delimited',
                                               ignore_errors = true))
''', [sys.argv[1]])
as_of = sys.argv[2]
month = "year(timezone('Asia/Shanghai', booked)) * 12 + month(timezone('Asia/Shanghai', booked))"
quarter = ("year(timezone('Asia/Shanghai', booked)) * 4 "
           "+ (month(timezone('Asia/Shanghai', booked)) - 1) // 3")
def deadline(event, start, limit):
    return (f"CASE WHEN {start} IS NULL THEN 'pending' WHEN {event} IS NULL THEN "
            f"CASE WHEN TIMESTAMPTZ '{as_of}' > {start} + INTERVAL {limit} THEN 'breach' "
            f"ELSE 'pending' END WHEN {event} <= {start} + INTERVAL {limit} THEN 'pass' "
            f"ELSE 'breach' END")
queries = [
    f"SELECT {month}, office, {deadline('picked', 'booked', '2 HOUR')} AS v, count(*) "
    "FROM r WHERE booked IS NOT NULL GROUP BY ALL",
    f"SELECT {month}, CASE WHEN fm THEN 'excluded' ELSE "
    f"{deadline('delivered', 'picked', '24 HOUR')} END AS v, count(*) FROM r "
    "WHERE service IN ('air_export', 'air_import', 'domestic_air') GROUP BY ALL",
    f"SELECT {month}, complete AND accurate, count(*) FROM r GROUP BY ALL",
    f"SELECT {month}, NOT lost AND NOT damaged, count(*) FROM r GROUP BY ALL",
    f"SELECT {quarter}, billed, count(*) FROM r GROUP BY ALL",
]
print(sum(len(c.execute(q).fetchall()) for q in queries))
"""
"""The same core work written by hand in DuckDB SQL: the yardstick of the generated SQL."""
