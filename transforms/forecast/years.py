"""One scenario's projected years, cell by cell (``projection.project_scenario`` runs them): the installed base and
the realised pipeline by cell and year (the floor), each region's total from the trend, and the growth above the
floor split by workload, tier and kind. The rules are in ``projection``'s docstring."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from transforms.forecast.pipeline import empty_pipeline, pipeline_arrivals, pipeline_by_year, prepare_pipeline
from transforms.forecast.scenarios import DEFAULT_KIND, VINTAGE_SCHEMA, ScenarioParams
from transforms.vocabulary import AI_WORKLOADS, KNOWN_TIERS, WORKLOADS

Cell = tuple[str, str, str, str]  # region, market_tier, market_kind, workload
KEYS = ["region", "market_tier", "market_kind", "workload"]


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


# (facility MW, IT MW or the split's low end, ..., retired MW): the 4-tuples the projection carries per cell and year
_Mw = tuple[float, float, float, float]
_ZERO: _Mw = (0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class _Setup:
    """What every year of one scenario's projection is computed from."""

    params: ScenarioParams
    origin: int
    end_year: int  # the model's horizon (inference share and its progress run to it)
    years: list[int]
    cells: list[Cell]
    regions: list[str]
    base_map: Mapping[tuple[Cell, int], _Mw]  # base (facility, split low, split high, retired) by cell and year
    pipe: Mapping[tuple[Cell, int], _Mw]  # pipeline, the same
    pue_ai: float
    pue0: Mapping[Cell, float]  # each base cell's own PUE
    it0: Mapping[str, float]  # each region's AI IT power at the origin's year end: where the trend starts
    multiplier: Mapping[str, float]
    growth_rate: Mapping[int, float]
    inference_start: Mapping[str, float]  # each region's inference share in the base (else the world's, the target)
    inference_target: tuple[float, float, float]  # (low, central, high) of the market's share at the horizon
    last_arrival: Mapping[str, int | None]  # the last year the pipeline adds AI capacity in each region
    targets: Mapping[str, dict[str, float]]  # tier_mix_target by workload

    def alive(self, vintage: int, year: int) -> bool:
        life = self.params.hardware_life_years
        return life is None or vintage > year - life

    def pue_new(self, year: int) -> float:
        progress = _progress(year, self.origin, self.params.pue_new_build_year)
        return self.pue_ai + (self.params.pue_new_build - self.pue_ai) * progress


def _setup(
    prepared: pl.DataFrame,
    base_rows: pl.DataFrame,
    origin_rows: pl.DataFrame,
    pipeline: pl.DataFrame | None,
    params: ScenarioParams,
    model: dict[str, Any],
    origin: int,
    end: int,
    base_vintages: pl.DataFrame | None,
    unit_split: pl.DataFrame | None,
) -> _Setup:
    """The grid of cells, the base and pipeline by cell and year, and the trend's and the split's starting points."""
    pue_ai = model["pue_ai_cluster"]
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
    pipe: dict[tuple[Cell, int], _Mw] = {
        (tuple(r[:4]), int(r[4])): (float(r[5]), float(r[6]), float(r[7]), float(r[8]))  # type: ignore[misc]
        for r in pipe_frame.iter_rows()
    }
    # the trend grows from the origin's year end (the last complete year)
    it0 = {
        r: sum((fac_origin.get(c) or 0.0) / pue0.get(c, pue_ai) for c in cells if c[0] == r and c[3] in AI_WORKLOADS)
        for r in regions
    }

    def inference_of(fac: Mapping[Cell, Any], region: str | None) -> float | None:
        tr = sum(mw or 0.0 for c, mw in fac.items() if c[3] == "training" and region in (None, c[0]))
        inf = sum(mw or 0.0 for c, mw in fac.items() if c[3] == "inference" and region in (None, c[0]))
        return inf / (tr + inf) if tr + inf > 0 else None

    inf_target = model["inference_target"]
    inf0_all = inference_of(fac0, None)
    start: dict[str, float] = {}
    for r in regions:
        share = inference_of(fac0, r)
        share = share if share is not None else inf0_all
        start[r] = share if share is not None else inf_target[1]
    last_arrival = dict(
        arrivals.filter(pl.col("is_ai_demand") & (pl.col("mw") > 0))
        .group_by("region")
        .agg(pl.col("arrival_year").max())
        .iter_rows()
    )
    return _Setup(
        params=params,
        origin=origin,
        end_year=model["end_year"],
        years=years,
        cells=cells,
        regions=regions,
        base_map=base_map,
        pipe=pipe,
        pue_ai=pue_ai,
        pue0=pue0,
        it0=it0,
        multiplier={r: params.region_growth_multiplier.get(r, 1.0) for r in regions},
        growth_rate={y: params.accelerator_power_cagr * (1.0 - params.growth_taper) ** k for k, y in enumerate(years)},
        inference_start=start,
        inference_target=inf_target,
        last_arrival={r: last_arrival.get(r) for r in regions},
        targets={w: params.tier_mix_target[w].model_dump() for w in params.tier_mix_target},
    )


