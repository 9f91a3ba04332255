"""The inbox: files an analyst drops in ``<inbox>/<table>/``, verified and moved into the landing store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orchestration.defs.connectors.errors import FetchError, Problem
from orchestration.defs.connectors.landing_store import Landed, iso_utc, land, utc_now
from orchestration.defs.connectors.registry import CONNECTORS
from orchestration.defs.connectors.settings import inbox_dir
from orchestration.defs.connectors.verification import expect_of, verify
from transforms.sources import SOURCE_FILES


def iter_inbox(table: str) -> Iterator[Path]:
    """Files waiting in ``<inbox>/<table>/`` (hidden and partial downloads skipped)."""
    folder = inbox_dir() / table
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and not path.name.startswith(".")
            and not path.name.endswith((".part", ".tmp", ".crdownload"))
        ):
            yield path


def land_inbox_file(table: str, path: Path, run_id: str | None = None) -> Landed:
    """Verify a file an analyst dropped in ``<inbox>/<table>/`` and move it into landing (url ``inbox:<name>``).
    Raises FetchError after writing a failed manifest; the file is then left where it is for the caller."""
    fetched_at = utc_now()
    spec = SOURCE_FILES[table][0]
    url = f"inbox:{path.name}"
    manifest: dict[str, Any] = {
        "table": table,
        "source_file": SOURCE_FILES[table][1],
        "publisher": CONNECTORS[table].publisher if table in CONNECTORS else None,
        "run_id": run_id,
        "fetched_at": iso_utc(fetched_at),
        "url": url,
        "final_url": url,
        "status": None,
        "origin": "inbox",
        "kind": "file",
    }
    body = path.read_bytes()
    try:
        lines = verify(body, expect_of(path.name), spec)
    except Problem as problem:
        land(table, None, None, {**manifest, "ok": False, "error": str(problem)}, fetched_at)
        raise FetchError(table, url, str(problem)) from None
    manifest.update(
        file=path.name,
        landed_as=f"{Path(SOURCE_FILES[table][1]).parent}/{path.name}",
        sha256=hashlib.sha256(body).hexdigest(),
        bytes=len(body),
        attempts=1,
        ok=True,
        error=None,
        data_lines=lines,
    )
    return land(table, path.name, None, manifest, fetched_at, source=path)
