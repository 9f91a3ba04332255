"""Pure polars shaping for the pages: no queries, no Streamlit, no figures.

The marts decide what counts (which deployments are AI demand, which pipeline rows count, which
site record is primary, which energy price a market gets); this package only reshapes what they
publish: totals for the headline numbers, the siting scores and the GPU-hour economics. Model
parameters (PUE, load factors, horizon) are read from meta.parameters, never restated here.

One module per page, as ``dashboards/views/`` (``overview``, ``market_tiers``, ``map``, ``siting``,
``economics``), and what several pages share: ``common`` (vocabulary, model parameters),
``demand_forecast`` (Overview, Scenario builder) and ``markets`` (Market tiers, Siting, Economics). The
pages import the modules they use; this package also exports the public names of the former
``dashboards/analysis.py`` module, unchanged (``from dashboards import analysis``).
"""

from __future__ import annotations

from dashboards.analysis.common import (
    AI_WORKLOADS,
    HPC,
    KIND_ORDER,
    STAGES,
    TIER_ORDER,
    ModelParams,
    ordered,
    parameter_value,
)
from dashboards.analysis.demand_forecast import binding_drivers, coverage_note, forecast_totals, scenario_total
from dashboards.analysis.economics import (
    DEFAULT_CAPEX_MULTIPLIER,
    DEFAULT_UTILISATION,
    HOURS_PER_YEAR,
    PREFERRED_GPU_MODELS,
    REFERENCE_DEPLOYMENTS,
    GpuCostAssumptions,
    ReferenceDeployment,
    cloud_prices,
    default_gpu_models,
    gpu_hour_costs,
    pick_gpu,
    reference_energy_costs,
    with_purchase_prices,
)
from dashboards.analysis.map import (
    BUBBLE_MAX_PX,
    BUBBLE_MIN_PX,
    BUBBLE_PX_PER_SQRT_MW,
    bubble_radius_px,
    declutter_labels,
    training_share_rgb,
    view_for,
)
from dashboards.analysis.market_tiers import latest_history_year, non_zero_series, tier_kind_order, tier_kind_over_time
from dashboards.analysis.markets import NOT_SITEABLE_KINDS, price_bases, siteable
from dashboards.analysis.overview import (
    GOOD_RUN_STATUSES,
    HEADLINE_SCENARIOS,
    UNKNOWN_TIER_BARS,
    cagr,
    demand_by_workload,
    energy_comparison,
    iea_all_data_centres,
    last_good_run,
    latest_year,
    source_ages,
    top_with_rest,
    unknown_tier_by_country,
)
from dashboards.analysis.siting import DEFAULT_WEIGHTS, TIER_FIT, SitingWeights, explain_score, siting_scores

__all__ = [
    "AI_WORKLOADS",
    "BUBBLE_MAX_PX",
    "BUBBLE_MIN_PX",
    "BUBBLE_PX_PER_SQRT_MW",
    "DEFAULT_CAPEX_MULTIPLIER",
    "DEFAULT_UTILISATION",
    "DEFAULT_WEIGHTS",
    "GOOD_RUN_STATUSES",
    "HEADLINE_SCENARIOS",
    "HOURS_PER_YEAR",
    "HPC",
    "KIND_ORDER",
    "NOT_SITEABLE_KINDS",
    "PREFERRED_GPU_MODELS",
    "REFERENCE_DEPLOYMENTS",
    "STAGES",
    "TIER_FIT",
    "TIER_ORDER",
    "UNKNOWN_TIER_BARS",
    "GpuCostAssumptions",
    "ModelParams",
    "ReferenceDeployment",
    "SitingWeights",
    "binding_drivers",
    "bubble_radius_px",
    "cagr",
    "cloud_prices",
    "coverage_note",
    "declutter_labels",
    "default_gpu_models",
    "demand_by_workload",
    "energy_comparison",
    "explain_score",
    "forecast_totals",
    "gpu_hour_costs",
    "iea_all_data_centres",
    "last_good_run",
    "latest_history_year",
    "latest_year",
    "non_zero_series",
    "ordered",
    "parameter_value",
    "pick_gpu",
    "price_bases",
    "reference_energy_costs",
    "scenario_total",
    "siteable",
    "siting_scores",
    "source_ages",
    "tier_kind_order",
    "tier_kind_over_time",
    "top_with_rest",
    "training_share_rgb",
    "unknown_tier_by_country",
    "view_for",
    "with_purchase_prices",
]
