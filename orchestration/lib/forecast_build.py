"""Build the forecast tables from the marts of the build warehouse (used by the Dagster asset and the bench)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from transforms.forecast import (
    backtest,
    forecast_invariants,
    load_scenarios,
    pipeline_from_deployments,
    run_all_scenarios,
)

END_YEAR = 2030
BACKTEST_ORIGINS = (2020, 2021, 2022, 2023)


@dataclass
class ForecastBuild:
    forecast: pl.DataFrame
    backtest: pl.DataFrame
    published: pl.DataFrame
    pipeline: pl.DataFrame
    invariants: pl.DataFrame
    scenarios: list[str]


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("_frame", frame.to_arrow())
    con.execute(f"create or replace table marts.{table} as select * from _frame")
    con.unregister("_frame")


def build_forecast(con: duckdb.DuckDBPyConnection) -> ForecastBuild:
    """Read history and pipeline from marts, write fct_demand_forecast, fct_forecast_backtest and
    ref_published_projections, and return them with the invariant checks."""
    history = con.execute("select * from marts.fct_ai_demand_by_tier").pl()
    deployments = con.execute("select * from marts.fct_ai_deployments").pl()
    markets = con.execute("select * from marts.dim_markets").pl()
    published = con.execute(
        "select * exclude (_source_file, _source_sha256, _source_row, _loaded_at) "
        "from raw.ref_published_projections order by publisher, geography, metric, year"
    ).pl()
    scenarios = load_scenarios()
    pipeline = pipeline_from_deployments(deployments, markets)
    forecast = run_all_scenarios(history, pipeline, end_year=END_YEAR, scenarios=scenarios)
    errors = backtest(history, origins=BACKTEST_ORIGINS, scenarios=scenarios)
    _write(con, "fct_demand_forecast", forecast)
    _write(con, "fct_forecast_backtest", errors)
    _write(con, "ref_published_projections", published)
    return ForecastBuild(
        forecast, errors, published, pipeline, forecast_invariants(forecast, history), sorted(scenarios)
    )
