-- One row per country x month: Ember day-ahead wholesale price, EUR/MWh.
with source as (
    select * from {{ source('raw', 'ember_wholesale_prices') }}
),

final as (
    select
        country as country_name,
        upper(iso3) as country_iso3,
        month,
        price_eur_mwh,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
