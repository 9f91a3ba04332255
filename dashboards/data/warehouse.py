"""Where the serving file is, and one hardened read-only connection to it.

Every connection is a fresh in-memory DuckDB that ``ATTACH``es the file ``READ_ONLY`` (no instance cache
involved), then turns external access and the local file system off and locks its configuration. A writer
holding the file makes the attach fail with ``Could not set lock``: it is retried briefly, then
:class:`WarehouseBusy` is raised, which pages show as a notice instead of an error. No file yet:
:class:`WarehouseMissing`, shown as "run ``make run`` first".
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WAREHOUSE_DIR = "data/warehouse"
WAREHOUSE_FILE = "dcpulse.duckdb"
ALIAS = "wh"

LOCK_RETRY_SECONDS = 5.0

FileKey = tuple[str, int, int, int]


class WarehouseUnavailable(RuntimeError):
    """Base for the two states a page shows as a notice rather than an error."""


class WarehouseMissing(WarehouseUnavailable):
    pass


class WarehouseBusy(WarehouseUnavailable):
    pass


# ---------------------------------------------------------------------------------------------
# Where the warehouse is, and a read-only connection to it


def warehouse_path() -> Path:
    """``$DCPULSE_WAREHOUSE_DIR/dcpulse.duckdb`` (default ``data/warehouse``, relative to the repo)."""
    directory = Path(os.environ.get("DCPULSE_WAREHOUSE_DIR", DEFAULT_WAREHOUSE_DIR))
    if not directory.is_absolute():
        directory = REPO_ROOT / directory
    return directory / WAREHOUSE_FILE


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text or "being used by another process" in text


def _attach_readonly(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """ATTACH the file read-only, retrying for a few seconds while a writer holds its lock."""
    deadline = time.monotonic() + LOCK_RETRY_SECONDS
    delay = 0.1
    literal = path.replace("'", "''")
    while True:
        try:
            con.execute(f"ATTACH '{literal}' AS {ALIAS} (READ_ONLY)")
            con.execute(f"USE {ALIAS}")
            return
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    "The warehouse file is locked by a writer (a pipeline run?). "
                    "Try again in a moment; the published file is never locked by `make run`."
                ) from error
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


_BASE_CONFIG: dict[str, Any] = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
}


def _harden(con: duckdb.DuckDBPyConnection) -> None:
    """After the attach: no file system, no external access, settings frozen (order matters)."""
    con.execute("SET enable_external_access = false")
    # ATTACH adds the file and its .wal to allowed_paths; disabling the local file system closes
    # that door too (checked on 1.5.5: COPY ... TO '<warehouse>.wal' otherwise succeeds), while
    # the already attached file keeps reading through its open handle.
    con.execute("SET disabled_filesystems = 'LocalFileSystem'")
    con.execute("SET lock_configuration = true")


def _open(path: str, config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={**_BASE_CONFIG, **(config or {})})
    try:
        _attach_readonly(con, path)
        _harden(con)
    except BaseException:
        con.close()
        raise
    return con


def _release(con: duckdb.DuckDBPyConnection) -> None:
    con.close()
