"""Fault tests: each really does it - kill -9, concurrent readers, a full disk, a failing gate, bad files.

One module-scoped environment (a copy of the shipped sources, a warehouse folder, a Dagster home) is
published once; then each test runs ``python -m orchestration.run`` as a subprocess in its own process
group (the way ``make run`` does) and checks what the published warehouse looks like afterwards.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
MARTS_COMPARED = (
    "dim_markets",
    "dim_gpus",
    "fct_facilities",
    "fct_ai_deployments",
    "fct_ai_demand_by_tier",
    "fct_ai_pipeline",
    "fct_market_summary",
    "fct_energy_prices",
    "fct_gpu_prices",
    "fct_demand_forecast",
    "fct_forecast_backtest",
    "ref_published_projections",
)


class Env:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sources = root / "sources"
        self.warehouse = root / "warehouse"
        self.home = root / "dagster_home"
        self.baseline: dict[str, int] = {}
        shutil.copytree(SOURCES, self.sources)
        self.home.mkdir()
        shutil.copy(ROOT / "orchestration" / "dagster.yaml", self.home / "dagster.yaml")

    @property
    def serving(self) -> Path:
        return self.warehouse / "dcpulse.duckdb"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DCPULSE_SOURCES_DIR": str(self.sources),
            "DCPULSE_WAREHOUSE_DIR": str(self.warehouse),
            "DAGSTER_HOME": str(self.home),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DCPULSE_FORCE_RUN": "1",  # same input on purpose: the run must not stop at "nothing changed"
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        }
        env.pop("DCPULSE_ACK_DRIFT", None)
        env.pop("DCPULSE_FAULT_PAUSE", None)
        env.update(extra)
        return env

    def start(self, **extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "orchestration.run"],
            cwd=ROOT,
            env=self.env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: the kill takes dbt's subprocess too
        )

    def run(self, **extra: str) -> tuple[int, str]:
        proc = self.start(**extra)
        out, _ = proc.communicate(timeout=900)
        return proc.returncode, out

    def latest_log(self) -> Path | None:
        logs = sorted((self.warehouse / "logs").glob("run-*.log"))
        return logs[-1] if logs else None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def readable(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sum(con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in MARTS_COMPARED)
    finally:
        con.close()


def marts_content(path: Path) -> dict[str, set[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: set(con.execute(f"select * from marts.{t}").fetchall()) for t in MARTS_COMPARED}
    finally:
        con.close()


def kill_when(proc: subprocess.Popen, env: Env, marker: str, after: float = 0.0, timeout: float = 600) -> None:
    """SIGKILL the run's whole process group once ``marker`` shows in its log (plus ``after`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = env.latest_log()
        if log is not None and marker in log.read_text(errors="replace"):
            time.sleep(after)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {marker!r}:\n{proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError(f"{marker!r} never showed in the run's log")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    e = Env(tmp_path_factory.mktemp("faults"))
    code, out = e.run()
    assert code == 0, out
    con = duckdb.connect(str(e.serving), read_only=True)
    e.baseline = dict(con.execute("select source_table, rows_loaded from meta.source_files").fetchall())
    con.close()
    return e


@pytest.mark.parametrize(
    ("stage", "marker", "extra"),
    [
        ("ingest", 'Started execution of step "raw__', {}),
        ("dbt", 'Started execution of step "dcpulse_dbt_assets"', {}),
        (
            "publish",
            'Started execution of step "serving__dcpulse_warehouse"',
            {"DCPULSE_FAULT_PAUSE": "publish_before_swap:60"},
        ),
    ],
)
def test_kill_9_leaves_the_published_warehouse_byte_identical_and_readable(
    env: Env, stage: str, marker: str, extra: dict[str, str]
) -> None:
    before = sha256(env.serving)
    if stage != "publish":
        # a cold build (no build file): ingest reads every file and dbt builds every model when the kill lands
        shutil.rmtree(env.warehouse / "build", ignore_errors=True)
    # (publish: the kill lands while the finished build file is being swapped in; how much of it this run
    # rebuilt does not matter, so the build stays and the run gets there sooner)
    proc = env.start(**extra)
    kill_when(proc, env, marker, after=3.0 if stage != "publish" else 2.0)
    assert sha256(env.serving) == before, f"kill -9 during {stage} changed the published file"
    assert readable(env.serving) > 0


def test_the_next_run_succeeds_publishes_identical_marts_and_readers_see_no_error(env: Env) -> None:
    before = marts_content(env.serving)
    errors: list[str] = []
    queries = 0
    stop = threading.Event()

    def reader() -> None:
        nonlocal queries
        while not stop.is_set():
            try:
                con = duckdb.connect(":memory:")
                con.execute(f"attach '{env.serving}' as wh (read_only)")
                con.execute("select count(*), sum(facility_power_mw) from wh.marts.fct_ai_demand_by_tier").fetchone()
                con.close()
                queries += 1
            except Exception as error:  # noqa: BLE001 - every failure is the test's finding
                errors.append(repr(error))
            time.sleep(0.05)

    threads = [threading.Thread(target=reader) for _ in range(20)]
    for t in threads:
        t.start()
    try:
        code, out = env.run()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert code == 0, out
    assert errors == [], errors[:3]
    assert queries > 100
    assert not list(env.warehouse.glob(".*.tmp"))  # the killed publish's copy is cleaned up
    assert marts_content(env.serving) == before  # same input, same marts (timestamps and run ids are in meta)


def test_a_full_disk_fails_the_run_clearly_and_leaves_the_published_warehouse(env: Env) -> None:
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.fail("this test mounts a small tmpfs as the build folder: run it as root (CI does)")
    before = sha256(env.serving)
    build = env.warehouse / "build"
    saved = env.root / "build.saved"
    shutil.move(build, saved)
    build.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(build)], check=True)
    try:
        code, out = env.run()
    finally:
        subprocess.run(["umount", str(build)], check=True)
        build.rmdir()
        shutil.move(saved, build)
    assert code != 0
    assert "is full" in out and "Nothing was published" in out, out
    assert sha256(env.serving) == before


