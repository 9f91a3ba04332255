-- One row per dated build-out event of an Epoch AI frontier data center (campus), with the campus's
-- facility power from that date until its next event, the step from the previous event, and the
-- basis of the figure:
-- * projected: the event lies after the history's as-of date (int_ai_history__as_of): Epoch's own
--   expectation of the build-out, never installed capacity;
-- * reported: the event's text cites a source (a link) for a statement, filing or announcement;
-- * imagery: the text reads the state off satellite or aerial imagery;
-- * epoch_estimate: otherwise (Epoch's estimate, e.g. 'Building 1 is operational (estimate)').
with events as (
    select * from {{ ref('stg_epoch__data_center_timelines') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

ordered as (
    select
        events.*,
        row_number() over (partition by events.data_center_id order by events.event_date, events.source_ref)
            as event_seq
    from events
),

stepped as (
    select
        ordered.*,
        coalesce(
            lag(ordered.power_mw) over (partition by ordered.data_center_id order by ordered.event_seq), 0
        ) as previous_power_mw,
        lead(ordered.event_date) over (partition by ordered.data_center_id order by ordered.event_seq)
            as next_event_date
    from ordered
),

final as (
    select
        stepped.data_center_id,
        stepped.event_seq,
        stepped.event_date,
        coalesce(stepped.next_event_date, date '9999-12-31') as valid_until,
        stepped.power_mw as facility_power_mw,
        stepped.it_power_mw,
        stepped.power_mw - stepped.previous_power_mw as step_mw,
        stepped.h100_equivalents,
        stepped.buildings_operational,
        stepped.event_date > as_of.as_of_date as is_projected,
        case
            when stepped.event_date > as_of.as_of_date then 'projected'
            when
                regexp_matches(stepped.construction_status, '\]\(https?://')
                and regexp_matches(
                    lower(stepped.construction_status),
                    'announc|stated|statement|filing|press release|reported|according to|confirmed|said|online\]'
                )
                then 'reported'
            when regexp_matches(lower(stepped.construction_status), 'estimat|assum') then 'epoch_estimate'
            when
                regexp_matches(
                    lower(stepped.construction_status),
                    'satellite|imagery|image|google earth|aerial|photo|drone|visible|appears|looks'
                )
                then 'imagery'
            else 'epoch_estimate'
        end as capacity_basis,
        stepped.construction_status,
        stepped.source_ref
    from stepped
    cross join as_of
)

select * from final
