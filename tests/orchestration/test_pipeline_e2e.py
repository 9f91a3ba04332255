"""End to end: the Dagster job materializes every asset into a temporary warehouse and publishes it."""

import duckdb
import pytest

from transforms.storage.paths import serving_path

MARTS = [
    "dim_markets",
    "dim_gpus",
    "fct_facilities",
    "fct_ai_deployments",
    "fct_ai_demand_by_tier",
    "fct_energy_prices",
    "fct_gpu_prices",
    "fct_demand_forecast",
    "fct_forecast_backtest",
    "ref_published_projections",
]


def test_definitions_load_with_raw_dbt_forecast_and_publish_assets():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "raw/epoch_gpu_clusters",
        "marts/fct_ai_deployments",
        "marts/fct_demand_forecast",
        "serving/dcpulse_warehouse",
    } <= keys
    # raw assets and dbt models form one graph: the staging model depends on the raw asset
    stg = next(k for k in graph.get_all_asset_keys() if k.to_user_string() == "staging/stg_epoch__gpu_clusters")
    assert "raw/epoch_gpu_clusters" in {p.to_user_string() for p in graph.get(stg).parent_keys}
    assert any(c.name.startswith("unique_") for c in graph.asset_check_keys)  # dbt tests are asset checks
    job = defs.resolve_job_def("refresh_all_job")  # raises when the job is missing: what it selects is the test
    selected = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {"raw/epoch_gpu_clusters", "marts/fct_ai_deployments", "marts/fct_demand_forecast"} <= selected
    assert "serving/dcpulse_warehouse" in selected and not any(k.startswith("landing/") for k in selected)


