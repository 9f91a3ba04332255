-- One row per year x region x market_tier x market_kind x workload with at least one deployment
-- (sparse; marts.fct_ai_demand_by_tier fills the full grid). It reads the public deployments mart
-- on purpose, so the demand table can never disagree with fct_ai_deployments.
-- * Installed power is as of 31 December of the year: a deployment counts from demand_start_year to
--   demand_end_year (int_ai_deployments__demand_years).
-- * Workloads: an AI deployment's power splits by training_share into 'training' and 'inference'
--   (inference_share = 1 - training_share); a public scientific supercomputer not counted as AI
--   demand is one 'hpc' row. Rows outside installed demand (planned, possible duplicates, outside
--   Epoch's standard analysis, ...) never appear.
-- * Energy is the energy of the calendar year, from mid-year capacity: a deployment installed at the
--   end of year y-1 and of year y draws its power all year; in the year it comes online, and in the
--   year after its last year-end, half a year (the mid-year convention). The year-end MW x 8,760 h
--   run-rate would overstate a year of fast growth.
with deployments as (
    select
        *,
        workload = 'hpc' and not {{ p('hpc_counts_as_ai_demand') }} as is_hpc_apart
    from {{ ref('fct_ai_deployments') }}
    where demand_start_year is not null
),

years as (
    select unnest(range(
        (select min(demand_start_year) from deployments),
        {{ p('demand_latest_year') }} + 1
    )) as year
),

workload_parts as (
    select
        deployments.*,
        'training' as part_workload,
        training_share as part_share,
        cast({{ p('load_factor_training') }} as double) as part_load_factor
    from deployments
    where not is_hpc_apart
    union all
    select
        deployments.*,
        'inference' as part_workload,
        1 - training_share as part_share,
        cast({{ p('load_factor_inference') }} as double) as part_load_factor
    from deployments
    where not is_hpc_apart
    union all
    select
        deployments.*,
        'hpc' as part_workload,
        1.0 as part_share,
        cast({{ p('load_factor_hpc') }} as double) as part_load_factor
    from deployments
    where is_hpc_apart
),

deployment_years as (
    select
        cast(years.year as integer) as year,
        workload_parts.*,
        years.year between workload_parts.demand_start_year and workload_parts.demand_end_year as installed_at_year_end,
        (
            cast(years.year - 1 between workload_parts.demand_start_year and workload_parts.demand_end_year as integer)
            + cast(years.year between workload_parts.demand_start_year and workload_parts.demand_end_year as integer)
        ) / 2.0 as year_fraction
    from workload_parts
    inner join years
        on years.year between workload_parts.demand_start_year and workload_parts.demand_end_year + 1
    where workload_parts.part_share > 0
),

aggregated as (
    select
        year,
        region,
        market_tier,
        market_kind,
        part_workload as workload,
        cast(count(*) filter (where installed_at_year_end) as integer) as deployments,
        coalesce(sum(gpu_count * part_share) filter (where installed_at_year_end), 0) as gpu_count,
        coalesce(sum(it_power_mw * part_share) filter (where installed_at_year_end), 0) as it_power_mw,
        coalesce(sum(facility_power_mw * part_share) filter (where installed_at_year_end), 0) as facility_power_mw,
        coalesce(sum(facility_power_mw * part_share * 8760 * part_load_factor * year_fraction), 0)
            as annual_energy_mwh,
        coalesce(sum(h100_equivalents * part_share) filter (where installed_at_year_end), 0) as h100_equivalents,
        cast(count(*) filter (where installed_at_year_end and power_basis = 'reported') as integer)
            as deployments_power_reported,
        cast(count(*) filter (where installed_at_year_end and facility_power_mw is null) as integer)
            as deployments_without_power,
        cast(count(*) filter (where installed_at_year_end and workload_basis = 'prior') as integer)
            as deployments_share_from_prior
    from deployment_years
    group by year, region, market_tier, market_kind, part_workload
)

select * from aggregated
