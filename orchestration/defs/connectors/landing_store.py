"""The landing store: ``<landing>/<table>/<UTC timestamp>/`` holding the fetched file (when ok) and its
``manifest.json`` (url asked for, final url after redirects, HTTP status, sha256, bytes, fetched_at UTC, run_id, ok,
error). A landing is written atomically; a failed fetch writes a manifest with ``ok: false`` and no data file.
``latest_landed`` and ``landed_for_run`` find landings for ingest."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.defs.connectors.settings import landing_dir, redact


@dataclass(frozen=True)
class Landed:
    """One landing: a directory holding the data file (when ok) and ``manifest.json``."""

    table: str
    directory: Path
    manifest: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.manifest.get("ok"))

    @property
    def path(self) -> Path | None:
        name = self.manifest.get("file")
        return self.directory / name if self.ok and name else None

    @property
    def sha256(self) -> str | None:
        return self.manifest.get("sha256")

    @property
    def url(self) -> str:
        return self.manifest.get("url") or ""

    @property
    def error(self) -> str | None:
        return self.manifest.get("error")

    @property
    def origin(self) -> str:
        return self.manifest.get("origin") or "publisher"

    @property
    def fetched_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["fetched_at"].replace("Z", "+00:00"))


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def land(
    table: str,
    file_name: str | None,
    body: bytes | None,
    manifest: dict[str, Any],
    fetched_at: datetime,
    source: Path | None = None,
) -> Landed:
    """Write one landing atomically: a hidden temp directory renamed into place, so readers never see half of it.
    ``source`` (a file to move in, e.g. from the inbox) instead of ``body``."""
    root = landing_dir() / table
    root.mkdir(parents=True, exist_ok=True)
    stamp = fetched_at.strftime("%Y%m%dT%H%M%S.%fZ")
    temp = Path(tempfile.mkdtemp(prefix=f".{stamp}.", suffix=".tmp", dir=root))
    try:
        if file_name is not None and body is not None:
            (temp / file_name).write_bytes(body)
        elif file_name is not None and source is not None:
            shutil.move(str(source), temp / file_name)
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
        (temp / "manifest.json").write_text(redact(text) + "\n", encoding="utf-8")
        final, n = root / stamp, 1
        while True:
            try:
                temp.rename(final)
                break
            except OSError:
                if not final.exists():
                    raise
                final, n = root / f"{stamp}-{n}", n + 1
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return Landed(table, final, json.loads((final / "manifest.json").read_text(encoding="utf-8")))


def landings(table: str) -> list[Landed]:
    """Every landing of ``table`` (ok or not), oldest first."""
    root = landing_dir() / table
    if not root.is_dir():
        return []
    out = []
    for directory in root.iterdir():
        manifest_path = directory / "manifest.json"
        if directory.name.startswith(".") or not manifest_path.is_file():
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            landed = Landed(table, directory, manifest)
            landed.fetched_at  # noqa: B018 - a manifest without a valid time is not a landing
        except (OSError, ValueError, KeyError):
            continue
        out.append(landed)
    return sorted(out, key=lambda x: (x.fetched_at, x.directory.name))


def latest_landed(table: str) -> Landed | None:
    """The newest good landing of ``table`` (publisher, mirror or inbox) whose data file is there, else None."""
    for landed in reversed(landings(table)):
        path = landed.path
        if landed.ok and path is not None and path.is_file() and path.stat().st_size == landed.manifest.get("bytes"):
            return landed
    return None


def landed_for_run(table: str, run_id: str) -> Landed | None:
    """The newest landing of ``table`` made (or adopted) by run ``run_id``, ok or not; None if it made none."""
    for landed in reversed(landings(table)):
        if landed.manifest.get("run_id") == run_id:
            return landed
    return None


def adopt_landing(table: str, directory_name: str, run_id: str) -> Landed:
    """Record ``run_id`` on a landing that has none yet (an inbox drop, landed before its run existed)."""
    directory = landing_dir() / table / directory_name
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not manifest.get("run_id"):
        manifest["run_id"] = run_id
        temp = manifest_path.with_name(".manifest.json.tmp")
        temp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temp, manifest_path)
    return Landed(table, directory, manifest)
