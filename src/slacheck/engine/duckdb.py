"""The DuckDB engine: stages 1 and 2 as SQL in embedded DuckDB, for large JSON lines files.

Each line is read into typed columns by SQL (`sql.queries.parse`). A line SQL reads exactly
as the stream reader would, whose id is on no other line and that no plausibility warning
may flag, is clean: SQL decides each standard's verdict on it and counts it per window and
group. Every other line, and every clean line a standard breaches (or cannot decide), is
read again from the file and handed, in line order, to the stream engine's own reader and
generated code, on the same state. So rejections, their reasons and line numbers, warnings,
evidence and money are the stream engine's by construction; SQL only adds the counts of
the common case, which is where the time goes. A clause SQL cannot express exactly leaves
the lines it would decide to the stream engine the same way (`sql.support.coverage`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from functools import partial
from itertools import accumulate, islice
from typing import Any

import orjson

from slacheck.checker import CheckedContract
from slacheck.engine.blocks import Blocks
from slacheck.engine.codegen import generate, window_periods
from slacheck.engine.sql.queries import (
    CHUNK,
    CLASSES,
    RECORDS,
    REPEATED,
    STAGE,
    Added,
    Classified,
    classify,
    counts,
    counts_breaches,
    duckdb_sql,
    evidence,
    measures,
    overdue,
    parse,
    repeated,
    routed,
    stage,
)
from slacheck.engine.sql.support import (
    UnsupportedError,
    check_inputs,
    check_supported,
    missing,
)
from slacheck.engine.state import State, Tally
from slacheck.engine.stream import Progress, Quarantine, run_one
from slacheck.engine.tables import TABLES, Table, load_table, row_readers, table_rows
from slacheck.findings import RecordRef
from slacheck.mapping import Conflict
from slacheck.measures import Extreme, Percentile, RatioOfSums
from slacheck.plan import Plan
from slacheck.readers import COMPRESSED, Input, expand
from slacheck.readers.database import connected
from slacheck.records import (
    MAX_LINE_BYTES,
    Reader,
    Records,
    Rejection,
    UndeclaredField,
    open_data,
    split_lines,
)
from slacheck.windows import KeyFunction, key_function

PIECE_BYTES = 64 << 20
"""Bytes of a plain file read and handed to DuckDB at a time (cut at a line's end)."""
CHUNK_LINES = 200_000
"""Lines handed to DuckDB at a time: memory stays bounded by a chunk of text."""
BATCH_BYTES = 8 << 20
"""About the text of one Arrow batch handed to DuckDB: DuckDB gives each of its threads a
batch at a time, so a piece of many batches is parsed on every core."""

Evaluate = Callable[[dict[str, Any], Any, Any], None]


def _modules() -> tuple[Any, Any]:
    try:
        import duckdb
        import pyarrow
    except ImportError as error:
        raise missing(error) from None
    return duckdb, pyarrow


def run_duckdb(
    checked: CheckedContract,
    plan: Plan,
    inputs: Iterable[str | Records],
    *,
    quarantine: Quarantine | None = None,
    progress: Progress | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    format_in: str | None = None,
    classified: Classified | None = None,
) -> State:
    """The stage-2 state of `inputs`, the same as `run_stream`'s; `classified` is the
    contract's stage 1 in SQL when `coverage` has compiled it already."""
    duckdb, pa = _modules()
    if classified is None:
        check_supported(checked, plan)
        classified = classify(checked, plan)  # a construct it refuses, before reading
    sources: list[Input] = []
    for given in inputs:
        if isinstance(given, Records):
            raise UnsupportedError("records given from Python")
        sources.extend(expand(given, format_in))
    check_inputs(sources)
    state = State.empty(plan)
    reader = Reader(plan.schema, keep_text=quarantine is not None, max_line_bytes=max_line_bytes,
                    currency=plan.money.currency, rules=plan.rules,
                    plausible=plan.plausible.run if plan.plausible else None)
    state.undeclared = reader.undeclared
    state.warnings = reader.warnings
    with connected(duckdb) as connection:
        # every time is computed in UTC microseconds; the session's zone must not move a
        # window (a window's local time is asked in the contract's zone by name)
        connection.execute("SET TimeZone = 'UTC'")
        loader = _Loader(connection, pa, plan, max_line_bytes)
        placed: list[bool] = []
        tables: dict[int, Table] = {}
        for index, source in enumerate(sources):
            if source.format in TABLES:
                table_sha, tables[index] = load_table(connection, pa, plan, index, source,
                                                      max_line_bytes, duckdb.Error)
                placed.append(False)
                state.inputs.append((source.path, table_sha))
                continue
            seekable = _seekable(source.path, max_line_bytes)
            sha = loader.load_plain(index, source.path) if seekable else None
            if sha is None:  # compressed, CR alone, a line too long or not UTF-8
                connection.execute(f'DELETE FROM {RECORDS} WHERE "_f" = {index}')
                digest = hashlib.sha256()
                stream = open_data(source.path, digest)
                try:
                    known = loader.load(index, split_lines(stream, source.path, max_line_bytes))
                finally:
                    stream.close()
                sha = digest.hexdigest()
                placed.append(known and seekable)
            else:
                placed.append(True)
            state.inputs.append((source.path, sha))
        loader.settle_ids()
        connection.execute(f"CREATE TABLE {REPEATED} AS {duckdb_sql(repeated())}")
        connection.execute(f"CREATE VIEW {STAGE} AS {duckdb_sql(stage(checked, plan))}")
        connection.execute(f"CREATE TABLE {CLASSES} AS "
                           f"{duckdb_sql(classified.select)}")
        clean, outside = connection.execute(
            f'SELECT count(*), count(*) FILTER (NOT "_inside") FROM {CLASSES}').fetchone()
        state.read += clean
        state.accepted += clean
        state.outside += outside
        found: dict[int, tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}
        for sp in plan.standards:
            _count(plan, state, sp.index, connection.execute(
                duckdb_sql(counts(classified, sp.index))).fetchall())
            for added, figures in measures(classified, sp.index):
                _measured(plan, state, sp.index, added, connection.execute(
                    duckdb_sql(figures)).fetchall())
            if counts_breaches(sp):
                limit = plan.evidence_limit
                found[sp.index] = (
                    connection.execute(duckdb_sql(evidence(classified, sp.index, limit)))
                    .fetchall(),
                    connection.execute(duckdb_sql(overdue(classified, sp.index, limit)))
                    .fetchall())
        left: dict[int, set[int]] = {index: set() for index in range(len(sources))}
        places: dict[int, dict[int, int]] = {index: {} for index in range(len(sources))}
        unplaced: dict[int, list[int]] = {index: [] for index in range(len(sources))}

        def place(file: int, line: int, start: int | None) -> None:
            if start is not None:  # a line of JSON lines, and a separator after each before
                places[file][line] = start + line - 1
            else:  # a line cut from a block by SQL, or a table's row
                unplaced[file].append(line)

        for file, line, start in connection.execute(
                f'SELECT "_f", "_n", "_o" FROM {STAGE} WHERE NOT "_clean"').fetchall():
            left[file].add(line)
            place(file, line, start)
        handed: dict[int, dict[int, tuple[int, ...]]] = {i: {} for i in range(len(sources))}
        for file, line, start, standards in connection.execute(
                duckdb_sql(routed(classified))).fetchall():
            handed[file][line] = tuple(standards)
            place(file, line, start)
        for file, blocks in loader.blocks.items():
            if unplaced[file]:
                places[file].update(blocks.places(sources[file].path, unplaced[file]))
        # every clean row of a table counts its undeclared columns, as the reader counts them
        clean_rows = {file: (count, first) for file, count, first in connection.execute(
            f'SELECT "_f", count(*), min("_n") FROM {STAGE} WHERE "_clean" GROUP BY "_f"'
        ).fetchall() if file in tables and tables[file].extras}
    # with `duplicates: last` or `combine` the stream engine counts every record once all
    # are read, in the order of their ids' first lines: the clean lines a standard leaves
    # wait for the records held, to be counted in that order among them
    waiting: list[Waiting] | None = [] if reader.combiner is not None else None
    for index, source in enumerate(sources):
        if not left[index] and not handed[index]:
            continue
        if source.format in TABLES:
            header: list[bytes] = []
            again = Reader(_alone(plan), max_line_bytes=max_line_bytes,
                           currency=plan.money.currency)
            wanted = sorted(left[index] | handed[index].keys())
            read_left, read_clean = row_readers(reader, again, source, header,
                                                _impossible(source.path))
            _rest(plan, state, source.path, left[index], handed[index], quarantine,
                  partial(table_rows, reader, source, wanted, header), read_left, read_clean,
                  waiting)
            continue
        lines = _sought(source.path, places[index]) if placed[index] else None
        _rest(plan, state, source.path, left[index], handed[index], quarantine,
              *_json_rest(plan, reader, source.path, max_line_bytes, lines), waiting)
    paths = [source.path for source in sources]
    if waiting is not None:
        _held(plan, state, reader, waiting, paths, quarantine)
    state.read += reader.merged
    state.merged += reader.merged
    _undeclared(state, tables, clean_rows, paths)
    for index, (shown, late) in found.items():
        _evidence(plan, state, index, shown, late, paths)
    if progress is not None:
        progress(state.read)
    return state


class _Loader:
    """Hands the lines of each file to DuckDB a chunk at a time, into the `recs` table."""

    def __init__(self, connection: Any, pa: Any, plan: Plan, limit: int) -> None:
        self.connection, self.pa, self.plan = connection, pa, plan
        self.limit = limit
        """The line limit: a line cut there (`records._LongLine`) is the reader's alone."""
        self.parse = duckdb_sql(parse(plan))
        self.id_field = plan.schema.id_field
        empty = pa.table({"_f": pa.array([], pa.int32()), "_n": pa.array([], pa.int64()),
                          "_o": pa.array([], pa.int64()), "_m": pa.array([], pa.int64()),
                          "t": pa.array([], pa.string())})
        self.blocks: dict[int, Blocks] = {}
        """The blocks of each file loaded by `load_plain`, to find its lines again."""
        connection.register(CHUNK, empty)
        connection.execute(f"CREATE TABLE {RECORDS} AS {self.parse} LIMIT 0")
        connection.unregister(CHUNK)

    def load(self, file: int, lines: Iterator[bytes]) -> bool:
        """Load one file's lines; whether every line's place in the file is known (`_o`),
        which no line cut at the line limit leaves (its length in the file is unknown)."""
        first, before, placed = 1, 0, True
        while block := list(islice(lines, CHUNK_LINES)):
            starts = list(accumulate(map(len, block), initial=before))
            before = starts.pop()
            longest = max(map(len, block))
            placed = placed and longest < self.limit
            whole = b"\n".join(block)
            # bytes that are not UTF-8, or cut at the line limit: the reader's
            if longest < self.limit and _utf8(whole):
                self._flush(file, range(first, first + len(block)), starts, block)
            else:
                self._lines(file, block, starts, first)
            first += len(block)
        return placed

    def _lines(self, file: int, block: list[bytes], starts: list[int], first: int) -> None:
        """A block's lines one by one: those not UTF-8 or cut at the line limit are the
        reader's alone, kept with the id they spell."""
        odd: list[tuple[int, int, str | None]] = []
        numbers: list[int] = []
        kept: list[int] = []
        texts: list[bytes] = []
        for index, text in enumerate(block):
            if type(text) is bytes and _utf8(text):
                numbers.append(first + index)
                kept.append(starts[index])
                texts.append(text)
            else:
                odd.append((first + index, starts[index], _id_of(text, self.id_field)))
        self._flush(file, numbers, kept, texts)
        if odd:
            pa = self.pa
            table = pa.table({"_f": pa.array([file] * len(odd), pa.int32()),
                              "_n": pa.array([item[0] for item in odd], pa.int64()),
                              "_o": pa.array([item[1] for item in odd], pa.int64()),
                              "_id": pa.array([item[2] for item in odd], pa.string())})
            self.connection.register("odd", table)
            self.connection.execute(f'INSERT INTO {RECORDS} ("_f", "_n", "_o", "_ok", "_id") '
                                    'SELECT "_f", "_n", "_o", false, "_id" FROM odd')
            self.connection.unregister("odd")

    def load_plain(self, file: int, path: str) -> str | None:
        """Load a plain file whose lines end with a newline, a large piece at a time, each
        piece handed to DuckDB as it was read, without a copy (in blocks of whole lines,
        `blocks`; a piece ends at its last newline, and the next is read from there): its
        SHA-256, or None when a line is too long or a byte is not UTF-8, which only `load`,
        reading as `records.split_lines` does, can tell the reader's way."""
        digest = hashlib.sha256()
        first, base = 1, 0
        blocks = Blocks()
        with open(path, "rb") as stream:
            while data := stream.read(PIECE_BYTES):
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    if stream.read(1):  # a line longer than a piece: `load` reads it
                        return None
                    cut = len(data)  # the last line, without a newline
                count = self._piece(file, data, cut, first, base, blocks)
                if count is None:
                    return None
                digest.update(memoryview(data)[:cut])
                first, base = first + count, base + cut
                if cut < len(data):
                    stream.seek(base)
        self.blocks[file] = blocks
        return digest.hexdigest()

    def _piece(self, file: int, data: bytes, cut: int, first: int, base: int,
               blocks: Blocks) -> int | None:
        """Hand the whole lines of `data[:cut]` to DuckDB: their number, or None."""
        pa = self.pa
        if not _utf8(data, cut):
            return None
        found = blocks.cut(data, cut, first, base, self.limit)
        if found is None:
            return None
        starts, counts, firsts = found
        offsets = pa.array(starts, pa.int64())
        offsets = pa.concat_arrays([offsets, pa.array([cut], pa.int64())])
        text = pa.LargeStringArray.from_buffers(len(starts), offsets.buffers()[1],
                                                pa.py_buffer(data))
        self._flush(file, pa.array(firsts, pa.int64()), pa.nulls(len(starts), pa.int64()),
                    text, pa.array(counts, pa.int64()), cut)
        return sum(counts)

    def _flush(self, file: int, numbers: Sequence[int] | Any, starts: Sequence[int] | Any,
               texts: list[bytes] | Any, counts: Any = None, size: int = 0) -> None:
        """Hand DuckDB `texts` (of `size` bytes in all, if not a list), each of `counts`
        lines (one, if not given), the first of each numbered by `numbers`, placed by
        `starts` (see `sql.queries.lines`)."""
        if not texts:
            return
        pa = self.pa
        if isinstance(texts, list):
            size = sum(map(len, texts))
            texts = pa.array(texts, pa.binary()).cast(pa.string())
        if counts is None:
            counts = pa.repeat(pa.scalar(1, pa.int64()), len(texts))
        table = pa.table({"_f": pa.repeat(pa.scalar(file, pa.int32()), len(texts)),
                          "_n": _integers(pa, numbers), "_o": _integers(pa, starts),
                          "_m": counts, "t": texts})
        rows = max(1, len(texts) * BATCH_BYTES // max(1, size))
        if rows < len(texts):  # in batches, without a copy
            table = pa.Table.from_batches(table.to_batches(max_chunksize=rows))
        self.connection.register(CHUNK, table)
        self.connection.execute(f"INSERT INTO {RECORDS} {self.parse}")
        self.connection.unregister(CHUNK)

    def settle_ids(self) -> None:
        """The id of each line DuckDB could not read as an object, as Python reads it, so
        that an id written on it and on a clean line is a duplicate to SQL too."""
        found = self.connection.execute(
            f'SELECT "_f", "_n", "_t" FROM {RECORDS} WHERE "_t" IS NOT NULL').fetchall()
        ids = [(file, line, _id_of(text.encode(), self.id_field)) for file, line, text in found]
        ids = [item for item in ids if item[2] is not None]
        if not ids:
            return
        pa = self.pa
        table = pa.table({"_f": pa.array([item[0] for item in ids], pa.int32()),
                          "_n": pa.array([item[1] for item in ids], pa.int64()),
                          "_id": pa.array([item[2] for item in ids], pa.string())})
        self.connection.register("found", table)
        self.connection.execute(f'UPDATE {RECORDS} SET "_id" = found."_id" FROM found '
                                f'WHERE {RECORDS}."_f" = found."_f" '
                                f'AND {RECORDS}."_n" = found."_n"')
        self.connection.unregister("found")


def _integers(pa: Any, values: Sequence[int] | Any) -> Any:
    return values if isinstance(values, pa.Array) else pa.array(values, pa.int64())


def _utf8(text: bytes, end: int | None = None) -> bool:
    """Whether `text` (up to `end`) is UTF-8 (DuckDB's text must be): any other line is
    the reader's."""
    if text.isascii():
        return True
    try:
        str(memoryview(text)[:end], "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _id_of(text: bytes, id_field: str) -> str | None:
    """The id a line spells, if it is an object with a string there (else no id counts).

    An id Python reads but UTF-8 cannot hold (a lone surrogate, `\\ud800`) is no text to
    DuckDB, so no line SQL reads can spell it: it counts as none, and the reader, which
    reads every such line, finds its duplicates itself."""
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            raw = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):
            return None
    found = raw.get(id_field) if type(raw) is dict else None
    if type(found) is not str:
        return None
    try:
        found.encode()
    except UnicodeEncodeError:
        return None
    return found


def _count(plan: Plan, state: State, index: int, rows: list[tuple[Any, ...]]) -> None:
    """Add the clean records' counts of one standard to its tallies."""
    sp = plan.standards[index]
    tallies = state.standards[index].tallies
    for key, *rest, kind, count in rows:
        group = None if not rest else rest[0] if len(rest) == 1 else tuple(rest)
        tally = tallies.get((key, group))
        if tally is None:
            tally = tallies[(key, group)] = Tally(measured=sp.measure.start(), totals=[
                total.start() for total, _ in sp.consequences.totals])
        if kind == 0:
            tally.passed += count
        elif kind == 1:
            tally.pending += count
        elif kind in (2, 3):  # breaches SQL counts; their evidence comes after (`_evidence`)
            tally.breached += count
            if kind == 3:
                state.standards[index].overdue_total += count
        else:
            reason = sp.exclusions[kind - 10][1]
            tally.excluded += count
            tally.exclusions[reason] = tally.exclusions.get(reason, 0) + count


def _measured(plan: Plan, state: State, index: int, added: Added,
              rows: list[tuple[Any, ...]]) -> None:
    """Add the clean records' values to a standard's measure (`role` None) or to one of its
    window totals in each window and group, as its `merge` would add another part's state;
    each part says whether its values are durations in microseconds (seconds, exactly)."""
    sp = plan.standards[index]
    role = added.role
    micros = tuple(in_micros for _, in_micros in added.parts)
    measure = sp.measure if role is None else sp.consequences.totals[role][0]
    groups = len(sp.window.group_fields)
    for row in rows:
        key, rest = row[0], row[1:1 + groups]
        group = None if groups == 0 else rest[0] if groups == 1 else tuple(rest)
        count, *figures = row[1 + groups:]
        if not count:
            continue
        tally = state.standards[index].tallies[(key, group)]
        state_of = tally.measured if role is None else tally.totals[role]
        part = measure.start()
        if isinstance(measure, Percentile):  # every value, in any order: it sorts them
            part.values = [_exact(value, micros[0]) for value in figures[0]]
            measure.merge(state_of, part)
            continue
        sums = [_exact(figures[3 * j], micros[j]) for j in range(len(micros))]
        if isinstance(measure, RatioOfSums):
            part.count, part.numerator, part.denominator = count, sums[0], sums[1]
        elif isinstance(measure, Extreme):
            best = figures[2] if measure.largest else figures[1]
            part.count, part.best = count, _exact(best, micros[0])
        else:  # a count, sum or mean: how many values, and their total
            part.count, part.total = count, sums[0]
        measure.merge(state_of, part)


def _exact(value: Any, micros: bool) -> Fraction:
    """A figure from SQL as the stream engine's exact fraction: a duration's microseconds
    as seconds, a DECIMAL as it is."""
    return Fraction(int(value), 1_000_000) if micros else Fraction(value)


def _evidence(plan: Plan, state: State, index: int, shown: list[tuple[Any, ...]],
              late: list[tuple[Any, ...]], paths: list[str]) -> None:
    """The breaches SQL counted, merged into the evidence the stream engine kept of the
    lines it was handed: the first in input order of both, as one pass would keep."""
    limit = plan.evidence_limit
    st = state.standards[index]
    order = {path: place for place, path in enumerate(paths)}

    def first(refs: list[RecordRef]) -> list[RecordRef]:
        return sorted(refs, key=lambda ref: (order[ref.source], ref.line))[:limit]

    kept: dict[tuple[Any, Any], list[RecordRef]] = {}
    for key, *rest, file, line, found, _, _ in shown:
        group = None if len(rest) == 0 else rest[0] if len(rest) == 1 else tuple(rest)
        kept.setdefault((key, group), []).append(RecordRef(found, line, paths[file]))
    for window, refs in kept.items():
        tally = st.tallies[window]
        tally.breaches = first(tally.breaches + refs)
    st.overdue = first(st.overdue + [RecordRef(found, line, paths[file])
                                     for file, line, found in late])


def _undeclared(state: State, tables: dict[int, Table],
                clean_rows: dict[int, tuple[int, int]], paths: list[str]) -> None:
    """Add the clean rows of tables to the count of each undeclared column they have, with
    the first row of all (the reader counted the rows SQL left)."""
    order = {path: place for place, path in enumerate(paths)}
    for file, (count, first) in sorted(clean_rows.items()):
        for name in tables[file].extras:
            found = state.undeclared.get(name)
            if found is None:
                state.undeclared[name] = UndeclaredField(name, count, paths[file], first)
                continue
            found.count += count
            if (file, first) < (order[found.source], found.line):
                found.source, found.line = paths[file], first


def _seekable(path: str, limit: int) -> bool:
    """Whether a line of `path` can be read again at its place: a plain file whose lines
    end with a newline (not CR alone, told as `records.split_lines` tells it)."""
    if path.lower().endswith(COMPRESSED) or not os.path.isfile(path):
        return False
    with open(path, "rb") as stream:
        start = stream.read(min(1 << 20, limit))
    return not (b"\n" not in start and b"\r" in start)


def _sought(path: str, places: dict[int, int]) -> Iterator[tuple[int, bytes]]:
    """The lines at `places` (line number to byte offset), in line order, each read by
    seeking to it: as `records.split_lines` gives them, without their newline."""
    with open(path, "rb") as stream:
        for number in sorted(places):
            stream.seek(places[number])
            text = stream.readline()
            yield number, text[:-1] if text.endswith(b"\n") else text


def _alone(plan: Plan) -> Any:
    """The schema the clean lines a standard leaves are read again with: their ids are on
    no other line, so they are read as such, never held to be combined."""
    return replace(plan.schema, read=replace(plan.schema.read, duplicates="reject"))


def _impossible(path: str) -> Callable[[Rejection], None]:
    def impossible(item: Rejection) -> None:
        raise AssertionError(f"SQL read {path}:{item.line} as clean, but the reader rejects "
                             f"it: {item.reason}")

    return impossible


def _json_rest(plan: Plan, reader: Reader, path: str, max_line_bytes: int,
               lines: Iterator[tuple[int, bytes]] | None) -> tuple[
        Callable[[], Iterator[tuple[int, bytes]]],
        Callable[[tuple[int, bytes], Callable[[Rejection], None]], Iterator[dict[str, Any]]],
        Callable[[tuple[int, bytes]], dict[str, Any]]]:
    """How the lines of a JSON lines file SQL left are found (`lines` gives them by
    seeking; without it the file is read again from its start) and read: those it did not
    read by the reader, the clean ones a standard left by a reader of their own."""
    again = Reader(_alone(plan), max_line_bytes=max_line_bytes, currency=plan.money.currency)
    queued: deque[tuple[int, bytes]] = deque()

    def feed() -> Iterator[tuple[int, bytes]]:
        while queued:
            yield queued.popleft()

    # one reading of the clean lines, each handed as it comes: it gives one record each
    records = again.lines(feed(), path, _impossible(path))

    def numbered() -> Iterator[tuple[int, bytes]]:
        if lines is not None:
            yield from lines
            return
        stream = open_data(path)
        try:
            yield from enumerate(split_lines(stream, path, max_line_bytes), start=1)
        finally:
            stream.close()

    def read_left(item: tuple[int, bytes],
                  reject: Callable[[Rejection], None]) -> Iterator[dict[str, Any]]:
        return reader.lines((item,), path, reject)

    def read_clean(item: tuple[int, bytes]) -> dict[str, Any]:
        queued.append(item)
        return next(records)

    return numbered, read_left, read_clean


def _rest(plan: Plan, state: State, path: str, left: set[int],
          handed: dict[int, tuple[int, ...]], quarantine: Quarantine | None,
          numbered: Callable[[], Iterator[Any]],
          read_left: Callable[[Any, Callable[[Rejection], None]], Iterator[dict[str, Any]]],
          read_clean: Callable[[Any], dict[str, Any]],
          waiting: list[Waiting] | None) -> None:
    """The lines (or rows) of one file SQL left, read again and handed in order to the
    stream engine: those it did not read (`left`) to its reader, and the clean ones a
    standard left (`handed`) to the generated code of those standards alone (or, into
    `waiting`, kept for `_held`). `numbered` gives them (each item's first element its
    number), perhaps among others."""
    evaluators: Evaluators = {}

    def read(reject: Callable[[Rejection], None]) -> Iterator[dict[str, Any]]:
        for item in numbered():
            number = item[0]
            if number in left:
                yield from read_left(item, reject)
                continue
            standards = handed.get(number)
            if standards is None:
                continue
            record = read_clean(item)
            if waiting is not None:
                waiting.append((path, number, record, standards))
                continue
            _evaluate(plan, state, path, evaluators, record, standards)

    run_one(plan, state, read, path, quarantine, None)


Waiting = tuple[str, int, dict[str, Any], tuple[int, ...]]
"""A clean line some standards leave, waiting for `_held`: its file, line, record and
those standards."""
Evaluators = dict[tuple[int, ...], tuple[Evaluate, tuple[KeyFunction, ...]]]


def _evaluate(plan: Plan, state: State, path: str, evaluators: Evaluators,
              record: dict[str, Any], standards: tuple[int, ...]) -> None:
    """Stages 1 and 2 of `standards` alone on one record of the contract's period."""
    found = evaluators.get(standards)
    if found is None:
        subset = replace(plan, standards=tuple(plan.standards[i] for i in standards))
        found = evaluators[standards] = (
            generate(subset, state, path).evaluate,
            tuple(key_function(period) for period in window_periods(subset)))
    evaluate, keys = found
    moment = record[plan.schema.time_field]
    local = moment.astimezone(plan.zone)
    evaluate(record, moment, tuple(key(local) for key in keys))


def _held(plan: Plan, state: State, reader: Reader, waiting: list[Waiting],
          paths: list[str], quarantine: Quarantine | None) -> None:
    """The records `duplicates: last` or `combine` held, counted as the stream engine
    counts them, once every line is read and in the order of their ids' first lines; the
    clean lines in `waiting` (ids of one line, which the stream engine holds too) among
    them in that order."""
    order = {path: place for place, path in enumerate(paths)}
    waiting.sort(key=lambda item: (order[item[0]], item[1]))
    evaluators: dict[str, Evaluators] = {}
    at = 0

    def flush(before: tuple[int, int] | None) -> None:
        nonlocal at
        while at < len(waiting) and (before is None or (
                order[waiting[at][0]], waiting[at][1]) < before):
            path, _, record, standards = waiting[at]
            _evaluate(plan, state, path, evaluators.setdefault(path, {}), record, standards)
            at += 1

    def first(item: tuple[str, dict[str, Any] | Conflict]) -> tuple[int, int]:
        path, found = item
        line = found.lines[0][1] if isinstance(found, Conflict) else found["_line"]
        return order[path], line

    run: list[tuple[str, dict[str, Any] | Conflict]] = []

    def counted() -> None:
        if run:
            run_one(plan, state, partial(reader.held, items=list(run)), run[0][0], quarantine,
                    None)
            run.clear()

    for item in reader.finished():
        place = first(item)
        if at < len(waiting) and (order[waiting[at][0]], waiting[at][1]) < place:
            counted()
            flush(place)
        if run and run[0][0] != item[0]:
            counted()
        run.append(item)
    counted()
    flush(None)
