-- One row per dated build-out event of an Epoch AI frontier data center.
with source as (
    select * from {{ source('raw', 'epoch_data_center_timelines') }}
),

final as (
    select
        data_center as data_center_id,
        event_date,
        construction_status,
        power_mw,
        it_power_mw,
        h100_equivalents,
        buildings_operational,
        total_capital_cost_usd_bn * 1e9 as total_capital_cost_usd,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
