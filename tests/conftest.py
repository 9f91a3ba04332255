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
