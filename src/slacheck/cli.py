"""The command line: wires loader, checker, plan, engine and reporters; owns I/O and exit codes.

Exit codes (also in the README):
  0  compliant: every target met, nothing owed, no disqualification (`lint`: no problems)
  1  non-compliant: a target missed, a penalty or credit owed, or a disqualification
  2  the contract or the command is wrong (including an output file that cannot be written)
  3  the data could not be read, or more lines were rejected than `--max-rejected` allows
  4  inconclusive: no record could be evaluated, so there is no evidence either way
  70  internal error: a bug in slacheck, never a verdict (the traceback with `--debug`)
  130  interrupted (Ctrl-C); no output file is written
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NoReturn

import click

from slacheck._output import (
    OutputError,
    Terminated,
    cleanup_on_signals,
    forget_signals,
    output_file,
    signalled,
)
from slacheck._progress import Progress, progress
from slacheck._version import __version__
from slacheck.diagnostics import ContractError, DataError, RatesError

if TYPE_CHECKING:
    from slacheck import fail_on as failing
    from slacheck.checker import CheckedContract
    from slacheck.engine.choice import Choice
    from slacheck.findings import Result
    from slacheck.plan import Plan
    from slacheck.records import Rejection

# Only what every command needs is imported here: `lint`, `fmt` and `explain` run in a
# commit hook, where the engine and the reporters would be most of their time. The
# names the options show are written out; tests/test_cli.py checks them against the
# modules they come from.
VERIFY_FORMATS = ("github", "json", "junit", "sarif", "text")
REPORT_FORMATS = ("html", "markdown")
INPUT_FORMATS = ("jsonl", "json", "csv", "tsv", "parquet", "duckdb")
EVIDENCE_LIMIT = 100
ENGINES = ("stream", "duckdb", "auto")
FAIL_ON_DEFAULT = "missed,penalty,credit,disqualification,escalation"


def verify(*args: Any, **kwargs: Any) -> Result:
    """`slacheck.api.verify`, imported when a command needs it."""
    from slacheck.api import verify as run

    return run(*args, **kwargs)


def load_checked(path: str) -> CheckedContract:
    from slacheck.api import load_checked as load

    return load(path)


def compile_plan(checked: CheckedContract, as_of: datetime | date,
                 rates: list[tuple[str, Decimal, str]]) -> Plan:
    from slacheck.api import compile_plan as build

    return build(checked, as_of, rates=rates)


def _say_choice(choice: Choice) -> None:
    """`--engine auto`'s choice, on standard error: the result is the same either way."""
    click.echo(f"slacheck: engine {choice.engine} ({choice.reason})", err=True)


EXIT_COMPLIANT = 0
EXIT_NON_COMPLIANT = 1
EXIT_INVALID = 2
EXIT_DATA = 3
EXIT_INCONCLUSIVE = 4
EXIT_INTERNAL = 70
"""sysexits' EX_SOFTWARE: outside 0-4, so a crash is never read as a verdict."""
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    "compliant": EXIT_COMPLIANT,
    "non-compliant": EXIT_NON_COMPLIANT,
    "inconclusive": EXIT_INCONCLUSIVE,
}
"""The exit code of each verdict (`Verdict.value`)."""


class _NotRefusedError(Exception):
    """Never raised: what `verify` catches when no engine may refuse the contract."""


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
    except OutputError as error:
        if debug:
            raise
        _fail(f"slacheck: {error}", EXIT_INVALID)
    except RatesError as error:
        if debug:
            raise
        _fail(f"slacheck: {error}\n  = help: {error.hint}", EXIT_INVALID)
    except Terminated as stop:
        _fail(f"\nslacheck: stopped by signal {stop.signum}; nothing was written",
              128 + stop.signum)
    except KeyboardInterrupt:
        # not click's "Aborted!" with exit 1, which would read as "non-compliant"
        _fail("\nslacheck: interrupted; nothing was written", EXIT_INTERRUPTED)


