"""`jobs`: one JSON lines file read by several processes gives the output of one pass, byte
for byte, duplicates across the cuts and line numbers included."""

from __future__ import annotations

import json
import multiprocessing
import random
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from slacheck.api import verify
from slacheck.engine import parallel
from slacheck.reporters import RENDERERS

CONTRACT = "contracts/motorola-sinotrans.yaml"


def _record(rng: random.Random, number: int) -> dict[str, object]:
    day = 1 + number % 28
    month = 1 + (number // 7) % 12
    booked = f"2025-{month:02d}-{day:02d}T{number % 24:02d}:00:00+08:00"
    late = rng.random() < 0.05
    return {
        "shipment_id": f"S-{number:05d}",
        "service": rng.choice(["air_export", "road", "domestic_air"]),
        "office": rng.choice(["PEK", "TSN"]),
        "booked_at": booked,
        "picked_up_at": f"2025-{month:02d}-{day:02d}T{number % 24:02d}:{59 if late else 30}"
                        f":00+0{9 if late else 8}:00",
        "value": f"{rng.randrange(100, 99999)}.{rng.randrange(100):02d}",
        "complete": rng.random() > 0.03,
        "accurate": True,
        "billed_correctly": rng.random() > 0.03,
        "lost": rng.random() < 0.002,
    }


def _lines(count: int) -> list[str]:
    rng = random.Random(11)
    lines = [json.dumps(_record(rng, number)) for number in range(count)]
    for at in range(5, count, 97):  # repeated ids, most from far earlier in the file
        lines[at] = lines[rng.randrange(at)]
    for at in range(3, count, 151):  # rejected lines
        lines[at] = rng.choice(['{"shipment_id": "S-x"', "", "not json",
                                json.dumps({**json.loads(lines[at]), "value": "-1"})])
    # an id first on a rejected line, then on a good one: the good one is accepted
    lines[count // 4] = json.dumps({**_record(rng, 90001), "value": "x"})
    lines[count - 9] = json.dumps(_record(rng, 90001))
    # an id spelt with an escape after its plain spelling earlier
    lines[count - 7] = lines[10].replace('"S-0', '"S\\u002d0', 1)
    return lines


@pytest.mark.parametrize("jobs", [2, 3, 5])
def test_jobs_give_the_output_of_one_pass(tmp_path: Path, jobs: int) -> None:
    path = tmp_path / "shipments.jsonl"
    path.write_text("\n".join(_lines(4000)) + "\n", encoding="utf-8")
    results = [verify(CONTRACT, str(path), as_of=date(2026, 1, 1), evidence_limit=3, jobs=n)
               for n in (1, jobs)]
    one, many = (RENDERERS["json"](result) for result in results)
    assert many == one
    document = json.loads(one)
    reasons = [line["reason"] for line in document["lines"]["rejections"]]
    assert document["lines"]["rejected"] > 40
    assert any(reason.startswith("duplicate") for reason in reasons)


def test_the_file_is_cut_at_line_starts(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"a\nbb\n" * 1000 + b"last")
    points = parallel.cut_points(str(path), 4)
    data = path.read_bytes()
    assert points[0] == 0
    assert points[-1] == len(data)
    assert len(points) == 5
    assert all(data[point - 1:point] == b"\n" for point in points[1:-1])


def test_jobs_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shipments.jsonl"
    path.write_text("\n".join(_lines(600)) + "\n", encoding="utf-8")
    used: list[int] = []
    original = parallel.run_parallel

    def spy(*args: object, **kwargs: object) -> object:
        used.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "run_parallel", spy)
    verify(CONTRACT, str(path), as_of=date(2026, 1, 1), jobs=2)
    assert used == [1]
    verify(CONTRACT, [str(path), str(path)], as_of=date(2026, 1, 1), jobs=2)
    assert used == [1]  # two files: one pass


def test_auto_gives_a_worker_per_32_mib(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text("{}\n")
    assert parallel.auto_jobs(str(small)) == 1
    assert parallel.auto_jobs(str(tmp_path / "absent.jsonl")) == 1


@pytest.mark.parametrize("content", [b'{"a": 1}\r{"a": 2}\r', b""])
def test_a_file_not_cut_at_lf_is_read_in_one_pass(tmp_path: Path, content: bytes) -> None:
    from slacheck.api import compile_plan, load_checked
    from slacheck.records import Reader

    plan = compile_plan(load_checked(CONTRACT), date(2026, 1, 1))
    reader = Reader(plan.schema)
    path = tmp_path / "cr.jsonl"
    path.write_bytes(content)
    assert not parallel.splittable(plan, reader, str(path), keep_text=False)
    path.write_bytes(b"{}\n")
    assert parallel.splittable(plan, reader, str(path), keep_text=False)
    assert not parallel.splittable(plan, reader, str(path), keep_text=True)
    assert not parallel.splittable(plan, reader, str(tmp_path), keep_text=False)
    assert not parallel.splittable(plan, reader, str(tmp_path / "absent"), keep_text=False)


def test_the_command_takes_jobs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from slacheck.cli import main

    path = tmp_path / "shipments.jsonl"
    path.write_text("\n".join(_lines(300)) + "\n", encoding="utf-8")
    outputs = []
    for jobs in ("1", "2", "auto"):
        run = CliRunner().invoke(main, ["verify", CONTRACT, str(path), "--as-of", "2026-01-01",
                                        "--format", "json", "--jobs", jobs])
        assert run.exit_code == 1, run.output
        outputs.append(run.output)
    assert outputs[0] == outputs[1] == outputs[2]
    refused = CliRunner().invoke(main, ["verify", CONTRACT, str(path), "--as-of", "2026-01-01",
                                        "--jobs", "0"])
    assert refused.exit_code == 2
    assert "not a number of processes" in refused.output


def test_a_line_with_an_escape_has_its_exact_id() -> None:
    assert parallel._exact_id(b'{"id": "a\\u0062"}', "id") == b"ab"
    assert parallel._exact_id(b'{"id": 1, "x": "\\n"}', "id") is None
    assert parallel._exact_id(b'{"id": "\\x"}', "id") is None


class _Shared:
    """One end of a pipe shared by two threads: closed by the second of its two closers."""

    def __init__(self, conn: Any) -> None:
        self._conn, self._closes = conn, 0

    def send(self, value: object) -> None:
        self._conn.send(value)

    def recv(self) -> object:
        return self._conn.recv()

    def close(self) -> None:
        self._closes += 1
        if self._closes == 2:
            self._conn.close()


class _Thread(threading.Thread):
    def kill(self) -> None:  # pragma: no cover (a thread ends by itself)
        pass


class _Threads:
    """The fork context's part that `run_parallel` uses, with threads for processes, so that
    the workers' code runs (and is measured) in the process of the tests."""

    @staticmethod
    def Pipe() -> tuple[Any, _Shared]:  # noqa: N802 (the name multiprocessing gives it)
        mine, theirs = multiprocessing.Pipe()
        return mine, _Shared(theirs)

    @staticmethod
    def Process(target: Any, args: tuple[Any, ...]) -> _Thread:  # noqa: N802
        return _Thread(target=target, args=args, daemon=True)


@pytest.mark.parametrize(("count", "scan_size"), [(1500, None), (3000, 4096)])
def test_workers_in_threads_give_the_output_of_one_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, scan_size: int | None
) -> None:
    """Over one scan block per range, and over many (the candidates' blocks read again)."""
    path = tmp_path / "shipments.jsonl"
    path.write_text("\n".join(_lines(count)) + "\n", encoding="utf-8")
    one = RENDERERS["json"](verify(CONTRACT, str(path), as_of=date(2026, 1, 1),
                                   evidence_limit=3))
    if scan_size is not None:
        monkeypatch.setattr(parallel, "SCAN_SIZE", scan_size)
    monkeypatch.setattr(multiprocessing, "get_context", lambda _: _Threads())
    many = RENDERERS["json"](verify(CONTRACT, str(path), as_of=date(2026, 1, 1),
                                    evidence_limit=3, jobs=3))
    assert many == one


def test_a_failing_worker_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shipments.jsonl"
    path.write_text("\n".join(_lines(300)) + "\n", encoding="utf-8")
    monkeypatch.setattr(multiprocessing, "get_context", lambda _: _Threads())

    def broken(*args: object) -> object:
        raise OSError("disk gone")

    monkeypatch.setattr(parallel, "run_part", broken)
    with pytest.raises(parallel.WorkerError, match="disk gone"):
        verify(CONTRACT, str(path), as_of=date(2026, 1, 1), jobs=2)

    def wrong(*args: object) -> object:
        raise ValueError("a bad value")

    monkeypatch.setattr(parallel, "run_part", wrong)
    with pytest.raises(ValueError, match="a bad value"):
        verify(CONTRACT, str(path), as_of=date(2026, 1, 1), jobs=2)


def test_candidate_lines_are_found_in_the_blocks_that_hold_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "SCAN_SIZE", 2048)
    lines = _lines(600)
    path = tmp_path / "shipments.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start, end = 1000, path.stat().st_size  # a range that starts within a line is cut there
    start = path.read_bytes().index(b"\n", start) + 1
    scan = parallel._scan(str(path), start, end, "shipment_id")
    ranged = path.read_bytes()[start:end].decode().splitlines()
    assert scan.lines == len(ranged)
    assert len(scan.blocks) > 40
    pattern = parallel._id_pattern("shipment_id")

    def ids(line: str) -> list[bytes]:
        found = pattern.findall(line.encode())
        exact = parallel._exact_id(line.encode(), "shipment_id") if "\\" in line else None
        return found + ([exact] if exact is not None else [])

    assert sorted(scan.hashes) == sorted(hash(found) for line in ranged for found in ids(line))
    chosen = {hash(b"S-00300"), hash(b"S-00011"), hash(b"S-x"), hash(b"S-00010"),
              hash(b"nowhere")}
    expected = [line.encode() for line in ranged if any(hash(x) in chosen for x in ids(line))]
    assert len(expected) >= 5
    assert list(parallel._candidate_lines(str(path), scan, "shipment_id", chosen)) == expected
    assert list(parallel._candidate_lines(str(path), scan, "shipment_id", set())) == []


def test_workers_report_their_progress_as_they_go(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file is what `--jobs` is for, and where progress matters: the workers tell
    the lines they have read as they go, and the progress shown is their sum, never going
    back, ending with every line."""
    from slacheck.engine import stream

    path = tmp_path / "data.jsonl"
    lines = _lines(1200)
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(stream, "PROGRESS_EVERY", 64)
    seen: list[int] = []
    result = verify(CONTRACT, str(path), as_of=date(2026, 1, 1), jobs=2,
                    progress=seen.append)
    assert result.lines.read == len(lines)
    assert seen[-1] == len(lines)
    assert seen == sorted(seen)
    # each worker read more than 64 records of its half before the end
    assert len([count for count in seen[:-1] if count < len(lines)]) >= 2
