"""`dbt build` on a temporary warehouse loaded from the shipped sources: models, data tests,
unit tests and contracts all pass, and the marts hold the facts the contract promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
MARTS = (
    "dim_markets",
    "dim_gpus",
    "fct_facilities",
    "fct_ai_deployments",
    "fct_ai_demand_by_tier",
    "fct_energy_prices",
    "fct_gpu_prices",
)
LATEST_YEAR = 2025


def project_var(name: str) -> object:
    return yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text())["vars"][name]["value"]


def run_dbt(args: list[str], warehouse_file: Path, work: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DCPULSE_DUCKDB_PATH": str(warehouse_file),
        # Keep artefacts out of the repo's target/ and logs/ (a developer's dbt may be running).
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [str(DBT), *args, "--profiles-dir", "."],
        cwd=DBT_PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Load raw with the lead's loader into a temp warehouse, then `dbt build` once for the module."""
    from orchestration.lib.load_raw import load_all
    from orchestration.lib.warehouse import build_path

    work = tmp_path_factory.mktemp("dbt_build")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DCPULSE_SOURCES_DIR", str(ROOT / "data" / "sources"))
        mp.setenv("DCPULSE_WAREHOUSE_DIR", str(work / "warehouse"))
        load_all()
        warehouse_file = build_path()
    result = run_dbt(["build"], warehouse_file, work)
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    yield {"result": result, "run_results": run_results, "warehouse": warehouse_file}


@pytest.fixture
def con(built: dict[str, object]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built["warehouse"]), read_only=True)
    yield connection
    connection.close()


def test_dbt_build_succeeds_with_every_node_passing(built: dict[str, object]) -> None:
    result = built["result"]
    assert isinstance(result, subprocess.CompletedProcess)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    statuses = {r["unique_id"]: r["status"] for r in built["run_results"]["results"]}  # type: ignore[index]
    failed = {uid: s for uid, s in statuses.items() if s not in ("success", "pass")}
    assert not failed
    assert any(uid.startswith("unit_test.") for uid in statuses), "unit tests did not run"


def test_every_mart_exists_and_is_not_empty(con: duckdb.DuckDBPyConnection) -> None:
    for table in MARTS:
        (rows,) = con.execute(f"select count(*) from marts.{table}").fetchone()
        assert rows > 0, table


def test_colossus_phase_1_carries_its_reported_power(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "select power_basis, facility_power_mw, it_power_mw, gpu_model, workload "
        "from marts.fct_ai_deployments where cluster_name = 'xAI Colossus Memphis Phase 1'"
    ).fetchall()
    assert len(row) == 1
    power_basis, facility_mw, it_mw, gpu_model, workload = row[0]
    assert power_basis == "reported"
    assert facility_mw == pytest.approx(150.0)
    assert it_mw == pytest.approx(150.0 / 1.2)
    assert gpu_model == "NVIDIA H100 SXM5 80GB"
    assert workload == "training"


def test_calculated_power_traces_to_parameters(con: duckdb.DuckDBPyConnection) -> None:
    """A chip_tdp row: IT MW = chips x the GPU's IT kW / 1e3, where the GPU's IT kW is a published
    system's power per GPU (seed platform_power) or else TDP x server_overhead (1.82); facility = IT x PUE."""
    overhead, pue = project_var("server_overhead"), project_var("pue_ai_cluster")
    platform = dict(con.execute("select gpu_model, it_kw_per_gpu from staging.platform_power").fetchall())
    rows = con.execute(
        "select d.chip_quantity_primary, g.gpu_model, g.tdp_w, g.it_kw_per_gpu, g.it_power_basis, d.it_power_mw, "
        "d.facility_power_mw from marts.fct_ai_deployments d join marts.dim_gpus g on d.gpu_model = g.gpu_model "
        "where d.power_method = 'chip_tdp' and d.chip_quantity_secondary is null"
    ).fetchall()
    assert rows
    bases = set()
    for chips, gpu, tdp_w, it_kw, basis, it_mw, facility_mw in rows:
        bases.add(basis)
        if basis == "tdp_x_server_overhead":
            assert it_kw == pytest.approx(tdp_w * overhead / 1000)
        else:
            assert basis == "platform_system_power"
            assert it_kw == pytest.approx(platform[gpu])
        assert it_mw == pytest.approx(chips * it_kw / 1000)
        assert facility_mw == pytest.approx(it_mw * pue)
    assert bases == {"tdp_x_server_overhead", "platform_system_power"}