class _Group(click.Group):
    """Turns an unexpected exception, wherever it is raised, into the internal-error code;
    lists each command with the whole first paragraph of its help, wrapped: click's
    one-line summary cuts a sentence at `e.g.` or at the width of the terminal."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                summary = (command.help or "").split("\n\n")[0]
                rows.append((name, " ".join(summary.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        forget_signals()
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as error:
            if ctx.meta.get(_DEBUG):
                raise
            signum = signalled()
            if signum is not None:  # what a swallowed signal left half done failed later
                _fail(f"\nslacheck: stopped by signal {signum}; nothing was written",
                      128 + signum)
            _fail(f"slacheck: internal error, a bug in slacheck {__version__}: "
                  f"{type(error).__name__}: {error}\n"
                  "slacheck: no result was produced; rerun with --debug for the traceback "
                  "and please report it", EXIT_INTERNAL)


_DEBUG = "slacheck.debug"


def _remember_debug(ctx: click.Context, _: click.Parameter, value: bool) -> bool:
    ctx.meta[_DEBUG] = value
    return value


def _debug_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--debug", is_flag=True, callback=_remember_debug, is_eager=True,
                        help="Show tracebacks.")


def _format_in_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format-in", "format_in", type=click.Choice(INPUT_FORMATS), default=None,
                        help="Read every DATA file in this format, whatever its extension "
                             "(by default: .jsonl, .json, .csv, .tsv, .parquet, .duckdb; "
                             "others and standard input as JSON lines).")


def _rates_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """`--rate CODE=RATE` (repeated) and `--rates FILE`: the rates of the other currencies a
    contract declares under `rates:`, recorded in the result."""
    function = click.option(
        "--rates", "rates_file", type=click.Path(dir_okay=False), default=None,
        help="A YAML or JSON file of rates by currency (`SDR: \"1.35\"`), for a contract "
             "whose amounts are written in other currencies (`rates:`).")(function)
    return click.option(
        "--rate", "rate", multiple=True, metavar="CODE=RATE",
        help="The rate of a currency the contract declares under `rates:`: units of the "
             "contract's currency for one unit of CODE, exact (--rate SDR=1.35); "
             "repeatable, and before --rates.")(function)


def _rates(rate: tuple[str, ...], rates_file: str | None) -> list[tuple[str, Decimal, str]]:
    from slacheck.rates import parse_option, read_file

    out = [(*parse_option(text), "--rate") for text in rate]
    if rates_file is not None:
        out += [(code, value, rates_file) for code, value in read_file(rates_file).items()]
    return out


class _MaxRejected(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """`N` lines or `P%` of the lines read."""

    name = "N|P%"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int | Fraction:
        if isinstance(value, int | Fraction):
            return value
        text = str(value).strip()
        try:
            if text.endswith("%"):
                share = Fraction(text[:-1])
                if 0 <= share <= 100:
                    return share / 100
            elif text.isascii() and text.isdigit():
                return int(text)
        except ValueError:
            pass
        return self.fail(f"`{value}` is not a number of lines (e.g. 10) or a share of the "
                         "lines read (e.g. 0.5%)", param, ctx)


class _Jobs(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """A number of worker processes, or `auto` (None: chosen per file)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "auto":
            return None
        if text.isascii() and text.isdigit() and int(text) >= 1:
            return int(text)
        return self.fail(f"`{value}` is not a number of processes (1 or more) or auto",
                         param, ctx)


