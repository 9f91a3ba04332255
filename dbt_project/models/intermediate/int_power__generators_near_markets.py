"""One row per planned generator (EIA-860M) x market it lies near: within the market's match radius or within var
power_near_market_km of the market's centre.

The distance and the radius rule are transforms.markets.points_near_markets, the matcher's own (the markets a
point can fall in by coordinates, the same haversine): this model only hands it the generators and the markets. A
generator near two markets is in both (a measure of what lies near each, not an assignment).
"""

from __future__ import annotations

import polars as pl

from transforms.markets import points_near_markets


def model(dbt, session):
    dbt.config(materialized="table")
    within_km = float(dbt.config.get("power_near_market_km"))
    markets = dbt.ref("stg_reference__markets").pl()
    generators = dbt.ref("stg_eia860m__planned_generators").pl()
    pairs = points_near_markets(
        generators.select(pl.col("generator_id").alias("point_id"), "latitude", "longitude"), markets, within_km
    )
    return pairs.rename({"point_id": "generator_id", "within_km": "within_near_km"}).with_columns(
        pl.lit(within_km).alias("near_km")
    )
