-- The latest year of fct_ai_demand_by_tier must equal the sum over deployments flagged
-- counts_in_demand (same rows, same power): the two marts must not drift apart.
with demand as (
    select
        sum(deployments) as deployments,
        sum(facility_power_mw) as facility_power_mw
    from {{ ref('fct_ai_demand_by_tier') }}
    where year = {{ var('demand_latest_year') }}
),

counted as (
    select
        count(*) as deployments,
        coalesce(sum(facility_power_mw), 0) as facility_power_mw
    from {{ ref('fct_ai_deployments') }}
    where counts_in_demand
)

select *
from demand
cross join counted
where demand.deployments <> counted.deployments
    or abs(demand.facility_power_mw - counted.facility_power_mw) > 1e-6
