"""The source tables dcpulse ingests: their columns, types and validation rules.

Each ``SourceSpec`` names the raw table (schema ``raw``) and lists every column with the header
names the publisher has used for it, so a renamed column in a new release is mapped explicitly
rather than silently dropped. Bounds are plausibility limits, each with its reason below; a value
outside them is quarantined with the reason, never clipped.
"""

from __future__ import annotations

import re

from transforms.eia861m import workbook_to_csv
from transforms.ingest import Column, Derived, LookupCheck, ParentCheck, RowCheck, SourceSpec
from transforms.params import param

# Plausibility limits (each is a named parameter with its reason).
MAX_SITE_MW = float(param("max_site_mw"))  # one home: dbt var max_site_mw (with its reason)
MAX_ACCELERATORS = 10_000_000.0  # Epoch's largest plan (xAI, 2030) is ~50M H100e but few chips; 10M chips
MAX_H100E = 100_000_000.0  # xAI's stated 2030 goal is 50M H100e; twice that is implausible
MAX_TDP_W = 30_000.0  # Cerebras CS-3 is a ~23 kW wafer-scale system; nothing in the dataset is above
MAX_PRICE_CENTS_KWH = 200.0  # EIA state averages stay below ~45 c/kWh (Hawaii); 200 is a typo
WHOLESALE_EUR_MWH = (-500.0, 4_000.0)  # day-ahead prices, hourly or monthly; EU market floor -500, cap 4,000
GPU_HOUR_USD = (0.01, 200.0)  # per GPU-hour list price; a GB200/B300 is < $20; above 200 is a typo
# A cloud price more than this factor away from the median of the same accelerator is an outlier
# (assumption: list prices of one model spread ~3x across providers in the shipped catalog).
PRICE_OUTLIER_FACTOR = 5.0


_UNKNOWN_CHIP_FLAG = (
    "unknown GPU model {value!r}: not in reference/gpu_models.csv; the row loads and its "
    "power falls back to the reported MW or H100-equivalents"
)
_UNKNOWN_CHIP_REJECT = "unknown GPU model {value!r}: not in reference/gpu_models.csv"


def _s(name: str, *source: str, **kw: object) -> Column:
    return Column(name, source or (name,), "str", **kw)  # type: ignore[arg-type]


def _f(name: str, *source: str, **kw: object) -> Column:
    return Column(name, source or (name,), "float", **kw)  # type: ignore[arg-type]


def _d(name: str, *source: str, **kw: object) -> Column:
    return Column(name, source or (name,), "date", **kw)  # type: ignore[arg-type]


# Derived columns of the GPU-cluster table. source_urls: Source 1..5 joined with ' | '. planned_year:
# the year Epoch's date note gives for a planned cluster ('Planned 2026', 'Planned H2 2026', 'Planned Q1
# 2028', 'Planned 2029-02'); its First Operational Date is empty for nearly every planned row.
CLUSTER_DERIVED = (
    Derived("source_urls", "concat_ws(' | ', source_1, source_2, source_3, source_4, source_5)"),
    Derived(
        "planned_year",
        "try_cast(nullif(regexp_extract(first_operational_date_note, '(?i)planned.*?\\b((?:19|20)\\d{2})\\b', 1), '')"
        " as INTEGER)",
        "int",
    ),
)


