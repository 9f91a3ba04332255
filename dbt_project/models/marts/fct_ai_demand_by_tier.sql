-- One row per year x region x market_tier x market_kind x workload: power installed as of 31
-- December of the year and the energy of the calendar year (int_ai_demand__installed_by_year), as a
-- full grid: every year from the first operational year to p('demand_latest_year') x every region of
-- the markets reference (as in dim_markets: a market without one is 'Unknown') x every tier and kind
-- pair of dim_markets x workload (training, inference: AI demand, each deployment's power split by its
-- training_share; hpc: public scientific supercomputers, shown apart) has a row, zero where nothing is
-- installed. is_ai_demand says which rows are AI demand.
with installed as (
    select * from {{ ref('int_ai_demand__installed_by_year') }}
),

markets as (
    select * from {{ ref('int_markets__tiered') }}
),

years as (
    select unnest(range(
        (select min(installed.year) from installed),
        {{ p('demand_latest_year') }} + 1
    )) as year
),

regions as (
    select distinct coalesce(region, 'Unknown') as region from markets
),

tier_kinds as (
    select distinct
        market_tier_final as market_tier,
        market_kind
    from markets
),

workloads as (
    select unnest(['training', 'inference', 'hpc']) as workload
),

grid as (
    select
        cast(years.year as integer) as year,
        regions.region,
        tier_kinds.market_tier,
        tier_kinds.market_kind,
        workloads.workload
    from years
    cross join regions
    cross join tier_kinds
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
        grid.market_kind,
        grid.workload in ('training', 'inference') as is_ai_demand,
        coalesce(aggregated.h100_equivalents, 0) as h100_equivalents,
        coalesce(aggregated.deployments_power_reported, 0) as deployments_power_reported,
        coalesce(aggregated.deployments_without_power, 0) as deployments_without_power,
        coalesce(aggregated.deployments_share_from_prior, 0) as deployments_share_from_prior
    from grid
    left join installed as aggregated
        on
            grid.year = aggregated.year
            and grid.region = aggregated.region
            and grid.market_tier = aggregated.market_tier
            and grid.market_kind = aggregated.market_kind
            and grid.workload = aggregated.workload
)

select * from final
