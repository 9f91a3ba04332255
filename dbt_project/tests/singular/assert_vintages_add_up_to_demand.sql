-- fct_ai_installed_by_vintage's history rows, summed over vintage, equal fct_ai_demand_by_tier in every cell
-- (facility MW and its split range): the vintage table is the same installed base, only split by age.
with vintages as (
    select
        year, region, market_tier, market_kind, workload,
        sum(facility_power_mw) as mw, sum(split_low_mw) as low_mw, sum(split_high_mw) as high_mw
    from {{ ref('fct_ai_installed_by_vintage') }}
    where not is_projected
    group by all
),

demand as (
    select
        year, region, market_tier, market_kind, workload,
        facility_power_mw as mw, split_low_mw as low_mw, split_high_mw as high_mw
    from {{ ref('fct_ai_demand_by_tier') }}
)

select
    demand.*,
    vintages.mw as vintage_mw
from demand
full outer join vintages
    on
        demand.year = vintages.year and demand.region = vintages.region and demand.market_tier = vintages.market_tier
        and demand.market_kind = vintages.market_kind and demand.workload = vintages.workload
where
    abs(coalesce(demand.mw, 0) - coalesce(vintages.mw, 0)) > 1e-6
    or abs(coalesce(demand.low_mw, 0) - coalesce(vintages.low_mw, 0)) > 1e-6
    or abs(coalesce(demand.high_mw, 0) - coalesce(vintages.high_mw, 0)) > 1e-6
