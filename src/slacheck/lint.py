"""`slacheck lint`: which files are contracts, every problem and warning in each, and the
formats they are written in (text, json, sarif, github); `slacheck explain CODE`.

A folder or a glob is searched for contracts, recognised by their content: a top-level
`slacheck:` key (the format version every contract starts with), so the other YAML of a
repository (CI files, the pre-commit configuration) is never linted as a contract. A file
named on the command line is linted whatever it holds, unless `only_contracts` is set,
which is how the pre-commit hook, handed every staged YAML file, keeps to contracts.

Only what linting needs is imported here: no engine, no reporter (a commit hook starts
this module once per commit).
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from slacheck._version import __version__
from slacheck.diagnostics import (
    CONTRACT_UNREADABLE,
    Code,
    ContractError,
    Diagnostic,
    Severity,
    codes,
    did_you_mean,
    lookup,
    order,
)

if TYPE_CHECKING:
    from slacheck.model import Contract

FORMAT_KEY = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\{[ \t]*)?[\"']?slacheck[\"']?[ \t]*:", re.M)
"""A line that starts with the `slacheck:` key (block or flow style, quoted or not)."""

YAML_SUFFIXES = (".yaml", ".yml")
_SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})
_GLOB = re.compile(r"[*?\[]")
_READ_LIMIT = (1 << 20) + 1
"""As much of a file as the loader reads (`loader.MAX_BYTES`, one byte more)."""


def is_contract(path: str | os.PathLike[str]) -> bool:
    """Whether a file holds a slacheck contract: a line starting with the `slacheck:` key.

    Read as bytes, so a broken contract (bad YAML, not UTF-8) is still recognised and
    reported, and a binary file is simply not a contract.
    """
    try:
        with open(path, "rb") as stream:
            head = stream.read(_READ_LIMIT)
    except OSError:
        return False
    return FORMAT_KEY.search(head) is not None


def is_contract_text(text: str) -> bool:
    """`is_contract` of text held in memory (an editor's buffer)."""
    head = text[:_READ_LIMIT].encode("utf-8", "surrogatepass")
    return FORMAT_KEY.search(head) is not None


@dataclass(frozen=True, slots=True)
class Selection:
    """The contracts a command line names, and what it named that is not there."""

    contracts: tuple[str, ...]
    missing: tuple[str, ...] = ()
    """Paths that do not exist and globs that match nothing."""
    skipped: int = 0
    """YAML files looked at in folders and globs (or, with `only_contracts`, named) that
    are not contracts."""


def select(paths: Sequence[str], only_contracts: bool = False) -> Selection:
    """The contracts among `paths`: files as named, folders searched (hidden folders and
    `node_modules` skipped), globs (`contracts/**/*.yaml`) expanded, each file once, in
    the order given and, inside a folder, sorted."""
    found: list[str] = []
    missing: list[str] = []
    skipped = 0
    seen: set[str] = set()

    def add(path: str, named: bool) -> None:
        nonlocal skipped
        key = os.path.normpath(path)
        if key in seen:
            return
        seen.add(key)
        if (named and not only_contracts) or is_contract(path):
            found.append(path)
        else:
            skipped += 1

    for given in paths:
        if os.path.isdir(given):
            for path in _walk(given):
                add(path, named=False)
        elif os.path.lexists(given):
            add(given, named=True)
        elif _GLOB.search(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                missing.append(given)
            for match in matches:
                if os.path.isdir(match):
                    for path in _walk(match):
                        add(path, named=False)
                elif match.endswith(YAML_SUFFIXES):
                    add(match, named=False)
        else:
            missing.append(given)
    return Selection(tuple(found), tuple(missing), skipped)


def _walk(folder: str) -> Iterable[str]:
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders
                            if not name.startswith(".") and name not in _SKIPPED_FOLDERS)
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES):
                yield os.path.normpath(os.path.join(root, name))


