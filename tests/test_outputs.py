"""Output files: never over an input, checked before the run, through symlinks and FIFOs,
a failed write named as such, and nothing left behind by a signal."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck._output import Terminated, cleanup_on_signals, output_file
from slacheck.cli import main
from tests.conftest import AS_OF, CONTRACT, EXAMPLE

SHIPMENTS = EXAMPLE / "shipments.jsonl"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _verify(*more: str) -> list[str]:
    return ["verify", str(CONTRACT), *more, "--as-of", AS_OF]


def _hidden(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


@pytest.mark.parametrize("which", ["data", "contract", "quarantine"])
def test_an_output_over_an_input_is_refused(tmp_path: Path, which: str) -> None:
    data = tmp_path / "shipments.jsonl"
    data.write_bytes(SHIPMENTS.read_bytes())
    contract = tmp_path / "contract.yaml"
    contract.write_bytes(CONTRACT.read_bytes())
    quarantine = tmp_path / "rejected.jsonl"
    target = {"data": data, "contract": contract, "quarantine": quarantine}[which]
    before = {path: path.read_bytes() for path in (data, contract)}
    code, out, err = _run("verify", str(contract), str(data), "--as-of", AS_OF,
                          "--quarantine", str(quarantine), "-o", str(target))
    assert code == 2
    assert f"refusing to write {target}" in err
    assert {path: path.read_bytes() for path in (data, contract)} == before
    assert out == ""


def test_an_output_through_another_name_of_an_input_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "shipments.jsonl"
    data.write_bytes(SHIPMENTS.read_bytes())
    alias = tmp_path / "alias.jsonl"
    alias.symlink_to(data)
    code, _, err = _run(*_verify(str(data), "-o", str(alias)))
    assert code == 2
    assert "refusing to write" in err
    assert data.read_bytes() == SHIPMENTS.read_bytes()


def test_an_unwritable_output_fails_before_the_data_is_read(tmp_path: Path) -> None:
    missing_data = tmp_path / "not-there.jsonl"
    code, _, err = _run(*_verify(str(missing_data), "-o", str(tmp_path / "no" / "r.txt")))
    assert code == 2  # the output's problem, found first; not the data's exit 3
    assert f"cannot write {tmp_path / 'no' / 'r.txt'}" in err


def test_a_symlinked_output_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "q1.txt"
    target.parent.mkdir()
    target.write_text("old", "utf-8")
    link = tmp_path / "latest.txt"
    link.symlink_to(target)
    code, _, _ = _run(*_verify(str(SHIPMENTS), "-o", str(link)))
    assert code == 1
    assert link.is_symlink()
    assert "verdict: NON-COMPLIANT" in target.read_text("utf-8")
    assert _hidden(target.parent) == []


def test_a_fifo_output_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read)
    reader.start()
    code, _, _ = _run(*_verify(str(SHIPMENTS), "-o", str(fifo)))
    reader.join(timeout=30)
    assert code == 1
    assert b"verdict: NON-COMPLIANT" in received[0]
    assert fifo.exists()
    assert _hidden(tmp_path) == []


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))


@pytest.mark.parametrize("option", ["-o", "--quarantine"])
def test_a_write_that_fails_names_the_output(tmp_path: Path, option: str) -> None:
    # 2000 bytes allowed per file: the report, and the many rejected lines, need more
    data = tmp_path / "data.jsonl"
    data.write_text(SHIPMENTS.read_text("utf-8") + "not json\n" * 500, "utf-8")
    target = tmp_path / "out.txt"
    completed = subprocess.run(
        [sys.executable, "-m", "slacheck", *_verify(str(data), option, str(target))],
        capture_output=True, text=True, preexec_fn=_limit_file_size, check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert f"cannot write {target}: File too large" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert str(data) not in completed.stderr
    assert not target.exists()
    assert _hidden(tmp_path) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    report = tmp_path / "report.txt"
    process = subprocess.Popen(
        [sys.executable, "-m", "slacheck", *_verify("-", "-o", str(report),
                                                    "--quarantine", str(tmp_path / "q"))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(SHIPMENTS.read_bytes()[:5000])
    process.stdin.flush()
    deadline = time.monotonic() + 30
    while len(_hidden(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the outputs are opened before the data is read
    assert len(_hidden(tmp_path)) == 2
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signum
    assert b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_huge_contract_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    import tracemalloc

    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as stream:
        stream.truncate(100 * 1024 * 1024)  # 100 MB, sparse
    tracemalloc.start()
    try:
        code, _, err = _run("lint", str(huge))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2
    assert "larger than" in err
    assert peak < 20 * 1024 * 1024


class _Dying:
    """An object whose `__del__` receives a signal: the handler's `Terminated` is raised
    inside it, where Python swallows it (`Exception ignored in ...`), as it does inside an
    import's weakref callback."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        os.kill(os.getpid(), self.signum)
        time.sleep(1)  # the handler runs at once, between two bytecodes


def _swallowed(signum: int) -> None:
    dying = _Dying(signum)
    del dying


def test_a_signal_whose_exception_is_swallowed_still_stops_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.txt"

    def run() -> None:
        with cleanup_on_signals():
            with output_file(str(target)) as output:
                output.write(b"half a report")
                _swallowed(signal.SIGHUP)
            pytest.fail("the output was committed after the signal")

    with pytest.raises(Terminated) as stopped:
        run()
    assert stopped.value.signum == signal.SIGHUP
    assert list(tmp_path.iterdir()) == []
    assert "Exception ignored" not in capsys.readouterr().err  # the signal is not a bug


def test_a_signal_swallowed_then_a_failure_is_the_signal_not_a_bug(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a swallowed signal leaves behind (an import lock held, say) may fail later; the
    run stopped by a signal, and says so, rather than reporting a bug in slacheck."""
    import slacheck.cli as cli

    def broken(*_: object, **__: object) -> None:
        _swallowed(signal.SIGTERM)
        raise KeyError("a module half imported")

    monkeypatch.setattr(cli, "verify", broken)
    code, _, err = _run(*_verify(str(SHIPMENTS)))
    assert code == 128 + signal.SIGTERM
    assert "stopped by signal" in err
    assert "internal error" not in err
