"""Where the warehouse lives, how the pipeline writes it, and how a finished build is published.

Two files (docs/architecture.md, "The flow"):
- the build file ``<warehouse>/build/dcpulse_build.duckdb``: only the pipeline opens it;
- the serving file ``<warehouse>/dcpulse.duckdb``: dashboards and analysts open it read-only.

A run writes the build file; ``publish`` checkpoints it, copies it beside the serving file and
swaps it in with ``os.replace`` (atomic on POSIX). A reader that holds the old serving file keeps
reading the old inode, so it never blocks the run and never sees a half-built warehouse.

The paths (environment variables, defaults) are ``transforms/storage/paths.py``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
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


def fault_pause(point: str) -> None:
    """Fault injection for the fault tests only: ``DCPULSE_FAULT_PAUSE=<point>:<seconds>`` sleeps here, so a
    test can kill the run at a precise point (e.g. between the copy and the swap of publish)."""
    wanted = os.environ.get("DCPULSE_FAULT_PAUSE", "")
    name, _, seconds = wanted.partition(":")
    if name == point:
        time.sleep(float(seconds or 30))


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
    # What the run's result depends on (orchestration/lib/fingerprint.py): equal -> a rerun has nothing to do.
    con.execute("alter table meta.runs add column if not exists input_fingerprint varchar")


def table_counts(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ("marts", "meta")) -> dict[str, int]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in (select unnest(?)) and table_type = 'BASE TABLE' order by 1, 2",
        [list(schemas)],
    ).fetchall()
    return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in rows}


def publish(
    run_id: str, started_at: datetime | None = None, build: Path | None = None, target: Path | None = None
) -> dict[str, object]:
    """Checkpoint the build file and atomically replace the serving file with a copy of it."""
    build = build or build_path()
    target = target or serving_path()
    finished = datetime.now(UTC).replace(tzinfo=None)
    with connect_build(build) as con:
        ensure_meta_tables(con)
        counts = table_counts(con)
        fingerprint = os.environ.get("DCPULSE_INPUT_FINGERPRINT")
        if not fingerprint:
            from orchestration.lib.fingerprint import input_fingerprint

            fingerprint = input_fingerprint()
        con.execute(
            "insert into meta.runs (run_id, started_at, finished_at, status, published_path, table_counts_json, "
            "input_fingerprint) values (?, ?, ?, 'published', ?, ?, ?)",
            [run_id, started_at or finished, finished, str(target), json.dumps(counts), fingerprint],
        )
        con.execute("checkpoint")
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):  # a copy a killed publish left behind
        leftover.unlink(missing_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(build, staging)
    with open(staging, "rb") as fh:
        os.fsync(fh.fileno())
    fault_pause("publish_before_swap")
    os.replace(staging, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    result: dict[str, object] = {"path": str(target), "bytes": target.stat().st_size, "tables": counts}
    # --- lake target (README, "Beyond one machine"): only when DCPULSE_LAKE_CATALOG is set. ---------------------------
    # The serving file above is published first and stays the default; then the same build goes to the
    # DuckLake catalog as one snapshot. A lake failure fails the run loudly (the lake keeps its previous
    # snapshot whole); messages name the catalog with any password masked.
    from orchestration.lib.lake_publish import publish_to_lake
    from transforms.storage import lake

    lake_settings = lake.lake_settings_from_env()
    if lake_settings is not None:
        try:
            result["lake"] = publish_to_lake(build, lake_settings, run_id=run_id)
        except lake.LakeError as error:
            raise lake.LakeError(
                f"lake publish FAILED for catalog {lake_settings.display} (data: {lake_settings.data_path}): "
                f"{error}. The serving file {target} was published; the lake still holds its previous snapshot."
            ) from None
    # --- end lake target ------------------------------------------------------------------------------
    return result
