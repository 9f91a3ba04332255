"""make refresh end to end: fetch every live source from a mirror on 127.0.0.1, publish what was fetched;
then the mirror goes away: every fetch fails, each source keeps its last good rows and is reported stale;
then make run (offline) reads the newest good landing, fresh again.

The mirror is Python's http.server in its own process group, stopped by PID. Each run is `python -m
orchestration.run` in a subprocess, as make runs it.
"""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.connectors.registry import CONNECTORS
from tests.servers import serve_folder, stop

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):
    from orchestration.defs.connectors.mirror import build_mirror

    root = tmp_path_factory.mktemp("refresh")
    # the publisher's newer file: one Lambda price up 10 %
    changed = root / "publisher"
    build_mirror(changed, SOURCES)
    prices = changed / "skypilot" / "lambda_gpu_prices.csv"
    text = prices.read_text()
    row = next(line for line in text.splitlines() if ",gpu_8x_v100," in line)
    fields = row.split(",")
    fields[6] = f"{float(fields[6]) * 1.1:.2f}"
    prices.write_text(text.replace(row, ",".join(fields)))
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and k != "DCPULSE_SOURCES_DIR"}
    env.update(
        DCPULSE_WAREHOUSE_DIR=str(root / "warehouse"),
        DCPULSE_LANDING_DIR=str(root / "landing"),
        DCPULSE_INBOX_DIR=str(root / "inbox"),
        DAGSTER_HOME=str(root / "dagster_home"),
        DCPULSE_HTTP_ATTEMPTS="2",
        DCPULSE_HTTP_BACKOFF_BASE="0.01",
        DCPULSE_HTTP_BACKOFF_MAX="0.05",
        DCPULSE_HTTP_CONNECT_TIMEOUT="2",
        DCPULSE_HTTP_READ_TIMEOUT="30",
    )
    env.pop("EIA_API_KEY", None)
    (root / "dagster_home").mkdir()
    return root, changed, env, float(fields[6])


def _run(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    return out.stdout


def _sources(root: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(root / "warehouse" / "dcpulse.duckdb"), read_only=True)
    try:
        return {
            r[0]: r[1:]
            for r in con.execute(
                "select source_table, origin, fetch_status, coalesce(is_stale, false), stale_reason, rows_loaded, "
                "url, sha256 from meta.source_files"
            ).fetchall()
        }
    finally:
        con.close()


def _stale_not_by_age(stale: bool, reason: str | None) -> bool:
    """Stale for a reason other than the data's age (a fetch or a file that failed). The shipped files' data
    can be older than their publisher's cadence allows, which is staleness too, but not this test's subject."""
    return bool(stale) and not (reason or "").startswith("data out of date:")


def _v100_price(root: Path) -> float:
    con = duckdb.connect(str(root / "warehouse" / "dcpulse.duckdb"), read_only=True)
    try:
        return con.execute(
            "select max(price_usd_per_hour) from raw.lambda_gpu_prices where instance_type = 'gpu_8x_v100'"
        ).fetchone()[0]
    finally:
        con.close()


def test_refresh_fetches_then_a_dead_mirror_leaves_every_source_stale_with_its_last_good_rows(setup) -> None:
    root, mirror, env, new_price = setup
    proc, url = serve_folder(mirror)
    try:
        out = _run({**env, "DCPULSE_MIRROR_URL": url}, "--fetch")
    finally:
        stop(proc)
    assert "fetch_and_refresh_job succeeded" in out and "stages: fetch" in out
    fetched = _sources(root)
    for table in CONNECTORS:
        if (SOURCES / CONNECTORS[table].rel_path).exists():
            origin, status, stale, reason, _, source_url, _ = fetched[table]
            assert (origin, status, _stale_not_by_age(stale, reason)) == ("mirror", "ok", False), table
            assert source_url == url + CONNECTORS[table].rel_path
    assert fetched["ref_markets"][:2] == ("shipped", "not_fetched")  # reference tables are ours, not fetched
    assert _v100_price(root) == pytest.approx(new_price)  # the publisher's newer file is what was published

    # the mirror is gone: every fetch fails fast; the run still publishes, each source stale on its last good rows
    out = _run({**env, "DCPULSE_MIRROR_URL": url}, "--fetch")
    failed = _sources(root)
    for table in CONNECTORS:
        if table in fetched:
            _, status, stale, reason, rows, _, sha = failed[table]
            assert status == "failed" and stale, table
            assert reason.startswith("fetch failed:") and "127.0.0.1" in reason, reason
            assert (rows, sha) == (fetched[table][4], fetched[table][6]), table  # the same rows as before
    assert "STALE since" in out and "fix the file or the connection" in out
    assert _v100_price(root) == pytest.approx(new_price)

    # make run, offline: the newest good file of each source is the mirror's landing; fresh again
    out = _run({**env, "DCPULSE_FORCE_RUN": "1"})
    offline = _sources(root)
    assert offline["lambda_gpu_prices"][:2] == ("mirror", "not_fetched")
    assert not any(_stale_not_by_age(v[2], v[3]) for v in offline.values()), "good landings are stale only by age"
    assert _v100_price(root) == pytest.approx(new_price)
