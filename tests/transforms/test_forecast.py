"""Unit tests of transforms.forecast on small literal frames, one behaviour per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

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
    pipeline_arrivals,
    resolve_scenario,
    run_all_scenarios,
    scenario_parameter_table,
)
from transforms.forecast.invariants import installed_never_falls_unless_retired, low_le_base_le_high, split_range_holds
from transforms.forecast.pipeline import pipeline_by_year
from transforms.params import param, param_range

PUE_AI = float(param("pue_ai_cluster"))
LF = {w: float(param(f"load_factor_{w}")) for w in ("training", "inference", "hpc")}


def make_params(**changes: Any) -> ScenarioParams:
    """A scenario easy to compute by hand: 10 %/yr, new builds at today's AI PUE, no tier shift."""
    values: dict[str, Any] = {
        "name": "test",
        "accelerator_power_cagr": 0.10,
        "pue_new_build": PUE_AI,
        "tier_mix_target": {
            "training": {"tier_1": 0.5, "tier_2": 0.0, "tier_3": 0.5},
            "inference": {"tier_1": 0.4, "tier_2": 0.4, "tier_3": 0.2},
        },
        "tier_shift_strength": 0.0,
        "pipeline_delay_years": 0.0,
        "pipeline_undated_spread_years": 2,
        "past_due_delay_years": 0.0,
    }
    values.update(changes)
    return ScenarioParams.model_validate(values)


def make_history(rows: list[tuple[int, str, str, str, str, float]], pue: float = PUE_AI) -> pl.DataFrame:
    """Rows of (year, region, tier, kind, workload, it_power_mw) -> a fct_ai_demand_by_tier frame."""
    frame = pl.DataFrame(
        rows,
        schema={
            "year": pl.Int32,
            "region": pl.String,
            "market_tier": pl.String,
            "market_kind": pl.String,
            "workload": pl.String,
            "it_power_mw": pl.Float64,
        },
        orient="row",
    )
    return frame.with_columns((pl.col("it_power_mw") * pue).alias("facility_power_mw")).with_columns(
        (pl.col("facility_power_mw") * 8760 * 0.7).alias("annual_energy_mwh")
    )


