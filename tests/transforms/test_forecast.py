"""Unit tests of transforms.forecast on small literal frames, one behaviour per test."""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.forecast import (
    BACKTEST_COLUMNS,
    CONTRACT_COLUMNS,
    ScenarioParams,
    backtest,
    empty_pipeline,
    forecast_invariants,
    forecast_scenario,
    load_scenarios,
    parse_scenarios,
    pipeline_from_deployments,
    resolve_scenario,
    run_all_scenarios,
    scenario_parameter_table,
    score_forecast,
)

LOAD_FACTOR = 0.8


def make_params(**changes: Any) -> ScenarioParams:
    """A scenario whose drivers are easy to compute by hand: 10 %/yr, flat PUE, no tier shift."""
    values: dict[str, Any] = {
        "name": "test",
        "accelerator_power_cagr": 0.10,
        "pue_ratio_target": 1.0,
        "inference_share_target": 0.5,
        "tier_mix_target": {
            "training": {"tier_1": 0.5, "tier_2": 0.0, "tier_3": 0.5},
            "inference": {"tier_1": 0.4, "tier_2": 0.4, "tier_3": 0.2},
        },
        "tier_shift_strength": 0.0,
        "pipeline_realisation_rate": {"planned": 0.5, "under_construction": 1.0},
        "pipeline_delay_years": 0.0,
        "pipeline_undated_spread_years": 2,
        "load_factor": {"training": 0.85, "inference": 0.6, "mixed": 0.7},
    }
    values.update(changes)
    return ScenarioParams.model_validate(values)


def make_history(rows: list[tuple[int, str, str, str, float]], pue: float = 1.2) -> pl.DataFrame:
    """Rows of (year, region, market_tier, workload, it_power_mw) -> a fct_ai_demand_by_tier frame."""
    frame = pl.DataFrame(
        rows,
        schema={
            "year": pl.Int32,
            "region": pl.String,
            "market_tier": pl.String,
            "workload": pl.String,
            "it_power_mw": pl.Float64,
        },
        orient="row",
    )
    return frame.with_columns(
        pl.lit(1, pl.Int64).alias("deployments"),
        pl.lit(1000.0).alias("gpu_count"),
        (pl.col("it_power_mw") * pue).alias("facility_power_mw"),
    ).with_columns((pl.col("facility_power_mw") * 8760 * LOAD_FACTOR).alias("annual_energy_mwh"))


def make_pipeline(rows: list[tuple[str, int | None, float, str]]) -> pl.DataFrame:
    """Rows of (region, expected_year, facility_power_mw, status)."""
    frame = pl.DataFrame(
        rows,
        schema={"region": pl.String, "expected_year": pl.Int32, "facility_power_mw": pl.Float64, "status": pl.String},
        orient="row",
    )
    return frame.select(
        "region",
        pl.lit("tier_1").alias("market_tier"),
        pl.lit("training").alias("workload"),
        "expected_year",
        "facility_power_mw",
        "status",
        pl.lit("deployments").alias("source"),
    )


def region_totals(forecast: pl.DataFrame, column: str = "facility_power_mw") -> dict[tuple[int, str], float]:
    totals = forecast.group_by("year", "region").agg(pl.col(column).sum())
    return {(row["year"], row["region"]): row[column] for row in totals.iter_rows(named=True)}


ONE_REGION = make_history([(2024, "Europe", "tier_1", "training", 100.0)])

MIXED = make_history(
    [
        (2023, "North America", "tier_1", "training", 50.0),
        (2024, "North America", "tier_1", "training", 60.0),
        (2024, "North America", "tier_3", "training", 30.0),
        (2024, "North America", "tier_2", "inference", 20.0),
        (2024, "North America", "unknown", "inference", 10.0),
        (2024, "North America", "tier_1", "mixed", 15.0),
        (2024, "Europe", "tier_1", "inference", 25.0),
        (2024, "Europe", "unknown", "training", 5.0),
        (2024, "Unknown", "unknown", "mixed", 4.0),
    ]
)


def test_growth_compounds_at_the_cagr_on_it_power() -> None:
    out = forecast_scenario(ONE_REGION, empty_pipeline(), make_params(), end_year=2027)
    totals = region_totals(out.filter(~pl.col("is_history")), "it_power_mw")
    assert totals[(2025, "Europe")] == pytest.approx(110.0)
    assert totals[(2026, "Europe")] == pytest.approx(121.0)
    assert totals[(2027, "Europe")] == pytest.approx(133.1)
    facility = region_totals(out, "facility_power_mw")
    assert facility[(2027, "Europe")] == pytest.approx(133.1 * 1.2)


