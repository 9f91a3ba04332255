"""The lake target's writer: the published marts and meta tables as one DuckLake snapshot per publish (README,
"Beyond one machine"); the settings, ATTACH and the extension files are ``transforms/storage/lake.py``.

:func:`publish_to_lake` copies every table of ``marts`` and ``meta`` of a finished build file into
the lake in ONE transaction, so one new snapshot holds all of them or none does. Publishers take a
PostgreSQL advisory lock first, so two publishes never race (the second waits, then lands on top
of the first), and a reader always sees a whole snapshot (DuckLake's snapshot isolation).
"""

from __future__ import annotations

import contextlib
import time
import zlib
from pathlib import Path
from typing import Any

import duckdb

from transforms.storage.lake import (
    DEFAULT_ALIAS,
    ENV_DATA,
    LAKE_SCHEMAS,
    NO_NETWORK_CONFIG,
    LakeError,
    LakeSettings,
    attach_lake,
    count_rows,
    list_tables,
    mask,
    prepare_connection,
    sql_literal,
)

LOCK_ALIAS = "dcpulse_lake_lock"
# One advisory lock key per catalog database for every dcpulse publisher.
PUBLISH_LOCK_KEY = zlib.crc32(b"dcpulse:lake:publish")
LOCK_WAIT_SECONDS = 600.0
CONFLICT_RETRIES = 5


class _PublishLock:
    """A PostgreSQL transaction-level advisory lock on the catalog database, held on a connection of its own."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: LakeSettings, wait_seconds: float) -> None:
        self.cursor = con.cursor()
        self.settings = settings
        self.wait_seconds = wait_seconds

    def __enter__(self) -> float:
        try:
            self.cursor.execute(
                f"ATTACH {sql_literal(self.settings.conninfo)} AS {LOCK_ALIAS} (TYPE postgres, READ_ONLY)"
            )
        except duckdb.Error as error:
            self.cursor.close()
            raise LakeError(
                f"cannot reach the lake catalog {self.settings.display}: {mask(str(error), self.settings).strip()}"
            ) from None
        self.cursor.execute("BEGIN")
        started = time.monotonic()
        delay = 0.05
        while True:
            got = self.cursor.execute(
                f"select * from postgres_query('{LOCK_ALIAS}', 'select pg_try_advisory_xact_lock({PUBLISH_LOCK_KEY})')"
            ).fetchone()[0]
            if got:
                return time.monotonic() - started
            if time.monotonic() - started > self.wait_seconds:
                self.cursor.execute("ROLLBACK")
                raise LakeError(
                    f"another publish has held the lake's writer lock on {self.settings.display} "
                    f"for more than {self.wait_seconds:g} s"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def __exit__(self, *exc: object) -> None:
        try:
            self.cursor.execute("ROLLBACK")  # ends the PostgreSQL transaction: the lock goes with it
        finally:
            self.cursor.close()


def _is_conflict(error: Exception) -> bool:
    text = str(error).lower()
    return "conflict" in text or "violates primary key" in text


def publish_to_lake(
    build_path: Path | str,
    settings: LakeSettings,
    *,
    run_id: str | None = None,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
) -> dict[str, Any]:
    """Replace every table of marts and meta in the lake by the build file's, as ONE snapshot.

    Tables that the build file no longer has are dropped in the same transaction, so the snapshot
    mirrors the build exactly. Returns ``{"tables": {name: rows}, "rows": total, "snapshot_id": n,
    "catalog": masked conninfo, "waited_s": seconds spent waiting for another publisher}``.
    """
    if not settings.data_path:
        raise LakeError(f"{ENV_DATA} is not set: where should the lake's data files go?")
    build = Path(build_path).resolve()
    if not build.is_file():
        raise LakeError(f"no build file at {build}")
    con = duckdb.connect(":memory:", config=dict(NO_NETWORK_CONFIG))
    try:
        try:
            prepare_connection(con, settings)
            con.execute(f"ATTACH {sql_literal(str(build))} AS build (READ_ONLY)")
            tables = list_tables(con, "build")
            if not any(s == "marts" for s, _ in tables):
                raise LakeError(f"{build} has no marts tables: nothing to publish")
            counts = count_rows(con, "build")
            run = f" run {run_id}" if run_id else ""
            message = f"dcpulse publish{run}: {len(counts)} tables, {sum(counts.values())} rows"
            # The lock comes first: the first ATTACH of an empty catalog creates DuckLake's tables, and two
            # publishers doing that at once collide in PostgreSQL.
            with _PublishLock(con, settings, lock_wait_seconds) as waited:
                attach_lake(con, settings, read_only=False)
                snapshot_id = _write_snapshot(con, tables, message)
        except LakeError:
            raise
        except duckdb.Error as error:
            raise LakeError(f"writing to the lake {settings.display} failed: {mask(str(error), settings)}") from None
    finally:
        con.close()
    return {
        "tables": counts,
        "rows": sum(counts.values()),
        "snapshot_id": snapshot_id,
        "catalog": settings.display,
        "waited_s": round(waited, 3),
    }


def _write_snapshot(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]], message: str) -> int:
    """One transaction: schemas, stale tables dropped, every table replaced, commit message. Retries a
    DuckLake commit conflict (a writer that does not take our lock) a few times, then gives up."""
    wanted = set(tables)
    for attempt in range(CONFLICT_RETRIES):
        con.execute("BEGIN")
        try:
            for schema in LAKE_SCHEMAS:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS {DEFAULT_ALIAS}."{schema}"')
            for schema, table in list_tables(con, DEFAULT_ALIAS):
                if (schema, table) not in wanted:
                    con.execute(f'DROP TABLE {DEFAULT_ALIAS}."{schema}"."{table}"')
            for schema, table in tables:
                con.execute(
                    f'CREATE OR REPLACE TABLE {DEFAULT_ALIAS}."{schema}"."{table}" AS '
                    f'SELECT * FROM build."{schema}"."{table}"'
                )
            con.execute(f"CALL {DEFAULT_ALIAS}.set_commit_message('dcpulse', {sql_literal(message)})")
            con.execute("COMMIT")
        except duckdb.Error as error:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT has already ended the transaction
                con.execute("ROLLBACK")
            if _is_conflict(error) and attempt < CONFLICT_RETRIES - 1:
                time.sleep(0.2 * (attempt + 1))
                continue
            raise
        return int(con.execute(f"select id from {DEFAULT_ALIAS}.last_committed_snapshot()").fetchone()[0])
    raise AssertionError("unreachable")
