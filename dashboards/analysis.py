"""Pure polars shaping for the pages: no queries, no Streamlit, no figures.

Everything the dashboard computes itself (rather than reads from marts) lives here, typed and
unit-tested: totals for the headline numbers, each market's latest energy price, the siting scores
and the GPU-hour economics. The parameters are named and their defaults say where they come from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import polars as pl

HOURS_PER_YEAR = 8760
WORKLOADS = ("training", "inference", "mixed")
TIER_ORDER = ("tier_1", "tier_2", "tier_3", "unknown")
STAGES = (
    "operational",
    "expanding",
    "under_construction",
    "planned",
    "suspended",
    "cancelled",
    "decommissioned",
)
PIPELINE_STAGES = ("expanding", "under_construction", "planned")


def ordered(values: list[str], order: tuple[str, ...]) -> list[str]:
    """``values`` in the canonical ``order``, then any value the order does not know (e.g. 'unknown')."""
    present = set(values)
    return [v for v in order if v in present] + sorted(present - set(order))


def load_factors(deployments: pl.DataFrame) -> dict[str, float]:
    """Load factor per workload as the warehouse applied it (marts.fct_ai_deployments.load_factor, set
    from the dbt vars load_factor_<workload> in dbt_project/dbt_project.yml), so the dashboard's
    what-ifs cannot drift from the marts. A workload with no deployment has no load factor here."""
    if "load_factor" not in deployments.columns:
        raise ValueError("marts.fct_ai_deployments has no load_factor column: rebuild the warehouse (make run)")
    rows = deployments.filter(pl.col("workload").is_not_null() & pl.col("load_factor").is_not_null())
    by = rows.group_by("workload").agg(pl.col("load_factor").unique().alias("values"))
    mixed = by.filter(pl.col("values").list.len() > 1)
    if not mixed.is_empty():
        raise ValueError(f"more than one load factor per workload in the warehouse: {mixed.to_dicts()}")
    return {w: float(v[0]) for w, v in by.iter_rows()}


# ---------------------------------------------------------------------------------------------
# Forecast and demand


def forecast_totals(forecast: pl.DataFrame, measure: str = "facility_power_mw") -> pl.DataFrame:
    """One row per (year, scenario) with the measure summed; history kept once per year.

    History rows may be repeated under every scenario or carried by one scenario: either way each
    history year appears once, as scenario ``history``.
    """
    by = forecast.group_by("year", "scenario", "is_history").agg(pl.col(measure).sum().alias("value"))
    history = (
        by.filter(pl.col("is_history"))
        .group_by("year")
        .agg(pl.col("value").max())
        .with_columns(scenario=pl.lit("history"), is_history=pl.lit(True))
    )
    future = by.filter(~pl.col("is_history"))
    return pl.concat([history.select(future.columns), future]).sort("scenario", "year")


def latest_history_year(forecast: pl.DataFrame) -> int | None:
    years = forecast.filter(pl.col("is_history"))["year"]
    return None if years.is_empty() else int(years.max())  # type: ignore[arg-type]


def demand_by_workload(forecast: pl.DataFrame, year: int) -> pl.DataFrame:
    """Facility MW by workload in one history year (each history row counted once)."""
    rows = forecast.filter(pl.col("is_history") & (pl.col("year") == year))
    one = rows.filter(pl.col("scenario") == rows["scenario"].min())
    return one.group_by("workload").agg(pl.col("facility_power_mw").sum()).sort("workload")


def scenario_total(forecast: pl.DataFrame, year: int, scenario: str, measure: str = "facility_power_mw") -> float:
    rows = forecast.filter((pl.col("year") == year) & (pl.col("scenario") == scenario))
    return float(rows[measure].sum())


def cagr(start: float, end: float, years: int) -> float | None:
    if start <= 0 or end <= 0 or years <= 0:
        return None
    return (end / start) ** (1 / years) - 1


# ---------------------------------------------------------------------------------------------
# Freshness

GOOD_RUN_STATUSES = ("published", "success", "succeeded")


def last_good_run(runs: pl.DataFrame) -> dict[str, object] | None:
    """The latest run that published the warehouse (meta.runs, any of GOOD_RUN_STATUSES)."""
    good = runs.filter(pl.col("status").str.to_lowercase().is_in(GOOD_RUN_STATUSES)).sort(
        "finished_at", descending=True, nulls_last=True
    )
    return None if good.is_empty() else good.row(0, named=True)


def source_ages(sources: pl.DataFrame, today: date) -> pl.DataFrame:
    """meta.source_files with ``age_days`` since retrieval (``retrieved`` as DATE or ISO text)."""
    retrieved = pl.col("retrieved").cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    return sources.with_columns(age_days=(pl.lit(today) - retrieved).dt.total_days())


# ---------------------------------------------------------------------------------------------
# Markets: latest energy price, capacity by stage, AI demand


def latest_prices(prices: pl.DataFrame) -> pl.DataFrame:
    """The price per geography the marts cost deployments at (the rule of dbt's
    int_energy_prices__latest_by_geography): a US geography's EIA industrial price of its latest
    year; a European country's mean Ember wholesale price over its latest full year (12 months).
    Nothing else (commercial prices, partial years) prices a market. ``period`` is the year."""
    frame = prices.with_columns(period=pl.col("period").cast(pl.String)).with_columns(
        year=pl.col("period").str.slice(0, 4)
    )
    industrial = (
        frame.filter(pl.col("sector") == "industrial")
        .sort("geography", "year", descending=[False, True])
        .group_by("geography", maintain_order=True)
        .first()
        .select("geography", pl.col("year").alias("period"), "sector", "price_usd_mwh", "source")
    )
    wholesale = (
        frame.filter(pl.col("sector") == "wholesale")
        .group_by("geography", "year")
        .agg(
            pl.col("price_usd_mwh").mean(),
            pl.len().alias("_rows"),
            pl.col("price_usd_mwh").count().alias("_months"),
            pl.col("source").first(),
        )
        .filter((pl.col("_rows") == 12) & (pl.col("_months") == 12))
        .sort("geography", "year", descending=[False, True])
        .group_by("geography", maintain_order=True)
        .first()
        .select(
            "geography", pl.col("year").alias("period"), pl.lit("wholesale").alias("sector"), "price_usd_mwh", "source"
        )
    )
    # A geography has one or the other (US: EIA; Europe: Ember); were both present, EIA first.
    return pl.concat([industrial, wholesale]).unique("geography", keep="first", maintain_order=True).sort("geography")


def price_geography(markets: pl.DataFrame) -> pl.DataFrame:
    """market_id -> the geographies the marts price it at, in order: a US market its primary (first)
    state ('US-TN' for 'TN|MS|AR', as fct_energy_prices writes states), then the US average; any
    other market its country."""
    us = pl.col("country_code") == "US"
    state = pl.col("state_code").str.split("|").list.first()
    return markets.select(
        "market_id",
        pl.when(us & state.is_not_null()).then(pl.concat_str(pl.lit("US-"), state)).alias("_state"),
        pl.when(us).then(pl.lit("US")).otherwise(pl.col("country_code")).alias("_country"),
    )


def market_prices(markets: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """Each market's energy price and its basis, as the marts price a deployment in that market (see
    :func:`latest_prices` and :func:`price_geography`)."""
    latest = latest_prices(prices).select(
        "geography",
        "price_usd_mwh",
        pl.format("{} {} {} ({})", pl.col("sector"), pl.col("geography"), pl.col("period"), pl.col("source")).alias(
            "basis"
        ),
    )
    geo = price_geography(markets)
    state = latest.rename({"geography": "_state", "price_usd_mwh": "_p_state", "basis": "_b_state"})
    country = latest.rename({"geography": "_country", "price_usd_mwh": "_p_country", "basis": "_b_country"})
    out = geo.join(state, on="_state", how="left").join(country, on="_country", how="left")
    return out.select(
        "market_id",
        pl.coalesce("_p_state", "_p_country").alias("energy_price_usd_mwh"),
        pl.coalesce("_b_state", "_b_country").alias("energy_price_basis"),
    )


def price_basis_note(prices: pl.DataFrame) -> str:
    """One sentence for captions: which year and which kind of price each region's markets get."""
    latest = latest_prices(prices)
    parts = []
    us = latest.filter(pl.col("sector") == "industrial")["period"].unique().sort().to_list()
    eu = latest.filter(pl.col("sector") == "wholesale")["period"].unique().sort().to_list()
    if us:
        parts.append(
            f"US markets: EIA retail industrial price, {'/'.join(us)} (the latest year in the shipped EIA "
            "file), at the market's primary state, else the US average"
        )
    if eu:
        parts.append(f"European markets: Ember wholesale price, mean of {'/'.join(eu)} (latest full year)")
    if not parts:
        return "No energy prices in marts.fct_energy_prices."
    return (
        "Energy price (marts.fct_energy_prices, reported, converted to USD; the price the marts cost "
        "deployments at): "
        + "; ".join(parts)
        + ". Retail and wholesale are different bases: compare within a region. Elsewhere: no price."
    )


