"""The lake target against a real PostgreSQL catalog (README, "Beyond one machine").

A session fixture starts Debian's PostgreSQL 15 through orchestration.defs.publish.pgserver in a temporary folder;
each test gets a database and a data folder of its own. Missing PostgreSQL binaries are installed (Debian's
`postgresql`, as root); where they cannot be, the tests fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import streamlit as st

from orchestration.defs.publish import lake_publish, pgserver
from orchestration.defs.publish.serving import publish
from transforms.storage import lake

REPO = Path(__file__).resolve().parents[2]

# (rows of marts.dim_things, rows of marts.fct_events, rows of meta.runs) per version of the small build.
VERSIONS = {1: (12, 3_000, 1), 2: (17, 7_000, 2), 3: (20, 150_000, 3)}


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.PgServer]:
    problem = pgserver.ensure_binaries()  # installs Debian's postgresql when missing (as root)
    if problem:
        pytest.fail(problem)
    # PostgreSQL runs as a non-root user under root: its folder must be reachable by that user,
    # which pytest's own tmp folders (0700, root's) are not.
    folder = Path(tempfile.mkdtemp(prefix="dcpulse-pg-"))
    folder.chmod(0o755)
    server = pgserver.PgServer(folder / "pg")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def lake_env(pg_server: pgserver.PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> lake.LakeSettings:
    """A new database in the server and a new data folder, selected through the two env vars."""
    conninfo = pg_server.create_database(f"lake_{uuid.uuid4().hex[:10]}")
    monkeypatch.setenv(lake.ENV_CATALOG, f"postgres:{conninfo}")
    monkeypatch.setenv(lake.ENV_DATA, str(tmp_path / "lake_data"))
    settings = lake.lake_settings_from_env()
    assert settings is not None
    return settings


def make_build(path: Path, version: int) -> dict[str, int]:
    """A small build file: two marts tables and two meta tables whose sizes and values depend on version."""
    dims, events, runs = VERSIONS[version]
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        for schema in ("raw", "marts", "meta"):
            con.execute(f"create schema if not exists {schema}")
        con.execute("create or replace table raw.not_published as select 1 as x")
        con.execute(
            f"create or replace table marts.dim_things as select range as thing_id, 'thing ' || range as name, "
            f"{version}::integer as version, range * 1.5 as weight from range({dims})"
        )
        con.execute(
            f"create or replace table marts.fct_events as select range as event_id, range % {dims} as thing_id, "
            f"date '2020-01-01' + (range % 1000)::integer as day, (range * {version})::double as value, "
            f"range % 2 = 0 as flag from range({events})"
        )
        con.execute(
            # meta.runs as the pipeline makes it (publish() inserts a row into it)
            "create or replace table meta.runs as select 'run-' || range as run_id, "
            "timestamp '2026-01-01' + to_hours(range) as started_at, "
            "timestamp '2026-01-01' + to_hours(range + 1) as finished_at, 'published' as status, "
            f"'x' as published_path, '{{}}' as table_counts_json from range({runs})"
        )
        con.execute(
            f"create or replace table meta.source_files as select 'src_' || range as source_table, "
            f"{version} * 100 + range as rows_loaded from range(3)"
        )
        con.execute("checkpoint")
    finally:
        con.close()
    return expected_counts(version)


def expected_counts(version: int) -> dict[str, int]:
    dims, events, runs = VERSIONS[version]
    return {"marts.dim_things": dims, "marts.fct_events": events, "meta.runs": runs, "meta.source_files": 3}


def table_rows(con: duckdb.DuckDBPyConnection, table: str, at: str = "") -> list[tuple]:
    return con.execute(f"select * from {table}{at} order by all").fetchall()


def run_script(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


WRITER = """
import json, sys, time
from pathlib import Path
from orchestration.defs.publish import lake_publish
from transforms.storage import lake
go = Path(sys.argv[2])
enter = lake_publish._PublishLock.__enter__
def announce(self):  # tells the test that this writer is about to take the publishers' lock
    Path(sys.argv[4]).touch()
    return enter(self)
lake_publish._PublishLock.__enter__ = announce
while not go.exists():
    time.sleep(0.01)
