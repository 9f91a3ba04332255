-- A table, not a view: its data tests and several models read it, and at scale (make bench SCALE=100) a view
-- recomputed for each of them cost minutes.
{{ config(materialized='table') }}

-- One row per Epoch frontier data center that is also a FracTracker site: the FracTracker record it
-- duplicates. Both datasets list big US AI campuses (xAI Colossus, Meta Prometheus, Stargate
-- Abilene, ...): summing both would count the site twice. Candidates:
-- * with Epoch coordinates (its 2025 export): every FracTracker record within
--   p('facility_duplicate_radius_km') (great-circle distance);
-- * without them (its 2026 export gives an address only): FracTracker records with the same ZIP code,
--   or in the same market, that share at least one name word.
-- The kept one is the candidate sharing the most name words with the Epoch campus (Epoch name + owner
-- vs FracTracker name + operator + tenant; words of 3+ letters, generic ones like 'data', 'center',
-- 'campus' left out; for a candidate found only by market, the FracTracker record's city is a place, not
-- a name: 'Mesa' does not make Edged Mesa Google's Mesa campus), then by basis (distance, ZIP, market),
-- then the nearest. Campuses cluster: in New Albany, OH, Google's site lies 1.8 km from Meta's Prometheus,
-- so the name decides, not distance alone. Two names that number their phases differently ('Colossus 2'
-- vs 'xAI Colossus 1') are not a pair.
-- One to one: a pair is kept only when each is the other's best candidate (for the FracTracker record:
-- most shared words, then basis, then the nearest, then the campus with the most power at the history's
-- as-of date). Abilene's Lancium campus pairs with OpenAI Stargate Abilene, not also with the Crusoe
-- expansion and Shackelford; QTS's White Oak Tech Park with QTS Richmond 1 only.
with epoch_data_centers as (
    select * from {{ ref('stg_epoch__data_centers') }}
),

fractracker as (
    select * from {{ ref('stg_fractracker__facilities') }}
),

matches as (
    select * from {{ ref('int_locations__matched_to_markets') }}
),

-- each campus's power at the history's as-of date (its last observed timeline event)
campus_power as (
    select
        data_center_id,
        facility_power_mw as facility_power_mw_as_of
    from {{ ref('int_campuses__timeline_events') }}
    where not is_projected
    qualify row_number() over (partition by data_center_id order by event_seq desc) = 1
),

stop_words as (
    select unnest([
        'the', 'and', 'data', 'center', 'centers', 'centre', 'campus', 'cloud', 'project', 'site',
        'mega', 'new', 'llc', 'inc', 'speculative'
    ]) as word
),

located_epoch as (
    select * from epoch_data_centers
    where latitude is not null and longitude is not null
),

pairs as (
    select
        located_epoch.data_center_id,
        fractracker.facility_id as fractracker_facility_id,
        {{ haversine_km('located_epoch.latitude', 'located_epoch.longitude',
                        'fractracker.latitude', 'fractracker.longitude') }} as distance_km
    -- a cheap box first (0.1 degree is 7-11 km), then the exact distance; the latitude band as two
    -- inequalities lets DuckDB use a range join instead of comparing every pair
    from located_epoch
    inner join fractracker
        on
            fractracker.latitude > located_epoch.latitude - 0.1
            and fractracker.latitude < located_epoch.latitude + 0.1
            and abs(located_epoch.longitude - fractracker.longitude) < 0.1
),

by_distance as (
    select
        *,
        1 as basis_rank,
        'distance' as pair_basis
    from pairs
    where distance_km <= {{ p('facility_duplicate_radius_km') }}
),

-- Epoch sites without coordinates: FracTracker records with the same ZIP code, or in the same market where
-- the Epoch site's market came from its coordinates or an alias. Two equi-joins, not one join on an OR: that
-- compared every Epoch site with every FracTracker record (at SCALE=100, 7,400 x 147,300 pairs, ~70 s).
place_pairs as (
    select
        epoch_data_centers.data_center_id,
        fractracker.facility_id as fractracker_facility_id
    from epoch_data_centers
    inner join matches as epoch_market
        on
            epoch_market.entity_type = 'epoch_data_center'
            and epoch_market.entity_id = epoch_data_centers.data_center_id
    inner join fractracker
        on epoch_data_centers.zip_code = left(fractracker.zip, 5)
    inner join matches as fractracker_market
        on
            fractracker_market.entity_type = 'fractracker_facility'
            and fractracker_market.entity_id = fractracker.facility_id
    where epoch_data_centers.latitude is null or epoch_data_centers.longitude is null
    union
    select
        epoch_data_centers.data_center_id,
        fractracker.facility_id as fractracker_facility_id
    from epoch_data_centers
    inner join matches as epoch_market
        on
            epoch_market.entity_type = 'epoch_data_center'
            and epoch_market.entity_id = epoch_data_centers.data_center_id
            and epoch_market.match_method in ('coordinates', 'alias')
    inner join matches as fractracker_market
        on
            fractracker_market.entity_type = 'fractracker_facility'
            and fractracker_market.market_id = epoch_market.market_id
    inner join fractracker
        on fractracker_market.entity_id = fractracker.facility_id
    where epoch_data_centers.latitude is null or epoch_data_centers.longitude is null
),

