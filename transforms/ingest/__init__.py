"""Read and validate one delimited source file into a typed table plus a table of issues.

No type inference anywhere, nothing silently lost, raw files only read. The work is done by DuckDB
(so a large file loads at about the speed of DuckDB's own ``read_csv``); the rules are data, in
``SourceSpec`` (``spec.py``; the specs themselves are in ``transforms/sources/``). ``load.py`` runs the
steps below, in this order.

1. **Records** (``fast_path.py``, ``exact_path.py``, over ``lines.py``). Fast path: DuckDB's CSV reader
   reads every column as text into a temporary table.
   Its result is used only if the file's physical lines account exactly for the header and the
   records (no reader error, no blank line, no record spanning lines, no NUL byte): then record
   *k* is line ``header_line + k`` and nothing can have been swallowed. Otherwise the exact path
   reads the file line by line and **resynchronises**: a record that cannot be valid (wrong field
   count, a quoted field running past the end of its line where the schema allows no multi-line
   field, or past ``max_record_lines`` / ``max_field_chars`` where it does, invalid UTF-8, a NUL
   byte) costs only the physical lines it occupies; each is quarantined with its line and reason,
   and reading resumes at the next line.
2. **Header** (``header.py``). Mapped to the spec's columns by name (each column lists the names it has
   had in the publisher's releases). A missing required column rejects the file, naming the column and the
   header's unexpected names (a renamed column shows up there); a missing optional one loads as null
   and is flagged; an unexpected extra column is flagged as schema drift.
3. **Values** (``values.py``, ``validate.py``). Every value is cast by its column's kind in SQL; a value
   that does not parse or breaks a bound rejects the row or, for ``on_invalid="null"`` columns, is nulled and
   flagged. Cross-column rules (``RowCheck``), reference sets (``LookupCheck``) and parent tables
   (``ParentCheck``: an orphan's parent missing from another source) are SQL too.
4. **Duplicates** (``duplicates.py``). Exact duplicate records, and repeats of the spec's unique key, are
   rejected after the first (or flagged, where the publisher lists identical rows on purpose).

A rejected row keeps its raw record in the issue (``record_json``), so nothing is lost. What a load did is
a ``LoadResult`` (``result.py``): counts, the read path and the issues.

This package exports the public names of the former ``transforms/ingest.py`` module, unchanged.
"""

from __future__ import annotations

from transforms.coordinates import parse_coordinate
from transforms.ingest.lines import scan_file
from transforms.ingest.load import load_source, parse_source
from transforms.ingest.result import ISSUE_SCHEMA, Action, LoadResult, ParseResult
from transforms.ingest.spec import Column, Derived, Kind, LookupCheck, ParentCheck, RowCheck, SourceSpec
from transforms.ingest.values import (
    DATE_FORMATS,
    FALSE_TOKENS,
    MAX_YEAR,
    MIN_YEAR,
    NULL_TOKENS,
    TIMESTAMP_FORMATS,
    TRUE_TOKENS,
)

# Bump when a change to reading or validation could change what loads from an unchanged file.
PARSER_VERSION = "2026.12.1"

__all__ = [
    "DATE_FORMATS",
    "FALSE_TOKENS",
    "ISSUE_SCHEMA",
    "MAX_YEAR",
    "MIN_YEAR",
    "NULL_TOKENS",
    "PARSER_VERSION",
    "TIMESTAMP_FORMATS",
    "TRUE_TOKENS",
    "Action",
    "Column",
    "Derived",
    "Kind",
    "LoadResult",
    "LookupCheck",
    "ParentCheck",
    "ParseResult",
    "RowCheck",
    "SourceSpec",
    "load_source",
    "parse_coordinate",
    "parse_source",
    "scan_file",
]
