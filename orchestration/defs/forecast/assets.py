"""The scenario forecast as Dagster assets, downstream of the dbt marts, with its invariants as checks."""

import dagster as dg
import polars as pl

from orchestration.build_warehouse import connect_build
from orchestration.defs.forecast.forecast_build import build_forecast
from transforms.forecast.invariants import INVARIANTS

FORECAST = dg.AssetKey(["marts", "fct_demand_forecast"])
BACKTEST = dg.AssetKey(["marts", "fct_forecast_backtest"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FORECAST,
            kinds={"polars", "duckdb"},
            deps=[["marts", "fct_ai_demand_by_tier"], ["marts", "fct_ai_deployments"], ["marts", "fct_ai_pipeline"]],
            description="Installed AI facility power by year, scenario, region, tier and workload: history "
            "rows (is_history) then each scenario's projection (transforms/forecast/): installed base, "
            "realised announced pipeline and unannounced growth per region, tier, kind and workload.",
        ),
        dg.AssetSpec(
            BACKTEST,
            deps=[["marts", "fct_ai_demand_by_tier"]],
            description="Error of the base model run from earlier origins against later history.",
        ),
    ],
    group_name="forecast",
    check_specs=[
        dg.AssetCheckSpec(name, asset=FORECAST, blocking=True, description=" ".join((check.__doc__ or "").split()))
        for name, check in INVARIANTS.items()
    ],
)
def forecast_assets(context: dg.AssetExecutionContext):
    with connect_build() as con:
        built = build_forecast(con)
    forecast = built.forecast
    end = forecast["year"].max()
    totals = (
        forecast.filter((pl.col("year") == end) & pl.col("is_ai_demand"))
        .group_by("scenario")
        .agg(pl.col("facility_power_mw").sum())
        .sort("scenario")
    )
    yield dg.MaterializeResult(
        asset_key=FORECAST,
        metadata={
            "dagster/row_count": forecast.height,
            "scenarios": built.scenarios,
            f"ai_total_mw_{end}": dg.MetadataValue.json({s: round(v, 1) for s, v in totals.iter_rows()}),
            "pipeline_rows": built.pipeline.height,
        },
    )
    yield dg.MaterializeResult(asset_key=BACKTEST, metadata={"dagster/row_count": built.backtest.height})
    for row in built.invariants.iter_rows(named=True):
        yield dg.AssetCheckResult(
            asset_key=FORECAST,
            check_name=row["check"],
            passed=bool(row["passed"]),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"violations": int(row["violations"]), "detail": row["detail"]},
        )