started = time.time()
result = lake_publish.publish_to_lake(sys.argv[1], lake.lake_settings_from_env(), run_id=sys.argv[3])
print(json.dumps({"snapshot_id": result["snapshot_id"], "rows": result["rows"], "waited_s": result["waited_s"],
                  "started": started, "finished": time.time()}))
"""

READER = """
import json, sys, time
from pathlib import Path
from transforms.storage import lake
con = lake.connect(lake.lake_settings_from_env())
stop, deadline = Path(sys.argv[1]), time.time() + float(sys.argv[2])
sql = ("select (select count(*) from marts.dim_things), (select count(*) from marts.fct_events), "
       "(select count(*) from meta.runs), (select count(*) from meta.source_files), "
       "(select max(version) from marts.dim_things), (select sum(value) from marts.fct_events)")
print(json.dumps({"ready": time.time()}), flush=True)
while time.time() < deadline:
    row = con.execute(sql).fetchone()
    print(json.dumps({"at": time.time(), "row": [float(x) for x in row]}), flush=True)
    if stop.exists():
        break
"""


# ---------------------------------------------------------------------------------------------
# (a) publish, read back equal counts and content


def test_publish_writes_every_marts_and_meta_table_as_one_snapshot(lake_env: lake.LakeSettings, tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    expected = make_build(build, 1)

    result = lake_publish.publish_to_lake(build, lake_env, run_id="run-a")

    assert result["tables"] == expected and result["rows"] == sum(expected.values())
    assert lake.read_lake_counts(lake_env) == expected  # raw.* is not published
    con = lake.connect(lake_env)
    try:
        con.execute(f"ATTACH '{build}' AS build (READ_ONLY)")
        for table in expected:
            assert table_rows(con, f"lake.{table}") == table_rows(con, f"build.{table}"), table
        # column types survive (date, boolean, double, timestamp)
        types = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = ? and table_schema in ('marts', 'meta') order by all",
            ["lake"],
        ).fetchall()
        assert (
            types
            == con.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_catalog = 'build' and table_schema in ('marts', 'meta') order by all"
            ).fetchall()
        )
        history = lake.snapshots(con)
        assert history[-1]["snapshot_id"] == result["snapshot_id"] == lake.current_snapshot(con)
        assert history[-1]["commit_message"] == "dcpulse publish run run-a: 4 tables, 3016 rows"
        # ONE snapshot for the whole publish: the one before it is the catalog's creation
        assert [s["snapshot_id"] for s in history] == [0, result["snapshot_id"]]
    finally:
        con.close()
    # the big table went to Parquet files under DATA_PATH
    assert list(Path(lake_env.data_path).rglob("*.parquet"))

    # a republish mirrors the build: a table gone from the build is dropped in the same snapshot
    con = duckdb.connect(str(build))
    con.execute("drop table meta.source_files")
    con.close()
    again = lake_publish.publish_to_lake(build, lake_env, run_id="run-b")
    assert again["snapshot_id"] == result["snapshot_id"] + 1
    assert set(lake.read_lake_counts(lake_env)) == set(expected) - {"meta.source_files"}


def test_warehouse_publish_also_writes_the_lake_when_the_catalog_is_set(
    lake_env: lake.LakeSettings, tmp_path: Path
) -> None:
    build = tmp_path / "warehouse" / "build" / "dcpulse_build.duckdb"
    make_build(build, 2)
    target = tmp_path / "warehouse" / "dcpulse.duckdb"

    result = publish("run-w", build=build, target=target)

    assert target.is_file()
    lake_result = result["lake"]
    assert isinstance(lake_result, dict)
    # the lake holds exactly what the serving file holds, meta.runs row of this publish included
    con = duckdb.connect(str(target), read_only=True)
    try:
        serving = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in expected_counts(2)}
    finally:
        con.close()
    assert lake.read_lake_counts(lake_env) == lake_result["tables"] == serving
    assert serving["meta.runs"] == VERSIONS[2][2] + 1


def test_publish_fails_loudly_naming_the_catalog_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "warehouse" / "build" / "dcpulse_build.duckdb"
    make_build(build, 1)
    target = tmp_path / "warehouse" / "dcpulse.duckdb"
    port = pgserver.free_port()  # nothing listens there
    monkeypatch.setenv(lake.ENV_CATALOG, f"postgres:dbname=nowhere host=127.0.0.1 port={port} password='s3cr3t pw'")
    monkeypatch.setenv(lake.ENV_DATA, str(tmp_path / "lake_data"))
    monkeypatch.setenv("PGPASSWORD", "envSecret42")

    with pytest.raises(lake.LakeError) as failed:
        publish("run-x", build=build, target=target)

    message = str(failed.value)
    assert f"port={port}" in message and "dbname=nowhere" in message and "FAILED" in message
    assert "s3cr3t" not in message and "envSecret42" not in message
    assert target.is_file()  # the serving file was published before the lake write
    assert "s3cr3t" not in repr(lake.lake_settings_from_env())


# ---------------------------------------------------------------------------------------------
# (b) two writers at once


def _run_writers(builds: dict[int, Path], tmp_path: Path, tag: str, hold_lock_of: lake.LakeSettings | None = None):
    """Start one writer process per build at the same moment; with ``hold_lock_of``, this test holds the
    publishers' lock until both writers are waiting for it, checks that nothing landed meanwhile, then lets go."""
    go = tmp_path / f"go-{tag}"
    markers = {v: tmp_path / f"locking-{tag}-{v}" for v in builds}
    writers = {v: run_script(WRITER, str(path), str(go), f"{tag}-{v}", str(markers[v])) for v, path in builds.items()}
    holder = None
    try:
        if hold_lock_of is not None:
            holder = duckdb.connect(":memory:", config={"autoload_known_extensions": False})
            lake.load_extensions(holder)
            lock = lake_publish._PublishLock(holder, hold_lock_of, 5.0)
            lock.__enter__()
        go.touch()
        if holder is not None:
            deadline = time.monotonic() + 60
            while not all(m.exists() for m in markers.values()) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert all(m.exists() for m in markers.values()), "the writers never reached the lock"
            time.sleep(1.0)
            assert all(p.poll() is None for p in writers.values()), "a writer finished while the lock was held"
            lock.__exit__(None, None, None)
        results = {}
        for version, proc in writers.items():
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results[version] = json.loads(out.strip().splitlines()[-1])
        return results
    finally:
        if holder is not None:
            holder.close()
        for proc in writers.values():
            if proc.poll() is None:
                proc.kill()


