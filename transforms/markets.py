"""Assign locations (AI deployments, facilities) to data-center markets.

Pure polars: no I/O, no Dagster. Called from a dbt-duckdb Python model with the
``raw.ref_markets`` table (``data/sources/reference/markets.csv``) and a frame of locations.

Matching rules, applied in order; the first that succeeds wins:

1. **coordinates**: explicit latitude/longitude columns, or coordinates parsed from the text
   (decimal pairs such as ``35.693709, -95.386957`` and DMS such as
   ``33°24'28.7"N 112°21'54.3"W``) -> the nearest ``metro`` or ``campus`` market whose
   ``match_radius_km`` contains the point (haversine distance).
2. **alias**: a market alias found on word boundaries in the accent-folded, lower-cased text.
   The longest alias wins (ties: higher tier, then market_id). A match must be consistent with
   what is known about the location: the market's ``country_name`` must equal the location's
   country, and for US markets with a ``state_code`` the location's state (``state_code`` column
   or parsed from the text) must be one of the market's states. So ``Paris, Texas`` never lands
   in Paris, France, and ``Dublin, OH`` never lands in Dublin, Ireland.
3. **state_rest**: a US state from the ``state_code`` column or parsed from the text
   (``..., TX 79601``, ``..., TX``, ``Texas``, ``Virginia``) -> ``us-<st>-other``.
4. **country**: the location's country (column, or a country alias of a
   ``country_rest`` market found in the text) -> ``<cc>-undisclosed``.
5. **none**: ``unassigned``.

Markets reference conventions (see SPEC "Markets reference"):

- ``aliases`` is a ``|``-separated list of lower-case strings; ``country_rest`` rows carry
  the country's own names (used for rule 4 only, never for rule 2).
- ``state_code`` may hold several ``|``-separated codes for a metro that straddles states
  (e.g. ``NY|NJ|CT``); the first is the primary state.

Tier assignment (documented here because the matcher's callers report by tier): the tier of a
market is data, stated with its basis in ``markets.csv``. Tier 1/2 come from published market
lists (CBRE North America Data Center Trends primary markets, CBRE Asia Pacific Tier 1 markets,
CBRE FLAP-D, Cushman & Wakefield Global Data Center Market Comparison) or figures in
``market_figures.csv``. Where the reference leaves a market's tier blank, dbt's
``int_markets__tiered`` applies the capacity fallback (the dbt vars ``tier_fallback_tier_1_min_mw``
and ``tier_fallback_tier_2_min_mw`` on the market's operational facility capacity) and says so in
``tier_basis``. Country buckets (``country_rest``) and ``unassigned`` are ``unknown``: never guessed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import polars as pl

from transforms.coordinates import DMS_IN_TEXT, dms_to_decimal
from transforms.vocabulary import TIERS

US_STATES: Final[dict[str, str]] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
"""US state (and DC) two-letter postal code -> English name."""

US_COUNTRY_NAME: Final[str] = "United States of America"
"""How Epoch spells the United States (the ``country_name`` of US markets)."""

# Epoch's data-center export spells some countries unlike its GPU-cluster table and the markets reference.
EPOCH_COUNTRY_ALIASES: Final[dict[str, str]] = {
    "United States": US_COUNTRY_NAME,
    "USA": US_COUNTRY_NAME,
    "United Kingdom": "United Kingdom of Great Britain and Northern Ireland",
    "South Korea": "Korea (Republic of)",
    "Philippines": "Philippines (the)",
}

UNASSIGNED_MARKET_ID: Final[str] = "unassigned"

MATCH_METHODS: Final[tuple[str, ...]] = ("coordinates", "alias", "state_rest", "country", "none")

_EARTH_RADIUS_KM: Final[float] = 6371.0088
_TIER_RANK: Final[dict[str, int]] = {tier: rank for rank, tier in enumerate(TIERS)}

_STATE_NAME_TO_CODE: Final[dict[str, str]] = {name.lower(): code for code, name in US_STATES.items()}

# "..., TX 79601" / "TX 79601-1234" / "..., TX" at the end of a clause.
_STATE_CODE_ZIP_RE: Final[re.Pattern[str]] = re.compile(r"\b([A-Z]{2})\s+\d{5}(?:-\d{4})?\b")
_STATE_CODE_COMMA_RE: Final[re.Pattern[str]] = re.compile(r",\s*([A-Z]{2})\s*(?=,|\.|;|\)|$)", re.MULTILINE)
# Full state names, longest first so "west virginia" beats "virginia"; a name followed by
# "county" or "city" ("Indiana County", "Kansas City", "Oklahoma City") is not a state mention.
_STATE_NAME_RE: Final[re.Pattern[str]] = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(n) for n in sorted(_STATE_NAME_TO_CODE, key=len, reverse=True))
    + r")(?!\w)(?!\s+(?:county|city|township|twp|avenue|ave|street|st|road|rd)\b)"
)
_DC_RE: Final[re.Pattern[str]] = re.compile(r"\bwashington,?\s*d\.?\s*c\.?(?!\w)|\bdistrict of columbia\b")

_DMS_RE: Final[re.Pattern[str]] = re.compile(DMS_IN_TEXT)
_DECIMAL_PAIR_RE: Final[re.Pattern[str]] = re.compile(
    r"(?<![\d.])(-?\d{1,2}\.\d{3,})\s*[,;]?\s+(-?\d{1,3}\.\d{3,})(?![\d.])"
    r"|(?<![\d.])(-?\d{1,2}\.\d{3,}),(-?\d{1,3}\.\d{3,})(?![\d.])"
)

_OUTPUT_SCHEMA: Final[dict[str, type[pl.DataType]]] = {
    "location_id": pl.String,
    "market_id": pl.String,
    "match_method": pl.String,
    "match_detail": pl.String,
}


def fold_text(text: str) -> str:
    """Lower-case, strip accents (NFKD) and collapse whitespace, for alias matching.

    Both the location text and the aliases go through this function, so an alias written
    ``jülich`` matches ``Jülich`` and ``Julich`` alike.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def parse_coordinates(text: str | None) -> tuple[float, float] | None:
    """Parse a (latitude, longitude) pair out of free text.

    Understands DMS (``33°24'28.7"N 112°21'54.3"W``, also degrees-minutes and decimal degrees
    with a hemisphere letter, in either order) and signed decimal pairs with at least three
    decimals (``35.693709, -95.386957``; latitude first). Returns ``None`` when the text holds
    no complete, in-range pair. Street numbers, postcodes and plus codes are not coordinates.

    >>> parse_coordinates("Muskogee, Oklahoma 35.693709, -95.386957")
    (35.693709, -95.386957)
    """
    if not text:
        return None
    lat: float | None = None
    lon: float | None = None
    for match in _DMS_RE.finditer(text):
        degrees, minutes, seconds, hemisphere = match.groups()
        value = dms_to_decimal(degrees, minutes, seconds, hemisphere)
        if hemisphere.upper() in ("N", "S") and lat is None:
            lat = value
        elif hemisphere.upper() in ("E", "W") and lon is None:
            lon = value
    if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
        return (lat, lon)
    for match in _DECIMAL_PAIR_RE.finditer(text):
        groups = match.groups()
        lat_text, lon_text = (groups[0], groups[1]) if groups[0] is not None else (groups[2], groups[3])
        lat_value, lon_value = float(lat_text), float(lon_text)
        if abs(lat_value) <= 90 and abs(lon_value) <= 180:
            return (lat_value, lon_value)
    return None


