"""A corpus of bad inputs on every shipped source: each bad line costs only itself, every good row loads.

Each case takes the real shipped file, damages it the way an upstream export does (a broken quote at
the start, middle or end of a line, a stray quote inside a field, too many fields, a NUL byte,
invalid UTF-8, a duplicate, CRLF line endings, a BOM, a truncated last line, a header only) and
checks against the clean file's load: the same good rows load, and the bad line is in the issues with
its line number and a reason. The bytes handed in are never changed by the parser.

A source whose records all span several lines (Epoch's 2026 data-center export quotes a list of
sources with line breaks in every row) gets its first record rewritten on one line (the same fields,
line breaks as spaces) before it is damaged, and the damaged line goes in after that record's last
line. A source shipped as a workbook (EIA-861M .xlsx) is damaged in the long-form CSV its converter
writes, which is what the parser reads (and what an API landing already is).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

import polars as pl
import pytest

from orchestration.defs.ingest.source_bookkeeping import parse_context
from transforms.ingest import Column, LoadResult, SourceSpec, parse_source
from transforms.sources import SOURCE_FILES

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
CONTEXT = parse_context(SOURCES)


@cache
def clean(table: str) -> tuple[bytes, LoadResult]:
    spec, rel = SOURCE_FILES[table]
    path = SOURCES / rel
    data = spec.convert(path) if spec.convert is not None and path.suffix.lower() != ".csv" else path.read_bytes()
    return data, parse_source(data, spec, CONTEXT)


def single_line_record(data: bytes, spec: SourceSpec) -> tuple[int, str]:
    """A data record on one line: (0-based index of the line it ends on, its text).

    The first record that is a whole line on its own, else the first data record rewritten on one
    line (its line breaks as spaces)."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text))
    previous_end = 0
    first: tuple[int, str] | None = None
    for number, fields in enumerate(reader, start=1):
        start, end = previous_end + 1, reader.line_num
        previous_end = end
        if number <= spec.skip_lines + 1 or not any(f.strip() for f in fields):
            continue
        if start == end and lines[start - 1].strip():
            return start - 1, lines[start - 1]
        if first is None:
            out = io.StringIO()
            csv.writer(out, lineterminator="").writerow([f.replace("\r", " ").replace("\n", " ") for f in fields])
            first = end - 1, out.getvalue()
    if first is None:
        raise AssertionError("no data record")
    return first


def fields_of(line: str) -> list[str]:
    return next(csv.reader([line]))


def insert_after(data: bytes, index: int, bad: bytes) -> tuple[bytes, int]:
    """``bad`` inserted as a new line after line ``index`` (0-based); returns the data and its 1-based line."""
    lines = data.split(b"\n")
    lines.insert(index + 1, bad)
    return b"\n".join(lines), index + 2


