-- One row per Epoch AI frontier data center. Epoch's 2026 export keys a campus by its name and gives
-- no coordinates (the 2025 export had a handle, a title and coordinates: both shapes load). Capital cost
-- converted from USD bn to USD; Epoch's confidence tags ('Amazon #confident') stripped from name lists.
with source as (
    select * from {{ source('raw', 'epoch_data_centers') }}
),

final as (
    select
        name as data_center_id,
        coalesce(nullif(trim(title), ''), name) as data_center_name,
        {{ strip_epoch_tags('project') }} as project,
        address,
        country,
        latitude,
        longitude,
        {{ strip_epoch_tags('owner') }} as owner,
        {{ strip_epoch_tags('users') }} as users,
        {{ strip_epoch_tags('investors') }} as investors,
        construction_companies,
        energy_companies,
        current_chip_types,
        current_h100_equivalents,
        current_power_mw,
        current_capital_cost_usd_bn * 1e9 as current_capital_cost_usd,
        -- the last 5-digit group: a US address ends with 'ST 12345' (a leading 5-digit street number
        -- such as '55001 Larrison Blvd' is not the ZIP code)
        list_last(regexp_extract_all(address, '\b(\d{5})(?:-\d{4})?\b', 1)) as zip_code,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
