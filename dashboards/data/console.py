"""The SQL console's read-only safety: :func:`run_readonly_sql` runs one untrusted query.

A new in-memory DuckDB per call, the warehouse attached read-only, then external access off, the local file
system disabled, extensions off, Python replacement scans off, memory and thread limits, configuration
locked, one SELECT statement only, a watchdog that interrupts the query at its time limit, and a row cap.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from dashboards.data.connection import warehouse_key
from dashboards.data.lake_reader import _is_lake_key, _open_lake
from dashboards.data.warehouse import WarehouseUnavailable, _open

CONSOLE_ROW_CAP = 10_000
CONSOLE_TIMEOUT_SECONDS = 10.0
CONSOLE_MEMORY_LIMIT = "512MB"
CONSOLE_THREADS = 1


class SqlConsoleError(Exception):
    """A console query failed; ``str(error)`` is the message shown to the user."""


# On the lake: the postgres extension's functions (postgres_query, postgres_scan, ...) are not stopped by
# enable_external_access, so the console also refuses them, DuckLake's maintenance functions and
# query()/query_table() (which hide a statement in a string), found in the parsed statement.
_LAKE_BLOCKED_PREFIXES = ("postgres_", "ducklake_")
_LAKE_BLOCKED_FUNCTIONS = {
    "query",
    "query_table",
    "add_data_files",
    "cleanup_old_files",
    "delete_orphaned_files",
    "expire_snapshots",
    "flush_inlined_data",
    "merge_adjacent_files",
    "rewrite_data_files",
    "set_commit_message",
    "set_option",
}


_READ_STATEMENTS = {"SELECT"}


@dataclass(frozen=True)
class ConsoleLimits:
    row_cap: int = CONSOLE_ROW_CAP
    timeout_seconds: float = CONSOLE_TIMEOUT_SECONDS
    memory_limit: str = CONSOLE_MEMORY_LIMIT
    threads: int = CONSOLE_THREADS


def _console_message(error: Exception, limits: ConsoleLimits) -> str:
    text = str(error)
    low = text.lower()
    if isinstance(error, duckdb.InterruptException):
        return (
            f"Stopped: the query ran longer than the console's {limits.timeout_seconds:g} s limit. "
            "Filter or aggregate more, or add a LIMIT."
        )
    if isinstance(error, duckdb.OutOfMemoryException):
        return (
            f"Stopped: the query needed more than the console's {limits.memory_limit} memory limit. "
            "Aggregate more or select fewer columns."
        )
    if isinstance(error, duckdb.PermissionException) or "disabled by configuration" in low:
        return (
            "Refused: the console cannot read or write files, attach databases or install/load "
            f"extensions; it queries the warehouse tables only. (DuckDB: {text.splitlines()[0]})"
        )
    if "configuration has been locked" in low:
        return "Refused: the console cannot change settings. (DuckDB: " + text.splitlines()[0] + ")"
    if "read-only mode" in low:
        return "Refused: the warehouse is read-only here. (DuckDB: " + text.splitlines()[0] + ")"
    if "expected a single select statement" in low:
        return "Refused: only SELECT statements can run, also inside query(). (DuckDB: " + text.splitlines()[0] + ")"
    if isinstance(error, duckdb.ParserException):
        return "SQL syntax error: " + text
    if isinstance(error, (duckdb.CatalogException, duckdb.BinderException)):
        return "Unknown table or column (see the schema browser): " + text
    if isinstance(error, WarehouseUnavailable):
        return str(error)
    return f"Query failed ({type(error).__name__}): {text}"


def _check_statement(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    statements = con.extract_statements(sql)
    if not statements:
        raise SqlConsoleError("Nothing to run: type a SELECT query.")
    if len(statements) > 1:
        raise SqlConsoleError(f"Run one statement at a time (found {len(statements)}).")
    kind = statements[0].type.name
    if kind not in _READ_STATEMENTS:
        raise SqlConsoleError(
            f"Refused: {kind} statements are not allowed. The console runs one read-only query "
            "(SELECT, WITH ... SELECT, FROM ..., DESCRIBE, SUMMARIZE, SHOW); it cannot write, "
            "change settings, attach databases, copy to files or install/load extensions."
        )


def _function_names(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {str(node["function_name"]).lower()} if "function_name" in node else set()
        for value in node.values():
            found |= _function_names(value)
        return found
    if isinstance(node, list):
        return set().union(*(_function_names(item) for item in node)) if node else set()
    return set()


def _check_lake_functions(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse the functions that reach past the lake's tables (see the comment on _LAKE_BLOCKED_PREFIXES)."""
    import json

    tree = json.loads(con.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree.get("error"):
        raise SqlConsoleError(
            "Refused: the console could not check this query. (DuckDB: " + str(tree.get("error_message")) + ")"
        )
    blocked = sorted(
        name
        for name in _function_names(tree)
        if name.startswith(_LAKE_BLOCKED_PREFIXES) or name in _LAKE_BLOCKED_FUNCTIONS
    )
    if blocked:
        raise SqlConsoleError(
            f"Refused: {', '.join(blocked)} cannot run in the console; it queries the lake's tables only "
            "(no direct catalog access, no maintenance, no query() strings)."
        )


def run_readonly_sql(
    sql: str,
    row_cap: int = CONSOLE_ROW_CAP,
    *,
    timeout_seconds: float = CONSOLE_TIMEOUT_SECONDS,
    memory_limit: str = CONSOLE_MEMORY_LIMIT,
    threads: int = CONSOLE_THREADS,
) -> pl.DataFrame:
    """Run one untrusted read-only query; return at most ``row_cap`` rows or raise SqlConsoleError.

    To tell whether a result was cut, ask for ``row_cap + 1`` rows and compare.
    Each call gets its own in-memory DuckDB (so no temporary table or setting survives into
    another call or another user's session) with the warehouse attached read-only.
    """
    limits = ConsoleLimits(row_cap, timeout_seconds, memory_limit, threads)
    try:
        key = warehouse_key()
        console_config = {"memory_limit": memory_limit, "threads": threads, "temp_directory": ""}
        con = _open_lake(key, console_config) if _is_lake_key(key) else _open(key[0], console_config)
    except (WarehouseUnavailable, duckdb.Error) as error:
        raise SqlConsoleError(_console_message(error, limits)) from error
    watchdog = threading.Timer(timeout_seconds, con.interrupt)
    watchdog.daemon = True
    try:
        try:
            _check_statement(con, sql)
            if _is_lake_key(key):
                _check_lake_functions(con, sql)
        except duckdb.Error as error:
            raise SqlConsoleError(_console_message(error, limits)) from error
        watchdog.start()
        try:
            con.execute(sql)
            reader = con.fetch_record_batch(min(max(row_cap, 1), 100_000))
            batches = []
            rows = 0
            for batch in reader:
                batches.append(batch)
                rows += batch.num_rows
                if rows >= row_cap:
                    break
            schema = reader.schema
        except duckdb.Error as error:
            raise SqlConsoleError(_console_message(error, limits)) from error
        import pyarrow as pa

        frame = pl.from_arrow(pa.Table.from_batches(batches, schema=schema))
        assert isinstance(frame, pl.DataFrame)
        return frame.head(row_cap)
    finally:
        watchdog.cancel()
        con.close()
