-- One row per year x region x market_tier x workload: AI deployments installed as of 31 December
-- of the year (int_ai_demand__installed_by_year), as a full grid: every year from the first
-- operational year to var demand_latest_year x every region of the markets reference (as in
-- dim_markets: a market without one is 'Unknown') x tier (tier_1, tier_2, tier_3, unknown) x
-- workload (training, inference, mixed) has a row, zero where nothing is installed.
with installed as (
    select * from {{ ref('int_ai_demand__installed_by_year') }}
),

markets as (
    select * from {{ ref('int_markets__tiered') }}
),

years as (
    select unnest(range(
        (select min(installed.year) from installed),
        {{ var('demand_latest_year') }} + 1
    )) as year
),

regions as (
    select distinct coalesce(region, 'Unknown') as region from markets
),

tiers as (
    select unnest(['tier_1', 'tier_2', 'tier_3', 'unknown']) as market_tier
),

workloads as (
    select unnest(['training', 'inference', 'mixed']) as workload
),

grid as (
    select
        cast(years.year as integer) as year,
        regions.region,
        tiers.market_tier,
        workloads.workload
    from years
    cross join regions
    cross join tiers
    cross join workloads
),

final as (
    select
        grid.year,
        grid.region,
        grid.market_tier,
        grid.workload,
        coalesce(aggregated.deployments, 0) as deployments,
        coalesce(aggregated.gpu_count, 0) as gpu_count,
        coalesce(aggregated.it_power_mw, 0) as it_power_mw,
        coalesce(aggregated.facility_power_mw, 0) as facility_power_mw,
        coalesce(aggregated.annual_energy_mwh, 0) as annual_energy_mwh,
        coalesce(aggregated.h100_equivalents, 0) as h100_equivalents,
        coalesce(aggregated.deployments_power_reported, 0) as deployments_power_reported,
        coalesce(aggregated.deployments_without_power, 0) as deployments_without_power,
        coalesce(aggregated.deployments_workload_modelled, 0) as deployments_workload_modelled
    from grid
    left join installed as aggregated
        on
            grid.year = aggregated.year
            and grid.region = aggregated.region
            and grid.market_tier = aggregated.market_tier
            and grid.workload = aggregated.workload
)

select * from final
