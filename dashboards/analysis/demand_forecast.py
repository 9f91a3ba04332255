"""AI demand in fct_demand_forecast, shared by the Overview and the Scenario builder: totals per scenario,
the driver that binds each projected year, and the coverage caption every growth figure carries."""

from __future__ import annotations

import polars as pl


def forecast_totals(forecast: pl.DataFrame, measure: str = "facility_power_mw", ai_only: bool = True) -> pl.DataFrame:
    """One row per (year, scenario) with the measure summed over AI demand (hpc left out unless
    ``ai_only`` is false); history kept once per year, as scenario ``history``."""
    rows = forecast.filter(pl.col("is_ai_demand")) if ai_only else forecast
    by = rows.group_by("year", "scenario", "is_history").agg(pl.col(measure).sum().alias("value"))
    history = (
        by.filter(pl.col("is_history"))
        .group_by("year")
        .agg(pl.col("value").max())
        .with_columns(scenario=pl.lit("history"), is_history=pl.lit(True))
    )
    future = by.filter(~pl.col("is_history"))
    return pl.concat([history.select(future.columns), future]).sort("scenario", "year")


def scenario_total(
    forecast: pl.DataFrame, year: int, scenario: str, measure: str = "facility_power_mw", workload: str | None = None
) -> float:
    """AI demand (or one workload, hpc included when asked by name) of a scenario in a year."""
    rows = forecast.filter((pl.col("year") == year) & (pl.col("scenario") == scenario))
    rows = rows.filter(pl.col("workload") == workload) if workload else rows.filter(pl.col("is_ai_demand"))
    return float(rows[measure].sum())


def binding_drivers(forecast: pl.DataFrame, scenario: str | None = None) -> pl.DataFrame:
    """Which driver sets each projected region-year total (AI rows' ``total_basis``): the announced
    pipeline (pipeline_floor), the growth trend (trend), or the trend carried on after the pipeline's
    last year (trend_after_pipeline). One row per year x total_basis with the regions."""
    rows = forecast.filter(~pl.col("is_history") & pl.col("is_ai_demand"))
    if scenario is not None:
        rows = rows.filter(pl.col("scenario") == scenario)
    per_region = rows.group_by("year", "region", "total_basis").agg(
        pl.col("facility_power_mw").sum().alias("region_mw")
    )
    return (
        per_region.filter(pl.col("region_mw") > 0)
        .group_by("year", "total_basis")
        .agg(
            pl.len().alias("regions"),
            pl.col("region").sort().str.join(", ").alias("region_names"),
            pl.col("region_mw").sum().alias("facility_power_mw"),
        )
        .sort("year", "total_basis")
    )


def coverage_note(projections: pl.DataFrame) -> str:
    """The caption every growth figure carries: Epoch AI's dataset is a subset of all AI compute."""
    rows = projections.filter(pl.col("metric") == "dataset_coverage")
    share = (
        f"about {rows['value'].min():g}-{rows['value'].max():g}%"
        if rows.height
        else "a minority (share not in ref_published_projections)"
    )
    return (
        f"Epoch AI's dataset tracks {share} of all AI compute (Epoch AI, 'AI supercomputers' data insights, "
        "March 2025), so growth of tracked power is not growth of all AI power: the history and forecast here "
        "cover the tracked deployments only."
    )
