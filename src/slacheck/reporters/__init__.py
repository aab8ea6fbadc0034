"""Reporters: pure functions from a `Result` to text, one module per format."""

from collections.abc import Callable

from slacheck.findings import Result
from slacheck.reporters import json, text

RENDERERS: dict[str, Callable[[Result], str]] = {
    "text": text.render,
    "json": json.render,
}

__all__ = ["RENDERERS"]