@pytest.fixture(scope="module")
def e2e_root(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def published(e2e_root):
    mp = pytest.MonkeyPatch()
    root = e2e_root
    mp.setenv("DCPULSE_WAREHOUSE_DIR", str(root / "warehouse"))
    mp.delenv("DCPULSE_SOURCES_DIR", raising=False)
    import dagster as dg

    from orchestration.definitions import defs

    result = defs.resolve_job_def("refresh_all_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    path = serving_path()
    mp.undo()
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_every_mart_is_published_and_non_empty(published):
    for table in MARTS:
        assert published.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0, table
    assert published.execute("select count(*) from meta.runs where status = 'published'").fetchone()[0] == 1


def test_one_deployment_row_per_source_row_with_every_status(published):
    raw, marts = published.execute(
        "select (select count(*) from raw.epoch_gpu_clusters), (select count(*) from marts.fct_ai_deployments)"
    ).fetchone()
    assert raw == marts == 786
    statuses = {s for (s,) in published.execute("select distinct status from marts.fct_ai_deployments").fetchall()}
    assert statuses == {"operational", "planned", "decommissioned"}


def test_colossus_phase_1_carries_its_reported_power(published):
    row = published.execute(
        "select facility_power_mw, power_basis from marts.fct_ai_deployments "
        "where cluster_name = 'xAI Colossus Memphis Phase 1'"
    ).fetchone()
    assert row == (150.0, "reported")


def test_markets_cover_95_percent_of_located_deployment_power(published):
    # Located = the location text says more than the country's name. Country-only rows sit in
    # '<cc>-undisclosed' (tier unknown) by design and do not count as placed here; a metro of tier
    # 'unclassified' is placed (a named market no list classifies).
    placed, everything = published.execute(
        """select sum(d.facility_power_mw) filter (where m.market_tier <> 'unknown'),
                  sum(d.facility_power_mw)
           from marts.fct_ai_deployments d join marts.dim_markets m using (market_id)
           where d.location_text is not null
             and lower(trim(d.location_text)) <> lower(coalesce(d.country_name, ''))"""
    ).fetchone()
    assert placed / everything >= 0.95


def test_demand_history_matches_forecast_history(published):
    """The forecast's history is the demand table's complete years (the partial as-of year is its installed base)."""
    diff = published.execute(
        """select count(*) from (select * from marts.fct_ai_demand_by_tier where is_year_end) h
           full join (select * from marts.fct_demand_forecast where is_history and scenario = 'base') f
           using (year, region, market_tier, market_kind, workload)
           where abs(coalesce(h.facility_power_mw, -1) - coalesce(f.facility_power_mw, -2)) > 1e-6"""
    ).fetchone()[0]
    assert diff == 0


def test_scenarios_ordered_after_history(published):
    bad = published.execute(
        """with t as (select year, scenario, sum(facility_power_mw) mw from marts.fct_demand_forecast
                      where not is_history group by all)
           select count(*) from t l join t b using (year) join t h using (year)
           where l.scenario = 'low' and b.scenario = 'base' and h.scenario = 'high'
             and not (l.mw <= b.mw + 1e-6 and b.mw <= h.mw + 1e-6)"""
    ).fetchone()[0]
    assert bad == 0


def test_code_location_loads_as_dagster_dev_starts_it():
    """Under `dagster dev` (DAGSTER_IS_DEV_CLI set, venv not on PATH) the definitions must still load."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DAGSTER_IS_DEV_CLI": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from orchestration.definitions import defs; print(len(defs.resolve_asset_graph().get_all_asset_keys()))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.strip().splitlines()[-1]) > 40


def test_stock_duckdb_cli_opens_the_serving_file(published):
    """Analysts use the stock CLI (duckdb-cli from PyPI), not our Python: it must read the file."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    cli = Path(sys.executable).parent / "duckdb"
    cli = str(cli) if cli.exists() else shutil.which("duckdb")
    assert cli, "duckdb-cli is a dev dependency: pip install -e '.[dev]'"
    path = published.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[
        0
    ]
    out = subprocess.run(
        [cli, path, "-readonly", "-csv", "-noheader", "-c", "select count(*) from marts.fct_ai_deployments"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == 786


def _run_job(warehouse, sources):
    import dagster as dg

    from orchestration.definitions import defs

    mp = pytest.MonkeyPatch()
    mp.setenv("DCPULSE_WAREHOUSE_DIR", str(warehouse))
    mp.setenv("DCPULSE_SOURCES_DIR", str(sources))
    try:
        result = defs.resolve_job_def("refresh_all_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    finally:
        mp.undo()
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    return result


def _reused(result) -> set[str]:
    """The assets a run reported as reused (kept as built: their inputs did not change)."""
    return {
        m.asset_key.to_user_string()
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
        if "dcpulse/reused" in m.metadata
    }


def _fresh(root, name: str) -> duckdb.DuckDBPyConnection:
    """The file just published, read through a copy: this process still holds run 1's serving file open
    (fixture ``published``), and DuckDB hands a second connect() to the same path that same database."""
    import shutil

    copy = root / f"{name}.duckdb"
    shutil.copy(root / "warehouse" / "dcpulse.duckdb", copy)
    return duckdb.connect(str(copy), read_only=True)


def _marts(con) -> dict[str, list[tuple]]:
    query = "select table_name from duckdb_tables() where schema_name = 'marts'"
    tables = [t for (t,) in con.execute(query).fetchall()]
    return {t: sorted(map(repr, con.execute(f"select * from marts.{t}").fetchall())) for t in tables}


def test_a_changed_source_rebuilds_only_what_it_feeds_and_gives_the_marts_of_a_full_build(published, e2e_root):
    """Run 2 changes one Lambda price: dbt rebuilds what raw.lambda_gpu_prices feeds and keeps the rest
    (reported as reused). Run 3 restores the file: the marts equal run 1's full build, value for value.
    Run 4 deletes a source: it keeps its last good rows, and what those rows feed is not rebuilt."""
    import shutil

    from transforms.storage.paths import sources_dir

    full = _marts(published)  # run 1 (the module's full build); this connection keeps reading its file
    sources = e2e_root / "sources"
    shutil.copytree(sources_dir(), sources)
    prices = sources / "skypilot" / "lambda_gpu_prices.csv"
    original = prices.read_text()
    row = next(line for line in original.splitlines() if ",gpu_8x_v100," in line)
    fields = row.split(",")
    fields[6] = str(float(fields[6]) * 1.1)  # Price_usd_per_hour of the 8x V100 instance, 10 % up
    prices.write_text(original.replace(row, ",".join(fields)))

    second = _run_job(e2e_root / "warehouse", sources)
    reused = _reused(second)
    assert "staging/stg_eia__retail_prices" in reused  # not fed by Lambda's prices: kept
    assert "marts/fct_energy_prices" in reused
    assert "staging/stg_lambda__gpu_prices" not in reused  # fed by it: rebuilt
    assert "marts/fct_gpu_prices" not in reused

    prices.write_text(original)
    _run_job(e2e_root / "warehouse", sources)
    con = _fresh(e2e_root, "run-3")
    try:
        assert _marts(con) == full
    finally:
        con.close()

    # Run 4: a source fails (its file is gone) and keeps the very rows the build read: nothing it feeds is
    # rebuilt, only what reads the provenance (its stale flag; the history's as-of date reads the sources'
    # retrieval dates, so the installed base is rebuilt too, to the same values).
    (sources / "epoch" / "ml_hardware.csv").unlink()
    fourth = _run_job(e2e_root / "warehouse", sources)
    reused = _reused(fourth)
    assert {"staging/stg_epoch__ml_hardware", "marts/dim_gpus", "intermediate/int_gpus__it_power"} <= reused
    assert "staging/stg_meta__source_files" not in reused
    con = _fresh(e2e_root, "run-4")
    try:
        stale = con.execute(
            "select is_stale, source_file, read_from, stale_reason from meta.source_files "
            "where source_table = 'epoch_ml_hardware'"
        ).fetchone()
        assert stale[0], stale
        marts = _marts(con)
        assert {t: v for t, v in marts.items() if t != "fct_gpu_prices"} == {
            t: v for t, v in full.items() if t != "fct_gpu_prices"
        }
    finally:
        con.close()


def test_a_var_override_reaches_dbt_the_forecast_and_meta_parameters(published, e2e_root, monkeypatch):
    """DCPULSE_VARS overrides a dbt var for one run: dbt's marts, the forecast (written from Python) and
    meta.parameters all carry the same value, and the no-change skip does not hide the run."""
    from transforms.storage.paths import sources_dir

    monkeypatch.setenv("DCPULSE_VARS", "{pue_ai_cluster: 1.3}")
    _run_job(e2e_root / "warehouse", sources_dir())
    con = _fresh(e2e_root, "run-vars")
    try:
        value, note = con.execute(
            "select value, note from meta.parameters where parameter = 'pue_ai_cluster' and scope = 'model'"
        ).fetchone()
        assert value == "1.3" and "overridden for this run by DCPULSE_VARS" in note
        dbt_pue = con.execute(
            "select min(facility_power_mw / it_power_mw), max(facility_power_mw / it_power_mw) "
            "from marts.fct_ai_deployments where power_basis = 'calculated' and it_power_mw > 0"
        ).fetchone()
        assert dbt_pue == pytest.approx((1.3, 1.3))
        # a projected cell holding only announced pipeline is converted at the AI PUE the forecast read
        forecast_pue = con.execute(
            "select min(facility_power_mw / it_power_mw), max(facility_power_mw / it_power_mw), count(*) "
            "from marts.fct_demand_forecast where not is_history and pipeline_mw > 0 and installed_base_mw = 0 "
            "and growth_mw = 0 and retired_mw = 0 and ordering_adjustment_mw = 0"
        ).fetchone()
        assert forecast_pue[2] > 0 and forecast_pue[:2] == pytest.approx((1.3, 1.3))
    finally:
        con.close()


def test_readme_figures_are_the_warehouse_s(published):
    """The README's generated figures (installed base, forecast) are what a run on the shipped sources gives:
    run `make docs` after `make run` when they differ."""
    from orchestration.defs.publish.readme_figures import BLOCKS, readme_block

    for start, end, make in BLOCKS:
        assert readme_block(start, end) == make(published), f"README block {start[:30]}... is out of date: make docs"
