-- The latest year of fct_ai_demand_by_tier must equal the deployments it is built from: AI demand
-- (training + inference rows) = the facility power of the deployments flagged counts_in_demand,
-- and the hpc rows = the installed public scientific supercomputers (demand_reason
-- hpc_not_ai_demand). The two marts must not drift apart.
with demand as (
    select
        coalesce(sum(facility_power_mw) filter (where is_ai_demand), 0) as ai_mw,
        coalesce(sum(facility_power_mw) filter (where workload = 'hpc'), 0) as hpc_mw
    from {{ ref('fct_ai_demand_by_tier') }}
    where year = {{ p('demand_latest_year') }}
),

deployments as (
    select
        coalesce(sum(facility_power_mw) filter (where counts_in_demand), 0) as ai_mw,
        coalesce(sum(facility_power_mw) filter (where demand_reason = 'hpc_not_ai_demand'), 0) as hpc_mw
    from {{ ref('fct_ai_deployments') }}
)

select *
from demand
cross join deployments
where
    abs(demand.ai_mw - deployments.ai_mw) > 1e-6
    or abs(demand.hpc_mw - deployments.hpc_mw) > 1e-6
