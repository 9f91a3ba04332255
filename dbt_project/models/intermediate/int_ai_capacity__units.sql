{{ config(materialized='table') }}

-- One row per unit of installed AI capacity the history counts: every GPU-cluster record of Epoch AI
-- (unit_kind 'cluster', unit_id 'cluster:<deployment_id>') and every frontier data center of Epoch's
-- data-center hub (unit_kind 'campus', unit_id its campus_id 'epoch-<slug>'), with where it is, who
-- owns it and how its power splits between training and inference:
-- * a cluster: its own classification (int_ai_deployments__workload_classified);
-- * a campus: the clusters paired with it (int_ai_deployments__campus_pairs), their training shares
--   weighted by facility power (operational clusters where there are any, else the planned ones), with
--   the basis and rule of the largest; a campus with no paired cluster takes the owner-type prior of its users
--   where they are an AI lab (capacity built for a lab's use: OpenAI at Stargate, Anthropic at New
--   Carlisle), else of its owner (seed workload_priors).
-- A unit's power over time is in int_ai_capacity__installed_by_year.
with clusters as (
    select * from {{ ref('int_ai_deployments__power_modelled') }}
),

campuses as (
    select * from {{ ref('int_campuses__profiled') }}
),

pairs as (
    select * from {{ ref('int_ai_deployments__campus_pairs') }}
),

priors as (
    select * from {{ ref('workload_priors') }}
),

paired_power as (
    select
        pairs.data_center_id,
        clusters.deployment_id,
        clusters.training_share,
        clusters.training_share_low,
        clusters.training_share_high,
        clusters.workload_basis,
        clusters.workload_rule_id,
        coalesce(clusters.facility_power_mw, 0) as facility_power_mw,
        -- operational (or decommissioned) clusters first; planned ones only where a campus has no other
        dense_rank() over (
            partition by pairs.data_center_id order by case when clusters.status = 'planned' then 1 else 0 end
        ) as status_rank
    from pairs
    inner join clusters
        on pairs.deployment_id = clusters.deployment_id
    where clusters.workload <> 'hpc' and coalesce(clusters.facility_power_mw, 0) > 0
),

campus_split_from_clusters as (
    select
        data_center_id,
        sum(facility_power_mw * training_share) / sum(facility_power_mw) as training_share,
        sum(facility_power_mw * training_share_low) / sum(facility_power_mw) as training_share_low,
        sum(facility_power_mw * training_share_high) / sum(facility_power_mw) as training_share_high,
        arg_max(workload_basis, facility_power_mw) as workload_basis,
        arg_max(workload_rule_id, facility_power_mw) as workload_rule_id,
        count(*) as paired_clusters
    from paired_power
    where status_rank = 1
    group by data_center_id
),

campus_units as (
    select
        campuses.campus_id as unit_id,
        'campus' as unit_kind,
        cast(null as varchar) as deployment_id,
        campuses.data_center_id,
        campuses.campus_name as unit_name,
        campuses.owner,
        campuses.users,
        campuses.owner_type,
        campuses.market_id,
        campuses.country_code,
        campuses.state_code,
        campuses.region,
        campuses.market_tier,
        campuses.market_kind,
        campuses.is_urban,
        case
            when campus_split_from_clusters.training_share is null then 'mixed'
            when campus_split_from_clusters.training_share = 1 then 'training'
            when campus_split_from_clusters.training_share = 0 then 'inference'
            else 'mixed'
        end as workload,
        coalesce(campus_split_from_clusters.training_share, priors.training_share) as training_share,
        coalesce(campus_split_from_clusters.training_share_low, priors.training_share_low) as training_share_low,
        coalesce(campus_split_from_clusters.training_share_high, priors.training_share_high) as training_share_high,
        coalesce(campus_split_from_clusters.workload_basis, 'prior') as workload_basis,
        case
            when campus_split_from_clusters.training_share is not null then campus_split_from_clusters.workload_rule_id
            else 'prior_' || priors.owner_type
        end as workload_rule_id,
        case when campus_split_from_clusters.training_share is null then priors.owner_type end as workload_prior,
        priors.owner_type as prior_owner_type,
        false as is_hpc_apart,
        'campus_timeline' as power_basis,
        'Epoch AI frontier data centers (' || campuses.source_ref || ')' as source
    from campuses
    left join campus_split_from_clusters
        on campuses.data_center_id = campus_split_from_clusters.data_center_id
    left join priors
        on priors.owner_type = case
            when campuses.user_owner_type = 'ai_lab' then 'ai_lab'
            else campuses.owner_type
        end
),

cluster_units as (
    select
        'cluster:' || clusters.deployment_id as unit_id,
        'cluster' as unit_kind,
        clusters.deployment_id,
        pairs.data_center_id,
        clusters.cluster_name as unit_name,
        clusters.owner,
        clusters.users,
        clusters.owner_type,
        clusters.market_id,
        clusters.country_code,
        clusters.state_code,
        clusters.region,
        clusters.market_tier,
        clusters.market_kind,
        clusters.is_urban,
        clusters.workload,
        clusters.training_share,
        clusters.training_share_low,
        clusters.training_share_high,
        clusters.workload_basis,
        clusters.workload_rule_id,
        clusters.workload_prior,
        case when clusters.workload = 'hpc' then 'research' else clusters.owner_type end as prior_owner_type,
        clusters.workload = 'hpc' and not {{ p('hpc_counts_as_ai_demand') }} as is_hpc_apart,
        clusters.power_basis,
        'Epoch AI GPU clusters (' || clusters.source_ref || ')' as source
    from clusters
    left join pairs
        on clusters.deployment_id = pairs.deployment_id
),

final as (
    select * from campus_units
    union all
    select * from cluster_units
)

select * from final
