"""The dbt project and the dbt CLI resource the code location runs dbt with (its one resource)."""

from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from orchestration.defs.dbt import manifest

DBT_PROJECT_DIR = manifest.DBT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """The manifest dagster-dbt loads, parsed only when the dbt project changed (``manifest.py``).

    (Not ``prepare_if_dev``: under ``dagster dev`` it runs whatever ``dbt`` is on PATH, which need not be
    this environment's.)
    """
    path, _ = manifest.ensure_manifest()
    return path


class DcpulseDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource without two start-up costs our runs never use (measured 2026-12-04 on
    the 2-core machine: ~9.5 s of every dbt step, before dbt starts):

    * it asks the executable its version (``dbt --version``: 6.4 s). The executable is this environment's
      own (``manifest.dbt_executable()``), so its version is the installed dbt-core's;
    * it opens a dbt adapter in-process (3.1 s), which dagster-dbt only uses to fetch row counts and
      column metadata (``fetch_row_counts`` / ``fetch_column_metadata``), which dcpulse does not call.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:
        return None


def dbt_resource() -> DbtCliResource:
    return DcpulseDbtCliResource(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=manifest.dbt_executable()
    )
