"""Build a small DuckDB file holding every marts contract table (and meta), for dashboard tests.

The numbers are plausible but invented: they exercise every page, filter and join; they are not
the shipped data. Run ``python tests/dashboards/fixture_warehouse.py <dir>`` to write
``<dir>/dcpulse.duckdb`` and point ``DCPULSE_WAREHOUSE_DIR`` at it.
"""

from __future__ import annotations

import itertools
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

MARKETS = pl.DataFrame(
    {
        "market_id": [
            "us-northern-virginia",
            "us-dallas-fort-worth",
            "us-columbus",
            "us-tx-other",
            "gb-london",
            "de-frankfurt",
            "es-madrid",
            "jp-tokyo",
            "cn-undisclosed",
        ],
        "market_name": [
            "Northern Virginia",
            "Dallas-Fort Worth",
            "Columbus",
            "Texas (other)",
            "London",
            "Frankfurt",
            "Madrid",
            "Tokyo",
            "China (undisclosed)",
        ],
        "country_code": ["US", "US", "US", "US", "GB", "DE", "ES", "JP", "CN"],
        "state_code": ["VA", "TX", "OH", "TX", None, None, None, None, None],
        "region": [
            "North America",
            "North America",
            "North America",
            "North America",
            "Europe",
            "Europe",
            "Europe",
            "Asia Pacific",
            "Asia Pacific",
        ],
        "latitude": [39.04, 32.78, 39.96, 31.50, 51.51, 50.11, 40.42, 35.68, 35.86],
        "longitude": [-77.49, -96.80, -83.00, -99.00, -0.13, 8.68, -3.70, 139.69, 104.20],
        "market_tier": ["tier_1", "tier_1", "tier_2", "tier_3", "tier_1", "tier_1", "tier_2", "tier_1", "unknown"],
        "is_urban": [True, True, True, False, True, True, True, True, False],
        "market_kind": [
            "metro",
            "metro",
            "metro",
            "state_rest",
            "metro",
            "metro",
            "metro",
            "metro",
            "country_undisclosed",
        ],
        "tier_basis": ["fixture: primary market"] * 9,
    }
)

GPUS = pl.DataFrame(
    {
        "gpu_model": [
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA A100 SXM4 80 GB",
            "NVIDIA H800 SXM5",
            "NVIDIA L40S",
            "NVIDIA H200 SXM",
        ],
        "manufacturer": ["NVIDIA"] * 5,
        "release_date": [
            date(2022, 9, 20),
            date(2020, 11, 16),
            date(2023, 3, 21),
            date(2023, 8, 8),
            date(2024, 11, 18),
        ],
        "tdp_w": [700.0, 400.0, 700.0, 350.0, 700.0],
        "memory_gb": [80.0, 80.0, 80.0, 48.0, 141.0],
        "release_price_usd": [30000.0, 15000.0, 30000.0, 8000.0, 35000.0],
        "source": ["fixture: Epoch AI ML hardware"] * 5,
    }
).with_columns(it_kw_per_gpu=pl.col("tdp_w") * 1.82 / 1000)

