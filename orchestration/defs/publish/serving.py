"""Publish: how a finished build becomes the serving warehouse.

Two files (docs/architecture.md, "The flow"):
- the build file ``<warehouse>/build/dcpulse_build.duckdb``: only the pipeline opens it;
- the serving file ``<warehouse>/dcpulse.duckdb``: dashboards and analysts open it read-only.

A run writes the build file; ``publish`` checkpoints it, copies it beside the serving file and
swaps it in with ``os.replace`` (atomic on POSIX). A reader that holds the old serving file keeps
reading the old inode, so it never blocks the run and never sees a half-built warehouse.

The paths (environment variables, defaults) are ``transforms/storage/paths.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.build_warehouse import connect_build, ensure_meta_tables
from transforms.storage.paths import build_path, serving_path


def fault_pause(point: str) -> None:
    """Fault injection for the fault tests only: ``DCPULSE_FAULT_PAUSE=<point>:<seconds>`` sleeps here, so a
    test can kill the run at a precise point (e.g. between the copy and the swap of publish)."""
    wanted = os.environ.get("DCPULSE_FAULT_PAUSE", "")
    name, _, seconds = wanted.partition(":")
    if name == point:
        time.sleep(float(seconds or 30))


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
    """Checkpoint the build file and atomically replace the serving file with a copy of it; then, when the lake is
    on, publish the same build to it."""
    build = build or build_path()
    target = target or serving_path()
    counts = _record_run(build, target, run_id, started_at)
    _swap_in(build, target)
    result: dict[str, object] = {"path": str(target), "bytes": target.stat().st_size, "tables": counts}
    lake_result = _publish_to_lake(build, target, run_id)
    if lake_result is not None:
        result["lake"] = lake_result
    return result


def _record_run(build: Path, target: Path, run_id: str, started_at: datetime | None) -> dict[str, int]:
    """Add the run to the build file's meta.runs (with what its result depends on) and checkpoint the file; returns
    the row count of each marts and meta table."""
    finished = datetime.now(UTC).replace(tzinfo=None)
    with connect_build(build) as con:
        ensure_meta_tables(con)
        counts = table_counts(con)
        fingerprint = os.environ.get("DCPULSE_INPUT_FINGERPRINT")
        if not fingerprint:
            from orchestration.defs.publish.input_fingerprint import input_fingerprint

            fingerprint = input_fingerprint()
        con.execute(
            "insert into meta.runs (run_id, started_at, finished_at, status, published_path, table_counts_json, "
            "input_fingerprint) values (?, ?, ?, 'published', ?, ?, ?)",
            [run_id, started_at or finished, finished, str(target), json.dumps(counts), fingerprint],
        )
        con.execute("checkpoint")
    return counts


def _swap_in(build: Path, target: Path) -> None:
    """Copy the build file beside the serving file, fsync it, and swap it in with ``os.replace`` (then fsync the
    folder): a reader sees the old file or the new one, never half of one."""
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


def _publish_to_lake(build: Path, target: Path, run_id: str) -> dict[str, object] | None:
    """The lake target (README, "Beyond one machine"), only when DCPULSE_LAKE_CATALOG is set. The serving file is
    published first and stays the default; then the same build goes to the DuckLake catalog as one snapshot. A lake
    failure fails the run loudly (the lake keeps its previous snapshot whole); messages name the catalog with any
    password masked."""
    from orchestration.defs.publish.lake_publish import publish_to_lake
    from transforms.storage import lake

    lake_settings = lake.lake_settings_from_env()
    if lake_settings is None:
        return None
    try:
        return publish_to_lake(build, lake_settings, run_id=run_id)
    except lake.LakeError as error:
        raise lake.LakeError(
            f"lake publish FAILED for catalog {lake_settings.display} (data: {lake_settings.data_path}): "
            f"{error}. The serving file {target} was published; the lake still holds its previous snapshot."
        ) from None
