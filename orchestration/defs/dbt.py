"""The dbt project as Dagster assets: staging -> intermediate -> marts, dbt tests as asset checks."""

import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from graphlib import TopologicalSorter
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.build_warehouse import connect_build
from orchestration.defs.resources import dbt_project, ensure_manifest
from orchestration.lib.drift import warm_up
from orchestration.lib.manifest import project_hash
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


def _selection() -> tuple[list[str] | None, str, str, dict[str, str]]:
    """The dbt sources (``raw.<table>``, ``meta.source_files``) whose change dbt must rebuild from:
    ``[]`` means everything, ``None`` nothing; then why, and the inputs as they are now (the digest of
    ``meta.source_files`` and each source's load), which a completed build records.

    The build file keeps the state of its last complete dbt build (``meta.dbt_state``: the project's
    hash, when the build started, a digest of ``meta.source_files``, and which load of each source's rows
    it read: input key, else sha256 and load time), cleared when a build starts, so a killed build is
    never trusted. If the dbt project is unchanged since, only what is fed by the sources whose rows now
    come from another load is rebuilt (a re-read file, or a failed source's last good rows taken from the
    published warehouse when they are not the load the build read); a source that failed and kept the
    very rows the build read needs nothing; if no source's rows changed, nothing is."""
    with connect_build() as con:
        columns = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'meta' and table_name = 'dbt_state'"
            ).fetchall()
        }
        if columns and "raw_inputs" not in columns:  # an older layout: no build is trusted
            con.execute("drop table meta.dbt_state")
        con.execute(
            "create table if not exists meta.dbt_state (project_sha256 varchar, started_at timestamp, "
            "completed_at timestamp, run_id varchar, source_files_digest varchar, raw_inputs varchar)"
        )
        state = con.execute("select project_sha256, source_files_digest, raw_inputs from meta.dbt_state").fetchone()
        current = _raw_inputs(con)
        digest = _source_files_digest(con)
    if state is None:
        return [], "full build: no complete dbt build in this build file yet", digest, current
    if state[0] != project_hash():
        return [], "full build: the dbt project changed since the last build", digest, current
    built = json.loads(state[2] or "{}")
    changed = [f"raw.{t}" for t in sorted(current) if built.get(t) != current[t]]
    if digest != state[1]:
        changed.append("meta.source_files")  # provenance (e.g. a re-fetch's date, a stale flag) feeds marts too
    if not changed:
        return None, "nothing to rebuild: no source's rows changed and the dbt project is the same", digest, current
    return changed, f"rebuilding what depends on {', '.join(changed)}", digest, current


def _raw_inputs(con) -> dict[str, str]:
    """What each source's rows in the build file were made from: the load's input key (the file's sha256,
    the parser version and the reference sets it was checked against: the same key, the same rows, as
    ingest's own skip of an unchanged file holds), else the file's sha256 and when it was loaded."""
    return {
        table: key
        for table, key in con.execute(
            "select source_table, coalesce(input_key, sha256 || '|' || cast(loaded_at as varchar)) "
            "from meta.source_files order by 1"
        ).fetchall()
    }


def _source_files_digest(con) -> str:
    return con.execute(
        "select md5(coalesce(string_agg(f::varchar, chr(10) order by source_table), '')) from meta.source_files f"
    ).fetchone()[0]


def _record_state(
    run_id: str, started_at: datetime | None, digest: str | None = None, raw_inputs: dict[str, str] | None = None
) -> None:
    """Clear the build state as a build starts (``started_at`` None); record it once it completed."""
    with connect_build() as con:
        con.execute("delete from meta.dbt_state")
        if started_at is not None:
            con.execute(
                "insert into meta.dbt_state values (?, ?, ?, ?, ?, ?)",
                [
                    project_hash(),
                    started_at,
                    datetime.now(UTC).replace(tzinfo=None),
                    run_id,
                    digest,
                    json.dumps(raw_inputs or {}, sort_keys=True),
                ],
            )


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=translator)
def dcpulse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """``dbt build`` on the build warehouse: models, seeds, unit tests and data tests in DAG order, limited to
    what the re-read sources feed when the dbt project is unchanged (``_selection``)."""
    warm_up()  # the drift gate's GX import runs while dbt does
    changed, why, digest, raw_inputs = _selection()
    context.log.info(f"dbt: {why}")
    kept = _kept_nodes(changed)
    # models dbt does not rebuild are current in the build file (their inputs did not change) and never
    # downstream of a rebuilt one (what a source feeds is closed downstream): say so first, dependencies
    # first, so everything downstream runs on them; then stream dbt's own events
    keys = {translator.get_asset_key(node): node for node in kept.values()}
    yield from _reused(context, {k for k in context.selected_asset_keys if k in keys})
    if changed is None:
        return
    # dagster-dbt selects the whole project for this asset; what we keep is excluded from it
    exclude = ["--exclude", " ".join(sorted(node["name"] for node in kept.values()))] if kept else []
    started_at = datetime.now(UTC).replace(tzinfo=None)
    _record_state(context.run_id, None)
    # dbt reads the build file's path from the environment (profiles.yml); set it for this
    # invocation only, so the process's environment is left as it was found.
    previous = os.environ.get(DBT_DUCKDB_PATH_ENV)
    os.environ[DBT_DUCKDB_PATH_ENV] = str(build_path())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        # dbt's artifacts in a folder of the build file's own, kept between runs: dbt partially parses from the
        # last build's partial_parse.msgpack (its profile hash includes the build file's path, so a shared
        # target/ made every run on another warehouse folder parse the whole project again: ~9 s)
        target = build_path().parent / "dbt-target"
        yield from dbt.cli(["build", *exclude], context=context, target_path=target).stream()
    finally:
        if previous is None:
            os.environ.pop(DBT_DUCKDB_PATH_ENV, None)
        else:
            os.environ[DBT_DUCKDB_PATH_ENV] = previous
    if set(context.selected_asset_keys) == set(context.assets_def.keys):
        _record_state(context.run_id, started_at, digest, raw_inputs)
    # else a subset was built (e.g. from the UI): the rest may be behind its sources, so the next run builds all


def _kept_nodes(changed: list[str] | None) -> dict[str, dict[str, Any]]:
    """The models and seeds that stay as built: all of them (``None``), none (``[]``), or those the
    changed sources do not feed (walked down the manifest's ``child_map``)."""
    manifest = json.loads(MANIFEST.read_text())
    buildable = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] in ("model", "seed", "snapshot")
    }
    if changed is None:
        return buildable
    if not changed:
        return {}
    todo = [f"source.{manifest['metadata'].get('project_name', 'dcpulse')}.{t}" for t in changed]
    fed: set[str] = set()
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child not in fed:
                fed.add(child)
                todo.append(child)
    return {uid: node for uid, node in buildable.items() if uid not in fed}


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
