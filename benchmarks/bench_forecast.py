"""Time ``transforms.forecast.forecast_scenario``: the dashboard's sliders call it on every change.

Prints the median over N calls on a synthetic history shaped like ``marts.fct_ai_demand_by_tier``
(years x regions x tiers x workloads, ~500 rows) and, when the serving warehouse exists, on the
real marts (opened read-only). Run: ``.venv/bin/python benchmarks/bench_forecast.py [N]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from transforms.forecast import (
    REGIONS,
    TIERS,
    WORKLOADS,
    empty_pipeline,
    forecast_scenario,
    load_scenarios,
    run_all_scenarios,
)

WAREHOUSE = Path(__file__).resolve().parents[1] / "data" / "warehouse" / "dcpulse.duckdb"


def synthetic_history(first_year: int = 2019, last_year: int = 2025) -> pl.DataFrame:
    """~500 rows: every year x region x tier x workload, growing ~60 %/yr like the Epoch data."""
    years = pl.DataFrame({"year": list(range(first_year, last_year + 1))}, schema={"year": pl.Int32})
    grid = (
        years.join(pl.DataFrame({"region": list(REGIONS)}), how="cross")
        .join(pl.DataFrame({"market_tier": list(TIERS)}), how="cross")
        .join(pl.DataFrame({"workload": list(WORKLOADS)}), how="cross")
        .with_row_index("i")
    )
    return (
        grid.select(
            "year",
            "region",
            "market_tier",
            "workload",
            ((pl.col("i") % 7) + 1).cast(pl.Int64).alias("deployments"),
            ((pl.col("i") % 11 + 1) * 1000.0).alias("gpu_count"),
            ((pl.col("i") % 13 + 1) * 1.6 ** (pl.col("year") - first_year)).alias("it_power_mw"),
        )
        .with_columns(
            (pl.col("it_power_mw") * 1.2).alias("facility_power_mw"),
        )
        .with_columns(
            (pl.col("facility_power_mw") * 8760 * 0.75).alias("annual_energy_mwh"),
        )
    )


def synthetic_pipeline() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region": ["North America", "Europe", "Asia Pacific", "Middle East & Africa"] * 10,
            "market_tier": ["tier_1", "tier_3", "tier_2", "unknown"] * 10,
            "workload": ["training", "inference"] * 20,
            "expected_year": [2026, None, 2027, 2028] * 10,
            "facility_power_mw": [500.0, 1000.0, 250.0, 80.0] * 10,
            "status": ["planned", "under_construction"] * 20,
            "source": ["deployments"] * 40,
        },
        schema_overrides={"expected_year": pl.Int32},
    )


def median_ms(call: Callable[[], object], n: int) -> float:
    call()  # warm-up: first call compiles nothing, but loads the scenario file
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def real_marts() -> tuple[pl.DataFrame, pl.DataFrame] | None:
    if not WAREHOUSE.exists():
        return None
    import duckdb

    from transforms.forecast import pipeline_from_deployments

    with duckdb.connect(str(WAREHOUSE), read_only=True) as con:
        try:
            history = con.sql("select * from marts.fct_ai_demand_by_tier").pl()
            deployments = con.sql("select * from marts.fct_ai_deployments").pl()
            markets = con.sql("select * from marts.dim_markets").pl()
        except duckdb.Error as exc:
            print(f"real marts not readable ({exc.__class__.__name__}: {exc}); skipped")
            return None
    return history, pipeline_from_deployments(deployments, markets)


def main(n: int = 50) -> None:
    scenarios = load_scenarios()
    history, pipeline = synthetic_history(), synthetic_pipeline()
    ms = median_ms(lambda: forecast_scenario(history, pipeline, "base", scenarios=scenarios), n)
    print(f"forecast_scenario, synthetic history ({history.height} rows), base: median {ms:.1f} ms over {n}")
    ms = median_ms(
        lambda: forecast_scenario(
            history, pipeline, "base", overrides={"accelerator_power_cagr": 0.3}, scenarios=scenarios
        ),
        n,
    )
    print(f"forecast_scenario with an override (slider path): median {ms:.1f} ms over {n}")
    ms = median_ms(lambda: run_all_scenarios(history, pipeline, scenarios=scenarios), max(n // 5, 3))
    print(f"run_all_scenarios ({len(scenarios)} scenarios): median {ms:.1f} ms")
    ms = median_ms(lambda: forecast_scenario(history, empty_pipeline(), "base", scenarios=scenarios), n)
    print(f"forecast_scenario, no pipeline: median {ms:.1f} ms over {n}")
    real = real_marts()
    if real is None:
        print(f"real marts: {WAREHOUSE} not present (or not built yet); skipped")
        return
    history, pipeline = real
    ms = median_ms(lambda: forecast_scenario(history, pipeline, "base", scenarios=scenarios), n)
    print(
        f"forecast_scenario, real marts ({history.height} history rows, {pipeline.height} pipeline rows): "
        f"median {ms:.1f} ms over {n}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
