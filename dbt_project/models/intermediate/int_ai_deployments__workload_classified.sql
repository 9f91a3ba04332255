-- One row per deployment (raw.epoch_gpu_clusters record) with its workload and the rule that set it.
-- Rules are data (seed workload_rules): each names a field, a case-insensitive regular expression,
-- the workload and whether the source says so (reported) or we infer it (modelled). The matching
-- rule with the lowest priority wins; no match -> 'mixed' (modelled, rule 'default_mixed').
with deployments as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

rules as (
    select * from {{ ref('workload_rules') }}
),

fields as (
    select
        deployment_id,
        lower(cluster_name) as cluster_name,
        lower(concat_ws(' ', note, quote, hardware_note)) as source_text,
        lower(chip_type_primary) as chip_type_primary,
        case
            when sector = 'Public' then 'public_sector'
            when
                single_cluster = 'Yes'
                and sector = 'Private'
                and h100_equivalents >= {{ var('large_cluster_h100e') }}
                then 'large_single_private'
            else 'other'
        end as cluster_profile
    from deployments
),

field_values as (
    unpivot fields
    on cluster_name, source_text, chip_type_primary, cluster_profile
    into name match_field value field_value
),

matches as (
    select
        field_values.deployment_id,
        rules.rule_id,
        rules.workload,
        rules.workload_basis,
        row_number() over (
            partition by field_values.deployment_id order by rules.priority, rules.rule_id
        ) as match_rank
    from field_values
    inner join rules
        on
            field_values.match_field = rules.match_field
            and regexp_matches(field_values.field_value, rules.pattern, 'i')
),

final as (
    select
        deployments.deployment_id,
        coalesce(matches.workload, 'mixed') as workload,
        coalesce(matches.workload_basis, 'modelled') as workload_basis,
        coalesce(matches.rule_id, 'default_mixed') as workload_rule_id
    from deployments
    left join matches
        on
            deployments.deployment_id = matches.deployment_id
            and matches.match_rank = 1
)

select * from final
