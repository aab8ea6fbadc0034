"""The clause parser: one Lark LALR parser, a Transformer into `ast`, Lark errors as diagnostics."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.tree import Meta

from slacheck import _tables, ast
from slacheck._source import Source, Span
from slacheck.diagnostics import (
    BAD_VALUE,
    BAD_WINDOW,
    CLAUSE_SYNTAX,
    CLAUSE_TOO_DEEP,
    ContractError,
    Diagnostic,
)
from slacheck.types import (
    FIRST_DATE,
    LAST_DATE,
    LIMIT_COUNT,
    LIMIT_DURATION,
    LIMIT_MONTHS,
    LIMIT_NUMBER,
    MAX_DECIMALS,
)

CLAUSES = ("expr", "window", "target", "penalty", "credit", "reward", "payment", "disqualify",
           "amount",
           "limit", "escalate")

MAX_DEPTH = 100
"""How deep a clause may nest, counting every node from the top to a name or literal (`a`
is 1 deep, a chain of N terms N): deep enough for any clause a person writes, shallow
enough for the checker and the compiler to walk recursively."""

_MICROSECONDS = {
    "ms": 1_000,
    "s": 1_000_000,
    "min": 60_000_000,
    "h": 3_600_000_000,
    "d": 86_400_000_000,
    "w": 604_800_000_000,
}

_DURATION_LIMIT = f"a duration is at most 100 years ({LIMIT_DURATION // _MICROSECONDS['d']}d)"

# What a user should read instead of a terminal's name in "expected ..." hints.
_READABLE = {
    "PERCENT": "a percentage like `97%`",
    "AGGREGATE": "a measure like `p95(transit)`",
    "RECORDS": "`records`",
    "WARN_SIDE": "`below` or `above`",
    "DURATION": "a duration like `24h`",
    "NUMBER": "a number",
    "INT": "a whole number",
    "NAME": "a field name",
    "STRING": 'a string like `"TSN"`',
    "CURRENCY": "a currency code like `CNY`",
    "PERIOD": "a period (day, week, month, quarter, year)",
    "COMP_OP": "a comparison (<, <=, ==, !=, >=, >)",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "COMMA": "`,`",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "STAR": "`*`",
    "SLASH": "`/`",
    "TIMESTAMP": "a timestamp like `2024-07-05T00:00+08:00`",
    "DATE": "a date like `2024-07-05`",
    "CALENDAR_DURATION": "months or years like `9 months`",
    "BUSINESS_DAYS": "business days like `2 business days`",
    "CLOCK": "a time of day like `17:00`",
}


STARTS = [f"start_{name}" for name in CLAUSES]

# A name just before an unexpected `(`: someone wrote a call where none can stand, say
# `per month by min(a, b)`.
_CALLED = re.compile(r"(?<![A-Za-z0-9_])(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\Z")
_WORDS = frozenset({"and", "or", "not", "in", "within", "of", "true", "false", "per", "by",
                    "at", "most", "breach", "after", "on", "any", "least", "warn", "for",
                    "if", "then", "else", "between", "using", "cutoff", "with"})
# A target's measure still open at an unexpected comma: `max(a, b) <= 72h per month`.
_MEASURE_OPEN = re.compile(r"\s*(?P<name>count|sum|mean|min|max|p[0-9.]+)\s*\([^()]*\Z")
_EXTREME = {"min": "smallest", "max": "largest"}
_FUNCTIONS_HINT = ("the functions are " + ", ".join(f"`{name}`" for name in ast.FUNCTIONS)
                   + "; otherwise write the condition with operators, comparisons, `and`, "
                   "`or` and `not`")


@functools.cache
def _lark() -> Lark:
    return _tables.load(STARTS)


ROLLING_DAYS_MAX = 366
"""The longest rolling window: a year. Each day's window merges this many days' counts."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Rolling:
    days: int