def test_one_deployment_row_per_raw_row(con: duckdb.DuckDBPyConnection) -> None:
    (raw_rows,) = con.execute("select count(*) from raw.epoch_gpu_clusters").fetchone()
    (rows, ids, statuses) = con.execute(
        "select count(*), count(distinct deployment_id), count(distinct status) from marts.fct_ai_deployments"
    ).fetchone()
    assert rows == raw_rows == ids
    assert statuses == 3


def test_unplaceable_rows_are_kept_in_the_unassigned_market(con: duckdb.DuckDBPyConnection) -> None:
    (unassigned,) = con.execute(
        "select count(*) from marts.fct_ai_deployments where market_id = 'unassigned'"
    ).fetchone()
    assert unassigned > 0
    (orphans,) = con.execute(
        "select count(*) from marts.fct_ai_deployments d "
        "left join marts.dim_markets m using (market_id) where m.market_id is null"
    ).fetchone()
    assert orphans == 0


DEMAND_MEASURES = ("gpu_count", "it_power_mw", "facility_power_mw", "h100_equivalents")
WORKLOADS = ("training", "inference", "hpc")


def _parts_sql() -> str:
    """Each counted deployment as its workload parts: an AI deployment splits by training_share into a
    training and an inference part; a public scientific supercomputer is one hpc part (unless the
    hpc_counts_as_ai_demand switch is on). Written from the fct_ai_deployments contract, not the model."""
    hpc_apart = "not true" if project_var("hpc_counts_as_ai_demand") else "true"
    return f"""
        with counted as (
            select *, workload = 'hpc' and {hpc_apart} as hpc_apart
            from marts.fct_ai_deployments where demand_start_year is not null
        )
        select *, 'training' as part, training_share as share from counted where not hpc_apart
        union all select *, 'inference', 1 - training_share from counted where not hpc_apart
        union all select *, 'hpc', 1.0 from counted where hpc_apart
    """


def test_demand_by_tier_equals_the_counted_deployments_in_every_year(con: duckdb.DuckDBPyConnection) -> None:
    """Per year x region x tier x kind x workload, both ways: the deployments installed at the year's end
    (demand_start_year..demand_end_year), their power split by workload share, are exactly what the
    demand table holds, zeros included."""
    sums = ", ".join(f"coalesce(sum(d.{m} * d.share), 0) as {m}" for m in DEMAND_MEASURES)
    differs = " or ".join(f"abs(coalesce(e.{m}, 0) - coalesce(t.{m}, -1)) > 1e-6" for m in DEMAND_MEASURES)
    mismatches = con.execute(
        f"""
        with parts as ({_parts_sql()}),
        years as (
            select unnest(range((select min(demand_start_year) from parts), ? + 1)) as year
        ),
        expected as (
            select y.year, d.region, d.market_tier, d.market_kind, d.part as workload, count(*) as deployments, {sums}
            from parts d
            join years y on y.year between d.demand_start_year and d.demand_end_year
            where d.share > 0
            group by all
        )
        select coalesce(e.year, t.year) as year, region, market_tier, market_kind, workload,
               e.deployments, t.deployments
        from expected e
        full join marts.fct_ai_demand_by_tier t using (year, region, market_tier, market_kind, workload)
        where coalesce(e.deployments, 0) <> coalesce(t.deployments, -1) or {differs}
        """,
        [LATEST_YEAR],
    ).fetchall()
    assert mismatches == []


def test_demand_totals_equal_the_counted_deployments_for_every_year(con: duckdb.DuckDBPyConnection) -> None:
    """Year totals, both directions: every year from the first counted year to the latest has a total
    equal to the deployments installed that year, and the table has no other year. Power splits, it is
    never created or lost: training + inference + hpc MW is the deployments' MW."""
    sums = ", ".join(f"coalesce(sum({m}), 0) as {m}" for m in DEMAND_MEASURES)
    table = con.execute(f"select year, {sums} from marts.fct_ai_demand_by_tier group by year order by year").fetchall()
    first_year = con.execute("select min(demand_start_year) from marts.fct_ai_deployments").fetchone()[0]
    assert [row[0] for row in table] == list(range(first_year, LATEST_YEAR + 1))
    for year, *totals in table:
        expected = con.execute(
            "select "
            + ", ".join(f"coalesce(sum({m}), 0)" for m in DEMAND_MEASURES)
            + " from marts.fct_ai_deployments where ? between demand_start_year and demand_end_year",
            [year],
        ).fetchone()
        assert totals == pytest.approx(list(expected)), year
    counted = con.execute(
        "select count(*) from marts.fct_ai_deployments where ? between demand_start_year and demand_end_year",
        [LATEST_YEAR],
    ).fetchone()[0]
    installed = con.execute(
        "select count(*) from marts.fct_ai_deployments where counts_in_demand or demand_reason = 'hpc_not_ai_demand'"
    ).fetchone()[0]
    assert counted == installed