def test_region_growth_multiplier_scales_the_rate() -> None:
    params = make_params(region_growth_multiplier={"Europe": 0.5})
    out = forecast_scenario(ONE_REGION, empty_pipeline(), params, end_year=2026)
    assert region_totals(out, "it_power_mw")[(2026, "Europe")] == pytest.approx(100.0 * 1.05**2)


def test_pue_follows_the_relative_lbnl_path() -> None:
    # ratio 0.8 reached in 2028 from 2023: 2024 path = 0.96, 2026 path = 0.88 -> PUE 1.2 * 0.88/0.96 = 1.1
    params = make_params(accelerator_power_cagr=0.0, pue_ratio_target=0.8, pue_floor=1.0)
    out = forecast_scenario(ONE_REGION, empty_pipeline(), params, end_year=2026)
    assert region_totals(out)[(2026, "Europe")] == pytest.approx(100.0 * 1.1)


def test_pue_never_falls_below_the_floor() -> None:
    params = make_params(accelerator_power_cagr=0.0, pue_ratio_target=0.5, pue_floor=1.15)
    out = forecast_scenario(ONE_REGION, empty_pipeline(), params, end_year=2030)
    assert out.filter(~pl.col("is_history"))["pue"].min() == pytest.approx(1.15)


def test_energy_uses_the_load_factor_implied_by_history() -> None:
    out = forecast_scenario(ONE_REGION, empty_pipeline(), make_params(inference_share_target=0.0), end_year=2025)
    row = out.filter(pl.col("year") == 2025, pl.col("workload") == "training", pl.col("market_tier") == "tier_1")
    assert row["annual_energy_twh"][0] == pytest.approx(110.0 * 1.2 * 8760 * LOAD_FACTOR / 1e6)


def test_inference_share_moves_linearly_to_the_target() -> None:
    history = make_history(
        [(2024, "Europe", "tier_1", "training", 80.0), (2024, "Europe", "tier_1", "inference", 20.0)]
    )
    params = make_params(accelerator_power_cagr=0.0, inference_share_target=0.6, inference_share_target_year=2028)
    out = forecast_scenario(history, empty_pipeline(), params, end_year=2030).filter(~pl.col("is_history"))
    share = (
        out.group_by("year")
        .agg(
            (
                pl.col("facility_power_mw").filter(pl.col("workload") == "inference").sum()
                / pl.col("facility_power_mw").sum()
            ).alias("share")
        )
        .sort("year")
    )
    assert share["share"].to_list() == pytest.approx([0.3, 0.4, 0.5, 0.6, 0.6, 0.6])
    assert out["inference_share"].unique().sort().to_list() == pytest.approx([0.3, 0.4, 0.5, 0.6])


def test_mixed_workload_keeps_its_origin_share() -> None:
    out = forecast_scenario(MIXED, empty_pipeline(), make_params(), end_year=2030).filter(
        pl.col("region") == "North America", pl.col("year") == 2030
    )
    mixed = out.filter(pl.col("workload") == "mixed")["facility_power_mw"].sum()
    assert mixed / out["facility_power_mw"].sum() == pytest.approx(15.0 / 135.0)


def test_tier_shift_moves_known_tiers_and_holds_the_unknown_share() -> None:
    history = make_history(
        [(2024, "Europe", "tier_1", "training", 75.0), (2024, "Europe", "unknown", "training", 25.0)]
    )
    params = make_params(
        accelerator_power_cagr=0.0,
        inference_share_target=0.0,
        tier_shift_strength=1.0,
        tier_shift_target_year=2026,
    )
    out = forecast_scenario(history, empty_pipeline(), params, end_year=2026).filter(
        ~pl.col("is_history"), pl.col("workload") == "training"
    )
    got = {(r["year"], r["market_tier"]): r["it_power_mw"] for r in out.iter_rows(named=True)}
    # Known tiers (75 MW) go from all tier_1 to the target 50/0/50 by 2026, half way in 2025.
    assert got[(2025, "tier_1")] == pytest.approx(75.0 * 0.75)
    assert got[(2025, "tier_3")] == pytest.approx(75.0 * 0.25)
    assert got[(2026, "tier_1")] == pytest.approx(37.5)
    assert got[(2026, "tier_3")] == pytest.approx(37.5)
    assert got[(2026, "tier_2")] == pytest.approx(0.0)
    assert got[(2026, "unknown")] == pytest.approx(25.0)


