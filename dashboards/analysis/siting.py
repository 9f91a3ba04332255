"""Siting: markets ranked for a workload by weighted components, and each score explained."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from dashboards.analysis.markets import power_column


@dataclass(frozen=True)
class SitingWeights:
    energy_price: float
    operating_capacity: float
    pipeline_capacity: float
    tier: float
    urban: float
    power_availability: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


# Dashboard defaults (assumptions, adjustable on the page): training chases cheap, abundant power and
# room to grow; inference sits near users in connected metros (the seed report's thesis). Power availability
# (planned generation near the market, EIA-860M) weighs most for training, which needs the most MW at one site.
DEFAULT_WEIGHTS = {
    "training": SitingWeights(
        energy_price=0.30,
        operating_capacity=0.10,
        pipeline_capacity=0.20,
        tier=0.15,
        urban=0.0,
        power_availability=0.25,
    ),
    "inference": SitingWeights(
        energy_price=0.20,
        operating_capacity=0.25,
        pipeline_capacity=0.10,
        tier=0.20,
        urban=0.15,
        power_availability=0.10,
    ),
}
# A market outside EIA-860M's coverage (outside the US) scores this on power: unknown is not none.
POWER_UNKNOWN_SCORE = 0.5
TIER_FIT = {
    "training": {"tier_3": 1.0, "tier_2": 0.7, "tier_1": 0.4, "unclassified": 0.2, "unknown": 0.2},
    "inference": {"tier_1": 1.0, "tier_2": 0.8, "tier_3": 0.4, "unclassified": 0.2, "unknown": 0.2},
}


def _percentile(expr: pl.Expr) -> pl.Expr:
    """0 for the lowest value, 1 for the highest, by rank (an outlier such as Hawaii's power price
    does not squash every other market together, as a min-max scale would)."""
    n = expr.count()
    return pl.when(n > 1).then((expr.rank("average") - 1) / (n - 1)).otherwise(0.5)


def _minmax(expr: pl.Expr) -> pl.Expr:
    span = expr.max() - expr.min()
    return pl.when(span > 0).then((expr - expr.min()) / span).otherwise(0.5)


def siting_scores(table: pl.DataFrame, workload: str, weights: SitingWeights) -> pl.DataFrame:
    """Rank markets (rows of fct_market_summary) for ``workload``: each component scaled 0-1,
    weighted, summed to 0-100.

    Components: energy price (percentile rank, cheaper scores higher; no price scores 0),
    capacity in operation and in the pipeline (log-scaled MW, high estimate), tier fit for the
    workload, urban proximity to demand, and power availability (planned generation within N km by
    the latest year the summary publishes, log-scaled MW among the markets that have a figure; a market outside
    EIA-860M's coverage
    scores POWER_UNKNOWN_SCORE).
    """
    w = weights.as_dict()
    total_w = sum(w.values()) or 1.0
    scored = table.with_columns(
        s_energy_price=(1 - _percentile(pl.col("energy_price_usd_mwh"))).fill_null(0.0),
        s_operating_capacity=_minmax(pl.col("operational_mw_high").fill_null(0.0).log1p()),
        s_pipeline_capacity=_minmax(pl.col("pipeline_mw_high").fill_null(0.0).log1p()),
        s_tier=pl.col("market_tier").replace_strict(TIER_FIT[workload], default=0.2, return_dtype=pl.Float64),
        s_urban=pl.col("is_urban").cast(pl.Float64).fill_null(0.0),
        s_power_availability=_minmax(pl.col(power_column(table.columns)[1]).log1p()).fill_null(POWER_UNKNOWN_SCORE),
    )
    parts = [pl.col(f"s_{k}") * (v / total_w) * 100 for k, v in w.items()]
    scored = scored.with_columns(
        [(pl.col(f"s_{k}") * (v / total_w) * 100).alias(f"pts_{k}") for k, v in w.items()]
    ).with_columns(score=pl.sum_horizontal(parts))
    return scored.sort("score", "market_name", descending=[True, False]).with_columns(
        rank=pl.int_range(1, pl.len() + 1)
    )


def explain_score(
    row: dict[str, object], weights: SitingWeights, power_label: str = "planned generation within 100 km"
) -> str:
    """One sentence per market: what each component contributed and why (``power_label``: markets.power_label)."""
    price = row.get("energy_price_usd_mwh")
    price_txt = f"${price:,.0f}/MWh" if isinstance(price, (int, float)) and not math.isnan(price) else "no price"
    return (
        f"{row['market_name']}: {row['score']:.0f}/100 = "
        f"energy {row['pts_energy_price']:.0f} ({price_txt}) + "
        f"operating {row['pts_operating_capacity']:.0f} ({row['operational_mw_high'] or 0:,.0f} MW) + "
        f"pipeline {row['pts_pipeline_capacity']:.0f} ({row['pipeline_mw_high'] or 0:,.0f} MW) + "
        f"tier {row['pts_tier']:.0f} ({row['market_tier']}) + "
        f"urban {row['pts_urban']:.0f} ({'urban' if row.get('is_urban') else 'not urban'}) + "
        f"power {row['pts_power_availability']:.0f} ({_power_text(row, power_label)})" + _coverage_note(row)
    )


def _power_text(row: dict[str, object], power_label: str) -> str:
    year, column = power_column(list(row))
    mw = row.get(column)
    if mw is None:
        return "outside EIA-860M's coverage: scored as unknown"
    return f"{mw:,.0f} MW {power_label} by {year}, not deliverable power"


def _coverage_note(row: dict[str, object]) -> str:
    """Where the tracked capacity is under half the broker's inventory, the capacity terms understate the market."""
    if row.get("capacity_coverage_class") != "below_half":
        return ""
    coverage, broker = row.get("capacity_coverage"), row.get("broker_inventory_mw")
    return (
        f"; capacity incomplete: the tracked sites hold {coverage:.0%} of the broker's {broker:,.0f} MW, so its "
        "capacity points understate it"
    )
