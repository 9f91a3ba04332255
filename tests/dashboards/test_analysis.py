"""The dashboard's own computations: totals, prices, siting scores, GPU-hour economics."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboards import analysis


def test_forecast_totals_count_history_once_even_when_repeated_per_scenario() -> None:
    rows = pl.DataFrame(
        {
            "year": [2025, 2025, 2026, 2026],
            "scenario": ["low", "high", "low", "high"],
            "is_history": [True, True, False, False],
            "facility_power_mw": [10.0, 10.0, 11.0, 15.0],
        }
    )
    totals = analysis.forecast_totals(rows)
    assert totals.filter(pl.col("scenario") == "history")["value"].to_list() == [10.0]
    assert dict(totals.filter(~pl.col("is_history")).select("scenario", "value").iter_rows()) == {
        "low": 11.0,
        "high": 15.0,
    }


def test_cagr() -> None:
    assert analysis.cagr(100, 121, 2) == pytest.approx(0.1)
    assert analysis.cagr(0, 10, 2) is None


def test_latest_price_is_the_one_the_marts_cost_deployments_at() -> None:
    # US: industrial price of the latest year; Europe: mean wholesale price of the latest FULL year.
    months_2024 = [f"2024-{m:02d}" for m in range(1, 13)]
    prices = pl.DataFrame(
        {
            "geography": ["VA", "VA", "VA"] + ["DE"] * 12 + ["DE"] * 3,
            "period": ["2018", "2019", "2019", *months_2024, "2025-01", "2025-02", "2025-03"],
            "sector": ["industrial", "industrial", "commercial"] + ["wholesale"] * 15,
            "price_usd_mwh": [60.0, 65.0, 99.0] + [float(m) for m in range(1, 13)] + [500.0] * 3,
            "source": ["eia"] * 3 + ["ember"] * 15,
        }
    )
    got = analysis.latest_prices(prices).sort("geography")
    assert got.select("geography", "period", "price_usd_mwh").to_dicts() == [
        {"geography": "DE", "period": "2024", "price_usd_mwh": 6.5},
        {"geography": "VA", "period": "2019", "price_usd_mwh": 65.0},
    ]


def test_multi_state_market_is_priced_at_its_primary_state() -> None:
    markets = pl.DataFrame({"market_id": ["us-memphis"], "state_code": ["TN|MS|AR"], "country_code": ["US"]})
    prices = pl.DataFrame(
        {
            "geography": ["US-TN", "US-MS", "US"],
            "period": ["2019"] * 3,
            "sector": ["industrial"] * 3,
            "price_usd_mwh": [60.0, 70.0, 68.0],
            "source": ["eia"] * 3,
        }
    )
    assert analysis.market_prices(markets, prices)["energy_price_usd_mwh"].to_list() == [60.0]


def test_market_ai_demand_counts_each_installed_deployment_once() -> None:
    deployments = pl.DataFrame(
        {
            "market_id": ["m", "m", "m"],
            "status": ["operational", "operational", "operational"],
            "counts_in_demand": [True, False, True],  # phase 1 superseded by phase 2: counted once
            "facility_power_mw": [150.0, 100.0, 10.0],
            "workload": ["training", "training", "inference"],
            "gpu_count": [1000, 800, 50],
        }
    )
    got = analysis.ai_demand_by_market(deployments).row(0, named=True)
    assert (got["ai_demand_mw"], got["ai_training_mw"], got["ai_inference_mw"]) == (160.0, 150.0, 10.0)


def test_load_factors_equal_the_dbt_vars() -> None:
    from pathlib import Path

    import yaml

    project = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml").read_text())
    assert {w: project["vars"][f"load_factor_{w}"] for w in ("training", "inference", "mixed")} == analysis.LOAD_FACTOR


def test_market_price_matches_market_then_state_then_country() -> None:
    markets = pl.DataFrame(
        {
            "market_id": ["us-a", "us-b", "de-c", "jp-d"],
            "state_code": ["VA", "TX", None, None],
            "country_code": ["US", "US", "DE", "JP"],
        }
    )
    prices = pl.DataFrame(
        {
            "geography": ["us-a", "US-VA", "TX", "DE"],  # ISO 3166-2 and bare state codes both match
            "period": ["2024", "2019", "2019", "2024"],
            "sector": ["industrial"] * 4,
            "price_usd_mwh": [50.0, 60.0, 55.0, 80.0],
            "source": ["s"] * 4,
        }
    )
    got = analysis.market_prices(markets, prices).sort("market_id")
    assert got["energy_price_usd_mwh"].to_list() == [80.0, None, 50.0, 55.0]  # de-c, jp-d, us-a, us-b


def test_capacity_keeps_operating_and_pipeline_apart() -> None:
    facilities = pl.DataFrame(
        {
            "market_id": ["m", "m", "m", "m"],
            "status": ["operational", "planned", "under_construction", "cancelled"],
            "capacity_mw_low": [10.0, 100.0, 50.0, 999.0],
            "capacity_mw_high": [20.0, None, 70.0, 999.0],
        }
    )
    got = analysis.capacity_by_stage(facilities).row(0, named=True)
    assert (got["operational_mw_low"], got["operational_mw_high"]) == (10.0, 20.0)
    assert (got["pipeline_mw_low"], got["pipeline_mw_high"]) == (150.0, 170.0)


def _market_table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "market_id": ["cheap-remote", "dear-metro"],
            "market_name": ["Cheap remote", "Dear metro"],
            "region": ["North America"] * 2,
            "market_tier": ["tier_3", "tier_1"],
            "is_urban": [False, True],
            "energy_price_usd_mwh": [40.0, 120.0],
            "energy_price_basis": ["x", "y"],
            "operational_mw_high": [10.0, 1000.0],
            "pipeline_mw_high": [2000.0, 50.0],
        }
    )


def test_training_and_inference_rank_markets_differently_by_default() -> None:
    table = _market_table()
    training = analysis.siting_scores(table, "training", analysis.DEFAULT_WEIGHTS["training"])
    inference = analysis.siting_scores(table, "inference", analysis.DEFAULT_WEIGHTS["inference"])
    assert training["market_name"][0] == "Cheap remote"
    assert inference["market_name"][0] == "Dear metro"
    assert training["score"].max() <= 100 and training["score"].min() >= 0


def test_weights_change_the_ranking_and_the_explanation_adds_up() -> None:
    only_energy = analysis.SitingWeights(1.0, 0.0, 0.0, 0.0, 0.0)
    only_urban = analysis.SitingWeights(0.0, 0.0, 0.0, 0.0, 1.0)
    table = _market_table()
    assert analysis.siting_scores(table, "inference", only_energy)["market_name"][0] == "Cheap remote"
    top = analysis.siting_scores(table, "inference", only_urban).row(0, named=True)
    assert top["market_name"] == "Dear metro" and top["score"] == pytest.approx(100)
    assert analysis.explain_score(top, only_urban).startswith("Dear metro: 100/100")


def test_gpu_hour_cost_is_capex_over_sold_hours_plus_energy() -> None:
    gpus = pl.DataFrame({"gpu_model": ["G"], "release_price_usd": [24_528.0], "it_kw_per_gpu": [1.0]})
    table = _market_table()
    a = analysis.GpuCostAssumptions(amortisation_years=4, utilisation=0.7, capex_multiplier=1.0, pue=1.25)
    costs = analysis.gpu_hour_costs(gpus, table, a)
    row = costs.filter(pl.col("market_id") == "cheap-remote").row(0, named=True)
    assert row["capex_usd_per_gpu_hour"] == pytest.approx(1.0)  # 24,528 / (4 x 8760 x 0.7)
    assert row["energy_usd_per_gpu_hour"] == pytest.approx(1.0 * 1.25 / 1000 * 40)


def test_reference_deployments_use_the_sxm_part_and_load_factor() -> None:
    gpus = pl.DataFrame(
        {
            "gpu_model": ["NVIDIA H100 PCIe", "NVIDIA H100 SXM5 80GB", "NVIDIA A100 SXM4 80 GB", "NVIDIA H800 SXM5"],
            "it_kw_per_gpu": [0.637, 1.274, 0.728, 1.274],
        }
    )
    costs = analysis.reference_energy_costs(gpus, _market_table(), pue=1.2)
    h100 = costs.filter(pl.col("deployment").str.starts_with("100,000")).row(0, named=True)
    assert h100["gpu_model"] == "NVIDIA H100 SXM5 80GB"
    assert h100["it_mw"] == pytest.approx(127.4)  # DESIGN.md: 100k H100 -> about 127 MW IT
    assert h100["annual_mwh"] == pytest.approx(127.4 * 1.2 * 8760 * 0.85)
    h800 = costs.filter(pl.col("deployment").str.contains("H800")).row(0, named=True)
    assert h800["racks"] == "64-170 racks"  # 2.548 MW IT in 40 kW .. 15 kW racks
    assert costs.height == 3 * 2


def test_cloud_prices_summarise_on_demand_only() -> None:
    prices = pl.DataFrame(
        {
            "gpu_model": ["G", "G", "G"],
            "provider": ["a", "b", "c"],
            "price_kind": ["on_demand", "on_demand", "purchase"],
            "price_usd": [2.0, 4.0, 30000.0],
        }
    )
    expected = pl.DataFrame(
        {"gpu_model": ["G"], "cloud_median_usd": [3.0], "cloud_min_usd": [2.0], "cloud_max_usd": [4.0]}
    )
    got = analysis.cloud_prices(prices).drop("providers")
    assert_frame_equal(got, expected)


def test_missing_release_price_is_filled_from_purchase_prices() -> None:
    gpus = pl.DataFrame({"gpu_model": ["A", "B", "C"], "release_price_usd": [10.0, None, None]})
    prices = pl.DataFrame(
        {
            "gpu_model": ["A", "B", "B", "C"],
            "price_kind": ["purchase", "purchase", "purchase", "on_demand"],
            "price_usd": [99.0, 20.0, 40.0, 2.0],
        }
    )
    got = analysis.with_purchase_prices(gpus, prices).sort("gpu_model")
    assert got["release_price_usd"].to_list() == [10.0, 30.0, None]
    assert got["price_basis"].to_list() == ["release price", "purchase price (fct_gpu_prices)", None]


def test_capacity_counts_a_site_listed_by_two_sources_once() -> None:
    facilities = pl.DataFrame(
        {
            "market_id": ["m", "m"],
            "status": ["operational", "operational"],
            "capacity_mw_low": [300.0, 280.0],
            "capacity_mw_high": [300.0, 280.0],
            "is_primary_record": [True, False],  # the Epoch row of the same campus
        }
    )
    assert analysis.capacity_by_stage(facilities)["operational_mw_low"].to_list() == [300.0]
