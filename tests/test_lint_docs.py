"""One registry of diagnostic codes feeds the messages, `slacheck explain`, the docs page and
the SARIF rules: every code has all of them, and the docs page is up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck import lint
from slacheck.cli import main
from slacheck.diagnostics import Code, Severity, codes
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "diagnostics.md"


def explain(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["explain", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_every_code_is_documented_in_full() -> None:
    slugs = [code.slug for code in codes()]
    assert len(set(slugs)) == len(slugs)
    for code in codes():
        assert re.fullmatch(r"SLA[0-9]{3}", code.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code.slug), code.slug
        # warnings are SLA3xx, errors are not: the code says which it is
        assert (code.code.startswith("SLA3")) == (code.severity is Severity.WARNING), code
        assert code.summary.endswith("."), code.code
        doc = code.doc
        assert doc is not None, f"{code.code} has no explanation"
        assert len(doc.why) > 60, code.code
        assert doc.bad.strip(), code.code
        assert doc.good.strip(), code.code
        assert doc.bad != doc.good, code.code


@pytest.mark.parametrize("code", codes(), ids=lambda code: code.code)
def test_explain_by_code_and_by_name_says_it_all(code: Code) -> None:
    by_code, by_name = explain(code.code.lower()), explain(code.slug.upper())
    assert by_code == by_name
    status, out, _ = by_code
    assert status == 0
    assert out.startswith(f"{code.code} {code.slug}")
    assert code.summary in out
    assert code.doc is not None
    for part in ("Why it matters:", "Wrong:", "Right:", *code.doc.bad.splitlines(),
                 *code.doc.good.splitlines()):
        assert part in out


def test_explain_without_a_code_lists_them_all() -> None:
    status, out, _ = explain()
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == [code.code for code in codes()]
    assert "SLA301  optional-in-condition" in out


def test_an_unknown_code_is_refused_with_a_hint() -> None:
    status, out, err = explain("unknown-feld")
    assert (status, out) == (2, "")
    assert err == "slacheck: no diagnostic code `unknown-feld`; did you mean `unknown-field`?\n"
    status, _, err = explain("SLA999")
    assert status == 2
    assert "`slacheck explain` lists them all" in err


def test_sarif_rules_carry_the_explanation() -> None:
    rules = lint.sarif_rules()
    assert [rule["id"] for rule in rules] == [code.code for code in codes()]
    for rule, code in zip(rules, codes(), strict=True):
        assert rule["shortDescription"]["text"] == code.summary
        assert code.doc is not None
        assert rule["fullDescription"]["text"] == code.doc.why
        assert code.doc.bad in rule["help"]["markdown"]
        assert rule["help"]["text"] == lint.explain_text(code)
        assert rule["defaultConfiguration"]["level"] == (
            "warning" if code.severity is Severity.WARNING else "error")


def test_the_docs_page_is_up_to_date(update_goldens: bool) -> None:
    page = lint.diagnostics_page()
    if update_goldens:
        DOCS.parent.mkdir(exist_ok=True)
        DOCS.write_text(page, "utf-8")
    assert DOCS.read_text("utf-8") == page, (
        "docs/diagnostics.md is out of date: run pytest tests/test_lint_docs.py "
        "--update-goldens")
    for code in codes():
        assert f"\n## {code.code}\n" in page
        assert f"| [{code.code}](#{code.code.lower()}) | `{code.slug}` |" in page


def test_the_readme_links_the_docs_page() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "(docs/diagnostics.md)" in readme
    assert Path(DOCS).exists()
