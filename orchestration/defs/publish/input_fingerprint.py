"""What a run's result depends on, as one sha256: if it equals the last published run's, a rerun has
nothing to do.

Inputs: every source file (path and sha256; a missing file counts as missing), the code that reads and
models them (orchestration/, transforms/ incl. the scenario file), the dbt project (orchestration.defs.dbt.manifest's
hash), the parser version. The dashboard's code is not an input of the warehouse.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from orchestration.defs.dbt.manifest import project_hash
from transforms.ingest import PARSER_VERSION, scan_file
from transforms.sources import SOURCE_FILES
from transforms.storage.paths import PROJECT_ROOT, sources_dir

CODE_DIRS = ("orchestration", "transforms")


def code_hash() -> str:
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yml", ".yaml") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def source_hashes(root: Path | None = None) -> dict[str, str]:
    root = root or sources_dir()
    out: dict[str, str] = {}
    for table, (_, rel) in sorted(SOURCE_FILES.items()):
        path = root / rel
        out[table] = scan_file(path).sha256 if path.exists() else "missing"
    return out


def input_fingerprint(root: Path | None = None) -> str:
    digest = hashlib.sha256(PARSER_VERSION.encode())
    for table, sha in source_hashes(root).items():
        digest.update(f"{table}={sha};".encode())
    digest.update(code_hash().encode())
    digest.update(project_hash().encode())
    return digest.hexdigest()
