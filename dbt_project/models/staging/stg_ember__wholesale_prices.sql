-- One row per country x month: Ember day-ahead wholesale price, EUR/MWh. Ember publishes monthly and
-- hourly releases; either loads (raw.period_start is the month's first day or the hour), and the
-- month's price is the mean of its periods (for the monthly release, the one published figure).
-- Ember's own monthly figures weight hours by load; with no load data here the hourly mean is by time.
with source as (
    select * from {{ source('raw', 'ember_wholesale_prices') }}
),

final as (
    select
        min(country) as country_name,
        upper(iso3) as country_iso3,
        month,
        avg(price_eur_mwh) as price_eur_mwh,
        count(*) as price_periods,
        min(_source_file) || ':' || cast(min(_source_row) as varchar) as source_ref
    from source
    group by upper(iso3), month
)

select * from final
