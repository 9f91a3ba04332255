"""One row per located entity (deployment, Epoch frontier data center, FracTracker facility)
with the market it falls in.

The matching itself is transforms.markets.match_locations (pure polars, unit-tested there):
coordinates within a market's radius, aliases on word boundaries in the location text, the
state's rest-of-state market, the country's 'undisclosed' market, else 'unassigned'. This model
only builds the locations frame from the staging views and keeps every entity: one that cannot
be placed gets market_id 'unassigned', never dropped.
"""

from __future__ import annotations

import re

import polars as pl

from transforms.markets import EPOCH_COUNTRY_ALIASES, US_COUNTRY_NAME, match_locations, parse_us_state

LOCATION_SCHEMA = {
    "location_id": pl.String,
    "entity_type": pl.String,
    "entity_id": pl.String,
    "location_text": pl.String,
    "country_name": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "state_code": pl.String,
}

US_STATE_ZIP = re.compile(r"\b[A-Z]{2}\s+\d{5}\b")
US_STATE_NAMES = (
    "alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|"
    "hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|"
    "michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|"
    "new mexico|new york|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|"
    "rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington|"
    "west virginia|wisconsin|wyoming"
)
USA = US_COUNTRY_NAME


def _epoch_dc_country(text: str | None, countries: list[str]) -> str | None:
    """Epoch's frontier data-center table has no country column: read it from the address."""
    if not text:
        return None
    lowered = text.lower()
    for name in countries:
        if name and re.search(rf"\b{re.escape(name.lower())}\b", lowered):
            return name
    if US_STATE_ZIP.search(text) or re.search(rf"\b({US_STATE_NAMES})\b", lowered):
        return USA
    return None


def model(dbt, session):
    dbt.config(materialized="table")

    markets = dbt.ref("stg_reference__markets").pl()
    deployments = dbt.ref("stg_epoch__gpu_clusters").pl()
    data_centers = dbt.ref("stg_epoch__data_centers").pl()
    facilities = dbt.ref("stg_fractracker__facilities").pl()

    countries = sorted({c for c in markets.get_column("country_name").to_list() if c}, key=len, reverse=True)

    dep = deployments.select(
        ("dep:" + pl.col("deployment_id")).alias("location_id"),
        pl.lit("ai_deployment").alias("entity_type"),
        pl.col("deployment_id").alias("entity_id"),
        pl.col("location_text"),
        pl.col("country_name"),
        pl.lit(None, pl.Float64).alias("latitude"),
        pl.lit(None, pl.Float64).alias("longitude"),
        pl.lit(None, pl.String).alias("state_code"),
    )
    edc = data_centers.select(
        ("edc:" + pl.col("data_center_id")).alias("location_id"),
        pl.lit("epoch_data_center").alias("entity_type"),
        pl.col("data_center_id").alias("entity_id"),
        pl.concat_str([pl.col("data_center_id"), pl.col("address")], separator=", ", ignore_nulls=True).alias(
            "location_text"
        ),
        pl.coalesce(
            pl.col("country").replace(EPOCH_COUNTRY_ALIASES),
            pl.concat_str(
                [pl.col("data_center_id"), pl.col("address")], separator=", ", ignore_nulls=True
            ).map_elements(lambda t: _epoch_dc_country(t, countries), return_dtype=pl.String),
        ).alias("country_name"),
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
        pl.lit(None, pl.String).alias("state_code"),
    )
    fac = facilities.select(
        ("fac:" + pl.col("facility_id")).alias("location_id"),
        pl.lit("fractracker_facility").alias("entity_type"),
        pl.col("facility_id").alias("entity_id"),
        pl.concat_str(
            [pl.col("address"), pl.col("city"), pl.col("state_code")], separator=", ", ignore_nulls=True
        ).alias("location_text"),
        pl.lit(USA).alias("country_name"),
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
        pl.col("state_code"),
    )
    locations = pl.concat([dep, edc, fac], how="vertical").cast(LOCATION_SCHEMA)
    # The location's own US state (FracTracker gives it; else read from the text), used for the
    # state energy price where the market spans several states (e.g. Memphis: TN|MS|AR).
    locations = locations.with_columns(
        pl.when(pl.col("state_code").is_not_null())
        .then(pl.col("state_code"))
        .when(pl.col("country_name").is_null() | (pl.col("country_name") == USA))
        .then(pl.col("location_text").map_elements(parse_us_state, return_dtype=pl.String))
        .alias("state_code")
    )

    matched = match_locations(
        locations.select("location_id", "location_text", "country_name", "latitude", "longitude", "state_code"),
        markets,
    ).select("location_id", "market_id", "match_method", "match_detail")

    return (
        locations.select("location_id", "entity_type", "entity_id", "country_name", "state_code")
        .join(matched, on="location_id", how="left")
        .with_columns(
            pl.col("market_id").fill_null("unassigned"),
            pl.col("match_method").fill_null("unassigned"),
        )
        .sort("location_id")
    )