class _ClauseError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@v_args(meta=True)
class _ToAst(Transformer[Token, Any]):
    """Builds `ast` nodes, each with the span of its text in the clause's source."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self._source = source

    def _span(self, meta: Meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self._source, meta.start_pos, meta.end_pos)

    def _tspan(self, token: Token) -> Span:
        start = token.start_pos or 0
        return Span(self._source, start, token.end_pos or start + len(token))

    # literals: each in range, so that no computation with it can fail
    def _sized(self, value: Decimal, span: Span | None) -> Decimal:
        hint = None
        exponent = value.normalize().as_tuple().exponent
        if value.copy_abs() >= LIMIT_NUMBER:  # exact: abs() rounds to the context
            hint = "numbers and amounts must be less than 10^15 in size"
        elif isinstance(exponent, int) and -exponent > MAX_DECIMALS:
            hint = f"numbers and amounts have at most {MAX_DECIMALS} decimal places"
        if hint is not None:
            raise _ClauseError(Diagnostic(
                BAD_VALUE, f"`{span.text if span else value}` is out of range", span, (hint,)))
        return value

    def number(self, meta: Meta, children: list[Token]) -> ast.Number:
        span = self._span(meta)
        return ast.Number(value=self._sized(Decimal(str(children[0])), span), span=span)

    def percent(self, meta: Meta, children: list[Token]) -> ast.Percent:
        return self._percent(children[0])

    def _percent(self, token: Token) -> ast.Percent:
        span = self._tspan(token)
        value = Decimal(str(token)[:-1]).scaleb(-2)
        return ast.Percent(value=self._sized(value, span), span=span)

    def money(self, meta: Meta, children: list[Token]) -> ast.Money:
        span = self._span(meta)
        amount = self._sized(Decimal(str(children[0])), span)
        return ast.Money(amount=amount, currency=str(children[1]), span=span)

    def _count(self, token: Token) -> int:
        text = str(token)
        if len(text) > len(str(LIMIT_COUNT)) or int(text) > LIMIT_COUNT:
            raise _ClauseError(Diagnostic(BAD_VALUE, f"`{text}` is out of range",
                                          self._tspan(token),
                                          (f"a count is at most {LIMIT_COUNT:,}",)))
        return int(text)

    def duration(self, meta: Meta, children: list[Token]) -> ast.Duration:
        return self._duration(children[0])

    def _duration(self, token: Token) -> ast.Duration:
        text = str(token)
        digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        amount = Decimal(digits) * _MICROSECONDS[text[len(digits) :]]
        if amount > LIMIT_DURATION:
            raise _ClauseError(Diagnostic(BAD_VALUE, f"`{text}` is out of range",
                                          self._tspan(token), (_DURATION_LIMIT,)))
        if amount != amount.to_integral_value():
            raise _ClauseError(
                Diagnostic(
                    BAD_VALUE,
                    f"duration `{text}` is not a whole number of microseconds",
                    self._tspan(token),
                )
            )
        return ast.Duration(microseconds=int(amount), text=text, span=self._tspan(token))

    def string(self, meta: Meta, children: list[Token]) -> ast.String:
        return ast.String(value=str(children[0])[1:-1], span=self._span(meta))

    def true(self, meta: Meta, children: list[Token]) -> ast.Bool:
        return ast.Bool(value=True, span=self._span(meta))

    def false(self, meta: Meta, children: list[Token]) -> ast.Bool:
        return ast.Bool(value=False, span=self._span(meta))

    # time: dates, timestamps, calendar durations, intervals, business days
    def _bad(self, token: Token, message: str, hint: str) -> _ClauseError:
        return _ClauseError(Diagnostic(BAD_VALUE, message, self._tspan(token), (hint,)))

    def _in_range(self, token: Token, day: date) -> date:
        if not FIRST_DATE <= day <= LAST_DATE:
            raise self._bad(token, f"`{token}` is out of range",
                            f"dates lie between {FIRST_DATE} and {LAST_DATE}")
        return day

    def date(self, meta: Meta, children: list[Token]) -> ast.Date:
        token = children[0]
        try:
            day = date.fromisoformat(str(token))
        except ValueError:
            raise self._bad(token, f"`{token}` is not a date",
                            "write a real day as YYYY-MM-DD: `2024-02-29`") from None
        return ast.Date(value=self._in_range(token, day), span=self._tspan(token))

    def timestamp(self, meta: Meta, children: list[Token]) -> ast.Timestamp:
        token = children[0]
        text = str(token)
        if not _OFFSET.search(text):
            raise self._bad(token, f"the timestamp `{text}` has no offset",
                            f"times are never naive: write `{text}+08:00` (its offset from "
                            f"UTC) or `{text}Z` (UTC)")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self._bad(token, f"`{text}` is not a timestamp",
                            "write a real moment: `2024-07-05T00:00+08:00`") from None
        self._in_range(token, moment.date())
        return ast.Timestamp(value=moment, text=text, span=self._tspan(token))

    def calendar_duration(self, meta: Meta, children: list[Token]) -> ast.CalendarDuration:
        token = children[0]
        text = str(token)
        digits = text[:len(text) - len(text.lstrip("0123456789"))]
        unit = text[len(digits):].strip().removesuffix("s")
        count = int(digits) if len(digits) <= 6 else LIMIT_MONTHS + 1
        if count * (12 if unit == "year" else 1) > LIMIT_MONTHS:
            raise self._bad(token, f"`{text}` is out of range",
                            "a calendar duration is at most 100 years (1200 months)")
        return ast.CalendarDuration(count=count, unit=unit, span=self._tspan(token))

    def between(self, meta: Meta, children: list[ast.Expr]) -> ast.Between:
        operand, low, high = children
        return ast.Between(operand=operand, low=low, high=high, span=self._span(meta))

    def closed_open(self, meta: Meta, children: list[ast.Expr]) -> tuple[Any, ...]:
        return (children[0], children[1], True, False)

    def open_closed(self, meta: Meta, children: list[ast.Expr]) -> tuple[Any, ...]:
        return (children[0], children[1], False, True)

    def in_interval(self, meta: Meta, children: list[Any]) -> ast.InRange:
        low, high, low_closed, high_closed = children[1]
        return ast.InRange(operand=children[0], low=low, high=high, low_closed=low_closed,
                           high_closed=high_closed, span=self._span(meta))

    def not_in_interval(self, meta: Meta, children: list[Any]) -> ast.InRange:
        return dataclasses.replace(self.in_interval(meta, children), negated=True)

    def within_business(self, meta: Meta, children: list[Any]) -> ast.WithinBusiness:
        event, days, start, calendar, *rest = children
        count = self._count(Token("INT", str(days).split()[0], start_pos=days.start_pos,
                                  end_pos=days.end_pos))
        cutoff = next((item for item in rest if isinstance(item, time)), None)
        zone = next((item for item in rest if isinstance(item, ast.Ref)), None)
        return ast.WithinBusiness(event=event, days=count, start=start, calendar=str(calendar),
                                  calendar_span=self._tspan(calendar), cutoff=cutoff, zone=zone,
                                  span=self._span(meta))

    def business_zone(self, meta: Meta, children: list[Token]) -> ast.Ref:
        return ast.Ref(name=str(children[0]), span=self._tspan(children[0]))

    def business_cutoff(self, meta: Meta, children: list[Token]) -> time:
        token = children[0]
        try:
            return time.fromisoformat(str(token))
        except ValueError:
            raise self._bad(token, f"`{token}` is not a time of day",
                            "write hours and minutes from 00:00 to 23:59: `17:00`") from None

    def ref(self, meta: Meta, children: list[Token]) -> ast.Ref:
        return ast.Ref(name=str(children[0]), span=self._span(meta))

    # operators
    def neg(self, meta: Meta, children: list[ast.Expr]) -> ast.Neg:
        return ast.Neg(operand=children[0], span=self._span(meta))

    def _chain(self, meta: Meta, operands: list[ast.Expr], ops: list[str],
               build: Callable[[str, ast.Expr, ast.Expr, Span], ast.Expr]) -> ast.Expr:
        """`a - b + c` folded to the left in a loop: ((a - b) + c)."""
        if len(operands) > MAX_DEPTH:
            extra = operands[MAX_DEPTH]
            raise _ClauseError(Diagnostic(
                CLAUSE_TOO_DEEP, f"more than {MAX_DEPTH} terms joined by `{ops[0]}`",
                extra.span, ("name a part of it as a derived field, or use `in [...]`",)))
        result = operands[0]
        for op, right in zip(ops, operands[1:], strict=True):
            end = right.span.end if right.span is not None else meta.end_pos
            result = build(op, result, right, Span(self._source, meta.start_pos, end))
        return result

    def _arithmetic(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return self._chain(
            meta, children[::2], [str(token) for token in children[1::2]],
            lambda op, left, right, span: ast.Binary(
                op=ast.BinOp(op), left=left, right=right, span=span))

    sum = _arithmetic
    product = _arithmetic

    def percent_of(self, meta: Meta, children: list[Any]) -> ast.PercentOf:
        return ast.PercentOf(
            percent=self._percent(children[0]), operand=children[1], span=self._span(meta)
        )

    def compare(self, meta: Meta, children: list[Any]) -> ast.Compare:
        left, op, right = children
        return ast.Compare(op=ast.CmpOp(str(op)), left=left, right=right, span=self._span(meta))

    def items(self, meta: Meta, children: list[ast.Expr]) -> tuple[ast.Expr, ...]:
        return tuple(children)

    def in_(self, meta: Meta, children: list[Any]) -> ast.In:
        return ast.In(operand=children[0], items=children[1], span=self._span(meta))

    def not_in(self, meta: Meta, children: list[Any]) -> ast.In:
        return ast.In(
            operand=children[0], items=children[1], negated=True, span=self._span(meta)
        )

    def within(self, meta: Meta, children: list[ast.Expr]) -> ast.Within:
        event, limit, start = children
        return ast.Within(event=event, limit=limit, start=start, span=self._span(meta))

    def presence(self, meta: Meta, children: list[Any]) -> ast.Presence:
        operand, word = children
        return ast.Presence(operand=operand, present=str(word) == "present",
                            span=self._span(meta))

    def _logical(self, op: ast.BoolOp, meta: Meta, children: list[ast.Expr]) -> ast.Expr:
        return self._chain(
            meta, children, [op.value] * (len(children) - 1),
            lambda _, left, right, span: ast.Logical(op=op, left=left, right=right, span=span))

    def and_expr(self, meta: Meta, children: list[ast.Expr]) -> ast.Expr:
        return self._logical(ast.BoolOp.AND, meta, children)

    def or_expr(self, meta: Meta, children: list[ast.Expr]) -> ast.Expr:
        return self._logical(ast.BoolOp.OR, meta, children)

    def not_(self, meta: Meta, children: list[ast.Expr]) -> ast.Not:
        return ast.Not(operand=children[0], span=self._span(meta))

    # clauses
    def window(self, meta: Meta, children: list[Any]) -> ast.Window:
        period, *names = children
        of = names.pop(0) if names and isinstance(names[0], ast.Ref) else None
        by = tuple(ast.Ref(name=str(name), span=self._tspan(name)) for name in names)
        if isinstance(period, _Rolling):
            return ast.Window(period=ast.Period.DAY, rolling=period.days, by=by, of=of,
                              span=self._span(meta))
        return ast.Window(period=_period(period), by=by, of=of, span=self._span(meta))

    def rolling(self, meta: Meta, children: list[Token]) -> _Rolling:
        """`rolling 30 days`: a whole number of days, one to a year's worth."""
        count, unit = children
        if _period(unit) is not ast.Period.DAY:
            raise _ClauseError(Diagnostic(
                BAD_WINDOW, f"a rolling window counts days, not {unit}", self._tspan(unit),
                ("write the length in days: `per rolling 90 days`; calendar periods are "
                 "`per month`, `per quarter`",)))
        days = int(str(count)) if len(str(count)) <= 4 else ROLLING_DAYS_MAX + 1
        if not 1 <= days <= ROLLING_DAYS_MAX:
            raise _ClauseError(Diagnostic(
                BAD_VALUE, f"`{count}` days is out of range for a rolling window",
                self._tspan(count), (f"a rolling window is 1 to {ROLLING_DAYS_MAX} days long",)))
        return _Rolling(days)

    def window_of(self, meta: Meta, children: list[Token]) -> ast.Ref:
        return ast.Ref(name=str(children[0]), span=self._tspan(children[0]))

    def start_expr(self, meta: Meta, children: list[ast.Expr]) -> ast.Expr:
        return children[0]

    def start_window(self, meta: Meta, children: list[ast.Window]) -> ast.Window:
        return children[0]

    def rate_target(self, meta: Meta, children: list[Any]) -> ast.Target:
        rate, *rest = children
        return ast.Target(rate=self._percent(rate), span=self._span(meta), **self._tail(rest))

    def tier_target(self, meta: Meta, children: list[Any]) -> ast.Target:
        tiers = [child for child in children if isinstance(child, ast.Tier)]
        rest = children[len(tiers):]
        return ast.Target(tiers=tuple(tiers), span=self._span(meta), **self._tail(rest))

    def measure_target(self, meta: Meta, children: list[Any]) -> ast.Target:
        measure, op, goal, *rest = children
        return ast.Target(measure=measure, op=ast.CmpOp(str(op)), goal=goal,
                          span=self._span(meta), **self._tail(rest))

    def target_window(self, meta: Meta, children: list[Token]) -> ast.Window:
        return self.window(meta, children)

    def more_by(self, meta: Meta, children: list[Token]) -> tuple[str, Token]:
        return ("by", children[0])

    def _tail(self, items: list[Any]) -> dict[str, Any]:
        """The window and the options after it; a grouping field may follow the window's
        first one (`by depot, service`) but not an option."""
        options: dict[str, Any] = {}
        window: ast.Window | None = None
        for item in items:
            if isinstance(item, ast.Window):
                window = item
                continue
            kind, *values = item
            if kind == "by":
                name = values[0]
                if window is None or not window.by or options:
                    raise _ClauseError(Diagnostic(
                        CLAUSE_SYNTAX, f"`{name}` cannot stand here",
                        self._tspan(name),
                        ("a grouping field follows `by` and the fields before it: "
                         "`per month by depot, service, at least 20 records`",)))
                field = ast.Ref(name=str(name), span=self._tspan(name))
                window = dataclasses.replace(window, by=(*window.by, field))
            elif kind == "minimum":
                options["minimum"], options["minimum_span"] = values
            else:
                options["warn"], options["warn_below"] = values
        return {"window": window, **options}

    def tier(self, meta: Meta, children: list[Token]) -> ast.Tier:
        rate, group = children
        value = str(group)[1:-1] if group.type == "STRING" else str(group)
        return ast.Tier(rate=self._percent(rate), group=value, span=self._span(meta))

    def aggregate(self, meta: Meta, children: list[Any]) -> ast.Aggregate:
        function, *operand = children
        return ast.Aggregate(function=str(function), operand=operand[0] if operand else None,
                             span=self._span(meta))

    def ratio(self, meta: Meta, children: list[Any]) -> ast.Ratio:
        parts: list[ast.Aggregate] = []
        index = 0
        while index < len(children):  # AGGREGATE, then its operand unless it has none
            function = children[index]
            operand = children[index + 1] if index + 1 < len(children) and not (
                isinstance(children[index + 1], Token)
                and children[index + 1].type == "AGGREGATE") else None
            parts.append(ast.Aggregate(function=str(function), operand=operand,
                                       span=self._tspan(function)))
            index += 2 if operand is not None else 1
        numerator, denominator = parts
        return ast.Ratio(numerator=numerator, denominator=denominator, span=self._span(meta))

    def minimum(self, meta: Meta, children: list[Token]) -> tuple[str, int, Span | None]:
        return ("minimum", int(children[0]), self._span(meta))

    def warn(self, meta: Meta, children: list[Any]) -> tuple[str, Any, bool]:
        side, value = children
        return ("warn", value, str(side) == "below")

    def start_penalty(self, meta: Meta, children: list[Any]) -> ast.Penalty:
        amount, *caps = children
        return ast.Penalty(amount=amount, span=self._span(meta), **self._caps(caps))

    def graduated_penalty(self, meta: Meta, children: list[Any]) -> ast.Penalty:
        amount, *rest = children
        counting = "pro rata"
        if isinstance(rest[0], Token) and rest[0].type == "COUNTING":
            counting = str(rest.pop(0))
        per, delay, *rest = rest
        rounded = rest.pop(0) if rest and isinstance(rest[0], tuple) and \
            rest[0][0] in ("up", "down") else None
        return ast.Penalty(amount=amount, per=self._duration(per), counting=counting,
                           delay=delay, rounded=rounded, span=self._span(meta),
                           **self._caps(rest))

    def _caps(self, caps: list[tuple[str, Any, Any, Any]]) -> dict[str, Any]:
        """The keyword arguments of `ast.Penalty` for its caps and options; each at most
        once."""
        out: dict[str, Any] = {}
        for kind, cap, period, by in caps:
            if kind == "deferred":
                if "deferred" in out:
                    raise _ClauseError(Diagnostic(CLAUSE_SYNTAX, "`deferred while open` twice",
                                                  cap, ("say it once",)))
                out["deferred"] = True
                continue
            if ("record_cap" if kind == "breach" else "cap") in out:
                raise _ClauseError(Diagnostic(
                    CLAUSE_SYNTAX, f"two caps per {'breach' if kind == 'breach' else 'period'}",
                    cap.span, ("keep one: the lower is the one that binds",)))
            if kind == "breach":
                out["record_cap"] = cap
            elif kind == "period":
                out["cap"], out["cap_period"], out["cap_by"] = cap, period, by
            else:  # per contract year, or in total
                out["cap"], out["cap_over"], out["cap_by"] = cap, kind, by
        return out

    def period_cap(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Any, Any]:
        by = children[2] if len(children) > 2 else None
        return ("period", children[0], _period(children[1]),
                None if by is None else ast.Ref(name=str(by), span=self._tspan(by)))

    def contract_year_cap(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Any, Any]:
        return ("contract year", children[0], None, self._by(children[1:]))

    def total_cap(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Any, Any]:
        return ("total", children[0], None, self._by(children[1:]))

    def _by(self, rest: list[Any]) -> ast.Ref | None:
        return ast.Ref(name=str(rest[0]), span=self._tspan(rest[0])) if rest else None

    def breach_cap(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Any, Any]:
        return ("breach", children[0], None, None)

    def deferred(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Any, Any]:
        return ("deferred", self._span(meta), None, None)

    def strike(self, meta: Meta, children: list[Any]) -> ast.Strike:
        amount, nth, within = children
        count = self._count(Token.new_borrow_pos("INT", str(nth)[:-2], nth))
        return ast.Strike(amount=amount, count=count, within=self._duration(within),
                          span=self._span(meta))

    def delay_rounding(self, meta: Meta, children: list[Token]) -> tuple[str, ast.Duration]:
        return (str(children[0]), self._duration(children[1]))

    def window_penalty(self, meta: Meta, children: list[Any]) -> ast.WindowPenalty:
        return ast.WindowPenalty(amount=children[0], period=_period(children[1]),
                                 span=self._span(meta))

    def start_credit(self, meta: Meta, children: list[Any]) -> ast.Credit:
        return ast.Credit(amount=children[0], period=_period(children[1]), span=self._span(meta))

    def credit_per_point(self, meta: Meta, children: list[Any]) -> ast.Credit:
        amount, *cap = children
        return ast.Credit(amount=amount, per_point=True, cap=cap[0] if cap else None,
                          span=self._span(meta))

    def start_amount(self, meta: Meta, children: list[ast.Expr]) -> ast.Expr:
        return children[0]

    def misses_within(self, meta: Meta, children: list[Any]) -> ast.Escalate:
        count, period, length, within, step = children
        return ast.Escalate(count=self._count(count), period=_period(period),
                            within=self._count(length), within_period=_period(within),
                            step=step, span=self._span(meta))

    def misses_in_a_row(self, meta: Meta, children: list[Any]) -> ast.Escalate:
        count, period, step = children
        return ast.Escalate(count=self._count(count), period=_period(period), step=step,
                            span=self._span(meta))

    def notice(self, meta: Meta, children: list[Any]) -> str:
        return "notice"

    def termination_right(self, meta: Meta, children: list[Any]) -> str:
        return "termination right"

    def step_warning(self, meta: Meta, children: list[Token]) -> str:
        words = str(children[0])[1:-1]
        return f"'{words}'" if '"' in words else f'"{words}"'

    def start_limit(self, meta: Meta, children: list[Any]) -> ast.Limit:
        return ast.Limit(amount=children[0], period=_period(children[1]), span=self._span(meta))

    def start_payment(self, meta: Meta, children: list[Any]) -> ast.Payment:
        return ast.Payment(amount=children[0], span=self._span(meta))

    def start_reward(self, meta: Meta, children: list[Any]) -> ast.Reward:
        return ast.Reward(amount=children[0], period=_period(children[1]), span=self._span(meta))

    def consecutive_missed(self, meta: Meta, children: list[Token]) -> ast.ConsecutiveMissed:
        return ast.ConsecutiveMissed(
            count=self._count(children[0]), period=_period(children[1]), span=self._span(meta)
        )

    def breaches_within(self, meta: Meta, children: list[Token]) -> ast.BreachesWithin:
        return ast.BreachesWithin(
            count=self._count(children[0]), within=self._duration(children[1]),
            span=self._span(meta),
        )

    def any_breach(self, meta: Meta, children: list[Token]) -> ast.AnyBreach:
        return ast.AnyBreach(span=self._span(meta))

    # expressions of language depth I
    def call(self, meta: Meta, children: list[Any]) -> ast.Call:
        name, *args = children
        if str(name) not in ast.FUNCTIONS:
            raise _ClauseError(Diagnostic(
                CLAUSE_SYNTAX, f"the clause language has no function `{name}`",
                self._tspan(name), (_FUNCTIONS_HINT,)))
        return ast.Call(function=str(name), args=tuple(args), span=self._span(meta))

    def amount_call(self, meta: Meta, children: list[Any]) -> ast.Call:
        """A function in an amount: an argument `sum(x)`, `count(x)`, `mean(x)`, `min(x)` or
        `max(x)` (one argument) totals the window, as it does elsewhere in an amount."""
        found = self.call(meta, children)
        return dataclasses.replace(found, args=tuple(_totals(arg) for arg in found.args))

    def conditional(self, meta: Meta, children: list[ast.Expr]) -> ast.Conditional:
        condition, then, otherwise = children
        return ast.Conditional(condition=condition, then=then, otherwise=otherwise,
                               span=self._span(meta))

    def lookup(self, meta: Meta, children: list[Any]) -> ast.Lookup:
        table, key, *at = children
        return ast.Lookup(table=str(table), key=key, at=at[0] if at else None,
                          table_span=self._tspan(table), span=self._span(meta))


