"""The dashboard's market numbers equal the marts' own: AI demand, capacity, energy price, load factor.

Run on the fixture warehouse always; set ``DCPULSE_CHECK_WAREHOUSE`` to a published warehouse file
(e.g. ``data/warehouse/dcpulse.duckdb`` after ``make run``) to run the same checks on real data.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from dashboards import analysis, data
from tests.dashboards.conftest import REPO

REAL = os.environ.get("DCPULSE_CHECK_WAREHOUSE")


@pytest.fixture(params=["fixture", "real"] if REAL else ["fixture"])
def any_warehouse(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "fixture":
        request.getfixturevalue("warehouse")
    else:
        assert REAL
        shutil.copyfile(REAL, tmp_path / data.WAREHOUSE_FILE)  # a copy: the real file is never opened in place
        monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(tmp_path))
    return str(request.param)


def _table() -> pl.DataFrame:
    return analysis.market_table(data.markets(), data.facilities(), data.deployments(), data.energy_prices())


def test_market_ai_demand_adds_up_to_the_latest_year_of_the_marts(any_warehouse: str) -> None:
    deployments = data.deployments()
    counted = deployments.filter(pl.col("counts_in_demand"))["facility_power_mw"].sum()
    operational = deployments.filter(pl.col("status") == "operational")["facility_power_mw"].sum()
    total = _table()["ai_demand_mw"].sum()
    assert total == pytest.approx(counted)
    assert operational > counted  # superseded phases and possible duplicates exist, and are left out
    if any_warehouse == "real":  # the fixture's fct_ai_demand_by_tier is synthetic, not built from its rows
        by_tier = data.demand_by_tier()
        latest = by_tier.filter(pl.col("year") == by_tier["year"].max())["facility_power_mw"].sum()
        assert total == pytest.approx(latest)


def test_market_capacity_counts_a_site_listed_by_two_sources_once(any_warehouse: str) -> None:
    facilities = data.facilities()
    assert "is_primary_record" in facilities.columns
    in_markets = facilities.filter(
        (pl.col("status") == "operational") & pl.col("market_id").is_in(data.markets()["market_id"].implode())
    )
    assert not in_markets.filter(~pl.col("is_primary_record")).is_empty()  # a second listing exists
    got = _table()["operational_mw_low"].sum()
    assert got == pytest.approx(in_markets.filter(pl.col("is_primary_record"))["capacity_mw_low"].sum())


def test_market_price_is_the_price_the_marts_cost_its_deployments_at(any_warehouse: str) -> None:
    markets = data.markets()
    primary = markets.select("market_id", pl.col("state_code").str.split("|").list.first().alias("_primary"))
    deployments = (
        data.deployments()
        .join(primary, on="market_id", how="left")
        # A deployment placed in another state of a multi-state metro is priced at its own state.
        .filter(pl.col("state_code").eq_missing(pl.col("_primary")))
        .select("market_id", "energy_price_usd_mwh", "energy_price_basis")
    )
    shown = _table().select("market_id", pl.col("energy_price_usd_mwh").alias("shown"))
    both = deployments.join(shown, on="market_id", how="inner")
    assert both.height > 0
    diff = both.filter(~pl.col("energy_price_usd_mwh").eq_missing(pl.col("shown")))
    diff = diff.filter((pl.col("energy_price_usd_mwh") - pl.col("shown")).abs().fill_null(1.0) > 1e-9)
    assert diff.is_empty(), diff.unique("market_id").to_dicts()


def test_load_factors_are_the_warehouses_and_the_dbt_vars(any_warehouse: str) -> None:
    project = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())
    got = analysis.load_factors(data.deployments())
    assert got and got == {w: project["vars"][f"load_factor_{w}"] for w in got}