class _FailOn(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """A comma-separated list of `fail_on.Condition` values, `all` or `none`."""

    name = "LIST"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> frozenset[failing.Condition]:
        if isinstance(value, frozenset):
            return value
        from slacheck import fail_on as failing

        try:
            return failing.parse(str(value))
        except ValueError as error:
            return self.fail(str(error), param, ctx)


def _too_many_rejected(result: Result, limit: int | Fraction) -> str | None:
    lines = result.lines
    allowed = limit if isinstance(limit, int) else limit * lines.read
    if lines.rejected <= allowed:
        return None
    given = str(limit) if isinstance(limit, int) else f"{_share(limit)}%"
    noun = "line" if lines.rejected == 1 else "lines"
    return (f"slacheck: {lines.rejected} {noun} rejected of {lines.read} read, more than "
            f"--max-rejected {given} allows; no verdict (see --quarantine and the report's "
            "rejected lines)")


def _share(fraction: Fraction) -> str:
    value = fraction * 100
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _as_of(value: str) -> datetime | date:
    """`--as-of` read: `now`, an aware date and time, or a date, which the API takes as
    midnight in the contract's time zone (known only once the contract is loaded)."""
    if value == "now":
        return datetime.now(UTC).replace(microsecond=0)
    example = "e.g. 2025-04-01T00:00:00+08:00, or a date alone for midnight in the contract's " \
              "time zone"
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise _as_of_error(f"`{value}` is not a valid date ({error})") from None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _as_of_error(f"`{value}` is not an ISO 8601 date or date and time with a UTC "
                           f"offset, nor `now`; {example}") from None
    if moment.tzinfo is None:
        raise _as_of_error(f"`{value}` has no UTC offset: give one, {example}")
    return moment


def _as_of_error(message: str) -> click.BadParameter:
    return click.BadParameter(message, param_hint="'--as-of'")


def _progress(quiet: bool, data: Sequence[str] = ()) -> Progress | None:
    """Lines read, their rate, the time elapsed and the share of the data, on a terminal."""
    return progress(quiet, data)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slacheck")
def main() -> None:
    """Check logistics service-level agreements against shipment records.

    A contract (YAML) says what a provider promised; `slacheck verify` runs shipment
    records (JSON lines, CSV, Parquet) against it and reports the targets met or missed,
    the penalties and service credits owed, and any disqualification, with the records
    behind every figure. `slacheck COMMAND --help` tells more of each command.

    \b
    Example:
      slacheck verify contract.yaml shipments.jsonl --as-of 2025-04-01

    \b
    Exit codes:
      0    compliant (lint: no problems)
      1    non-compliant: a target missed, something owed, or a disqualification
      2    the contract or the command is wrong
      3    the data could not be read, or too many lines rejected (--max-rejected)
      4    inconclusive: no record could be evaluated
      70   internal error: a bug in slacheck, never a verdict
      130  interrupted; no output file is written
    """


@main.command("verify")
@click.argument("contract", type=click.Path(dir_okay=False))
@click.argument("data", nargs=-1, required=True)
@click.option("--as-of", "as_of", default="now", show_default=True,
              help="Evaluation time: ISO 8601 with a UTC offset, a date (midnight in the "
                   "contract's time zone), or `now`; deadlines not yet passed at this time "
                   "are pending.")
@click.option("--format", "fmt", type=click.Choice(VERIFY_FORMATS), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--quarantine", type=click.Path(dir_okay=False),
              help="Write every rejected line, verbatim, to this file (after the header "
                   "of its CSV file), so that it can be mended and checked again.")
@click.option("--quarantine-reasons", "reasons", type=click.Path(dir_okay=False),
              help="Write, for every rejected line, a JSON line with its file, its line and "
                   "each of its problems (field and reason), in the order of --quarantine.")
@click.option("--evidence-limit", type=click.IntRange(min=1), default=EVIDENCE_LIMIT,
              show_default=True,
              help="Records kept as evidence per window and per list; counts stay exact.")
@click.option("--max-rejected", type=_MaxRejected(), default=None,
              help="Exit 3 without a verdict when more lines than this are rejected: a "
                   "number of lines, or a share of the lines read such as 0.5%.")
@click.option("--fail-on", "fail_on", type=_FailOn(), default=FAIL_ON_DEFAULT,
              show_default=True,
              help="What makes the exit code 1: a comma-separated list of missed, penalty, "
                   "credit, disqualification, escalation, warning (or all, or none).")
@_format_in_option()
@click.option("--jobs", type=_Jobs(), default="1", show_default=True,
              help="Worker processes for one large JSON lines file: a number, or auto (one "
                   "per core, for a file of at least 32 MiB per worker). The output is the "
                   "same as with 1; other inputs are read in one process.")
@_rates_options
@click.option("--engine", type=click.Choice(ENGINES), default="stream", show_default=True,
              help="What runs the records: stream (pure Python, the whole language), "
                   "duckdb (SQL in DuckDB, for large files, Parquet and DuckDB databases; "
                   "the same result, needs the duckdb extra, and refuses `records.read` "
                   "mappings), or auto (duckdb where it is installed, its SQL decides the "
                   "whole contract and the input is large or Parquet, else stream; the "
                   "choice is said on standard error).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on the terminal.")
@_debug_option()
def verify_command(contract: str, data: tuple[str, ...], as_of: str, fmt: str,
                   output: str | None, quarantine: str | None, reasons: str | None,
                   evidence_limit: int, max_rejected: int | Fraction | None,
                   fail_on: frozenset[failing.Condition], format_in: str | None,
                   jobs: int | None, rate: tuple[str, ...], rates_file: str | None,
                   engine: str, quiet: bool, debug: bool) -> None:
    """Check DATA against CONTRACT: files (JSON lines, a JSON array, CSV, TSV or Parquet, by
    their extension, each perhaps .gz), folders, glob patterns, or - for standard input."""
    moment = _as_of(as_of)
    shown = _progress(quiet, data)
    with _errors(debug), cleanup_on_signals(), ExitStack() as stack:
        # outputs are opened first: a path that cannot be written fails before the run
        report_file = None
        kept = [path for path in (quarantine, reasons) if path]
        if output:
            report_file = stack.enter_context(output_file(output, [contract, *data, *kept]))
        keep = _quarantine(stack, quarantine, reasons, [contract, *data])

        refused_by: type[Exception] = _NotRefusedError
        if engine != "stream":
            from slacheck.engine.sql.support import EngineError

            refused_by = EngineError
        try:
            result = verify(contract, list(data), as_of=moment, evidence_limit=evidence_limit,
                            quarantine=keep, progress=shown, format_in=format_in,
                            jobs=jobs, rates=_rates(rate, rates_file), engine=engine,
                            chosen=None if quiet else _say_choice)
        except refused_by as error:
            if debug:
                raise
            _fail(f"slacheck: {error}", EXIT_INVALID)
        finally:
            if shown is not None:
                shown.clear()
        refused = None if max_rejected is None else _too_many_rejected(result, max_rejected)
        from slacheck import fail_on as failing
        from slacheck.reporters import RENDERERS

        report = "" if refused else RENDERERS[fmt](result)
        if fmt == "github" and not refused:
            _step_summary(result)
        if report_file is not None:
            if refused:
                report_file.cancel()  # no report; the quarantine still says what was rejected
            else:
                report_file.write(report.encode("utf-8"))
    if refused:
        _fail(refused, EXIT_DATA)
    if report_file is None:
        click.echo(report, nl=False)
    sys.exit(EXIT_CODES[failing.fails(result, fail_on).value])


def _quarantine(stack: ExitStack, path: str | None, reasons: str | None,
                inputs: list[str]) -> Callable[[Rejection], None] | None:
    """What receives each rejected line: its text, verbatim, to `path` (after the header of
    its CSV file, the first time), and its problems as a JSON line to `reasons`."""
    if not path and not reasons:
        return None
    sink = stack.enter_context(output_file(path, [*inputs, *([reasons] if reasons else [])])) \
        if path else None
    why = stack.enter_context(output_file(reasons, inputs)) if reasons else None
    headed: set[str] = set()

    def keep(item: Rejection) -> None:
        if sink is not None:
            table = item.header is not None  # a CSV row: its text ends as it did in its file
            if table and item.source not in headed:
                headed.add(item.source)
                sink.write(_ended(item.header or b"", table))
            sink.write(_ended(item.text or b"", table))
        if why is not None:
            problems = [{"field": field, "reason": reason} for field, reason in item.problems]
            why.write(json.dumps({"source": item.source, "line": item.line,
                                  "problems": problems}, ensure_ascii=False).encode() + b"\n")

    return keep


def _ended(text: bytes, table: bool) -> bytes:
    """A rejected line with a line end: its own, if it kept one (a CSV row), or LF."""
    return text if text.endswith((b"\n", b"\r") if table else b"\n") else text + b"\n"


def _step_summary(result: Result) -> None:
    """`--format github`: the Markdown summary to `$GITHUB_STEP_SUMMARY`, when it is set."""
    from slacheck.reporters import github

    try:
        github.step_summary(result)
    except OSError as error:
        raise OutputError(f"cannot write the job summary to $GITHUB_STEP_SUMMARY: "
                          f"{error.strerror or error}") from None


@main.command("report")
@click.argument("contract", type=click.Path(dir_okay=False))
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Report format; by default markdown for an output file named .md, "
                   "else html.")
