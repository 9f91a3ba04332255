-- One row per cloud instance offer (provider x instance type x region) from the SkyPilot catalog.
with source as (
    select * from {{ source('raw', 'skypilot_gpu_prices') }}
),

final as (
    select
        provider,
        underlying_provider,
        instance_type,
        nullif(trim(accelerator_name), '') as accelerator_name,
        accelerator_count,
        region,
        price_usd_per_hour,
        spot_price_usd_per_hour,
        coalesce(price_usd_per_gpu_hour, price_usd_per_hour / nullif(accelerator_count, 0))
            as on_demand_usd_per_gpu_hour,
        spot_price_usd_per_hour / nullif(accelerator_count, 0) as spot_usd_per_gpu_hour,
        source_path,
        source_commit,
        notes,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