def test_a_drift_beyond_its_threshold_blocks_publishing_until_acknowledged(env: Env) -> None:
    import dagster as dg

    before = sha256(env.serving)
    path = env.sources / "ember" / "wholesale_prices_monthly.csv"
    original = path.read_bytes()
    lines = original.split(b"\n")
    path.write_bytes(b"\n".join(lines[: len(lines) * 2 // 3]) + b"\n")  # a third of the rows gone
    try:
        code, out = env.run()
        assert code != 0 and "Nothing was published" in out, out
        assert sha256(env.serving) == before
        # from Dagster's event log: the gate failed, and nothing after it materialised
        instance = dg.DagsterInstance.from_config(str(env.home))
        run = instance.get_runs(limit=1)[0]
        records = instance.all_logs(run.run_id)
        checks = [
            r.dagster_event
            for r in records
            if r.dagster_event and r.dagster_event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ]
        gate = [c for c in checks if c.asset_check_evaluation_data.check_name == "within_drift_thresholds"]
        assert gate and not gate[0].asset_check_evaluation_data.passed
        materialized = {
            r.dagster_event.asset_key.to_user_string()
            for r in records
            if r.dagster_event and r.dagster_event.is_step_materialization
        }
        assert "serving/dcpulse_warehouse" not in materialized
        code, out = env.run(DCPULSE_ACK_DRIFT="ember_wholesale_prices")
        assert code == 0, out
        assert sha256(env.serving) != before
    finally:
        path.write_bytes(original)


def test_bad_files_quarantine_their_lines_and_a_missing_file_keeps_its_last_good_rows(env: Env) -> None:
    baseline = env.baseline
    # The reported fault: one unterminated quote at line 7 of the EIA file swallowed the rest.
    eia = env.sources / "eia" / "avgprice_annual_1990_2019.csv"
    lines = eia.read_bytes().split(b"\n")
    lines.insert(6, b'2019,"XX,Total Electric Industry,1,2,3,4,5,6')
    eia.write_bytes(b"\n".join(lines))
    # Every other data file: a record with too many fields, a broken quote, invalid UTF-8 and a duplicate.
    damaged = {}
    for rel in (
        "epoch/data_centers.csv",
        "epoch/data_center_timelines.csv",
        "fractracker/us_datacenters.csv",
        "ember/wholesale_prices_monthly.csv",
        "skypilot/gpu_cloud_prices.csv",
    ):
        path = env.sources / rel
        rows = path.read_bytes().rstrip(b"\n").split(b"\n")
        rows += [rows[-1] + b",extra", b'"broken' + rows[-1], rows[-1].replace(b",", b"\xff,", 1)]
        path.write_bytes(b"\n".join(rows) + b"\n")
        damaged[rel] = len(rows)
    (env.sources / "epoch" / "ml_hardware.csv").unlink()  # a source that cannot be read at all
    code, out = env.run()
    assert code == 0, out
    assert "STALE" in out and "epoch_ml_hardware" in out
    con = duckdb.connect(str(env.serving), read_only=True)
    try:
        loaded = dict(con.execute("select source_table, rows_loaded from meta.source_files").fetchall())
        assert loaded == baseline  # every good row of every source loads (the stale one keeps its last good rows)
        stale = con.execute(
            "select is_stale, stale_reason, stale_since from meta.source_files where source_table = 'epoch_ml_hardware'"
        ).fetchone()
        assert stale[0] and "not found" in stale[1] and stale[2] is not None
        quarantined = set(
            con.execute(
                "select source_file, source_row from quarantine.rejected_rows where action = 'row_rejected'"
            ).fetchall()
        )
        assert ("eia/avgprice_annual_1990_2019.csv", 7) in quarantined
        for rel, count in damaged.items():
            assert {(rel, count - 2), (rel, count - 1), (rel, count)} <= quarantined, rel
    finally:
        con.close()
