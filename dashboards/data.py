"""The dashboard's only door to the warehouse: the read-only connection, the queries, the SQL console.

How the serving file is read (see docs/architecture.md, "The flow"):

- The run publishes ``$DCPULSE_WAREHOUSE_DIR/dcpulse.duckdb`` with an atomic ``os.replace``. A
  DuckDB connection opened on the old file keeps seeing the old file, and ``duckdb.connect(path)``
  hands back the *cached* old instance while any connection to that path is open. So every
  connection here is a fresh in-memory DuckDB that ``ATTACH``es the file ``READ_ONLY`` (no
  instance cache involved), and the cached connection is keyed on the file's
  ``(inode, mtime_ns, size)``: a republish changes the key, the next query opens the new file and
  the old connection is closed (``on_release``).
- A writer holding the file (someone running the pipeline against the serving file directly)
  makes the read-only attach fail with ``Could not set lock``; we retry briefly, then raise
  :class:`WarehouseBusy`, which pages show as a notice instead of an error.
- No file yet: :class:`WarehouseMissing`, shown as "run ``make run`` first".

The SQL console runs every query through :func:`run_readonly_sql`: a new in-memory DuckDB per
call, the warehouse attached read-only, then external access off, the local file system disabled,
extensions off, Python replacement scans off, memory and thread limits, configuration locked, one
SELECT statement only, a watchdog that interrupts the query at its time limit, and a row cap.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE_DIR = "data/warehouse"
WAREHOUSE_FILE = "dcpulse.duckdb"
ALIAS = "wh"

LOCK_RETRY_SECONDS = 5.0
CONSOLE_ROW_CAP = 10_000
CONSOLE_TIMEOUT_SECONDS = 10.0
CONSOLE_MEMORY_LIMIT = "512MB"
CONSOLE_THREADS = 1

FileKey = tuple[str, int, int, int]


class WarehouseUnavailable(RuntimeError):
    """Base for the two states a page shows as a notice rather than an error."""


class WarehouseMissing(WarehouseUnavailable):
    pass


class WarehouseBusy(WarehouseUnavailable):
    pass


class SqlConsoleError(Exception):
    """A console query failed; ``str(error)`` is the message shown to the user."""


# ---------------------------------------------------------------------------------------------
# Where the warehouse is and which version of it we are looking at


def warehouse_path() -> Path:
    """``$DCPULSE_WAREHOUSE_DIR/dcpulse.duckdb`` (default ``data/warehouse``, relative to the repo)."""
    directory = Path(os.environ.get("DCPULSE_WAREHOUSE_DIR", DEFAULT_WAREHOUSE_DIR))
    if not directory.is_absolute():
        directory = REPO_ROOT / directory
    return directory / WAREHOUSE_FILE


def warehouse_key() -> FileKey:
    """Identity of the published file: a republish (new inode, mtime or size) gives a new key.

    With ``DCPULSE_LAKE_CATALOG`` set, the identity of the lake's latest snapshot instead (see the
    lake section below): ``("lake:<catalog>", snapshot_id, snapshot_time_ns, 0)``.
    """
    if lake_enabled():
        return lake_key()
    path = warehouse_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise WarehouseMissing(f"No warehouse at {path}. Run `make run` first to build and publish it.") from None
    return (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


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


# ---------------------------------------------------------------------------------------------
# The cached connection and the query helpers


def _release(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


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


# ---------------------------------------------------------------------------------------------
# The lake (README, "Beyond one machine"). With DCPULSE_LAKE_CATALOG set, the pages and the SQL console read the
# DuckLake catalog READ_ONLY instead of the serving file; without it nothing here runs.
#
# - ducklake and postgres_scanner are LOADed from their wheels' files first (the only extensions);
#   then external access goes off with only the lake's DATA_PATH allowed (DuckLake reads its Parquet
#   files through the local file system, so that cannot be disabled as for the serving file), and
#   the configuration is locked.
# - Each connection is pinned to one snapshot (ATTACH ... SNAPSHOT_VERSION n) and the cache key is
#   that snapshot: a new publish gives a new key, and cached results never mix two snapshots.
# - The postgres extension's functions (postgres_query, postgres_scan, ...) are not stopped by
#   enable_external_access, so the console also refuses them, DuckLake's maintenance functions and
#   query()/query_table() (which hide a statement in a string), found in the parsed statement.

LAKE_KEY_PREFIX = "lake:"
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


class LakeUnreachable(WarehouseBusy):
    """The lake's catalog cannot be reached or is misconfigured (pages show it as a notice)."""


class LakeEmpty(WarehouseMissing):
    """The lake's catalog holds no marts yet."""


def lake_enabled() -> bool:
    return bool(os.environ.get("DCPULSE_LAKE_CATALOG", "").strip())


