"""Read and validate one delimited source file into a typed table plus a table of issues.

No type inference anywhere, nothing silently lost, raw files only read. The work is done by DuckDB
(so a large file loads at about the speed of DuckDB's own ``read_csv``); the rules are data, in
``SourceSpec`` (``transforms/sources.py``).

1. **Records.** Fast path: DuckDB's CSV reader reads every column as text into a temporary table.
   Its result is used only if the file's physical lines account exactly for the header and the
   records (no reader error, no blank line, no record spanning lines, no NUL byte): then record
   *k* is line ``header_line + k`` and nothing can have been swallowed. Otherwise the exact path
   reads the file line by line and **resynchronises**: a record that cannot be valid (wrong field
   count, a quoted field running past the end of its line where the schema allows no multi-line
   field, or past ``max_record_lines`` / ``max_field_chars`` where it does, invalid UTF-8, a NUL
   byte) costs only the physical lines it occupies; each is quarantined with its line and reason,
   and reading resumes at the next line.
2. **Header.** Mapped to the spec's columns by name (each column lists the names it has had in the
   publisher's releases). A missing required column rejects the file, naming the column and the
   header's unexpected names (a renamed column shows up there); a missing optional one loads as null
   and is flagged; an unexpected extra column is flagged as schema drift.
3. **Values.** Every value is cast by its column's kind in SQL; a value that does not parse or breaks
   a bound rejects the row or, for ``on_invalid="null"`` columns, is nulled and flagged. Cross-column
   rules (``RowCheck``), reference sets (``LookupCheck``) and parent tables (``ParentCheck``: an
   orphan's parent missing from another source) are SQL too.
4. **Duplicates.** Exact duplicate records, and repeats of the spec's unique key, are rejected
   after the first (or flagged, where the publisher lists identical rows on purpose).

A rejected row keeps its raw record in the issue (``record_json``), so nothing is lost.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

Kind = Literal["str", "float", "int", "date", "timestamp", "bool", "coord"]
Action = Literal["row_rejected", "field_nulled", "flagged", "file_rejected"]

NULL_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None")
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m", "%Y")
TIMESTAMP_FORMATS: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
# Dates outside this window are typos (FracTracker has one 3036), not history or plans.
MIN_YEAR, MAX_YEAR = 1950, 2100
TRUE_TOKENS = ("true", "yes", "y", "1", "t")
FALSE_TOKENS = ("false", "no", "n", "0", "f")
# Bump when a change to reading or validation could change what loads from an unchanged file.
PARSER_VERSION = "2026.12.1"

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "field": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "action": pl.String(),
    "record_json": pl.String(),
}
_SQL_TYPE = {
    "str": "VARCHAR",
    "float": "DOUBLE",
    "int": "BIGINT",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "bool": "BOOLEAN",
    "coord": "DOUBLE",
}


@dataclass(frozen=True)
class Column:
    """One column of a source table: its raw name, the header names it has had, type and rules."""

    name: str
    source: tuple[str, ...]
    kind: Kind = "str"
    required: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    on_invalid: Literal["reject", "null"] = "reject"
    optional: bool = False  # may be absent from the header (loads as null, flagged)
    thousands: bool = False  # accept "1,000" as 1000


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns: ``sql`` is a DuckDB boolean expression over the typed (and derived)
    columns, true for good rows; NULL counts as good."""

    field: str
    reason: str
    sql: str
    action: Literal["reject", "flag"] = "reject"


@dataclass(frozen=True)
class LookupCheck:
    """A value must be one of a reference set handed in at parse time (e.g. known GPU models)."""

    field: str
    context_key: str
    reason: str
    action: Literal["reject", "flag"] = "reject"


@dataclass(frozen=True)
class ParentCheck:
    """A value must exist in another source's raw table (an orphan's parent is missing otherwise).

    The parent's values (``parent_field`` of ``raw.<parent>``) are handed in at parse time under
    ``context_key`` (a set of strings); without them the check is skipped."""

    field: str
    context_key: str
    parent: str
    parent_field: str
    action: Literal["reject", "flag"] = "reject"


@dataclass(frozen=True)
class Derived:
    """A column computed after typing: ``sql`` over the typed columns, cast to ``kind``."""

    name: str
    sql: str
    kind: Kind = "str"


@dataclass(frozen=True)
class SourceSpec:
    """What one source table looks like and how its rows are validated."""

    table: str
    columns: tuple[Column, ...]
    skip_lines: int = 0
    unique_key: tuple[str, ...] | None = None
    ignored: tuple[str, ...] = ()
    row_checks: tuple[RowCheck, ...] = ()
    lookup_checks: tuple[LookupCheck, ...] = ()
    parent_checks: tuple[ParentCheck, ...] = ()
    # Exact duplicate records are rejected, unless the publisher lists identical rows on purpose
    # (Epoch's anonymized systems): then they load and are flagged.
    exact_duplicates: Literal["reject", "flag"] = "reject"
    derived: tuple[Derived, ...] = ()
    description: str = ""
    # The publisher's own non-CSV format (e.g. an .xlsx workbook) -> the CSV bytes this spec reads;
    # applied to files whose suffix is not .csv.
    convert: Callable[[Path], bytes] | None = None
    # Free-text sources whose quoted values may span lines (Epoch's notes and quotes, FracTracker's
    # names and addresses); a record then spans at most this many lines / characters. Elsewhere a
    # quote must close on its own line.
    multiline: bool = False
    max_record_lines: int = 20
    max_field_chars: int = 20_000

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: _polars_type(c.kind) for c in self.columns}

    @property
    def allows_multiline(self) -> bool:
        return self.multiline


