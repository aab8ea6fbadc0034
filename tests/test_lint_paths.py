"""`slacheck lint PATH...`: files, folders and globs; contracts found by their content;
the output formats; `--strict`; ignore comments."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from slacheck import lint
from slacheck.cli import main
from slacheck.diagnostics import codes
from tests.conftest import CONTRACT, ROOT, contract_yaml

GOOD = contract_yaml("ok: bool", standards="  a:\n    require: ok\n    target: 97% per month\n")
BROKEN = GOOD.replace("require: ok", "require: okk")
OTHER = "repos:\n  - repo: local\n    hooks: []\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A repository: a good contract, a broken one outside `contracts/`, other YAML."""
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "good.yaml").write_text(GOOD, "utf-8")
    (tmp_path / "sla" / "deep").mkdir(parents=True)
    (tmp_path / "sla" / "deep" / "broken.yml").write_text(BROKEN, "utf-8")
    (tmp_path / ".pre-commit-config.yaml").write_text(OTHER, "utf-8")
    (tmp_path / "ci.yaml").write_text(OTHER, "utf-8")
    (tmp_path / "notes.txt").write_text(GOOD, "utf-8")  # not YAML by name
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.yaml").write_text(BROKEN, "utf-8")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "c.yaml").write_text(BROKEN, "utf-8")
    return tmp_path


