"""Every resource of the code location, in one place."""

import subprocess
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.warehouse import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt next to the running interpreter (the project's .venv), else whatever is on PATH."""
    import sys

    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """``make`` runs ``dbt parse`` first; a code location started some other way parses here once."""
    project.prepare_if_dev()
    if not project.manifest_path.exists():
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(project.profiles_dir)],
            cwd=project.project_dir,
            check=True,
        )
    return project.manifest_path


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
