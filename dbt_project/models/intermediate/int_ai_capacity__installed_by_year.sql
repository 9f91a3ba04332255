{{ config(materialized='table') }}

-- One row per unit of AI capacity (int_ai_capacity__units) x year from the first year anything was
-- installed to the history's as-of year (int_ai_history__as_of): the facility power the history counts
-- for the unit at the end of the period (31 December; the as-of date in the last, partial year) and at
-- the end of the period before (for the calendar-year energy), each megawatt once:
-- * a campus counts the power of its last timeline event on or before the period's end (projected
--   events after the as-of date never count);
-- * a cluster counts its own power over its installed years (int_ai_deployments__demand_years), except
--   while its paired campus (int_ai_deployments__campus_pairs) has power at the period's end: the
--   campus's timeline then counts it (counted_as 'campus', is_covered_by_campus), and the cluster's own
--   figure stays in own_facility_power_mw for comparison.
with units as (
    select * from {{ ref('int_ai_capacity__units') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

events as (
    select * from {{ ref('int_campuses__timeline_events') }}
    where not is_projected
),

clusters as (
    select * from {{ ref('int_ai_deployments__power_modelled') }}
),

demand_years as (
    select * from {{ ref('int_ai_deployments__demand_years') }}
),

first_year as (
    select least(
        (select min(demand_start_year) from demand_years),
        (
            select min(year(event_date)) from events
            where facility_power_mw > 0
        )
    ) as year
),

periods as (
    select
        cast(years.year as integer) as year,
        case
            when years.year = as_of.as_of_year then as_of.as_of_date else make_date(cast(years.year as integer), 12, 31)
        end
            as period_end,
        years.year < as_of.as_of_year or (month(as_of.as_of_date) = 12 and day(as_of.as_of_date) = 31) as is_year_end,
        case
            when years.year = as_of.as_of_year
                then 24.0 * (date_diff('day', make_date(cast(years.year as integer), 1, 1), as_of.as_of_date) + 1)
            else 8760.0
        end as period_hours
    from (select unnest(range((select year from first_year), (select as_of_year from as_of) + 1)) as year) as years
    cross join as_of
),

campus_power as (
    select
        units.data_center_id,
        periods.year,
        events.facility_power_mw,
        events.it_power_mw,
        events.h100_equivalents,
        events.capacity_basis
    from units
    inner join periods on true
    inner join events
        on
            units.data_center_id = events.data_center_id
            and events.event_date <= periods.period_end
            and periods.period_end < events.valid_until
    where units.unit_kind = 'campus'
),

campus_rows as (
    select
        units.unit_id,
        periods.year,
        coalesce(campus_power.facility_power_mw, 0) as own_facility_power_mw,
        coalesce(campus_power.facility_power_mw, 0) as facility_power_mw,
        coalesce(campus_power.it_power_mw, 0) as it_power_mw,
        coalesce(campus_power.h100_equivalents, 0) as h100_equivalents,
        cast(0 as double) as gpu_count,
        false as is_covered_by_campus,
        campus_power.capacity_basis
    from units
    cross join periods
    left join campus_power
        on units.data_center_id = campus_power.data_center_id and periods.year = campus_power.year
    where units.unit_kind = 'campus'
),

cluster_rows as (
    select
        units.unit_id,
        periods.year,
        case
            when periods.year between demand_years.demand_start_year and demand_years.demand_end_year
                then coalesce(clusters.facility_power_mw, 0)
            else 0
        end as own_facility_power_mw,
        coalesce(campus_power.facility_power_mw, 0) > 0
        and periods.year between demand_years.demand_start_year and demand_years.demand_end_year
            as is_covered_by_campus,
        clusters.it_power_mw,
        clusters.h100_equivalents,
        clusters.gpu_count,
        clusters.power_basis
    from units
    inner join clusters on units.deployment_id = clusters.deployment_id
    inner join demand_years on units.deployment_id = demand_years.deployment_id
    cross join periods
    left join campus_power
        on units.data_center_id = campus_power.data_center_id and periods.year = campus_power.year
    where units.unit_kind = 'cluster' and demand_years.demand_start_year is not null
),

cluster_counted as (
    select
        unit_id,
        year,
        own_facility_power_mw,
        case when is_covered_by_campus then 0 else own_facility_power_mw end as facility_power_mw,
        case when is_covered_by_campus or own_facility_power_mw = 0 then 0 else coalesce(it_power_mw, 0) end
            as it_power_mw,
        case when is_covered_by_campus or own_facility_power_mw = 0 then 0 else coalesce(h100_equivalents, 0) end
            as h100_equivalents,
        case when is_covered_by_campus or own_facility_power_mw = 0 then 0 else coalesce(gpu_count, 0) end
            as gpu_count,
        is_covered_by_campus,
        power_basis as capacity_basis
    from cluster_rows
),

unioned as (
    select * from campus_rows
    union all by name
    select * from cluster_counted
),

final as (
    select
        unioned.unit_id,
        unioned.year,
        periods.period_end,
        periods.is_year_end,
        periods.period_hours,
        unioned.facility_power_mw,
        coalesce(
            lag(unioned.facility_power_mw) over (partition by unioned.unit_id order by unioned.year), 0
        ) as facility_power_mw_previous,
        unioned.it_power_mw,
        unioned.h100_equivalents,
        unioned.gpu_count,
        unioned.own_facility_power_mw,
        unioned.is_covered_by_campus,
        case
            when unioned.is_covered_by_campus then 'campus'
            when unioned.facility_power_mw > 0 then 'itself'
        end as counted_as,
        unioned.capacity_basis
    from unioned
    inner join periods on unioned.year = periods.year
)

select * from final