FACILITIES = pl.DataFrame(
    {
        "facility_id": [f"fac-{i:02d}" for i in range(1, 15)],
        "facility_name": [
            "Ashburn Campus A",
            "Ashburn Campus B",
            "Loudoun Hyperscale",
            "Manassas Edge",
            "Dallas One",
            "Fort Worth AI",
            "Columbus New Albany",
            "Abilene AI Campus",
            "Odessa Planned",
            "Slough Park",
            "Frankfurt West",
            "Madrid Norte",
            "Tokyo Inzai",
            "Cancelled Site",
        ],
        "operator": [
            "Equinix",
            "Digital Realty",
            "Amazon",
            "EdgeCo",
            "CyrusOne",
            "Meta",
            "Google",
            "Crusoe",
            "Unknown developer",
            "Equinix",
            "Digital Realty",
            "Nabiax",
            "NTT",
            "Amazon",
        ],
        "market_id": [
            "us-northern-virginia",
            "us-northern-virginia",
            "us-northern-virginia",
            "us-northern-virginia",
            "us-dallas-fort-worth",
            "us-dallas-fort-worth",
            "us-columbus",
            "us-tx-other",
            "us-tx-other",
            "gb-london",
            "de-frankfurt",
            "es-madrid",
            "jp-tokyo",
            "us-columbus",
        ],
        "latitude": [39.03, 39.01, 38.98, 38.75, 32.80, 32.75, 40.08, 32.45, 31.85, 51.51, 50.10, 40.50, 35.80, 39.90],
        "longitude": [
            -77.46,
            -77.52,
            -77.55,
            -77.47,
            -96.82,
            -97.33,
            -82.81,
            -99.73,
            -102.37,
            -0.59,
            8.60,
            -3.65,
            140.14,
            -83.10,
        ],
        "status": [
            "operational",
            "operational",
            "under_construction",
            "operational",
            "operational",
            "planned",
            "expanding",
            "under_construction",
            "planned",
            "operational",
            "operational",
            "planned",
            "operational",
            "cancelled",
        ],
        "capacity_mw_low": [60.0, 36.0, 300.0, 4.0, 48.0, 200.0, 150.0, 1200.0, 1000.0, 50.0, 70.0, 20.0, 40.0, 100.0],
        "capacity_mw_high": [60.0, 36.0, 500.0, 4.0, 48.0, 400.0, 150.0, 1200.0, None, 50.0, 70.0, 40.0, 40.0, 100.0],
        "size_class": [
            "large",
            "large",
            "hyperscale",
            "edge",
            "large",
            "hyperscale",
            "hyperscale",
            "hyperscale",
            "hyperscale",
            "large",
            "large",
            "medium",
            "large",
            "hyperscale",
        ],
        "source": ["fixture: FracTracker Alliance US data centers"]
        + ["fixture: Epoch AI frontier data centers"]  # fac-02: the Epoch listing of fac-01's campus
        + ["fixture: FracTracker Alliance US data centers"] * 7
        + ["fixture: Epoch AI frontier data centers"] * 4
        + ["fixture: FracTracker Alliance US data centers"],
        "duplicate_of": [None, "fac-01"] + [None] * 12,
        "is_primary_record": [True, False] + [True] * 12,
    }
)

# Two rows the real data has and the contract does not promise: a status 'unknown' and a site
# matched to no market.
FACILITIES = pl.concat(
    [
        FACILITIES,
        pl.DataFrame(
            {
                "facility_id": ["fac-15", "fac-16"],
                "facility_name": ["Status Unknown Site", "Unmatched Rural Site"],
                "operator": ["Unknown developer", None],
                "market_id": ["us-columbus", None],
                "latitude": [40.0, 44.0],
                "longitude": [-83.0, -100.0],
                "status": ["unknown", "operational"],
                "capacity_mw_low": [10.0, 5.0],
                "capacity_mw_high": [10.0, 5.0],
                "size_class": ["medium", "edge"],
                "source": ["fixture: FracTracker Alliance US data centers"] * 2,
                "duplicate_of": [None, None],
                "is_primary_record": [True, True],
            }
        ),
    ]
)