def parse_us_state(text: str | None) -> str | None:
    """Return the two-letter US state a free-text location names, or ``None``.

    Postal forms win (``Abilene, TX 79601``, ``Sweetwater, TX``); otherwise the last full state
    name (``Homer City, Indiana County, Pennsylvania`` -> ``PA``; ``Kansas City`` and
    ``Indiana County`` are not state mentions). ``Washington, DC`` is ``DC``.
    """
    if not text:
        return None
    for pattern in (_STATE_CODE_ZIP_RE, _STATE_CODE_COMMA_RE):
        codes = [m.group(1) for m in pattern.finditer(text) if m.group(1) in US_STATES]
        if codes:
            return codes[-1]
    folded = fold_text(text)
    if _DC_RE.search(folded):
        return "DC"
    names = [m.group(1) for m in _STATE_NAME_RE.finditer(folded)]
    return _STATE_NAME_TO_CODE[names[-1]] if names else None


@dataclass(frozen=True)
class _Market:
    market_id: str
    country_name: str | None
    states: frozenset[str]
    tier_rank: int


@dataclass(frozen=True)
class _MarketIndex:
    alias_re: re.Pattern[str] | None
    alias_markets: dict[str, list[_Market]]
    country_re: re.Pattern[str] | None
    country_alias_to_name: dict[str, str]
    country_bucket: dict[str, str]
    state_rest: dict[str, str]
    coordinate_markets: pl.DataFrame

    @classmethod
    def build(cls, markets: pl.DataFrame) -> _MarketIndex:
        alias_markets: dict[str, list[_Market]] = {}
        country_alias_to_name: dict[str, str] = {}
        country_bucket: dict[str, str] = {}
        state_rest: dict[str, str] = {}
        for row in markets.iter_rows(named=True):
            kind = row["market_kind"]
            market_id = row["market_id"]
            aliases = [fold_text(a) for a in (row.get("aliases") or "").split("|") if a.strip()]
            states = frozenset(s.strip().upper() for s in (row.get("state_code") or "").split("|") if s.strip())
            if kind == "country_rest":
                country_bucket[row["country_name"]] = market_id
                for alias in [fold_text(row["country_name"]), *aliases]:
                    country_alias_to_name.setdefault(alias, row["country_name"])
                continue
            if kind == "state_rest" and row.get("country_name") == US_COUNTRY_NAME and len(states) == 1:
                state_rest[next(iter(states))] = market_id
            if kind in ("metro", "edge", "campus", "state_rest"):
                market = _Market(
                    market_id=market_id,
                    country_name=row.get("country_name"),
                    states=states,
                    tier_rank=_TIER_RANK.get(row.get("market_tier") or "unknown", 4),
                )
                for alias in aliases:
                    alias_markets.setdefault(alias, []).append(market)
        coordinate_markets = _coordinate_markets(markets)
        return cls(
            alias_re=_lookahead_alternation(alias_markets),
            alias_markets=alias_markets,
            country_re=_lookahead_alternation(country_alias_to_name),
            country_alias_to_name=country_alias_to_name,
            country_bucket=country_bucket,
            state_rest=state_rest,
            coordinate_markets=coordinate_markets,
        )


