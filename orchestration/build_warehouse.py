"""The build warehouse every domain writes: opening the build file, its schemas and bookkeeping tables, the run
lock, and the published warehouse attached read-only beside it.

Only the pipeline opens the build file (``transforms/storage/paths.py`` says where it is); publish copies a
finished one over the serving file (``orchestration/defs/publish/serving.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from transforms.storage.paths import build_path, serving_path

SCHEMAS = ("raw", "quarantine", "staging", "intermediate", "marts", "meta")
# meta.source_files columns added after its first release (name, type), in order.
SOURCE_FILE_COLUMNS_ADDED = (
    ("is_stale", "boolean"),
    ("stale_since", "timestamp"),
    ("stale_reason", "varchar"),
    ("parser_version", "varchar"),
    ("read_path", "varchar"),
    ("input_key", "varchar"),
    ("loaded_in_run", "varchar"),
    ("read_from", "varchar"),
    ("origin", "varchar"),
    ("fetched_at", "timestamp"),
    ("fetch_status", "varchar"),
    ("fetch_error", "varchar"),
    ("newest_data_date", "date"),
    ("cadence_days", "integer"),
    ("max_data_age_days", "integer"),
)


@contextlib.contextmanager
def connect_build(path: Path | None = None, retries: int = 10) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the build file read-write; retry briefly if another pipeline process holds it."""
    target = path or build_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    delay = 0.2
    for attempt in range(retries):
        try:
            con = duckdb.connect(str(target))
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or attempt == retries - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        for schema in SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        yield con
    finally:
        con.close()


class RunInProgressError(RuntimeError):
    """Another pipeline run holds the build warehouse."""


@contextlib.contextmanager
def run_lock() -> Iterator[None]:
    """Hold an exclusive lock on the build folder for a whole run (two runs would fight over the one
    DuckDB writer, and the second would fail half-way with a lock error). Fails fast, with the holder."""
    path = build_path().parent / ".run.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RunInProgressError(f"a dcpulse run is already building {build_path()} ({holder})") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_meta_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table if not exists quarantine.rejected_rows (
            source_table varchar, source_file varchar, source_sha256 varchar, source_row integer,
            field varchar, value varchar, reason varchar, action varchar, record_json varchar,
            rejected_at timestamp)
        """
    )
    con.execute(
        """
        create table if not exists meta.source_files (
            source_table varchar primary key, source_file varchar, sha256 varchar, bytes bigint,
            rows_in_file integer, rows_loaded integer, rows_rejected integer, fields_nulled integer,
            issues integer, file_rejected boolean, publisher varchar, licence varchar, url varchar,
            retrieved varchar, loaded_at timestamp)
        """
    )
    # Columns added since the first release: a build file from before gets them on its next run.
    for column, sql_type in SOURCE_FILE_COLUMNS_ADDED:
        con.execute(f"alter table meta.source_files add column if not exists {column} {sql_type}")
    con.execute(
        """
        create table if not exists meta.runs (
            run_id varchar, started_at timestamp, finished_at timestamp, status varchar,
            published_path varchar, table_counts_json varchar)
        """
    )
    # What the run's result depends on (orchestration/defs/publish/input_fingerprint.py): equal -> a rerun has
    # nothing to do.
    con.execute("alter table meta.runs add column if not exists input_fingerprint varchar")


def attach_published(con: duckdb.DuckDBPyConnection) -> str | None:
    """ATTACH the published warehouse read-only as ``published`` (None if there is none)."""
    path = serving_path()
    if not path.exists():
        return None
    attached = {r[0] for r in con.execute("select database_name from duckdb_databases()").fetchall()}
    if "published" not in attached:
        literal = str(path).replace("'", "''")
        try:
            con.execute(f"attach '{literal}' as published (read_only)")
        except duckdb.Error:
            return None
    return "published"


def table_exists(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = ? and table_schema = ? "
            "and table_name = ?",
            [catalog, schema, table],
        ).fetchone()[0]
        > 0
    )