def test_tiers_and_workloads_sum_exactly_to_the_region_total() -> None:
    params = make_params(tier_shift_strength=1.0, inference_share_target=0.7)
    out = forecast_scenario(MIXED, empty_pipeline(), params, end_year=2030).filter(~pl.col("is_history"))
    sums = out.group_by("year", "region").agg(
        pl.col("facility_power_mw").sum().alias("rows"), pl.col("region_total_facility_mw").first()
    )
    origin = {"North America": 135.0, "Europe": 30.0, "Unknown": 4.0}
    for row in sums.iter_rows(named=True):
        expected = origin[row["region"]] * 1.2 * 1.1 ** (row["year"] - 2024)
        assert row["region_total_facility_mw"] == pytest.approx(expected, rel=1e-12)
        assert row["rows"] == pytest.approx(expected, rel=1e-12)


def test_projection_covers_every_region_tier_and_workload() -> None:
    out = forecast_scenario(MIXED, empty_pipeline(), make_params(), end_year=2026).filter(~pl.col("is_history"))
    assert out.height == 2 * 3 * 4 * 3  # years x regions x tiers x workloads (mixed is in history)
    assert out.select(CONTRACT_COLUMNS).columns == list(CONTRACT_COLUMNS)
    assert out.schema["year"] == pl.Int32 and out.schema["is_history"] == pl.Boolean


def test_history_rows_equal_the_input() -> None:
    out = forecast_scenario(MIXED, empty_pipeline(), make_params(), end_year=2030)
    got = out.filter(pl.col("is_history")).select(MIXED.columns)
    keys = ["year", "region", "market_tier", "workload"]
    assert_frame_equal(got.sort(keys), MIXED.sort(keys))
    assert_frame_equal(
        out.filter(pl.col("is_history")).select((pl.col("annual_energy_twh") * 1e6).alias("e")).sort("e"),
        MIXED.select(pl.col("annual_energy_mwh").alias("e")).sort("e"),
    )


def test_no_negative_mw_even_with_shrinking_demand() -> None:
    params = make_params(accelerator_power_cagr=-0.4, tier_shift_strength=1.0, inference_share_target=1.0)
    out = forecast_scenario(MIXED, make_pipeline([("Europe", 2026, 10.0, "planned")]), params, end_year=2035)
    for column in ("facility_power_mw", "it_power_mw", "annual_energy_twh"):
        assert out[column].min() >= 0.0  # type: ignore[operator]


def test_pipeline_adds_capacity_in_its_expected_year() -> None:
    pipeline = make_pipeline([("Europe", 2026, 60.0, "planned")])
    params = make_params(accelerator_power_cagr=0.0)
    totals = region_totals(forecast_scenario(ONE_REGION, pipeline, params, end_year=2027))
    assert totals[(2025, "Europe")] == pytest.approx(120.0)
    assert totals[(2026, "Europe")] == pytest.approx(150.0)  # + 60 MW x 0.5 realised
    assert totals[(2027, "Europe")] == pytest.approx(150.0)


def test_pipeline_delay_and_undated_spread() -> None:
    pipeline = make_pipeline(
        [("Europe", 2026, 60.0, "under_construction"), ("Europe", None, 40.0, "under_construction")]
    )
    params = make_params(accelerator_power_cagr=0.0, pipeline_delay_years=0.5, pipeline_undated_spread_years=2)
    totals = region_totals(forecast_scenario(ONE_REGION, pipeline, params, end_year=2028))
    # Undated 40 MW: 20 due 2025 and 20 due 2026, each half a year late (split over two years).
    assert totals[(2025, "Europe")] == pytest.approx(120.0 + 10.0)
    assert totals[(2026, "Europe")] == pytest.approx(120.0 + 30.0 + 30.0)
    assert totals[(2027, "Europe")] == pytest.approx(120.0 + 40.0 + 60.0)


