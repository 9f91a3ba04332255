"""The read path: warehouse location, read-only queries, republish pick-up, lock tolerance."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from dashboards import data
from dashboards.data import connection, warehouse
from tests.dashboards.conftest import REPO, republished, sha256


def test_warehouse_path_comes_from_env_and_defaults_to_repo_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DCPULSE_WAREHOUSE_DIR", raising=False)
    assert data.warehouse_path() == data.REPO_ROOT / "data" / "warehouse" / "dcpulse.duckdb"
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", "/srv/wh")
    assert data.warehouse_path() == Path("/srv/wh/dcpulse.duckdb")


def test_missing_warehouse_says_to_run_make_run(no_warehouse: Path) -> None:
    with pytest.raises(data.WarehouseMissing, match="make run"):
        data.demand_forecast()


def test_every_contract_table_is_queryable(warehouse: Path) -> None:
    for fn in (
        data.demand_forecast, data.published_projections, data.demand_by_tier, data.market_summary,
        data.ai_pipeline, data.parameters, data.markets, data.facilities, data.deployments, data.gpus,
        data.map_deployments, data.map_facilities, data.gpu_prices, data.backtest, data.runs, data.source_files,
        data.schema_catalog,
    ):  # fmt: skip
        assert fn().height > 0, fn.__name__
    assert data.base_vintages().height > 0


def test_map_queries_are_the_full_tables_slimmed_to_the_maps_columns(warehouse: Path) -> None:
    """The map's slim queries give the same points as the full ones (market columns joined in polars)."""
    for slim, full in ((data.map_deployments, data.deployments), (data.map_facilities, data.facilities)):
        got, want = slim(), full()
        assert got.height == want.height > 0
        assert got.sort(got.columns).equals(want.select(got.columns).sort(got.columns)), slim.__name__


def test_base_map_is_natural_earth_as_shipped() -> None:
    """data/reference/geo holds the files PROVENANCE.md names, byte for byte; the dashboard keeps only
    geometry and names, keyed on ADM0_A3 (ISO_A3 is -99 for France and Norway)."""
    provenance = (data.GEO_DIR / "PROVENANCE.md").read_text()
    for name in (data.COUNTRIES_FILE, data.STATES_FILE):
        assert f"`{name}`" in provenance and sha256(data.GEO_DIR / name) in provenance, name
    countries, states = data.base_map()
    codes = {f["properties"]["adm0_a3"] for f in countries["features"]}
    assert {"FRA", "NOR", "USA", "CHN"} <= codes and len(countries["features"]) == 177
    assert {f["properties"]["postal"] for f in states["features"]} >= {"TX", "VA", "DC"}
    assert set(countries["features"][0]["properties"]) == {"adm0_a3", "name"}


def test_nothing_in_the_project_points_at_the_shared_folder() -> None:
    needle = "../" + "shared"  # spelled apart so this file does not find itself
    hits = [
        str(p.relative_to(REPO))
        for p in REPO.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".md", ".yml", ".yaml", ".toml", ".cfg", ".txt", ".json"}
        and not {".venv", ".git", "target", ".pytest_cache", "lake", "warehouse"} & set(p.relative_to(REPO).parts)
        and needle in p.read_text(encoding="utf-8", errors="ignore")
    ]
    assert not hits, hits


def test_reads_leave_the_file_byte_identical_and_leave_no_wal(own_warehouse: Path) -> None:
    before = sha256(own_warehouse)
    data.demand_forecast()
    data.facilities()
    connection._connection_for.clear()
    assert sha256(own_warehouse) == before
    assert sorted(p.name for p in own_warehouse.parent.iterdir()) == ["dcpulse.duckdb"]


def test_republished_file_is_picked_up_without_restart(
    built_warehouse: Path, own_warehouse: Path, tmp_path: Path
) -> None:
    assert "next-run" not in data.runs()["run_id"].to_list()
    old_connection = connection._connection_for(data.warehouse_key())
    staging = republished(built_warehouse, tmp_path / "staging", "next-run", "2099-01-01 06:00:00")
    os.replace(staging, own_warehouse)  # the publish step: atomic replace of the serving file
    assert "next-run" in data.runs()["run_id"].to_list()
    with pytest.raises(duckdb.ConnectionException):  # the old file's connection was released
        old_connection.execute("select 1")


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen[bytes]:
    code = textwrap.dedent(
        f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("locked", flush=True)
        time.sleep({seconds})
        con.close()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"locked"
    return proc


def test_a_writer_holding_the_file_gives_a_busy_notice_not_a_crash(
    own_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warehouse, "LOCK_RETRY_SECONDS", 0.5)  # where _attach_readonly reads it
    writer = _hold_write_lock(own_warehouse, 30)
    try:
        with pytest.raises(data.WarehouseBusy, match="locked by a writer"):
            data.markets()
        with pytest.raises(data.SqlConsoleError, match="locked by a writer"):
            data.run_readonly_sql("select 1")
    finally:
        writer.kill()
        writer.wait()


def test_reads_ride_out_a_short_write_lock(own_warehouse: Path) -> None:
    writer = _hold_write_lock(own_warehouse, 1.0)
    try:
        started = time.monotonic()
        assert data.markets().height > 0
        assert time.monotonic() - started < data.LOCK_RETRY_SECONDS + 4  # slack for a busy CI machine
    finally:
        writer.wait()
