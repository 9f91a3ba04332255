-- One row per geography x period x sector: EIA retail prices (industrial, commercial) by US state
-- and nationally per year; Ember wholesale day-ahead prices by European country per month.
-- All prices in USD/MWh; the original value and unit are kept.
with prices as (
    select * from {{ ref('int_energy_prices__converted_to_usd') }}
),

final as (
    select
        geography,
        period,
        sector,
        price_usd_mwh,
        price_original,
        currency_original,
        source,
        geography_type,
        country_code,
        state_code,
        period_grain,
        period_start,
        cast(year as integer) as year,
        fx_rate_usd_per_eur,
        cast(fx_year as integer) as fx_year
    from prices
)

select * from final
