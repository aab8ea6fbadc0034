"""The command line with exports as they come: CSV, folders, globs, standard input, and
`--format-in`; a file that cannot be read exits 3."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from tests.conftest import contract_yaml
from tests.test_cli import _run

CONTRACT = contract_yaml(
    "ok: bool",
    head="contract: {id: small, currency: EUR, timezone: Europe/Berlin}",
    standards="  all-ok:\n    require: ok\n    target: 50% per month\n",
)
CSV = "id,at,ok\r\nr1,2025-03-01T10:00:00Z,true\r\nr2,2025-03-02T10:00:00Z,false\r\n"
AS_OF = "2025-04-01"


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(CONTRACT, "utf-8")
    return path


def _lines(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("lines:"))


def test_a_csv_file_by_its_extension(tmp_path: Path, contract: Path) -> None:
    data = tmp_path / "export.csv"
    data.write_text(CSV, "utf-8")
    code, out, _ = _run("verify", str(contract), str(data), "--as-of", AS_OF)
    assert code == 0
    assert _lines(out) == "lines: 2 read = 2 accepted + 0 rejected"


def test_a_csv_given_as_json_lines_says_what_it_looks_like(tmp_path: Path,
                                                           contract: Path) -> None:
    data = tmp_path / "export.txt"
    data.write_text(CSV, "utf-8")
    code, out, _ = _run("verify", str(contract), str(data), "--as-of", AS_OF)
    assert code == 4
    assert "looks like the header of a CSV file" in out
    code, out, _ = _run("verify", str(contract), str(data), "--as-of", AS_OF,
                        "--format-in", "csv")
    assert code == 0


def test_standard_input_in_a_given_format(contract: Path) -> None:
    code, out, _ = _run("verify", str(contract), "-", "--as-of", AS_OF, "--format-in", "tsv",
                        stdin=CSV.replace(",", "\t").encode())
    assert (code, _lines(out)) == (0, "lines: 2 read = 2 accepted + 0 rejected")


def test_a_folder_and_a_glob_read_their_files_in_order(tmp_path: Path, contract: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "b.csv").write_text(CSV.replace("r1", "r3").replace("r2", "r4"), "utf-8")
    (folder / "a.json").write_text(json.dumps([
        {"id": "r1", "at": "2025-03-01T10:00:00Z", "ok": True},
        {"id": "r2", "at": "2025-03-01T10:00:00Z", "ok": False}]), "utf-8")
    code, out, _ = _run("verify", str(contract), str(folder), "--as-of", AS_OF,
                        "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert [item["path"] for item in result["inputs"]] == [str(folder / "a.json"),
                                                           str(folder / "b.csv")]
    assert result["lines"]["read"] == 4
    code, out, _ = _run("verify", str(contract), str(folder / "*.csv"), "--as-of", AS_OF)
    assert (code, _lines(out)) == (0, "lines: 2 read = 2 accepted + 0 rejected")


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("export.csv", b"id,id,at\n", "names the column `id` twice"),
        ("export.json", b'{"id": "r1"}\n', "not a JSON array"),
        ("exports/*.parquet", b"", "no file matches"),
    ],
)
def test_a_file_that_cannot_be_read_exits_3(tmp_path: Path, contract: Path, name: str,
                                            data: bytes, words: str) -> None:
    path = tmp_path / name
    if "*" not in name:
        path.write_bytes(data)
    code, _, err = _run("verify", str(contract), str(path), "--as-of", AS_OF)
    assert code == 3
    assert words in err


def test_rejected_rows_go_to_the_quarantine_verbatim(tmp_path: Path, contract: Path) -> None:
    data = tmp_path / "export.csv"
    data.write_bytes(CSV.encode() + b"r3,2025-03-03T10:00:00Z,maybe\r\n\"r4\r\nx\",,\r\n")
    kept, reasons = tmp_path / "rejected.csv", tmp_path / "reasons.jsonl"
    code, out, _ = _run("verify", str(contract), str(data), "--as-of", AS_OF, "--quarantine",
                        str(kept), "--quarantine-reasons", str(reasons))
    assert code == 0
    assert _lines(out) == "lines: 4 read = 2 accepted + 2 rejected"
    # the header first, so that the quarantine can be mended and checked again
    assert kept.read_bytes() == b"id,at,ok\r\nr3,2025-03-03T10:00:00Z,maybe\r\n\"r4\r\nx\",,\r\n"
    assert f"{data}:5: at: missing; ok: missing" in out
    assert [json.loads(line) for line in reasons.read_text("utf-8").splitlines()] == [
        {"source": str(data), "line": 4,
         "problems": [{"field": "ok", "reason": 'not true or false: "maybe"'}]},
        {"source": str(data), "line": 5,
         "problems": [{"field": "at", "reason": "missing"}, {"field": "ok", "reason": "missing"}]},
    ]
    code, out, _ = _run("verify", str(contract), str(kept), "--as-of", AS_OF)
    assert _lines(out) == "lines: 2 read = 0 accepted + 2 rejected"


def test_the_reasons_alone_and_json_lines_quarantined_as_before(tmp_path: Path,
                                                                contract: Path) -> None:
    data = tmp_path / "export.jsonl"
    data.write_bytes(b'{"id": "r1", "at": "2025-03-01T10:00:00Z", "ok": true}\r\nnot json\r\n')
    reasons, kept = tmp_path / "reasons.jsonl", tmp_path / "kept.jsonl"
    _run("verify", str(contract), str(data), "--as-of", AS_OF, "--quarantine-reasons",
         str(reasons))
    [line] = reasons.read_text("utf-8").splitlines()
    assert json.loads(line)["line"] == 2
    _run("verify", str(contract), str(data), "--as-of", AS_OF, "--quarantine", str(kept))
    assert kept.read_bytes() == b"not json\r\n"


def test_zstd_compressed_exports_of_every_format(tmp_path: Path, contract: Path) -> None:
    """A `.zst` file of any format reads as its plain copy; its digest is of the bytes as
    the file holds them, compressed; it may hold more than one frame."""
    zstandard = pytest.importorskip("zstandard")
    rows = [("r1", "2025-03-01T10:00:00Z", True), ("r2", "2025-03-02T10:00:00Z", False)]
    jsonl = "".join(json.dumps({"id": i, "at": at, "ok": ok}) + "\n" for i, at, ok in rows)
    plain = {"export.csv": CSV.encode(), "export.jsonl": jsonl.encode(),
             "export.tsv": CSV.replace(",", "\t").encode()}
    for name, data in plain.items():
        half = len(data) // 2
        packed = (zstandard.ZstdCompressor().compress(data[:half])
                  + zstandard.ZstdCompressor().compress(data[half:]))
        path = tmp_path / (name + ".zst")
        path.write_bytes(packed)
        code, out, _ = _run("verify", str(contract), str(path), "--as-of", AS_OF,
                            "--format", "json")
        report = json.loads(out)
        assert (code, report["lines"]["read"], report["lines"]["accepted"]) == (0, 2, 2), name
        assert report["inputs"][0]["sha256"] == hashlib.sha256(packed).hexdigest()
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    table = pyarrow.table({"id": [r[0] for r in rows], "at": [r[1] for r in rows],
                           "ok": [r[2] for r in rows]})
    sink = io.BytesIO()
    parquet.write_table(table, sink)
    path = tmp_path / "export.parquet.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(sink.getvalue()))
    code, out, _ = _run("verify", str(contract), str(path), "--as-of", AS_OF)
    assert (code, _lines(out)) == (0, "lines: 2 read = 2 accepted + 0 rejected")
    folder = tmp_path / "only-zst"
    folder.mkdir()
    (folder / "export.csv.zst").write_bytes(zstandard.ZstdCompressor().compress(CSV.encode()))
    code, out, _ = _run("verify", str(contract), str(folder), "--as-of", AS_OF)
    assert (code, _lines(out)) == (0, "lines: 2 read = 2 accepted + 0 rejected")


def test_a_damaged_zstd_file_exits_3(tmp_path: Path, contract: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    packed = zstandard.ZstdCompressor().compress(CSV.encode() * 50)
    path = tmp_path / "export.csv.zst"
    path.write_bytes(packed[:12] + bytes(40) + packed[52:])
    code, _, err = _run("verify", str(contract), str(path), "--as-of", AS_OF)
    assert code == 3
    assert f"cannot read {path}" in err