def _is_lake_key(key: FileKey) -> bool:
    return key[0].startswith(LAKE_KEY_PREFIX)


def _lake_settings() -> Any:
    from orchestration.lib import lake

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
    from orchestration.lib import lake

    con = duckdb.connect(":memory:", config={**_BASE_CONFIG, "threads": 1})
    try:
        lake.attach_lake(con, _lake_settings(), read_only=True, alias=ALIAS)
    except BaseException:
        con.close()
        raise
    return con


def lake_key() -> FileKey:
    """``("lake:<catalog, password-free>", snapshot_id, snapshot_time_ns, 0)`` of the latest snapshot."""
    from orchestration.lib import lake

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
    from orchestration.lib import lake

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
    """Refuse the functions that reach past the lake's tables (see the section comment)."""
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


# ---------------------------------------------------------------------------------------------
# Named queries used by the pages (SQL here, shaping in analysis.py, figures in charts.py)


def demand_forecast() -> pl.DataFrame:
    """marts.fct_demand_forecast: history and every scenario, with the market kind, whether a row is AI
    demand (hpc is not), its components and which driver binds its region's total (total_basis)."""
    return query(
        "select year, scenario, region, market_tier, market_kind, workload, is_ai_demand, facility_power_mw, "
        "annual_energy_twh, is_history, installed_base_mw, pipeline_mw, growth_mw, retired_mw, total_basis, "
        "inference_share from marts.fct_demand_forecast order by year"
    )


def published_projections() -> pl.DataFrame:
    return query(
        "select publisher, publication, year_published, metric, scope, geography, year, value, unit, "
        "scenario, source_url, notes from marts.ref_published_projections order by publisher, year"
    )


def demand_by_tier() -> pl.DataFrame:
    """marts.fct_ai_demand_by_tier, every column (the scenario builder hands it to forecast_scenario)."""
    return query("select * from marts.fct_ai_demand_by_tier order by year, region, market_tier, market_kind, workload")


def market_summary() -> pl.DataFrame:
    """marts.fct_market_summary: one row per market with AI demand (training, inference; hpc apart), the
    announced AI pipeline, facility capacity in operation and in the pipeline, and the energy price."""
    return query("select * from marts.fct_market_summary order by market_tier, market_name")


def ai_pipeline() -> pl.DataFrame:
    """The announced AI pipeline as the forecast reads it: marts.fct_ai_pipeline where counts_in_pipeline."""
    return query("select * from marts.fct_ai_pipeline where counts_in_pipeline order by deployment_id")


def parameters() -> pl.DataFrame:
    """meta.parameters: every model, prior, platform-power and scenario parameter with unit and source."""
    return query(
        "select parameter, scope, value, unit, source, is_assumption, note, value_low, value_high "
        "from meta.parameters order by scope, parameter"
    )


def base_vintages(hpc_counts_as_ai_demand: bool, demand_latest_year: int) -> pl.DataFrame:
    """The installed base by the year it came online, split into the demand marts' cells, read with the
    pipeline's own query (orchestration.lib.forecast_build), so the scenario builder retires hardware
    exactly as the stored forecast does."""
    from orchestration.lib.forecast_build import BASE_VINTAGES_SQL

    return query(BASE_VINTAGES_SQL, (hpc_counts_as_ai_demand, demand_latest_year)).rename({"mw": "facility_power_mw"})


def markets() -> pl.DataFrame:
    return query("select * from marts.dim_markets order by market_id")


def facilities() -> pl.DataFrame:
    """marts.fct_facilities, one row per source record, with its market's name, region, tier and kind."""
    return query(
        "select f.*, m.market_name, m.region, m.market_tier, m.market_kind "
        "from marts.fct_facilities f left join marts.dim_markets m using (market_id)"
    )


def deployments() -> pl.DataFrame:
    """marts.fct_ai_deployments (every status) with its market's name and coordinates."""
    return query(
        "select d.*, m.market_name, m.latitude, m.longitude "
        "from marts.fct_ai_deployments d left join marts.dim_markets m using (market_id)"
    )


# The map draws every deployment or facility as a point: only the columns it shows are fetched, from the fact
# table alone, and the market's columns are joined from dim_markets (223 rows) in polars. Turning strings into
# Arrow is most of a query's cost here: at SCALE=100, 78,600 deployments x 73 columns with the join in SQL took
# ~180 ms (p95), 154,700 facilities ~130 ms (make bench SCALE=100).
MAP_DEPLOYMENT_COLUMNS = (
    "cluster_name", "owner", "market_id", "status", "workload", "training_share", "workload_basis",
    "facility_power_mw", "power_basis", "demand_reason", "region", "market_tier", "market_kind", "source",
)  # fmt: skip
MAP_FACILITY_COLUMNS = (
    "facility_name", "operator", "market_id", "latitude", "longitude", "status", "capacity_mw_low",
    "capacity_mw_high", "capacity_text", "duplicate_of", "source",
)  # fmt: skip


