"""FracTracker Alliance's US data-center tracker, with its free-text MW parsed (in Python and in SQL)."""

from __future__ import annotations

import re

from transforms.ingest import Derived, RowCheck, SourceSpec
from transforms.sources.common import MAX_SITE_MW, _d, _f, _s

_MW_PATTERN = re.compile(
    r"^\s*(?P<gt>[>]?)\s*(?P<low>\d[\d,]*(?:\.\d+)?)\s*(?P<plus>\+?)\s*(?P<q>\??)\s*"
    r"(?:[-\u2013\u2014]\s*(?P<high>\d[\d,]*(?:\.\d+)?)\s*\+?\s*\??)?\s*$"
)


def parse_mw_text(text: str | None) -> tuple[float | None, float | None, bool]:
    """Parse FracTracker's free-text MW: ``'100'``, ``'100-200'``, ``'12–20'``, ``'1,000'``,
    ``'>3,000'`` or ``'50+'`` (a lower bound: high unknown), ``'176?'`` (uncertain).

    Returns (low, high, parsed). ``parsed`` is False for text that is not a capacity.
    """
    if text is None or not text.strip():
        return None, None, True
    m = _MW_PATTERN.match(text)
    if not m:
        return None, None, False
    low = float(m["low"].replace(",", ""))
    if m["high"]:
        return low, float(m["high"].replace(",", "")), True
    if m["gt"] or m["plus"]:
        return low, None, True
    return low, low, True


# The same pattern in SQL (RE2): FracTracker's MW text -> low, high; parsed is false for text that is
# not a capacity. parse_mw_text above is its Python twin (tests check they agree).
_MW_SQL = (
    r"^\s*(>?)\s*(\d[\d,]*(?:\.\d+)?)\s*(\+?)\s*(\??)\s*"
    r"(?:[-\x{2013}\x{2014}]\s*(\d[\d,]*(?:\.\d+)?)\s*\+?\s*\??)?\s*$"
)
_MW_PARTS = f"regexp_extract(mw_text, '{_MW_SQL}', ['gt', 'low', 'plus', 'q', 'high'])"
MW_DERIVED = (
    Derived("mw_low", f"try_cast(replace(nullif({_MW_PARTS}.low, ''), ',', '') as DOUBLE)", "float"),
    Derived(
        "mw_high",
        f"case when {_MW_PARTS}.high <> '' then try_cast(replace({_MW_PARTS}.high, ',', '') as DOUBLE) "
        f"when {_MW_PARTS}.gt <> '' or {_MW_PARTS}.plus <> '' then null "
        f"else try_cast(replace(nullif({_MW_PARTS}.low, ''), ',', '') as DOUBLE) end",
        "float",
    ),
    Derived("_mw_parsed", f"mw_text is null or trim(mw_text) = '' or regexp_full_match(mw_text, '{_MW_SQL}')", "bool"),
)


FRACTRACKER_FACILITIES = SourceSpec(
    table="fractracker_facilities",
    multiline=True,
    description="FracTracker Alliance US data-center tracker: one row per site",
    columns=(
        _s("facility_name", "facility_name", required=True),
        _s("address", "address"),
        _s("city", "city"),
        _s("state", "state", required=True),
        _s("zip", "zip"),
        _s("county", "county"),
        _f("latitude", "lat", "latitude", min=18, max=72),  # US incl. Alaska, Hawaii, Puerto Rico
        _f("longitude", "long", "longitude", min=-180, max=-64),
        _s(
            "status",
            "status",
            required=True,
            allowed=(
                "Operating",
                "Proposed",
                "Approved/Permitted/Under construction",
                "Expanding",
                "Cancelled",
                "Suspended",
                "Unknown",
                "Decommissioned",
            ),
        ),
        _s("location_confidence", "location_confidence"),
        _s("purpose", "purpose", optional=True),
        _s("operator_name", "operator_name"),
        _s("tenant", "tenant", optional=True),
        _s("mw_text", "mw"),
        _s("sizerank", "sizerank"),
        _s("project_cost", "project_cost", optional=True),
        _s("expected_date_online", "expected_date_online", optional=True),
        _d("date_created", "date_created", on_invalid="null"),
        _d("date_updated", "date_updated", on_invalid="null"),
        _s("source_url", "info_source_1", optional=True),
    ),
    ignored=(
        "power_source",
        "dedicated_power_plant",
        "number_of_generators",
        "number_of_buildings",
        "cooling_source",
        "cooling_type",
        "facility_size_sqft",
        "property_size_acres",
        "community_pushback",
        "advocacy_information",
        "resistance_status",
        "nda",
        "community_group_website_1",
        "community_group_website_2",
        "petition_url",
        "other_info",
        "information_source",
        "info_source_2",
        "info_source_3",
        "info_source_4",
        "info_source_5",
        "info_source_6",
        "info_source_7",
        "info_source_8",
    ),
    derived=MW_DERIVED,
    row_checks=(
        RowCheck("mw_text", "MW text is not a capacity ('100', '100-200', '>3,000', '50+')", "_mw_parsed"),
        RowCheck(
            "mw_text",
            "MW range is inverted (low above high)",
            "mw_high is null or mw_low <= mw_high",
        ),
        RowCheck(
            "mw_text",
            f"MW above the plausible maximum of {MAX_SITE_MW:,.0f}",
            f"greatest(mw_low, mw_high) <= {MAX_SITE_MW}",
        ),
        RowCheck(
            "latitude",
            "coordinates missing",
            "latitude is not null and longitude is not null",
            action="flag",
        ),
    ),
)
