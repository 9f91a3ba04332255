"""Pure polars shaping for the pages: no queries, no Streamlit, no figures.

The marts decide what counts (which deployments are AI demand, which pipeline rows count, which
site record is primary, which energy price a market gets); this module only reshapes what they
publish: totals for the headline numbers, the siting scores and the GPU-hour economics. Model
parameters (PUE, load factors, horizon) are read from meta.parameters, never restated here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import yaml

HOURS_PER_YEAR = 8760
AI_WORKLOADS = ("training", "inference")
HPC = "hpc"
TIER_ORDER = ("tier_1", "tier_2", "tier_3", "unknown")
KIND_ORDER = ("metro", "edge", "campus", "state_rest", "country_rest", "unassigned")
STAGES = (
    "operational",
    "expanding",
    "under_construction",
    "planned",
    "suspended",
    "cancelled",
    "decommissioned",
    "unknown",
)
HEADLINE_SCENARIOS = ("low", "base", "high")
UNKNOWN_TIER_BARS = 12  # places of tier 'unknown' drawn one by one on the Overview; the rest as one bar


def ordered(values: list[str], order: tuple[str, ...]) -> list[str]:
    """``values`` in the canonical ``order``, then any value the order does not know."""
    present = set(values)
    return [v for v in order if v in present] + sorted(present - set(order))


# ---------------------------------------------------------------------------------------------
# Parameters: meta.parameters (written by the run from their one home, the dbt vars)


def parameter_value(parameters: pl.DataFrame, name: str, scope: str = "model") -> Any:
    """The value of one parameter as the warehouse was built with it (meta.parameters stores values as
    YAML text); a parameter the warehouse does not list is read from its home (transforms.params)."""
    rows = parameters.filter((pl.col("parameter") == name) & (pl.col("scope") == scope))
    if rows.is_empty():
        if scope != "model":
            raise KeyError(f"meta.parameters has no {scope} parameter {name!r}")
        from transforms.params import param

        return param(name)
    text = rows["value"][0]
    return None if text is None else yaml.safe_load(text)


@dataclass(frozen=True)
class ModelParams:
    """The model parameters the pages use, as the warehouse applied them."""

    pue_ai_cluster: float
    server_overhead: float
    load_factor: dict[str, float]
    demand_latest_year: int
    forecast_end_year: int
    hpc_counts_as_ai_demand: bool

    @classmethod
    def from_frame(cls, parameters: pl.DataFrame) -> ModelParams:
        def value(name: str) -> Any:
            return parameter_value(parameters, name)

        return cls(
            pue_ai_cluster=float(value("pue_ai_cluster")),
            server_overhead=float(value("server_overhead")),
            load_factor={w: float(value(f"load_factor_{w}")) for w in (*AI_WORKLOADS, HPC)},
            demand_latest_year=int(value("demand_latest_year")),
            forecast_end_year=int(value("forecast_end_year")),
            hpc_counts_as_ai_demand=bool(value("hpc_counts_as_ai_demand")),
        )

    def load_factor_text(self) -> str:
        return ", ".join(f"{w} {v:g}" for w, v in self.load_factor.items())


# ---------------------------------------------------------------------------------------------
# Demand: history (fct_ai_demand_by_tier) and forecast (fct_demand_forecast)


def latest_year(demand: pl.DataFrame) -> int | None:
    return None if demand.is_empty() else int(demand["year"].max())  # type: ignore[arg-type]


def latest_history_year(forecast: pl.DataFrame) -> int | None:
    years = forecast.filter(pl.col("is_history"))["year"]
    return None if years.is_empty() else int(years.max())  # type: ignore[arg-type]


def demand_by_workload(demand: pl.DataFrame, year: int) -> dict[str, dict[str, float]]:
    """{workload: {"mw": facility MW, "twh": calendar-year TWh}} in one year of fct_ai_demand_by_tier,
    for training, inference and hpc (hpc is not AI demand: never add it to the AI total)."""
    rows = demand.filter(pl.col("year") == year)
    out = {}
    for workload in (*AI_WORKLOADS, HPC):
        w = rows.filter(pl.col("workload") == workload)
        out[workload] = {
            "mw": float(w["facility_power_mw"].sum()),
            "twh": float(w["annual_energy_mwh"].sum()) / 1e6,
        }
    return out


def unknown_tier_by_country(summary: pl.DataFrame) -> pl.DataFrame:
    """The 'unknown' tier of fct_market_summary, one row per place: a country whose deployments give no
    location inside it (country_rest) or no usable location at all (unassigned)."""
    return (
        summary.filter(pl.col("market_tier") == "unknown")
        .filter((pl.col("ai_demand_mw") > 0) | (pl.col("hpc_mw") > 0) | (pl.col("ai_pipeline_mw") > 0))
        .select(
            "market_name",
            "country_code",
            "market_kind",
            "ai_training_mw",
            "ai_inference_mw",
            "ai_demand_mw",
            "hpc_mw",
            "ai_pipeline_mw",
        )
        .sort("ai_demand_mw", descending=True)
    )


def top_with_rest(frame: pl.DataFrame, n: int, label: str = "market_name") -> pl.DataFrame:
    """The first ``n`` rows, then one row summing the numeric columns of the others ('N other places')."""
    if frame.height <= n + 1:
        return frame
    rest = frame.slice(n)
    numeric = [c for c, t in frame.schema.items() if t.is_numeric()]
    summed = rest.select([pl.col(c).sum() for c in numeric]).with_columns(
        pl.lit(f"{rest.height} other places").alias(label)
    )
    return pl.concat([frame.head(n), summed], how="diagonal_relaxed")


def forecast_totals(forecast: pl.DataFrame, measure: str = "facility_power_mw", ai_only: bool = True) -> pl.DataFrame:
    """One row per (year, scenario) with the measure summed over AI demand (hpc left out unless
    ``ai_only`` is false); history kept once per year, as scenario ``history``."""
    rows = forecast.filter(pl.col("is_ai_demand")) if ai_only else forecast
    by = rows.group_by("year", "scenario", "is_history").agg(pl.col(measure).sum().alias("value"))
    history = (
        by.filter(pl.col("is_history"))
        .group_by("year")
        .agg(pl.col("value").max())
        .with_columns(scenario=pl.lit("history"), is_history=pl.lit(True))
    )
    future = by.filter(~pl.col("is_history"))
    return pl.concat([history.select(future.columns), future]).sort("scenario", "year")


def scenario_total(
    forecast: pl.DataFrame, year: int, scenario: str, measure: str = "facility_power_mw", workload: str | None = None
) -> float:
    """AI demand (or one workload, hpc included when asked by name) of a scenario in a year."""
    rows = forecast.filter((pl.col("year") == year) & (pl.col("scenario") == scenario))
    rows = rows.filter(pl.col("workload") == workload) if workload else rows.filter(pl.col("is_ai_demand"))
    return float(rows[measure].sum())


def cagr(start: float, end: float, years: int) -> float | None:
    if start <= 0 or end <= 0 or years <= 0:
        return None
    return (end / start) ** (1 / years) - 1


def tier_kind_over_time(forecast: pl.DataFrame, scenario: str, regions: list[str]) -> pl.DataFrame:
    """Facility MW by year x workload x tier x kind for one scenario (history then forecast), with a
    ``tier_kind`` label for the charts; hpc rows kept (pages show them apart)."""
    rows = forecast.filter((pl.col("scenario") == scenario) & pl.col("region").is_in(regions))
    return (
        rows.group_by("year", "is_history", "workload", "market_tier", "market_kind")
        .agg(pl.col("facility_power_mw").sum(), pl.col("annual_energy_twh").sum())
        .with_columns(tier_kind=pl.format("{} · {}", pl.col("market_tier"), pl.col("market_kind")))
        .sort("year", "workload", "market_tier", "market_kind")
    )


def non_zero_series(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the tier x kind series that are zero in every year (the marts' grids are zero-filled)."""
    keep = frame.group_by("tier_kind").agg(pl.col("facility_power_mw").abs().sum().alias("_mw"))
    return frame.join(keep.filter(pl.col("_mw") > 0).select("tier_kind"), on="tier_kind", how="semi")


