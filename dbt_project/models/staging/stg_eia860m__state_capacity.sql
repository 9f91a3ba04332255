-- One row per US state: EIA-860M operating, planned and canceled-or-postponed generating capacity (MW).
with source as (
    select * from {{ source('raw', 'eia860m_state_capacity') }}
),

final as (
    select
        upper(state) as state_code,
        operating_mw,
        planned_mw,
        planned_generators,
        canceled_mw,
        canceled_generators,
        release,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
