"""The dbt project as Dagster assets: staging -> intermediate -> marts, dbt tests as asset checks; a run rebuilds
only what changed inputs feed (the rule: ``partial_rebuild.py``)."""

import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from graphlib import TopologicalSorter
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration import background_import
from orchestration.defs.dbt.partial_rebuild import kept_nodes, plan_rebuild, record_state
from orchestration.defs.dbt.resources import dbt_project, ensure_manifest
from transforms.params import dbt_vars_arg
from transforms.storage.paths import DBT_DUCKDB_PATH_ENV, build_path


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
    """``dbt build`` on the build warehouse: models, seeds, unit tests and data tests in DAG order, limited to
    what the re-read sources feed when the dbt project is unchanged (``partial_rebuild``)."""
    background_import.start("great_expectations")  # the drift gate's GX import runs while dbt does
    plan = plan_rebuild()
    context.log.info(f"dbt: {plan.why}")
    kept = kept_nodes(json.loads(MANIFEST.read_text()), plan.changed)
    # models dbt does not rebuild are current in the build file (their inputs did not change) and never
    # downstream of a rebuilt one (what a source feeds is closed downstream): say so first, dependencies
    # first, so everything downstream runs on them; then stream dbt's own events
    keys = {translator.get_asset_key(node): node for node in kept.values()}
    yield from _reused(context, {k for k in context.selected_asset_keys if k in keys})
    if plan.changed is None:
        return
    # dagster-dbt selects the whole project for this asset; what we keep is excluded from it
    exclude = ["--exclude", " ".join(sorted(node["name"] for node in kept.values()))] if kept else []
    started_at = datetime.now(UTC).replace(tzinfo=None)
    record_state(context.run_id, None)
    yield from _dbt_build(context, dbt, exclude)
    if set(context.selected_asset_keys) == set(context.assets_def.keys):
        record_state(context.run_id, started_at, plan.source_files_digest, plan.raw_inputs)
    # else a subset was built (e.g. from the UI): the rest may be behind its sources, so the next run builds all


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, exclude: list[str]) -> Iterator[Any]:
    """Stream ``dbt build`` on the build file. dbt reads the build file's path from the environment
    (profiles.yml); it is set for this invocation only, so the process's environment is left as it was found."""
    previous = os.environ.get(DBT_DUCKDB_PATH_ENV)
    os.environ[DBT_DUCKDB_PATH_ENV] = str(build_path())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        # dbt's artifacts in a folder of the build file's own, kept between runs: dbt partially parses from the
        # last build's partial_parse.msgpack (its profile hash includes the build file's path, so a shared
        # target/ made every run on another warehouse folder parse the whole project again: ~9 s)
        target = build_path().parent / "dbt-target"
        # the run's var overrides (DCPULSE_VARS), the same values the forecast and meta.parameters read
        yield from dbt.cli(["build", *exclude, *dbt_vars_arg()], context=context, target_path=target).stream()
    finally:
        if previous is None:
            os.environ.pop(DBT_DUCKDB_PATH_ENV, None)
        else:
            os.environ[DBT_DUCKDB_PATH_ENV] = previous


def _reused(context: dg.AssetExecutionContext, keys: set[dg.AssetKey]) -> Iterator[dg.MaterializeResult]:
    """A materialization per kept model, dependencies first (Dagster requires topological order)."""
    deps = context.assets_def.asset_deps
    graph = {k: {d for d in deps.get(k, set()) if d in keys} for k in keys}
    for key in TopologicalSorter(graph).static_order():
        yield dg.MaterializeResult(asset_key=key, metadata={"dcpulse/reused": "inputs unchanged since the last build"})


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