def tier_kind_order(frame: pl.DataFrame) -> list[str]:
    present = set(frame["tier_kind"].to_list())
    return [f"{t} · {k}" for t in TIER_ORDER for k in KIND_ORDER if f"{t} · {k}" in present] + sorted(
        present - {f"{t} · {k}" for t in TIER_ORDER for k in KIND_ORDER}
    )


def binding_drivers(forecast: pl.DataFrame, scenario: str | None = None) -> pl.DataFrame:
    """Which driver sets each projected region-year total (AI rows' ``total_basis``): the announced
    pipeline (pipeline_floor), the growth trend (trend), or the trend carried on after the pipeline's
    last year (trend_after_pipeline). One row per year x total_basis with the regions."""
    rows = forecast.filter(~pl.col("is_history") & pl.col("is_ai_demand"))
    if scenario is not None:
        rows = rows.filter(pl.col("scenario") == scenario)
    per_region = rows.group_by("year", "region", "total_basis").agg(
        pl.col("facility_power_mw").sum().alias("region_mw")
    )
    return (
        per_region.filter(pl.col("region_mw") > 0)
        .group_by("year", "total_basis")
        .agg(
            pl.len().alias("regions"),
            pl.col("region").sort().str.join(", ").alias("region_names"),
            pl.col("region_mw").sum().alias("facility_power_mw"),
        )
        .sort("year", "total_basis")
    )


