"""Reporters: pure functions from a `Result` to text, one module per format.

`RENDERERS` are the formats of `verify --format`; `REPORTS` those of `report --format`,
the audit reports a person reads. Each format's module is imported when it renders, so a
run pays only for the format it writes (the audit report's view model and Jinja2 alone
take longer to import than the rest of slacheck's start).
"""

import importlib
from collections.abc import Callable

from slacheck.findings import Result


def _lazy(module: str) -> Callable[[Result], str]:
    def render(result: Result) -> str:
        renderer: Callable[[Result], str] = importlib.import_module(
            f"slacheck.reporters.{module}").render
        return renderer(result)

    render.__doc__ = f"The `{module}` report of a result."
    return render


RENDERERS: dict[str, Callable[[Result], str]] = {
    name: _lazy(name) for name in ("text", "json", "junit", "sarif", "github")
}

REPORTS: dict[str, Callable[[Result], str]] = {
    name: _lazy(name) for name in ("html", "markdown")
}

__all__ = ["RENDERERS", "REPORTS"]
