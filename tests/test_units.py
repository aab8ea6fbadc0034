"""Unit conversions and currency columns in the mapping (`records.read`): a column in pounds
read into a field in kilograms, hours into a duration, a factor of the export's own; the
currency a row's amounts are in, checked against the contract's."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from slacheck.diagnostics import ContractError
from slacheck.loader import load_contract_text
from tests.conftest import where
from tests.readers_helpers import read_all, schema
from tests.test_cli import _run

FIELDS = """\
id: string
at: timestamp
weight: decimal
value: money
transit: {type: duration, optional: true}
pieces: {type: int, optional: true}
"""
READ = """\
currency_column: Currency
fields:
  weight: {column: Weight (lb), unit: lb}
  transit: {column: Transit (h), unit: h}
  value: {column: Value, currency: Value Currency}
  pieces: {column: Dozens, multiply: 12}
"""
HEADER = "id,at,Weight (lb),Transit (h),Value,Value Currency,Currency,Dozens\n"
AT = "2025-01-02T00:00:00Z"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def test_columns_are_converted_exactly() -> None:
    records, rejected = read_all(_csv(
        f"r1,{AT},10,1.5,12.50,USD,usd,2",
        f"r2,{AT},0.1,0.25,3,,,0.5",
    ), "csv", schema(FIELDS, READ))
    assert rejected == []
    first, second = records
    # 10 lb = 10 x 0.45359237 kg, exactly; 1.5 h = 5400 s; 2 dozen = 24
    assert first["weight"] == Decimal("4.5359237")
    assert (first["transit"], first["pieces"], first["value"]) == (
        timedelta(seconds=5400), Decimal(24), Decimal("12.50"))
    assert second["weight"] == Decimal("0.045359237")
    assert (second["transit"], second["pieces"]) == (timedelta(seconds=900), Decimal(6))


def test_json_numbers_are_converted_exactly_too() -> None:
    line = {"id": "r1", "at": AT, "Weight (lb)": 0.1, "Transit (h)": 2, "Value": 1.10,
            "Value Currency": "USD", "Dozens": 1}
    records, rejected = read_all(json.dumps(line).encode() + b"\n", "jsonl",
                                 schema(FIELDS, READ))
    assert rejected == []
    [record] = records
    assert (record["weight"], record["transit"], record["value"], record["pieces"]) == (
        Decimal("0.045359237"), timedelta(hours=2), Decimal("1.10"), Decimal(12))


def test_a_row_in_another_currency_or_unconvertible_is_rejected() -> None:
    records, rejected = read_all(_csv(
        f"r1,{AT},1,1,5.00,USD,EUR,1",
        f"r2,{AT},1,1,5.00,CNY,USD,1",
        f"r3,{AT},1,1,5.00,USD,USD,0.1",
        f"r4,{AT},heavy,1,5.00,USD,USD,1",
    ), "csv", schema(FIELDS, READ))
    assert records == []
    assert [(item.line, item.message) for item in rejected] == [
        (2, "currency: not the contract's currency, USD: \"EUR\"; convert the amounts, or "
            "check the export"),
        (3, "value: not the contract's currency, USD: \"CNY\"; convert the amounts, or check "
            "the export"),
        (4, "pieces: not a whole number once multiplied by 12: \"0.1\""),
        (5, "weight: not a number: \"heavy\""),
    ]
    assert [item.causes for item in rejected[:2]] == [
        ("not the contract's currency, USD",), ("not the contract's currency, USD",)]


def test_a_missing_currency_column_stops_the_file() -> None:
    with pytest.raises(Exception, match="it has no column `Currency`"):
        read_all(b"id,at,Weight (lb),Value,Value Currency\nr1,2025-01-02T00:00:00Z,1,1,USD\n",
                 "csv", schema(FIELDS, READ))


def test_through_the_cli(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    body = "\n".join([
        "slacheck: 1", "contract: {id: u, currency: USD, timezone: UTC}", "records:",
        "  id: id", "  time: at", "  fields:",
        *("    " + line for line in FIELDS.splitlines()),
        "  read:", *("    " + line for line in READ.splitlines()),
        "standards:", "  light:", "    require: weight <= 5", "    target: 50% per month", ""])
    contract.write_text(body, "utf-8")
    data = tmp_path / "d.csv"
    # 11 lb is 4.98951607 kg, 12 lb is 5.44310844 kg
    data.write_bytes(_csv(f"r1,{AT},11,1,1,USD,USD,1", f"r2,{AT},12,1,1,USD,USD,1",
                          f"r3,{AT},1,1,1,USD,GBP,1"))
    _, out, _ = _run("verify", str(contract), str(data), "--as-of", "2025-03-01",
                        "--format", "json")
    result = json.loads(out)
    assert (result["lines"]["accepted"], result["lines"]["rejected"]) == (2, 1)
    [window] = result["standards"][0]["windows"]
    assert (window["passed"], window["breached"]) == (1, 1)


BAD = [
    ("weight: {unit: h}", "`h` is a unit of time, and `weight` is decimal", "unit"),
    ("transit: {unit: lb}", "`lb` is a unit of mass, and `transit` is duration", "unit"),
    ("weight: {unit: lb, multiply: 2}", "give `unit` or `multiply`, not both", "multiply"),
    ("weight: {multiply: abc}", "`multiply` of `weight` is not a number", "multiply"),
    ("weight: {multiply: 0}", "`multiply` of `weight` is not a number", "multiply"),
    ("at: {multiply: 2}", "`multiply` is only for int, decimal, ratio, money and duration "
     "fields, `at` is timestamp", "multiply"),
    ("weight: {currency: Cur}", "`currency` is only for money fields, `weight` is decimal",
     "currency"),
]


def test_an_unknown_unit_is_named_with_those_known() -> None:
    with pytest.raises(ContractError) as caught:
        schema(FIELDS, "fields:\n  weight: {unit: parsec}\n")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.message.startswith("`unit` must be one of `g`, `kg`, `t`, `lb`")
    assert diagnostic.message.endswith("found the text `parsec`")


@pytest.mark.parametrize(("field", "message", "key"), BAD)
def test_a_conversion_that_cannot_be_is_a_contract_error(field: str, message: str,
                                                         key: str) -> None:
    text = "\n".join([
        "slacheck: 1", "contract: {id: u, currency: USD, timezone: UTC}", "records:",
        "  id: id", "  time: at", "  fields:",
        *("    " + line for line in FIELDS.splitlines()),
        "  read:", "    fields:", f"      {field}",
        "standards:", "  s: {require: 'true', window: per month}", ""])
    with pytest.raises(ContractError) as caught:
        load_contract_text(text, "c.yaml")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.message.startswith(message), diagnostic.message
    assert diagnostic.hints
    line = text.splitlines().index(f"      {field}") + 1
    assert where(diagnostic)[:2] == ("SLA203", line)
    assert where(diagnostic)[2] == f"      {field}".index(f"{key}:") + len(key) + 3


def test_a_unit_after_decimal_commas_and_a_currency_that_is_no_text() -> None:
    read = READ.replace("currency_column: Currency\n",
                        "currency_column: Currency\ndecimal: ','\nthousands: '.'\n")
    records, rejected = read_all(
        f'id;at;Weight (lb);Value;Value Currency;Currency\nr1;{AT};"1.000,5";1;USD;USD\n'
        .encode(), "csv", schema(FIELDS, read))
    assert rejected == []
    # 1000.5 lb = 453.59237 + 0.226796185 kg
    assert records[0]["weight"] == Decimal("453.819166185")
    line = {"id": "r1", "at": AT, "Weight (lb)": 1, "Value": 1, "Value Currency": "USD",
            "Currency": 840}
    _, rejected = read_all(json.dumps(line).encode() + b"\n", "jsonl", schema(FIELDS, READ))
    assert [item.message for item in rejected] == [
        "currency: not the contract's currency, USD: 840; convert the amounts, or check the "
        "export"]