def test_pipeline_is_a_floor_not_added_to_the_trend() -> None:
    pipeline = make_pipeline([("Europe", 2025, 10.0, "under_construction")])
    out = forecast_scenario(ONE_REGION, pipeline, make_params(), end_year=2025).filter(~pl.col("is_history"))
    assert out["facility_power_mw"].sum() == pytest.approx(132.0)  # trend 110 IT x 1.2 > 100 x 1.2 + 10
    assert out["total_basis"].unique().to_list() == ["trend"]


def test_pipeline_only_region_gets_capacity_and_default_pue() -> None:
    pipeline = make_pipeline([("Middle East & Africa", 2025, 120.0, "under_construction")])
    out = forecast_scenario(ONE_REGION, pipeline, make_params(), end_year=2025)
    assert region_totals(out)[(2025, "Middle East & Africa")] == pytest.approx(120.0)


def test_overrides_change_the_output_and_are_validated() -> None:
    params = make_params()
    base = forecast_scenario(MIXED, empty_pipeline(), params, end_year=2030)
    faster = forecast_scenario(
        MIXED, empty_pipeline(), params, overrides={"accelerator_power_cagr": 0.3}, end_year=2030
    )
    assert faster.filter(pl.col("year") == 2030)["facility_power_mw"].sum() == pytest.approx(
        base.filter(pl.col("year") == 2030)["facility_power_mw"].sum() * (1.3 / 1.1) ** 6
    )
    shifted = forecast_scenario(
        MIXED,
        empty_pipeline(),
        params,
        end_year=2030,
        overrides={"tier_shift_strength": 1.0, "tier_mix_target": {"training": {"tier_1": 0.0, "tier_3": 1.0}}},
    )
    training_t1 = shifted.filter(
        pl.col("year") == 2030, pl.col("workload") == "training", pl.col("market_tier") == "tier_1"
    )
    assert training_t1["facility_power_mw"].sum() == pytest.approx(0.0)
    with pytest.raises(KeyError):
        resolve_scenario(params, {"no_such_parameter": 1})
    with pytest.raises(ValueError):
        resolve_scenario(params, {"inference_share_target": 1.5})


def test_shipped_scenarios_are_ordered_low_base_high_after_history() -> None:
    pipeline = make_pipeline([("North America", 2026, 500.0, "planned"), ("Europe", None, 80.0, "planned")])
    scenarios = load_scenarios()
    out = run_all_scenarios(MIXED, pipeline, end_year=2035, scenarios=scenarios)
    totals = (
        out.filter(~pl.col("is_history"))
        .group_by("scenario", "year", "region")
        .agg(pl.col("facility_power_mw").sum())
        .pivot(on="scenario", index=["year", "region"], values="facility_power_mw")
    )
    assert totals.filter(pl.col("low") > pl.col("base") + 1e-9).height == 0
    assert totals.filter(pl.col("base") > pl.col("high") + 1e-9).height == 0
    assert totals.filter(pl.col("low") < pl.col("high")).height == totals.height  # and they do differ
    checks = forecast_invariants(out, MIXED)
    assert checks["passed"].all(), checks


def test_invariants_catch_a_tampered_history_row() -> None:
    out = forecast_scenario(MIXED, empty_pipeline(), make_params(), end_year=2026)
    tampered = out.with_columns(
        pl.when(pl.col("is_history") & (pl.col("region") == "Europe"))
        .then(pl.col("facility_power_mw") + 1)
        .otherwise(pl.col("facility_power_mw"))
        .alias("facility_power_mw")
    )
    checks = {r["check"]: r for r in forecast_invariants(tampered, MIXED).iter_rows(named=True)}
    assert checks["history_rows_equal_input"]["violations"] == 2
    assert checks["no_negative_mw"]["passed"]


def test_scenario_file_every_parameter_has_a_source_or_is_an_assumption() -> None:
    scenarios = load_scenarios()
    assert {"low", "base", "high"} <= set(scenarios)
    table = scenario_parameter_table(scenarios)
    assert table.height > 0
    assert table.filter(pl.col("source").is_null() & ~pl.col("assumption").fill_null(False)).height == 0
    assert table.filter(pl.col("note").is_null()).height == 0
    assert all(p.version != "unversioned" for p in scenarios.values())


