"""The dcpulse Dagster code location: loads the domain modules of ``defs/`` into one Definitions."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.connectors.assets import landing_assets
from orchestration.defs.connectors.checks import freshness_checks
from orchestration.defs.connectors.sensors import freshness_sensor, inbox_sensor
from orchestration.defs.dbt.assets import dcpulse_dbt_assets
from orchestration.defs.dbt.resources import dbt_resource
from orchestration.defs.drift.assets import source_drift
from orchestration.defs.forecast.assets import forecast_assets
from orchestration.defs.ingest.assets import raw_assets
from orchestration.defs.jobs import fetch_and_refresh_job, refresh_all_job
from orchestration.defs.parameters.assets import parameters
from orchestration.defs.publish.assets import serving_warehouse
from orchestration.defs.schedules import daily_refresh_schedule

defs = dg.Definitions(
    assets=[
        *landing_assets,
        *raw_assets,
        dcpulse_dbt_assets,
        source_drift,
        forecast_assets,
        parameters,
        serving_warehouse,
    ],
    asset_checks=freshness_checks,
    jobs=[refresh_all_job, fetch_and_refresh_job],
    schedules=[daily_refresh_schedule],
    sensors=[inbox_sensor, freshness_sensor],
    resources={"dbt": dbt_resource()},
    # One writer at a time: DuckDB allows a single read-write process per file, so the steps of a run
    # execute in one process, in dependency order.
    executor=dg.in_process_executor,
)
