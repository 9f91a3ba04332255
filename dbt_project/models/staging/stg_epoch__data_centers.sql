-- One row per Epoch AI frontier data center (handle). Capital cost converted from USD bn to USD;
-- Epoch's confidence tags ('Amazon #confident') stripped from the name lists.
with source as (
    select * from {{ source('raw', 'epoch_data_centers') }}
),

final as (
    select
        handle as data_center_id,
        title as data_center_name,
        {{ strip_epoch_tags('project') }} as project,
        address,
        latitude,
        longitude,
        {{ strip_epoch_tags('owner') }} as owner,
        {{ strip_epoch_tags('users') }} as users,
        {{ strip_epoch_tags('investors') }} as investors,
        construction_companies,
        energy_companies,
        current_h100_equivalents,
        current_power_mw,
        current_capital_cost_usd_bn * 1e9 as current_capital_cost_usd,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
