"""Engines run stages 1 and 2 of a plan; `consequences` (stage 3) is shared by all of them."""

from slacheck.engine.consequences import conclude
from slacheck.engine.state import State
from slacheck.engine.stream import run_stream

__all__ = ["State", "conclude", "run_stream"]
