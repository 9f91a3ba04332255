"""dbt's manifest, parsed only when the dbt project changed (a hash of its files), no Dagster import.

dagster-dbt loads its assets from ``target/manifest.json``. Parsing takes seconds; a run whose dbt
project is unchanged reuses the manifest. ``python -m orchestration.defs.dbt.manifest`` (``make
manifest``, the first step of ``make run``) and the code location both call ``ensure_manifest``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from transforms.params import dbt_vars_arg
from transforms.storage.paths import DBT_DUCKDB_PATH_ENV, PROJECT_ROOT, build_path

DBT_DIR = PROJECT_ROOT / "dbt_project"
MANIFEST = DBT_DIR / "target" / "manifest.json"
HASH_FILE = DBT_DIR / "target" / "manifest.project-sha256"
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests", "analyses")


def project_hash() -> str:
    """sha256 over the dbt project's own files (paths and contents, sorted) and the run's var overrides."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        path = DBT_DIR / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(file.relative_to(DBT_DIR).as_posix().encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    digest.update(" ".join(dbt_vars_arg()).encode())  # a run's var overrides change what dbt builds
    return digest.hexdigest()


def dbt_executable() -> str:
    """The dbt of this environment: beside the interpreter, in the project's .venv, or on PATH."""
    for candidate in (Path(sys.executable).parent / "dbt", PROJECT_ROOT / ".venv" / "bin" / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"


def ensure_manifest() -> tuple[Path, bool]:
    """The manifest, parsed again only if the project's hash changed; returns (path, parsed now)."""
    current = project_hash()
    if MANIFEST.exists() and HASH_FILE.exists() and HASH_FILE.read_text().strip() == current:
        return MANIFEST, False

    # parsed with the build file the run's dbt step names (profiles.yml reads DCPULSE_DUCKDB_PATH): dbt's
    # partial parsing starts over when the profile differs, so the run's first build can start from this parse
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.setdefault(DBT_DUCKDB_PATH_ENV, str(build_path()))
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_DIR), *dbt_vars_arg()],
        cwd=DBT_DIR,
        check=True,
        env=env,
    )
    HASH_FILE.write_text(current)
    return MANIFEST, True


if __name__ == "__main__":
    _, parsed = ensure_manifest()
    if parsed:
        print("dbt manifest parsed (the dbt project changed)")
