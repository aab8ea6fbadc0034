"""Hostile input through the command line: whatever the bytes, a verdict or a clear error.

Any data file gives a result that accounts for every line, with exit 0, 1, 3 or 4; any
mutation of an example contract gives exit 0 or 2 from `lint`, and neither `lint` nor
`verify` ever ends in a traceback or the internal-error code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from slacheck.cli import EXIT_INTERNAL, main
from tests.conftest import CONTRACT, ROOT

PARCELS = ROOT / "contracts" / "parcel-courier.yaml"
AS_OF = "2025-04-01T00:00:00+08:00"

GOOD_LINE = (b'{"shipment_id": "S1", "service": "air_export", "office": "TSN", '
             b'"booked_at": "2025-01-02T10:00:00+08:00", "picked_up_at": '
             b'"2025-01-02T11:00:00+08:00", "delivered_at": "2025-01-03T09:00:00+08:00", '
             b'"value": "1200.00", "complete": true, "accurate": true, '
             b'"billed_correctly": true}')

PIECES = [
    GOOD_LINE, b"\n", b"\r", b"\r\n", b"{", b"}", b"[", b"]", b'"', b":", b",", b"null",
    b'"value"', b"1e400", b"-0.5", b"99999999999999999999999999999.99", b'"\\ud800"',
    b'"9999-12-31T23:59:59+14:00"', b'"0001-01-01T00:00:00Z"', b'"2025-02-30T00:00:00Z"',
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b'"\xd9\xa1\xd9\xa2"', b"true", b'"lost"', b" ",
]

data_files = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=25).map(b"".join),
    st.lists(st.sampled_from([GOOD_LINE, GOOD_LINE.replace(b'"S1"', b'"S2"')]), max_size=4)
    .map(b"\n".join),
)


def _verify_json(contract: Path, data: Path) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(
        main, ["verify", str(contract), str(data), "--as-of", AS_OF, "--format", "json"])
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, exception


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data_files)
@example(b"1e1000000000000000000")  # beyond Decimal's exponent: once an internal error
def test_any_bytes_as_data_give_an_accounted_result(tmp_path: Path, content: bytes) -> None:
    data = tmp_path / "data.jsonl"
    data.write_bytes(content)
    code, out, exception = _verify_json(CONTRACT, data)
    assert exception is None
    assert code in (0, 1, 3, 4)
    if code == 3:
        return
    report = json.loads(out)
    lines = report["lines"]
    assert lines["read"] == lines["accepted"] + lines["rejected"]
    if code == 4:
        assert report["verdict"] == "inconclusive"


EXAMPLES = {path: path.read_text("utf-8") for path in (CONTRACT, PARCELS)}

HOSTILE_TOKENS = [
    "99999999999999999999999999999999 CNY", "1e400", "0", "-1", "/ 0", "924000000000h",
    "0.0000001ms", "0001-01-01", "9999-12-31", "not not not", "(", ")", "and", "or", "%",
    "per", "by", "in []", "within", "\x00", "\t", "{", "}", "[", "]", ":", "- ", "&a", "*a",
    "!!python/object", "'", '"', "\\", "\n  ", "\u2028",
]


def _mutations() -> st.SearchStrategy[tuple[Path, str]]:
    def mutate(path: Path, at: float, token: str, length: int) -> tuple[Path, str]:
        text = EXAMPLES[path]
        cut = int(at * len(text))
        return path, text[:cut] + token + text[cut + length:]

    def replace_literal(path: Path, which: int, token: str) -> tuple[Path, str]:
        text = EXAMPLES[path]
        literals = list(re.finditer(r"\b\d[\d.]*\b", text))
        found = literals[which % len(literals)]
        return path, text[:found.start()] + token + text[found.end():]

    paths = st.sampled_from(sorted(EXAMPLES))
    return st.one_of(
        st.builds(mutate, paths, st.floats(0, 1), st.sampled_from(HOSTILE_TOKENS),
                  st.integers(0, 6)),
        st.builds(mutate, paths, st.floats(0, 1), st.text(max_size=8), st.integers(0, 6)),
        st.builds(replace_literal, paths, st.integers(0, 200),
                  st.sampled_from(HOSTILE_TOKENS)),
    )


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_mutations())
def test_any_mutated_contract_lints_or_fails_cleanly(tmp_path: Path,
                                                     mutated: tuple[Path, str]) -> None:
    original, text = mutated
    contract = tmp_path / "contract.yaml"
    contract.write_text(text, "utf-8", errors="surrogatepass")
    result = CliRunner().invoke(main, ["lint", str(contract)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                    SystemExit)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.stderr
    data = ROOT / "examples" / (
        "motorola-sinotrans/shipments.jsonl" if original == CONTRACT
        else "parcel-courier/parcels.jsonl")
    code, _, exception = _verify_json(contract, data)
    assert exception is None
    assert code != EXIT_INTERNAL
    if result.exit_code == 0:
        assert code in (0, 1, 4)
    else:
        assert code == 2
