-- A table, not a view: its data tests and the models downstream read it, and a view is recomputed by each
-- (README, Performance).
{{ config(materialized='table') }}
-- One row per deployment (raw.epoch_gpu_clusters record) with the years it is installed as a cluster
-- of its own (as of 31 December, and as of the history's as-of date in its last, partial year:
-- int_ai_history__as_of), and why it does not count as AI demand when it does not (demand_reason).
-- Counted from the year of first_operational_date (operational or decommissioned rows);
-- operational rows with no date count from the last complete year only;
-- decommissioned rows stop counting from the year of decommissioned_date (never counted when that
-- date is unknown); a phase stops counting from the year its superseding phase (superseded_by,
-- matched on cluster name) starts counting, as later phases include the earlier ones;
-- never counted: possible duplicates (Epoch's flag), planned rows, rows Epoch leaves out of its
-- own standard analysis (include_in_standard_analysis false: e.g. a 'Tesla Earnings Call Claim'
-- that overlaps Cortex), and rows a rule of seed demand_exclusion_rules marks as not known to be
-- built (a cloud offering's product maximum, Epoch's own 'if it was ever built'), all kept and flagged.
-- Public scientific and industrial supercomputers (workload class hpc) keep their installed years, so
-- the demand marts show them apart (workload 'hpc'), but are not AI demand unless p('hpc_counts_as_ai_demand').
-- A cluster Epoch also counts in a frontier campus's timeline (int_ai_deployments__campus_pairs) keeps
-- these years here; int_ai_capacity__installed_by_year counts it through the campus where the campus
-- has power.
with deployments as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

workloads as (
    select * from {{ ref('int_ai_deployments__workload_classified') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

exclusion_rules as (
    select * from {{ ref('demand_exclusion_rules') }}
),

exclusions as (
    select
        deployments.deployment_id,
        exclusion_rules.rule_id,
        exclusion_rules.demand_reason
    from deployments
    inner join exclusion_rules
        on regexp_matches(
            lower(case exclusion_rules.match_field when 'note' then deployments.note else deployments.quote end),
            exclusion_rules.pattern
        )
    qualify row_number() over (
        partition by deployments.deployment_id order by exclusion_rules.priority, exclusion_rules.rule_id
    ) = 1
),

starts as (
    select
        deployments.deployment_id,
        deployments.cluster_name,
        deployments.status,
        deployments.superseded_by,
        deployments.possible_duplicate,
        deployments.include_in_standard_analysis,
        deployments.first_operational_date,
        deployments.decommissioned_date,
        workloads.workload,
        exclusions.rule_id as exclusion_rule_id,
        exclusions.demand_reason as exclusion_reason,
        case
            when deployments.status = 'planned' then null
            when deployments.first_operational_date is not null then year(deployments.first_operational_date)
            when deployments.status = 'operational' then as_of.last_complete_year
        end as start_year,
        case
            when deployments.status = 'decommissioned' then year(deployments.decommissioned_date)
        end as decommissioned_year,
        as_of.as_of_year
    from deployments
    inner join workloads
        on deployments.deployment_id = workloads.deployment_id
    left join exclusions
        on deployments.deployment_id = exclusions.deployment_id
    cross join as_of
),

superseding as (
    select
        cluster_name,
        min(start_year) as superseding_start_year
    from starts
    where
        start_year is not null and not possible_duplicate and include_in_standard_analysis
        and exclusion_rule_id is null
    group by cluster_name
),

bounded as (
    select
        starts.*,
        superseding.superseding_start_year,
        least(
            coalesce(starts.decommissioned_year - 1, 9999),
            coalesce(superseding.superseding_start_year - 1, 9999),
            starts.as_of_year
        ) as end_year,
        starts.possible_duplicate
        or starts.status = 'planned'
        or (starts.status = 'decommissioned' and starts.decommissioned_date is null)
        or not starts.include_in_standard_analysis
        or starts.exclusion_rule_id is not null as never_installed
    from starts
    left join superseding
        on starts.superseded_by = superseding.cluster_name
),

final as (
    select
        deployment_id,
        case when not never_installed and start_year <= end_year then start_year end as demand_start_year,
        case when not never_installed and start_year <= end_year then end_year end as demand_end_year,
        superseding_start_year,
        first_operational_date is null and status = 'operational' as is_start_date_unknown,
        exclusion_rule_id as demand_exclusion_rule_id,
        case
            when possible_duplicate then 'possible_duplicate'
            when status = 'planned' then 'planned'
            when status = 'decommissioned' and decommissioned_date is null
                then 'decommissioned_date_unknown'
            when not include_in_standard_analysis then 'outside_epoch_standard_analysis'
            when exclusion_reason is not null then exclusion_reason
            when start_year > as_of_year then 'starts_after_latest_year'
            when status = 'decommissioned' and decommissioned_year <= as_of_year then 'decommissioned'
            when superseding_start_year <= as_of_year then 'superseded'
            {% if not p('hpc_counts_as_ai_demand') -%}
                when workload = 'hpc' then 'hpc_not_ai_demand'
            {% endif -%}
            else 'counted'
        end as demand_reason
    from bounded
)

select * from final