@dataclass(frozen=True, slots=True)
class FileReport:
    """What linting one file found, errors and warnings together in file order."""

    path: str
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(item for item in self.diagnostics if item.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(item for item in self.diagnostics if item.severity is Severity.WARNING)


def lint_file(path: str) -> FileReport:
    """Every problem and warning of one contract file: loading problems that leave the
    rest sound do not hide what the checker and the lint rules find in the rest."""
    from slacheck.loader import load_contract

    return _lint(path, lambda: load_contract(path))


def lint_text(text: str, name: str) -> FileReport:
    """`lint_file` of a contract held in memory (an editor's unsaved buffer); `name` is
    what its diagnostics are reported under. Text that cannot be UTF-8 (a lone surrogate
    from a client) is reported as unreadable, as such a file would be."""
    from slacheck.loader import load_contract_text

    data = text.encode("utf-8", "surrogatepass")
    return _lint(name, lambda: load_contract_text(data, name))


def _lint(path: str, load: Callable[[], Contract]) -> FileReport:
    from slacheck.checker import check
    from slacheck.lint_rules import advise
    from slacheck.loader import IncompleteContractError

    found: list[Diagnostic] = []
    complete = True
    try:
        try:
            contract = load()
        except IncompleteContractError as error:
            contract, complete = error.contract, False
            found.extend(error.diagnostics)
        try:
            checked = check(contract)
            found.extend(checked.warnings)
        except ContractError as error:
            found.extend((*error.diagnostics, *error.warnings))
        found.extend(advise(contract, complete=complete and not found_errors(found)))
    except ContractError as error:
        found.extend((*error.diagnostics, *error.warnings))
    except RecursionError:  # pragma: no cover - every known way is a diagnostic; a last guard
        found.append(Diagnostic(CONTRACT_UNREADABLE, "the contract is too deeply nested to read",
                                file=path))
    kept = [item for item in found if not ignored(item)]
    return FileReport(path, tuple(sorted(kept, key=order)))


IGNORE = re.compile(r"#\s*slacheck:\s*ignore\[([^\]]*)\]")
"""`# slacheck: ignore[no-consequence]` (names or codes, comma-separated), at the end of
the line a warning points at or alone on the line above it."""


def ignored(diagnostic: Diagnostic) -> bool:
    """Whether a warning is silenced by an ignore comment; errors never are."""
    span = diagnostic.span
    if diagnostic.severity is not Severity.WARNING or span is None:
        return False
    line = span.line
    wanted = {diagnostic.code.code.lower(), diagnostic.code.slug}
    for number, whole in ((line, False), (line - 1, True)):
        text = span.source.file_line(number) if number >= 1 else None
        if text is None or (whole and not text.lstrip().startswith("#")):
            continue
        match = IGNORE.search(text)
        if match and wanted & {name.strip().lower() for name in match.group(1).split(",")}:
            return True
    return False


def found_errors(found: Iterable[Diagnostic]) -> bool:
    return any(item.severity is Severity.ERROR for item in found)


@dataclass(frozen=True, slots=True)
class Run:
    """A lint run: each contract's report, and what the command line named in vain."""

    reports: tuple[FileReport, ...]
    selection: Selection
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(len(report.errors) for report in self.reports)

    @property
    def warnings(self) -> int:
        return sum(len(report.warnings) for report in self.reports)

    @property
    def failed(self) -> bool:
        """Whether the run fails: an error, or with `strict` a warning."""
        return bool(self.errors or (self.strict and self.warnings))

    def diagnostics(self) -> list[Diagnostic]:
        return [item for report in self.reports for item in report.diagnostics]


def lint(paths: Sequence[str], *, only_contracts: bool = False, strict: bool = False) -> Run:
    selection = select(paths, only_contracts)
    return Run(tuple(lint_file(path) for path in selection.contracts), selection, strict)


# output formats


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def summary(run: Run) -> str:
    """The last line of a text run: `2 contracts ok, 1 warning` or what failed."""
    files = _plural(len(run.reports), "contract")
    if run.failed:
        counts = _plural(run.errors, "problem")
        if run.warnings:
            counts += f" and {_plural(run.warnings, 'warning')}"
        strict = " (--strict: warnings fail)" if run.strict and not run.errors else ""
        return f"slacheck: {counts} in {files}{strict}"
    return f"{files} ok" + (f", {_plural(run.warnings, 'warning')}" if run.warnings else "")


def render_text(run: Run) -> str:
    """Every diagnostic as `file:line:col: CODE message`, its excerpt and hints."""
    blocks = [item.render() for item in run.diagnostics()]
    return "\n\n".join(blocks) + ("\n\n" if blocks else "")


def _position(diagnostic: Diagnostic) -> tuple[dict[str, int], dict[str, int]] | None:
    """Start and end (exclusive) of the diagnostic's span, 1-based lines and columns."""
    span = diagnostic.span
    if span is None:
        return None
    line, column = span.source.position(span.start)
    end_line, end_column = span.source.position(max(span.start, span.end))
    return {"line": line, "column": column}, {"line": end_line, "column": end_column}


def _path(diagnostic: Diagnostic) -> str:
    return diagnostic.location[0]


def to_json(run: Run) -> dict[str, Any]:
    """The run as data: `slacheck.lint/1`, every diagnostic with its start and end."""
    items = []
    for diagnostic in run.diagnostics():
        position = _position(diagnostic)
        items.append({
            "file": _path(diagnostic),
            "code": diagnostic.code.code,
            "name": diagnostic.code.slug,
            "severity": diagnostic.severity.value,
            "message": diagnostic.message,
            "start": position[0] if position else None,
            "end": position[1] if position else None,
            "text": diagnostic.span.text if diagnostic.span is not None else None,
            "hints": list(diagnostic.hints),
        })
    return {
        "schema": "slacheck.lint/1",
        "tool_version": __version__,
        "files": [{"path": report.path, "errors": len(report.errors),
                   "warnings": len(report.warnings)} for report in run.reports],
        "missing": list(run.selection.missing),
        "diagnostics": items,
        "errors": run.errors,
        "warnings": run.warnings,
        "ok": not run.failed,
    }


def render_json(run: Run) -> str:
    return json.dumps(to_json(run), indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    posix = PurePath(path).as_posix()
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix)
    return quote(posix)


def _level(code: Code) -> str:
    return "error" if code.severity is Severity.ERROR else "warning"


def sarif_rules() -> list[dict[str, Any]]:
    """SARIF rule metadata for every registered code, from the registry."""
    rules = []
    for code in codes():
        doc = code.doc
        rule: dict[str, Any] = {
            "id": code.code,
            "name": _pascal(code.slug),
            "shortDescription": {"text": code.summary},
            "defaultConfiguration": {"level": _level(code)},
            "properties": {"slug": code.slug, "severity": code.severity.value},
        }
        if doc is not None:
            rule["fullDescription"] = {"text": doc.why}
            rule["help"] = {"text": explain_text(code), "markdown": _markdown(code)}
        rules.append(rule)
    return rules


def _pascal(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def render_sarif(run: Run) -> str:
    """SARIF 2.1.0: every code as a rule, every diagnostic a result at its region."""
    index = {code.code: position for position, code in enumerate(codes())}
    results = []
    for diagnostic in run.diagnostics():
        text = diagnostic.message + "".join(f"\nhelp: {hint}" for hint in diagnostic.hints)
        result: dict[str, Any] = {
            "ruleId": diagnostic.code.code,
            "ruleIndex": index[diagnostic.code.code],
            "level": _level(diagnostic.code),
            "message": {"text": text},
        }
        location: dict[str, Any] = {"artifactLocation": {"uri": _uri(_path(diagnostic))}}
        position = _position(diagnostic)
        if position is not None:
            start, end = position
            location["region"] = {"startLine": start["line"], "startColumn": start["column"],
                                  "endLine": end["line"], "endColumn": end["column"]}
        result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "slacheck", "version": __version__,
                                "semanticVersion": __version__, "rules": sarif_rules()}},
            "invocations": [{"executionSuccessful": True, "exitCode": 2 if run.failed else 0}],
            "artifacts": [{"location": {"uri": _uri(report.path)},
                           "roles": ["analysisTarget"]} for report in run.reports],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(run: Run) -> str:
    """GitHub workflow commands: an annotation on the line (and columns) of each problem."""
    lines = []
    for diagnostic in run.diagnostics():
        command = "error" if diagnostic.severity is Severity.ERROR else "warning"
        properties = [f"file={_escape_property(_path(diagnostic))}"]
        position = _position(diagnostic)
        if position is not None:
            start, end = position
            properties.append(f"line={start['line']}")
            if end["line"] == start["line"]:
                properties += [f"col={start['column']}", f"endColumn={end['column']}"]
            else:
                properties.append(f"endLine={end['line']}")
        title = f"{diagnostic.code.code} {diagnostic.code.slug}"
        properties.append(f"title={_escape_property(title)}")
        message = diagnostic.message + "".join(f"\nhelp: {hint}" for hint in diagnostic.hints)
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif,
             "github": render_github}


