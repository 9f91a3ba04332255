"""``make run`` (refresh_all_job, offline) and ``make refresh`` (``--fetch``: fetch_and_refresh_job, which
fetches every live source first): execute the job once, in this process, and report it in a few lines.

The full Dagster and dbt log goes to ``$DCPULSE_WAREHOUSE_DIR/logs/run-<UTC time>.log``; the terminal
gets a progress line while the run goes, then one line per stage with its time, the sources (stale
ones first), what was published and where to look next.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.build_warehouse import RunInProgressError, run_lock
from transforms.storage.paths import serving_path, sources_dir, warehouse_dir

STEP_START = re.compile(r'STEP_START - Started execution of step "([^"]+)"')


def stage_of(step_key: str) -> str:
    """The report's stage for a Dagster step key."""
    if step_key.startswith("landing__"):
        return "fetch"
    if step_key.startswith("raw__"):
        return "ingest"
    if step_key.startswith("meta__source_drift"):
        return "checks"
    if "dbt" in step_key:
        return "dbt"
    if step_key.startswith("forecast") or step_key.startswith("meta__parameters"):
        return "forecast"
    if step_key.startswith("serving__"):
        return "publish"
    return "other"


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (Dagster's log, dbt's subprocess) to ``log``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "ab", buffering=0) as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _progress(log: Path, terminal: int, stop: threading.Event, total: int) -> None:
    """Rewrite one line on the terminal with the step the run is in (only on a terminal)."""
    seen = 0
    started = time.monotonic()
    while not stop.wait(0.5):
        try:
            text = log.read_text(errors="replace")
        except FileNotFoundError:
            continue
        steps = STEP_START.findall(text)
        seen = len(steps)
        current = steps[-1] if steps else "starting"
        line = f"\r  [{seen}/{total} steps, {time.monotonic() - started:4.0f} s] {stage_of(current):8s} {current}"
        os.write(terminal, (line[:110].ljust(110)).encode())
    os.write(terminal, ("\r" + " " * 110 + "\r").encode())


def _stage_times(instance, run_id: str) -> dict[str, float]:
    """Seconds per stage from the run's step events (parallel steps would overlap; ours run in one process)."""
    starts: dict[str, float] = {}
    spent: dict[str, float] = defaultdict(float)
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            spent[stage_of(event.step_key)] += entry.timestamp - starts.pop(event.step_key)
    return dict(spent)


