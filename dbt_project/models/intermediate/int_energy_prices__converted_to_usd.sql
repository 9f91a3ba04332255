-- One row per geography x period x sector, every price in USD/MWh.
-- EIA, by state ('US-VA') and national ('US'), industrial and commercial sectors:
--   monthly from EIA-861M (2010 on, period 'YYYY-MM'); annual for every full year of EIA-861M as
--   revenue / sales over its 12 months (period 'YYYY'), and for the years before it from the EIA-861
--   annual file ('Total Electric Industry' rows). A year still missing months (2025) has no annual row.
-- Ember: wholesale day-ahead by country (ISO 3166-1 alpha-2), monthly, EUR/MWh x the year's
-- annual average USD per EUR from the FX reference (nearest available year when the table lacks
-- the month's year, flagged in fx_year).
with eia as (
    select * from {{ ref('stg_eia__retail_prices') }}
),

eia_monthly as (
    select * from {{ ref('stg_eia__retail_sales_monthly') }}
    where sector in ('industrial', 'commercial') and price_usd_mwh > 0
),

eia_full_years as (
    select
        state_code,
        sector,
        year,
        sum(revenue_musd) * 1e6 / sum(sales_mwh) as price_usd_mwh,
        bool_or(data_status = 'preliminary') as is_preliminary,
        min(source_ref) as source_ref
    from eia_monthly
    group by state_code, sector, year
    having count(*) = 12 and count(revenue_musd) = 12 and sum(sales_mwh) > 0
),

ember as (
    select * from {{ ref('stg_ember__wholesale_prices') }}
),

fx as (
    select * from {{ ref('stg_reference__fx_rates') }}
    where base_currency = 'EUR' and quote_currency = 'USD'
),

country_codes as (
    select * from {{ ref('country_codes') }}
),

eia_prices as (
    select
        case when state_code = 'US' then 'US' else 'US-' || state_code end as geography,
        case when state_code = 'US' then 'us_national' else 'us_state' end as geography_type,
        'US' as country_code,
        nullif(state_code, 'US') as state_code,
        cast(year as varchar) as period,
        'year' as period_grain,
        make_date(year, 1, 1) as period_start,
        year,
        sector,
        price_usd_mwh,
        price_cents_kwh as price_original,
        'USD cents/kWh' as currency_original,
        cast(null as double) as fx_rate_usd_per_eur,
        cast(null as integer) as fx_year,
        'EIA-861 average retail price, Total Electric Industry (' || source_ref || ')' as source
    from eia
    where
        provider_category = 'Total Electric Industry'
        and sector in ('industrial', 'commercial')
        and price_usd_mwh > 0
        and year < (select min(eia_full_years.year) from eia_full_years)
),

eia_861m_annual as (
    select
        case when state_code = 'US' then 'US' else 'US-' || state_code end as geography,
        case when state_code = 'US' then 'us_national' else 'us_state' end as geography_type,
        'US' as country_code,
        nullif(state_code, 'US') as state_code,
        cast(year as varchar) as period,
        'year' as period_grain,
        make_date(year, 1, 1) as period_start,
        year,
        sector,
        price_usd_mwh,
        price_usd_mwh / 10 as price_original,
        'USD cents/kWh' as currency_original,
        cast(null as double) as fx_rate_usd_per_eur,
        cast(null as integer) as fx_year,
        'EIA-861M, full year: revenue / sales over 12 months'
        || case when is_preliminary then ' (preliminary)' else '' end
        || ' (' || source_ref || ')' as source
    from eia_full_years
),

eia_861m_monthly as (
    select
        case when state_code = 'US' then 'US' else 'US-' || state_code end as geography,
        case when state_code = 'US' then 'us_national' else 'us_state' end as geography_type,
        'US' as country_code,
        nullif(state_code, 'US') as state_code,
        strftime(make_date(year, month, 1), '%Y-%m') as period,
        'month' as period_grain,
        make_date(year, month, 1) as period_start,
        year,
        sector,
        price_usd_mwh,
        price_cents_kwh as price_original,
        'USD cents/kWh' as currency_original,
        cast(null as double) as fx_rate_usd_per_eur,
        cast(null as integer) as fx_year,
        'EIA-861M monthly average price' || case when data_status = 'preliminary' then ' (preliminary)' else '' end
        || ' (' || source_ref || ')' as source
    from eia_monthly
),

ember_with_fx_year as (
    select
        ember.*,
        country_codes.iso2 as country_code,
        year(ember.month) as year,
        (
            select fx.year from fx
            order by abs(fx.year - year(ember.month)), fx.year desc
            limit 1
        ) as fx_year
    from ember
    left join country_codes
        on ember.country_iso3 = country_codes.iso3
    where ember.price_eur_mwh is not null
),

ember_prices as (
    select
        coalesce(ember_with_fx_year.country_code, ember_with_fx_year.country_iso3) as geography,
        'country' as geography_type,
        ember_with_fx_year.country_code,
        cast(null as varchar) as state_code,
        strftime(ember_with_fx_year.month, '%Y-%m') as period,
        'month' as period_grain,
        ember_with_fx_year.month as period_start,
        ember_with_fx_year.year,
        'wholesale' as sector,
        ember_with_fx_year.price_eur_mwh * fx.rate as price_usd_mwh,
        ember_with_fx_year.price_eur_mwh as price_original,
        'EUR/MWh' as currency_original,
        fx.rate as fx_rate_usd_per_eur,
        ember_with_fx_year.fx_year,
        'Ember European wholesale electricity prices (' || ember_with_fx_year.source_ref
        || '); FX ' || fx.rate_source as source
    from ember_with_fx_year
    left join fx
        on ember_with_fx_year.fx_year = fx.year
),

final as (
    select * from eia_prices
    union all by name
    select * from eia_861m_annual
    union all by name
    select * from eia_861m_monthly
    union all by name
    select * from ember_prices
)

select * from final
