"""Load one shipped source file into its raw table, its rejects into quarantine, its facts into meta.

Idempotent: the raw table is replaced by the rows of the current file and the file's quarantine and
meta rows are replaced too, all in one transaction, so re-ingesting the same file adds no rows and a
failure leaves the previous load intact. The file itself is only read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

from orchestration.lib.warehouse import ensure_meta_tables, sources_dir
from transforms.ingest import ParseResult, parse_source, with_lineage
from transforms.sources import REF_GPU_MODELS, SOURCE_FILES


@dataclass
class LoadSummary:
    table: str
    source_file: str
    sha256: str
    rows_in_file: int
    rows_loaded: int
    rows_rejected: int
    fields_nulled: int
    issues: int
    file_rejected: bool
    reasons: dict[str, int]

    def metadata(self) -> dict[str, Any]:
        return {
            "source_file": self.source_file,
            "sha256": self.sha256,
            "rows_in_file": self.rows_in_file,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "fields_nulled": self.fields_nulled,
            "issues": self.issues,
            "file_rejected": self.file_rejected,
        }


def provenance(root: Path | None = None) -> dict[str, dict[str, Any]]:
    path = (root or sources_dir()) / "SOURCES.yml"
    if not path.exists():
        return {}
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", {})


def parse_context(root: Path | None = None) -> dict[str, object]:
    """Reference sets some sources are checked against (known GPU model names)."""
    root = root or sources_dir()
    path = root / SOURCE_FILES[REF_GPU_MODELS.table][1]
    if not path.exists():
        return {}
    models = parse_source(path.read_bytes(), REF_GPU_MODELS).rows
    return {"known_chips": set(models["chip_name"].to_list())}


def _issue_reasons(result: ParseResult) -> dict[str, int]:
    if not result.issues.height:
        return {}
    grouped = result.issues.group_by("action", "field", "reason").len().sort("len", descending=True)
    return {f"{a} {f}: {r}"[:200]: n for a, f, r, n in grouped.iter_rows()}


def ingest_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    root: Path | None = None,
    loaded_at: datetime | None = None,
    context: dict[str, object] | None = None,
) -> LoadSummary:
    """Parse ``table``'s file under ``root`` and write raw, quarantine and meta rows."""
    root = root or sources_dir()
    spec, rel = SOURCE_FILES[table]
    path = root / rel
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    if not path.exists():
        data = b""
        result = ParseResult(
            pl.DataFrame(schema={**spec.schema, "_source_row": pl.Int64()}),
            pl.DataFrame(
                {
                    "source_row": [0],
                    "field": ["*"],
                    "value": [None],
                    "reason": [f"source file {rel} not found"],
                    "action": ["file_rejected"],
                    "record_json": ["{}"],
                },
                schema_overrides={"value": pl.String},
            ),
            0,
        )
    else:
        data = path.read_bytes()
        result = parse_source(data, spec, context if context is not None else parse_context(root))
    sha = hashlib.sha256(data).hexdigest()
    rows = with_lineage(result.rows, rel, sha, loaded_at)
    issues = result.issues.select(
        pl.lit(table).alias("source_table"),
        pl.lit(rel).alias("source_file"),
        pl.lit(sha).alias("source_sha256"),
        pl.col("source_row").cast(pl.Int32),
        "field",
        "value",
        "reason",
        "action",
        "record_json",
        pl.lit(loaded_at).cast(pl.Datetime("us")).alias("rejected_at"),
    )
    prov = provenance(root).get(table, {})
    meta = pl.DataFrame(
        [
            {
                "source_table": table,
                "source_file": rel,
                "sha256": sha,
                "bytes": len(data),
                "rows_in_file": result.rows_in_file,
                "rows_loaded": rows.height,
                "rows_rejected": result.rows_rejected,
                "fields_nulled": result.fields_nulled,
                "issues": result.issues.height,
                "file_rejected": result.file_rejected,
                "publisher": prov.get("publisher"),
                "licence": prov.get("licence"),
                "url": prov.get("url"),
                "retrieved": str(prov.get("retrieved")) if prov.get("retrieved") else None,
                "loaded_at": loaded_at,
            }
        ],
        schema_overrides={
            "loaded_at": pl.Datetime("us"),
            "publisher": pl.String,
            "licence": pl.String,
            "url": pl.String,
            "retrieved": pl.String,
        },
    )
    ensure_meta_tables(con)
    con.execute("begin transaction")
    try:
        # A file rejected whole (empty, or a required column gone) keeps the last good load in raw.
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?", [table]
        ).fetchone()[0]
        if not result.file_rejected or not exists:
            con.register("_rows", rows.to_arrow())
            con.execute(f"create or replace table raw.{table} as select * from _rows")
            con.unregister("_rows")
        con.execute("delete from quarantine.rejected_rows where source_table = ?", [table])
        con.register("_issues", issues.to_arrow())
        con.execute("insert into quarantine.rejected_rows by name select * from _issues")
        con.unregister("_issues")
        con.execute("delete from meta.source_files where source_table = ?", [table])
        con.register("_meta", meta.to_arrow())
        con.execute("insert into meta.source_files by name select * from _meta")
        con.unregister("_meta")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return LoadSummary(
        table,
        rel,
        sha,
        result.rows_in_file,
        rows.height,
        result.rows_rejected,
        result.fields_nulled,
        result.issues.height,
        result.file_rejected,
        _issue_reasons(result),
    )
