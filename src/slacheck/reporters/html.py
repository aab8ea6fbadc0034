"""The HTML audit report: one self-contained file a person reads, prints or sends.

No script and no fetch: CSS and SVG charts are inline, and a Content-Security-Policy
forbids anything else. Built from the same view model as the Markdown report.
"""

from __future__ import annotations

from slacheck.findings import Result
from slacheck.reporters import _view
from slacheck.reporters._templates import environment


def render(result: Result) -> str:
    template = environment("html").get_template("report.html.j2")
    return template.render(r=_view.build(result))
