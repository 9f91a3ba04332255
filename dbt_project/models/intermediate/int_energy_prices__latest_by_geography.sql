-- One row per geography with the price used for deployments' energy cost:
-- US states and the US national average: EIA industrial price of the latest full year (annual rows
-- only: EIA-861M revenue / sales over 12 months, 2024 in the shipped workbook, preliminary);
-- European countries: mean of the monthly Ember wholesale prices (USD) of the latest full year
-- (12 months present).
with prices as (
    select * from {{ ref('int_energy_prices__converted_to_usd') }}
),

eia_latest as (
    select
        geography,
        country_code,
        state_code,
        price_usd_mwh,
        'EIA industrial ' || period || ' ' || geography
        || case when source like '%preliminary%' then ' (preliminary)' else '' end as price_basis
    from prices
    where sector = 'industrial' and period_grain = 'year'
    qualify row_number() over (partition by geography order by year desc) = 1
),

ember_full_years as (
    select
        geography,
        country_code,
        year,
        avg(price_usd_mwh) as price_usd_mwh
    from prices
    where sector = 'wholesale'
    group by geography, country_code, year
    having count(*) = 12 and count(price_usd_mwh) = 12
),

ember_latest as (
    select
        geography,
        country_code,
        cast(null as varchar) as state_code,
        price_usd_mwh,
        'Ember wholesale ' || cast(year as varchar) || ' mean ' || geography as price_basis
    from ember_full_years
    qualify row_number() over (partition by geography order by year desc) = 1
),

final as (
    select * from eia_latest
    union all
    select * from ember_latest
)

select * from final
