-- duplicate_of always names a primary record (no chains), and no FracTracker record is the pair of two
-- Epoch campuses (one to one).
select facility_id, duplicate_of, 'points at a non-primary record' as problem
from {{ ref('fct_facilities') }} as f
where
    duplicate_of is not null
    and not exists (
        select 1 from {{ ref('fct_facilities') }} as p where p.facility_id = f.duplicate_of and p.is_primary_record
    )
union all
select fractracker_facility_id, null, 'paired with ' || cast(count(*) as varchar) || ' Epoch campuses'
from {{ ref('int_facilities__cross_source_duplicates') }}
group by fractracker_facility_id
having count(*) > 1
