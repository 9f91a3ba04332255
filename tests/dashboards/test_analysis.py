"""The dashboard's own shaping, on small frames: totals, parameters, the unknown tier, published
comparisons, siting scores, GPU-hour economics and the map's sizes, colours and view. (What the pages
show against the built warehouse is tested in test_pages.py and test_market_numbers.py.)"""

from __future__ import annotations

import math

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboards import analysis
from dashboards.analysis import markets, siting


def test_forecast_totals_count_history_once_and_leave_hpc_out() -> None:
    rows = pl.DataFrame(
        {
            "year": [2025, 2025, 2025, 2026, 2026, 2026],
            "scenario": ["low", "high", "low", "low", "high", "low"],
            "is_history": [True, True, True, False, False, False],
            "workload": ["training", "training", "hpc", "training", "training", "hpc"],
            "is_ai_demand": [True, True, False, True, True, False],
            "facility_power_mw": [10.0, 10.0, 5.0, 11.0, 15.0, 5.0],
        }
    )
    totals = analysis.forecast_totals(rows)
    assert totals.filter(pl.col("scenario") == "history")["value"].to_list() == [10.0]
    assert dict(totals.filter(~pl.col("is_history")).select("scenario", "value").iter_rows()) == {
        "low": 11.0,
        "high": 15.0,
    }
    assert analysis.scenario_total(rows, 2026, "low") == 11.0  # AI demand only
    assert analysis.scenario_total(rows, 2026, "low", workload="hpc") == 5.0  # hpc when asked by name


def test_cagr() -> None:
    assert analysis.cagr(100, 121, 2) == pytest.approx(0.1)
    assert analysis.cagr(0, 10, 2) is None


def _parameters(**values: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "parameter": list(values),
            "scope": ["model"] * len(values),
            "value": list(values.values()),
        }
    )


def test_model_parameters_are_read_as_the_warehouse_stored_them() -> None:
    frame = _parameters(
        pue_ai_cluster="1.3",
        server_overhead="1.9",
        load_factor_training="0.5",
        load_factor_inference="0.4",
        load_factor_hpc="0.3",
        forecast_end_year="2032",
        hpc_counts_as_ai_demand="false",
    )
    got = analysis.ModelParams.from_frame(frame)
    assert got.pue_ai_cluster == 1.3 and got.server_overhead == 1.9
    assert got.load_factor == {"training": 0.5, "inference": 0.4, "hpc": 0.3}
    assert (got.forecast_end_year, got.hpc_counts_as_ai_demand) == (2032, False)
    assert got.load_factor_text() == "training 0.5, inference 0.4, hpc 0.3"


def test_a_parameter_missing_from_the_warehouse_is_read_from_its_home() -> None:
    from transforms.params import param

    assert analysis.parameter_value(_parameters(), "forecast_end_year") == param("forecast_end_year")
    with pytest.raises(KeyError):
        analysis.parameter_value(_parameters(), "accelerator_power_cagr", scope="scenario:base")


def test_demand_by_workload_keeps_hpc_apart_and_gives_calendar_year_energy() -> None:
    demand = pl.DataFrame(
        {
            "year": [2025, 2025, 2025, 2024],
            "workload": ["training", "inference", "hpc", "training"],
            "facility_power_mw": [100.0, 50.0, 20.0, 80.0],
            "annual_energy_mwh": [700_000.0, 250_000.0, 120_000.0, 1.0],
        }
    )
    got = analysis.demand_by_workload(demand, 2025)
    # without a split range in the frame, a row's range is its own MW
    assert got["training"] == {"mw": 100.0, "twh": 0.7, "low": 100.0, "high": 100.0}
    assert got["inference"]["mw"] == 50.0 and got["hpc"] == {"mw": 20.0, "twh": 0.12, "low": 20.0, "high": 20.0}
    ranged = analysis.demand_by_workload(
        demand.with_columns(
            (pl.col("facility_power_mw") * 0.5).alias("split_low_mw"),
            (pl.col("facility_power_mw") * 2).alias("split_high_mw"),
        ),
        2025,
    )
    assert (ranged["inference"]["low"], ranged["inference"]["high"]) == (25.0, 100.0)


