"""Scenario forecast of installed AI data-center power by region, market tier, market kind and workload.

Every driver is a named parameter (``scenarios.yml``; the AI PUE, load factors, horizon and the market's
inference share are model parameters with their one home in the dbt vars, ``transforms.params``). From the
origin (the last complete history year of ``marts.fct_ai_demand_by_tier``), each year and region:

1. **The floor: what is installed and announced.** The installed base of the as-of date keeps its places
   (region x tier x kind) and is split into training and inference year by year as dbt splits it
   (``marts.fct_ai_installed_by_vintage``: training clusters repurposed after their first use, owner-type priors
   moving with the market); the realised announced pipeline (``pipeline.pipeline_arrivals``: each row's
   ``realisation_factor`` end) arrives in its own places and splits by its unit's share of each year
   (``marts.fct_ai_workload_split``). The floor of a place never falls, except where ``hardware_life_years``
   retires capacity (``retired_mw``).
2. **The total: the trend.** Installed AI IT power grows at ``accelerator_power_cagr`` (tapered by
   ``growth_taper``, scaled per region by ``region_growth_multiplier``) from the origin. The region's total is
   the highest of: the floor plus growth already added, the trend, and - after the last year the pipeline adds
   capacity in the region - last year's total grown at the trend rate. ``total_basis`` says which binds.
3. **Unannounced growth** (the total above the floor and growth already added): inference's share of it moves
   from the region's share in the installed base to the market's share (dbt var ``inference_share_target``, the
   end ``training_share_end`` picks) by the horizon; its tier mix drifts from the floor's own mix of that
   workload toward ``tier_mix_target`` (``tier_shift_strength`` of the way by ``tier_shift_target_year``), the
   unknown-tier share held; inside a tier it goes to the kinds the floor already has there (else metros in tier
   1/2, campuses for training and edge for inference in tier 3).
4. **Facility power.** The base keeps the PUE of its cell; the pipeline is facility power as stated; growth is
   IT power x a PUE moving from the AI PUE at the origin (``pue_ai_cluster``) to ``pue_new_build`` by
   ``pue_new_build_year``.
5. **The split's range.** Every workload row carries ``split_low_mw`` / ``split_high_mw``: its MW with every
   prior-based share at the low or high end of its range (dbt's for the base and pipeline, the inference target's
   range for growth), so ``split_low_mw <= facility_power_mw <= split_high_mw``.
6. **Ordered in every cell** (``run_all_scenarios``): low <= base <= high holds in every cell (year x region x
   tier x kind x workload), not only in totals: where a cell of low lies above base (or of high below it) - the
   scenarios put growth and arrivals in different years and places - the cell is brought to base's value and the
   difference shown in ``ordering_adjustment_mw``.
7. **Energy of the calendar year** = mean of the year-end MW of the year and the year before x 8,760 h x the
   workload's load factor (history uses the same mid-year convention).

Public scientific supercomputers (workload 'hpc') are carried apart: the installed base and the planned hpc
systems of the pipeline, no trend, never in the AI totals (``is_ai_demand`` false).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from transforms.forecast.pipeline import empty_pipeline, pipeline_arrivals, pipeline_by_year, prepare_pipeline
from transforms.forecast.scenarios import (
    AI_WORKLOADS,
    CONTRACT_COLUMNS,
    DEFAULT_KIND,
    EXTRA_COLUMNS,
    HISTORY_SCHEMA,
    HOURS_PER_YEAR,
    KNOWN_TIERS,
    VINTAGE_SCHEMA,
    WORKLOADS,
    ScenarioParams,
    load_scenarios,
    resolve_scenario,
)
from transforms.params import param, param_range

Cell = tuple[str, str, str, str]  # region, market_tier, market_kind, workload
KEYS = ["region", "market_tier", "market_kind", "workload"]
ORDERED = ("low", "base", "high")


def _prepare_history(history: pl.DataFrame) -> pl.DataFrame:
    frame = history
    if "market_kind" not in frame.columns:  # a history without kinds: one kind per tier
        frame = frame.with_columns(market_kind=pl.lit("unspecified"))
    missing = set(HISTORY_SCHEMA) - set(frame.columns)
    if missing:
        raise ValueError(f"history lacks columns {sorted(missing)}")
    for column in ("split_low_mw", "split_high_mw"):  # a history without a split range: its own MW
        if column not in frame.columns:
            frame = frame.with_columns(pl.col("facility_power_mw").alias(column))
    return frame.with_columns([pl.col(c).cast(t) for c, t in HISTORY_SCHEMA.items()])


def _safe_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den)


def _model_defaults(params: ScenarioParams) -> dict[str, Any]:
    low, central, high = (float(v) for v in param_range("inference_share_target"))
    # training_share_end 'low' is the inference-heavy end: the target's high end, and the reverse
    target = {"central": central, "low": high, "high": low}[params.training_share_end]
    return {
        "pue_ai_cluster": float(param("pue_ai_cluster")),
        "load_factor": {w: float(param(f"load_factor_{w}")) for w in ("training", "inference", "hpc")},
        "end_year": int(param("forecast_end_year")),
        "inference_target": (low, target, high),
    }


def _history_rows(history: pl.DataFrame, params: ScenarioParams) -> pl.DataFrame:
    ai = pl.col("workload").is_in(list(AI_WORKLOADS))
    return history.with_columns(
        pl.lit(params.name).alias("scenario"),
        (pl.col("annual_energy_mwh") / 1e6).alias("annual_energy_twh"),
        pl.lit(True).alias("is_history"),
        ai.alias("is_ai_demand"),
        _safe_div(pl.col("facility_power_mw"), pl.col("it_power_mw")).alias("pue"),
        pl.col("facility_power_mw").alias("installed_base_mw"),
        pl.lit(0.0).alias("pipeline_mw"),
        pl.lit(0.0).alias("growth_mw"),
        pl.lit(0.0).alias("retired_mw"),
        pl.lit(0.0).alias("ordering_adjustment_mw"),
        pl.col("facility_power_mw").filter(ai).sort().sum().over("year", "region").alias("region_total_facility_mw"),
        _safe_div(
            pl.col("facility_power_mw").filter(pl.col("workload") == "inference").sort().sum().over("year", "region"),
            pl.col("facility_power_mw").filter(ai).sort().sum().over("year", "region"),
        ).alias("inference_share"),
        pl.lit("history").alias("total_basis"),
        pl.lit(params.version).alias("scenario_version"),
    )


def _progress(year: int, origin: int, target_year: int) -> float:
    return min(max((year - origin) / max(target_year - origin, 1), 0.0), 1.0)


def _growth_weights(
    floor: Mapping[Cell, float],
    cells: list[Cell],
    region: str,
    workload: str,
    target: Mapping[str, float] | None,
    shift: float,
) -> dict[Cell, float]:
    """Where one region's unannounced growth of one workload goes: weights over its cells (sum 1)."""

    def mix(keep: Any) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = defaultdict(float)
        for (r, t, k, w), mw in floor.items():
            if mw > 0 and keep(r, w):
                out[(t, k)] += mw
        return out

    own = mix(lambda r, w: r == region and w == workload)
    if not own:
        own = mix(lambda r, w: w == workload)
    if not own:
        own = mix(lambda r, w: r == region and w in AI_WORKLOADS)
    total = sum(own.values())
    unknown = {tk: mw for tk, mw in own.items() if tk[0] not in KNOWN_TIERS}
    known_total = total - sum(unknown.values())
    u = sum(unknown.values()) / total if total > 0 else 0.0
    tier_now = {
        t: (sum(mw for (tt, _), mw in own.items() if tt == t) / known_total if known_total > 0 else None)
        for t in KNOWN_TIERS
    }
    weights: dict[Cell, float] = {}
    for tier in KNOWN_TIERS:
        start = tier_now[tier]
        goal = target.get(tier) if target else None
        if start is None:
            share = goal if goal is not None else 1.0 / len(KNOWN_TIERS)
        elif goal is None:
            share = start
        else:
            share = start + (goal - start) * shift
        if share <= 0:
            continue
        kinds = {k: mw for (t, k), mw in own.items() if t == tier}
        if not kinds:
            grid_kinds = sorted(c[2] for c in cells if c[0] == region and c[1] == tier and c[3] == workload)
            if not grid_kinds:
                continue
            default = DEFAULT_KIND.get((workload, tier), "metro")
            kinds = {default if default in grid_kinds else grid_kinds[0]: 1.0}
        kind_total = sum(kinds.values())
        for kind, mw in kinds.items():
            weights[(region, tier, kind, workload)] = (1 - u) * share * mw / kind_total
    for (tier, kind), mw in unknown.items():
        weights[(region, tier, kind, workload)] = u * mw / sum(unknown.values())
    norm = sum(weights.values())
    if norm <= 0:
        return {}
    return {c: w / norm for c, w in weights.items()}