DEPLOYMENTS = pl.DataFrame(
    {
        "deployment_id": [f"dep-{i:02d}" for i in range(1, 13)],
        "cluster_name": [
            "Colossus-like Memphis",
            "Ashburn Training Pod",
            "Ashburn Inference Fleet",
            "Dallas Inference",
            "Abilene Stargate Phase 1",
            "Columbus Mixed",
            "London Inference",
            "Frankfurt Training",
            "Madrid Inference",
            "Tokyo Mixed",
            "Anonymized Chinese System",
            "Old Cluster",
        ],
        "owner": [
            "xAI",
            "Anthropic",
            "Microsoft",
            "Oracle",
            "OpenAI",
            "Google",
            "Microsoft",
            "Nebius",
            "Telefonica",
            "SoftBank",
            "Undisclosed",
            "Meta",
        ],
        "market_id": [
            "us-tx-other",
            "us-northern-virginia",
            "us-northern-virginia",
            "us-dallas-fort-worth",
            "us-tx-other",
            "us-columbus",
            "gb-london",
            "de-frankfurt",
            "es-madrid",
            "jp-tokyo",
            "cn-undisclosed",
            "us-northern-virginia",
        ],
        "country_code": ["US", "US", "US", "US", "US", "US", "GB", "DE", "ES", "JP", "CN", "US"],
        "status": ["operational"] * 4 + ["planned"] + ["operational"] * 6 + ["decommissioned"],
        "first_operational_date": [
            date(2024, 9, 1),
            date(2023, 6, 1),
            date(2024, 3, 1),
            date(2025, 2, 1),
            date(2026, 6, 1),
            date(2022, 5, 1),
            date(2024, 11, 1),
            date(2025, 4, 1),
            date(2025, 6, 1),
            date(2023, 10, 1),
            date(2024, 1, 1),
            date(2020, 1, 1),
        ],
        "gpu_model": [
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA L40S",
            "NVIDIA H200 SXM",
            "NVIDIA H200 SXM",
            "NVIDIA A100 SXM4 80 GB",
            "NVIDIA L40S",
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA L40S",
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA H800 SXM5",
            "NVIDIA A100 SXM4 80 GB",
        ],
        "gpu_count": [
            100000.0,
            20000.0,
            8000.0,
            12000.0,
            64000.0,
            25000.0,
            4000.0,
            10000.0,
            2000.0,
            6000.0,
            2000.0,
            5000.0,
        ],
        "workload": [
            "training",
            "training",
            "inference",
            "inference",
            "training",
            "mixed",
            "inference",
            "training",
            "inference",
            "mixed",
            "inference",
            "training",
        ],
        "workload_basis": [
            "reported",
            "modelled",
            "modelled",
            "modelled",
            "reported",
            "modelled",
            "modelled",
            "modelled",
            "modelled",
            "modelled",
            "modelled",
            "modelled",
        ],
        "power_basis": ["reported"] + ["calculated"] * 11,
        "source": ["fixture: Epoch AI GPU clusters"] * 12,
    }
)


def _deployments() -> pl.DataFrame:
    d = DEPLOYMENTS.join(GPUS.select("gpu_model", "it_kw_per_gpu", "release_price_usd"), on="gpu_model")
    density = (
        pl.when(pl.col("workload") == "training")
        .then(100.0)
        .when(pl.col("workload") == "inference")
        .then(27.5)
        .otherwise(50.0)
    )
    load = (
        pl.when(pl.col("workload") == "training")
        .then(0.85)
        .when(pl.col("workload") == "inference")
        .then(0.6)
        .otherwise(0.7)
    )
    d = (
        d.with_columns(
            h100_equivalents=pl.col("gpu_count") * 0.9,
            it_power_mw=pl.col("gpu_count") * pl.col("it_kw_per_gpu") / 1000,
            rack_density_kw=density,
        )
        .with_columns(
            facility_power_mw=pl.when(pl.col("power_basis") == "reported")
            .then(150.0)
            .otherwise(pl.col("it_power_mw") * 1.2),
            racks=(pl.col("it_power_mw") * 1000 / pl.col("rack_density_kw")).ceil(),
            capex_usd=pl.col("gpu_count") * pl.col("release_price_usd") * 1.5,
        )
        .with_columns(annual_energy_mwh=pl.col("facility_power_mw") * 8760 * load)
    )
    d = d.with_columns(annual_energy_cost_usd=pl.col("annual_energy_mwh") * 70.0)
    # As fct_ai_deployments flags them: counted in fct_ai_demand_by_tier or why not. dep-03 is a phase
    # superseded by a later one, dep-07 a possible duplicate of another listing: operational, not counted.
    reason = (
        pl.when(pl.col("status") != "operational")
        .then(pl.col("status"))
        .when(pl.col("deployment_id") == "dep-03")
        .then(pl.lit("superseded"))
        .when(pl.col("deployment_id") == "dep-07")
        .then(pl.lit("possible_duplicate"))
        .otherwise(pl.lit("counted"))
    )
    price = pl.col("market_id").replace_strict({k: v[0] for k, v in MARKET_PRICE.items()}, default=None)
    basis = pl.col("market_id").replace_strict({k: v[1] for k, v in MARKET_PRICE.items()}, default=None)
    d = d.join(MARKETS.select("market_id", "state_code"), on="market_id", how="left").with_columns(
        load_factor=load,
        energy_price_usd_mwh=price.cast(pl.Float64),
        energy_price_basis=basis.cast(pl.String),
        demand_reason=reason,
    )
    d = d.with_columns(counts_in_demand=pl.col("demand_reason") == "counted")
    return d.select(
        "deployment_id",
        "cluster_name",
        "owner",
        "market_id",
        "country_code",
        "status",
        "first_operational_date",
        "gpu_model",
        "gpu_count",
        "h100_equivalents",
        "workload",
        "workload_basis",
        "it_power_mw",
        "facility_power_mw",
        "power_basis",
        "rack_density_kw",
        "racks",
        "capex_usd",
        "annual_energy_mwh",
        "annual_energy_cost_usd",
        "source",
        "state_code",
        "load_factor",
        "energy_price_usd_mwh",
        "energy_price_basis",
        "counts_in_demand",
        "demand_reason",
    )


