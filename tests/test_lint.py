"""`slacheck lint` as a contract author meets it: what is reported, where, and how it reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck.cli import main
from tests.conftest import contract_yaml


def lint(tmp_path: Path, text: str, name: str = "c.yaml") -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["lint", str(path)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def block(err: str, first: str) -> list[str]:
    """The lines of the rendered diagnostic whose first line contains `first`."""
    lines = err.splitlines()
    start = next(index for index, line in enumerate(lines) if first in line)
    end = next((index for index in range(start + 1, len(lines)) if not lines[index]),
               len(lines))
    return lines[start:end]


def test_help_is_aligned_with_the_gutter_on_a_one_digit_line(tmp_path: Path) -> None:
    text = contract_yaml(
        "ok: bool",
        head="contract: {id: x, currency: EUR, timezone: Europe/Berln}",
        standards="  a:\n    require: ok\n    window: per month\n",
    )
    code, _, err = lint(tmp_path, text)
    assert code == 2
    rendered = block(err, "SLA203")
    line = "contract: {id: x, currency: EUR, timezone: Europe/Berln}"
    assert rendered[1:] == [
        "  |",
        f"2 | {line}",
        "  | " + " " * line.index("Europe") + "^" * len("Europe/Berln") + " bad-value",
        "  = help: did you mean `Europe/Berlin`?",
    ]


def test_help_is_aligned_with_the_gutter_on_a_three_digit_line(tmp_path: Path) -> None:
    filler = "".join(f"  s{index}:\n    require: ok\n    window: per month\n"
                     for index in range(40))
    text = contract_yaml("ok: bool", standards=filler + "  z:\n    require: okk\n"
                         "    window: per month\n")
    code, _, err = lint(tmp_path, text)
    assert code == 2
    rendered = block(err, "SLA201")
    assert rendered[-1] == "    = help: did you mean `ok`?"
    assert rendered[1] == "    |"


def test_explain_accepts_the_slug_printed_under_the_caret() -> None:
    for name in ("unknown-field", "Unknown-Field", "SLA201", "sla201"):
        result = CliRunner().invoke(main, ["explain", name], catch_exceptions=False)
        assert result.exit_code == 0, name
        assert result.stdout.startswith("SLA201 unknown-field: ")
    result = CliRunner().invoke(main, ["explain", "unknown-feld"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "did you mean `unknown-field`?" in result.stderr


def test_an_invalid_standard_id_is_reported_at_that_key(tmp_path: Path) -> None:
    text = contract_yaml("ok: bool", standards=(
        "  good-one:\n    require: ok\n    window: per month\n"
        "  delivery-24 hrz:\n    require: okk\n    window: per month\n"
    ))
    code, _, err = lint(tmp_path, text)
    assert code == 2
    rendered = block(err, "SLA002")
    assert rendered[0] == f"{tmp_path / 'c.yaml'}:14:3: SLA002 `delivery-24 hrz` is not a valid " \
        "standard id"
    assert rendered[3] == "   |   ^^^^^^^^^^^^^^^ contract-shape"
    assert "slacheck: 1 problem and 1 warning in 1 contract" in err  # good-one: no-consequence


def test_a_nul_byte_is_shown_at_its_line_and_column(tmp_path: Path) -> None:
    text = contract_yaml("ok: bool", standards="  a:\n    require: ok\x00\n    window: per month\n")
    code, _, err = lint(tmp_path, text)
    assert code == 2
    rendered = block(err, "SLA001")
    assert rendered[0].startswith(f"{tmp_path / 'c.yaml'}:12:16: SLA001 ")
    assert rendered[3] == "   |                ^ yaml-syntax"
    assert "Traceback" not in err


def test_a_shape_error_reads_in_the_contracts_terms(tmp_path: Path) -> None:
    text = contract_yaml("ok: bool", standards="  a:\n    require: ok\n    target: {key: 99%}\n")
    code, _, err = lint(tmp_path, text)
    assert code == 2
    rendered = block(err, "SLA002")
    assert rendered[0] == (
        f"{tmp_path / 'c.yaml'}:13:13: SLA002 `target` must be a clause written as text, "
        "e.g. `97% per month`; found a mapping"
    )
    assert rendered[3] == "   |             ^^^^^^^^^^ contract-shape"


def errors_in(err: str, path: Path) -> list[str]:
    """The first lines of the errors (not the warnings) printed for `path`."""
    return [line for line in err.splitlines()
            if line.startswith(f"{path}:") and " warning: " not in line]


def codes_and_lines(err: str, path: Path) -> list[tuple[str, int]]:
    found = []
    for line in errors_in(err, path):
        if line.startswith(f"{path}:"):
            where, message = line[len(str(path)) + 1:].split(": ", 1)
            found.append((message.split()[0], int(where.split(":")[0])))
    return found


def test_a_time_field_of_the_wrong_type_and_a_deadline_on_it_in_one_run(tmp_path: Path) -> None:
    text = contract_yaml(
        "done: {type: timestamp, optional: true}",
        standards="  a:\n    require: done within 2h of at\n    window: per month\n",
    ).replace("    at: timestamp", "    at: date")
    code, _, err = lint(tmp_path, text)
    assert code == 2
    assert codes_and_lines(err, tmp_path / "c.yaml") == [("SLA203", 5), ("SLA202", 12)]
    assert "the time field `at` must be a required timestamp" in err
    assert "a deadline needs a timestamp here, not date" in err
    assert "= help: declare `at` as `timestamp`" in err


BROKEN_DECLARATIONS = """\
slacheck: 1
contract: {id: x, currency: CNY, timezone: UTC}
parameters:
  fee: 100 USD
  broken: 1 +
  share: 5%
