-- One row per year x region x market_tier x workload with at least one deployment: AI
-- deployments installed as of 31 December of the year (see int_ai_deployments__demand_years:
-- operational by then, not decommissioned, not superseded by a later phase already counted, not a
-- possible duplicate; operational rows
-- with an unknown date count from var demand_latest_year only). Years run from the first
-- operational year to var demand_latest_year. Sparse: only combinations with a deployment;
-- marts.fct_ai_demand_by_tier fills the full grid. It reads the public deployments mart on purpose,
-- so the demand table can never disagree with fct_ai_deployments.counts_in_demand.
with deployments as (
    select * from {{ ref('fct_ai_deployments') }}
),

years as (
    select unnest(range(
        (select min(demand_start_year) from deployments),
        {{ var('demand_latest_year') }} + 1
    )) as year
),

installed as (
    select
        years.year,
        deployments.*
    from deployments
    inner join years
        on years.year between deployments.demand_start_year and deployments.demand_end_year
),

aggregated as (
    select
        cast(year as integer) as year,
        region,
        market_tier,
        workload,
        cast(count(*) as integer) as deployments,
        coalesce(sum(gpu_count), 0) as gpu_count,
        coalesce(sum(it_power_mw), 0) as it_power_mw,
        coalesce(sum(facility_power_mw), 0) as facility_power_mw,
        coalesce(sum(annual_energy_mwh), 0) as annual_energy_mwh,
        coalesce(sum(h100_equivalents), 0) as h100_equivalents,
        cast(count(*) filter (where power_basis = 'reported') as integer) as deployments_power_reported,
        cast(count(*) filter (where facility_power_mw is null) as integer) as deployments_without_power,
        cast(count(*) filter (where workload_basis = 'modelled') as integer) as deployments_workload_modelled
    from installed
    group by year, region, market_tier, workload
)

select * from aggregated