def _with_market(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``frame`` left-joined on market_id with those columns of marts.dim_markets."""
    return frame.join(markets().select("market_id", *columns), on="market_id", how="left")


def map_deployments() -> pl.DataFrame:
    """The map's columns of marts.fct_ai_deployments (every status), placed at their market's centre."""
    frame = query(f"select {', '.join(MAP_DEPLOYMENT_COLUMNS)} from marts.fct_ai_deployments")
    return _with_market(frame, ("market_name", "latitude", "longitude"))


def map_facilities() -> pl.DataFrame:
    """The map's columns of marts.fct_facilities (one row per source record) with its market's name and tier."""
    frame = query(f"select {', '.join(MAP_FACILITY_COLUMNS)} from marts.fct_facilities")
    return _with_market(frame, ("market_name", "region", "market_tier", "market_kind"))


def gpus() -> pl.DataFrame:
    return query("select * from marts.dim_gpus order by gpu_model")


def gpu_prices() -> pl.DataFrame:
    return query(
        "select gpu_model, provider, region, observed_on, price_kind, price_usd, source from marts.fct_gpu_prices"
    )


def backtest() -> pl.DataFrame:
    return query("select * from marts.fct_forecast_backtest order by origin_year, target_year")


def runs() -> pl.DataFrame:
    return query(
        "select run_id, started_at, finished_at, status, published_path from meta.runs "
        "order by finished_at desc nulls last"
    )


SOURCE_FILE_COLUMNS = (
    "source_table",
    "is_stale",
    "stale_reason",
    "retrieved",
    "origin",
    "fetch_status",
    "fetched_at",
    "fetch_error",
    "rows_loaded",
    "rows_rejected",
    "source_file",
    "read_from",
    "publisher",
    "licence",
    "url",
    "loaded_at",
)


def source_files() -> pl.DataFrame:
    """meta.source_files, stale sources first (a warehouse published before a column existed lacks it)."""
    frame = query("select * from meta.source_files order by source_table")
    frame = frame.select([c for c in SOURCE_FILE_COLUMNS if c in frame.columns])
    return frame.sort("is_stale", descending=True, nulls_last=True) if "is_stale" in frame.columns else frame


def schema_catalog() -> pl.DataFrame:
    """Every table and column the console can query, for the schema browser."""
    return query(
        "select table_schema, table_name, column_name, data_type, ordinal_position "
        "from information_schema.columns where table_catalog = ? and table_schema in ('marts', 'meta') "
        "order by table_schema, table_name, ordinal_position",
        (ALIAS,),
    )


# ---------------------------------------------------------------------------------------------
# The base map (not in the warehouse: shipped reference files, read once per process)

GEO_DIR = REPO_ROOT / "data" / "reference" / "geo"
COUNTRIES_FILE = "ne_110m_admin_0_countries.geojson"
STATES_FILE = "ne_110m_admin_1_states_provinces.geojson"


def _rounded(coordinates: Any, digits: int) -> Any:
    if isinstance(coordinates, list):
        return [_rounded(c, digits) for c in coordinates]
    return round(coordinates, digits) if isinstance(coordinates, float) else coordinates


def _slim_geojson(path: Path, keep: dict[str, str], digits: int = 2) -> dict[str, Any]:
    """The features' geometry, coordinates rounded to ``digits`` decimals (0.01 degree is about 1 km,
    finer than the 1:110m generalisation; it halves what each map render sends to the browser), and
    the ``keep`` properties renamed."""
    import json

    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": feature["geometry"]["type"],
                    "coordinates": _rounded(feature["geometry"]["coordinates"], digits),
                },
                "properties": {new: feature["properties"].get(old) for old, new in keep.items()},
            }
            for feature in document["features"]
        ],
    }


@st.cache_resource(show_spinner=False)
def base_map() -> tuple[dict[str, Any], dict[str, Any]]:
    """(countries, US states) from Natural Earth 1:110m (data/reference/geo, PROVENANCE.md), each a
    GeoJSON FeatureCollection reduced to geometry and name. Countries are keyed on ADM0_A3 (ISO_A3 is
    -99 for France and Norway)."""
    countries = _slim_geojson(GEO_DIR / COUNTRIES_FILE, {"ADM0_A3": "adm0_a3", "NAME": "name"})
    states = _slim_geojson(GEO_DIR / STATES_FILE, {"postal": "postal", "name": "name"})
    return countries, states


def published_at() -> float:
    """mtime of the serving file (seconds since the epoch): when it was last published."""
    return warehouse_key()[2] / 1e9


# ---------------------------------------------------------------------------------------------
# The SQL console


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
