"""One JSON lines file read by several processes, with the output of one pass, byte for byte.

The file is cut at line boundaries into `jobs` byte ranges, one per worker process; each
worker counts its range into a `State` of its own, and the states are merged in input order
(`State.merge`). Line numbers stay global: each worker is told how many lines precede its range.

The duplicate rule is the one thing that crosses ranges: a record whose id an earlier range
already accepted must be rejected (or dropped) exactly as in one pass. Before any record is
evaluated, the workers and this process settle it in two cheap rounds:

1. each worker scans its range for the ids its lines spell (a regular expression on the raw
   bytes, or the exact parse of a line with a backslash) and sends their hashes: a superset of
   the ids it can accept, since a line rejected for any other reason is still counted;
2. an id hash found in a range and in an earlier one is a candidate; each worker but the last
   (whose ids no later range needs) checks its own lines of candidate ids with the reader's
   own rules, reading again only the blocks whose hashes hold one, and sends the ids that
   pass them;
3. each worker's id table is seeded with the ids that passed in earlier ranges, so that its
   reader rejects their lines as one pass would, and the range is evaluated.

Hashes only ever add candidates (a collision costs one line checked twice), never lose one.
Workers are forked, so the compiled plan is shared rather than pickled, and hashes agree
between processes. Where a file cannot be split this way (compressed, standard input, a
quarantine, records combined by id, a mapping of columns, an id that is not a string, lines
ended by CR alone), the caller reads it in one pass.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import multiprocessing
import os
import re
import stat
import traceback
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection, wait
from typing import IO, Any, cast

import orjson

from slacheck.engine.state import State
from slacheck.engine.stream import Progress, run_part
from slacheck.plan import Plan
from slacheck.records import Reader, _strict_loads
from slacheck.types import Kind

SCAN_SIZE = 1 << 20
"""The bytes read at a time by the id scans."""

MIN_AUTO_BYTES = 32 << 20
"""`--jobs auto` gives each worker at least this much of the file: below it the fixed cost of
starting workers and scanning ids outweighs what a second core saves."""


def auto_jobs(path: str) -> int:
    """The workers `--jobs auto` uses for `path`: one per core, each with at least
    `MIN_AUTO_BYTES` of a regular file; 1 for anything else."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return 1
    return max(1, min(os.cpu_count() or 1, size // MIN_AUTO_BYTES))


def splittable(plan: Plan, reader: Reader, path: str, keep_text: bool) -> bool:
    """Whether `path` can be read by several workers with the output of one pass."""
    schema = plan.schema
    if keep_text or reader.combiner is not None or reader.mapping is not None:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    spec = schema.field(schema.id_field)
    if spec is None or spec.type.kind is not Kind.STRING:
        return False
    try:
        status = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(status.st_mode):
        return False
    with open(path, "rb") as stream:
        head = stream.read(min(SCAN_SIZE, reader.max_line_bytes))
    return b"\n" in head  # lines end with LF (or CRLF), as the one pass would read them


def cut_points(path: str, jobs: int) -> list[int]:
    """Byte offsets of the ranges' starts, each at the start of a line, the end last."""
    size = os.path.getsize(path)
    points = [0]
    with open(path, "rb") as stream:
        for k in range(1, jobs):
            at = max(size * k // jobs, points[-1])
            stream.seek(at)
            while True:
                block = stream.read(1 << 16)
                if not block:
                    at = size
                    break
                found = block.find(b"\n")
                if found >= 0:
                    at += found + 1
                    break
                at += len(block)
            if points[-1] < at < size:
                points.append(at)
    points.append(size)
    return points


class _Range(io.RawIOBase):
    """The bytes [start, end) of a file, as a stream."""

    def __init__(self, path: str, start: int, end: int) -> None:
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close)
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        data = self._file.read(wanted)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._file.close()
        super().close()


def _blocks(path: str, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """The range's bytes in blocks of whole lines (the last perhaps without its newline), each
    with its offset in the file."""
    stream = _Range(path, start, end)
    try:
        rest, at = b"", start
        while chunk := stream.read(SCAN_SIZE):
            block = rest + chunk
            cut = block.rfind(b"\n") + 1
            if cut:
                rest = block[cut:]
                yield at, block[:cut]
                at += cut
            else:
                rest = block
        if rest:
            yield at, rest
    finally:
        stream.close()


def _id_pattern(column: str) -> re.Pattern[bytes]:
    return re.compile(b'"%s"\\s*:\\s*"([^"\\\\\\n]*)"' % re.escape(column.encode()))


def _exact_id(line: bytes, column: str) -> bytes | None:
    """The id a line with a backslash holds, parsed as the reader parses it."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:
            value = _strict_loads(line)
        except Exception:
            return None
    if type(value) is not dict or type(value.get(column)) is not str:
        return None
    return value[column].encode("utf-8", "surrogatepass")  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Scan:
    """What a worker's scan of its range found: its lines, and the hash of every id they may
    hold, block by block, so that the lines of a few ids are found again by reading only the
    blocks that hold them (8 bytes an id, where a set of them takes about 60)."""

    lines: int
    hashes: array[int]
    """Every id's hash, in the order of the blocks."""
    blocks: list[tuple[int, int, int]]
    """Each block's offset in the file, its length, and the end of its hashes in `hashes`."""


def _scan(path: str, start: int, end: int, column: str) -> Scan:
    """The range's lines, and the hashes of every id they may hold: each match of the id's
    key in a line without a backslash, and the exact id of a line with one."""
    pattern = _id_pattern(column)
    lines, hashes, blocks = 0, array("q"), list[tuple[int, int, int]]()
    for at, block in _blocks(path, start, end):
        lines += block.count(b"\n")
        hashes.extend(map(hash, pattern.findall(block)))
        if b"\\" in block:
            hashes.extend(hash(found) for found, _ in _escaped(block, column))
        blocks.append((at, len(block), len(hashes)))
    return Scan(lines, hashes, blocks)


def _escaped(block: bytes, column: str) -> Iterator[tuple[bytes, bytes]]:
    """(id, line) of each line of `block` with a backslash that holds an id."""
    for line in block.split(b"\n"):
        if b"\\" in line:
            found = _exact_id(line, column)
            if found is not None:
                yield found, line


def _candidate_lines(path: str, scan: Scan, column: str,
                     candidates: set[int]) -> Iterator[bytes]:
    """The lines of the scanned range that may hold an id whose hash is one of
    `candidates`: only the blocks whose hashes hold one are read again."""
    pattern = _id_pattern(column)
    begin = 0
    with open(path, "rb") as stream:
        for at, size, end in scan.blocks:
            holds = not candidates.isdisjoint(scan.hashes[begin:end])
            begin = end
            if not holds:
                continue
            stream.seek(at)
            block = stream.read(size)
            for match in pattern.finditer(block):
                if hash(match.group(1)) in candidates:
                    yield _line_at(block, match.start())
            if b"\\" in block:
                yield from (line for found, line in _escaped(block, column)
                            if hash(found) in candidates)


def _line_at(block: bytes, at: int) -> bytes:
    end = block.find(b"\n", at)
    return block[block.rfind(b"\n", 0, at) + 1:end if end >= 0 else len(block)]


def _worker(conn: Connection, plan: Plan, reader_args: dict[str, Any], path: str,
            start: int, end: int, report: bool) -> None:
    """One range: its id hashes, then the ids of candidates that pass, then its `State`,
    and with `report`, the lines of the range read so far as it goes."""
    try:
        column = plan.schema.id_field
        scan = _scan(path, start, end, column)
        conn.send((scan.lines, scan.hashes))
        candidates: set[int] = conn.recv()
        passed: list[str] = []
        if candidates:
            checker = Reader(plan.schema, **reader_args)
            limit = checker.max_line_bytes
            lines = [line for line in _candidate_lines(path, scan, column, candidates)
                     if len(line) <= limit]
            passed = [str(record[column]) for record in
                      checker.lines(enumerate(lines, start=1), path, lambda _: None)]
        conn.send(passed)
        del scan
        first_line, seeds, expected = conn.recv()
        reader = Reader(plan.schema, **reader_args)
        reader.seen.reserve(len(seeds) + expected + 1)
        for seed in seeds:
            reader.seen.add(seed)
        stream = cast(IO[bytes], _Range(path, start, end))
        try:
            read = partial(reader.records, stream, path, first_line=first_line, cr_only=False)
            state = run_part(plan, reader, read, path,
                             partial(_tell, conn) if report else None)
        finally:
            stream.close()
        conn.send(("state", state))
    except BaseException as error:
        # a parent that stopped listening has an error of its own to tell
        with contextlib.suppress(OSError):
            conn.send(("error", error, traceback.format_exc()))
    finally:
        conn.close()


def _tell(conn: Connection, lines: int) -> None:
    conn.send(("progress", lines))


class WorkerError(RuntimeError):
    """A worker failed in a way that is not the data's fault."""


def run_parallel(plan: Plan, path: str, jobs: int, reader_args: dict[str, Any],
                 progress: Progress | None = None) -> tuple[State, str]:
    """The state of reading `path` (a splittable file) with `jobs` workers, and its SHA-256;
    `progress` is told the lines the workers have read, in all, as they read them."""
    points = cut_points(path, jobs)
    context = multiprocessing.get_context("fork")
    workers = []
    for start, end in itertools.pairwise(points):
        mine, theirs = context.Pipe()
        process = context.Process(target=_worker,
                                  args=(theirs, plan, reader_args, path, start, end,
                                        progress is not None))
        process.start()
        theirs.close()
        workers.append((process, mine))
    try:
        return _coordinate(path, [conn for _, conn in workers], progress)
    finally:
        for process, conn in workers:
            conn.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()


def _receive(conn: Connection) -> Any:
    message = conn.recv()
    if isinstance(message, tuple) and message and message[0] == "error":
        _, error, text = message
        if isinstance(error, Exception) and not isinstance(error, OSError | RuntimeError):
            raise error
        raise WorkerError(text)
    return message


def _coordinate(path: str, conns: list[Connection],
                progress: Progress | None) -> tuple[State, str]:
    counted: list[tuple[int, array[int]]] = [_receive(conn) for conn in conns]
    earlier: set[int] = set()
    candidates: set[int] = set()
    for k, (_, hashes) in enumerate(counted):
        candidates |= earlier.intersection(hashes)
        if k < len(counted) - 1:
            earlier.update(hashes)
    del earlier
    for k, ((_, hashes), conn) in enumerate(zip(counted, conns, strict=True)):
        # no later range needs the last one's ids
        conn.send(candidates.intersection(hashes) if k < len(conns) - 1 else set())
    passed = [_receive(conn) for conn in conns]
    first_line, seeds = 1, list[str]()
    for k, conn in enumerate(conns):
        lines = counted[k][0]
        conn.send((first_line, list(dict.fromkeys(seeds)), lines + 1))
        first_line += lines
        seeds.extend(passed[k])
    del counted
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(SCAN_SIZE):
            digest.update(chunk)
    states: dict[int, State] = {}
    read = [0] * len(conns)
    waiting = {conn: k for k, conn in enumerate(conns)}
    while waiting:
        for ready in wait(list(waiting)):
            sender = cast(Connection, ready)
            k = waiting[sender]
            kind, found = _receive(sender)
            if kind == "progress":
                read[k] = found
                if progress is not None:
                    progress(sum(read))
            else:
                assert kind == "state"
                states[k] = found
                del waiting[sender]
    whole = states[0]
    for k in range(1, len(conns)):
        whole.merge(states[k])
    return whole, digest.hexdigest()
