"""The fast path: DuckDB's CSV reader reads every column as text into ``_rec``; its result is kept only where
the exact path would read the same records from the same lines (line counts, or the file's own quote parity)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from transforms.ingest.lines import _Scan
from transforms.ingest.spec import SourceSpec
from transforms.ingest.sql import _lit


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