# ---------------------------------------------------------------------------------------------
# Published figures: Epoch's coverage, the IEA's all-data-centre energy


def coverage_note(projections: pl.DataFrame) -> str:
    """The caption every growth figure carries: Epoch AI's dataset is a subset of all AI compute."""
    rows = projections.filter(pl.col("metric") == "dataset_coverage")
    share = (
        f"about {rows['value'].min():g}-{rows['value'].max():g}%"
        if rows.height
        else "a minority (share not in ref_published_projections)"
    )
    return (
        f"Epoch AI's dataset tracks {share} of all AI compute (Epoch AI, 'AI supercomputers' data insights, "
        "March 2025), so growth of tracked power is not growth of all AI power: the history and forecast here "
        "cover the tracked deployments only."
    )


def iea_all_data_centres(projections: pl.DataFrame) -> pl.DataFrame:
    """IEA's world electricity use of ALL data centres (calendar-year TWh), one row per year: the
    estimate for past years, the base case for future ones."""
    rows = projections.filter(
        (pl.col("publisher") == "IEA")
        & (pl.col("metric") == "electricity_consumption")
        & (pl.col("scope") == "all data centers")
        & (pl.col("geography") == "World")
        & (pl.col("unit") == "TWh")
        & pl.col("scenario").is_in(["estimate", "base"])
        & pl.col("publication").str.starts_with("Energy and AI")
    )
    return rows.select("year", "value", "publication", "scenario", "source_url").sort("year").unique("year")


