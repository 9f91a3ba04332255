-- A table, not a view: its data tests and several models read it, and at scale (make bench SCALE=100) a view
-- recomputed for each of them cost minutes.
{{ config(materialized='table') }}

-- One row per deployment (raw.epoch_gpu_clusters record) with its owner type, workload class and
-- training share (inference_share = 1 - training_share), and the basis of each.
--
-- 1. owner_type from seed owner_types (lowest priority whose pattern matches the owner, lower-cased;
--    no owner: 'chinese_anonymised' for Epoch's anonymised Chinese systems, else 'unknown').
-- 2. Rules (seed workload_rules, lowest priority matching rule wins) on the cluster name, the source
--    text (note + quote + hardware note), the primary chip, the owner and a cluster profile:
--    'public_research' (sector Public, owner type research: a scientific supercomputer),
--    'large_single_private' (a single private cluster of >= p('large_cluster_h100e') H100e that is
--    not a cloud offering: owner not a neocloud and Epoch's users not 'Cloud'), else 'other'.
--    A rule gives the class (training | inference | mixed | hpc) and, when it can, the share
--    (workload_basis 'rule': a source that names a cluster after a training run, or says it trains or
--    serves, states what it was built for, not for how long, so no rule is 'reported'; the years a
--    rule's share holds are int_ai_capacity__workload_split's first-use window).
-- 3. Otherwise the owner type's prior (seed workload_priors) splits the power: class 'mixed',
--    workload_basis 'prior', with the prior's low/high range for the scenarios.
with deployments as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

rules as (
    select * from {{ ref('workload_rules') }}
),

owner_types as (
    select * from {{ ref('owner_types') }}
),

priors as (
    select * from {{ ref('workload_priors') }}
),

-- the owner types of each distinct owner name, then by name to the deployments: a pattern read from a seed is
-- compiled per row it is tested on, so test each name once (at SCALE=100 most names repeat)
owner_names as (
    select distinct lower(owner) as owner_name
    from deployments
    where owner is not null
),

owner_name_types as (
    select
        owner_names.owner_name,
        owner_types.owner_type
    from owner_names
    inner join owner_types
        on regexp_matches(owner_names.owner_name, owner_types.owner_pattern)
    qualify row_number() over (
        partition by owner_names.owner_name order by owner_types.priority
    ) = 1
),

owner_matches as (
    select
        deployments.deployment_id,
        owner_name_types.owner_type
    from deployments
    inner join owner_name_types
        on lower(deployments.owner) = owner_name_types.owner_name
),

typed as (
    select
        deployments.*,
        coalesce(
            owner_matches.owner_type,
            case when deployments.country_name = 'China' then 'chinese_anonymised' else 'unknown' end
        ) as owner_type
    from deployments
    left join owner_matches
        on deployments.deployment_id = owner_matches.deployment_id
),

fields as (
    select
        deployment_id,
        lower(cluster_name) as cluster_name,
        lower(concat_ws(' ', note, quote, hardware_note)) as source_text,
        lower(chip_type_primary) as chip_type_primary,
        lower(owner) as owner,
        case
            when sector = 'Public' and owner_type = 'research' then 'public_research'
            when
                single_cluster = 'Yes'
                and sector = 'Private'
                and h100_equivalents >= {{ p('large_cluster_h100e') }}
                and owner_type <> 'neocloud'
                and not coalesce(regexp_matches(lower(users), '\bcloud\b'), false)
                then 'large_single_private'
            else 'other'
        end as cluster_profile
    from typed
),

field_values as (
    unpivot fields
    on cluster_name, source_text, chip_type_primary, cluster_profile, owner
    into name match_field value field_value
),

-- each distinct field value tested against the rules once (as the owner names above), then joined back by value
distinct_values as (
    select distinct
        match_field,
        field_value
    from field_values
),

value_matches as (
    select
        distinct_values.match_field,
        distinct_values.field_value,
        rules.rule_id,
        rules.priority,
        rules.workload,
        case when rules.training_share <> 'prior' then cast(rules.training_share as double) end as training_share,
        rules.workload_basis
    from distinct_values
    inner join rules
        on
            distinct_values.match_field = rules.match_field
            and regexp_matches(distinct_values.field_value, rules.pattern, 'i')
),

matches as (
    select
        field_values.deployment_id,
        value_matches.rule_id,
        value_matches.workload,
        value_matches.training_share,
        value_matches.workload_basis
    from field_values
    inner join value_matches
        on
            field_values.match_field = value_matches.match_field
            and field_values.field_value = value_matches.field_value
    qualify row_number() over (
        partition by field_values.deployment_id order by value_matches.priority, value_matches.rule_id
    ) = 1
),

final as (
    select
        typed.deployment_id,
        typed.owner_type,
        coalesce(matches.workload, 'mixed') as workload,
        coalesce(matches.training_share, priors.training_share) as training_share,
        coalesce(matches.training_share, priors.training_share_low) as training_share_low,
        coalesce(matches.training_share, priors.training_share_high) as training_share_high,
        case
            when matches.workload = 'hpc' then 'rule'
            when matches.training_share is not null then matches.workload_basis
            else 'prior'
        end as workload_basis,
        coalesce(matches.rule_id, 'prior_' || typed.owner_type) as workload_rule_id,
        case when matches.training_share is null then priors.owner_type end as workload_prior
    from typed
    left join matches
        on typed.deployment_id = matches.deployment_id
    left join priors
        on priors.owner_type = case when matches.workload = 'hpc' then 'research' else typed.owner_type end
)

select * from final