def capacity_by_stage(facilities: pl.DataFrame) -> pl.DataFrame:
    """Per market: capacity in operation and in the pipeline (low and high), stages kept apart; a site
    listed by two sources counts once (``is_primary_record``)."""
    if "is_primary_record" in facilities.columns:
        facilities = facilities.filter(pl.col("is_primary_record"))
    mid = pl.coalesce("capacity_mw_high", "capacity_mw_low")
    return facilities.group_by("market_id").agg(
        operational_mw_low=pl.col("capacity_mw_low").filter(pl.col("status") == "operational").sum(),
        operational_mw_high=mid.filter(pl.col("status") == "operational").sum(),
        pipeline_mw_low=pl.col("capacity_mw_low").filter(pl.col("status").is_in(PIPELINE_STAGES)).sum(),
        pipeline_mw_high=mid.filter(pl.col("status").is_in(PIPELINE_STAGES)).sum(),
        facilities=pl.len(),
    )


def ai_demand_by_market(deployments: pl.DataFrame) -> pl.DataFrame:
    """AI power installed now per market, counted as marts.fct_ai_demand_by_tier counts it: superseded
    phases and possible duplicates left out (``counts_in_demand``)."""
    if "counts_in_demand" not in deployments.columns:
        # Summing status = 'operational' instead would count superseded phases and duplicates too.
        raise ValueError("marts.fct_ai_deployments has no counts_in_demand column: rebuild the warehouse (make run)")
    op = deployments.filter(pl.col("counts_in_demand").fill_null(False))
    return op.group_by("market_id").agg(
        ai_demand_mw=pl.col("facility_power_mw").sum(),
        ai_training_mw=pl.col("facility_power_mw").filter(pl.col("workload") == "training").sum(),
        ai_inference_mw=pl.col("facility_power_mw").filter(pl.col("workload") == "inference").sum(),
        gpus=pl.col("gpu_count").sum(),
    )