@dataclass
class LoadResult:
    """What a load did: counts, the issues (small) and, for ``parse_source``, the rows."""

    issues: pl.DataFrame
    rows_in_file: int
    rows_loaded: int
    header: list[str] = field(default_factory=list)
    path: Literal["fast", "exact", "none"] = "none"
    rows: pl.DataFrame | None = None

    @property
    def rows_rejected(self) -> int:
        rejected = self.issues.filter(pl.col("action") == "row_rejected")
        return rejected.select(pl.col("source_row").n_unique()).item() if rejected.height else 0

    @property
    def fields_nulled(self) -> int:
        return self.issues.filter(pl.col("action") == "field_nulled").height

    @property
    def file_rejected(self) -> bool:
        return self.issues.filter(pl.col("action") == "file_rejected").height > 0

    def file_reason(self) -> str | None:
        rejected = self.issues.filter(pl.col("action") == "file_rejected")
        return "; ".join(rejected["reason"].to_list()) if rejected.height else None


# Kept for callers that think in terms of a parsed frame (tests, small files).
ParseResult = LoadResult


def _polars_type(kind: Kind) -> pl.DataType:
    return {
        "str": pl.String(),
        "float": pl.Float64(),
        "int": pl.Int64(),
        "date": pl.Date(),
        "timestamp": pl.Datetime("us"),
        "bool": pl.Boolean(),
        "coord": pl.Float64(),
    }[kind]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Coordinates (decimal or degrees-minutes-seconds), shared by Python callers and the SQL cast

_DMS = re.compile(
    r"^\s*(?P<deg>\d{1,3}(?:\.\d+)?)\s*°\s*(?:(?P<min>\d{1,2}(?:\.\d+)?)\s*['′]\s*)?"
    r"(?:(?P<sec>\d{1,2}(?:\.\d+)?)\s*(?:\"|″|'')\s*)?(?P<hem>[NSEW])\s*$"
)
_DMS_SQL = (
    r"^\s*(\d{1,3}(?:\.\d+)?)\s*°\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′]\s*)?"
    r"(?:(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|'')\s*)?([NSEW])\s*$"
)


