"""Reporters: pure functions from a `Result` to text, one module per format.

`RENDERERS` are the formats of `verify --format`; `REPORTS` those of `report --format`,
the audit reports a person reads (they need Jinja2, imported when one is rendered).
"""

from collections.abc import Callable

from slacheck.findings import Result
from slacheck.reporters import github, json, junit, sarif, text


def _html(result: Result) -> str:
    from slacheck.reporters import html

    return html.render(result)


def _markdown(result: Result) -> str:
    from slacheck.reporters import markdown

    return markdown.render(result)


RENDERERS: dict[str, Callable[[Result], str]] = {
    "text": text.render,
    "json": json.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "github": github.render,
}

REPORTS: dict[str, Callable[[Result], str]] = {
    "html": _html,
    "markdown": _markdown,
}

__all__ = ["RENDERERS", "REPORTS"]
