"""The connectors' sensors.

- ``inbox_sensor``: a file an analyst drops in ``<inbox>/<table>/`` (``DCPULSE_INBOX_DIR``, default
  ``data/inbox``) is verified and moved into landing (url ``inbox:<file name>``), recorded as a materialization
  of ``landing/<table>``, and a run of ``INGEST_JOB_NAME`` is requested (run key: the file's sha256). A file that
  fails verification goes to ``<inbox>/<table>/.rejected/`` with a warning and requests no run.
- ``freshness_sensor`` evaluates the freshness checks of ``checks.py``.
"""

import hashlib
import os
import shutil
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.connectors.assets import INBOX_LANDINGS_TAG, LAST_UPDATED, landed_metadata, landing_key
from orchestration.defs.connectors.checks import freshness_checks
from orchestration.defs.connectors.errors import FetchError
from orchestration.defs.connectors.inbox import iter_inbox, land_inbox_file
from orchestration.defs.connectors.landing_store import Landed
from orchestration.defs.connectors.registry import CONNECTORS
from orchestration.defs.connectors.settings import inbox_dir

# The job an inbox drop triggers: ingest and everything after it, without fetching the other sources.
INGEST_JOB_NAME = "refresh_all_job"
TRIGGER_TAG = "dcpulse/trigger"

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=freshness_checks, name="landing_freshness_sensor", minimum_interval_seconds=3600
    )


def _settle_seconds() -> float:
    value = os.environ.get("DCPULSE_INBOX_SETTLE_SECONDS", "").strip()
    return float(value) if value else 10.0


def _reject(path: Path, table: str) -> Path:
    folder = inbox_dir() / table / ".rejected"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{path.name}"
    shutil.move(str(path), target)
    return target


@dg.sensor(
    name="inbox_sensor",
    job_name=INGEST_JOB_NAME,
    minimum_interval_seconds=30,
    description="Lands files dropped in data/inbox/<table>/ (DCPULSE_INBOX_DIR) and requests an ingest run.",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    root = inbox_dir()
    if not root.is_dir():
        return dg.SkipReason(f"no inbox folder {root}")
    settle = _settle_seconds()
    landed: list[Landed] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        table = folder.name
        if table not in CONNECTORS:
            context.log.warning(f"inbox: {folder} is not a connector source ({', '.join(CONNECTORS)}); ignored")
            continue
        for path in iter_inbox(table):
            if time.time() - path.stat().st_mtime < settle:
                continue  # still being written, perhaps: next tick
            try:
                landed.append(land_inbox_file(table, path))
            except FetchError as error:
                moved = _reject(path, table)
                context.log.warning(f"inbox: {error.message}; {path.name} moved to {moved} (no run requested)")
            except OSError as error:
                context.log.warning(f"inbox: {path} could not be landed: {error}")
    if not landed:
        return dg.SkipReason("no new file in the inbox")
    shas = sorted(x.sha256 or "" for x in landed)
    run_key = shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()
    tags = {
        TRIGGER_TAG: "inbox",
        INBOX_LANDINGS_TAG: ",".join(f"{x.table}/{x.directory.name}" for x in landed),
    }
    events = [
        dg.AssetMaterialization(
            asset_key=landing_key(x.table),
            description=f"inbox drop {x.manifest.get('file')}",
            metadata={**landed_metadata(x), LAST_UPDATED: dg.MetadataValue.timestamp(x.fetched_at.timestamp())},
        )
        for x in landed
    ]
    for x in landed:
        context.log.info(f"inbox: landed {x.path} ({x.manifest.get('bytes')} bytes) for {x.table}")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=run_key, tags=tags)], asset_events=events)