def test_energy_is_the_calendar_year_from_mid_year_capacity(con: duckdb.DuckDBPyConnection) -> None:
    """A year's energy is 8,760 h x the workload's load factor x the mean of the facility MW installed at the
    end of the year before and at the end of the year (the year a deployment comes online counts half),
    not the year-end run-rate."""
    load_factor = {w: float(project_var(f"load_factor_{w}")) for w in WORKLOADS}
    rows = con.execute(
        "select workload, year, sum(facility_power_mw), sum(annual_energy_mwh) from marts.fct_ai_demand_by_tier "
        "group by all order by workload, year"
    ).fetchall()
    previous: dict[str, float] = {}
    grew = 0
    for workload, year, mw, energy in rows:
        before = previous.get(workload, 0.0)
        assert energy == pytest.approx(8760 * load_factor[workload] * (before + mw) / 2, rel=1e-9, abs=1e-6), (
            workload,
            year,
        )
        grew += mw > before
        if mw > before:
            assert energy < 8760 * load_factor[workload] * mw
        previous[workload] = mw
    assert grew > 0


def test_demand_by_tier_is_a_full_grid(con: duckdb.DuckDBPyConnection) -> None:
    """Every year x every dim_markets region x every (tier, kind) pair of dim_markets x 3 workloads, once."""
    years = con.execute("select distinct year from marts.fct_ai_demand_by_tier order by year").fetchall()
    first_year = con.execute("select min(demand_start_year) from marts.fct_ai_deployments").fetchone()[0]
    assert [y for (y,) in years] == list(range(first_year, LATEST_YEAR + 1))
    regions = {r for (r,) in con.execute("select distinct region from marts.fct_ai_demand_by_tier").fetchall()}
    assert regions == {r for (r,) in con.execute("select distinct region from marts.dim_markets").fetchall()}
    assert regions == {"North America", "Latin America", "Europe", "Middle East & Africa", "Asia Pacific", "Unknown"}
    tier_kinds = set(con.execute("select distinct market_tier, market_kind from marts.dim_markets").fetchall())
    assert set(con.execute("select distinct market_tier, market_kind from marts.fct_ai_demand_by_tier").fetchall()) == (
        tier_kinds
    )
    assert {t for t, _ in tier_kinds} == {"tier_1", "tier_2", "tier_3", "unknown"}
    workloads = {w for (w,) in con.execute("select distinct workload from marts.fct_ai_demand_by_tier").fetchall()}
    assert workloads == set(WORKLOADS)
    (ai_flag_wrong,) = con.execute(
        "select count(*) from marts.fct_ai_demand_by_tier where is_ai_demand <> (workload in ('training', 'inference'))"
    ).fetchone()
    assert ai_flag_wrong == 0
    rows, keys, zero_rows = con.execute(
        "select count(*), count(distinct (year, region, market_tier, market_kind, workload)), "
        "count(*) filter (where deployments = 0 and gpu_count = 0 and it_power_mw = 0 "
        "and facility_power_mw = 0 and annual_energy_mwh = 0) "
        "from marts.fct_ai_demand_by_tier"
    ).fetchone()
    assert rows == keys == len(years) * len(regions) * len(tier_kinds) * len(WORKLOADS)
    assert zero_rows > 0  # zero-filled, not left out
    (nulls,) = con.execute(
        "select count(*) from marts.fct_ai_demand_by_tier where deployments is null or gpu_count is null "
        "or it_power_mw is null or facility_power_mw is null or annual_energy_mwh is null"
    ).fetchone()
    assert nulls == 0


def duplicate_radius_km() -> float:
    return float(project_var("facility_duplicate_radius_km"))


