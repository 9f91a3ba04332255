-- One row per year x region x market_tier x market_kind x workload with at least one unit of AI
-- capacity (sparse; marts.fct_ai_demand_by_tier fills the full grid). Built from the units the
-- history counts (int_ai_capacity__installed_by_year: frontier campuses by their timelines, GPU clusters
-- by their own power where no campus counts them), so each megawatt is counted once.
-- * Installed power is as of the period's end: 31 December, or the history's as-of date in its last,
--   partial year.
-- * Workloads: an AI unit's power splits by its training_share of the year (int_ai_capacity__workload_split:
--   the one home of the split) into 'training' and 'inference' (inference_share = 1 - training_share); a
--   scientific or industrial supercomputer not counted as AI demand is one 'hpc' row. split_low_mw and
--   split_high_mw are the row's MW with every unit's share at the low or high end of its range (training:
--   the share's low/high; inference: 1 - the share's high/low).
-- * deployments counts each installed unit once, in the row of its larger share (training on a tie):
--   a split unit's smaller share is a share of megawatts, not a second deployment.
-- * Energy is the energy of the period, from mid-period capacity: the mean of the facility power at the
--   end of the period before and at the end of this one x the period's hours (8,760; in the partial
--   year the hours from 1 January to the as-of date) x the workload's load factor.
with installed as (
    select * from {{ ref('int_ai_capacity__installed_by_year') }}
),

units as (
    select * from {{ ref('int_ai_capacity__units') }}
),

split as (
    select * from {{ ref('int_ai_capacity__workload_split') }}
),

unit_years as (
    select
        installed.*,
        units.unit_kind,
        units.region,
        units.market_tier,
        units.market_kind,
        split.training_share,
        split.training_share_low,
        split.training_share_high,
        case when split.split_basis in ('prior', 'prior_repurposed') then 'prior' else units.workload_basis end
            as workload_basis,
        units.power_basis,
        units.is_hpc_apart,
        case
            when units.is_hpc_apart then 'hpc'
            when split.training_share >= 0.5 then 'training'
            else 'inference'
        end as main_workload
    from installed
    inner join units
        on installed.unit_id = units.unit_id
    inner join split
        on installed.unit_id = split.unit_id and installed.year = split.year
    where installed.facility_power_mw > 0 or installed.facility_power_mw_previous > 0
),

workload_parts as (
    select
        unit_years.*,
        'training' as part_workload,
        unit_years.training_share as part_share,
        unit_years.training_share_low as part_share_low,
        unit_years.training_share_high as part_share_high,
        cast({{ p('load_factor_training') }} as double) as part_load_factor
    from unit_years
    where not unit_years.is_hpc_apart
    union all
    select
        unit_years.*,
        'inference' as part_workload,
        1 - training_share as part_share,
        1 - training_share_high as part_share_low,
        1 - training_share_low as part_share_high,
        cast({{ p('load_factor_inference') }} as double) as part_load_factor
    from unit_years
    where not is_hpc_apart
    union all
    select
        unit_years.*,
        'hpc' as part_workload,
        1.0 as part_share,
        1.0 as part_share_low,
        1.0 as part_share_high,
        cast({{ p('load_factor_hpc') }} as double) as part_load_factor
    from unit_years
    where is_hpc_apart
),

aggregated as (
    select
        year,
        region,
        market_tier,
        market_kind,
        part_workload as workload,
        min(period_end) as period_end,
        bool_and(is_year_end) as is_year_end,
        cast(count(*) filter (where facility_power_mw > 0 and main_workload = part_workload) as integer)
            as deployments,
        cast(
            count(*) filter (where facility_power_mw > 0 and main_workload = part_workload and unit_kind = 'campus')
            as integer
        ) as campuses,
        coalesce(sum(gpu_count * part_share), 0) as gpu_count,
        coalesce(sum(it_power_mw * part_share), 0) as it_power_mw,
        coalesce(sum(facility_power_mw * part_share), 0) as facility_power_mw,
        coalesce(sum(facility_power_mw * part_share_low), 0) as split_low_mw,
        coalesce(sum(facility_power_mw * part_share_high), 0) as split_high_mw,
        coalesce(sum(facility_power_mw * part_share) filter (where unit_kind = 'campus'), 0)
            as facility_power_mw_campuses,
        coalesce(
            sum((facility_power_mw + facility_power_mw_previous) / 2.0 * part_share * period_hours * part_load_factor),
            0
        ) as annual_energy_mwh,
        coalesce(sum(h100_equivalents * part_share), 0) as h100_equivalents,
        cast(count(*) filter (
            where facility_power_mw > 0 and main_workload = part_workload and power_basis = 'reported'
        ) as integer) as deployments_power_reported,
        cast(0 as integer) as deployments_without_power,
        cast(count(*) filter (
            where facility_power_mw > 0 and main_workload = part_workload and workload_basis = 'prior'
        ) as integer) as deployments_share_from_prior,
        coalesce(sum(facility_power_mw * part_share) filter (where workload_basis = 'prior'), 0)
            as facility_power_mw_share_from_prior
    from workload_parts
    where part_share > 0 or part_share_high > 0
    group by year, region, market_tier, market_kind, part_workload
)

select * from aggregated
