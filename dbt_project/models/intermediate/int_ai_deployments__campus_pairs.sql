{{ config(materialized='table') }}

-- One row per GPU cluster (Epoch AI GPU clusters, any status) located at an Epoch AI frontier data
-- center (campus): the campus, the rule that paired them and the evidence. Epoch's two datasets
-- overlap: a campus's timeline counts all its buildings, and the clusters Epoch lists there (xAI
-- Colossus Memphis phases at Colossus 1, OpenAI/Microsoft Goodyear at Microsoft Goodyear, ...) are part
-- of that power. Pairing them lets the installed base count each megawatt once.
--
-- Evidence, cluster against campus:
-- * address_match: the campus address's house number and street word appear in the cluster's
--   location ('3231 Riverport Rd');
-- * zip_match: the campus's ZIP code appears in the cluster's location;
-- * same_market: both fall in the same market (not a country's rest or unassigned);
-- * owner_match: an owner or user of one is an owner or user of the other ('Microsoft', 'xAI' in
--   'SpaceXAI'; 'Cloud' is no name);
-- * name_words: the campus's own name words (name and project; not its owners', generic or place
--   words) found in the cluster's name or location ('Stargate', 'Colossus', 'Rainier', 'Goodyear');
-- * date_compatible: the cluster's date (first operational, else the end of its planned year;
--   undated plans pass) is no more than a year before the campus's first timeline event.
-- Rules, in order (pair_rule):
-- 1. 'address': address_match and date_compatible;
-- 2. 'name_owner_place': owner_match, name_words or zip_match, same_market or zip_match,
--    date_compatible;
-- 3. 'owner_sole_campus': owner_match, same_market, the only campus in the market any owner of the
--    cluster matches, no street address of its own in the cluster's location (a cluster at another
--    address is elsewhere: Eos-DFW in Plano is not CoreWeave Denton), and the cluster dated on or after
--    the campus's first timeline event (an undated plan passes).
-- A cluster with several candidates keeps the best (rule order, then evidence: address 4, ZIP 2, one
-- per name word, owner 1); a tie at the top pairs nothing (ambiguous, left unpaired).
with clusters as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

campuses as (
    select * from {{ ref('int_campuses__profiled') }}
),

cluster_markets as (
    select * from {{ ref('int_locations__matched_to_markets') }}
    where entity_type = 'ai_deployment'
),

stop_words as (
    select unnest([
        'the', 'and', 'data', 'center', 'centers', 'centre', 'campus', 'cloud', 'project', 'site', 'mega',
        'new', 'north', 'south', 'east', 'west', 'expansion', 'phase', 'cluster', 'supercluster', 'llc',
        'inc', 'county', 'infrastructure', 'start', 'mexico', 'texas', 'ohio', 'york', 'virginia', 'wisconsin',
        'michigan'
    ]) as word
),

located as (
    select
        clusters.deployment_id,
        clusters.cluster_name,
        clusters.owner,
        clusters.users,
        lower(coalesce(clusters.location_text, '')) as location_text,
        regexp_matches(coalesce(clusters.location_text, ''), '^\s*\d+\s+[A-Za-z]') as has_street_address,
        lower(clusters.cluster_name || ' ' || coalesce(clusters.location_text, '')) as cluster_text,
        coalesce(
            cast(clusters.first_operational_date as date),
            make_date(cast(clusters.planned_year as integer), 12, 31)
        ) as cluster_date,
        coalesce(cluster_markets.market_id, 'unassigned') as market_id
    from clusters
    left join cluster_markets
        on clusters.deployment_id = cluster_markets.entity_id
),

campus_keys as (
    select
        campuses.*,
        regexp_extract(campuses.address, '^\s*(\d+)[-\x{2013}\d]*\s+([A-Za-z]+)', 1) as house_number,
        lower(regexp_extract(campuses.address, '^\s*(\d+)[-\x{2013}\d]*\s+([A-Za-z]+)', 2)) as street_word
    from campuses
),

campus_orgs as (
    select distinct
        data_center_id,
        trim(lower(org)) as org
    from (
        select
            data_center_id,
            unnest(string_split(coalesce(owner, '') || ',' || coalesce(users, ''), ',')) as org
        from campuses
    ) as campus_org_lists
),

