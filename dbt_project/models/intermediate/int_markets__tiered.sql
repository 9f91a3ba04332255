-- One row per market (markets reference) with its final tier and the basis of that tier.
-- The tier comes from the reference table (data, with tier_basis). Only where the reference
-- leaves it empty for a metro/campus/rest-of-state market does the capacity fallback apply:
-- operational + expanding facility capacity matched to the market (FracTracker low bound, Epoch
-- frontier data centers' current power) against vars tier_fallback_tier_{1,2}_min_mw.
-- Country-undisclosed and unassigned markets are 'unknown': never guessed.
with markets as (
    select * from {{ ref('stg_reference__markets') }}
),

matches as (
    select * from {{ ref('int_locations__matched_to_markets') }}
),

fractracker as (
    select * from {{ ref('stg_fractracker__facilities') }}
),

epoch_data_centers as (
    select * from {{ ref('stg_epoch__data_centers') }}
),

duplicates as (
    select * from {{ ref('int_facilities__cross_source_duplicates') }}
),

facility_capacity as (
    select
        matches.market_id,
        fractracker.mw_low as operational_mw
    from fractracker
    inner join matches
        on
            matches.entity_type = 'fractracker_facility'
            and matches.entity_id = fractracker.facility_id
    where fractracker.status in ('operational', 'expanding')

    union all

    select
        matches.market_id,
        epoch_data_centers.current_power_mw as operational_mw
    from epoch_data_centers
    inner join matches
        on
            matches.entity_type = 'epoch_data_center'
            and matches.entity_id = epoch_data_centers.data_center_id
    -- a campus FracTracker already lists is counted once, there
    where epoch_data_centers.data_center_id not in (select duplicates.data_center_id from duplicates)
),

capacity_by_market as (
    select
        market_id,
        coalesce(sum(operational_mw), 0) as known_operational_mw
    from facility_capacity
    group by market_id
),

final as (
    select
        markets.*,
        coalesce(capacity_by_market.known_operational_mw, 0) as known_operational_mw,
        case
            when markets.market_kind in ('country_undisclosed', 'unassigned') then 'unknown'
            when nullif(trim(markets.market_tier), '') is not null then markets.market_tier
            when
                coalesce(capacity_by_market.known_operational_mw, 0)
                >= {{ var('tier_fallback_tier_1_min_mw') }} then 'tier_1'
            when
                coalesce(capacity_by_market.known_operational_mw, 0)
                >= {{ var('tier_fallback_tier_2_min_mw') }} then 'tier_2'
            else 'tier_3'
        end as market_tier_final,
        case
            when markets.market_kind in ('country_undisclosed', 'unassigned')
                then coalesce(markets.tier_basis, 'location not disclosed: tier unknown')
            when nullif(trim(markets.market_tier), '') is not null then markets.tier_basis
            else
                'capacity fallback: ' || cast(round(coalesce(capacity_by_market.known_operational_mw, 0), 1) as varchar)
                || ' MW operational facility capacity matched (thresholds tier_1 >= '
                || {{ var('tier_fallback_tier_1_min_mw') }}::varchar || ' MW, tier_2 >= '
                || {{ var('tier_fallback_tier_2_min_mw') }}::varchar || ' MW; assumption)'
        end as tier_basis_final,
        nullif(trim(markets.market_tier), '') is null
        and markets.market_kind not in ('country_undisclosed', 'unassigned') as is_tier_fallback
    from markets
    left join capacity_by_market
        on markets.market_id = capacity_by_market.market_id
)

select * from final
