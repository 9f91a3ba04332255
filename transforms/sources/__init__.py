"""The source tables dcpulse ingests: their columns, types and validation rules.

Each ``SourceSpec`` names the raw table (schema ``raw``) and lists every column with the header
names the publisher has used for it, so a renamed column in a new release is mapped explicitly
rather than silently dropped. Bounds are plausibility limits, each with its reason (``common.py``); a
value outside them is quarantined with the reason, never clipped.

One module per publisher (``epoch``, ``fractracker``, ``eia``, ``ember``, ``skypilot``) and one for the
curated reference files (``reference``); ``SOURCE_FILES`` below lists every source with its file. This
package exports the public names of the former ``transforms/sources.py`` module, unchanged.
"""

from __future__ import annotations

from transforms.ingest import SourceSpec
from transforms.sources.common import (
    GPU_HOUR_USD,
    MAX_ACCELERATORS,
    MAX_H100E,
    MAX_PRICE_CENTS_KWH,
    MAX_SITE_MW,
    MAX_TDP_W,
    PRICE_OUTLIER_FACTOR,
    WHOLESALE_EUR_MWH,
)
from transforms.sources.eia import (
    EIA860M_PLANNED_GENERATORS,
    EIA860M_STATE_CAPACITY,
    EIA_RETAIL_PRICES,
    EIA_RETAIL_SALES_MONTHLY,
)
from transforms.sources.ember import EMBER_WHOLESALE_PRICES
from transforms.sources.epoch import (
    CLUSTER_DERIVED,
    EPOCH_DATA_CENTER_CHIPS,
    EPOCH_DATA_CENTER_TIMELINES,
    EPOCH_DATA_CENTERS,
    EPOCH_GPU_CLUSTERS,
    EPOCH_ML_HARDWARE,
)
from transforms.sources.fractracker import FRACTRACKER_FACILITIES, MW_DERIVED, parse_mw_text
from transforms.sources.reference import (
    REF_FX_RATES,
    REF_GPU_MODELS,
    REF_MARKET_FIGURES,
    REF_MARKETS,
    REF_PUBLISHED_PROJECTIONS,
)
from transforms.sources.skypilot import LAMBDA_GPU_PRICES, SKYPILOT_GPU_PRICES

# Source folder layout: (spec, path of the file under the sources dir).
SOURCE_FILES: dict[str, tuple[SourceSpec, str]] = {
    s.table: (s, p)
    for s, p in (
        (EPOCH_GPU_CLUSTERS, "epoch/gpu_clusters.csv"),
        (EPOCH_ML_HARDWARE, "epoch/ml_hardware.csv"),
        (EPOCH_DATA_CENTERS, "epoch/data_centers.csv"),
        (EPOCH_DATA_CENTER_TIMELINES, "epoch/data_center_timelines.csv"),
        (EPOCH_DATA_CENTER_CHIPS, "epoch/data_center_chip_quantities.csv"),
        (FRACTRACKER_FACILITIES, "fractracker/us_datacenters.csv"),
        (EIA_RETAIL_PRICES, "eia/avgprice_annual_1990_2019.csv"),
        (EIA_RETAIL_SALES_MONTHLY, "eia/eia861m_sales_revenue.xlsx"),
        (EMBER_WHOLESALE_PRICES, "ember/wholesale_prices_monthly.csv"),
        (EIA860M_PLANNED_GENERATORS, "eia860m/planned_generators_2026-04.json"),
        (EIA860M_STATE_CAPACITY, "eia860m/state_capacity_2026-04.json"),
        (SKYPILOT_GPU_PRICES, "skypilot/gpu_cloud_prices.csv"),
        (LAMBDA_GPU_PRICES, "skypilot/lambda_gpu_prices.csv"),
        (REF_MARKETS, "reference/markets.csv"),
        (REF_GPU_MODELS, "reference/gpu_models.csv"),
        (REF_FX_RATES, "reference/fx_rates.csv"),
        (REF_MARKET_FIGURES, "reference/market_figures.csv"),
        (REF_PUBLISHED_PROJECTIONS, "reference/published_projections.csv"),
    )
}

__all__ = [
    "CLUSTER_DERIVED",
    "EIA860M_PLANNED_GENERATORS",
    "EIA860M_STATE_CAPACITY",
    "EIA_RETAIL_PRICES",
    "EIA_RETAIL_SALES_MONTHLY",
    "EMBER_WHOLESALE_PRICES",
    "EPOCH_DATA_CENTER_CHIPS",
    "EPOCH_DATA_CENTER_TIMELINES",
    "EPOCH_DATA_CENTERS",
    "EPOCH_GPU_CLUSTERS",
    "EPOCH_ML_HARDWARE",
    "FRACTRACKER_FACILITIES",
    "GPU_HOUR_USD",
    "LAMBDA_GPU_PRICES",
    "MAX_ACCELERATORS",
    "MAX_H100E",
    "MAX_PRICE_CENTS_KWH",
    "MAX_SITE_MW",
    "MAX_TDP_W",
    "MW_DERIVED",
    "PRICE_OUTLIER_FACTOR",
    "REF_FX_RATES",
    "REF_GPU_MODELS",
    "REF_MARKET_FIGURES",
    "REF_MARKETS",
    "REF_PUBLISHED_PROJECTIONS",
    "SKYPILOT_GPU_PRICES",
    "SOURCE_FILES",
    "SourceSpec",  # imported from here by orchestration (defs/ingest.py, lib/ingest.py)
    "WHOLESALE_EUR_MWH",
    "parse_mw_text",
]
