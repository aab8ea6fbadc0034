"""Exchange rates given at run time for the other currencies a contract declares.

A contract states which currencies its amounts may be written in (`rates: {SDR: {date:
2025-03-31}}`) and when a rate is taken, never its value: the value is an input of the run,
like the data (`--rate SDR=1.35`, `--rates FILE`), and every result records the rates it
used. A rate is exact: the decimal as written, in units of the contract's currency per unit
of the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from slacheck._money import RateUsed
from slacheck.diagnostics import RatesError
from slacheck.model import Contract

__all__ = ["RateUsed", "RatesError", "given", "parse_option", "read_file", "resolve"]

_RATE = re.compile(r"\A(?P<currency>[A-Z]{3})=(?P<rate>[0-9]+(\.[0-9]+)?)\Z")
_NUMBER = re.compile(r"\A[0-9]+(\.[0-9]+)?\Z")
_MAX_DIGITS = 30



def parse_option(text: str) -> tuple[str, Decimal]:
    """`SDR=1.35` as a currency and an exact rate."""
    found = _RATE.match(text.strip())
    if found is None or len(found["rate"]) > _MAX_DIGITS:
        raise RatesError(f"`--rate {text}` is not a currency and a rate",
                         "write it as CODE=RATE, such as --rate SDR=1.35 (units of the "
                         "contract's currency for one unit of CODE)")
    return found["currency"], _positive(found["rate"], f"--rate {text}")


def read_file(path: str | Path) -> dict[str, Decimal]:
    """A rates file: a YAML (or JSON) mapping of currency codes to rates, each read from its
    text as written, so `1.35` is exactly 1.35 and never a binary float."""
    name = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RatesError(f"cannot read the rates file {name}: {error}",
                         "give a YAML or JSON file such as `SDR: \"1.35\"`") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise RatesError(f"the rates file {name} is not YAML: {error}",
                         "give a mapping such as `SDR: \"1.35\"`") from None
    if not isinstance(node, yaml.MappingNode):
        raise RatesError(f"the rates file {name} is not a mapping of currencies to rates",
                         "give a mapping such as `SDR: \"1.35\"`")
    out: dict[str, Decimal] = {}
    for key, value in node.value:
        code = key.value if isinstance(key, yaml.ScalarNode) else ""
        where = f"{name}:{key.start_mark.line + 1}"
        if not re.fullmatch(r"[A-Z]{3}", str(code)) or not isinstance(value, yaml.ScalarNode):
            raise RatesError(f"{where}: `{code}` is not a currency code with a rate",
                             "write one line per currency: `SDR: \"1.35\"`")
        if code in out:
            raise RatesError(f"{where}: the rate of {code} is given twice", "keep one")
        out[code] = _positive(value.value, where)
    return out


def _positive(text: str, where: str) -> Decimal:
    if not _NUMBER.match(text.strip()) or len(text.strip()) > _MAX_DIGITS:
        raise RatesError(f"{where}: `{text}` is not a rate",
                         "a rate is a positive decimal written with a dot, such as 1.35")
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise RatesError(f"{where}: `{text}` is not a rate", "write a decimal") from None
    if rate <= 0:
        raise RatesError(f"{where}: a rate of {text} is not above zero",
                         "a rate is the contract's currency for one unit of the other")
    return rate


def resolve(contract: Contract, given: Iterable[tuple[str, Decimal, str]]) -> tuple[
        RateUsed, ...]:
    """The rate of each currency the contract declares, from (currency, rate, where given);
    a currency given twice, one the contract does not declare, or one left without a rate
    is an error that names it."""
    declared = {rate.currency: rate for rate in contract.rates}
    found: dict[str, RateUsed] = {}
    for currency, rate, where in given:
        if currency not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise RatesError(f"a rate for {currency} was given ({where}), but the contract "
                             f"declares no such currency under `rates:` (it declares: {known})",
                             "check the currency code, or declare it in the contract")
        if currency in found and found[currency].rate != rate:
            raise RatesError(f"two rates for {currency}: {found[currency].rate} "
                             f"({found[currency].given}) and {rate} ({where})", "give one")
        found[currency] = RateUsed(currency, rate, contract.currency, declared[currency].date,
                                   where)
    missing = [code for code in declared if code not in found]
    if missing:
        code = missing[0]
        when = declared[code].date
        at = f" (the contract takes it at {when.isoformat()})" if when is not None else ""
        raise RatesError(f"the contract converts {code} into {contract.currency} at a rate "
                         f"given when it is run, and none was given{at}",
                         f"add --rate {code}=RATE ({contract.currency} for 1 {code}), or "
                         "--rates FILE")
    return tuple(found[code] for code in declared)


def given(rates: Mapping[str, Decimal | str] | None, where: str = "api") -> list[
        tuple[str, Decimal, str]]:
    """Rates passed from Python (`verify(..., rates={"SDR": "1.35"})`) as `resolve` takes
    them; a string is read as written, a float is refused (it is not exact)."""
    out = []
    for currency, rate in (rates or {}).items():
        if isinstance(rate, Decimal):
            exact = rate
            if not exact.is_finite() or exact <= 0:
                raise RatesError(f"the rate of {currency} must be above zero", "give one")
        elif isinstance(rate, str):
            exact = _positive(rate, f"the rate of {currency}")
        else:
            raise RatesError(f"the rate of {currency} is a {type(rate).__name__}",
                             "give a Decimal or a string, so that it is exact")
        out.append((currency, exact, where))
    return out
