"""Files shipped inside the package: the grammar and the JSON Schemas."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def package_text(*parts: str) -> str:
    """The text of a file inside the installed package (cheaper than importlib.resources)."""
    return _HERE.joinpath(*parts).read_text("utf-8")
