"""The scenario forecast as Dagster assets, downstream of the dbt marts, with its invariants as checks."""

import dagster as dg
import polars as pl

from orchestration.lib.warehouse import connect_build
from transforms.forecast import (
    backtest,
    forecast_invariants,
    load_scenarios,
    pipeline_from_deployments,
    run_all_scenarios,
)

FORECAST = dg.AssetKey(["marts", "fct_demand_forecast"])
BACKTEST = dg.AssetKey(["marts", "fct_forecast_backtest"])
PUBLISHED = dg.AssetKey(["marts", "ref_published_projections"])
END_YEAR = 2030
BACKTEST_ORIGINS = (2020, 2021, 2022, 2023)


def _write(con, table: str, frame: pl.DataFrame) -> None:
    con.register("_frame", frame.to_arrow())
    con.execute(f"create or replace table marts.{table} as select * from _frame")
    con.unregister("_frame")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FORECAST,
            kinds={"polars", "duckdb"},
            deps=[["marts", "fct_ai_demand_by_tier"], ["marts", "fct_ai_deployments"], ["marts", "dim_markets"]],
            description="Installed AI facility power by year, scenario, region, tier and workload: history "
            "rows (is_history) then the scenario projection to 2030 (transforms/forecast.py).",
        ),
        dg.AssetSpec(
            BACKTEST,
            deps=[["marts", "fct_ai_demand_by_tier"]],
            description="Error of the base model run from earlier origins against later history.",
        ),
        dg.AssetSpec(
            PUBLISHED,
            deps=[["raw", "ref_published_projections"]],
            description="Published projections (IEA, LBNL, ...) with source and scope, for comparison.",
        ),
    ],
    group_name="forecast",
    check_specs=[
        dg.AssetCheckSpec(name, asset=FORECAST, blocking=True, description=text)
        for name, text in (
            ("no_negative_mw", "No negative MW or TWh anywhere."),
            ("history_rows_equal_input", "History rows equal marts.fct_ai_demand_by_tier."),
            ("tiers_and_workloads_sum_to_region_total", "Tiers and workloads add up to each region total."),
            ("low_le_base_le_high", "low <= base <= high for every projected region-year total."),
            ("full_grid_of_projected_rows", "Every region, tier and workload has a row in every projected year."),
        )
    ],
)
def forecast_assets(context: dg.AssetExecutionContext):
    with connect_build() as con:
        history = con.execute("select * from marts.fct_ai_demand_by_tier").pl()
        deployments = con.execute("select * from marts.fct_ai_deployments").pl()
        markets = con.execute("select * from marts.dim_markets").pl()
        published = con.execute(
            "select * exclude (_source_file, _source_sha256, _source_row, _loaded_at), "
            "_source_file as source_file from raw.ref_published_projections"
        ).pl()
        scenarios = load_scenarios()
        pipeline = pipeline_from_deployments(deployments, markets)
        forecast = run_all_scenarios(history, pipeline, end_year=END_YEAR, scenarios=scenarios)
        errors = backtest(history, origins=BACKTEST_ORIGINS, scenarios=scenarios)
        _write(con, "fct_demand_forecast", forecast)
        _write(con, "fct_forecast_backtest", errors)
        _write(con, "ref_published_projections", published)
        invariants = forecast_invariants(forecast, history)

    totals = (
        forecast.filter(pl.col("year") == END_YEAR)
        .group_by("scenario")
        .agg(pl.col("facility_power_mw").sum())
        .sort("scenario")
    )
    yield dg.MaterializeResult(
        asset_key=FORECAST,
        metadata={
            "dagster/row_count": forecast.height,
            "scenarios": sorted(scenarios),
            "total_mw_2030": dg.MetadataValue.json({s: round(v, 1) for s, v in totals.iter_rows()}),
            "pipeline_rows": pipeline.height,
        },
    )
    yield dg.MaterializeResult(asset_key=BACKTEST, metadata={"dagster/row_count": errors.height})
    yield dg.MaterializeResult(asset_key=PUBLISHED, metadata={"dagster/row_count": published.height})
    for row in invariants.iter_rows(named=True):
        yield dg.AssetCheckResult(
            asset_key=FORECAST,
            check_name=row["check"],
            passed=bool(row["passed"]),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"violations": int(row["violations"]), "detail": row["detail"]},
        )
