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
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        market_tier,
        cast(is_urban as boolean) as is_urban,
        market_kind,
        cast(match_radius_km as double) as match_radius_km,
        nullif(lower(trim(aliases)), '') as aliases,
        tier_basis,
        source_url,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
