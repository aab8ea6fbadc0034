"""The Jinja2 environments of the audit reports: templates shipped in the package.

HTML escapes every value (autoescape on: record ids come from data and may hold markup);
Markdown escapes every value for Markdown, unless a filter marks it as already formatted.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~!#&])")


def number(value: int) -> str:
    """A count with thousands separators.

    >>> number(1302)
    '1,302'
    """
    return f"{value:,}"


def markdown_text(value: Any) -> str:
    """A value as Markdown text: every character Markdown or HTML would read escaped, so
    that data cannot add a link, a table cell, an HTML tag or emphasis.

    >>> markdown_text("<script>|*x*")
    '\\\\<script\\\\>\\\\|\\\\*x\\\\*'
    """
    if isinstance(value, Markup):
        return str(value)
    text = "" if value is None else str(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_code(value: Any) -> Markup:
    """A value as a Markdown code span, safe inside a table cell: the fence is one backtick
    longer than any run inside, and `|` is escaped as GitHub's tables need.

    >>> str(markdown_code("a`b|c"))
    '``a`b\\\\|c``'
    """
    text = "" if value is None else str(value)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    body = text.replace("|", "\\|")
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return Markup(f"{fence}{pad}{body}{pad}{fence}")


def _finalize(value: Any) -> Any:
    return markdown_text(value)


@cache
def environment(kind: str) -> jinja2.Environment:
    """`html` or `markdown`, built once per process."""
    options: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader(TEMPLATES),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if kind == "html":
        env = jinja2.Environment(autoescape=True, **options)
    else:
        env = jinja2.Environment(autoescape=False, finalize=_finalize, **options)
        env.filters["code"] = markdown_code
    env.filters["n"] = number
    return env
