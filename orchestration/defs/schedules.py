"""Jobs are selections named for what they do; one daily schedule refreshes everything."""

import dagster as dg

refresh_all_job = dg.define_asset_job(
    "refresh_all_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every source, build the dbt marts and the forecast, run the checks, then publish.",
    tags={"dagster/max_retries": "1", "dagster/retry_strategy": "FROM_FAILURE"},
)

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=refresh_all_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day at 05:00 UTC (off by default: turn it on in the UI or with `dagster schedule start`).",
)