def _render(field: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([field])
    return out.getvalue()


def _mutate_field(line: str, which: Callable[[int], int], change: Callable[[str], str]) -> bytes:
    """The record with field ``which(n)`` damaged in its raw text (each field rendered as a CSV writer
    would), so a quote added anywhere leaves the line with an odd number of quotes."""
    fields = [_render(f) or "x" for f in fields_of(line.rstrip("\r"))]
    i = which(len(fields))
    fields[i] = change(fields[i])
    return ",".join(fields).encode()


CASES: dict[str, Callable[[str], bytes]] = {
    "broken_quote_start": lambda line: _mutate_field(line, lambda n: 0, lambda v: '"' + v),
    "broken_quote_middle": lambda line: _mutate_field(line, lambda n: n // 2, lambda v: '"' + v),
    "broken_quote_end": lambda line: _mutate_field(line, lambda n: n - 1, lambda v: '"' + v),
    "stray_quote_inside_a_field": lambda line: _mutate_field(line, lambda n: 0, lambda v: v[:1] + '"' + v[1:]),
    "too_many_fields": lambda line: line.encode() + b",extra",
    "nul_byte": lambda line: line.encode().replace(b",", b"\x00,", 1),
    "invalid_utf8": lambda line: line.encode().replace(b",", b"\xff\xfe,", 1),
}


def rejected_lines(result: LoadResult) -> set[int]:
    return set(result.issues.filter(pl.col("action") == "row_rejected")["source_row"].to_list())


@pytest.mark.parametrize("table", list(SOURCE_FILES))
@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_line_costs_only_itself(table: str, case: str) -> None:
    spec, _ = SOURCE_FILES[table]
    data, base = clean(table)
    index, line = single_line_record(data, spec)
    bad, number = insert_after(data, index, CASES[case](line))
    frozen = bytes(bad)
    result = parse_source(bad, spec, CONTEXT)
    assert bad == frozen  # the parser never changes its input
    assert result.rows_loaded == base.rows_loaded, f"{table}/{case}: good rows lost or a bad one loaded"
    assert number in rejected_lines(result), f"{table}/{case}: line {number} not quarantined"
    assert result.rows_rejected == base.rows_rejected + 1
    reason = result.issues.filter(pl.col("source_row") == number)["reason"].to_list()
    assert reason and all(reason), reason


@pytest.mark.parametrize("table", list(SOURCE_FILES))
def test_a_duplicate_line_is_rejected_or_flagged_after_the_first(table: str) -> None:
    spec, _ = SOURCE_FILES[table]
    data, base = clean(table)
    index, line = single_line_record(data, spec)
    bad, number = insert_after(data, index, line.encode())
    result = parse_source(bad, spec, CONTEXT)
    hit = result.issues.filter(pl.col("source_row") == number)
    assert hit.height >= 1
    if spec.exact_duplicates == "flag":
        assert result.rows_loaded == base.rows_loaded + 1
        assert "flagged" in hit["action"].to_list()
    else:
        assert result.rows_loaded == base.rows_loaded
        assert "row_rejected" in hit["action"].to_list()


@pytest.mark.parametrize("table", list(SOURCE_FILES))
def test_crlf_line_endings_and_a_bom_change_nothing(table: str) -> None:
    spec, _ = SOURCE_FILES[table]
    data, base = clean(table)
    lines = data.split(b"\n")
    mixed = b"\n".join(line + b"\r" if i % 2 and line else line for i, line in enumerate(lines))
    for variant in (mixed, b"\xef\xbb\xbf" + data):
        result = parse_source(variant, spec, CONTEXT)
        assert result.rows_loaded == base.rows_loaded
        assert result.rows_rejected == base.rows_rejected
        assert result.rows is not None and base.rows is not None
        assert result.rows.drop("_source_row").equals(base.rows.drop("_source_row"))


@pytest.mark.parametrize("table", list(SOURCE_FILES))
def test_a_truncated_last_line_costs_only_the_last_record(table: str) -> None:
    spec, _ = SOURCE_FILES[table]
    data, base = clean(table)
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    starts, previous_end = [], 0
    for _ in reader:
        starts.append(previous_end + 1)
        previous_end = reader.line_num
    cut = data.rstrip(b"\n")
    last_line = cut.rsplit(b"\n", 1)[-1]
    # the file ends mid-record, with no final newline: cut just after the last line's first delimiter
    # (a cut inside the last free-text value would leave a well-formed record no reader can tell apart)
    cut = cut[: len(cut) - len(last_line) + last_line.index(b",") + 1]
    result = parse_source(cut, spec, CONTEXT)
    assert result.rows_loaded == base.rows_loaded - 1
    assert starts[-1] in rejected_lines(result)


@pytest.mark.parametrize("table", list(SOURCE_FILES))
def test_a_header_only_file_loads_nothing_and_reports_no_bad_row(table: str) -> None:
    spec, _ = SOURCE_FILES[table]
    data, _ = clean(table)
    head = b"\n".join(data.split(b"\n")[: spec.skip_lines + 1]) + b"\n"
    result = parse_source(head, spec, CONTEXT)
    assert result.rows_loaded == 0
    assert result.rows_rejected == 0 and not result.file_rejected


def test_a_type_error_far_past_the_first_20480_rows_is_caught() -> None:
    spec = SourceSpec(
        table="big",
        columns=(Column("id", ("id",), "int", required=True), Column("price", ("price",), "float")),
        unique_key=("id",),
    )
    rows = [f"{i},{i % 97}.5" for i in range(30_000)]
    rows[25_000] = "25000,12.75"  # fine: a float column
    rows[26_000] = "26000.5,1"  # an integer id that is not an integer: no silent rounding
    rows[27_000] = "27000,1_000"  # DuckDB would read 1000
    data = ("id,price\n" + "\n".join(rows) + "\n").encode()
    result = parse_source(data, spec)
    assert result.rows_loaded == 30_000 - 2
    assert rejected_lines(result) == {26_002, 27_002}
    assert result.path == "fast"  # a well-formed big file stays on DuckDB's reader
