-- One row per year x month x state (or 'US') x sector of EIA-861M. Sector codes to the names the
-- marts use; price cents/kWh -> USD/MWh (x 10); revenue million USD, sales MWh. data_status says whether
-- EIA's figures are Final or Preliminary (2024-2025 in the shipped workbook).
with source as (
    select * from {{ source('raw', 'eia_retail_sales_monthly') }}
),

final as (
    select
        cast(year as integer) as year,
        cast(month as integer) as month,
        upper(state) as state_code,
        case sector
            when 'RES' then 'residential'
            when 'COM' then 'commercial'
            when 'IND' then 'industrial'
            when 'TRA' then 'transportation'
            when 'OTH' then 'other'
            when 'ALL' then 'total'
        end as sector,
        price_cents_kwh,
        {{ cents_kwh_to_usd_mwh('price_cents_kwh') }} as price_usd_mwh,
        revenue_musd,
        sales_mwh,
        customers,
        lower(data_status) as data_status,
        _source_file || ':' || coalesce(sheet || ' row ' || cast(sheet_row as varchar), cast(_source_row as varchar))
            as source_ref
    from source
)

select * from final
