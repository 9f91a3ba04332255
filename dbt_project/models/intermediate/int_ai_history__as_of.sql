-- One row: the date the installed-AI history runs to, and why. Each source of installed AI capacity
-- covers its data up to the earlier of the day it was retrieved (meta.source_files) and its newest
-- dated record: Epoch AI's frontier data-center timelines (events after the retrieval day are Epoch's
-- own projections, not observations) and its GPU-cluster file (the newest first-operational date).
-- The history runs to the newest of those dates (as_of_date), named with its source; the years
-- before as_of_year are complete, and as_of_year is complete only when as_of_date is 31 December.
with files as (
    select * from {{ ref('stg_meta__source_files') }}
),

timelines as (
    select * from {{ ref('stg_epoch__data_center_timelines') }}
),

clusters as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

coverage as (
    select
        'Epoch AI frontier data-center timelines' as source_name,
        least(
            max(timelines.event_date),
            coalesce(
                (
                    select max(files.retrieved_on) from files
                    where files.source_table = 'epoch_data_center_timelines'
                ),
                max(timelines.event_date)
            )
        ) as covered_to
    from timelines
    union all
    select
        'Epoch AI GPU clusters' as source_name,
        least(
            cast(max(clusters.first_operational_date) as date),
            coalesce(
                (
                    select max(files.retrieved_on) from files
                    where files.source_table = 'epoch_gpu_clusters'
                ),
                cast(max(clusters.first_operational_date) as date)
            )
        ) as covered_to
    from clusters
    where clusters.status in ('operational', 'decommissioned')
),

newest as (
    select
        source_name,
        covered_to
    from coverage
    where covered_to is not null
    qualify row_number() over (order by covered_to desc, source_name asc) = 1
),

final as (
    select
        newest.covered_to as as_of_date,
        newest.source_name as as_of_source,
        cast(year(newest.covered_to) as integer) as as_of_year,
        cast(
            year(newest.covered_to)
            - case when month(newest.covered_to) = 12 and day(newest.covered_to) = 31 then 0 else 1 end
            as integer
        ) as last_complete_year,
        (
            select cast(max(coverage.covered_to) filter (where coverage.source_name = 'Epoch AI GPU clusters') as date)
            from coverage
        ) as gpu_clusters_covered_to,
        (
            select cast(max(coverage.covered_to) filter (where coverage.source_name <> 'Epoch AI GPU clusters') as date)
            from coverage
        ) as timelines_covered_to
    from newest
)

select * from final
