"""Ember's European wholesale day-ahead electricity prices."""

from __future__ import annotations

from transforms.ingest import Column, Derived, RowCheck, SourceSpec
from transforms.sources.common import WHOLESALE_EUR_MWH, _f, _s

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
