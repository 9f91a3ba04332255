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
