"""Tests for transforms.markets: the matcher rules on literal frames, and the shipped reference."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from transforms.markets import EPOCH_COUNTRY_ALIASES, US_STATES, match_locations, parse_coordinates, parse_us_state

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"
MARKETS_CSV = SOURCES / "reference" / "markets.csv"

MARKET_COLUMNS = [
    "market_id",
    "market_name",
    "country_code",
    "country_name",
    "state_code",
    "region",
    "latitude",
    "longitude",
    "market_tier",
    "is_urban",
    "market_kind",
    "match_radius_km",
    "aliases",
    "tier_basis",
    "source_url",
]
TIER_1_HUBS = {
    "Northern Virginia",
    "Dallas-Fort Worth",
    "Silicon Valley",
    "Chicago",
    "Phoenix",
    "Atlanta",
    "Hillsboro / Portland",
    "New York Tri-State",
    "London",
    "Frankfurt",
    "Amsterdam",
    "Paris",
    "Dublin",
    "Singapore",
    "Greater Tokyo",
}

US = "United States of America"


def _markets(rows: list[dict[str, object]]) -> pl.DataFrame:
    base: dict[str, object] = {
        "market_name": "",
        "country_code": None,
        "country_name": None,
        "state_code": None,
        "region": "Unknown",
        "latitude": None,
        "longitude": None,
        "market_tier": "tier_3",
        "is_urban": True,
        "market_kind": "metro",
        "match_radius_km": None,
        "aliases": None,
        "tier_basis": "test",
        "source_url": None,
    }
    return pl.DataFrame(
        [{**base, **r} for r in rows],
        schema={
            "market_id": pl.String,
            "market_name": pl.String,
            "country_code": pl.String,
            "country_name": pl.String,
            "state_code": pl.String,
            "region": pl.String,
            "latitude": pl.Float64,
            "longitude": pl.Float64,
            "market_tier": pl.String,
            "is_urban": pl.Boolean,
            "market_kind": pl.String,
            "match_radius_km": pl.Float64,
            "aliases": pl.String,
            "tier_basis": pl.String,
            "source_url": pl.String,
        },
    )


SMALL_MARKETS = _markets(
    [
        {
            "market_id": "fr-paris",
            "country_name": "France",
            "latitude": 48.86,
            "longitude": 2.35,
            "market_tier": "tier_1",
            "match_radius_km": 45.0,
            "aliases": "paris|orsay",
        },
        {
            "market_id": "us-phoenix",
            "country_name": US,
            "state_code": "AZ",
            "latitude": 33.45,
            "longitude": -112.07,
            "market_tier": "tier_1",
            "match_radius_km": 70.0,
            "aliases": "phoenix|goodyear",
        },
        {
            "market_id": "us-muskogee",
            "country_name": US,
            "state_code": "OK",
            "latitude": 35.72,
            "longitude": -95.38,
            "market_kind": "campus",
            "match_radius_km": 25.0,
            "aliases": "muskogee",
        },
        {
            "market_id": "us-des-moines",
            "country_name": US,
            "state_code": "IA",
            "latitude": 41.59,
            "longitude": -93.70,
            "match_radius_km": 40.0,
            "aliases": "des moines|west des moines",
        },
        {
            "market_id": "us-west-test",
            "country_name": US,
            "state_code": "IA",
            "latitude": 41.0,
            "longitude": -95.0,
            "match_radius_km": 10.0,
            "aliases": "west",
        },
        {
            "market_id": "us-tx-other",
            "country_name": US,
            "state_code": "TX",
            "market_kind": "state_rest",
            "latitude": 31.5,
            "longitude": -99.3,
        },
        {
            "market_id": "us-ok-other",
            "country_name": US,
            "state_code": "OK",
            "market_kind": "state_rest",
            "latitude": 35.6,
            "longitude": -97.5,
        },
        {
            "market_id": "fr-undisclosed",
            "country_name": "France",
            "market_kind": "country_rest",
            "market_tier": "unknown",
            "latitude": 46.6,
            "longitude": 2.4,
        },
        {
            "market_id": "us-undisclosed",
            "country_name": US,
            "market_kind": "country_rest",
            "market_tier": "unknown",
            "latitude": 39.8,
            "longitude": -98.6,
            "aliases": "usa|united states",
        },
        {
            "market_id": "unassigned",
            "market_kind": "unassigned",
            "market_tier": "unknown",
        },
    ]
)


def _locations(rows: list[dict[str, object]]) -> pl.DataFrame:
    base: dict[str, object] = {
        "location_text": None,
        "country_name": None,
        "latitude": None,
        "longitude": None,
        "state_code": None,
    }
    return pl.DataFrame(
        [{**base, **r} for r in rows],
        schema={
            "location_id": pl.String,
            "location_text": pl.String,
            "country_name": pl.String,
            "latitude": pl.Float64,
            "longitude": pl.Float64,
            "state_code": pl.String,
        },
    )


def _match_one(markets: pl.DataFrame = SMALL_MARKETS, **location: object) -> dict[str, str]:
    result = match_locations(_locations([{"location_id": "x", **location}]), markets)
    assert result.height == 1
    return result.row(0, named=True)


# --- parsing -----------------------------------------------------------------------------


def test_parse_coordinates_decimal_pair() -> None:
    assert parse_coordinates("Muskogee, Oklahoma 35.693709, -95.386957") == (35.693709, -95.386957)


def test_parse_coordinates_dms() -> None:
    parsed = parse_coordinates("33°24'28.7\"N 112°21'54.3\"W Goodyear, Arizona, USA")
    assert parsed is not None
    assert parsed[0] == pytest.approx(33.40797, abs=1e-4)
    assert parsed[1] == pytest.approx(-112.36508, abs=1e-4)


def test_parse_coordinates_dms_southern_eastern_hemispheres() -> None:
    parsed = parse_coordinates("12°30'00\"S 130°15'00\"E")
    assert parsed == pytest.approx((-12.5, 130.25))


@pytest.mark.parametrize(
    "text",
    [
        "5502 Spinks Rd, Abilene, TX 79601",
        "M39X+XG, Mt Pleasant, WI 53177",
        "Bom Retiro, Eldorado do Sul, 92990-000, Brazil",
        "1.5 GW campus",
        None,
        "",
    ],
)
def test_parse_coordinates_rejects_non_coordinates(text: str | None) -> None:
    assert parse_coordinates(text) is None


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("5502 Spinks Rd, Abilene, TX 79601", "TX"),
        ("Sweetwater, TX", "TX"),
        ("Virginia", "VA"),
        ("Homer City, Indiana County, Pennsylvania", "PA"),
        ("Charleston, West Virginia", "WV"),
        ("Kansas City, USA", None),
        ("Abu Dhabi, United Arab Emirates", None),
    ],
)
def test_parse_us_state(text: str, state: str | None) -> None:
    assert parse_us_state(text) == state


def test_us_states_mapping() -> None:
    assert US_STATES["TX"] == "Texas"
    assert len(US_STATES) == 51  # 50 states and DC


# --- rules ---------------------------------------------------------------------------------


def test_coordinate_columns_match_nearest_market_in_radius() -> None:
    row = _match_one(latitude=33.41, longitude=-112.36, location_text="somewhere")
    assert (row["market_id"], row["match_method"]) == ("us-phoenix", "coordinates")
    assert "km" in row["match_detail"]


def test_coordinates_parsed_from_text_decimal() -> None:
    row = _match_one(location_text="Muskogee, Oklahoma 35.693709, -95.386957", country_name=US)
    assert (row["market_id"], row["match_method"]) == ("us-muskogee", "coordinates")


def test_coordinates_parsed_from_text_dms() -> None:
    row = _match_one(location_text="33°24'28.7\"N 112°21'54.3\"W", country_name=US)
    assert (row["market_id"], row["match_method"]) == ("us-phoenix", "coordinates")


def test_coordinates_outside_every_radius_fall_through_to_state() -> None:
    row = _match_one(latitude=31.0, longitude=-100.0, state_code="TX", location_text="Nowhere, TX")
    assert (row["market_id"], row["match_method"]) == ("us-tx-other", "state_rest")


def test_alias_on_word_boundaries_only() -> None:
    # 'paris' inside 'Parisian' or 'comparison' is not an alias hit.
    row = _match_one(location_text="Parisian comparison lab", country_name="France")
    assert (row["market_id"], row["match_method"]) == ("fr-undisclosed", "country")
    row = _match_one(location_text="Campus d'Orsay, 91403 Orsay, France", country_name="France")
    assert (row["market_id"], row["match_method"]) == ("fr-paris", "alias")


def test_paris_texas_is_not_paris_france() -> None:
    texas = _match_one(location_text="Paris, Texas")
    assert texas["market_id"] == "us-tx-other"
    assert texas["match_method"] == "state_rest"
    texas_with_country = _match_one(location_text="Paris, TX 75460", country_name=US)
    assert texas_with_country["market_id"] == "us-tx-other"
    france = _match_one(location_text="Paris, France", country_name="France")
    assert (france["market_id"], france["match_method"]) == ("fr-paris", "alias")
    france_without_country = _match_one(location_text="Paris, France")
    assert france_without_country["market_id"] == "fr-paris"


def test_longest_alias_wins() -> None:
    # 'west' (us-west-test) and 'west des moines' both occur; the longer alias wins.
    row = _match_one(location_text="West Des Moines, Iowa", country_name=US)
    assert row["market_id"] == "us-des-moines"
    assert row["match_detail"] == "alias 'west des moines'"
    # Without the longer alias the short one is found, so the test above can fail.
    row = _match_one(location_text="West Street, Iowa", country_name=US)
    assert row["market_id"] == "us-west-test"


def test_alias_rejected_when_state_disagrees() -> None:
    # 'phoenix' with state OK is not the Arizona market.
    row = _match_one(location_text="Phoenix Rd, Tulsa, OK 74101", country_name=US)
    assert (row["market_id"], row["match_method"]) == ("us-ok-other", "state_rest")


def test_state_fallback_from_text_and_from_column() -> None:
    row = _match_one(location_text="Texas", country_name=US)
    assert (row["market_id"], row["match_method"]) == ("us-tx-other", "state_rest")
    row = _match_one(location_text="1 Main St", state_code="tx", country_name=US)
    assert (row["market_id"], row["match_method"]) == ("us-tx-other", "state_rest")


def test_state_not_parsed_outside_the_us() -> None:
    # 'WA' here is Western Australia; the country is known and has no bucket in SMALL_MARKETS.
    row = _match_one(location_text="1 Bryce Ave, Kensington, WA, Australia", country_name="Australia")
    assert (row["market_id"], row["match_method"]) == ("unassigned", "none")


def test_country_fallback() -> None:
    row = _match_one(location_text="Southern France", country_name="France")
    assert (row["market_id"], row["match_method"]) == ("fr-undisclosed", "country")
    row = _match_one(location_text="United States of America", country_name=US)
    assert (row["market_id"], row["match_method"]) == ("us-undisclosed", "country")
    # Country read from the text when the column is empty.
    row = _match_one(location_text="somewhere in the USA")
    assert (row["market_id"], row["match_method"]) == ("us-undisclosed", "country")


def test_unassigned_when_nothing_matches() -> None:
    for location in ({"location_text": "Europe"}, {"location_text": None}, {"location_text": "The Nordics"}):
        row = _match_one(**location)
        assert (row["market_id"], row["match_method"]) == ("unassigned", "none")


def test_one_row_per_location_in_input_order_never_null() -> None:
    locations = _locations(
        [
            {"location_id": "b", "location_text": "Paris, France", "country_name": "France"},
            {"location_id": "a"},
            {"location_id": "c", "latitude": 33.45, "longitude": -112.07},
        ]
    )
    result = match_locations(locations, SMALL_MARKETS)
    assert result.columns == ["location_id", "market_id", "match_method", "match_detail"]
    assert result["location_id"].to_list() == ["b", "a", "c"]
    assert result["market_id"].null_count() == 0
    assert set(result["match_method"]) <= {"coordinates", "alias", "state_rest", "country", "none"}


# --- shipped reference files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def markets() -> pl.DataFrame:
    return pl.read_csv(MARKETS_CSV, infer_schema_length=0).with_columns(
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
        pl.col("match_radius_km").cast(pl.Float64),
    )


@pytest.fixture(scope="module")
def clusters() -> pl.DataFrame:
    return pl.read_csv(SOURCES / "epoch" / "gpu_clusters.csv", infer_schema_length=0)


def test_markets_csv_is_well_formed(markets: pl.DataFrame, clusters: pl.DataFrame) -> None:
    assert markets.columns == MARKET_COLUMNS
    assert markets["market_id"].is_unique().all()
    assert set(markets["market_tier"]) <= {"tier_1", "tier_2", "tier_3", "unclassified", "unknown", None}
    # Every metro is tiered by a cited broker or industry list, or shown as unclassified: none falls to a
    # tier only because no list names it.
    metros = markets.filter(pl.col("market_kind") == "metro")
    uncited = metros.filter(
        pl.col("tier_basis").str.contains("not named by the design")
        | (pl.col("market_tier").is_null())
        | (
            (pl.col("market_tier") == "unclassified")
            & ~pl.col("tier_basis").str.contains(
                "no broker or industry list found that classifies it; shown as unclassified", literal=True
            )
        )
    )
    assert uncited.is_empty(), uncited.select("market_id", "market_tier", "tier_basis")
    assert {"us-philadelphia", "jp-nagoya"} <= set(metros.filter(pl.col("market_tier") == "unclassified")["market_id"])
    tier_of = dict(metros.select("market_id", "market_tier").iter_rows())
    # CBRE charts Seattle among its secondary markets; Cushman & Wakefield names Kansas City (2024) and
    # Vancouver (2020) emerging markets, and its EMEA Maturity Index Riyadh and Barcelona developing ones.
    assert (tier_of["us-seattle"], tier_of["us-kansas-city"], tier_of["ca-vancouver"]) == ("tier_2", "tier_3", "tier_3")
    assert (tier_of["sa-riyadh"], tier_of["es-barcelona"]) == ("tier_2", "tier_2")
    assert tier_of["my-kuala-lumpur"] == "tier_2"
    # A blank tier is a market no list names: int_markets__tiered tiers it by the capacity fallback,
    # and its tier_basis says so.
    blank = markets.filter(pl.col("market_tier").is_null())
    assert blank["tier_basis"].str.contains("capacity fallback").all(), blank.select("market_id", "tier_basis")
    assert set(markets["region"]) <= {
        "North America",
        "Latin America",
        "Europe",
        "Middle East & Africa",
        "Asia Pacific",
        "Unknown",
    }
    assert set(markets["market_kind"]) <= {"metro", "edge", "campus", "state_rest", "country_rest", "unassigned"}
    # Edge cities are tier 3 and urban; single-operator campuses tier 3 and not urban. Both by the
    # design's definition of tier 3, set in this file: no basis claims a fallback tiered them.
    assert not markets["tier_basis"].str.contains("capacity-threshold fallback|documented fallback").any()
    outside_metros = markets.filter(pl.col("market_kind").is_in(["edge", "campus", "state_rest"]))
    assert outside_metros["tier_basis"].str.contains("set in this file", literal=True).all()
    edge = markets.filter(pl.col("market_kind") == "edge")
    assert set(edge["market_tier"]) == {"tier_3"} and set(edge["is_urban"]) == {"true"}
    campus = markets.filter(pl.col("market_kind") == "campus")
    assert set(campus["market_tier"]) == {"tier_3"} and set(campus["is_urban"]) == {"false"}
    assert set(markets["is_urban"]) <= {"true", "false"}
    assert markets.filter(pl.col("tier_basis").fill_null("").str.strip_chars() == "").is_empty()
    tier_1 = set(markets.filter(pl.col("market_tier") == "tier_1")["market_name"])
    assert tier_1 >= TIER_1_HUBS, TIER_1_HUBS - tier_1
    # Only the unassigned row lacks coordinates; metros and campuses have a radius.
    located = markets.filter(pl.col("market_kind") != "unassigned")
    assert located["latitude"].null_count() == 0 and located["longitude"].null_count() == 0
    points = markets.filter(pl.col("market_kind").is_in(["metro", "edge", "campus"]))
    assert points["match_radius_km"].null_count() == 0
    # Aliases are lower case.
    aliases = markets["aliases"].drop_nulls()
    assert (aliases == aliases.str.to_lowercase()).all()
    # Country buckets: one per country of the deployments, tier unknown, Epoch spelling.
    buckets = markets.filter(pl.col("market_kind") == "country_rest")
    assert set(buckets["market_tier"]) == {"unknown"}
    assert set(clusters["Country"].drop_nulls()) <= set(buckets["country_name"])
    for row in buckets.iter_rows(named=True):
        assert row["market_id"] == f"{row['country_code'].lower()}-undisclosed"
    # State rest markets: tier 3 set in this file (the non-metro remainder of a state), not urban.
    rest = markets.filter(pl.col("market_kind") == "state_rest")
    assert set(rest["market_tier"]) == {"tier_3"} and set(rest["is_urban"]) == {"false"}
    unassigned = markets.filter(pl.col("market_id") == "unassigned").row(0, named=True)
    assert (unassigned["market_kind"], unassigned["market_tier"], unassigned["region"]) == (
        "unassigned",
        "unknown",
        "Unknown",
    )


PUBLISHERS = ("CBRE", "Cushman & Wakefield", "C&W", "JLL", "Knight Frank", "datacenterHawk")
UNCLASSIFIED_BASIS = "no broker or industry list found that classifies it; shown as unclassified"


def test_every_metro_is_tiered_by_a_cited_list_or_unclassified(markets: pl.DataFrame) -> None:
    """A metro's tier comes from a published broker or industry list (named in tier_basis, with its
    source_url), or the metro is 'unclassified' and says no list was found: never a tier only because
    no list names it, nor one resting on the project's own design notes."""
    metros = markets.filter(pl.col("market_kind") == "metro")
    assert metros["market_tier"].null_count() == 0
    for row in metros.iter_rows(named=True):
        basis = row["tier_basis"]
        assert not re.search(r"not named by|design'?s? tier list|team assignment", basis, re.IGNORECASE), row
        if row["market_tier"] == "unclassified":
            assert UNCLASSIFIED_BASIS in basis, row
        else:
            assert row["market_tier"] in {"tier_1", "tier_2", "tier_3"}, row
            assert any(p in basis for p in PUBLISHERS), row
            assert (row["source_url"] or "").startswith("http"), row


