"""The scenario forecast as Dagster assets, downstream of the dbt marts, with its invariants as checks."""

import dagster as dg
import polars as pl

from orchestration.lib.forecast_build import END_YEAR, build_forecast
from orchestration.lib.warehouse import connect_build
from transforms.forecast.invariants import INVARIANTS

FORECAST = dg.AssetKey(["marts", "fct_demand_forecast"])
BACKTEST = dg.AssetKey(["marts", "fct_forecast_backtest"])
PUBLISHED = dg.AssetKey(["marts", "ref_published_projections"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FORECAST,
            kinds={"polars", "duckdb"},
            deps=[["marts", "fct_ai_demand_by_tier"], ["marts", "fct_ai_deployments"], ["marts", "dim_markets"]],
            description="Installed AI facility power by year, scenario, region, tier and workload: history "
            "rows (is_history) then the scenario projection to 2030 (transforms/forecast/).",
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
        dg.AssetCheckSpec(name, asset=FORECAST, blocking=True, description=(check.__doc__ or "").strip())
        for name, check in INVARIANTS.items()
    ],
)
def forecast_assets(context: dg.AssetExecutionContext):
    with connect_build() as con:
        built = build_forecast(con)
    forecast = built.forecast
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
            "scenarios": built.scenarios,
            "total_mw_2030": dg.MetadataValue.json({s: round(v, 1) for s, v in totals.iter_rows()}),
            "pipeline_rows": built.pipeline.height,
        },
    )
    yield dg.MaterializeResult(asset_key=BACKTEST, metadata={"dagster/row_count": built.backtest.height})
    yield dg.MaterializeResult(asset_key=PUBLISHED, metadata={"dagster/row_count": built.published.height})
    for row in built.invariants.iter_rows(named=True):
        yield dg.AssetCheckResult(
            asset_key=FORECAST,
            check_name=row["check"],
            passed=bool(row["passed"]),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"violations": int(row["violations"]), "detail": row["detail"]},
        )
