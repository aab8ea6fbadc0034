"""`slacheck test`: contract unit tests. Small record sets, with the findings they must give,
declared in a YAML file beside the contract:

    slacheck-tests: 1
    contract: motorola-sinotrans.yaml       # relative to this file
    as_of: "2025-04-01T00:00:00+08:00"      # or a date: midnight in the contract's zone
    rates: {SDR: "1.35"}                    # for a contract with `rates:`, as --rate gives
    tests:
      a late delivery misses January:
        records:                            # inline; or `data: late.jsonl` beside the file
          - {shipment_id: S1, service: air_export, ...}
        expect:
          verdict: NON-COMPLIANT
          penalties: "1000.00"
          windows:
            - standard: delivery-24h
              window: 2025-01
              group: {office: TSN}          # for a grouped standard
              status: missed
              passed: 0
              breached: 1
              penalty: "1000.00"

Only what `expect` names is compared; a test fails with the difference, expected against
found, line by line. A test file is recognised by its `slacheck-tests:` key, as a contract
by its `slacheck:` key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

TESTS_KEY = re.compile(rb"^(?:\xef\xbb\xbf)?[\"']?slacheck-tests[\"']?[ \t]*:", re.M)
_WINDOW_FIELDS = ("status", "passed", "breached", "pending", "excluded")
_TOTALS = ("verdict", "penalties", "credits", "disqualified", "rejected", "accepted")


class TestFileError(Exception):
    """A test file that cannot be run: what is wrong, where."""


def is_test_file(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, "rb") as stream:
            return TESTS_KEY.search(stream.read(1 << 20)) is not None
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    line: int
    records: tuple[dict[str, Any], ...]
    data: tuple[str, ...]
    as_of: datetime | date
    expect: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Suite:
    path: str
    contract: str
    cases: tuple[Case, ...]
    rates: tuple[tuple[str, str], ...] = ()
    """The rate of each other currency the contract declares, as written."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One test's result: `differences` empty when it passed, each a line of the diff."""

    suite: Suite
    case: Case
    differences: tuple[str, ...] = ()
    error: str | None = None
    result: Any = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return not self.differences and self.error is None


