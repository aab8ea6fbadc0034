"""The contract library: every contract in `contracts/` with its example data in
`examples/<name>/`, verified through the command line against the figures that an
independent script (`examples/<name>/figures.py`, standard library only, written from the
contract's words) computed into `expected.json`.

Every window's counts and status and every amount are compared, for every standard of the
contract: a standard the expected figures do not list fails the test. A contract whose
`expected.json` lists `readings` is run once per reading, its clause replaced as the
reading says (the contract offers each reading of a clause, one of them in force). A
contract whose amounts are written in another currency is run with the rates its
`expected.json` gives under `args` (`--rate SDR=1.35`), and the rates the result records,
at its top and in each standard that converted an amount, are compared with its `rates`.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from slacheck.cli import main
from tests.conftest import ROOT

CONTRACTS = sorted((ROOT / "contracts").glob("*.yaml"))
EXAMPLES = ROOT / "examples"


def _expected(folder: Path) -> dict[str, Any] | None:
    path = folder / "expected.json"
    if not path.is_file():
        return None
    found: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return found if "contract" in found and "standards" in found else None


LIBRARY = sorted(folder for folder in EXAMPLES.iterdir()
                 if (folder / "figures.py").is_file() and _expected(folder) is not None)
RUNS = [(folder, reading) for folder in LIBRARY
        for reading in [None, *(item["name"] for item in _expected(folder).get("readings", []))]]  # type: ignore[union-attr]


def _args(expected: dict[str, Any]) -> list[str]:
    """The example's own arguments for every command that runs its contract: its rates."""
    return [str(arg) for arg in expected.get("args", [])]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_every_contract_has_its_example_data() -> None:
    assert len(CONTRACTS) >= 8
    for contract in CONTRACTS:
        folder = EXAMPLES / contract.stem
        assert folder.is_dir(), f"{contract.name} has no examples/{contract.stem}/"
        assert any(path.suffix in {".jsonl", ".csv"} for path in folder.iterdir()), folder


def test_the_library_is_lint_clean_under_strict() -> None:
    code, out, err = _run("lint", "--strict", str(ROOT / "contracts"))
    assert code == 0, out + err
    assert f"{len(CONTRACTS)} contracts ok" in out + err


def test_the_library_is_formatted() -> None:
    code, out, err = _run("fmt", "--check", str(ROOT / "contracts"))
    assert code == 0, out + err


@pytest.mark.parametrize("folder", LIBRARY, ids=[folder.name for folder in LIBRARY])
def test_expected_figures_are_what_the_independent_script_computes(folder: Path) -> None:
    """`expected.json` is the script's output as it stands, and the data its seeded generator's."""
    computed = subprocess.run([sys.executable, str(folder / "figures.py")], capture_output=True,
                              check=True, cwd=folder)
    assert json.loads(computed.stdout) == _expected(folder)
    generated = subprocess.run([sys.executable, str(folder / "generate.py")], capture_output=True,
                               check=True, cwd=folder)
    data = folder / str(_expected(folder)["data"])  # type: ignore[index]
    assert generated.stdout == data.read_bytes()


def _contract(expected: dict[str, Any], reading: str | None, tmp_path: Path) -> Path:
    contract: Path = ROOT / str(expected["contract"])
    if reading is None:
        return contract
    [item] = [item for item in expected["readings"] if item["name"] == reading]
    text = contract.read_text("utf-8")
    assert text.count(item["from"]) == 1, item["from"]
    copy = tmp_path / contract.name
    copy.write_text(text.replace(item["from"], item["to"]), "utf-8")
    return copy


