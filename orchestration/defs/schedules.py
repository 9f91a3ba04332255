"""One daily schedule fetches and refreshes everything (``fetch_and_refresh_job``)."""

import dagster as dg

from orchestration.defs.jobs import fetch_and_refresh_job

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=fetch_and_refresh_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day at 05:00 UTC: fetch and refresh (off by default: turn it on in the UI or with "
    "`dagster schedule start daily_refresh_schedule`).",
)