cluster_orgs as (
    select distinct
        deployment_id,
        trim(regexp_replace(lower(org), '\s+(ai|inc|llc)$', '')) as org
    from (
        select
            deployment_id,
            unnest(string_split(coalesce(owner, '') || ',' || coalesce(users, ''), ',')) as org
        from clusters
    ) as cluster_org_lists
),

campus_name_words as (
    select distinct
        campus_words.data_center_id,
        campus_words.word
    from (
        select
            data_center_id,
            unnest(string_split_regex(
                lower(strip_accents(data_center_id || ' ' || coalesce(project, ''))), '[^a-z0-9]+'
            )) as word
        from campuses
    ) as campus_words
    where
        length(campus_words.word) >= 4
        and campus_words.word not in (select stop_words.word from stop_words)
        -- a word naming an owner or user of any campus is not a name word: the org evidence weighs organisations
        and campus_words.word not in (
            select campus_orgs.org from campus_orgs
            where campus_orgs.org is not null
        )
),

-- the 5-digit ZIP codes a cluster's location text names (a campus's zip_code is 5 digits): an equi-join, not a
-- regular expression per cluster x campus
located_zips as (
    select distinct
        located_zip_lists.deployment_id,
        located_zip_lists.zip_code
    from (
        select
            deployment_id,
            unnest(regexp_extract_all(location_text, '\b(\d{5})\b', 1)) as zip_code
        from located
    ) as located_zip_lists
),

candidate_pairs as (
    select
        located.deployment_id,
        campus_keys.data_center_id
    from located
    inner join campus_keys
        on
            located.market_id = campus_keys.market_id
            and campus_keys.market_kind not in ('country_rest', 'unassigned')
    union
    select
        located_zips.deployment_id,
        campus_keys.data_center_id
    from located_zips
    inner join campus_keys on located_zips.zip_code = campus_keys.zip_code
),

