-- The split's range holds on every workload row of the demand marts: split_low_mw <= facility_power_mw <=
-- split_high_mw (with a tolerance for floating point).
select 'fct_ai_demand_by_tier' as source, year, region, market_tier, market_kind, workload,
       split_low_mw, facility_power_mw, split_high_mw
from {{ ref('fct_ai_demand_by_tier') }}
where split_low_mw > facility_power_mw + 1e-6 or facility_power_mw > split_high_mw + 1e-6
union all
select 'fct_ai_installed_by_vintage', year, region, market_tier, market_kind, workload,
       sum(split_low_mw), sum(facility_power_mw), sum(split_high_mw)
from {{ ref('fct_ai_installed_by_vintage') }}
group by all
having sum(split_low_mw) > sum(facility_power_mw) + 1e-6 or sum(facility_power_mw) > sum(split_high_mw) + 1e-6
