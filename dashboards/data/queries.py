"""The named queries the pages run (SQL here, shaping in ``dashboards.analysis``, figures in ``charts.py``).

One module for all pages: most queries serve several (``market_summary`` five of the seven).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboards.data.connection import query
from dashboards.data.warehouse import ALIAS


def demand_forecast() -> pl.DataFrame:
    """marts.fct_demand_forecast: history and every scenario, with the market kind, whether a row is AI
    demand (hpc is not), its components, the split's range and which driver binds its region's total
    (total_basis)."""
    return query(
        "select year, scenario, region, market_tier, market_kind, workload, is_ai_demand, facility_power_mw, "
        "annual_energy_twh, is_history, installed_base_mw, pipeline_mw, growth_mw, retired_mw, "
        "ordering_adjustment_mw, split_low_mw, split_high_mw, total_basis, inference_share "
        "from marts.fct_demand_forecast order by year"
    )


def published_projections() -> pl.DataFrame:
    return query(
        "select publisher, publication, year_published, metric, scope, geography, year, value, unit, "
        "scenario, source_url, notes from marts.ref_published_projections order by publisher, year"
    )


def demand_by_tier() -> pl.DataFrame:
    """marts.fct_ai_demand_by_tier, every column (the scenario builder hands it to forecast_scenario)."""
    return query("select * from marts.fct_ai_demand_by_tier order by year, region, market_tier, market_kind, workload")


def market_summary() -> pl.DataFrame:
    """marts.fct_market_summary: one row per market with AI demand (training, inference; hpc apart), the
    announced AI pipeline, facility capacity in operation and in the pipeline, and the energy price."""
    return query("select * from marts.fct_market_summary order by market_tier, market_name")


def ai_pipeline() -> pl.DataFrame:
    """The announced AI pipeline as the forecast reads it: marts.fct_ai_pipeline where counts_in_pipeline."""
    return query("select * from marts.fct_ai_pipeline where counts_in_pipeline order by deployment_id")


def parameters() -> pl.DataFrame:
    """meta.parameters: every model, prior, platform-power and scenario parameter with unit and source."""
    return query(
        "select parameter, scope, value, unit, source, is_assumption, note, value_low, value_high "
        "from meta.parameters order by scope, parameter"
    )


def base_vintages() -> pl.DataFrame:
    """The installed base the forecast starts from, by the year it was first installed, in the demand marts'
    cells (marts.fct_ai_installed_by_vintage), read with the pipeline's own query, so the scenario builder
    retires hardware exactly as the stored forecast does."""
    from transforms.forecast.inputs import BASE_VINTAGES_SQL

    return query(BASE_VINTAGES_SQL).rename({"mw": "facility_power_mw"})


def unit_split() -> pl.DataFrame:
    """Each unit's training share by year (marts.fct_ai_workload_split), read with the pipeline's own query, so the
    scenario builder splits the pipeline exactly as the stored forecast does."""
    from transforms.forecast.inputs import UNIT_SPLIT_SQL

    return query(UNIT_SPLIT_SQL)


def demand_coverage() -> pl.DataFrame:
    """Tracked AI beside the all-AI estimate by year and scenario (marts.fct_ai_demand_coverage)."""
    return query("select * from marts.fct_ai_demand_coverage order by year, scenario")


def top_contributors() -> pl.DataFrame:
    """The projects adding most to each scenario's horizon total (marts.fct_forecast_top_contributors)."""
    return query("select * from marts.fct_forecast_top_contributors order by scenario, rank")


def pipeline_backtest() -> pl.DataFrame:
    """Past-due plans: MW the model realises beside MW a campus timeline shows built (marts.fct_pipeline_backtest)."""
    return query("select * from marts.fct_pipeline_backtest order by announced_mw desc, deployment_id")


def ai_demand_unlocated() -> pl.DataFrame:
    """AI capacity without a location, by country's undisclosed market and owner (largest first)."""
    return query("select * from marts.fct_ai_demand_unlocated order by ai_demand_mw desc, market_id, owner")


def markets() -> pl.DataFrame:
    return query("select * from marts.dim_markets order by market_id")


def facilities() -> pl.DataFrame:
    """marts.fct_facilities, one row per source record, with its market's name, region, tier and kind."""
    return query(
        "select f.*, m.market_name, m.region, m.market_tier, m.market_kind "
        "from marts.fct_facilities f left join marts.dim_markets m using (market_id)"
    )