def test_scenario_file_without_ordering_is_refused(tmp_path: Path) -> None:
    entry = {"assumption": True, "note": "test"}
    common = {
        "pue_ratio_target": {"value": 0.9, **entry},
        "inference_share_target": {"value": 0.5, **entry},
        "tier_mix_target": {"value": {"training": {"tier_1": 1.0, "tier_2": 0.0, "tier_3": 0.0}}, **entry},
        "pipeline_realisation_rate": {"value": {"planned": 0.5, "under_construction": 0.9}, **entry},
        "load_factor": {"value": {"training": 0.8}, **entry},
    }
    document = {
        "version": "t",
        "defaults": common,
        "scenarios": {
            "low": {"accelerator_power_cagr": {"value": 0.3, **entry}},
            "base": {"accelerator_power_cagr": {"value": 0.2, **entry}},
        },
    }
    with pytest.raises(ValueError, match="accelerator_power_cagr"):
        parse_scenarios(document)
    document["scenarios"]["low"]["accelerator_power_cagr"] = {"value": 0.1, "note": "no source"}
    with pytest.raises(ValueError, match="source"):
        parse_scenarios(document)


def test_backtest_errors_on_a_hand_made_history() -> None:
    history = make_history(
        [
            (2020, "Europe", "tier_1", "training", 100.0),
            (2021, "Europe", "tier_1", "training", 120.0),
            (2022, "Europe", "tier_1", "training", 150.0),
        ],
        pue=1.0,
    )
    params = make_params(pue_ratio_target=1.0)
    got = backtest(history, origins=(2020, 2021, 2022), scenario=params, by_region=False, by_workload=False)
    expected = pl.DataFrame(
        {
            "origin_year": [2020, 2020, 2021],
            "target_year": [2021, 2022, 2022],
            "horizon_years": [1, 2, 1],
            "scenario": ["test"] * 3,
            "region": ["All"] * 3,
            "workload": ["all"] * 3,
            "forecast_mw": [110.0, 121.0, 132.0],
            "actual_mw": [120.0, 150.0, 150.0],
            "error_mw": [-10.0, -29.0, -18.0],
            "pct_error": [-10 / 120, -29 / 150, -18 / 150],
            "abs_pct_error": [10 / 120, 29 / 150, 18 / 150],
        },
        schema_overrides={"origin_year": pl.Int32, "target_year": pl.Int32, "horizon_years": pl.Int32},
    )
    assert_frame_equal(got, expected)


def test_backtest_uses_only_history_up_to_the_origin() -> None:
    history = make_history(
        [(2020, "Europe", "tier_1", "training", 100.0), (2021, "Europe", "tier_1", "training", 1000.0)]
    )
    got = backtest(history, origins=(2020,), scenario=make_params(), by_region=False, by_workload=False)
    assert got["forecast_mw"].to_list() == pytest.approx([110.0 * 1.2])
    assert backtest(history, origins=(2021,), scenario=make_params()).height == 0  # nothing after it


def test_score_forecast_levels_and_zero_actuals() -> None:
    forecast = pl.DataFrame(
        {
            "year": [2024, 2024, 2024],
            "region": ["Europe", "Europe", "Asia Pacific"],
            "workload": ["training", "inference", "training"],
            "facility_power_mw": [10.0, 5.0, 3.0],
        }
    )
    actual = pl.DataFrame(
        {
            "year": [2024, 2024],
            "region": ["Europe", "Europe"],
            "workload": ["training", "inference"],
            "facility_power_mw": [8.0, 4.0],
        }
    )
    got = score_forecast(forecast, actual, origin_year=2023, scenario="base")
    assert got.columns == list(BACKTEST_COLUMNS)
    rows = {(r["region"], r["workload"]): r for r in got.iter_rows(named=True)}
    assert rows[("All", "all")]["error_mw"] == pytest.approx(6.0)
    assert rows[("All", "all")]["pct_error"] == pytest.approx(0.5)
    assert rows[("All", "training")]["abs_pct_error"] == pytest.approx(5.0 / 8.0)
    assert rows[("Europe", "all")]["error_mw"] == pytest.approx(3.0)
    assert rows[("Asia Pacific", "all")]["actual_mw"] == 0.0
    assert rows[("Asia Pacific", "all")]["pct_error"] is None