def _grow_regions(
    setup: _Setup,
    year: int,
    base_t: Mapping[Cell, _Mw],
    pipe_t: Mapping[Cell, _Mw],
    earlier: Mapping[Cell, list[tuple[int, _Mw]]],
    growth: dict[Cell, dict[int, _Mw]],
    trend_index: dict[str, float],
    total_prev: dict[str, float],
) -> dict[str, str]:
    """Each region's total for ``year`` (the floor, the trend or the trend after the pipeline: which binds is
    returned), and the growth above the floor it puts in ``growth[cell][year]`` split by workload and tier."""
    params, pue_ai = setup.params, setup.pue_ai
    floor = {c: base_t[c][0] + pipe_t[c][0] for c in setup.cells}
    shift = _progress(year, setup.origin, params.tier_shift_target_year) * params.tier_shift_strength
    progress = _progress(year, setup.origin, setup.end_year)
    inf_low, inf_target, inf_high = setup.inference_target
    rate = setup.growth_rate[year]
    basis: dict[str, str] = {}
    for r in setup.regions:
        trend_index[r] *= 1.0 + rate * setup.multiplier[r]
        ai_cells = [c for c in setup.cells if c[0] == r and c[3] in AI_WORKLOADS]
        floor_it = sum(
            base_t[c][0] / setup.pue0.get(c, pue_ai) + pipe_t[c][0] / pue_ai + sum(g[1] for _, g in earlier[c])
            for c in ai_cells
        )
        candidates = {"pipeline_floor": floor_it, "trend": setup.it0[r] * trend_index[r]}
        last = setup.last_arrival[r]
        if last is not None and year > last:
            candidates["trend_after_pipeline"] = total_prev[r] * (1.0 + rate * setup.multiplier[r])
        basis[r] = max(candidates, key=lambda k: candidates[k])
        new_it = max(candidates[basis[r]] - floor_it, 0.0)
        total_prev[r] = floor_it + new_it
        if new_it <= 0:
            continue
        start = setup.inference_start[r]
        shares = {t: start + (t - start) * progress for t in (inf_low, inf_target, inf_high)}
        inf_c, inf_lo, inf_hi = shares[inf_target], shares[inf_low], shares[inf_high]
        for workload, share, lo, hi in (
            ("training", 1 - inf_c, 1 - inf_hi, 1 - inf_lo),
            ("inference", inf_c, inf_lo, inf_hi),
        ):
            if share <= 0:
                continue
            weights = _growth_weights(floor, setup.cells, r, workload, setup.targets.get(workload), shift)
            for cell, w in weights.items():
                it = new_it * share * w
                fac = it * setup.pue_new(year)
                growth[cell][year] = (fac, it, fac * lo / share, fac * hi / share)
    return basis


def _cell_rows(
    setup: _Setup,
    year: int,
    base_t: Mapping[Cell, _Mw],
    pipe_t: Mapping[Cell, _Mw],
    earlier: Mapping[Cell, list[tuple[int, _Mw]]],
    growth: Mapping[Cell, dict[int, _Mw]],
    basis: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One row per cell for ``year``: base + pipeline + growth alive, what retired, and the split's range."""
    rows = []
    for c in setup.cells:
        added = growth.get(c, {}).get(year)
        grown = earlier[c] + ([(year, added)] if added else [])
        g_fac = sum(g[0] for _, g in grown)
        g_it = sum(g[1] for _, g in grown)
        retired = (
            base_t[c][3]
            + pipe_t[c][3]
            + sum(g[0] for y, g in growth.get(c, {}).items() if y < year and not setup.alive(y, year))
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
                "it_power_mw": base_t[c][0] / setup.pue0.get(c, setup.pue_ai) + pipe_t[c][0] / setup.pue_ai + g_it,
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
    return rows