@dataclass
class Projection:
    """One scenario's history rows, its raw projected rows (before energy and region totals) and the origin's
    year-end MW per cell (the energy of the first projected year needs it)."""

    params: ScenarioParams
    history: pl.DataFrame
    projected: pl.DataFrame
    origin_rows: pl.DataFrame


_ROW_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "region": pl.String(),
    "market_tier": pl.String(),
    "market_kind": pl.String(),
    "workload": pl.String(),
    **dict.fromkeys(
        (
            "facility_power_mw",
            "it_power_mw",
            "installed_base_mw",
            "pipeline_mw",
            "growth_mw",
            "retired_mw",
            "ordering_adjustment_mw",
            "split_low_mw",
            "split_high_mw",
        ),
        pl.Float64(),
    ),
    "total_basis": pl.String(),
}


def _base_by_year(
    base_rows: pl.DataFrame,
    base_vintages: pl.DataFrame | None,
    params: ScenarioParams,
    origin: int,
    years: list[int],
) -> dict[tuple[Cell, int], tuple[float, float, float, float]]:
    """The installed base per cell and projected year: (MW, split low, split high, retired MW). From the vintage
    table's rows of each year where given (dbt's split of that year), else the snapshot held, as built at the
    origin."""
    life = params.hardware_life_years
    if base_vintages is not None and base_vintages.height:
        frame = base_vintages.select([pl.col(c).cast(t) for c, t in VINTAGE_SCHEMA.items()]).filter(
            pl.col("year").is_in(years)
        )
    else:
        frame = (
            base_rows.select(*KEYS, "facility_power_mw", "split_low_mw", "split_high_mw")
            .join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
            .with_columns(pl.lit(origin, pl.Int32).alias("vintage"))
        )
    end = params.training_share_end
    training, inference = pl.col("workload") == "training", pl.col("workload") == "inference"
    low_end = pl.when(training).then("split_low_mw").when(inference).then("split_high_mw")
    high_end = pl.when(training).then("split_high_mw").when(inference).then("split_low_mw")
    mw = {
        "central": pl.col("facility_power_mw"),
        "low": low_end.otherwise("facility_power_mw"),
        "high": high_end.otherwise("facility_power_mw"),
    }[end]
    alive = pl.lit(True) if life is None else pl.col("vintage") > pl.col("year") - life
    summed = (
        frame.with_columns(mw.alias("mw"), alive.alias("alive"))
        .group_by(*KEYS, "year")
        .agg(
            pl.col("mw").filter("alive").sort().sum(),
            pl.col("split_low_mw").filter("alive").sort().sum(),
            pl.col("split_high_mw").filter("alive").sort().sum(),
            pl.col("mw").filter(~pl.col("alive")).sort().sum().alias("retired"),
        )
    )
    return {
        (tuple(r[:4]), int(r[4])): (float(r[5]), float(r[6]), float(r[7]), float(r[8]))  # type: ignore[misc]
        for r in summed.iter_rows()
    }


