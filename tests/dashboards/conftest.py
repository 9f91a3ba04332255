"""Fixtures for the dashboard tests: a small published warehouse and the env var pointing at it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from tests.dashboards.fixture_warehouse import build_fixture_warehouse

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboards" / "app.py"
PAGES = REPO / "dashboards" / "pages"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real headless Chromium against `streamlit run`")


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("warehouse")
    build_fixture_warehouse(directory)
    return directory


@pytest.fixture
def warehouse(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The session fixture warehouse, selected through DCPULSE_WAREHOUSE_DIR."""
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(fixture_dir))
    yield fixture_dir / "dcpulse.duckdb"


@pytest.fixture
def own_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy for tests that republish or lock the file."""
    build_fixture_warehouse(tmp_path)
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(tmp_path))
    yield tmp_path / "dcpulse.duckdb"


@pytest.fixture
def no_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(tmp_path / "empty"))
    return tmp_path / "empty"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(directory: Path) -> list[tuple[str, int]]:
    return sorted((p.name, p.stat().st_size) for p in directory.iterdir())
