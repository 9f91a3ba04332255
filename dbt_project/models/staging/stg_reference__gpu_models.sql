-- One row per chip / accelerator name seen in the sources, mapped to Epoch's hardware_name.
with source as (
    select * from {{ source('raw', 'ref_gpu_models') }}
),

final as (
    select
        trim(chip_name) as chip_name,
        nullif(trim(hardware_name), '') as gpu_model,
        gpu_family,
        basis as mapping_basis
    from source
)

select * from final