def test_figures_cited_in_tier_basis_exist_in_market_figures(markets: pl.DataFrame) -> None:
    figures = pl.read_csv(SOURCES / "reference" / "market_figures.csv", infer_schema_length=0)
    values = {float(v) for v in figures["value"]}
    cited = 0
    for basis in markets["tier_basis"]:
        # Figures, not the fallback thresholds (">= 1,000 MW").
        for number in re.findall(r"(?<!>= )(?<![\d,.])(\d[\d,]*(?:\.\d+)?) MW", basis):
            cited += 1
            assert float(number.replace(",", "")) in values, (number, basis)
    assert cited >= 10


def _deployment_locations(clusters: pl.DataFrame) -> pl.DataFrame:
    return clusters.select(
        pl.int_range(pl.len()).cast(pl.String).alias("location_id"),
        pl.col("Location").alias("location_text"),
        pl.col("Country").alias("country_name"),
        pl.lit(None, pl.Float64).alias("latitude"),
        pl.lit(None, pl.Float64).alias("longitude"),
        pl.lit(None, pl.String).alias("state_code"),
    )


def test_deployment_power_lands_in_markets(markets: pl.DataFrame, clusters: pl.DataFrame) -> None:
    result = match_locations(_deployment_locations(clusters), markets)
    assert result.height == clusters.height
    joined = pl.concat(
        [
            clusters.select(
                "Name",
                "Location",
                "Country",
                pl.col("Power Capacity (MW)").str.replace_all(",", "").cast(pl.Float64, strict=False).alias("mw"),
            ),
            result,
        ],
        how="horizontal",
    )
    known = joined.filter(pl.col("Location").is_not_null() | pl.col("Country").is_not_null())
    total = known["mw"].sum()
    matched = known.filter(pl.col("market_id") != "unassigned")["mw"].sum()
    assert total > 50_000  # sanity: the snapshot holds ~56 GW of deployments with a location
    assert matched / total >= 0.95, f"only {matched / total:.1%} of deployment MW matched"
    # xAI's Colossus campus is a market of its own, split from the Memphis edge city.
    memphis = joined.filter(pl.col("Name") == "xAI Colossus Memphis Phase 1")
    assert memphis.height == 1 and memphis["market_id"][0] == "us-memphis-xai-colossus"
    assert set(result["market_id"]) <= set(markets["market_id"])


