-- One row per GPU cluster of Epoch AI paired with a frontier data center (campus) of Epoch's data-center
-- hub (int_ai_deployments__campus_pairs: the rule and its evidence), with both sources' power side by
-- side at the history's as-of date and which one counts. A campus's timeline counts every building on
-- the site; a cluster there is part of that power, so the installed base counts it once: through the
-- campus while the campus has power (counted_source 'campus_timeline'), through the cluster before
-- (counted_source 'cluster'). A planned cluster at a campus is part of the campus's build-out; only what
-- goes beyond it stays in the pipeline (fct_ai_pipeline). overlap_mw is the power both sources hold
-- that is counted once.
with pairs as (
    select * from {{ ref('int_ai_deployments__campus_pairs') }}
),

deployments as (
    select * from {{ ref('fct_ai_deployments') }}
),

campuses as (
    select * from {{ ref('int_campuses__profiled') }}
),

pipeline as (
    select * from {{ ref('fct_ai_pipeline') }}
    where pipeline_source = 'gpu_cluster'
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

installed as (
    select installed.*
    from {{ ref('int_ai_capacity__installed_by_year') }} as installed
    inner join as_of on installed.year = as_of.as_of_year
),

paired as (
    select
        pairs.*,
        deployments.status as cluster_status,
        deployments.facility_power_mw as cluster_facility_power_mw,
        deployments.demand_reason as cluster_demand_reason,
        coalesce(installed.own_facility_power_mw, 0) as cluster_installed_mw_as_of,
        coalesce(installed.is_covered_by_campus, false) as is_covered_by_campus,
        campuses.campus_name,
        campuses.market_id,
        campuses.facility_power_mw_as_of as campus_power_mw_as_of,
        campuses.planned_power_mw as campus_planned_power_mw,
        pipeline.mw_installed_per_campus,
        pipeline.mw_in_campus_build_out,
        pipeline.pipeline_mw as cluster_pipeline_mw
    from pairs
    inner join deployments on pairs.deployment_id = deployments.deployment_id
    inner join campuses on pairs.data_center_id = campuses.data_center_id
    left join installed on installed.unit_id = 'cluster:' || pairs.deployment_id
    left join pipeline on pairs.deployment_id = pipeline.deployment_id
),

final as (
    select
        paired.deployment_id,
        paired.cluster_name,
        paired.cluster_status,
        paired.campus_id,
        paired.campus_name,
        paired.market_id,
        paired.pair_rule,
        paired.address_match,
        paired.zip_match,
        paired.same_market,
        paired.owner_match,
        paired.name_words,
        paired.evidence_score,
        paired.candidate_campuses,
        paired.cluster_facility_power_mw,
        paired.cluster_installed_mw_as_of,
        paired.campus_power_mw_as_of,
        paired.campus_planned_power_mw,
        sum(paired.cluster_installed_mw_as_of) over (partition by paired.campus_id) as campus_clusters_mw_as_of,
        case
            when paired.is_covered_by_campus then least(paired.cluster_installed_mw_as_of, paired.campus_power_mw_as_of)
            when paired.cluster_status = 'planned'
                then coalesce(paired.mw_installed_per_campus, 0) + coalesce(paired.mw_in_campus_build_out, 0)
            else 0
        end as overlap_mw,
        case
            when paired.is_covered_by_campus then 'campus_timeline'
            when paired.cluster_installed_mw_as_of > 0 then 'cluster'
            when paired.cluster_status = 'planned' and coalesce(paired.cluster_pipeline_mw, 0) > 0
                then 'campus_timeline_and_cluster_excess'
            when
                paired.cluster_status = 'planned'
                and coalesce(paired.mw_installed_per_campus, 0) + coalesce(paired.mw_in_campus_build_out, 0) > 0
                then 'campus_timeline'
            else 'not_counted'
        end as counted_source,
        paired.cluster_demand_reason,
        paired.cluster_pipeline_mw,
        (select as_of.as_of_date from as_of) as as_of_date
    from paired
)

select * from final
