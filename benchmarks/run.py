"""``make bench [SCALE=n]``: dcpulse against the machine's own unit, on SCALE-x sources, in one run.

What it measures (each in its own process, peak memory from ``os.wait4`` and a sampler of the process
tree's RSS that also kills the tree past ``--mem-limit-gib``):

1. **unit**: DuckDB ``select count(*), sum(x) from read_csv('<10,000,000-row CSV>')``, warm cache, best of 3.
2. **ingest_vs_read_csv R**: our ingest (``orchestration.defs.ingest.source_bookkeeping.ingest_table``, every source in
   ``SOURCE_FILES`` order into a fresh build file) in rows/s over DuckDB's own ``create table t as select *
   from read_csv('<file>')`` (auto-detect, into a DuckDB file) in rows/s, on the same files: overall (the CSV
   sources; the .xlsx has no read_csv counterpart) and per source, with where the ingest spent its time
   (sha256 scan, DuckDB fast path, Python exact path, SQL validation, the rest: quarantine and meta writes).
3. **full pipeline**: ``python -m orchestration.run`` with a fresh ``DCPULSE_WAREHOUSE_DIR`` and ``DAGSTER_HOME``:
   wall time, peak RSS, the ``stages:`` line it prints, the peak RSS sampled in each stage; then the same
   command again with nothing changed. ``full_run_over_unit`` = full run / unit, ``rerun_over_full`` = rerun /
   full run. The pipeline runs from a snapshot of the working tree taken at the start (tracked and untracked
   files, dbt's manifest), so edits made meanwhile neither change what is measured nor the rerun's inputs.
4. **dashboard_p95_ms**: the published warehouse of that run, queried the way the pages do: every
   ``dashboards.data`` function each page (``dashboards/views``) calls, Streamlit's cache bypassed, 20 times;
   per page the queries one page run makes, summed. T = the slowest page's p95. Also the SQL console's
   examples and the scenario builder's recompute (``forecast_scenario``), reported apart.

Sources: ``python -m benchmarks.generate --scale SCALE`` into ``benchmarks/.data/`` (reused while the generator,
scale and seed are the same). Results: a table on stdout and ``benchmarks/results/<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
RESULTS = ROOT / "benchmarks" / "results"
UNIT_FILE = DATA / "unit_10m.csv"
GIB = 2**30
GOALS = {"R": 0.8, "dashboard_p95_ms": 150.0, "full_run_over_unit": 30.0, "rerun_over_full": 0.3, "peak_gib": 24.0}
STEP_START = re.compile(r'STEP_START - Started execution of step "([^"]+)"')
STAGES_LINE = re.compile(r"^stages: (.*)$", re.M)


# ---------------------------------------------------------------------------------------------
# Processes: wall time, peak RSS (wait4 and a sampler of the whole tree), a memory guard


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, ()))
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


@dataclass
class Measured:
    cmd: str
    wall_s: float
    returncode: int
    peak_rss_bytes: int  # os.wait4: the process or the largest child it waited for
    peak_tree_bytes: int  # sampled: the whole tree at once
    stage_peak_bytes: dict[str, int] = field(default_factory=dict)
    killed: str | None = None
    stdout: str = ""
    stderr: str = ""


def measure(
    cmd: list[str],
    env: dict[str, str],
    cwd: Path,
    limit_bytes: int,
    stage: Callable[[], str] | None = None,
    interval: float = 0.25,
) -> Measured:
    """Run ``cmd`` in its own session; sample its tree's RSS (per ``stage()`` when given); kill the tree (its
    process group, by the id we started) if it grows past ``limit_bytes``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        peaks: dict[str, int] = {}
        state = {"peak": 0, "killed": None}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(interval):
                rss = tree_rss(proc.pid)
                state["peak"] = max(state["peak"], rss)
                if stage is not None:
                    name = stage()
                    peaks[name] = max(peaks.get(name, 0), rss)
                if rss > limit_bytes and state["killed"] is None:
                    state["killed"] = f"memory guard: tree RSS {rss / GIB:.1f} GiB > {limit_bytes / GIB:.1f} GiB"
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            " ".join(cmd),
            wall,
            proc.returncode,
            usage.ru_maxrss * 1024,  # KiB on Linux
            state["peak"],
            peaks,
            state["killed"],
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


# ---------------------------------------------------------------------------------------------
# Workers (run as ``python -m benchmarks.run --worker NAME ...`` so each has its own peak memory)


def best_of(repeat: int, call: Callable[[], Any]) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result


