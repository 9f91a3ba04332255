-- One row per planned generator of EIA-860M (the Planned sheet): where it is, its nameplate MW (net summer MW where
-- the publisher's workbook was read), fuel group, status bucket and the year (and month, from the workbook) it is
-- planned to start. release is the EIA-860M month the row comes from ('2026-04').
with source as (
    select * from {{ source('raw', 'eia860m_planned_generators') }}
),

final as (
    select
        generator_id,
        plant_id,
        generator_code,
        plant_name,
        upper(state) as state_code,
        county,
        latitude,
        longitude,
        nameplate_mw,
        net_summer_mw,
        technology,
        fuel,
        status_code,
        status,
        cast(planned_year as integer) as planned_year,
        cast(planned_month as integer) as planned_month,
        balancing_authority,
        iso,
        release,
        'EIA-860M ' || coalesce(release, '') as source_release,
        source_shape,
        _source_file || ':' || coalesce(sheet || ' row ' || cast(sheet_row as varchar), cast(_source_row as varchar))
            as source_ref
    from source
)

select * from final
