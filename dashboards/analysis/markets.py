"""fct_market_summary as several pages use it (Market tiers, Siting, Economics): the energy-price bases for
captions, and the places one can site in."""

from __future__ import annotations

import re

import polars as pl


def price_bases(summary: pl.DataFrame) -> str:
    """The kinds of energy price the markets carry (fct_market_summary.energy_price_basis without the
    geography), for captions: e.g. 'EIA industrial 2019 (98 markets); Ember wholesale 2024 mean (54)'."""
    kinds = (
        summary.filter(pl.col("energy_price_basis").is_not_null())
        .with_columns(
            kind=pl.col("energy_price_basis").str.replace(r"\s+[A-Z]{2}(-[A-Z]{2})?(\s+\(.*\))?$", "").str.strip_chars()
        )
        .group_by("kind")
        .agg(pl.len().alias("n"))
        .sort("n", descending=True)
    )
    missing = summary.filter(pl.col("energy_price_basis").is_null()).height
    parts = [f"{k} ({n} market{'s' if n != 1 else ''})" for k, n in kinds.iter_rows()]
    return (
        "Energy price: the price the marts cost deployments at (marts.fct_market_summary.energy_price_basis, "
        "reported, in USD/MWh): "
        + ("; ".join(parts) if parts else "none")
        + f"; {missing} markets have no price. Retail (EIA, US) and wholesale (Ember, Europe) are different "
        "bases: compare within a region."
    )


# Places that are not markets one can site in: a country's undisclosed rest and rows without a location.
NOT_SITEABLE_KINDS = ("country_rest", "unassigned")


def siteable(summary: pl.DataFrame) -> pl.DataFrame:
    return summary.filter(~pl.col("market_kind").is_in(NOT_SITEABLE_KINDS))


# What planned generation near a market is not: every page that shows it says so.
POWER_CAVEAT = (
    "It is announced new generation nearby, not deliverable power: transmission import limits (Northern Virginia's, "
    "for one) and behind-the-meter turbines built for a campus are outside it, and EIA-860M covers the US only."
)


def power_label(measure: dict[str, object]) -> str:
    """The measure's name as every page writes it: 'planned generation within 100 km (EIA-860M 2026-04)'.
    ``measure`` is dashboards.data.queries.power_measure() (near_km, release)."""
    if not measure:
        return "planned generation (no EIA-860M data in this warehouse)"
    return f"planned generation within {float(measure['near_km']):g} km ({measure['release']})"


# fct_market_summary's planned-generation columns carry their year in their name: the pages read the years from
# the columns the mart publishes rather than restate them.
POWER_COLUMN_PREFIX = "planned_generation_mw_100km_"


def power_columns(columns: list[str]) -> dict[int, str]:
    """{year: column} of the summary's planned-generation columns (cumulative to the end of that year), by year."""
    years = {
        int(c.removeprefix(POWER_COLUMN_PREFIX)): c for c in columns if re.fullmatch(POWER_COLUMN_PREFIX + r"\d{4}", c)
    }
    return dict(sorted(years.items()))


def power_column(columns: list[str]) -> tuple[int, str]:
    """The latest of them, (year, column): the one the Siting page scores and the ratio to the pipeline uses."""
    found = power_columns(columns)
    if not found:
        raise KeyError(f"no {POWER_COLUMN_PREFIX}<year> column in the market summary")
    year = max(found)
    return year, found[year]
