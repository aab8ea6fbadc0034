"""Mutation testing: do the tests notice when the code is wrong?

    python bench/mutate.py                      # the money and verdict arithmetic
    python bench/mutate.py src/slacheck/windows.py --jobs 2
    python bench/mutate.py --list               # the mutants, without running anything

Each mutant changes one thing in one module: a comparison flipped (`<` and `<=`, `>` and
`>=`, `==` and `!=`, `is` and `is not`, `in` and `not in`), an operator swapped (`+` and `-`,
`*` and `/`, `//` to `/`, `%` to `//`, `+=` and `-=`), a constant moved (`0` to `1`, `1` to
`0` and to `2`, `n` to `n + 1`, `True` and `False`), `and` and `or`, `min` and `max`, `any`
and `all`, a `not` dropped, a condition negated, a returned value replaced by `None`, a slice
limit dropped, a call statement dropped. Type annotations and docstrings are left alone.

The mutated module is written into a temporary copy of the package, never into `src/`,
and the tests run against the copy (`PYTHONPATH`), stopping at the first failure. Which
tests: a first run of `--tests` under coverage records which test executes which line, and
a mutant runs the tests that execute its statement, fastest first; a mutant of code that
runs at import (a default value, a class body) runs every test that executes the module.
Tests slower than `--max-seconds` there (the hypothesis and fuzz runs) are left out, and
listed. That first run also checks that the tests pass on the copy, whose target modules are
written back from their syntax tree exactly as the mutants are.

A mutant is killed when a test fails (or the tests cannot even be collected), survives when
they pass, and times out when they run past the time allowed (counted as detected: a loop
that no longer ends). The score of a module is (killed + timed out) / (mutants - equivalent),
where EQUIVALENT below lists, with the reason, mutants that cannot change what the program
does. Hypothesis runs with a fixed seed, so a score is reproducible.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "slacheck"
DEFAULT_MODULES = (
    "src/slacheck/engine/consequences.py",
    "src/slacheck/findings.py",
    "src/slacheck/engine/state.py",
)
PYTEST = ("-o", "addopts=", "-p", "no:cacheprovider", "--hypothesis-seed=0")

_CONSEQUENCES = "src/slacheck/engine/consequences.py"
_FINDINGS = "src/slacheck/findings.py"
_STATE = "src/slacheck/engine/state.py"
_BUILT = "built only by consequences, which passes every field: the default is never used"
_SLOTS = "slots only saves memory and refuses new attributes; nothing sets one"
_FROZEN = "nothing assigns to a finding's field, nor hashes a finding"
_STRICT = "the two sides always have as many items; strict only checks it"
_RUN_START = ("a first window of a group has no previous key: any default but key - 1 "
              "starts a new run, whose length is then set to 1 whatever the default")

EQUIVALENT: dict[tuple[str, str, str], str] = {
    # (module, function, mutation as printed by --list): why no test can tell
    (_CONSEQUENCES, "_group", "strict=True -> strict=False"): _STRICT,
    (_CONSEQUENCES, "_longest_run", "key - 2 -> key + 2"): _RUN_START,
    (_CONSEQUENCES, "_longest_run", "key - 2 -> key - 3"): _RUN_START,
    (_CONSEQUENCES, "_longest_run", "(key - 2, 0, []) -> (key - 2, 1, [])"): _RUN_START,
    (_CONSEQUENCES, "_days", "seconds // 86400 -> seconds / 86400 [2]"): (
        "reached only for a whole number of days, where / gives the same number as //, "
        "and plural() only compares it with 1"),
    (_FINDINGS, "Result.verdict", "self.credits > 0 -> self.credits > 1"): (
        "a service credit is owed only for a missed window, which alone makes the verdict "
        "non-compliant: the credits cannot change it"),
    (_FINDINGS, "RecordRef", "order=True -> order=False"): (
        "nothing compares two RecordRefs: every sort of them has a key of times and lines"),
    (_FINDINGS, "Lines", "outside: int = 0 -> outside: int = 1"): _BUILT,
    **{(_FINDINGS, "StandardResult", text): _BUILT for text in (
        "record_penalties_total: int = 0 -> record_penalties_total: int = 1",
        "unpriced_total: int = 0 -> unpriced_total: int = 1",
        "Decimal(0) -> Decimal(1)",
        "longest_missed_run: int = 0 -> longest_missed_run: int = 1",
        "overdue_open_total: int = 0 -> overdue_open_total: int = 1",
        "scope_undetermined_total: int = 0 -> scope_undetermined_total: int = 1",
        "evaluation_errors_total: int = 0 -> evaluation_errors_total: int = 1",
        "Decimal(0) -> Decimal(1) [2]",
    )},
    (_FINDINGS, "Result", "default=0 -> default=1"): _BUILT,
    (_FINDINGS, "Result", "Decimal(0) -> Decimal(1)"): _BUILT,
    **{(_FINDINGS, name, "slots=True -> slots=False"): _SLOTS for name in (
        "RecordRef", "RejectedLine", "EvaluationError", "Implausible", "Lines", "WindowOutcome",
        "PenaltyWindow", "RecordPenalty", "Credit", "Disqualification", "StandardResult",
        "Input", "Result")},
    **{(_FINDINGS, name, "frozen=True -> frozen=False"): _FROZEN for name in (
        "RecordRef", "RejectedLine", "EvaluationError", "Implausible", "Lines", "WindowOutcome",
        "PenaltyWindow", "RecordPenalty", "Credit", "Disqualification", "StandardResult",
        "Input", "Result")},
    **{(_STATE, name, "slots=True -> slots=False"): _SLOTS for name in (
        "Tally", "PenaltySum", "StandardState", "State")},
    (_STATE, "State.merge", "strict=True -> strict=False"): _STRICT,
}


@dataclass(frozen=True)
class Mutant:
    module: str
    """The module's path from the project root, `src/slacheck/findings.py`."""
    index: int
    """The position of the mutated node in the module's syntax tree, in `_nodes` order."""
    kind: str
    line: int
    """The line in the module as written."""
    function: str
    before: str
    after: str
    source: str
    """The whole mutated module."""
    lines: tuple[int, int]
    """The lines of the statement that runs the mutated code, in the module as rewritten."""
    at_import: bool

    @property
    def text(self) -> str:
        return f"{self.before} -> {self.after}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.module, self.function, self.text)


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, survived, timeout, untested, equivalent
    seconds: float = 0.0
    tests: int = 0
    detail: str = ""