EPOCH_GPU_CLUSTERS = SourceSpec(
    table="epoch_gpu_clusters",
    description="Epoch AI GPU clusters: one row per cluster or cluster phase",
    exact_duplicates="flag",
    multiline=True,
    derived=CLUSTER_DERIVED,
    columns=(
        _s("name", "Name", required=True),
        _s("status", "Status", required=True, allowed=("Existing", "Planned", "Decommissioned")),
        _s("certainty", "Certainty"),
        _s("single_cluster", "Single cluster?"),
        _f("h100_equivalents", "H100 equivalents", min=0, max=MAX_H100E),
        _s("chip_type_primary", "Chip type (primary)"),
        _f("chip_quantity_primary", "Chip quantity (primary)", min=0, max=MAX_ACCELERATORS, thousands=True),
        _s("chip_type_secondary", "Chip type (secondary)", optional=True),
        _f(
            "chip_quantity_secondary",
            "Chip quantity (secondary)",
            min=0,
            max=MAX_ACCELERATORS,
            thousands=True,
            optional=True,
        ),
        _f("total_ai_chips", "Total number of AI chips", min=0, max=MAX_ACCELERATORS, thousands=True, optional=True),
        _s("country", "Country"),
        _s("owner", "Owner"),
        _s("users", "Users", optional=True),
        _d("first_operational_date", "First Operational Date", on_invalid="null"),
        _s("first_operational_date_note", "First Operational Date Note", optional=True),
        _d(
            "decommissioned_date",
            "Decommissioned Date (if applicable)",
            "Decommissioned Date",
            on_invalid="null",
            optional=True,
        ),
        _s("note", "Note", optional=True),
        _s("quote", "Quote", optional=True),
        _s("hardware_note", "Hardware note", optional=True),
        _s("sector", "Sector"),
        _f("power_capacity_mw", "Power Capacity (MW)", min=0, max=MAX_SITE_MW, thousands=True),
        _f(
            "calculated_power_mw",
            "Calculated Power Capacity (MW)",
            min=0,
            max=MAX_SITE_MW,
            thousands=True,
            optional=True,
        ),
        _f("reported_power_mw", "Reported Power Capacity (MW)", min=0, max=MAX_SITE_MW, thousands=True, optional=True),
        _f("hardware_cost_usd", "Hardware Cost", min=0, on_invalid="null", optional=True),
        _f("reported_cost_usd", "Reported Cost", min=0, on_invalid="null", optional=True),
        _s("location", "Location"),
        _s("builds_upon", "Builds Upon", optional=True),
        _s("superseded_by", "Superseded by", optional=True),
        Column("possible_duplicate", ("Possible Duplicate",), "bool", on_invalid="null", optional=True),
        _s("possible_duplicate_of", "Possible Duplicate Of", optional=True),
        Column(
            "include_in_standard_analysis", ("Include in Standard Analysis",), "bool", on_invalid="null", optional=True
        ),
        _s("source_1", "Source 1", optional=True),
        _s("source_2", "Source 2", optional=True),
        _s("source_3", "Source 3", optional=True),
        _s("source_4", "Source 4", optional=True),
        _s("source_5", "Source 5", optional=True),
    ),
    ignored=(
        "Max OP/s (log)",
        "Certainty Note",
        "Energy Efficiency (log)",
        "GPU Supplier (primary)",
        "GPU supplier (secondary)",
        "Exclude",
        "Rank when first operational",
        "16-bit OP/s (log)",
        "Max OP/s",
        "8-bit OP/s",
        "16-bit OP/s",
        "32-bit OP/s",
        "Energy Efficiency",
        "Calculated Cost",
        "Reported Cost (Inflation adjusted)",
        "Cost Quote",
        "Noteworthy",
        "Largest existing cluster when first operational",
        "% of largest cluster when first operational",
    ),
    row_checks=(
        RowCheck(
            "h100_equivalents",
            "a cluster needs chips or power: no chip count, H100e or MW",
            "h100_equivalents is not null or chip_quantity_primary is not null or power_capacity_mw is not null",
            action="flag",
        ),
    ),
    lookup_checks=(
        LookupCheck("chip_type_primary", "known_chips", _UNKNOWN_CHIP_FLAG, action="flag"),
        LookupCheck("chip_type_secondary", "known_chips", _UNKNOWN_CHIP_FLAG, action="flag"),
    ),
)