def project_scenario(
    history: pl.DataFrame,
    pipeline: pl.DataFrame | None,
    params: ScenarioParams,
    end_year: int | None = None,
    base_vintages: pl.DataFrame | None = None,
    unit_split: pl.DataFrame | None = None,
) -> Projection:
    """The scenario's projection before energy and region totals (``finish`` adds them)."""
    model = _model_defaults(params)
    end = end_year if end_year is not None else model["end_year"]
    # sorted so every sum adds in the same order: the same input gives the same output, to the last bit
    prepared = _prepare_history(history).sort("year", "region", "market_tier", "market_kind", "workload")
    complete = pl.col("is_year_end") if "is_year_end" in prepared.columns else pl.lit(True)
    hist = prepared.filter(complete)
    snapshot = prepared.filter(~complete)
    if hist.height == 0:
        raise ValueError("history is empty: nothing to project from")
    origin = int(hist["year"].max())  # type: ignore[arg-type]
    hist_out = _history_rows(hist, params)
    origin_rows = hist.filter(pl.col("year") == origin)
    if end <= origin:
        return Projection(params, hist_out, pl.DataFrame(schema=_ROW_SCHEMA), origin_rows)

    pue_ai = model["pue_ai_cluster"]
    # the installed base: the as-of snapshot where the history has one, else the origin's year end
    base_rows = snapshot if snapshot.height else origin_rows
    years = list(range(origin + 1, end + 1))
    arrivals = pipeline_arrivals(pipeline if pipeline is not None else empty_pipeline(), params, origin, end)
    pipe_frame = pipeline_by_year(arrivals, unit_split, params, years)
    base_map = _base_by_year(base_rows, base_vintages, params, origin, years)
    # the grid does not depend on the scenario: every place of the history, the base and the whole pipeline
    planned = prepare_pipeline(pipeline if pipeline is not None else empty_pipeline()).filter(pl.col("pipeline_mw") > 0)
    seen = (
        {tuple(r) for r in prepared.select(KEYS).unique().iter_rows()}
        | {(*r, "hpc") for r in planned.select("region", "market_tier", "market_kind").unique().iter_rows()}
        | {tuple(r) for r in pipe_frame.select(KEYS).unique().iter_rows()}
        | {c for c, _ in base_map}
    )
    # Every place of the grid has a row for every workload (and can receive either AI workload's growth).
    cells: list[Cell] = sorted({(*c[:3], w) for c in seen for w in WORKLOADS})  # type: ignore[misc]
    regions = sorted({c[0] for c in cells})

    fac0 = {tuple(r[:4]): r[4] for r in base_rows.select(*KEYS, "facility_power_mw").iter_rows()}
    pue0 = {
        tuple(r[:4]): (r[5] / r[4] if r[4] and r[4] > 0 and r[5] else pue_ai)
        for r in base_rows.select(*KEYS, "it_power_mw", "facility_power_mw").iter_rows()
    }
    fac_origin = {tuple(r[:4]): r[4] for r in origin_rows.select(*KEYS, "facility_power_mw").iter_rows()}
    pipe: dict[tuple[Cell, int], tuple[float, float, float, float]] = {
        (tuple(r[:4]), int(r[4])): (float(r[5]), float(r[6]), float(r[7]), float(r[8]))  # type: ignore[misc]
        for r in pipe_frame.iter_rows()
    }
    zero = (0.0, 0.0, 0.0, 0.0)
    life = params.hardware_life_years

    def alive(vintage: int, year: int) -> bool:
        return life is None or vintage > year - life

    def pue_new(year: int) -> float:
        return pue_ai + (params.pue_new_build - pue_ai) * _progress(year, origin, params.pue_new_build_year)

    multiplier = {r: params.region_growth_multiplier.get(r, 1.0) for r in regions}
    growth_rate = {y: params.accelerator_power_cagr * (1.0 - params.growth_taper) ** k for k, y in enumerate(years)}
    # the trend grows from the origin's year end (the last complete year)
    it0 = {
        r: sum((fac_origin.get(c) or 0.0) / pue0.get(c, pue_ai) for c in cells if c[0] == r and c[3] in AI_WORKLOADS)
        for r in regions
    }
    inf_low, inf_target, inf_high = model["inference_target"]

    def inference_of(fac: Mapping[Cell, Any], region: str | None) -> float | None:
        tr = sum(mw or 0.0 for c, mw in fac.items() if c[3] == "training" and region in (None, c[0]))
        inf = sum(mw or 0.0 for c, mw in fac.items() if c[3] == "inference" and region in (None, c[0]))
        return inf / (tr + inf) if tr + inf > 0 else None

    inf0_all = inference_of(fac0, None)
    inf0_region = {r: inference_of(fac0, r) for r in regions}
    # the last year the pipeline adds AI capacity in each region
    last_arrival = dict(
        arrivals.filter(pl.col("is_ai_demand") & (pl.col("mw") > 0))
        .group_by("region")
        .agg(pl.col("arrival_year").max())
        .iter_rows()
    )
    horizon = {r: last_arrival.get(r) for r in regions}
    targets = {w: params.tier_mix_target[w].model_dump() for w in params.tier_mix_target}

    # cell -> year -> (facility, it, facility at the split's low end, at its high end)
    growth: dict[Cell, dict[int, tuple[float, float, float, float]]] = defaultdict(dict)
    trend_index = dict.fromkeys(regions, 1.0)
    total_prev = dict(it0)
    rows: list[dict[str, Any]] = []
    for year in years:
        base_t = {c: base_map.get((c, year), zero) for c in cells}
        pipe_t = {c: pipe.get((c, year), zero) for c in cells}
        earlier = {c: [(y, g) for y, g in growth.get(c, {}).items() if y < year and alive(y, year)] for c in cells}
        floor = {c: base_t[c][0] + pipe_t[c][0] for c in cells}
        basis: dict[str, str] = {}
        shift = _progress(year, origin, params.tier_shift_target_year) * params.tier_shift_strength
        progress = _progress(year, origin, model["end_year"])
        for r in regions:
            trend_index[r] *= 1.0 + growth_rate[year] * multiplier[r]
            ai_cells = [c for c in cells if c[0] == r and c[3] in AI_WORKLOADS]
            floor_it = sum(
                base_t[c][0] / pue0.get(c, pue_ai) + pipe_t[c][0] / pue_ai + sum(g[1] for _, g in earlier[c])
                for c in ai_cells
            )
            candidates = {"pipeline_floor": floor_it, "trend": it0[r] * trend_index[r]}
            if horizon[r] is not None and year > horizon[r]:
                candidates["trend_after_pipeline"] = total_prev[r] * (1.0 + growth_rate[year] * multiplier[r])
            basis[r] = max(candidates, key=lambda k: candidates[k])
            total_it = candidates[basis[r]]
            new_it = max(total_it - floor_it, 0.0)
            total_prev[r] = floor_it + new_it
            if new_it <= 0:
                continue
            start = inf0_region[r] if inf0_region[r] is not None else inf0_all
            start = start if start is not None else inf_target
            shares = {t: start + (t - start) * progress for t in (inf_low, inf_target, inf_high)}
            inf_c, inf_lo, inf_hi = shares[inf_target], shares[inf_low], shares[inf_high]
            for workload, share, lo, hi in (
                ("training", 1 - inf_c, 1 - inf_hi, 1 - inf_lo),
                ("inference", inf_c, inf_lo, inf_hi),
            ):
                if share <= 0:
                    continue
                weights = _growth_weights(floor, cells, r, workload, targets.get(workload), shift)
                for cell, w in weights.items():
                    it = new_it * share * w
                    fac = it * pue_new(year)
                    growth[cell][year] = (fac, it, fac * lo / share, fac * hi / share)
        for c in cells:
            added = growth.get(c, {}).get(year)
            grown = earlier[c] + ([(year, added)] if added else [])
            g_fac = sum(g[0] for _, g in grown)
            g_it = sum(g[1] for _, g in grown)
            retired = (
                base_t[c][3]
                + pipe_t[c][3]
                + sum(g[0] for y, g in growth.get(c, {}).items() if y < year and not alive(y, year))
            )
            fac = base_t[c][0] + pipe_t[c][0] + g_fac
            rows.append(
                {
                    "year": year,
                    "region": c[0],
                    "market_tier": c[1],
                    "market_kind": c[2],
                    "workload": c[3],
                    "facility_power_mw": fac,
                    "it_power_mw": base_t[c][0] / pue0.get(c, pue_ai) + pipe_t[c][0] / pue_ai + g_it,
                    "installed_base_mw": base_t[c][0],
                    "pipeline_mw": pipe_t[c][0],
                    "growth_mw": g_fac,
                    "retired_mw": retired,
                    "ordering_adjustment_mw": 0.0,
                    "split_low_mw": min(base_t[c][1] + pipe_t[c][1] + sum(g[2] for _, g in grown), fac),
                    "split_high_mw": max(base_t[c][2] + pipe_t[c][2] + sum(g[3] for _, g in grown), fac),
                    "total_basis": basis.get(c[0], "trend") if c[3] in AI_WORKLOADS else "installed_and_pipeline",
                }
            )
    return Projection(params, hist_out, pl.DataFrame(rows, schema=_ROW_SCHEMA), origin_rows)