def _check_both_landed(results: dict[int, dict], settings: lake.LakeSettings, tag: str) -> None:
    ids = sorted(r["snapshot_id"] for r in results.values())
    assert ids[1] == ids[0] + 1  # one after the other, nothing in between
    con = lake.connect(settings)
    try:
        history = {s["snapshot_id"]: s["commit_message"] for s in lake.snapshots(con)}
    finally:
        con.close()
    for version, result in results.items():
        assert history[result["snapshot_id"]].startswith(f"dcpulse publish run {tag}-{version}:")
    first = min(results, key=lambda v: results[v]["snapshot_id"])
    last = max(results, key=lambda v: results[v]["snapshot_id"])
    # every table readable, the catalog whole: the latest snapshot is the last writer's version entirely,
    # the one before it the first writer's
    assert lake.read_lake_counts(settings) == expected_counts(last)
    assert lake.read_lake_counts(settings, snapshot_version=results[first]["snapshot_id"]) == expected_counts(first)


def test_two_concurrent_publishers_both_land_and_the_catalog_stays_whole(
    lake_env: lake.LakeSettings, tmp_path: Path
) -> None:
    builds = {v: tmp_path / f"build_v{v}.duckdb" for v in (1, 2)}
    for version, path in builds.items():
        make_build(path, version)

    # 1. Both writers wait on the lock (held here) against a catalog not even created yet, then race for it.
    held = _run_writers(builds, tmp_path, "held", hold_lock_of=lake_env)
    assert all(r["waited_s"] >= 1.0 for r in held.values()), held
    _check_both_landed(held, lake_env, "held")

    # 2. Both started at the same moment, nobody holding the lock: they serialize themselves.
    free = _run_writers(builds, tmp_path, "free")
    _check_both_landed(free, lake_env, "free")
    assert min(r["snapshot_id"] for r in free.values()) == max(r["snapshot_id"] for r in held.values()) + 1


