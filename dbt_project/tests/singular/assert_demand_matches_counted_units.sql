-- The history's last period of fct_ai_demand_by_tier (as of the as-of date) must equal the units it is
-- built from, each counted once: AI demand (training + inference rows) = the frontier campuses' power
-- at the as-of date (their last timeline event on or before it) + the GPU clusters counted as
-- themselves (fct_ai_deployments.counts_in_demand); the hpc rows = the installed scientific and
-- industrial supercomputers (demand_reason hpc_not_ai_demand). The marts must not drift apart.
with demand as (
    select
        coalesce(sum(facility_power_mw) filter (where is_ai_demand), 0) as ai_mw,
        coalesce(sum(facility_power_mw) filter (where workload = 'hpc'), 0) as hpc_mw
    from {{ ref('fct_ai_demand_by_tier') }}
    where year = (select max(year) from {{ ref('fct_ai_demand_by_tier') }})
),

units as (
    select
        (select coalesce(sum(facility_power_mw_as_of), 0) from {{ ref('int_campuses__profiled') }})
        + coalesce(sum(facility_power_mw) filter (where counts_in_demand), 0) as ai_mw,
        coalesce(sum(facility_power_mw) filter (where demand_reason = 'hpc_not_ai_demand'), 0) as hpc_mw
    from {{ ref('fct_ai_deployments') }}
)

select *
from demand
cross join units
where
    abs(demand.ai_mw - units.ai_mw) > 1e-6
    or abs(demand.hpc_mw - units.hpc_mw) > 1e-6
