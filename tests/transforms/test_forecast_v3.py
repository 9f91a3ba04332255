"""Forecast v3 on small literal frames: every cell ordered, tracked beside all AI, top contributors, the drivers'
tornado."""

from __future__ import annotations

import polars as pl
import pytest

from tests.transforms.test_forecast import GRID, make_params, make_pipeline
from transforms.forecast import load_scenarios, run_all_scenarios
from transforms.forecast.coverage import coverage_broken_rows, demand_coverage
from transforms.forecast.explain import driver_sensitivity, top_contributors
from transforms.forecast.invariants import low_le_base_le_high
from transforms.forecast.projection import finish, order_cells, project_scenario


def _three(pipe: pl.DataFrame) -> dict:
    return {
        "low": make_params(name="low", pipeline_delay_years=1.0, realisation_end="low"),
        "base": make_params(name="base"),
        "high": make_params(name="high", realisation_end="high"),
    }


def test_a_cell_of_low_above_base_is_brought_to_base_and_says_so() -> None:
    # low's one-year delay puts a project in another year than base's; make low's cell exceed base's on purpose:
    # low arrives in an edge cell base never fills because base's row is in a campus
    pipe = make_pipeline(
        [
            {"deployment_id": "a", "expected_year": 2026, "pipeline_mw": 100.0, "market_kind": "edge"},
            {"deployment_id": "b", "expected_year": 2026, "pipeline_mw": 100.0, "market_kind": "campus"},
        ]
    )
    params = _three(pipe)
    projections = {n: project_scenario(GRID, pipe, p, 2030) for n, p in params.items()}
    # a crafted break: low's growth is moved into a cell where base has less
    raw = pl.concat([finish(p) for p in projections.values()])
    order_cells(projections)
    ordered = pl.concat([finish(p) for p in projections.values()])
    assert low_le_base_le_high(ordered, GRID) == 0
    broke = low_le_base_le_high(raw, GRID)
    adjusted = ordered.filter(pl.col("ordering_adjustment_mw").abs() > 0)
    # each adjustment is what was missing or too much: the invariant held before exactly where none was needed
    assert (broke == 0) == (adjusted.height == 0)
    components = (
        pl.col("installed_base_mw") + pl.col("pipeline_mw") + pl.col("growth_mw") + pl.col("ordering_adjustment_mw")
    )
    assert ordered.filter((components - pl.col("facility_power_mw")).abs() > 1e-6).height == 0


def test_ordering_holds_in_every_cell_with_the_shipped_scenarios() -> None:
    pipe = make_pipeline(
        [
            {"deployment_id": "a", "expected_year": 2026, "pipeline_mw": 300.0, "training_share": 0.6},
            {"deployment_id": "b", "expected_year": None, "pipeline_mw": 200.0, "market_kind": "edge"},
            {"deployment_id": "c", "expected_year": 2024, "is_past_due": True, "pipeline_mw": 50.0},
        ]
    )
    out = run_all_scenarios(GRID, pipe, end_year=2030, scenarios=load_scenarios())
    assert low_le_base_le_high(out, GRID) == 0


def _forecast_totals(values: dict[tuple[int, str], float]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"year": y, "scenario": s, "is_ai_demand": True, "is_history": y <= 2025, "facility_power_mw": mw}
            for (y, s), mw in values.items()
        ]
    )


def test_all_ai_is_never_below_tracked_and_says_where_it_was_raised() -> None:
    forecast = _forecast_totals(
        {(2025, s): 100.0 for s in ("low", "base", "high")}
        | {(2030, "low"): 300.0, (2030, "base"): 500.0}
        | {(2030, "high"): 900.0}
    )
    estimate = pl.DataFrame(
        {
            "year": [2025, 2030],
            "low_mw": [80.0, 400.0],
            "base_mw": [150.0, 600.0],
            "high_mw": [300.0, 1000.0],
            "is_extrapolated": [False, True],
            "source": ["x", "x"],
        }
    )
    coverage = demand_coverage(forecast, estimate)
    row = {(r["year"], r["scenario"]): r for r in coverage.iter_rows(named=True)}
    assert row[(2025, "low")]["all_ai_mw"] == pytest.approx(100.0)  # the anchor's low end (80) is below tracked
    assert row[(2025, "low")]["estimate_raised_to_tracked"]
    assert row[(2025, "base")]["tracked_share"] == pytest.approx(100 / 150)
    assert row[(2030, "high")]["all_ai_mw"] == pytest.approx(1000.0)
    assert coverage_broken_rows(coverage) == 0
    broken = coverage.with_columns(
        pl.when(pl.col("scenario") == "high").then(1.0).otherwise(pl.col("all_ai_high_mw")).alias("all_ai_high_mw")
    )
    assert coverage_broken_rows(broken) > 0


def test_top_contributors_rank_projects_and_count_a_campus_build_out_once() -> None:
    pipe = make_pipeline(
        [
            {
                "deployment_id": "c1",
                "unit_id": "epoch-big",
                "cluster_name": "Big (timeline 2026-01-01)",
                "expected_year": 2026,
                "pipeline_mw": 400.0,
                "owner": "A",
            },
            {
                "deployment_id": "c2",
                "unit_id": "epoch-big",
                "cluster_name": "Big (timeline 2027-01-01)",
                "expected_year": 2027,
                "pipeline_mw": 400.0,
                "owner": "A",
            },
            {
                "deployment_id": "h",
                "unit_id": "cluster:h",
                "cluster_name": "Ownerless",
                "expected_year": None,
                "pipeline_mw": 1000.0,
                "owner": None,
                "realisation_factor": 0.1,
                "realisation_factor_low": 0.1,
                "realisation_factor_high": 0.1,
            },
        ]
    )
    params = {"base": make_params(name="base")}
    top = top_contributors(pipe, params, 2025, 2030, {"base": 1000.0})
    first = top.row(0, named=True)
    assert first["cluster_name"] == "Big" and first["realised_mw"] == pytest.approx(400.0)  # (400 + 400) x 0.5
    assert first["announced_mw"] == pytest.approx(800.0) and first["share_of_total"] == pytest.approx(0.4)
    second = top.row(1, named=True)
    assert second["deployment_id"] == "h" and second["realised_mw"] == pytest.approx(100.0)


def test_driver_sensitivity_moves_one_driver_at_a_time_and_ranks_by_swing() -> None:
    pipe = make_pipeline(
        [
            {
                "deployment_id": "a",
                "expected_year": 2026,
                "pipeline_mw": 5000.0,
                "realisation_factor_low": 0.2,
                "realisation_factor_high": 0.9,
            }
        ]
    )
    scenarios = load_scenarios()
    # no trend growth on top of base: a realised megawatt is a megawatt of the total
    table = driver_sensitivity(GRID, pipe, scenarios, 2030, overrides={"accelerator_power_cagr": 0.0})
    assert table["rank"].to_list() == list(range(1, table.height + 1))
    assert table["swing_mw"].to_list() == sorted(table["swing_mw"].to_list(), reverse=True)
    realisation = table.filter(pl.col("parameter") == "realisation_end").row(0, named=True)
    assert realisation["mw_at_high_value"] - realisation["mw_at_low_value"] == pytest.approx(5000.0 * (0.9 - 0.2))