EPOCH_ML_HARDWARE = SourceSpec(
    table="epoch_ml_hardware",
    multiline=True,
    description="Epoch AI ML hardware: one row per accelerator model",
    unique_key=("hardware_name",),
    columns=(
        _s("hardware_name", "Hardware name", required=True),
        _s("manufacturer", "Manufacturer"),
        _s("hardware_type", "Type"),
        _d("release_date", "Release date", on_invalid="null"),
        _f("release_price_usd", "Release price (USD)", min=0, max=10_000_000),
        _f("tdp_w", "TDP (W)", min=0, max=MAX_TDP_W),
        _f("memory_bytes", "Memory size per board (Byte)", min=0),
        _f("tensor_fp16_flops", "Tensor-FP16/BF16 performance (FLOP/s)", min=0, optional=True),
        _f("fp8_flops", "FP8 performance (FLOP/s)", min=0, optional=True),
        _f("int8_ops", "INT8 performance (OP/s)", min=0, optional=True),
        _s("price_source", "Source for the price", optional=True),
        _s("datasheet_url", "Link to datasheet", optional=True),
        _s("last_modified", "Last modified", optional=True),
    ),
    ignored=(
        "Notes",
        "FP64 (double precision) performance (FLOP/s)",
        "FP32 (single precision) performance (FLOP/s)",
        "FP16 (half precision) performance (FLOP/s)",
        "TF32 (TensorFloat-32) performance (FLOP/s)",
        "INT16 performance (OP/s)",
        "INT4 performance (OP/s)",
        "Memory bandwidth (byte/s)",
        "Intranode bandwidth (byte/s)",
        "Internode bandwidth (bit/s)",
        "Die Size (mm^2)",
        "Base clock (MHz)",
        "Boost clock (MHz)",
        "Memory clock (MHz)",
        "Memory bus (bit)",
        "Tensor cores",
        "Process size (nm)",
        "Foundry",
        "Transistors (millions)",
        "ML models",
        "Max performance",
        "Energy efficiency",
        "FP4 performance (FLOP/s)",
        "Total processing performance (bit-OP/s)",
        "Price-performance",
        "ML OP/s",
    ),
)


EPOCH_DATA_CENTERS = SourceSpec(
    table="epoch_data_centers",
    description="Epoch AI frontier data centers: one row per campus",
    unique_key=("name",),
    multiline=True,
    columns=(
        # Epoch's 2026 export keys a campus by Name (no Handle, Title or coordinates any more); the 2025
        # export's Handle is the same key under its old header.
        _s("name", "Name", "Handle", required=True),
        _s("title", "Title", optional=True),
        _s("project", "Project"),
        _s("address", "Address"),
        _s("country", "Country", optional=True),
        Column("latitude", ("Latitude",), "coord", min=-90, max=90, optional=True),
        Column("longitude", ("Longitude",), "coord", min=-180, max=180, optional=True),
        _s("owner", "Owner"),
        _s("users", "Users"),
        _s("investors", "Investors", optional=True),
        _s("construction_companies", "Construction companies", optional=True),
        _s("energy_companies", "Energy companies", optional=True),
        _s("current_chip_types", "Current chip types", optional=True),
        _f("current_h100_equivalents", "Current H100 equivalents", min=0, max=MAX_H100E),
        _f("current_power_mw", "Current power (MW)", min=0, max=MAX_SITE_MW),
        _f("current_capital_cost_usd_bn", "Current total capital cost (2025 USD billions)", min=0),
    ),
    ignored=("Sentinel satellite timelapse", "Selected Sources", "Calculations sheet", "All chip types"),
)


EPOCH_DATA_CENTER_TIMELINES = SourceSpec(
    table="epoch_data_center_timelines",
    description="Epoch AI frontier data-center build-out events: one row per campus and date",
    parent_checks=(ParentCheck("data_center", "epoch_data_center_names", "epoch_data_centers", "name"),),
    unique_key=("data_center", "event_date"),
    multiline=True,
    columns=(
        _d("event_date", "Date", required=True),
        _s("data_center", "Data center", required=True),
        _s("construction_status", "Construction status"),
        _f("it_power_mw", "IT power (MW)", min=0, max=MAX_SITE_MW, optional=True),
        _f("power_mw", "Power (MW)", min=0, max=MAX_SITE_MW),
        _f("h100_equivalents", "H100 equivalents", min=0, max=MAX_H100E),
        _f("buildings_operational", "Buildings operational", min=0),
        _f("total_capital_cost_usd_bn", "Total capital cost (2025 USD billions)", min=0),
    ),
    ignored=(
        "Compute cost (2025 USD billions)",
        "Construction cost (2025 USD billions)",
        "Annual operating cost (2025 USD billions)",
        "Building area (square feet)",
        "Site area (square feet)",
        "Water use (MGD)",
        "Performance (8-bit OP/s)",
        "Current H100 equivalents (from Data center)",
    ),
)


