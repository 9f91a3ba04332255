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


def _prices(rows: list[tuple[str, str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "geography": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "sector": [r[2] for r in rows],
            "price_usd_mwh": [r[3] for r in rows],
            "source": ["s"] * len(rows),
        }
    )


def test_latest_price_is_the_one_the_marts_cost_deployments_at() -> None:
    # US: industrial price of the latest year; Europe: mean wholesale price of the latest FULL year
    # (the latest single month, 2025-03 at 500, is not it); commercial prices price nothing.
    prices = _prices(
        [("US-VA", "2018", "industrial", 60.0), ("US-VA", "2019", "industrial", 65.0)]
        + [("US-VA", "2019", "commercial", 99.0), ("US-WY", "2019", "commercial", 99.0)]
        + [("DE", f"2024-{m:02d}", "wholesale", float(m)) for m in range(1, 13)]
        + [("DE", f"2025-{m:02d}", "wholesale", 500.0) for m in (1, 2, 3)]
        + [("FR", f"2023-{m:02d}", "wholesale", 40.0) for m in range(1, 13)]
        + [("FR", f"2024-{m:02d}", "wholesale", 90.0) for m in range(1, 12)]  # 2024 has 11 months
    )
    got = analysis.latest_prices(prices).sort("geography")
    assert got.select("geography", "period", "sector", "price_usd_mwh").to_dicts() == [
        {"geography": "DE", "period": "2024", "sector": "wholesale", "price_usd_mwh": 6.5},
        {"geography": "FR", "period": "2023", "sector": "wholesale", "price_usd_mwh": 40.0},
        {"geography": "US-VA", "period": "2019", "sector": "industrial", "price_usd_mwh": 65.0},
    ]


def test_multi_state_market_is_priced_at_its_primary_state() -> None:
    markets = pl.DataFrame({"market_id": ["us-memphis"], "state_code": ["TN|MS|AR"], "country_code": ["US"]})
    prices = _prices([("US-TN", "2019", "industrial", 60.0), ("US-MS", "2019", "industrial", 70.0)])
    prices = pl.concat([prices, _prices([("US", "2019", "industrial", 68.0)])])
    got = analysis.market_prices(markets, prices).row(0, named=True)
    assert got["energy_price_usd_mwh"] == 60.0
    assert got["energy_price_basis"].startswith("industrial US-TN 2019")


def test_market_price_follows_the_marts_rule() -> None:
    # US: 'US-<primary state>', else the US average; elsewhere the country; nothing else matches
    # (a bare state code, a market id, a commercial price).
    markets = pl.DataFrame(
        {
            "market_id": ["us-va", "us-tx", "us-wy", "us-undisclosed", "de-c", "jp-d"],
            "state_code": ["VA", "TX", "WY", None, None, None],
            "country_code": ["US", "US", "US", "US", "DE", "JP"],
        }
    )
    prices = _prices(
        [
            ("US-VA", "2019", "industrial", 60.0),
            ("TX", "2019", "industrial", 55.0),
            ("US-WY", "2019", "commercial", 99.0),
            ("US", "2019", "industrial", 68.0),
            ("jp-d", "2024", "industrial", 10.0),
        ]
        + [("DE", f"2024-{m:02d}", "wholesale", 80.0) for m in range(1, 13)]
    )
    got = dict(analysis.market_prices(markets, prices).select("market_id", "energy_price_usd_mwh").iter_rows())
    assert got == {
        "us-va": 60.0,
        "us-tx": 68.0,
        "us-wy": 68.0,
        "us-undisclosed": 68.0,
        "de-c": 80.0,
        "jp-d": None,
    }


def test_price_basis_note_names_each_basis_and_year() -> None:
    prices = _prices(
        [("US-VA", "2019", "industrial", 60.0)] + [("DE", f"2024-{m:02d}", "wholesale", 80.0) for m in range(1, 13)]
    )
    note = analysis.price_basis_note(prices)
    assert "EIA retail industrial price, 2019 (the latest year in the shipped EIA file)" in note
    assert "primary state" in note
    assert "Ember wholesale price, mean of 2024 (latest full year)" in note
    assert "different bases" in note


def test_market_ai_demand_counts_each_installed_deployment_once() -> None:
    deployments = pl.DataFrame(
        {
            "market_id": ["m", "m", "m", "m"],
            "status": ["operational", "operational", "operational", "operational"],
            # phase 1 superseded by phase 2, and a possible duplicate: counted once
            "counts_in_demand": [True, False, True, False],
            "facility_power_mw": [150.0, 100.0, 10.0, 10.0],
            "workload": ["training", "training", "inference", "inference"],
            "gpu_count": [1000, 800, 50, 50],
        }
    )
    got = analysis.ai_demand_by_market(deployments).row(0, named=True)
    assert (got["ai_demand_mw"], got["ai_training_mw"], got["ai_inference_mw"]) == (160.0, 150.0, 10.0)
    # Without the flag there is no safe fallback: status = 'operational' double-counts.
    with pytest.raises(ValueError, match="counts_in_demand"):
        analysis.ai_demand_by_market(deployments.drop("counts_in_demand"))


def test_load_factors_are_read_from_the_warehouse() -> None:
    deployments = pl.DataFrame(
        {"workload": ["training", "training", "inference", None], "load_factor": [0.9, 0.9, 0.5, 0.7]}
    )
    assert analysis.load_factors(deployments) == {"training": 0.9, "inference": 0.5}
    with pytest.raises(ValueError, match="more than one load factor"):
        analysis.load_factors(pl.DataFrame({"workload": ["training"] * 2, "load_factor": [0.85, 0.8]}))


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
    costs = analysis.reference_energy_costs(gpus, _market_table(), 1.2, {"training": 0.8, "inference": 0.55})
    h100 = costs.filter(pl.col("deployment").str.starts_with("100,000")).row(0, named=True)
    assert h100["gpu_model"] == "NVIDIA H100 SXM5 80GB"
    assert h100["it_mw"] == pytest.approx(127.4)  # DESIGN.md: 100k H100 -> about 127 MW IT
    assert h100["annual_mwh"] == pytest.approx(127.4 * 1.2 * 8760 * 0.8)  # the load factor passed in
    h800 = costs.filter(pl.col("deployment").str.contains("H800")).row(0, named=True)
    assert h800["racks"] == "64-170 racks"  # 2.548 MW IT in 40 kW .. 15 kW racks
    assert h800["load_factor"] == 0.55
    assert costs.height == 3 * 2
    # No load factor for inference in the warehouse: the inference reference is left out, not guessed.
    training_only = analysis.reference_energy_costs(gpus, _market_table(), 1.2, {"training": 0.8})
    assert set(training_only["workload"]) == {"training"} and training_only.height == 2 * 2


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
