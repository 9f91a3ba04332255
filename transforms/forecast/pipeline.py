"""The announced pipeline: counted planned deployments (``marts.fct_ai_pipeline``) as capacity arriving in each
place (region x tier x kind) and year under a scenario, split into training and inference year by year.

Which planned rows count, how much each adds (a later phase only its increment) and how much of it is built
(``realisation_factor``: its certainty and whether its owner, date and chips are known, seed
pipeline_realisation) are decided in dbt, next to the rule for installed history. Here a scenario says which end
of the realisation range is built and when it arrives:

- ``realisation_end`` picks ``realisation_factor`` or its ``_low`` / ``_high`` end for every row;
- a dated row arrives from its expected year over its ``arrival_years`` (evenly; fct_ai_pipeline spreads a plan
  whose year has passed, that no source shows operating, over var past_due_spread_years from the as-of year),
  plus ``pipeline_delay_years`` (a fractional delay splits the row between two years); a past-due row
  (``is_past_due``) is delayed ``past_due_delay_years`` more;
- an undated row is spread evenly over the ``pipeline_undated_spread_years`` after the origin, then delayed like
  the others;
- a row keeps its own region, tier and kind. In every year after it arrives its power splits into training and
  inference by its unit's share of that year (``marts.fct_ai_workload_split``, the one home of the split: a
  training cluster is repurposed after its first use, priors move with the market); ``training_share_end``
  picks the central share or an end of its range. A planned public scientific supercomputer stays whole under
  'hpc'.
"""

from __future__ import annotations

import math

import polars as pl

from transforms.forecast.scenarios import PIPELINE_SCHEMA, UNIT_SPLIT_SCHEMA, ScenarioParams

PLACE = ["region", "market_tier", "market_kind"]
ARRIVAL_SCHEMA: dict[str, pl.DataType] = {
    "deployment_id": pl.String(),
    "unit_id": pl.String(),
    "region": pl.String(),
    "market_tier": pl.String(),
    "market_kind": pl.String(),
    "is_ai_demand": pl.Boolean(),
    "training_share": pl.Float64(),
    "training_share_low": pl.Float64(),
    "training_share_high": pl.Float64(),
    "arrival_year": pl.Int32(),
    "mw": pl.Float64(),
}
# Pipeline power in a cell (place x workload) and year: the scenario's MW, its split range, and what retired.
CELL_YEAR_SCHEMA: dict[str, pl.DataType] = {
    "region": pl.String(),
    "market_tier": pl.String(),
    "market_kind": pl.String(),
    "workload": pl.String(),
    "year": pl.Int32(),
    "facility_power_mw": pl.Float64(),
    "split_low_mw": pl.Float64(),
    "split_high_mw": pl.Float64(),
    "retired_mw": pl.Float64(),
}
REALISATION_COLUMN = {
    "central": "realisation_factor",
    "low": "realisation_factor_low",
    "high": "realisation_factor_high",
}
SHARE_COLUMN = {"central": "training_share", "low": "training_share_low", "high": "training_share_high"}


def empty_pipeline() -> pl.DataFrame:
    """A pipeline with no rows (the forecast is then trend-only, as in the backtest)."""
    return pl.DataFrame(schema=PIPELINE_SCHEMA)


def empty_unit_split() -> pl.DataFrame:
    """No unit split: every pipeline row keeps the constant training share it carries."""
    return pl.DataFrame(schema=UNIT_SPLIT_SCHEMA)


def prepare_pipeline(pipeline: pl.DataFrame) -> pl.DataFrame:
    """The counted rows of ``marts.fct_ai_pipeline`` in ``PIPELINE_SCHEMA`` (nulls filled)."""
    frame = pipeline
    if "counts_in_pipeline" in frame.columns:
        frame = frame.filter(pl.col("counts_in_pipeline"))
    if "arrival_years" not in frame.columns:  # a pipeline of an earlier release: every row arrives in one year
        frame = frame.with_columns(arrival_years=pl.lit(1, pl.Int32))
    if "unit_id" not in frame.columns:
        frame = frame.with_columns(unit_id=pl.lit(None, pl.String))
    if "deployment_id" not in frame.columns:
        frame = frame.with_row_index("deployment_id").with_columns(pl.col("deployment_id").cast(pl.String))
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
        pl.col("training_share_low").fill_null(pl.col("training_share")),
        pl.col("training_share_high").fill_null(pl.col("training_share")),
    )


