"""A source whose file cannot be read keeps its last good rows: the published warehouse's (they passed every check),
else the build file's own, else an empty table of the right shape, so the rest of the run still builds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from orchestration.build_warehouse import table_exists
from transforms.sources import SourceSpec


def keep_last_good(
    con: duckdb.DuckDBPyConnection,
    build: str,
    spec: SourceSpec,
    previous: tuple[Any, ...] | None,
    loaded_at: datetime,
) -> tuple[int, datetime]:
    """Keep the source's last good rows: the published warehouse's, else the build's own, else an empty
    table of the right shape (so the rest of the run still builds). Returns (rows kept, stale since).
    The published copy wins: it is what passed every check."""
    table = spec.table
    attached = {r[0] for r in con.execute("select database_name from duckdb_databases()").fetchall()}
    published = "published" if "published" in attached else None
    stale_since = loaded_at
    if published and table_exists(con, published, "raw", table):
        con.execute(f"create or replace table raw.{table} as select * from {published}.raw.{table}")
        row = None
        if _has_stale_columns(con, published):
            row = con.execute(
                f"select loaded_at, is_stale, stale_since from {published}.meta.source_files where source_table = ?",
                [table],
            ).fetchone()
        con.execute("delete from meta.source_files where source_table = ?", [table])
        columns = _shared_columns(con, published)
        con.execute(
            f"insert into meta.source_files ({columns}) select {columns} from {published}.meta.source_files "
            "where source_table = ?",
            [table],
        )
        con.execute("delete from quarantine.rejected_rows where source_table = ?", [table])
        con.execute(
            f"insert into quarantine.rejected_rows by name select * from {published}.quarantine.rejected_rows "
            "where source_table = ?",
            [table],
        )
        if row is not None and row[1] and row[2] is not None:
            stale_since = row[2]
    elif table_exists(con, build, "raw", table):
        if previous is not None and previous[1] and previous[2] is not None:
            stale_since = previous[2]
    else:
        _create_empty(con, spec)
    return con.execute(f"select count(*) from raw.{table}").fetchone()[0], stale_since


def _create_empty(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """raw.<table> with the columns a load would write, and no rows."""
    sql_type = {
        "str": "VARCHAR",
        "float": "DOUBLE",
        "int": "BIGINT",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "bool": "BOOLEAN",
        "coord": "DOUBLE",
    }
    columns = [f'"{c.name}" {sql_type[c.kind]}' for c in spec.columns]
    columns += [f'"{d.name}" {sql_type[d.kind]}' for d in spec.derived]
    columns += ["_source_row INTEGER", "_source_file VARCHAR", "_source_sha256 VARCHAR", "_loaded_at TIMESTAMP"]
    con.execute(f"create table raw.{spec.table} ({', '.join(columns)})")


def _has_stale_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.columns where table_catalog = ? and table_schema = 'meta' "
            "and table_name = 'source_files' and column_name = 'stale_since'",
            [catalog],
        ).fetchone()[0]
        > 0
    )


def _shared_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """Columns of meta.source_files that the published copy also has (it may predate new ones)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_catalog = ? and table_schema = 'meta' "
        "and table_name = 'source_files' order by ordinal_position",
        [catalog],
    ).fetchall()
    ours = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = 'meta' and table_name = 'source_files'"
        ).fetchall()
    }
    return ", ".join(f'"{r[0]}"' for r in rows if r[0] in ours)