def _summary() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "market_name": ["Dallas", "China: location undisclosed", "Unassigned", "India: location undisclosed"],
            "country_code": ["US", "CN", None, "IN"],
            "market_tier": ["tier_1", "unknown", "unknown", "unknown"],
            "market_kind": ["metro", "country_rest", "unassigned", "country_rest"],
            "ai_training_mw": [10.0, 3.0, 1.0, 0.0],
            "ai_inference_mw": [5.0, 2.0, 0.0, 0.0],
            "ai_demand_mw": [15.0, 5.0, 1.0, 0.0],
            "hpc_mw": [0.0, 0.0, 0.0, 0.0],
            "ai_pipeline_mw": [0.0, 0.0, 0.0, 0.0],
            "energy_price_basis": ["EIA industrial 2019 US-TX", None, None, None],
        }
    )


def test_unknown_tier_is_broken_down_by_country() -> None:
    got = analysis.unknown_tier_by_country(_summary())
    assert got["market_name"].to_list() == ["China: location undisclosed", "Unassigned"]  # India holds nothing
    assert got["ai_demand_mw"].sum() == 6.0


def test_price_bases_name_each_kind_of_price_without_restating_a_rule() -> None:
    summary = pl.concat(
        [_summary(), _summary().with_columns(energy_price_basis=pl.lit("Ember wholesale 2024 mean DE"))]
    )
    text = analysis.price_bases(summary)
    assert "EIA industrial 2019 (1 market)" in text and "Ember wholesale 2024 mean (4 markets)" in text
    assert "3 markets have no price" in text


def _projections() -> pl.DataFrame:
    base = {
        "publisher": "IEA",
        "publication": "Energy and AI (2025)",
        "metric": "electricity_consumption",
        "scope": "all data centers",
        "geography": "World",
        "unit": "TWh",
        "source_url": "u",
    }
    rows = [
        {**base, "year": 2024, "value": 415.0, "scenario": "estimate"},
        {**base, "year": 2030, "value": 945.0, "scenario": "base"},
        {**base, "year": 2030, "value": 1200.0, "scenario": "high"},
        {**base, "publisher": "Epoch AI", "metric": "dataset_coverage", "unit": "percent", "year": 2025,
         "value": 10.0, "scenario": "low"},
        {**base, "publisher": "Epoch AI", "metric": "dataset_coverage", "unit": "percent", "year": 2025,
         "value": 20.0, "scenario": "high"},
    ]  # fmt: skip
    return pl.DataFrame(rows)


def test_coverage_note_reads_epochs_share_from_the_published_figures() -> None:
    note = analysis.coverage_note(_projections())
    assert "about 10-20% of all AI compute" in note and "March 2025" in note
    assert "not growth of all AI power" in note
    assert "about" not in analysis.coverage_note(_projections().filter(pl.col("metric") != "dataset_coverage"))


def test_energy_is_compared_like_for_like_with_the_iea_all_data_centre_figures() -> None:
    demand = pl.DataFrame({"year": [2024, 2024], "is_ai_demand": [True, False], "annual_energy_mwh": [4e6, 9e9]})
    forecast = pl.DataFrame(
        {
            "year": [2030, 2030, 2030],
            "scenario": ["base", "base", "high"],
            "is_ai_demand": [True, False, True],
            "annual_energy_twh": [80.0, 2.0, 120.0],
        }
    )
    got = analysis.energy_comparison(demand, forecast, _projections())
    assert got.select("year", "tracked_ai_twh", "iea_all_data_centres_twh").rows() == [
        (2024, 4.0, 415.0),
        (2030, 80.0, 945.0),
    ]
    assert got["tracked_share_of_iea"][1] == pytest.approx(80 / 945)
    assert got["tracked_basis"].to_list() == ["history (fct_ai_demand_by_tier)", "forecast, base scenario"]


