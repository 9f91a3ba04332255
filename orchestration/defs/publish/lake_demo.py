"""``make lake-demo``: publish the current marts to a DuckLake lake in ``data/lake/`` and read them back.

1. Takes the serving warehouse (``$DCPULSE_WAREHOUSE_DIR/dcpulse.duckdb``), else the build file; with
   neither, runs ``make run`` first.
2. Starts a real PostgreSQL (Debian's ``postgresql``; installed with apt-get if missing) in
   ``data/lake/pg/`` on 127.0.0.1 and a free port (see :mod:`orchestration.defs.publish.pgserver`).
3. Publishes every marts and meta table to the lake (catalog in that PostgreSQL, Parquet files in
   ``data/lake/data/``) as one snapshot, reads the counts back through the ducklake extension and prints
   ``lake marts: N tables, M rows`` next to the warehouse's own counts; exits 1 if they differ.
4. Stops the server by PID whatever happens.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.defs.publish import pgserver
from orchestration.defs.publish.lake_publish import publish_to_lake
from transforms.storage import lake
from transforms.storage.paths import PROJECT_ROOT, build_path, serving_path

LAKE_DIR = PROJECT_ROOT / "data" / "lake"


def _source_file() -> Path:
    for candidate in (serving_path(), build_path()):
        if candidate.is_file():
            return candidate
    print("No warehouse yet: running `make run` first.", flush=True)
    subprocess.run(["make", "--no-print-directory", "run"], cwd=PROJECT_ROOT, check=True)
    if not serving_path().is_file():
        raise SystemExit("make run did not publish a warehouse")
    return serving_path()


def _counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'src' "
            "and table_schema in ('marts', 'meta') and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from src."{s}"."{t}"').fetchone()[0] for s, t in tables}
    finally:
        con.close()


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # runs the finally below, which stops the server


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    source = _source_file()
    expected = _counts(source)
    problem = pgserver.ensure_binaries()
    if problem:
        raise SystemExit(problem)
    server = pgserver.PgServer(LAKE_DIR / "pg")
    try:
        server.start()
        print(f"PostgreSQL {server.conninfo} (pid {server.pid}, folder {server.folder})", flush=True)
        settings = lake.LakeSettings(catalog=f"postgres:{server.conninfo}", data_path=f"{LAKE_DIR / 'data'}/")
        result = publish_to_lake(source, settings, run_id="lake-demo")
        got = lake.read_lake_counts(settings)
        print(f"published {source} as snapshot {result['snapshot_id']} (data files in {settings.data_path})")
        print(f"warehouse marts: {len(expected)} tables, {sum(expected.values())} rows")
        print(f"lake marts: {len(got)} tables, {sum(got.values())} rows")
        if got != expected:
            for name in sorted(set(got) | set(expected)):
                if got.get(name) != expected.get(name):
                    print(f"  DIFFERS {name}: warehouse {expected.get(name)}, lake {got.get(name)}")
            return 1
        return 0
    finally:
        pid = server.pid
        server.stop()
        if pid:
            print(f"PostgreSQL stopped (pid {pid})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