def order_cells(projections: Mapping[str, Projection]) -> None:
    """low <= base <= high in every projected cell: a cell of low above base (or of high below base) is brought
    to base's MW, the difference in ``ordering_adjustment_mw`` (IT power and the split range move with it)."""
    if not all(name in projections for name in ORDERED):
        return
    cell_keys = ["year", *KEYS]
    base = projections["base"].projected.select(
        *cell_keys, pl.col("facility_power_mw").alias("base_mw"), pl.col("it_power_mw").alias("base_it_mw")
    )
    for name, clamp in (("low", pl.min_horizontal), ("high", pl.max_horizontal)):
        frame = projections[name].projected.join(base, on=cell_keys, how="left")
        target = clamp(pl.col("facility_power_mw"), pl.col("base_mw").fill_null(pl.col("facility_power_mw")))
        fac = pl.col("facility_power_mw")
        projections[name].projected = (
            frame.with_columns((target - fac).alias("delta"), target.alias("target"))
            .with_columns(
                # IT power scales with facility power (the cell's PUE kept); a cell raised from nothing takes base's
                pl.when(pl.col("delta") == 0)
                .then(pl.col("it_power_mw"))
                .when(fac > 0)
                .then(pl.col("it_power_mw") * pl.col("target") / fac)
                .otherwise(pl.col("base_it_mw"))
                .alias("it_power_mw"),
                pl.col("target").alias("facility_power_mw"),
                (pl.col("ordering_adjustment_mw") + pl.col("delta")).alias("ordering_adjustment_mw"),
                (pl.col("split_low_mw") + pl.col("delta")).clip(lower_bound=0.0).alias("split_low_mw"),
                (pl.col("split_high_mw") + pl.col("delta")).alias("split_high_mw"),
            )
            .select(list(_ROW_SCHEMA))
        )


