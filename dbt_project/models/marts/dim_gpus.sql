-- One row per accelerator model in Epoch AI's ML hardware table (gpu_model = hardware_name).
with hardware as (
    select * from {{ ref('stg_epoch__ml_hardware') }}
),

final as (
    select
        gpu_model,
        manufacturer,
        hardware_type,
        release_date,
        tdp_w,
        memory_gb,
        release_price_usd,
        tdp_w / 1000.0 * {{ var('server_overhead') }} as it_kw_per_gpu,
        tensor_fp16_flops,
        fp8_flops,
        int8_ops,
        'Epoch AI ML hardware (' || source_ref || ')' as source
    from hardware
)

select * from final
