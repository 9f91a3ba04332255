"""Invariants of a finished forecast, one function each; each becomes a blocking Dagster asset check.

Every function takes the forecast (and, where it needs it, the history it was built from) and
returns the number of violating rows or cells: 0 means the invariant holds.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from transforms.forecast.projection import _prepare_history
from transforms.vocabulary import WORKLOADS

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
    """Every projected row's MW = its installed base + realised pipeline + unannounced growth + the ordering
    adjustment."""
    projected = forecast.filter(~pl.col("is_history"))
    total = pl.col("installed_base_mw") + pl.col("pipeline_mw") + pl.col("growth_mw") + pl.col("ordering_adjustment_mw")
    return projected.filter(
        (total - pl.col("facility_power_mw")).abs() > TOLERANCE_MW + 1e-9 * pl.col("facility_power_mw").abs()
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
    """The installed base, realised pipeline and growth of a place (region, tier, kind; training, inference and
    hpc together: capacity moves between workloads as clusters are repurposed) never fall from one year to the
    next in any scenario, unless retired_mw grew by at least the drop."""
    place = ["scenario", "year", "region", "market_tier", "market_kind"]
    frame = (
        forecast.filter(~pl.col("is_history"))
        .group_by(place)
        .agg(
            (pl.col("installed_base_mw") + pl.col("pipeline_mw") + pl.col("growth_mw")).sum().alias("mw"),
            pl.col("retired_mw").sum(),
        )
        .sort(place)
        .with_columns(
            (pl.col("mw") - pl.col("mw").shift(1).over(place[:1] + place[2:])).alias("change"),
            (pl.col("retired_mw") - pl.col("retired_mw").shift(1).over(place[:1] + place[2:])).alias("retired_change"),
        )
    )
    return frame.filter(pl.col("change") < -(pl.col("retired_change").fill_null(0.0)) - TOLERANCE_MW).height


def low_le_base_le_high(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """low <= base <= high in every projected cell (year, region, tier, kind, workload) and every region-year AI
    total."""
    projected = forecast.filter(~pl.col("is_history"))
    cells = projected.pivot(on="scenario", index=KEYS, values="facility_power_mw", aggregate_function="sum")
    totals = (
        projected.filter(pl.col("is_ai_demand"))
        .group_by("scenario", "year", "region")
        .agg(pl.col("facility_power_mw").sum())
        .pivot(on="scenario", index=["year", "region"], values="facility_power_mw")
    )
    broken = 0
    for wide in (cells, totals):
        chain = [s for s in ("low", "base", "high") if s in wide.columns]
        broken += sum(
            wide.filter(pl.col(lower).fill_null(0.0) > pl.col(upper).fill_null(0.0) + TOLERANCE_MW).height
            for lower, upper in zip(chain, chain[1:], strict=False)
        )
    return broken


def split_range_holds(forecast: pl.DataFrame, history: pl.DataFrame) -> int:
    """split_low_mw <= facility_power_mw <= split_high_mw on every row."""
    return forecast.filter(
        (pl.col("split_low_mw") > pl.col("facility_power_mw") + TOLERANCE_MW)
        | (pl.col("split_high_mw") < pl.col("facility_power_mw") - TOLERANCE_MW)
    ).height


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
        split_range_holds,
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