def worker_duckdb(args: argparse.Namespace) -> dict[str, Any]:
    """The unit and DuckDB's own load of every CSV source file."""
    import duckdb

    from transforms.sources import SOURCE_FILES

    out: dict[str, Any] = {"duckdb": duckdb.__version__}
    con = duckdb.connect()
    unit = str(args.unit).replace("'", "''")
    sql = f"select count(*), sum(x) from read_csv('{unit}')"
    con.execute(sql).fetchall()  # warm: file in the page cache, extension and sniffer code loaded
    seconds, (rows, total) = best_of(args.repeat, lambda: con.execute(sql).fetchone())
    out["unit"] = {"seconds": seconds, "rows": rows, "sum_x": total, "sql": sql.replace(unit, str(args.unit))}
    con.close()
    if args.unit_only:
        return out
    baseline: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="dcpulse-bench-readcsv-") as tmp:
        for table, (_, rel) in SOURCE_FILES.items():
            path = args.sources / rel
            if path.suffix.lower() != ".csv":
                baseline[table] = {"skipped": f"{path.suffix} file: no read_csv counterpart"}
                continue
            literal = str(path).replace("'", "''")
            times: list[float] = []
            rows = None
            error = None
            for i in range(args.repeat):
                db = Path(tmp) / f"{table}-{i}.duckdb"
                con = duckdb.connect(str(db))
                try:
                    started = time.perf_counter()
                    con.execute(f"create table t as select * from read_csv('{literal}')")
                    times.append(time.perf_counter() - started)
                    rows = con.execute("select count(*) from t").fetchone()[0]
                except duckdb.Error as exc:
                    error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
                    break
                finally:
                    con.close()
                    db.unlink(missing_ok=True)
                    Path(str(db) + ".wal").unlink(missing_ok=True)
            baseline[table] = {"seconds": min(times), "rows": rows} if times else {"error": error}
    out["read_csv"] = baseline
    return out


class _Timers:
    """Exclusive wall time per wrapped function (a call's time minus its wrapped callees')."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.stack: list[list[float]] = []

    def wrap(self, module: Any, attr: str, name: str) -> None:
        original = getattr(module, attr, None)
        if original is None:
            return

        def timed(*a: Any, **kw: Any) -> Any:
            self.stack.append([time.perf_counter(), 0.0])
            try:
                return original(*a, **kw)
            finally:
                started, inner = self.stack.pop()
                elapsed = time.perf_counter() - started
                self.spent[name] = self.spent.get(name, 0.0) + elapsed - inner
                if self.stack:
                    self.stack[-1][1] += elapsed

        setattr(module, attr, timed)

    def take(self) -> dict[str, float]:
        spent, self.spent = self.spent, {}
        return spent


def worker_ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Every source into a fresh build file, as ``load_raw`` does, timed per table and per part.

    pandas and pyarrow are imported first: DuckDB's Python client imports pandas on its first parameterised
    query (seconds), which the pipeline's process has long done; it is not the ingest's cost."""
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    import orchestration.defs.ingest.source_bookkeeping as orch_ingest
    import transforms.ingest.load as tr_ingest  # load_source looks the timed steps up there
    from orchestration.build_warehouse import connect_build
    from transforms.sources import SOURCE_FILES

    timers = _Timers()
    timers.wrap(orch_ingest, "scan_file", "scan")
    timers.wrap(tr_ingest, "_read_fast", "fast_read")
    timers.wrap(tr_ingest, "_read_exact", "exact_read")
    timers.wrap(tr_ingest, "_validate", "validate")
    timers.wrap(orch_ingest, "_load_converted", "convert")
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    context = orch_ingest.parse_context(args.sources)
    tables: dict[str, Any] = {}
    with connect_build() as con:
        for table, (_, rel) in SOURCE_FILES.items():
            if profiler is not None:
                profiler.enable()
            started = time.perf_counter()
            summary = orch_ingest.ingest_table(con, table, root=args.sources, context=context)
            seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.disable()
            parts = timers.take()
            parts["other"] = max(seconds - sum(parts.values()), 0.0)
            tables[table] = {
                "file": rel,
                "seconds": seconds,
                "read_path": summary.read_path,
                "rows_in_file": summary.rows_in_file,
                "rows_loaded": summary.rows_loaded,
                "rows_rejected": summary.rows_rejected,
                "issues": summary.issues,
                "file_rejected": summary.file_rejected,
                "parts": parts,
            }
    if profiler is not None:
        import pstats

        profiler.dump_stats(str(args.profile))
        stream = io.StringIO()
        pstats.Stats(str(args.profile), stream=stream).sort_stats("cumulative").print_stats(40)
        Path(str(args.profile) + ".txt").write_text(stream.getvalue())
    return {"tables": tables}