EPOCH_DATA_CENTER_CHIPS = SourceSpec(
    table="epoch_data_center_chip_quantities",
    description="Epoch AI frontier data centers: accelerators installed by chip type and date, one row per entry",
    parent_checks=(ParentCheck("data_center", "epoch_data_center_names", "epoch_data_centers", "name"),),
    unique_key=("handle",),
    multiline=True,
    columns=(
        _s("handle", "Handle", required=True),
        _s("data_center", "Data center", required=True),
        _d("as_of_date", "Date", required=True),
        _s("chip_type", "Chip type", required=True),
        _f("units", "Number of Units", min=0, max=MAX_ACCELERATORS),
        _s("chip_type_basis", "Chip type source"),
        _s("units_basis", "Number of Units source"),
        _s("owner", "Owner"),
        _s("user", "User"),
        _s("notes", "Notes"),
    ),
    ignored=("Created By", "Created", "Last Modified By", "Last Modified"),
)


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


def _cents(name: str, source: str) -> Column:
    return Column(name, (source,), "float", min=0, max=MAX_PRICE_CENTS_KWH, thousands=True)


EIA_RETAIL_PRICES = SourceSpec(
    table="eia_retail_prices",
    description="US EIA-861 average retail electricity price by state, provider category and year (cents/kWh)",
    skip_lines=1,
    unique_key=("year", "state", "industry_sector_category"),
    columns=(
        Column("year", ("Year",), "int", required=True, min=1990, max=2100),
        _s("state", "State", required=True),
        _s("industry_sector_category", "Industry Sector Category", required=True),
        _cents("residential_cents_kwh", "Residential"),
        _cents("commercial_cents_kwh", "Commercial"),
        _cents("industrial_cents_kwh", "Industrial"),
        _cents("transportation_cents_kwh", "Transportation"),
        _cents("other_cents_kwh", "Other"),
        _cents("total_cents_kwh", "Total"),
    ),
    row_checks=(RowCheck("state", "state is not a two-letter code", "regexp_full_match(state, '[A-Z]{2}')"),),
)


EIA_RETAIL_SALES_MONTHLY = SourceSpec(
    table="eia_retail_sales_monthly",
    description="US EIA-861M monthly retail sales, revenue, customers and average price by state and sector",
    unique_key=("year", "month", "state", "sector"),
    convert=workbook_to_csv,  # the publisher's .xlsx workbook -> its long form (an API landing is already long)
    columns=(
        Column("year", ("year",), "int", required=True, min=2000, max=2100),
        Column("month", ("month",), "int", required=True, min=1, max=12),
        _s("state", required=True),
        _s("sector", required=True, allowed=("RES", "COM", "IND", "TRA", "OTH", "ALL")),
        Column("price_cents_kwh", ("price_cents_kwh",), "float", min=0, max=MAX_PRICE_CENTS_KWH),
        Column("revenue_musd", ("revenue_musd",), "float", min=0),
        Column("sales_mwh", ("sales_mwh",), "float", min=0),
        Column("customers", ("customers",), "float", min=0),
        _s("data_status", optional=True),
        _s("sheet", optional=True),
        Column("sheet_row", ("sheet_row",), "int", optional=True),
    ),
    row_checks=(RowCheck("state", "state is not a two-letter code", "regexp_full_match(state, '[A-Z]{2}')"),),
)


EMBER_WHOLESALE_PRICES = SourceSpec(
    table="ember_wholesale_prices",
    description=(
        "Ember European wholesale day-ahead electricity price by country (EUR/MWh): the monthly release "
        "(Date) or the hourly one (Datetime (UTC)); staging averages either to months"
    ),
    unique_key=("iso3", "period_start"),
    ignored=("Datetime (Local)",),  # the hourly release's local-time copy of Datetime (UTC)
    columns=(
        _s("country", "Country", required=True),
        _s("iso3", "ISO3 Code", required=True),
        Column("period_start", ("Date", "Datetime (UTC)"), "timestamp", required=True),
        _f(
            "price_eur_mwh",
            "Price (EUR/MWhe)",
            "Price (EUR/MWh)",
            required=True,
            min=WHOLESALE_EUR_MWH[0],
            max=WHOLESALE_EUR_MWH[1],
        ),
    ),
    derived=(Derived("month", "cast(date_trunc('month', period_start) as DATE)", "date"),),
    row_checks=(RowCheck("iso3", "ISO3 code is not three capital letters", "regexp_full_match(iso3, '[A-Z]{3}')"),),
)


