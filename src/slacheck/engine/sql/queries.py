"""The statements of the DuckDB engine, generated from the plan as sqlglot trees.

`parse` reads a chunk of JSON lines into typed columns and says of each line whether SQL
reads it exactly as the stream engine's reader would (`_ok`): a plain object of declared
fields, each of the plainest spelling of its type. Any other line, and any line of an id
written on more than one line or that a built-in plausibility warning may flag, is left to
the stream engine's reader, so rejections, their reasons and warnings are its own.

`classify` gives each such clean line, per standard, its window, its group and what stage 1
makes of it: -1 out of scope, 0 passed, 1 pending, 10 + j excluded by the j-th exception,
NULL anything else (a breach, an undetermined scope, an implausible pass, a clause or value
SQL cannot express exactly or is not sure of), which the stream engine's generated code
evaluates on that line, keeping evidence and money its own way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlglot import exp

from slacheck import ast
from slacheck.checker import CheckedContract
from slacheck.engine.sql.clauses import (
    BREACH,
    DECIMAL,
    OVERDUE,
    PASS,
    PENDING,
    Branch,
    Clauses,
    case,
    decimal,
    fn,
    lit,
    micros,
)
from slacheck.engine.sql.support import UnsupportedError
from slacheck.measures import Count, Extreme, Measure, Percentile, RatioOfSums, Sum
from slacheck.model import Standard
from slacheck.plan import Plan, StandardPlan, measure_text
from slacheck.plausibility import PERIOD_MARGIN, RECORD_MARGIN
from slacheck.records import FIRST_YEAR, LAST_YEAR, MAX_DIGITS, MAX_DURATION_SECONDS
from slacheck.types import FieldSpec, Kind
from slacheck.windows import offsets

CHUNK, RECORDS, REPEATED, STAGE, CLASSES = "chunk", "recs", "repeated", "stage", "classes"
"""The tables: lines as read, typed records, ids on more than one line, records with
`_clean` (a view), classes per standard."""

_TIMESTAMP = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
              r"(\.[0-9]{3}|\.[0-9]{6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])")
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_MARGIN = timedelta(days=2)
"""How much earlier SQL sends a line near a plausibility bound to the stream reader: more
than an offset and a time of day can move a date."""


def duckdb_sql(query: exp.Expr) -> str:
    """A statement the engine runs, in DuckDB's dialect. Rendered in place: each is built
    for one rendering, and sqlglot's defensive copy of a large tree costs far more than the
    rendering (0.3 s a run, for a contract of five standards)."""
    return query.sql(dialect="duckdb", copy=False)


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _eq(a: exp.Expr, b: exp.Expr | int | str) -> exp.Expr:
    return exp.EQ(this=a, expression=b if isinstance(b, exp.Expr) else lit(b))


def _null(a: exp.Expr) -> exp.Expr:
    return exp.Is(this=a, expression=exp.null())


def _full(text: exp.Expr, pattern: str) -> exp.Expr:
    return fn("regexp_full_match", text, lit(pattern))


def _number_pattern(spec: FieldSpec) -> str:
    sign = "" if spec.type.kind is Kind.MONEY and not spec.negative else "-?"
    if spec.type.kind is Kind.DURATION:
        return rf"{sign}[0-9]{{1,10}}(\.[0-9]{{1,6}})?"
    places = "" if spec.integral else rf"(\.[0-9]{{1,{MAX_DIGITS}}})?"
    return rf"{sign}[0-9]{{1,{MAX_DIGITS}}}{places}"


_NUMERIC = frozenset({Kind.MONEY, Kind.NUMBER, Kind.DURATION})


def _spelled(spec: FieldSpec, index: int, text: exp.Expr) -> list[exp.Expr]:
    """The columns of one field from `_r{index}`, its value's JSON text as DuckDB's
    `from_json` writes it back (NULL when absent or null): `_q{index}` whether it is a JSON
    string, `_v{index}` its text (a string's content: written back, a clean line's strings
    hold no escape, `_unescaped`), `_k{index}` 1 when its key is written.

    A key with no text is absent or null; only a line that writes `null` somewhere
    (`_nulls`) is searched for the key, since most lines leave their optional fields out
    and three searches of the line cost about as much as its parse into a struct. A line
    with no backslash (`_escapes`) holds no quote inside a string, so `"name":` there is a
    key; on a line with one, a key written as null is not found, and its keys do not add up
    (`parse`)."""
    written = _col(f"_r{index}")
    quoted = exp.func("coalesce", fn("starts_with", written, lit('"')), exp.false())
    content = fn("substring", written, lit(2), exp.Sub(this=fn("length", written),
                                                        expression=lit(2)))
    key = exp.and_(_col("_nulls"), exp.not_(_col("_escapes")),
                   fn("contains", text, lit(f'"{spec.name}":')))
    return [exp.alias_(quoted, f"_q{index}", quoted=True),
            exp.alias_(case((quoted, content), default=written), f"_v{index}", quoted=True),
            exp.alias_(case((exp.not_(_null(written)), 1), (key, 1), default=0), f"_k{index}",
                       quoted=True)]


def _number(spec: FieldSpec, index: int, text: exp.Expr) -> exp.Expr | None:
    """`_w{index}`: a number as written, from the line's own text when it is a JSON number
    (DuckDB writes `1.50` back as `1.5`). The first `"name":` of the line is the key: a
    quote inside a string is escaped (`\\"name\\":` does not match), so another match ends
    a key of its own (`"x\\"name": 1`), which is not declared, and the line not clean."""
    if spec.type.kind not in _NUMERIC:
        return None
    key = f'"{spec.name}":'
    raw = fn("regexp_extract", text, lit(rf"{re.escape(key)}\s*(-?[0-9][0-9.eE+-]*)"), lit(1))
    found = _col(f"_v{index}")
    return exp.alias_(case((_null(found), None), (_col(f"_q{index}"), found), default=raw),
                      f"_w{index}", quoted=True)


def converted(spec: FieldSpec, index: int) -> exp.Expr | None:
    """`_x{index}`: the value converted, for the fields whose conversion is a cast (computed
    once, then both checked and kept). Shared by every format (`sources`)."""
    kind, found = spec.type.kind, _col(f"_v{index}")
    if kind is Kind.TIMESTAMP:
        return fn("epoch_us", exp.TryCast(this=found, to=exp.DataType.build("TIMESTAMPTZ")))
    if kind is Kind.DATE:
        return exp.TryCast(this=found, to=exp.DataType.build("DATE"))
    written = _col(f"_w{index}")
    if kind is Kind.DURATION:
        return exp.TryCast(this=exp.Mul(this=exp.TryCast(
            this=written, to=exp.DataType.build("DECIMAL(38, 6)")),
            expression=lit(1_000_000)), to=exp.DataType.build("BIGINT"))
    if kind in _NUMERIC:
        return exp.TryCast(this=written, to=exp.DataType.build(DECIMAL))
    return None


def typed_field(spec: FieldSpec, index: int,
                currency: str | None) -> tuple[exp.Expr, exp.Expr]:
    """(value, good): the typed value of one field, and whether the line's value for it is
    one SQL reads exactly as the stream reader does (absent or null: the default), within
    the field's `min`, `max` and `pattern`, and for a field named `currency` the contract's
    currency. A list is never read by SQL: a line that has one is the reader's. From
    `_v{index}` (the value's text, NULL when absent), `_q{index}` (whether the reader is
    given it as text), `_w{index}` (a number as written) and `_x{index}` (`converted`)."""
    text = _col(f"_v{index}")
    absent = _null(text)
    kind = spec.type.kind
    is_text = _col(f"_q{index}")
    cast = _col(f"_x{index}")
    value: exp.Expr
    good: exp.Expr
    if kind in (Kind.STRING, Kind.ENUM):
        value, good = text, is_text
        if kind is Kind.ENUM:
            good = exp.and_(is_text, exp.In(this=text, expressions=[
                lit(item) for item in spec.type.values]))
    elif kind is Kind.BOOL:
        value = _eq(text, "true")
        good = exp.and_(exp.not_(is_text),
                        exp.In(this=text, expressions=[lit("true"), lit("false")]))
    elif kind is Kind.LIST:
        value, good = exp.null(), exp.false()
    elif kind in (Kind.TIMESTAMP, Kind.DATE):
        value = cast
        good = exp.and_(_full(text, _TIMESTAMP if kind is Kind.TIMESTAMP else _DATE),
                        exp.GTE(this=text, expression=lit(f"{FIRST_YEAR:04d}")),
                        exp.LT(this=text, expression=lit(f"{LAST_YEAR + 1:04d}")),
                        exp.not_(_null(cast)))
    else:  # money, number, duration
        value = cast
        good = _full(_col(f"_w{index}"), _number_pattern(spec))
        if kind is Kind.DURATION:
            limit = MAX_DURATION_SECONDS * 1_000_000
            good = exp.and_(good, exp.Between(this=fn("abs", cast), low=lit(0),
                                              high=lit(limit)))
    checks = _bounds(spec, value)
    if spec.name == "currency" and currency is not None:  # `records._same_currency`
        checks.append(_eq(value, currency) if kind in (Kind.STRING, Kind.ENUM) else exp.false())
    if checks:
        good = exp.and_(good, *checks)
    value = case((absent, _default(spec)), default=value)
    good = case((absent, exp.false() if spec.required else exp.true()),
                default=exp.func("coalesce", good, exp.false()))
    return value, good


def _bounds(spec: FieldSpec, value: exp.Expr) -> list[exp.Expr]:
    """The field's `min` and `max` as SQL tests of its value (`records._bounded`), and its
    `pattern` where DuckDB's regular expressions read it as Python's do; a value outside
    them, or that SQL cannot test, is the reader's to reject."""
    tests: list[exp.Expr] = []
    for bound, test in ((spec.minimum, exp.GTE), (spec.maximum, exp.LTE)):
        if bound is None:
            continue
        limit = _literal(bound.value)
        tests.append(exp.false() if limit is None else test(this=value, expression=limit))
    if spec.pattern is not None:
        if not re2_reads_as_python(spec.pattern):
            tests.append(exp.false())
        else:  # on printable ASCII text (all a clean line's strings may hold otherwise)
            tests += [_full(value, "[ -~]*"), _full(value, spec.pattern)]
    return tests