# explain and the docs page


def explain_code(name: str) -> str:
    """What `slacheck explain CODE` prints for a code (`SLA201`) or its name
    (`unknown-field`, the word under the caret); `LookupError` with a hint if none is."""
    code = lookup(name)
    if code is None:
        close = did_you_mean(name.strip().lower(), [entry.slug for entry in codes()])
        hint = close[0] if close else "`slacheck explain` lists them all"
        raise LookupError(f"no diagnostic code `{name}`; {hint}")
    return explain_text(code)


def explain_text(code: Code) -> str:
    kind = " (warning)" if code.severity is Severity.WARNING else ""
    out = [f"{code.code} {code.slug}{kind}: {code.summary}"]
    doc = code.doc
    if doc is not None:
        out += ["", "Why it matters:", *_indent(doc.why), "", "Wrong:", *_block(doc.bad),
                "", "Right:", *_block(doc.good)]
    if code.severity is Severity.WARNING:
        out += ["", "A warning: `lint` reports it and exits 0 (1 problem with --strict); "
                "`verify` runs as the contract says."]
    return "\n".join(out) + "\n"


def _indent(text: str, width: int = 88) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")


def _block(text: str) -> list[str]:
    return [f"    {line}" if line else "" for line in text.split("\n")]


def explain_list() -> str:
    """One line per code: what `slacheck explain` prints without an argument."""
    return "".join(
        f"{code.code}  {code.slug:27} {'(warning) ' if code.severity is Severity.WARNING else ''}"
        f"{code.summary}\n" for code in codes())