def _price_outlier_check(price: str) -> RowCheck:
    median = f"median({price}) over (partition by accelerator_name)"
    return RowCheck(
        price,
        f"price per GPU-hour more than {PRICE_OUTLIER_FACTOR:g}x away from the median of the same accelerator",
        f"{price} is null or ({price} <= {median} * {PRICE_OUTLIER_FACTOR} "
        f"and {price} >= {median} / {PRICE_OUTLIER_FACTOR})",
    )


SKYPILOT_GPU_PRICES = SourceSpec(
    table="skypilot_gpu_prices",
    description="GPU cloud list prices from the SkyPilot catalog: one row per provider, instance and region",
    columns=(
        _s("provider", "provider", required=True),
        _s("underlying_provider", "underlying_provider"),
        _s("instance_type", "instance_type", required=True),
        _s("accelerator_name", "accelerator_name", required=True),
        _f("accelerator_count", "accelerator_count", required=True, min=1, max=64),
        _s("region", "region"),
        _f("price_usd_per_hour", "price_usd_per_hour", min=0),
        _f("spot_price_usd_per_hour", "spot_price_usd_per_hour", min=0),
        _f("price_usd_per_gpu_hour", "price_usd_per_gpu_hour", required=True, min=GPU_HOUR_USD[0], max=GPU_HOUR_USD[1]),
        _s("source_repo", "source_repo", optional=True),
        _s("source_path", "source_path"),
        _s("source_commit", "source_commit"),
        _s("notes", "notes", optional=True),
    ),
    unique_key=("provider", "underlying_provider", "instance_type", "region"),
    row_checks=(
        RowCheck(
            "price_usd_per_gpu_hour",
            "per-GPU price disagrees with instance price / GPU count (>2%)",
            "price_usd_per_hour is null or abs(price_usd_per_hour / accelerator_count - price_usd_per_gpu_hour)"
            " <= 0.02 * price_usd_per_gpu_hour + 0.001",
        ),
        _price_outlier_check("price_usd_per_gpu_hour"),
    ),
    lookup_checks=(LookupCheck("accelerator_name", "known_chips", _UNKNOWN_CHIP_REJECT),),
)


LAMBDA_GPU_PRICES = SourceSpec(
    table="lambda_gpu_prices",
    description="Lambda on-demand list prices (SkyPilot catalog v7): one row per instance type",
    unique_key=("instance_type",),
    columns=(
        _s("provider", "provider", required=True),
        _s("instance_type", "InstanceType", required=True),
        _s("accelerator_name", "AcceleratorName"),
        _f("accelerator_count", "AcceleratorCount", min=1, max=64),
        _f("vcpus", "vCPUs", min=0),
        _f("memory_gib", "MemoryGiB", min=0),
        _f("price_usd_per_hour", "Price_usd_per_hour", required=True, min=0, max=2_000),
        _f("price_usd_per_gpu_hour", "Price_usd_per_gpu_hour", min=GPU_HOUR_USD[0], max=GPU_HOUR_USD[1]),
        Column("n_regions_listed", ("n_regions_listed",), "int", min=0),
        _s("source_repo", "source_repo", optional=True),
        _s("source_path", "source_path"),
        _s("source_commit", "source_commit"),
    ),
    row_checks=(_price_outlier_check("price_usd_per_gpu_hour"),),
    lookup_checks=(LookupCheck("accelerator_name", "known_chips", _UNKNOWN_CHIP_REJECT),),
)


REF_MARKETS = SourceSpec(
    table="ref_markets",
    description="dcpulse curated markets reference: one row per market",
    unique_key=("market_id",),
    columns=(
        _s("market_id", required=True),
        _s("market_name", required=True),
        _s("country_code"),
        _s("country_name"),
        _s("state_code"),
        _s(
            "region",
            required=True,
            allowed=("North America", "Latin America", "Europe", "Middle East & Africa", "Asia Pacific", "Unknown"),
        ),
        _f("latitude", min=-90, max=90),
        _f("longitude", min=-180, max=180),
        # Blank: the capacity fallback of int_markets__tiered decides (tier_basis says so).
        _s("market_tier", allowed=("tier_1", "tier_2", "tier_3", "unknown")),
        Column("is_urban", ("is_urban",), "bool", required=True),
        _s(
            "market_kind",
            required=True,
            allowed=("metro", "edge", "campus", "state_rest", "country_rest", "unassigned"),
        ),
        _f("match_radius_km", min=0, max=500),
        _s("aliases"),
        _s("tier_basis", required=True),
        _s("source_url", optional=True),
    ),
)


