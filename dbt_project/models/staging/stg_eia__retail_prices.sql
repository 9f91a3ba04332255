-- One row per year x state x provider category x sector (sectors unpivoted from columns to rows).
-- Price converted from cents/kWh to USD/MWh (x 10). Null ('NA') prices are dropped by the unpivot.
with source as (
    select * from {{ source('raw', 'eia_retail_prices') }}
),

unpivoted as (
    unpivot source
    on residential_cents_kwh, commercial_cents_kwh, industrial_cents_kwh,
    transportation_cents_kwh, other_cents_kwh, total_cents_kwh
    into name sector_column value price_cents_kwh
),

final as (
    select
        year,
        upper(state) as state_code,
        industry_sector_category as provider_category,
        replace(sector_column, '_cents_kwh', '') as sector,
        price_cents_kwh,
        {{ cents_kwh_to_usd_mwh('price_cents_kwh') }} as price_usd_mwh,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from unpivoted
)

select * from final
