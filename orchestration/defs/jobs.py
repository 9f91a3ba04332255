"""Jobs are selections named for what they do: everything but the connectors (offline), or everything."""

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
