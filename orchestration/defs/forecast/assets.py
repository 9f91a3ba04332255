"""The scenario forecast as Dagster assets, downstream of the dbt marts, with its invariants as checks."""

import dagster as dg
import polars as pl

from orchestration.build_warehouse import connect_build
from orchestration.defs.forecast.forecast_build import build_forecast
from transforms.forecast.coverage import coverage_broken_rows
from transforms.forecast.invariants import INVARIANTS

FORECAST = dg.AssetKey(["marts", "fct_demand_forecast"])
BACKTEST = dg.AssetKey(["marts", "fct_forecast_backtest"])
COVERAGE = dg.AssetKey(["marts", "fct_ai_demand_coverage"])
CONTRIBUTORS = dg.AssetKey(["marts", "fct_forecast_top_contributors"])
SENSITIVITY = dg.AssetKey(["marts", "fct_forecast_sensitivity"])
FORECAST_DEPS = [
    ["marts", "fct_ai_demand_by_tier"],
    ["marts", "fct_ai_deployments"],
    ["marts", "fct_ai_pipeline"],
    ["marts", "fct_ai_installed_by_vintage"],
    ["marts", "fct_ai_workload_split"],
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FORECAST,
            kinds={"polars", "duckdb"},
            deps=FORECAST_DEPS,
            description="Installed AI facility power by year, scenario, region, tier and workload: history "
            "rows (is_history) then each scenario's projection (transforms/forecast/): installed base, "
            "realised announced pipeline and unannounced growth per region, tier, kind and workload, with the "
            "split's range (split_low_mw, split_high_mw); low <= base <= high in every cell.",
        ),
        dg.AssetSpec(
            COVERAGE,
            kinds={"polars", "duckdb"},
            deps=[*FORECAST_DEPS, ["marts", "fct_ai_all_ai_estimate"]],
            description="Tracked and all-AI side by side (year x scenario): each scenario's tracked AI MW beside the "
            "all-AI estimate of published top-down anchors (fct_ai_all_ai_estimate), never below tracked, and the "
            "tracked share.",
        ),
        dg.AssetSpec(
            CONTRIBUTORS,
            kinds={"polars", "duckdb"},
            deps=FORECAST_DEPS,
            description="The pipeline projects that add most AI MW to each scenario's horizon total: MW announced, "
            "realisation factor, MW realised, share of the total.",
        ),
        dg.AssetSpec(
            SENSITIVITY,
            kinds={"polars", "duckdb"},
            deps=FORECAST_DEPS,
            description="Base's horizon AI MW with one driver at a time set to the low and the high scenario's "
            "value, ranked by swing (the scenario page's tornado chart).",
        ),
        dg.AssetSpec(
            BACKTEST,
            deps=[["marts", "fct_ai_demand_by_tier"]],
            description="Error of the base model run from earlier origins against later history.",
        ),
    ],
    group_name="forecast",
    check_specs=[
        *[
            dg.AssetCheckSpec(name, asset=FORECAST, blocking=True, description=" ".join((check.__doc__ or "").split()))
            for name, check in INVARIANTS.items()
        ],
        dg.AssetCheckSpec(
            "all_ai_ge_tracked_and_ordered",
            asset=COVERAGE,
            blocking=True,
            description=" ".join((coverage_broken_rows.__doc__ or "").split()),
        ),
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
    yield dg.MaterializeResult(asset_key=COVERAGE, metadata={"dagster/row_count": built.coverage.height})
    yield dg.MaterializeResult(asset_key=CONTRIBUTORS, metadata={"dagster/row_count": built.contributors.height})
    yield dg.MaterializeResult(asset_key=SENSITIVITY, metadata={"dagster/row_count": built.sensitivity.height})
    yield dg.AssetCheckResult(
        asset_key=COVERAGE,
        check_name="all_ai_ge_tracked_and_ordered",
        passed=built.coverage_broken == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"violations": built.coverage_broken},
    )
    for row in built.invariants.iter_rows(named=True):
        yield dg.AssetCheckResult(
            asset_key=FORECAST,
            check_name=row["check"],
            passed=bool(row["passed"]),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"violations": int(row["violations"]), "detail": row["detail"]},
        )
