-- One row per source record of a data-center site: FracTracker US tracker records plus Epoch AI
-- frontier data centers. Lifecycle stages stay separate (never sum capacity across statuses). A
-- campus in both datasets (int_facilities__cross_source_duplicates: a FracTracker record within var
-- facility_duplicate_radius_km) keeps both rows; the FracTracker row is the primary record (it
-- carries the lifecycle status) and the Epoch row points at it (duplicate_of). One row per site,
-- and every capacity sum: `where is_primary_record`.
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

timelines as (
    select * from {{ ref('stg_epoch__data_center_timelines') }}
),

matches as (
    select * from {{ ref('int_locations__matched_to_markets') }}
),

duplicates as (
    select * from {{ ref('int_facilities__cross_source_duplicates') }}
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
        fractracker.status,
        fractracker.status_raw,
        fractracker.mw_low as capacity_mw_low,
        fractracker.mw_high as capacity_mw_high,
        fractracker.mw_text as capacity_text,
        fractracker.sizerank,
        fractracker.expected_date_online,
        'fractracker' as source_dataset,
        'FracTracker Alliance US data centers (' || fractracker.source_ref || ')' as source,
        fractracker.source_url,
        cast(null as varchar) as duplicate_of
    from fractracker
    left join matches
        on
            matches.entity_type = 'fractracker_facility'
            and matches.entity_id = fractracker.facility_id
),

build_out as (
    select
        data_center_id,
        max(power_mw) as planned_power_mw
    from timelines
    group by data_center_id
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
            when coalesce(epoch_data_centers.current_power_mw, 0) = 0 then 'under_construction'
            when build_out.planned_power_mw > epoch_data_centers.current_power_mw then 'expanding'
            else 'operational'
        end as status,
        cast(null as varchar) as status_raw,
        epoch_data_centers.current_power_mw as capacity_mw_low,
        greatest(build_out.planned_power_mw, epoch_data_centers.current_power_mw) as capacity_mw_high,
        'current ' || cast(coalesce(epoch_data_centers.current_power_mw, 0) as varchar)
        || ' MW; planned ' || cast(coalesce(build_out.planned_power_mw, 0) as varchar) || ' MW' as capacity_text,
        cast(null as varchar) as sizerank,
        cast(null as varchar) as expected_date_online,
        'epoch_frontier_data_centers' as source_dataset,
        'Epoch AI frontier data centers (' || epoch_data_centers.source_ref || ')' as source,
        cast(null as varchar) as source_url,
        duplicates.fractracker_facility_id as duplicate_of
    from epoch_data_centers
    left join build_out
        on epoch_data_centers.data_center_id = build_out.data_center_id
    left join duplicates
        on epoch_data_centers.data_center_id = duplicates.data_center_id
    left join matches
        on
            matches.entity_type = 'epoch_data_center'
            and matches.entity_id = epoch_data_centers.data_center_id
    left join fractracker as paired
        on duplicates.fractracker_facility_id = paired.facility_id
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
        coordinates_basis
    from unioned
)

select * from final