# --- the mutations ----------------------------------------------------------------------------

COMPARISONS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In,
}
OPERATORS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv,
}
NAMES = {"min": "max", "max": "min", "any": "all", "all": "any"}

Apply = Callable[[ast.AST, "Place"], ast.AST | None]
"""Mutates a node of a fresh tree in place; returns the node put in its place, if any."""


@dataclass
class Place:
    """Where a node sits: its parent's field, and its index when the field is a list."""

    parent: ast.AST | None
    field: str
    index: int | None
    function: str
    statement: ast.stmt | None
    skip: bool
    in_body: bool = False
    """Inside a function's body: run when called, not when the module is imported."""

    def replace(self, new: ast.AST) -> ast.AST:
        assert self.parent is not None
        if self.index is None:
            setattr(self.parent, self.field, new)
        else:
            getattr(self.parent, self.field)[self.index] = new
        return new


def _nodes(tree: ast.AST) -> Iterator[tuple[ast.AST, Place]]:
    """Every node in a fixed order (pre-order, fields in their order) with its place."""

    def walk(node: ast.AST, place: Place) -> Iterator[tuple[ast.AST, Place]]:
        yield node, place
        function, statement = place.function, place.statement
        is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            function = f"{function}.{node.name}" if function else node.name
        if isinstance(node, ast.stmt):
            statement = node
        for name, value in ast.iter_fields(node):
            skip = place.skip or _is_annotation(node, name)
            in_body = place.in_body or (is_function and name == "body")
            items = value if isinstance(value, list) else [value]
            for index, child in enumerate(items):
                if isinstance(child, ast.AST):
                    yield from walk(child, Place(
                        node, name, index if isinstance(value, list) else None,
                        function, statement, skip or _is_docstring(node, name, index), in_body,
                    ))

    yield from walk(tree, Place(None, "", None, "", None, False))


