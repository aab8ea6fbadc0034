"""Times slacheck's CSV and Parquet readers against the plainest reading of the same files.

The CSV path (rows decoded, split, mapped, every field checked and converted) is set beside a
plain `csv.DictReader` loop over the same file, which converts nothing; the Parquet path beside
pyarrow reading the same columns into Python rows. Both run in this process, best of
`--repeat`, on generated shipments; the ratios are what the README reports.

    python bench/readers.py --rows 200000
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slacheck.loader import load_contract_text
from slacheck.readers import Input, read_input
from slacheck.records import Reader, Rejection

CONTRACT = """\
slacheck: 1
contract: {id: bench, currency: USD, timezone: UTC}
records:
  id: shipment_id
  time: booked_at
  fields:
    shipment_id: string
    office: {type: enum, values: [PEK, TSN, SHA]}
    booked_at: timestamp
    delivered_at: {type: timestamp, optional: true}
    value: money
    pieces: int
    complete: bool
standards:
  s: {require: complete, target: 97% per month}
"""
COLUMNS = ["shipment_id", "office", "booked_at", "delivered_at", "value", "pieces", "complete"]


def generate(rows: int, seed: int = 7) -> list[dict[str, str]]:
    chance = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for index in range(rows):
        booked = start + timedelta(minutes=chance.randrange(525_600))
        delivered = booked + timedelta(hours=chance.randrange(1, 72))
        out.append({
            "shipment_id": f"S{index:08d}",
            "office": chance.choice(["PEK", "TSN", "SHA"]),
            "booked_at": booked.isoformat(),
            "delivered_at": "" if chance.random() < 0.05 else delivered.isoformat(),
            "value": f"{chance.randrange(100, 1_000_000) / 100:.2f}",
            "pieces": str(chance.randrange(1, 40)),
            "complete": "true" if chance.random() < 0.97 else "false",
        })
    return out


def best(repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        count = run()
        times.append(time.perf_counter() - began)
    return min(times), count


def slacheck_rows(path: Path, fmt: str) -> int:
    reader = Reader(load_contract_text(CONTRACT).schema)
    rejected: list[Rejection] = []
    with path.open("rb") as stream:
        count = sum(1 for _ in read_input(reader, Input(str(path), fmt), stream,
                                          rejected.append))
    if rejected:
        raise SystemExit(f"unexpected rejections: {rejected[:3]}")
    return count


def dictreader_rows(path: Path) -> int:
    count = 0
    with path.open(encoding="utf-8", newline="") as stream:
        for _ in csv.DictReader(stream):
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    rows = generate(options.rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shipments.csv"
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(text.getvalue(), "utf-8")
        plain, plain_count = best(options.repeat, lambda: dictreader_rows(path))
        ours, our_count = best(options.repeat, lambda: slacheck_rows(path, "csv"))
        assert plain_count == our_count == options.rows
        print(f"| CSV, {options.rows:,} rows | csv.DictReader {plain:.2f} s | slacheck "
              f"{ours:.2f} s | {ours / plain:.2f}x |")
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            print("Parquet: pyarrow is not installed (slacheck[parquet]); not measured",
                  file=sys.stderr)
            return
        typed: dict[str, Callable[[str], object]] = {
            "pieces": int,
            "complete": lambda text: text == "true",
            "booked_at": datetime.fromisoformat,
            "delivered_at": datetime.fromisoformat,
        }
        table = pa.table({name: [typed.get(name, str)(row[name]) if row[name] else None
                                 for row in rows] for name in COLUMNS})
        parquet = Path(folder) / "shipments.parquet"
        pq.write_table(table, parquet)

        def pyarrow_rows() -> int:
            count = 0
            for batch in pq.ParquetFile(parquet).iter_batches(columns=COLUMNS):
                count += len(batch.to_pylist())
            return count

        plain, plain_count = best(options.repeat, pyarrow_rows)
        ours, our_count = best(options.repeat, lambda: slacheck_rows(parquet, "parquet"))
        assert plain_count == our_count == options.rows
        print(f"| Parquet, {options.rows:,} rows | pyarrow to_pylist {plain:.2f} s | slacheck "
              f"{ours:.2f} s | {ours / plain:.2f}x |")


if __name__ == "__main__":
    main()
