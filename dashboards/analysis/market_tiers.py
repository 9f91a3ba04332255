"""Market tiers: facility MW by tier x market kind over time (history then forecast)."""

from __future__ import annotations

import polars as pl

from dashboards.analysis.common import KIND_ORDER, TIER_ORDER


def latest_history_year(forecast: pl.DataFrame) -> int | None:
    years = forecast.filter(pl.col("is_history"))["year"]
    return None if years.is_empty() else int(years.max())  # type: ignore[arg-type]


def tier_kind_over_time(forecast: pl.DataFrame, scenario: str, regions: list[str]) -> pl.DataFrame:
    """Facility MW by year x workload x tier x kind for one scenario (history then forecast), with a
    ``tier_kind`` label for the charts; hpc rows kept (pages show them apart)."""
    rows = forecast.filter((pl.col("scenario") == scenario) & pl.col("region").is_in(regions))
    return (
        rows.group_by("year", "is_history", "workload", "market_tier", "market_kind")
        .agg(pl.col("facility_power_mw").sum(), pl.col("annual_energy_twh").sum())
        .with_columns(tier_kind=pl.format("{} · {}", pl.col("market_tier"), pl.col("market_kind")))
        .sort("year", "workload", "market_tier", "market_kind")
    )


def non_zero_series(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the tier x kind series that are zero in every year (the marts' grids are zero-filled)."""
    keep = frame.group_by("tier_kind").agg(pl.col("facility_power_mw").abs().sum().alias("_mw"))
    return frame.join(keep.filter(pl.col("_mw") > 0).select("tier_kind"), on="tier_kind", how="semi")


def tier_kind_order(frame: pl.DataFrame) -> list[str]:
    present = set(frame["tier_kind"].to_list())
    return [f"{t} · {k}" for t in TIER_ORDER for k in KIND_ORDER if f"{t} · {k}" in present] + sorted(
        present - {f"{t} · {k}" for t in TIER_ORDER for k in KIND_ORDER}
    )


def split_range_by_tier(forecast: pl.DataFrame, scenario: str, regions: list[str], years: list[int]) -> pl.DataFrame:
    """Training and inference MW by tier in the given years with the split's range (split_low_mw, split_high_mw:
    every prior-based share at its low or high end), one scenario, AI rows only."""
    rows = forecast.filter(
        (pl.col("scenario") == scenario)
        & pl.col("region").is_in(regions)
        & pl.col("year").is_in(years)
        & pl.col("workload").is_in(["training", "inference"])
    )
    return (
        rows.group_by("year", "market_tier", "workload")
        .agg(
            pl.col("facility_power_mw").sum().round(0).alias("mw"),
            pl.col("split_low_mw").sum().round(0).alias("split_low_mw"),
            pl.col("split_high_mw").sum().round(0).alias("split_high_mw"),
        )
        .with_columns(
            pl.col("market_tier")
            .replace_strict({t: i for i, t in enumerate(TIER_ORDER)}, default=len(TIER_ORDER), return_dtype=pl.Int32)
            .alias("_order")
        )
        .sort("year", "_order", "workload")
        .drop("_order")
    )