def _is_annotation(node: ast.AST, name: str) -> bool:
    """An argument's, an assignment's or a function's annotation."""
    return name in ("annotation", "returns")


def _is_docstring(node: ast.AST, name: str, index: int) -> bool:
    if name != "body" or index != 0:
        return False
    body = getattr(node, "body", None)
    return (isinstance(body, list) and isinstance(body[0], ast.Expr) and
            isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str))


def _mutations(node: ast.AST, place: Place) -> Iterator[tuple[str, Apply]]:
    """The ways to mutate `node`: a kind, and a function that applies it in a fresh tree."""
    if place.skip:
        return
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            swap = COMPARISONS.get(type(op))
            if swap is not None:
                yield "comparison", _set_op(position, swap)
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        swap_op = OPERATORS.get(type(node.op))
        if swap_op is not None and (isinstance(node, ast.BinOp) or swap_op in (ast.Add, ast.Sub)):
            yield "operator", _set_attribute("op", swap_op)
    elif isinstance(node, ast.BoolOp):
        yield "boolean", _set_attribute("op", ast.Or if isinstance(node.op, ast.And) else ast.And)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not dropped", _unwrap
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float):
        for value in _constants(node.value):
            yield "constant", _set_constant(value)
    elif isinstance(node, ast.Name) and node.id in NAMES and isinstance(node.ctx, ast.Load):
        yield "name", _set_name(NAMES[node.id])
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "return None", _set("value", ast.Constant(None))
    elif isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            if getattr(node, bound) is not None:
                yield "slice", _drop(bound)
    elif isinstance(node, ast.If | ast.While | ast.IfExp) and not (
            isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)):
        yield "negated", _negate
    elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
          and place.index is not None):
        yield "call dropped", _pass


def _constants(value: bool | int | float) -> list[bool | int | float]:
    if isinstance(value, bool):
        return [not value]
    if value == 0:
        return [1]
    if value == 1:
        return [0, 2]
    return [value + 1]


def _set_op(position: int, op: type[ast.cmpop]) -> Apply:
    def apply(found: ast.AST, _: Place) -> None:
        found.ops[position] = op()  # type: ignore[attr-defined]
    return apply


def _set(name: str, value: object) -> Apply:
    def apply(found: ast.AST, _: Place) -> None:
        setattr(found, name, value)
    return apply


def _set_attribute(name: str, kind: type[ast.AST]) -> Apply:
    def apply(found: ast.AST, _: Place) -> None:
        setattr(found, name, kind())
    return apply


def _set_constant(value: bool | int | float) -> Apply:
    return _set("value", value)


def _set_name(name: str) -> Apply:
    return _set("id", name)


def _drop(bound: str) -> Apply:
    return _set(bound, None)


def _negate(found: ast.AST, _: Place) -> None:
    found.test = ast.UnaryOp(ast.Not(), found.test)  # type: ignore[attr-defined]


def _unwrap(found: ast.AST, where: Place) -> ast.AST:
    return where.replace(found.operand)  # type: ignore[attr-defined]


def _pass(_: ast.AST, where: Place) -> ast.AST:
    return where.replace(ast.Pass())


def _shown(node: ast.AST, place: Place) -> ast.AST:
    """The node to print for a mutation: an expression, not a lone `0` or `min`."""
    if isinstance(node, ast.Constant | ast.Name | ast.Slice) and isinstance(
            place.parent, ast.expr | ast.keyword | ast.Assign | ast.AnnAssign | ast.AugAssign):
        return place.parent
    if isinstance(node, ast.If | ast.While):
        return node.test
    return node


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _header(statement: ast.stmt) -> tuple[int, int]:
    """The lines of a statement that run before its body: all of a simple one."""
    end = statement.end_lineno or statement.lineno
    for name in ("body", "handlers", "orelse", "finalbody", "cases"):
        inner = getattr(statement, name, None)
        if isinstance(inner, list) and inner:
            first = inner[0]
            start = first.pattern.lineno if isinstance(first, ast.match_case) else first.lineno
            end = min(end, start - 1)
            break
    return statement.lineno, max(end, statement.lineno)