def _page_files() -> list[Path]:
    for folder in ("views", "pages"):
        found = sorted((ROOT / "dashboards" / folder).glob("*.py"))
        if found:
            return [p for p in found if not p.name.startswith("_")]
    return []


NOT_QUERIES = {
    "warehouse_key",
    "warehouse_path",
    "published_at",
    "base_map",
    "run_readonly_sql",
    "query",
    "lake_key",
    "lake_enabled",
}


def page_queries(data: Any) -> dict[str, list[str]]:
    """Page name -> the ``dashboards.data`` query functions its script calls, in order of appearance: attributes
    of the names the page binds to ``dashboards.data`` or one of its modules (``from dashboards.data import
    queries``) that are functions defined in that package."""
    import importlib
    import inspect

    package = data.__name__
    pages: dict[str, list[str]] = {}
    for path in _page_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: dict[str, Any] = {}  # a name in the page -> the dashboards.data module it stands for
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full == package or full.startswith(package + "."):
                        with contextlib.suppress(ImportError):
                            bound[alias.asname or alias.name] = importlib.import_module(full)
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
                fn = getattr(bound[node.value.id], node.attr, None)
                if (
                    node.attr not in NOT_QUERIES
                    and inspect.isfunction(fn)
                    and (fn.__module__ == package or fn.__module__.startswith(package + "."))
                    and node.attr not in names
                ):
                    names.append(node.attr)
        pages[path.stem] = names
    return pages


def console_examples() -> dict[str, str]:
    for path in _page_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "EXAMPLES" for t in node.targets
            ):
                with contextlib.suppress(ValueError):
                    value = ast.literal_eval(node.value)
                    if isinstance(value, dict):
                        return {str(k): str(v) for k, v in value.items()}
    return {}


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def _summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": p95(samples),
        "max_ms": max(samples),
        "n": len(samples),
    }


def worker_dashboard(args: argparse.Namespace) -> dict[str, Any]:
    import inspect
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit as st

    from dashboards import data
    from dashboards.data import connection  # query() looks _cached_query up here

    bypass = "none"
    if hasattr(connection, "_cached_query") and hasattr(connection, "_run"):
        connection._cached_query = lambda key, sql, params: connection._run(key, sql, params)  # no st.cache_data
        bypass = "dashboards.data.connection._cached_query -> _run (the connection stays cached, as in the app)"

    def uncached(fn: Callable[..., Any], *a: Any) -> Any:
        if bypass == "none":
            st.cache_data.clear()
        return fn(*a)

    if bypass == "none":
        bypass = "st.cache_data.clear() before every call"
    model = None
    with contextlib.suppress(Exception):
        from dashboards import analysis

        model = analysis.ModelParams.from_frame(data.parameters())

    def arguments(fn: Callable[..., Any]) -> list[Any] | None:
        values = []
        for name, param in inspect.signature(fn).parameters.items():
            if param.default is not inspect.Parameter.empty:
                break
            if model is None or not hasattr(model, name):
                return None
            values.append(getattr(model, name))
        return values

    pages = page_queries(data)
    queries: dict[str, dict[str, Any]] = {}
    calls: dict[str, tuple[Callable[..., Any], list[Any]]] = {}
    for names in pages.values():
        for name in names:
            fn = getattr(data, name)
            values = arguments(fn)
            if values is None:
                queries[name] = {"skipped": f"needs arguments {list(inspect.signature(fn).parameters)}"}
                continue
            calls[name] = (fn, values)
    samples: dict[str, list[float]] = {name: [] for name in calls}
    rows: dict[str, int] = {}
    for name, (fn, values) in calls.items():  # warm-up: the connection, DuckDB's first touch of each table
        try:
            frame = uncached(fn, *values)
            rows[name] = getattr(frame, "height", 0)
        except Exception as exc:  # a page query that fails is reported, not fatal
            queries[name] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    calls = {k: v for k, v in calls.items() if k not in queries}
    page_samples: dict[str, list[float]] = {page: [] for page in pages}
    for _ in range(args.samples):
        spent: dict[str, float] = {}
        for name, (fn, values) in calls.items():
            started = time.perf_counter()
            uncached(fn, *values)
            spent[name] = (time.perf_counter() - started) * 1000
            samples[name].append(spent[name])
        for page, names in pages.items():
            page_samples[page].append(sum(spent.get(n, 0.0) for n in names))
    for name in calls:
        queries[name] = {**_summary(samples[name]), "rows": rows.get(name, 0)}
    page_stats = {page: {**_summary(page_samples[page]), "queries": names} for page, names in pages.items() if names}
    console: dict[str, Any] = {}
    for title, sql in console_examples().items():
        times = []
        try:
            for _ in range(args.samples):
                started = time.perf_counter()
                data.run_readonly_sql(sql, row_cap=getattr(data, "CONSOLE_ROW_CAP", 10_000) + 1)
                times.append((time.perf_counter() - started) * 1000)
            console[title] = _summary(times)
        except Exception as exc:
            console[title] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    scenario: dict[str, Any] = {}
    try:
        from transforms import forecast as fc

        history, pipeline = data.demand_by_tier(), data.ai_pipeline()
        kwargs: dict[str, Any] = {}
        if model is not None and hasattr(data, "base_vintages"):
            kwargs["base_vintages"] = data.base_vintages()
            kwargs["end_year"] = model.forecast_end_year
        if hasattr(data, "unit_split"):
            kwargs["unit_split"] = data.unit_split()
        fc.forecast_scenario(history, pipeline, scenario="base", **kwargs)
        times = []
        for i in range(args.samples):
            started = time.perf_counter()
            fc.forecast_scenario(
                history, pipeline, scenario="base", overrides={"accelerator_power_cagr": 0.2 + i / 500}, **kwargs
            )
            times.append((time.perf_counter() - started) * 1000)
        scenario = {**_summary(times), "history_rows": history.height, "pipeline_rows": pipeline.height}
    except Exception as exc:
        scenario = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    return {
        "cache_bypass": bypass,
        "samples": args.samples,
        "queries": queries,
        "pages": page_stats,
        "sql_console": console,
        "scenario_recompute": scenario,
    }


