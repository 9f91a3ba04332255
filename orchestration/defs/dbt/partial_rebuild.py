"""The partial-rebuild rule: what ``dbt build`` must rebuild in this run, and the state that decides it.

The build file keeps the state of its last complete dbt build in ``meta.dbt_state``: the dbt project's hash
(``manifest.project_hash``), when the build started, a digest of ``meta.source_files``, and which load of each
source's rows it read (the load's input key - the file's sha256, the parser version and the reference sets it was
checked against - else the file's sha256 and load time). The state is cleared when a build starts and recorded
only when a build of every model completed, so a killed or partial build is never trusted.

The rule, given that state and the build file as it is now:

1. No complete build recorded (or one in an older layout), or the dbt project changed since: rebuild everything.
2. Else the changed inputs are the dbt sources ``raw.<table>`` whose rows now come from another load (a re-read
   file, or a failed source's last good rows taken from the published warehouse when they are not the load the
   build read), and ``meta.source_files`` when its digest changed (provenance - a re-fetch's date, a stale flag -
   feeds marts too). A source that failed and kept the very rows the build read changed nothing.
3. No changed input: rebuild nothing (every model is reported as reused).
4. Else rebuild what the changed inputs feed - their descendants in the manifest's ``child_map`` - and keep every
   other model and seed as built: its inputs did not change, and what a source feeds is closed downstream, so no
   kept model sits downstream of a rebuilt one.

``plan_rebuild`` applies the rule; ``kept_nodes`` names what stays as built; ``record_state`` clears the state as a
build starts and records it once the build completed. The Dagster asset that runs dbt with the plan is
``assets.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from orchestration.build_warehouse import connect_build
from orchestration.defs.dbt.manifest import project_hash


@dataclass(frozen=True)
class RebuildPlan:
    """The dbt sources (``raw.<table>``, ``meta.source_files``) whose change dbt must rebuild from: ``[]`` means
    everything, ``None`` nothing; why; and the inputs as they are now, which a completed build records."""

    changed: list[str] | None
    why: str
    source_files_digest: str
    raw_inputs: dict[str, str]


def plan_rebuild() -> RebuildPlan:
    """The rule above, applied to the build file's recorded state and its inputs now."""
    with connect_build() as con:
        state = _recorded_state(con)
        current = _raw_inputs(con)
        digest = _source_files_digest(con)
    if state is None:
        return RebuildPlan([], "full build: no complete dbt build in this build file yet", digest, current)
    project_sha256, built_digest, built_inputs = state
    if project_sha256 != project_hash():
        return RebuildPlan([], "full build: the dbt project changed since the last build", digest, current)
    built = json.loads(built_inputs or "{}")
    changed = [f"raw.{t}" for t in sorted(current) if built.get(t) != current[t]]
    if digest != built_digest:
        changed.append("meta.source_files")  # provenance (e.g. a re-fetch's date, a stale flag) feeds marts too
    if not changed:
        why = "nothing to rebuild: no source's rows changed and the dbt project is the same"
        return RebuildPlan(None, why, digest, current)
    return RebuildPlan(changed, f"rebuilding what depends on {', '.join(changed)}", digest, current)


def _recorded_state(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """(project hash, source_files digest, raw inputs) of the last complete build; None if there is none. A state
    table of an older layout is dropped: no build recorded in it is trusted."""
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
    return con.execute("select project_sha256, source_files_digest, raw_inputs from meta.dbt_state").fetchone()


def _raw_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
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


def _source_files_digest(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute(
        "select md5(coalesce(string_agg(f::varchar, chr(10) order by source_table), '')) from meta.source_files f"
    ).fetchone()[0]


def record_state(
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


def kept_nodes(manifest: dict[str, Any], changed: list[str] | None) -> dict[str, dict[str, Any]]:
    """The models and seeds that stay as built: all of them (``None``), none (``[]``), or those the
    changed sources do not feed (walked down the manifest's ``child_map``)."""
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
