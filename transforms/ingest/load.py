"""The entry points: ``load_source`` reads one file by its spec into a table (header, records, one validating
pass) and returns the load's summary; ``parse_source`` does the same on bytes, in memory."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from transforms.ingest.exact_path import _read_exact
from transforms.ingest.fast_path import _read_fast
from transforms.ingest.header import _check_header, _read_header
from transforms.ingest.lines import _Scan, scan_file
from transforms.ingest.result import ISSUE_SCHEMA, LoadResult, _issue
from transforms.ingest.spec import SourceSpec
from transforms.ingest.validate import _validate


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
    if scan.size == 0:
        return _empty_file()
    header, header_line = _read_header(path, spec.skip_lines)
    if not header_line:
        return _empty_file()
    position, issues, rejected = _check_header(header, header_line, spec)
    if rejected:
        return LoadResult(pl.DataFrame(issues, schema=ISSUE_SCHEMA), 0, 0, header, "none")
    row_expr, read_path = _read_records(con, path, scan, header, header_line, position, spec, issues)
    reader_rejects = len({i["source_row"] for i in issues if i["action"] == "row_rejected"})
    rows_in_file = con.execute("select count(*) from _rec").fetchone()[0] + reader_rejects
    try:
        found = _validate(con, spec, position, header, row_expr, target, context or {}, lineage or {})
        loaded = con.execute(f"select count(*) from {target}").fetchone()[0]
    finally:
        con.execute("drop table if exists _rec")
    frame = pl.DataFrame(issues + found, schema=ISSUE_SCHEMA).sort("source_row", maintain_order=True)
    return LoadResult(frame, rows_in_file, loaded, header, read_path)


def _empty_file() -> LoadResult:
    issue = _issue(0, "*", None, "empty file: no header and no rows", "file_rejected", "{}")
    return LoadResult(pl.DataFrame([issue], schema=ISSUE_SCHEMA), 0, 0, [], "none")


def _read_records(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    scan: _Scan,
    header: list[str],
    header_line: int,
    position: dict[str, int | None],
    spec: SourceSpec,
    issues: list[dict[str, object]],
) -> tuple[str, Literal["fast", "exact"]]:
    """The records into the temporary table ``_rec`` (``_source_row`` and text columns ``c<i>``): the fast
    path where it reads exactly what the exact path would, else the exact path, which adds the records it
    rejects to ``issues``. Returns the SQL for a record's line number and the path taken."""
    width = len(header)
    row_expr = _read_fast(con, path, scan, header_line, width, spec)
    if row_expr is not None:
        return row_expr, "fast"
    names = {idx: name for name, idx in position.items() if idx is not None}
    names.update({i: h for i, h in enumerate(header) if i not in names})
    _read_exact(con, path, header_line, width, spec, issues, names)
    return "_source_row", "exact"


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
