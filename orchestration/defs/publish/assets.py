"""Publish: swap the finished build file in as the serving warehouse, only after everything upstream passed."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.dbt.assets import mart_keys
from orchestration.defs.drift.assets import SOURCE_DRIFT
from orchestration.defs.forecast.assets import BACKTEST, FORECAST
from orchestration.defs.parameters.assets import PARAMETERS
from orchestration.defs.publish.serving import publish
from transforms.storage.paths import serving_path

FORECAST_KEYS = [FORECAST, BACKTEST, PARAMETERS, SOURCE_DRIFT]


def _upstream() -> list[dg.AssetKey]:
    return sorted(set(mart_keys()) | set(FORECAST_KEYS), key=lambda k: k.to_user_string())


@dg.asset(
    key=dg.AssetKey(["serving", "dcpulse_warehouse"]),
    group_name="publish",
    kinds={"duckdb"},
    deps=_upstream(),
    description="CHECKPOINT the build file and atomically replace data/warehouse/dcpulse.duckdb with it. "
    "Runs only when every upstream asset and blocking check of the run succeeded; readers of the old "
    "file keep their snapshot and see the new one when they reopen.",
)
def serving_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    record = context.instance.get_run_record_by_id(context.run_id)
    started = record.start_time if record and record.start_time else None
    started_at = datetime.fromtimestamp(started, UTC).replace(tzinfo=None) if started else None
    result = publish(context.run_id, started_at)
    tables = result["tables"]
    context.log.info(f"published {serving_path()} ({result['bytes']:,} bytes)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result["path"])),
            "bytes": result["bytes"],
            "tables": dg.MetadataValue.json(tables),
        }
    )
