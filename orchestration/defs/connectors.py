"""Connectors as Dagster definitions: one landing asset per live source, the inbox sensor, freshness checks.

- ``landing_assets``: one asset per connector, keyed ``landing/<table>`` (group ``connectors``). It fetches the
  source (``orchestration.lib.fetch.fetch_source``) with the run id and never fails the run: a FetchError is logged
  as a warning, its failed manifest is recorded, and the asset still reports (``ok: false``, the error, the url).
  Each materialization carries ``dagster/last_updated_timestamp`` = when the newest *good* data was fetched (the
  shipped snapshot's ``retrieved`` date from SOURCES.yml when nothing was ever landed), so a failed fetch never
  counts as fresh.
- ``inbox_sensor``: a file an analyst drops in ``<inbox>/<table>/`` (``DCPULSE_INBOX_DIR``, default
  ``data/inbox``) is verified and moved into landing (url ``inbox:<file name>``), recorded as a materialization
  of ``landing/<table>``, and a run of ``INGEST_JOB_NAME`` is requested (run key: the file's sha256). A file that
  fails verification goes to ``<inbox>/<table>/.rejected/`` with a warning and requests no run.
- ``freshness_checks`` (+ ``freshness_sensor`` to evaluate them): ``build_last_update_freshness_checks`` per
  landing asset, with the publisher's cadence as the lower bound (``Connector.cadence_days``).

Dagster 1.13's ``FreshnessPolicy`` (``FreshnessPolicy.time_window``) is not used: it is still a preview that needs
``freshness: enabled`` in dagster.yaml, and it judges by materialization events, so a landing asset that
reports a failed fetch (it never fails the run) would look fresh. The freshness checks read
``dagster/last_updated_timestamp`` instead, which is the age of the last good landing.
"""

import hashlib
import os
import shutil
import time
import warnings
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from orchestration.lib.fetch import (
    CONNECTORS,
    Connector,
    FetchError,
    Landed,
    adopt_landing,
    fetch_source,
    inbox_dir,
    iter_inbox,
    land_inbox_file,
    landed_for_run,
    latest_landed,
    plan,
)
from transforms.storage.paths import sources_dir

# The job an inbox drop triggers: ingest and everything after it, without fetching the other sources.
INGEST_JOB_NAME = "refresh_all_job"
LANDING_GROUP = "connectors"
# Run tags of an inbox-triggered run: "<table>/<landing directory>" of each dropped file, comma-separated.
INBOX_LANDINGS_TAG = "dcpulse/inbox_landings"
TRIGGER_TAG = "dcpulse/trigger"
LAST_UPDATED = "dagster/last_updated_timestamp"


def landing_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["landing", table])


def _shipped_retrieved(table: str) -> float | None:
    """The shipped snapshot's date (SOURCES.yml ``retrieved``) as a timestamp: the age of the data in use when
    nothing has been landed yet."""
    path = sources_dir() / "SOURCES.yml"
    try:
        entry = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", {}).get(table, {})
        value = entry.get("retrieved")
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError):
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _last_good_timestamp(table: str) -> float:
    good = latest_landed(table)
    if good is not None:
        return good.fetched_at.timestamp()
    return _shipped_retrieved(table) or 1.0  # 1970: "never", and not 0 (Dagster reads 0 as unset)


def landed_metadata(landed: Landed) -> dict[str, Any]:
    m = landed.manifest
    out: dict[str, Any] = {
        "ok": landed.ok,
        "url": m.get("url") or "",
        "final_url": m.get("final_url") or "",
        "status": m.get("status") if m.get("status") is not None else -1,
        "origin": landed.origin,
        "fetched_at": m.get("fetched_at", ""),
        "manifest": dg.MetadataValue.path(str(landed.directory / "manifest.json")),
        "error": landed.error or "",
    }
    if landed.ok:
        out.update(
            path=dg.MetadataValue.path(str(landed.path)),
            sha256=m.get("sha256", ""),
            bytes=m.get("bytes", 0),
            attempts=m.get("attempts", 1),
        )
    return out