def _markdown(code: Code) -> str:
    doc = code.doc
    kind = "warning" if code.severity is Severity.WARNING else "error"
    out = [f"**{code.code} `{code.slug}`** ({kind}): {code.summary}"]
    if doc is not None:
        out += ["", doc.why, "", "Wrong:", "", "```yaml", doc.bad, "```", "", "Right:", "",
                "```yaml", doc.good, "```"]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def diagnostics_page() -> str:
    """docs/diagnostics.md: every code, generated from the registry; a test keeps the
    file in step (`pytest tests/test_lint_docs.py --update-goldens` rewrites it)."""
    out = [
        "# slacheck diagnostics",
        "",
        "<!-- Generated from the registry in src/slacheck/diagnostics.py; do not edit by "
        "hand: `pytest tests/test_lint_docs.py --update-goldens` rewrites it. -->",
        "",
        "Every problem `slacheck lint` reports has a stable code and a name (the word under "
        "the caret). `slacheck explain CODE` or `slacheck explain NAME` prints the same text "
        "as here. Errors stop `verify`; warnings (`SLA3xx`) never do, and fail `lint` only "
        "with `--strict`.",
        "",
        "| code | name | severity | summary |",
        "|---|---|---|---|",
    ]
    out += [f"| [{code.code}](#{code.code.lower()}) | `{code.slug}` | "
            f"{code.severity.value} | {_cell(code.summary)} |" for code in codes()]
    for code in codes():
        doc = code.doc
        out += ["", f"## {code.code}", "", f"`{code.slug}`, {code.severity.value}: "
                f"{code.summary}"]
        if doc is not None:
            out += ["", doc.why, "", "Wrong:", "", "```yaml", doc.bad, "```", "", "Right:",
                    "", "```yaml", doc.good, "```"]
    return "\n".join(out) + "\n"