@click.option("--as-of", "as_of", default="now", show_default=True,
              help="Evaluation time, ISO 8601 with an offset, or `now`.")
@click.option("--evidence-limit", type=click.IntRange(min=1), default=EVIDENCE_LIMIT,
              show_default=True,
              help="Records kept as evidence per window and per list; counts stay exact.")
@_format_in_option()
@_rates_options
@click.option("-q", "--quiet", is_flag=True, help="No progress on the terminal.")
@_debug_option()
def report_command(contract: str, data: tuple[str, ...], output: str | None, fmt: str | None,
                   as_of: str, evidence_limit: int, format_in: str | None,
                   rate: tuple[str, ...], rates_file: str | None, quiet: bool,
                   debug: bool) -> None:
    """Write an audit report of DATA against CONTRACT: one self-contained HTML file (or
    Markdown) with the verdict, charts, the ledger, the evidence and the data quality.

    Exits 0 once the report is written, whatever the verdict (`verify` gives the verdict's
    exit code); 2 or 3 as `verify` does when the contract, command or data is wrong.
    """
    moment = _as_of(as_of)
    if fmt is None:
        fmt = "markdown" if output and output.lower().endswith((".md", ".markdown")) else "html"
    shown = _progress(quiet, data)
    with _errors(debug), cleanup_on_signals(), ExitStack() as stack:
        report_file = (stack.enter_context(output_file(output, [contract, *data]))
                       if output else None)
        try:
            result = verify(contract, list(data), as_of=moment, evidence_limit=evidence_limit,
                            progress=shown, format_in=format_in,
                            rates=_rates(rate, rates_file))
        finally:
            if shown is not None:
                shown.clear()
        from slacheck.reporters import REPORTS

        report = REPORTS[fmt](result)
        if report_file is not None:
            report_file.write(report.encode("utf-8"))
    if report_file is None:
        click.echo(report, nl=False)


