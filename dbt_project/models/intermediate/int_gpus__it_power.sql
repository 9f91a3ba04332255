-- One row per accelerator model of Epoch AI's ML hardware table with its all-in IT power per
-- accelerator (the accelerator plus its share of CPUs, memory, networking and fans):
-- the platform's published system power per GPU (seed platform_power: DGX A100 / H100 / B200,
-- GB200 / GB300 NVL72 racks) where there is one, else TDP x p('server_overhead') (Epoch AI's method,
-- from a DGX H100). One home for the rule: dim_gpus and the deployments' power read it.
with hardware as (
    select * from {{ ref('stg_epoch__ml_hardware') }}
),

platforms as (
    select * from {{ ref('platform_power') }}
),

final as (
    select
        hardware.gpu_model,
        hardware.tdp_w,
        coalesce(
            platforms.it_kw_per_gpu,
            hardware.tdp_w / 1000.0 * {{ p('server_overhead') }}
        ) as it_kw_per_gpu,
        case
            when platforms.it_kw_per_gpu is not null then 'platform_system_power'
            when hardware.tdp_w is not null then 'tdp_x_server_overhead'
        end as it_power_basis,
        platforms.system as it_power_system,
        coalesce(
            platforms.source,
            case
                when hardware.tdp_w is not null
                    then
                        'TDP x server_overhead ' || cast({{ p('server_overhead') }} as varchar)
                        || ' (Epoch AI''s method, DGX H100)'
            end
        ) as it_power_source
    from hardware
    left join platforms
        on hardware.gpu_model = platforms.gpu_model
)

select * from final