def pipeline_arrivals(pipeline: pl.DataFrame, params: ScenarioParams, origin: int, end_year: int) -> pl.DataFrame:
    """Realised facility MW of each pipeline row arriving per year (origin + 1 .. end_year) under ``params``:
    one row per deployment and arrival year (``ARRIVAL_SCHEMA``), not yet split by workload."""
    rows = prepare_pipeline(pipeline).filter(pl.col("pipeline_mw") > 0).sort("deployment_id", "expected_year")
    if rows.height == 0:
        return pl.DataFrame(schema=ARRIVAL_SCHEMA)
    rows = rows.with_columns(mw=pl.col("pipeline_mw") * pl.col(REALISATION_COLUMN[params.realisation_end]))
    keep = ["deployment_id", "unit_id", *PLACE, "is_ai_demand", "training_share", "training_share_low"]
    keep.append("training_share_high")
    first = origin + 1
    spread_max = max(int(rows["arrival_years"].max() or 1), 1)
    dated = (
        rows.filter(pl.col("expected_year").is_not_null())
        .join(pl.DataFrame({"step": list(range(spread_max))}, schema={"step": pl.Int32}), how="cross")
        .filter(pl.col("step") < pl.col("arrival_years"))
        .select(
            *keep,
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
        rows.filter(pl.col("expected_year").is_null())
        .join(steps, how="cross")
        .select(*keep, "due", (pl.col("mw") / spread).alias("mw"))
    )
    due = pl.concat([dated, undated]).with_columns(pl.col("due") + params.pipeline_delay_years)
    # A fractional arrival year splits the row between the two whole years around it.
    floor = pl.col("due").floor()
    pieces = pl.concat(
        [
            due.select(*keep, floor.cast(pl.Int32).alias("arrival_year"), pl.col("mw") * (1 - (pl.col("due") - floor))),
            due.select(*keep, (floor + 1).cast(pl.Int32).alias("arrival_year"), pl.col("mw") * (pl.col("due") - floor)),
        ]
    )
    return (
        pieces.filter((pl.col("mw") > 0) & (pl.col("arrival_year") <= end_year))
        .group_by(*keep, "arrival_year")
        .agg(pl.col("mw").sort().sum())  # sorted before adding: same input, same bits
        .select([pl.col(c).cast(t) for c, t in ARRIVAL_SCHEMA.items()])
        .sort("deployment_id", "arrival_year")
    )


def pipeline_by_year(
    arrivals: pl.DataFrame,
    unit_split: pl.DataFrame | None,
    params: ScenarioParams,
    years: list[int],
) -> pl.DataFrame:
    """Arrived pipeline power per cell (place x workload) and year (``CELL_YEAR_SCHEMA``): each arrival counts
    from its arrival year on, split by its unit's share of the year (the row's own share where the unit has
    none); with ``hardware_life_years`` it leaves (retired_mw) when its arrival year reaches that age."""
    if arrivals.height == 0 or not years:
        return pl.DataFrame(schema=CELL_YEAR_SCHEMA)
    split = (unit_split if unit_split is not None else pl.DataFrame(schema=UNIT_SPLIT_SCHEMA)).select(
        [pl.col(c).cast(t) for c, t in UNIT_SPLIT_SCHEMA.items()]
    )
    life = params.hardware_life_years
    by_year = (
        arrivals.join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
        .filter(pl.col("year") >= pl.col("arrival_year"))
        .join(split, on=["unit_id", "year"], how="left", suffix="_unit")
        .with_columns(
            [pl.coalesce(f"{c}_unit", c).alias(c) for c in SHARE_COLUMN.values()]
            + [(pl.lit(True) if life is None else pl.col("arrival_year") > pl.col("year") - life).alias("alive")]
        )
    )
    share, low, high = (
        pl.col(SHARE_COLUMN[params.training_share_end]),
        pl.col("training_share_low"),
        pl.col("training_share_high"),
    )
    parts = []
    for workload, mw_share, lo_share, hi_share in (
        ("training", share, low, high),
        ("inference", 1 - share, 1 - high, 1 - low),
    ):
        parts.append(
            by_year.filter(pl.col("is_ai_demand")).select(
                *PLACE,
                "year",
                "alive",
                pl.lit(workload).alias("workload"),
                (pl.col("mw") * mw_share).alias("mw"),
                (pl.col("mw") * lo_share).alias("lo"),
                (pl.col("mw") * hi_share).alias("hi"),
            )
        )
    parts.append(
        by_year.filter(~pl.col("is_ai_demand")).select(
            *PLACE,
            "year",
            "alive",
            pl.lit("hpc").alias("workload"),
            "mw",
            pl.col("mw").alias("lo"),
            pl.col("mw").alias("hi"),
        )
    )
    alive = pl.col("alive")
    return (
        pl.concat(parts)
        .group_by(*PLACE, "workload", "year")
        .agg(
            pl.col("mw").filter(alive).sort().sum().alias("facility_power_mw"),
            pl.col("lo").filter(alive).sort().sum().alias("split_low_mw"),
            pl.col("hi").filter(alive).sort().sum().alias("split_high_mw"),
            pl.col("mw").filter(~alive).sort().sum().alias("retired_mw"),
        )
        .select([pl.col(c).cast(t) for c, t in CELL_YEAR_SCHEMA.items()])
        .sort(*PLACE, "workload", "year")
    )


def realised_pipeline_total(pipeline: pl.DataFrame, params: ScenarioParams, origin: int, end_year: int) -> float:
    """Realised AI facility MW of the pipeline that arrives by ``end_year`` (for reports)."""
    arrivals = pipeline_arrivals(pipeline, params, origin, end_year).filter(pl.col("is_ai_demand"))
    total = arrivals["mw"].sum()
    return float(total) if total is not None and not math.isnan(total) else 0.0