def parse_coordinate(text: str | None) -> float | None:
    """A latitude or longitude as decimal degrees (``-90.09``) or DMS (``90°05'35"W``)."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    m = _DMS.match(text)
    if not m:
        return None
    value = float(m["deg"]) + float(m["min"] or 0) / 60 + float(m["sec"] or 0) / 3600
    return -value if m["hem"] in "SW" else value


# ---------------------------------------------------------------------------------------------
# SQL for one column: normalise nulls, cast by kind, the reason a value is not acceptable


def _list(values: tuple[str, ...] | list[str]) -> str:
    # list_contains, not IN: DuckDB plans an IN list of more than a few constants as a hash join per column
    return "[" + ", ".join(_lit(v) for v in values) + "]"


_TOKEN_CHARS = max(len(t) for t in NULL_TOKENS)


def _null_sql(raw: str) -> str:
    # A value longer than every token can be one only if trim() would shorten it: it starts or ends with
    # something other than printable ASCII (DuckDB's trim() strips Unicode spaces too, e.g. U+00A0).
    edge = f"ascii({raw}[1]) not between 33 and 126 or ascii({raw}[-1]) not between 33 and 126"
    guard = f"(length({raw}) <= {_TOKEN_CHARS} or {edge})"
    return f"case when {guard} and list_contains({_list(NULL_TOKENS)}, trim({raw})) then null else {raw} end"


def _cast_sql(col: Column, v: str) -> str:
    """Typed value of the normalised text ``v`` (null where it does not parse)."""
    s = f"trim({v})"
    if col.kind == "str":
        return s
    if col.kind in ("float", "int", "coord"):
        num = f"replace({s}, ',', '')" if col.thousands else s
        # DuckDB's casts are lenient ('12.75' -> 13 as an integer, '1_000', '0x10', 'inf'): only plain
        # decimal numbers are numbers here, so nothing is silently coerced.
        if col.kind == "int":
            return f"case when regexp_full_match({num}, '[+-]?[0-9]+') then try_cast({num} as BIGINT) end"
        if col.kind == "float":
            pattern = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
            return f"case when regexp_full_match({num}, {_lit(pattern)}) then try_cast({num} as DOUBLE) end"
        dms = f"regexp_extract({s}, {_lit(_DMS_SQL)}, ['d', 'm', 's', 'h'])"
        value = (
            f"(try_cast(nullif({dms}.d, '') as DOUBLE) + coalesce(try_cast(nullif({dms}.m, '') as DOUBLE), 0) / 60"
            f" + coalesce(try_cast(nullif({dms}.s, '') as DOUBLE), 0) / 3600)"
        )
        return f"coalesce(try_cast({s} as DOUBLE), case when {dms}.h in ('S', 'W') then -{value} else {value} end)"
    if col.kind == "bool":
        low = f"lower({s})"
        return (
            f"case when list_contains({_list(TRUE_TOKENS)}, {low}) then true "
            f"when list_contains({_list(FALSE_TOKENS)}, {low}) then false end"
        )
    formats = DATE_FORMATS if col.kind == "date" else TIMESTAMP_FORMATS + DATE_FORMATS
    parsed = "coalesce(" + ", ".join(f"try_strptime({s}, {_lit(f)})" for f in formats) + ")"
    sql_type = "DATE" if col.kind == "date" else "TIMESTAMP"
    return f"case when year({parsed}) between {MIN_YEAR} and {MAX_YEAR} then cast({parsed} as {sql_type}) end"


def _reason_sql(col: Column, raw: str, typed: str) -> str:
    """The first reason the value is not acceptable, or null."""
    parts = [f"when {raw} is not null and {typed} is null then {_lit('not a valid ' + col.kind)}"]
    if col.min is not None:
        parts.append(f"when {typed} < {col.min!r} then {_lit(f'below minimum {col.min:g}')}")
    if col.max is not None:
        parts.append(f"when {typed} > {col.max!r} then {_lit(f'above maximum {col.max:g}')}")
    if col.allowed is not None:
        allowed = _list(col.allowed)
        reason = _lit("not one of " + ", ".join(col.allowed))
        parts.append(f"when not list_contains({allowed}, cast({typed} as VARCHAR)) then {reason}")
    if col.required:
        parts.append(f"when {raw} is null then 'required value missing'")
    return "case " + " ".join(parts) + " end"


# ---------------------------------------------------------------------------------------------
# Reading records


@dataclass
class _Scan:
    sha256: str
    size: int
    newlines: int
    ends_with_newline: bool
    has_nul: bool
    has_quote: bool


def scan_file(path: Path) -> _Scan:
    """sha256, size and line facts of a file, streamed in chunks (never read whole into memory)."""
    digest = hashlib.sha256()
    size = newlines = 0
    has_nul = has_quote = False
    last = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            has_nul = has_nul or b"\x00" in chunk
            has_quote = has_quote or b'"' in chunk
            last = chunk[-1:]
    return _Scan(digest.hexdigest(), size, newlines, last == b"\n", has_nul, has_quote)


def _physical_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line bytes without its line ending)."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, line.rstrip(b"\n").rstrip(b"\r")


def _decode(raw: bytes, number: int) -> str:
    text = raw.decode("utf-8", errors="replace")
    return text[1:] if number == 1 and text.startswith("\ufeff") else text


def _split(text: str) -> list[str] | None:
    """Fields of one complete CSV record, or None where a quoted field is not closed."""
    try:
        return next(csv.reader([text], strict=True))
    except StopIteration:
        return []
    except csv.Error:
        return None


@dataclass
class _Record:
    line: int
    fields: list[str] | None
    text: str
    reason: str | None = None
    lines: int = 1


def _read_header(path: Path, skip_lines: int) -> tuple[list[str], int]:
    """The header's names and its line number (the first non-blank line after ``skip_lines``)."""
    for number, raw in _physical_lines(path):
        if number <= skip_lines:
            continue
        text = _decode(raw, number)
        if not text.strip():
            continue
        fields = _split(text)
        return ([h.strip() for h in fields] if fields else [text.strip()]), number
    return [], 0


