"""The words, numbers and record references every part of the audit report shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from slacheck._words import plural
from slacheck.ast import Period
from slacheck.findings import (
    RecordRef,
    StandardResult,
)
from slacheck.reporters._format import (
    figure,
    fraction,
    goal,
    percent,
    printable,
    target,
)
from slacheck.reporters._format import number as as_number

LIST_LIMIT = 20
"""Records listed per list in a report; beyond it they are counted, and the JSON has them."""

JSON_POINTER = "the JSON report (slacheck verify --format json)"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

STATUS_TEXT = {
    "met": "met",
    "warned": "met, at risk (warning band)",
    "missed": "missed",
    "below-open": "below target (open)",
    "met-open": "met so far (open)",
    "warned-open": "met so far, at risk (open)",
    "not-evaluated": "not evaluated",
    "no-commitment": "no commitment",
    "breaches": "breaches",
    "clean": "no breaches",
}
"""Each window status, as the reports word it: `warned` is met but inside the contract's
warning band; `not-evaluated` is neither met nor missed (no records, nothing to measure, or
fewer records than the minimum sample); `no-commitment` a group the contract sets no target
for."""

COLOURS = {
    "met": "#2e7d32",
    "warned": "#b58100",
    "missed": "#c62828",
    "below-open": "#ef6c00",
    "met-open": "#81c784",
    "warned-open": "#e0b84a",
    "not-evaluated": "#9e9e9e",
    "no-commitment": "#b0b7bf",
    "breaches": "#c62828",
    "clean": "#2e7d32",
}



# -- words for numbers, money and time ------------------------------------------------


def money(amount: Decimal) -> str:
    """An amount with thousands separators, every decimal kept: 159050.50 -> 159,050.50.

    >>> money(Decimal("159050.50")), money(Decimal("-3000.00")), money(Decimal("0"))
    ('159,050.50', '-3,000.00', '0')
    """
    return format(amount, ",")


def count(number: int, noun: str) -> str:
    """A count and its noun, as it reads.

    >>> count(1, "record"), count(5, "breach")
    ('1 record', '5 breaches')
    """
    return f"{number:,} {plural(number, noun)}"


def when(label: str) -> str:
    """A window label in words.

    >>> [when(x) for x in ("2025-02", "2025-Q1", "2025-W05", "2025-03-14", "2025")]
    ['February 2025', 'Q1 2025', 'week 5 of 2025', '14 March 2025', '2025']
    >>> [when(x) for x in ("2024-03-01/2024-03-03", "2024-02-28/2024-03-01")]
    ['1 to 3 March 2024', '28 February to 1 March 2024']
    >>> when("2024-12-30/2025-01-01")
    '30 December 2024 to 1 January 2025'
    """
    if found := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})/(\d{4})-(\d{2})-(\d{2})", label):
        first, last = when(label[:10]), when(label[11:])  # a rolling window's days
        if found[1] != found[4]:
            return f"{first} to {last}"
        if found[2] != found[5]:
            return f"{first.rsplit(' ', 1)[0]} to {last}"
        return f"{int(found[3])} to {last}"
    if found := re.fullmatch(r"(\d{4})-(\d{2})", label):
        return f"{MONTHS[int(found[2]) - 1]} {found[1]}"
    if found := re.fullmatch(r"(\d{4})-Q(\d)", label):
        return f"Q{found[2]} {found[1]}"
    if found := re.fullmatch(r"(\d{4})-W(\d{2})", label):
        return f"week {int(found[2])} of {found[1]}"
    if found := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", label):
        return f"{int(found[3])} {MONTHS[int(found[2]) - 1]} {found[1]}"
    return label


def period_of(label: str) -> Period | None:
    """The calendar period a window label names (see `slacheck.windows.label`)."""
    patterns = (
        (r"\d{4}-\d{2}-\d{2}", Period.DAY), (r"\d{4}-W\d{2}", Period.WEEK),
        (r"\d{4}-\d{2}", Period.MONTH), (r"\d{4}-Q\d", Period.QUARTER), (r"\d{4}", Period.YEAR),
    )
    return next((period for pattern, period in patterns if re.fullmatch(pattern, label)), None)


def moment(value: datetime) -> str:
    """A moment in words, with its UTC offset: 29 March 2025 at 11:06 (UTC+08:00)."""
    offset = value.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    clock = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        clock += f":{value.second:02d}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year} at {clock} ({zone})"


def group_text(group: tuple[tuple[str, str], ...]) -> str:
    return printable(", ".join(f"{name}={value}" for name, value in group))


def group_words(group: tuple[tuple[str, str], ...]) -> str:
    return printable(", ".join(f"{name} {value}" for name, value in group))


def anchor(text: str) -> str:
    return "std-" + re.sub(r"[^A-Za-z0-9_-]", "-", text)


def rate_text(rate: Fraction | None) -> str | None:
    shown = percent(rate)
    return None if shown is None else f"{shown}%"


def target_text(rate: Fraction | None) -> str | None:
    shown = target(rate)
    return None if shown is None else f"{shown}%"


@dataclass(frozen=True, slots=True)
class Units:
    """How an amount of money reads: the contract's currency, and its zero (`0.00`), which
    gives the number of decimals."""

    currency: str = ""
    zero: Decimal | None = None


def amount(value: Fraction | None, unit: str, units: Units | None = None) -> str | None:
    """A measure's figure in its unit (`19h`, `98.50%`, `2`), money as the contract writes
    it, with its currency.

    >>> amount(Fraction(197, 200), "share"), amount(Fraction(37800), "seconds")
    ('98.50%', '10.5h')
    >>> amount(Fraction(220150, 100), "money", Units("CNY", Decimal("0.00")))
    '2,201.50 CNY'
    >>> amount(Fraction(1, 3), "money", Units("CNY", Decimal("0.00"))), amount(None, "number")
    ('0.333333 CNY', None)
    """
    if value is None:
        return None
    if unit != "money":
        return figure(value, unit)
    units = units or Units()
    shown = as_number(value)
    if units.zero is not None:
        written = Decimal(value.numerator) / Decimal(value.denominator)
        try:
            rounded = written.quantize(units.zero)
        except InvalidOperation:
            rounded = None
        if rounded is not None and Fraction(rounded) == value:
            shown = money(rounded)
    return f"{shown} {units.currency}" if units.currency else shown


def objective(value: Fraction | None, unit: str, op: str,
              units: Units | None = None) -> str | None:
    """A target as a reader takes it: a share to reach as written (`97%`), any other
    comparison with its direction (`<= 72h`, `< 19h`, `>= 5`, `<= 2%`).

    >>> objective(Fraction(97, 100), "share", ">="), objective(Fraction(86400), "seconds", "<=")
    ('97%', '<= 24h')
    """
    shown = amount(value, unit, units) if unit == "money" else goal(value, unit)
    if shown is None:
        return None
    return shown if op == ">=" and unit == "share" else f"{op} {shown}"


def exact(value: Fraction | None, unit: str) -> str | None:
    """The exact fraction beside a figure, when the figure alone does not say it: always
    for a share (`216/227`), else only when the figure is rounded (`1/3` of a unit).

    >>> exact(Fraction(216, 227), "share"), exact(Fraction(37800), "seconds")
    ('216/227', None)
    >>> exact(Fraction(1, 3), "number"), exact(Fraction(200, 3), "seconds")
    ('1/3', '200/3 s')
    """
    if value is None:
        return None
    if unit == "share":
        return fraction(value)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        return None  # a finite decimal, shown whole
    return f"{fraction(value)}{' s' if unit == 'seconds' else ''}"


# -- the view -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    id: str
    line: int
    source: str

    @property
    def text(self) -> str:
        return f"{self.id} (line {self.line})"


@dataclass(frozen=True, slots=True)
class RefList:
    """Records behind a finding: the first `LIST_LIMIT` listed, the rest counted."""

    shown: tuple[Ref, ...]
    total: int
    note: str
    """Where the records not listed are, when some are not."""

    @property
    def more(self) -> int:
        return self.total - len(self.shown)

    @property
    def text(self) -> str:
        listed = ", ".join(ref.text for ref in self.shown)
        return listed + (f", and {self.more:,} more" if self.more > 0 else "")


def refs(records: tuple[RecordRef, ...], total: int, limit: int = LIST_LIMIT) -> RefList:
    shown = tuple(Ref(printable(ref.id), ref.line, printable(ref.source))
                  for ref in records[:limit])
    note = ""
    if total > len(shown):
        if len(records) >= total:
            note = f"all {total:,} are listed in {JSON_POINTER}"
        else:
            note = (f"{JSON_POINTER} lists the first {len(records):,}; run it with "
                    f"--evidence-limit {total} to list all {total:,}")
    return RefList(shown, total, note)


def as_ref(ref: RecordRef) -> Ref:
    return Ref(printable(ref.id), ref.line, printable(ref.source))


def title_of(standard: StandardResult) -> str:
    """The standard's title, or "" when it has none of its own (its id stands for it)."""
    title = printable(standard.title)
    return "" if title == standard.id else title


def shell(path: str) -> str:
    """A path or word as a shell reads it back: quoted unless plain."""
    return path if re.fullmatch(r"[\w./+:=@%-]+", path) else "'" + path.replace("'", "'\\''") + "'"