def market_table(
    markets: pl.DataFrame, facilities: pl.DataFrame, deployments: pl.DataFrame, prices: pl.DataFrame
) -> pl.DataFrame:
    base = markets.select(
        "market_id",
        "market_name",
        "region",
        "market_tier",
        *[c for c in ("is_urban", "country_code", "latitude", "longitude", "tier_basis") if c in markets.columns],
    )
    out = (
        base.join(capacity_by_stage(facilities), on="market_id", how="left")
        .join(ai_demand_by_market(deployments), on="market_id", how="left")
        .join(market_prices(markets, prices), on="market_id", how="left")
    )
    fill = [
        "operational_mw_low",
        "operational_mw_high",
        "pipeline_mw_low",
        "pipeline_mw_high",
        "ai_demand_mw",
        "ai_training_mw",
        "ai_inference_mw",
        "gpus",
        "facilities",
    ]
    return out.with_columns(pl.col(fill).fill_null(0)).sort("market_tier", "market_name")


# ---------------------------------------------------------------------------------------------
# Siting


@dataclass(frozen=True)
class SitingWeights:
    energy_price: float
    operating_capacity: float
    pipeline_capacity: float
    tier: float
    urban: float

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


# Dashboard defaults (assumptions, adjustable on the page): training chases cheap, abundant power and
# room to grow; inference sits near users in connected metros (the seed report's thesis).
DEFAULT_WEIGHTS = {
    "training": SitingWeights(energy_price=0.40, operating_capacity=0.10, pipeline_capacity=0.30, tier=0.20, urban=0.0),
    "inference": SitingWeights(
        energy_price=0.20, operating_capacity=0.25, pipeline_capacity=0.10, tier=0.20, urban=0.25
    ),
}
TIER_FIT = {
    "training": {"tier_3": 1.0, "tier_2": 0.7, "tier_1": 0.4, "unknown": 0.2},
    "inference": {"tier_1": 1.0, "tier_2": 0.8, "tier_3": 0.4, "unknown": 0.2},
}


def _percentile(expr: pl.Expr) -> pl.Expr:
    """0 for the lowest value, 1 for the highest, by rank (an outlier such as Hawaii's power price
    does not squash every other market together, as a min-max scale would)."""
    n = expr.count()
    return pl.when(n > 1).then((expr.rank("average") - 1) / (n - 1)).otherwise(0.5)


def _minmax(expr: pl.Expr) -> pl.Expr:
    span = expr.max() - expr.min()
    return pl.when(span > 0).then((expr - expr.min()) / span).otherwise(0.5)