@main.command("lint")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True,
              help="text (problems on standard error), json (with start and end positions), "
                   "sarif (code scanning), github (annotations in a pull request).")
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 2).")
@click.option("--only-contracts", is_flag=True,
              help="Skip named files that are not contracts (no top-level `slacheck:` key), "
                   "as in a folder: what the pre-commit hook passes.")
@_debug_option()
def lint_command(paths: tuple[str, ...], fmt: str, strict: bool, only_contracts: bool,
                 debug: bool) -> None:
    """Check the contracts in PATHS: files, folders and globs. Every problem and warning,
    with code, position, caret and hint, in file order.

    A folder or a glob is searched for YAML files that are contracts, recognised by the
    top-level `slacheck:` key, so other YAML is never linted. Exits 2 if a contract has a
    problem (or, with --strict, a warning), or if no contract is found; warnings alone are
    printed and exit 0.
    """
    from slacheck import lint

    run = lint.lint(paths, only_contracts=only_contracts, strict=strict)
    if debug:
        for report in run.reports:
            if report.errors:
                raise ContractError(report.errors, report.warnings)
    for missing in run.selection.missing:
        click.echo(f"slacheck: {missing}: no such file or folder"
                   + (", and no file matches" if any(c in missing for c in "*?[") else ""),
                   err=True)
    if fmt != "text":
        click.echo(lint.RENDERERS[fmt](run), nl=False)
    elif run.reports:
        click.echo(lint.render_text(run), err=True, nl=False)
    if run.selection.missing:
        sys.exit(EXIT_INVALID)
    if not run.reports:
        if only_contracts:
            return  # a commit that touches no contract
        skipped = run.selection.skipped
        _fail("slacheck: no contract found" + (
            f" ({_plural(skipped, 'YAML file')} without the `slacheck:` key skipped)"
            if skipped else ""), EXIT_INVALID)
    if fmt == "text":
        line = lint.summary(run)
        if run.failed:
            _fail(line, EXIT_INVALID)
        click.echo(line)
    elif run.failed:
        sys.exit(EXIT_INVALID)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1, with the diff, if a contract is not formatted.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print the diff of what formatting would change.")
