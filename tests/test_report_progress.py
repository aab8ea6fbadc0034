"""Progress of long `verify` and `report` runs on a terminal: lines read, their rate, the
time elapsed and the share of the file; nothing when piped or with `--quiet`."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import pytest

from slacheck import _progress
from slacheck._progress import Progress, estimated_lines
from slacheck.cli import main
from tests.conftest import contract_yaml


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _uniform(path: Path, lines: int) -> Path:
    """`lines` lines of exactly 100 bytes each, newline included."""
    path.write_bytes(b"".join(b'{"n": %08d, "pad": "%s"}\n' % (n, b"x" * 73)
                              for n in range(lines)))
    assert path.stat().st_size == 100 * lines
    return path


def test_a_small_file_is_counted_whole(tmp_path: Path) -> None:
    data = _uniform(tmp_path / "d.jsonl", 1000)  # 100,000 bytes: read whole, 1,000 lines
    assert estimated_lines(str(data)) == 1000
    stream, clock = io.StringIO(), Clock()
    shown = Progress([str(data)], stream, clock)
    clock.now += 2.0
    shown(500)
    # 500 lines in 2 seconds: 250 a second, half of the file
    assert stream.getvalue() == "\r500 lines read, 250/s, 2s, about 50% of d.jsonl\033[K"


def test_a_large_file_and_its_gzip_are_estimated_from_their_first_megabyte(
        tmp_path: Path) -> None:
    data = _uniform(tmp_path / "d.jsonl", 20_000)  # 2,000,000 bytes
    # the first 1,048,576 bytes hold 10,485 whole lines: 100.007 bytes a line, so about
    # 2,000,000 / 100.007 = 19,998.6 lines
    found = estimated_lines(str(data))
    assert found is not None
    assert abs(found - 2_000_000 / (1_048_576 / 10_485)) < 1e-6
    packed = tmp_path / "d.jsonl.gz"
    packed.write_bytes(gzip.compress(data.read_bytes()))
    assert estimated_lines(str(packed)) == found  # the last four bytes say 2,000,000
    stream, clock = io.StringIO(), Clock()
    shown = Progress([str(packed)], stream, clock)
    clock.now += 3725.0  # 1h02m05s
    shown(10_000)
    assert stream.getvalue() == ("\r10,000 lines read, 3/s, 1h02m, about 50% of d.jsonl.gz"
                                 "\033[K")


def test_the_share_is_never_shown_as_done_before_the_end(tmp_path: Path) -> None:
    data = _uniform(tmp_path / "d.jsonl", 1000)
    stream = io.StringIO()
    Progress([str(data)], stream, Clock())(1500)  # more lines than estimated
    assert "about 99% of d.jsonl" in stream.getvalue()


def test_an_exact_share_from_the_reader_is_shown_as_such(tmp_path: Path) -> None:
    stream, clock = io.StringIO(), Clock()
    shown = Progress(["-"], stream, clock)  # standard input: no size to estimate from
    clock.now += 61
    shown(65_536)
    assert stream.getvalue() == "\r65,536 lines read, 1,074/s, 1m01s\033[K"
    shown(131_072, 0.25)
    assert stream.getvalue().endswith("\r131,072 lines read, 2,149/s, 1m01s, 25% of the file"
                                      "\033[K")
    shown.clear()
    assert stream.getvalue().endswith("\r\033[K")


def test_several_files_add_up(tmp_path: Path) -> None:
    stream = io.StringIO()
    shown = Progress(["a.jsonl", "b.jsonl"], stream, Clock())
    for count in (65_536, 131_072, 65_536):  # the engine counts each file from its start
        shown(count)
    assert stream.getvalue().split("\r")[-1].startswith("196,608 lines read")
    assert "%" not in stream.getvalue()  # no single file to take a share of


def test_nothing_is_shown_when_piped_or_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert _progress.progress(False, ["d.jsonl"]) is None
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    assert _progress.progress(True, ["d.jsonl"]) is None
    assert isinstance(_progress.progress(False, ["d.jsonl"]), Progress)
    shown = Progress(["d.jsonl"], io.StringIO())
    shown.clear()  # nothing was shown: nothing to clear
    assert shown.stream is not None
    assert shown.stream.getvalue() == ""  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """70,000 records: one progress line, at 65,536."""
    folder = tmp_path_factory.mktemp("long")
    contract = folder / "c.yaml"
    contract.write_text(contract_yaml(
        "ok: bool", standards="  s:\n    require: ok\n    target: 90% per month\n"), "utf-8")
    data = folder / "d.jsonl"
    data.write_text("".join(f'{{"id": "r{n:05d}", "at": "2025-01-05T10:00:00+08:00", "ok": true}}\n'
                            for n in range(70_000)), "utf-8")
    return contract, data


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         stderr: io.StringIO, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stderr", stderr)
    with pytest.raises(SystemExit) as stop:
        main.main(list(args), standalone_mode=False)
    return int(stop.value.code or 0), capsys.readouterr().out, stderr.getvalue()


@pytest.mark.parametrize("command", ["verify", "report"])
def test_a_long_run_on_a_terminal_shows_its_progress_then_clears_it(
        command: str, long_run: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    contract, data = long_run
    args = [command, str(contract), str(data), "--as-of", "2025-03-01"]
    terminal = FakeTerminal()
    if command == "report":  # it returns once the report is written; verify exits
        monkeypatch.setattr(sys, "stderr", terminal)
        main.main([*args, "--format", "markdown"], standalone_mode=False)
        out, err = capsys.readouterr().out, terminal.getvalue()
    else:
        code, out, err = _run(monkeypatch, capsys, terminal, *args)
        assert code == 0
    assert err.startswith("\r65,536 lines read, ")
    assert ", about 94% of d.jsonl\033[K" in err  # 65,536 of 70,000 lines
    assert err.endswith("\r\033[K")  # cleared before the report
    assert "\r" not in out
    assert out.strip()


def test_a_long_run_quiet_or_piped_shows_nothing(long_run: tuple[Path, Path],
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    contract, data = long_run
    args = ["verify", str(contract), str(data), "--as-of", "2025-03-01"]
    assert _run(monkeypatch, capsys, FakeTerminal(), *args, "--quiet")[2] == ""
    assert _run(monkeypatch, capsys, io.StringIO(), *args)[2] == ""
