"""The warehouse's vocabulary, in one place: the values the marts' category columns take (dbt's accepted_values
tests hold the same lists in the models' yml), read by the source specs, the market matcher, the forecast and the
dashboard."""

from __future__ import annotations

from typing import Final

# marts.*.region
REGIONS: Final[tuple[str, ...]] = (
    "North America",
    "Latin America",
    "Europe",
    "Middle East & Africa",
    "Asia Pacific",
    "Unknown",
)
# marts.*.market_tier, best first: the three published tiers, a metro no list classifies, and no market at all
TIERS: Final[tuple[str, ...]] = ("tier_1", "tier_2", "tier_3", "unclassified", "unknown")
KNOWN_TIERS: Final[tuple[str, ...]] = TIERS[:3]
# marts.*.market_kind: places one can site in, then a state's or a country's rest and rows with no location
MARKET_KINDS: Final[tuple[str, ...]] = ("metro", "edge", "campus", "state_rest", "country_rest", "unassigned")
# marts.*.workload: training and inference are AI demand; hpc (scientific and industrial supercomputers) is carried
# apart
AI_WORKLOADS: Final[tuple[str, ...]] = ("training", "inference")
HPC: Final[str] = "hpc"
WORKLOADS: Final[tuple[str, ...]] = (*AI_WORKLOADS, HPC)
