"""The stream engine: stages 1 and 2 in pure Python, one pass, memory bounded by windows.

Records are read once; each accepted record in the contract's period goes through the one
generated function of `codegen`, which counts it into every standard's state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any

from slacheck.engine.codegen import compile_evaluator, window_periods
from slacheck.engine.state import CauseTally, State
from slacheck.findings import RejectedLine
from slacheck.plan import Plan
from slacheck.readers import COMPRESSED, Input, expand, read_input
from slacheck.records import MAX_LINE_BYTES, Reader, Records, Rejection, open_data
from slacheck.windows import Placement

Progress = Callable[[int], None]
Quarantine = Callable[[Rejection], None]
Read = Callable[[Callable[[Rejection], None]], Iterator[dict[str, Any]]]

PROGRESS_EVERY = 0x10000
"""Records counted between two calls of the progress function (a power of two)."""


def run_stream(
    plan: Plan,
    inputs: Iterable[str | Records],
    *,
    quarantine: Quarantine | None = None,
    progress: Progress | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    format_in: str | None = None,
    jobs: int | None = 1,
) -> State:
    """Read every record of `inputs` (paths, or records from Python) once and count it into a
    fresh `State`.

    A path may name a folder or a glob pattern; its files are read in the format of their
    extension, or `format_in`. Records held to be combined (`duplicates: last` or
    `combine`) are counted once every input is read.

    With `jobs` above 1, one plain JSON lines file, given alone, is read by that many worker
    processes (see `parallel`), with the same state as one pass; anything else is read in
    one pass. None chooses the number by the file's size (`parallel.auto_jobs`).
    """
    state = State.empty(plan)
    reader_args: dict[str, Any] = {"keep_text": quarantine is not None,
                                   "max_line_bytes": max_line_bytes,
                                   "currency": plan.money.currency, "rules": plan.rules,
                                   "plausible": plan.plausible.run if plan.plausible else None,
                                   "clearance": plan.plausible.clearance if plan.plausible
                                   else None}
    reader = Reader(plan.schema, **reader_args)
    state.undeclared = reader.undeclared
    state.warnings = reader.warnings
    sources: list[Records | Input] = []
    for given in inputs:  # every path named is found before any is read
        sources.extend([given] if isinstance(given, Records) else expand(given, format_in))
    if jobs != 1 and len(sources) == 1 and isinstance(sources[0], Input):
        alone = sources[0]
        from slacheck.engine import parallel  # imported only by a run that may use workers

        if jobs is None:
            jobs = parallel.auto_jobs(alone.path)
        if (jobs > 1 and alone.format == "jsonl" and not alone.path.lower().endswith(COMPRESSED)
                and parallel.splittable(plan, reader, alone.path, quarantine is not None)):
            whole, whole_digest = parallel.run_parallel(plan, alone.path, jobs, reader_args,
                                                        progress)
            whole.inputs.append((alone.path, whole_digest))
            if progress is not None:
                progress(whole.read)
            return whole
    for source in sources:
        if isinstance(source, Records):
            read = partial(reader.objects, source.items, source.name)
            run_one(plan, state, read, source.name, quarantine, progress)
            state.inputs.append((source.name, None))
            continue
        digest = hashlib.sha256()
        stream = open_data(source.path, digest)
        try:
            read = partial(read_input, reader, source, stream)
            run_one(plan, state, read, source.path, quarantine, progress)
        finally:
            stream.close()
        state.inputs.append((source.path, digest.hexdigest()))
    for path, held in groupby(reader.finished(), key=itemgetter(0)):
        run_one(plan, state, partial(reader.held, items=held), path, quarantine, progress)
    state.read += reader.merged
    state.merged += reader.merged
    return state


def run_part(plan: Plan, reader: Reader, read: Callable[[Callable[[Rejection], None]],
                                                        Iterator[dict[str, Any]]],
             path: str, progress: Progress | None = None) -> State:
    """The state of one part of one file (`parallel`): its records, read by `read` with
    `reader`, counted into a fresh `State`; `progress` told the part's lines as it goes."""
    state = State.empty(plan)
    state.undeclared = reader.undeclared
    state.warnings = reader.warnings
    run_one(plan, state, read, path, None, progress)
    state.read += reader.merged
    state.merged += reader.merged
    return state


def run_one(plan: Plan, state: State, read: Read, path: str,
             quarantine: Quarantine | None, progress: Progress | None) -> None:
    limit = plan.evidence_limit
    time_field = plan.schema.time_field
    evaluate = compile_evaluator(plan, state, path)
    placement = Placement(plan.zone, window_periods(plan), plan.period_start, plan.period_end)
    placed, place_of = placement.days.get, placement.find

    causes = state.causes

    def reject(item: Rejection) -> None:
        state.rejected += 1
        for key in dict.fromkeys(item.kinds):  # a line counts once per cause
            tally = causes.get(key)
            if tally is None:
                tally = causes[key] = CauseTally()
            tally.add(item.source, item.line)
        if len(state.rejections) < limit:
            reason = item.reason + "".join(f"; {field}: {more}" if field else f"; {more}"
                                           for field, more in item.more)
            state.rejections.append(RejectedLine(item.source, item.line, item.field, reason))
        if quarantine is not None:
            quarantine(item)

    rejected_before = state.rejected
    accepted = outside = 0
    mask = PROGRESS_EVERY - 1
    for record in read(reject):
        accepted += 1
        if progress is not None and not accepted & mask:
            progress(accepted + state.rejected - rejected_before)
        moment = record[time_field]
        place = placed(moment.tzinfo)
        if place is None or not place[0] <= moment < place[1]:
            place = place_of(moment, accepted)
        keys = place[2]
        if keys is None:  # outside the contract period
            outside += 1
            continue
        evaluate(record, moment, keys)
    state.read += accepted + state.rejected - rejected_before
    state.accepted += accepted
    state.outside += outside


