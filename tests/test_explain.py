"""`slacheck explain`: a diagnostic code as before, and how one figure of a run was computed.

The figures expected here come from the cases' hand-worked READMEs, the acceptance case's
`expected.json` and README, and the data lines themselves, read by eye.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from slacheck.cli import main
from tests.conftest import AS_OF, ROOT, contract_yaml

ACCEPTANCE = ["contracts/motorola-sinotrans.yaml", "examples/motorola-sinotrans/shipments.jsonl",
              "--as-of", AS_OF]
TIERS = ["tests/cases/tiers/contract.yaml", "tests/cases/tiers/records.jsonl",
         "--as-of", "2024-08-01T00:00:00+08:00"]
PERCENTILES = ["tests/cases/percentiles/contract.yaml", "tests/cases/percentiles/records.jsonl",
               "--as-of", "2025-04-01T00:00:00Z"]
RATIO = ["tests/cases/ratio-of-sums/contract.yaml", "tests/cases/ratio-of-sums/records.jsonl",
         "--as-of", "2025-03-01T00:00:00Z"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _explain(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["explain", *args], input=stdin)


def _ok(*args: str, stdin: str | None = None) -> list[str]:
    run = _explain(*args, stdin=stdin)
    assert run.exit_code == 0, run.output
    return [line.strip() for line in run.stdout.splitlines()]


# -- the diagnostic codes, as before ---------------------------------------------------


def test_a_code_or_slug_is_still_explained() -> None:
    assert _ok("SLA201")[0] == ("SLA201 unknown-field: A clause names a field or parameter "
                                "that is not declared.")
    assert _ok("unknown-field") == _ok("SLA201")
    listing = _ok()
    assert listing[0].startswith("SLA001  yaml-syntax")
    wrong = _explain("SLA999")
    assert wrong.exit_code == 2
    assert "no diagnostic code `SLA999`" in wrong.stderr


def test_a_contract_alone_or_options_without_data_say_how_to_explain_a_run() -> None:
    alone = _explain("contracts/motorola-sinotrans.yaml")
    assert alone.exit_code == 2
    assert "slacheck explain contracts/motorola-sinotrans.yaml DATA... --standard ID" in \
        alone.stderr
    options = _explain("SLA201", "--standard", "delivery-24h")
    assert options.exit_code == 2
    assert "explain a run" in options.stderr
    no_standard = _explain(*ACCEPTANCE)
    assert no_standard.exit_code == 2
    assert "needs --standard ID" in no_standard.stderr


# -- one window ------------------------------------------------------------------------


def test_a_rate_window_with_its_records_arithmetic_and_status() -> None:
    lines = _ok(*TIERS, "--standard", "on-time", "--window", "2024-07", "--group", "tier=key")
    # tests/cases/tiers/README.md: key, 10 shipments, E07 late: 9/10 = 90.00% < 99%
    assert lines[lines.index("10 records in the window") + 1:] == [
        "passed: 9",
        "E01 (line 1), E02 (line 2), E03 (line 3), E04 (line 4), E05 (line 5), E06 (line 6), "
        "E08 (line 8), E09 (line 9), E10 (line 10)",
        "breached: 1",
        "E07 (line 7)",
        "rate = passed / (passed + breached) = 9 / (9 + 1) = 9/10 = 90.00% (pending and "
        "excluded records are outside both)",
        "target: rate >= 99%",
        "at least 5 records: 10 measured, enough",
        "90.00% >= 99%: does not hold",
        "status: missed",
        "the run's result agrees: the same counts, figure, sample and status",
        "",
        "consequences: none (no penalty, service credit, disqualify or escalate clause under "
        "on-time)"]


def test_below_the_minimum_sample_and_no_commitment() -> None:
    general = _ok(*TIERS, "--standard", "on-time", "--window", "2024-07", "--group", "general")
    # general: 3 shipments, fewer than 5: not evaluated
    assert "at least 5 records: 3 measured, too few: not evaluated" in general
    assert "status: not evaluated" in general
    harmful = _ok(*TIERS, "--standard", "on-time", "--window", "2024-07", "--group", "harmful")
    assert "target: none for tier=harmful: no commitment" in harmful
    everything = _ok(*TIERS, "--standard", "on-time")
    assert everything[everything.index("4 windows (records outside the contract period: 0); "
                                       "--window W for the records behind one:") + 1:][:4] == [
        "2024-07 tier=general: passed 2, breached 1; rate 66.67%; not evaluated",
        "2024-07 tier=harmful: breached 1; rate 0.00%; no commitment",
        "2024-07 tier=key: passed 9, breached 1; rate 90.00%; missed",
        "2024-07 tier=suitable: passed 5, breached 1; rate 83.33%; missed"]


def test_the_acceptance_window_with_exclusions_and_a_capped_penalty() -> None:
    lines = _ok(*ACCEPTANCE, "--standard", "delivery-24h", "--window", "2025-02",
                "--evidence-limit", "3")
    # examples/motorola-sinotrans/expected.json: 216 passed, 11 breached, 8 excluded for
    # force majeure in February; 11 breaches at 1000.00 capped at 10000.00
    assert "excluded: 8" in lines
    assert any(line.startswith("force_majeure: 8: ") and line.endswith(
        "and 5 more (--evidence-limit 8 lists them all)") for line in lines)
    assert "passed: 216" in lines
    assert "breached: 11" in lines
    assert ("rate = passed / (passed + breached) = 216 / (216 + 11) = 216/227 = 95.15% "
            "(pending and excluded records are outside both)") in lines
    assert "95.15% >= 97%: does not hold" in lines
    assert ("2025-02: 11 priced breaches, gross 11000.00 CNY; capped at 10000.00 CNY: "
            "-1000.00 -> net 10000.00 CNY") in lines
    assert "total owed under delivery-24h: 22000.00 CNY" in lines
    assert "the run's result agrees: the same counts, figure, sample and status" in lines


def test_a_disqualification_names_its_rule_time_and_records() -> None:
    lines = _ok(*ACCEPTANCE, "--standard", "safe-custody")
    # README: disqualified under safe-custody at 2025-03-29T11:06:00+08:00, 3 breaches
    # within 90 days: MOT-25-00036 (line 36), MOT-25-00641 (line 647), MOT-25-01260 (line 1266)
    assert "disqualify after 3 breaches less than 90d apart" in lines
    assert ("disqualified at 2025-03-29T11:06:00+08:00: 3 breaches within 90 days; records: "
            "MOT-25-00036 (line 36), MOT-25-00641 (line 647), MOT-25-01260 (line 1266)") in lines


def test_measures_give_their_own_arithmetic() -> None:
    p95 = _ok(*PERCENTILES, "--standard", "p95-under-19h", "--window", "2025-03")
    # 20 values 1h..20h: nearest rank ceil(0.95 * 20) = 19, the 19th smallest, 19h
    assert ("p95(transit): nearest rank, the ceil(0.95 x 20) = 19th smallest of 20 values "
            "= 19h") in p95
    assert "the values ranked around it: #18 18h, #19 19h, #20 20h" in p95
    assert "19h < 19h: does not hold" in p95
    mean = _ok(*PERCENTILES, "--standard", "mean", "--window", "2025-03")
    assert "mean(transit) = sum / count = 210h / 20 = 10.5h" in mean  # 1 + ... + 20 = 210
    median = _ok(*PERCENTILES, "--standard", "median", "--window", "2025-03")
    assert "warn above 9h: 10h is inside the warning band" in median
    assert "status: warned" in median
    count = _ok(*PERCENTILES, "--standard", "very-slow", "--window", "2025-03")
    assert ("count(transit > 18h): 2 of the 20 records with a known value: P19 (line 19), "
            "P20 (line 20)") in count
    january = _ok(*RATIO, "--standard", "fill-rate", "--window", "2025-01")
    # (99 + 50 + 48) / (100 + 50 + 50)
    assert ("sum(shipped) / sum(ordered) over 3 records with both values known = 197 / 200 = "
            "197/200 = 98.50%") in january
    february = _ok(*RATIO, "--standard", "fill-rate", "--window", "2025-02")
    assert ("sum(shipped) / sum(ordered) over 1 record with both values known = 0 / 0: the "
            "denominator adds up to 0, so no figure") in february
    assert "status: not evaluated" in february


# -- one record ------------------------------------------------------------------------


def test_a_record_clause_by_clause() -> None:
    late = _ok(*TIERS, "--standard", "on-time", "--record", "E07")
    # E07: due 8 July 18:00, delivered 9 July 10:00: 16 hours late
    assert late == [
        "record E07: tests/cases/tiers/records.jsonl line 7, under standard on-time",
        "fields: tier key, due_at 2024-07-08T18:00:00+08:00, delivered_at "
        "2024-07-09T10:00:00+08:00, freight_charge 1000.00",
        "due_at 2024-07-08T18:00:00+08:00: window 2024-07, group tier=key",
        "require: `delivered_at <= due_at`: delivered_at 2024-07-09T10:00:00+08:00 is 16h "
        "after due_at 2024-07-08T18:00:00+08:00, so `delivered_at <= due_at` is false: breach",
        "counted as: breached, in 2024-07 tier=key"]


def test_a_deadline_overdue_and_a_record_out_of_scope() -> None:
    overdue = _ok(*ACCEPTANCE, "--standard", "delivery-24h", "--record", "MOT-25-01201")
    # line 1207: picked up 2025-03-25T01:39Z, never delivered; due 24h later
    assert ("require: `delivered_at within 24h of picked_up_at`: delivered_at is absent; it "
            "was due by 2025-03-26T01:39:00+00:00 (24h after picked_up_at "
            "2025-03-25T01:39:00+00:00), and as of 2025-04-01T00:00:00+08:00 it is overdue: "
            "breach (overdue: the event is still absent)") in overdue
    assert "counted as: breached (overdue), in 2025-03" in overdue
    assert ("penalty: 1000.00 CNY per breach, at most 10000.00 CNY per month: 1000.00 CNY"
            in overdue)
    ocean = _ok(*ACCEPTANCE, "--standard", "delivery-24h", "--record", "MOT-25-00001")
    assert ("for: `service in [air_export, air_import, domestic_air]`: service ocean, so "
            "`service in [air_export, air_import, domestic_air]` is false") in ocean
    assert "counted as: not in scope, in 2025-01" in ocean
    late = _ok(*ACCEPTANCE, "--standard", "delivery-24h", "--record", "MOT-25-00451")
    # line 455: picked up 2025-02-01T08:09, delivered 2025-02-02T15:20:47.694031: 31h 11min
    # 47.694031s later
    assert any("is 31h 11min 47.694031s after picked_up_at 2025-02-01T08:09:00+08:00; limit "
               "24h: breach" in line for line in late)


def test_a_record_of_a_measure_says_what_it_adds() -> None:
    lines = _ok(*PERCENTILES, "--standard", "very-slow", "--record", "P19")
    assert ("require: none written (the target is on a measure): every record in scope and "
            "not excluded passes") in lines
    assert "adds 1 to count(transit > 18h): transit 19h, so `transit > 18h` is true" in lines
    ratio = _ok(*RATIO, "--standard", "fill-rate", "--record", "R3")
    assert ("adds 48 / 50 to sum(shipped) / sum(ordered): shipped 48; ordered 50") in ratio


def test_scope_undetermined_and_evaluation_errors(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml(
        "region: {type: string, optional: true}", "a: int", "b: int",
        standards="  s:\n    for: region == \"EU\"\n    require: a / b >= 1\n"
                  "    target: 50% per month\n"), "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text(
        '{"id": "r1", "at": "2025-01-05T10:00:00+08:00", "region": "EU", "a": 2, "b": 1}\n'
        '{"id": "r2", "at": "2025-01-06T10:00:00+08:00", "a": 2, "b": 1}\n'
        '{"id": "r3", "at": "2025-01-07T10:00:00+08:00", "region": "EU", "a": 1, "b": 0}\n'
        '{"id": "r4", "at": "2025-01-08T10:00:00+08:00", "region": "US", "a": 1, "b": 1}\n'
        '{"id": "r5", "at": "2025-01-09T10:00:00+08:00", "region": "EU", "a": 0, "b": 1}\n',
        "utf-8")
    run = [str(contract), str(data), "--as-of", "2025-03-01", "--standard", "s"]
    lines = _ok(*run, "--window", "2025-01")
    assert lines[lines.index("5 records in the window") + 1:][:10] == [
        "not in scope: 1 (the `for` clause is false)",
        "scope undetermined: 1 (a field `for` or `except` needs is absent)",
        "r2 (line 2)",
        "evaluation error: 1 (left out of the counts)",
        "r3 (line 3): division by zero: `b` is 0",
        "passed: 1",
        "r1 (line 1)",
        "breached: 1",
        "r5 (line 5)",
        "rate = passed / (passed + breached) = 1 / (1 + 1) = 1/2 = 50.00% (pending and "
        "excluded records are outside both)"]
    assert "status: met" in lines  # 50% >= 50%
    assert "the run's result agrees: the same counts, figure, sample and status" in lines
    error = _ok(*run, "--record", "r3")
    assert ("require: cannot be evaluated: division by zero: `b` is 0: an evaluation error, "
            "left out of the counts") in error


def test_standard_input_is_read_twice(tmp_path: Path) -> None:
    records = (ROOT / "tests/cases/tiers/records.jsonl").read_text("utf-8")
    lines = _ok("tests/cases/tiers/contract.yaml", "-", "--as-of",
                "2024-08-01T00:00:00+08:00", "--standard", "on-time", "--window", "2024-07",
                "--group", "suitable", stdin=records)
    assert "rate = passed / (passed + breached) = 5 / (5 + 1) = 5/6 = 83.33% (pending and " \
           "excluded records are outside both)" in lines
    record = _ok("tests/cases/tiers/contract.yaml", "-", "--as-of",
                 "2024-08-01T00:00:00+08:00", "--standard", "on-time", "--record", "E13",
                 stdin=records)
    assert record[0] == "record E13: - line 13, under standard on-time"


@pytest.mark.parametrize(("args", "message"), [
    (["--standard", "on-tme"], "no standard `on-tme` in the contract; did you mean `on-time`?"),
    (["--standard", "on-time", "--window", "2024-08"],
     "no window `2024-08` under on-time; its windows: 2024-07"),
    (["--standard", "on-time", "--group", "tier=vip"],
     "no group `tier=vip` under on-time; its groups: tier=general, tier=harmful, tier=key, "
     "tier=suitable"),
    (["--standard", "on-time", "--record", "E99"], "no accepted record with id `E99`"),
])
def test_what_the_run_does_not_have_is_a_command_error(args: list[str], message: str) -> None:
    run = _explain(*TIERS, *args)
    assert run.exit_code == 2
    assert message in run.stderr


def test_a_broken_contract_keeps_its_exit_code(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text("slacheck: 1\ncontract: {id: x}\n", "utf-8")
    run = _explain(str(contract), "tests/cases/tiers/records.jsonl", "--standard", "s")
    assert run.exit_code == 2
    missing = _explain(*TIERS[:1], "nowhere.jsonl", "--standard", "on-time")
    assert missing.exit_code == 3


def test_a_record_whose_group_cannot_be_looked_up() -> None:
    case = "tests/cases/expressions"
    run = [f"{case}/contract.yaml", f"{case}/records.jsonl", "--as-of",
           "2024-08-01T00:00:00+08:00", "--standard", "fill-rate"]
    lines = _ok(*run, "--record", "R5")
    assert lines[-1] == ("its group (cannot be evaluated: `X9` is not a key of table "
                         "`customer_tier`): an evaluation error of this standard, counted in "
                         "no window")
    # the window's arithmetic leaves it out, as the run does
    assert "passed: 2" in _ok(*run, "--window", "2024-07", "--group", "key")


def test_an_overdue_record_whose_penalty_is_deferred_says_so() -> None:
    case = ROOT / "tests" / "cases" / "sla-domain-b"
    lines = _ok(str(case / "contract.yaml"), str(case / "records.jsonl"), "--standard",
                "R-B-24h", "--record", "B7", "--as-of", "2024-07-10T00:00:00+08:00")
    assert ("penalty: freight_charge per breach, deferred while open: freight_charge = "
            "610.00 CNY; 610.00 CNY, deferred: owed once the record closes, not in the "
            "totals") in lines


# -- rolling windows --------------------------------------------------------------------

ROLLING = ["tests/cases/rolling-window/contract.yaml", "tests/cases/rolling-window/records.jsonl",
           "--as-of", "2024-03-08T12:00:00+08:00", "--standard", "next-day"]


def test_a_rolling_standard_lists_its_windows_as_the_run_has_them() -> None:
    # tests/cases/rolling-window/README.md: six windows, 1 March/3 March to 6 March/8 March
    lines = _ok(*ROLLING)
    assert lines[3] == ("6 windows (records outside the contract period: 0); --window W for "
                        "the records behind one:")
    assert lines[4:10] == [
        "2024-03-01/2024-03-03: passed 2, breached 1; rate 66.67%; missed",
        "2024-03-02/2024-03-04: passed 1, breached 1; rate 50.00%; missed",
        "2024-03-03/2024-03-05: passed 1; rate 100.00%; met",
        "2024-03-04/2024-03-06: passed 1; rate 100.00%; met",
        "2024-03-05/2024-03-07: passed 1, breached 1; rate 50.00%; missed",
        "2024-03-06/2024-03-08: breached 1; rate 0.00%; missed"]
    assert not any("differs" in line or "no such window" in line for line in lines)


@pytest.mark.parametrize("window", ["2024-03-02/2024-03-04", "2024-03-04"])
def test_a_rolling_window_is_explained_by_its_label_or_its_last_day(window: str) -> None:
    # the days 2 to 4 March (Asia/Shanghai): R2 (picked up 03-02 01:00 local, delivered 30h
    # later: breached) and R3 (03-02 23:59 local, 18h01: passed); R1's day is 1 March and
    # R4's 5 March, outside it. 1 / (1 + 1) = 50% < 75%: missed
    lines = _ok(*ROLLING, "--window", window)
    start = lines.index("window 2024-03-02/2024-03-04: records with picked_up_at from "
                        "2024-03-02T00:00:00+08:00 to 2024-03-05T00:00:00+08:00 (end exclusive)")
    assert lines[start + 1:start + 13] == [
        "the 3 local days ending 2024-03-04 in Asia/Shanghai; a record counts in every window "
        "that holds its day",
        "2 records in the window",
        "passed: 1",
        "R3 (line 3)",
        "breached: 1",
        "R2 (line 2)",
        "rate = passed / (passed + breached) = 1 / (1 + 1) = 1/2 = 50.00% (pending and excluded "
        "records are outside both)",
        "target: rate >= 75%",
        "50.00% >= 75%: does not hold",
        "status: missed",
        "the run's result agrees: the same counts, figure, sample and status",
        ""]


def test_a_rolling_standards_record_names_every_window_that_holds_its_day() -> None:
    # R2's local day is 2 March: the windows ending 2, 3 and 4 March hold it, but the one
    # ending 2 March would start on 29 February, before the contract
    lines = _ok(*ROLLING, "--record", "R2")
    assert lines[2] == ("picked_up_at 2024-03-01T17:00:00+00:00 (day 2024-03-02): windows "
                        "2024-03-01/2024-03-03, 2024-03-02/2024-03-04")
    assert lines[-1] == "counted as: breached, in 2024-03-01/2024-03-03, 2024-03-02/2024-03-04"


def test_a_rolling_window_the_run_does_not_have_lists_those_it_has() -> None:
    run = _explain(*ROLLING, "--window", "2024-03-09")
    assert run.exit_code == 2
    assert "no window `2024-03-09` under next-day; its windows: 2024-03-01/2024-03-03, " in \
        run.stderr


# -- one breach's penalty, step by step -------------------------------------------------

GRADUATED = ["tests/cases/late-delivery-graduated/contract.yaml",
             "tests/cases/late-delivery-graduated/records.jsonl",
             "--as-of", "2024-04-01T00:00:00+08:00"]


@pytest.mark.parametrize(("standard", "record", "arithmetic"), [
    # tests/cases/late-delivery-graduated/README.md, all due 1 March 12:00 +08:00
    # A4: 11 d 6 h late, rounded up to 12 d: 6 completed periods x 525.00 = 3150, capped at
    # 55% of 5000.00 = 2750.00
    ("completed", "A4", "10.5% of goods_value = 525.00 CNY; delay = 270h, rounded up to 24h: "
                        "12d: 6 completed periods of 2d; 6 x 525.00 = 3150.00 CNY; at most 55% "
                        "of goods_value = 2750.00 CNY per breach; 2750.00 CNY"),
    # A7: 2 d 21 h 30 min, rounded up to 3 d: 2 started periods x 129.6225 = 259.245, half up
    ("started", "A7", "10.5% of goods_value = 129.6225 CNY; delay = 69.5h, rounded up to 24h: "
                      "3d: 2 started periods of 2d; 2 x 129.6225 = 259.245 CNY; 259.245, "
                      "rounded half up to 259.25 CNY"),
    # A7 pro rata on the exact delay: 69.5 / 48 = 139/96 of a period; x 129.6225 =
    # 187.682578125, half up 187.68
    ("pro-rata", "A7", "10.5% of goods_value = 129.6225 CNY; delay = 69.5h: 139/96 of a "
                       "period of 2d (pro rata); 139/96 x 129.6225 = 187.682578125 CNY; "
                       "187.682578125, rounded half up to 187.68 CNY"),
    # A2: 1 d 1 h, rounded down to 1 d: half a period x 1050.00 = 525.00
    ("pro-rata-whole-days", "A2", "10.5% of goods_value = 1050.00 CNY; delay = 25h, rounded "
                                  "down to 24h: 24h: 1/2 of a period of 2d (pro rata); 1/2 x "
                                  "1050.00 = 525.00 CNY; 525.00 CNY"),
])
def test_a_breachs_penalty_is_explained_step_by_step(standard: str, record: str,
                                                     arithmetic: str) -> None:
    lines = _ok(*GRADUATED, "--standard", standard, "--record", record)
    (penalty,) = [line for line in lines if line.startswith("penalty: ")]
    assert penalty.endswith(" per breach: " + arithmetic)
    assert "differs" not in penalty


def test_a_penalty_kept_exact_until_the_window_says_so(tmp_path: Path) -> None:
    # 10% of fee 0.025 = 0.0025, not rounded per breach under round_at: window
    head = "contract: {id: r, currency: EUR, timezone: UTC, round_at: window}"
    contract = tmp_path / "c.yaml"
    contract.write_text(contract_yaml("ok: bool", "fee: money", head=head, standards=(
        "  s:\n    require: ok\n    window: per month\n    penalty: 10% of fee per breach\n")),
        "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "r1", "at": "2025-06-02T00:00:00Z", "ok": false, "fee": "0.025"}\n',
                    "utf-8")
    lines = _ok(str(contract), str(data), "--as-of", "2025-08-01T00:00:00Z", "--standard", "s",
                "--record", "r1")
    assert lines[-1] == ("penalty: 10% of fee per breach: 10% of fee = 0.0025 EUR; 0.0025 EUR, "
                         "kept exact (the contract rounds each window's sum)")


def test_an_escalation_ladder_is_explained_rule_by_rule() -> None:
    # tests/cases/escalation/README.md: misses in February, April and June 2024; within 6
    # months the 1st gives a notice (1 March), the 2nd a plan (1 May), the 3rd a termination
    # right (1 July); no two months in a row are missed
    args = ["tests/cases/escalation/contract.yaml", "tests/cases/escalation/records.jsonl",
            "--as-of", "2024-07-01T00:00:00+08:00", "--standard", "on-time"]
    lines = _ok(*args)
    start = lines.index("escalate: after 3 missed months within 6 months: termination right "
                        "(reached after 3 missed windows within 6 windows, the last one "
                        "included)")
    assert lines[start + 1] == ("reached at 2024-07-01T00:00:00+08:00, when 2024-06 closed: "
                                "termination right; missed 2024-02, 2024-04, 2024-06; records: "
                                "H-0215 (line 5), H-0405 (line 10), H-0625 (line 18)")
    assert lines[-2:] == ["escalate: after 2 consecutive missed months: termination right "
                          "(reached after 2 missed windows in a row)", "not reached"]
    april = _ok(*args, "--window", "2024-04")
    start = april.index("escalate: after 2 missed months within 6 months: \"corrective action "
                        "plan\" (reached after 2 missed windows within 6 windows, the last one "
                        "included)")
    assert april[start + 1].startswith("reached at 2024-05-01T00:00:00+08:00, when 2024-04 "
                                       "closed")
    assert april[april.index("escalate: after 1 missed month within 6 months: notice "
                             "(reached after 1 missed window within 6 windows, the last one "
                             "included)") + 1] == "not reached in this window"


def test_a_standard_in_a_pool_says_what_the_pools_limit_took_off() -> None:
    # tests/cases/credit-pool: June, 10,000.00 (accuracy) + 12,000.00 (dispatch) = 22,000.00
    # against the at-risk limit of 10% of 200,000.00 = 20,000.00: 2,000.00 taken off
    lines = _ok("tests/cases/credit-pool/contract.yaml", "tests/cases/credit-pool/records.jsonl",
                "--as-of", "2024-07-01T00:00:00+08:00", "--standard", "dispatch")
    assert lines[-1] == ("pool at-risk (with accuracy), 2024-06: credits 22000.00 CNY in all, "
                         "at most 20000.00 CNY: -2000.00 CNY taken off the pool's credits; "
                         "owed 20000.00 CNY")


def test_an_amount_at_the_nth_breach_is_explained_apart_with_its_breaches() -> None:
    case = ROOT / "tests" / "cases" / "po-failure-fee"
    run = [str(case / "contract.yaml"), str(case / "records.jsonl"), "--standard",
           "po-confirmed", "--as-of", "2024-06-01T00:00:00+08:00"]
    lines = _ok(*run)
    at = lines.index("penalty: 599.99 USD at every 5th breach within 60d")
    assert lines[at + 1] == ("2024-02: due at 2024-02-29T10:00:00+08:00, the 5th breach: "
                             "599.99 USD; breaches F1 (line 1), F2 (line 3), F3 (line 4), "
                             "F4 (line 5), F5 (line 6)")
    # the per-breach lines are the 25.00 a breach alone: February's 2 breaches, 50.00
    assert "2024-02: 2 priced breaches, gross 50.00 USD; net 50.00 USD" in lines
    assert not any("5 priced breaches" in line for line in lines)
    assert lines[-1].startswith("2024-05: due at 2024-05-01T09:00:00+08:00")
    march = _ok(*run, "--window", "2024-03")
    assert march[-1] == "not reached in this window"


def test_payments_are_explained_per_window() -> None:
    case = ROOT / "tests" / "cases" / "delivery-fee-net"
    lines = _ok(str(case / "contract.yaml"), str(case / "records.jsonl"), "--standard",
                "on-time", "--as-of", "2025-04-10T00:00:00+00:00")
    assert "2025-03: 215.00 USD, owed by the customer" in lines
    assert "2025-04: 33.33 USD so far (the window is open), owed by the customer" in lines
    assert lines[-1] == "total: 248.33 USD"
    assert not any(line.startswith("consequences: none") for line in lines)
