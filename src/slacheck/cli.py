"""The command line: wires loader, checker, plan, engine and reporters; owns I/O and exit codes.

Exit codes (also in the README):
  0  compliant: every target met, nothing owed, no disqualification (`lint`: no problems)
  1  non-compliant: a target missed, a penalty or credit owed, or a disqualification
  2  the contract or the command is wrong (including an output file that cannot be written)
  3  the data could not be read
  130  interrupted (Ctrl-C); no output file is written
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, NoReturn

import click

from slacheck._version import __version__
from slacheck.api import compile_plan, load_checked, verify
from slacheck.checker import check
from slacheck.diagnostics import (
    ContractError,
    DataError,
    Diagnostic,
    Severity,
    codes,
    did_you_mean,
    lookup,
    order,
)
from slacheck.loader import IncompleteContractError, contract_schema, load_contract
from slacheck.plan import EVIDENCE_LIMIT
from slacheck.records import Rejection
from slacheck.reporters import RENDERERS
from slacheck.reporters.json import result_schema

EXIT_COMPLIANT = 0
EXIT_NON_COMPLIANT = 1
EXIT_INVALID = 2
EXIT_DATA = 3
EXIT_INTERRUPTED = 130


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Turns slacheck's errors into messages and exit codes; `--debug` keeps the traceback."""
    try:
        yield
    except ContractError as error:
        if debug:
            raise
        text = "\n\n".join(item.render() for item in error.diagnostics)
        count = len(error.diagnostics)
        _fail(f"{text}\n\nslacheck: {count} problem{'s' if count != 1 else ''} in the contract",
              EXIT_INVALID)
    except DataError as error:
        if debug:
            raise
        _fail(f"slacheck: {error}", EXIT_DATA)
    except _OutputError as error:
        if debug:
            raise
        _fail(f"slacheck: {error}", EXIT_INVALID)
    except KeyboardInterrupt:
        # not click's "Aborted!" with exit 1, which would read as "non-compliant"
        _fail("\nslacheck: interrupted; nothing was written", EXIT_INTERRUPTED)


class _OutputError(Exception):
    """An output file (report or quarantine) cannot be written where the command says."""


def _as_of(value: str) -> datetime:
    if value == "now":
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"`{value}` is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give a UTC offset, e.g. 2025-04-01T00:00:00+08:00")
    return moment


@contextmanager
def atomic_file(path: str) -> Iterator[IO[bytes]]:
    """A file written whole or not at all: a temporary file in the same folder, renamed
    over `path` only when the block ends without an exception."""
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise _OutputError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(path: str, text: str) -> None:
    with atomic_file(path) as stream:
        stream.write(text.encode("utf-8"))


def _progress(quiet: bool) -> Callable[[int], None] | None:
    if quiet or not sys.stderr.isatty():
        return None

    def show(lines: int) -> None:
        click.echo(f"\r{lines:,} lines read", err=True, nl=False)

    return show


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slacheck")
def main() -> None:
    """Check logistics service-level agreements against shipment records."""


@main.command("verify")
@click.argument("contract", type=click.Path(dir_okay=False))
@click.argument("data", nargs=-1, required=True)
@click.option("--as-of", "as_of", default="now", show_default=True,
              help="Evaluation time, ISO 8601 with an offset, or `now`; deadlines not yet "
                   "passed at this time are pending.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--quarantine", type=click.Path(dir_okay=False),
              help="Write every rejected line, verbatim, to this file.")
