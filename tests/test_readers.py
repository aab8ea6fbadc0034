"""Readers of each format: CSV and TSV, JSON lines with any line end, JSON arrays, Parquet;
the files a path names; every line accounted for, each rejection with all its problems."""

from __future__ import annotations

import gzip
import io
import json
import re
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from slacheck.diagnostics import DataError
from slacheck.readers import Input, expand, format_of, read_input
from slacheck.readers.delimited import delimited_rows
from tests.readers_helpers import lines_of, read_all, schema, why

AT = "2025-01-01T08:00:00+00:00"
ROWS = f"id,at,value,done\nA,{AT},1.50,true\nB,{AT},2,FALSE\n"


def test_csv_rows_become_records_with_their_physical_lines() -> None:
    records, rejected = read_all(ROWS.encode(), "csv")
    assert rejected == []
    assert lines_of(records) == [2, 3]
    first = records[0]
    assert first["id"] == "A"
    assert first["at"] == datetime(2025, 1, 1, 8, tzinfo=UTC)
    assert first["value"] == Decimal("1.50")
    assert (first["done"], records[1]["done"]) == (True, False)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_csv_line_ends_lf_crlf_and_cr_alone(end: str) -> None:
    data = ROWS.replace("\n", end).encode()
    records, rejected = read_all(data, "csv")
    assert (lines_of(records), rejected) == ([2, 3], [])