-- each cluster's location read once into the tokens the evidence compares, so that every test below is an
-- equi-join rather than a regular expression compiled per cluster x campus (quadratic in a market's size):
-- its street addresses (a house number, then a word: '3231 riverport'), the words of its name and location
-- (runs of letters, digits and '_', as a regular expression's word boundaries cut them)
located_addresses as (
    select distinct
        address_lists.deployment_id,
        regexp_extract(address_lists.address_text, '^(\d+)', 1) as house_number,
        regexp_extract(address_lists.address_text, '([a-z]+)$', 1) as street_word
    from (
        select
            deployment_id,
            unnest(regexp_extract_all(location_text, '\b\d+\s+[a-z]+\b')) as address_text
        from located
    ) as address_lists
),

cluster_tokens as (
    select distinct
        token_lists.deployment_id,
        token_lists.token
    from (
        select
            deployment_id,
            unnest(string_split_regex(cluster_text, '[^a-z0-9_]+')) as token
        from located
    ) as token_lists
    where token_lists.token <> ''
),

campus_org_names as (
    select distinct org from campus_orgs
    where length(org) >= 3 and org <> 'cloud'
),

cluster_org_names as (
    select distinct org from cluster_orgs
    where length(org) >= 3 and org <> 'cloud'
),

-- organisation names that name the same organisation: one contains the other ('xai' in 'spacexai')
org_links as (
    select distinct
        campus_org_names.org as campus_org,
        cluster_org_names.org as cluster_org
    from campus_org_names
    inner join cluster_org_names
        on
            contains(campus_org_names.org, cluster_org_names.org)
            or contains(cluster_org_names.org, campus_org_names.org)
),

owner_pairs as (
    select distinct
        candidate_pairs.deployment_id,
        candidate_pairs.data_center_id
    from candidate_pairs
    inner join campus_orgs on candidate_pairs.data_center_id = campus_orgs.data_center_id
    inner join org_links on campus_orgs.org = org_links.campus_org
    inner join cluster_orgs
        on
            candidate_pairs.deployment_id = cluster_orgs.deployment_id
            and org_links.cluster_org = cluster_orgs.org
),

name_word_counts as (
    select
        candidate_pairs.deployment_id,
        candidate_pairs.data_center_id,
        count(*) as name_words
    from candidate_pairs
    inner join campus_name_words on candidate_pairs.data_center_id = campus_name_words.data_center_id
    inner join cluster_tokens
        on
            candidate_pairs.deployment_id = cluster_tokens.deployment_id
            and campus_name_words.word = cluster_tokens.token
    group by candidate_pairs.deployment_id, candidate_pairs.data_center_id
),

candidates as (
    select
        located.deployment_id,
        located.cluster_name,
        campus_keys.data_center_id,
        campus_keys.campus_id,
        located.cluster_date,
        located.has_street_address,
        campus_keys.first_event_date,
        campus_keys.first_power_date,
        located.market_id = campus_keys.market_id
        and campus_keys.market_kind not in ('country_rest', 'unassigned') as same_market,
        coalesce(campus_keys.house_number <> '' and located_addresses.deployment_id is not null, false)
            as address_match,
        coalesce(campus_keys.zip_code is not null and located_zips.deployment_id is not null, false) as zip_match,
        owner_pairs.deployment_id is not null as owner_match,
        coalesce(name_word_counts.name_words, 0) as name_words
    from candidate_pairs
    inner join located on candidate_pairs.deployment_id = located.deployment_id
    inner join campus_keys on candidate_pairs.data_center_id = campus_keys.data_center_id
    left join located_addresses
        on
            candidate_pairs.deployment_id = located_addresses.deployment_id
            and campus_keys.house_number = located_addresses.house_number
            and campus_keys.street_word = located_addresses.street_word
    left join located_zips
        on
            candidate_pairs.deployment_id = located_zips.deployment_id
            and campus_keys.zip_code = located_zips.zip_code
    left join owner_pairs
        on
            candidate_pairs.deployment_id = owner_pairs.deployment_id
            and candidate_pairs.data_center_id = owner_pairs.data_center_id
    left join name_word_counts
        on
            candidate_pairs.deployment_id = name_word_counts.deployment_id
            and candidate_pairs.data_center_id = name_word_counts.data_center_id
),

evidence as (
    select
        candidates.*,
        candidates.cluster_date is null
        or candidates.first_event_date is null
        or candidates.cluster_date >= candidates.first_event_date - interval 365 day as date_compatible
    from candidates
),

owner_campuses_in_market as (
    select
        deployment_id,
        count(*) filter (where owner_match and same_market) as owner_campuses
    from evidence
    group by deployment_id
),

ruled as (
    select
        evidence.*,
        case
            when evidence.address_match and evidence.date_compatible then 'address'
            when
                evidence.owner_match
                and (evidence.name_words > 0 or evidence.zip_match)
                and (evidence.same_market or evidence.zip_match)
                and evidence.date_compatible
                then 'name_owner_place'
            when
                evidence.owner_match
                and evidence.same_market
                and owner_campuses_in_market.owner_campuses = 1
                and not evidence.has_street_address
                and coalesce(evidence.cluster_date >= evidence.first_event_date, true)
                then 'owner_sole_campus'
        end as pair_rule,
        4 * cast(evidence.address_match as integer) + 2 * cast(evidence.zip_match as integer)
        + evidence.name_words + cast(evidence.owner_match as integer) as evidence_score
    from evidence
    inner join owner_campuses_in_market
        on evidence.deployment_id = owner_campuses_in_market.deployment_id
),

ranked as (
    select
        ruled.*,
        case ruled.pair_rule when 'address' then 1 when 'name_owner_place' then 2 else 3 end as rule_rank,
        count(*) over (partition by ruled.deployment_id) as candidate_campuses
    from ruled
    where ruled.pair_rule is not null
),

best as (
    select
        ranked.*,
        count(*) over (partition by ranked.deployment_id, ranked.rule_rank, ranked.evidence_score) as tied
    from ranked
    qualify
        rank() over (partition by ranked.deployment_id order by ranked.rule_rank asc, ranked.evidence_score desc) = 1
),

final as (
    select
        deployment_id,
        cluster_name,
        data_center_id,
        campus_id,
        pair_rule,
        address_match,
        zip_match,
        same_market,
        owner_match,
        cast(name_words as integer) as name_words,
        cast(evidence_score as integer) as evidence_score,
        cast(candidate_campuses as integer) as candidate_campuses
    from best
    where tied = 1
)

select * from final
