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
    from orchestration.defs.ingest.load_raw import load_all
    from transforms.storage.paths import build_path

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


DEMAND_MEASURES = ("it_power_mw", "facility_power_mw", "h100_equivalents")
WORKLOADS = ("training", "inference", "hpc")


def _unit_power_sql() -> str:
    """Each unit of installed capacity's facility MW at the end of every period of the demand table, written
    from the sources and the public marts, not from the models that build the demand table: a campus's power
    is its last observed timeline event on or before the period's end (events after the as-of date are
    projections); a cluster counts its own power over demand_start_year..demand_end_year, except while the
    campus it is paired with (fct_ai_deployments.paired_campus_id) has power."""
    return """
        with periods as (
            select distinct year, as_of_date as period_end from marts.fct_ai_demand_by_tier
        ),
        as_of as (select max(as_of_date) as d from marts.fct_ai_demand_by_tier),
        campuses as (
            select facility_id as campus_id, facility_name as data_center_id
            from marts.fct_facilities where source_dataset = 'epoch_frontier_data_centers'
        ),
        campus_power as (
            select p.year, c.campus_id, coalesce(
                (select t.power_mw from staging.stg_epoch__data_center_timelines t
                 where t.data_center_id = c.data_center_id and t.event_date <= p.period_end
                   and t.event_date <= (select d from as_of)
                 order by t.event_date desc, t.source_ref desc limit 1), 0) as mw
            from periods p cross join campuses c
        ),
        clusters as (
            select p.year, 'cluster:' || d.deployment_id as unit_id, d.facility_power_mw as mw
            from periods p join marts.fct_ai_deployments d
              on p.year between d.demand_start_year and d.demand_end_year
            left join campus_power cp on cp.campus_id = d.paired_campus_id and cp.year = p.year
            where coalesce(cp.mw, 0) = 0
        )
        select year, campus_id as unit_id, mw from campus_power where mw > 0
        union all select year, unit_id, mw from clusters where mw > 0
    """


def _as_of_year(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select max(year) from marts.fct_ai_demand_by_tier").fetchone()[0]


def test_demand_totals_equal_the_campuses_and_the_clusters_no_campus_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Every period's total (AI and hpc) is the frontier campuses' timeline power plus the clusters no campus
    counts, recomputed from the sources; years run from the first installed year to the as-of year."""
    table = dict(
        con.execute("select year, sum(facility_power_mw) from marts.fct_ai_demand_by_tier group by year").fetchall()
    )
    expected = dict(con.execute(f"select year, sum(mw) from ({_unit_power_sql()}) group by year").fetchall())
    assert sorted(table) == list(range(min(expected), _as_of_year(con) + 1))
    for year, total in table.items():
        assert total == pytest.approx(expected.get(year, 0.0), abs=1e-6), year


def test_demand_by_tier_cells_are_the_units_split_by_their_share(con: duckdb.DuckDBPyConnection) -> None:
    """Per year x region x tier x kind x workload, both ways: the units' power (recomputed from the sources),
    split by each unit's training share of that year (int_ai_capacity__workload_split), is what the demand table
    holds, and so are the split's low and high ends; each unit counts once in deployments, in the row of its
    larger share that year."""
    hpc_apart = "not true" if project_var("hpc_counts_as_ai_demand") else "true"
    mismatches = con.execute(
        f"""
        with power as ({_unit_power_sql()}),
        units as (
            select *, workload = 'hpc' and {hpc_apart} as apart from intermediate.int_ai_capacity__units
        ),
        shared as (
            select p.year, p.mw, u.region, u.market_tier, u.market_kind, u.apart, s.training_share as share,
                   s.training_share_low as low, s.training_share_high as high
            from power p join units u using (unit_id)
            join intermediate.int_ai_capacity__workload_split s on s.unit_id = p.unit_id and s.year = p.year
        ),
        parts as (
            select year, region, market_tier, market_kind, 'training' as workload, mw * share as mw,
                   mw * low as lo, mw * high as hi, share >= 0.5 as main
            from shared where not apart
            union all
            select year, region, market_tier, market_kind, 'inference', mw * (1 - share), mw * (1 - high),
                   mw * (1 - low), share < 0.5 from shared where not apart
            union all
            select year, region, market_tier, market_kind, 'hpc', mw, mw, mw, true from shared where apart
        ),
        expected as (
            select year, region, market_tier, market_kind, workload, sum(mw) as mw, sum(lo) as lo, sum(hi) as hi,
                   count(*) filter (where main) as n
            from parts group by all
        )
        select coalesce(e.year, t.year), region, market_tier, market_kind, workload, e.mw, t.facility_power_mw,
               e.n, t.deployments
        from expected e
        full join marts.fct_ai_demand_by_tier t using (year, region, market_tier, market_kind, workload)
        where abs(coalesce(e.mw, 0) - coalesce(t.facility_power_mw, 0)) > 1e-6
           or abs(coalesce(e.lo, 0) - coalesce(t.split_low_mw, 0)) > 1e-6
           or abs(coalesce(e.hi, 0) - coalesce(t.split_high_mw, 0)) > 1e-6
           or coalesce(e.n, 0) <> coalesce(t.deployments, 0)
        """
    ).fetchall()
    assert mismatches == []


def test_energy_is_the_period_energy_from_mid_period_capacity(con: duckdb.DuckDBPyConnection) -> None:
    """A period's energy is its hours x the workload's load factor x the mean of each unit's facility MW at the
    end of the period before and at the end of this one, split by the unit's share of this period (the year a unit
    comes online counts half); the last, partial year's hours run from 1 January to the as-of date."""
    load_factor = {w: float(project_var(f"load_factor_{w}")) for w in WORKLOADS}
    hpc_apart = "not true" if project_var("hpc_counts_as_ai_demand") else "true"
    rows = con.execute(
        f"""
        with units as (
            select unit_id, workload = 'hpc' and {hpc_apart} as apart from intermediate.int_ai_capacity__units
        ),
        mid as (
            select i.year, (i.facility_power_mw + i.facility_power_mw_previous) / 2 as mw, s.training_share, u.apart
            from intermediate.int_ai_capacity__installed_by_year i join units u using (unit_id)
            join intermediate.int_ai_capacity__workload_split s on s.unit_id = i.unit_id and s.year = i.year
        ),
        expected as (
            select year, 'training' as workload, sum(mw * training_share) as mid_mw from mid where not apart group by 1
            union all
            select year, 'inference', sum(mw * (1 - training_share)) from mid where not apart group by 1
            union all
            select year, 'hpc', sum(mw) from mid where apart group by 1
        ),
        actual as (
            select workload, year, any_value(as_of_date) as as_of, sum(facility_power_mw) as mw,
                   sum(annual_energy_mwh) as energy
            from marts.fct_ai_demand_by_tier group by all
        )
        select a.workload, a.year, a.as_of, coalesce(e.mid_mw, 0), a.energy
        from actual a left join expected e using (workload, year) order by 1, 2
        """
    ).fetchall()
    grew = 0
    for workload, year, as_of, mid_mw, energy in rows:
        hours = (
            24 * ((as_of - as_of.replace(month=1, day=1)).days + 1) if (as_of.month, as_of.day) != (12, 31) else 8760
        )
        assert energy == pytest.approx(hours * load_factor[workload] * mid_mw, rel=1e-9, abs=1e-6), (workload, year)
        grew += energy > 0
    assert grew > 0


