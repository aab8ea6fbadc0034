"""The typed records of tables (CSV and TSV cells, Parquet columns), as `queries.parse` gives
those of JSON lines: the same columns, the same typing (`queries.typed_fields`), and `_ok`
true only where SQL reads a row exactly as the stream engine's reader reads it.

Each field is first given as the reader is given it: `_v` its text (NULL when absent),
`_q` whether the reader sees text, `_w` a number's digits. A CSV cell is the text the
stream reader's CSV reader cut (a boolean's in lower case, since `true` is read in any
case); a Parquet column's value is spelt as the reader makes it (`readers.parquet._plain`)
only for the column types whose spelling SQL knows exactly (`column_kind`), and any other
value is a text no check accepts, so that its row is the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from slacheck.engine.sql.clauses import case, fn, lit
from slacheck.engine.sql.queries import typed_fields
from slacheck.plan import Plan
from slacheck.records import FIRST_YEAR, LAST_YEAR
from slacheck.types import Kind

TEXT, BOOL, NUMBER, INSTANT, DATE, OTHER = "text", "bool", "number", "instant", "date", "other"
"""How a Parquet column's values reach the reader: text; a boolean; an int, a decimal or
a double (each spelt as DuckDB and Python both spell it: checked, not assumed, by the
number patterns); a time with a zone in whole microseconds or coarser; a date; anything
else (lists, structs, times without a zone, nanoseconds, durations, floats of 32 bits)."""

_INTEGERS = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                       "uint64"})


def column_kind(arrow_type: object) -> str:
    """What a column of this Arrow type is to SQL: one of the kinds above."""
    text = str(arrow_type)
    if text in ("string", "large_string"):
        return TEXT
    if text == "bool":
        return BOOL
    if text in _INTEGERS or text == "double":
        return NUMBER
    if text.startswith("decimal128("):  # a scale beyond DECIMAL(38, 18)'s is the reader's
        scale = int(text.rstrip(")").split(",")[1])
        return NUMBER if 0 <= scale <= 18 else OTHER
    if text.startswith(("timestamp[s,", "timestamp[ms,", "timestamp[us,")):
        # with a zone pyarrow knows: a time without one is rejected by the reader
        return INSTANT if _readable(arrow_type) else OTHER
    if text in ("date32[day]", "date64[ms]"):
        return DATE
    return OTHER


def _readable(arrow_type: object) -> bool:
    """Whether pyarrow gives Python values of this type at all (a zone it cannot find, for
    one, rejects every row of its column in the stream reader)."""
    import pyarrow as pa

    try:
        pa.array([0], arrow_type).to_pylist()
    except (pa.ArrowException, ValueError, OverflowError):
        return False
    return True


_SAFE = frozenset({"string", "large_string", "binary", "large_binary", "bool", "float",
                   "double", "null", *_INTEGERS})


def undeclared_check(arrow_type: object, column: exp.Expr) -> exp.Expr | None:
    """What a row's value in an undeclared column must be for the stream reader to read the
    row at all (pyarrow makes a Python value of every column, and a row with a value it
    cannot make, a date past the year 9999, is rejected): TRUE for a type always read, a
    range for dates and times, None when SQL cannot tell (nanoseconds, durations, nested
    values), and the rows of the file are then the reader's."""
    text = str(arrow_type)
    if text in _SAFE or text.startswith("decimal"):
        return exp.true()
    if text in ("date32[day]", "date64[ms]"):
        low, high, kind = "0002-01-02", "9998-12-30", "DATE"
    elif text.startswith(("timestamp[s", "timestamp[ms", "timestamp[us")):  # not ns
        if not _readable(arrow_type):
            return None
        zoned = ", tz=" in text
        low, high = "0002-01-02", "9998-12-30"
        kind = "TIMESTAMPTZ" if zoned else "TIMESTAMP"
    else:
        return None
    return exp.or_(exp.Is(this=column, expression=exp.null()), exp.Between(
        this=column, low=exp.cast(lit(low), kind), high=exp.cast(lit(high), kind)))


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _given(kind: str, column: exp.Expr) -> tuple[exp.Expr, bool]:
    """(`_v`, `_q`): a Parquet value as the reader is given it."""
    if kind == TEXT:
        return column, True
    if kind == BOOL:
        return case((column, lit("true")), (exp.not_(column), lit("false"))), False
    if kind in (NUMBER, DATE):
        return exp.cast(column, "VARCHAR"), False
    if kind == INSTANT:  # in UTC, by its instant; a year near the bounds is the reader's
        inside = exp.Between(this=column, low=exp.cast(lit(f"{FIRST_YEAR:04d}-01-02"),
                                                       "TIMESTAMPTZ"),
                             high=exp.cast(lit(f"{LAST_YEAR:04d}-12-30"), "TIMESTAMPTZ"))
        spelt = fn("strftime", column, lit("%Y-%m-%dT%H:%M:%S.%fZ"))
        return case((exp.Is(this=column, expression=exp.null()), exp.null()), (inside, spelt),
                    default=lit("")), False
    return case((exp.Is(this=column, expression=exp.null()), exp.null()), default=lit("")), False


def table_parse(plan: Plan, kinds: Mapping[str, str] | None, source: exp.Expr,
                every_row: exp.Expr) -> exp.Select:
    """Typed records from `source` (`_f`, `_n` and, per declared field, a column of its
    name: cells as text when `kinds` is None, as for CSV; else typed, each of its kind, a
    field without a column absent). `every_row` is what each row must also be to be read
    exactly (a CSV row the reader could cut into cells; no undeclared column that rejects
    every row, or a value in one that pyarrow cannot read)."""
    schema = plan.schema
    given: list[exp.Expr] = []
    written: list[exp.Expr] = []
    for index, spec in enumerate(schema.fields):
        column: exp.Expr = _col(spec.name)
        if kinds is None:
            bool_field = spec.type.kind is Kind.BOOL
            text = fn("lower", column) if bool_field else column
            quoted: exp.Expr = exp.false() if bool_field else exp.true()
        elif spec.name not in kinds:
            text, quoted = exp.cast(exp.null(), "VARCHAR"), exp.true()
        else:
            text, is_text = _given(kinds[spec.name], column)
            quoted = exp.true() if is_text else exp.false()
        given += [exp.alias_(text, f"_v{index}", quoted=True),
                  exp.alias_(quoted, f"_q{index}", quoted=True)]
        written.append(exp.alias_(_col(f"_v{index}"), f"_w{index}", quoted=True))
    spelled = exp.select(_col("_f"), _col("_n"), exp.alias_(every_row, "_row", quoted=True),
                         *given).from_(source)
    spelled = exp.select(exp.Star(), *written).from_(spelled.subquery())
    middle, typed = typed_fields(plan, spelled)
    plain = exp.and_(_col("_row"), *(good for _, good in typed))
    id_index = schema.names.index(schema.id_field)
    return exp.select(
        _col("_f"), _col("_n"), exp.alias_(exp.cast(exp.null(), "BIGINT"), "_o", quoted=True),
        exp.alias_(exp.func("coalesce", plain, exp.false()), "_ok", quoted=True),
        exp.alias_(case((_col(f"_q{id_index}"), _col(f"_v{id_index}"))), "_id", quoted=True),
        exp.alias_(exp.cast(exp.null(), "VARCHAR"), "_t", quoted=True),
        *(exp.alias_(value, spec.name, quoted=True)
          for (value, _), spec in zip(typed, schema.fields, strict=True)),
    ).from_(middle.subquery())
