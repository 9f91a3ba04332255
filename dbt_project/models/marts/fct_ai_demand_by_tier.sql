-- One row per year x region x market_tier x market_kind x workload: power installed as of the end of
-- the period (31 December; the history's as-of date in its last, partial year: as_of_date, is_year_end)
-- and the energy of the period (int_ai_demand__installed_by_year), as a full grid: every year from the
-- first operational year to the as-of year (int_ai_history__as_of) x every region of
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

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

years as (
    select unnest(range(
        (select min(installed.year) from installed),
        (select as_of.as_of_year from as_of) + 1
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
        coalesce(aggregated.deployments_share_from_prior, 0) as deployments_share_from_prior,
        case
            when grid.year = as_of.as_of_year then as_of.as_of_date else make_date(grid.year, 12, 31)
        end as as_of_date,
        grid.year < as_of.as_of_year or (month(as_of.as_of_date) = 12 and day(as_of.as_of_date) = 31) as is_year_end,
        coalesce(aggregated.campuses, 0) as campuses,
        coalesce(aggregated.facility_power_mw_campuses, 0) as facility_power_mw_campuses,
        coalesce(aggregated.facility_power_mw_share_from_prior, 0) as facility_power_mw_share_from_prior,
        coalesce(aggregated.split_low_mw, 0) as split_low_mw,
        coalesce(aggregated.split_high_mw, 0) as split_high_mw
    from grid
    cross join as_of
    left join installed as aggregated
        on
            grid.year = aggregated.year
            and grid.region = aggregated.region
            and grid.market_tier = aggregated.market_tier
            and grid.market_kind = aggregated.market_kind
            and grid.workload = aggregated.workload
)

select * from final
