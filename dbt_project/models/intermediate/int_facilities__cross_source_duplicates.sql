-- One row per Epoch frontier data center that is also a FracTracker site: the FracTracker record it
-- duplicates. Both datasets list big US AI campuses (xAI Colossus, Meta Prometheus, Stargate
-- Abilene, ...): summing both would count the site twice. Every FracTracker record within var
-- facility_duplicate_radius_km (great-circle distance) is a candidate; the kept one is the candidate
-- sharing the most name words with the Epoch campus (Epoch name + owner vs FracTracker name +
-- operator + tenant; words of 3+ letters, generic ones like 'data', 'center', 'campus' left out),
-- then the nearest. Campuses cluster: in New Albany, OH, Google's site lies 1.8 km from Meta's
-- Prometheus, so the name decides which record Prometheus duplicates, not distance alone.
with epoch_data_centers as (
    select * from {{ ref('stg_epoch__data_centers') }}
),

fractracker as (
    select * from {{ ref('stg_fractracker__facilities') }}
),

stop_words as (
    select unnest([
        'the', 'and', 'data', 'center', 'centers', 'centre', 'campus', 'cloud', 'project', 'site',
        'mega', 'new', 'llc', 'inc', 'speculative'
    ]) as word
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

candidates as (
    select *
    from pairs
    where distance_km <= {{ p('facility_duplicate_radius_km') }}
),

epoch_words as (
    select distinct
        data_center_id,
        unnest(string_split_regex(
            lower(strip_accents(coalesce(data_center_name, '') || ' ' || coalesce(owner, ''))), '[^a-z0-9]+'
        )) as word
    from epoch_data_centers
    where data_center_id in (select candidates.data_center_id from candidates)
),

fractracker_words as (
    select distinct
        facility_id,
        unnest(string_split_regex(
            lower(strip_accents(
                coalesce(facility_name, '') || ' ' || coalesce(operator_name, '') || ' ' || coalesce(tenant, '')
            )),
            '[^a-z0-9]+'
        )) as word
    from fractracker
    where facility_id in (select candidates.fractracker_facility_id from candidates)
),

shared_words as (
    select
        candidates.data_center_id,
        candidates.fractracker_facility_id,
        count(distinct epoch_words.word) as shared_name_words
    from candidates
    inner join epoch_words
        on candidates.data_center_id = epoch_words.data_center_id
    inner join fractracker_words
        on
            candidates.fractracker_facility_id = fractracker_words.facility_id
            and epoch_words.word = fractracker_words.word
    where
        length(epoch_words.word) >= 3
        and epoch_words.word not in (select stop_words.word from stop_words)
    group by candidates.data_center_id, candidates.fractracker_facility_id
),

ranked as (
    select
        candidates.data_center_id,
        candidates.fractracker_facility_id,
        candidates.distance_km,
        cast(coalesce(shared_words.shared_name_words, 0) as integer) as shared_name_words,
        cast(count(*) over (partition by candidates.data_center_id) as integer) as candidates_within_radius
    from candidates
    left join shared_words
        on
            candidates.data_center_id = shared_words.data_center_id
            and candidates.fractracker_facility_id = shared_words.fractracker_facility_id
),

final as (
    select
        data_center_id,
        'epoch-' || {{ slugify('data_center_id') }} as facility_id,
        fractracker_facility_id,
        distance_km,
        shared_name_words,
        candidates_within_radius
    from ranked
    qualify
        row_number() over (
            partition by data_center_id
            order by shared_name_words desc, distance_km asc, fractracker_facility_id asc
        ) = 1
)

select * from final