def _exact_records(path: Path, header_line: int, spec: SourceSpec) -> Iterator[_Record]:
    """Records after the header, resynchronising after every record that cannot be valid.

    A valid line holds an even number of quote characters (a quoted field opens and closes on it;
    a literal quote inside a quoted field is doubled). A line with an odd count either starts a
    multi-line value - only in a ``multiline`` source, and only until the quote closes as a valid
    record within ``max_record_lines`` lines and ``max_field_chars`` characters - or cannot be valid:
    it is rejected alone and reading resumes at the next line (the lines a failed multi-line attempt
    took are read again, from the second on).
    """
    source = ((n, raw) for n, raw in _physical_lines(path) if n > header_line)
    pushed: deque[tuple[int, bytes]] = deque()

    def next_line() -> tuple[int, bytes] | None:
        if pushed:
            return pushed.popleft()
        return next(source, None)

    while (item := next_line()) is not None:
        number, raw = item
        if b"\x00" in raw:
            yield _Record(number, None, raw.replace(b"\x00", b"\\0").decode("utf-8", "replace"), "NUL byte in the line")
            continue
        text = _decode(raw, number)
        if not text.strip():
            continue  # blank line
        if text.count('"') % 2 == 0:
            fields = _split(text)
            yield (
                _Record(number, fields, text)
                if fields is not None
                else _Record(number, None, text, "malformed quoting in the line")
            )
            continue
        if not spec.allows_multiline:
            yield _Record(number, None, text, "unbalanced quote: a quoted field runs past the end of its line")
            continue
        # a multi-line value: take lines until the quote closes, within the limits
        taken: list[tuple[int, bytes]] = []
        parts, quotes, size = [text], text.count('"'), len(text)
        record: list[str] | None = None
        ended = False
        while len(taken) + 1 < spec.max_record_lines and size <= spec.max_field_chars:
            nxt = next_line()
            if nxt is None or b"\x00" in nxt[1]:
                ended = nxt is None
                if nxt is not None:
                    taken.append(nxt)
                break
            taken.append(nxt)
            piece = _decode(nxt[1], nxt[0])
            parts.append(piece)
            quotes += piece.count('"')
            size += len(piece) + 1
            if quotes % 2 == 0:
                record = _split("\n".join(parts))
                break
        if record is not None:
            yield _Record(number, record, "\n".join(parts), lines=len(parts))
            continue
        reason = (
            "unbalanced quote: the quoted value is not closed before the end of the file"
            if ended
            else f"unbalanced quote: a quoted value does not close as a valid record within "
            f"{spec.max_record_lines} lines or {spec.max_field_chars:,} characters"
        )
        yield _Record(number, None, text, reason)
        pushed.extendleft(reversed(taken))  # resynchronise: read the taken lines again


# ---------------------------------------------------------------------------------------------
# Loading


def _issue(row: int, fld: str, value: str | None, reason: str, action: Action, record: str) -> dict[str, object]:
    return {"source_row": row, "field": fld, "value": value, "reason": reason, "action": action, "record_json": record}


def _map_header(header: list[str], spec: SourceSpec) -> tuple[dict[str, int | None], list[Column]]:
    lowered = {h.lower(): i for i, h in enumerate(header)}
    position: dict[str, int | None] = {}
    for col in spec.columns:
        idx = next((header.index(n) for n in col.source if n in header), None)
        if idx is None:
            idx = next((lowered[n.lower()] for n in col.source if n.lower() in lowered), None)
        position[col.name] = idx
    missing = [c for c in spec.columns if position[c.name] is None and not c.optional]
    return position, missing


def load_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: SourceSpec,
    target: str,
    context: dict[str, object] | None = None,
    lineage: dict[str, object] | None = None,
    scan: _Scan | None = None,
) -> LoadResult:
    """Read ``path`` by ``spec`` into the table ``target`` (replaced), return counts and issues.

    Never raises on bad content: a file that cannot be read at all comes back ``file_rejected``
    and ``target`` is left untouched. ``lineage`` maps extra constant columns (e.g. ``_source_file``)
    to their values; ``_source_row`` (the record's first line) is always added.
    """
    scan = scan or scan_file(path)
    issues: list[dict[str, object]] = []

    def rejected_file(reason: str, line: int = 0, record: str = "{}") -> LoadResult:
        issues.append(_issue(line, "*", None, reason, "file_rejected", record))
        return LoadResult(pl.DataFrame(issues, schema=ISSUE_SCHEMA), 0, 0, header, "none")

    header: list[str] = []
    if scan.size == 0:
        return rejected_file("empty file: no header and no rows")
    header, header_line = _read_header(path, spec.skip_lines)
    if not header_line:
        return rejected_file("empty file: no header and no rows")
    header_json = json.dumps(header, ensure_ascii=False)
    position, missing = _map_header(header, spec)
    known = {n for c in spec.columns for n in c.source} | set(spec.ignored)
    known_lower = {n.lower() for n in known}
    unexpected = [h for h in header if h and h not in known and h.lower() not in known_lower]
    if missing:
        hint = f"; the header has unexpected column(s) {unexpected} (renamed?)" if unexpected else ""
        for col in missing:
            issues.append(
                _issue(
                    header_line,
                    col.name,
                    None,
                    f"required column {col.source[0]!r} missing from header (schema drift){hint}; file not loaded",
                    "file_rejected",
                    header_json,
                )
            )
        return LoadResult(pl.DataFrame(issues, schema=ISSUE_SCHEMA), 0, 0, header, "none")
    for col in spec.columns:
        if position[col.name] is None:
            issues.append(
                _issue(
                    header_line,
                    col.name,
                    None,
                    f"optional column {col.source[0]!r} missing from header; loaded as null",
                    "flagged",
                    header_json,
                )
            )
    for h in unexpected:
        issues.append(
            _issue(header_line, h, None, f"unexpected column {h!r} (schema drift); not loaded", "flagged", header_json)
        )

    width = len(header)
    row_expr = _read_fast(con, path, scan, header_line, width, spec)
    read_path: Literal["fast", "exact"] = "fast"
    if row_expr is None:
        names = {idx: name for name, idx in position.items() if idx is not None}
        names.update({i: h for i, h in enumerate(header) if i not in names})
        _read_exact(con, path, header_line, width, spec, issues, names)
        row_expr, read_path = "_source_row", "exact"
    reader_rejects = len({i["source_row"] for i in issues if i["action"] == "row_rejected"})
    rows_in_file = con.execute("select count(*) from _rec").fetchone()[0] + reader_rejects
    try:
        found = _validate(con, spec, position, header, row_expr, target, context or {}, lineage or {})
        loaded = con.execute(f"select count(*) from {target}").fetchone()[0]
    finally:
        con.execute("drop table if exists _rec")
    frame = pl.DataFrame(issues + found, schema=ISSUE_SCHEMA).sort("source_row", maintain_order=True)
    return LoadResult(frame, rows_in_file, loaded, header, read_path)