@click.option("--only-contracts", is_flag=True,
              help="Skip named files that are not contracts, as in a folder.")
@_debug_option()
def fmt_command(paths: tuple[str, ...], check: bool, show_diff: bool, only_contracts: bool,
                debug: bool) -> None:
    """Write every clause of the contracts in PATHS (files, folders, globs; - for standard
    input to standard output) in one canonical spelling; comments and the rest of the YAML
    are kept byte for byte.

    Exits 1 with --check when a contract is not formatted, 2 when one cannot be read (its
    YAML or a clause does not parse: see `slacheck lint`).
    """
    from slacheck import fmt, lint

    if paths == ("-",):
        text = sys.stdin.read()
        with _errors(debug):
            formatted = _formatted(lambda: fmt.format_text(text, "-"))
        click.echo(formatted.text, nl=False)
        sys.exit(EXIT_NON_COMPLIANT if check and formatted.changed else 0)
    selection = lint.select(paths, only_contracts)
    for missing in selection.missing:
        click.echo(f"slacheck: {missing}: no such file or folder", err=True)
    changed = failed = 0
    for path in selection.contracts:
        try:
            formatted = _formatted(lambda path=path: fmt.format_file(path))  # type: ignore[misc]
        except ContractError as error:
            if debug:
                raise
            failed += 1
            click.echo("\n\n".join(item.render() for item in error.diagnostics) + "\n", err=True)
            continue
        except OSError as error:
            failed += 1
            click.echo(f"slacheck: cannot read {path}: {error.strerror}", err=True)
            continue
        if not formatted.changed:
            continue
        changed += 1
        if check or show_diff:
            click.echo(fmt.diff(formatted, path), nl=False)
        else:
            with _errors(debug), output_file(path, []) as out:
                out.write(formatted.text.encode("utf-8"))
    verb = "would be reformatted" if check or show_diff else "reformatted"
    total = len(selection.contracts)
    click.echo(f"{_plural(changed, 'contract')} {verb}, {total - changed - failed} unchanged"
               + (f", {failed} not formatted (see above)" if failed else ""), err=True)
    if failed or selection.missing:
        sys.exit(EXIT_INVALID)
    if check and changed:
        sys.exit(EXIT_NON_COMPLIANT)


def _formatted(make: Callable[[], Any]) -> Any:
    """A formatted file, its meaning checked: a failed check is a bug, an internal error."""
    from slacheck.fmt import FormatError

    try:
        return make()
    except FormatError as error:
        raise RuntimeError(f"formatting would change the contract's meaning ({error}); "
                           "the file is left as it is") from None


@main.command("test")
@click.argument("paths", nargs=-1)
@click.option("--run", "pattern", metavar="PATTERN",
              help="Run only the tests whose `FILE::NAME` matches this regular expression.")
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Name each part of each contract (requirement, exclusion, target, tier, "
                   "penalty, cap, credit, disqualification) that no test exercised.")
@click.option("--fail-under", type=click.IntRange(0, 100), metavar="PERCENT",
              help="Exit 1 when a contract's coverage is below PERCENT (implies --coverage).")
