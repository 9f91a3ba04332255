-- One row per FracTracker US facility record. Status normalised to the lifecycle enum
-- (FracTracker's 'Unknown' kept as 'unknown', never guessed); facility_id = 'ft-' + slug of
-- name and state, plus '-l<line>' when that repeats.
with source as (
    select * from {{ source('raw', 'fractracker_facilities') }}
),

renamed as (
    select
        {{ slugify("coalesce(facility_name, '') || ' ' || coalesce(state, '')") }} as name_slug,
        facility_name,
        address,
        city,
        upper(state) as state_code,
        zip,
        county,
        latitude,
        longitude,
        status as status_raw,
        case status
            when 'Operating' then 'operational'
            when 'Expanding' then 'expanding'
            when 'Approved/Permitted/Under construction' then 'under_construction'
            when 'Proposed' then 'planned'
            when 'Suspended' then 'suspended'
            when 'Cancelled' then 'cancelled'
            else 'unknown'
        end as status,
        location_confidence,
        purpose,
        operator_name,
        tenant,
        mw_text,
        mw_low,
        mw_high,
        sizerank,
        project_cost,
        expected_date_online,
        date_created,
        date_updated,
        source_url,
        _source_file,
        _source_row
    from source
),

final as (
    select
        'ft-' || case
            when count(*) over (partition by name_slug) > 1
                then name_slug || '-l' || cast(_source_row as varchar)
            else name_slug
        end as facility_id,
        * exclude (name_slug, _source_file, _source_row),
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from renamed
)

select * from final
