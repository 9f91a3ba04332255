"""Build the forecast tables from the marts of the build warehouse (for the Dagster asset ``assets.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from transforms.forecast import backtest, forecast_invariants, load_scenarios, run_all_scenarios
from transforms.forecast.inputs import BASE_VINTAGES_SQL


@dataclass
class ForecastBuild:
    forecast: pl.DataFrame
    backtest: pl.DataFrame
    pipeline: pl.DataFrame
    invariants: pl.DataFrame
    scenarios: list[str]


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("_frame", frame.to_arrow())
    con.execute(f"create or replace table marts.{table} as select * from _frame")
    con.unregister("_frame")


def read_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """History (fct_ai_demand_by_tier), the counted pipeline (fct_ai_pipeline) and the base's vintages."""
    history = con.execute("select * from marts.fct_ai_demand_by_tier").pl()
    pipeline = con.execute("select * from marts.fct_ai_pipeline where counts_in_pipeline").pl()
    vintages = con.execute(BASE_VINTAGES_SQL).pl().rename({"mw": "facility_power_mw"})
    return history, pipeline, vintages


def build_forecast(con: duckdb.DuckDBPyConnection) -> ForecastBuild:
    """Read history and pipeline from marts, write fct_demand_forecast and fct_forecast_backtest, and
    return them with the invariant checks."""
    history, pipeline, vintages = read_inputs(con)
    scenarios = load_scenarios()
    forecast = run_all_scenarios(history, pipeline, scenarios=scenarios, base_vintages=vintages)
    errors = backtest(history, scenarios=scenarios)
    _write(con, "fct_demand_forecast", forecast)
    _write(con, "fct_forecast_backtest", errors)
    return ForecastBuild(forecast, errors, pipeline, forecast_invariants(forecast, history), sorted(scenarios))
