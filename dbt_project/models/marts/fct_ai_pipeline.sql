-- One row per item of the announced AI pipeline: every planned row of Epoch AI's GPU clusters table
-- (pipeline_source 'gpu_cluster') and every projected build-out step of a frontier campus's timeline
-- after the history's as-of date (pipeline_source 'campus_timeline': Epoch's own dated expectation).
-- The forecast builds on the rows that count; each megawatt is counted once, in the installed base or
-- in the pipeline, never both.
-- * A planned cluster counts when its certainty is Confirmed or Likely (Epoch rates rumours and
--   company-wide ambitions such as "xAI 5 year plan", 50M H100e, 'Unlikely'), it is not a possible
--   duplicate and it has a power estimate. A later phase adds only its increment over the counted
--   phases it builds on (builds_upon on the later phase, superseded_by on the earlier): pipeline_mw =
--   facility MW - their facility MW, never below 0.
-- * A planned cluster at a frontier campus (int_ai_deployments__campus_pairs) is part of that campus's
--   build-out: its increments, in order of expected year, use up first the campus's installed power at
--   the as-of date not already counted by its operational clusters (mw_installed_per_campus: the plan has
--   been built), then the campus's projected steps (mw_in_campus_build_out: the campus rows carry it);
--   only what goes beyond the campus's whole build-out stays in the row's pipeline_mw.
-- * expected_year: the first year the row's capacity arrives, with expected_year_basis:
--   campus_timeline (the event's date), first_operational_date, planned_note (Epoch's 'Planned 2026'),
--   installed_per_campus_timeline (a past-due plan the campus's timeline shows built: nothing left to
--   arrive), past_due_spread (a plan whose year has passed, that no source shows operating: it arrives
--   spread evenly over the p('past_due_spread_years') years from the as-of year, arrival_years), undated.
--   is_past_due: the expected year Epoch gave is before the as-of year and the row is still planned.
-- * The power splits by training_share as in int_ai_capacity__units; hpc rows (planned public scientific
--   supercomputers) are kept apart (is_ai_demand false).
with deployments as (
    select * from {{ ref('fct_ai_deployments') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

units as (
    select * from {{ ref('int_ai_capacity__units') }}
),

campuses as (
    select * from {{ ref('int_campuses__profiled') }}
),

events as (
    select * from {{ ref('int_campuses__timeline_events') }}
),

pairs as (
    select * from {{ ref('int_ai_deployments__campus_pairs') }}
),

realisation as (
    select
        factor,
        value,
        value_low,
        value_high
    from {{ ref('pipeline_realisation') }}
),

planned as (
    select * from deployments
    where status = 'planned'
),

counted_planned as (
    select * from planned
    where
        coalesce(certainty, '') <> 'unlikely'
        and not coalesce(possible_duplicate, false)
        and facility_power_mw > 0
),

edges as (
    select distinct
        successor,
        predecessor
    from (
        select
            cluster_name as successor,
            trim(unnest(string_split(builds_upon, ','))) as predecessor
        from deployments
        where builds_upon is not null
        union all
        select
            superseded_by as successor,
            cluster_name as predecessor
        from deployments
        where superseded_by is not null
    ) as links
    where predecessor <> ''
),

counted_power as (
    select
        cluster_name,
        max(coalesce(facility_power_mw, 0)) as facility_power_mw
    from (
        select
            cluster_name,
            facility_power_mw
        from deployments
        where status = 'operational'
        union all
        select
            cluster_name,
            facility_power_mw
        from counted_planned
    ) as counted_rows
    group by cluster_name
),

prior_power as (
    select
        edges.successor,
        sum(counted_power.facility_power_mw) as predecessors_mw
    from edges
    inner join counted_power
        on edges.predecessor = counted_power.cluster_name
    group by edges.successor
),

increments as (
    select
        planned.*,
        coalesce(prior_power.predecessors_mw, 0) as predecessors_mw,
        case
            when planned.deployment_id in (select counted_planned.deployment_id from counted_planned)
                then greatest(planned.facility_power_mw - coalesce(prior_power.predecessors_mw, 0), 0)
            else 0
        end as announced_mw,
        cast(coalesce(year(planned.first_operational_date), planned.planned_year) as integer) as announced_year
    from planned
    left join prior_power
        on planned.cluster_name = prior_power.successor
),

-- the campus's power a plan can be part of: installed at the as-of date beyond what its operational
-- clusters already account for, then its projected build-out beyond that
campus_room as (
    select
        campuses.data_center_id,
        greatest(
            campuses.facility_power_mw_as_of - coalesce((
                select sum(deployments.facility_power_mw)
                from deployments
                inner join pairs on deployments.deployment_id = pairs.deployment_id
                where
                    pairs.data_center_id = campuses.data_center_id
                    and deployments.demand_reason = 'counted_in_campus'
            ), 0),
            0
        ) as installed_room_mw,
        greatest(campuses.planned_power_mw - campuses.facility_power_mw_as_of, 0) as build_out_room_mw
    from campuses
),

allocated as (
    select
        increments.*,
        pairs.data_center_id,
        coalesce(
            sum(increments.announced_mw) over (
                partition by pairs.data_center_id
                order by increments.announced_year nulls last, increments.cluster_name, increments.deployment_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as campus_mw_before
    from increments
    left join pairs
        on increments.deployment_id = pairs.deployment_id
),

cluster_rows as (
    select
        allocated.*,
        case
            when allocated.data_center_id is null then 0
            else least(
                allocated.announced_mw,
                greatest(campus_room.installed_room_mw - allocated.campus_mw_before, 0)
            )
        end as mw_installed_per_campus,
        case
            when allocated.data_center_id is null then 0
            else least(
                allocated.announced_mw,
                greatest(campus_room.installed_room_mw + campus_room.build_out_room_mw - allocated.campus_mw_before, 0)
            ) - least(
                allocated.announced_mw,
                greatest(campus_room.installed_room_mw - allocated.campus_mw_before, 0)
            )
        end as mw_in_campus_build_out
    from allocated
    left join campus_room
        on allocated.data_center_id = campus_room.data_center_id
),

cluster_final as (
    select
        cluster_rows.deployment_id,
        cluster_rows.cluster_name,
        cluster_rows.owner,
        cluster_rows.owner_type,
        cluster_rows.market_id,
        cluster_rows.region,
        cluster_rows.market_tier,
        cluster_rows.market_kind,
        cluster_rows.certainty,
        cluster_rows.workload,
        cluster_rows.workload <> 'hpc' or {{ p('hpc_counts_as_ai_demand') }} as is_ai_demand,
        cluster_rows.training_share,
        cluster_rows.training_share_low,
        cluster_rows.training_share_high,
        cluster_rows.facility_power_mw,
        cluster_rows.predecessors_mw,
        cluster_rows.announced_mw,
        cluster_rows.mw_installed_per_campus,
        cluster_rows.mw_in_campus_build_out,
        cluster_rows.announced_mw - cluster_rows.mw_installed_per_campus - cluster_rows.mw_in_campus_build_out
            as pipeline_mw,
        cluster_rows.announced_year,
        coalesce(cluster_rows.announced_year < as_of.as_of_year, false) as is_past_due,
        cluster_rows.deployment_id in (select counted_planned.deployment_id from counted_planned) as is_counted_plan,
        cluster_rows.data_center_id,
        coalesce(cluster_rows.possible_duplicate, false) as possible_duplicate,
        'cluster:' || cluster_rows.deployment_id as unit_id,
        nullif(trim(coalesce(cluster_rows.owner, '')), '') is not null as owner_known,
        cluster_rows.announced_year is not null as date_known,
        cluster_rows.chip_type_primary is not null or cluster_rows.gpu_count is not null as chips_known,
        'gpu_cluster' as pipeline_source,
        cluster_rows.source,
        as_of.as_of_year
    from cluster_rows
    cross join as_of
),

-- projected campus steps: each event after the as-of date adds what lifts the campus above its highest
-- power so far (a dip and its recovery add nothing)
campus_steps as (
    select
        events.data_center_id,
        events.event_date,
        events.event_seq,
        events.facility_power_mw,
        events.is_projected,
        greatest(
            events.facility_power_mw
            - coalesce(
                max(events.facility_power_mw) over (
                    partition by events.data_center_id order by events.event_seq
                    rows between unbounded preceding and 1 preceding
                ),
                0
            ),
            0
        ) as new_high_mw,
        events.source_ref
    from events
),

campus_final as (
    select
        units.unit_id || ':' || strftime(campus_steps.event_date, '%Y-%m-%d') as deployment_id,
        units.unit_name || ' (timeline ' || strftime(campus_steps.event_date, '%Y-%m-%d') || ')' as cluster_name,
        units.owner,
        units.owner_type,
        units.market_id,
        units.region,
        units.market_tier,
        units.market_kind,
        'epoch_projection' as certainty,
        units.workload,
        true as is_ai_demand,
        units.training_share,
        units.training_share_low,
        units.training_share_high,
        campus_steps.facility_power_mw,
        campus_steps.facility_power_mw - campus_steps.new_high_mw as predecessors_mw,
        campus_steps.new_high_mw as announced_mw,
        cast(0 as double) as mw_installed_per_campus,
        cast(0 as double) as mw_in_campus_build_out,
        campus_steps.new_high_mw as pipeline_mw,
        cast(year(campus_steps.event_date) as integer) as announced_year,
        false as is_past_due,
        true as is_counted_plan,
        campus_steps.data_center_id,
        false as possible_duplicate,
        units.unit_id,
        nullif(trim(coalesce(units.owner, '')), '') is not null as owner_known,
        true as date_known,
        true as chips_known,
        'campus_timeline' as pipeline_source,
        'Epoch AI frontier data-center timelines (' || campus_steps.source_ref || ')' as source,
        as_of.as_of_year
    from campus_steps
    inner join units
        on units.unit_kind = 'campus' and campus_steps.data_center_id = units.data_center_id
    cross join as_of
    where campus_steps.is_projected and campus_steps.new_high_mw > 0
),

unioned as (
    select * from cluster_final
    union all by name
    select * from campus_final
),

-- what is known about a project sets how much of it is built: the factor of its certainty x a factor for each
-- thing unknown (seed pipeline_realisation; low and high ends for the scenarios)
realised as (
    select
        unioned.*,
        certainty_factor.value
        * case when unioned.owner_known then 1 else owner_factor.value end
        * case when unioned.date_known then 1 else date_factor.value end
        * case when unioned.chips_known then 1 else chips_factor.value end as realisation_factor,
        certainty_factor.value_low
        * case when unioned.owner_known then 1 else owner_factor.value_low end
        * case when unioned.date_known then 1 else date_factor.value_low end
        * case when unioned.chips_known then 1 else chips_factor.value_low end as realisation_factor_low,
        least(
            certainty_factor.value_high
            * case when unioned.owner_known then 1 else owner_factor.value_high end
            * case when unioned.date_known then 1 else date_factor.value_high end
            * case when unioned.chips_known then 1 else chips_factor.value_high end,
            1.0
        ) as realisation_factor_high
    from unioned
    left join realisation as certainty_factor
        on certainty_factor.factor = 'certainty_' || case
            when unioned.certainty in ('confirmed', 'epoch_projection') then unioned.certainty
            else 'likely'
        end
    left join realisation as owner_factor on owner_factor.factor = 'owner_unknown'
    left join realisation as date_factor on date_factor.factor = 'date_unknown'
    left join realisation as chips_factor on chips_factor.factor = 'chips_unknown'
),

final as (
    select
        unioned.deployment_id,
        unioned.cluster_name,
        unioned.owner,
        unioned.owner_type,
        unioned.market_id,
        unioned.region,
        unioned.market_tier,
        unioned.market_kind,
        unioned.certainty,
        unioned.workload,
        unioned.is_ai_demand,
        unioned.training_share,
        unioned.training_share_low,
        unioned.training_share_high,
        unioned.facility_power_mw,
        unioned.predecessors_mw,
        unioned.pipeline_mw,
        case
            when unioned.pipeline_mw <= 0 then unioned.announced_year
            when unioned.is_past_due then unioned.as_of_year
            else greatest(unioned.announced_year, unioned.as_of_year)
        end as expected_year,
        case
            when unioned.pipeline_source = 'campus_timeline' then 'campus_timeline'
            when
                unioned.is_counted_plan and unioned.announced_mw > 0 and unioned.pipeline_mw <= 0
                and unioned.mw_in_campus_build_out <= 0 then 'installed_per_campus_timeline'
            when unioned.is_counted_plan and unioned.announced_mw > 0 and unioned.pipeline_mw <= 0
                then 'campus_timeline'
            when unioned.announced_year is null then 'undated'
            when unioned.is_past_due and unioned.pipeline_mw > 0 then 'past_due_spread'
            when unioned.announced_year is not null and unioned.deployment_id in (
                select deployments.deployment_id from deployments
                where deployments.first_operational_date is not null
            ) then 'first_operational_date'
            else 'planned_note'
        end as expected_year_basis,
        unioned.is_past_due,
        unioned.is_counted_plan and unioned.pipeline_mw > 0 as counts_in_pipeline,
        case
            when unioned.pipeline_source = 'campus_timeline' then 'counted'
            when coalesce(unioned.certainty, '') = 'unlikely' then 'unlikely'
            when coalesce(unioned.possible_duplicate, false) then 'possible_duplicate'
            when coalesce(unioned.facility_power_mw, 0) <= 0 then 'no_power_estimate'
            when unioned.announced_mw <= 0 then 'no_increment_over_predecessors'
            when unioned.pipeline_mw <= 0 and unioned.mw_in_campus_build_out <= 0 then 'installed_per_campus_timeline'
            when unioned.pipeline_mw <= 0 then 'in_campus_build_out'
            else 'counted'
        end as pipeline_reason,
        unioned.source,
        unioned.pipeline_source,
        unioned.unit_id,
        unioned.owner_known,
        unioned.date_known,
        unioned.chips_known,
        unioned.realisation_factor,
        unioned.realisation_factor_low,
        unioned.realisation_factor_high,
        unioned.announced_mw,
        unioned.announced_year,
        unioned.mw_installed_per_campus,
        unioned.mw_in_campus_build_out,
        case when unioned.data_center_id is not null then 'epoch-' || {{ slugify('unioned.data_center_id') }} end
            as campus_id,
        cast(
            case
                when unioned.is_past_due and unioned.pipeline_mw > 0 then {{ p('past_due_spread_years') }}
                else 1
            end as integer
        ) as arrival_years
    from realised as unioned
)

select * from final
