"""The command line at its edges: --debug, bad options, outputs that are refused or
interrupted, progress on a terminal, `python -m slacheck`, and the parts of the text
report and the plan listing that only unusual runs show.

Every count and amount is worked out by hand from the records written in the test.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import slacheck.cli
from slacheck._version import __version__
from slacheck.cli import main
from slacheck.diagnostics import ContractError, DataError
from tests.conftest import contract_yaml

AS_OF = "2025-04-01T00:00:00+00:00"

OK = contract_yaml(
    "ok: bool",
    head="contract: {id: ok, currency: EUR, timezone: UTC}",
    standards="  all-ok:\n    require: ok\n    target: 50% per month\n",
)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _files(tmp_path: Path, contract: str, rows: list[dict[str, Any]] | str) -> list[str]:
    path = tmp_path / "contract.yaml"
    path.write_text(contract, "utf-8")
    data = tmp_path / "data.jsonl"
    text = rows if isinstance(rows, str) else "".join(json.dumps(row) + "\n" for row in rows)
    data.write_text(text, "utf-8")
    return [str(path), str(data)]


def _ok(index: int, ok: bool = True) -> dict[str, Any]:
    return {"id": f"r{index}", "at": f"2025-03-{index % 28 + 1:02d}T10:00:00Z", "ok": ok}


def _left_behind(folder: Path, *keep: str) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name not in keep)


# --- --debug keeps the traceback of every error that is otherwise a message ----------------

def test_debug_raises_the_contract_error(tmp_path: Path) -> None:
    files = _files(tmp_path, OK.replace("require: ok", "require: okk"), [_ok(0)])
    code, _, err = _run("verify", *files, "--as-of", AS_OF)
    assert code == 2
    assert "SLA201" in err
    result = CliRunner().invoke(main, ["verify", *files, "--as-of", AS_OF, "--debug"])
    assert isinstance(result.exception, ContractError)


def test_debug_raises_the_data_error(tmp_path: Path) -> None:
    contract, _ = _files(tmp_path, OK, [])
    missing = str(tmp_path / "missing.jsonl")
    code, _, err = _run("verify", contract, missing, "--as-of", AS_OF)
    assert code == 3
    assert f"cannot read {missing}" in err
    result = CliRunner().invoke(main, ["verify", contract, missing, "--as-of", AS_OF, "--debug"])
    assert isinstance(result.exception, DataError)


def test_an_output_under_a_file_is_a_command_error(tmp_path: Path) -> None:
    files = _files(tmp_path, OK, [_ok(0)])
    output = files[1] + "/report.txt"  # the data file is not a folder
    code, out, err = _run("verify", *files, "--as-of", AS_OF, "-o", output)
    assert code == 2
    assert out == ""
    assert f"cannot write {output}: Not a directory" in err
    result = CliRunner().invoke(main, ["verify", *files, "--as-of", AS_OF, "-o", output,
                                       "--debug"])
    assert type(result.exception).__name__ == "OutputError"


# --- options that do not parse ---------------------------------------------------------------

@pytest.mark.parametrize("value", ["abc%", "150%", "-1", "1.5", "%"])
def test_max_rejected_must_be_lines_or_a_share(tmp_path: Path, value: str) -> None:
    code, _, err = _run("verify", *_files(tmp_path, OK, [_ok(0)]), "--as-of", AS_OF,
                        "--max-rejected", value)
    assert code == 2
    assert f"`{value}` is not a number of lines" in err


def test_max_rejected_of_all_the_lines_allows_every_rejection(tmp_path: Path) -> None:
    # 2 of 3 lines rejected: 100% allows them, and the one record passes
    files = _files(tmp_path, OK, json.dumps(_ok(0)) + "\nnot json\nnot json\n")
    code, out, _ = _run("verify", *files, "--as-of", AS_OF, "--max-rejected", "100%")
    assert code == 0
    assert "verdict: COMPLIANT" in out


def test_as_of_that_is_not_a_time(tmp_path: Path) -> None:
    code, _, err = _run("verify", *_files(tmp_path, OK, [_ok(0)]), "--as-of", "soon")
    assert code == 2
    assert "`soon`" in err


def test_as_of_now_is_the_current_time(tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, _ = _run("verify", *_files(tmp_path, OK, [_ok(0)]), "--format", "json")
    after = datetime.now(UTC)
    as_of = datetime.fromisoformat(json.loads(out)["as_of"])
    assert before <= as_of <= after
    assert code == 0  # March 2025 has closed by now, and its one record passed


def test_plan_is_as_of_now_by_default(tmp_path: Path) -> None:
    contract, _ = _files(tmp_path, OK, [])
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, _ = _run("plan", contract)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("contract ok as of ")
    assert before <= datetime.fromisoformat(first.rsplit(" ", 1)[1]) <= datetime.now(UTC)


# --- outputs: refused runs and signals leave nothing behind ----------------------------------

def test_a_refused_run_writes_no_report(tmp_path: Path) -> None:
    files = _files(tmp_path, OK, json.dumps(_ok(0)) + "\nnot json\n")
    report = tmp_path / "report.json"
    quarantine = tmp_path / "rejected.jsonl"
    code, out, err = _run("verify", *files, "--as-of", AS_OF, "--max-rejected", "0",
                          "-o", str(report), "--quarantine", str(quarantine))
    assert code == 3
    assert out == ""
    assert "1 line rejected of 2 read" in err
    assert not report.exists()
    # the quarantine still says what was rejected, and no temporary file is left
    assert quarantine.read_text("utf-8") == "not json\n"
    assert _left_behind(tmp_path) == ["contract.yaml", "data.jsonl", "rejected.jsonl"]


def test_sigterm_removes_the_unfinished_output(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def terminated(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises in this thread long before this ends
        raise AssertionError("SIGTERM was not handled")

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers are installed from the main thread only")
    monkeypatch.setattr(slacheck.cli, "verify", terminated)
    files = _files(tmp_path, OK, [_ok(0)])
    report = tmp_path / "report.txt"
    result = CliRunner().invoke(main, ["verify", *files, "--as-of", AS_OF, "-o", str(report)])
    assert result.exit_code == 128 + signal.SIGTERM
    assert f"stopped by signal {int(signal.SIGTERM)}; nothing was written" in result.stderr
    assert _left_behind(tmp_path) == ["contract.yaml", "data.jsonl"]
    # and the handler in place before the run is back
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


# --- progress shows on a terminal only -------------------------------------------------------

class _TerminalRunner(CliRunner):
    """A runner whose standard error says it is a terminal."""

    @contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            sys.stderr.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


def test_progress_on_a_terminal_every_65536_lines(tmp_path: Path) -> None:
    # 65,536 records and one rejected line: the progress line comes at the 65,536th record
    # and counts every line read by then (the rejected line came first)
    rows = "not json\n" + "".join(
        f'{{"id": "r{index}", "at": "2025-03-01T10:00:00Z", "ok": true}}\n'
        for index in range(65536)
    )
    files = _files(tmp_path, OK, rows)
    shown = _TerminalRunner().invoke(main, ["verify", *files, "--as-of", AS_OF], color=True)
    assert shown.exit_code == 0, shown.output
    # the count (then the rate and time, which vary), then the line cleared (carriage
    # return, erase to the end of the line)
    assert shown.stderr.startswith("\r65,537 lines read, ")
    assert shown.stderr.endswith("\r\x1b[K")
    quiet = _TerminalRunner().invoke(main, ["verify", *files, "--as-of", AS_OF, "--quiet"],
                                     color=True)
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    assert quiet.stdout == shown.stdout


# --- python -m slacheck ----------------------------------------------------------------------

def test_python_dash_m_runs_the_command_line(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["slacheck", "--version"])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module("slacheck", run_name="__main__")
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"slacheck, version {__version__}\n"


# --- the text report of unusual runs ---------------------------------------------------------

def test_text_report_counts_records_outside_the_contract_period(tmp_path: Path) -> None:
    contract = OK.replace("timezone: UTC}", 'timezone: UTC, effective: {from: "2025-03-01"}}')
    rows = [_ok(0), {"id": "early", "at": "2025-02-28T23:59:59Z", "ok": False}]
    code, out, _ = _run("verify", *_files(tmp_path, contract, rows), "--as-of", AS_OF)
    assert ("lines: 2 read = 2 accepted + 0 rejected "
            "(1 accepted records fall outside the contract period)") in out
    assert code == 0  # the breach of 28 February is outside the contract


def test_text_report_says_how_many_rejections_it_does_not_list(tmp_path: Path) -> None:
    data = json.dumps(_ok(0)) + "\n" + "not json\n" * 3
    files = _files(tmp_path, OK, data)
    _, out, _ = _run("verify", *files, "--as-of", AS_OF, "--evidence-limit", "1")
    assert "  ... and 2 more rejected lines\n" in out
    _, out, _ = _run("verify", *files, "--as-of", AS_OF, "--evidence-limit", "2")
    assert "  ... and 1 more rejected line\n" in out


def test_text_report_says_how_many_evaluation_errors_it_does_not_list(tmp_path: Path) -> None:
    contract = contract_yaml(
        "shipped: int", "ordered: int",
        head="contract: {id: f, currency: EUR, timezone: UTC}",
        standards="  fill:\n    require: shipped / ordered >= 0.98\n    target: 50% per month\n",
    )
    rows = [{"id": name, "at": "2025-03-01T00:00:00Z", "shipped": 0, "ordered": 0}
            for name in ("a", "b", "c")]
    _, out, _ = _run("verify", *_files(tmp_path, contract, rows), "--as-of", AS_OF,
                     "--evidence-limit", "1")
    assert "evaluation errors: 3 (records left out of one standard's counts)" in out
    assert "  ... and 2 more, not listed (--evidence-limit)" in out


def test_an_open_window_below_target_is_at_risk_not_missed(tmp_path: Path) -> None:
    # March is still open on 15 March: 1 of 3 passed is below 50%, but not yet missed
    rows = [_ok(0), _ok(1, ok=False), _ok(2, ok=False)]
    code, out, _ = _run("verify", *_files(tmp_path, OK, rows), "--as-of",
                        "2025-03-15T00:00:00Z")
    assert "all-ok: all-ok -- AT RISK in open windows" in out
    assert "verdict: COMPLIANT" in out
    assert code == 0


def test_a_target_that_no_record_reached_is_not_called_met(tmp_path: Path) -> None:
    contract = contract_yaml(
        "ok: bool", "region: string",
        head="contract: {id: t, currency: EUR, timezone: UTC}",
        standards="  eu:\n    for: region == \"EU\"\n    require: ok\n    target: 90% per month\n"
                  "  all:\n    require: ok\n    target: 50% per month\n",
    )
    # the one record is in the US: "eu" has no window at all, "all" passes 1 of 1
    rows = [{"id": "a", "at": "2025-03-01T00:00:00Z", "ok": True, "region": "US"}]
    code, out, _ = _run("verify", *_files(tmp_path, contract, rows), "--as-of", AS_OF)
    assert "eu: eu -- no breaches\n" in out
    assert "all: all -- met\n" in out
    assert code == 0


def test_text_report_lists_ten_record_penalties_and_counts_the_rest(tmp_path: Path) -> None:
    contract = contract_yaml(
        "ok: bool",
        head="contract: {id: p, currency: EUR, timezone: UTC}",
        standards="  all-ok:\n    require: ok\n    window: per month\n"
                  "    penalty: 2.50 EUR per breach\n",
    )
    rows = [_ok(index, ok=False) for index in range(12)]
    code, out, _ = _run("verify", *_files(tmp_path, contract, rows), "--as-of", AS_OF)
    # 12 breaches at 2.50 each: 30.00
    assert "penalties: 2025-03 30.00 -- total 30.00 EUR" in out
    assert "    r9 (line 10): 2.50 EUR" in out
    assert "r10 (line 11)" not in out
    assert "    ... and 2 more\n" in out
    assert code == 1


def test_json_rate_of_a_window_with_nothing_counted_is_null(tmp_path: Path) -> None:
    contract = contract_yaml(
        "done_at: {type: timestamp, optional: true}",
        head="contract: {id: n, currency: EUR, timezone: UTC}",
        standards="  fast:\n    require: done_at within 30d of at\n    target: 90% per month\n",
    )
    rows = [{"id": "a", "at": "2025-03-30T00:00:00Z"}]  # due 29 April: pending on 1 April
    _, out, _ = _run("verify", *_files(tmp_path, contract, rows), "--as-of", AS_OF,
                     "--format", "json")
    [window] = json.loads(out)["standards"][0]["windows"]
    assert (window["passed"], window["breached"], window["pending"]) == (0, 0, 1)
    assert window["rate"] is None
    assert window["rate_exact"] is None
    assert window["met"] is None


# --- the plan listing ------------------------------------------------------------------------

def test_plan_lists_what_each_stage_does(tmp_path: Path) -> None:
    contract = contract_yaml(
        "office: {type: enum, values: [TSN, PEK, CAN]}",
        "done_at: {type: timestamp, optional: true}", "back_at: {type: timestamp, optional: true}",
        head="contract: {id: l, currency: EUR, timezone: UTC}",
        standards="""\
  quick:
    require: done_at within 90s of at
    window: per month
    disqualify: on any breach
  round-trip:
    require: (done_at - at) + (back_at - at) <= 48h
    window: per month
    disqualify: after 2 breaches within 36h
  north:
    require: office in [TSN, PEK]
    window: per week
""",
    )
    path = tmp_path / "contract.yaml"
    path.write_text(contract, "utf-8")
    code, out, _ = _run("plan", str(path), "--as-of", AS_OF)
    assert code == 0
    # no effective period: no line that says which records fall in it
    assert out.splitlines()[1] == "  windows in UTC"
    assert "stage 1: inline deadline: r['done_at'] <= r['at'] + 90s," in out
    assert "stage 3: disqualify on the first breach" in out
    assert "stage 1: compiled closure, three-valued" in out
    assert "stage 3: disqualify at 2 breaches less than 36h apart" in out
    assert "stage 1: inline: (r['office'] in [PEK, TSN])" in out
    assert "stage 2: count per week\n" in out