def finish(projection: Projection) -> pl.DataFrame:
    """History rows then projected rows with energy, PUE, region totals and the inference share."""
    params, hist_out = projection.params, projection.history
    out_columns = [*CONTRACT_COLUMNS, *EXTRA_COLUMNS]
    if projection.projected.height == 0:
        return hist_out.select(out_columns).sort("year", "region", "market_tier", "market_kind", "workload")
    load = {w: float(param(f"load_factor_{w}")) for w in ("training", "inference", "hpc")}
    lf = pl.DataFrame(
        {"workload": list(load), "load_factor": list(load.values())},
        schema={"workload": pl.String, "load_factor": pl.Float64},
    )
    previous = projection.origin_rows.select(*KEYS, pl.col("facility_power_mw").alias("fac_prev_origin"))
    ai = pl.col("workload").is_in(list(AI_WORKLOADS))
    schema = hist_out.schema
    projected = (
        projection.projected.sort(*KEYS, "year")
        .join(previous, on=KEYS, how="left")
        .join(lf, on="workload", how="left")
        .with_columns(
            pl.coalesce(
                pl.col("facility_power_mw").shift(1).over(KEYS),
                pl.col("fac_prev_origin"),
                pl.lit(0.0),
            ).alias("fac_prev")
        )
        .with_columns(
            ((pl.col("fac_prev") + pl.col("facility_power_mw")) / 2 * HOURS_PER_YEAR * pl.col("load_factor")).alias(
                "annual_energy_mwh"
            ),
            _safe_div(pl.col("facility_power_mw"), pl.col("it_power_mw")).alias("pue"),
            ai.alias("is_ai_demand"),
        )
        .with_columns(
            (pl.col("annual_energy_mwh") / 1e6).alias("annual_energy_twh"),
            pl.col("facility_power_mw")
            .filter(ai)
            .sort()
            .sum()
            .over("year", "region")
            .alias("region_total_facility_mw"),
            _safe_div(
                pl.col("facility_power_mw")
                .filter(pl.col("workload") == "inference")
                .sort()
                .sum()
                .over("year", "region"),
                pl.col("facility_power_mw").filter(ai).sort().sum().over("year", "region"),
            ).alias("inference_share"),
            pl.lit(params.name).alias("scenario"),
            pl.lit(False).alias("is_history"),
            pl.lit(params.version).alias("scenario_version"),
        )
        .select([pl.col(c).cast(schema[c]) for c in out_columns])
    )
    return pl.concat([hist_out.select(out_columns), projected]).sort(
        "year", "region", "market_tier", "market_kind", "workload"
    )


