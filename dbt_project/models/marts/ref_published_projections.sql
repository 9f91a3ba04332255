-- One row per published figure of data-centre / AI electricity demand (IEA, LBNL, Epoch AI, ...), with
-- its scope and source, so the forecast can be judged side by side (compare like with like: the
-- scope column says what each figure covers; energy figures are calendar-year TWh).
with projections as (
    select * from {{ ref('stg_reference__published_projections') }}
),

final as (
    select
        publisher,
        publication,
        year_published,
        metric,
        scope,
        geography,
        year,
        value,
        unit,
        scenario,
        source_url,
        notes,
        source_ref
    from projections
)

select * from final
