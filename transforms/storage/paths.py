"""Where the warehouse lives: the one home of the repository root, the sources and warehouse folders and the two
DuckDB files (docs/architecture.md, "The flow"):

- the build file ``<warehouse>/build/dcpulse_build.duckdb``: only the pipeline opens it;
- the serving file ``<warehouse>/dcpulse.duckdb``: dashboards and analysts open it read-only.

Paths come from the environment, read when called (never at import): ``DCPULSE_SOURCES_DIR`` (default
``data/sources``) and ``DCPULSE_WAREHOUSE_DIR`` (``data/warehouse``); a relative path is relative to the
repository. dbt is told the build file through ``DCPULSE_DUCKDB_PATH`` (``dbt_project/profiles.yml``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVING_NAME = "dcpulse.duckdb"
BUILD_NAME = "dcpulse_build.duckdb"
SOURCES_DIR_ENV = "DCPULSE_SOURCES_DIR"
WAREHOUSE_DIR_ENV = "DCPULSE_WAREHOUSE_DIR"
# The variable dbt's profiles.yml reads the build file's path from.
DBT_DUCKDB_PATH_ENV = "DCPULSE_DUCKDB_PATH"


def resolve_path(value: str) -> Path:
    """``value`` as a path; a relative one is relative to the repository."""
    path = Path(value)
    return path if path.is_absolute() else (PROJECT_ROOT / path)


def sources_dir() -> Path:
    return resolve_path(os.environ.get(SOURCES_DIR_ENV, "data/sources"))


def warehouse_dir() -> Path:
    return resolve_path(os.environ.get(WAREHOUSE_DIR_ENV, "data/warehouse"))


def build_path() -> Path:
    return warehouse_dir() / "build" / BUILD_NAME


def serving_path() -> Path:
    return warehouse_dir() / SERVING_NAME