_OFFSET = re.compile(r"(Z|[+-][0-9]{2}:[0-9]{2})\Z")


_TOTALS = frozenset({"sum", "count", "mean", "min", "max"})


def _totals(expr: ast.Expr) -> ast.Expr:
    """`expr` with each one-argument `sum(x)` (and `count`, `mean`, `min`, `max`) reached
    through arithmetic, functions and branches made a window total (`ast.Aggregate`)."""
    match expr:
        case ast.Call(function=function, args=(operand,)) if function in _TOTALS:
            return ast.Aggregate(function=function, operand=operand, span=expr.span)
        case ast.Call(args=args):
            return dataclasses.replace(expr, args=tuple(_totals(arg) for arg in args))
        case ast.Binary(left=left, right=right):
            return dataclasses.replace(expr, left=_totals(left), right=_totals(right))
        case ast.Neg(operand=operand) | ast.PercentOf(operand=operand):
            return dataclasses.replace(expr, operand=_totals(operand))
        case ast.Conditional(then=then, otherwise=otherwise):
            return dataclasses.replace(expr, then=_totals(then), otherwise=_totals(otherwise))
    return expr


def _period(token: Token) -> ast.Period:
    return ast.Period(str(token).removesuffix("s"))


def parse(source: Source, clause: str = "expr") -> Any:
    """Parse `source` as one kind of clause (see `CLAUSES`) into an `ast` node.

    >>> parse(Source("picked_up_at within 2h of booked_at"))  # doctest: +ELLIPSIS
    Within(event=Ref(name='picked_up_at'), limit=Duration(microseconds=7200000000, ...
    """
    try:
        tree = _lark().parse(source.body, start=f"start_{clause}")
        _limit_tree(source, tree)
        node = _ToAst(source).transform(tree)
        _limit_ast(node)
        return node
    except _ClauseError as error:
        raise ContractError([error.diagnostic]) from None
    except VisitError as error:
        if isinstance(error.orig_exc, _ClauseError):
            raise ContractError([error.orig_exc.diagnostic]) from None
        raise
    except UnexpectedInput as error:
        raise ContractError([_syntax_diagnostic(source, error)]) from None
    except LarkError as error:  # pragma: no cover - any other Lark failure is still a position
        raise ContractError([Diagnostic(CLAUSE_SYNTAX, str(error), Span(source, 0, 0))]) from None


