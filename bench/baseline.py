"""The Motorola x Sinotrans contract as a plain hand-written stdlib script: slacheck's yardstick.

Written from the contract text alone, the way an analyst would script this one contract without
slacheck. bench/run.py times both on the same data and requires the same figures from both, so the
ratio is the price of slacheck's generality and a disagreement points at a bug on one side.

    python bench/baseline.py shipments.jsonl --as-of 2026-01-01T00:00:00+08:00
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
EFFECTIVE_FROM = date(2025, 1, 1)
EFFECTIVE_TO = date(2025, 12, 31)

SERVICES = frozenset(
    {"air_export", "air_import", "domestic_air", "road", "express", "ocean", "pickup_delivery"}
)
AIR_SERVICES = frozenset({"air_export", "air_import", "domestic_air"})
OFFICES = frozenset({"TSN", "PEK"})

CENT = Decimal("0.01")
MONTHLY_FEE = Decimal("200000.00")
CREDIT_SHARE = Decimal("0.05")
DELIVERY_PENALTY = Decimal("1000.00")
DELIVERY_CAP = Decimal("10000.00")

PICKUP_LIMIT = timedelta(hours=2)
DELIVERY_LIMIT = timedelta(hours=24)
CUSTODY_SPAN = timedelta(hours=90 * 24)
CUSTODY_BREACHES_TO_DISQUALIFY = 3
MISSED_MONTHS_TO_DISQUALIFY = 3

STANDARDS = ("pickup-2h", "delivery-24h", "perfect-order", "safe-custody", "billing-accuracy")
TARGET_PERCENT = {
    "pickup-2h": 97,
    "delivery-24h": 97,
    "perfect-order": 97,
    "billing-accuracy": 98,
}

PASSED, BREACHED, PENDING, EXCLUDED = range(4)

# The contract allows `Z` or `+hh:mm` and nothing else; fromisoformat alone also takes week dates,
# basic format and `+hh` offsets.
TIMESTAMP_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})"
)
AMOUNT_SHAPE = re.compile(r"-?\d+(?:\.\d+)?")


class RecordError(Exception):
    """A record that breaks a rule of the record table; the message is `field: reason`."""


class Shipment(NamedTuple):
    shipment_id: str
    service: str
    office: str
    booked_at: datetime
    picked_up_at: datetime | None
    delivered_at: datetime | None
    value: Decimal
    complete: bool
    accurate: bool
    billed_correctly: bool
    damaged: bool
    lost: bool
    force_majeure: bool


class Window(NamedTuple):
    """A calendar period in Asia/Shanghai: ("M", 12 * year + month - 1), ("Q", 4 * year + q - 1)."""

    kind: str
    ordinal: int

    def label(self) -> str:
        if self.kind == "M":
            return f"{self.ordinal // 12}-{self.ordinal % 12 + 1:02d}"
        return f"{self.ordinal // 4}-Q{self.ordinal % 4 + 1}"

    def end(self) -> datetime:
        months = 1 if self.kind == "M" else 3
        first = self.ordinal if self.kind == "M" else self.ordinal * 3
        nxt = first + months
        return datetime(nxt // 12, nxt % 12 + 1, 1, tzinfo=TZ)


@dataclass
class Custody:
    booked_at: datetime
    shipment_id: str
    line: int
    amount: Decimal


@dataclass
class Outcome:
    """Everything the contract asks for; main() prints the summary, tests may read the rest."""

    read: int = 0
    accepted: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)
    # standard -> (window, group) -> [passed, breached, pending, excluded]
    tallies: dict[str, dict[tuple[Window, str], list[int]]] = field(
        default_factory=lambda: {s: {} for s in STANDARDS}
    )
    overdue_open: dict[str, list[str]] = field(
        default_factory=lambda: {"pickup-2h": [], "delivery-24h": []}
    )
    custody: list[Custody] = field(default_factory=list)


def _require(obj: dict[str, Any], name: str) -> Any:
    value = obj.get(name)
    if value is None:
        raise RecordError(f"{name}: missing")
    return value


def _text(obj: dict[str, Any], name: str) -> str:
    value = _require(obj, name)
    if not isinstance(value, str) or not value:
        raise RecordError(f"{name}: not a non-empty string")
    return value


def _choice(obj: dict[str, Any], name: str, allowed: frozenset[str]) -> str:
    value = _require(obj, name)
    if not isinstance(value, str) or value not in allowed:
        raise RecordError(f"{name}: not one of the allowed values")
    return value


def _timestamp(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or TIMESTAMP_SHAPE.fullmatch(value) is None:
        raise RecordError(f"{name}: not a valid date/time with an offset")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{name}: not a valid date/time") from None


def _optional_timestamp(obj: dict[str, Any], name: str) -> datetime | None:
    value = obj.get(name)
    return None if value is None else _timestamp(value, name)


def _amount(obj: dict[str, Any], name: str) -> Decimal:
    value = _require(obj, name)
    if isinstance(value, Decimal):
        if value.is_finite():
            return value
    elif (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and AMOUNT_SHAPE.fullmatch(value)
    ):
        return Decimal(value)
    raise RecordError(f"{name}: not an amount")


def _flag(obj: dict[str, Any], name: str, required: bool) -> bool:
    value = obj.get(name)
    if value is None:
        if required:
            raise RecordError(f"{name}: missing")
        return False
    if not isinstance(value, bool):
        raise RecordError(f"{name}: not true or false")
    return value


def parse_shipment(obj: Any) -> Shipment:
    if not isinstance(obj, dict):
        raise RecordError("not a JSON object")
    return Shipment(
        shipment_id=_text(obj, "shipment_id"),
        service=_choice(obj, "service", SERVICES),
        office=_choice(obj, "office", OFFICES),
        booked_at=_timestamp(_require(obj, "booked_at"), "booked_at"),
        picked_up_at=_optional_timestamp(obj, "picked_up_at"),
        delivered_at=_optional_timestamp(obj, "delivered_at"),
        value=_amount(obj, "value"),
        complete=_flag(obj, "complete", True),
        accurate=_flag(obj, "accurate", True),
        billed_correctly=_flag(obj, "billed_correctly", True),
        damaged=_flag(obj, "damaged", False),
        lost=_flag(obj, "lost", False),
        force_majeure=_flag(obj, "force_majeure", False),
    )


def within(
    event: datetime | None, start: datetime | None, limit: timedelta, as_of: datetime
) -> int:
    """Three-valued "event within limit of start"."""
    if start is None:
        return PENDING
    due = start + limit
    if event is not None:
        return PASSED if event <= due else BREACHED
    return BREACHED if as_of > due else PENDING


def _bump(table: dict[tuple[Window, str], list[int]], key: tuple[Window, str], state: int) -> None:
    counts = table.get(key)
    if counts is None:
        counts = table[key] = [0, 0, 0, 0]
    counts[state] += 1


def evaluate(lines: Iterable[bytes], as_of: datetime) -> Outcome:
    out = Outcome()
    decode = json.JSONDecoder(parse_float=Decimal).decode
    seen: set[str] = set()
    pickup = out.tallies["pickup-2h"]
    delivery = out.tallies["delivery-24h"]
    perfect = out.tallies["perfect-order"]
    custody = out.tallies["safe-custody"]
    billing = out.tallies["billing-accuracy"]
    reject = out.rejections.append

    for number, raw in enumerate(lines, 1):
        out.read = number
        try:
            obj = decode(raw.decode("utf-8"))
        except ValueError:
            reject((number, "not valid JSON"))
            continue
        try:
            s = parse_shipment(obj)
        except RecordError as err:
            reject((number, str(err)))
            continue
        if s.shipment_id in seen:
            reject((number, "shipment_id: duplicate"))
            continue
        seen.add(s.shipment_id)
        out.accepted += 1

        local = s.booked_at.astimezone(TZ)
        if not EFFECTIVE_FROM <= local.date() <= EFFECTIVE_TO:
            continue
        month = Window("M", local.year * 12 + local.month - 1)

        state = within(s.picked_up_at, s.booked_at, PICKUP_LIMIT, as_of)
        _bump(pickup, (month, s.office), state)
        if state == BREACHED and s.picked_up_at is None:
            out.overdue_open["pickup-2h"].append(s.shipment_id)

        if s.service in AIR_SERVICES:
            if s.force_majeure:
                _bump(delivery, (month, ""), EXCLUDED)
            else:
                state = within(s.delivered_at, s.picked_up_at, DELIVERY_LIMIT, as_of)
                _bump(delivery, (month, ""), state)
                if state == BREACHED and s.delivered_at is None:
                    out.overdue_open["delivery-24h"].append(s.shipment_id)

        _bump(perfect, (month, ""), PASSED if s.complete and s.accurate else BREACHED)

        if s.lost or s.damaged:
            _bump(custody, (month, ""), BREACHED)
            amount = s.value.quantize(CENT, ROUND_HALF_UP)
            out.custody.append(Custody(s.booked_at, s.shipment_id, number, amount))
        else:
            _bump(custody, (month, ""), PASSED)

        quarter = Window("Q", local.year * 4 + (local.month - 1) // 3)
        _bump(billing, (quarter, ""), PASSED if s.billed_correctly else BREACHED)
    return out


def met(standard: str, counts: list[int]) -> bool | None:
    """Target met, compared as integers; None when nothing was scored."""
    passed, breached = counts[PASSED], counts[BREACHED]
    if passed + breached == 0:
        return None
    return passed * 100 >= TARGET_PERCENT[standard] * (passed + breached)


def rate(counts: list[int]) -> str | None:
    scored = counts[PASSED] + counts[BREACHED]
    if scored == 0:
        return None
    return str((Decimal(100 * counts[PASSED]) / scored).quantize(CENT, ROUND_HALF_UP))


def missed_windows(out: Outcome, standard: str) -> list[Window]:
    return sorted(
        window
        for (window, _), counts in out.tallies[standard].items()
        if met(standard, counts) is False
    )


def delivery_penalties(out: Outcome) -> dict[Window, tuple[Decimal, Decimal]]:
    """Gross and net (after the monthly cap) per month with a breach."""
    result = {}
    for (window, _), counts in sorted(out.tallies["delivery-24h"].items()):
        if counts[BREACHED]:
            gross = DELIVERY_PENALTY * counts[BREACHED]
            result[window] = (gross, min(gross, DELIVERY_CAP))
    return result


def service_credits(out: Outcome) -> dict[Window, Decimal]:
    credit = (MONTHLY_FEE * CREDIT_SHARE).quantize(CENT, ROUND_HALF_UP)
    return dict.fromkeys(missed_windows(out, "perfect-order"), credit)


def disqualification(out: Outcome) -> tuple[str, datetime, list[str]] | None:
    """The earliest of: 3 custody breaches within 90 days; 3 missed delivery months in a row."""
    found: list[tuple[datetime, str, list[str]]] = []
    breaches = sorted(out.custody, key=lambda c: c.booked_at)
    n = CUSTODY_BREACHES_TO_DISQUALIFY
    for i in range(n - 1, len(breaches)):
        first, last = breaches[i - n + 1], breaches[i]
        if last.booked_at - first.booked_at < CUSTODY_SPAN:
            ids = [c.shipment_id for c in breaches[i - n + 1 : i + 1]]
            found.append((last.booked_at, "safe-custody", ids))
            break
    run: list[Window] = []
    for window in missed_windows(out, "delivery-24h"):
        run = [*run, window] if run and run[-1].ordinal + 1 == window.ordinal else [window]
        if len(run) == MISSED_MONTHS_TO_DISQUALIFY:
            found.append((window.end(), "delivery-24h", [w.label() for w in run]))
            break
    if not found:
        return None
    at, standard, evidence = min(found, key=lambda f: f[0])
    return standard, at, evidence


def summary(out: Outcome) -> dict[str, Any]:
    penalties = sum((net for _, net in delivery_penalties(out).values()), Decimal(0))
    penalties += sum((c.amount for c in out.custody), Decimal(0))
    credits = sum(service_credits(out).values(), Decimal(0))
    disq = disqualification(out)
    return {
        "accepted": out.accepted,
        "rejected": len(out.rejections),
        "penalties": str(penalties.quantize(CENT, ROUND_HALF_UP)),
        "service_credits": str(credits.quantize(CENT, ROUND_HALF_UP)),
        "breaches": {
            standard: sum(counts[BREACHED] for counts in out.tallies[standard].values())
            for standard in STANDARDS
        },
        "disqualification": None
        if disq is None
        else {
            "standard": disq[0],
            "at": disq[1].astimezone(TZ).isoformat(),
            "evidence": disq[2],
        },
    }


def _as_of(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("needs an offset, e.g. 2026-01-01T00:00:00+08:00")
    return moment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("data", help="shipments, one JSON object per line")
    parser.add_argument("--as-of", type=_as_of, required=True, help="ISO 8601 with an offset")
    args = parser.parse_args(argv)
    with open(args.data, "rb") as lines:
        out = evaluate(lines, args.as_of)
    json.dump(summary(out), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
