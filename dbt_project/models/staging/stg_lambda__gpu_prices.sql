-- One row per Lambda Cloud instance type (list price, same in every listed region).
with source as (
    select * from {{ source('raw', 'lambda_gpu_prices') }}
),

final as (
    select
        lower(provider) as provider,
        instance_type,
        nullif(trim(accelerator_name), '') as accelerator_name,
        accelerator_count,
        vcpus,
        memory_gib,
        price_usd_per_hour,
        coalesce(price_usd_per_gpu_hour, price_usd_per_hour / nullif(accelerator_count, 0))
            as on_demand_usd_per_gpu_hour,
        n_regions_listed,
        source_path,
        source_commit,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