def _lookahead_alternation(aliases: dict[str, object]) -> re.Pattern[str] | None:
    """One regex finding every alias at every start position (overlapping), longest first."""
    if not aliases:
        return None
    alternation = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?=((?:" + alternation + r"))(?!\w))")


def _coordinate_markets(markets: pl.DataFrame) -> pl.DataFrame:
    """The markets a point can fall in by its coordinates (metro, edge, campus with a centre and a radius)."""
    return markets.filter(
        pl.col("market_kind").is_in(["metro", "edge", "campus"])
        & pl.col("latitude").is_not_null()
        & pl.col("longitude").is_not_null()
        & pl.col("match_radius_km").is_not_null()
    ).select(
        pl.col("market_id").alias("_market_id"),
        pl.col("latitude").cast(pl.Float64).alias("_m_lat"),
        pl.col("longitude").cast(pl.Float64).alias("_m_lon"),
        pl.col("match_radius_km").cast(pl.Float64).alias("_m_radius"),
    )


def points_near_markets(points: pl.DataFrame, markets: pl.DataFrame, within_km: float) -> pl.DataFrame:
    """Every (point, market) pair whose distance is within the market's radius or within ``within_km``, by the
    matcher's own rule: the markets a point can fall in by coordinates (``_coordinate_markets``) and the same
    haversine distance. ``points`` has ``point_id``, ``latitude``, ``longitude``; the result has ``point_id``,
    ``market_id``, ``distance_km``, ``in_radius`` (inside the market's ``match_radius_km``, where rule 1 of
    ``match_locations`` would place it) and ``within_km`` (at most ``within_km`` from the market's centre). A
    point near two markets is in both: a measure of what lies near a market, not an assignment."""
    schema = {
        "point_id": pl.String,
        "market_id": pl.String,
        "distance_km": pl.Float64,
        "in_radius": pl.Boolean,
        "within_km": pl.Boolean,
    }
    centres = _coordinate_markets(markets)
    located = points.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    if located.is_empty() or centres.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        located.select(
            pl.col("point_id").cast(pl.String),
            pl.col("latitude").cast(pl.Float64).alias("_lat"),
            pl.col("longitude").cast(pl.Float64).alias("_lon"),
        )
        .join(centres, how="cross")
        .with_columns(_haversine_km(pl.col("_lat"), pl.col("_lon"), pl.col("_m_lat"), pl.col("_m_lon")).alias("d"))
        .filter((pl.col("d") <= pl.col("_m_radius")) | (pl.col("d") <= within_km))
        .select(
            "point_id",
            pl.col("_market_id").alias("market_id"),
            pl.col("d").alias("distance_km"),
            (pl.col("d") <= pl.col("_m_radius")).alias("in_radius"),
            (pl.col("d") <= within_km).alias("within_km"),
        )
        .sort("point_id", "market_id")
    )