def deployments() -> pl.DataFrame:
    """marts.fct_ai_deployments (every status) with its market's name and coordinates."""
    return query(
        "select d.*, m.market_name, m.latitude, m.longitude "
        "from marts.fct_ai_deployments d left join marts.dim_markets m using (market_id)"
    )


# The map draws every deployment or facility as a point: only the columns it shows are fetched, from the fact
# table alone, and the market's columns are joined from dim_markets (223 rows) in polars. Turning strings into
# Arrow is most of a query's cost here: at SCALE=100, 78,600 deployments x 73 columns with the join in SQL took
# ~180 ms (p95), 154,700 facilities ~130 ms (make bench SCALE=100).
MAP_DEPLOYMENT_COLUMNS = (
    "cluster_name", "owner", "market_id", "status", "workload", "training_share", "workload_basis",
    "facility_power_mw", "power_basis", "demand_reason", "region", "market_tier", "market_kind", "source",
)  # fmt: skip
MAP_FACILITY_COLUMNS = (
    "facility_name", "operator", "market_id", "latitude", "longitude", "status", "capacity_mw_low",
    "capacity_mw_high", "capacity_text", "duplicate_of", "source",
)  # fmt: skip


def _with_market(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``frame`` left-joined on market_id with those columns of marts.dim_markets."""
    return frame.join(markets().select("market_id", *columns), on="market_id", how="left")


def map_deployments() -> pl.DataFrame:
    """The map's columns of marts.fct_ai_deployments (every status), placed at their market's centre."""
    frame = query(f"select {', '.join(MAP_DEPLOYMENT_COLUMNS)} from marts.fct_ai_deployments")
    return _with_market(frame, ("market_name", "latitude", "longitude"))


def map_facilities() -> pl.DataFrame:
    """The map's columns of marts.fct_facilities (one row per source record) with its market's name and tier."""
    frame = query(f"select {', '.join(MAP_FACILITY_COLUMNS)} from marts.fct_facilities")
    return _with_market(frame, ("market_name", "region", "market_tier", "market_kind"))


def map_planned_generators() -> pl.DataFrame:
    """marts.fct_planned_generators: every planned generator of EIA-860M with its place, MW, fuel and year."""
    return query(
        "select generator_id, plant_name, state_code, latitude, longitude, nameplate_mw, fuel, status, planned_year, "
        "iso, nearest_market_id, nearest_market_km, source_release from marts.fct_planned_generators"
    )


def power_measure() -> dict[str, object]:
    """How the planned-generation figures are measured: the distance (var power_near_market_km) and the EIA-860M
    release, read from marts.fct_power_availability ({} when it is empty)."""
    frame = query(
        "select max(near_km) as near_km, max(source_release) as release, any_value(measure) as measure "
        "from marts.fct_power_availability"
    )
    row = frame.row(0, named=True) if frame.height else {}
    return row if row.get("near_km") is not None else {}


def gpus() -> pl.DataFrame:
    return query("select * from marts.dim_gpus order by gpu_model")


def gpu_prices() -> pl.DataFrame:
    return query(
        "select gpu_model, provider, region, observed_on, price_kind, price_usd, source from marts.fct_gpu_prices"
    )


def backtest() -> pl.DataFrame:
    return query("select * from marts.fct_forecast_backtest order by origin_year, target_year")


def runs() -> pl.DataFrame:
    return query(
        "select run_id, started_at, finished_at, status, published_path from meta.runs "
        "order by finished_at desc nulls last"
    )


SOURCE_FILE_COLUMNS = (
    "source_table",
    "is_stale",
    "stale_reason",
    "file_rejected",
    "newest_data_date",
    "cadence_days",
    "max_data_age_days",
    "retrieved",
    "origin",
    "fetch_status",
    "fetched_at",
    "fetch_error",
    "rows_loaded",
    "rows_rejected",
    "source_file",
    "read_from",
    "publisher",
    "licence",
    "url",
    "loaded_at",
)


def source_files() -> pl.DataFrame:
    """meta.source_files, stale sources first (a warehouse published before a column existed lacks it)."""
    frame = query("select * from meta.source_files order by source_table")
    frame = frame.select([c for c in SOURCE_FILE_COLUMNS if c in frame.columns])
    return frame.sort("is_stale", descending=True, nulls_last=True) if "is_stale" in frame.columns else frame


def schema_catalog() -> pl.DataFrame:
    """Every table and column the console can query, for the schema browser."""
    return query(
        "select table_schema, table_name, column_name, data_type, ordinal_position "
        "from information_schema.columns where table_catalog = ? and table_schema in ('marts', 'meta') "
        "order by table_schema, table_name, ordinal_position",
        (ALIAS,),
    )