def test_every_fractracker_facility_with_coordinates_gets_a_market(markets: pl.DataFrame) -> None:
    facilities = pl.read_csv(SOURCES / "fractracker" / "us_datacenters.csv", infer_schema_length=0)
    locations = facilities.select(
        pl.int_range(pl.len()).cast(pl.String).alias("location_id"),
        pl.concat_str([pl.col("address"), pl.col("city"), pl.col("state")], separator=", ", ignore_nulls=True).alias(
            "location_text"
        ),
        pl.lit(US).alias("country_name"),
        pl.col("lat").cast(pl.Float64, strict=False).alias("latitude"),
        pl.col("long").cast(pl.Float64, strict=False).alias("longitude"),
        pl.col("state").alias("state_code"),
    ).filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    assert locations.height > 1_000
    result = match_locations(locations, markets)
    assert result.filter(pl.col("market_id") == "unassigned").is_empty()
    assert set(result["market_id"]) <= set(markets["market_id"])
    # Ashburn sits in Northern Virginia by coordinates.
    ashburn = result.join(locations, on="location_id").filter(
        pl.col("location_text").str.contains("(?i)ashburn") & (pl.col("state_code") == "VA")
    )
    assert ashburn.height > 0 and set(ashburn["market_id"]) == {"us-northern-virginia"}


