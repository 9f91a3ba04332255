-- One row per published market figure (inventory, under construction, vacancy, rent, ...).
with source as (
    select * from {{ source('raw', 'ref_market_figures') }}
),

final as (
    select
        market,
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
