"""Ingest: one Dagster asset per source table (``raw/<table>``, ``assets``), and the bookkeeping around each load:
which file a run reads (``source_choice``), the load itself with its quarantine and ``meta.source_files`` rows
(``source_bookkeeping``), the last good rows a failed source keeps (``last_good_rows``) and staleness by the data's
age (``data_age``). ``load_raw`` loads every source without Dagster. Reading and validating a file is
``transforms/ingest/`` and ``transforms/sources/``.
"""
