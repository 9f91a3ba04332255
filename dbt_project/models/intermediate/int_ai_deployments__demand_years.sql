-- One row per deployment with the years it counts as installed AI demand ("installed as of
-- 31 December of the year"), and why not when it never does.
-- Counted from the year of first_operational_date (operational or decommissioned rows);
-- operational rows with no date count from var demand_latest_year only;
-- decommissioned rows stop counting from the year of decommissioned_date (never counted when that
-- date is unknown); a phase stops counting from the year its superseding phase (superseded_by,
-- matched on cluster name) starts counting, as later phases include the earlier ones;
-- possible duplicates (Epoch's flag) never count; planned rows do not count.
with deployments as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

starts as (
    select
        deployment_id,
        cluster_name,
        status,
        superseded_by,
        possible_duplicate,
        first_operational_date,
        decommissioned_date,
        case
            when status = 'planned' then null
            when first_operational_date is not null then year(first_operational_date)
            when status = 'operational' then {{ var('demand_latest_year') }}
        end as start_year,
        case
            when status = 'decommissioned' then year(decommissioned_date)
        end as decommissioned_year
    from deployments
),

superseding as (
    select
        cluster_name,
        min(start_year) as superseding_start_year
    from starts
    where start_year is not null and not possible_duplicate
    group by cluster_name
),

bounded as (
    select
        starts.*,
        superseding.superseding_start_year,
        least(
            coalesce(starts.decommissioned_year - 1, 9999),
            coalesce(superseding.superseding_start_year - 1, 9999),
            {{ var('demand_latest_year') }}
        ) as end_year
    from starts
    left join superseding
        on starts.superseded_by = superseding.cluster_name
),

final as (
    select
        deployment_id,
        case
            when possible_duplicate or status = 'planned' then null
            when status = 'decommissioned' and decommissioned_date is null then null
            when start_year > end_year then null
            else start_year
        end as demand_start_year,
        case
            when possible_duplicate or status = 'planned' then null
            when status = 'decommissioned' and decommissioned_date is null then null
            when start_year > end_year then null
            else end_year
        end as demand_end_year,
        superseding_start_year,
        first_operational_date is null and status = 'operational' as is_start_date_unknown,
        case
            when possible_duplicate then 'possible_duplicate'
            when status = 'planned' then 'planned'
            when status = 'decommissioned' and decommissioned_date is null
                then 'decommissioned_date_unknown'
            when start_year > {{ var('demand_latest_year') }} then 'starts_after_latest_year'
            when
                status = 'decommissioned'
                and decommissioned_year <= {{ var('demand_latest_year') }} then 'decommissioned'
            when superseding_start_year <= {{ var('demand_latest_year') }} then 'superseded'
            else 'counted'
        end as demand_reason
    from bounded
)

select * from final
