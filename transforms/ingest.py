"""Parse and validate a delimited source file into a typed polars frame plus a frame of issues.

Pure functions: bytes in, frames out. No Dagster, no file paths read here. The orchestration layer
reads the file, passes its bytes and name, and writes both frames to the warehouse.

How a file is read (no type inference anywhere):
1. bytes are decoded as UTF-8; a record holding bytes that are not UTF-8 is rejected (the bad
   bytes show as U+FFFD in the quarantined record), the rest of the file still loads;
2. Python's csv module splits records, so a record's starting line number is known exactly; a
   record with the wrong number of fields is rejected as malformed;
3. the header is mapped to the spec's columns by name (each column lists the names it has had in
   the publisher's releases); a missing required column rejects the file, a missing optional one
   loads as null and is flagged, an unexpected extra column is flagged as schema drift;
4. every value is cast by the column's declared kind; a value that does not parse or breaks a
   bound either rejects the row or, for columns marked ``on_invalid="null"``, is set to null and
   flagged; a row rejected keeps its raw record in the issue so nothing is lost;
5. exact duplicate records, and repeats of the spec's unique key, are rejected after the first.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import polars as pl

Kind = Literal["str", "float", "int", "date", "bool", "coord"]
Action = Literal["row_rejected", "field_nulled", "flagged", "file_rejected"]

NULL_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None")
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m", "%Y")
# Dates outside this window are typos (FracTracker has one 3036), not history or plans.
MIN_YEAR, MAX_YEAR = 1950, 2100
TRUE_TOKENS = ("true", "yes", "y", "1", "t")
FALSE_TOKENS = ("false", "no", "n", "0", "f")

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "field": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "action": pl.String(),
    "record_json": pl.String(),
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
    """A rule across columns: ``valid`` is a polars expression true for good rows."""

    field: str
    reason: str
    valid: Callable[[], pl.Expr]
    action: Literal["reject", "flag"] = "reject"


@dataclass(frozen=True)
class LookupCheck:
    """A value must be one of a reference set handed in at parse time (e.g. known GPU models)."""

    field: str
    context_key: str
    reason: str
    action: Literal["reject", "flag"] = "reject"


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
    # Exact duplicate records are rejected, unless the publisher lists identical rows on purpose
    # (Epoch's anonymized systems): then they load and are flagged.
    exact_duplicates: Literal["reject", "flag"] = "reject"
    derive: Callable[[pl.DataFrame], pl.DataFrame] | None = None
    description: str = ""

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: _polars_type(c.kind) for c in self.columns}


@dataclass
class ParseResult:
    """Typed good rows (with ``_source_row``) and one issue per problem found."""

    rows: pl.DataFrame
    issues: pl.DataFrame
    rows_in_file: int
    header: list[str] = field(default_factory=list)

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


class _Issues:
    def __init__(self) -> None:
        self.items: list[dict[str, object]] = []

    def add(self, row: int, fld: str, value: str | None, reason: str, action: Action, record: str) -> None:
        self.items.append(
            {"source_row": row, "field": fld, "value": value, "reason": reason, "action": action, "record_json": record}
        )

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.items, schema=ISSUE_SCHEMA)


def _polars_type(kind: Kind) -> pl.DataType:
    return {
        "str": pl.String(),
        "float": pl.Float64(),
        "int": pl.Int64(),
        "date": pl.Date(),
        "bool": pl.Boolean(),
        "coord": pl.Float64(),
    }[kind]


_DMS = re.compile(
    r"^\s*(?P<deg>\d{1,3}(?:\.\d+)?)\s*°\s*(?:(?P<min>\d{1,2}(?:\.\d+)?)\s*['′]\s*)?"
    r"(?:(?P<sec>\d{1,2}(?:\.\d+)?)\s*(?:\"|″|'')\s*)?(?P<hem>[NSEW])\s*$"
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


def _decode(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def _split_records(text: str, skip_lines: int) -> tuple[list[str], list[tuple[int, list[str]]], int]:
    """Header, then (start line, fields) per record. Line numbers count from 1 in the file."""
    lines = io.StringIO(text)
    for _ in range(skip_lines):
        lines.readline()
    reader = csv.reader(lines)
    records: list[tuple[int, list[str]]] = []
    header: list[str] = []
    previous_end = skip_lines
    try:
        for fields in reader:
            start = previous_end + 1
            previous_end = skip_lines + reader.line_num
            if not header:
                header = fields
                continue
            if not any(f.strip() for f in fields):
                continue  # blank line
            records.append((start, fields))
    except csv.Error as exc:  # e.g. NUL byte or a quote left open at the end of the file
        records.append((previous_end + 1, [f"<unparseable CSV: {exc}>"]))
    return header, records, skip_lines


def _record_json(header: Sequence[str], fields: Sequence[str]) -> str:
    if len(fields) == len(header):
        return json.dumps(dict(zip(header, fields, strict=True)), ensure_ascii=False)
    return json.dumps({"_fields": list(fields)}, ensure_ascii=False)


def _cast_expr(col: Column) -> pl.Expr:
    s = pl.col(col.name).str.strip_chars()
    if col.kind == "str":
        return s
    if col.kind == "float":
        if col.thousands:
            s = s.str.replace_all(",", "")
        return s.cast(pl.Float64, strict=False)
    if col.kind == "int":
        if col.thousands:
            s = s.str.replace_all(",", "")
        return s.cast(pl.Int64, strict=False)
    if col.kind == "coord":
        return s.map_elements(parse_coordinate, return_dtype=pl.Float64)
    if col.kind == "bool":
        low = s.str.to_lowercase()
        return (
            pl.when(low.is_in(TRUE_TOKENS))
            .then(True)
            .when(low.is_in(FALSE_TOKENS))
            .then(False)
            .otherwise(None)
            .cast(pl.Boolean)
        )
    parsed = pl.coalesce([s.str.to_date(fmt, strict=False) for fmt in DATE_FORMATS])
    return pl.when(parsed.dt.year().is_between(MIN_YEAR, MAX_YEAR)).then(parsed).otherwise(None)


def _bound_reason(col: Column) -> pl.Expr | None:
    """Expression that is a reason string where the typed value breaks a bound, else null."""
    value = pl.col(col.name)
    parts = []
    if col.min is not None:
        parts.append(pl.when(value < col.min).then(pl.lit(f"below minimum {col.min:g}")))
    if col.max is not None:
        parts.append(pl.when(value > col.max).then(pl.lit(f"above maximum {col.max:g}")))
    if col.allowed is not None:
        parts.append(
            pl.when(value.is_not_null() & ~value.is_in(list(col.allowed))).then(
                pl.lit(f"not one of {', '.join(col.allowed)}")
            )
        )
    if not parts:
        return None
    return pl.coalesce(parts)


def parse_source(data: bytes, spec: SourceSpec, context: dict[str, object] | None = None) -> ParseResult:
    """Parse ``data`` (the bytes of one source file) by ``spec``. Never raises on bad content."""
    issues = _Issues()
    text = _decode(data)
    empty = pl.DataFrame(schema={**spec.schema, "_source_row": pl.Int64()})
    if not text.strip():
        issues.add(0, "*", None, "empty file: no header and no rows", "file_rejected", "{}")
        return ParseResult(empty, issues.frame(), 0)

    header, records, _ = _split_records(text, spec.skip_lines)
    header = [h.strip() for h in header]
    header_line = spec.skip_lines + 1
    header_json = json.dumps(header, ensure_ascii=False)

    # Map header names to columns (exact first, then case-insensitive).
    lowered = {h.lower(): i for i, h in enumerate(header)}
    position: dict[str, int | None] = {}
    for col in spec.columns:
        idx = next((header.index(n) for n in col.source if n in header), None)
        if idx is None:
            idx = next((lowered[n.lower()] for n in col.source if n.lower() in lowered), None)
        position[col.name] = idx
    missing_required = [c for c in spec.columns if position[c.name] is None and not c.optional]
    for col in missing_required:
        issues.add(
            header_line,
            col.name,
            None,
            f"column {col.source[0]!r} missing from header (schema drift); file not loaded",
            "file_rejected",
            header_json,
        )
    if missing_required:
        return ParseResult(empty, issues.frame(), len(records), header)
    for col in spec.columns:
        if position[col.name] is None:
            issues.add(
                header_line,
                col.name,
                None,
                f"optional column {col.source[0]!r} missing from header; loaded as null",
                "flagged",
                header_json,
            )
    known = {n for c in spec.columns for n in c.source} | set(spec.ignored)
    known_lower = {n.lower() for n in known}
    for h in header:
        if h and h not in known and h.lower() not in known_lower:
            issues.add(
                header_line, h, None, f"unexpected column {h!r} (schema drift); not loaded", "flagged", header_json
            )

    # Records -> string frame; reject malformed records and bytes that were not UTF-8.
    by_index = {idx: name for name, idx in position.items() if idx is not None}
    good_lines: list[int] = []
    values: dict[str, list[str | None]] = {c.name: [] for c in spec.columns}
    raw_json: list[str] = []
    for line, fields in records:
        record = _record_json(header, fields)
        if len(fields) != len(header):
            issues.add(
                line,
                "*",
                None,
                f"malformed CSV record: expected {len(header)} fields, found {len(fields)}",
                "row_rejected",
                record,
            )
            continue
        bad = [by_index.get(i, header[i]) for i, f in enumerate(fields) if "\ufffd" in f]
        if bad:
            issues.add(line, bad[0], None, "bytes that are not valid UTF-8", "row_rejected", record)
            continue
        good_lines.append(line)
        raw_json.append(record)
        for col in spec.columns:
            idx = position[col.name]
            values[col.name].append(fields[idx] if idx is not None else None)

    raw = pl.DataFrame(values, schema={c.name: pl.String() for c in spec.columns}).with_columns(
        pl.Series("_source_row", good_lines, dtype=pl.Int64),
        pl.Series("_record_json", raw_json, dtype=pl.String),
    )
    raw = raw.with_columns(
        [
            pl.when(pl.col(c.name).str.strip_chars().is_in(NULL_TOKENS))
            .then(None)
            .otherwise(pl.col(c.name))
            .alias(c.name)
            for c in spec.columns
        ]
    )
    typed = raw.with_columns([_cast_expr(c).alias(c.name) for c in spec.columns])

    # Per-field problems.
    reject_rows: set[int] = set()
    nulls: dict[str, pl.Series] = {}
    for col in spec.columns:
        frame = typed.select(
            pl.col(col.name),
            pl.Series("_raw", raw[col.name]),
            pl.Series("_unparsed", raw[col.name].is_not_null() & typed[col.name].is_null()),
        )
        candidates = [pl.when(pl.col("_unparsed")).then(pl.lit(f"not a valid {col.kind}"))]
        bound = _bound_reason(col)
        if bound is not None:
            candidates.append(bound)
        if col.required:
            candidates.append(pl.when(pl.col("_raw").is_null()).then(pl.lit("required value missing")))
        reasons = frame.select(pl.coalesce(candidates)).to_series()
        hit = reasons.is_not_null()
        if not hit.any():
            continue
        action: Action = "field_nulled" if col.on_invalid == "null" and not col.required else "row_rejected"
        for line, value, why, rec in zip(
            raw["_source_row"].filter(hit),
            raw[col.name].filter(hit),
            reasons.filter(hit),
            raw["_record_json"].filter(hit),
            strict=True,
        ):
            issues.add(int(line), col.name, value, str(why), action, rec)
            if action == "row_rejected":
                reject_rows.add(int(line))
        if action == "field_nulled":
            nulls[col.name] = hit

    if nulls:
        typed = typed.with_columns(
            [pl.when(mask).then(None).otherwise(pl.col(name)).alias(name) for name, mask in nulls.items()]
        )

    if spec.derive is not None:
        typed = spec.derive(typed)

    # Cross-column rules.
    for check in spec.row_checks:
        ok = typed.select(check.valid().fill_null(True)).to_series()
        for line, rec, value in zip(
            typed["_source_row"].filter(~ok),
            typed["_record_json"].filter(~ok),
            typed[check.field].cast(pl.String).filter(~ok)
            if check.field in typed.columns
            else pl.Series([None] * int((~ok).sum()), dtype=pl.String),
            strict=True,
        ):
            action = "row_rejected" if check.action == "reject" else "flagged"
            issues.add(int(line), check.field, value, check.reason, action, rec)
            if action == "row_rejected":
                reject_rows.add(int(line))

    # Values that must exist in a reference set (skipped when the caller has no such set).
    for look in spec.lookup_checks:
        known = (context or {}).get(look.context_key)
        if known is None:
            continue
        unknown = typed.filter(pl.col(look.field).is_not_null() & ~pl.col(look.field).is_in(list(known)))
        for line, value, rec in unknown.select("_source_row", look.field, "_record_json").iter_rows():
            action = "row_rejected" if look.action == "reject" else "flagged"
            issues.add(int(line), look.field, value, look.reason.format(value=value), action, rec)
            if action == "row_rejected":
                reject_rows.add(int(line))

    typed = typed.filter(~pl.col("_source_row").is_in(sorted(reject_rows)))

    # Duplicates: whole record, then the unique key.
    data_cols = [c.name for c in spec.columns]
    for cols, label in (
        (["_record_json"], "exact duplicate of the record at line"),
        (list(spec.unique_key or ()), "duplicate key {key} first seen at line"),
    ):
        if not cols:
            continue
        first = typed.group_by(cols, maintain_order=True).agg(pl.col("_source_row").min().alias("_first"))
        marked = typed.join(first, on=cols, how="left", nulls_equal=True)
        dup = marked.filter(pl.col("_source_row") != pl.col("_first"))
        whole = cols == ["_record_json"]
        action: Action = "flagged" if whole and spec.exact_duplicates == "flag" else "row_rejected"
        for row in dup.iter_rows(named=True):
            key = "" if whole else ", ".join(f"{c}={row[c]!r}" for c in cols)
            why = label.format(key=f"({key})") + f" {row['_first']}"
            if action == "flagged":
                why += " (kept: the publisher lists identical rows as separate entries)"
            issues.add(
                int(row["_source_row"]), "*" if whole else ",".join(cols), None, why, action, row["_record_json"]
            )
        if action == "row_rejected":
            typed = typed.filter(~pl.col("_source_row").is_in(dup["_source_row"].to_list()))

    derived = [c for c in typed.columns if c not in data_cols and not c.startswith("_")]
    rows = typed.select([*data_cols, *derived, "_source_row"])
    return ParseResult(rows, issues.frame().sort("source_row"), len(records), header)


def with_lineage(rows: pl.DataFrame, source_file: str, sha256: str, loaded_at: datetime) -> pl.DataFrame:
    """Add the lineage columns every raw table carries."""
    return rows.with_columns(
        pl.lit(source_file).alias("_source_file"),
        pl.lit(sha256).alias("_source_sha256"),
        pl.col("_source_row").cast(pl.Int32),
        pl.lit(loaded_at).cast(pl.Datetime("us")).alias("_loaded_at"),
    )