WORKERS = {"duckdb": worker_duckdb, "ingest": worker_ingest, "dashboard": worker_dashboard}


# ---------------------------------------------------------------------------------------------
# The orchestrating process


def snapshot_tree(dest: Path) -> str:
    """Copy the working tree (tracked + untracked, not ignored) and dbt's manifest to ``dest``; describe it."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if not src.is_file() or rel.startswith("benchmarks/.data/"):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    for rel in ("dbt_project/target/manifest.json", "dbt_project/target/manifest.project-sha256"):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    if (ROOT / "dbt_project" / "dbt_packages").is_dir():
        shutil.copytree(ROOT / "dbt_project" / "dbt_packages", dest / "dbt_project" / "dbt_packages")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    changed = len([line for line in dirty.splitlines() if line and not line.startswith("??")])
    return f"{head.strip()}" + (f" + {changed} modified file(s) (working tree)" if changed else "")


def ensure_sources(scale: int, seed: int, ember: str) -> Path:
    from benchmarks import generate

    out = DATA / (f"scale-{scale}-seed-{seed}" + ("" if ember == "auto" else f"-{ember}"))
    if not generate.is_current(out, scale, seed, ember):
        print(f"generating the scale-{scale} sources into {out} ...", flush=True)
        generate.generate(scale, out, seed, ember, verbose=False)
    if not UNIT_FILE.exists():
        print(f"writing the unit file {UNIT_FILE} ...", flush=True)
        generate.write_unit(UNIT_FILE)
    return out


class LogStage:
    """The pipeline stage a run is in, from the STEP_START lines of its log (read incrementally)."""

    def __init__(self, logs: Path, after: float) -> None:
        self.logs, self.after = logs, after
        self.path: Path | None = None
        self.offset = 0
        self.current = "startup"
        try:
            from orchestration.run import stage_of
        except Exception:  # noqa: BLE001 - the report module moved: the step key's prefix is enough
            stage_of = None
        self.stage_of = stage_of

    def __call__(self) -> str:
        if self.path is None:
            found = [p for p in self.logs.glob("run-*.log") if p.stat().st_mtime >= self.after - 1]
            if not found:
                return self.current
            self.path = max(found, key=lambda p: p.stat().st_mtime)
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except OSError:
            return self.current
        cut = chunk.rfind(b"\n") + 1
        self.offset += cut
        steps = STEP_START.findall(chunk[:cut].decode(errors="replace"))
        if steps:
            key = steps[-1]
            self.current = self.stage_of(key) if self.stage_of else key.split("__")[0]
        return self.current


def run_pipeline(label: str, code: Path, env: dict[str, str], limit: int, logs: Path) -> dict[str, Any]:
    print(f"  pipeline {label} ...", flush=True)
    stage = LogStage(logs, time.time())
    done = measure([sys.executable, "-m", "orchestration.run"], env, code, limit, stage)
    match = STAGES_LINE.search(done.stdout)
    stages = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) s", match.group(1))} if match else {}
    first = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
    return {
        "wall_s": done.wall_s,
        "returncode": done.returncode,
        "killed": done.killed,
        "peak_rss_bytes": done.peak_rss_bytes,
        "peak_tree_bytes": done.peak_tree_bytes,
        "stage_peak_bytes": done.stage_peak_bytes,
        "stages_line": match.group(0) if match else None,
        "stage_seconds": stages,
        "first_line": first,
        "stdout_tail": done.stdout[-4000:],
        "stderr_tail": done.stderr[-3000:] if done.returncode else "",
    }


def run_worker(name: str, extra: list[str], env: dict[str, str], code: Path, limit: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    try:
        cmd = [sys.executable, "-m", "benchmarks.run", "--worker", name, "--result", str(result), *extra]
        done = measure(cmd, env, code, limit)
        payload = json.loads(result.read_text()) if result.stat().st_size else {}
    finally:
        result.unlink(missing_ok=True)
    payload.update(
        wall_s=done.wall_s,
        returncode=done.returncode,
        killed=done.killed,
        peak_rss_bytes=done.peak_rss_bytes,
        peak_tree_bytes=done.peak_tree_bytes,
    )
    if done.returncode:
        payload["stderr_tail"] = done.stderr[-3000:]
    return payload


def machine() -> dict[str, Any]:
    with open("/proc/meminfo") as handle:
        total = int(handle.readline().split()[1]) * 1024
    return {
        "cpus": os.cpu_count(),
        "mem_total_bytes": total,
        "load_avg_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def compute(report: dict[str, Any]) -> dict[str, Any]:
    """The headline ratios from the raw measurements."""
    figures: dict[str, Any] = {}
    units = [
        part["unit"]["seconds"] for part in (report.get("duckdb", {}), report.get("unit_end", {})) if "unit" in part
    ]
    unit = min(units) if units else None
    figures["unit_s"] = unit
    ingest = report.get("ingest", {}).get("tables", {})
    baseline = report.get("duckdb", {}).get("read_csv", {})
    per: dict[str, Any] = {}
    total_rows = total_ingest = total_read = 0.0
    for table, ing in ingest.items():
        base = baseline.get(table, {})
        entry = {
            "read_path": ing["read_path"],
            "rows": ing["rows_in_file"],
            "ingest_s": ing["seconds"],
            "ingest_rows_s": ing["rows_in_file"] / ing["seconds"] if ing["seconds"] else None,
        }
        if "seconds" in base and base.get("rows"):
            entry.update(
                read_csv_s=base["seconds"], read_csv_rows=base["rows"], read_csv_rows_s=base["rows"] / base["seconds"]
            )
            entry["R"] = entry["ingest_rows_s"] / entry["read_csv_rows_s"] if entry["ingest_rows_s"] else None
            total_rows += ing["rows_in_file"]
            total_ingest += ing["seconds"]
            total_read += base["seconds"] * ing["rows_in_file"] / base["rows"]  # at read_csv's own rate
        else:
            entry["R"] = None
            entry["read_csv"] = base.get("skipped") or base.get("error")
        per[table] = entry
    figures["per_source"] = per
    if total_ingest:
        figures["R"] = total_read / total_ingest
        figures["ingest_rows_s"] = total_rows / total_ingest
        figures["read_csv_rows_s"] = total_rows / total_read
    full = report.get("pipeline", {}).get("full", {})
    rerun = report.get("pipeline", {}).get("rerun", {})
    if unit and full.get("wall_s") and not full.get("returncode"):
        figures["full_run_over_unit"] = full["wall_s"] / unit
        if rerun.get("wall_s") and not rerun.get("returncode"):
            figures["rerun_over_full"] = rerun["wall_s"] / full["wall_s"]
    pages = report.get("dashboard", {}).get("pages", {})
    if pages:
        worst = max(pages, key=lambda p: pages[p]["p95_ms"])
        figures["dashboard_p95_ms"] = pages[worst]["p95_ms"]
        figures["dashboard_worst_page"] = worst
        queries = report["dashboard"].get("queries", {})
        timed = {q: v["p95_ms"] for q, v in queries.items() if "p95_ms" in v}
        if timed:
            figures["dashboard_worst_query"] = max(timed, key=timed.get)
            figures["dashboard_worst_query_p95_ms"] = max(timed.values())
    peaks = {
        "duckdb (unit + read_csv)": report.get("duckdb", {}).get("peak_tree_bytes", 0),
        "ingest (ingest_table, all sources)": report.get("ingest", {}).get("peak_tree_bytes", 0),
        "dashboard queries": report.get("dashboard", {}).get("peak_tree_bytes", 0),
    }
    for label in ("full", "rerun", "forced_rerun"):
        run = report.get("pipeline", {}).get(label)
        if run:
            peaks[f"pipeline {label}"] = max(run.get("peak_tree_bytes", 0), run.get("peak_rss_bytes", 0))
            for stage, value in run.get("stage_peak_bytes", {}).items():
                peaks[f"pipeline {label}: {stage}"] = value
    figures["peak_bytes"] = peaks
    figures["peak_gib"] = max(peaks.values()) / GIB if peaks else None
    return figures


def _fmt_rate(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.1f}k"


def _goal(name: str, value: float | None, higher_is_better: bool = False) -> str:
    if value is None:
        return "n/a"
    goal = GOALS[name]
    met = value >= goal if higher_is_better else value <= goal
    return f"goal {'>=' if higher_is_better else '<='} {goal:g}: {'met' if met else 'NOT met'}"


def print_report(report: dict[str, Any]) -> None:
    fig = report["figures"]
    meta = report["meta"]
    print()
    print(
        f"dcpulse bench: scale {meta['scale']} (seed {meta['seed']}, Ember {meta['ember']}), code {meta['code']}; "
        f"{meta['machine']['cpus']} CPUs, {meta['machine']['mem_total_bytes'] / GIB:.0f} GiB, load average at start "
        + ", ".join(f"{x:.1f}" for x in meta["machine"]["load_avg_at_start"])
    )
    unit = report.get("duckdb", {}).get("unit")
    if unit:
        end = report.get("unit_end", {}).get("unit", {}).get("seconds")
        print(
            f"unit: {fig['unit_s']:.3f} s  ({unit['sql']}: {unit['rows']:,} rows, warm, best of {meta['repeat']} "
            f"at the start ({unit['seconds']:.3f} s)" + (f" and at the end ({end:.3f} s)" if end else "") + ")"
        )
    print(f"python bytecode: {meta.get('python_bytecode')}")
    if fig.get("per_source"):
        print()
        print(
            f"{'source':34s} {'path':5s} {'rows':>11s} {'ingest s':>9s} {'rows/s':>8s} {'read_csv s':>10s} "
            f"{'rows/s':>8s} {'R':>6s}  ingest time: scan/fast/exact/validate/other s"
        )
        tables = report.get("ingest", {}).get("tables", {})
        for table, e in fig["per_source"].items():
            parts = tables.get(table, {}).get("parts", {})
            split = "/".join(
                f"{parts.get(k, 0.0):.1f}" for k in ("scan", "fast_read", "exact_read", "validate", "other")
            )
            if parts.get("convert"):
                split += f" (+xlsx convert {parts['convert']:.1f})"
            rejected = tables.get(table, {}).get("rows_rejected", 0)
            note = f"  {rejected:,} rejected" if rejected else ""
            r = f"{e['R']:.2f}" if e.get("R") is not None else "-"
            rc = f"{e['read_csv_s']:.3f}" if "read_csv_s" in e else (e.get("read_csv") or "-")[:10]
            print(
                f"{table:34s} {e['read_path']:5s} {e['rows']:>11,} {e['ingest_s']:9.2f} "
                f"{_fmt_rate(e['ingest_rows_s']):>8s} {rc:>10s} {_fmt_rate(e.get('read_csv_rows_s')):>8s} "
                f"{r:>6s}  {split}{note}"
            )
        if "R" in fig:
            print(
                f"ingest_vs_read_csv: {fig['R']:.3f}  (ingest {_fmt_rate(fig['ingest_rows_s'])} rows/s vs read_csv "
                f"{_fmt_rate(fig['read_csv_rows_s'])} rows/s over the CSV sources; {_goal('R', fig['R'], True)})"
            )
    pipe = report.get("pipeline", {})
    if pipe:
        print()
        for label in ("full", "rerun", "forced_rerun"):
            run = pipe.get(label)
            if not run:
                continue
            status = "ok" if not run["returncode"] else f"FAILED rc={run['returncode']}"
            if run.get("killed"):
                status += f" ({run['killed']})"
            peak = max(run["peak_tree_bytes"], run["peak_rss_bytes"]) / GIB
            print(f"pipeline {label:12s} {run['wall_s']:8.1f} s  peak {peak:5.2f} GiB  {status}")
            if run.get("stages_line"):
                print(f"    {run['stages_line']}")
            elif run.get("first_line"):
                print(f"    {run['first_line'][:160]}")
            if run.get("stage_peak_bytes"):
                print(
                    "    peak RSS by stage (sampled, whole process tree): "
                    + ", ".join(f"{s} {b / GIB:.2f} GiB" for s, b in run["stage_peak_bytes"].items())
                )
        if "full_run_over_unit" in fig:
            print(
                f"full_run_over_unit: {fig['full_run_over_unit']:.1f}  "
                f"({_goal('full_run_over_unit', fig['full_run_over_unit'])})"
            )
        if "rerun_over_full" in fig:
            print(
                f"rerun_over_full: {fig['rerun_over_full']:.3f}  ({_goal('rerun_over_full', fig['rerun_over_full'])})"
            )
    dash = report.get("dashboard")
    if dash and "pages" in dash:
        print()
        print(f"dashboard ({dash['samples']} samples each; cache bypass: {dash['cache_bypass']})")
        for page, s in dash["pages"].items():
            print(
                f"  page {page:18s} p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  ({len(s['queries'])} queries)"
            )
        for name, s in dash["queries"].items():
            if "p95_ms" in s:
                print(f"    {name:22s} p95 {s['p95_ms']:7.1f} ms  {s['rows']:>9,} rows")
            else:
                print(f"    {name:22s} {s.get('skipped') or s.get('error')}")
        console = [s["p95_ms"] for s in dash.get("sql_console", {}).values() if "p95_ms" in s]
        if console:
            print(f"  sql console examples ({len(console)}): worst p95 {max(console):.1f} ms")
        scen = dash.get("scenario_recompute", {})
        if "p95_ms" in scen:
            print(
                f"  scenario builder recompute (forecast_scenario): p50 {scen['p50_ms']:.1f} ms, "
                f"p95 {scen['p95_ms']:.1f} ms"
            )
        elif scen:
            print(f"  scenario builder recompute: {scen.get('error')}")
        if "dashboard_p95_ms" in fig:
            print(
                f"dashboard_p95_ms: {fig['dashboard_p95_ms']:.1f}  (page {fig['dashboard_worst_page']}; "
                f"worst single query {fig.get('dashboard_worst_query')} "
                f"p95 {fig.get('dashboard_worst_query_p95_ms', 0):.1f} ms; "
                f"{_goal('dashboard_p95_ms', fig['dashboard_p95_ms'])})"
            )
    if fig.get("peak_bytes"):
        print()
        shown = {k: v for k, v in fig["peak_bytes"].items() if v and ": " not in k}
        print(
            "peak memory (stages of the pipeline above): "
            + ", ".join(f"{k} {v / GIB:.2f} GiB" for k, v in shown.items())
        )
        print(f"peak_gib: {fig['peak_gib']:.2f}  ({_goal('peak_gib', fig['peak_gib'])})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="dcpulse benchmark (make bench SCALE=n)")
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", "1") or 1))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ember", choices=("auto", "hourly", "monthly"), default="auto")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the unit and read_csv")
    parser.add_argument("--samples", type=int, default=20, help="calls per dashboard query")
    parser.add_argument("--mem-limit-gib", type=float, default=22.0, help="kill a measured process tree above this")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: duckdb, ingest, pipeline, dashboard")
    parser.add_argument("--forced-rerun", action="store_true", help="also time DCPULSE_FORCE_RUN=1 (incremental path)")
    parser.add_argument("--profile", type=Path, help="cProfile the ingest worker into this file (+ .txt)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary warehouse and snapshot")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--unit", type=Path, default=UNIT_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--unit-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--as-is-env",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as set (default: Python's bytecode cache on, in benchmarks/.data/pycache)",
    )
    args = parser.parse_args(argv)

    if args.worker:
        payload = WORKERS[args.worker](args)
        args.result.write_text(json.dumps(payload, default=str))
        return 0

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    limit = int(args.mem_limit_gib * GIB)
    started_at = datetime.now(UTC)
    sources = ensure_sources(args.scale, args.seed, args.ember)
    stamp = json.loads((sources / ".generated.json").read_text())
    tmp = Path(tempfile.mkdtemp(prefix=f"dcpulse-bench-{args.scale}x-"))
    report: dict[str, Any] = {}
    try:
        code = tmp / "code"
        described = snapshot_tree(code)
        report["meta"] = {
            "started_at": started_at.isoformat(),
            "scale": args.scale,
            "seed": args.seed,
            "ember": stamp["ember"],
            "sources_dir": str(sources),
            "source_rows": stamp["rows"],
            "unit_file": str(UNIT_FILE),
            "code": described,
            "repeat": args.repeat,
            "machine": machine(),
        }
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("DCPULSE_")}
        base_env.update(
            DCPULSE_SOURCES_DIR=str(sources),
            DCPULSE_OFFLINE="1",
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        )
        if not args.as_is_env:
            # a normal Python caches compiled modules; without the cache every process recompiles dagster, dbt,
            # pandas ... (this sandbox sets PYTHONDONTWRITEBYTECODE=1). The cache lives beside the generated data.
            base_env.pop("PYTHONDONTWRITEBYTECODE", None)
            base_env["PYTHONPYCACHEPREFIX"] = str(DATA / "pycache")
            started = time.perf_counter()
            warm = (
                "import orchestration.definitions, orchestration.defs.ingest.source_bookkeeping, dashboards.data, "
                "streamlit, pandas"
            )
            subprocess.run([sys.executable, "-c", warm], cwd=code, env=base_env, capture_output=True, check=False)
            report["meta"]["python_bytecode"] = (
                f"cached in {DATA / 'pycache'} (warm-up {time.perf_counter() - started:.1f} s)"
            )
        else:
            report["meta"]["python_bytecode"] = "as the environment says"
        common = ["--sources", str(sources), "--unit", str(UNIT_FILE), "--repeat", str(args.repeat)]
        if "duckdb" not in skip:
            print("unit and DuckDB read_csv ...", flush=True)
            env = {**base_env, "DCPULSE_WAREHOUSE_DIR": str(tmp / "wh-duckdb")}
            report["duckdb"] = run_worker("duckdb", common, env, code, limit)
        if "ingest" not in skip:
            print("ingest (every source into a fresh build file) ...", flush=True)
            env = {**base_env, "DCPULSE_WAREHOUSE_DIR": str(tmp / "wh-ingest")}
            extra = common + (["--profile", str(args.profile.resolve())] if args.profile else [])
            report["ingest"] = run_worker("ingest", extra, env, code, limit)
            shutil.rmtree(tmp / "wh-ingest", ignore_errors=True)
        warehouse = tmp / "wh"
        if "pipeline" not in skip:
            home = tmp / "dagster_home"
            home.mkdir()
            shutil.copyfile(code / "orchestration" / "dagster.yaml", home / "dagster.yaml")
            env = {**base_env, "DCPULSE_WAREHOUSE_DIR": str(warehouse), "DAGSTER_HOME": str(home)}
            logs = warehouse / "logs"
            report["pipeline"] = {"full": run_pipeline("full run", code, env, limit, logs)}
            if not report["pipeline"]["full"]["returncode"]:
                report["pipeline"]["rerun"] = run_pipeline("rerun, nothing changed", code, env, limit, logs)
                if args.forced_rerun:
                    forced = {**env, "DCPULSE_FORCE_RUN": "1"}
                    report["pipeline"]["forced_rerun"] = run_pipeline("forced rerun", code, forced, limit, logs)
        if "dashboard" not in skip and (warehouse / "dcpulse.duckdb").exists():
            print("dashboard queries ...", flush=True)
            env = {**base_env, "DCPULSE_WAREHOUSE_DIR": str(warehouse)}
            report["dashboard"] = run_worker("dashboard", common + ["--samples", str(args.samples)], env, code, limit)
        if "duckdb" not in skip:
            # the unit again at the end: on a shared machine the quieter of the two moments is the unit
            env = {**base_env, "DCPULSE_WAREHOUSE_DIR": str(tmp / "wh-duckdb")}
            report["unit_end"] = run_worker("duckdb", common + ["--unit-only"], env, code, limit)
        report["figures"] = compute(report)
        report["meta"]["finished_at"] = datetime.now(UTC).isoformat()
        report["meta"]["load_avg_at_end"] = os.getloadavg()
        print_report(report)
    finally:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{started_at:%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(report, indent=1, default=str))
        print(f"\nresults: {path}")
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