def inbox_landing(tags: Mapping[str, str], table: str) -> str | None:
    """The landing directory an inbox-triggered run names for ``table`` (run tag ``INBOX_LANDINGS_TAG``)."""
    for item in (tags.get(INBOX_LANDINGS_TAG) or "").split(","):
        name, _, directory = item.strip().partition("/")
        if name == table and directory:
            return directory
    return None


def _adopt_inbox(context: dg.AssetExecutionContext, table: str) -> Landed | None:
    """In an inbox-triggered run, the dropped file is this run's landing of its table (no live fetch over it)."""
    directory = inbox_landing(context.run.tags if context.run else {}, table)
    if directory is None:
        return None
    try:
        return adopt_landing(table, directory, context.run_id)
    except (OSError, ValueError):
        context.log.warning(f"{table}: inbox landing {directory} named by the run is gone; fetching instead")
    return None


def _landing_asset(connector: Connector) -> dg.AssetsDefinition:
    table = connector.table
    where = ", ".join(e.url for e, _, _ in plan(connector)) if connector.endpoints else "no live URL"
    description = (
        f"{connector.publisher}: the latest `{connector.rel_path}` fetched from the publisher ({where}; or "
        f"DCPULSE_MIRROR_URL), verified and landed under data/landing/{table}/ with a manifest. Never fails the run: "
        f"a failed fetch is reported here (ok=false) and ingest keeps the last good file. Publisher cadence: "
        f"{connector.cadence_days} days." + (f" {connector.note}." if connector.note else "")
    )

    @dg.asset(
        key=landing_key(table),
        group_name=LANDING_GROUP,
        kinds={"python"},
        description=description,
        metadata={"source_file": connector.rel_path, "publisher": connector.publisher},
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        adopted = _adopt_inbox(context, table)
        if adopted is not None:
            context.log.info(f"{table}: using the inbox file {adopted.path} dropped for this run")
            return dg.MaterializeResult(
                metadata={
                    **landed_metadata(adopted),
                    LAST_UPDATED: dg.MetadataValue.timestamp(_last_good_timestamp(table)),
                }
            )
        try:
            landed = fetch_source(table, run_id=context.run_id, logger=context.log)
        except FetchError as error:
            kept = latest_landed(table)
            fallback = (
                f"the last good landing {kept.path}" if kept else f"the shipped file data/sources/{connector.rel_path}"
            )
            context.log.warning(f"{table}: fetch FAILED - {error.message} [{error.url}]. Ingest keeps {fallback}.")
            failed = landed_for_run(table, context.run_id)
            metadata: dict[str, Any] = landed_metadata(failed) if failed else {"ok": False, "url": error.url}
            metadata.update(error=error.message, kept=fallback)
            metadata[LAST_UPDATED] = dg.MetadataValue.timestamp(_last_good_timestamp(table))
            return dg.MaterializeResult(metadata=metadata)
        metadata = landed_metadata(landed)
        metadata[LAST_UPDATED] = dg.MetadataValue.timestamp(landed.fetched_at.timestamp())
        return dg.MaterializeResult(metadata=metadata)

    return _asset


landing_assets = [_landing_asset(c) for c in CONNECTORS.values()]


def _checks() -> list[dg.AssetChecksDefinition]:
    by_cadence: dict[int, list[dg.AssetKey]] = {}
    for connector in CONNECTORS.values():
        by_cadence.setdefault(connector.cadence_days, []).append(landing_key(connector.table))
    checks: list[dg.AssetChecksDefinition] = []
    with warnings.catch_warnings():  # "superseded" by FreshnessPolicy, which cannot see a failed fetch (see above)
        warnings.simplefilter("ignore")
        for days, keys in sorted(by_cadence.items()):
            checks.extend(dg.build_last_update_freshness_checks(assets=keys, lower_bound_delta=timedelta(days=days)))
    return checks


# Epoch 14 days, EIA-861M and Ember 45, SkyPilot 7, FracTracker 90: each publisher's cadence, a lower bound.
freshness_checks = _checks()
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
