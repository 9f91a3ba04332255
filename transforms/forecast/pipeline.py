"""The announced pipeline: planned deployments as capacity arriving by region and year."""

from __future__ import annotations

import math

import polars as pl

from transforms.forecast.params import PIPELINE_SCHEMA, ScenarioParams

# Planned deployments left out of the pipeline: Epoch's certainty 'Unlikely' (rumours and company-wide
# ambitions such as "xAI 5 year plan", 50M H100e by 2030). Assumption: only Confirmed and Likely plans count.
PIPELINE_EXCLUDED_CERTAINTY = ("unlikely",)


def empty_pipeline() -> pl.DataFrame:
    """A pipeline frame with no rows (the forecast is then trend-only)."""
    return pl.DataFrame(schema=PIPELINE_SCHEMA)


def pipeline_from_deployments(deployments: pl.DataFrame, markets: pl.DataFrame) -> pl.DataFrame:
    """Announced AI capacity from ``marts.fct_ai_deployments`` (status 'planned') and ``dim_markets``.

    Region and tier come from the deployment's market ('Unknown'/'unknown' when it has none).
    ``expected_year`` is the year of ``first_operational_date``, else ``planned_year`` (the year of
    Epoch's 'Planned 2026' note), else null (undated). Rows without a facility power are dropped.

    Phases are counted once: Epoch links a later phase to earlier ones (``builds_upon`` on the later
    phase, ``superseded_by`` on the earlier), and a later phase's power includes theirs (Stargate
    Abilene Phase 2's chips include Phase 1's). So a planned phase adds only its increment over the
    predecessors that are themselves counted (operational, or planned and in this pipeline).
    """
    dims = markets.select(
        pl.col("market_id").cast(pl.String),
        pl.col("region").cast(pl.String),
        pl.col("market_tier").cast(pl.String),
    ).unique("market_id", keep="first")
    planned = deployments.filter(pl.col("status") == "planned")
    # Epoch rates some plans 'Unlikely' (e.g. a company's whole five-year ambition, not a project);
    # a possible duplicate would count the same MW twice.
    if "certainty" in planned.columns:
        planned = planned.filter(
            ~pl.col("certainty").str.to_lowercase().is_in(PIPELINE_EXCLUDED_CERTAINTY).fill_null(False)
        )
    if "possible_duplicate" in planned.columns:
        planned = planned.filter(~pl.col("possible_duplicate").fill_null(False))
    planned = planned.filter(pl.col("facility_power_mw").is_not_null() & (pl.col("facility_power_mw") > 0))
    year = pl.col("first_operational_date").cast(pl.Date).dt.year().cast(pl.Int32)
    if "planned_year" in planned.columns:
        year = pl.coalesce(year, pl.col("planned_year").cast(pl.Int32))
    planned = planned.with_columns(
        year.alias("expected_year"), _increment_over_predecessors(deployments, planned).alias("increment_mw")
    )
    return (
        planned.select(
            pl.col("market_id").cast(pl.String),
            pl.col("workload").cast(pl.String),
            "expected_year",
            pl.col("increment_mw").alias("facility_power_mw"),
        )
        .filter(pl.col("facility_power_mw") > 0)
        .join(dims, on="market_id", how="left")
        .select(
            pl.col("region").fill_null("Unknown"),
            pl.col("market_tier").fill_null("unknown"),
            pl.col("workload").fill_null("mixed"),
            "expected_year",
            "facility_power_mw",
            pl.lit("planned").alias("status"),
            pl.lit("deployments").alias("source"),
        )
    )