# ---------------------------------------------------------------------------------------------
# (c) readers during a write see a whole snapshot


def test_readers_during_a_publish_see_the_old_or_the_new_snapshot_whole(
    lake_env: lake.LakeSettings, tmp_path: Path
) -> None:
    old_build, new_build = tmp_path / "v1.duckdb", tmp_path / "v3.duckdb"
    make_build(old_build, 1)
    make_build(new_build, 3)  # 150,000 events: the write takes a while
    lake_publish.publish_to_lake(old_build, lake_env, run_id="old")

    stop = tmp_path / "stop"
    reader = run_script(READER, str(stop), "90")
    assert json.loads(reader.stdout.readline())["ready"]  # connected, about to loop
    started = time.time()
    lake_publish.publish_to_lake(new_build, lake_env, run_id="new")
    finished = time.time()
    time.sleep(0.5)
    stop.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    reads = [json.loads(line) for line in out.splitlines() if line.strip()]

    def version_row(version: int) -> list[float]:
        dims, events, runs = VERSIONS[version]
        return [dims, events, runs, 3, version, float(sum(range(events)) * version)]

    old, new = version_row(1), version_row(3)
    assert reads, err
    for read in reads:
        assert read["row"] in (old, new), read
    assert reads[0]["row"] == old and reads[-1]["row"] == new
    during = [r for r in reads if started <= r["at"] <= finished]
    assert during, "no read ran while the publish was writing"
    # once the new snapshot is seen it stays seen
    first_new = next(i for i, r in enumerate(reads) if r["row"] == new)
    assert all(r["row"] == new for r in reads[first_new:])


# ---------------------------------------------------------------------------------------------
# (d) time travel


def test_a_reader_can_time_travel_to_the_previous_snapshot(lake_env: lake.LakeSettings, tmp_path: Path) -> None:
    v1, v2 = tmp_path / "v1.duckdb", tmp_path / "v2.duckdb"
    make_build(v1, 1)
    make_build(v2, 2)
    first = lake_publish.publish_to_lake(v1, lake_env, run_id="one")["snapshot_id"]
    second = lake_publish.publish_to_lake(v2, lake_env, run_id="two")["snapshot_id"]
    assert second > first

    con = lake.connect(lake_env)
    try:
        con.execute(f"ATTACH '{v1}' AS v1 (READ_ONLY)")
        con.execute(f"ATTACH '{v2}' AS v2 (READ_ONLY)")
        at = f" AT (VERSION => {first})"
        for table in expected_counts(1):
            assert table_rows(con, f"lake.{table}", at) == table_rows(con, f"v1.{table}"), table
            assert table_rows(con, f"lake.{table}") == table_rows(con, f"v2.{table}"), table
    finally:
        con.close()
    assert lake.read_lake_counts(lake_env, snapshot_version=first) == expected_counts(1)
    pinned = lake.connect(lake_env, snapshot_version=first)
    try:
        assert pinned.execute("select max(version) from marts.dim_things").fetchone()[0] == 1
    finally:
        pinned.close()


# ---------------------------------------------------------------------------------------------
# (e) the dashboard reads the lake, and its SQL console stays locked


CONSOLE_REFUSALS = {
    "read_csv": "select * from read_csv('/etc/passwd')",
    "read_text": "select * from read_text('/etc/hostname')",
    "glob": "select * from glob('/etc/*')",
    "copy_to": "copy (select * from marts.dim_things) to '/tmp/dcpulse_lake_leak.csv'",
    "copy_into_the_lake_data": "copy (select 1 as x) to '{data}evil.parquet'",
    "attach": "attach ':memory:' as scratch",
    "install": "install httpfs",
    "load": "load '{ext}'",
    "set": "set enable_external_access = true",
    "insert": "insert into marts.dim_things (thing_id) values (-1)",
    "create_table": "create table marts.evil as select 1 as x",
    "drop": "drop table marts.dim_things",
    "postgres_query": "select * from postgres_query('__ducklake_metadata_wh', 'select pg_read_file(''/etc/passwd'')')",
    "postgres_scan": "select * from postgres_scan('host=127.0.0.1 dbname=postgres', 'public', 'x')",
    "query_string": "select * from query('select * from postgres_query(''x'', ''select 1'')')",
    "maintenance": "select * from ducklake_cleanup_old_files('wh', cleanup_all => true)",
    "maintenance_catalog_method": "call wh.expire_snapshots(older_than => now())",
}