@_debug_option()
def test_command(paths: tuple[str, ...], pattern: str | None, show_coverage: bool,
                 fail_under: int | None, debug: bool) -> None:
    """Run contract tests: the test files in PATHS (files or folders searched for files
    with a `slacheck-tests:` key; by default the current folder), each a set of small
    record examples with the findings they must give.

    Exits 0 when every test passes, 1 when one fails (expected against found is shown),
    2 when a test file or its contract is wrong, or no test is found.
    """
    import re as regex

    from slacheck import contract_tests

    if pattern is not None:
        try:
            regex.compile(pattern)
        except regex.error as error:
            raise click.BadParameter(f"not a regular expression: {error}",
                                     param_hint="'--run'") from None
    report = contract_tests.run(paths or (".",), pattern)
    click.echo(contract_tests.render(report), nl=False)
    for problem in report.errors:
        click.echo(f"slacheck: {problem}", err=True)
    parts = report.coverage()
    if show_coverage or fail_under is not None:
        click.echo(contract_tests.render_coverage(parts), nl=False)
    click.echo(contract_tests.summary(report))
    below = fail_under is not None and any(
        100 * sum(part.exercised for part in mine) < fail_under * len(mine)
        for contract in report.contracts
        if (mine := [part for part in parts if part.contract == contract]))
    if report.errors:
        sys.exit(EXIT_INVALID)
    if not report.outcomes:
        _fail("slacheck: no test found" + (f" matching `{pattern}`" if pattern else ""),
              EXIT_INVALID)
    if report.failed or below:
        sys.exit(EXIT_NON_COMPLIANT)


@main.command("plan")
@click.argument("contract", type=click.Path(dir_okay=False))
@click.argument("data", nargs=-1)
@click.option("--as-of", "as_of", default="now", show_default=True,
              help="Evaluation time, as for `verify`.")
@click.option("--code", is_flag=True,
              help="Print the generated per-record code instead, each line marked with the "
                   "standard and clause it comes from.")
@click.option("--sql", is_flag=True,
              help="Print the SQL the DuckDB engine runs instead (needs the duckdb extra).")
@click.option("--dialect", default="duckdb", show_default=True,
              help="With --sql, the SQL dialect to print it in (sqlglot's names); only duckdb "
                   "is run and tested.")
@_format_in_option()
@_rates_options
@_debug_option()
def plan_command(contract: str, data: tuple[str, ...], as_of: str, code: bool, sql: bool,
                 dialect: str, format_in: str | None, rate: tuple[str, ...],
                 rates_file: str | None, debug: bool) -> None:
    """Print what the compiled plan of CONTRACT will do. With --sql and DATA (as for
    `verify`), the SQL typing the records is that of each DATA file (a table's is read
    from its header or schema: CSV, TSV, Parquet or a DuckDB database); without, that of
    JSON lines."""
    if data and not sql:
        raise click.UsageError("DATA is read only with --sql")
    with _errors(debug):
        checked = load_checked(contract)
        plan = compile_plan(checked, _as_of(as_of), rates=_rates(rate, rates_file))
    if sql:
        from slacheck.engine.sql.support import EngineError, missing

        try:
            try:
                from slacheck.engine.sql.queries import statements
                from slacheck.engine.tables import reading
            except ImportError as error:
                raise missing(error) from None
            from slacheck.engine.sql.support import check_supported
            from slacheck.readers import expand

            check_supported(checked, plan)
            with _errors(debug):
                read = reading(plan, [source for path in data
                                      for source in expand(path, format_in)]) if data else None
            click.echo(statements(checked, plan, dialect, read), nl=False)
        except EngineError as error:
            _fail(f"slacheck: {error}", EXIT_INVALID)
        except ValueError as error:  # sqlglot knows no such dialect
            _fail(f"slacheck: {error}", EXIT_INVALID)
    elif code:
        from slacheck.engine.codegen import generate
        from slacheck.engine.state import State

        click.echo(generate(plan, State.empty(plan), "<data>").annotated(), nl=False)
    else:
        click.echo(plan.describe())


@main.command("schema")
@click.option("--result", "of_result", is_flag=True,
              help="The schema of `verify --format json` output instead.")
