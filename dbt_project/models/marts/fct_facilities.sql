-- One row per source record of a data-center site: FracTracker US tracker records plus Epoch AI
-- frontier data centers. Lifecycle stages stay separate (never sum capacity across statuses). One
-- row per site, and every capacity sum: `where is_primary_record`.
-- * A campus in both datasets (int_facilities__cross_source_duplicates, one to one) keeps both rows;
--   the FracTracker row is the primary record and the Epoch row points at it (duplicate_of). The
--   primary carries the capacity of both: the larger of each bound (operating: FracTracker's low
--   bound or Epoch's timeline power at the history's as-of date; announced: FracTracker's high bound
--   or Epoch's planned build-out), capacity_basis saying whose it is; where Epoch shows power that
--   FracTracker still lists as planned or under construction, the site is operating (expanding while
--   Epoch's build-out goes on).
-- * A FracTracker record that repeats another of the same tenant and site
--   (int_facilities__fractracker_duplicates) points at the kept record, which carries the larger
--   capacity of the two.
-- * An Epoch campus's capacity is its timeline's: power at the as-of date (low) and its planned
--   build-out (high), as the installed base counts it.
-- Coordinates: the source's own; an Epoch campus without them (Epoch's 2026 export gives an address
-- only) takes its paired FracTracker record's, else its market's centre; coordinates_basis says which.
-- size_class from capacity at announced build-out (capacity_mw_high, else capacity_mw_low):
-- edge <= var size_edge_max_mw, medium <= var size_medium_max_mw, hyperscale >= var
-- size_hyperscale_min_mw, large between; without MW, FracTracker's sizerank bucket.
with fractracker as (
    select * from {{ ref('stg_fractracker__facilities') }}
),

epoch_data_centers as (
    select * from {{ ref('stg_epoch__data_centers') }}
),

matches as (
    select * from {{ ref('int_locations__matched_to_markets') }}
),

duplicates as (
    select * from {{ ref('int_facilities__cross_source_duplicates') }}
),

fractracker_duplicates as (
    select * from {{ ref('int_facilities__fractracker_duplicates') }}
),

campus_power as (
    select
        data_center_id,
        max(facility_power_mw) as planned_power_mw,
        max_by(facility_power_mw, event_seq) filter (where not is_projected) as power_mw_as_of
    from {{ ref('int_campuses__timeline_events') }}
    group by data_center_id
),

-- each FracTracker record's site: itself, or the record it repeats
sites as (
    select
        fractracker.facility_id,
        coalesce(fractracker_duplicates.kept_facility_id, fractracker.facility_id) as site_id,
        fractracker_duplicates.kept_facility_id is not null as is_fractracker_duplicate
    from fractracker
    left join fractracker_duplicates
        on fractracker.facility_id = fractracker_duplicates.facility_id
),

site_capacity as (
    select
        sites.site_id,
        max(fractracker.mw_low) as mw_low,
        max(fractracker.mw_high) as mw_high
    from sites
    inner join fractracker on sites.facility_id = fractracker.facility_id
    group by sites.site_id
),

-- the Epoch campus paired with a site (through any of its FracTracker records), and its power
site_epoch as (
    select
        sites.site_id,
        max(campus_power.power_mw_as_of) as epoch_power_mw_as_of,
        max(campus_power.planned_power_mw) as epoch_planned_power_mw
    from duplicates
    inner join sites on duplicates.fractracker_facility_id = sites.facility_id
    inner join campus_power on duplicates.data_center_id = campus_power.data_center_id
    group by sites.site_id
),

markets as (
    select * from {{ ref('stg_reference__markets') }}
),

fractracker_rows as (
    select
        fractracker.facility_id,
        fractracker.facility_name,
        fractracker.operator_name as operator,
        fractracker.tenant,
        coalesce(matches.market_id, 'unassigned') as market_id,
        fractracker.state_code,
        fractracker.latitude,
        fractracker.longitude,
        case when fractracker.latitude is not null then 'source' end as coordinates_basis,
        case
            when
                not sites.is_fractracker_duplicate
                and fractracker.status in ('planned', 'under_construction')
                and site_epoch.epoch_power_mw_as_of > 0
                then
                    case
                        when site_epoch.epoch_planned_power_mw > site_epoch.epoch_power_mw_as_of then 'expanding'
                        else 'operational'
                    end
            else fractracker.status
        end as status,
        fractracker.status_raw,
        case
            when sites.is_fractracker_duplicate then fractracker.mw_low
            else nullif(greatest(coalesce(site_capacity.mw_low, 0), coalesce(site_epoch.epoch_power_mw_as_of, 0)), 0)
        end as capacity_mw_low,
        case
            when sites.is_fractracker_duplicate then fractracker.mw_high
            else nullif(greatest(
                coalesce(site_capacity.mw_high, 0),
                coalesce(site_capacity.mw_low, 0),
                coalesce(site_epoch.epoch_planned_power_mw, 0),
                coalesce(site_epoch.epoch_power_mw_as_of, 0)
            ), 0)
        end as capacity_mw_high,
        case
            when sites.is_fractracker_duplicate then case when fractracker.mw_low is not null then 'fractracker' end
            when coalesce(site_epoch.epoch_power_mw_as_of, 0) > coalesce(site_capacity.mw_low, 0) then 'epoch_timeline'
            when site_capacity.mw_low is not null
                then
                    case when fractracker.mw_low is null then 'fractracker_same_site' else 'fractracker' end
            when coalesce(site_epoch.epoch_planned_power_mw, 0) > 0 then 'epoch_timeline'
        end as capacity_basis,
        fractracker.mw_text as capacity_text,
        fractracker.sizerank,
        fractracker.expected_date_online,
        'fractracker' as source_dataset,
        'FracTracker Alliance US data centers (' || fractracker.source_ref || ')' as source,
        fractracker.source_url,
        case when sites.is_fractracker_duplicate then sites.site_id end as duplicate_of
    from fractracker
    inner join sites
        on fractracker.facility_id = sites.facility_id
    left join site_capacity
        on sites.site_id = site_capacity.site_id
    left join site_epoch
        on sites.site_id = site_epoch.site_id
    left join matches
        on
            matches.entity_type = 'fractracker_facility'
            and matches.entity_id = fractracker.facility_id
),

epoch_rows as (
    select
        'epoch-' || {{ slugify('epoch_data_centers.data_center_id') }} as facility_id,
        epoch_data_centers.data_center_name as facility_name,
        epoch_data_centers.owner as operator,
        epoch_data_centers.users as tenant,
        coalesce(matches.market_id, 'unassigned') as market_id,
        matches.state_code,
        coalesce(epoch_data_centers.latitude, paired.latitude, markets.latitude) as latitude,
        coalesce(epoch_data_centers.longitude, paired.longitude, markets.longitude) as longitude,
        case
            when epoch_data_centers.latitude is not null then 'source'
            when paired.latitude is not null then 'fractracker_record'
            when markets.latitude is not null then 'market_centre'
        end as coordinates_basis,
        case
            when coalesce(campus_power.power_mw_as_of, 0) = 0 then 'under_construction'
            when campus_power.planned_power_mw > campus_power.power_mw_as_of then 'expanding'
            else 'operational'
        end as status,
        cast(null as varchar) as status_raw,
        campus_power.power_mw_as_of as capacity_mw_low,
        greatest(campus_power.planned_power_mw, campus_power.power_mw_as_of) as capacity_mw_high,
        'epoch_timeline' as capacity_basis,
        'timeline ' || cast(coalesce(campus_power.power_mw_as_of, 0) as varchar)
        || ' MW at the as-of date; planned ' || cast(coalesce(campus_power.planned_power_mw, 0) as varchar)
        || ' MW' as capacity_text,
        cast(null as varchar) as sizerank,
        cast(null as varchar) as expected_date_online,
        'epoch_frontier_data_centers' as source_dataset,
        'Epoch AI frontier data centers (' || epoch_data_centers.source_ref || ')' as source,
        cast(null as varchar) as source_url,
        coalesce(paired_site.site_id, duplicates.fractracker_facility_id) as duplicate_of
    from epoch_data_centers
    left join campus_power
        on epoch_data_centers.data_center_id = campus_power.data_center_id
    left join duplicates
        on epoch_data_centers.data_center_id = duplicates.data_center_id
    left join matches
        on
            matches.entity_type = 'epoch_data_center'
            and matches.entity_id = epoch_data_centers.data_center_id
    left join sites as paired_site
        on duplicates.fractracker_facility_id = paired_site.facility_id
    left join fractracker as paired
        on paired_site.site_id = paired.facility_id
    left join markets
        on coalesce(matches.market_id, 'unassigned') = markets.market_id
),

unioned as (
    select * from fractracker_rows
    union all by name
    select * from epoch_rows
),

final as (
    select
        facility_id,
        facility_name,
        operator,
        market_id,
        latitude,
        longitude,
        status,
        capacity_mw_low,
        capacity_mw_high,
        case
            when coalesce(capacity_mw_high, capacity_mw_low) is not null
                then
                    case
                        when coalesce(capacity_mw_high, capacity_mw_low) >= {{ p('size_hyperscale_min_mw') }}
                            then 'hyperscale'
                        when coalesce(capacity_mw_high, capacity_mw_low) > {{ p('size_medium_max_mw') }}
                            then 'large'
                        when coalesce(capacity_mw_high, capacity_mw_low) > {{ p('size_edge_max_mw') }}
                            then 'medium'
                        else 'edge'
                    end
            when sizerank like 'Small%' then 'edge'
            when sizerank like 'Medium%' then 'medium'
            when sizerank like 'Large%' then 'large'
            when sizerank like 'Hyperscale%' or sizerank like 'Mega%' then 'hyperscale'
            else 'unknown'
        end as size_class,
        case
            when coalesce(capacity_mw_high, capacity_mw_low) is not null then 'capacity_mw'
            when sizerank is not null and sizerank <> 'Unknown' then 'sizerank'
            else 'unknown'
        end as size_class_basis,
        source,
        tenant,
        state_code,
        status_raw,
        capacity_text,
        sizerank,
        expected_date_online,
        source_dataset,
        source_url,
        duplicate_of,
        duplicate_of is null as is_primary_record,
        coordinates_basis,
        capacity_basis
    from unioned
)

select * from final
