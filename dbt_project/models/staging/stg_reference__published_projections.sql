-- One row per published projection figure (publisher x publication x metric x geography x year x scenario).
with source as (
    select * from {{ source('raw', 'ref_published_projections') }}
),

final as (
    select
        publisher,
        publication,
        cast(year_published as integer) as year_published,
        metric,
        scope,
        geography,
        cast(year as integer) as year,
        value,
        unit,
        scenario,
        source_url,
        notes,
        _source_file || ':' || cast(_source_row as varchar) as source_ref
    from source
)

select * from final
