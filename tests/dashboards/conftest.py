"""Fixtures for the dashboard tests: a warehouse BUILT BY THE PIPELINE from tests/fixtures/sources.

The session fixture runs the real Dagster job (``refresh_all_job``: ingest, dbt build, checks,
forecast, publish) on the trimmed sources in ``tests/fixtures/sources`` (written by
``tests/fixtures/make_sources.py``) into a temporary warehouse folder, and every dashboard test
reads the published file. Tests assert against what that warehouse holds (they query it), never
against hand-typed numbers.

The build takes a minute or two (dbt's build of every model and test dominates), so the published
file is kept in pytest's cache under a key made of everything the build reads: the fixture
sources, the dbt project, transforms/, orchestration/, pyproject.toml and the versions of the
packages that run it. Any change to those rebuilds; ``DCPULSE_FIXTURE_REBUILD=1`` forces a
rebuild. Tests never write to the shared file: those that republish or lock it take a copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import duckdb
import pytest
import streamlit as st

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboards" / "app.py"
PAGES = REPO / "dashboards" / "views"
FIXTURE_SOURCES = REPO / "tests" / "fixtures" / "sources"
WAREHOUSE_FILE = "dcpulse.duckdb"

# What the build reads: a change to any of these files rebuilds the fixture warehouse.
_BUILD_INPUTS = (FIXTURE_SOURCES, REPO / "dbt_project", REPO / "transforms", REPO / "orchestration")
_SKIP_PARTS = {"target", "logs", "dbt_packages", "__pycache__", ".user.yml"}
_PACKAGES = ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt", "polars", "great-expectations")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real headless Chromium against `streamlit run`")


def build_inputs_key() -> str:
    digest = hashlib.sha256()
    files = [REPO / "pyproject.toml"]
    for root in _BUILD_INPUTS:
        files += [p for p in root.rglob("*") if p.is_file() and not (_SKIP_PARTS & set(p.relative_to(root).parts))]
    for path in sorted(files):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing".encode())
    return digest.hexdigest()[:16]


def build_warehouse(warehouse_dir: Path, sources_dir: Path = FIXTURE_SOURCES) -> Path:
    """Run ``refresh_all_job`` on ``sources_dir`` into ``warehouse_dir``; return the published file.

    Only the public entry point (the Dagster job) is used; the environment is restored afterwards.
    """
    import dagster as dg

    saved = {k: os.environ.get(k) for k in ("DCPULSE_SOURCES_DIR", "DCPULSE_WAREHOUSE_DIR")}
    os.environ["DCPULSE_SOURCES_DIR"] = str(sources_dir)
    os.environ["DCPULSE_WAREHOUSE_DIR"] = str(warehouse_dir)
    try:
        from orchestration.definitions import defs

        result = defs.resolve_job_def("refresh_all_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    failures = [f"{e.step_key}: {e.message}" for e in result.all_events if e.is_step_failure]
    assert result.success, "the pipeline failed on tests/fixtures/sources:\n" + "\n".join(failures)
    published = warehouse_dir / WAREHOUSE_FILE
    assert published.exists(), f"the job succeeded but published nothing at {published}"
    return published


@pytest.fixture(scope="session")
def built_warehouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published file of a pipeline run on tests/fixtures/sources (cached by build_inputs_key)."""
    cache_root = request.config.cache.mkdir("dcpulse_fixture_warehouse")
    key = build_inputs_key()
    cached = cache_root / key / WAREHOUSE_FILE
    if cached.exists() and not os.environ.get("DCPULSE_FIXTURE_REBUILD"):
        return cached
    started = time.perf_counter()
    published = build_warehouse(tmp_path_factory.mktemp("fixture_build"))
    print(f"\nfixture warehouse built by refresh_all_job in {time.perf_counter() - started:.0f} s")
    cached.parent.mkdir(parents=True, exist_ok=True)
    staging = cached.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(published, staging)
    os.replace(staging, cached)  # atomic: a concurrent session sees the old file or the new one
    for old in cache_root.iterdir():
        if old.is_dir() and old.name != key:
            shutil.rmtree(old, ignore_errors=True)
    return cached


@pytest.fixture(scope="session")
def fixture_dir(built_warehouse: Path) -> Path:
    return built_warehouse.parent


@pytest.fixture
def warehouse(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The session's built warehouse, selected through DCPULSE_WAREHOUSE_DIR (read only)."""
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(fixture_dir))
    yield fixture_dir / WAREHOUSE_FILE


def copy_warehouse(built: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / WAREHOUSE_FILE
    shutil.copyfile(built, target)
    return target


def republished(built: Path, directory: Path, run_id: str, finished_at: str) -> Path:
    """A copy of the built warehouse as a later run would publish it: one more row in meta.runs."""
    target = copy_warehouse(built, directory)
    with duckdb.connect(str(target)) as con:
        con.execute(
            "insert into meta.runs (run_id, started_at, finished_at, status, published_path) "
            "values (?, cast(? as timestamp) - interval 2 minute, cast(? as timestamp), 'published', ?)",
            [run_id, finished_at, finished_at, str(target)],
        )
        con.execute("checkpoint")
    return target


@pytest.fixture
def own_warehouse(built_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy for tests that republish, lock or change the file."""
    target = copy_warehouse(built_warehouse, tmp_path / "own")
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(target.parent))
    yield target


@pytest.fixture
def no_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(tmp_path / "empty"))
    return tmp_path / "empty"


@pytest.fixture
def wh(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built warehouse, for the tests' own expected values."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(directory: Path) -> list[tuple[str, int]]:
    return sorted((p.name, p.stat().st_size) for p in directory.iterdir())
