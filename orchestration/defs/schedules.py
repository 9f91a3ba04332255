"""Jobs are selections named for what they do; one daily schedule fetches and refreshes everything."""

import dagster as dg

from orchestration.defs.connectors.assets import LANDING_GROUP

RETRY = {"dagster/max_retries": "1", "dagster/retry_strategy": "FROM_FAILURE"}

refresh_all_job = dg.define_asset_job(
    "refresh_all_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(LANDING_GROUP),
    description="Offline: ingest the newest good file of every source (the latest landing or the shipped "
    "snapshot), build the dbt marts and the forecast, run the checks, then publish. `make run`; an inbox drop.",
    tags=RETRY,
)

fetch_and_refresh_job = dg.define_asset_job(
    "fetch_and_refresh_job",
    selection=dg.AssetSelection.all(),
    description="Fetch every live source from its publisher (or DCPULSE_MIRROR_URL) into data/landing/, then "
    "everything refresh_all_job does on what was fetched; a source whose fetch fails keeps its last good rows "
    "and is reported stale. `make refresh`; the daily schedule.",
    tags=RETRY,
)

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=fetch_and_refresh_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day at 05:00 UTC: fetch and refresh (off by default: turn it on in the UI or with "
    "`dagster schedule start daily_refresh_schedule`).",
)
