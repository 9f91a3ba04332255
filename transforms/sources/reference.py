"""dcpulse's curated reference files: markets, GPU models, exchange rates, market figures, published
projections."""

from __future__ import annotations

from transforms.ingest import Column, SourceSpec
from transforms.sources.common import _d, _f, _s
from transforms.vocabulary import MARKET_KINDS, REGIONS, TIERS

REF_MARKETS = SourceSpec(
    table="ref_markets",
    description="dcpulse curated markets reference: one row per market",
    unique_key=("market_id",),
    columns=(
        _s("market_id", required=True),
        _s("market_name", required=True),
        _s("country_code"),
        _s("country_name"),
        _s("state_code"),
        _s(
            "region",
            required=True,
            allowed=REGIONS,
        ),
        _f("latitude", min=-90, max=90),
        _f("longitude", min=-180, max=180),
        # Blank: the capacity fallback of int_markets__tiered decides (tier_basis says so).
        _s("market_tier", allowed=TIERS),
        Column("is_urban", ("is_urban",), "bool", required=True),
        _s(
            "market_kind",
            required=True,
            allowed=MARKET_KINDS,
        ),
        _f("match_radius_km", min=0, max=500),
        _s("aliases"),
        _s("tier_basis", required=True),
        _s("source_url", optional=True),
    ),
)


REF_GPU_MODELS = SourceSpec(
    table="ref_gpu_models",
    description="dcpulse curated map from chip names in deployments and price lists to Epoch hardware names",
    unique_key=("chip_name",),
    columns=(
        _s("chip_name", required=True),
        _s("hardware_name"),
        _s("gpu_family"),
        _s("basis", required=True),
    ),
)


REF_FX_RATES = SourceSpec(
    table="ref_fx_rates",
    description="Annual average exchange rates (quote currency per 1 unit of base currency)",
    unique_key=("year", "base_currency", "quote_currency"),
    columns=(
        Column("year", ("year",), "int", required=True, min=1990, max=2100),
        _s("base_currency", required=True),
        _s("quote_currency", required=True),
        _f("rate", required=True, min=0.01, max=1000),
        _s("source", required=True),
    ),
)


REF_MARKET_FIGURES = SourceSpec(
    table="ref_market_figures",
    description="Published data-center market figures (inventory, construction, vacancy, rent) by market",
    columns=(
        _s("market", required=True),
        _s("market_id"),
        _s("region"),
        _s("metric", required=True),
        _f("value", required=True, thousands=True),
        _s("unit"),
        _s("period"),
        _s("original_publisher"),
        _s("source_url", required=True),
        _d("source_date", on_invalid="null"),
        _s("notes"),
    ),
)


REF_PUBLISHED_PROJECTIONS = SourceSpec(
    table="ref_published_projections",
    description="Published projections of data-center and AI electricity demand (IEA, LBNL, ...) with scope",
    columns=(
        _s("publisher", required=True),
        _s("publication", required=True),
        Column("year_published", ("year_published",), "int", min=2000, max=2100),
        _s("metric", required=True),
        _s("scope", required=True),
        _s("geography", required=True),
        Column("year", ("year",), "int", required=True, min=2000, max=2100),
        _f("value", required=True, min=0),
        _s("unit", required=True),
        _s("scenario"),
        _s("source_url", required=True),
        _s("notes", optional=True),
    ),
)
