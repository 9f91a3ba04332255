-- One row per Epoch AI entry of accelerators installed at a frontier data center on a date (chip type,
-- number of units and whether Epoch reports or estimates them). Orphans (a data center missing from the
-- data-center file) are quarantined at ingest.
with source as (
    select * from {{ source('raw', 'epoch_data_center_chip_quantities') }}
),

final as (
    select
        handle as chip_entry_id,
        data_center as data_center_id,
        as_of_date,
        chip_type,
        units,
        lower(chip_type_basis) as chip_type_basis,
        lower(units_basis) as units_basis,
        {{ strip_epoch_tags('owner') }} as owner,
        {{ strip_epoch_tags('"user"') }} as chip_user,
        notes,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
