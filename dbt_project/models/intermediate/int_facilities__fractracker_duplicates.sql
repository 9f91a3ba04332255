-- A table, not a view: its data tests and the models downstream read it, and a view is recomputed by each
-- (README, Performance).
{{ config(materialized='table') }}
-- One row per FracTracker record that repeats another FracTracker record of the same site: the record it
-- duplicates (kept_facility_id). Same tenant and site: both records name the same hyperscale, AI-lab or
-- GPU-cloud tenant (seed owner_types' hyperscaler, ai_lab and neocloud patterns, in the tenant field or
-- as a co-occupant in parentheses after the operator: 'QTS Data Centers (and Microsoft)'), in the same
-- ZIP code, within p('facility_duplicate_radius_km') (FracTracker lists Microsoft's Fayetteville, GA
-- campus twice: 'Atlanta Fayetteville Campus' and 'Fairwater 2'). An operator's name alone is not enough:
-- an operator's separate buildings (STACK NVA06 and NVA07, Edged ATL01-1..3) are separate sites. The kept
-- record is the one with the larger announced capacity, then the lower facility_id.
with recursive fractracker as (
    select * from {{ ref('stg_fractracker__facilities') }}
    where latitude is not null and longitude is not null
),

owner_types as (
    select * from {{ ref('owner_types') }}
    where owner_type in ('hyperscaler', 'ai_lab', 'neocloud')
),

tenant_texts as (
    select
        facility_id,
        lower(
            coalesce(tenant, '') || ' ' || coalesce(regexp_extract(operator_name, '\(([^)]*)\)', 1), '')
        ) as tenant_text
    from fractracker
),

-- each distinct tenant text tested against the patterns once (a seed's pattern is compiled per row it is tested on)
tenant_orgs as (
    select distinct
        distinct_texts.tenant_text,
        regexp_extract(distinct_texts.tenant_text, owner_types.owner_pattern, 0) as tenant_org
    from (select distinct tenant_text from tenant_texts) as distinct_texts
    inner join owner_types
        on regexp_matches(distinct_texts.tenant_text, owner_types.owner_pattern)
),

tenants as (
    select distinct
        tenant_texts.facility_id,
        tenant_orgs.tenant_org
    from tenant_texts
    inner join tenant_orgs on tenant_texts.tenant_text = tenant_orgs.tenant_text
),

-- records with a tenant first, then pairs among them (a join on ZIP alone pairs every record without one)
tenant_sites as (
    select
        fractracker.facility_id,
        fractracker.zip,
        fractracker.latitude,
        fractracker.longitude,
        coalesce(fractracker.mw_high, fractracker.mw_low, 0) as capacity_mw,
        tenants.tenant_org
    from fractracker
    inner join tenants on fractracker.facility_id = tenants.facility_id
),

pairs as (
    select distinct
        a.facility_id,
        b.facility_id as other_facility_id,
        a.capacity_mw,
        b.capacity_mw as other_capacity_mw
    from tenant_sites as a
    inner join tenant_sites as b
        on
            a.tenant_org = b.tenant_org
            and coalesce(a.zip, '') = coalesce(b.zip, '')
            and a.facility_id <> b.facility_id
            and abs(a.latitude - b.latitude) < 0.1
            and abs(a.longitude - b.longitude) < 0.1
    where
        {{ haversine_km('a.latitude', 'a.longitude', 'b.latitude', 'b.longitude') }}
        <= {{ p('facility_duplicate_radius_km') }}
),

best as (
    -- a record repeats the best record among its pairs (larger capacity, then lower id) when that is not itself
    select
        facility_id,
        other_facility_id as kept_facility_id
    from pairs
    where
        other_capacity_mw > capacity_mw
        or (other_capacity_mw = capacity_mw and other_facility_id < facility_id)
    qualify
        row_number() over (
            partition by facility_id order by other_capacity_mw desc, other_facility_id asc
        ) = 1
),

-- the best record may itself repeat a better one (pairs are within a radius, so not transitive): follow to the
-- end, so a duplicate always names a kept record (each step is strictly better, so no chain loops)
chains as (
    select
        facility_id,
        kept_facility_id,
        0 as depth
    from best
    union all
    select
        chains.facility_id,
        best.kept_facility_id,
        chains.depth + 1 as depth
    from chains
    inner join best on chains.kept_facility_id = best.facility_id
),

final as (
    select
        facility_id,
        kept_facility_id
    from chains
    qualify row_number() over (partition by facility_id order by depth desc) = 1
)

select * from final