records:
  id: id
  time: at
  fields:
    id: string
    at: date
    done: {type: timestamp, optional: true}
    ok: bool
    lane: {type: enum}
derived:
  a: b
  b: a
  c: done - done
  d: broken * 2
standards:
  s:
    require: done within 2h of at
    target: 97% per month
    credit: 5% of fee per missed month
  t:
    require: c > 1h and okk and lane == HAM
    window: per month
  u:
    require: d > 1 or ok
    window: per month
  v:
    require: ok and share > 1h
    window: per month
"""


def test_broken_declarations_do_not_hide_the_other_problems(tmp_path: Path) -> None:
    code, _, err = lint(tmp_path, BROKEN_DECLARATIONS)
    assert code == 2
    assert codes_and_lines(err, tmp_path / "c.yaml") == [
        ("SLA205", 4),   # fee in USD
        ("SLA101", 5),   # `broken` does not parse
        ("SLA203", 9),   # the time field is a date
        ("SLA203", 15),  # an enum without values
        ("SLA207", 17),  # a and b depend on each other
        ("SLA202", 23),  # the deadline on a date
        ("SLA201", 27),  # okk
        ("SLA202", 33),  # a number compared with a duration
    ]
    # nothing that follows from the problems above: `fee`, `c`, `lane`, `d` are declared
    assert "unknown field `fee`" not in err
    assert "unknown field `c`" not in err
    assert "`HAM` is not one of" not in err


HYPHENATED = contract_yaml(
    "lane: {type: enum, values: [HAM-MUC, BER-HAM, DE-1]}", "code: string",
    standards=(
        "  a:\n    require: lane == HAM-MUC\n    window: per month\n"          # line 13
        "  b:\n    require: lane in [BER-HAM, DE-1]\n    window: per month\n"  # line 16
        "  c:\n    require: HAM-MUX != lane\n    window: per month\n"          # line 19
        "  d:\n    require: code == ABC-1\n    window: per month\n"            # line 22
    ),
)


def test_a_bare_hyphenated_value_gets_one_diagnostic_with_quotes(tmp_path: Path) -> None:
    code, _, err = lint(tmp_path, HYPHENATED)
    assert code == 2
    path = tmp_path / "c.yaml"
    assert errors_in(err, path) == [
        f"{path}:13:22: SLA203 the value `HAM-MUC` must be written in quotes",
        f"{path}:16:23: SLA203 the value `BER-HAM` must be written in quotes",
        f"{path}:16:32: SLA203 the value `DE-1` must be written in quotes",
        f"{path}:19:14: SLA203 `HAM-MUX` is not one of enum[HAM-MUC, BER-HAM, DE-1]",
        f"{path}:22:22: SLA203 the value `ABC-1` must be written in quotes",
    ]
    assert '= help: write "HAM-MUC": bare, `HAM-MUC` reads as `HAM - MUC`' in err
    assert "did you mean `HAM-MUC`?" in err
    assert "unknown field" not in err


def test_a_percentage_compared_with_a_number_field_is_an_error(tmp_path: Path) -> None:
    text = contract_yaml("level: decimal", standards=(
        "  a:\n    require: level >= 99.8%\n    window: per month\n"
    ))
    code, _, err = lint(tmp_path, text)
    assert code == 2
    assert f"{tmp_path / 'c.yaml'}:12:14: SLA202 cannot compare number with ratio" in err
    assert "write `99.8` to compare with a number" in err


WARNED = contract_yaml(
    "ok: bool", "shipped: int", "ordered: int", "done: {type: timestamp, optional: true}",
    "late: {type: bool, optional: true}", "waived: {type: bool, default: false}",
    standards=(
        "  a:\n"
        "    for: done within 24h of at\n"                            # line 17
        "    except: late or waived\n"                                # line 18
        "    require: shipped / ordered >= 98%\n"                     # line 19
        "    window: per month\n"
        "  b:\n"
        "    require: ordered > 0 and shipped / ordered >= 98%\n"     # line 22: guarded
        "    window: per month\n"
        "  c:\n"
        "    require: ordered == 0 or shipped / (ordered * 2) < 1\n"  # line 25: not guarded
        "    window: per month\n"
    ),
)


def test_warnings_are_printed_and_lint_still_exits_0(tmp_path: Path) -> None:
    code, out, err = lint(tmp_path, WARNED)
    assert code == 0
    path = tmp_path / "c.yaml"
    assert [line for line in err.splitlines()
            if line.startswith(str(path)) and (": SLA301 " in line or ": SLA302 " in line)] == [
        f"{path}:17:10: SLA301 warning: `for` reads the optional field `done`, which has no "
        "default",
        f"{path}:18:13: SLA301 warning: `except` reads the optional field `late`, which has no "
        "default",
        f"{path}:19:24: SLA302 warning: the divisor `ordered` comes from the record and can be "
        "zero",
        f"{path}:25:41: SLA302 warning: the divisor `ordered * 2` comes from the record and can "
        "be zero",
    ]
    assert "   |          ^^^^ optional-in-condition" in err
    assert ("   = help: give `done` a default or test `done is present`: a record without it "
            "is counted as scope undetermined (the clause is neither true nor false)") in err
    assert "   = help: guard it (`ordered > 0 and ...`), or a record where it is zero cannot " \
        "be evaluated" in err
    # and the lint rules': `ok` read by no clause, three standards without a consequence
    assert out == "1 contract ok, 8 warnings\n"


def test_errors_and_warnings_are_counted_apart(tmp_path: Path) -> None:
    code, _, err = lint(tmp_path, WARNED.replace("require: shipped / ordered >= 98%",
                                                 "require: shipped / ordered >= 98% and okk"))
    assert code == 2
    assert "SLA201 unknown field `okk`" in err
    assert ":19:24: SLA302" not in err  # a clause with an error gets no warnings
    assert err.rstrip().endswith("slacheck: 1 problem and 6 warnings in 1 contract")


def test_explain_knows_the_warnings() -> None:
    for name in ("SLA301", "optional-in-condition", "SLA302", "divisor-from-record"):
        result = CliRunner().invoke(main, ["explain", name], catch_exceptions=False)
        assert result.exit_code == 0
        assert "(warning)" in result.stdout
    listing = CliRunner().invoke(main, ["explain"], catch_exceptions=False).stdout
    assert "SLA302" in listing


def test_warnings_do_not_stop_verify(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(WARNED, "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "at": "2025-03-01T00:00:00Z", "ok": true, "shipped": 99, '
                    '"ordered": 100, "done": "2025-03-01T10:00:00Z"}\n', "utf-8")
    result = CliRunner().invoke(main, ["verify", str(contract), str(data), "--as-of",
                                       "2025-05-01T00:00:00Z"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "verdict: COMPLIANT" in result.stdout


def test_yaml_nested_a_thousand_deep_is_a_diagnostic(tmp_path: Path) -> None:
    text = contract_yaml("ok: bool", standards="  a:\n    require: ok\n    window: per month\n")
    code, _, err = lint(tmp_path, text + "x: " + "[" * 1000 + "]" * 1000 + "\n")
    assert code == 2
    assert "SLA003 the contract is nested more than 32 deep" in err
    assert "Traceback" not in err


def _verify(tmp_path: Path, text: str, record: str) -> tuple[int, str, str]:
    contract = tmp_path / "c.yaml"
    contract.write_text(text, "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text(record + "\n", "utf-8")
    result = CliRunner().invoke(main, ["verify", str(contract), str(data), "--as-of",
                                       "2025-05-01T00:00:00Z"], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


DEEP_RECORD = '{"id": "a", "at": "2025-03-01T00:00:00Z", "ok": true, "level": 1}'


@pytest.mark.parametrize(
    ("require", "line", "column"),
    [
        (" and ".join(["ok"] * 200), 13, 14 + 7 * 100),
        ("not " * 5000 + "ok", 13, 14 + 4 * 100),
        (" + ".join(["level"] * 20_000) + " > 1", 13, 14 + 8 * 100),
        ("(ok and " * 300 + "ok" + ")" * 300, 13, 15 + 8 * 99),
    ],
    ids=["and-200", "not-5000", "sum-20000", "parentheses-300"],
)
def test_a_clause_too_deep_is_a_diagnostic_not_a_recursion_error(
    tmp_path: Path, require: str, line: int, column: int
) -> None:
    text = contract_yaml("ok: bool", "level: decimal", standards=(
        f"  a:\n    require: {require}\n    window: per month\n"))
    code, _, err = lint(tmp_path, text)
    assert code == 2
    assert f"c.yaml:{line}:{column}: SLA102 " in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "require",
    [
        " and ".join(["ok"] * 100),
        "not " * 99 + "ok",
        " + ".join(["level"] * 99) + " > 1",
        "(" * 97 + "level * 2" + ") * 2" * 97 + " > 1",
        "(ok or " * 99 + "ok" + ")" * 99,
    ],
    ids=["and-100", "not-99", "sum-99", "product-99", "or-nested-99"],
)
def test_a_clause_at_the_limit_lints_and_verifies(tmp_path: Path, require: str) -> None:
    text = contract_yaml("ok: bool", "level: decimal", standards=(
        f"  a:\n    require: {require}\n    window: per month\n"))
    code, out, err = lint(tmp_path, text)
    assert code == 0, err
    assert out.startswith("1 contract ok"), out  # perhaps warnings: an unused field
    code, out, err = _verify(tmp_path, text, DEEP_RECORD)
    assert code == 0, err
    assert "verdict: COMPLIANT" in out


def _chained_derived(count: int, use: str) -> str:
    derived = "derived:\n  d0: level + 1\n" + "".join(
        f"  d{index}: d{index - 1} + 1\n" for index in range(1, count))
    return contract_yaml("ok: bool", "level: decimal", standards=(
        f"  a:\n    require: {use}\n    window: per month\n")).replace("standards:\n",
                                                                       derived + "standards:\n")


def test_derived_fields_chained_too_deep_are_a_diagnostic(tmp_path: Path) -> None:
    # the compiler inlines derived fields: 300 chained ones were a RecursionError in verify
    code, _, err = lint(tmp_path, _chained_derived(300, "d299 > 1"))
    assert code == 2
    path = tmp_path / "c.yaml"
    # d0 is 2 deep, and each next one 2 more (`+`, then the name over the one before):
    # `d100: d99 + 1` (line 112) is the first past 200
    assert errors_in(err, path) == [
        f"{path}:112:9: SLA102 with the derived fields it uses, `d100` is nested more than "
        "200 deep",
    ]
    assert "Traceback" not in err


def test_derived_fields_chained_to_the_limit_verify(tmp_path: Path) -> None:
    text = _chained_derived(95, "d94 > 1 and ok")  # 3 + 190 deep
    code, out, err = lint(tmp_path, text)
    assert code == 0, err
    assert out.startswith("1 contract ok"), out  # perhaps warnings: an unused field
    code, out, err = _verify(tmp_path, text, DEEP_RECORD)
    assert code == 0, err


HARDENED = """\
slacheck: 1
contract: {id: x, currency: CNY, timezone: Asia/Shanghai, effective: {from: "2025-01-01"}}
parameters:
  monthly_fee: 100 CNY / 0
  huge_fee: 10000000000000000 CNY
  factor: 1000000000 * 1000000000
