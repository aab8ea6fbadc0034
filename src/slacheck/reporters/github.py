"""GitHub Actions workflow commands: an annotation at the contract line of each finding
(`::error file=...,line=...::`), the data line of each rejected line, and the verdict;
`step_summary` adds the Markdown summary to the job's page."""

from __future__ import annotations

import os
from collections.abc import Mapping

from slacheck.findings import Result
from slacheck.reporters import _annotations

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def render(result: Result) -> str:
    lines = []
    for item in _annotations.collect(result):
        props = []
        if item.path and item.path != "-":
            props.append(f"file={_property(item.path)}")
            if item.line:
                props.append(f"line={item.line}")
        props.append(f"title={_property(item.title)}")
        lines.append(f"::{_COMMAND[item.level]} {','.join(props)}::{_data(item.message)}")
    verdict = result.verdict.value.upper()
    money = (f"penalties {result.penalties} {result.currency}, service credits "
             f"{result.credits} {result.currency}")
    lines.append(f"::notice title={_property('slacheck verdict')}::"
                 + _data(f"{verdict}: {money}"))
    lines.append(f"slacheck: {result.contract_id}: {verdict}; {money}")
    return "\n".join(lines) + "\n"


def step_summary(result: Result, environ: Mapping[str, str] | None = None) -> str | None:
    """Append the Markdown summary to the file `$GITHUB_STEP_SUMMARY` names, if it is set;
    returns that path."""
    path = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not path:
        return None
    from slacheck.reporters import markdown  # Jinja2 only when a summary is asked for

    text = markdown.summary(result)
    with open(path, "a", encoding="utf-8") as sink:
        sink.write(text if text.endswith("\n") else text + "\n")
    return path


def _data(text: str) -> str:
    """A command's message: `%`, CR and LF escaped, as the runner reads them."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A command's property value: also `:` and `,` escaped."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
