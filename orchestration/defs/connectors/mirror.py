"""A mirror of the shipped sources: the ``data/sources`` tree copied into a folder any static web server can serve.

``python -m orchestration.defs.connectors.mirror DIR`` (``make mirror DIR=...``) copies every file under the sources
folder (``DCPULSE_SOURCES_DIR``, default ``data/sources``) to ``DIR/<relative path>`` - exactly the layout connectors
fetch from when ``DCPULSE_MIRROR_URL=<base>`` is set (``<base>/<relative path>``) - and writes ``DIR/index.json``
(each file's path, raw table, sha256 and bytes) and ``DIR/index.html`` (links). Serve it with e.g.
``python -m http.server -d DIR 8765`` and point ``DCPULSE_MIRROR_URL=http://127.0.0.1:8765`` at it; a
``file://DIR`` base works too, without a server.

Files a previous mirror listed in its index but that are no longer shipped are removed; anything else in DIR is left
alone. The copy is a plain byte copy, so a file fetched through the mirror has the shipped file's sha256.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from transforms.sources import SOURCE_FILES
from transforms.storage.paths import sources_dir

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def build_mirror(target: Path, source: Path | None = None) -> dict[str, object]:
    """Copy the sources tree into ``target`` and write its index; returns the index."""
    source = (source or sources_dir()).resolve()
    target = target.resolve()
    if not source.is_dir():
        raise FileNotFoundError(f"sources folder {source} does not exist")
    if target == source or source in target.parents:
        raise ValueError(f"the mirror {target} must not be inside the sources folder {source}")
    target.mkdir(parents=True, exist_ok=True)
    table_of = {rel: table for table, (_, rel) in SOURCE_FILES.items()}
    previous: set[str] = set()
    old_index = target / INDEX_JSON
    if old_index.is_file():
        try:
            previous = {f["path"] for f in json.loads(old_index.read_text(encoding="utf-8")).get("files", [])}
        except (ValueError, KeyError, TypeError):
            previous = set()
    files = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        temp = destination.with_name(f".{destination.name}.tmp")
        shutil.copyfile(path, temp)
        os.replace(temp, destination)
        files.append(
            {"path": rel, "table": table_of.get(rel), "sha256": _sha256(destination), "bytes": path.stat().st_size}
        )
    current = {f["path"] for f in files}
    for stale in sorted(previous - current):
        (target / stale).unlink(missing_ok=True)
    index: dict[str, object] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source_dir": str(source),
        "layout": "<base>/<path>: the data/sources layout; set DCPULSE_MIRROR_URL=<base> to fetch from here",
        "files": files,
    }
    (target / INDEX_JSON).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    rows = "\n".join(
        f'<li><a href="{html.escape(f["path"])}">{html.escape(f["path"])}</a> '
        f"({f['bytes']} bytes, {html.escape(f['table'] or 'not a raw table')}, sha256 {f['sha256'][:12]})</li>"
        for f in files
    )
    (target / INDEX_HTML).write_text(
        f"<!doctype html>\n<html><head><meta charset='utf-8'><title>dcpulse sources mirror</title></head>\n"
        f"<body><h1>dcpulse sources mirror</h1><p>Generated {index['generated_at']} from {html.escape(str(source))}. "
        f"Machine-readable: <a href='{INDEX_JSON}'>{INDEX_JSON}</a>.</p>\n<ul>\n{rows}\n</ul></body></html>\n",
        encoding="utf-8",
    )
    return index


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print(
            "usage: python -m orchestration.defs.connectors.mirror DIR   (copies DCPULSE_SOURCES_DIR into DIR)",
            file=sys.stderr,
        )
        return 2
    try:
        index = build_mirror(Path(argv[0]))
    except (OSError, ValueError) as error:
        print(f"mirror failed: {error}", file=sys.stderr)
        return 1
    files = index["files"]
    assert isinstance(files, list)
    size = sum(f["bytes"] for f in files)
    print(f"mirror: {len(files)} files ({size / 1e6:.1f} MB) in {Path(argv[0]).resolve()}")
    print(f"serve:  python -m http.server -d {argv[0]} 8765   then DCPULSE_MIRROR_URL=http://127.0.0.1:8765")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
