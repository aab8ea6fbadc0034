"""The audit report's charts: a standard's windows against its target, as inline SVG
computed here (axes, ticks, bars, the target and warning lines), no plotting library."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from slacheck.ast import Period
from slacheck.findings import (
    StandardResult,
)
from slacheck.reporters._format import (
    figure,
    printable,
    target,
)
from slacheck.reporters._wording import (
    COLOURS,
    MONTHS,
    STATUS_TEXT,
    count,
    period_of,
    target_text,
    when,
)

if TYPE_CHECKING:
    from slacheck.reporters._view import Row


@dataclass(frozen=True, slots=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    colour: str
    label: str
    """The value printed above the bar, or empty when bars are too narrow for it."""
    label_x: str
    label_y: str
    title: str
    group: str
    group_y: str
    target_y: str = ""
    """Where this bar's own target is marked, when the groups' targets differ."""
    target_x1: str = ""
    target_x2: str = ""


@dataclass(frozen=True, slots=True)
class Gap:
    """A window (and group) not evaluated, or with no data: a mark instead of a bar."""

    x: str
    y: str
    text: str
    title: str


@dataclass(frozen=True, slots=True)
class Tick:
    y: str
    text: str


@dataclass(frozen=True, slots=True)
class Slot:
    x: str
    y: str
    text: str
    divider: str


@dataclass(frozen=True, slots=True)
class Chart:
    """An inline SVG chart: geometry computed here, drawn by the template."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    kind: str
    """`rate` (the rate against the target), `measure` (any other measure against its
    target) or `count` (breaches per window)."""
    title: str
    desc: str
    ticks: tuple[Tick, ...]
    slots: tuple[Slot, ...]
    bars: tuple[Bar, ...]
    gaps: tuple[Gap, ...]
    target_y: str | None
    target_label: str | None
    legend: tuple[tuple[str, str], ...]
    marks: bool = False
    """Each bar marks its own target (the groups' targets differ), instead of one line."""
    band_y: str = ""
    """The warning band, between the target and the warning line, when they are one."""
    band_height: str = ""
    band_label: str = ""




# -- charts ---------------------------------------------------------------------------

_WIDTH, _HEIGHT = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 96, 16, 60

_SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600,
                 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400)