def test_demand_by_tier_is_a_full_grid(con: duckdb.DuckDBPyConnection) -> None:
    """Every year x every dim_markets region x every (tier, kind) pair of dim_markets x 3 workloads, once;
    the last year is as of the history's as-of date, the others as of 31 December."""
    years = [
        y for (y,) in con.execute("select distinct year from marts.fct_ai_demand_by_tier order by year").fetchall()
    ]
    assert years == list(range(years[0], _as_of_year(con) + 1))
    as_of = dict(
        con.execute("select year, any_value(as_of_date) from marts.fct_ai_demand_by_tier group by year").fetchall()
    )
    assert all((d.month, d.day) == (12, 31) for y, d in as_of.items() if y < years[-1])
    regions = {r for (r,) in con.execute("select distinct region from marts.fct_ai_demand_by_tier").fetchall()}
    assert regions == {r for (r,) in con.execute("select distinct region from marts.dim_markets").fetchall()}
    assert regions == {"North America", "Latin America", "Europe", "Middle East & Africa", "Asia Pacific", "Unknown"}
    tier_kinds = set(con.execute("select distinct market_tier, market_kind from marts.dim_markets").fetchall())
    assert set(con.execute("select distinct market_tier, market_kind from marts.fct_ai_demand_by_tier").fetchall()) == (
        tier_kinds
    )
    workloads = {w for (w,) in con.execute("select distinct workload from marts.fct_ai_demand_by_tier").fetchall()}
    assert workloads == set(WORKLOADS)
    (ai_flag_wrong,) = con.execute(
        "select count(*) from marts.fct_ai_demand_by_tier where is_ai_demand <> (workload in ('training', 'inference'))"
    ).fetchone()
    assert ai_flag_wrong == 0
    rows, keys, zero_rows = con.execute(
        "select count(*), count(distinct (year, region, market_tier, market_kind, workload)), "
        "count(*) filter (where deployments = 0 and facility_power_mw = 0 and annual_energy_mwh = 0) "
        "from marts.fct_ai_demand_by_tier"
    ).fetchone()
    assert rows == keys == len(years) * len(regions) * len(tier_kinds) * len(WORKLOADS)
    assert zero_rows > 0  # zero-filled, not left out


