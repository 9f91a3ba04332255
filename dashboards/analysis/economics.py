"""GPU and energy economics: $/GPU-hour by model and market, cloud list prices, and the yearly energy cost
of the seed report's reference deployments."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

HOURS_PER_YEAR = 8760


@dataclass(frozen=True)
class GpuCostAssumptions:
    amortisation_years: float  # the page's default is the warehouse's accelerator_depreciation_years (meta.parameters)
    utilisation: float
    capex_multiplier: float
    pue: float  # the page's default is the warehouse's pue_ai_cluster (meta.parameters)


# Dashboard defaults for the what-if sliders (assumptions, shown as such on the page). The amortisation default is
# not here: it is the accelerators' life in service, dbt var accelerator_depreciation_years (ModelParams), the one
# home the forecast's hardware_retirement scenario reads too.
DEFAULT_UTILISATION = 0.7  # share of hours a GPU is sold or used
DEFAULT_CAPEX_MULTIPLIER = 1.5  # server, network and facility capex on top of the GPU
# The amortisation slider's what-if range in years (an assumption of this page: it spans the 5.5-6 year schedules of
# accelerator_depreciation_years' filers with room either side; the slider widens to the var's value if outside).
AMORTISATION_YEARS_RANGE = (2.0, 7.0)


def gpu_hour_costs(
    gpus: pl.DataFrame, table: pl.DataFrame, a: GpuCostAssumptions, models: list[str] | None = None
) -> pl.DataFrame:
    """$/GPU-hour by GPU model and market: capex amortised over sold hours plus energy at the
    market's price (fct_market_summary) for the GPU's all-in IT kW (dim_gpus.it_kw_per_gpu) x PUE."""
    g = gpus.filter(pl.col("release_price_usd").is_not_null() & pl.col("it_kw_per_gpu").is_not_null())
    if models:
        g = g.filter(pl.col("gpu_model").is_in(models))
    m = table.filter(pl.col("energy_price_usd_mwh").is_not_null()).select(
        "market_id", "market_name", "region", "energy_price_usd_mwh", "energy_price_basis"
    )
    sold_hours = a.amortisation_years * HOURS_PER_YEAR * a.utilisation
    return (
        g.select("gpu_model", "release_price_usd", "it_kw_per_gpu")
        .join(m, how="cross")
        .with_columns(
            capex_usd_per_gpu_hour=pl.col("release_price_usd") * a.capex_multiplier / sold_hours,
            energy_usd_per_gpu_hour=pl.col("it_kw_per_gpu") * a.pue / 1000 * pl.col("energy_price_usd_mwh"),
        )
        .with_columns(total_usd_per_gpu_hour=pl.col("capex_usd_per_gpu_hour") + pl.col("energy_usd_per_gpu_hour"))
        .sort("gpu_model", "total_usd_per_gpu_hour")
    )


def cloud_prices(prices: pl.DataFrame) -> pl.DataFrame:
    """Cloud list prices per GPU-hour by model: on-demand median and range across providers, and the
    spot median where providers list one (an auction price, kept apart from on-demand)."""
    prices = prices.filter(pl.col("gpu_model").is_not_null())  # a list price of an unknown part compares nothing
    on_demand = (
        prices.filter(pl.col("price_kind") == "on_demand")
        .group_by("gpu_model")
        .agg(
            cloud_median_usd=pl.col("price_usd").median(),
            cloud_min_usd=pl.col("price_usd").min(),
            cloud_max_usd=pl.col("price_usd").max(),
            providers=pl.col("provider").n_unique(),
        )
    )
    spot = (
        prices.filter(pl.col("price_kind") == "spot")
        .group_by("gpu_model")
        .agg(spot_median_usd=pl.col("price_usd").median(), spot_providers=pl.col("provider").n_unique())
    )
    return on_demand.join(spot, on="gpu_model", how="full", coalesce=True).sort("gpu_model")


def with_purchase_prices(gpus: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """dim_gpus with ``release_price_usd`` filled, where missing, by the median reported purchase price
    in fct_gpu_prices; ``price_basis`` says which."""
    purchase = (
        prices.filter((pl.col("price_kind") == "purchase") & pl.col("gpu_model").is_not_null())
        .group_by("gpu_model")
        .agg(pl.col("price_usd").median().alias("_purchase"))
    )
    return (
        gpus.join(purchase, on="gpu_model", how="left")
        .with_columns(
            price_basis=pl.when(pl.col("release_price_usd").is_not_null())
            .then(pl.lit("release price"))
            .when(pl.col("_purchase").is_not_null())
            .then(pl.lit("purchase price (fct_gpu_prices)")),
            release_price_usd=pl.coalesce("release_price_usd", "_purchase"),
        )
        .drop("_purchase")
    )


PREFERRED_GPU_MODELS = ("NVIDIA H100 SXM5 80GB", "NVIDIA A100 SXM4 80 GB", "NVIDIA H200 SXM")


def default_gpu_models(priced: list[str], cloud: pl.DataFrame, n: int = 3) -> list[str]:
    """The data-center parts analysts ask about first, else the models most clouds list."""
    chosen = [m for m in PREFERRED_GPU_MODELS if m in priced]
    ranked = cloud.filter(pl.col("gpu_model").is_in(priced)).sort("providers", descending=True)["gpu_model"]
    chosen += [m for m in ranked.to_list() if m not in chosen]
    return (chosen or priced)[:n]


@dataclass(frozen=True)
class ReferenceDeployment:
    name: str
    gpu_family: str
    gpu_count: int
    workload: str
    rack_kw: tuple[float, float] | None = None


# The industry (seed) report's reference deployments.
REFERENCE_DEPLOYMENTS = (
    ReferenceDeployment("25,000 x A100 training cluster", "A100", 25_000, "training"),
    ReferenceDeployment("2,000 x H800 inference (15-40 kW racks)", "H800", 2_000, "inference", (15.0, 40.0)),
    ReferenceDeployment("100,000 x H100 cluster", "H100", 100_000, "training"),
)


def pick_gpu(gpus: pl.DataFrame, family: str) -> dict[str, object] | None:
    """The model row for a family name ('H100'), preferring SXM parts (the reference clusters')."""
    rows = gpus.filter(pl.col("gpu_model").str.contains(family, literal=True) & pl.col("it_kw_per_gpu").is_not_null())
    if rows.is_empty():
        return None
    rows = rows.with_columns(_sxm=pl.col("gpu_model").str.contains("SXM")).sort(
        "_sxm", "gpu_model", descending=[True, False]
    )
    return rows.row(0, named=True)


def reference_energy_costs(
    gpus: pl.DataFrame, table: pl.DataFrame, pue: float, load_factor: dict[str, float]
) -> pl.DataFrame:
    """Yearly energy cost in each priced market of each reference deployment, at the warehouse's load
    factor for its workload (meta.parameters); one whose GPU or load factor is missing is left out."""
    rows = []
    for ref in REFERENCE_DEPLOYMENTS:
        gpu = pick_gpu(gpus, ref.gpu_family)
        if gpu is None or ref.workload not in load_factor:
            continue
        it_mw = ref.gpu_count * float(gpu["it_kw_per_gpu"]) / 1000  # type: ignore[arg-type]
        facility_mw = it_mw * pue
        racks = (
            f"{math.ceil(it_mw * 1000 / ref.rack_kw[1]):,}-{math.ceil(it_mw * 1000 / ref.rack_kw[0]):,} racks"
            if ref.rack_kw
            else ""
        )
        rows.append(
            {
                "deployment": ref.name,
                "gpu_model": gpu["gpu_model"],
                "workload": ref.workload,
                "it_mw": it_mw,
                "facility_mw": facility_mw,
                "load_factor": load_factor[ref.workload],
                "annual_mwh": facility_mw * HOURS_PER_YEAR * load_factor[ref.workload],
                "racks": racks,
            }
        )
    if not rows:
        return pl.DataFrame()
    m = table.filter(pl.col("energy_price_usd_mwh").is_not_null()).select(
        "market_name", "region", "energy_price_usd_mwh", "energy_price_basis"
    )
    return (
        pl.DataFrame(rows)
        .join(m, how="cross")
        .with_columns(annual_energy_cost_usd=pl.col("annual_mwh") * pl.col("energy_price_usd_mwh"))
        .sort("deployment", "annual_energy_cost_usd")
    )
