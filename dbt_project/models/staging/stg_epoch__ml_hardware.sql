-- One row per accelerator in Epoch AI's ML hardware table (hardware_name = canonical gpu_model).
with source as (
    select * from {{ source('raw', 'epoch_ml_hardware') }}
),

final as (
    select
        hardware_name as gpu_model,
        manufacturer,
        hardware_type,
        release_date,
        release_price_usd,
        tdp_w,
        memory_bytes / 1e9 as memory_gb,
        tensor_fp16_flops,
        fp8_flops,
        int8_ops,
        price_source,
        datasheet_url,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