def test_installed_ai_agrees_with_the_campus_timelines_at_the_end_of_2025(con: duckdb.DuckDBPyConnection) -> None:
    """End-2025 AI demand is at least 0.9x the timelines' campus total for that date (each campus's power at
    its last event on or before it) and at most that plus the clusters no campus counts; tier 'unknown' is
    under 30 % of it."""
    (campus_total,) = con.execute(
        """select sum(power_mw) from (
               select data_center_id, arg_max(power_mw, event_date) as power_mw
               from staging.stg_epoch__data_center_timelines where event_date <= date '2025-12-31'
               group by data_center_id)"""
    ).fetchone()
    ai, unknown = con.execute(
        "select sum(facility_power_mw), sum(facility_power_mw) filter (where market_tier = 'unknown') "
        "from marts.fct_ai_demand_by_tier where year = 2025 and is_ai_demand"
    ).fetchone()
    (clusters,) = con.execute(
        "select coalesce(sum(facility_power_mw), 0) from marts.fct_ai_deployments "
        "where 2025 between demand_start_year and demand_end_year and workload <> 'hpc'"
    ).fetchone()
    assert campus_total > 7000  # the 2026-07 export's 73 campuses
    assert 0.9 * campus_total <= ai <= campus_total + clusters
    assert unknown < 0.3 * ai


def test_counted_means_built(con: duckdb.DuckDBPyConnection) -> None:
    """Product maxima and rows Epoch doubts were built are not installed demand; oil-and-gas supercomputers
    are hpc, shown apart."""
    reasons = dict(
        con.execute(
            "select cluster_name, demand_reason from marts.fct_ai_deployments where cluster_name in "
            "('Oracle OCI Supercluster H200s', 'CoreWeave H200s')"
        ).fetchall()
    )
    assert reasons == {"Oracle OCI Supercluster H200s": "not_known_built", "CoreWeave H200s": "product_maximum"}
    workloads = dict(
        con.execute(
            "select owner, list(distinct workload) from marts.fct_ai_deployments where owner in "
            "('Eni', 'ExxonMobil', 'Petrobras', 'TotalEnergies') and status <> 'planned' group by owner"
        ).fetchall()
    )
    assert set(workloads) == {"Eni", "ExxonMobil", "Petrobras", "TotalEnergies"}
    assert all(w == ["hpc"] for w in workloads.values()), workloads


def test_market_summary_states_its_capacity_coverage(con: duckdb.DuckDBPyConnection) -> None:
    nova = con.execute(
        "select broker_inventory_mw, tracked_operational_mw, capacity_coverage, capacity_coverage_class, "
        "broker_inventory_source from marts.fct_market_summary where market_id = 'us-northern-virginia'"
    ).fetchone()
    broker, tracked, coverage, coverage_class, source = nova
    assert broker == pytest.approx(2930.1)
    assert coverage == pytest.approx(tracked / broker)
    assert coverage_class == "below_half" and coverage < 0.5
    assert "CBRE" in source
    (unlocated,) = con.execute(
        "select unlocated_owners from marts.fct_market_summary where market_id = 'us-undisclosed'"
    ).fetchone()
    assert "Meta" in unlocated


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
    # one to one: Lancium's campus pairs with Stargate Abilene only, White Oak Tech Park with QTS Richmond 1 only
    lancium = duplicated["OpenAI Stargate Abilene"]
    assert [n for n, d in duplicated.items() if d == lancium] == ["OpenAI Stargate Abilene"]
    assert "OpenAI Stargate Shackelford" not in duplicated and "Crusoe Abilene Expansion" not in duplicated
    assert [n for n, d in duplicated.items() if n.startswith("QTS Richmond")] == ["QTS Richmond 1"]
    # a city name is not a shared name: Google Mesa is not Edged Mesa
    assert "Google Mesa" not in duplicated
    # FracTracker lists Microsoft's Fayetteville campus twice: one record, the larger, stays primary
    assert duplicated["Atlanta Fayetteville Campus"] == "ft-fairwater-2-ga"
    assert duplicated["Microsoft Fairwater Atlanta"] == "ft-fairwater-2-ga"
    radius = duplicate_radius_km()
    # every duplicate points at a primary FracTracker record within the radius
    (bad_pointers,) = con.execute(
        f"""select count(*) from marts.fct_facilities a
            left join marts.fct_facilities b on a.duplicate_of = b.facility_id
            where not a.is_primary_record and (b.facility_id is null or not b.is_primary_record
              or b.source_dataset <> 'fractracker' or {HAVERSINE_KM} > ?)""",
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
    rows = {
        name: (reason, campus)
        for name, reason, campus in con.execute(
            "select cluster_name, demand_reason, paired_campus_id from marts.fct_ai_deployments "
            "where cluster_name like 'xAI Colossus Memphis Phase %'"
        ).fetchall()
    }
    assert rows["xAI Colossus Memphis Phase 1"][0] == "superseded"
    # the installed phase is part of the Colossus 1 campus, whose timeline counts its power
    assert rows["xAI Colossus Memphis Phase 3"] == ("counted_in_campus", "epoch-colossus-1")


def test_facility_lifecycle_stages_are_kept_apart(con: duckdb.DuckDBPyConnection) -> None:
    statuses = {s for (s,) in con.execute("select distinct status from marts.fct_facilities").fetchall()}
    assert {"operational", "planned", "under_construction", "cancelled"} <= statuses
