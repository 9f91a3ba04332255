"""What a source table looks like: ``SourceSpec`` and its parts (columns, row rules, reference sets,
parent tables, derived columns). The specs themselves are in ``transforms/sources/``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

Kind = Literal["str", "float", "int", "date", "timestamp", "bool", "coord"]


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
