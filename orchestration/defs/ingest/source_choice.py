"""Which file a run reads for a source: the shipped snapshot, a connector's landing (this run's fetch, or the newest
good one), or an analyst's inbox drop; and the shipped provenance (SOURCES.yml) the choice starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from orchestration.defs.connectors.landing_store import Landed, adopt_landing, landed_for_run, latest_landed
from orchestration.defs.connectors.registry import CONNECTORS
from transforms.sources import SOURCE_FILES
from transforms.storage.paths import PROJECT_ROOT, sources_dir


@dataclass(frozen=True)
class SourceChoice:
    """Which file a run reads for a source, and where it came from.

    ``origin``: shipped (the repository's data/sources snapshot), publisher or mirror (a connector's
    landing), inbox (a file an analyst dropped). ``fetch_status``: ok (this run fetched it), failed (this
    run's fetch failed: the source keeps its last good rows, stale), not_fetched (a run without fetching
    reads the newest good file it has: the latest landing or the shipped snapshot, whichever is newer)."""

    path: Path | None
    origin: str
    fetch_status: str
    url: str | None = None
    retrieved: str | None = None
    fetched_at: datetime | None = None
    fetch_error: str | None = None

    def metadata(self) -> dict[str, Any]:
        return {
            "read_from": relative(self.path) if self.path else "",
            "origin": self.origin,
            "fetch_status": self.fetch_status,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else "",
            "fetch_error": self.fetch_error or "",
        }


def relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def choose_source(
    table: str, run_id: str | None = None, inbox: str | None = None, root: Path | None = None
) -> SourceChoice:
    """The file ``table`` is read from in run ``run_id`` (see ``SourceChoice``); ``inbox``: the landing
    directory an inbox-triggered run names for this table (run tag ``dcpulse/inbox_landings``)."""
    root = root or sources_dir()
    rel = SOURCE_FILES[table][1]
    prov = provenance(root).get(table, {})
    shipped = SourceChoice(root / rel, "shipped", "not_fetched", prov.get("url"), retrieved_date(prov.get("retrieved")))
    if table not in CONNECTORS:
        return shipped
    if inbox:
        try:
            landed = adopt_landing(table, inbox, run_id or "")
        except (OSError, ValueError):
            landed = None
        if landed is not None and landed.ok and landed.path is not None:
            return _landed_choice(landed, "ok")
    this_run = landed_for_run(table, run_id) if run_id else None
    if this_run is not None and not this_run.ok:
        return SourceChoice(
            None,
            this_run.origin,
            "failed",
            this_run.url or None,
            None,
            this_run.fetched_at.replace(tzinfo=None),
            this_run.error or "fetch failed",
        )
    if this_run is not None and this_run.path is not None and this_run.path.is_file():
        return _landed_choice(this_run, "ok")
    latest = latest_landed(table)
    if latest is not None and (shipped.retrieved is None or latest.fetched_at.date().isoformat() >= shipped.retrieved):
        return _landed_choice(latest, "not_fetched")
    return shipped


def _landed_choice(landed: Landed, status: str) -> SourceChoice:
    return SourceChoice(
        landed.path,
        landed.origin,
        status,
        landed.url or None,
        landed.fetched_at.date().isoformat(),
        landed.fetched_at.replace(tzinfo=None),
    )


def retrieved_date(value: object) -> str | None:
    return str(value)[:10] if value else None


def provenance(root: Path | None = None) -> dict[str, dict[str, Any]]:
    path = (root or sources_dir()) / "SOURCES.yml"
    if not path.exists():
        return {}
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", {})
