"""The dbt project as Dagster assets: staging -> intermediate -> marts, dbt tests as asset checks."""

import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.resources import dbt_project, ensure_manifest
from orchestration.lib.drift import warm_up
from orchestration.lib.warehouse import build_path


class DcpulseTranslator(DagsterDbtTranslator):
    """Asset keys mirror where the table lives: ``[schema, table]`` (sources stay ``raw/<table>``)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        kind = dbt_resource_props["resource_type"]
        if kind == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
        if kind == "seed" and not schema:
            schema = "seeds"
        return dg.AssetKey([schema, dbt_resource_props["alias"] or dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return f"dbt_{fqn[1]}" if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2 else "dbt_seeds"


translator = DcpulseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
MANIFEST = ensure_manifest()


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=translator)
def dcpulse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """``dbt build`` on the build warehouse: models, seeds, unit tests and data tests in DAG order."""
    # dbt reads the build file's path from the environment (profiles.yml); set it for this
    # invocation only, so the process's environment is left as it was found.
    warm_up()  # the drift gate's GX import runs while dbt does
    previous = os.environ.get("DCPULSE_DUCKDB_PATH")
    os.environ["DCPULSE_DUCKDB_PATH"] = str(build_path())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        yield from dbt.cli(["build"], context=context).stream()
    finally:
        if previous is None:
            os.environ.pop("DCPULSE_DUCKDB_PATH", None)
        else:
            os.environ["DCPULSE_DUCKDB_PATH"] = previous


def mart_keys() -> list[dg.AssetKey]:
    """Asset keys of every dbt model in the public ``marts`` schema."""
    manifest = json.loads(MANIFEST.read_text())
    return sorted(
        (
            translator.get_asset_key(node)
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("schema") in ("marts", "meta")
        ),
        key=lambda k: k.to_user_string(),
    )
