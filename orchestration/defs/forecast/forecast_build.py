"""Build the forecast tables from the marts of the build warehouse (for the Dagster asset ``assets.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from transforms.forecast import backtest, forecast_invariants, load_scenarios, run_all_scenarios
from transforms.forecast.contracts import conform
from transforms.forecast.coverage import coverage_broken_rows, demand_coverage
from transforms.forecast.explain import driver_sensitivity, top_contributors
from transforms.forecast.inputs import ALL_AI_ESTIMATE_SQL, BASE_VINTAGES_SQL, UNIT_SPLIT_SQL


@dataclass
class ForecastInputs:
    history: pl.DataFrame
    pipeline: pl.DataFrame
    vintages: pl.DataFrame
    unit_split: pl.DataFrame


@dataclass
class ForecastBuild:
    forecast: pl.DataFrame
    backtest: pl.DataFrame
    pipeline: pl.DataFrame
    invariants: pl.DataFrame
    scenarios: list[str]
    coverage: pl.DataFrame
    coverage_broken: int
    contributors: pl.DataFrame
    sensitivity: pl.DataFrame


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Write ``marts.<table>`` through its contract (transforms/forecast/contracts.yml)."""
    con.register("_frame", conform(table, frame).to_arrow())
    con.execute(f"create or replace table marts.{table} as select * from _frame")
    con.unregister("_frame")


def read_inputs(con: duckdb.DuckDBPyConnection) -> ForecastInputs:
    """History (fct_ai_demand_by_tier), the counted pipeline (fct_ai_pipeline), the base's vintages by year and
    each unit's split by year (fct_ai_workload_split)."""
    return ForecastInputs(
        history=con.execute("select * from marts.fct_ai_demand_by_tier").pl(),
        pipeline=con.execute("select * from marts.fct_ai_pipeline where counts_in_pipeline").pl(),
        vintages=con.execute(BASE_VINTAGES_SQL).pl().rename({"mw": "facility_power_mw"}),
        unit_split=con.execute(UNIT_SPLIT_SQL).pl(),
    )


def build_forecast(con: duckdb.DuckDBPyConnection) -> ForecastBuild:
    """Read history and pipeline from marts; write fct_demand_forecast, fct_forecast_backtest,
    fct_ai_demand_coverage, fct_forecast_top_contributors and fct_forecast_sensitivity; return them with the
    invariant checks."""
    inputs = read_inputs(con)
    scenarios = load_scenarios()
    forecast = run_all_scenarios(
        inputs.history,
        inputs.pipeline,
        scenarios=scenarios,
        base_vintages=inputs.vintages,
        unit_split=inputs.unit_split,
    )
    errors = backtest(inputs.history, scenarios=scenarios)
    end = int(forecast["year"].max())  # type: ignore[arg-type]
    origin = int(forecast.filter(pl.col("is_history"))["year"].max())  # type: ignore[arg-type]
    totals = dict(
        forecast.filter(pl.col("is_ai_demand") & (pl.col("year") == end))
        .group_by("scenario")
        .agg(pl.col("facility_power_mw").sum())
        .iter_rows()
    )
    coverage = demand_coverage(forecast, con.execute(ALL_AI_ESTIMATE_SQL).pl())
    contributors = top_contributors(inputs.pipeline, scenarios, origin, end, totals)
    sensitivity = driver_sensitivity(
        inputs.history,
        inputs.pipeline,
        scenarios,
        end,
        base_vintages=inputs.vintages,
        unit_split=inputs.unit_split,
    )
    _write(con, "fct_demand_forecast", forecast)
    _write(con, "fct_forecast_backtest", errors)
    _write(con, "fct_ai_demand_coverage", coverage)
    _write(con, "fct_forecast_top_contributors", contributors)
    _write(con, "fct_forecast_sensitivity", sensitivity)
    return ForecastBuild(
        forecast,
        errors,
        inputs.pipeline,
        forecast_invariants(forecast, inputs.history),
        sorted(scenarios),
        coverage,
        coverage_broken_rows(coverage),
        contributors,
        sensitivity,
    )
