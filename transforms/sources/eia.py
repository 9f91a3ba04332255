"""The US EIA: retail electricity prices (annual by state, EIA-861; monthly sales, EIA-861M) and planned generators
and state capacity (EIA-860M)."""

from __future__ import annotations

from transforms.eia860m import FUELS, STATUS_BUCKETS, planned_generators_csv, state_capacity_csv
from transforms.eia861m import workbook_to_csv
from transforms.ingest import Column, RowCheck, SourceSpec
from transforms.sources.common import MAX_PRICE_CENTS_KWH, _s


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


# EIA-860M planned generators. Plausibility: the largest single generator in the Planned sheet is a few GW (a
# nuclear unit or a combined-cycle block); 5,000 MW for one generator is a typo. US coordinates (states, DC and
# Puerto Rico) lie within latitude 17-72 and longitude -180 to -64; outside that a point is a swapped or mistyped
# coordinate. Planned operation years run from the release's year to about a decade out.
MAX_GENERATOR_MW = 5_000.0
PLANNED_YEARS = (2020, 2045)

EIA860M_PLANNED_GENERATORS = SourceSpec(
    table="eia860m_planned_generators",
    description="US EIA-860M planned generators: location, nameplate MW, fuel, status and planned operation year",
    unique_key=("generator_id",),
    convert=planned_generators_csv,  # the publisher's workbook or the shipped JSON copy -> one long CSV
    columns=(
        _s("generator_id", required=True),
        _s("plant_id", optional=True),
        _s("generator_code", optional=True),
        _s("plant_name"),
        _s("state", required=True),
        _s("county", optional=True),
        Column("latitude", ("latitude",), "float", required=True, min=17, max=72),
        Column("longitude", ("longitude",), "float", required=True, min=-180, max=-64),
        Column(
            "nameplate_mw", ("nameplate_mw",), "float", required=True, min=0.001, max=MAX_GENERATOR_MW, thousands=True
        ),
        Column(
            "net_summer_mw", ("net_summer_mw",), "float", min=0, max=MAX_GENERATOR_MW, thousands=True, optional=True
        ),
        _s("technology", optional=True),
        _s("fuel", required=True, allowed=FUELS),
        _s("status_code", optional=True),
        _s("status", required=True, allowed=STATUS_BUCKETS),
        Column("planned_year", ("planned_year",), "int", required=True, min=PLANNED_YEARS[0], max=PLANNED_YEARS[1]),
        Column("planned_month", ("planned_month",), "int", min=1, max=12, optional=True),
        _s("balancing_authority", optional=True),
        _s("iso", optional=True),
        _s("release", optional=True),
        _s("source_shape", optional=True),
        _s("sheet", optional=True),
        Column("sheet_row", ("sheet_row",), "int", optional=True),
    ),
    row_checks=(
        RowCheck("state", "state is not a US state code", "regexp_full_match(state, '[A-Z]{2}')"),
        RowCheck(
            "net_summer_mw",
            "net summer capacity above nameplate capacity (a unit or column mix-up)",
            "net_summer_mw is null or net_summer_mw <= nameplate_mw * 1.2",
        ),
    ),
)

EIA860M_STATE_CAPACITY = SourceSpec(
    table="eia860m_state_capacity",
    description="US EIA-860M generating capacity by state: operating, planned, canceled or postponed (MW)",
    unique_key=("state",),
    convert=state_capacity_csv,
    columns=(
        _s("state", required=True),
        _s("state_fips", optional=True),
        Column("operating_mw", ("operating_mw",), "float", required=True, min=0, max=500_000),
        Column("planned_mw", ("planned_mw",), "float", required=True, min=0, max=500_000),
        Column("planned_generators", ("planned_generators",), "int", min=0, optional=True),
        Column("canceled_mw", ("canceled_mw",), "float", min=0, max=500_000),
        Column("canceled_generators", ("canceled_generators",), "int", min=0, optional=True),
        _s("release", optional=True),
        _s("source_shape", optional=True),
    ),
    row_checks=(RowCheck("state", "state is not a US state code", "regexp_full_match(state, '[A-Z]{2}')"),),
)