def siting_scores(table: pl.DataFrame, workload: str, weights: SitingWeights) -> pl.DataFrame:
    """Rank markets for ``workload``: each component scaled 0-1, weighted, summed to 0-100.

    Components: energy price (percentile rank, cheaper scores higher; no price scores 0),
    capacity in operation and in the pipeline (log-scaled MW, high estimate), tier fit for the
    workload, and urban proximity to demand.
    """
    w = weights.as_dict()
    total_w = sum(w.values()) or 1.0
    scored = table.with_columns(
        s_energy_price=(1 - _percentile(pl.col("energy_price_usd_mwh"))).fill_null(0.0),
        s_operating_capacity=_minmax(pl.col("operational_mw_high").log1p()),
        s_pipeline_capacity=_minmax(pl.col("pipeline_mw_high").log1p()),
        s_tier=pl.col("market_tier").replace_strict(TIER_FIT[workload], default=0.2, return_dtype=pl.Float64),
        s_urban=pl.col("is_urban").cast(pl.Float64).fill_null(0.0),
    )
    parts = [pl.col(f"s_{k}") * (v / total_w) * 100 for k, v in w.items()]
    scored = scored.with_columns(
        [(pl.col(f"s_{k}") * (v / total_w) * 100).alias(f"pts_{k}") for k, v in w.items()]
    ).with_columns(score=pl.sum_horizontal(parts))
    return scored.sort("score", descending=True).with_columns(rank=pl.int_range(1, pl.len() + 1))


def explain_score(row: dict[str, object], weights: SitingWeights) -> str:
    """One sentence per market: what each component contributed and why."""
    price = row.get("energy_price_usd_mwh")
    price_txt = f"${price:,.0f}/MWh" if isinstance(price, (int, float)) and not math.isnan(price) else "no price"
    return (
        f"{row['market_name']}: {row['score']:.0f}/100 = "
        f"energy {row['pts_energy_price']:.0f} ({price_txt}) + "
        f"operating {row['pts_operating_capacity']:.0f} ({row['operational_mw_high']:,.0f} MW) + "
        f"pipeline {row['pts_pipeline_capacity']:.0f} ({row['pipeline_mw_high']:,.0f} MW) + "
        f"tier {row['pts_tier']:.0f} ({row['market_tier']}) + "
        f"urban {row['pts_urban']:.0f} ({'urban' if row.get('is_urban') else 'not urban'})"
    )


# ---------------------------------------------------------------------------------------------
# GPU and energy economics


@dataclass(frozen=True)
class GpuCostAssumptions:
    amortisation_years: float = 4.0  # assumption: typical accelerator depreciation schedule
    utilisation: float = 0.7  # assumption: share of hours a GPU is sold or used
    capex_multiplier: float = 1.5  # assumption: server, network and facility capex on top of the GPU
    pue: float = 1.2  # DESIGN.md: AI-dedicated sites 1.1-1.2


def gpu_hour_costs(
    gpus: pl.DataFrame, table: pl.DataFrame, a: GpuCostAssumptions, models: list[str] | None = None
) -> pl.DataFrame:
    """$/GPU-hour by GPU model and market: capex amortised over sold hours plus energy at the
    market's price (IT kW per GPU x PUE)."""
    g = gpus.filter(pl.col("release_price_usd").is_not_null() & pl.col("it_kw_per_gpu").is_not_null())
    if models:
        g = g.filter(pl.col("gpu_model").is_in(models))
    m = table.filter(pl.col("energy_price_usd_mwh").is_not_null()).select(
        "market_id", "market_name", "region", "energy_price_usd_mwh"
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
    """Cloud on-demand list price per GPU-hour: median and range across providers, per model."""
    return (
        prices.filter(pl.col("price_kind") == "on_demand")
        .group_by("gpu_model")
        .agg(
            cloud_median_usd=pl.col("price_usd").median(),
            cloud_min_usd=pl.col("price_usd").min(),
            cloud_max_usd=pl.col("price_usd").max(),
            providers=pl.col("provider").n_unique(),
        )
        .sort("gpu_model")
    )


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
    rows = gpus.filter(pl.col("gpu_model").str.contains(family, literal=True))
    if rows.is_empty():
        return None
    rows = rows.with_columns(_sxm=pl.col("gpu_model").str.contains("SXM")).sort("_sxm", descending=True)
    return rows.row(0, named=True)


def reference_energy_costs(
    gpus: pl.DataFrame, table: pl.DataFrame, pue: float, load_factor: dict[str, float]
) -> pl.DataFrame:
    """Yearly energy cost in each priced market of each reference deployment, at the warehouse's load
    factor for its workload (:func:`load_factors`); one whose GPU or load factor is missing is left out."""
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