def forecast_scenario(
    history: pl.DataFrame,
    pipeline: pl.DataFrame | None = None,
    scenario: str | ScenarioParams = "base",
    overrides: dict[str, Any] | None = None,
    end_year: int | None = None,
    scenarios: Mapping[str, ScenarioParams] | None = None,
    base_vintages: pl.DataFrame | None = None,
    unit_split: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """History rows (``is_history``) followed by the scenario's projection to ``end_year``.

    ``history`` is ``marts.fct_ai_demand_by_tier``; ``pipeline`` is ``marts.fct_ai_pipeline`` (or
    ``empty_pipeline()``); ``base_vintages`` the installed base of the as-of date by vintage in every later year
    with that year's split (``marts.fct_ai_installed_by_vintage``; without it the base is held as the snapshot
    splits it, built in the origin year); ``unit_split`` each unit's training share by year
    (``marts.fct_ai_workload_split``; without it a pipeline row keeps its own constant share). Where the history
    ends with a partial year (``is_year_end`` false), the origin is the last complete year and the installed base
    every projected year starts from is that snapshot. Returns the contract columns of ``marts.fct_demand_forecast``
    plus ``EXTRA_COLUMNS``; projected rows cover every region x (tier, kind) x workload of the history grid (and
    any cell the pipeline adds), zeros included. One scenario alone is not ordered against others: see
    ``run_all_scenarios``.
    """
    params = resolve_scenario(scenario, overrides, scenarios)
    return finish(project_scenario(history, pipeline, params, end_year, base_vintages, unit_split))


def run_all_scenarios(
    history: pl.DataFrame,
    pipeline: pl.DataFrame | None = None,
    end_year: int | None = None,
    scenarios: Mapping[str, ScenarioParams] | None = None,
    base_vintages: pl.DataFrame | None = None,
    unit_split: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every scenario of the file (or of ``scenarios``) stacked, low <= base <= high in every cell; history
    repeated per scenario."""
    table = scenarios if scenarios is not None else load_scenarios()
    projections = {
        name: project_scenario(history, pipeline, params, end_year, base_vintages, unit_split)
        for name, params in table.items()
    }
    order_cells(projections)
    return pl.concat([finish(p) for p in projections.values()])
