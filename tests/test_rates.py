"""Other currencies converted at rates given at run time (`rates:`, `--rate`, `--rates`).
Every amount here is computed by hand in its comment."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from slacheck.api import verify
from slacheck.checker import check
from slacheck.cli import main
from slacheck.diagnostics import ContractError, RatesError
from slacheck.loader import load_contract_text
from slacheck.rates import parse_option, read_file, resolve
from tests.conftest import contract_yaml

HEAD = ("contract: {id: r, currency: USD, timezone: UTC}\n"
        "rates:\n  SDR: {date: \"2025-03-31\"}\n  EUR: {}")
AS_OF = datetime.fromisoformat("2025-04-01T00:00:00+00:00")


def _contract(standards: str) -> str:
    return contract_yaml("ok: bool", "kg: decimal", head=HEAD, standards=standards)


TWO = _contract(
    "  limit:\n    require: ok\n    window: per month\n"
    "    penalty: 8.33 SDR * kg per breach\n"
    "  flat:\n    require: ok\n    window: per month\n    penalty: 10 USD per breach\n")


def _data(tmp_path: Path) -> Path:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": "a", "at": "2025-03-01T00:00:00Z", "ok": False,
                                "kg": "3"}) + "\n", "utf-8")
    return path


def test_an_amount_in_another_currency_is_converted_exactly(tmp_path: Path) -> None:
    result = verify(load_contract_text(TWO), str(_data(tmp_path)), as_of=AS_OF,
                    rates={"SDR": "1.35", "EUR": "1.08"})
    # 8.33 x 1.35 = 11.2455 USD per kg x 3 = 33.7365 -> 33.74 (half up, per record)
    limit, flat = result.standards
    assert limit.penalties == Decimal("33.74")
    assert flat.penalties == Decimal("10.00")
    # each standard records only the rates its amounts used; the result every rate
    assert [rate.text for rate in limit.rates] == ["1 SDR = 1.35 USD at 2025-03-31"]
    assert flat.rates == ()
    assert [(rate.currency, rate.rate) for rate in result.rates] == [
        ("SDR", Decimal("1.35")), ("EUR", Decimal("1.08"))]


def test_a_missing_an_unknown_or_a_float_rate_is_refused(tmp_path: Path) -> None:
    contract = load_contract_text(TWO)
    with pytest.raises(RatesError, match="converts EUR into USD"):
        verify(contract, str(_data(tmp_path)), as_of=AS_OF, rates={"SDR": "1.35"})
    with pytest.raises(RatesError, match="declares no such currency"):
        verify(contract, str(_data(tmp_path)), as_of=AS_OF,
               rates={"SDR": "1.35", "EUR": "1", "GBP": "1.2"})
    with pytest.raises(RatesError, match="is a float"):
        verify(contract, str(_data(tmp_path)), as_of=AS_OF,
               rates={"SDR": 1.35, "EUR": "1"})  # type: ignore[dict-item]


@pytest.mark.parametrize("text", ["SDR", "SDR=", "sdr=1.35", "SDR=1,35", "SDR=-1", "SDR=1e3",
                                  "SDR=0", "SDR=0.000"])
def test_a_bad_rate_option_is_a_usage_error(text: str) -> None:
    with pytest.raises(RatesError):
        parse_option(text)


def test_a_rates_file_is_read_from_the_text_as_written(tmp_path: Path) -> None:
    path = tmp_path / "rates.yaml"
    path.write_text("SDR: 1.3500000000000000000001\nEUR: \"1.08\"\n", "utf-8")
    assert read_file(path) == {"SDR": Decimal("1.3500000000000000000001"),
                               "EUR": Decimal("1.08")}
    path.write_text("SDR: 1.35\nSDR: 1.36\n", "utf-8")
    with pytest.raises(RatesError, match=r"rates.yaml:2: the rate of SDR is given twice"):
        read_file(path)
    path.write_text("- SDR\n", "utf-8")
    with pytest.raises(RatesError, match="not a mapping"):
        read_file(path)


def test_two_different_rates_for_one_currency_are_refused() -> None:
    contract = load_contract_text(TWO)
    with pytest.raises(RatesError, match="two rates for SDR"):
        resolve(contract, [("SDR", Decimal("1.35"), "--rate"), ("SDR", Decimal("1.36"), "f"),
                           ("EUR", Decimal(1), "--rate")])


def test_the_command_line_takes_rates_and_records_them(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(TWO, "utf-8")
    rates = tmp_path / "rates.yaml"
    rates.write_text("EUR: \"1.08\"\n", "utf-8")
    run = CliRunner().invoke(main, ["verify", str(contract), str(_data(tmp_path)), "--as-of",
                                    "2025-04-01", "--rate", "SDR=1.35", "--rates", str(rates),
                                    "--format", "json"])
    assert run.exit_code == 1, run.stderr
    report = json.loads(run.stdout)
    assert [(item["currency"], item["rate"], item["given"]) for item in report["rates"]] == [
        ("SDR", "1.35", "--rate"), ("EUR", "1.08", str(rates))]
    assert report["standards"][0]["rates"][0]["date"] == "2025-03-31"
    assert "rates" not in report["standards"][1]
    run = CliRunner().invoke(main, ["verify", str(contract), str(_data(tmp_path)), "--as-of",
                                    "2025-04-01", "--rate", "SDR=1.35"])
    assert run.exit_code == 2
    assert "converts EUR into USD" in run.stderr
    assert "--rate EUR=RATE" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_amount_in_an_undeclared_currency_says_how_to_declare_it() -> None:
    text = contract_yaml("ok: bool", head="contract: {id: r, currency: USD, timezone: UTC}",
                         standards="  s:\n    require: ok\n    window: per month\n"
                                   "    penalty: 5 GBP per breach\n")
    with pytest.raises(ContractError) as caught:
        check(load_contract_text(text))
    [found] = caught.value.diagnostics
    assert "amount in GBP" in found.message
    assert any("rates: {GBP: {}}" in hint for hint in found.hints)


def test_the_own_currency_cannot_be_declared_as_another() -> None:
    text = contract_yaml("ok: bool", head="contract: {id: r, currency: USD, timezone: UTC}\n"
                                          "rates: {USD: {}}",
                         standards="  s:\n    require: ok\n    window: per month\n")
    with pytest.raises(ContractError) as caught:
        load_contract_text(text)
    assert [item.message for item in caught.value.diagnostics] == [
        "USD is the contract's own currency"]


def test_a_contract_test_file_gives_the_rates(tmp_path: Path) -> None:
    case = Path(__file__).parent / "cases" / "sla-domain-f"
    record = json.loads((case / "records.jsonl").read_text("utf-8").splitlines()[0])
    tests = (f'slacheck-tests: 1\ncontract: {case / "contract.yaml"}\nas_of: "2025-04-01"\n'
             'RATES\ntests:\n  a total loss under CMR:\n'
             f'    records: [{json.dumps(record)}]\n'
             '    expect: {penalties: "6422.75"}\n')  # F1: 5622.75 + 800.00, by hand above
    path = tmp_path / "t.yaml"
    path.write_text(tests.replace("RATES", 'rates: {SDR: "1.35"}'), "utf-8")
    run = CliRunner().invoke(main, ["test", str(path)])
    assert run.exit_code == 0, run.output
    path.write_text(tests.replace("RATES", ""), "utf-8")
    run = CliRunner().invoke(main, ["test", str(path)])
    assert run.exit_code == 1
    assert "converts SDR into USD" in run.output


def test_the_plan_of_a_contract_with_rates_takes_them_and_shows_them(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(TWO, "utf-8")
    run = CliRunner().invoke(main, ["plan", str(contract), "--as-of", "2025-04-01",
                                    "--rate", "SDR=1.35", "--rate", "EUR=1.08"])
    assert run.exit_code == 0, run.output
    assert "rate: 1 SDR = 1.35 USD at 2025-03-31" in run.output
    run = CliRunner().invoke(main, ["plan", str(contract), "--as-of", "2025-04-01"])
    assert run.exit_code == 2
    assert "converts SDR into USD" in run.stderr