def _too_deep(span: Span | None) -> _ClauseError:
    return _ClauseError(Diagnostic(
        CLAUSE_TOO_DEEP, f"the clause is nested more than {MAX_DEPTH} deep", span,
        ("name a part of it as a derived field",)))


def _limit_tree(source: Source, tree: Tree[Token]) -> None:
    """Refuse a parse tree deeper than `MAX_DEPTH` before it is transformed, which Lark
    does recursively: `not not not ...` 5,000 times was a RecursionError."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]  # the start rule is not a level
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            start = 0 if getattr(meta, "empty", True) else meta.start_pos
            raise _too_deep(Span(source, start, start))
        stack.extend((child, depth + 1) for child in reversed(node.children)
                     if isinstance(child, Tree))


def _limit_ast(node: ast.Node) -> None:
    """Refuse a clause deeper than `MAX_DEPTH` once chains are folded: a chain of chains
    is as deep as their lengths added."""
    stack: list[tuple[ast.Node, int]] = [(node, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(item.span)
        stack.extend((child, depth + 1) for child in reversed(ast.children(item)))


def _syntax_diagnostic(source: Source, error: UnexpectedInput) -> Diagnostic:
    body = source.body
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        expected = error.expected if isinstance(error, UnexpectedEOF) else error.accepts
        start = len(body.rstrip())
        return Diagnostic(
            CLAUSE_SYNTAX,
            "the clause ends too early",
            Span(source, start, start),
            _expected_hint({str(name) for name in expected}),
        )
    if isinstance(error, UnexpectedToken):
        token = error.token
        start = token.start_pos or 0
        end = token.end_pos or start + len(str(token))
        call = _CALLED.search(body, 0, start) if token.type == "LPAR" else None
        if call is not None and call["name"] not in _WORDS:
            name = call["name"]
            known = name in ast.FUNCTIONS or name in ("count", "sum", "mean")
            return Diagnostic(
                CLAUSE_SYNTAX,
                f"`{name}(...)` cannot stand here" if known
                else f"the clause language has no function `{name}`",
                Span(source, call.start("name"), call.end("name")),
                ("a function call is a value inside an expression, such as "
                 "`min(a, b) <= 24h`",) if known else (_FUNCTIONS_HINT,),
            )
        measure = _MEASURE_OPEN.match(body, 0, start) if token.type == "COMMA" else None
        if measure is not None:
            name = measure["name"]
            return Diagnostic(
                CLAUSE_SYNTAX, f"a measure takes one value: `{name}(x)` is the "
                f"{_EXTREME.get(name, 'figure')} over the window",
                Span(source, start, end),
                (f"for the {_EXTREME.get(name, 'value')} of several values on each record, "
                 f"name it as a derived field (`longest: {name}(a, b)`) and measure that: "
                 f"`{name}(longest) <= 72h per month`",))
        expected = set(error.accepts or error.expected)
        return Diagnostic(
            CLAUSE_SYNTAX,
            f"unexpected `{token}`",
            Span(source, start, end),
            _slip_hint(body, token, start, expected) or _expected_hint(expected),
        )
    if isinstance(error, UnexpectedCharacters):
        at: int = error.pos_in_stream or 0
        return Diagnostic(
            CLAUSE_SYNTAX,
            f"unexpected character `{body[at]}`",
            Span(source, at, at + 1),
            _expected_hint(error.allowed or set()),
        )
    position: int = getattr(error, "pos_in_stream", 0) or 0
    return Diagnostic(CLAUSE_SYNTAX, "the clause does not parse", Span(source, position, position))


_UNIT_WORDS = {"ms": "ms", "millisecond": "ms", "milliseconds": "ms", "sec": "s", "secs": "s",
               "second": "s", "seconds": "s", "m": "min", "mins": "min", "minute": "min",
               "minutes": "min", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
               "day": "d", "days": "d", "week": "w", "weeks": "w"}
_LIST_IN_PARENS = re.compile(r"(?<![A-Za-z0-9_])in\s*\([^()\[\]]*\Z")
_NUMBER_BEFORE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*\Z")


def _slip_hint(body: str, token: Token, start: int,
               expected: set[str]) -> tuple[str, ...]:
    """A hint for the usual slips: a share written as a fraction where a percentage is
    expected (`0.97 per month`), a unit spelt out (`24 hours`, `24hr`)."""
    if token.type == "RPAR" and "RSQB" in expected and _LIST_IN_PARENS.search(body, 0, start):
        return ("a list is written in brackets: `x in [a, b]`; `x in (a, b]` is the interval "
                "a < x <= b, `x in [a, b)` the interval a <= x < b",)
    if token.type == "NUMBER" and "PERCENT" in expected:
        value = Decimal(str(token))
        meant = f"{(value * 100).normalize():f}%" if value <= 1 else f"{token}%"
        return (f"a target is a percentage: write `{meant}`",)
    number = _NUMBER_BEFORE.search(body, 0, start)
    unit = _UNIT_WORDS.get(str(token).lower()) if token.type == "NAME" else None
    if number is not None and unit is not None:
        return (f"a duration is a number and a unit, together: write `{number[1]}{unit}` "
                "(units: ms, s, min, h, d, w)",)
    return ()


def _expected_hint(expected: set[str] | frozenset[str]) -> tuple[str, ...]:
    names = sorted({_readable(name) for name in expected if not name.startswith("$")})
    if not names:
        return ()
    if len(names) > 8:
        names = [*names[:8], "..."]
    return ("expected " + ", ".join(names),)


def _readable(terminal: str) -> str:
    if terminal in _READABLE:
        return _READABLE[terminal]
    return f"`{terminal.lower()}`"
