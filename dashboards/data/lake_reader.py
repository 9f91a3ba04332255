"""The lake (README, "Beyond one machine"). With DCPULSE_LAKE_CATALOG set, the pages and the SQL console read
the DuckLake catalog READ_ONLY instead of the serving file; without it nothing here runs.

- ducklake and postgres_scanner are LOADed from their wheels' files first (the only extensions);
  then external access goes off with only the lake's DATA_PATH allowed (DuckLake reads its Parquet
  files through the local file system, so that cannot be disabled as for the serving file), and
  the configuration is locked.
- Each connection is pinned to one snapshot (ATTACH ... SNAPSHOT_VERSION n) and the cache key is
  that snapshot: a new publish gives a new key, and cached results never mix two snapshots.
- What the console refuses on top of that (the postgres extension's functions, DuckLake's maintenance
  functions, query()/query_table()) is in ``console.py``.
"""

from __future__ import annotations

import os
from typing import Any

import duckdb
import streamlit as st

from dashboards.data.warehouse import _BASE_CONFIG, ALIAS, FileKey, WarehouseBusy, WarehouseMissing, _release

LAKE_KEY_PREFIX = "lake:"


class LakeUnreachable(WarehouseBusy):
    """The lake's catalog cannot be reached or is misconfigured (pages show it as a notice)."""


class LakeEmpty(WarehouseMissing):
    """The lake's catalog holds no marts yet."""


def lake_enabled() -> bool:
    return bool(os.environ.get("DCPULSE_LAKE_CATALOG", "").strip())


def _is_lake_key(key: FileKey) -> bool:
    return key[0].startswith(LAKE_KEY_PREFIX)


def _lake_settings() -> Any:
    from transforms.storage import lake

    try:
        settings = lake.lake_settings_from_env()
    except lake.LakeError as error:
        raise LakeUnreachable(f"The lake is misconfigured: {error}.") from None
    if settings is None:
        raise LakeUnreachable("DCPULSE_LAKE_CATALOG is not set.")
    return settings


@st.cache_resource(max_entries=1, on_release=_release, show_spinner=False)
def _lake_probe(catalog: str, data_path: str | None) -> duckdb.DuckDBPyConnection:
    """A connection that only asks the catalog for its latest snapshot (one per catalog)."""
    from transforms.storage import lake

    con = duckdb.connect(":memory:", config={**_BASE_CONFIG, "threads": 1})
    try:
        lake.attach_lake(con, _lake_settings(), read_only=True, alias=ALIAS)
    except BaseException:
        con.close()
        raise
    return con


def lake_key() -> FileKey:
    """``("lake:<catalog, password-free>", snapshot_id, snapshot_time_ns, 0)`` of the latest snapshot."""
    from transforms.storage import lake

    settings = _lake_settings()
    try:
        probe = _lake_probe(settings.catalog, settings.data_path)
        cursor = probe.cursor()
        try:
            snapshot_id, snapshot_us = cursor.execute(
                f"select snapshot_id, epoch_us(snapshot_time) from {ALIAS}.snapshots() "
                "order by snapshot_id desc limit 1"
            ).fetchone()
        finally:
            cursor.close()
    except lake.LakeError as error:
        raise LakeUnreachable(f"The lake catalog cannot be reached: {error}") from None
    except duckdb.Error as error:
        _lake_probe.clear()
        raise LakeUnreachable(
            f"The lake catalog {settings.display} cannot be read: {lake.mask(str(error), settings)}"
        ) from None
    return (LAKE_KEY_PREFIX + settings.display, int(snapshot_id), int(snapshot_us) * 1000, 0)


def _harden_lake(con: duckdb.DuckDBPyConnection, data_path: str | None) -> None:
    """After the attach: external access off except the lake's data files, settings frozen."""
    if data_path:
        literal = data_path.replace("'", "''")
        con.execute(f"SET allowed_directories = ['{literal}']")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _open_lake(key: FileKey, config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB with the lake attached READ_ONLY at the key's snapshot, as ``wh``, hardened."""
    from transforms.storage import lake

    con = duckdb.connect(":memory:", config={**_BASE_CONFIG, **(config or {})})
    try:
        settings = _lake_settings()
        lake.attach_lake(con, settings, read_only=True, alias=ALIAS, snapshot_version=key[1])
        con.execute(f"USE {ALIAS}")
        marts = con.execute(
            "select count(*) from information_schema.tables where table_catalog = ? and table_schema = 'marts'",
            [ALIAS],
        ).fetchone()[0]
        if not marts:
            raise LakeEmpty(
                f"The lake {settings.display} has no marts yet (snapshot {key[1]}). Run `make run` with "
                "DCPULSE_LAKE_CATALOG and DCPULSE_LAKE_DATA set to publish to it."
            )
        _harden_lake(con, lake.lake_data_path(con, ALIAS))
    except lake.LakeError as error:
        con.close()
        raise LakeUnreachable(str(error)) from None
    except BaseException:
        con.close()
        raise
    return con