"""Tick steps for durations, in seconds: what a clock or a calendar counts in."""


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_step(raw: Fraction, unit: str) -> Fraction:
    """The tick step of an axis: the smallest round step at least `raw` (1, 2, 2.5 or 5
    times a power of ten; for durations, steps a clock counts in).

    >>> nice_step(Fraction(7), "number"), nice_step(Fraction(3, 100), "number")
    (Fraction(10, 1), Fraction(1, 20))
    >>> nice_step(Fraction(4 * 3600 + 1), "seconds")
    Fraction(21600, 1)
    """
    if raw <= 0:
        return Fraction(1)
    if unit == "seconds" and raw <= _SECOND_STEPS[-1]:
        return Fraction(next(step for step in _SECOND_STEPS if step >= raw))
    base = Fraction(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Fraction(1)
    while base > raw:
        base /= 10
    while base * 10 < raw:
        base *= 10
    return next(base * m for m in (Fraction(1), Fraction(2), Fraction(5, 2), Fraction(5),
                                   Fraction(10)) if base * m >= raw)


def axis(values: list[Fraction], unit: str,
         whole: bool = False) -> tuple[Fraction, Fraction, list[Fraction]]:
    """Low, high and ticks of an axis that shows every value (targets included), from 0
    unless a value is below it, in about four round steps; `whole` for counts, whose
    steps are whole numbers.

    >>> low, high, ticks = axis([Fraction(19 * 3600), Fraction(19 * 3600)], "seconds")
    >>> high / 3600, [int(t / 3600) for t in ticks]
    (Fraction(24, 1), [0, 6, 12, 18, 24])
    >>> [str(t) for t in axis([Fraction(2), Fraction(1)], "number", whole=True)[2]]
    ['0', '1', '2']
    """
    low_value = min([Fraction(0), *values])
    high_value = max([Fraction(0), *values])
    if high_value == low_value:
        high_value = low_value + (3600 if unit == "seconds" else 1)
    step = nice_step((high_value - low_value) / 4, unit)
    if whole:
        step = max(Fraction(1), Fraction(math.ceil(step)))
    low = (low_value // step) * step
    high = -((-high_value) // step) * step
    ticks = []
    tick = low
    while tick <= high:
        ticks.append(tick)
        tick += step
    return low, high, ticks


_CHAR_WIDTH = 6.8
"""About the width of a character of the charts' 12px labels, in the SVG's units."""


def slot_text(label: str, width: float) -> str:
    """A window's label under its bars: in words when they fit the slot's `width`, else
    shorter (a rolling window's days: `1-3 Mar`), else the label itself.

    >>> slot_text("2024-03-01/2024-03-03", 200), slot_text("2024-03-01/2024-03-03", 95)
    ('1 to 3 March 2024', '1-3 Mar')
    >>> slot_text("2024-02-28/2024-03-01", 95), slot_text("2025-09", 95)
    ('28 Feb-1 Mar', 'September 2025')
    """
    words = when(label)
    if len(words) * _CHAR_WIDTH <= width - 4:
        return words
    if found := re.fullmatch(r"\d{4}-(\d{2})-(\d{2})/\d{4}-(\d{2})-(\d{2})", label):
        first, last = int(found[2]), int(found[4])
        start, end = MONTHS[int(found[1]) - 1][:3], MONTHS[int(found[3]) - 1][:3]
        return f"{first}-{last} {end}" if start == end else f"{first} {start}-{last} {end}"
    return words if period_of(label) is Period.MONTH else label


def chart(standard: StandardResult, rows: list[Row], has_target: bool, measure: str = "rate",
           unit: str = "share") -> Chart:
    labels = list(dict.fromkeys(row.label for row in rows))
    groups = list(dict.fromkeys(row.group for row in rows)) or [""]
    goals = list(dict.fromkeys(row.goal for row in rows if row.goal is not None))
    one_goal = goals[0] if len(goals) == 1 else None
    warns = list(dict.fromkeys(row.warn for row in rows if row.warn is not None))
    one_warn = warns[0] if len(warns) == 1 and one_goal is not None else None
    target_label = None
    if has_target and one_goal is not None:
        target_label = "target " + next(row.target or "" for row in rows if row.goal == one_goal)
    # room on the right for the target's label (12px type: about 7px a character)
    right = max(_RIGHT, 12 + 7 * len(target_label or ""))
    plot_w = _WIDTH - _LEFT - right
    plot_h = _HEIGHT - _TOP - _BOTTOM
    bottom = _TOP + plot_h
    slot_w = plot_w / max(1, len(labels))
    bar_w = min(48.0, slot_w * 0.8 / len(groups))
    figures = [row.figure for row in rows if row.figure is not None]
    upward = all(w.op in (">=", ">") for w in standard.windows)
    tick_values: list[Fraction]
    if has_target and unit == "share" and upward:
        floor_of = min([*figures, *goals], default=Fraction(0))
        low_pc = max(0, (int(floor_of * 100) - 2) // 5 * 5)
        step_pc = 5 if 100 - low_pc <= 25 else 10 if 100 - low_pc <= 50 else 20
        low, high = Fraction(low_pc, 100), Fraction(1)
        tick_values = [Fraction(t, 100) for t in range(low_pc, 101, step_pc)]
    elif has_target:
        low, high, tick_values = axis([*figures, *goals, *warns], unit,
                                      measure.startswith("count("))
    else:
        most = max([row.breached for row in rows], default=0)
        step = max(1, -(-most // 4))
        low, high = Fraction(0), Fraction(max(step * 4, 1))
        tick_values = [Fraction(t) for t in range(0, int(high) + 1, step)]

    def y_of(value: Fraction | int) -> float:
        return bottom - float((value - low) / (high - low)) * plot_h

    def tick_text(value: Fraction) -> str:
        if not has_target:
            return str(value)
        if unit == "share":
            return f"{target(value)}%"
        return "0" if value == 0 else figure(value, unit) or ""

    grouped = any(groups)
    bars: list[Bar] = []
    gaps: list[Gap] = []
    slot_texts = []
    for index, label in enumerate(labels):
        x0 = _LEFT + index * slot_w
        slot_texts.append(Slot(_num(x0 + slot_w / 2), _num(bottom + (34 if grouped else 18)),
                               slot_text(label, slot_w) if len(labels) <= 12 else label,
                               _num(x0)))
        members = [row for row in rows if row.label == label]
        start = x0 + (slot_w - bar_w * len(members)) / 2
        for position, row in enumerate(members):
            x = start + position * bar_w
            centre = x + bar_w / 2
            name = row.heading
            if not row.evaluated or (has_target and row.figure is None):
                why = row.reason or "nothing to measure"
                gaps.append(Gap(_num(centre), _num(bottom - 6), "not evaluated",
                                f"{name}: not evaluated ({why})"))
                continue
            value: Fraction | int = (row.figure if has_target and row.figure is not None
                                     else row.breached)
            top = y_of(value)
            base = y_of(max(low, min(high, Fraction(0)))) if has_target else bottom
            shown = row.value if has_target else str(row.breached)
            if not has_target:
                tip = f"{name}: {count(row.breached, 'breach')} of {row.counted:,}"
            elif measure == "rate":
                tip = (f"{name}: {row.value} ({row.passed} of {row.counted}), target "
                       f"{row.target or 'none'}, {row.status_text}")
            else:
                tip = (f"{name}: {printable(measure)} {row.value} over "
                       f"{count(row.sample, 'record')}, target {row.target or 'none'}, "
                       f"{row.status_text}")
            mark = ""
            if has_target and one_goal is None and row.goal is not None:
                mark = _num(y_of(row.goal))
            bars.append(Bar(
                x=_num(x + 1), y=_num(min(top, base)), width=_num(max(1.0, bar_w - 2)),
                height=_num(max(0.0, abs(base - top))), colour=COLOURS[row.status],
                label=(shown or "") if bar_w >= 34 else "",
                label_x=_num(centre), label_y=_num(min(top, base) - 4), title=tip,
                group=row.group_values if row.group and bar_w >= 34 else "",
                group_y=_num(bottom + 15),
                target_y=mark, target_x1=_num(x - 2) if mark else "",
                target_x2=_num(x + bar_w + 2) if mark else "",
            ))
    target_y = None if one_goal is None or target_label is None else _num(y_of(one_goal))
    band_y = band_height = band_label = ""
    if one_warn is not None and one_goal is not None and target_label is not None:
        edges = sorted((y_of(one_goal), y_of(one_warn)))
        band_y, band_height = _num(edges[0]), _num(edges[1] - edges[0])
        line = (target_text(one_warn) if unit == "share" else figure(one_warn, unit)) or ""
        band_label = f"the warning band, between the target and the {line} warning line"
    kind = ("rate" if measure == "rate" else "measure") if has_target else "count"
    measured = {"rate": "rate of records that met the standard", "count": "breaches",
                "measure": printable(measure)}[kind]
    against = ""
    if target_label is not None:
        against = f" against the {target_label[len('target '):]} target"
    elif has_target and goals:
        against = " against each group's target"
    desc_parts = []
    for row in rows:
        if not row.evaluated or (has_target and row.figure is None):
            said = row.status_text
        elif has_target:
            said = f"{row.value}, {row.status_text}"
        else:
            said = count(row.breached, "breach")
        desc_parts.append(f"{row.heading}: {said}")
    statuses = list(dict.fromkeys(row.status for row in rows))
    legend = tuple((STATUS_TEXT[status], COLOURS.get(status, "#9e9e9e")) for status in statuses)
    return Chart(
        width=_WIDTH, height=_HEIGHT, left=_LEFT, right=_WIDTH - right, top=_TOP,
        bottom=bottom,
        kind=kind,
        title=f"{standard.id}: {measured} per window{against}",
        desc="; ".join(desc_parts),
        ticks=tuple(Tick(_num(y_of(t)), tick_text(t)) for t in tick_values),
        slots=tuple(slot_texts),
        bars=tuple(bars),
        gaps=tuple(gaps),
        target_y=target_y,
        target_label=target_label,
        legend=legend,
        marks=any(bar.target_y for bar in bars),
        band_y=band_y,
        band_height=band_height,
        band_label=band_label,
    )

