-- One row per deployment with the years it counts as installed (as of 31 December of the year), and
-- why it does not count as AI demand when it does not (demand_reason).
-- Counted from the year of first_operational_date (operational or decommissioned rows);
-- operational rows with no date count from p('demand_latest_year') only;
-- decommissioned rows stop counting from the year of decommissioned_date (never counted when that
-- date is unknown); a phase stops counting from the year its superseding phase (superseded_by,
-- matched on cluster name) starts counting, as later phases include the earlier ones;
-- never counted: possible duplicates (Epoch's flag), planned rows, and rows Epoch leaves out of its
-- own standard analysis (include_in_standard_analysis false: e.g. a 'Tesla Earnings Call Claim'
-- that overlaps Cortex), which are kept and flagged.
-- Public scientific supercomputers (workload class hpc) keep their installed years, so the demand
-- marts show them apart (workload 'hpc'), but are not AI demand unless p('hpc_counts_as_ai_demand').
with deployments as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

workloads as (
    select * from {{ ref('int_ai_deployments__workload_classified') }}
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
        case
            when deployments.status = 'planned' then null
            when deployments.first_operational_date is not null then year(deployments.first_operational_date)
            when deployments.status = 'operational' then {{ p('demand_latest_year') }}
        end as start_year,
        case
            when deployments.status = 'decommissioned' then year(deployments.decommissioned_date)
        end as decommissioned_year
    from deployments
    inner join workloads
        on deployments.deployment_id = workloads.deployment_id
),

superseding as (
    select
        cluster_name,
        min(start_year) as superseding_start_year
    from starts
    where start_year is not null and not possible_duplicate and include_in_standard_analysis
    group by cluster_name
),

bounded as (
    select
        starts.*,
        superseding.superseding_start_year,
        least(
            coalesce(starts.decommissioned_year - 1, 9999),
            coalesce(superseding.superseding_start_year - 1, 9999),
            {{ p('demand_latest_year') }}
        ) as end_year,
        possible_duplicate
        or status = 'planned'
        or (status = 'decommissioned' and decommissioned_date is null)
        or not include_in_standard_analysis as never_installed
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
        case
            when possible_duplicate then 'possible_duplicate'
            when status = 'planned' then 'planned'
            when status = 'decommissioned' and decommissioned_date is null
                then 'decommissioned_date_unknown'
            when not include_in_standard_analysis then 'outside_epoch_standard_analysis'
            when start_year > {{ p('demand_latest_year') }} then 'starts_after_latest_year'
            when
                status = 'decommissioned'
                and decommissioned_year <= {{ p('demand_latest_year') }} then 'decommissioned'
            when superseding_start_year <= {{ p('demand_latest_year') }} then 'superseded'
            {% if not p('hpc_counts_as_ai_demand') -%}
            when workload = 'hpc' then 'hpc_not_ai_demand'
            {% endif -%}
            else 'counted'
        end as demand_reason
    from bounded
)

select * from final
