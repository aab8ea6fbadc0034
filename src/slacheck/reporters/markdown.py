"""The Markdown audit report, from the same view model as the HTML one; its top part is
the GitHub job summary of `verify --format github`."""

from __future__ import annotations

from slacheck.findings import Result
from slacheck.reporters import _view
from slacheck.reporters._templates import environment


def render(result: Result) -> str:
    """The whole report: verdict, period at a glance, standards, ledger, evidence, data."""
    return _render(result, summary=False)


def summary(result: Result) -> str:
    """The verdict, the period at a glance and the totals: a CI job summary."""
    return _render(result, summary=True)


def _render(result: Result, *, summary: bool) -> str:
    template = environment("markdown").get_template("report.md.j2")
    return template.render(r=_view.build(result), summary=summary)