def test_a_byte_order_mark_is_not_part_of_the_first_column() -> None:
    records, _ = read_all(b"\xef\xbb\xbf" + ROWS.encode(), "csv")
    assert [record["id"] for record in records] == ["A", "B"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_found_from_the_header(delimiter: str) -> None:
    data = ROWS.replace(",", delimiter).encode()
    records, rejected = read_all(data, "csv")
    assert (lines_of(records), rejected) == ([2, 3], [])


def test_tsv_by_its_extension_and_a_declared_delimiter() -> None:
    records, _ = read_all(ROWS.replace(",", "\t").encode(), "tsv")
    assert len(records) == 2
    declared = schema(read="csv: {delimiter: ';', quote: \"'\"}")
    data = f"id;at;value\n'A;1';{AT};'1.5'\n".encode()
    [record], rejected = read_all(data, "csv", declared)
    assert rejected == []
    assert record["id"] == "A;1"


def test_quoted_cells_may_hold_delimiters_quotes_and_line_breaks() -> None:
    data = f'id,at,value\n"A,1",{AT},1\n"B ""x""\nsecond line",{AT},2\nC,{AT},3\n'.encode()
    records, rejected = read_all(data, "csv")
    assert rejected == []
    assert [record["id"] for record in records] == ["A,1", 'B "x"\nsecond line', "C"]
    assert lines_of(records) == [2, 3, 5]


def test_a_legacy_encoding_declared_in_the_contract() -> None:
    text = f"id,at,value\n上海-1,{AT},1\n"
    declared = schema(read="csv: {encoding: gb18030}")
    [record], rejected = read_all(text.encode("gb18030"), "csv", declared)
    assert rejected == []
    assert record["id"] == "上海-1"


def test_a_line_not_in_the_encoding_rejects_its_row_only() -> None:
    data = f"id,at,value\nA,{AT},1\n".encode() + "上海,".encode("gb18030") + \
        f"{AT},2\nC,{AT},3\n".encode()
    records, rejected = read_all(data, "csv")
    assert lines_of(records) == [2, 4]
    [rejection] = rejected
    assert rejection.line == 3
    assert rejection.reason.startswith("line 3 is not valid utf-8 (byte 1): ")


def test_a_header_not_in_the_encoding_cannot_be_read() -> None:
    with pytest.raises(DataError, match=r"header is not valid utf-8.*encoding"):
        read_all("编号,at\n".encode("gb18030"), "csv")


def test_a_row_with_the_wrong_number_of_cells_is_rejected_with_the_counts() -> None:
    data = f"id,at,value\nA,{AT}\nB,{AT},1,extra\nC,{AT},3\n".encode()
    records, rejected = read_all(data, "csv")
    assert lines_of(records) == [4]
    assert [(item.line, item.reason) for item in rejected] == [
        (2, f"2 cells where the header has 3: A,{AT}"),
        (3, f"4 cells where the header has 3: B,{AT},1,extra")]


def test_a_rejected_row_names_every_field_that_failed_with_its_value() -> None:
    data = b"id,at,value,done\nA,2025-13-01,-1,maybe\n"
    [], [rejection] = read_all(data, "csv")
    assert rejection.line == 2
    assert [field for field, _ in rejection.problems] == ["at", "value", "done"]
    assert '"2025-13-01"' in rejection.message
    assert '"-1"' in rejection.message
    assert '"maybe"' in rejection.message


def test_empty_cells_are_absent_and_a_required_one_is_missing() -> None:
    data = f"id,at,value,done\n,{AT},,\n".encode()
    [], [rejection] = read_all(data, "csv")
    assert (rejection.field, rejection.reason, rejection.more) == ("id", "missing", ())


def test_blank_lines_and_undeclared_columns() -> None:
    data = f"id,at,Value\nA,{AT},1\n\nB,{AT},2\n".encode()
    records, rejected = read_all(data, "csv")
    assert why(rejected) == [(3, "empty line")]
    assert [record["Value"] for record in records] == ["1", "2"]


def test_a_row_longer_than_the_line_limit_is_cut_off_at_a_line_end() -> None:
    data = f"id,at\nA,{AT}\n\"{'x' * 500}\n{'y' * 500}\",{AT}\nC,{AT}\n".encode()
    records, rejected = read_all(data, "csv", limit=300)
    assert rejected[0].line == 3
    assert rejected[0].reason.startswith('longer than the line limit of 300 bytes: "xxx')
    assert lines_of(records)[0] == 2
    assert records[-1]["id"] == "C"


def test_bad_quoting_is_a_rejection_and_reading_goes_on() -> None:
    data = f'id,at\n"A"x,{AT}\nB,{AT}\n'.encode()
    records, rejected = read_all(data, "csv")
    assert lines_of(records) == [3]
    assert rejected[0].line == 2
    assert rejected[0].reason.startswith("not valid CSV")


def test_a_header_naming_a_column_twice_cannot_be_read() -> None:
    with pytest.raises(DataError, match="names the column `id` twice"):
        read_all(f"id,id,at\n1,2,{AT}\n".encode(), "csv")


def test_cells_under_an_empty_header_are_left_out() -> None:
    [record], _ = read_all(f"id,at,,\nA,{AT},x,y\n".encode(), "csv")
    assert "" not in record


def test_an_empty_csv_file_has_no_rows() -> None:
    assert read_all(b"", "csv") == ([], [])


def test_the_quarantine_text_of_a_row_is_its_lines_verbatim() -> None:
    data = f'id,at,value\nA,{AT},x\r\n"B\r\nb",{AT},-2\r\n'.encode()
    _, rejected = read_all(data, "csv", keep_text=True)
    assert [item.text for item in rejected] == [f"A,{AT},x\r\n".encode(),
                                                f'"B\r\nb",{AT},-2\r\n'.encode()]


def test_physical_lines_are_read_in_bounded_pieces() -> None:
    line = b"x" * 100
    data = b"id\r" + line + b"\r\n" + b"y" * 5000 + b"\rz\r"
    rows = list(delimited_rows(io.BytesIO(data), "d", delimiter=None, quote='"',
                               encoding="utf-8", limit=1000, keep_text=True))
    assert [(number, text) for number, _, text in rows] == [
        (2, line + b"\r\n"), (3, b"y" * 1000), (4, b"z\r")]


# JSON lines and JSON arrays

LINE = json.dumps({"id": "A", "at": AT})


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_json_lines_with_any_line_end(end: bytes) -> None:
    data = end.join([LINE.encode(), LINE.replace('"A"', '"B"').encode()]) + end
    records, rejected = read_all(data, "jsonl")
    assert (lines_of(records), rejected) == ([1, 2], [])


def test_a_csv_given_as_json_lines_gets_a_hint() -> None:
    _, rejected = read_all(ROWS.encode(), "jsonl")
    assert "looks like the header of a CSV file" in rejected[0].reason
    assert "looks like" not in rejected[1].reason


def test_a_json_array_reads_its_elements_at_their_lines() -> None:
    data = b'\xef\xbb\xbf[\n  {"id": "A", "at": "' + AT.encode() + b'"},\n  {\n    "id": "B",\n' \
        b'    "at": "' + AT.encode() + b'", "value": 1.10\n  },\n  [1]\n]\n'
    records, rejected = read_all(data, "json")
    assert lines_of(records) == [2, 3]
    assert records[1]["value"] == Decimal("1.10")
    assert why(rejected) == [(7, "not a JSON object: [1]")]


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b'[{"id": "A"}\n{"id": "B"}]', 2, "a `,` or `]` expected after an element"),
        (b'[{"id": "A"},\n\n{"id": ', 3, "not valid JSON (expecting value)"),
        (b'[{"id": "A"},', 1, "the array does not end"),
        (b'[{"id": "A"}, ]', 1, "not valid JSON (expecting value)"),
        (b'[]\n[]', 2, "text after the end of the array"),
    ],
)
def test_a_broken_array_rejects_the_rest_with_its_lines_counted(data: bytes, line: int,
                                                                 reason: str) -> None:
    _, rejected = read_all(data, "json")
    assert rejected[-1].line == line
    assert rejected[-1].reason.startswith(reason + "; the array cannot be read past line")


