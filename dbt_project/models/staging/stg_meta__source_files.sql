-- One row per loaded source table (meta.source_files, written by the ingest code): provenance
-- used by the marts, e.g. the retrieved date of the cloud price catalog snapshots.
with source as (
    select * from {{ source('meta', 'source_files') }}
),

final as (
    select
        source_table,
        source_file,
        publisher,
        licence,
        url,
        try_cast(retrieved as date) as retrieved_on,
        sha256,
        rows_loaded
    from source
)

select * from final
