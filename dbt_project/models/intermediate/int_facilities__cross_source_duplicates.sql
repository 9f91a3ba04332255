-- One row per Epoch frontier data center that is also a FracTracker site: its nearest FracTracker
-- record within var facility_duplicate_radius_km. Both datasets list big US AI campuses (xAI
-- Colossus, Meta Prometheus, Stargate Abilene, ...): summing both would count the site twice.
-- Nearest only, because campuses cluster (New Albany has Google, Meta and Amazon sites within 2 km).
with epoch_data_centers as (
    select * from {{ ref('stg_epoch__data_centers') }}
),

fractracker as (
    select * from {{ ref('stg_fractracker__facilities') }}
),

pairs as (
    select
        epoch_data_centers.data_center_id,
        fractracker.facility_id as fractracker_facility_id,
        {{ haversine_km('epoch_data_centers.latitude', 'epoch_data_centers.longitude',
                        'fractracker.latitude', 'fractracker.longitude') }} as distance_km
    from epoch_data_centers
    inner join fractracker
        -- a cheap box first (0.1 degree is 7-11 km), then the exact distance
        on
            abs(epoch_data_centers.latitude - fractracker.latitude) < 0.1
            and abs(epoch_data_centers.longitude - fractracker.longitude) < 0.1
),

final as (
    select
        data_center_id,
        'epoch-' || {{ slugify('data_center_id') }} as facility_id,
        fractracker_facility_id,
        distance_km
    from pairs
    where distance_km <= {{ var('facility_duplicate_radius_km') }}
    qualify row_number() over (partition by data_center_id order by distance_km, fractracker_facility_id) = 1
)

select * from final
