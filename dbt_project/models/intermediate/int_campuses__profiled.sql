-- A table, not a view: its data tests and the models downstream read it, and a view is recomputed by each
-- (README, Performance).
{{ config(materialized='table') }}
-- One row per Epoch AI frontier data center (campus): where it is (market, tier, kind, as for every
-- located entity: int_locations__matched_to_markets), who owns and uses it (owner type of the owner and
-- of the users, by seed owner_types), and its power from its timeline (int_campuses__timeline_events):
-- at the history's as-of date (the last event on or before it), when it first had power, and its
-- planned build-out (the highest power of any event, projected ones included).
with campuses as (
    select * from {{ ref('stg_epoch__data_centers') }}
),

events as (
    select * from {{ ref('int_campuses__timeline_events') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

matches as (
    select * from {{ ref('int_locations__matched_to_markets') }}
    where entity_type = 'epoch_data_center'
),

markets as (
    select * from {{ ref('int_markets__tiered') }}
),

owner_types as (
    select * from {{ ref('owner_types') }}
),

owner_match as (
    select
        campuses.data_center_id,
        owner_types.owner_type
    from campuses
    inner join owner_types
        on regexp_matches(lower(campuses.owner), owner_types.owner_pattern)
    qualify row_number() over (partition by campuses.data_center_id order by owner_types.priority) = 1
),

-- the users' type: the most specific (lowest priority) type any listed user has
user_match as (
    select
        campuses.data_center_id,
        owner_types.owner_type
    from campuses
    inner join owner_types
        on regexp_matches(lower(campuses.users), owner_types.owner_pattern)
    qualify row_number() over (partition by campuses.data_center_id order by owner_types.priority) = 1
),

power_at_as_of as (
    select
        events.data_center_id,
        events.facility_power_mw,
        events.it_power_mw,
        events.capacity_basis,
        events.event_date
    from events
    cross join as_of
    where events.event_date <= as_of.as_of_date
    qualify row_number() over (partition by events.data_center_id order by events.event_seq desc) = 1
),

build_out as (
    select
        data_center_id,
        max(facility_power_mw) as planned_power_mw,
        min(event_date) as first_event_date,
        min(event_date) filter (where facility_power_mw > 0) as first_power_date,
        max(event_date) filter (where is_projected) as last_projected_date
    from events
    group by data_center_id
),

final as (
    select
        campuses.data_center_id,
        'epoch-' || {{ slugify('campuses.data_center_id') }} as campus_id,
        campuses.data_center_name as campus_name,
        campuses.project,
        campuses.owner,
        campuses.users,
        campuses.address,
        campuses.zip_code,
        coalesce(owner_match.owner_type, 'unknown') as owner_type,
        user_match.owner_type as user_owner_type,
        coalesce(matches.market_id, 'unassigned') as market_id,
        markets.country_code,
        coalesce(matches.state_code, split_part(markets.state_code, '|', 1)) as state_code,
        coalesce(markets.region, 'Unknown') as region,
        coalesce(markets.market_tier_final, 'unknown') as market_tier,
        coalesce(markets.market_kind, 'unassigned') as market_kind,
        coalesce(markets.is_urban, false) as is_urban,
        coalesce(power_at_as_of.facility_power_mw, 0) as facility_power_mw_as_of,
        coalesce(power_at_as_of.it_power_mw, 0) as it_power_mw_as_of,
        power_at_as_of.capacity_basis as capacity_basis_as_of,
        power_at_as_of.event_date as last_event_date_as_of,
        coalesce(build_out.planned_power_mw, 0) as planned_power_mw,
        build_out.first_event_date,
        build_out.first_power_date,
        build_out.last_projected_date,
        campuses.source_ref
    from campuses
    left join owner_match on campuses.data_center_id = owner_match.data_center_id
    left join user_match on campuses.data_center_id = user_match.data_center_id
    left join matches on campuses.data_center_id = matches.entity_id
    left join markets on coalesce(matches.market_id, 'unassigned') = markets.market_id
    left join power_at_as_of on campuses.data_center_id = power_at_as_of.data_center_id
    left join build_out on campuses.data_center_id = build_out.data_center_id
)

select * from final
