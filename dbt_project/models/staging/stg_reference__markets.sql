-- One row per curated market (data/sources/reference/markets.csv).
with source as (
    select * from {{ source('raw', 'ref_markets') }}
),

final as (
    select
        market_id,
        market_name,
        nullif(upper(trim(country_code)), '') as country_code,
        nullif(trim(country_name), '') as country_name,
        nullif(upper(trim(state_code)), '') as state_code,
        region,
        latitude::double as latitude,
        longitude::double as longitude,
        market_tier,
        is_urban::boolean as is_urban,
        market_kind,
        match_radius_km::double as match_radius_km,
        nullif(lower(trim(aliases)), '') as aliases,
        tier_basis,
        source_url,
        _source_file || ':' || _source_row::varchar as source_ref
    from source
)

select * from final
