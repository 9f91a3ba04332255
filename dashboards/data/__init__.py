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

One module per concern: ``warehouse`` (where the file is, one hardened read-only connection),
``lake_reader`` (the same from a DuckLake catalog), ``connection`` (which version is read, the connection
cached on it, ``query``), ``queries`` (the named queries of the pages), ``console`` (the SQL console's
safety), ``geo`` (the base map). The pages import the module they use; this package also exports the public
names of the former ``dashboards/data.py`` module, unchanged (``from dashboards import data``). Patch a
setting or a helper in the module that defines it (e.g. ``warehouse.LOCK_RETRY_SECONDS``), not here.
"""

from __future__ import annotations

from dashboards.data.connection import published_at, query, table_columns, warehouse_key
from dashboards.data.console import (
    CONSOLE_MEMORY_LIMIT,
    CONSOLE_ROW_CAP,
    CONSOLE_THREADS,
    CONSOLE_TIMEOUT_SECONDS,
    ConsoleLimits,
    SqlConsoleError,
    run_readonly_sql,
)
from dashboards.data.geo import COUNTRIES_FILE, GEO_DIR, STATES_FILE, base_map
from dashboards.data.lake_reader import LAKE_KEY_PREFIX, LakeEmpty, LakeUnreachable, lake_enabled, lake_key
from dashboards.data.queries import (
    MAP_DEPLOYMENT_COLUMNS,
    MAP_FACILITY_COLUMNS,
    SOURCE_FILE_COLUMNS,
    ai_demand_unlocated,
    ai_pipeline,
    backtest,
    base_vintages,
    demand_by_tier,
    demand_coverage,
    demand_forecast,
    deployments,
    facilities,
    gpu_prices,
    gpus,
    map_deployments,
    map_facilities,
    map_planned_generators,
    market_summary,
    markets,
    parameters,
    pipeline_backtest,
    power_measure,
    published_projections,
    runs,
    schema_catalog,
    source_files,
    top_contributors,
    unit_split,
)
from dashboards.data.warehouse import (
    ALIAS,
    DEFAULT_WAREHOUSE_DIR,
    LOCK_RETRY_SECONDS,
    REPO_ROOT,
    WAREHOUSE_FILE,
    FileKey,
    WarehouseBusy,
    WarehouseMissing,
    WarehouseUnavailable,
    warehouse_path,
)

__all__ = [
    "ALIAS",
    "CONSOLE_MEMORY_LIMIT",
    "CONSOLE_ROW_CAP",
    "CONSOLE_THREADS",
    "CONSOLE_TIMEOUT_SECONDS",
    "COUNTRIES_FILE",
    "DEFAULT_WAREHOUSE_DIR",
    "GEO_DIR",
    "LAKE_KEY_PREFIX",
    "LOCK_RETRY_SECONDS",
    "MAP_DEPLOYMENT_COLUMNS",
    "MAP_FACILITY_COLUMNS",
    "REPO_ROOT",
    "SOURCE_FILE_COLUMNS",
    "STATES_FILE",
    "WAREHOUSE_FILE",
    "ConsoleLimits",
    "FileKey",
    "LakeEmpty",
    "LakeUnreachable",
    "SqlConsoleError",
    "WarehouseBusy",
    "WarehouseMissing",
    "WarehouseUnavailable",
    "ai_demand_unlocated",
    "ai_pipeline",
    "backtest",
    "base_map",
    "base_vintages",
    "demand_coverage",
    "pipeline_backtest",
    "power_measure",
    "top_contributors",
    "unit_split",
    "demand_by_tier",
    "demand_forecast",
    "deployments",
    "facilities",
    "gpu_prices",
    "gpus",
    "lake_enabled",
    "lake_key",
    "map_deployments",
    "map_facilities",
    "map_planned_generators",
    "market_summary",
    "markets",
    "parameters",
    "published_at",
    "published_projections",
    "query",
    "run_readonly_sql",
    "runs",
    "schema_catalog",
    "source_files",
    "table_columns",
    "warehouse_key",
    "warehouse_path",
]