def _read_fast(
    con: duckdb.DuckDBPyConnection, path: Path, scan: _Scan, header_line: int, width: int, spec: SourceSpec
) -> str | None:
    """DuckDB's reader into ``_rec``, accepted only where the exact path would read the same records from
    the same lines; returns the SQL for a record's line number, or None (then the exact path reads the file).

    Without a quote character in the file, the file's lines must account exactly for the header and the
    records (no reader error, no blank line): record *k* is line ``header_line + k``. With quotes (a quoted
    value may hold a comma, a doubled quote or, in a ``multiline`` source, line breaks), the records' ends
    are checked against the file's own quote parity (``_quote_checked_starts``)."""
    if scan.has_nul:
        return None
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    con.execute("drop table if exists _rec")
    try:
        con.execute(
            f"""
            create temp table _rec as
            select * from read_csv({_lit(str(path))}, columns = {columns}, header = false, skip = {header_line},
                                   delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
                                   null_padding = false, ignore_errors = true, store_rejects = true,
                                   rejects_table = '_rej_errors', rejects_scan = '_rej_scans', max_line_size = 4194304)
            """
        )
        bad = con.execute("select count(*) from _rej_errors").fetchone()[0]
    except duckdb.Error:
        con.execute("drop table if exists _rec")
        return None
    finally:
        con.execute("drop table if exists _rej_errors")
        con.execute("drop table if exists _rej_scans")
    records = con.execute("select count(*) from _rec").fetchone()[0]
    lines = scan.newlines + (0 if scan.ends_with_newline or scan.size == 0 else 1)
    if not bad and not scan.has_quote and records + header_line == lines:
        return f"(rowid + {header_line + 1})"
    if not bad and scan.has_quote and (spec.multiline or records + header_line == lines):
        starts = _quote_checked_starts(con, path, header_line, width, spec)
        if starts is not None:
            con.register("_rec_lines", pa.table({"_source_row": starts}))
            con.execute(
                "create or replace temp table _rec as "
                "select l._source_row, r.* from _rec r positional join _rec_lines l"
            )
            con.unregister("_rec_lines")
            return "_source_row"
    con.execute("drop table if exists _rec")
    return None


def _quote_checked_starts(
    con: duckdb.DuckDBPyConnection, path: Path, header_line: int, width: int, spec: SourceSpec
) -> np.ndarray | None:
    """Each record's first line, if DuckDB's records end exactly where the exact path's would; else None.

    The exact path ends a record at the first line where the record's count of quote characters is even
    (a doubled quote counts two, a value's opening and closing quotes one each); a stray quote in an
    unquoted value, which DuckDB keeps as text, breaks that parity. So the lines where the running count of
    quotes since the header is even must be exactly the lines DuckDB's records end on (a record ends on
    its first line plus the line breaks in its values). Also read the exact way: a record over
    ``max_record_lines`` lines or ``max_field_chars`` characters, a carriage return inside a value (the
    exact path joins a value's lines with a bare line feed) and a U+FFFD character (invalid UTF-8 there)."""
    text = "concat(" + ", ".join(f"c{i}" for i in range(width)) + ")"  # the record's values, nulls as ''
    checked = con.execute(
        f"""
        select n, contains(t, chr(65533)) or (n > 0 and (n >= {spec.max_record_lines}
                  or length(t) > {spec.max_field_chars} or contains(t, chr(13)))) as too_odd
        from (select {text} as t, length({text}) - length(replace({text}, chr(10), '')) as n from _rec)
        """
    ).fetchnumpy()
    span = checked["n"].astype(np.int64)
    if checked["too_odd"].any() or (span.any() and not spec.multiline):
        return None
    data = np.fromfile(path, dtype=np.uint8)
    line_ends = np.flatnonzero(data == 10)  # line n ends at line_ends[n - 1]
    if data.size and data[-1] != 10:
        line_ends = np.append(line_ends, data.size - 1)  # a last line without its line feed
    quote_at = np.flatnonzero(data == 34)
    quotes = np.searchsorted(quote_at, line_ends, side="right")  # quotes up to each line's end
    if _quote_beside_blank(data, quote_at, int(quotes[header_line - 1]) if header_line else 0):
        return None
    del data
    since_header = quotes[header_line:] - (quotes[header_line - 1] if header_line else 0)
    balanced = np.flatnonzero(since_header % 2 == 0) + header_line + 1  # 1-based numbers of those lines
    ends = header_line + np.cumsum(span + 1)
    if balanced.size != ends.size or not np.array_equal(balanced, ends):
        return None
    return (ends - span).astype(np.int64)


