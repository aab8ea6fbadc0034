"""The catalogue of broken contracts in tests/cases/broken/: each file's first line says what
`slacheck lint` must report (`# expect: SLA201 19:14, SLA304 15:5`), every diagnostic at
its line and column, in file order; none prints a traceback. With the empty, binary and
huge files made here, every registered code is met at least once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck.cli import main
from slacheck.diagnostics import codes
from tests.conftest import ROOT

CASES = sorted((ROOT / "tests" / "cases" / "broken").glob("*.yaml"))


def expected(path: Path) -> list[str]:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), path
    return [item.strip() for item in first.removeprefix("# expect: ").split(",")]


def lint(path: Path) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    err = result.stderr
    found = []
    for line in err.splitlines():
        if line.startswith(f"{path}:") and line[len(str(path)) + 1:][:1].isdigit():
            where, rest = line[len(str(path)) + 1:].split(": ", 1)
            found.append(f"{rest.split()[0]} {where}")
    return result.exit_code, found, err


def test_the_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_each_broken_contract_is_reported_where_it_is_broken(path: Path) -> None:
    code, found, err = lint(path)
    assert found == expected(path)
    errors = [item for item in found if not item.startswith("SLA3")]
    assert code == (2 if errors else 0)
    assert "Traceback" not in err
    assert "Error:" not in err  # no exception's name, no parser's words


def _made(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Files not worth committing: what each must give, as `CODE line:column` or `CODE`."""
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    comments = tmp_path / "only-comments.yaml"
    comments.write_text("# slacheck: 1 is commented out\n", "utf-8")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 8)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"slacheck: 1\n" + b"# padding padding padding\n" * 45_000)
    latin = tmp_path / "latin-1.yaml"
    latin.write_bytes("slacheck: 1\ncontract: {id: caf\u00e9}\n".encode("latin-1"))
    return {
        "empty": (empty, "SLA002"),
        "comments": (comments, "SLA002"),
        "binary": (binary, "SLA004"),
        "huge": (huge, "SLA003"),
        "latin-1": (latin, "SLA004"),
    }


def test_empty_binary_and_huge_files_are_diagnostics(tmp_path: Path) -> None:
    for name, (path, code) in _made(tmp_path).items():
        status, _, err = lint(path)
        assert status == 2, name
        assert err.startswith(f"{path}: {code} "), (name, err)
        assert "Traceback" not in err, name


def test_the_catalogue_meets_every_code(tmp_path: Path) -> None:
    met = {item.split()[0] for path in CASES for item in expected(path)}
    met |= {code for _, code in _made(tmp_path).values()}
    assert {code.code for code in codes()} - met == set()