def test_an_empty_array_or_file_has_no_records() -> None:
    assert read_all(b" [ ] ", "json") == ([], [])
    assert read_all(b"", "json") == ([], [])


def test_a_json_file_that_is_not_an_array_says_what_it_holds() -> None:
    with pytest.raises(DataError, match=r"not a JSON array, it starts with \"\{\" \(JSON lines"):
        read_all(LINE.encode() + b"\n", "json")


def test_an_element_longer_than_the_limit_is_rejected() -> None:
    big = json.dumps({"id": "A", "at": AT, "note": "x" * 400})
    records, rejected = read_all(f"[{big}, {LINE.replace('A', 'B')}]".encode(), "json",
                                 limit=300)
    assert [item.reason.split(":")[0] for item in rejected] == [
        "longer than the line limit of 300 bytes"]
    assert [record["id"] for record in records] == ["B"]


def test_an_array_too_long_to_find_its_element_breaks_there() -> None:
    data = b'[{"id": "' + b"x" * 5000
    _, [rejection] = read_all(data, "json", limit=300)
    assert rejection.reason.startswith("an element longer than the line limit of 300 bytes")


# which files a path names, and their format


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.jsonl", "jsonl"), ("a.NDJSON", "jsonl"), ("a.json.gz", "json"), ("a.csv", "csv"),
     ("a.tsv.gz", "tsv"), ("a.tab", "tsv"), ("a.parquet", "parquet"), ("a.txt", "jsonl"),
     ("-", "jsonl")],
)
def test_the_format_comes_from_the_extension(name: str, fmt: str) -> None:
    assert format_of(name) == fmt
    assert format_of(name, "csv") == "csv"