REF_GPU_MODELS = SourceSpec(
    table="ref_gpu_models",
    description="dcpulse curated map from chip names in deployments and price lists to Epoch hardware names",
    unique_key=("chip_name",),
    columns=(
        _s("chip_name", required=True),
        _s("hardware_name"),
        _s("gpu_family"),
        _s("basis", required=True),
    ),
)


REF_FX_RATES = SourceSpec(
    table="ref_fx_rates",
    description="Annual average exchange rates (quote currency per 1 unit of base currency)",
    unique_key=("year", "base_currency", "quote_currency"),
    columns=(
        Column("year", ("year",), "int", required=True, min=1990, max=2100),
        _s("base_currency", required=True),
        _s("quote_currency", required=True),
        _f("rate", required=True, min=0.01, max=1000),
        _s("source", required=True),
    ),
)


REF_MARKET_FIGURES = SourceSpec(
    table="ref_market_figures",
    description="Published data-center market figures (inventory, construction, vacancy, rent) by market",
    columns=(
        _s("market", required=True),
        _s("region"),
        _s("metric", required=True),
        _f("value", required=True, thousands=True),
        _s("unit"),
        _s("period"),
        _s("original_publisher"),
        _s("source_url", required=True),
        _d("source_date", on_invalid="null"),
        _s("notes"),
    ),
)


REF_PUBLISHED_PROJECTIONS = SourceSpec(
    table="ref_published_projections",
    description="Published projections of data-center and AI electricity demand (IEA, LBNL, ...) with scope",
    columns=(
        _s("publisher", required=True),
        _s("publication", required=True),
        Column("year_published", ("year_published",), "int", min=2000, max=2100),
        _s("metric", required=True),
        _s("scope", required=True),
        _s("geography", required=True),
        Column("year", ("year",), "int", required=True, min=2000, max=2100),
        _f("value", required=True, min=0),
        _s("unit", required=True),
        _s("scenario"),
        _s("source_url", required=True),
        _s("notes", optional=True),
    ),
)


# Source folder layout: (spec, path of the file under the sources dir).
SOURCE_FILES: dict[str, tuple[SourceSpec, str]] = {
    s.table: (s, p)
    for s, p in (
        (EPOCH_GPU_CLUSTERS, "epoch/gpu_clusters.csv"),
        (EPOCH_ML_HARDWARE, "epoch/ml_hardware.csv"),
        (EPOCH_DATA_CENTERS, "epoch/data_centers.csv"),
        (EPOCH_DATA_CENTER_TIMELINES, "epoch/data_center_timelines.csv"),
        (EPOCH_DATA_CENTER_CHIPS, "epoch/data_center_chip_quantities.csv"),
        (FRACTRACKER_FACILITIES, "fractracker/us_datacenters.csv"),
        (EIA_RETAIL_PRICES, "eia/avgprice_annual_1990_2019.csv"),
        (EIA_RETAIL_SALES_MONTHLY, "eia/eia861m_sales_revenue.xlsx"),
        (EMBER_WHOLESALE_PRICES, "ember/wholesale_prices_monthly.csv"),
        (SKYPILOT_GPU_PRICES, "skypilot/gpu_cloud_prices.csv"),
        (LAMBDA_GPU_PRICES, "skypilot/lambda_gpu_prices.csv"),
        (REF_MARKETS, "reference/markets.csv"),
        (REF_GPU_MODELS, "reference/gpu_models.csv"),
        (REF_FX_RATES, "reference/fx_rates.csv"),
        (REF_MARKET_FIGURES, "reference/market_figures.csv"),
        (REF_PUBLISHED_PROJECTIONS, "reference/published_projections.csv"),
    )
}