records:
  id: id
  time: at
  fields:
    id: string
    at: timestamp
    done: {type: timestamp, optional: true}
    level: decimal
    ok: bool
standards:
  a:
    require: done within 924000000h of at
    window: per month
  b:
    require: level / (2 - 2) > 1
    window: per month
  c:
    require: at + 24h * 100000000 > at and ok
    window: per month
  d:
    require: ok
    window: per month
    penalty: 99999999999999999999999999999 CNY per breach
  e:
    require: ok
    target: 97% per month
    disqualify: after 100000000000000000000000000000000000000000000000 consecutive missed months
"""


def test_constants_that_would_crash_verify_are_reported_where_they_stand(tmp_path: Path) -> None:
    code, _, err = lint(tmp_path, HARDENED)
    assert code == 2
    path = tmp_path / "c.yaml"
    assert errors_in(err, path) == [
        f"{path}:4:26: SLA209 division by zero",
        f"{path}:5:13: SLA203 `10000000000000000 CNY` is out of range",
        f"{path}:6:11: SLA210 `1000000000 * 1000000000` is out of range",
        f"{path}:18:26: SLA203 `924000000h` is out of range",
        f"{path}:21:23: SLA209 division by zero",
        f"{path}:24:19: SLA210 `24h * 100000000` is out of range",
        f"{path}:29:14: SLA203 `99999999999999999999999999999 CNY` is out of range",
        f"{path}:33:23: SLA203 `100000000000000000000000000000000000000000000000` is out of "
        "range",
    ]
    assert "= help: numbers and amounts must be less than 10^15 in size" in err
    assert "= help: a duration is at most 100 years (36525d)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("effective", "column", "hint"),
    [('{from: "0001-01-01"}', 77, "leave `from` out"),
     ('{to: "9999-12-31"}', 75, "leave `to` out")],
)
def test_effective_dates_out_of_range_are_reported(
    tmp_path: Path, effective: str, column: int, hint: str
) -> None:
    text = HARDENED.split("parameters:")[0].replace('{from: "2025-01-01"}', effective) + (
        "records: {id: id, time: at, fields: {id: string, at: timestamp, ok: bool}}\n"
        "standards:\n  a: {require: ok, window: per month}\n")
    code, _, err = lint(tmp_path, text)
    assert code == 2
    assert f"c.yaml:2:{column}: SLA203 " in err
    assert hint in err


def test_constants_at_the_limits_lint_and_verify(tmp_path: Path) -> None:
    text = contract_yaml(
        "ok: bool", "done: {type: timestamp, optional: true}",
        parameters="fee: 999999999999999.99 CNY\ncap: 999999999999.99 CNY",
        standards=("  a:\n    require: done within 36525d of at\n    target: 50% per month\n"
                   "    penalty: 999999999999.99 CNY per breach, at most cap per month\n"
                   "    credit: 0.1% of fee per missed month\n"),
    )
    code, out, err = lint(tmp_path, text)
    assert code == 0, err
    assert out.startswith("1 contract ok"), out  # perhaps warnings: an unused field
    code, out, err = _verify(tmp_path, text, '{"id": "a", "at": "2025-03-01T00:00:00Z", '
                             '"ok": true, "done": "2025-03-02T00:00:00Z"}')
    assert code == 0, err


SHAPES_AND_CLAUSES = """\
slacheck: 1
contract: {id: x, currency: CNY, timezone: UTC, decimals: two, effective: {form: "2025-01-01"}}
parameters:
  fee: [100 CNY]
  share: 5%
records:
  id: id
  time: at
  fields:
    id: string
    at: timestamp
    lost: boolean
    ok: bool
derived:
  half: share / 2
zzz: 1
standards:
  a:
    require: not lost and fee > 0 CNY
    window: per month
  b:
    require: okk and half < 1
    window: per month
"""


def test_shape_errors_outside_the_standards_do_not_hide_clause_problems(tmp_path: Path) -> None:
    code, _, err = lint(tmp_path, SHAPES_AND_CLAUSES)
    assert code == 2
    assert codes_and_lines(err, tmp_path / "c.yaml") == [
        ("SLA002", 2),   # decimals
        ("SLA002", 2),   # form
        ("SLA002", 4),   # fee is a list
        ("SLA002", 12),  # lost: boolean
        ("SLA002", 16),  # zzz
        ("SLA201", 22),  # okk, in a standard that uses nothing broken
    ]