def schema_command(of_result: bool) -> None:
    """Print the JSON Schema of contract files (for editors), or of JSON results."""
    if of_result:
        from slacheck.reporters.json import result_schema

        schema = result_schema()
    else:
        from slacheck.loader import contract_schema

        schema = contract_schema()
    click.echo(json.dumps(schema, indent=2, sort_keys=True))


@main.command("explain")
@click.argument("args", nargs=-1, metavar="[CODE | CONTRACT DATA...]")
@click.option("--standard", help="The standard whose figure to explain (with CONTRACT DATA).")
@click.option("--window", "window_label", metavar="W",
              help="One window, by its label (2025-02, 2025-W05, 2025-Q1...).")
@click.option("--group", metavar="G", help="One group of a grouped standard (office=PEK).")
@click.option("--record", metavar="ID", help="One record: each clause evaluated on it.")
@click.option("--as-of", "as_of", default="now", show_default=True,
              help="Evaluation time, as for `verify`.")
@click.option("--evidence-limit", type=click.IntRange(min=1), default=EVIDENCE_LIMIT,
              show_default=True, help="Record ids listed per list; counts stay exact.")
@_rates_options
@_debug_option()
def explain_command(args: tuple[str, ...], standard: str | None, window_label: str | None,
                    group: str | None, record: str | None, as_of: str, evidence_limit: int,
                    rate: tuple[str, ...], rates_file: str | None, debug: bool) -> None:
    """Explain a diagnostic CODE (e.g. SLA201 or unknown-field), or list them all. Given a
    contract, its data and --standard ID, explain how a figure of that run was computed.

    \b
    Examples:
      slacheck explain SLA201
      slacheck explain contract.yaml shipments.jsonl --standard delivery-24h --window 2025-02
      slacheck explain contract.yaml shipments.jsonl --standard delivery-24h --record S-0042
    """
    if len(args) <= 1:
        if standard or window_label or group or record:
            _fail("slacheck: --standard, --window, --group and --record explain a run: "
                  "slacheck explain CONTRACT DATA... --standard ID", EXIT_INVALID)
        _explain_code(args[0] if args else None)
        return
    if standard is None:
        _fail("slacheck: explain CONTRACT DATA... needs --standard ID, the standard whose "
              "figure to explain", EXIT_INVALID)
    from slacheck.explain import ExplainError, explain

    moment = _as_of(as_of)
    with _errors(debug):
        try:
            text = explain(load_checked(args[0]), args[1:], as_of=moment, standard=standard,
                           window_label=window_label, group=group, record=record,
                           evidence_limit=evidence_limit, rates=_rates(rate, rates_file))
        except ExplainError as error:
            _fail(f"slacheck: {error}", EXIT_INVALID)
    click.echo(text, nl=False)


@main.command("lsp")
@click.option("--stdio", is_flag=True,
              help="Talk over standard input and output: the only transport, accepted "
                   "because editors pass it.")
def lsp_command(stdio: bool) -> None:
    """Run the language server an editor starts: lint's problems as a contract is typed,
    completion of names inside clauses, and on hover what a clause means in words.

    Needs the `lsp` extra (pip install 'slacheck[lsp]'); exits 2 without it.
    """
    try:
        from slacheck.lsp import server
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in _LSP_PACKAGES:
            raise
        _fail("slacheck: the language server needs pygls: pip install 'slacheck[lsp]'",
              EXIT_INVALID)
    server.main()


_LSP_PACKAGES = frozenset({"pygls", "lsprotocol", "cattrs"})


def _explain_code(code: str | None) -> None:
    from slacheck import lint

    if code is None:
        click.echo(lint.explain_list(), nl=False)
        return
    try:
        click.echo(lint.explain_code(code), nl=False)
    except LookupError as error:
        message = error.args[0]
        if code.endswith((".yaml", ".yml")):
            message += ("; to explain a run, give the data and a standard: slacheck explain "
                        f"{code} DATA... --standard ID")
        _fail(f"slacheck: {message}", EXIT_INVALID)