class _Loader(yaml.SafeLoader):
    """Safe YAML with each mapping's line, so that a failing test names where it is."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    value = loader.construct_mapping(node, deep=True)
    value["__line__"] = node.start_mark.line + 1
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _as_of(value: Any, where: str) -> datetime | date:
    if isinstance(value, datetime | date):
        return value
    text = str(value)
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TestFileError(f"{where}: `as_of: {text}` is not a date or a date and time "
                            "with a UTC offset") from None
    if moment.tzinfo is None:
        raise TestFileError(f"{where}: `as_of: {text}` has no UTC offset")
    return moment


def _clean(value: Any) -> Any:
    """A record as JSON would hold it: no line markers, dates and times as text."""
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items() if key != "__line__"}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def load_suite(path: str) -> Suite:
    """Read a test file; `TestFileError` if it is not one slacheck can run."""
    try:
        with open(path, encoding="utf-8") as stream:
            document = yaml.load(stream, Loader=_Loader)  # a SafeLoader
    except (OSError, UnicodeDecodeError) as error:
        raise TestFileError(f"{path}: cannot read the test file: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise TestFileError(f"{where}: the test file is not valid YAML (check it with a "
                            "YAML linter)") from None
    if not isinstance(document, dict) or document.get("slacheck-tests") != 1:
        raise TestFileError(f"{path}: a test file starts with `slacheck-tests: 1`")
    base = Path(path).parent
    contract = document.get("contract")
    if not isinstance(contract, str):
        raise TestFileError(f"{path}: name the contract under test: `contract: FILE`")
    default_as_of = document.get("as_of")
    tests = document.get("tests")
    if not isinstance(tests, dict) or len(tests) <= 1:
        raise TestFileError(f"{path}: `tests:` holds no test")
    unknown = set(document) - {"slacheck-tests", "contract", "as_of", "rates", "tests",
                               "__line__"}
    if unknown:
        raise TestFileError(f"{path}: unknown key `{sorted(unknown)[0]}` (allowed: "
                            "slacheck-tests, contract, as_of, rates, tests)")
    rates = document.get("rates", {})
    if not isinstance(rates, dict) or not all(isinstance(value, str | int)
                                              for value in rates.values()):
        raise TestFileError(f"{path}: `rates` maps currencies to rates written as strings: "
                            "`rates: {SDR: \"1.35\"}`")
    cases = []
    for name, body in tests.items():
        if name == "__line__":
            continue
        where = f"{path}:{body.get('__line__', 0) if isinstance(body, dict) else 0}"
        if not isinstance(body, dict):
            raise TestFileError(f"{where}: test `{name}` must be a mapping with `records` "
                                "or `data`, and `expect`")
        extra = set(body) - {"records", "data", "as_of", "expect", "__line__"}
        if extra:
            raise TestFileError(f"{where}: unknown key `{sorted(extra)[0]}` in test `{name}` "
                                "(allowed: records, data, as_of, expect)")
        records = body.get("records", [])
        data = body.get("data", [])
        data = [data] if isinstance(data, str) else data
        if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
            raise TestFileError(f"{where}: `records` of `{name}` must be a list of records")
        if not records and not data:
            raise TestFileError(f"{where}: test `{name}` has no `records` and no `data`")
        expect = body.get("expect")
        if not isinstance(expect, dict):
            raise TestFileError(f"{where}: test `{name}` has no `expect:`")
        as_of = body.get("as_of", default_as_of)
        if as_of is None:
            raise TestFileError(f"{where}: test `{name}` has no `as_of` (nor has the file)")
        cases.append(Case(str(name), int(body.get("__line__", 0)),
                          tuple(_clean(record) for record in records),
                          tuple(str(base / item) for item in data),
                          _as_of(as_of, where), expect))
    return Suite(path, os.path.normpath(base / contract), tuple(cases),
                 tuple((str(code), str(rate)) for code, rate in rates.items()
                       if code != "__line__"))


def select(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """The test files among `paths` (folders searched by content), and paths not found."""
    from slacheck.lint import _walk

    found: list[str] = []
    missing: list[str] = []
    for given in paths:
        if os.path.isdir(given):
            found += [path for path in _walk(given) if is_test_file(path)]
        elif os.path.exists(given):
            found.append(given)
        else:
            missing.append(given)
    return list(dict.fromkeys(found)), missing


# running and comparing


def run_case(suite: Suite, case: Case, checked: Any) -> Outcome:
    from slacheck.api import verify
    from slacheck.diagnostics import DataError, RatesError

    data: list[Any] = list(case.data)
    rates = dict(suite.rates)
    try:
        results = []
        if case.records:
            results.append(verify(checked, list(case.records), as_of=case.as_of, rates=rates))
        if data:
            results.append(verify(checked, data, as_of=case.as_of, rates=rates))
    except (DataError, RatesError) as error:
        return Outcome(suite, case, error=str(error))
    if len(results) == 2:
        return Outcome(suite, case, error="give `records` or `data`, not both")
    return Outcome(suite, case, tuple(compare(case.expect, results[0])), result=results[0])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _same(expected: Any, found: Any) -> bool:
    if isinstance(found, str) and isinstance(expected, str) and found.isupper():
        return expected.upper().replace("_", "-") == found  # a verdict, in any case
    if isinstance(found, Decimal) and not isinstance(expected, bool):
        try:
            return Decimal(str(expected)) == found
        except InvalidOperation:
            return False
    return _text(expected) == _text(found)


def _diff(label: str, key: str, expected: Any, found: Any) -> list[str]:
    if _same(expected, found):
        return []
    return [f"{label}", f"-   {key}: {_text(expected)}", f"+   {key}: {_text(found)}"]


def compare(expect: dict[str, Any], result: Any) -> Iterable[str]:
    """The lines of the difference between what a test expects and the result."""
    found_totals = {
        "verdict": result.verdict.value.upper(),
        "penalties": result.penalties,
        "credits": result.credits,
        "disqualified": (result.disqualification.standard if result.disqualification
                         else False),
        "rejected": result.lines.rejected,
        "accepted": result.lines.accepted,
    }
    unknown = set(expect) - {*_TOTALS, "windows", "__line__"}
    for key in sorted(unknown):
        yield f"unknown expectation `{key}` (known: {', '.join((*_TOTALS, 'windows'))})"
    for key in _TOTALS:
        if key in expect:
            yield from _diff("totals", key, expect[key], found_totals[key])
    for item in expect.get("windows", []):
        yield from _window(item, result)


def _window(item: Any, result: Any) -> Iterable[str]:
    if not isinstance(item, dict) or "standard" not in item or "window" not in item:
        yield "a window expectation names its `standard` and its `window` (e.g. 2025-01)"
        return
    standard = next((each for each in result.standards if each.id == item["standard"]), None)
    if standard is None:
        yield f"no standard `{item['standard']}` in the contract"
        return
    group = item.get("group") or {}
    wanted = tuple(sorted((str(key), _text(value)) for key, value in group.items()
                          if key != "__line__"))
    label = f"{standard.id} {item['window']}" + "".join(
        f" {key}={value}" for key, value in wanted)
    window = next((each for each in standard.windows
                   if each.label == str(item["window"]) and tuple(sorted(each.group)) == wanted),
                  None)
    if window is None:
        seen = ", ".join(sorted({each.label + "".join(f" {k}={v}" for k, v in each.group)
                                 for each in standard.windows})) or "none"
        yield f"{label}: no window with records; found: {seen}"
        return
    for key in _WINDOW_FIELDS:
        if key in item:
            yield from _diff(label, key, item[key], getattr(window, key))
    if "penalty" in item:
        owed = next((each.net for each in standard.penalty_windows
                     if each.label == str(item["window"])), Decimal(0))
        yield from _diff(label, "penalty", item["penalty"], owed)
    unknown = set(item) - {"standard", "window", "group", "penalty", "__line__",
                           *_WINDOW_FIELDS}
    for key in sorted(unknown):
        yield f"{label}: unknown expectation `{key}`"


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    contracts: dict[str, Any] = field(default_factory=dict)
    """Each contract under test (its path) and its loaded model, for `coverage`."""

    def coverage(self) -> list[Part]:
        """Every part of every contract under test, and whether a test exercised it."""
        parts: list[Part] = []
        for path, contract in self.contracts.items():
            results = [outcome.result for outcome in self.outcomes
                       if outcome.suite.contract == path and outcome.result is not None]
            parts += coverage(contract, results, path)
        return parts

    @property
    def failed(self) -> int:
        return sum(not outcome.passed for outcome in self.outcomes)

    @property
    def passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)


def run(paths: Sequence[str], pattern: str | None = None) -> Report:
    """Every test of the test files in `paths` whose name matches `pattern` (a regular
    expression searched in `file::name`)."""
    from slacheck.api import load_checked
    from slacheck.diagnostics import ContractError

    report = Report()
    files, missing = select(paths)
    report.errors += [f"{path}: no such file or folder" for path in missing]
    wanted = re.compile(pattern) if pattern else None
    for path in files:
        try:
            suite = load_suite(path)
        except TestFileError as error:
            report.errors.append(str(error))
            continue
        cases = [case for case in suite.cases
                 if wanted is None or wanted.search(f"{path}::{case.name}")]
        if not cases:
            continue
        try:
            checked = load_checked(suite.contract)
        except ContractError as error:
            report.errors.append(f"{path}: the contract {suite.contract} does not check "
                                 f"(see `slacheck lint {suite.contract}`):\n"
                                 + "\n".join(item.render() for item in error.diagnostics))
            continue
        report.contracts.setdefault(suite.contract, checked.contract)
        report.outcomes += [run_case(suite, case, checked) for case in cases]
    return report


def render(report: Report) -> str:
    lines = []
    for outcome in report.outcomes:
        where = f"{outcome.suite.path}:{outcome.case.line}"
        if outcome.passed:
            lines.append(f"PASS {outcome.case.name}")
            continue
        lines.append(f"FAIL {outcome.case.name} ({where})")
        if outcome.error is not None:
            lines.append(f"  {outcome.error}")
        label = None
        for line in outcome.differences:
            if line.startswith(("-", "+")) or line != label:
                lines.append(f"  {line}")
            if not line.startswith(("-", "+")):
                label = line
    return "".join(line + "\n" for line in lines)


def summary(report: Report) -> str:
    return f"{report.passed} passed, {report.failed} failed"



# coverage: which parts of a contract the tests exercised


@dataclass(frozen=True, slots=True)
class Part:
    """A part of a contract a test can exercise, and whether one did."""

    contract: str
    standard: str
    what: str
    exercised: bool


def _parts(standard: Any, results: list[Any]) -> list[tuple[str, bool]]:
    """Each part of one standard (its model) and whether any of `results` exercised it."""
    from slacheck import ast

    found = [item for result in results for item in result.standards if item.id == standard.id]
    windows = [window for item in found for window in item.windows]
    parts = [("a record passes `require`", any(window.passed for window in windows)),
             ("a record breaches `require`", any(window.breached for window in windows))]
    for exclusion in standard.exclusions:
        parts.append((f"`except` {exclusion.reason}", any(
            reason == exclusion.reason and count for window in windows
            for reason, count in window.exclusions)))
    target = standard.target.node if standard.target is not None else None
    if target is not None:
        parts += [("the target is met", any(window.status in ("met", "warned")
                                            for window in windows)),
                  ("the target is missed", any(window.status == "missed" for window in windows))]
        if target.warn is not None:
            parts.append(("a window is warned", any(window.status == "warned"
                                                    for window in windows)))
        for tier in target.tiers:
            parts.append((f"the target for `{tier.group}`", any(
                dict(window.group).get(standard.window.by[0].name) == tier.group
                and window.status in ("met", "warned", "missed") for window in windows)))
    penalty = standard.penalty.node if standard.penalty is not None else None
    if standard.strike is not None:
        parts.append(("an amount at every Nth breach falls due",
                      any(each.strikes for each in found)))
    if penalty is not None:
        owed = [item for each in found for item in each.penalty_windows if not item.records]
        parts.append(("a penalty is owed", any(item.net for item in owed)))
        if penalty.cap is not None:
            parts.append(("the penalty cap is reached", any(item.gross > item.net
                                                            for item in owed)))
    if standard.credit is not None:
        parts.append(("a service credit is owed", any(each.credits for each in found)))
    for rule in standard.disqualify:
        node = rule.node
        rules = [item.rule for each in found for item in each.disqualifications]
        if isinstance(node, ast.ConsecutiveMissed):
            hit = any(text.startswith(f"target missed in {node.count} consecutive")
                      for text in rules)
        elif isinstance(node, ast.BreachesWithin):
            hit = any(text.startswith(f"{node.count} breaches within") for text in rules)
        else:
            hit = any(not text.startswith("target missed in") and " breaches within " not in text
                      for text in rules)
        parts.append((f"`disqualify: {rule.text}`", hit))
    return parts


def coverage(contract: Any, results: list[Any], path: str) -> list[Part]:
    """Every part of `contract` and whether one of the tests' results exercised it."""
    return [Part(path, standard.id, what, hit) for standard in contract.standards
            for what, hit in _parts(standard, results)]


def render_coverage(parts: list[Part]) -> str:
    lines = []
    for contract in dict.fromkeys(part.contract for part in parts):
        mine = [part for part in parts if part.contract == contract]
        done = sum(part.exercised for part in mine)
        lines.append(f"coverage of {contract}: {done} of {len(mine)} parts exercised "
                     f"({percent_of(done, len(mine))})")
        lines += [f"  not exercised: {part.standard}: {part.what}"
                  for part in mine if not part.exercised]
    return "".join(line + "\n" for line in lines)


def percent_of(done: int, total: int) -> str:
    return f"{100 * done // total if total else 100}%"