def _quote_beside_blank(data: np.ndarray, quote_at: np.ndarray, first: int) -> bool:
    """True if a quote that opens a value has only spaces or tabs between it and a delimiter, a line break or
    the file's start (`` "a",``), or one that closes a value has only those between it and a delimiter, a
    line break, the file's end or another quote (``"a" ,``, ``"a" "b"``). DuckDB's reader takes such a field
    in its own way; the exact path rejects the line, so the file is read the exact way. A quote opens a value
    when an even number of quotes since the header stand before it (``first`` is the index of the first quote
    after the header); inside quoted text a space beside a doubled quote (``said ""yes"" to``) is fine."""
    blank, stops, size = (32, 9), (44, 10, 13, 34), data.size
    index = np.arange(quote_at.size)
    opening = quote_at[((index - first) % 2 == 0) & (quote_at > 0)]
    for q in opening[np.isin(data[opening - 1], blank)]:
        i = int(q) - 1
        while i >= 0 and data[i] in blank:
            i -= 1
        if i < 0 or data[i] in stops:
            return True
    closing = quote_at[((index - first) % 2 == 1) & (quote_at < size - 1)]
    for q in closing[np.isin(data[closing + 1], blank)]:
        i = int(q) + 1
        while i < size and data[i] in blank:
            i += 1
        if i >= size or data[i] in stops:
            return True
    return False


def _read_exact(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    header_line: int,
    width: int,
    spec: SourceSpec,
    issues: list[dict[str, object]],
    names: dict[int, str],
) -> None:
    """Line by line with resynchronisation; good records go to ``_rec``, the rest to ``issues``."""
    lines: list[int] = []
    values: list[list[str | None]] = [[] for _ in range(width)]
    for rec in _exact_records(path, header_line, spec):
        if rec.fields is None:
            record = json.dumps({"_line": rec.text}, ensure_ascii=False)
            issues.append(_issue(rec.line, "*", None, rec.reason or "unreadable record", "row_rejected", record))
            continue
        record = json.dumps({"_fields": rec.fields}, ensure_ascii=False)
        if len(rec.fields) != width:
            reason = f"malformed CSV record: expected {width} fields, found {len(rec.fields)}"
            issues.append(_issue(rec.line, "*", None, reason, "row_rejected", record))
            continue
        bad = next((i for i, f in enumerate(rec.fields) if "\ufffd" in f), None)
        if bad is not None:
            issues.append(
                _issue(
                    rec.line, names.get(bad, f"#{bad}"), None, "bytes that are not valid UTF-8", "row_rejected", record
                )
            )
            continue
        lines.append(rec.line)
        for i, value in enumerate(rec.fields):
            values[i].append(value if value != "" else None)
    columns = {"_source_row": pl.Series(lines, dtype=pl.Int64)}
    columns.update({f"c{i}": pl.Series(v, dtype=pl.String) for i, v in enumerate(values)})
    con.execute("drop table if exists _rec")
    con.register("_rec_frame", pl.DataFrame(columns).to_arrow())
    con.execute("create temp table _rec as select * from _rec_frame")
    con.unregister("_rec_frame")


def _sql_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return f"TIMESTAMP {_lit(value.isoformat(sep=' '))}"  # type: ignore[union-attr]
    return _lit(str(value))


_WINDOW = re.compile(r"\bover\s*\(", re.I)


def _nulled(spec: SourceSpec) -> set[str]:
    """Columns whose invalid values are nulled and flagged instead of rejecting the row."""
    return {c.name for c in spec.columns if c.on_invalid == "null" and not c.required}


def _typed_layer(spec: SourceSpec, position: dict[str, int | None], base: str) -> str:
    """SQL over ``base`` (``_source_row`` and the text columns ``c<i>``): the raw text of every column
    (``_raw_<col>``, nulls normalised), its typed value, its reason (``_why_<col>``, null when good), invalid
    ``on_invalid="null"`` values nulled, then the derived columns."""
    nulled_set = _nulled(spec)
    nulled = [c.name for c in spec.columns if c.name in nulled_set]
    raw = ", ".join(
        f"{_null_sql(f'c{position[c.name]}') if position[c.name] is not None else 'cast(null as VARCHAR)'} "
        f"as {_q('_raw_' + c.name)}"
        for c in spec.columns
    )
    layer = f"select _source_row, {raw} from ({base})"
    typed = ", ".join(f"{_cast_sql(c, _q('_raw_' + c.name))} as {_q(c.name)}" for c in spec.columns)
    layer = f"select *, {typed} from ({layer})"
    whys = ", ".join(
        f"{_reason_sql(c, _q('_raw_' + c.name), _q(c.name))} as {_q('_why_' + c.name)}" for c in spec.columns
    )
    layer = f"select *, {whys} from ({layer})"
    if nulled:
        blanked = ", ".join(f"case when {_q('_why_' + n)} is null then {_q(n)} end as {_q(n)}" for n in nulled)
        layer = f"select * replace ({blanked}) from ({layer})"
    for d in spec.derived:  # in order: a derived column may use the ones before it
        layer = f"select *, cast(({d.sql}) as {_SQL_TYPE[d.kind]}) as {_q(d.name)} from ({layer})"
    return layer


