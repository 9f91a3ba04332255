"""Every resource of the code location, in one place."""

import subprocess
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.warehouse import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt of this environment: beside the interpreter, in the project's .venv, or on PATH.

    ``dagster dev`` starts its code server with an interpreter whose directory need not hold dbt,
    and without the venv on PATH, so look in the project's own .venv too.
    """
    import shutil
    import sys

    for candidate in (Path(sys.executable).parent / "dbt", PROJECT_ROOT / ".venv" / "bin" / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """``make`` runs ``dbt parse`` first; a code location started some other way parses here once.

    (Not ``prepare_if_dev``: under ``dagster dev`` it runs whatever ``dbt`` is on PATH, which need not be
    this environment's.)
    """
    if not project.manifest_path.exists():
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(project.profiles_dir)],
            cwd=project.project_dir,
            check=True,
        )
    return project.manifest_path


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
