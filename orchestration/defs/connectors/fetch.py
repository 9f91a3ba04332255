"""Fetch a source: try its endpoints in order (or the mirror), verify the body, land it with its manifest.

``fetch_source(table, run_id)`` fetches, verifies and lands ``table`` under ``<landing>/<table>/<UTC timestamp>/``.
A failure raises ``FetchError(table, url, message)`` with one clear line and still writes a manifest with
``ok: false`` (and no data file), so a run can report it. Environment (read at call time): ``DCPULSE_MIRROR_URL``,
``DCPULSE_OFFLINE``, ``EIA_API_KEY`` (EIA API v2 instead of the workbook), ``DCPULSE_EIA_API_URL``,
``DCPULSE_GITHUB_API_URL``, ``DCPULSE_GITHUB_RAW_URL``, and those of ``settings.py``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

from orchestration.defs.connectors.errors import FetchError, Problem
from orchestration.defs.connectors.http_client import new_client
from orchestration.defs.connectors.landing_store import Landed, iso_utc, land, latest_landed, utc_now
from orchestration.defs.connectors.publisher_kinds import KINDS, Context, Fetched
from orchestration.defs.connectors.registry import CONNECTORS, Connector, Endpoint, Origin
from orchestration.defs.connectors.settings import HttpSettings, Log, inbox_dir, log, mirror_url, redact
from transforms.sources import SOURCE_FILES


def plan(connector: Connector) -> list[tuple[Endpoint, str, Origin]]:
    """What ``fetch_source`` will try, in order: (endpoint, relative path it lands as, origin)."""
    base = mirror_url()
    if base:
        return [(Endpoint(f"{base}/{quote(connector.rel_path)}"), connector.rel_path, "mirror")]
    steps: list[tuple[Endpoint, str, Origin]] = []
    if connector.api_endpoint and connector.api_key_env and os.environ.get(connector.api_key_env):
        steps.append((connector.api_endpoint, connector.api_rel_path or connector.rel_path, "publisher"))
    steps += [(e, connector.rel_path, "publisher") for e in connector.endpoints]
    return steps


def _host(endpoint: Endpoint) -> str | None:
    import httpx

    return httpx.URL(endpoint.url).host or None if "://" in endpoint.url else None


def _display_url(endpoint: Endpoint) -> str:
    return endpoint.url if "://" in endpoint.url else f"github:{endpoint.url}"


# (url shown, error, HTTP status) of each endpoint that failed, in the order tried
Attempts = list[tuple[str, str, int | None]]


@dataclass
class _Got:
    """The endpoint that gave a verified body, and what it gave."""

    fetched: Fetched
    endpoint: Endpoint
    rel_path: str
    origin: Origin
    url: str  # as shown: the endpoint's URL, or the API request that stands for it


def fetch_source(table: str, run_id: str | None = None, logger: Log | None = None) -> Landed:
    """Fetch ``table`` from its publisher (or the mirror), verify it, land it. Raises FetchError (after writing a
    failed manifest) when every endpoint failed."""
    logger = logger or log
    fetched_at = utc_now()
    connector = CONNECTORS.get(table)
    if connector is None:
        raise FetchError(table, "", "no connector: this source is shipped only (data/sources)")
    spec = SOURCE_FILES[table][0]
    settings = HttpSettings.from_env()
    steps = plan(connector)
    base_manifest: dict[str, Any] = {
        "table": table,
        "source_file": connector.rel_path,
        "publisher": connector.publisher,
        "run_id": run_id,
        "fetched_at": iso_utc(fetched_at),
    }
    refusal = _refusal(connector, steps)
    if refusal is not None:
        land(table, None, None, {**base_manifest, "url": "", "ok": False, "error": refusal}, fetched_at)
        raise FetchError(table, "", refusal)
    problems: Attempts = []
    with new_client(settings) as client:
        ctx = Context(table, connector, spec, client, settings, logger)
        got = _try_endpoints(ctx, steps, problems)
        if got is not None:
            return _land_fetched(ctx, got, base_manifest, problems, fetched_at)
    _land_failure(table, base_manifest, problems, fetched_at)


def _refusal(connector: Connector, steps: list[tuple[Endpoint, str, Origin]]) -> str | None:
    """Why nothing is fetched at all (offline, or no URL to fetch from), else None."""
    if os.environ.get("DCPULSE_OFFLINE", "").strip() not in ("", "0") and not all(
        e.url.startswith("file://") for e, _, _ in steps
    ):
        return "offline (DCPULSE_OFFLINE is set): not fetched; ingest keeps the last good file"
    if not steps:
        return (
            f"no live publisher URL ({connector.note or 'none known'}); set DCPULSE_MIRROR_URL or drop a file "
            f"in {inbox_dir() / connector.table}"
        )
    return None


def _try_endpoints(ctx: Context, steps: list[tuple[Endpoint, str, Origin]], problems: Attempts) -> _Got | None:
    """Each endpoint in order until one gives a verified body; every failure is added to ``problems``. A host that
    could not be reached at all gets no second round of retries for a later endpoint."""
    unreachable: set[str] = set()
    for endpoint, rel_path, origin in steps:
        url = _display_url(endpoint)
        host = _host(endpoint)
        if host in unreachable:
            problems.append((url, f"skipped: {host} could not be reached above", None))
            continue
        try:
            fetched = KINDS[endpoint.kind](ctx, endpoint, Path(rel_path).name)
        except Problem as problem:
            if problem.url and endpoint.kind in ("eia_api", "skypilot_lambda", "eia860m"):
                url = problem.url  # the page or commit request that failed, not the API's base
            if problem.unreachable and host:
                unreachable.add(host)
            problems.append((url, str(problem), problem.status))
            if len(steps) > 1:
                ctx.logger.warning(redact(f"{ctx.table}: {problem} [{url}]"))
            continue
        return _Got(fetched, endpoint, rel_path, origin, url)
    return None


def _land_fetched(
    ctx: Context, got: _Got, base_manifest: dict[str, Any], problems: Attempts, fetched_at: datetime
) -> Landed:
    """Land a verified body with its manifest (and whether it differs from the previous good landing)."""
    table, body = ctx.table, got.fetched.body
    manifest = {
        **base_manifest,
        "url": got.fetched.url if "://" in got.fetched.url else got.url,
        "final_url": got.fetched.final_url,
        "status": got.fetched.status,
        "origin": got.origin,
        "kind": got.endpoint.kind if got.origin != "mirror" else "file",
        "file": got.fetched.file_name,
        "landed_as": got.rel_path,
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": len(body),
        "attempts": got.fetched.attempts,
        "ok": True,
        "error": None,
        **got.fetched.extra,
    }
    previous = latest_landed(table)
    manifest["changed"] = previous is None or previous.sha256 != manifest["sha256"]  # ingest may skip if not
    manifest["previous_landing"] = previous.directory.name if previous else None
    if problems:
        manifest["earlier_failures"] = [{"url": u, "error": e} for u, e, _ in problems]
    landed = land(table, got.fetched.file_name, body, manifest, fetched_at)
    ctx.logger.info(redact(f"{table}: landed {landed.path} ({len(body)} bytes, sha256 {manifest['sha256'][:12]})"))
    return landed


def _land_failure(table: str, base_manifest: dict[str, Any], problems: Attempts, fetched_at: datetime) -> NoReturn:
    """Every endpoint failed: land a failed manifest naming each attempt, then raise one FetchError for them all."""
    if len(problems) == 1:
        _, message, status = problems[0]
    else:
        status = problems[-1][2]
        message = "; ".join(f"{u}: {e}" for u, e, _ in problems)
        message = f"all {len(problems)} URLs failed: {message}"
    failed = {
        **base_manifest,
        "url": problems[0][0],
        "final_url": None,
        "status": status,
        "ok": False,
        "error": message,
    }
    failed["attempted"] = [{"url": u, "error": e, "status": s} for u, e, s in problems]
    land(table, None, None, failed, fetched_at)
    raise FetchError(table, problems[0][0], message)


def fetch_all(tables: list[str] | None = None, run_id: str | None = None) -> dict[str, Landed | FetchError]:
    """Fetch each source on its own: one failing never stops the others."""
    out: dict[str, Landed | FetchError] = {}
    for table in tables or list(CONNECTORS):
        try:
            out[table] = fetch_source(table, run_id=run_id)
        except FetchError as error:
            out[table] = error
    return out
