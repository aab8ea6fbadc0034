"""The pre-commit hook as a user meets it: the real `pre-commit try-repo` on a repository
holding a good contract, a broken contract outside `contracts/` and unrelated YAML; only
the broken contract is refused, with its line. (pre-commit builds the hook's environment
from this repository, which takes a minute; without pre-commit the test is skipped.)"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _pre_commit() -> list[str] | None:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(_pre_commit() is None, reason="pre-commit is not installed "
                    "(`pip install -e '.[test]'` installs it)")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_hook_refuses_only_the_broken_contract_wherever_it_is(tmp_path: Path) -> None:
    command = _pre_commit()
    assert command is not None
    repo = tmp_path / "repo"
    (repo / "contracts").mkdir(parents=True)
    (repo / "sla").mkdir()
    good = (ROOT / "contracts" / "motorola-sinotrans.yaml").read_text("utf-8")
    (repo / "contracts" / "motorola.yaml").write_text(good, "utf-8")
    (repo / "sla" / "acme.yaml").write_text(
        good.replace("require: complete and accurate", "require: complete and acurate"), "utf-8")
    (repo / "ci.yaml").write_text("jobs:\n  build: {runs-on: ubuntu-latest}\n", "utf-8")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n", "utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
                   "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    completed = subprocess.run(
        [*command, "try-repo", str(ROOT), "slacheck-lint", "--all-files", "--verbose"],
        cwd=repo, capture_output=True, text=True, env=environment, timeout=900, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "slacheck lint" in output
    assert "Failed" in output
    assert "sla/acme.yaml:57:27: SLA201 unknown field `acurate`" in output
    assert "did you mean `accurate`?" in output
    # pre-commit may split the files between runs: the count is of those a run was given
    assert "slacheck: 1 problem in " in output
    assert "ci.yaml" not in output
    assert "contracts/motorola.yaml" not in output
