-- fct_market_summary's AI demand and hpc (as of the as-of date) add up to fct_ai_demand_by_tier's last period, by workload:
-- the market views and the demand table can never disagree.
with summary as (
    select
        sum(ai_training_mw) as training_mw,
        sum(ai_inference_mw) as inference_mw,
        sum(hpc_mw) as hpc_mw
    from {{ ref('fct_market_summary') }}
),

demand as (
    select
        coalesce(sum(facility_power_mw) filter (where workload = 'training'), 0) as training_mw,
        coalesce(sum(facility_power_mw) filter (where workload = 'inference'), 0) as inference_mw,
        coalesce(sum(facility_power_mw) filter (where workload = 'hpc'), 0) as hpc_mw
    from {{ ref('fct_ai_demand_by_tier') }}
    where year = (select max(year) from {{ ref('fct_ai_demand_by_tier') }})
)

select *
from summary
cross join demand
where
    abs(summary.training_mw - demand.training_mw) > 1e-6
    or abs(summary.inference_mw - demand.inference_mw) > 1e-6
    or abs(summary.hpc_mw - demand.hpc_mw) > 1e-6
