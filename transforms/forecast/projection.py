"""Scenario forecast of installed AI data-center power by region, market tier, market kind and workload.

Every driver is a named parameter (``scenarios.yml``; the AI PUE, load factors and horizon are
model parameters with their one home in the dbt vars, ``transforms.params``). From the origin (the
last history year of ``marts.fct_ai_demand_by_tier``), each year and region:

1. **The floor: what is installed and announced.** The installed base keeps its own cells (region x
   tier x kind x workload); the realised announced pipeline (``pipeline.pipeline_arrivals``) arrives
   in its own cells, split into training and inference by each row's training share. The floor
   never falls, except where ``hardware_life_years`` retires capacity (``retired_mw``).
2. **The total: the trend.** Installed AI IT power grows at ``accelerator_power_cagr`` (tapered by
   ``growth_taper``, scaled per region by ``region_growth_multiplier``) from the origin. The region's
   total is the highest of: the floor plus growth already added, the trend, and - after the last
   year the pipeline adds capacity in the region - last year's total grown at the trend rate (what
   is not announced yet will come too). ``total_basis`` says which binds.
3. **Unannounced growth** (the total above the floor and growth already added) is the only part the
   mix drivers act on: inference's share of it moves from the region's origin share to
   ``inference_share_target`` by ``inference_share_target_year``; its tier mix drifts from the
   floor's own mix of that workload toward ``tier_mix_target`` (``tier_shift_strength`` of the way
   by ``tier_shift_target_year``), the unknown-tier share held; inside a tier it goes to the kinds the
   floor already has there (else metros in tier 1/2, campuses for training and edge for inference in
   tier 3). Each year's growth is added to what came before, so no cell ever falls.
4. **Facility power.** The base keeps the PUE of its history cell; the pipeline is facility power
   as stated; growth is IT power x a PUE moving from the AI PUE at the origin (``pue_ai_cluster``) to
   ``pue_new_build`` by ``pue_new_build_year`` (one PUE path for AI sites; LBNL's fleet-wide
   improvement is not applied on top).
5. **Energy of the calendar year** = mean of the year-end MW of the year and the year before x 8,760 h
   x the workload's load factor (history uses the same mid-year convention).

Public scientific supercomputers (workload 'hpc') are carried apart: the installed base and the
planned hpc systems of the pipeline, no trend, never in the AI totals (``is_ai_demand`` false).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import polars as pl

from transforms.forecast.pipeline import empty_pipeline, pipeline_arrivals
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
from transforms.params import param

Cell = tuple[str, str, str, str]  # region, market_tier, market_kind, workload


def _prepare_history(history: pl.DataFrame) -> pl.DataFrame:
    frame = history
    if "market_kind" not in frame.columns:  # a history without kinds: one kind per tier
        frame = frame.with_columns(market_kind=pl.lit("unspecified"))
    missing = set(HISTORY_SCHEMA) - set(frame.columns)
    if missing:
        raise ValueError(f"history lacks columns {sorted(missing)}")
    return frame.with_columns([pl.col(c).cast(t) for c, t in HISTORY_SCHEMA.items()])


def _safe_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den)


def _model_defaults() -> dict[str, Any]:
    return {
        "pue_ai_cluster": float(param("pue_ai_cluster")),
        "load_factor": {w: float(param(f"load_factor_{w}")) for w in ("training", "inference", "hpc")},
        "end_year": int(param("forecast_end_year")),
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


def forecast_scenario(
    history: pl.DataFrame,
    pipeline: pl.DataFrame | None = None,
    scenario: str | ScenarioParams = "base",
    overrides: dict[str, Any] | None = None,
    end_year: int | None = None,
    scenarios: Mapping[str, ScenarioParams] | None = None,
    base_vintages: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """History rows (``is_history``) followed by the scenario's projection to ``end_year``.

    ``history`` is ``marts.fct_ai_demand_by_tier``; ``pipeline`` is ``marts.fct_ai_pipeline`` (or
    ``empty_pipeline()``); ``base_vintages`` the installed base by the year it came online (only
    needed to retire it; without it the base is taken as built in the origin year). Where the
    history ends with a partial year (``is_year_end`` false: installed as of the history's as-of date),
    the origin is the last complete year and the installed base every projected year starts from is
    that snapshot: what is already built by the as-of date is installed, not forecast. Returns the
    contract columns of ``marts.fct_demand_forecast`` plus ``EXTRA_COLUMNS``; projected rows cover
    every region x (tier, kind) x workload of the history grid (and any cell the pipeline adds),
    zeros included.
    """
    params = resolve_scenario(scenario, overrides, scenarios)
    model = _model_defaults()
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
    out_columns = [*CONTRACT_COLUMNS, *EXTRA_COLUMNS]
    if end <= origin:
        return hist_out.select(out_columns).sort("year", "region", "market_tier", "market_kind", "workload")

    pue_ai = model["pue_ai_cluster"]
    keys = ["region", "market_tier", "market_kind", "workload"]
    origin_rows = hist.filter(pl.col("year") == origin)
    # the installed base: the as-of snapshot where the history has one, else the origin's year end
    base_rows = snapshot if snapshot.height else origin_rows
    arrivals = pipeline_arrivals(pipeline if pipeline is not None else empty_pipeline(), params, origin, end)
    seen = {tuple(r) for r in prepared.select(keys).unique().iter_rows()} | {
        tuple(r) for r in arrivals.select(keys).unique().iter_rows()
    }
    # Every place of the grid has a row for every workload (and can receive either AI workload's growth).
    cells: list[Cell] = sorted({(*c[:3], w) for c in seen for w in WORKLOADS})  # type: ignore[misc]
    regions = sorted({c[0] for c in cells})

    fac0 = {tuple(r[:4]): r[4] for r in base_rows.select(*keys, "facility_power_mw").iter_rows()}
    pue0 = {
        tuple(r[:4]): (r[5] / r[4] if r[4] and r[4] > 0 and r[5] else pue_ai)
        for r in base_rows.select(*keys, "it_power_mw", "facility_power_mw").iter_rows()
    }
    fac_origin = {tuple(r[:4]): r[4] for r in origin_rows.select(*keys, "facility_power_mw").iter_rows()}
    # Installed base by vintage, scaled so each cell's vintages add up to its origin MW.
    vintages: dict[Cell, dict[int, float]] = defaultdict(dict)
    if base_vintages is not None and base_vintages.height:
        bv = base_vintages.select([pl.col(c).cast(t) for c, t in VINTAGE_SCHEMA.items()])
        summed = bv.group_by(*keys, "vintage").agg(pl.col("facility_power_mw").sort().sum())
        for r in summed.sort(*keys, "vintage").iter_rows():
            vintages[tuple(r[:4])][int(r[4])] = float(r[5] or 0.0)  # type: ignore[index]
    for cell, mw in fac0.items():
        mw = float(mw or 0.0)
        given = sum(vintages.get(cell, {}).values())
        if given > 0:
            vintages[cell] = {v: m * mw / given for v, m in vintages[cell].items()}
        else:
            vintages[cell] = {origin: mw}
    arrive: dict[Cell, dict[int, float]] = defaultdict(dict)
    for r in arrivals.iter_rows():
        arrive[tuple(r[:4])][int(r[4])] = float(r[5])  # type: ignore[index]

    life = params.hardware_life_years
    years = list(range(origin + 1, end + 1))

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
    inf0_region = {}
    for r in regions:
        tr = sum(fac0.get((r, *c[1:3], "training"), 0.0) or 0.0 for c in cells if c[0] == r and c[3] == "training")
        inf = sum(fac0.get((r, *c[1:3], "inference"), 0.0) or 0.0 for c in cells if c[0] == r and c[3] == "inference")
        inf0_region[r] = inf / (tr + inf) if tr + inf > 0 else None
    all_tr = sum(mw or 0.0 for c, mw in fac0.items() if c[3] == "training")
    all_inf = sum(mw or 0.0 for c, mw in fac0.items() if c[3] == "inference")
    inf0_all = all_inf / (all_tr + all_inf) if all_tr + all_inf > 0 else params.inference_share_target
    horizon = {
        r: max(
            (y for c, by in arrive.items() if c[0] == r and c[3] in AI_WORKLOADS for y, mw in by.items() if mw > 0),
            default=None,
        )
        for r in regions
    }
    targets = {w: params.tier_mix_target[w].model_dump() for w in params.tier_mix_target}

    growth: dict[Cell, dict[int, tuple[float, float]]] = defaultdict(dict)  # cell -> year -> (facility, it)
    trend_index = dict.fromkeys(regions, 1.0)
    total_prev = dict(it0)
    rows: list[dict[str, Any]] = []
    for year in years:
        base_t = {c: sum(mw for v, mw in vintages.get(c, {}).items() if alive(v, year)) for c in cells}
        pipe_t = {c: sum(mw for y, mw in arrive.get(c, {}).items() if y <= year and alive(y, year)) for c in cells}
        grown_t = {c: sum(f for y, (f, _) in growth.get(c, {}).items() if y < year and alive(y, year)) for c in cells}
        grown_it = {c: sum(i for y, (_, i) in growth.get(c, {}).items() if y < year and alive(y, year)) for c in cells}
        floor = {c: base_t[c] + pipe_t[c] for c in cells}
        basis: dict[str, str] = {}
        shift = _progress(year, origin, params.tier_shift_target_year) * params.tier_shift_strength
        for r in regions:
            trend_index[r] *= 1.0 + growth_rate[year] * multiplier[r]
            ai_cells = [c for c in cells if c[0] == r and c[3] in AI_WORKLOADS]
            floor_it = sum(base_t[c] / pue0.get(c, pue_ai) + pipe_t[c] / pue_ai + grown_it[c] for c in ai_cells)
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
            inf_share = start + (params.inference_share_target - start) * _progress(
                year, origin, params.inference_share_target_year
            )
            for workload, share in (("training", 1 - inf_share), ("inference", inf_share)):
                if share <= 0:
                    continue
                weights = _growth_weights(floor, cells, r, workload, targets.get(workload), shift)
                for cell, w in weights.items():
                    it = new_it * share * w
                    growth[cell][year] = (it * pue_new(year), it)
        for c in cells:
            g_fac = grown_t[c] + growth.get(c, {}).get(year, (0.0, 0.0))[0]
            g_it = grown_it[c] + growth.get(c, {}).get(year, (0.0, 0.0))[1]
            retired = (
                sum(mw for v, mw in vintages.get(c, {}).items() if not alive(v, year))
                + sum(mw for y, mw in arrive.get(c, {}).items() if y <= year and not alive(y, year))
                + sum(f for y, (f, _) in growth.get(c, {}).items() if y < year and not alive(y, year))
            )
            fac = base_t[c] + pipe_t[c] + g_fac
            it = base_t[c] / pue0.get(c, pue_ai) + pipe_t[c] / pue_ai + g_it
            rows.append(
                {
                    "year": year,
                    "region": c[0],
                    "market_tier": c[1],
                    "market_kind": c[2],
                    "workload": c[3],
                    "facility_power_mw": fac,
                    "it_power_mw": it,
                    "installed_base_mw": base_t[c],
                    "pipeline_mw": pipe_t[c],
                    "growth_mw": g_fac,
                    "retired_mw": retired,
                    "total_basis": basis.get(c[0], "trend") if c[3] in AI_WORKLOADS else "installed_and_pipeline",
                }
            )

    schema = hist_out.schema
    lf = pl.DataFrame(
        {"workload": list(model["load_factor"]), "load_factor": list(model["load_factor"].values())},
        schema={"workload": pl.String, "load_factor": pl.Float64},
    )
    previous = origin_rows.select(*keys, pl.col("facility_power_mw").alias("fac_prev_origin"))
    ai = pl.col("workload").is_in(list(AI_WORKLOADS))
    row_schema = {
        "year": pl.Int32,
        "region": pl.String,
        "market_tier": pl.String,
        "market_kind": pl.String,
        "workload": pl.String,
        **dict.fromkeys(
            ("facility_power_mw", "it_power_mw", "installed_base_mw", "pipeline_mw", "growth_mw", "retired_mw"),
            pl.Float64,
        ),
        "total_basis": pl.String,
    }
    projected = (
        pl.DataFrame(rows, schema=row_schema)
        .sort(*keys, "year")
        .join(previous, on=keys, how="left")
        .join(lf, on="workload", how="left")
        .with_columns(
            pl.coalesce(
                pl.col("facility_power_mw").shift(1).over(keys),
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


def run_all_scenarios(
    history: pl.DataFrame,
    pipeline: pl.DataFrame | None = None,
    end_year: int | None = None,
    scenarios: Mapping[str, ScenarioParams] | None = None,
    base_vintages: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every scenario of the file (or of ``scenarios``) stacked; history repeated per scenario."""
    table = scenarios if scenarios is not None else load_scenarios()
    return pl.concat(
        [
            forecast_scenario(history, pipeline, params, end_year=end_year, base_vintages=base_vintages)
            for params in table.values()
        ]
    )