def _literal(value: Any) -> exp.Expr | None:
    """A bound as SQL, in the column's own terms; None when SQL cannot hold it exactly."""
    match value:
        case Decimal():
            try:
                return decimal(value)
            except UnsupportedError:
                return None
        case timedelta():
            return lit(value // timedelta(microseconds=1))
        case datetime():
            return lit(micros(value))
        case date():
            return exp.cast(lit(value.isoformat()), "DATE")
    return None


_ESCAPES = frozenset("dDwWsS.-\\/+*?()[]{}|^$")
"""The escapes that mean one thing to both Python's `re` and RE2."""


def re2_reads_as_python(pattern: str) -> bool:
    """Whether DuckDB's RE2 matches exactly the printable ASCII texts Python's `re`
    fully matches with `pattern`: ASCII, no escapes but those above, no `(?` but `(?:`
    (no flags, names, look-arounds or back-references), repeats written `{n}` or `{n,m}`
    or `{n,}` (below RE2's limit of 1000), no `[` inside a class (RE2's `[:alpha:]`)."""
    if not pattern.isascii():
        return False
    i, inside = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if pattern[i + 1:i + 2] not in _ESCAPES or i + 1 >= len(pattern):
                return False
            i += 2
            continue
        if inside:
            if char == "[":
                return False
            inside = char != "]"
        elif char == "[":
            inside = True
            i += 2 if pattern[i + 1:i + 2] == "^" else 1
            if pattern[i:i + 1] == "]":  # `[]` and `[^]` read otherwise
                return False
            continue
        elif char == "{":
            found = re.match(r"\{[0-9]{1,3}(,[0-9]{0,3})?\}", pattern[i:])
            if found is None:
                return False
            i += len(found[0])
            continue
        elif char == "(" and pattern[i + 1:i + 2] == "?" and pattern[i + 2:i + 3] != ":":
            return False
        i += 1
    return not inside


def _default(spec: FieldSpec) -> exp.Expr:
    if spec.default is None:
        return exp.null()
    if isinstance(spec.default, bool):
        return exp.true() if spec.default else exp.false()
    return lit(str(spec.default))


def typed_fields(plan: Plan, spelled: exp.Select) -> tuple[
        exp.Select, list[tuple[exp.Expr, exp.Expr]]]:
    """`spelled` (each field's `_v`, `_q` and `_w` columns, from a line or a table's row)
    with its converted values (`_x`), and each field's (value, good) over it
    (`typed_field`): one typing for every input."""
    fields = plan.schema.fields
    casts = [exp.alias_(found, f"_x{index}", quoted=True)
             for index, spec in enumerate(fields)
             if (found := converted(spec, index)) is not None]
    middle = exp.select(exp.Star(), *casts).from_(spelled.subquery())
    return middle, [typed_field(spec, index, plan.money.currency)
                    for index, spec in enumerate(fields)]


def lines() -> exp.Select:
    """The lines of `chunk(_f, _n, _o, _m, t)`, each row `_m` whole lines (each ended by a
    newline, but perhaps a file's last), the first numbered `_n`: a block of a file is cut
    into lines by DuckDB rather than by Python. `_o` (the bytes of the file's lines before
    this one, so that it can be read again by seeking) is given for a row of one line, and
    NULL for a line of a longer block (`engine.blocks.Blocks` finds it)."""
    split = exp.select(_col("_f"), _col("_n"), _col("_o"), _col("_m"),
                       exp.alias_(fn("string_split", _col("t"), fn("chr", lit(10))), "_l",
                                  quoted=True)).from_(CHUNK)
    each = exp.select(_col("_f"), _col("_n"), _col("_o"), _col("_m"),
                      exp.alias_(exp.Explode(this=_col("_l")), "t", quoted=True),
                      exp.alias_(fn("generate_subscripts", _col("_l"), lit(1)), "_i",
                                 quoted=True)).from_(split.subquery())
    # a block's last newline leaves an empty text after it, which is no line
    return exp.select(
        _col("_f"),
        exp.alias_(exp.Sub(this=exp.Add(this=_col("_n"), expression=_col("_i")),
                           expression=lit(1)), "_n", quoted=True),
        _col("_o"), _col("t"),
    ).from_(each.subquery()).where(exp.LTE(this=_col("_i"), expression=_col("_m")))


def parse(plan: Plan) -> exp.Select:
    """Typed records from the JSON lines of `chunk` (`lines`); `_ok` false for a line SQL
    does not read exactly, whose text is then kept (`_t`) for its id to be found.

    Each line is parsed once, into a struct of the declared fields' JSON texts, written
    back by DuckDB with no escape a string does not need. A clean line's keys number as
    many as the declared fields it has (none undeclared, none twice), and its strings,
    written back, hold no backslash (`_unescaped`): an escape in the line (`\\u00e9`,
    `\\/`, an escaped key) is then DuckDB's to read, and a quote, backslash or control
    character inside a string, which Python and DuckDB might read apart, leaves the line to
    the reader.
    """
    schema = plan.schema
    names = list(schema.names)
    text = _col("t")
    is_object = exp.and_(exp.EQ(this=fn("left", fn("ltrim", text), lit(1)), expression=lit("{")),
                         fn("json_valid", text))
    shape = lit(json.dumps(dict.fromkeys(names, "JSON")))  # each field's JSON text
    parsed = exp.select(
        _col("_f"), _col("_n"), _col("_o"), text,
        exp.alias_(is_object, "_object", quoted=True),
        exp.alias_(case((is_object, fn("from_json", text, shape))), "_j", quoted=True),
    ).from_(lines().subquery())
    values = [exp.alias_(exp.cast(exp.Dot(this=_col("_j"), expression=exp.to_identifier(
        name, quoted=True)), "VARCHAR"), f"_r{index}", quoted=True)
        for index, name in enumerate(names)]
    read = exp.select(_col("_f"), _col("_n"), _col("_o"), text, _col("_object"), *values,
                      exp.alias_(fn("contains", text, lit("null")), "_nulls", quoted=True),
                      exp.alias_(fn("contains", text, lit("\\")), "_escapes", quoted=True)) \
        .from_(parsed.subquery())
    escaped = exp.or_(*(exp.func("coalesce", fn("contains", _col(f"_r{index}"), lit("\\")),
                                 exp.false()) for index in range(len(names))))
    spelled = exp.select(_col("_f"), _col("_n"), _col("_o"), text, _col("_object"),
                         _col("_escapes"),
                         exp.alias_(case((_col("_escapes"), exp.not_(escaped)),
                                         default=exp.true()), "_unescaped", quoted=True),
                         *(column for index, spec in enumerate(schema.fields)
                           for column in _spelled(spec, index, text))) \
        .from_(read.subquery())
    numbers = [found for index, spec in enumerate(schema.fields)
               if (found := _number(spec, index, text)) is not None]
    spelled = exp.select(exp.Star(), *numbers).from_(spelled.subquery())
    middle, typed = typed_fields(plan, spelled)
    # the keys written, each counted (json_keys lists a key written twice twice), against
    # the declared fields the line has: none undeclared, none twice
    keys = case((_col("_object"), fn("len", fn("json_keys", text))))
    present: exp.Expr = _col("_k0")
    for index in range(1, len(names)):
        present = exp.Add(this=present, expression=_col(f"_k{index}"))
    plain = exp.and_(
        _col("_object"),
        _col("_unescaped"),
        _eq(keys, present),
        # DuckDB reads a trailing comma that JSON forbids (control characters and NaN it
        # refuses or, in a value, the checks below do); a clean line holds no list or
        # object but itself (a value's type, or a key not declared, makes it the reader's),
        # so its only trailing comma is one before its last brace (a line handed in a piece
        # keeps its newline)
        exp.not_(fn("regexp_matches", text, lit(r",[ \t\r]*}[ \t\r\n]*$"))),
        *(good for _, good in typed),
    )
    id_index = names.index(schema.id_field)
    return exp.select(
        _col("_f"), _col("_n"), _col("_o"),
        exp.alias_(exp.func("coalesce", plain, exp.false()), "_ok", quoted=True),
        exp.alias_(case((_col(f"_q{id_index}"), _col(f"_v{id_index}"))), "_id", quoted=True),
        exp.alias_(case((exp.not_(_col("_object")), text)), "_t", quoted=True),
        *(exp.alias_(value, spec.name, quoted=True)
          for (value, _), spec in zip(typed, schema.fields, strict=True)),
    ).from_(middle.subquery())


def may_warn(plan: Plan) -> exp.Expr:
    """True for a record a built-in plausibility warning may flag (`plausibility`), with
    a margin: such lines go to the stream reader, which flags exactly those it should."""
    schema, zone = plan.schema, plan.zone
    contract = plan.contract
    start, end = contract.effective_from, contract.effective_to
    time = _col(schema.time_field)
    tests: list[exp.Expr] = []
    for spec in schema.fields:
        column, kind = _col(spec.name), spec.type.kind
        if kind is Kind.TIMESTAMP:
            if start is not None:
                low = datetime.combine(start - PERIOD_MARGIN, datetime.min.time(), zone)
                tests.append(exp.LT(this=column, expression=lit(micros(low + _MARGIN))))
            if end is not None:
                high = datetime.combine(end + PERIOD_MARGIN + timedelta(days=1),
                                        datetime.min.time(), zone)
                tests.append(exp.GT(this=column, expression=lit(micros(high - _MARGIN))))
            if spec.name != schema.time_field:
                near = (RECORD_MARGIN - _MARGIN) // timedelta(microseconds=1)
                tests.append(exp.GT(this=fn("abs", exp.Sub(this=column, expression=time)),
                                    expression=lit(near)))
        elif kind is Kind.DATE:
            if start is not None:
                tests.append(exp.LT(this=column, expression=exp.cast(
                    lit((start - PERIOD_MARGIN + _MARGIN).isoformat()), "DATE")))
            if end is not None:
                tests.append(exp.GT(this=column, expression=exp.cast(
                    lit((end + PERIOD_MARGIN - _MARGIN).isoformat()), "DATE")))
            if spec.name != schema.time_field:
                moment = fn("make_timestamp", time)
                days = fn("date_diff", lit("day"), exp.cast(moment, "DATE"), column)
                near = (RECORD_MARGIN - _MARGIN).days
                tests.append(exp.GT(this=fn("abs", days), expression=lit(near)))
        elif kind is Kind.DURATION and not spec.negative:
            tests.append(exp.LT(this=column, expression=lit(0)))
    if not tests:
        return exp.false()
    return exp.func("coalesce", exp.or_(*tests), exp.false())


def repeated() -> exp.Select:
    """The ids written on more than one line (by any line that spells one)."""
    return exp.select(_col("_id")).from_(RECORDS).where(exp.not_(_null(_col("_id")))) \
        .group_by(_col("_id")).having(exp.GT(this=exp.Count(this=exp.Star()), expression=lit(1)))


def may_apply(checked: CheckedContract, plan: Plan,
              ) -> tuple[exp.Expr, tuple[tuple[str, tuple[str, ...]], ...]]:
    """True for a record a `records.reject` or `records.warn` rule may apply to (its
    condition passes, or SQL cannot say): such lines go to the stream reader, which
    rejects or flags exactly those it should; and per kind of rule, what of them SQL
    could not express (the lines they would decide go to the reader)."""
    contract = checked.contract
    clauses = Clauses(checked, plan.as_of, {rate.currency: rate.rate for rate in plan.rates})
    tests = []
    left = []
    for kind, rules in (("records.reject", contract.reject), ("records.warn", contract.warn)):
        clauses.left = []
        for rule in rules:
            truth = clauses.truth(rule.when.node)
            tests.append(exp.or_(_null(truth), _eq(truth, PASS)))
        if clauses.left:
            left.append((kind, tuple(dict.fromkeys(clauses.left))))
    return (exp.or_(*tests) if tests else exp.false()), tuple(left)


def read_left(plan: Plan) -> tuple[str, ...]:
    """What of the record schema makes SQL leave lines to the stream reader beyond the
    faults it would reject: a list field (a line with a list), a pattern RE2 may read
    otherwise (a line with a value there)."""
    found = []
    for spec in plan.schema.fields:
        if spec.type.kind is Kind.LIST:
            found.append(f"the list field `{spec.name}`")
        if spec.pattern is not None and not re2_reads_as_python(spec.pattern):
            found.append(f"the pattern of `{spec.name}`")
    return tuple(found)


def stage(checked: CheckedContract, plan: Plan) -> exp.Select:
    """Every record with `_clean`: read exactly, its id on no other line, no warning near,
    no rule that may apply."""
    alone = exp.not_(exp.In(this=_col("_id"), query=exp.select(_col("_id")).from_(REPEATED)
                            .subquery()))
    tests = [_col("_ok"), alone, exp.not_(exp.paren(may_warn(plan)))]
    if checked.contract.reject or checked.contract.warn:
        tests.append(exp.not_(exp.paren(may_apply(checked, plan)[0])))
    clean = exp.func("coalesce", exp.and_(*tests), exp.false())
    return exp.select(exp.Star(), exp.alias_(clean, "_clean", quoted=True)).from_(RECORDS)


@dataclass(frozen=True, slots=True)
class Classified:
    """The classes query, and per standard its columns: key, group columns, class; the
    columns of what each record adds to a standard's measure (none for a rate); and what
    of the standard SQL leaves to the stream engine."""

    select: exp.Select
    columns: tuple[tuple[str, tuple[str, ...], str], ...]
    measured: tuple[tuple[Added, ...], ...] = ()
    """Per standard, what its records add up: for the measure (None) and each window total
    (its index), the columns a record adds (two for a ratio, added together), each with
    whether it holds a duration's microseconds (made seconds in Python: DuckDB divides
    decimals as DOUBLE), and whether the values are listed (a percentile) or summed."""
    left: tuple[tuple[str, ...], ...] = ()
    """Per standard, the constructs SQL could not express: the lines they would decide
    go to the stream engine."""


@dataclass(frozen=True, slots=True)
class Added:
    """What a standard's records add to its measure (`role` None) or to a window total."""

    role: int | None
    parts: tuple[tuple[str, bool], ...]
    listed: bool = False


def in_period(plan: Plan) -> exp.Expr:
    time = _col(plan.schema.time_field)
    tests: list[exp.Expr] = []
    if plan.period_start is not None:
        tests.append(exp.GTE(this=time, expression=lit(micros(plan.period_start))))
    if plan.period_end is not None:
        tests.append(exp.LT(this=time, expression=lit(micros(plan.period_end))))
    return exp.and_(*tests) if tests else exp.true()


GROUP_KINDS = frozenset({Kind.STRING, Kind.ENUM, Kind.BOOL})
"""Fields SQL groups by: their values are Python's as they are (a number's or a time's
spelling as a group key is Python's own; such a standard's lines go to the stream)."""
MERGED = (Count, Sum, Extreme, RatioOfSums, Percentile)
"""The measures SQL adds to (`engine.duckdb._measured`); any other is the stream's."""


def classify(checked: CheckedContract, plan: Plan) -> Classified:
    """Stage 1 of every standard on the clean records in the contract's period."""
    clauses = Clauses(checked, plan.as_of, {rate.currency: rate.rate for rate in plan.rates})
    selected: list[exp.Expr] = [_col("_f"), _col("_n"), _col("_o"), _col("_id")]
    columns = []
    measured: list[tuple[Added, ...]] = []
    left: list[tuple[str, ...]] = []
    for sp in plan.standards:
        standard = checked.contract.standards[sp.index]
        clauses.left = []
        key = f"_key_{sp.index}"
        placed = _col(sp.window.field or plan.schema.time_field)
        selected.append(exp.alias_(_key(sp, placed, plan), key, quoted=True))
        groups = []
        grouped: exp.Expr | None = exp.true()  # whether SQL is sure of the group's values
        for j, name in enumerate(sp.window.group_fields):
            groups.append(f"_group_{sp.index}_{j}")
            value, sure = _group(clauses, plan, name)
            if value is None:
                grouped = None
            elif sure is not None and grouped is not None:
                grouped = exp.and_(grouped, sure)
            selected.append(exp.alias_(exp.null() if value is None else value, groups[-1],
                                       quoted=True))
        branches: list[Branch] = []
        if sp.window.field is not None:
            branches.append((_null(placed), None))
        if standard.scope is not None:
            scope = clauses.truth(standard.scope.node)
            branches.append((exp.or_(_null(scope), _eq(scope, PENDING)), None))
            branches.append((exp.not_(_eq(scope, PASS)), -1))
        if grouped is None:  # every record in scope has its group computed by the stream
            branches.append((exp.true(), None))
        elif not isinstance(grouped, exp.Boolean):  # those whose group SQL is unsure of
            branches.append((exp.not_(exp.func("coalesce", grouped, exp.false())), None))
        for j, item in enumerate(standard.exclusions):
            excluded = clauses.truth(item.when.node)
            branches.append((exp.or_(_null(excluded), _eq(excluded, PENDING)), None))
            branches.append((_eq(excluded, PASS), 10 + j))
        items: list[tuple[int | None, ast.Measure, Measure]] = []
        target = standard.target.node if standard.target is not None else None
        if isinstance(target, ast.Target) and target.measure is not None:
            items.append((None, target.measure, sp.measure))
        try:  # each window total, as the measure
            items.extend((j, node, total) for j, (node, (total, _)) in enumerate(zip(
                _totals(standard, sp), sp.consequences.totals, strict=True)))
        except UnsupportedError as error:
            clauses.left.append(error.construct)
            branches.append((exp.true(), None))
        added: list[Added] = []
        for role, node, measure in items:
            if not isinstance(measure, MERGED):
                clauses.left.append(f"the measure `{measure.label}`")
                branches.append((exp.true(), None))
                continue
            values, unsure = _measure(clauses, node)
            parts = []
            for k, (value, in_micros) in enumerate(values):
                parts.append((f"_added_{sp.index}_{len(added)}_{k}", in_micros))
                selected.append(exp.alias_(value, parts[-1][0], quoted=True))
            if unsure is not None:  # a value SQL cannot compute or be sure of
                branches.append((unsure, None))
            added.append(Added(role, tuple(parts), isinstance(measure, Percentile)))
        measured.append(tuple(added))
        outcome = clauses.truth(standard.require.node)
        odd = _implausible(clauses, standard.require.node)
        branches.append((exp.and_(_eq(outcome, PASS), exp.not_(exp.paren(odd))), 0))
        branches.append((_eq(outcome, PENDING), 1))
        if counts_breaches(sp):
            branches.append((_eq(outcome, BREACH), 2))
            branches.append((_eq(outcome, OVERDUE), 3))
        name = f"_class_{sp.index}"
        selected.append(exp.alias_(case(*branches), name, quoted=True))
        columns.append((key, tuple(groups), name))
        left.append(tuple(dict.fromkeys(clauses.left)))
    selected.append(exp.alias_(in_period(plan), "_inside", quoted=True))
    select = exp.select(*selected).from_(STAGE).where(_col("_clean"))
    return Classified(select, tuple(columns), tuple(measured), tuple(left))


def _group(clauses: Clauses, plan: Plan, name: str) -> tuple[exp.Expr | None, exp.Expr | None]:
    """A group's value in SQL (None when SQL cannot give it), and when not always sure of
    it, the condition that it is: a text, enum or boolean field as it is, a derived text
    (`tier: customer_tier[customer_id]`) as SQL computes it."""
    spec = plan.schema.field(name)
    if spec is not None:
        if spec.type.kind in GROUP_KINDS:
            return _col(name), None
        clauses.left.append(f"grouping by `{name}`")
        return None, None
    node = clauses.derived.get(name)
    try:
        if node is None:
            raise UnsupportedError(f"grouping by `{name}`")
        found = clauses.value(node)
        if found.kind is not Kind.STRING or found.open is not None:
            raise UnsupportedError(f"grouping by `{name}`")
    except UnsupportedError as error:
        clauses.left.append(error.construct)
        return None, None
    return found.sql, found.sure


def _totals(standard: Standard, sp: StandardPlan) -> list[ast.Measure]:
    """The window totals of a standard's amounts, found in the order `plan._Totals` finds
    them (a penalty per window, a credit and its cap, a credit table, a reward), each
    once; checked against the plan's own list, so that a new kind of amount is left to
    the stream engine rather than counted in the wrong place."""
    found: dict[str, ast.Measure] = {}

    def walk(node: ast.Node | None) -> None:
        match node:
            case ast.Aggregate():
                found.setdefault(measure_text(node), node)
            case ast.Neg(operand=operand) | ast.PercentOf(operand=operand):
                walk(operand)
            case ast.Binary(left=left, right=right):
                walk(left)
                walk(right)
            case ast.Call(function=function, args=args):
                for arg in args[:1] if function in ("floor", "ceil", "round", "abs") else args:
                    walk(arg)
            case ast.Conditional(then=then, otherwise=otherwise):  # checked below
                walk(then)
                walk(otherwise)

    if standard.window_penalty is not None:
        walk(standard.window_penalty.node.amount)
    if standard.credit is not None:
        walk(standard.credit.node.amount)
        walk(standard.credit.node.cap)
    for band in standard.credit_bands:
        walk(band.amount.node)
    if standard.reward is not None:
        walk(standard.reward.node.amount)
    if standard.payment is not None:
        walk(ast.Aggregate(function="sum", operand=standard.payment.node.amount))
    if list(found) != [total.label for total, _ in sp.consequences.totals]:
        raise UnsupportedError(f"the window totals of standard `{sp.id}`")
    return list(found.values())


def _measure(clauses: Clauses,
             node: ast.Measure) -> tuple[list[tuple[exp.Expr, bool]], exp.Expr | None]:
    """What a record adds to a measure (`plan._operand`): one value, or a ratio's two
    (added only together), each NULL when unknown; and when SQL cannot say, a condition."""
    if isinstance(node, ast.Ratio):
        top, unsure_top = _operand(clauses, node.numerator)
        bottom, unsure_bottom = _operand(clauses, node.denominator)
        tests = [test for test in (unsure_top, unsure_bottom) if test is not None]
        return [top, bottom], exp.or_(*tests) if tests else None
    value, unsure = _operand(clauses, node)
    return [value], unsure


def _operand(clauses: Clauses,
             node: ast.Aggregate) -> tuple[tuple[exp.Expr, bool], exp.Expr | None]:
    """1 or 0 for what `count` counts (NULL while pending), else the operand's value: a
    DECIMAL, or for a duration its microseconds (and True). A value SQL cannot compute
    is NULL, with the condition TRUE: every record measured goes to the stream engine."""
    if node.operand is None:
        return (exp.cast(lit(1), DECIMAL), False), None
    if node.function == "count":
        truth = clauses.truth(node.operand)
        return (case((_eq(truth, PASS), exp.cast(lit(1), DECIMAL)), (_eq(truth, PENDING), None),
                     default=exp.cast(lit(0), DECIMAL)), False), _null(truth)
    try:
        found = clauses.value(node.operand)
        if found.kind not in (Kind.NUMBER, Kind.MONEY, Kind.DURATION):
            raise UnsupportedError(f"`{node.function}` of a {found.kind.value}")
    except UnsupportedError as error:
        clauses.left.append(error.construct)
        return (exp.cast(exp.null(), DECIMAL), False), exp.true()
    known = found.sql if found.open is None else case((found.open, None), default=found.sql)
    unsure = None if found.sure is None else exp.not_(found.sure)
    return (known, found.kind is Kind.DURATION), unsure


def measures(classified: Classified, index: int,
             ) -> list[tuple[Added, exp.Select]]:
    """What a standard's counted clean records (every class but out of scope and excluded)
    add to its measure and to each window total, per window and group: how many values,
    and their sum, least and most, or for a percentile the values themselves."""
    key, groups, name = classified.columns[index]
    keys = [_col(key), *(_col(group) for group in groups)]
    found = []
    for added in classified.measured[index]:
        every = exp.and_(*(exp.not_(_null(_col(part))) for part, _ in added.parts))
        figures: list[exp.Expr] = [exp.Count(this=exp.Star())]
        for part, _ in added.parts:
            if added.listed:
                figures.append(fn("list", _col(part)))
            else:
                figures += [exp.Sum(this=_col(part)), exp.Min(this=_col(part)),
                            exp.Max(this=_col(part))]
        select = exp.select(*keys, *figures).from_(CLASSES).where(exp.and_(
            _col("_inside"), exp.In(this=_col(name), expressions=[
                lit(0), lit(1), lit(2), lit(3)]), every)).group_by(*keys)
        found.append((added, select))
    return found


def counts_breaches(sp: StandardPlan) -> bool:
    """Whether SQL counts a standard's breaches (class 2, or 3 when overdue) and lists its
    evidence: when a breach carries no money and no time, it is only counted and shown."""
    return sp.consequences.penalty is None and not sp.consequences.keeps_breach_times


def evidence(classified: Classified, index: int, limit: int) -> exp.Select:
    """The first `limit` breaches of a standard counted by SQL, per window and group, in
    input order, and whether each is overdue: the evidence its tallies keep."""
    key, groups, name = classified.columns[index]
    keys = [_col(key), *(_col(group) for group in groups)]
    rank = exp.Window(this=exp.RowNumber(), partition_by=keys,
                      order=exp.Order(expressions=[exp.Ordered(this=_col("_f")),
                                                   exp.Ordered(this=_col("_n"))]))
    ranked = exp.select(*keys, _col("_f"), _col("_n"), _col("_id"), _col(name),
                        exp.alias_(rank, "_rank", quoted=True)).from_(CLASSES).where(
        exp.and_(_col("_inside"), exp.In(this=_col(name), expressions=[lit(2), lit(3)])))
    return exp.select(exp.Star()).from_(ranked.subquery()).where(
        exp.LTE(this=_col("_rank"), expression=lit(limit)))


def overdue(classified: Classified, index: int, limit: int) -> exp.Select:
    """The first `limit` overdue breaches of a standard counted by SQL, in input order."""
    name = classified.columns[index][2]
    return exp.select(_col("_f"), _col("_n"), _col("_id")).from_(CLASSES).where(
        exp.and_(_col("_inside"), _eq(_col(name), 3))).order_by(_col("_f"), _col("_n")) \
        .limit(limit)


def _key(sp: StandardPlan, placed: exp.Expr, plan: Plan) -> exp.Expr:
    """The window key of `windows.KEY_SOURCE`, of the local time in the contract's zone (a
    date field's day as it is)."""
    local = placed if sp.window.field_is_date else _local(placed, plan)
    year, month = fn("year", local), fn("month", local)
    ordinal = exp.Add(this=fn("date_diff", lit("day"), exp.cast(lit("0001-01-01"), "DATE"),
                                exp.cast(local, "DATE")), expression=lit(1))
    period = sp.window.period
    if period is ast.Period.DAY:
        return ordinal
    if period is ast.Period.WEEK:
        return exp.IntDiv(this=exp.paren(exp.Sub(this=ordinal, expression=lit(1))),
                          expression=lit(7))
    if period is ast.Period.MONTH:
        return exp.Add(this=exp.Mul(this=year, expression=lit(12)),
                       expression=exp.Sub(this=month, expression=lit(1)))
    if period is ast.Period.QUARTER:
        return exp.Add(this=exp.Mul(this=year, expression=lit(4)), expression=exp.IntDiv(
            this=exp.paren(exp.Sub(this=month, expression=lit(1))), expression=lit(3)))
    return year


MARGIN = timedelta(days=2)
"""How far beyond the contract period a time's local wall time is found from Python's offsets."""


def _local(placed: exp.Expr, plan: Plan) -> exp.Expr:
    """The local wall time in the contract's zone of a time (epoch microseconds), as a
    TIMESTAMP: the time plus the zone's offset then, as Python's `astimezone` makes it, the
    offsets taken from Python's own tzdata (`windows.offsets`) for the contract period and a
    margin. So the two engines agree on every window even where DuckDB's time zone data is
    another version, and SQL spends a few comparisons a time where converting it by the
    zone's name costs a third of a microsecond. A time outside is converted by name."""
    by_name = fn("timezone", lit(plan.zone.key),
                 exp.cast(fn("make_timestamp", placed), "TIMESTAMPTZ"))
    if plan.period_start is None or plan.period_end is None:
        return by_name
    start, end = plan.period_start - MARGIN, plan.period_end + MARGIN
    found = offsets(plan.zone, start, end)
    if found is None:
        return by_name
    step = timedelta(microseconds=1)
    offset: exp.Expr = lit(found[-1][1] // step)
    for (_, before), (change, _) in reversed(list(pairwise(found))):
        offset = case((exp.LT(this=placed, expression=lit(micros(change))), lit(before // step)),
                      default=offset)
    inside = exp.and_(exp.GTE(this=placed, expression=lit(micros(start))),
                      exp.LT(this=placed, expression=lit(micros(end))))
    return case((inside, fn("make_timestamp", exp.Add(this=placed, expression=offset))),
                default=by_name)


def _implausible(clauses: Clauses, node: ast.Expr) -> exp.Expr:
    """A passed record with an event recorded before its own start (`compiler.event_orders`)
    goes to the stream engine, which lists it."""
    tests = []
    for event, start in _orders(clauses, node):
        happened, started = clauses.value(event), clauses.value(start)
        known = [exp.not_(_null(happened.sql)), exp.not_(_null(started.sql))]
        known += [exp.not_(side.open) for side in (happened, started) if side.open is not None]
        tests.append(exp.and_(*known, exp.LT(this=happened.sql, expression=started.sql)))
    return exp.func("coalesce", exp.or_(*tests), exp.false()) if tests else exp.false()


def _orders(clauses: Clauses, node: ast.Expr) -> list[tuple[ast.Expr, ast.Expr]]:
    match node:
        case ast.Within(event=event, start=start):
            return [(event, start)]
        case ast.Logical(left=left, right=right):
            return _orders(clauses, left) + _orders(clauses, right)
        case ast.Not(operand=operand):
            return _orders(clauses, operand)
        case ast.Ref(name=name) if name in clauses.derived:
            return _orders(clauses, clauses.derived[name])
    return []


def counts(classified: Classified, index: int) -> exp.Select:
    """One standard's clean records per (window, group, class): what stage 2 adds up."""
    key, groups, name = classified.columns[index]
    keys = [_col(key), *(_col(group) for group in groups), _col(name)]
    return exp.select(*keys, exp.alias_(exp.Count(this=exp.Star()), "_count", quoted=True)) \
        .from_(CLASSES).where(exp.and_(_col("_inside"), exp.GTE(this=_col(name),
                                                                expression=lit(0)))) \
        .group_by(*keys)


def routed(classified: Classified) -> exp.Select:
    """Each clean line some standard leaves to the stream engine, with those standards."""
    marks = [case((_null(_col(name)), lit(index)))
             for index, (_, _, name) in enumerate(classified.columns)]
    listed = fn("list_filter", exp.Array(expressions=marks),
                exp.Lambda(this=exp.not_(_null(exp.column("x"))),
                           expressions=[exp.to_identifier("x")]))
    return exp.select(_col("_f"), _col("_n"), _col("_o"),
                      exp.alias_(listed, "_standards", quoted=True)) \
        .from_(CLASSES).where(exp.and_(_col("_inside"), exp.or_(*(
            _null(_col(name)) for _, _, name in classified.columns))))


def statements(checked: CheckedContract, plan: Plan, dialect: str = "duckdb",
               reading: Sequence[tuple[str, exp.Expr | None]] | None = None) -> str:
    """Every statement the engine runs, in order, for `slacheck plan --sql`: `reading` are
    those typing the records of the inputs (`tables.reading`; by default, of JSON lines),
    a title without a statement saying what no SQL reads."""
    classified = classify(checked, plan)
    parts: list[tuple[str, exp.Expr | None]] = [
        *(reading if reading is not None
          else [("typed records from each chunk of lines", parse(plan))]),
        ("ids written on more than one line", repeated()),
        ("records SQL reads exactly, alone of their id, no warning or rule near",
         stage(checked, plan)),
        ("stage 1 per standard", classified.select),
        *((f"stage 2 of {sp.id}", counts(classified, sp.index)) for sp in plan.standards),
        *((f"evidence of {sp.id}", evidence(classified, sp.index, plan.evidence_limit))
          for sp in plan.standards if counts_breaches(sp)),
        *((f"{'measure' if added.role is None else f'total {added.role}'} of {sp.id}", select)
          for sp in plan.standards for added, select in measures(classified, sp.index)),
        ("lines left to the stream engine", routed(classified)),
    ]
    return "\n\n".join(f"-- {title}" if query is None
                       else f"-- {title}\n{query.sql(dialect=dialect, pretty=True)};"
                       for title, query in parts) + "\n"
