"""Tracked and all-AI side by side: ``marts.fct_ai_demand_coverage``.

dcpulse tracks the AI capacity its sources name (Epoch's frontier campuses and GPU clusters); the world has
more. ``marts.fct_ai_all_ai_estimate`` (dbt) estimates all AI data-centre power from published top-down anchors.
This module sets each scenario's tracked AI total beside it, year by year: the all-AI estimate is never below
what is tracked (where the anchors' end lies below the tracked total, the tracked total is the estimate and
``estimate_raised_to_tracked`` says so), and the tracked share is tracked / all-AI.
low <= base <= high holds in every row (the estimate's ends are ordered and each is raised to the same tracked
total) and across the low, base and high rows of a year (the forecast is ordered in every cell).
"""

from __future__ import annotations

import polars as pl

COVERAGE_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "scenario": pl.String(),
    "is_history": pl.Boolean(),
    "tracked_mw": pl.Float64(),
    "all_ai_low_mw": pl.Float64(),
    "all_ai_base_mw": pl.Float64(),
    "all_ai_high_mw": pl.Float64(),
    "all_ai_mw": pl.Float64(),
    "tracked_share": pl.Float64(),
    "estimate_raised_to_tracked": pl.Boolean(),
    "estimate_is_extrapolated": pl.Boolean(),
    "estimate_source": pl.String(),
}
SCENARIO_END = {"low": "all_ai_low_mw", "base": "all_ai_base_mw", "high": "all_ai_high_mw"}


def demand_coverage(forecast: pl.DataFrame, estimate: pl.DataFrame) -> pl.DataFrame:
    """One row per year of the estimate x scenario low, base and high (``COVERAGE_SCHEMA``)."""
    tracked = (
        forecast.filter(pl.col("is_ai_demand") & pl.col("scenario").is_in(list(SCENARIO_END)))
        .group_by("year", "scenario")
        .agg(pl.col("facility_power_mw").sort().sum().alias("tracked_mw"), pl.col("is_history").all())
    )
    joined = tracked.join(estimate.with_columns(pl.col("year").cast(pl.Int32)), on="year", how="inner")
    raised = {
        col: pl.max_horizontal(pl.col(src), pl.col("tracked_mw")).alias(col)
        for col, src in (("all_ai_low_mw", "low_mw"), ("all_ai_base_mw", "base_mw"), ("all_ai_high_mw", "high_mw"))
    }
    own_end = pl.coalesce(*[pl.when(pl.col("scenario") == s).then(pl.col(c)) for s, c in SCENARIO_END.items()])
    own_anchor = pl.coalesce(
        *[pl.when(pl.col("scenario") == s).then(pl.col(c)) for s, c in (("low", "low_mw"), ("base", "base_mw"))],
        pl.col("high_mw"),
    )
    return (
        joined.with_columns(*raised.values())
        .with_columns(
            own_end.alias("all_ai_mw"), (own_anchor < pl.col("tracked_mw")).alias("estimate_raised_to_tracked")
        )
        .with_columns(
            (pl.col("tracked_mw") / pl.col("all_ai_mw")).alias("tracked_share"),
            pl.col("is_extrapolated").alias("estimate_is_extrapolated"),
            pl.col("source").alias("estimate_source"),
        )
        .select([pl.col(c).cast(t) for c, t in COVERAGE_SCHEMA.items()])
        .sort("year", pl.col("scenario").replace_strict({"low": 0, "base": 1, "high": 2}, return_dtype=pl.Int8))
    )


def coverage_broken_rows(coverage: pl.DataFrame) -> int:
    """Rows where all-AI < tracked, or low <= base <= high fails within the row or across a year's scenarios."""
    tol = 1e-6
    within = coverage.filter(
        (pl.col("all_ai_low_mw") < pl.col("tracked_mw") - tol)
        | (pl.col("all_ai_low_mw") > pl.col("all_ai_base_mw") + tol)
        | (pl.col("all_ai_base_mw") > pl.col("all_ai_high_mw") + tol)
    ).height
    wide = coverage.pivot(on="scenario", index="year", values=["tracked_mw", "all_ai_mw"])
    across = 0
    for value in ("tracked_mw", "all_ai_mw"):
        chain = [f"{value}_{s}" for s in SCENARIO_END if f"{value}_{s}" in wide.columns]
        across += sum(wide.filter(pl.col(a) > pl.col(b) + tol).height for a, b in zip(chain, chain[1:], strict=False))
    return within + across
