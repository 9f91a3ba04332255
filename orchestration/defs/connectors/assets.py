"""The connectors' Dagster assets: one landing asset per live source, keyed ``landing/<table>`` (group
``connectors``).

Each fetches its source (``fetch.fetch_source``) with the run id and never fails the run: a FetchError is logged
as a warning, its failed manifest is recorded, and the asset still reports (``ok: false``, the error, the url).
Each materialization carries ``dagster/last_updated_timestamp`` = when the newest *good* data was fetched (the
shipped snapshot's ``retrieved`` date from SOURCES.yml when nothing was ever landed), so a failed fetch never
counts as fresh (``checks.py`` reads it). In an inbox-triggered run (``sensors.py``), the dropped file is the
run's landing of its table.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg
import yaml

from orchestration.defs.connectors.errors import FetchError
from orchestration.defs.connectors.fetch import fetch_source, plan
from orchestration.defs.connectors.landing_store import Landed, adopt_landing, landed_for_run, latest_landed
from orchestration.defs.connectors.registry import CONNECTORS, Connector
from transforms.storage.paths import sources_dir

LANDING_GROUP = "connectors"
# Run tags of an inbox-triggered run: "<table>/<landing directory>" of each dropped file, comma-separated.
INBOX_LANDINGS_TAG = "dcpulse/inbox_landings"
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
