"""Which version of the warehouse the pages read, the connection cached on it, and the query helpers.

The run publishes ``$DCPULSE_WAREHOUSE_DIR/dcpulse.duckdb`` with an atomic ``os.replace``. A DuckDB
connection opened on the old file keeps seeing the old file, so the cached connection is keyed on the
file's ``(inode, mtime_ns, size)`` (or the lake's latest snapshot): a republish changes the key, the next
query opens the new file and the old connection is closed (``on_release``). Query results are cached per
key too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from dashboards.data.lake_reader import _is_lake_key, _open_lake, lake_enabled, lake_key
from dashboards.data.warehouse import ALIAS, FileKey, WarehouseBusy, WarehouseMissing, _open, _release, warehouse_path


def warehouse_key() -> FileKey:
    """Identity of the published file: a republish (new inode, mtime or size) gives a new key.

    With ``DCPULSE_LAKE_CATALOG`` set, the identity of the lake's latest snapshot instead (see
    lake_reader.py): ``("lake:<catalog>", snapshot_id, snapshot_time_ns, 0)``.
    """
    if lake_enabled():
        return lake_key()
    path = warehouse_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise WarehouseMissing(f"No warehouse at {path}. Run `make run` first to build and publish it.") from None
    return (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


# Strings reach polars as Arrow string views (polars' own layout): no copy into 64-bit-offset strings first.
# At SCALE=100 this took the map's facilities query from ~76 to ~64 ms (benchmarks/run.py dashboard worker).
_ARROW = {"produce_arrow_string_view": True}


@st.cache_resource(max_entries=1, on_release=_release, show_spinner=False)
def _connection_for(key: FileKey) -> duckdb.DuckDBPyConnection:
    """One connection per published file version; the previous version's is closed on eviction."""
    if _is_lake_key(key):
        return _open_lake(key, {"threads": 2, "memory_limit": "1GB", "temp_directory": "", **_ARROW})
    return _open(key[0], {"threads": 2, "memory_limit": "1GB", "temp_directory": "", **_ARROW})


def _run(key: FileKey, sql: str, params: Sequence[Any]) -> pl.DataFrame:
    last_error: Exception | None = None
    for _ in range(2):
        con = _connection_for(key)
        try:
            cursor = con.cursor()  # DuckDB connections are not thread-safe; cursors are
            try:
                cursor.execute(f"USE {ALIAS}")
                return cursor.execute(sql, list(params)).pl()
            finally:
                cursor.close()
        except duckdb.ConnectionException as error:  # evicted and closed by a republish meanwhile
            last_error = error
            _connection_for.clear()
    raise WarehouseBusy(f"The warehouse connection was closed while querying: {last_error}")


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_query(key: FileKey, sql: str, params: tuple[Any, ...]) -> pl.DataFrame:
    return _run(key, sql, params)


def query(sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Run a trusted, parameterised query against the current published file (cached per file)."""
    return _cached_query(warehouse_key(), sql, tuple(params))


def table_columns(table: str) -> set[str]:
    schema, name = table.split(".")
    frame = query(
        "select column_name from information_schema.columns where table_catalog = ? "
        "and table_schema = ? and table_name = ?",
        (ALIAS, schema, name),
    )
    return set(frame["column_name"].to_list())


def published_at() -> float:
    """mtime of the serving file (seconds since the epoch): when it was last published."""
    return warehouse_key()[2] / 1e9