def test_folders_and_globs_name_their_data_files_in_order(tmp_path: Path) -> None:
    for name in ("b.csv", "a.jsonl.gz", "c.txt", ".hidden.csv"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    assert expand(str(tmp_path)) == [Input(str(tmp_path / "a.jsonl.gz"), "jsonl"),
                                     Input(str(tmp_path / "b.csv"), "csv")]
    assert [item.path for item in expand(str(tmp_path), "csv")] == [
        str(tmp_path / name) for name in ("a.jsonl.gz", "b.csv", "c.txt")]
    assert expand(str(tmp_path / "*.csv")) == [Input(str(tmp_path / "b.csv"), "csv")]
    assert expand("-", "csv") == [Input("-", "csv")]
    assert expand(str(tmp_path / "missing.csv")) == [Input(str(tmp_path / "missing.csv"),
                                                           "csv")]
    with pytest.raises(DataError, match="no file matches"):
        expand(str(tmp_path / "*.parquet"))
    with pytest.raises(DataError, match="folder without data files"):
        expand(str(tmp_path / "sub"))


def test_gzip_csv_through_the_engine(tmp_path: Path) -> None:
    from slacheck.api import verify

    contract = tmp_path / "c.yaml"
    contract.write_text("\n".join([
        "slacheck: 1",
        "contract: {id: demo, currency: USD, timezone: UTC}",
        "records: {id: id, time: at, fields: {id: string, at: timestamp}}",
        "standards: {s: {require: 'true', target: 90% per month}}",
    ]))
    data = tmp_path / "rows.csv.gz"
    data.write_bytes(gzip.compress(f"id,at\nA,{AT}\nA,{AT}\nB,x\n".encode()))
    result = verify(contract, [data], as_of=datetime(2026, 1, 1, tzinfo=UTC))
    lines = result.lines
    assert (lines.read, lines.accepted, lines.rejected) == (3, 1, 2)
    assert [(item.line, item.field) for item in lines.rejections] == [(3, "id"), (4, "at")]


class _Failing(io.RawIOBase):
    """A stream that gives `data`, then fails as a corrupt gzip does."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if not self.data:
            raise OSError("Not a gzipped file")
        data, self.data = self.data, b""
        return data


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_stream_that_fails_is_a_data_error(fmt: str) -> None:
    from slacheck.records import Reader

    reader = Reader(schema())
    stream = _Failing(b"id,at\n" if fmt == "csv" else b"[")
    with pytest.raises(DataError, match="cannot read d: Not a gzipped file"):
        list(read_input(reader, Input("d", fmt), stream, lambda item: None))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"x" * 400 + b"\n", "header is longer than the line limit"),
     (b'"id"x,at\n', "header (line 1) is not valid CSV")],
)
def test_a_header_that_cannot_be_read(data: bytes, words: str) -> None:
    with pytest.raises(DataError, match=re.escape(words)):
        read_all(data, "csv", limit=300)


def test_a_long_array_is_read_in_a_moving_window(monkeypatch: pytest.MonkeyPatch) -> None:
    import slacheck.readers.jsonarray as jsonarray

    monkeypatch.setattr(jsonarray, "_READ_SIZE", 64)
    lines = [json.dumps({"id": f"r{index}", "at": AT}) for index in range(50)]
    records, rejected = read_all(("[\n" + ",\n".join(lines) + "\n]").encode(), "json",
                                 limit=200)
    assert rejected == []
    assert lines_of(records) == list(range(2, 52))


class _Endless(io.RawIOBase):
    """`size` bytes of one byte value and no line end, made as they are read."""

    def __init__(self, size: int, head: bytes, fill: bytes = b"0") -> None:
        super().__init__()
        self.head, self.left, self.fill = head, size, fill

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        count = min(self.left, size if size is not None and size >= 0 else self.left)
        self.left -= count
        return self.fill * count


@pytest.mark.parametrize(("fmt", "head"), [("csv", b"id,at\nA,"), ("json", b'[{"id": "')])
def test_a_row_without_end_is_read_in_bounded_memory(fmt: str, head: bytes) -> None:
    from slacheck.records import Reader, Rejection

    reader = Reader(schema())
    rejected: list[Rejection] = []
    tracemalloc.start()
    try:
        records = list(read_input(reader, Input("endless", fmt),
                                  _Endless(64 << 20, head),  # type: ignore[arg-type]
                                  rejected.append))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert records == []
    assert [item.line for item in rejected] == [2 if fmt == "csv" else 1]
    assert "line limit" in rejected[0].reason
    assert peak < 16 << 20


def test_an_unknown_format_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xlsx'"):
        expand(str(tmp_path), "xlsx")
    with pytest.raises(ValueError, match="unknown format 'xlsx'"):
        read_all(b"", "xlsx")