def _window(have: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    found = {name: have.get(name) for name in want}
    found["group"] = have.get("group", {})
    return found


RUN_IDS = [f"{folder.name}-{reading or 'as-written'}" for folder, reading in RUNS]


@pytest.mark.parametrize(("folder", "reading"), RUNS, ids=RUN_IDS)
def test_verify_gives_the_independent_figures(folder: Path, reading: str | None,
                                              tmp_path: Path) -> None:
    expected: dict[str, Any] = _expected(folder)  # type: ignore[assignment]
    if reading is not None:
        [variant] = [item for item in expected["readings"] if item["name"] == reading]
        expected = {**expected, **variant["expected"]}
    contract = _contract(expected, reading, tmp_path)
    code, out, err = _run("verify", str(contract), str(folder / expected["data"]),
                          "--as-of", expected["as_of"], "--format", "json", *_args(expected))
    assert code == expected["exit"], err
    report = json.loads(out)
    assert report["verdict"] == expected["verdict"]
    assert report.get("rates", []) == expected.get("rates", [])
    lines = report["lines"]
    assert {name: lines[name] for name in expected["lines"]} == expected["lines"]
    standards = {standard["id"]: standard for standard in report["standards"]}
    assert sorted(standards) == sorted(expected["standards"])
    for standard_id, want in expected["standards"].items():
        have = standards[standard_id]
        assert [_window(window, wanted) for window, wanted in
                zip(have["windows"], want["windows"], strict=True)] == want["windows"], standard_id
        for kind, fields in (("penalties", ("window", "gross", "net")),
                             ("service_credits", ("window", "amount")),
                             ("rewards", ("window", "amount"))):
            wanted_money = want.get(kind, {"total": "0.00", "windows": []})
            assert have[kind]["total"] == wanted_money["total"], f"{standard_id} {kind}"
            assert [{name: item[name] for name in fields} for item in have[kind]["windows"]] == \
                wanted_money["windows"], f"{standard_id} {kind}"
            if "records" in wanted_money:
                assert [{"id": item["id"], "amount": item["amount"]}
                        for item in have[kind]["records"]] == wanted_money["records"], standard_id
        assert have.get("rates", []) == want.get("rates", []), standard_id
        if "disqualified" in want:
            assert (have["disqualification"] is not None) == want["disqualified"], standard_id
    assert [{name: pool[name] for name in ("pool", "window", "gross", "limit", "adjustment", "net")}
            for pool in report["pools"]] == expected.get("pools", [])
    assert report["totals"] == {**report["totals"], **expected["totals"]}


# -- contracts written in Chinese --------------------------------------------------------

CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _chinese(contract: Path) -> dict[str, Any]:
    return yaml.safe_load(contract.read_text("utf-8"))  # type: ignore[no-any-return]


CHINESE = [contract for contract in CONTRACTS
           if CJK.search(str(_chinese(contract)["contract"].get("title", "")))]


def test_at_least_two_contracts_are_written_in_chinese() -> None:
    assert len(CHINESE) >= 2
    for contract in CHINESE:
        titles = [standard["title"] for standard in _chinese(contract)["standards"].values()]
        assert all(CJK.search(title) for title in titles), contract.name


def _github_text(text: str) -> str:
    """Workflow commands escape `%`, CR, LF, and in properties `:` and `,`."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def _xml_text(text: str) -> str:
    root = ET.fromstring(text.encode("utf-8"))
    return "\n".join([*(value for node in root.iter() for value in node.attrib.values()),
                      *(node.text or "" for node in root.iter())])


def _json_text(text: str) -> str:
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(text))
    return "\n".join(strings)


FORMATS: dict[str, Callable[[str], str]] = {
    "text": str, "json": _json_text, "junit": _xml_text, "sarif": _json_text,
    "github": _github_text, "html": html.unescape,
    "markdown": lambda text: re.sub(r"\\(.)", r"\1", text)}


@pytest.mark.parametrize("output", sorted(FORMATS))
@pytest.mark.parametrize("contract", CHINESE, ids=[contract.stem for contract in CHINESE])
def test_chinese_titles_come_out_intact_in_every_format(contract: Path, output: str,
                                                        tmp_path: Path) -> None:
    expected: dict[str, Any] = _expected(EXAMPLES / contract.stem)  # type: ignore[assignment]
    data = str(EXAMPLES / contract.stem / expected["data"])
    if output in {"html", "markdown"}:
        target = tmp_path / f"report.{output}"
        code, _, err = _run("report", str(contract), data, "--as-of", expected["as_of"],
                            "--format", output, "-o", str(target), *_args(expected))
        assert code == 0, err
        raw = target.read_bytes()
    else:
        target = tmp_path / "result"
        code, _, err = _run("verify", str(contract), data, "--as-of", expected["as_of"],
                            "--format", output, "-o", str(target), *_args(expected))
        assert code == expected["exit"], err
        raw = target.read_bytes()
    text = raw.decode("utf-8")  # no mojibake: the output is UTF-8 throughout
    # no escaping: the characters are written as themselves, not as \uXXXX or &#NNNN;
    escapes = [int(code, 16) for code in re.findall(r"\\u([0-9a-fA-F]{4})", text)]
    escapes += [int(code[1:], 16) if code[0] in "xX" else int(code)
                for code in re.findall(r"&#([xX][0-9a-fA-F]+|[0-9]+);", text)]
    assert not [code for code in escapes if CJK.match(chr(code))]
    plain = FORMATS[output](text)
    document = _chinese(contract)
    for standard in document["standards"].values():
        assert standard["title"] in plain, (output, standard["title"])
    if output in {"json", "html", "markdown", "text"}:  # the text report's head names them
        for key in ("title", "provider", "customer"):
            assert document["contract"][key] in plain, (output, key)
