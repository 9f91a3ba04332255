"""Scenario forecast of installed AI data-center power by region, market tier and workload.

Pure polars: every function takes and returns frames; the only I/O is ``load_scenarios``, which
reads the versioned parameter file (``scenarios.yml`` in this package, see ``params``).

How a forecast is built (origin = the last history year; every driver a named parameter):

1. **Region total, IT power.** The trend grows the origin year's installed IT power at
   ``accelerator_power_cagr`` (anchored to IEA Energy and AI 2025: accelerated-server electricity
   +225 % over 2025-2030, 26.6 %/yr), tapered by ``growth_taper`` and scaled per region by
   ``region_growth_multiplier``. The announced pipeline (``pipeline_realisation_rate`` by status,
   ``pipeline_delay_years``; undated projects spread over ``pipeline_undated_spread_years``) sets
   a floor: installed IT is never below the origin base plus the realised pipeline due by that
   year; after the last year the pipeline adds capacity (its visible horizon) the floor grows at
   the trend rate, since projects not yet announced will come too. ``total_basis`` says which of
   the two binds ('trend' or 'pipeline_floor').
2. **Facility power** = IT x PUE. The origin PUE is implied per region by history (facility/IT),
   then follows LBNL's trajectory *relative* to its 2023 value (average 1.4 in 2023 to
   1.15-1.35 in 2028: ``pue_ratio_target`` = 2028/2023 ratio), never below ``pue_floor``.
3. **Workload split.** ``mixed`` stays a workload of its own: its share of each region is held at
   the origin level (no public source lets us split it). The rest is split between training and
   inference; inference's share moves linearly from the origin share (per region, from history)
   to ``inference_share_target`` by ``inference_share_target_year``.
4. **Tier split.** Per region and workload, the origin tier mix (from history) moves linearly
   toward ``tier_mix_target[workload]`` (tier_1/tier_2/tier_3) by ``tier_shift_target_year``,
   ``tier_shift_strength`` of the way (0 = no shift, 1 = full). The 'unknown' tier (only the
   country is known) keeps its origin share. A workload without a target keeps its origin mix.
5. **Energy** = facility MW x 8760 h x load factor; the load factor per workload is the one
   implied by history at the origin (so the series is continuous), else ``load_factor``.

Shares are fractions that sum to one, so tiers and workloads add up to the region total;
low <= base <= high holds for every region-year total when each driver of the lower scenario is
on the lower side (checked by ``check_scenario_ordering`` when the file is loaded). It does not
hold per tier or workload: a scenario with a different mix may put less in one tier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from transforms.forecast.params import (
    CONTRACT_COLUMNS,
    EXTRA_COLUMNS,
    HISTORY_SCHEMA,
    HOURS_PER_YEAR,
    KNOWN_TIERS,
    TIERS,
    WORKLOADS,
    ScenarioParams,
    load_scenarios,
    resolve_scenario,
)
from transforms.forecast.pipeline import _pipeline_by_year, empty_pipeline


def _prepare_history(history: pl.DataFrame) -> pl.DataFrame:
    missing = set(HISTORY_SCHEMA) - set(history.columns)
    if missing:
        raise ValueError(f"history lacks columns {sorted(missing)}")
    return history.with_columns([pl.col(c).cast(t) for c, t in HISTORY_SCHEMA.items()])


def _history_rows(history: pl.DataFrame, params: ScenarioParams) -> pl.DataFrame:
    return history.with_columns(
        pl.lit(params.name).alias("scenario"),
        (pl.col("annual_energy_mwh") / 1e6).alias("annual_energy_twh"),
        pl.lit(True).alias("is_history"),
        pl.when(pl.col("it_power_mw") > 0).then(pl.col("facility_power_mw") / pl.col("it_power_mw")).alias("pue"),
        pl.col("facility_power_mw").sum().over("year", "region").alias("region_total_facility_mw"),
        pl.lit(None, dtype=pl.Float64).alias("inference_share"),
        pl.lit("history").alias("total_basis"),
        pl.lit(params.version).alias("scenario_version"),
    )


def _year_drivers(params: ScenarioParams, origin: int, end_year: int) -> pl.DataFrame:
    """Per-year scalars (a handful of years: computed in Python, then one small frame)."""
    years = list(range(origin + 1, end_year + 1))

    def pue_path(year: int) -> float:
        span = max(params.pue_path_target_year - params.pue_path_start_year, 1)
        progress = min(max((year - params.pue_path_start_year) / span, 0.0), 1.0)
        return 1.0 + (params.pue_ratio_target - 1.0) * progress

    def progress(year: int, target_year: int) -> float:
        return min(max((year - origin) / max(target_year - origin, 1), 0.0), 1.0)

    growth = [params.accelerator_power_cagr * (1.0 - params.growth_taper) ** k for k in range(len(years))]
    return pl.DataFrame(
        {
            "year": years,
            "growth": growth,
            "pue_factor": [pue_path(y) / pue_path(origin) for y in years],
            "inference_progress": [progress(y, params.inference_share_target_year) for y in years],
            "tier_progress": [progress(y, params.tier_shift_target_year) * params.tier_shift_strength for y in years],
        },
        schema={
            "year": pl.Int32,
            "growth": pl.Float64,
            "pue_factor": pl.Float64,
            "inference_progress": pl.Float64,
            "tier_progress": pl.Float64,
        },
    )


def _safe_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den)


def _region_totals(
    origin_rows: pl.DataFrame,
    regions: pl.DataFrame,
    years: pl.DataFrame,
    pipeline_by_year: pl.DataFrame,
    params: ScenarioParams,
) -> pl.DataFrame:
    multipliers = pl.DataFrame(
        {"region": list(params.region_growth_multiplier), "multiplier": list(params.region_growth_multiplier.values())},
        schema={"region": pl.String, "multiplier": pl.Float64},
    )
    base = (
        regions.join(
            origin_rows.group_by("region").agg(
                pl.col("it_power_mw").sum().alias("it0"), pl.col("facility_power_mw").sum().alias("fac0")
            ),
            on="region",
            how="left",
        )
        .join(multipliers, on="region", how="left")
        .select(
            "region",
            pl.col("it0").fill_null(0.0),
            pl.col("multiplier").fill_null(1.0),
            pl.coalesce(_safe_div(pl.col("fac0"), pl.col("it0")), pl.lit(params.pue_default)).alias("pue0"),
        )
    )
    return (
        base.join(years, how="cross")
        .join(pipeline_by_year, on=["region", "year"], how="left")
        .sort("region", "year")
        .with_columns(
            (pl.col("growth") * pl.col("multiplier")).log1p().cum_sum().over("region").exp().alias("trend_index"),
            (pl.col("pipeline_mw").fill_null(0.0) / pl.col("pue0")).cum_sum().over("region").alias("pipe_it"),
        )
        .with_columns(
            (pl.col("it0") * pl.col("trend_index")).alias("trend_it"),
            (pl.col("it0") + pl.col("pipe_it")).alias("committed_raw"),
            # The last year the announced pipeline adds capacity in the region: its visible horizon.
            pl.when(pl.col("pipeline_mw").fill_null(0.0) > 0)
            .then(pl.col("year"))
            .max()
            .over("region")
            .alias("horizon"),
        )
        .with_columns(
            # Beyond the pipeline's horizon nothing is announced yet, not nothing will be built: the
            # committed path then grows at the trend rate from where the pipeline left it.
            pl.when(pl.col("horizon").is_not_null() & (pl.col("year") > pl.col("horizon")))
            .then(
                pl.col("committed_raw").filter(pl.col("year") == pl.col("horizon")).first().over("region")
                * pl.col("trend_index")
                / pl.col("trend_index").filter(pl.col("year") == pl.col("horizon")).first().over("region")
            )
            .otherwise(pl.col("committed_raw"))
            .alias("committed_it"),
            pl.max_horizontal(
                pl.col("pue0") * pl.col("pue_factor"),
                pl.min_horizontal(pl.col("pue0"), pl.lit(params.pue_floor)),
            ).alias("pue"),
        )
        .select(
            "region",
            "year",
            "pue",
            "inference_progress",
            "tier_progress",
            pl.max_horizontal("trend_it", "committed_it").alias("region_it"),
            pl.when(pl.col("committed_it") > pl.col("trend_it"))
            .then(pl.lit("pipeline_floor"))
            .otherwise(pl.lit("trend"))
            .alias("total_basis"),
        )
    )


def _workload_shares(
    origin_rows: pl.DataFrame, totals: pl.DataFrame, workloads: Sequence[str], params: ScenarioParams
) -> pl.DataFrame:
    """Share of each region-year total per workload (sums to 1 over ``workloads``)."""

    def shares(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            *[c for c in frame.columns if c == "region"],
            _safe_div(pl.col("mixed"), pl.col("total")).alias("mixed_share"),
            _safe_div(pl.col("inference"), pl.col("inference") + pl.col("training")).alias("inf0"),
        )

    sums = [
        pl.col("facility_power_mw").filter(pl.col("workload") == w).sum().alias(w)
        for w in ("training", "inference", "mixed")
    ]
    by_region = shares(
        origin_rows.group_by("region")
        .agg(*sums)
        .with_columns(total=pl.sum_horizontal("training", "inference", "mixed"))
    )
    overall = shares(origin_rows.select(*sums).with_columns(total=pl.sum_horizontal("training", "inference", "mixed")))
    mixed_default = overall["mixed_share"][0] if overall.height else None
    inf_default = overall["inf0"][0] if overall.height else None
    has_mixed = "mixed" in workloads
    frame = (
        totals.select("region", "year", "inference_progress")
        .join(by_region, on="region", how="left")
        .with_columns(
            (
                pl.coalesce("mixed_share", pl.lit(mixed_default, pl.Float64), pl.lit(0.0)) if has_mixed else pl.lit(0.0)
            ).alias("mixed_share"),
            pl.coalesce("inf0", pl.lit(inf_default, pl.Float64), pl.lit(params.inference_share_target)).alias("inf0"),
        )
        .with_columns(
            (pl.col("inf0") + (params.inference_share_target - pl.col("inf0")) * pl.col("inference_progress")).alias(
                "inference_share"
            )
        )
        .with_columns(
            ((1 - pl.col("mixed_share")) * (1 - pl.col("inference_share"))).alias("training"),
            ((1 - pl.col("mixed_share")) * pl.col("inference_share")).alias("inference"),
            pl.col("mixed_share").alias("mixed"),
        )
    )
    return frame.unpivot(
        index=["region", "year", "inference_share"],
        on=list(workloads),
        variable_name="workload",
        value_name="workload_share",
    )


def _tier_shares(
    origin_rows: pl.DataFrame,
    regions: pl.DataFrame,
    years: pl.DataFrame,
    workloads: Sequence[str],
    params: ScenarioParams,
) -> pl.DataFrame:
    """Share of each region-workload-year in each tier (sums to 1 over ``TIERS``)."""
    tiers = pl.DataFrame({"market_tier": list(TIERS)})
    wl = pl.DataFrame({"workload": list(workloads)})
    target_rows = [
        {"workload": w, "market_tier": t, "target": getattr(mix, t)}
        for w, mix in params.tier_mix_target.items()
        for t in KNOWN_TIERS
    ]
    targets = pl.DataFrame(target_rows, schema={"workload": pl.String, "market_tier": pl.String, "target": pl.Float64})

    def mix(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        grouped = frame.group_by(*keys, "market_tier").agg(pl.col("facility_power_mw").sum().alias("mw"))
        return grouped.with_columns(_safe_div(pl.col("mw"), pl.col("mw").sum().over(keys)).alias("m0")).drop("mw")

    regional = mix(origin_rows, ["region", "workload"])
    overall = mix(origin_rows, ["workload"]).rename({"m0": "m0_all"})
    grid = regions.join(wl, how="cross").join(tiers, how="cross")
    has_region = regional.group_by("region", "workload").agg(pl.col("m0").is_not_null().any().alias("has_r"))
    has_all = overall.group_by("workload").agg(pl.col("m0_all").is_not_null().any().alias("has_a"))
    origin_mix = (
        grid.join(regional, on=["region", "workload", "market_tier"], how="left")
        .join(overall, on=["workload", "market_tier"], how="left")
        .join(has_region, on=["region", "workload"], how="left")
        .join(has_all, on="workload", how="left")
        .join(targets, on=["workload", "market_tier"], how="left")
        .with_columns(
            # Origin mix of the region if it has this workload, else of all regions, else the target.
            pl.when(pl.col("has_r").fill_null(False))
            .then(pl.col("m0").fill_null(0.0))
            .when(pl.col("has_a").fill_null(False))
            .then(pl.col("m0_all").fill_null(0.0))
            .when(pl.col("market_tier") == "unknown")
            .then(0.0)
            .otherwise(pl.coalesce("target", pl.lit(1.0 / len(KNOWN_TIERS))))
            .alias("m0")
        )
        .with_columns(
            pl.col("m0").filter(pl.col("market_tier") == "unknown").sum().over("region", "workload").alias("u0")
        )
        .with_columns(
            pl.when(pl.col("market_tier") == "unknown")
            .then(None)
            .otherwise(
                pl.coalesce(
                    _safe_div(pl.col("m0"), 1 - pl.col("u0")),
                    pl.col("target"),
                    pl.lit(1.0 / len(KNOWN_TIERS)),
                )
            )
            .alias("k0")
        )
        .select("region", "workload", "market_tier", "u0", "k0", pl.coalesce("target", "k0").alias("target"))
    )
    return origin_mix.join(years.select("year", "tier_progress"), how="cross").select(
        "region",
        "workload",
        "market_tier",
        "year",
        pl.when(pl.col("market_tier") == "unknown")
        .then(pl.col("u0"))
        .otherwise((1 - pl.col("u0")) * (pl.col("k0") + (pl.col("target") - pl.col("k0")) * pl.col("tier_progress")))
        .alias("tier_share"),
    )


def forecast_scenario(
    history: pl.DataFrame,
    pipeline: pl.DataFrame,
    scenario: str | ScenarioParams = "base",
    overrides: dict[str, Any] | None = None,
    end_year: int = 2030,
    scenarios: Mapping[str, ScenarioParams] | None = None,
) -> pl.DataFrame:
    """History rows (``is_history``) followed by the scenario's projection to ``end_year``.

    ``history`` is ``marts.fct_ai_demand_by_tier``; ``pipeline`` the announced capacity
    (``pipeline_from_deployments`` or ``empty_pipeline()``). Returns the contract columns of
    ``marts.fct_demand_forecast`` plus ``EXTRA_COLUMNS`` (and the history's other columns, null on
    projected rows). Projected rows cover every region x tier x workload, zeros included.
    """
    params = resolve_scenario(scenario, overrides, scenarios)
    hist = _prepare_history(history)
    if hist.height == 0:
        raise ValueError("history is empty: nothing to project from")
    origin = int(hist["year"].max())  # type: ignore[arg-type]
    hist_out = _history_rows(hist, params)
    passthrough = [c for c in hist.columns if c not in CONTRACT_COLUMNS and c not in EXTRA_COLUMNS]
    out_columns = [*CONTRACT_COLUMNS, *EXTRA_COLUMNS, *passthrough]
    if end_year <= origin:
        return hist_out.select(out_columns).sort("year", "region", "market_tier", "workload")

    present = set(hist["workload"].unique().to_list())
    workloads = [w for w in WORKLOADS if w != "mixed" or "mixed" in present]
    pipe = pipeline if pipeline.height else empty_pipeline()
    region_names = sorted(set(hist["region"].unique().to_list()) | set(pipe["region"].unique().to_list()))
    regions = pl.DataFrame({"region": region_names}, schema={"region": pl.String})
    origin_rows = hist.filter(pl.col("year") == origin)
    years = _year_drivers(params, origin, end_year)

    totals = _region_totals(origin_rows, regions, years, _pipeline_by_year(pipe, params, origin, end_year), params)
    workload_shares = _workload_shares(origin_rows, totals, workloads, params)
    tier_shares = _tier_shares(origin_rows, regions, years, workloads, params)

    load_factors = (
        pl.DataFrame(
            {"workload": list(workloads), "lf_param": [dict(params.load_factor).get(w, 0.0) for w in workloads]},
            schema={"workload": pl.String, "lf_param": pl.Float64},
        )
        .join(
            origin_rows.group_by("workload").agg(
                _safe_div(pl.col("annual_energy_mwh").sum(), pl.col("facility_power_mw").sum() * HOURS_PER_YEAR).alias(
                    "lf_hist"
                )
            ),
            on="workload",
            how="left",
        )
        .select("workload", pl.coalesce("lf_hist", "lf_param").alias("load_factor"))
    )

    schema = hist_out.schema
    projected = (
        tier_shares.join(workload_shares, on=["region", "workload", "year"], how="left")
        .join(totals, on=["region", "year"], how="left")
        .join(load_factors, on="workload", how="left")
        .with_columns(
            (pl.col("region_it") * pl.col("workload_share") * pl.col("tier_share")).alias("it_power_mw"),
        )
        .with_columns((pl.col("it_power_mw") * pl.col("pue")).alias("facility_power_mw"))
        .with_columns(
            (pl.col("facility_power_mw") * HOURS_PER_YEAR * pl.col("load_factor")).alias("annual_energy_mwh"),
            (pl.col("region_it") * pl.col("pue")).alias("region_total_facility_mw"),
        )
        .with_columns(
            (pl.col("annual_energy_mwh") / 1e6).alias("annual_energy_twh"),
            pl.lit(params.name).alias("scenario"),
            pl.lit(False).alias("is_history"),
            pl.lit(params.version).alias("scenario_version"),
            *[pl.lit(None, dtype=schema[c]).alias(c) for c in passthrough],
        )
        .select([pl.col(c).cast(schema[c]) for c in out_columns])
    )
    return pl.concat([hist_out.select(out_columns), projected]).sort("year", "region", "market_tier", "workload")


def run_all_scenarios(
    history: pl.DataFrame,
    pipeline: pl.DataFrame,
    end_year: int = 2030,
    scenarios: Mapping[str, ScenarioParams] | None = None,
) -> pl.DataFrame:
    """Every scenario of the file (or of ``scenarios``) stacked; history repeated per scenario."""
    table = scenarios if scenarios is not None else load_scenarios()
    return pl.concat([forecast_scenario(history, pipeline, params, end_year=end_year) for params in table.values()])