def mutants(module: str) -> list[Mutant]:
    path = ROOT / module
    written = ast.parse(path.read_text("utf-8"))
    rewritten_text = ast.unparse(written)
    rewritten = ast.parse(rewritten_text)
    if ast.dump(written) != ast.dump(rewritten):
        raise SystemExit(f"{module}: its syntax tree does not survive ast.unparse")
    original_places = list(_nodes(written))
    out: list[Mutant] = []
    seen: set[str] = {rewritten_text}
    for index, (node, place) in enumerate(_nodes(rewritten)):
        for kind, apply in _mutations(node, place):
            tree = ast.parse(rewritten_text)
            found, where = list(_nodes(tree))[index]
            before = _short(ast.unparse(_shown(found, where)))
            put = apply(found, where)
            after = _short(ast.unparse(_shown(found, where) if put is None else put))
            source = ast.unparse(ast.fix_missing_locations(tree))
            if source in seen:
                continue  # the same program as the original or as another mutant
            seen.add(source)
            written_node = original_places[index][0]
            statement = found if isinstance(found, ast.stmt) else where.statement
            function = place.function or "<module>"
            same = sum(item.function == function and item.before == before and
                       item.after.split(" [")[0] == after for item in out)
            if same:
                after += f" [{same + 1}]"  # the same change again in this function
            out.append(Mutant(
                module=module, index=index, kind=kind,
                line=getattr(written_node, "lineno", 0), function=function,
                before=before, after=after, source=source,
                lines=_header(statement) if statement is not None else (1, 1),
                at_import=not place.in_body,
            ))
    return out


# --- running the tests ------------------------------------------------------------------------

