"""The parser's LALR tables: built from the grammar, or loaded from `_grammar_tables.py`.

Building them is the slowest part of start-up, so they ship as plain Python literals
(never a pickle), used only when they were made from this very grammar with this very
Lark. After a change to the grammar, `pytest tests/test_tables.py --update-goldens` writes
them again; the test fails until then.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

from slacheck._resources import package_text

STORED = Path(__file__).with_name("_grammar_tables.py")


def grammar_sha256() -> str:
    return hashlib.sha256(package_text("grammar", "slacheck.lark").encode("utf-8")).hexdigest()


def build(starts: list[str]) -> Lark:
    return Lark(
        package_text("grammar", "slacheck.lark"),
        parser="lalr",
        start=starts,
        propagate_positions=True,
        maybe_placeholders=False,
        # No `cache=`: Lark's cache is a pickle in the shared temp folder, and loading a
        # pickle another user could have written is running their code.
    )


def load(starts: list[str]) -> Lark:
    """The stored tables when they fit the grammar and the installed Lark, else built ones."""
    try:
        from slacheck import _grammar_tables as stored  # generated; absent in a bare checkout
    except ImportError:
        return build(starts)
    if grammar_sha256() != stored.GRAMMAR_SHA256 or lark.__version__ != stored.LARK_VERSION:
        return build(starts)
    try:
        parser: Lark = Lark.__new__(Lark)._load(stored.TABLES)
    except Exception:  # Lark's loader is private: on any failure, build instead
        return build(starts)
    return parser


def serialize(parser: Lark) -> dict[str, Any]:
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    return {"data": data, "memo": memo}


def write(starts: list[str], path: Path = STORED) -> None:
    """Write the tables of the current grammar as a Python module of literals."""
    tables = serialize(build(starts))
    path.write_text(
        '"""Generated from grammar/slacheck.lark by `pytest --update-goldens`: do not edit."""\n'
        "\n"
        "from typing import Any\n"
        "\n"
        f"GRAMMAR_SHA256 = {grammar_sha256()!r}\n"
        f"LARK_VERSION = {lark.__version__!r}\n"
        f"TABLES: dict[str, Any] = {tables!r}\n",
        "utf-8",
    )
