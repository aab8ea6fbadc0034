"""The command line: exit codes, error messages, inputs and outputs."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck.cli import main
from tests.conftest import AS_OF, CONTRACT, EXAMPLE, ROOT, contract_yaml

SHIPMENTS = EXAMPLE / "shipments.jsonl"

SMALL = contract_yaml(
    "ok: bool",
    head="contract: {id: small, currency: EUR, timezone: Europe/Berlin}",
    standards="  all-ok:\n    require: ok\n    target: 50% per month\n",
)


def _run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, "utf-8")
    return path


def _records(tmp_path: Path, oks: list[bool]) -> Path:
    path = tmp_path / "records.jsonl"
    lines = [
        json.dumps({"id": f"r{i}", "at": f"2025-03-{i + 1:02d}T10:00:00Z", "ok": ok})
        for i, ok in enumerate(oks)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_compliant_exits_0(tmp_path: Path, small: Path) -> None:
    code, out, _ = _run("verify", str(small), str(_records(tmp_path, [True, True, False])),
                        "--as-of", "2025-04-01T00:00:00+02:00")
    assert code == 0
    assert "verdict: COMPLIANT" in out


def test_missed_target_exits_1(tmp_path: Path, small: Path) -> None:
    code, out, _ = _run("verify", str(small), str(_records(tmp_path, [True, False, False])),
                        "--as-of", "2025-04-01T00:00:00+02:00")
    assert code == 1
    assert "33.33%" in out
    assert "verdict: NON-COMPLIANT" in out


def test_acceptance_exits_1_with_text_report() -> None:
    code, out, _ = _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", AS_OF)
    assert code == 1
    assert "total penalties: 159050.50 CNY" in out
    assert "DISQUALIFIED under safe-custody at 2025-03-29T11:06:00+08:00" in out


def test_invalid_contract_exits_2_with_every_problem(tmp_path: Path) -> None:
    broken = SMALL.replace("require: ok", "require: okk and at within 2 of at")
    path = tmp_path / "broken.yaml"
    path.write_text(broken, "utf-8")
    code, out, err = _run("verify", str(path), str(SHIPMENTS), "--as-of", AS_OF)
    assert code == 2
    assert out == ""
    assert f"{path}:12:14: SLA201 unknown field `okk`" in err
    assert "did you mean `ok`?" in err
    assert "SLA202" in err
    assert "Traceback" not in err
    assert "2 problems in the contract" in err


def test_lint_reports_all_and_exits_2(tmp_path: Path, small: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.replace("50% per month", "50% per fortnight"), "utf-8")
    code, _, err = _run("lint", str(small), str(broken))
    assert code == 2
    assert f"{broken}:13:" in err
    assert "SLA101" in err
    assert "^" in err
    assert "1 problem in 2 contracts" in err


def test_lint_clean_exits_0(small: Path) -> None:
    code, out, _ = _run("lint", str(small), str(CONTRACT))
    assert code == 0
    assert out == "2 contracts ok\n"


def test_usage_error_exits_2(small: Path) -> None:
    code, _, err = _run("verify", str(small), str(SHIPMENTS), "--as-of", "2025-04-01T00:00:00")
    assert code == 2
    assert "UTC offset" in err


def test_missing_data_exits_3(small: Path, tmp_path: Path) -> None:
    code, _, err = _run("verify", str(small), str(tmp_path / "nope.jsonl"), "--as-of", AS_OF)
    assert code == 3
    assert "cannot read" in err


def test_corrupt_gzip_exits_3(small: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(b"not gzip at all")
    code, _, err = _run("verify", str(small), str(path), "--as-of", AS_OF)
    assert code == 3
    assert "Traceback" not in err


def test_missing_contract_exits_2(tmp_path: Path) -> None:
    code, _, err = _run("verify", str(tmp_path / "none.yaml"), str(SHIPMENTS), "--as-of", AS_OF)
    assert code == 2
    assert "cannot read the contract" in err


def test_stdin_and_gzip_match_the_file(tmp_path: Path) -> None:
    base = ["verify", str(CONTRACT), "--as-of", AS_OF, "--format", "json"]
    _, from_file, _ = _run(*base[:2], str(SHIPMENTS), *base[2:])
    packed = tmp_path / "shipments.jsonl.gz"
    packed.write_bytes(gzip.compress(SHIPMENTS.read_bytes()))
    _, from_gzip, _ = _run(*base[:2], str(packed), *base[2:])
    _, from_stdin, _ = _run(*base[:2], "-", *base[2:], stdin=SHIPMENTS.read_bytes())
    totals = [json.loads(text)["totals"] for text in (from_file, from_gzip, from_stdin)]
    assert totals[0] == totals[1] == totals[2]
    digest = hashlib.sha256(SHIPMENTS.read_bytes()).hexdigest()
    assert json.loads(from_stdin)["inputs"] == [{"path": "-", "sha256": digest}]


def test_the_data_hash_is_of_the_bytes_as_given(tmp_path: Path) -> None:
    packed = tmp_path / "shipments.jsonl.gz"
    packed.write_bytes(gzip.compress(SHIPMENTS.read_bytes(), mtime=0))
    _, out, _ = _run("verify", str(CONTRACT), str(packed), str(SHIPMENTS), "--as-of", AS_OF,
                     "--format", "json")
    assert json.loads(out)["inputs"] == [
        {"path": str(packed), "sha256": hashlib.sha256(packed.read_bytes()).hexdigest()},
        {"path": str(SHIPMENTS), "sha256": hashlib.sha256(SHIPMENTS.read_bytes()).hexdigest()},
    ]
    _, text, _ = _run("verify", str(CONTRACT), "-", "--as-of", AS_OF,
                      stdin=SHIPMENTS.read_bytes())
    assert f"data: - sha256:{hashlib.sha256(SHIPMENTS.read_bytes()).hexdigest()[:12]}" in text


def test_quarantine_gets_rejected_lines_verbatim(tmp_path: Path) -> None:
    quarantine = tmp_path / "rejected.jsonl"
    _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", AS_OF, "--quarantine",
         str(quarantine))
    lines = SHIPMENTS.read_bytes().split(b"\n")
    expected = b"".join(lines[number - 1] + b"\n" for number in (101, 202, 303, 404, 505, 606))
    assert quarantine.read_bytes() == expected


def test_output_file_and_determinism(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        code, out, _ = _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", AS_OF,
                            "--format", "json", "-o", str(path))
        assert code == 1
        assert out == ""
    assert first.read_bytes() == second.read_bytes()
    assert sorted(item.name for item in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_debug_shows_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(SMALL.replace("require: ok", "require: okk"), "utf-8")
    result = CliRunner().invoke(main, ["lint", "--debug", str(path)])
    assert result.exception is not None
    assert type(result.exception).__name__ == "ContractError"


def test_explain_and_schema() -> None:
    code, out, _ = _run("explain", "sla201")
    assert code == 0
    assert out.startswith("SLA201 unknown-field")
    code, out, _ = _run("explain")
    assert "SLA101" in out
    code, out, _ = _run("schema")
    assert json.loads(out)["title"].startswith("slacheck contract")
    code, out, _ = _run("schema", "--result")
    assert json.loads(out)["properties"]["schema"] == {"const": "slacheck.result/1"}
    code, _, _ = _run("explain", "SLA999")
    assert code == 2


def test_plan_lists_standards() -> None:
    code, out, _ = _run("plan", str(CONTRACT), "--as-of", AS_OF)
    assert code == 0
    assert "standard delivery-24h" in out
    assert "stage 2: count per month by office" in out


def test_python_dash_m_entry_point() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "slacheck", "--version"], capture_output=True, check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0
    assert completed.stdout.decode().startswith("slacheck, version")


def test_no_quarantine_file_when_the_run_fails(tmp_path: Path) -> None:
    quarantine = tmp_path / "rejected.jsonl"
    code, _, _ = _run("verify", str(CONTRACT), str(tmp_path / "missing.jsonl"), "--as-of", AS_OF,
                      "--quarantine", str(quarantine))
    assert code == 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--output", "--quarantine"])
def test_an_unwritable_output_is_a_clear_error(tmp_path: Path, option: str) -> None:
    target = tmp_path / "no-such-folder" / "out"
    code, _, err = _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", AS_OF,
                        option, str(target))
    assert code == 2
    assert f"cannot write {target}" in err
    assert "Traceback" not in err


def test_interrupt_is_not_read_as_non_compliant(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("slacheck.cli.verify", interrupted)
    output = tmp_path / "report.json"
    code, _, err = _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", AS_OF,
                        "-o", str(output))
    assert code == 130
    assert "interrupted" in err
    assert not output.exists()


def test_lint_reports_load_and_check_problems_in_one_run(tmp_path: Path) -> None:
    text = contract_yaml(
        "ok: bool",
        head="contract: {id: x, currency: EUR, timezone: Europe/Berln}",
        standards=(
            "  a:\n    require: okk\n    target: 50% per month\n"
            "  b:\n    require: ok within\n    window: per month\n"
            "  c:\n    requires: ok\n"
        ),
    )
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    code, _, err = _run("lint", str(path))
    assert code == 2
    codes = [line.split(": ")[1].split()[0] for line in err.splitlines()
             if line.startswith(str(path))]
    # the time zone and a shape error from loading, a syntax error, and the checker's finding
    assert codes == ["SLA203", "SLA201", "SLA101", "SLA002", "SLA002"]
    assert "did you mean `Europe/Berlin`?" in err


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("option", ["--output", "--quarantine"])
def test_output_files_honour_the_umask(tmp_path: Path, umask_022: None, option: str) -> None:
    target = tmp_path / "out"
    code, _, _ = _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", AS_OF, option,
                      str(target))
    assert code == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_replaced_output_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old report")
    target.chmod(0o640)
    code, _, _ = _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", AS_OF, "-o",
                      str(target))
    assert code == 1
    assert target.read_text().startswith("slacheck")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_as_of_a_date_is_midnight_in_the_contracts_zone() -> None:
    code, out, _ = _run("verify", str(CONTRACT), str(SHIPMENTS), "--as-of", "2025-04-01",
                        "--format", "json")
    assert code == 1
    assert json.loads(out)["as_of"] == AS_OF  # Asia/Shanghai, +08:00
    code, out, _ = _run("plan", str(CONTRACT), "--as-of", "2025-04-01")
    assert code == 0


@pytest.mark.parametrize("value", ["2025-04-01T00:00:00", "yesterday", "2025-02-30", ""])
def test_every_as_of_error_names_the_option(small: Path, value: str) -> None:
    code, _, err = _run("verify", str(small), str(SHIPMENTS), "--as-of", value)
    assert code == 2
    assert "--as-of" in err
    assert "Traceback" not in err


def test_the_main_help_is_complete() -> None:
    code, out, _ = _run("--help")
    assert code == 0
    body = out.splitlines()[1:]  # after the usage line, which ends in `[ARGS]...`
    assert not any(line.rstrip().endswith(("...", "e.g.")) for line in body)
    flat = " ".join(out.split())
    for sentence in ("Explain a diagnostic CODE (e.g. SLA201 or unknown-field), or list them all.",
                     "Check the contracts in PATHS: files, folders and globs.",
                     "Check DATA against CONTRACT: files (JSON lines, a JSON array, CSV, TSV or "
                     "Parquet, by their extension, each perhaps .gz), folders, glob patterns, or "
                     "- for standard input."):
        assert sentence in flat
    assert "slacheck verify" in out
    assert "Exit codes" in out
    for code_line in ("4    inconclusive", "70   internal error"):
        assert code_line in out


def test_a_gzip_corrupt_inside_exits_3(small: Path, tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(SHIPMENTS.read_bytes()))
    for index in range(200, 260):
        packed[index] ^= 0xFF
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(bytes(packed))
    code, _, err = _run("verify", str(small), str(path), "--as-of", AS_OF)
    assert code == 3
    assert f"cannot read {path}" in err


def test_the_names_the_options_show_are_those_of_their_modules() -> None:
    import slacheck.cli as cli
    from slacheck import fail_on
    from slacheck.findings import Verdict
    from slacheck.plan import EVIDENCE_LIMIT
    from slacheck.readers import FORMATS
    from slacheck.reporters import RENDERERS, REPORTS

    assert tuple(sorted(RENDERERS)) == cli.VERIFY_FORMATS
    assert tuple(sorted(REPORTS)) == cli.REPORT_FORMATS
    assert cli.EVIDENCE_LIMIT == EVIDENCE_LIMIT
    assert cli.INPUT_FORMATS == FORMATS
    assert fail_on.parse(cli.FAIL_ON_DEFAULT) == fail_on.DEFAULT
    assert set(cli.EXIT_CODES) == {verdict.value for verdict in Verdict}


def test_lint_fmt_and_explain_import_neither_engine_nor_reporters() -> None:
    script = (
        "import sys\n"
        "from slacheck.cli import main\n"
        "for args in (['lint', 'contracts'], ['fmt', '--check', 'contracts'],"
        " ['explain', 'SLA201']):\n"
        "    try:\n"
        "        main(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('slacheck.api', 'slacheck.engine', 'slacheck.findings', 'slacheck.plan',"
        " 'slacheck.records', 'slacheck.reporters', 'jinja2', 'orjson')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                               text=True, check=True)
    assert completed.stdout.splitlines()[-1] == "[]"
