"""What moves the forecast: the projects that contribute most to each scenario's horizon total
(``marts.fct_forecast_top_contributors``) and the drivers that move base's horizon total most
(``marts.fct_forecast_sensitivity``, the dashboard's tornado chart, computed by the live scenario function)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from transforms.forecast.pipeline import REALISATION_COLUMN, pipeline_arrivals, prepare_pipeline
from transforms.forecast.projection import forecast_scenario
from transforms.forecast.scenarios import ScenarioParams, resolve_scenario

CONTRIBUTOR_SCHEMA: dict[str, pl.DataType] = {
    "scenario": pl.String(),
    "year": pl.Int32(),
    "rank": pl.Int32(),
    "deployment_id": pl.String(),
    "cluster_name": pl.String(),
    "owner": pl.String(),
    "owner_type": pl.String(),
    "market_id": pl.String(),
    "market_tier": pl.String(),
    "certainty": pl.String(),
    "owner_known": pl.Boolean(),
    "date_known": pl.Boolean(),
    "chips_known": pl.Boolean(),
    "pipeline_source": pl.String(),
    "announced_mw": pl.Float64(),
    "realisation_factor": pl.Float64(),
    "realised_mw": pl.Float64(),
    "share_of_total": pl.Float64(),
}
SENSITIVITY_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "rank": pl.Int32(),
    "parameter": pl.String(),
    "base_value": pl.String(),
    "low_value": pl.String(),
    "high_value": pl.String(),
    "base_mw": pl.Float64(),
    "mw_at_low_value": pl.Float64(),
    "mw_at_high_value": pl.Float64(),
    "swing_mw": pl.Float64(),
}
_DESCRIPTIVE = ["deployment_id", "cluster_name", "owner", "owner_type", "market_id", "market_tier", "certainty"]
_DESCRIPTIVE += ["owner_known", "date_known", "chips_known", "pipeline_source"]


def top_contributors(
    pipeline: pl.DataFrame,
    scenarios: Mapping[str, ScenarioParams],
    origin: int,
    end_year: int,
    totals: Mapping[str, float],
    n: int = 20,
) -> pl.DataFrame:
    """The ``n`` pipeline projects that add most AI MW to each scenario's ``end_year`` total: MW announced (the
    rows' pipeline_mw), the realisation factor the scenario uses (MW-weighted over a campus's build-out steps),
    MW realised and in service by the year, and the share of the scenario's total AI MW in ``totals``. A frontier
    campus's projected build-out is one project (deployment_id: the campus's unit id), a planned cluster its own."""
    described = pipeline.filter(pl.col("counts_in_pipeline")) if "counts_in_pipeline" in pipeline.columns else pipeline
    described = described.select([c for c in _DESCRIPTIVE if c in described.columns])
    frames = []
    project = pl.coalesce("unit_id", "deployment_id")
    for name, params in scenarios.items():
        life = params.hardware_life_years
        arrivals = pipeline_arrivals(pipeline, params, origin, end_year).filter(pl.col("is_ai_demand"))
        if life is not None:
            arrivals = arrivals.filter(pl.col("arrival_year") > end_year - life)
        realised = arrivals.group_by("deployment_id").agg(pl.col("mw").sort().sum().alias("realised_mw"))
        rows = (
            prepare_pipeline(pipeline)
            .select(
                "deployment_id",
                "unit_id",
                "pipeline_mw",
                pl.col(REALISATION_COLUMN[params.realisation_end]).alias("factor"),
            )
            .join(described, on="deployment_id", how="left")
            .join(realised, on="deployment_id", how="left")
            .with_columns(pl.col("realised_mw").fill_null(0.0), project.alias("project"))
        )
        # a campus's projected build-out steps are one project (the campus), a planned cluster is its own
        by_project = (
            rows.sort("deployment_id")
            .group_by("project")
            .agg(
                pl.col("deployment_id").first(),
                (
                    pl.col("cluster_name").first().str.replace(r" \(timeline [0-9-]+\)$", "")
                    if "cluster_name" in rows.columns
                    else pl.lit(None, pl.String).alias("cluster_name")
                ),
                *[
                    pl.col(c).first()
                    for c in _DESCRIPTIVE
                    if c in rows.columns and c not in ("deployment_id", "cluster_name")
                ],
                pl.col("pipeline_mw").sum().alias("announced_mw"),
                (pl.col("factor") * pl.col("pipeline_mw")).sum().alias("weighted"),
                pl.col("realised_mw").sum(),
            )
        )
        frames.append(
            by_project.with_columns(
                pl.lit(name).alias("scenario"),
                pl.lit(end_year).alias("year"),
                (pl.col("weighted") / pl.col("announced_mw")).alias("realisation_factor"),
                (pl.col("realised_mw") / totals.get(name, float("nan"))).alias("share_of_total"),
                pl.when(pl.col("project").str.starts_with("cluster:"))
                .then(pl.col("deployment_id"))
                .otherwise(pl.col("project"))
                .alias("deployment_id"),
            )
            .filter(pl.col("realised_mw") > 0)
            .sort(["realised_mw", "project"], descending=[True, False])
            .head(n)
            .with_row_index("rank", offset=1)
        )
    for column in CONTRIBUTOR_SCHEMA:
        frames = [f if column in f.columns else f.with_columns(pl.lit(None).alias(column)) for f in frames]
    if not frames:
        return pl.DataFrame(schema=CONTRIBUTOR_SCHEMA)
    return pl.concat([f.select([pl.col(c).cast(t) for c, t in CONTRIBUTOR_SCHEMA.items()]) for f in frames])


def _text(value: Any) -> str:
    return value if isinstance(value, str) else f"{value:g}" if isinstance(value, float | int) else str(value)


def driver_sensitivity(
    history: pl.DataFrame,
    pipeline: pl.DataFrame | None,
    scenarios: Mapping[str, ScenarioParams],
    year: int,
    base_vintages: pl.DataFrame | None = None,
    unit_split: pl.DataFrame | None = None,
    base: str | ScenarioParams = "base",
    overrides: Mapping[str, Any] | None = None,
) -> pl.DataFrame:
    """One row per scalar driver where the low and high scenarios differ: base's AI MW in ``year`` with that one
    driver set to low's value and to high's (every other driver as base, after ``overrides``), ranked by the
    swing between them (a tornado chart's bars)."""
    center = resolve_scenario(base, dict(overrides) if overrides else None, scenarios)
    low, high = scenarios.get("low"), scenarios.get("high")
    if low is None or high is None:
        return pl.DataFrame(schema=SENSITIVITY_SCHEMA)

    def total(params: ScenarioParams) -> float:
        out = forecast_scenario(
            history, pipeline, params, end_year=year, base_vintages=base_vintages, unit_split=unit_split
        )
        value = out.filter(pl.col("is_ai_demand") & (pl.col("year") == year))["facility_power_mw"].sum()
        return float(value or 0.0)

    base_mw = total(center)
    rows = []
    skip = {"name", "description", "version", "provenance"}
    for name in ScenarioParams.model_fields:
        if name in skip:
            continue
        lo_value, hi_value = getattr(low, name), getattr(high, name)
        if lo_value == hi_value or isinstance(lo_value, dict):
            continue
        at_low = total(resolve_scenario(center, {name: lo_value}))
        at_high = total(resolve_scenario(center, {name: hi_value}))
        rows.append(
            {
                "year": year,
                "parameter": name,
                "base_value": _text(getattr(center, name)),
                "low_value": _text(lo_value),
                "high_value": _text(hi_value),
                "base_mw": base_mw,
                "mw_at_low_value": at_low,
                "mw_at_high_value": at_high,
                "swing_mw": abs(at_high - at_low),
            }
        )
    frame = pl.DataFrame(rows, schema={k: v for k, v in SENSITIVITY_SCHEMA.items() if k != "rank"})
    return (
        frame.sort(["swing_mw", "parameter"], descending=[True, False])
        .with_row_index("rank", offset=1)
        .select([pl.col(c).cast(t) for c, t in SENSITIVITY_SCHEMA.items()])
    )
