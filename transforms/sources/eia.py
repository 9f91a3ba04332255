"""The US EIA's retail electricity prices: annual averages by state (EIA-861) and monthly sales (EIA-861M)."""

from __future__ import annotations

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