def make_pipeline(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """fct_ai_pipeline rows (counted); defaults fill what a row does not say."""
    base = {
        "region": "Europe",
        "market_tier": "tier_3",
        "market_kind": "campus",
        "is_ai_demand": True,
        "training_share": 1.0,
        "training_share_low": None,
        "training_share_high": None,
        "expected_year": 2026,
        "is_past_due": False,
        "pipeline_mw": 100.0,
        "counts_in_pipeline": True,
        # half of every row is built (the factor dbt's fct_ai_pipeline gives each row; here one for all)
        "realisation_factor": 0.5,
        "realisation_factor_low": 0.5,
        "realisation_factor_high": 0.5,
    }
    return pl.DataFrame([{**base, **r} for r in rows], infer_schema_length=None)


def totals(forecast: pl.DataFrame, by: tuple[str, ...] = ("year",), column: str = "facility_power_mw") -> dict:
    frame = forecast.filter(~pl.col("is_history")).group_by(*by).agg(pl.col(column).sum())
    return {tuple(r[:-1]) if len(r) > 2 else r[0]: r[-1] for r in frame.iter_rows()}


ONE_CELL = make_history([(2024, "Europe", "tier_1", "metro", "training", 100.0)])

GRID = make_history(
    [
        (2023, "Europe", "tier_1", "metro", "training", 50.0),
        (2024, "Europe", "tier_1", "metro", "training", 60.0),
        (2024, "Europe", "tier_1", "metro", "inference", 20.0),
        (2024, "Europe", "tier_3", "campus", "training", 0.0),
        (2024, "Europe", "tier_3", "campus", "inference", 0.0),
        (2024, "Europe", "tier_3", "edge", "training", 0.0),
        (2024, "Europe", "tier_3", "edge", "inference", 0.0),
        (2024, "Europe", "tier_2", "metro", "training", 0.0),
        (2024, "Europe", "tier_2", "metro", "inference", 0.0),
        (2024, "Europe", "unknown", "country_rest", "training", 10.0),
        (2024, "Europe", "unknown", "country_rest", "inference", 0.0),
        (2024, "Europe", "tier_1", "metro", "hpc", 30.0),
    ]
)


def test_trend_compounds_at_the_cagr_on_it_power_without_a_pipeline() -> None:
    out = forecast_scenario(ONE_CELL, empty_pipeline(), make_params(), end_year=2027)
    it = totals(out, column="it_power_mw")
    assert it[2025] == pytest.approx(110.0)
    assert it[2027] == pytest.approx(133.1)
    assert set(out.filter(~pl.col("is_history") & pl.col("is_ai_demand"))["total_basis"]) == {"trend"}


def test_the_announced_pipeline_keeps_its_own_cell_year_and_realisation() -> None:
    pipe = make_pipeline([{"expected_year": 2026, "pipeline_mw": 1000.0}])
    out = forecast_scenario(GRID, pipe, make_params(), end_year=2026)
    campus = out.filter(
        (pl.col("year") == 2026) & (pl.col("market_kind") == "campus") & (pl.col("workload") == "training")
    )
    assert campus["pipeline_mw"].item() == pytest.approx(500.0)  # 1,000 MW x 50 % realised, in its own campus cell
    assert out.filter(pl.col("year") == 2025)["pipeline_mw"].sum() == pytest.approx(0.0)


def test_mix_drivers_act_only_on_growth_above_the_floor() -> None:
    # The pipeline lifts the floor far above the trend: no unannounced growth, so the inference-share
    # target and the tier shift leave the training pipeline where it is.
    pipe = make_pipeline([{"expected_year": 2025, "pipeline_mw": 20000.0}])
    out = forecast_scenario(GRID, pipe, make_params(tier_shift_strength=1.0), end_year=2026).filter(
        pl.col("year") == 2025
    )
    assert out["growth_mw"].sum() == pytest.approx(0.0)
    assert out.filter(pl.col("workload") == "inference")["facility_power_mw"].sum() == pytest.approx(20 * PUE_AI)
    assert set(out.filter(pl.col("is_ai_demand"))["total_basis"]) == {"pipeline_floor"}


def test_unannounced_growth_follows_the_market_inference_share_and_carries_its_range() -> None:
    low, central, high = param_range("inference_share_target")
    end = int(param("forecast_end_year"))
    out = forecast_scenario(ONE_CELL, empty_pipeline(), make_params(), end_year=2025)
    # ONE_CELL has no inference at the origin (2024): in 2025 inference's share of growth has gone 1/(end - 2024)
    # of the way to the dbt var's target; the split range takes the target's low and high ends
    step = 1 / (end - 2024)
    projected = out.filter(pl.col("year") == 2025)
    growth = projected["growth_mw"].sum()
    inference = projected.filter(pl.col("workload") == "inference")
    assert growth == pytest.approx(10.0 * PUE_AI)
    assert inference["facility_power_mw"].sum() == pytest.approx(growth * central * step)
    assert inference["split_low_mw"].sum() == pytest.approx(growth * low * step)
    assert inference["split_high_mw"].sum() == pytest.approx(growth * high * step)
    training = projected.filter(pl.col("workload") == "training")
    assert training["split_low_mw"].sum() == pytest.approx(100 * PUE_AI + growth * (1 - high * step))
    # the inference-heavy end of the split moves growth toward inference
    heavy = forecast_scenario(ONE_CELL, empty_pipeline(), make_params(training_share_end="low"), end_year=2025)
    heavy_inference = heavy.filter((pl.col("year") == 2025) & (pl.col("workload") == "inference"))
    assert heavy_inference["facility_power_mw"].sum() == pytest.approx(growth * high * step)


def test_installed_power_never_falls_even_when_the_pipeline_jumps_then_stops() -> None:
    pipe = make_pipeline(
        [
            {"expected_year": 2025, "pipeline_mw": 3000.0, "training_share": 0.5},
            {"expected_year": 2026, "pipeline_mw": 400.0, "market_kind": "edge", "training_share": 0.0},
        ]
    )
    params = make_params(tier_shift_strength=1.0, accelerator_power_cagr=0.6)
    out = forecast_scenario(GRID, pipe, params, end_year=2030)
    assert installed_never_falls_unless_retired(out, GRID) == 0
    by_workload = totals(out.filter(pl.col("is_ai_demand")), ("year", "workload"))
    for w in ("training", "inference"):
        series = [by_workload[(y, w)] for y in range(2025, 2031)]
        assert series == sorted(series)


def test_after_the_pipeline_ends_the_total_grows_at_the_trend_rate() -> None:
    pipe = make_pipeline([{"expected_year": 2025, "pipeline_mw": 5000.0}])
    out = forecast_scenario(ONE_CELL, pipe, make_params(), end_year=2027).filter(pl.col("is_ai_demand"))
    it = totals(out, column="it_power_mw")
    assert it[2026] == pytest.approx(it[2025] * 1.10)
    assert it[2027] == pytest.approx(it[2026] * 1.10)
    assert set(out.filter(pl.col("year") == 2027)["total_basis"]) == {"trend_after_pipeline"}


def arrived(arrivals: pl.DataFrame) -> dict[int, float]:
    return dict(arrivals.group_by("arrival_year").agg(pl.col("mw").sum()).iter_rows())


def test_fractional_delay_splits_a_project_between_two_years() -> None:
    pipe = make_pipeline([{"expected_year": 2026, "pipeline_mw": 100.0}])
    arrivals = pipeline_arrivals(pipe, make_params(pipeline_delay_years=0.25), 2024, 2030)
    assert arrived(arrivals) == pytest.approx({2026: 37.5, 2027: 12.5})


def test_past_due_rows_arrive_in_the_first_projected_year_plus_their_own_delay() -> None:
    pipe = make_pipeline([{"expected_year": 2023, "is_past_due": True, "pipeline_mw": 100.0}])
    on_time = pipeline_arrivals(pipe, make_params(), 2024, 2030)
    late = pipeline_arrivals(pipe, make_params(past_due_delay_years=1.0), 2024, 2030)
    assert arrived(on_time) == pytest.approx({2025: 50.0})
    assert arrived(late) == pytest.approx({2026: 50.0})


def test_undated_rows_spread_evenly_over_the_spread_years() -> None:
    pipe = make_pipeline([{"expected_year": None, "pipeline_mw": 100.0}])
    arrivals = pipeline_arrivals(pipe, make_params(pipeline_undated_spread_years=2), 2024, 2030)
    assert arrived(arrivals) == pytest.approx({2025: 25.0, 2026: 25.0})


def test_training_share_end_picks_the_end_of_the_prior_range() -> None:
    pipe = make_pipeline(
        [{"training_share": 0.5, "training_share_low": 0.2, "training_share_high": 0.9, "pipeline_mw": 100.0}]
    )
    for end, expected in (("central", 25.0), ("low", 10.0), ("high", 45.0)):
        params = make_params(training_share_end=end)
        cells = pipeline_by_year(pipeline_arrivals(pipe, params, 2024, 2030), None, params, [2026])
        training = cells.filter(pl.col("workload") == "training")
        assert training["facility_power_mw"].sum() == pytest.approx(expected), end
        assert training["split_low_mw"].sum() == pytest.approx(10.0)  # the range is the same at every end
        assert training["split_high_mw"].sum() == pytest.approx(45.0)


def test_a_pipeline_row_splits_by_its_unit_s_share_of_each_year() -> None:
    # a training cluster arriving in 2026 trains for its first use, then is repurposed (dbt's workload split)
    pipe = make_pipeline([{"unit_id": "cluster:x", "deployment_id": "x", "pipeline_mw": 200.0}])
    split = pl.DataFrame(
        {
            "unit_id": ["cluster:x"] * 3,
            "year": [2026, 2027, 2028],
            "training_share": [1.0, 1.0, 0.4],
            "training_share_low": [1.0, 0.8, 0.2],
            "training_share_high": [1.0, 1.0, 0.6],
        }
    )
    out = forecast_scenario(GRID, pipe, make_params(accelerator_power_cagr=0.0), end_year=2028, unit_split=split)
    campus = out.filter(pl.col("market_kind") == "campus").pivot(
        on="workload", index="year", values="pipeline_mw", aggregate_function="sum"
    )
    by_year = {r["year"]: r for r in campus.iter_rows(named=True)}
    assert by_year[2027]["training"] == pytest.approx(100.0) and by_year[2027]["inference"] == pytest.approx(0.0)
    assert by_year[2028]["training"] == pytest.approx(40.0) and by_year[2028]["inference"] == pytest.approx(60.0)
    low_2027 = out.filter(
        (pl.col("year") == 2027) & (pl.col("market_kind") == "campus") & (pl.col("workload") == "training")
    )["split_low_mw"]
    assert low_2027.sum() == pytest.approx(80.0)
    assert installed_never_falls_unless_retired(out, GRID) == 0  # the campus's power moved, it did not fall


def test_realisation_end_picks_each_row_s_factor() -> None:
    pipe = make_pipeline(
        [
            {
                "pipeline_mw": 100.0,
                "realisation_factor": 0.6,
                "realisation_factor_low": 0.4,
                "realisation_factor_high": 0.8,
            }
        ]
    )
    for end, expected in (("central", 60.0), ("low", 40.0), ("high", 80.0)):
        assert sum(arrived(pipeline_arrivals(pipe, make_params(realisation_end=end), 2024, 2030)).values()) == (
            pytest.approx(expected)
        )


def test_hpc_is_carried_apart_flat_plus_its_pipeline_and_out_of_the_ai_totals() -> None:
    pipe = make_pipeline([{"is_ai_demand": False, "expected_year": 2026, "pipeline_mw": 40.0}])
    out = forecast_scenario(GRID, pipe, make_params(), end_year=2027).filter(~pl.col("is_history"))
    hpc = totals(out.filter(pl.col("workload") == "hpc"))
    assert hpc[2025] == pytest.approx(30 * PUE_AI)
    assert hpc[2026] == pytest.approx(30 * PUE_AI + 20.0)
    assert not out.filter(pl.col("workload") == "hpc")["is_ai_demand"].any()
    ai = out.filter(pl.col("is_ai_demand") & (pl.col("year") == 2025))
    assert ai["region_total_facility_mw"].max() == pytest.approx(ai["facility_power_mw"].sum())


def test_growth_is_built_at_the_new_build_pue_path_and_the_base_keeps_its_own() -> None:
    history = make_history([(2024, "Europe", "tier_1", "metro", "training", 100.0)], pue=1.5)
    out = forecast_scenario(history, empty_pipeline(), make_params(pue_new_build=1.1), end_year=2030)
    row = out.filter((pl.col("year") == 2030) & pl.col("is_ai_demand"))
    assert row["installed_base_mw"].sum() == pytest.approx(150.0)  # 100 MW IT at its own PUE 1.5
    grown_it = 100.0 * (1.1**6 - 1)
    # new capacity's PUE moves from the AI PUE at the origin to 1.1 by 2030; each year's additions keep theirs
    assert row["growth_mw"].sum() < grown_it * PUE_AI
    assert row["growth_mw"].sum() > grown_it * 1.1


def test_energy_is_the_calendar_year_from_mid_year_capacity() -> None:
    out = forecast_scenario(ONE_CELL, empty_pipeline(), make_params(), end_year=2025)
    rows = {r["workload"]: r for r in out.filter(pl.col("year") == 2025).iter_rows(named=True)}
    training, inference = rows["training"]["facility_power_mw"], rows["inference"]["facility_power_mw"]
    assert training + inference == pytest.approx(110.0 * PUE_AI)
    assert rows["training"]["annual_energy_mwh"] == pytest.approx(
        (100.0 * PUE_AI + training) / 2 * 8760 * LF["training"]
    )
    assert rows["inference"]["annual_energy_mwh"] == pytest.approx((0.0 + inference) / 2 * 8760 * LF["inference"])


def test_retirement_removes_capacity_at_end_of_life_and_says_so() -> None:
    vintages = pl.DataFrame(
        {
            "year": [2025, 2025, 2026, 2026],
            "region": ["Europe"] * 4,
            "market_tier": ["tier_1"] * 4,
            "market_kind": ["metro"] * 4,
            "workload": ["training"] * 4,
            "vintage": [2020, 2024, 2020, 2024],
            "facility_power_mw": [40.0, 80.0, 40.0, 80.0],
            "split_low_mw": [40.0, 80.0, 40.0, 80.0],
            "split_high_mw": [40.0, 80.0, 40.0, 80.0],
        }
    )
    out = forecast_scenario(
        ONE_CELL,
        empty_pipeline(),
        make_params(hardware_life_years=6, accelerator_power_cagr=0.0),
        end_year=2026,
        base_vintages=vintages,
    )
    row = out.filter(pl.col("year") == 2026)
    # the origin's 120 MW (facility) are 1/3 vintage 2020: retired in 2026
    assert row["retired_mw"].sum() == pytest.approx(40.0)
    assert row["installed_base_mw"].sum() == pytest.approx(80.0)
    assert installed_never_falls_unless_retired(out, ONE_CELL) == 0


def test_a_falling_place_without_retirement_is_caught() -> None:
    out = forecast_scenario(ONE_CELL, empty_pipeline(), make_params(), end_year=2026)
    broken = out.with_columns(
        pl.when(pl.col("year") == 2026).then(1.0).otherwise(pl.col("installed_base_mw")).alias("installed_base_mw")
    )
    assert installed_never_falls_unless_retired(broken, ONE_CELL) == 1


def test_shipped_scenarios_are_ordered_and_hold_every_invariant() -> None:
    pipe = make_pipeline(
        [
            {"expected_year": 2026, "pipeline_mw": 300.0, "training_share": 0.6},
            {"expected_year": None, "pipeline_mw": 200.0, "market_kind": "edge", "training_share": 0.2},
            {"expected_year": 2024, "is_past_due": True, "pipeline_mw": 50.0},
        ]
    )
    scenarios = load_scenarios()
    out = run_all_scenarios(GRID, pipe, end_year=2030, scenarios=scenarios)
    checks = forecast_invariants(out, GRID)
    assert checks["passed"].all(), checks.filter(~pl.col("passed")).to_dicts()
    assert low_le_base_le_high(out, GRID) == 0
    assert split_range_holds(out, GRID) == 0
    assert set(out["scenario"]) == set(scenarios)
    assert set(CONTRACT_COLUMNS) <= set(out.columns)


def test_an_unordered_scenario_file_is_refused() -> None:
    document = yaml_document()
    document["scenarios"]["low"]["accelerator_power_cagr"]["value"] = 0.5  # above base
    with pytest.raises(ValueError, match="low <= base"):
        parse_scenarios(document)


def test_every_scenario_parameter_has_a_source_or_is_an_assumption() -> None:
    table = scenario_parameter_table(load_scenarios())
    assert table.height > 0
    assert table.filter(pl.col("source").is_null() & ~pl.col("assumption")).height == 0


def test_overrides_merge_and_are_validated() -> None:
    params = resolve_scenario("base", {"tier_mix_target": {"inference": {"tier_1": 0.2, "tier_2": 0.3, "tier_3": 0.5}}})
    assert params.tier_mix_target["inference"].tier_3 == 0.5
    assert params.tier_mix_target["training"] == load_scenarios()["base"].tier_mix_target["training"]
    with pytest.raises(KeyError):
        resolve_scenario("base", {"no_such_driver": 1})
    with pytest.raises(ValueError):
        resolve_scenario("base", {"realisation_end": "everything"})


def test_backtest_scores_each_origin_against_later_history() -> None:
    history = make_history(
        [(y, "Europe", "tier_1", "metro", "training", 10.0 * 2 ** (y - 2020)) for y in range(2020, 2025)]
    )
    scored = backtest(history, origins=[2021, 2023, 2024], scenario=make_params())
    assert list(scored.columns) == list(BACKTEST_COLUMNS)
    assert set(scored["origin_year"]) == {2021, 2023}  # 2024 has no later history
    one = scored.filter((pl.col("origin_year") == 2023) & (pl.col("region") == "All") & (pl.col("workload") == "all"))
    actual = 80.0 * PUE_AI * 2
    assert one["actual_mw"].item() == pytest.approx(actual)
    assert one["forecast_mw"].item() == pytest.approx(80.0 * PUE_AI * 1.1)
    assert one["pct_error"].item() == pytest.approx(1.1 / 2 - 1)


def test_backtest_origins_default_to_the_model_parameter() -> None:
    history = make_history(
        [(y, "Europe", "tier_1", "metro", "training", 10.0 * 2 ** (y - 2018)) for y in range(2018, 2026)]
    )
    scored = backtest(history, scenario=make_params())
    assert sorted(set(scored["origin_year"])) == sorted(int(y) for y in param("backtest_origin_years"))


def yaml_document() -> dict[str, Any]:
    import yaml

    path = Path(__file__).resolve().parents[2] / "transforms" / "forecast" / "scenarios.yml"
    return yaml.safe_load(path.read_text())


def test_the_same_input_in_any_row_order_gives_the_same_forecast_to_the_last_bit() -> None:
    pipe = make_pipeline(
        [
            {"expected_year": 2026, "pipeline_mw": 300.3, "training_share": 0.61},
            {"expected_year": None, "pipeline_mw": 200.7, "market_kind": "edge", "training_share": 0.23},
            {"expected_year": 2027, "pipeline_mw": 50.1, "market_tier": "tier_1", "market_kind": "metro"},
        ]
    )
    first = forecast_scenario(GRID, pipe, "base", end_year=2030)
    again = forecast_scenario(
        GRID.sample(fraction=1.0, shuffle=True, seed=7),
        pipe.sample(fraction=1.0, shuffle=True, seed=3),
        "base",
        end_year=2030,
    )
    assert first.equals(again)
