"""Every resource of the code location, in one place."""

from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib import manifest
from orchestration.lib.warehouse import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """The manifest dagster-dbt loads, parsed only when the dbt project changed (orchestration/lib/manifest.py).

    (Not ``prepare_if_dev``: under ``dagster dev`` it runs whatever ``dbt`` is on PATH, which need not be
    this environment's.)
    """
    path, _ = manifest.ensure_manifest()
    return path


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=manifest.dbt_executable()
    )
