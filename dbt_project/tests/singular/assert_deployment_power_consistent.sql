-- Power must be non-negative, and facility power at least IT power (PUE >= 1) on every row.
select
    deployment_id,
    it_power_mw,
    facility_power_mw
from {{ ref('fct_ai_deployments') }}
where it_power_mw < 0
    or facility_power_mw < 0
    or facility_power_mw < it_power_mw - 1e-9
