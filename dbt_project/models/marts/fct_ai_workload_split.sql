-- One row per unit of AI capacity (a frontier campus or a GPU cluster, planned ones too) x year: the share of
-- its power serving training, its range and basis (int_ai_capacity__workload_split, the one home of the
-- split), with the unit's name, owner and place. The forecast splits the installed base and the pipeline
-- (fct_ai_pipeline.unit_id) by it; an analyst sees here why a unit's power is training or inference in a year.
with split as (
    select * from {{ ref('int_ai_capacity__workload_split') }}
),

units as (
    select * from {{ ref('int_ai_capacity__units') }}
),

final as (
    select
        split.unit_id,
        split.year,
        units.unit_kind,
        units.unit_name,
        units.owner,
        units.owner_type,
        units.market_id,
        units.region,
        units.market_tier,
        units.market_kind,
        not units.is_hpc_apart as is_ai_demand,
        split.start_year,
        split.age_years,
        split.training_share,
        split.training_share_low,
        split.training_share_high,
        split.split_basis,
        units.workload_rule_id
    from split
    inner join units on split.unit_id = units.unit_id
)

select * from final