@click.option("--evidence-limit", type=click.IntRange(min=1), default=EVIDENCE_LIMIT,
              show_default=True,
              help="Records kept as evidence per window and per list; counts stay exact.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on the terminal.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def verify_command(contract: str, data: tuple[str, ...], as_of: str, fmt: str,
                   output: str | None, quarantine: str | None, evidence_limit: int,
                   quiet: bool, debug: bool) -> None:
    """Check DATA (JSON lines, .gz, or - for standard input) against CONTRACT."""
    moment = _as_of(as_of)
    progress = _progress(quiet)
    with _errors(debug), ExitStack() as stack:
        keep: Callable[[Rejection], None] | None = None
        if quarantine:
            sink = stack.enter_context(atomic_file(quarantine))

            def keep(item: Rejection) -> None:
                text = item.text or b""
                sink.write(text if text.endswith(b"\n") else text + b"\n")

        result = verify(contract, list(data), as_of=moment, evidence_limit=evidence_limit,
                        quarantine=keep, progress=progress)
    if progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    report = RENDERERS[fmt](result)
    if output:
        with _errors(debug):
            write_atomically(output, report)
    else:
        click.echo(report, nl=False)
    sys.exit(EXIT_COMPLIANT if result.compliant else EXIT_NON_COMPLIANT)


@main.command("lint")
@click.argument("contracts", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def lint_command(contracts: tuple[str, ...], debug: bool) -> None:
    """Load and check CONTRACTS; print every problem and warning found, in file order.

    Exits 2 if any contract has a problem; warnings alone are printed and exit 0.
    """
    problems = warnings = 0
    for path in contracts:
        errors, cautions = _lint(path)
        if errors and debug:
            raise ContractError(errors, cautions)
        problems, warnings = problems + len(errors), warnings + len(cautions)
        found = sorted([*errors, *cautions], key=order)
        if found:
            click.echo("\n\n".join(item.render() for item in found), err=True)
            click.echo(err=True)
    files = _plural(len(contracts), "contract")
    if problems:
        counts = _plural(problems, "problem") + (
            f" and {_plural(warnings, 'warning')}" if warnings else "")
        _fail(f"slacheck: {counts} in {files}", EXIT_INVALID)
    click.echo(f"{files} ok" + (f", {_plural(warnings, 'warning')}" if warnings else ""))


def _lint(path: str) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """The errors and the warnings of one contract file: loading problems that leave the
    rest sound do not hide what the check finds in the rest, nor its warnings."""
    try:
        contract = load_contract(path)
        errors: tuple[Diagnostic, ...] = ()
    except IncompleteContractError as error:
        contract, errors = error.contract, error.diagnostics
    except ContractError as error:
        return error.diagnostics, error.warnings
    try:
        checked = check(contract)
    except ContractError as error:
        return (*errors, *error.diagnostics), error.warnings
    return errors, checked.warnings


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


@main.command("plan")
@click.argument("contract", type=click.Path(dir_okay=False))
@click.option("--as-of", "as_of", default="now", show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def plan_command(contract: str, as_of: str, debug: bool) -> None:
    """Print what the compiled plan of CONTRACT will do."""
    with _errors(debug):
        plan = compile_plan(load_checked(contract), _as_of(as_of))
    click.echo(plan.describe())


@main.command("schema")
@click.option("--result", "of_result", is_flag=True,
              help="The schema of `verify --format json` output instead.")
def schema_command(of_result: bool) -> None:
    """Print the JSON Schema of contract files (for editors), or of JSON results."""
    schema = result_schema() if of_result else contract_schema()
    click.echo(json.dumps(schema, indent=2, sort_keys=True))


@main.command("explain")
@click.argument("code", required=False)
def explain_command(code: str | None) -> None:
    """Explain a diagnostic CODE (e.g. SLA201 or unknown-field), or list them all."""
    if code is None:
        for entry in codes():
            kind = "(warning) " if entry.severity is Severity.WARNING else ""
            click.echo(f"{entry.code}  {entry.slug:21} {kind}{entry.summary}")
        return
    found = lookup(code)
    if found is None:
        close = did_you_mean(code.lower(), [entry.slug for entry in codes()])
        hint = close[0] if close else "`slacheck explain` lists them all"
        _fail(f"slacheck: no diagnostic code `{code}`; {hint}", EXIT_INVALID)
    kind = " (warning)" if found.severity is Severity.WARNING else ""
    click.echo(f"{found.code} {found.slug}{kind}: {found.summary}")