def energy_comparison(
    demand: pl.DataFrame, forecast: pl.DataFrame, projections: pl.DataFrame, scenario: str = "base"
) -> pl.DataFrame:
    """Tracked AI energy (calendar-year TWh: history from fct_ai_demand_by_tier, later years from the
    scenario) beside the IEA's all-data-centre figure for the same year."""
    iea = iea_all_data_centres(projections)
    rows = []
    for year, value, publication in iea.select("year", "value", "publication").iter_rows():
        hist = demand.filter((pl.col("year") == year) & pl.col("is_ai_demand"))
        if hist.height:
            twh, basis = float(hist["annual_energy_mwh"].sum()) / 1e6, "history (fct_ai_demand_by_tier)"
        else:
            fc = forecast.filter((pl.col("year") == year) & (pl.col("scenario") == scenario) & pl.col("is_ai_demand"))
            if fc.is_empty():
                continue
            twh, basis = float(fc["annual_energy_twh"].sum()), f"forecast, {scenario} scenario"
        rows.append(
            {
                "year": int(year),
                "tracked_ai_twh": twh,
                "tracked_basis": basis,
                "iea_all_data_centres_twh": float(value),
                "tracked_share_of_iea": twh / float(value) if value else None,
                "iea_publication": publication,
            }
        )
    schema = {
        "year": pl.Int64,
        "tracked_ai_twh": pl.Float64,
        "tracked_basis": pl.String,
        "iea_all_data_centres_twh": pl.Float64,
        "tracked_share_of_iea": pl.Float64,
        "iea_publication": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


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
# Markets (fct_market_summary)


def price_bases(summary: pl.DataFrame) -> str:
    """The kinds of energy price the markets carry (fct_market_summary.energy_price_basis without the
    geography), for captions: e.g. 'EIA industrial 2019 (98 markets); Ember wholesale 2024 mean (54)'."""
    kinds = (
        summary.filter(pl.col("energy_price_basis").is_not_null())
        .with_columns(
            kind=pl.col("energy_price_basis").str.replace(r"\s+[A-Z]{2}(-[A-Z]{2})?(\s+\(.*\))?$", "").str.strip_chars()
        )
        .group_by("kind")
        .agg(pl.len().alias("n"))
        .sort("n", descending=True)
    )
    missing = summary.filter(pl.col("energy_price_basis").is_null()).height
    parts = [f"{k} ({n} market{'s' if n != 1 else ''})" for k, n in kinds.iter_rows()]
    return (
        "Energy price: the price the marts cost deployments at (marts.fct_market_summary.energy_price_basis, "
        "reported, in USD/MWh): "
        + ("; ".join(parts) if parts else "none")
        + f"; {missing} markets have no price. Retail (EIA, US) and wholesale (Ember, Europe) are different "
        "bases: compare within a region."
    )


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
# Places that are not markets one can site in: a country's undisclosed rest and rows without a location.
NOT_SITEABLE_KINDS = ("country_rest", "unassigned")


def siteable(summary: pl.DataFrame) -> pl.DataFrame:
    return summary.filter(~pl.col("market_kind").is_in(NOT_SITEABLE_KINDS))


def _percentile(expr: pl.Expr) -> pl.Expr:
    """0 for the lowest value, 1 for the highest, by rank (an outlier such as Hawaii's power price
    does not squash every other market together, as a min-max scale would)."""
    n = expr.count()
    return pl.when(n > 1).then((expr.rank("average") - 1) / (n - 1)).otherwise(0.5)


def _minmax(expr: pl.Expr) -> pl.Expr:
    span = expr.max() - expr.min()
    return pl.when(span > 0).then((expr - expr.min()) / span).otherwise(0.5)


def siting_scores(table: pl.DataFrame, workload: str, weights: SitingWeights) -> pl.DataFrame:
    """Rank markets (rows of fct_market_summary) for ``workload``: each component scaled 0-1,
    weighted, summed to 0-100.

    Components: energy price (percentile rank, cheaper scores higher; no price scores 0),
    capacity in operation and in the pipeline (log-scaled MW, high estimate), tier fit for the
    workload, and urban proximity to demand.
    """
    w = weights.as_dict()
    total_w = sum(w.values()) or 1.0
    scored = table.with_columns(
        s_energy_price=(1 - _percentile(pl.col("energy_price_usd_mwh"))).fill_null(0.0),
        s_operating_capacity=_minmax(pl.col("operational_mw_high").fill_null(0.0).log1p()),
        s_pipeline_capacity=_minmax(pl.col("pipeline_mw_high").fill_null(0.0).log1p()),
        s_tier=pl.col("market_tier").replace_strict(TIER_FIT[workload], default=0.2, return_dtype=pl.Float64),
        s_urban=pl.col("is_urban").cast(pl.Float64).fill_null(0.0),
    )
    parts = [pl.col(f"s_{k}") * (v / total_w) * 100 for k, v in w.items()]
    scored = scored.with_columns(
        [(pl.col(f"s_{k}") * (v / total_w) * 100).alias(f"pts_{k}") for k, v in w.items()]
    ).with_columns(score=pl.sum_horizontal(parts))
    return scored.sort("score", "market_name", descending=[True, False]).with_columns(
        rank=pl.int_range(1, pl.len() + 1)
    )


def explain_score(row: dict[str, object], weights: SitingWeights) -> str:
    """One sentence per market: what each component contributed and why."""
    price = row.get("energy_price_usd_mwh")
    price_txt = f"${price:,.0f}/MWh" if isinstance(price, (int, float)) and not math.isnan(price) else "no price"
    return (
        f"{row['market_name']}: {row['score']:.0f}/100 = "
        f"energy {row['pts_energy_price']:.0f} ({price_txt}) + "
        f"operating {row['pts_operating_capacity']:.0f} ({row['operational_mw_high'] or 0:,.0f} MW) + "
        f"pipeline {row['pts_pipeline_capacity']:.0f} ({row['pipeline_mw_high'] or 0:,.0f} MW) + "
        f"tier {row['pts_tier']:.0f} ({row['market_tier']}) + "
        f"urban {row['pts_urban']:.0f} ({'urban' if row.get('is_urban') else 'not urban'})"
    )


# ---------------------------------------------------------------------------------------------
# GPU and energy economics


@dataclass(frozen=True)
class GpuCostAssumptions:
    amortisation_years: float
    utilisation: float
    capex_multiplier: float
    pue: float  # the page's default is the warehouse's pue_ai_cluster (meta.parameters)


# Dashboard defaults for the what-if sliders (assumptions, shown as such on the page).
DEFAULT_AMORTISATION_YEARS = 4.0  # typical accelerator depreciation schedule
DEFAULT_UTILISATION = 0.7  # share of hours a GPU is sold or used
DEFAULT_CAPEX_MULTIPLIER = 1.5  # server, network and facility capex on top of the GPU


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


# ---------------------------------------------------------------------------------------------
# Map


BUBBLE_MIN_PX = 4.0
BUBBLE_MAX_PX = 20.0
BUBBLE_PX_PER_SQRT_MW = 0.6


def bubble_radius_px(
    mw: pl.Expr,
    min_px: float = BUBBLE_MIN_PX,
    max_px: float = BUBBLE_MAX_PX,
    px_per_sqrt_mw: float = BUBBLE_PX_PER_SQRT_MW,
) -> pl.Expr:
    """Bubble radius in screen pixels ~ sqrt(MW), clamped: a 20 MW edge site (4 px) and a 1 GW
    campus (19 px) are both visible, and no bubble grows past ``max_px`` to cover its neighbours
    (the page also draws the largest first, so smaller bubbles stay on top). Area, not radius, is
    proportional to MW between the clamps."""
    return (mw.fill_null(0.0).clip(lower_bound=0.0).sqrt() * px_per_sqrt_mw).clip(min_px, max_px)


def training_share_rgb(share: pl.Expr) -> pl.Expr:
    """A continuous colour from inference (blue, share 0) to training (red, share 1); grey if unknown."""
    s = share.clip(0.0, 1.0)
    return (
        pl.when(share.is_null())
        .then(pl.lit([156, 163, 175]))
        .otherwise(
            pl.concat_list(
                (37 + s * (220 - 37)).round().cast(pl.Int64),
                (99 + s * (38 - 99)).round().cast(pl.Int64),
                (235 + s * (38 - 235)).round().cast(pl.Int64),
            )
        )
    )


def view_for(
    latitudes: list[float], longitudes: list[float], width_px: float = 860.0, height_px: float = 560.0
) -> dict[str, float]:
    """Centre and zoom that fit the points in Web Mercator, for a map of at least ``width_px`` x
    ``height_px`` (the page's map is 620 px high and as wide as the main column), with a margin."""
    if not latitudes:
        return {"latitude": 20.0, "longitude": 0.0, "zoom": 1.0}
    lat_min, lat_max = max(min(latitudes), -80.0), min(max(latitudes), 80.0)
    lon_min, lon_max = min(longitudes), max(longitudes)

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    y_span = max(merc(lat_max) - merc(lat_min), 1e-3) / (2 * math.pi)  # share of the world's height
    x_span = max(lon_max - lon_min, 1e-3) / 360.0
    tile = 512.0  # deck.gl: the world is 512 x 2^zoom px wide
    zoom = min(math.log2(width_px / (tile * x_span)), math.log2(height_px / (tile * y_span))) - 0.15
    centre_y = (merc(lat_min) + merc(lat_max)) / 2
    return {
        "latitude": math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2),
        "longitude": (lon_min + lon_max) / 2,
        "zoom": max(0.3, min(9.0, zoom)),
    }


def _pixel(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    world = 512.0 * 2**zoom
    lat = max(min(lat, 85.0), -85.0)
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
    return world * (lon + 180) / 360, world * y


def declutter_labels(labels: pl.DataFrame, zoom: float, char_px: float = 6.5, line_px: float = 22.0) -> pl.DataFrame:
    """The labels (in priority order: ``label``, ``latitude``, ``longitude``) that do not overlap a label
    kept before them at the opening ``zoom`` (text about ``char_px`` wide per character, one line high)."""
    kept: list[tuple[float, float, float]] = []
    keep = []
    for label, lat, lon in labels.select("label", "latitude", "longitude").iter_rows():
        if lat is None or lon is None:
            keep.append(False)
            continue
        x, y = _pixel(lat, lon, zoom)
        width = len(label) * char_px
        clear = all(abs(x - kx) > (width + kw) / 2 or abs(y - ky) > line_px for kx, ky, kw in kept)
        if clear:
            kept.append((x, y, width))
        keep.append(clear)
    return labels.filter(pl.Series(keep, dtype=pl.Boolean))