def _haversine_km(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    to_rad = math.pi / 180.0
    dlat = (lat2 - lat1) * to_rad
    dlon = (lon2 - lon1) * to_rad
    a = (dlat / 2).sin().pow(2) + (lat1 * to_rad).cos() * (lat2 * to_rad).cos() * (dlon / 2).sin().pow(2)
    return 2 * _EARTH_RADIUS_KM * a.sqrt().arcsin()


def _match_by_coordinates(points: pl.DataFrame, index: _MarketIndex) -> dict[str, tuple[str, str]]:
    """location_id -> (market_id, detail) for points inside some market's radius (nearest wins)."""
    if points.is_empty() or index.coordinate_markets.is_empty():
        return {}
    nearest = (
        points.join(index.coordinate_markets, how="cross")
        .with_columns(_dist=_haversine_km(pl.col("_lat"), pl.col("_lon"), pl.col("_m_lat"), pl.col("_m_lon")))
        .filter(pl.col("_dist") <= pl.col("_m_radius"))
        .sort(["location_id", "_dist", "_market_id"])
        .unique(subset=["location_id"], keep="first", maintain_order=True)
    )
    return {
        loc: (market_id, f"{dist:.1f} km from market centre (radius {radius:g} km; {source})")
        for loc, market_id, dist, radius, source in nearest.select(
            "location_id", "_market_id", "_dist", "_m_radius", "_coord_source"
        ).iter_rows()
    }


def _best_alias(folded: str, country: str | None, state: str | None, index: _MarketIndex) -> tuple[str, str] | None:
    if index.alias_re is None:
        return None
    best: tuple[int, int, str, str] | None = None  # (-len, tier_rank, market_id, alias)
    for match in index.alias_re.finditer(folded):
        alias = match.group(1)
        for market in index.alias_markets[alias]:
            if country is not None and market.country_name is not None and market.country_name != country:
                continue
            if (
                state is not None
                and market.country_name == US_COUNTRY_NAME
                and market.states
                and state not in market.states
            ):
                continue
            key = (-len(alias), market.tier_rank, market.market_id, alias)
            if best is None or key < best:
                best = key
    return (best[2], best[3]) if best is not None else None


def _country_from_text(folded: str, index: _MarketIndex) -> str | None:
    if index.country_re is None:
        return None
    found = [m.group(1) for m in index.country_re.finditer(folded)]
    if not found:
        return None
    return index.country_alias_to_name[max(found, key=len)]


def match_locations(locations: pl.DataFrame, markets: pl.DataFrame) -> pl.DataFrame:
    """Assign every location to exactly one market.

    Args:
        locations: one row per location with columns ``location_id`` (str, unique),
            ``location_text`` (str|null), ``country_name`` (str|null, Epoch spelling),
            ``latitude`` / ``longitude`` (f64|null) and ``state_code`` (str|null, US postal code).
        markets: the markets reference (``markets.csv``): ``market_id``, ``country_name``,
            ``state_code``, ``latitude``, ``longitude``, ``market_tier``, ``market_kind``,
            ``match_radius_km``, ``aliases`` ('|'-separated).

    Returns:
        One row per input location, in input order: ``location_id``, ``market_id`` (never null;
        ``'unassigned'`` when nothing matches), ``match_method`` (``coordinates`` | ``alias`` |
        ``state_rest`` | ``country`` | ``none``) and ``match_detail`` (the evidence: distance,
        alias, state or country).
    """
    index = _MarketIndex.build(markets)
    locs = locations.select(
        pl.col("location_id").cast(pl.String),
        pl.col("location_text").cast(pl.String),
        pl.col("country_name").cast(pl.String),
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
        pl.col("state_code").cast(pl.String),
    )

    point_rows: list[tuple[str, float, float, str]] = []
    for loc_id, text, lat, lon in locs.select("location_id", "location_text", "latitude", "longitude").iter_rows():
        if lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon)):
            point_rows.append((loc_id, lat, lon, "coordinate columns"))
            continue
        parsed = parse_coordinates(text)
        if parsed is not None:
            point_rows.append((loc_id, parsed[0], parsed[1], "coordinates parsed from text"))
    points = pl.DataFrame(
        point_rows,
        schema={"location_id": pl.String, "_lat": pl.Float64, "_lon": pl.Float64, "_coord_source": pl.String},
        orient="row",
    )
    by_coordinates = _match_by_coordinates(points, index)

    out: list[tuple[str, str, str, str]] = []
    for loc_id, text, country, state_code in locs.select(
        "location_id", "location_text", "country_name", "state_code"
    ).iter_rows():
        if loc_id in by_coordinates:
            market_id, detail = by_coordinates[loc_id]
            out.append((loc_id, market_id, "coordinates", detail))
            continue
        folded = fold_text(text) if text else ""
        country = country.strip() if country and country.strip() else None
        if country is None and folded:
            country = _country_from_text(folded, index)
        state: str | None = None
        state_source = ""
        if state_code and state_code.strip().upper() in US_STATES and country in (None, US_COUNTRY_NAME):
            state, state_source = state_code.strip().upper(), "state_code column"
        elif country in (None, US_COUNTRY_NAME):
            state = parse_us_state(text)
            state_source = "parsed from text"
        if state is not None and country is None:
            country = US_COUNTRY_NAME

        alias_hit = _best_alias(folded, country, state, index) if folded else None
        if alias_hit is not None:
            out.append((loc_id, alias_hit[0], "alias", f"alias '{alias_hit[1]}'"))
        elif state is not None and state in index.state_rest:
            out.append((loc_id, index.state_rest[state], "state_rest", f"US state {state} ({state_source})"))
        elif country is not None and country in index.country_bucket:
            out.append((loc_id, index.country_bucket[country], "country", f"country '{country}'"))
        else:
            out.append((loc_id, UNASSIGNED_MARKET_ID, "none", "no coordinates, alias, US state or country"))
    return pl.DataFrame(out, schema=_OUTPUT_SCHEMA, orient="row")
