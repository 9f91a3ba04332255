"""The load's summary: counts, the read path, and the issues (one row per problem, with its line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

Action = Literal["row_rejected", "field_nulled", "flagged", "file_rejected"]

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "field": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "action": pl.String(),
    "record_json": pl.String(),
}


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


def _issue(row: int, fld: str, value: str | None, reason: str, action: Action, record: str) -> dict[str, object]:
    return {"source_row": row, "field": fld, "value": value, "reason": reason, "action": action, "record_json": record}