REGIONS = ["North America", "Europe", "Asia Pacific"]
TIERS = ["tier_1", "tier_2", "tier_3", "unknown"]
WORKLOADS = ["training", "inference", "mixed"]
_REGION_W = {"North America": 1.0, "Europe": 0.3, "Asia Pacific": 0.45}
_TIER_W = {"tier_1": 1.0, "tier_2": 0.35, "tier_3": 0.5, "unknown": 0.15}
_WORK_W = {"training": 1.0, "inference": 0.45, "mixed": 0.25}


def _demand_by_tier() -> pl.DataFrame:
    rows = []
    for year, region, tier, work in itertools.product(range(2019, 2026), REGIONS, TIERS, WORKLOADS):
        mw = 40.0 * _REGION_W[region] * _TIER_W[tier] * _WORK_W[work] * 1.6 ** (year - 2019)
        rows.append(
            {
                "year": year,
                "region": region,
                "market_tier": tier,
                "workload": work,
                "deployments": int(1 + mw // 20),
                "gpu_count": mw * 1000 / 1.27 / 1.2,
                "it_power_mw": mw / 1.2,
                "facility_power_mw": mw,
                "annual_energy_mwh": mw * 8760 * 0.75,
            }
        )
    return pl.DataFrame(rows)


_GROWTH = {"low": 1.18, "base": 1.32, "high": 1.48, "edge_inference": 1.32}


def _forecast(history: pl.DataFrame) -> pl.DataFrame:
    parts = []
    for scenario, growth in _GROWTH.items():
        hist = history.select(
            "year",
            "region",
            "market_tier",
            "workload",
            "facility_power_mw",
            annual_energy_twh=pl.col("annual_energy_mwh") / 1e6,
        ).with_columns(scenario=pl.lit(scenario), is_history=pl.lit(True))
        last = hist.filter(pl.col("year") == 2025)
        fut = []
        for year in range(2026, 2031):
            shift = 1.0 + (0.04 * (year - 2025) if scenario != "low" else 0.0)
            fut.append(
                last.with_columns(
                    year=pl.lit(year, dtype=pl.Int64),
                    facility_power_mw=pl.col("facility_power_mw")
                    * growth ** (year - 2025)
                    * pl.when(pl.col("workload") == "inference").then(shift).otherwise(1.0),
                    is_history=pl.lit(False),
                ).with_columns(annual_energy_twh=pl.col("facility_power_mw") * 8760 * 0.75 / 1e6)
            )
        parts.append(pl.concat([hist, *fut]))
    return pl.concat(parts).select(
        pl.col("year").cast(pl.Int32),
        "scenario",
        "region",
        "market_tier",
        "workload",
        "facility_power_mw",
        "annual_energy_twh",
        "is_history",
    )


def _backtest() -> pl.DataFrame:
    rows = []
    for origin, horizon, scenario, region in itertools.product(
        (2021, 2022, 2023), (1, 2), ("low", "base", "high"), ("North America", "Europe")
    ):
        actual = 100.0 * 1.6 ** (origin + horizon - 2019) * _REGION_W[region]
        forecast = actual * {"low": 0.8, "base": 0.95, "high": 1.15}[scenario] ** horizon
        rows.append(
            {
                "origin_year": origin,
                "target_year": origin + horizon,
                "horizon_years": horizon,
                "scenario": scenario,
                "region": region,
                "workload": "all",
                "forecast_mw": forecast,
                "actual_mw": actual,
                "error_mw": forecast - actual,
                "pct_error": (forecast - actual) / actual,
                "abs_pct_error": abs(forecast - actual) / actual,
            }
        )
    return pl.DataFrame(rows)


PROJECTIONS = pl.DataFrame(
    {
        "publisher": ["IEA", "IEA", "IEA", "LBNL", "LBNL", "LBNL"],
        "publication": ["Energy and AI (2025)"] * 3 + ["2024 US Data Center Energy Usage Report"] * 3,
        "year_published": [2025, 2025, 2025, 2024, 2024, 2024],
        "metric": ["electricity_consumption"] * 6,
        "scope": ["all data centres"] * 3 + ["US data centers"] * 3,
        "geography": ["World", "World", "World", "United States", "United States", "United States"],
        "year": [2024, 2030, 2030, 2023, 2028, 2028],
        "value": [415.0, 945.0, 700.0, 176.0, 325.0, 580.0],
        "unit": ["TWh"] * 6,
        "scenario": ["historical", "base", "headwinds", "historical", "low", "high"],
        "source_url": ["https://www.iea.org/reports/energy-and-ai"] * 3
        + ["https://eta.lbl.gov/publications/2024-lbnl-data-center-energy-usage-report"] * 3,
        "notes": ["fixture"] * 6,
    }
)

_EIA = pl.DataFrame(
    {
        "geography": ["US-VA", "US-TX", "US-OH", "US-VA", "US", "US-VA"],  # states as ISO 3166-2
        "period": ["2019", "2019", "2019", "2018", "2019", "2019"],
        "sector": ["industrial"] * 5 + ["commercial"],
        "price_usd_mwh": [68.0, 55.0, 63.0, 66.0, 68.1, 99.0],
        "price_original": [6.8, 5.5, 6.3, 6.6, 6.81, 9.9],
        "currency_original": ["US cents/kWh"] * 6,
        "source": ["fixture: EIA-861"] * 6,
    }
)
# Ember: monthly wholesale prices; 2024 complete (means GB 85, DE 84, ES 68), 2025 partial (DE, 3 months).
_EMBER_MONTHS = [
    (geo, f"2024-{m:02d}", mean + (m - 6.5))
    for geo, mean in (("GB", 85.0), ("DE", 84.0), ("ES", 68.0))
    for m in range(1, 13)
] + [("DE", f"2025-{m:02d}", 300.0) for m in (1, 2, 3)]
_EMBER = pl.DataFrame(
    {
        "geography": [g for g, _, _ in _EMBER_MONTHS],
        "period": [p for _, p, _ in _EMBER_MONTHS],
        "sector": ["wholesale"] * len(_EMBER_MONTHS),
        "price_usd_mwh": [v for _, _, v in _EMBER_MONTHS],
        "price_original": [round(v * 0.925, 2) for _, _, v in _EMBER_MONTHS],
        "currency_original": ["EUR/MWh"] * len(_EMBER_MONTHS),
        "source": ["fixture: Ember"] * len(_EMBER_MONTHS),
    }
)
ENERGY = pl.concat([_EIA, _EMBER])
# The price the marts cost a deployment at, per market (int_energy_prices__latest_by_geography).
MARKET_PRICE = {
    "us-northern-virginia": (68.0, "EIA industrial 2019 US-VA"),
    "us-dallas-fort-worth": (55.0, "EIA industrial 2019 US-TX"),
    "us-tx-other": (55.0, "EIA industrial 2019 US-TX"),
    "us-columbus": (63.0, "EIA industrial 2019 US-OH"),
    "gb-london": (85.0, "Ember wholesale 2024 mean GB"),
    "de-frankfurt": (84.0, "Ember wholesale 2024 mean DE"),
    "es-madrid": (68.0, "Ember wholesale 2024 mean ES"),
}

GPU_PRICES = pl.DataFrame(
    {
        "gpu_model": [
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA H100 SXM5 80GB",
            "NVIDIA A100 SXM4 80 GB",
            "NVIDIA A100 SXM4 80 GB",
            "NVIDIA L40S",
            "NVIDIA H200 SXM",
            "NVIDIA H100 SXM5 80GB",
        ],
        "provider": ["aws", "gcp", "lambda", "aws", "lambda", "aws", "lambda", "epoch"],
        "region": ["us-east-1", "us-central1", "us", "us-east-1", "us", "us-east-1", "us", None],
        "observed_on": [date(2025, 11, 1)] * 8,
        "price_kind": [
            "on_demand",
            "on_demand",
            "on_demand",
            "on_demand",
            "on_demand",
            "on_demand",
            "on_demand",
            "purchase",
        ],
        "price_usd": [6.88, 11.06, 2.99, 4.10, 1.79, 1.86, 3.79, 30000.0],
        "source": ["fixture: SkyPilot catalog"] * 7 + ["fixture: Epoch AI ML hardware"],
    }
)

SOURCE_FILES = pl.DataFrame(
    {
        "source_table": [
            "raw.epoch_gpu_clusters",
            "raw.fractracker_facilities",
            "raw.eia_retail_prices",
            "raw.ember_wholesale_prices",
        ],
        "source_file": [
            "epoch/gpu_clusters.csv",
            "fractracker/us_datacenters.csv",
            "eia/avgprice_annual_1990_2019.csv",
            "ember/wholesale_prices_monthly.csv",
        ],
        "sha256": ["a" * 64, "b" * 64, "c" * 64, "d" * 64],
        "bytes": [1000, 2000, 3000, 4000],
        "rows_in_file": [800, 1473, 2000, 5000],
        "rows_loaded": [790, 1470, 2000, 5000],
        "rows_rejected": [10, 3, 0, 0],
        "fields_nulled": [4, 0, 12, 0],
        "publisher": ["Epoch AI", "FracTracker Alliance", "US EIA", "Ember"],
        "licence": ["CC BY 4.0", "CC BY-NC-SA 4.0", "Public domain", "CC BY 4.0"],
        "url": [
            "https://epoch.ai/data/gpu-clusters",
            "https://www.fractracker.org/",
            "https://www.eia.gov/electricity/data/state/",
            "https://ember-energy.org/",
        ],
        "retrieved": ["2025-12-14", "2025-11-20", "2025-10-01", "2025-12-01"],  # VARCHAR, as the pipeline writes
        "loaded_at": [datetime(2026, 1, 5, 6, 0)] * 4,
    }
)

RUNS = pl.DataFrame(
    {
        "run_id": ["run-0001", "run-0002"],
        "started_at": [datetime(2026, 1, 4, 6, 0), datetime(2026, 1, 5, 6, 0)],
        "finished_at": [datetime(2026, 1, 4, 6, 9), datetime(2026, 1, 5, 6, 8)],
        "status": ["published", "published"],
        "published_path": ["data/warehouse/dcpulse.duckdb"] * 2,
        "table_counts_json": ['{"marts.fct_ai_deployments": 12}'] * 2,
    }
)


def tables() -> dict[str, pl.DataFrame]:
    history = _demand_by_tier()
    return {
        "marts.dim_markets": MARKETS,
        "marts.dim_gpus": GPUS.select(
            "gpu_model",
            "manufacturer",
            "release_date",
            "tdp_w",
            "memory_gb",
            "release_price_usd",
            "it_kw_per_gpu",
            "source",
        ),
        "marts.fct_facilities": FACILITIES,
        "marts.fct_ai_deployments": _deployments(),
        "marts.fct_ai_demand_by_tier": history,
        "marts.fct_energy_prices": ENERGY,
        "marts.fct_gpu_prices": GPU_PRICES,
        "marts.fct_demand_forecast": _forecast(history),
        "marts.fct_forecast_backtest": _backtest(),
        "marts.ref_published_projections": PROJECTIONS,
        "meta.source_files": SOURCE_FILES,
        "meta.runs": RUNS,
    }


def build_fixture_warehouse(directory: Path | str, *, variant: int = 0) -> Path:
    """Write ``<directory>/dcpulse.duckdb`` (CHECKPOINTed, no WAL left) and return its path.

    ``variant`` adds a marker run to ``meta.runs`` so tests can tell two publishes apart.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "dcpulse.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA meta;")
        for name, frame in tables().items():
            if name == "meta.runs" and variant:
                frame = pl.concat(
                    [
                        frame,
                        frame.tail(1).with_columns(
                            run_id=pl.lit(f"variant-{variant}"),
                            finished_at=pl.lit(datetime(2026, 2, variant, 6, 0)),
                        ),
                    ]
                )
            con.register("_frame", frame.to_arrow())
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
            con.unregister("_frame")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


if __name__ == "__main__":
    print(build_fixture_warehouse(sys.argv[1] if len(sys.argv) > 1 else "artifacts/fixture_warehouse"))
