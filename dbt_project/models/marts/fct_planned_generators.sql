-- One row per planned generator of EIA-860M (the Planned sheet) with where it is, what it burns or harvests, how
-- big it is, when it is planned to start, and the nearest market it lies near (within the market's match radius
-- or var power_near_market_km of its centre; null when it is near none). The Map's planned-generator layer reads
-- it; fct_power_availability sums the same generators by market.
with generators as (
    select * from {{ ref('stg_eia860m__planned_generators') }}
),

near as (
    select * from {{ ref('int_power__generators_near_markets') }}
),

nearest as (
    select
        generator_id,
        arg_min(market_id, distance_km) as nearest_market_id,
        min(distance_km) as nearest_market_km,
        count(*) as markets_near
    from near
    group by generator_id
),

final as (
    select
        generators.generator_id,
        generators.plant_id,
        generators.plant_name,
        generators.state_code,
        generators.county,
        generators.latitude,
        generators.longitude,
        generators.nameplate_mw,
        generators.net_summer_mw,
        generators.technology,
        generators.fuel,
        generators.status,
        generators.planned_year,
        generators.planned_month,
        generators.iso,
        nearest.nearest_market_id,
        nearest.nearest_market_km,
        cast(coalesce(nearest.markets_near, 0) as integer) as markets_near,
        generators.source_release,
        generators.source_ref
    from generators
    left join nearest on generators.generator_id = nearest.generator_id
)

select * from final
