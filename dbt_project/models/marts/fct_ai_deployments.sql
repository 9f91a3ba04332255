-- One row per AI deployment record in Epoch AI's GPU clusters table (every source row, every
-- status), with market, workload class and training share, power, racks, capex and energy.
-- counts_in_demand says whether the row's own power is AI demand in fct_ai_demand_by_tier at the
-- history's as-of date (int_ai_history__as_of), demand_reason why (not): 'counted_in_campus' where the
-- frontier campus it is paired with (paired_campus_id) counts that power through its timeline.
with modelled as (
    select * from {{ ref('int_ai_deployments__power_modelled') }}
),

demand as (
    select * from {{ ref('int_ai_deployments__demand_years') }}
),

pairs as (
    select * from {{ ref('int_ai_deployments__campus_pairs') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

at_as_of as (
    select installed.*
    from {{ ref('int_ai_capacity__installed_by_year') }} as installed
    inner join as_of
        on installed.year = as_of.as_of_year
),

final as (
    select
        modelled.deployment_id,
        modelled.cluster_name,
        modelled.owner,
        modelled.market_id,
        modelled.country_code,
        modelled.status,
        modelled.first_operational_date,
        cast(modelled.planned_year as integer) as planned_year,
        modelled.gpu_model,
        modelled.gpu_count,
        modelled.h100_equivalents,
        modelled.workload,
        modelled.training_share,
        modelled.workload_basis,
        modelled.it_power_mw,
        modelled.facility_power_mw,
        modelled.power_basis,
        modelled.rack_density_kw,
        modelled.racks,
        modelled.capex_usd,
        modelled.annual_energy_mwh,
        modelled.annual_energy_cost_usd,
        'Epoch AI GPU clusters (' || modelled.source_ref || ')' as source,
        modelled.country_name,
        modelled.state_code,
        modelled.region,
        modelled.market_tier,
        modelled.is_urban,
        modelled.market_match_method,
        modelled.market_match_detail,
        modelled.location_text,
        modelled.certainty,
        modelled.sector,
        modelled.single_cluster,
        modelled.users,
        modelled.decommissioned_date,
        modelled.chip_type_primary,
        modelled.chip_quantity_primary,
        modelled.chip_type_secondary,
        modelled.chip_quantity_secondary,
        modelled.gpu_model_secondary,
        modelled.it_kw_per_gpu,
        modelled.workload_rule_id,
        modelled.power_method,
        modelled.reported_power_mw,
        modelled.calculated_power_mw as epoch_calculated_power_mw,
        modelled.load_factor,
        modelled.energy_price_usd_mwh,
        modelled.energy_price_basis,
        modelled.capex_basis,
        modelled.hardware_cost_usd as epoch_hardware_cost_usd,
        modelled.reported_cost_usd,
        modelled.builds_upon,
        modelled.superseded_by,
        modelled.possible_duplicate,
        modelled.possible_duplicate_of,
        modelled.include_in_standard_analysis,
        demand.demand_reason = 'counted' and not coalesce(at_as_of.is_covered_by_campus, false) as counts_in_demand,
        case
            when demand.demand_reason = 'counted' and coalesce(at_as_of.is_covered_by_campus, false)
                then 'counted_in_campus'
            else demand.demand_reason
        end as demand_reason,
        cast(demand.demand_start_year as integer) as demand_start_year,
        cast(demand.demand_end_year as integer) as demand_end_year,
        modelled.source_urls,
        cast(modelled._source_row as integer) as source_row,
        1 - modelled.training_share as inference_share,
        modelled.training_share_low,
        modelled.training_share_high,
        modelled.workload_prior,
        modelled.owner_type,
        modelled.market_kind,
        modelled.it_kw_per_gpu_basis,
        pairs.campus_id as paired_campus_id,
        pairs.pair_rule as campus_pair_rule,
        demand.demand_exclusion_rule_id
    from modelled
    inner join demand
        on modelled.deployment_id = demand.deployment_id
    left join pairs
        on modelled.deployment_id = pairs.deployment_id
    left join at_as_of
        on at_as_of.unit_id = 'cluster:' || modelled.deployment_id
)

select * from final