def test_pipeline_from_planned_deployments_and_markets() -> None:
    deployments = pl.DataFrame(
        {
            "deployment_id": ["a", "b", "c", "d", "e"],
            "market_id": ["us-northern-virginia", None, "gb-london", "us-northern-virginia", "gb-london"],
            "status": ["planned", "planned", "operational", "planned", "planned"],
            "workload": ["training", "inference", "training", "mixed", "inference"],
            "first_operational_date": [dt.date(2027, 3, 1), None, dt.date(2023, 1, 1), None, None],
            "facility_power_mw": [1000.0, 50.0, 100.0, None, 20.0],
        }
    )
    markets = pl.DataFrame(
        {
            "market_id": ["us-northern-virginia", "gb-london"],
            "region": ["North America", "Europe"],
            "market_tier": ["tier_1", "tier_1"],
        }
    )
    expected = pl.DataFrame(
        {
            "region": ["North America", "Unknown", "Europe"],
            "market_tier": ["tier_1", "unknown", "tier_1"],
            "workload": ["training", "inference", "inference"],
            "expected_year": [2027, None, None],
            "facility_power_mw": [1000.0, 50.0, 20.0],
            "status": ["planned"] * 3,
            "source": ["deployments"] * 3,
        },
        schema_overrides={"expected_year": pl.Int32},
    )
    assert_frame_equal(pipeline_from_deployments(deployments, markets), expected)


def _deployments(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base = {
        "market_id": "m",
        "workload": "training",
        "status": "planned",
        "first_operational_date": None,
        "planned_year": None,
        "certainty": "Likely",
        "builds_upon": None,
        "superseded_by": None,
        "possible_duplicate": False,
    }
    return pl.DataFrame(
        [base | r for r in rows],
        schema_overrides={
            "first_operational_date": pl.Date,
            "planned_year": pl.Int32,
            "builds_upon": pl.String,
            "superseded_by": pl.String,
        },
    )


MARKETS = pl.DataFrame({"market_id": ["m"], "region": ["Europe"], "market_tier": ["tier_1"]})


def test_pipeline_leaves_out_unlikely_plans_and_possible_duplicates():
    deployments = _deployments(
        [
            {"cluster_name": "a", "facility_power_mw": 100.0},
            {"cluster_name": "b", "facility_power_mw": 50_000.0, "certainty": "Unlikely"},
            {"cluster_name": "c", "facility_power_mw": 70.0, "possible_duplicate": True},
        ]
    )
    assert pipeline_from_deployments(deployments, MARKETS)["facility_power_mw"].to_list() == [100.0]


def test_pipeline_counts_each_phase_once():
    deployments = _deployments(
        [
            {"cluster_name": "live", "status": "operational", "facility_power_mw": 100.0},
            {"cluster_name": "live P2", "facility_power_mw": 150.0, "builds_upon": "live"},  # +50 over live
            {"cluster_name": "P1", "facility_power_mw": 262.0},
            {"cluster_name": "P2", "facility_power_mw": 874.0, "builds_upon": "P1"},  # includes P1: +612
            {"cluster_name": "X", "facility_power_mw": 80.0, "superseded_by": "Y"},
            {"cluster_name": "Y", "facility_power_mw": 200.0},  # linked only by X's superseded_by: +120
        ]
    )
    pipeline = pipeline_from_deployments(deployments, MARKETS)
    assert pipeline["facility_power_mw"].to_list() == [50.0, 262.0, 612.0, 80.0, 120.0]
    assert pipeline["facility_power_mw"].sum() == pytest.approx(150 - 100 + 874 + 200)


def test_pipeline_dates_from_the_planned_note_when_no_date():
    deployments = _deployments(
        [
            {"cluster_name": "a", "facility_power_mw": 10.0, "planned_year": 2027},
            {
                "cluster_name": "b",
                "facility_power_mw": 10.0,
                "planned_year": 2027,
                "first_operational_date": date(2026, 3, 1),
            },
            {"cluster_name": "c", "facility_power_mw": 10.0},
        ]
    )
    assert pipeline_from_deployments(deployments, MARKETS)["expected_year"].to_list() == [2027, 2026, None]


def test_beyond_the_pipelines_last_year_the_floor_grows_at_the_trend_rate() -> None:
    pipeline = make_pipeline([("Europe", 2026, 600.0, "under_construction")])
    totals = region_totals(forecast_scenario(ONE_REGION, pipeline, make_params(), end_year=2028))
    assert totals[(2026, "Europe")] == pytest.approx(720.0)  # 100 IT x 1.2 + 600 MW, above the trend
    assert totals[(2027, "Europe")] == pytest.approx(720.0 * 1.1)  # nothing announced after 2026: trend growth
    assert totals[(2028, "Europe")] == pytest.approx(720.0 * 1.1**2)
