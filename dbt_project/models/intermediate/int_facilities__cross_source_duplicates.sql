-- A table, not a view: its data tests and several models read it, and at scale (make bench SCALE=100) a view
-- recomputed for each of them cost minutes.
{{ config(materialized='table') }}

{%- set stop_words = [
    'the', 'and', 'data', 'center', 'centers', 'centre', 'campus', 'cloud', 'project', 'site',
    'mega', 'new', 'llc', 'inc', 'speculative'
] %}

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
-- compared every Epoch site with every FracTracker record (at SCALE=100, 7,400 x 147,300 pairs, ~70 s). The
-- two are disjoint (a market pair is one whose ZIP differs), so no union has to look for repeats.
by_place as (
    select
        epoch_data_centers.data_center_id,
        fractracker.facility_id as fractracker_facility_id,
        cast(null as double) as distance_km,
        2 as basis_rank,
        'zip_code' as pair_basis
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
    union all
    select
        epoch_data_centers.data_center_id,
        fractracker.facility_id as fractracker_facility_id,
        cast(null as double) as distance_km,
        3 as basis_rank,
        'market' as pair_basis
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
    where
        (epoch_data_centers.latitude is null or epoch_data_centers.longitude is null)
        and not coalesce(epoch_data_centers.zip_code = left(fractracker.zip, 5), false)
),

candidates as (
    select * from by_distance
    union all
    select * from by_place
),

-- each record's words, read once into lists: its distinct words (Epoch name + owner; FracTracker name +
-- operator + tenant), the name words that count when shared (3+ characters, not generic), the phase numbers
-- (1-2 digits) and, for a FracTracker record, its city's words. A candidate then compares two short lists
-- instead of joining word tables (at SCALE=100 a place-based candidate list runs to millions of pairs).
epoch_word_lists as (
    select
        data_center_id,
        list_filter(
            words, lambda w: length(w) >= 3 and not list_contains({{ stop_words }}, w)
        ) as name_words,
        list_filter(words, lambda w: regexp_full_match(w, '[0-9]{1,2}')) as number_words
    from (
        select
            data_center_id,
            list_distinct(string_split_regex(
                lower(strip_accents(coalesce(data_center_name, '') || ' ' || coalesce(owner, ''))), '[^a-z0-9]+'
            )) as words
        from epoch_data_centers
    ) as epoch_words
),

fractracker_word_lists as (
    select
        facility_id,
        words,
        list_filter(words, lambda w: regexp_full_match(w, '[0-9]{1,2}')) as number_words,
        city_words
    from (
        select
            facility_id,
            list_distinct(string_split_regex(
                lower(strip_accents(
                    coalesce(facility_name, '') || ' ' || coalesce(operator_name, '') || ' ' || coalesce(tenant, '')
                )),
                '[^a-z0-9]+'
            )) as words,
            string_split_regex(lower(strip_accents(coalesce(city, ''))), '[^a-z0-9]+') as city_words
        from fractracker
    ) as fractracker_words
),

-- a place-based candidate needs a shared name word. At SCALE=100 the place pairs run to millions, so: each
-- word list as a 128-bit signature (macro word_signature), and pairs whose signatures share no bit share no
-- word and drop out by one integer test; the survivors take the exact test (sharing); then the shared name
-- words are counted (for a candidate found only by market, not its city's words) and phase numbers compared
-- (both name one and they share none: a conflict) (scored). The signatures are CTEs of their own and `signed`
-- carries no word lists on purpose: with the signatures in the word-list CTEs and one join instead of two, the
-- model took 22 s instead of 10 s at SCALE=100 (measured 2026-12-05).
epoch_signatures as (
    select
        data_center_id,
        {{ word_signature('name_words') }} as name_signature
    from epoch_word_lists
),

fractracker_signatures as (
    select
        facility_id,
        {{ word_signature('words') }} as word_signature
    from fractracker_word_lists
),

signed as (
    select candidates.*
    from candidates
    inner join epoch_signatures on candidates.data_center_id = epoch_signatures.data_center_id
    inner join fractracker_signatures on candidates.fractracker_facility_id = fractracker_signatures.facility_id
    where
        candidates.basis_rank = 1
        or epoch_signatures.name_signature & fractracker_signatures.word_signature <> cast(0 as uhugeint)
),

sharing as (
    select
        signed.*,
        epoch_word_lists.name_words,
        epoch_word_lists.number_words,
        fractracker_word_lists.words as fractracker_words,
        fractracker_word_lists.number_words as fractracker_number_words,
        fractracker_word_lists.city_words
    from signed
    inner join epoch_word_lists on signed.data_center_id = epoch_word_lists.data_center_id
    inner join fractracker_word_lists on signed.fractracker_facility_id = fractracker_word_lists.facility_id
    where signed.basis_rank = 1 or list_has_any(epoch_word_lists.name_words, fractracker_word_lists.words)
),

scored as (
    select
        data_center_id,
        fractracker_facility_id,
        distance_km,
        basis_rank,
        pair_basis,
        length(
            case
                when pair_basis = 'market'
                    then list_filter(
                        list_intersect(name_words, fractracker_words), lambda w: not list_contains(city_words, w)
                    )
                else list_intersect(name_words, fractracker_words)
            end
        ) as shared_name_words,
        length(number_words) > 0
        and length(fractracker_number_words) > 0
        and not list_has_any(number_words, fractracker_number_words) as numbers_conflict
    from sharing
),

ranked as (
    select
        data_center_id,
        fractracker_facility_id,
        distance_km,
        basis_rank,
        pair_basis,
        cast(shared_name_words as integer) as shared_name_words,
        cast(count(*) over (partition by data_center_id) as integer) as candidates_within_radius
    from scored
    where
        (basis_rank = 1 or shared_name_words >= 1)
        and not numbers_conflict
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
