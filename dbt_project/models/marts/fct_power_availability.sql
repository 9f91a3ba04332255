-- Planned generation near each market, from EIA-860M: one row per market x planned operation year x fuel x status,
-- with the MW planned to start in that year (not cumulative) within the market's match radius and within var
-- power_near_market_km (100 km) of its centre. It measures announced new generation nearby; it is not deliverable
-- power (transmission import limits, e.g. Northern Virginia's, and behind-the-meter turbines are outside it). The
-- state's operating, planned and canceled-or-postponed capacity give the context. Generators near two markets
-- count in both.
with generators as (
    select * from {{ ref('stg_eia860m__planned_generators') }}
),

near as (
    select * from {{ ref('int_power__generators_near_markets') }}
),

markets as (
    select * from {{ ref('dim_markets') }}
),

states as (
    select * from {{ ref('stg_eia860m__state_capacity') }}
),

grouped as (
    select
        near.market_id,
        generators.planned_year,
        generators.fuel,
        generators.status,
        sum(generators.nameplate_mw) filter (where near.in_radius) as planned_mw_in_radius,
        sum(generators.nameplate_mw) filter (where near.within_near_km) as planned_mw_within_100km,
        sum(generators.net_summer_mw) filter (where near.within_near_km) as net_summer_mw_within_100km,
        count(*) filter (where near.in_radius) as generators_in_radius,
        count(*) filter (where near.within_near_km) as generators_within_100km,
        min(near.distance_km) as nearest_km,
        any_value(near.near_km) as near_km,
        max(generators.source_release) as source_release
    from near
    inner join generators on near.generator_id = generators.generator_id
    group by all
),

final as (
    select
        grouped.market_id,
        markets.market_name,
        markets.country_code,
        markets.state_code,
        markets.market_tier,
        markets.market_kind,
        grouped.planned_year,
        grouped.fuel,
        grouped.status,
        coalesce(grouped.planned_mw_in_radius, 0) as planned_mw_in_radius,
        coalesce(grouped.planned_mw_within_100km, 0) as planned_mw_within_100km,
        grouped.net_summer_mw_within_100km,
        cast(grouped.generators_in_radius as integer) as generators_in_radius,
        cast(grouped.generators_within_100km as integer) as generators_within_100km,
        grouped.nearest_km,
        grouped.near_km,
        states.operating_mw as state_operating_mw,
        states.planned_mw as state_planned_mw,
        states.canceled_mw as state_canceled_mw,
        grouped.source_release,
        'planned generation within ' || cast(grouped.near_km as integer) || ' km (' || grouped.source_release
        || ', Planned sheet): not deliverable power' as measure
    from grouped
    inner join markets on grouped.market_id = markets.market_id
    left join states on split_part(markets.state_code, '|', 1) = states.state_code
)

select * from final
