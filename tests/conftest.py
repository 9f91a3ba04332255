"""Shared fixtures: a copy of the shipped sources and a temporary warehouse, selected by env vars."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sources"
    shutil.copytree(SOURCES, target)
    return target


@pytest.fixture
def temp_env(tmp_path: Path, sources_copy: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    warehouse = tmp_path / "warehouse"
    monkeypatch.setenv("DCPULSE_SOURCES_DIR", str(sources_copy))
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(warehouse))
    return {"sources": sources_copy, "warehouse": warehouse}


@pytest.fixture(autouse=True, scope="session")
def _no_landings_of_this_checkout(tmp_path_factory: pytest.TempPathFactory):
    """Runs read the newest good file of a source, which may be a landing (make refresh) or an inbox drop in
    data/: tests read only what they set up, so landing and inbox point at an empty folder of the session."""
    root = tmp_path_factory.mktemp("connectors")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DCPULSE_LANDING_DIR", str(root / "landing"))
        mp.setenv("DCPULSE_INBOX_DIR", str(root / "inbox"))
        yield


# The fast loop (`make test-fast`, `pytest -m "not slow"`): unit tests and pure transforms. A test is slow when it
# runs the pipeline or dbt, drives a browser or a PostgreSQL server, or reads the warehouse the pipeline builds from
# tests/fixtures/sources (fixture ``built_warehouse``: built once, cached, ~3 minutes when the inputs change).
SLOW_MODULES = {
    "test_faults.py": "kills, corrupts and fills real pipeline runs",
    "test_pipeline_e2e.py": "runs the Dagster job end to end, several times",
    "test_refresh.py": "runs make refresh against a mirror",
    "test_lake.py": "starts PostgreSQL and publishes to DuckLake",
    "test_dbt_build.py": "runs dbt build",
    "test_browser.py": "drives headless Chromium against streamlit run",
}
SLOW_FIXTURES = {"built_warehouse"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs the pipeline, dbt, a browser or PostgreSQL (left out of test-fast)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