def test_epoch_frontier_data_centers_land_in_named_markets(markets: pl.DataFrame) -> None:
    """Epoch's 2026 export gives an address and a country, no coordinates: the campus is placed the
    way int_locations__matched_to_markets places it (name + address text, the address's US state)."""
    centers = pl.read_csv(SOURCES / "epoch" / "data_centers.csv", infer_schema_length=0)
    assert "Latitude" not in centers.columns and {"Name", "Address", "Country"} <= set(centers.columns)
    text = pl.concat_str([pl.col("Name"), pl.col("Address")], separator=", ", ignore_nulls=True)
    locations = centers.select(
        pl.col("Name").alias("location_id"),
        text.alias("location_text"),
        pl.col("Country").replace(EPOCH_COUNTRY_ALIASES).alias("country_name"),
        pl.lit(None, pl.Float64).alias("latitude"),
        pl.lit(None, pl.Float64).alias("longitude"),
        text.map_elements(parse_us_state, return_dtype=pl.String).alias("state_code"),
    )
    result = match_locations(locations, markets).join(markets.select("market_id", "market_kind"), on="market_id")
    assert result.height == centers.height
    assert result.filter(pl.col("market_id") == "unassigned").is_empty(), result.filter(
        pl.col("market_id") == "unassigned"
    )
    current_mw = pl.col("Current power (MW)").cast(pl.Float64, strict=False)
    power = result.join(centers.select(pl.col("Name").alias("location_id"), current_mw), on="location_id")
    placed = power.filter(pl.col("market_kind").is_in(["metro", "campus", "edge"]))["Current power (MW)"].sum()
    assert placed / power["Current power (MW)"].sum() >= 0.6
    colossus = result.filter(pl.col("location_id").is_in(["Colossus 1", "Colossus 2"]))
    assert set(colossus["market_id"]) == {"us-memphis-xai-colossus"}
