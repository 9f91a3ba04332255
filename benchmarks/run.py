"""``make bench``: the whole pipeline cold and warm, wall time and peak memory per stage.

Each stage runs in its own process (so its peak RSS is its own, read with ``os.wait4``):
ingest (all sources -> raw), dbt (``dbt build``: models and tests), forecast (scenarios, backtest),
publish (checkpoint + atomic replace). "cold" starts from an empty warehouse folder; "warm" runs
again on the warehouse the cold run left. Then the scenario function that drives the dashboard's
sliders is timed in-process on the real marts. Figures are printed, not asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

STAGES = {
    "ingest": [sys.executable, "-m", "orchestration.lib.load_raw"],
    "dbt": [str(BIN / "dbt"), "build", "--quiet", "--profiles-dir", ".", "--project-dir", "."],
    "forecast": [
        sys.executable,
        "-c",
        "from orchestration.lib.forecast_build import build_forecast\n"
        "from orchestration.lib.warehouse import connect_build\n"
        "with connect_build() as con: build_forecast(con)",
    ],
    "publish": [sys.executable, "-c", "from orchestration.lib.warehouse import publish; publish('bench')"],
}


def run_stage(name: str, env: dict[str, str]) -> tuple[float, float]:
    cwd = ROOT / "dbt_project" if name == "dbt" else ROOT
    start = time.perf_counter()
    proc = subprocess.Popen(STAGES[name], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"stage {name} failed ({proc.returncode}):\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def scenario_timing(warehouse: Path, calls: int = 50) -> tuple[float, float, int]:
    import duckdb

    from transforms.forecast import forecast_scenario, load_scenarios, pipeline_from_deployments

    con = duckdb.connect(str(warehouse / "dcpulse.duckdb"), read_only=True)
    history = con.execute("select * from marts.fct_ai_demand_by_tier").pl()
    pipeline = pipeline_from_deployments(
        con.execute("select * from marts.fct_ai_deployments").pl(), con.execute("select * from marts.dim_markets").pl()
    )
    con.close()
    scenarios = load_scenarios()
    forecast_scenario(history, pipeline, "base", scenarios=scenarios)  # warm-up
    times = []
    for i in range(calls):
        start = time.perf_counter()
        forecast_scenario(
            history, pipeline, "base", overrides={"inference_share_target": 0.4 + i / 500}, scenarios=scenarios
        )
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), history.height


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="dcpulse-bench-") as tmp:
        env = {**os.environ, "DCPULSE_WAREHOUSE_DIR": tmp}
        env["DCPULSE_DUCKDB_PATH"] = str(Path(tmp) / "build" / "dcpulse_build.duckdb")
        print(f"{'run':6s} {'stage':9s} {'wall s':>8s} {'peak MiB':>9s}")
        for label in ("cold", "warm"):
            total = 0.0
            for stage in STAGES:
                wall, rss = run_stage(stage, env)
                total += wall
                print(f"{label:6s} {stage:9s} {wall:8.2f} {rss:9.0f}")
            print(f"{label:6s} {'total':9s} {total:8.2f}")
        median, worst, rows = scenario_timing(Path(tmp))
        print(
            f"\nscenario function (forecast_scenario, base + one override, {rows} history rows): "
            f"median {median:.1f} ms, max {worst:.1f} ms over 50 calls"
        )
        size = (Path(tmp) / "dcpulse.duckdb").stat().st_size
        print(f"serving warehouse: {size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
