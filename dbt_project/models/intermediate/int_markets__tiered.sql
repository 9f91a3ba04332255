-- One row per market (markets reference) with its final tier and the basis of that tier.
-- The tier comes from the reference table (data, with tier_basis). Only where the reference
-- leaves it empty for a metro/campus/rest-of-state market does the capacity fallback apply:
-- operational + expanding facility capacity in the market (capacity_mw_low: FracTracker low bound,
-- Epoch frontier data centers' current power) against vars tier_fallback_tier_{1,2}_min_mw.
-- Each site counts once: only marts.fct_facilities' primary records (a campus listed by Epoch and
-- FracTracker counts on its FracTracker row). It reads the public mart on purpose, so the market
-- capacity can never disagree with `fct_facilities where is_primary_record`.
-- Country-undisclosed and unassigned markets are 'unknown': never guessed.
with markets as (
    select * from {{ ref('stg_reference__markets') }}
),

facilities as (
    select * from {{ ref('fct_facilities') }}
),

capacity_by_market as (
    select
        market_id,
        coalesce(sum(capacity_mw_low), 0) as known_operational_mw
    from facilities
    where
        is_primary_record
        and status in ('operational', 'expanding')
    group by market_id
),

final as (
    select
        markets.*,
        coalesce(capacity_by_market.known_operational_mw, 0) as known_operational_mw,
        case
            when markets.market_kind in ('country_rest', 'unassigned') then 'unknown'
            when nullif(trim(markets.market_tier), '') is not null then markets.market_tier
            when
                coalesce(capacity_by_market.known_operational_mw, 0)
                >= {{ p('tier_fallback_tier_1_min_mw') }} then 'tier_1'
            when
                coalesce(capacity_by_market.known_operational_mw, 0)
                >= {{ p('tier_fallback_tier_2_min_mw') }} then 'tier_2'
            else 'tier_3'
        end as market_tier_final,
        case
            when markets.market_kind in ('country_rest', 'unassigned')
                then coalesce(markets.tier_basis, 'location not disclosed: tier unknown')
            when nullif(trim(markets.market_tier), '') is not null then markets.tier_basis
            else
                'capacity fallback: ' || cast(round(coalesce(capacity_by_market.known_operational_mw, 0), 1) as varchar)
                || ' MW operational facility capacity matched (thresholds tier_1 >= '
                || {{ p('tier_fallback_tier_1_min_mw') }}::varchar || ' MW, tier_2 >= '
                || {{ p('tier_fallback_tier_2_min_mw') }}::varchar || ' MW; assumption)'
        end as tier_basis_final,
        nullif(trim(markets.market_tier), '') is null
        and markets.market_kind not in ('country_rest', 'unassigned') as is_tier_fallback
    from markets
    left join capacity_by_market
        on markets.market_id = capacity_by_market.market_id
)

select * from final