class Copies:
    """Temporary copies of the package, one per worker, with the target modules rewritten."""

    def __init__(self, root: Path, count: int, rewritten: dict[str, str]) -> None:
        self.rewritten = rewritten
        self.free: queue.Queue[Path] = queue.Queue()
        self.all: list[Path] = []
        for number in range(count):
            base = root / f"copy{number}"
            shutil.copytree(PACKAGE, base / "slacheck",
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            for module, text in rewritten.items():
                self.target(base, module).write_text(text, "utf-8")
            self.all.append(base)
            self.free.put(base)

    @staticmethod
    def target(base: Path, module: str) -> Path:
        return base / Path(module).relative_to("src")


def _environment(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(base)
    # a mutant of the same size, written in the same second, must not reuse another's bytecode
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # hypothesis starts from an empty example database each time: no run depends on another
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(base / "hypothesis")
    return env


def _pytest(base: Path, arguments: list[str], timeout: float | None
            ) -> tuple[int | None, str, float]:
    """pytest on the copy at `base`, without the project's addopts (coverage, doctests)."""
    shutil.rmtree(base / "hypothesis", ignore_errors=True)
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", *PYTEST, *arguments], cwd=ROOT,
            env=_environment(base), capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return None, "", time.perf_counter() - started
    return completed.returncode, completed.stdout + completed.stderr, time.perf_counter() - started


@dataclass
class Baseline:
    """Which tests execute which lines of each module, and how long each test takes."""

    lines: dict[str, dict[int, set[str]]] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    slow: set[str] = field(default_factory=set)
    """Tests left out: slower than --max-seconds on the unmutated copy."""

    def tests(self, mutant: Mutant) -> list[str]:
        by_line = self.lines.get(mutant.module, {})
        if mutant.at_import:
            found = set().union(*by_line.values()) if by_line else set()
        else:
            first, last = mutant.lines
            found = set().union(*(by_line.get(n, set()) for n in range(first, last + 1)))
        return sorted(found - self.slow, key=lambda test: (self.durations.get(test, 0.0), test))


_DURATION = re.compile(r"^([0-9.]+)s (?:setup|call|teardown) +(\S.*)$")


def baseline(copies: Copies, modules: list[str], tests: list[str], work: Path,
             max_seconds: float) -> Baseline:
    base = copies.all[0]
    data = work / "coverage"
    code, output, seconds = _pytest(base, [
        *tests, "-q", f"--cov={base / 'slacheck'}", "--cov-context=test", "--cov-report=",
        "--cov-fail-under=0", "--durations=0", "--durations-min=0",
        f"--cov-config={_coverage_config(work, data)}",
    ], None)
    if code != 0:
        sys.stderr.write(output[-5000:])
        raise SystemExit("the tests fail on the unmutated copy: fix them first")
    print(f"tests on the unmutated copy: {seconds:.0f} s", flush=True)
    from coverage import CoverageData

    result = Baseline()
    for line in output.splitlines():
        match = _DURATION.match(line)
        if match:
            test = match[2].strip()
            result.durations[test] = result.durations.get(test, 0.0) + float(match[1])
    result.slow = {test for test, seconds in result.durations.items() if seconds > max_seconds}
    for test in sorted(result.slow):
        print(f"left out, {result.durations[test]:.1f} s: {test}", flush=True)
    measured = CoverageData(str(data))
    measured.read()
    for module in modules:
        target = str(Copies.target(base, module))
        contexts = measured.contexts_by_lineno(target)
        result.lines[module] = {
            line: {name.rpartition("|")[0] for name in names if "|" in name}
            for line, names in contexts.items()
        }
    return result


def _coverage_config(work: Path, data: Path) -> Path:
    config = work / "coverage.ini"
    config.write_text(f"[run]\ndata_file = {data}\nbranch = false\n", "utf-8")
    return config


def run_one(mutant: Mutant, copies: Copies, tests: list[str], minimum: float,
            durations: dict[str, float]) -> Outcome:
    if not tests:
        return Outcome(mutant, "untested")
    base = copies.free.get()
    target = Copies.target(base, mutant.module)
    try:
        target.write_text(mutant.source, "utf-8")
        limit = max(minimum, 3 * sum(durations.get(test, 1.0) for test in tests) + 30)
        code, output, seconds = _pytest(base, ["-x", "-q", *tests], limit)
    finally:
        target.write_text(copies.rewritten[mutant.module], "utf-8")
        copies.free.put(base)
    if code is None:
        return Outcome(mutant, "timeout", seconds, len(tests))
    if code == 0:
        return Outcome(mutant, "survived", seconds, len(tests))
    if code in (1, 2):  # a test failed, or the mutant broke collection
        failed = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
        return Outcome(mutant, "killed", seconds, len(tests), failed[1] if failed else "")
    raise SystemExit(f"pytest exited {code} on {mutant.module}:{mutant.line}:\n{output[-3000:]}")


# --- the report -------------------------------------------------------------------------------

def report(outcomes: list[Outcome], modules: list[str]) -> list[str]:
    out = []
    width = max(len(module) for module in modules)
    header = (f"{'module':<{width}}  mutants  killed  timeout  survived  untested  "
              f"equivalent   score")
    out += [header, "-" * len(header)]
    totals = {"all": 0, "killed": 0, "timeout": 0, "survived": 0, "untested": 0,
              "equivalent": 0}
    for module in modules:
        mine = [item for item in outcomes if item.mutant.module == module]
        counts = {status: sum(item.status == status for item in mine)
                  for status in ("killed", "timeout", "survived", "untested", "equivalent")}
        counts["all"] = len(mine)
        for name, value in counts.items():
            totals[name] += value
        out.append(_row(module, width, counts))
    out += ["-" * len(header), _row("overall", width, totals)]
    return out


def _score(counts: dict[str, int]) -> float:
    weighed = counts["all"] - counts["equivalent"]
    return 100.0 * (counts["killed"] + counts["timeout"]) / weighed if weighed else 100.0


def _row(name: str, width: int, counts: dict[str, int]) -> str:
    return (f"{name:<{width}}  {counts['all']:7d}  {counts['killed']:6d}  {counts['timeout']:7d}"
            f"  {counts['survived']:8d}  {counts['untested']:8d}  {counts['equivalent']:10d}"
            f"  {_score(counts):5.1f}%")


def _describe(mutant: Mutant) -> str:
    return f"{mutant.module}:{mutant.line}: {mutant.function}: {mutant.kind}: {mutant.text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=list(DEFAULT_MODULES),
                        help="module files to mutate (default: the money and verdict arithmetic)")
    parser.add_argument("--tests", action="append",
                        help="test files or directories to draw from (default: tests)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="least seconds a mutant's tests may run (default 60)")
    parser.add_argument("--max-seconds", type=float, default=5.0,
                        help="leave out tests slower than this on the unmutated code "
                             "(default 5: the hypothesis and fuzz runs)")
    parser.add_argument("--only", metavar="TEXT", action="append",
                        help="run only the mutants whose line in --list contains TEXT "
                             "(repeat for any of several)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    args = parser.parse_args(argv)
    modules = [_module(name) for name in args.modules]
    found = {module: mutants(module) for module in modules}
    everything = [mutant for module in modules for mutant in found[module]
                  if args.only is None or any(text in _describe(mutant) for text in args.only)]
    if args.list:
        for mutant in everything:
            flag = "  [equivalent]" if mutant.key in EQUIVALENT else ""
            print(_describe(mutant) + flag)
        print(f"{len(everything)} mutants")
        return 0
    generated = {mutant.key for module in modules for mutant in found[module]}
    for key in sorted(set(EQUIVALENT) - generated):
        if key[0] in modules:
            print(f"note: listed as equivalent but not generated: {key}", file=sys.stderr)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="slacheck-mutate-") as temporary:
        work = Path(temporary)
        rewritten = {module: ast.unparse(ast.parse((ROOT / module).read_text("utf-8")))
                     for module in modules}
        copies = Copies(work, max(1, args.jobs), rewritten)
        print(f"{len(everything)} mutants in {len(modules)} modules; measuring which tests "
              f"run which lines", flush=True)
        measured = baseline(copies, modules, args.tests or ["tests"], work, args.max_seconds)
        outcomes = _run_all(everything, copies, measured, args)
    print()
    for line in report(outcomes, modules):
        print(line)
    left = [item for item in outcomes if item.status in ("survived", "untested")]
    if left:
        print("\nsurvivors:")
        for item in sorted(left, key=lambda item: (item.mutant.module, item.mutant.line)):
            untested = " (no test runs this line)" if item.status == "untested" else ""
            print(f"  {_describe(item.mutant)}{untested}")
    equivalent = [item for item in outcomes if item.status == "equivalent"]
    if equivalent:
        print("\nequivalent (listed in bench/mutate.py with the reason):")
        for item in equivalent:
            print(f"  {_describe(item.mutant)}")
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps([
            {"module": item.mutant.module, "line": item.mutant.line,
             "function": item.mutant.function, "kind": item.mutant.kind,
             "mutation": item.mutant.text, "status": item.status,
             "seconds": round(item.seconds, 2), "tests": item.tests, "killed_by": item.detail}
            for item in outcomes
        ], indent=1) + "\n", "utf-8")
    return 0


def _run_all(everything: list[Mutant], copies: Copies, measured: Baseline,
             args: argparse.Namespace) -> list[Outcome]:
    outcomes: list[Outcome] = []
    pending = []
    for mutant in everything:
        if mutant.key in EQUIVALENT:
            outcomes.append(Outcome(mutant, "equivalent"))
        else:
            pending.append(mutant)
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, mutant, copies, measured.tests(mutant), args.timeout,
                               measured.durations) for mutant in pending]
        for future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            done += 1
            mark = {"killed": ".", "timeout": "T", "survived": "S", "untested": "U"}
            print(mark[outcome.status], end="\n" if done % 50 == 0 else "", flush=True)
    return outcomes


def _module(name: str) -> str:
    """`slacheck.engine.state` or a path, as a path from the project root."""
    if name.endswith(".py"):
        path = Path(name).resolve()
    else:
        path = ROOT / "src" / (name.replace(".", "/") + ".py")
    if not path.is_file():
        raise SystemExit(f"no module {name}")
    return str(path.relative_to(ROOT))


if __name__ == "__main__":
    sys.exit(main())