def test_binding_drivers_count_regions_per_year_and_basis() -> None:
    forecast = pl.DataFrame(
        {
            "year": [2026, 2026, 2026, 2027, 2027, 2025],
            "scenario": ["base"] * 6,
            "region": ["Europe", "Europe", "North America", "Europe", "Unknown", "Europe"],
            "is_history": [False] * 5 + [True],
            "is_ai_demand": [True, True, True, True, True, True],
            "total_basis": ["trend", "trend", "pipeline_floor", "trend_after_pipeline", "trend", "history"],
            "facility_power_mw": [1.0, 2.0, 5.0, 3.0, 0.0, 1.0],
        }
    )
    got = analysis.binding_drivers(forecast)
    assert got.select("year", "total_basis", "regions").rows() == [
        (2026, "pipeline_floor", 1),
        (2026, "trend", 1),
        (2027, "trend_after_pipeline", 1),
    ]  # a region holding nothing (Unknown 2027) is left out


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
            "planned_generation_mw_100km_2030": [5000.0, 200.0],
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


def test_power_term_scores_planned_generation_and_an_unknown_market_in_the_middle() -> None:
    only_power = analysis.SitingWeights(0.0, 0.0, 0.0, 0.0, 0.0, power_availability=1.0)
    table = pl.concat(
        [
            _market_table(),
            _market_table()
            .head(1)
            .with_columns(
                market_id=pl.lit("abroad"),
                market_name=pl.lit("Abroad"),
                planned_generation_mw_100km_2030=pl.lit(None, pl.Float64),
            ),
        ]
    )
    scored = {r["market_name"]: r for r in analysis.siting_scores(table, "training", only_power).iter_rows(named=True)}
    assert scored["Cheap remote"]["score"] == pytest.approx(100) and scored["Dear metro"]["score"] == pytest.approx(0)
    assert scored["Abroad"]["score"] == pytest.approx(100 * siting.POWER_UNKNOWN_SCORE)  # unknown is not none
    label = markets.power_label({"near_km": 100.0, "release": "EIA-860M 2026-04"})
    assert label == "planned generation within 100 km (EIA-860M 2026-04)"
    assert "5,000 MW planned generation within 100 km (EIA-860M 2026-04) by 2030, not deliverable power" in (
        analysis.explain_score(scored["Cheap remote"], only_power, label)
    )
    assert "outside EIA-860M's coverage" in analysis.explain_score(scored["Abroad"], only_power, label)


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
    assert h100["it_mw"] == pytest.approx(127.4)  # docs/architecture.md: 100k H100 at 1.275 kW -> about 127 MW IT
    assert h100["annual_mwh"] == pytest.approx(127.4 * 1.2 * 8760 * 0.8)  # the load factor passed in
    h800 = costs.filter(pl.col("deployment").str.contains("H800")).row(0, named=True)
    assert h800["racks"] == "64-170 racks"  # 2.548 MW IT in 40 kW .. 15 kW racks
    assert h800["load_factor"] == 0.55
    assert costs.height == 3 * 2
    # No load factor for inference in the warehouse: the inference reference is left out, not guessed.
    training_only = analysis.reference_energy_costs(gpus, _market_table(), 1.2, {"training": 0.8})
    assert set(training_only["workload"]) == {"training"} and training_only.height == 2 * 2


def test_cloud_prices_keep_on_demand_and_spot_apart() -> None:
    prices = pl.DataFrame(
        {
            "gpu_model": ["G", "G", "G", "G"],
            "provider": ["a", "b", "c", "a"],
            "price_kind": ["on_demand", "on_demand", "purchase", "spot"],
            "price_usd": [2.0, 4.0, 30000.0, 0.9],
        }
    )
    expected = pl.DataFrame(
        {
            "gpu_model": ["G"],
            "cloud_median_usd": [3.0],
            "cloud_min_usd": [2.0],
            "cloud_max_usd": [4.0],
            "spot_median_usd": [0.9],
        }
    )
    got = analysis.cloud_prices(prices).drop("providers", "spot_providers")
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


