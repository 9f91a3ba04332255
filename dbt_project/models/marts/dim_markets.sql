-- One row per market (curated reference, incl. per-country 'undisclosed' and 'unassigned').
with markets as (
    select * from {{ ref('int_markets__tiered') }}
),

final as (
    select
        market_id,
        market_name,
        country_code,
        country_name,
        state_code,
        coalesce(region, 'Unknown') as region,
        latitude,
        longitude,
        market_tier_final as market_tier,
        coalesce(is_urban, false) as is_urban,
        market_kind,
        match_radius_km,
        tier_basis_final as tier_basis,
        is_tier_fallback,
        known_operational_mw,
        source_url
    from markets
)

select * from final
