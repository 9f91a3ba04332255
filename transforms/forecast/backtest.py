"""Backtest: the model run from earlier origins on the history known then, scored against later history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from transforms.forecast.pipeline import empty_pipeline
from transforms.forecast.projection import _prepare_history, _safe_div, forecast_scenario
from transforms.forecast.scenarios import BACKTEST_COLUMNS, ScenarioParams, resolve_scenario
from transforms.params import param
from transforms.vocabulary import AI_WORKLOADS


def _levels(frame: pl.DataFrame, value: str, by_region: bool, by_workload: bool) -> pl.DataFrame:
    # each group's values are sorted before they are added: the same input sums to the same bits
    parts = [
        frame.group_by("year")
        .agg(pl.col(value).sort().sum())
        .with_columns(region=pl.lit("All"), workload=pl.lit("all"))
    ]
    if by_workload:
        parts.append(
            frame.group_by("year", "workload").agg(pl.col(value).sort().sum()).with_columns(region=pl.lit("All"))
        )
    if by_region:
        parts.append(
            frame.group_by("year", "region").agg(pl.col(value).sort().sum()).with_columns(workload=pl.lit("all"))
        )
    return pl.concat([p.select("year", "region", "workload", value) for p in parts])


def score_forecast(
    forecast: pl.DataFrame,
    actual: pl.DataFrame,
    origin_year: int,
    scenario: str,
    by_region: bool = True,
    by_workload: bool = True,
) -> pl.DataFrame:
    """Compare projected with actual facility MW for each year after ``origin_year``.

    Both frames have year, region, workload, facility_power_mw (any finer grain is summed).
    error = forecast - actual; pct_error = error / actual (null when actual is 0).
    """
    keys = ["year", "region", "workload"]
    fc = _levels(
        forecast.filter(pl.col("year") > origin_year).select(
            pl.col("year").cast(pl.Int32), "region", "workload", pl.col("facility_power_mw").alias("forecast_mw")
        ),
        "forecast_mw",
        by_region,
        by_workload,
    )
    ac = _levels(
        actual.filter(pl.col("year") > origin_year).select(
            pl.col("year").cast(pl.Int32), "region", "workload", pl.col("facility_power_mw").alias("actual_mw")
        ),
        "actual_mw",
        by_region,
        by_workload,
    )
    last_actual = ac["year"].max()
    return (
        fc.filter(pl.col("year") <= last_actual)
        .join(ac, on=keys, how="full", coalesce=True)
        .with_columns(pl.col("forecast_mw").fill_null(0.0), pl.col("actual_mw").fill_null(0.0))
        .select(
            pl.lit(origin_year, pl.Int32).alias("origin_year"),
            pl.col("year").alias("target_year"),
            (pl.col("year") - origin_year).cast(pl.Int32).alias("horizon_years"),
            pl.lit(scenario).alias("scenario"),
            "region",
            "workload",
            "forecast_mw",
            "actual_mw",
            (pl.col("forecast_mw") - pl.col("actual_mw")).alias("error_mw"),
        )
        .with_columns(_safe_div(pl.col("error_mw"), pl.col("actual_mw")).alias("pct_error"))
        .with_columns(pl.col("pct_error").abs().alias("abs_pct_error"))
        .sort("target_year", "region", "workload")
    )


def backtest(
    history: pl.DataFrame,
    origins: Iterable[int] | None = None,
    scenario: str | ScenarioParams = "base",
    overrides: dict[str, Any] | None = None,
    scenarios: Mapping[str, ScenarioParams] | None = None,
    by_region: bool = True,
    by_workload: bool = True,
) -> pl.DataFrame:
    """Run the model from each origin on history up to it and score it against later history.

    No pipeline is used: we hold no snapshot of what was announced at each origin, and the
    deployments that later came online would leak the answer. So the backtest measures the trend
    driver (growth, PUE, shares), not the pipeline floor. Only AI demand is scored (hpc apart).
    Origins default to the model parameter ``backtest_origin_years``; those with no later history
    are skipped.
    """
    params = resolve_scenario(scenario, overrides, scenarios)
    origins = origins if origins is not None else [int(y) for y in param("backtest_origin_years")]
    hist = _prepare_history(history).filter(pl.col("workload").is_in(list(AI_WORKLOADS)))
    last = int(hist["year"].max())  # type: ignore[arg-type]
    frames = []
    for origin in origins:
        known = hist.filter(pl.col("year") <= origin)
        if known.height == 0 or origin >= last:
            continue
        fc = forecast_scenario(known, empty_pipeline(), params, end_year=last).filter(pl.col("is_ai_demand"))
        frames.append(score_forecast(fc, hist, origin, params.name, by_region, by_workload))
    if not frames:
        return pl.DataFrame(schema={c: _BACKTEST_TYPES[c] for c in BACKTEST_COLUMNS})
    return pl.concat(frames).select(BACKTEST_COLUMNS)


_BACKTEST_TYPES: dict[str, pl.DataType] = {
    "origin_year": pl.Int32(),
    "target_year": pl.Int32(),
    "horizon_years": pl.Int32(),
    "scenario": pl.String(),
    "region": pl.String(),
    "workload": pl.String(),
    "forecast_mw": pl.Float64(),
    "actual_mw": pl.Float64(),
    "error_mw": pl.Float64(),
    "pct_error": pl.Float64(),
    "abs_pct_error": pl.Float64(),
}