by_place as (
    select
        place_pairs.data_center_id,
        place_pairs.fractracker_facility_id,
        cast(null as double) as distance_km,
        case when epoch_data_centers.zip_code = left(fractracker.zip, 5) then 2 else 3 end as basis_rank,
        case when epoch_data_centers.zip_code = left(fractracker.zip, 5) then 'zip_code' else 'market' end
            as pair_basis
    from place_pairs
    inner join epoch_data_centers
        on place_pairs.data_center_id = epoch_data_centers.data_center_id
    inner join fractracker
        on place_pairs.fractracker_facility_id = fractracker.facility_id
),

candidates as (
    select * from by_distance
    union all
    select * from by_place
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
    inner join fractracker
        on candidates.fractracker_facility_id = fractracker.facility_id
    where
        length(epoch_words.word) >= 3
        and epoch_words.word not in (select stop_words.word from stop_words)
        and not (
            candidates.pair_basis = 'market'
            and list_contains(
                string_split_regex(lower(strip_accents(coalesce(fractracker.city, ''))), '[^a-z0-9]+'), epoch_words.word
            )
        )
    group by candidates.data_center_id, candidates.fractracker_facility_id
),

-- phase numbers in both names (1-2 digit words) with none in common: different buildings of one campus
numbers_conflict as (
    select distinct
        candidates.data_center_id,
        candidates.fractracker_facility_id
    from candidates
    where
        exists (
            select 1 from epoch_words
            where
                epoch_words.data_center_id = candidates.data_center_id
                and regexp_full_match(epoch_words.word, '[0-9]{1,2}')
        )
        and exists (
            select 1 from fractracker_words
            where
                fractracker_words.facility_id = candidates.fractracker_facility_id
                and regexp_full_match(fractracker_words.word, '[0-9]{1,2}')
        )
        and not exists (
            select 1 from epoch_words
            inner join fractracker_words
                on epoch_words.word = fractracker_words.word
            where
                epoch_words.data_center_id = candidates.data_center_id
                and fractracker_words.facility_id = candidates.fractracker_facility_id
                and regexp_full_match(epoch_words.word, '[0-9]{1,2}')
        )
),

ranked as (
    select
        candidates.data_center_id,
        candidates.fractracker_facility_id,
        candidates.distance_km,
        candidates.basis_rank,
        candidates.pair_basis,
        cast(coalesce(shared_words.shared_name_words, 0) as integer) as shared_name_words,
        cast(count(*) over (partition by candidates.data_center_id) as integer) as candidates_within_radius
    from candidates
    left join shared_words
        on
            candidates.data_center_id = shared_words.data_center_id
            and candidates.fractracker_facility_id = shared_words.fractracker_facility_id
    -- a place-based candidate needs a shared name word: one ZIP code or market holds many operators
    where
        (candidates.basis_rank = 1 or coalesce(shared_words.shared_name_words, 0) >= 1)
        and not exists (
            select 1 from numbers_conflict
            where
                numbers_conflict.data_center_id = candidates.data_center_id
                and numbers_conflict.fractracker_facility_id = candidates.fractracker_facility_id
        )
),

best_for_campus as (
    select *
    from ranked
    qualify
        row_number() over (
            partition by data_center_id
            order by shared_name_words desc, basis_rank asc, distance_km asc nulls last, fractracker_facility_id asc
        ) = 1
),

-- one to one: of the campuses whose best candidate a FracTracker record is, it keeps its own best
mutual as (
    select best_for_campus.*
    from best_for_campus
    left join campus_power
        on best_for_campus.data_center_id = campus_power.data_center_id
    qualify
        row_number() over (
            partition by best_for_campus.fractracker_facility_id
            order by
                best_for_campus.shared_name_words desc,
                best_for_campus.basis_rank asc,
                best_for_campus.distance_km asc nulls last,
                campus_power.facility_power_mw_as_of desc nulls last,
                best_for_campus.data_center_id asc
        ) = 1
),

final as (
    select
        data_center_id,
        'epoch-' || {{ slugify('data_center_id') }} as facility_id,
        fractracker_facility_id,
        distance_km,
        shared_name_words,
        candidates_within_radius,
        pair_basis
    from mutual
)

select * from final
