"""The announced pipeline: counted planned deployments (``marts.fct_ai_pipeline``) as capacity arriving
in each cell (region x tier x kind x workload) and year under a scenario.

Which planned rows count, and how much each adds (a later phase only its increment), is decided in
dbt (``fct_ai_pipeline``), next to the rule for installed history. Here a scenario only says how
much of it is built and when:

- ``pipeline_realisation_rate`` of every row's MW is built;
- a dated row arrives from its expected year over its ``arrival_years`` (evenly; fct_ai_pipeline
  spreads a plan whose year has passed, that no source shows operating, over var
  past_due_spread_years from the as-of year), plus ``pipeline_delay_years`` (a fractional delay splits
  the row between two years); a past-due row (``is_past_due``) is delayed ``past_due_delay_years``
  more;
- an undated row is spread evenly over the ``pipeline_undated_spread_years`` after the origin, then
  delayed like the others;
- a row keeps its own region, tier and kind; its power splits into training and inference by its
  training share (``training_share_end`` picks the central value or an end of the prior's range);
  a planned public scientific supercomputer stays whole under 'hpc'.
"""

from __future__ import annotations

import math

import polars as pl

from transforms.forecast.scenarios import PIPELINE_SCHEMA, ScenarioParams

ARRIVAL_SCHEMA: dict[str, pl.DataType] = {
    "region": pl.String(),
    "market_tier": pl.String(),
    "market_kind": pl.String(),
    "workload": pl.String(),
    "year": pl.Int32(),
    "facility_power_mw": pl.Float64(),
}


def empty_pipeline() -> pl.DataFrame:
    """A pipeline with no rows (the forecast is then trend-only, as in the backtest)."""
    return pl.DataFrame(schema=PIPELINE_SCHEMA)


def prepare_pipeline(pipeline: pl.DataFrame) -> pl.DataFrame:
    """The counted rows of ``marts.fct_ai_pipeline`` in ``PIPELINE_SCHEMA`` (nulls filled)."""
    frame = pipeline
    if "counts_in_pipeline" in frame.columns:
        frame = frame.filter(pl.col("counts_in_pipeline"))
    if "arrival_years" not in frame.columns:  # a pipeline of an earlier release: every row arrives in one year
        frame = frame.with_columns(arrival_years=pl.lit(1, pl.Int32))
    missing = set(PIPELINE_SCHEMA) - set(frame.columns)
    if missing:
        raise ValueError(f"pipeline lacks columns {sorted(missing)} (expected marts.fct_ai_pipeline)")
    return frame.select([pl.col(c).cast(t) for c, t in PIPELINE_SCHEMA.items()]).with_columns(
        pl.col("region").fill_null("Unknown"),
        pl.col("market_tier").fill_null("unknown"),
        pl.col("market_kind").fill_null("unassigned"),
        pl.col("is_ai_demand").fill_null(True),
        pl.col("is_past_due").fill_null(False),
        pl.col("pipeline_mw").fill_null(0.0),
        pl.col("arrival_years").fill_null(1).clip(lower_bound=1),
    )


def pipeline_arrivals(pipeline: pl.DataFrame, params: ScenarioParams, origin: int, end_year: int) -> pl.DataFrame:
    """Realised facility MW arriving per cell and year (origin + 1 .. end_year) under ``params``."""
    rows = prepare_pipeline(pipeline).filter(pl.col("pipeline_mw") > 0).sort(pl.all())
    if rows.height == 0:
        return pl.DataFrame(schema=ARRIVAL_SCHEMA)
    share = {
        "central": pl.col("training_share"),
        "low": pl.col("training_share_low"),
        "high": pl.col("training_share_high"),
    }[params.training_share_end]
    mw = pl.col("pipeline_mw") * params.pipeline_realisation_rate
    split = pl.concat(
        [
            rows.filter(pl.col("is_ai_demand")).with_columns(
                workload=pl.lit("training"), mw=mw * share.fill_null(pl.col("training_share"))
            ),
            rows.filter(pl.col("is_ai_demand")).with_columns(
                workload=pl.lit("inference"), mw=mw * (1 - share.fill_null(pl.col("training_share")))
            ),
            rows.filter(~pl.col("is_ai_demand")).with_columns(workload=pl.lit("hpc"), mw=mw),
        ]
    ).filter(pl.col("mw") > 0)
    first = origin + 1
    spread_max = max(int(split["arrival_years"].max() or 1), 1)
    dated = (
        split.filter(pl.col("expected_year").is_not_null())
        .join(pl.DataFrame({"step": list(range(spread_max))}, schema={"step": pl.Int32}), how="cross")
        .filter(pl.col("step") < pl.col("arrival_years"))
        .select(
            "region",
            "market_tier",
            "market_kind",
            "workload",
            (
                pl.max_horizontal(pl.col("expected_year"), pl.lit(first)).cast(pl.Float64)
                + pl.col("step")
                + pl.when(pl.col("is_past_due")).then(pl.lit(params.past_due_delay_years)).otherwise(0.0)
            ).alias("due"),
            (pl.col("mw") / pl.col("arrival_years")).alias("mw"),
        )
    )
    spread = params.pipeline_undated_spread_years
    steps = pl.DataFrame({"due": [float(first + k) for k in range(spread)]})
    undated = (
        split.filter(pl.col("expected_year").is_null())
        .join(steps, how="cross")
        .select("region", "market_tier", "market_kind", "workload", "due", (pl.col("mw") / spread).alias("mw"))
    )
    due = pl.concat([dated, undated]).with_columns(pl.col("due") + params.pipeline_delay_years)
    # A fractional arrival year splits the row between the two whole years around it.
    pieces = pl.concat(
        [
            due.select(
                pl.exclude("due", "mw"),
                pl.col("due").floor().cast(pl.Int32).alias("year"),
                (pl.col("mw") * (1 - (pl.col("due") - pl.col("due").floor()))).alias("facility_power_mw"),
            ),
            due.select(
                pl.exclude("due", "mw"),
                (pl.col("due").floor() + 1).cast(pl.Int32).alias("year"),
                (pl.col("mw") * (pl.col("due") - pl.col("due").floor())).alias("facility_power_mw"),
            ),
        ]
    )
    return (
        pieces.filter((pl.col("facility_power_mw") > 0) & (pl.col("year") <= end_year))
        .group_by("region", "market_tier", "market_kind", "workload", "year")
        .agg(pl.col("facility_power_mw").sort().sum())  # sorted before adding: same input, same bits
        .select([pl.col(c).cast(t) for c, t in ARRIVAL_SCHEMA.items()])
        .sort("region", "market_tier", "market_kind", "workload", "year")
    )


def realised_pipeline_total(pipeline: pl.DataFrame, params: ScenarioParams, origin: int, end_year: int) -> float:
    """Realised AI facility MW of the pipeline that arrives by ``end_year`` (for reports)."""
    arrivals = pipeline_arrivals(pipeline, params, origin, end_year).filter(pl.col("workload") != "hpc")
    total = arrivals["facility_power_mw"].sum()
    return float(total) if total is not None and not math.isnan(total) else 0.0
