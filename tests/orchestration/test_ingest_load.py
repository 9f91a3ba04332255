"""Loading sources into the build warehouse: idempotent, lineage on every row, corrupt files quarantined."""

import csv
import hashlib
import io

import duckdb

from orchestration.build_warehouse import connect_build
from orchestration.defs.ingest.load_raw import load_all
from orchestration.defs.ingest.source_bookkeeping import ingest_table, parse_context
from orchestration.defs.publish.serving import publish
from transforms.storage.paths import build_path, serving_path


def _count(sql: str) -> int:
    con = duckdb.connect(str(build_path()), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _rows(sql: str) -> list[tuple]:
    con = duckdb.connect(str(build_path()), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _source_files() -> dict[str, tuple]:
    rows = _rows("select source_table, source_file, sha256, rows_loaded from meta.source_files")
    return {table: tuple(rest) for table, *rest in rows}


def _raw_tables() -> set[str]:
    return {t for (t,) in _rows("select table_name from duckdb_tables() where schema_name = 'raw'")}


def test_every_raw_row_carries_lineage_and_reingesting_adds_no_rows(temp_env):
    load_all()
    first = _count("select count(*) from raw.epoch_gpu_clusters")
    quarantined = _count("select count(*) from quarantine.rejected_rows")
    bookkept = _source_files()
    load_all()
    assert _count("select count(*) from raw.epoch_gpu_clusters") == first == 786
    assert _count("select count(*) from quarantine.rejected_rows") == quarantined
    # one bookkeeping row per raw table, unchanged by the second load (same file, same rows)
    assert _source_files() == bookkept
    assert set(bookkept) == _raw_tables()
    assert (
        _count("""select count(*) from raw.epoch_gpu_clusters where _source_file is null
                     or _source_sha256 is null or _source_row is null or _loaded_at is null""")
        == 0
    )
    sha = hashlib.sha256((temp_env["sources"] / "epoch/gpu_clusters.csv").read_bytes()).hexdigest()
    assert _count(f"select count(*) from raw.epoch_gpu_clusters where _source_sha256 = '{sha}'") == 786


def test_corrupted_copy_quarantines_bad_rows_and_loads_good_ones(temp_env):
    path = temp_env["sources"] / "epoch/gpu_clusters.csv"
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = records[0]
    records[10][header.index("Power Capacity (MW)")] = "-150"  # an impossible value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    body = out.getvalue().encode()
    # a record with too few fields, and one with bytes that are not UTF-8, appended at the end
    body += b"this,is,not,a,valid,record\n" + b"\xff\xfe broken" + b"," * (len(header) - 1) + b"\n"
    path.write_bytes(body)
    before = path.read_bytes()

    with connect_build() as con:
        summary = ingest_table(con, "epoch_gpu_clusters", temp_env["sources"], context=parse_context())
    assert path.read_bytes() == before  # raw files are never modified
    assert summary.rows_rejected == 3
    assert summary.rows_loaded == 786 - 1
    assert summary.rows_in_file == 788
    con = duckdb.connect(str(build_path()), read_only=True)
    rows = con.execute("""select source_row, field, reason from quarantine.rejected_rows
                          where source_table = 'epoch_gpu_clusters' and action = 'row_rejected'
                          order by source_row""").fetchall()
    con.close()
    reasons = " | ".join(r[2] for r in rows)
    assert "malformed CSV record" in reasons and "not valid UTF-8" in reasons and "below minimum 0" in reasons
    assert all(r[0] > 1 for r in rows)


def test_empty_source_file_keeps_the_previous_load_and_is_reported(temp_env):
    load_all()
    (temp_env["sources"] / "epoch/ml_hardware.csv").write_bytes(b"")
    with connect_build() as con:
        summary = ingest_table(con, "epoch_ml_hardware", temp_env["sources"])
    assert summary.file_rejected
    assert _count("select count(*) from raw.epoch_ml_hardware") == 170
    assert (
        _count("select count(*) from meta.source_files where source_table='epoch_ml_hardware' and file_rejected") == 1
    )


def test_publish_swaps_atomically_while_a_reader_holds_the_old_file(temp_env):
    load_all()
    publish("run-1")
    reader = duckdb.connect(str(serving_path()), read_only=True)
    old = reader.execute("select count(*) from meta.runs").fetchone()[0]
    publish("run-2")  # must not fail although a reader holds the serving file
    assert reader.execute("select count(*) from meta.runs").fetchone()[0] == old
    reader.close()
    fresh = duckdb.connect(str(serving_path()), read_only=True)
    assert fresh.execute("select count(*) from meta.runs").fetchone()[0] == old + 1
    fresh.close()
    assert not list(serving_path().parent.glob(".*.tmp"))


def test_a_second_run_is_refused_while_one_holds_the_build(temp_env):
    import subprocess
    import sys

    import pytest

    from orchestration.build_warehouse import RunInProgressError, run_lock

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nfrom orchestration.build_warehouse import run_lock\n"
            "with run_lock():\n    print('held', flush=True)\n    time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunInProgressError, match=f"pid {holder.pid}"), run_lock():
            pass
    finally:
        holder.kill()
        holder.wait()
    with run_lock():  # released when the holder dies
        pass


def test_a_truncated_workbook_keeps_the_last_good_load_and_names_the_file(temp_env):
    """The EIA-861M source is the publisher's .xlsx: a download cut short is not a zip any more. The
    file is rejected whole with its name in the reason, the last good rows stay, the raw file is kept."""
    load_all()
    table = "eia_retail_sales_monthly"
    before_rows = _count(f"select count(*) from raw.{table}")
    assert before_rows > 0
    path = temp_env["sources"] / "eia/eia861m_sales_revenue.xlsx"
    truncated = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(truncated)
    with connect_build() as con:
        summary = ingest_table(con, table, temp_env["sources"], context=parse_context())
    assert path.read_bytes() == truncated
    assert summary.file_rejected and summary.is_stale
    assert "eia861m_sales_revenue.xlsx" in (summary.stale_reason or "")
    assert _count(f"select count(*) from raw.{table}") == before_rows


def test_data_age_against_the_publishers_cadence():
    """A source is stale by age when its newest data (the snapshot's retrieval day, or an expression over its raw
    table) is older than the publisher's cadence plus publication lag; without a cadence, never."""
    from datetime import date, datetime

    from orchestration.defs.ingest.data_age import data_age

    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.monthly as select 2025 as year, unnest([3, 4]) as month")
    loaded = datetime(2026, 12, 5, 8, 0)
    snapshot = {"publisher": "SkyPilot", "cadence_days": 7, "publication_lag_days": 0, "newest_data": "retrieved"}
    old = data_age(con, "prices", snapshot, "2026-01-15", loaded)
    assert old.newest == date(2026, 1, 15) and old.max_age_days == 7
    assert old.reason is not None and "324 days old" in old.reason and "every 7 days" in old.reason
    assert old.stale_since == datetime(2026, 1, 22)
    assert data_age(con, "prices", snapshot, "2026-12-01", loaded).reason is None
    monthly = {
        "publisher": "EIA",
        "cadence_days": 31,
        "publication_lag_days": 62,
        "newest_data": "sql: max(make_date(year, month, 1) + interval 1 month - interval 1 day)",
    }
    eia = data_age(con, "monthly", monthly, "2025-08-10", loaded)
    assert eia.newest == date(2025, 4, 30) and eia.max_age_days == 93 and "62 days to publish" in eia.reason
    assert data_age(con, "monthly", monthly, None, datetime(2025, 7, 1)).reason is None  # 62 days: within 93
    archive = {"cadence_days": None, "newest_data": None}
    assert data_age(con, "monthly", archive, "2020-10-01", loaded).reason is None


def test_shipped_snapshots_older_than_their_cadence_are_reported_stale(temp_env):
    """The GPU price snapshot (retrieved 2026-01-15, a weekly catalog) is stale by age with its reason; the
    curated references never are; a source stale by age was read, not kept from an earlier load."""
    load_all()
    con = duckdb.connect(str(build_path()), read_only=True)
    try:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select source_table, is_stale, stale_reason, file_rejected, cadence_days from meta.source_files"
            ).fetchall()
        }
    finally:
        con.close()
    stale, reason, rejected, cadence = rows["skypilot_gpu_prices"]
    assert stale and not rejected and cadence == 7
    assert reason.startswith("data out of date: newest data 2026-01-15")
    assert rows["ref_markets"][0] is False and rows["ref_markets"][3] is None
