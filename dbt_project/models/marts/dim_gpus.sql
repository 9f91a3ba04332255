-- One row per accelerator model in Epoch AI's ML hardware table (gpu_model = hardware_name), with its
-- all-in IT power per accelerator from int_gpus__it_power (platform system power, else TDP x
-- p('server_overhead')).
with hardware as (
    select * from {{ ref('stg_epoch__ml_hardware') }}
),

it_power as (
    select * from {{ ref('int_gpus__it_power') }}
),

final as (
    select
        hardware.gpu_model,
        hardware.manufacturer,
        hardware.hardware_type,
        hardware.release_date,
        hardware.tdp_w,
        hardware.memory_gb,
        hardware.release_price_usd,
        it_power.it_kw_per_gpu,
        hardware.tensor_fp16_flops,
        hardware.fp8_flops,
        hardware.int8_ops,
        'Epoch AI ML hardware (' || hardware.source_ref || ')' as source,
        it_power.it_power_basis,
        it_power.it_power_source
    from hardware
    inner join it_power
        on hardware.gpu_model = it_power.gpu_model
)

select * from final
