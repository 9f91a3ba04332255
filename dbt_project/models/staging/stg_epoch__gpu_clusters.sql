-- One row per record of raw.epoch_gpu_clusters (cluster or build phase). Renames, status enum,
-- a stable deployment_id: slug of the name, plus '-l<line>' when the name repeats in the file.
with source as (
    select * from {{ source('raw', 'epoch_gpu_clusters') }}
),

renamed as (
    select
        {{ slugify('name') }} as name_slug,
        name as cluster_name,
        lower(status) as status_raw,
        case lower(status)
            when 'existing' then 'operational'
            when 'planned' then 'planned'
            when 'decommissioned' then 'decommissioned'
        end as status,
        lower(certainty) as certainty,
        single_cluster,
        h100_equivalents,
        nullif(trim(chip_type_primary), '') as chip_type_primary,
        chip_quantity_primary,
        nullif(trim(chip_type_secondary), '') as chip_type_secondary,
        chip_quantity_secondary,
        total_ai_chips,
        nullif(trim(country), '') as country_name,
        owner,
        users,
        first_operational_date,
        planned_year,
        decommissioned_date,
        note,
        quote,
        hardware_note,
        sector,
        power_capacity_mw,
        calculated_power_mw,
        reported_power_mw,
        hardware_cost_usd,
        reported_cost_usd,
        nullif(trim(location), '') as location_text,
        nullif(trim(builds_upon), '') as builds_upon,
        nullif(trim(superseded_by), '') as superseded_by,
        coalesce(possible_duplicate, false) as possible_duplicate,
        nullif(trim(possible_duplicate_of), '') as possible_duplicate_of,
        coalesce(include_in_standard_analysis, false) as include_in_standard_analysis,
        source_urls,
        _source_file,
        _source_row
    from source
),

final as (
    select
        case
            when count(*) over (partition by name_slug) > 1
                then name_slug || '-l' || cast(_source_row as varchar)
            else name_slug
        end as deployment_id,
        * exclude (name_slug),
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from renamed
)

select * from final
