-- Installed AI power agrees with the frontier campuses' own timelines: at every period's end of
-- fct_ai_demand_by_tier, AI demand is at least the campuses' timeline total for that date (each campus's
-- power at its last event on or before it) and no more than that total plus the own power of every GPU
-- cluster installed then (what the timelines and the clusters could give together, were none paired).
with demand as (
    select
        year,
        any_value(as_of_date) as as_of_date,
        sum(facility_power_mw) filter (where is_ai_demand) as ai_mw
    from {{ ref('fct_ai_demand_by_tier') }}
    group by year
),

campus_totals as (
    select
        demand.year,
        coalesce(sum(events.facility_power_mw), 0) as campus_mw
    from demand
    left join {{ ref('int_campuses__timeline_events') }} as events
        on
            events.event_date <= demand.as_of_date
            and demand.as_of_date < events.valid_until
            and not events.is_projected
    group by demand.year
),

cluster_totals as (
    select
        installed.year,
        sum(installed.own_facility_power_mw) as cluster_mw
    from {{ ref('int_ai_capacity__installed_by_year') }} as installed
    inner join {{ ref('int_ai_capacity__units') }} as units
        on installed.unit_id = units.unit_id
    where units.unit_kind = 'cluster' and not units.is_hpc_apart
    group by installed.year
)

select
    demand.year,
    demand.ai_mw,
    campus_totals.campus_mw,
    cluster_totals.cluster_mw
from demand
inner join campus_totals on demand.year = campus_totals.year
left join cluster_totals on demand.year = cluster_totals.year
where
    demand.ai_mw < campus_totals.campus_mw - 1e-6
    or demand.ai_mw > campus_totals.campus_mw + coalesce(cluster_totals.cluster_mw, 0) + 1e-6
