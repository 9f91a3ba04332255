-- One row per GPU price observation: purchase (Epoch AI release price, observed on the release
-- date) and cloud on-demand / spot list prices per GPU-hour (SkyPilot catalog, Lambda), observed
-- on the catalog snapshot's retrieved date (meta.source_files).
-- gpu_model is canonical (dim_gpus): the instance type's own model where it says more than the
-- catalog name (seed instance_gpu_models: an 'H100' instance named *_pcie is the H100 PCIe), else via
-- the gpu_models reference; null where the accelerator name is not mapped (accelerator_name keeps
-- the original). An offer whose list price equals its spot price is an auction/marketplace price
-- (e.g. Mithril, ex-Foundry): it is a spot price, not an on-demand one.
with hardware as (
    select * from {{ ref('stg_epoch__ml_hardware') }}
),

skypilot as (
    select * from {{ ref('stg_skypilot__gpu_prices') }}
),

lambda_cloud as (
    select * from {{ ref('stg_lambda__gpu_prices') }}
),

gpu_map as (
    select * from {{ ref('stg_reference__gpu_models') }}
),

instance_models as (
    select * from {{ ref('instance_gpu_models') }}
),

source_files as (
    select * from {{ ref('stg_meta__source_files') }}
),

purchase as (
    select
        gpu_model,
        manufacturer as provider,
        'global' as region,
        release_date as observed_on,
        'purchase' as price_kind,
        release_price_usd as price_usd,
        'Epoch AI ML hardware (' || source_ref || ')'
        || coalesce('; price source: ' || price_source, '') as source,
        gpu_model as accelerator_name,
        'per_unit' as price_unit,
        cast(null as varchar) as instance_type,
        cast(null as double) as accelerator_count
    from hardware
    where release_price_usd is not null
),

cloud_offers as (
    select
        provider,
        region,
        instance_type,
        accelerator_name,
        accelerator_count,
        on_demand_usd_per_gpu_hour,
        spot_usd_per_gpu_hour,
        source_ref,
        source_path,
        source_commit,
        'skypilot_gpu_prices' as source_table
    from skypilot

    union all by name

    select
        provider,
        'all_listed_regions' as region,
        instance_type,
        accelerator_name,
        accelerator_count,
        on_demand_usd_per_gpu_hour,
        cast(null as double) as spot_usd_per_gpu_hour,
        source_ref,
        source_path,
        source_commit,
        'lambda_gpu_prices' as source_table
    from lambda_cloud
),

cloud_unpivoted as (
    select
        *,
        'on_demand' as price_kind,
        on_demand_usd_per_gpu_hour as price_usd
    from cloud_offers
    where
        on_demand_usd_per_gpu_hour is not null
        and accelerator_name is not null
        -- list price = spot price: an auction price, kept as spot below, not on-demand
        and not coalesce(abs(on_demand_usd_per_gpu_hour - spot_usd_per_gpu_hour) < 1e-9, false)

    union all

    select
        *,
        'spot' as price_kind,
        spot_usd_per_gpu_hour as price_usd
    from cloud_offers
    where spot_usd_per_gpu_hour is not null and accelerator_name is not null
),

cloud as (
    select
        coalesce(instance_models.gpu_model, gpu_map.gpu_model) as gpu_model,
        cloud_unpivoted.provider,
        cloud_unpivoted.region,
        source_files.retrieved_on as observed_on,
        cloud_unpivoted.price_kind,
        cloud_unpivoted.price_usd,
        'SkyPilot catalog ' || cloud_unpivoted.source_path || '@' || left(cloud_unpivoted.source_commit, 12)
        || ' (' || cloud_unpivoted.source_ref || ')' as source,
        cloud_unpivoted.accelerator_name,
        'per_gpu_hour' as price_unit,
        cloud_unpivoted.instance_type,
        cloud_unpivoted.accelerator_count
    from cloud_unpivoted
    left join gpu_map
        on cloud_unpivoted.accelerator_name = gpu_map.chip_name
    left join instance_models
        on
            cloud_unpivoted.accelerator_name = instance_models.accelerator_name
            and regexp_matches(lower(cloud_unpivoted.instance_type), instance_models.instance_pattern)
    left join source_files
        on cloud_unpivoted.source_table = source_files.source_table
),

unioned as (
    select * from purchase
    union all by name
    select * from cloud
),

final as (
    select
        {{ slugify("concat_ws(' ', price_kind, provider, region, coalesce(instance_type, accelerator_name))") }}
            as gpu_price_id,
        gpu_model,
        provider,
        region,
        observed_on,
        price_kind,
        price_usd,
        source,
        accelerator_name,
        price_unit,
        instance_type,
        accelerator_count
    from unioned
)

select * from final