def _last_published_fingerprint() -> tuple[str, str, object] | None:
    path = serving_path()
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(
            "select input_fingerprint, run_id, finished_at from meta.runs where status = 'published' "
            "order by finished_at desc limit 1"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    from orchestration.defs.publish.input_fingerprint import input_fingerprint

    fetch = "--fetch" in (sys.argv[1:] if argv is None else argv)
    job_name = "fetch_and_refresh_job" if fetch else "refresh_all_job"
    # a fetch run cannot know its inputs before it fetched them: it always runs (and its unchanged sources,
    # dbt models and checks are skipped inside it); publish records the fingerprint of what it read
    fingerprint = None if fetch else input_fingerprint()
    last = None if fetch else _last_published_fingerprint()
    if last is not None and last[0] == fingerprint and not os.environ.get("DCPULSE_FORCE_RUN"):
        print(
            f"Nothing changed since run {last[1]} ({last[2]:%Y-%m-%d %H:%M} UTC): same source files, code, dbt "
            f"project and parameters. The published warehouse is current: {serving_path()}"
        )
        print("Run anyway: DCPULSE_FORCE_RUN=1 make run")
        return 0
    if fingerprint is not None:
        os.environ["DCPULSE_INPUT_FINGERPRINT"] = fingerprint
    logs = warehouse_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    started = time.perf_counter()
    terminal = os.dup(1)
    with _output_to(log):
        import dagster as dg

        from orchestration.definitions import defs

        instance = dg.DagsterInstance.get()
        job = defs.resolve_job_def(job_name)
    imported = time.perf_counter() - started
    print(f"dcpulse run: code location loaded in {imported:.1f} s; full log: {log}")
    stop = threading.Event()
    watcher = None
    if os.isatty(terminal):
        watcher = threading.Thread(target=_progress, args=(log, terminal, stop, len(job.nodes_in_topological_order)))
        watcher.start()
    try:
        with run_lock(), _output_to(log):
            result = job.execute_in_process(instance=instance, raise_on_error=False)
    except RunInProgressError as exc:
        print(f"not started: {exc}. Wait for it to finish, then run make run again.")
        return 1
    finally:
        stop.set()
        if watcher is not None:
            watcher.join()
        os.close(terminal)
    elapsed = time.perf_counter() - started
    times = _stage_times(instance, result.run_id)
    print(
        "stages: "
        + ", ".join(
            f"{s} {times[s]:.1f} s" for s in ("fetch", "ingest", "dbt", "checks", "forecast", "publish") if s in times
        )
        + f" (code location {imported:.1f} s; wall {elapsed:.0f} s)"
    )
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        published = any(e.step_key == "serving__dcpulse_warehouse" and e.is_step_success for e in result.all_events)
        print(f"{job_name} FAILED after {elapsed:.0f} s (run {result.run_id}); failed steps: {failed}")
        if published:
            print("The serving warehouse WAS published; a step after it failed (see the log).")
        else:
            print("Nothing was published: the serving warehouse is the previous one, unchanged.")
        for e in result.all_events:
            if e.is_step_failure and e.step_failure_data and e.step_failure_data.error:
                message = e.step_failure_data.error.message.strip()
                root = _root_cause(e.step_failure_data.error)
                print(f"  {e.step_key}: {root.splitlines()[0][:300] if root else message.splitlines()[0][:300]}")
                text = f"{message}\n{root}"
                if "No space left on device" in text or "disk is full" in text.lower():
                    print(
                        f"  The disk of the build folder ({warehouse_dir() / 'build'}) is full: free space there "
                        "(or point DCPULSE_WAREHOUSE_DIR at a larger disk), then run again."
                    )
        if "meta__source_drift" in failed:
            _report_drift()
        print(f"Full log: {log}   Dagster UI: make dev (http://127.0.0.1:3000)")
        return 1
    return report(elapsed, result.run_id, log, job_name)


def _root_cause(error: object) -> str:
    """The innermost cause of a Dagster step error (its message names what really failed)."""
    message = ""
    seen = 0
    while error is not None and seen < 20:
        message = (getattr(error, "message", "") or "").strip() or message
        error = getattr(error, "cause", None) or getattr(error, "context", None)
        seen += 1
    return message


def _report_drift() -> None:
    """Name each source the drift gate stopped, and how to acknowledge it."""
    from transforms.storage.paths import build_path

    con = duckdb.connect(str(build_path()), read_only=True)
    try:
        rows = con.execute(
            "select source_table, metric, previous, observed, min_allowed, max_allowed from meta.source_drift "
            "where status = 'breach' order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    for table, metric, previous, observed, low, high in rows:
        print(
            f"  drift: {table}: {metric} {observed:,.6g} vs {previous:,.6g} last published "
            f"(allowed {low:,.6g}-{high:,.6g})"
        )
    sources = sorted({r[0] for r in rows})
    if sources:
        print(f"  If the change is real, acknowledge it: DCPULSE_ACK_DRIFT={','.join(sources)} make run")


def report(elapsed: float, run_id: str, log: Path, job_name: str = "refresh_all_job") -> int:
    path = serving_path()
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'meta') order by 1"
        ).fetchall()
        rows = sum(con.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables)
        sources = con.execute(
            "select source_table, rows_loaded, rows_rejected, fields_nulled, coalesce(is_stale, false), "
            "stale_reason, stale_since, coalesce(origin, 'shipped'), retrieved, fetch_status, "
            "coalesce(file_rejected, false) "
            "from meta.source_files order by coalesce(is_stale, false) desc, 1"
        ).fetchall()
        demand = con.execute(
            "select workload, sum(facility_power_mw) from marts.fct_ai_demand_by_tier "
            "where year = (select max(year) from marts.fct_ai_demand_by_tier) group by 1 order by 1"
        ).fetchall()
        as_of = con.execute("select max(as_of_date) from marts.fct_ai_demand_by_tier").fetchone()[0]
        forecast = con.execute(
            "select scenario, sum(facility_power_mw) from marts.fct_demand_forecast "
            "where is_ai_demand and year = (select max(year) from marts.fct_demand_forecast) "
            "and scenario in ('low', 'base', 'high') group by 1 order by 2"
        ).fetchall()
        end = con.execute("select max(year) from marts.fct_demand_forecast").fetchone()[0]
    finally:
        con.close()
    print(f"{job_name} succeeded in {elapsed:.0f} s (run {run_id})")
    print(f"Sources (shipped ones from {sources_dir()}; as of = the day the data was retrieved):")
    kept = [s for s in sources if s[10]]
    aged = [s for s in sources if s[4] and not s[10]]
    for table, loaded, rejected, nulled, is_stale, why, since, origin, retrieved, fetched, _ in sources:
        note = f", {rejected} rejected" if rejected else ""
        note += f", {nulled} values nulled" if nulled else ""
        where = f"{origin}{', fetched' if fetched == 'ok' else ''}" + (f" as of {retrieved}" if retrieved else "")
        if is_stale:
            why = why if len(why) <= 90 else why[:87] + "..."
            note += f"  STALE since {since:%Y-%m-%d}: {why}"
        print(f"  raw.{table:36s} {loaded:8d} rows  {where:29s}{note}")
    if kept:
        print(
            f"  {len(kept)} source(s) kept their last good rows (stale): fix the file or the connection, "
            "then run again."
        )
    if aged:
        print(
            f"  {len(aged)} source(s) hold data older than their publisher's cadence allows (stale): "
            "`make refresh` fetches newer data where a connector exists."
        )
    print(f"Published {path}: {len(tables)} marts/meta tables, {rows:,} rows")
    split = ", ".join(f"{w} {mw:,.0f} MW" for w, mw in demand)
    print(f"AI demand installed at {as_of} (the newest date the sources cover): {split} (hpc apart, not AI demand)")
    if forecast:
        print(f"{end} AI demand: " + ", ".join(f"{s} {mw:,.0f} MW" for s, mw in forecast))
    print("Rejected rows and why: select * from quarantine.rejected_rows")
    print(f"Query it:   duckdb -readonly {path}")
    print("Dashboard:  make dashboard (http://127.0.0.1:8501)   Dagster UI: make dev (http://127.0.0.1:3000)")
    print(f"Full log:   {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
