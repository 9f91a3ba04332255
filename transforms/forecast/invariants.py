"""Invariants of a finished forecast, one function each; each becomes a blocking Dagster asset check.

Every function takes the forecast (and, where it needs it, the history it was built from) and
returns the number of violating rows or cells: 0 means the invariant holds.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from transforms.forecast.projection import _prepare_history
from transforms.forecast.scenarios import WORKLOADS

TOLERANCE_MW = 1e-6
KEYS = ["year", "region", "market_tier", "market_kind", "workload"]


def no_negative_mw(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """No negative facility or IT MW, and no negative energy, anywhere."""
    return forecast.filter(
        (pl.col("facility_power_mw") < 0) | (pl.col("annual_energy_twh") < 0) | (pl.col("it_power_mw") < 0)
    ).height


def history_rows_equal_input(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """Each scenario's history rows equal marts.fct_ai_demand_by_tier's complete years, row for row (a last,
    partial year is the projection's installed base, not a history row)."""
    values = ["facility_power_mw", "it_power_mw", "annual_energy_mwh"]
    prepared = _prepare_history(history)
    if "is_year_end" in prepared.columns:
        prepared = prepared.filter(pl.col("is_year_end"))
    expected = prepared.select(*KEYS, *values)
    hist_rows = forecast.filter(pl.col("is_history")).select("scenario", *KEYS, *values)
    mismatched = 0
    for name in hist_rows["scenario"].unique().to_list():
        got = hist_rows.filter(pl.col("scenario") == name).drop("scenario")
        joined = expected.join(got, on=KEYS, how="full", suffix="_fc", nulls_equal=True)
        mismatched += joined.filter(
            pl.any_horizontal(
                *[
                    ~((pl.col(v) - pl.col(f"{v}_fc")).abs() <= TOLERANCE_MW).fill_null(
                        pl.col(v).is_null() & pl.col(f"{v}_fc").is_null()
                    )
                    for v in values
                ]
            )
        ).height
    return mismatched


def components_add_up(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """Every projected row's MW = its installed base + realised pipeline + unannounced growth."""
    projected = forecast.filter(~pl.col("is_history"))
    return projected.filter(
        (pl.col("installed_base_mw") + pl.col("pipeline_mw") + pl.col("growth_mw") - pl.col("facility_power_mw")).abs()
        > TOLERANCE_MW + 1e-9 * pl.col("facility_power_mw").abs()
    ).height


def ai_rows_sum_to_region_total(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """In every projected scenario-year-region, the AI rows (training, inference) add up to the region total."""
    sums = (
        forecast.filter(~pl.col("is_history") & pl.col("is_ai_demand"))
        .group_by("scenario", "year", "region")
        .agg(pl.col("facility_power_mw").sum(), pl.col("region_total_facility_mw").first())
    )
    return sums.filter(
        (pl.col("facility_power_mw") - pl.col("region_total_facility_mw")).abs()
        > TOLERANCE_MW + 1e-9 * pl.col("region_total_facility_mw").abs()
    ).height


def installed_never_falls_unless_retired(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """Installed MW of a workload never falls from one year to the next (origin year included) in any
    scenario, region, tier and kind, unless retired_mw grew by at least the drop."""
    frame = (
        forecast.filter((~pl.col("is_history")) | (pl.col("year") == pl.col("year").filter(pl.col("is_history")).max()))
        .sort("scenario", *KEYS)
        .with_columns(
            (pl.col("facility_power_mw") - pl.col("facility_power_mw").shift(1).over("scenario", *KEYS[1:])).alias(
                "change"
            ),
            (pl.col("retired_mw") - pl.col("retired_mw").shift(1).over("scenario", *KEYS[1:])).alias("retired_change"),
        )
    )
    return frame.filter(pl.col("change") < -(pl.col("retired_change").fill_null(0.0)) - TOLERANCE_MW).height


def low_le_base_le_high(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """low <= base <= high for every projected region-year AI total."""
    totals = (
        forecast.filter(~pl.col("is_history") & pl.col("is_ai_demand"))
        .group_by("scenario", "year", "region")
        .agg(pl.col("facility_power_mw").sum())
    )
    wide = totals.pivot(on="scenario", index=["year", "region"], values="facility_power_mw")
    chain = [s for s in ("low", "base", "high") if s in wide.columns]
    return sum(
        wide.filter(pl.col(lower) > pl.col(upper) + TOLERANCE_MW).height
        for lower, upper in zip(chain, chain[1:], strict=False)
    )


def full_grid_of_projected_rows(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """Every scenario, year, region, (tier, kind) pair of the history and workload has a projected row."""
    projected = forecast.filter(~pl.col("is_history"))
    if projected.height == 0:
        return 0
    pairs = _prepare_history(history).select("market_tier", "market_kind").unique()
    grid = (
        projected.select("scenario")
        .unique()
        .join(projected.select("year").unique(), how="cross")
        .join(pairs, how="cross")
        .join(pl.DataFrame({"workload": list(WORKLOADS)}), how="cross")
        .join(projected.select("region").unique(), how="cross")
    )
    return grid.join(projected, on=["scenario", *KEYS], how="anti").height


INVARIANTS: dict[str, Callable[[pl.DataFrame, pl.DataFrame], int]] = {
    f.__name__: f
    for f in (
        no_negative_mw,
        history_rows_equal_input,
        components_add_up,
        ai_rows_sum_to_region_total,
        installed_never_falls_unless_retired,
        low_le_base_le_high,
        full_grid_of_projected_rows,
    )
}


def forecast_invariants(forecast: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """One row per invariant: check, passed, violations, detail (the function's docstring)."""
    rows = [
        {"check": name, "violations": check(forecast, history), "detail": " ".join((check.__doc__ or "").split())}
        for name, check in INVARIANTS.items()
    ]
    return pl.DataFrame(rows, schema={"check": pl.String, "violations": pl.Int64, "detail": pl.String}).select(
        "check", (pl.col("violations") == 0).alias("passed"), "violations", "detail"
    )
