-- A site listed by two records keeps its capacity: where a record that points at a primary record
-- (duplicate_of: an Epoch campus paired with a FracTracker record, or a FracTracker record repeating
-- another) has a MW figure, the primary record has one too, at least as large.
select
    duplicate.facility_id,
    duplicate.capacity_mw_high,
    duplicate.duplicate_of,
    primary_record.capacity_mw_high as primary_capacity_mw_high
from {{ ref('fct_facilities') }} as duplicate
inner join {{ ref('fct_facilities') }} as primary_record
    on duplicate.duplicate_of = primary_record.facility_id
where
    coalesce(duplicate.capacity_mw_high, duplicate.capacity_mw_low, 0) > 0
    and coalesce(primary_record.capacity_mw_high, 0)
    < coalesce(duplicate.capacity_mw_high, duplicate.capacity_mw_low, 0) - 1e-9
