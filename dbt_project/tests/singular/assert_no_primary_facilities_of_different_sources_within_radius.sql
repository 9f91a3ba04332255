-- Each site is one primary record: no two primary records of marts.fct_facilities from different
-- source datasets lie within var facility_duplicate_radius_km of each other (great-circle
-- distance). A hit is a cross-source duplicate that int_facilities__cross_source_duplicates missed.
with facilities as (
    select * from {{ ref('fct_facilities') }}
    where
        is_primary_record
        -- only where the source gives the place: a campus placed at its market's centre is approximate
        and coordinates_basis = 'source'
        and latitude is not null
        and longitude is not null
),

pairs as (
    select
        a.facility_id,
        a.source_dataset,
        b.facility_id as other_facility_id,
        b.source_dataset as other_source_dataset,
        {{ haversine_km('a.latitude', 'a.longitude', 'b.latitude', 'b.longitude') }} as distance_km
    from facilities as a
    inner join facilities as b
        on
            a.source_dataset < b.source_dataset
            -- a cheap box first (0.1 degree is 7-11 km), then the exact distance
            and abs(a.latitude - b.latitude) < 0.1
            and abs(a.longitude - b.longitude) < 0.1
)

select *
from pairs
where distance_km <= {{ p('facility_duplicate_radius_km') }}