def test_bubbles_show_a_20_mw_edge_site_and_a_1_gw_campus_without_a_giant() -> None:
    frame = pl.DataFrame({"mw": [None, 0.5, 20.0, 1000.0, 80_000.0]})
    got = frame.select(analysis.bubble_radius_px(pl.col("mw")))["mw"].to_list()
    assert got[0] == got[1] == analysis.BUBBLE_MIN_PX  # no figure or a tiny site: still visible
    assert analysis.BUBBLE_MIN_PX <= got[2] < got[3] < analysis.BUBBLE_MAX_PX  # both visible, ordered
    assert got[3] / got[2] == pytest.approx(math.sqrt(1000 / 20), rel=0.35)  # area ~ MW between the clamps
    assert got[4] == analysis.BUBBLE_MAX_PX  # an 80 GW plan does not cover the map


def test_training_share_colour_runs_from_inference_blue_to_training_red() -> None:
    frame = pl.DataFrame({"share": [0.0, 1.0, 0.5, None]})
    got = frame.select(analysis.training_share_rgb(pl.col("share")).alias("rgb"))["rgb"].to_list()
    assert got[0] == [37, 99, 235] and got[1] == [220, 38, 38]
    assert got[0][0] < got[2][0] < got[1][0]
    assert got[3] == [156, 163, 175]


def test_the_view_fits_the_points() -> None:
    us = analysis.view_for([30.0, 45.0], [-120.0, -75.0])
    world = analysis.view_for([-35.0, 60.0], [-120.0, 150.0])
    assert -120 < us["longitude"] < -75 and 30 < us["latitude"] < 45
    assert us["zoom"] > world["zoom"]
    # the whole span fits in the assumed width at that zoom (deck.gl: 512 x 2^zoom px for 360 degrees)
    assert 512 * 2 ** world["zoom"] * 270 / 360 <= 860
    assert analysis.view_for([], [])["zoom"] == 1.0


def test_labels_are_decluttered_biggest_first() -> None:
    labels = pl.DataFrame(
        {
            "label": ["Dallas-Fort Worth", "Austin", "Tokyo", "Fort Worth"],
            "latitude": [32.8, 30.3, 35.7, 32.75],
            "longitude": [-96.8, -97.7, 139.7, -96.95],
        }
    )
    world = analysis.declutter_labels(labels, zoom=1.0)["label"].to_list()
    assert world == ["Dallas-Fort Worth", "Tokyo"]  # at world zoom Austin and Fort Worth would sit on Dallas
    close = analysis.declutter_labels(labels, zoom=7.0)["label"].to_list()
    assert close == ["Dallas-Fort Worth", "Austin", "Tokyo"]  # zoomed in, Austin is clear; Fort Worth is not


def test_all_zero_series_are_left_out_of_the_tier_charts() -> None:
    frame = pl.DataFrame(
        {"tier_kind": ["a", "a", "b", "b"], "year": [1, 2, 1, 2], "facility_power_mw": [0.0, 0.0, 0.0, 3.0]}
    )
    assert analysis.non_zero_series(frame)["tier_kind"].unique().to_list() == ["b"]


def test_top_with_rest_sums_the_tail_into_one_row() -> None:
    frame = pl.DataFrame({"market_name": list("abcde"), "ai_demand_mw": [5.0, 4.0, 3.0, 2.0, 1.0]})
    got = analysis.top_with_rest(frame, 2)
    assert got.rows() == [("a", 5.0), ("b", 4.0), ("3 other places", 6.0)]
    assert analysis.top_with_rest(frame, 4).height == 5  # one left over: shown by name