@pytest.fixture
def dashboard_lake(lake_env: lake.LakeSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # no serving file at all: the dashboard must not need one
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(tmp_path / "no_warehouse"))
    st.cache_data.clear()
    st.cache_resource.clear()
    build = tmp_path / "v1.duckdb"
    make_build(build, 1)
    lake_publish.publish_to_lake(build, lake_env, run_id="dash")
    yield build
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module")
def shared_lake(pg_server: pgserver.PgServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One lake with version 1 published, shared by the console refusal tests (they never change it)."""
    folder = tmp_path_factory.mktemp("shared_lake")
    env = {
        lake.ENV_CATALOG: f"postgres:{pg_server.create_database(f'lake_{uuid.uuid4().hex[:10]}')}",
        lake.ENV_DATA: str(folder / "lake_data"),
    }
    settings = lake.lake_settings_from_env(env)
    assert settings is not None
    make_build(folder / "v1.duckdb", 1)
    lake_publish.publish_to_lake(folder / "v1.duckdb", settings, run_id="shared")
    return {**env, "DCPULSE_WAREHOUSE_DIR": str(folder / "no_warehouse")}


@pytest.fixture
def console_lake(shared_lake: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[lake.LakeSettings]:
    for name, value in shared_lake.items():
        monkeypatch.setenv(name, value)
    st.cache_data.clear()
    st.cache_resource.clear()
    settings = lake.lake_settings_from_env()
    assert settings is not None
    yield settings
    st.cache_data.clear()
    st.cache_resource.clear()


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def test_dashboard_queries_read_the_lake_and_see_a_new_publish(
    dashboard_lake: Path, lake_env: lake.LakeSettings, tmp_path: Path
) -> None:
    from dashboards import data

    key = data.warehouse_key()
    assert key[0].startswith("lake:") and "dbname=lake_" in key[0]
    assert data.query("select count(*) as n from marts.fct_events")["n"][0] == VERSIONS[1][1]
    assert data.table_columns("marts.dim_things") == {"thing_id", "name", "version", "weight"}
    assert abs(data.published_at() - time.time()) < 600

    v2 = tmp_path / "v2.duckdb"
    make_build(v2, 2)
    lake_publish.publish_to_lake(v2, lake_env, run_id="dash-2")
    assert data.warehouse_key()[1] == key[1] + 1  # the cache key is the latest snapshot
    assert data.query("select count(*) as n from marts.fct_events")["n"][0] == VERSIONS[2][1]


@pytest.mark.parametrize("name", sorted(CONSOLE_REFUSALS))
def test_lake_console_refuses_everything_but_reading_the_tables(name: str, console_lake: lake.LakeSettings) -> None:
    from dashboards import data

    data_dir = Path(console_lake.data_path or "")
    sql = CONSOLE_REFUSALS[name].format(data=console_lake.data_path, ext=lake.extension_file("ducklake"))
    before = _listing(data_dir)
    snapshot = data.warehouse_key()[1]
    with pytest.raises(data.SqlConsoleError) as refused:
        data.run_readonly_sql(sql)
    message = str(refused.value)
    assert message.startswith("Refused"), message
    assert _listing(data_dir) == before
    assert data.warehouse_key()[1] == snapshot  # nothing committed
    assert not Path("/tmp/dcpulse_lake_leak.csv").exists()
    counted = data.run_readonly_sql("select count(*) as n from marts.fct_events")
    assert counted["n"][0] == VERSIONS[1][1]


def test_lake_console_reads_tables_snapshots_and_time_travel(console_lake: lake.LakeSettings) -> None:
    from dashboards import data

    assert data.run_readonly_sql("select count(*) as n from marts.dim_things")["n"][0] == VERSIONS[1][0]
    history = data.run_readonly_sql("select snapshot_id, commit_message from wh.snapshots() order by 1")
    assert history["commit_message"][-1].startswith("dcpulse publish run shared")
    first = history["snapshot_id"][-1]
    assert data.run_readonly_sql(f"select count(*) as n from meta.runs at (version => {first})")["n"][0] == 1