HAVERSINE_KM = """2 * 6371 * asin(sqrt(pow(sin(radians(b.latitude - a.latitude) / 2), 2)
    + cos(radians(a.latitude)) * cos(radians(b.latitude)) * pow(sin(radians(b.longitude - a.longitude) / 2), 2)))"""


def test_each_site_is_one_primary_record(con: duckdb.DuckDBPyConnection) -> None:
    duplicated = dict(
        con.execute(
            "select facility_name, duplicate_of from marts.fct_facilities where not is_primary_record"
        ).fetchall()
    )
    assert len(duplicated) >= 14
    # Epoch's 2026 export names the xAI campuses 'Colossus 1' and 'Colossus 2' (FracTracker: 'xAI Colossus 1/2')
    assert duplicated["Colossus 1"] == "ft-xai-colossus-1-tn"
    assert duplicated["Colossus 2"] == "ft-xai-colossus-2-tn"
    assert duplicated["Meta Prometheus"] == "ft-new-albany-meta-data-center-prometheus-oh"  # not Google's, 1.8 km away
    assert duplicated["Google New Albany"] == "ft-google-new-albany-data-center-oh"
    for name in ("OpenAI Stargate Abilene", "Microsoft Fairwater Wisconsin", "Anthropic-Amazon New Carlisle"):
        assert name in duplicated
    radius = duplicate_radius_km()
    # every duplicate points at a primary FracTracker record within the radius
    (bad_pointers,) = con.execute(
        f"""select count(*) from marts.fct_facilities a
            left join marts.fct_facilities b on a.duplicate_of = b.facility_id
            where not a.is_primary_record and (a.source_dataset <> 'epoch_frontier_data_centers'
              or b.facility_id is null or not b.is_primary_record or b.source_dataset <> 'fractracker'
              or {HAVERSINE_KM} > ?)""",
        [radius],
    ).fetchone()
    assert bad_pointers == 0
    # no two primary records of different sources lie within the radius (where both give their own
    # coordinates: an Epoch 2026 campus without any is drawn at its market's centre, which says nothing)
    close = con.execute(
        f"""select a.facility_id, b.facility_id from marts.fct_facilities a join marts.fct_facilities b
            on a.source_dataset < b.source_dataset and a.is_primary_record and b.is_primary_record
            where a.coordinates_basis = 'source' and b.coordinates_basis = 'source' and {HAVERSINE_KM} <= ?""",
        [radius],
    ).fetchall()
    assert close == []


def test_market_capacity_counts_each_site_once(con: duckdb.DuckDBPyConnection) -> None:
    """dim_markets.known_operational_mw sums operational + expanding primary records only."""
    mismatches = con.execute(
        """select m.market_id, m.known_operational_mw, coalesce(f.mw, 0)
           from marts.dim_markets m left join (
               select market_id, sum(capacity_mw_low) as mw from marts.fct_facilities
               where is_primary_record and status in ('operational', 'expanding') group by market_id
           ) f using (market_id)
           where abs(m.known_operational_mw - coalesce(f.mw, 0)) > 1e-6"""
    ).fetchall()
    assert mismatches == []
    colossus, all_records, sites = con.execute(
        """select m.known_operational_mw,
                  (select sum(capacity_mw_low) from marts.fct_facilities f
                   where f.market_id = m.market_id and f.status in ('operational', 'expanding')),
                  (select count(*) from marts.fct_facilities f where f.market_id = m.market_id and f.is_primary_record
                   and f.facility_name ilike '%colossus%')
           from marts.dim_markets m where market_id = 'us-memphis-xai-colossus'"""
    ).fetchone()
    # Colossus 1 and 2 are in both datasets and in the campus market: each counted once
    assert sites == 2
    assert colossus < all_records


def test_superseded_phase_leaves_demand_when_its_successor_is_installed(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = dict(
        con.execute(
            "select cluster_name, demand_reason from marts.fct_ai_deployments "
            "where cluster_name like 'xAI Colossus Memphis Phase %'"
        ).fetchall()
    )
    assert rows["xAI Colossus Memphis Phase 1"] == "superseded"
    assert rows["xAI Colossus Memphis Phase 3"] == "counted"


def test_facility_lifecycle_stages_are_kept_apart(con: duckdb.DuckDBPyConnection) -> None:
    statuses = {s for (s,) in con.execute("select distinct status from marts.fct_facilities").fetchall()}
    assert {"operational", "planned", "under_construction", "cancelled"} <= statuses