def _validate(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    position: dict[str, int | None],
    header: list[str],
    row_expr: str,
    target: str,
    context: dict[str, object],
    lineage: dict[str, object],
) -> list[dict[str, object]]:
    """Type and check ``_rec`` into ``target``; return the issues the checks found.

    One pass over the records writes ``target``: every row typed, with the derived columns, a flag per row
    rule and whether the row has any issue or is rejected. A large clean file thus costs one read and one
    write. Then the few rows with issues are typed again to name each issue, duplicates are looked for
    only among rows whose unique key (or whole record) repeats, rejected rows are deleted and the flag
    columns dropped."""
    by_name = {c.name: c for c in spec.columns}
    nulled = _nulled(spec)
    columns = ", ".join(f"c{i}" for i in range(len(header)))
    base = f"select {row_expr} as _source_row, {columns} from _rec"

    # Row rules and reference sets, as one boolean column each: true where the row breaks the rule.
    rules: list[tuple[str, str, str, str, str]] = []  # (column, field, value sql, reason sql, action)
    exprs: list[str] = []
    ordered = False  # a window in a rule (e.g. a median over a group) or a join does not keep file order
    for i, check in enumerate(spec.row_checks):
        value = f"cast({_q(check.field)} as VARCHAR)" if check.field in by_name else "cast(null as VARCHAR)"
        exprs.append(f"not coalesce(({check.sql}), true) as _rule_{i}")
        action = "row_rejected" if check.action == "reject" else "flagged"
        rules.append((f"_rule_{i}", check.field, value, _lit(check.reason), action))
        ordered = ordered or bool(_WINDOW.search(check.sql))
    references: list[tuple[str, str, str, str]] = [
        (look.field, look.context_key, look.reason, look.action) for look in spec.lookup_checks
    ]
    references += [
        (
            par.field,
            par.context_key,
            f"orphan: {{value!r}} is not in {par.parent} (its parent record is missing)",
            par.action,
        )
        for par in spec.parent_checks
    ]
    lookup_tables: list[str] = []
    for i, (fld, key, reason, how) in enumerate(references):
        known = context.get(key)
        if known is None:
            continue
        name = f"_lookup_{i}"
        lookup_tables.append(name)
        # from an Arrow table: executemany inserts row by row (a second for Epoch's 7,400 names at SCALE=100)
        con.register("_lookup_values", pa.table({"value": pa.array([str(v) for v in known], pa.string())}))
        con.execute(f"create or replace temp table {name} as select value from _lookup_values")
        con.unregister("_lookup_values")
        column = f"cast({_q(fld)} as VARCHAR)"
        head, _, tail = reason.partition("{value!r}")
        message = f"{_lit(head + chr(39))} || {column} || {_lit(chr(39) + tail)}" if _ else _lit(reason)
        exprs.append(
            f"coalesce({_q(fld)} is not null and {column} not in (select value from {name}), false) as _ref_{i}"
        )
        rules.append((f"_ref_{i}", fld, column, message, "row_rejected" if how == "reject" else "flagged"))
        ordered = True
    layer = _typed_layer(spec, position, base)
    if exprs:
        layer = f"select *, {', '.join(exprs)} from ({layer})"
    rejected = [f"{_q('_why_' + c.name)} is not null" for c in spec.columns if c.name not in nulled]
    rejected += [col for col, *_, action in rules if action == "row_rejected"]
    any_issue = [f"{_q('_why_' + c.name)} is not null" for c in spec.columns]
    any_issue += [col for col, *_ in rules]
    flags = [col for col, *_ in rules] + ["_rejected", "_has_issue"]
    data_cols = [_q(c.name) for c in spec.columns] + [_q(d.name) for d in spec.derived]
    extra = "".join(f", {_sql_value(v)} as {_q(k)}" for k, v in lineage.items())
    con.execute(
        f"""
        create or replace table {target} as
        select {", ".join(data_cols)}, cast(_source_row as INTEGER) as _source_row{extra},
               {"".join(f"{col}, " for col, *_ in rules)}
               ({" or ".join(rejected) or "false"}) as _rejected, ({" or ".join(any_issue)}) as _has_issue
        from ({layer})
        {"order by _source_row" if ordered else ""}
        """
    )

    # The issues: the rows with any are typed again (only they) to name each column's reason.
    found = [
        "select null::BIGINT as _source_row, null::VARCHAR as field, null::VARCHAR as value, "
        "null::VARCHAR as reason, null::VARCHAR as action, 0 as _k where false"
    ]  # _k: the order of a row's issues (columns, then rules, then duplicates), as the checks are listed
    if con.execute(f"select count(*) from {target} where _has_issue").fetchone()[0]:
        flagged = f"select * from ({base}) where _source_row in (select _source_row from {target} where _has_issue)"
        con.execute(f"create or replace temp table _flagged as {_typed_layer(spec, position, flagged)}")
        for k, col in enumerate(spec.columns, start=1):
            rawq, why = _q("_raw_" + col.name), _q("_why_" + col.name)
            action = "field_nulled" if col.name in nulled else "row_rejected"
            found.append(
                f"select _source_row, {_lit(col.name)}, {rawq}, {why}, {_lit(action)}, {k} "
                f"from _flagged where {why} is not null"
            )
        for k, (col, fld, value, message, action) in enumerate(rules, start=len(spec.columns) + 1):
            found.append(
                f"select _source_row, {_lit(fld)}, {value}, {message}, {_lit(action)}, {k} from {target} where {col}"
            )
    con.execute(f"create or replace temp table _issues as {' union all '.join(found)}")

    # Duplicates among the rows still standing: the whole record, then the unique key. Only rows whose key
    # (or, without a key, whole record) repeats can be either: an exact duplicate repeats its key too.
    whole_action = "flagged" if spec.exact_duplicates == "flag" else "row_rejected"
    dup_k = len(spec.columns) + len(rules) + 1  # after every column's and rule's issue
    kept = " (kept: the publisher lists identical rows as separate entries)" if whole_action == "flagged" else ""
    if spec.unique_key:
        keys = [_q(k) for k in spec.unique_key]
        match = " and ".join(f"t.{k} is not distinct from d.{k}" for k in keys)
        con.execute(
            f"""
            create or replace temp table _cand as
            select t._source_row, {", ".join(f"t.{k}" for k in keys)} from {target} t
            semi join (select {", ".join(keys)} from {target} group by all having count(*) > 1) d on {match}
            """
        )
    else:
        match = " and ".join(f"r.c{i} is not distinct from d.c{i}" for i in range(len(header)))
        con.execute(
            f"""
            create or replace temp table _cand as
            select r._source_row from ({base}) r
            semi join (select {columns} from _rec group by all having count(*) > 1) d on {match}
            """
        )
    standing = "_source_row not in (select _source_row from _issues where action = 'row_rejected')"
    if con.execute("select count(*) from _cand").fetchone()[0]:
        con.execute(
            f"""
            insert into _issues
            select _source_row, '*', null, 'exact duplicate of the record at line ' || _first || {_lit(kept)},
                   {_lit(whole_action)}, {dup_k}
            from (
                select _source_row, min(_source_row) over (partition by {columns}) as _first
                from ({base}) where _source_row in (select _source_row from _cand)
            )
            where _source_row <> _first and {standing}
            """
        )
        if spec.unique_key:
            keys_sql = ", ".join(_q(k) for k in spec.unique_key)
            key_text = " || ', ' || ".join(
                f"{_lit(k + '=')} || coalesce(cast({_q(k)} as VARCHAR), 'NULL')" for k in spec.unique_key
            )
            con.execute(
                f"""
                insert into _issues
                select _source_row, {_lit(",".join(spec.unique_key))}, null,
                       'duplicate key (' || {key_text} || ') first seen at line ' || _first, 'row_rejected', {dup_k + 1}
                from (select *, min(_source_row) over (partition by {keys_sql}) as _first from _cand where {standing})
                where _source_row <> _first
                """
            )

    rows: list[tuple] = []
    if con.execute("select count(*) from _issues").fetchone()[0]:
        con.execute(
            f"delete from {target} where _rejected or _source_row in "
            "(select _source_row from _issues where action = 'row_rejected')"
        )
        record_json = "json_object(" + ", ".join(f"{_lit(h)}, c{i}" for i, h in enumerate(header)) + ")"
        rows = con.execute(
            f"""
            select i._source_row, i.field, i.value, i.reason, i.action, cast({record_json} as VARCHAR)
            from _issues i join ({base}) r on r._source_row = i._source_row
            order by i._source_row, i._k
            """
        ).fetchall()
    for flag in flags:
        con.execute(f"alter table {target} drop column {flag}")
    for name in ("_flagged", "_issues", "_cand", *lookup_tables):
        con.execute(f"drop table if exists {name}")
    return [_issue(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]


def parse_source(data: bytes, spec: SourceSpec, context: dict[str, object] | None = None) -> LoadResult:
    """Parse the bytes of one source file by ``spec`` in an in-memory DuckDB; ``rows`` holds the result.

    Convenience for tests and small reference files; the pipeline calls ``load_source`` on the file.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "source.csv"
        path.write_bytes(data)
        con = duckdb.connect()
        try:
            result = load_source(con, path, spec, "_parsed", context)
            if result.file_rejected:
                result.rows = pl.DataFrame(schema={**spec.schema, "_source_row": pl.Int32()})
            else:
                result.rows = con.execute("select * from _parsed").pl()
            return result
        finally:
            con.close()