def _increment_over_predecessors(deployments: pl.DataFrame, planned: pl.DataFrame) -> pl.Series:
    """Each planned row's facility MW less the MW of its counted predecessors (never below 0)."""
    mw = planned["facility_power_mw"].cast(pl.Float64)
    if "cluster_name" not in deployments.columns or not {"builds_upon", "superseded_by"} & set(deployments.columns):
        return mw
    links = []
    if "builds_upon" in deployments.columns:
        links.append(
            deployments.select(
                pl.col("cluster_name").alias("successor"),
                pl.col("builds_upon").str.split(",").alias("predecessor"),
            )
            .explode("predecessor")
            .with_columns(pl.col("predecessor").str.strip_chars())
        )
    if "superseded_by" in deployments.columns:
        links.append(
            deployments.select(pl.col("superseded_by").alias("successor"), pl.col("cluster_name").alias("predecessor"))
        )
    edges = pl.concat(links).drop_nulls().filter(pl.col("predecessor") != "").unique()
    counted = pl.concat(
        [
            deployments.filter(pl.col("status") == "operational").select("cluster_name", "facility_power_mw"),
            planned.select("cluster_name", "facility_power_mw"),
        ]
    )
    counted = counted.group_by("cluster_name").agg(pl.col("facility_power_mw").cast(pl.Float64).max().fill_null(0.0))
    prior = (
        edges.join(counted, left_on="predecessor", right_on="cluster_name", how="inner")
        .group_by("successor")
        .agg(pl.col("facility_power_mw").sum().alias("prior_mw"))
    )
    out = planned.select("cluster_name", pl.col("facility_power_mw").cast(pl.Float64)).join(
        prior, left_on="cluster_name", right_on="successor", how="left", maintain_order="left"
    )
    return (out["facility_power_mw"] - out["prior_mw"].fill_null(0.0)).clip(lower_bound=0.0)


def _pipeline_by_year(pipeline: pl.DataFrame, params: ScenarioParams, origin: int, end_year: int) -> pl.DataFrame:
    """Realised pipeline facility MW arriving per region and year (origin+1 .. end_year)."""
    schema = {"region": pl.String, "year": pl.Int32, "pipeline_mw": pl.Float64}
    if pipeline.height == 0:
        return pl.DataFrame(schema=schema)
    rates = pl.DataFrame(
        {"status": list(params.pipeline_realisation_rate), "rate": list(params.pipeline_realisation_rate.values())},
        schema={"status": pl.String, "rate": pl.Float64},
    )
    delay = params.pipeline_delay_years
    spread = params.pipeline_undated_spread_years
    realised = (
        pipeline.select(
            pl.col("region").cast(pl.String),
            pl.col("status").cast(pl.String),
            pl.col("expected_year").cast(pl.Int32),
            pl.col("facility_power_mw").cast(pl.Float64).fill_null(0.0),
        )
        .join(rates, on="status", how="left")
        .with_columns(mw=pl.col("facility_power_mw") * pl.col("rate").fill_null(0.0))
    )
    dated = (
        realised.filter(pl.col("expected_year").is_not_null())
        .group_by("region", "expected_year")
        .agg(pl.col("mw").sum())
        .select("region", pl.max_horizontal("expected_year", pl.lit(origin + 1)).alias("due"), "mw")
    )
    undated_total = realised.filter(pl.col("expected_year").is_null()).group_by("region").agg(pl.col("mw").sum())
    steps = pl.DataFrame({"due": list(range(origin + 1, origin + 1 + spread))}, schema={"due": pl.Int32})
    undated = undated_total.join(steps, how="cross").select("region", "due", (pl.col("mw") / spread).alias("mw"))
    # A fractional delay splits each project between two years in proportion.
    whole = math.floor(delay)
    frac = delay - whole
    due = pl.concat([dated.with_columns(pl.col("due").cast(pl.Int32)), undated])
    pieces = pl.concat(
        [
            due.select("region", (pl.col("due") + whole).alias("year"), (pl.col("mw") * (1 - frac)).alias("mw")),
            due.select("region", (pl.col("due") + whole + 1).alias("year"), (pl.col("mw") * frac).alias("mw")),
        ]
    )
    return (
        pieces.filter(pl.col("year") <= end_year)
        .group_by("region", "year")
        .agg(pl.col("mw").sum().alias("pipeline_mw"))
        .cast(schema)  # type: ignore[arg-type]
    )
