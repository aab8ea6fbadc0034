"""Stages 1 and 2 of a plan as SQL (built with sqlglot), for the DuckDB engine.

`support` refuses what the generator does not cover, `clauses` turns clauses into SQL
expressions with the compiler's three-valued truths, `queries` builds the statements the
engine runs; `engine/duckdb.py` runs them.
"""

from slacheck.engine.sql.support import EngineError, UnsupportedError

__all__ = ["EngineError", "UnsupportedError"]