def test_a_contract_is_recognised_by_its_format_key(tmp_path: Path) -> None:
    cases = {
        "block.yaml": GOOD,
        "flow.yaml": '{slacheck: 1, contract: {}}',
        "quoted.yaml": '"slacheck": 1\n',
        "bom.yaml": "\ufeffslacheck: 1\n",
        "broken-yaml.yaml": "slacheck: 1\ncontract: {id: x\n",
        "other.yaml": OTHER,
        "nested.yaml": "tool:\n  slacheck: 1\n",
        "comment.yaml": "# slacheck: 1\n",
        "binary.yaml": "",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, "utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"\x00\xff\xfe" * 100)
    found = {name for name in cases if lint.is_contract(tmp_path / name)}
    assert found == {"block.yaml", "flow.yaml", "quoted.yaml", "bom.yaml", "broken-yaml.yaml"}
    assert not lint.is_contract(tmp_path / "missing.yaml")


def test_a_folder_is_searched_for_contracts_only(tree: Path) -> None:
    selection = lint.select([str(tree)])
    assert selection.contracts == (str(tree / "contracts" / "good.yaml"),
                                   str(tree / "sla" / "deep" / "broken.yml"))
    # ci.yaml and .pre-commit-config.yaml; hidden folders and node_modules are not searched
    assert selection.skipped == 2
    assert selection.missing == ()


def test_globs_are_expanded_and_filtered_by_content(tree: Path) -> None:
    selection = lint.select([f"{tree}/**/*.y*ml", f"{tree}/nothing-*.yaml"])
    assert selection.contracts == (str(tree / "contracts" / "good.yaml"),
                                   str(tree / "node_modules" / "c.yaml"),  # as the glob says
                                   str(tree / "sla" / "deep" / "broken.yml"))
    assert selection.missing == (f"{tree}/nothing-*.yaml",)


def test_a_named_file_is_linted_whatever_it_holds_unless_only_contracts(tree: Path) -> None:
    named = [str(tree / "ci.yaml"), str(tree / "contracts" / "good.yaml")]
    assert lint.select(named).contracts == tuple(named)
    assert lint.select(named, only_contracts=True).contracts == (named[1],)
    # each file once, however it is named
    again = [str(tree / "contracts"), str(tree / "contracts" / "good.yaml"),
             str(tree / "contracts" / "." / "good.yaml")]
    assert lint.select(again).contracts == (str(tree / "contracts" / "good.yaml"),)


def test_lint_of_a_folder_finds_the_broken_contract_anywhere(tree: Path) -> None:
    code, out, err = run("lint", str(tree))
    assert code == 2
    assert out == ""
    broken = tree / "sla" / "deep" / "broken.yml"
    assert f"{broken}:12:14: SLA201 unknown field `okk`" in err
    assert "ci.yaml" not in err
    assert ".pre-commit-config" not in err
    assert err.rstrip().endswith("slacheck: 1 problem in 2 contracts")


def test_lint_dot_is_not_refused(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree / "contracts")
    code, out, _ = run("lint", ".")
    assert (code, out) == (0, "1 contract ok\n")


def test_only_contracts_is_what_the_pre_commit_hook_passes(tree: Path) -> None:
    code, out, err = run("lint", "--only-contracts", str(tree / "ci.yaml"),
                         str(tree / ".pre-commit-config.yaml"))
    assert (code, out, err) == (0, "", "")  # a commit that touches no contract
    code, _, err = run("lint", "--only-contracts", str(tree / "ci.yaml"),
                       str(tree / "sla" / "deep" / "broken.yml"))
    assert code == 2
    assert "SLA201" in err
    assert "ci.yaml" not in err


def test_nothing_found_or_missing_is_an_error(tree: Path) -> None:
    code, _, err = run("lint", str(tree / "ci.yaml").replace("ci.yaml", ""), "--only-contracts")
    assert code == 2  # the folder has a broken contract
    empty = tree / "empty"
    empty.mkdir()
    (empty / "x.yaml").write_text(OTHER, "utf-8")
    code, _, err = run("lint", str(empty))
    assert code == 2
    assert err.strip() == ("slacheck: no contract found (1 YAML file without the `slacheck:` "
                           "key skipped)")
    code, _, err = run("lint", str(tree / "nope.yaml"), str(tree / "contracts"))
    assert code == 2
    assert f"slacheck: {tree / 'nope.yaml'}: no such file or folder" in err
    code, _, err = run("lint", str(tree / "*.nothing"))
    assert code == 2
    assert "no such file or folder, and no file matches" in err


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(contract_yaml("ok: bool", "spare: bool", standards=(
        "  a:\n    require: ok\n    target: 97% per month\n")), "utf-8")
    code, out, err = run("lint", str(path))
    assert (code, out) == (0, "1 contract ok, 1 warning\n")
    assert "SLA304 warning: the field `spare` is read by no clause" in err
    code, out, err = run("lint", "--strict", str(path))
    assert (code, out) == (2, "")
    assert err.rstrip().endswith(
        "slacheck: 0 problems and 1 warning in 1 contract (--strict: warnings fail)")


def test_an_ignore_comment_silences_a_warning_not_an_error(tmp_path: Path) -> None:
    text = contract_yaml(
        "ok: bool", "spare: bool  # slacheck: ignore[unused-field]",
        "# slacheck: ignore[SLA304, no-consequence]", "other: bool",
        "third: bool  # slacheck: ignore[no-consequence]",
        standards="  a:  # slacheck: ignore[no-consequence]\n    require: ok\n"
                  "    window: per month\n"
                  "  b:\n    require: ok and other and third and spare\n"
                  "    window: per month\n")
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    code, _, err = run("lint", str(path))
    assert code == 0
    found = [line.split(": ", 2)[1].split()[0] for line in err.splitlines()
             if line.startswith(str(path))]
    assert found == ["SLA306"]  # `b` has no consequence, and no ignore comment
    path.write_text(text.replace("require: ok and other and third and spare",
                                 "require: okk  # slacheck: ignore[unknown-field]"), "utf-8")
    code, _, err = run("lint", str(path))
    assert code == 2
    assert f"{path}:19:14: SLA201 unknown field `okk`" in err


JSON_CONTRACT = contract_yaml(
    "ok: bool", "spare: bool",
    standards="  a:\n    require: okk and ok\n    target: 97% per month\n")


def test_json_gives_start_and_end(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(JSON_CONTRACT, "utf-8")
    code, out, err = run("lint", "--format", "json", str(path))
    assert code == 2
    assert err == ""
    document = json.loads(out)
    assert document["schema"] == "slacheck.lint/1"
    assert document["errors"] == 1
    assert document["ok"] is False
    first = document["diagnostics"][0]
    assert first == {
        "file": str(path), "code": "SLA201", "name": "unknown-field", "severity": "error",
        "message": "unknown field `okk`", "start": {"line": 13, "column": 14},
        "end": {"line": 13, "column": 17}, "text": "okk", "hints": ["did you mean `ok`?"],
    }


def test_github_annotates_the_real_line_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(JSON_CONTRACT, "utf-8")
    code, out, _ = run("lint", "--format", "github", str(path))
    assert code == 2
    assert out.splitlines() == [
        f"::error file={path},line=13,col=14,endColumn=17,title=SLA201 unknown-field::"
        "unknown field `okk`%0Ahelp: did you mean `ok`?",
    ]


def test_github_escapes_what_would_end_a_property(tmp_path: Path) -> None:
    path = tmp_path / "a,b:c.yaml"
    path.write_text(GOOD.replace("require: ok", "require: ok and 100%"), "utf-8")
    _, out, _ = run("lint", "--format", "github", str(path))
    assert f"file={str(path).replace(':', '%3A').replace(',', '%2C')}," in out


def test_sarif_is_valid_and_carries_every_rule(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(JSON_CONTRACT, "utf-8")
    code, out, _ = run("lint", "--format", "sarif", str(path))
    assert code == 2
    log = json.loads(out)
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    sarif_run = log["runs"][0]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [code.code for code in codes()]
    result = sarif_run["results"][0]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "SLA201"
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 13, "startColumn": 14, "endLine": 13, "endColumn": 17}
    assert sarif_run["invocations"][0]["exitCode"] == 2
    assert [item["level"] for item in sarif_run["results"]] == ["error"]  # unused: not with errors


def test_a_file_level_problem_has_no_region(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"slacheck: 1\n\xff\xfe\n")
    code, out, _ = run("lint", "--format", "json", str(path))
    assert code == 2
    (item,) = json.loads(out)["diagnostics"]
    assert (item["code"], item["start"], item["end"]) == ("SLA004", None, None)
    _, out, _ = run("lint", "--format", "sarif", str(path))
    location = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "region" not in location
    _, out, _ = run("lint", "--format", "github", str(path))
    assert out.startswith(f"::error file={path},title=SLA004 contract-unreadable::")


def test_the_repository_contracts_lint_clean_in_every_format() -> None:
    for fmt in ("text", "json", "sarif", "github"):
        code, out, _ = run("lint", "--format", fmt, "--strict", str(ROOT / "contracts"))
        assert code == 0, out
    assert run("lint", str(CONTRACT))[1] == "1 contract ok\n"


def test_debug_raises_the_first_broken_contract(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BROKEN, "utf-8")
    result = CliRunner().invoke(main, ["lint", "--debug", str(path)])
    assert type(result.exception).__name__ == "ContractError"
