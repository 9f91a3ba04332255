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

from transforms.forecast.scenarios import (
    CONTRACT_COLUMNS,
    EXTRA_COLUMNS,
    HISTORY_SCHEMA,
    HOURS_PER_YEAR,
    ScenarioParams,
    load_scenarios,
    resolve_scenario,
)
from transforms.forecast.years import _ZERO, KEYS, Cell, _cell_rows, _grow_regions, _Mw, _setup
from transforms.params import param, param_range
from transforms.vocabulary import AI_WORKLOADS, WORKLOADS

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
        "load_factor": {w: float(param(f"load_factor_{w}")) for w in WORKLOADS},
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


def project_scenario(
    history: pl.DataFrame,
    pipeline: pl.DataFrame | None,
    params: ScenarioParams,
    end_year: int | None = None,
    base_vintages: pl.DataFrame | None = None,
    unit_split: pl.DataFrame | None = None,
) -> Projection:
    """The scenario's projection before energy and region totals (``finish`` adds them): the history's rows, then
    each year's cells from the floor, the trend and the growth above it (``_setup``, ``_grow_regions``,
    ``_cell_rows``)."""
    model = _model_defaults(params)
    end = end_year if end_year is not None else model["end_year"]
    # sorted so every sum adds in the same order: the same input gives the same output, to the last bit
    prepared = _prepare_history(history).sort("year", "region", "market_tier", "market_kind", "workload")
    complete = pl.col("is_year_end") if "is_year_end" in prepared.columns else pl.lit(True)
    hist = prepared.filter(complete)
    if hist.height == 0:
        raise ValueError("history is empty: nothing to project from")
    origin = int(hist["year"].max())  # type: ignore[arg-type]
    hist_out = _history_rows(hist, params)
    origin_rows = hist.filter(pl.col("year") == origin)
    if end <= origin:
        return Projection(params, hist_out, pl.DataFrame(schema=_ROW_SCHEMA), origin_rows)
    # the installed base: the as-of snapshot where the history has one, else the origin's year end
    snapshot = prepared.filter(~complete)
    base_rows = snapshot if snapshot.height else origin_rows
    setup = _setup(prepared, base_rows, origin_rows, pipeline, params, model, origin, end, base_vintages, unit_split)
    growth: dict[Cell, dict[int, _Mw]] = defaultdict(dict)  # cell -> year -> growth added that year
    trend_index = dict.fromkeys(setup.regions, 1.0)
    total_prev = dict(setup.it0)
    rows: list[dict[str, Any]] = []
    for year in setup.years:
        base_t = {c: setup.base_map.get((c, year), _ZERO) for c in setup.cells}
        pipe_t = {c: setup.pipe.get((c, year), _ZERO) for c in setup.cells}
        earlier = {
            c: [(y, g) for y, g in growth.get(c, {}).items() if y < year and setup.alive(y, year)] for c in setup.cells
        }
        basis = _grow_regions(setup, year, base_t, pipe_t, earlier, growth, trend_index, total_prev)
        rows += _cell_rows(setup, year, base_t, pipe_t, earlier, growth, basis)
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
    load = {w: float(param(f"load_factor_{w}")) for w in WORKLOADS}
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
