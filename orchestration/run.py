"""``make run``: execute refresh_all_job once, in this process, and say where the results are."""

from __future__ import annotations

import sys
import time

import dagster as dg
import duckdb

from orchestration.lib.warehouse import RunInProgressError, run_lock, serving_path, sources_dir


def main() -> int:
    from orchestration.definitions import defs

    started = time.perf_counter()
    instance = dg.DagsterInstance.get()
    try:
        with run_lock():
            result = defs.resolve_job_def("refresh_all_job").execute_in_process(instance=instance, raise_on_error=False)
    except RunInProgressError as exc:
        print(f"not started: {exc}. Wait for it to finish, then run make run again.")
        return 1
    elapsed = time.perf_counter() - started
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(f"\nrefresh_all_job FAILED after {elapsed:.0f} s (run {result.run_id}); failed steps: {failed}")
        print("The serving warehouse was not replaced. Open the run in the Dagster UI (make dev) for details.")
        return 1
    path = serving_path()
    con = duckdb.connect(str(path), read_only=True)
    try:
        marts = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'meta') order by 1"
        ).fetchall()
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in marts}
        unassigned = con.execute(
            "select count(*), coalesce(sum(facility_power_mw), 0) from marts.fct_ai_deployments "
            "where market_id = 'unassigned'"
        ).fetchone()
        country_only = con.execute(
            "select count(*), coalesce(sum(facility_power_mw), 0) from marts.fct_ai_deployments d "
            "join marts.dim_markets m using (market_id) where m.market_tier = 'unknown' and market_id <> 'unassigned'"
        ).fetchone()
        loads = con.execute(
            "select source_table, rows_loaded, rows_rejected, fields_nulled from meta.source_files order by 1"
        ).fetchall()
    finally:
        con.close()
    print(f"\nrefresh_all_job succeeded in {elapsed:.0f} s (run {result.run_id})")
    print(f"Sources read from {sources_dir()}")
    for table, loaded, rejected, nulled in loads:
        note = f", {rejected} rejected" if rejected else ""
        note += f", {nulled} values nulled" if nulled else ""
        print(f"  raw.{table:30s} {loaded:6d} rows{note}")
    print(f"\nPublished warehouse: {path}")
    for table, n in counts.items():
        print(f"  {table:38s} {n:7d} rows")
    print(
        f"\nAI deployments placed only by country (tier unknown): {country_only[0]} ({country_only[1]:,.0f} MW); "
        f"unassigned (no usable location): {unassigned[0]} ({unassigned[1]:,.0f} MW)"
    )
    print("\nRejected rows and their reasons: select * from quarantine.rejected_rows")
    print(f"Query it:      duckdb -readonly {path}")
    print("Dashboard:     make dashboard   (http://127.0.0.1:8501)")
    print("Dagster UI:    make dev         (http://127.0.0.1:3000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
