-- One row per published market figure (inventory, under construction, vacancy, rent, ...); market_id
-- names the dcpulse market a figure is about (blank for regional aggregates).
with source as (
    select * from {{ source('raw', 'ref_market_figures') }}
),

final as (
    select
        market,
        nullif(trim(market_id), '') as market_id,
        region,
        metric,
        value,
        unit,
        period,
        original_publisher,
        source_url,
        source_date,
        notes,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
